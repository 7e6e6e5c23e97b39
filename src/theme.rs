//! The default theme, embedded in the binary, and a site's own theme folder that overrides it
//! file by file (as mdBook does), so the tool works anywhere and every file can be replaced.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::diagnostics::{Diagnostic, Location};

macro_rules! embed {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/", $path)) as &[u8])),*]
    };
}

/// Every file of `themes/default/`. A file added there must be listed here too.
const DEFAULT_THEME: &[(&str, &[u8])] = embed![
    "templates/base.html",
    "templates/partials/version-banner.html",
    "templates/partials/toc.html",
    "templates/partials/draft-banner.html",
    "templates/index.html",
    "templates/policy.html",
    "templates/page.html",
    "templates/history.html",
    "templates/changes.html",
    "templates/404.html",
    "templates/cookie-settings.html",
    "templates/quick-exit.html",
    "templates/partials/consent-banner.html",
    "static/css/site.css",
    "static/css/print.css",
    "static/js/site.js",
    "static/js/consent.js",
];

/// A theme's files by path relative to the theme folder (`templates/…`, `static/…`).
#[derive(Debug, Clone)]
pub struct Theme {
    pub name: String,
    /// The folder overriding the embedded theme, if any; `serve` watches it.
    pub folder: Option<PathBuf>,
    files: BTreeMap<String, ThemeFile>,
}

#[derive(Debug, Clone)]
struct ThemeFile {
    bytes: Vec<u8>,
    /// Where the file came from, for error messages.
    origin: PathBuf,
}

/// A static theme file published under a content-hashed name, so a CDN may cache it for ever.
#[derive(Debug, Clone)]
pub struct Asset {
    /// `css/site.css`
    pub logical: String,
    /// `assets/css/site.3f2a9c1b0d.css`
    pub published: String,
    pub bytes: Vec<u8>,
}

impl Theme {
    /// The theme named in `site.yaml`: the embedded default overlaid by `themes_root/<name>/`.
    pub fn load(
        name: &str,
        themes_root: &Path,
        config_path: &Path,
        config_text: &str,
    ) -> Result<Theme, Diagnostic> {
        let mut files: BTreeMap<String, ThemeFile> = DEFAULT_THEME
            .iter()
            .map(|(path, bytes)| {
                (
                    path.to_string(),
                    ThemeFile {
                        bytes: bytes.to_vec(),
                        origin: PathBuf::from("themes/default").join(path),
                    },
                )
            })
            .collect();
        let folder = themes_root.join(name);
        let has_folder = folder.is_dir();
        if !has_folder && name != "default" {
            let line = config_text
                .lines()
                .position(|l| l.trim_start().starts_with("theme:"))
                .map_or(1, |i| i + 1);
            let column = config_text
                .lines()
                .nth(line - 1)
                .and_then(|l| l.find(name))
                .map_or(1, |i| i + 1);
            return Err(Diagnostic::error("unknown-theme", Location::new(config_path, line, column), format!("There is no theme called `{name}`"))
                .with_hint(format!("Use `theme: default`, or create the folder `{}` with the templates you want to change.", folder.display())));
        }
        if has_folder {
            for entry in walkdir::WalkDir::new(&folder)
                .follow_links(false)
                .into_iter()
                .filter_map(Result::ok)
            {
                if !entry.file_type().is_file() {
                    continue;
                }
                let Ok(relative) = entry.path().strip_prefix(&folder) else {
                    continue;
                };
                let key = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                if key.starts_with('.') || key.contains("/.") {
                    continue;
                }
                let bytes = std::fs::read(entry.path()).map_err(|e| {
                    Diagnostic::error(
                        "unreadable",
                        Location::new(entry.path(), 1, 1),
                        format!("This theme file cannot be read: {e}"),
                    )
                })?;
                files.insert(
                    key,
                    ThemeFile {
                        bytes,
                        origin: entry.path().to_path_buf(),
                    },
                );
            }
        }
        Ok(Theme {
            name: name.to_string(),
            folder: has_folder.then_some(folder),
            files,
        })
    }

    /// Compiles every template once; errors name the template file and line.
    pub fn templates(&self) -> Result<tera::Tera, Diagnostic> {
        let mut tera = tera::Tera::new();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.set_escape_fn(crate::pages::escape_for_templates);
        tera.register_filter("safe", crate::pages::mark_safe);
        let templates: Vec<(String, String)> = self
            .files
            .iter()
            .filter_map(|(path, file)| {
                let name = path.strip_prefix("templates/")?;
                Some((
                    name.to_string(),
                    String::from_utf8_lossy(&file.bytes).into_owned(),
                ))
            })
            .collect();
        tera.add_raw_templates(templates.iter().map(|(n, c)| (n.as_str(), c.as_str())))
            .map_err(|error| self.template_error(&error))?;
        Ok(tera)
    }

    /// Turns a Tera error into a diagnostic pointing at the template that failed.
    pub fn template_error(&self, error: &tera::Error) -> Diagnostic {
        let text = format!("{error}");
        let mut detail = text.clone();
        let mut source = std::error::Error::source(error);
        while let Some(inner) = source {
            detail.push_str(&format!(": {inner}"));
            source = inner.source();
        }
        let origin = self
            .files
            .iter()
            .filter(|(path, _)| path.starts_with("templates/"))
            .find(|(path, _)| detail.contains(path.trim_start_matches("templates/")))
            .map_or_else(
                || PathBuf::from("themes").join(&self.name),
                |(_, f)| f.origin.clone(),
            );
        let line = detail
            .split("line ")
            .nth(1)
            .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        Diagnostic::error(
            "template-error",
            Location::new(origin, line, 1),
            format!("A theme template failed: {detail}"),
        )
        .with_hint("Fix the template, or delete your copy to fall back to the default theme's.")
    }

    /// Adds every file of the theme to `hasher`: a change to any of them changes every page.
    pub fn fingerprint(
        &self,
        mut hasher: crate::render_cache::KeyHasher,
    ) -> crate::render_cache::KeyHasher {
        for (path, file) in &self.files {
            hasher.part(path.as_bytes()).part(&file.bytes);
        }
        hasher
    }

    /// The static files with fingerprinted names.
    pub fn assets(&self) -> Vec<Asset> {
        self.files
            .iter()
            .filter_map(|(path, file)| {
                let logical = path.strip_prefix("static/")?.to_string();
                let hash = Sha256::digest(&file.bytes);
                let short: String = hash.iter().take(5).map(|b| format!("{b:02x}")).collect();
                let published = match logical.rsplit_once('.') {
                    Some((stem, ext)) if !stem.ends_with('/') => {
                        format!("assets/{stem}.{short}.{ext}")
                    }
                    _ => format!("assets/{logical}.{short}"),
                };
                Some(Asset {
                    logical,
                    published,
                    bytes: file.bytes.clone(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_theme_compiles_and_fingerprints() {
        let theme = Theme::load(
            "default",
            Path::new("/nonexistent"),
            Path::new("site.yaml"),
            "",
        )
        .unwrap();
        theme.templates().unwrap();
        let assets = theme.assets();
        let css = assets.iter().find(|a| a.logical == "css/site.css").unwrap();
        assert!(
            css.published.starts_with("assets/css/site."),
            "{}",
            css.published
        );
        assert!(css.published.ends_with(".css"));
    }

    #[test]
    fn unknown_theme_points_at_site_yaml() {
        let error = Theme::load(
            "fancy",
            Path::new("/nonexistent"),
            Path::new("site.yaml"),
            "title: x\ntheme: fancy\n",
        )
        .unwrap_err();
        assert_eq!(error.code, "unknown-theme");
        assert_eq!((error.location.line, error.location.column), (2, 8));
    }
}
