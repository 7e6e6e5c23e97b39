//! Reading a content folder into the model, collecting every problem in one pass.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;

use super::front_matter::split_front_matter;
use super::{Content, Page, PageFront, Policy, Source, StaticFile, Version, VersionFront};
use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::site::RESERVED_SLUGS;
use crate::yaml;

/// Reads `root` (the content folder). On any error, returns every error found.
pub fn load(root: &Path) -> Result<Content, Diagnostics> {
    let mut problems = Diagnostics::new();
    let config_path = root.join("site.yaml");
    let config = match std::fs::read(&config_path) {
        Ok(bytes) => match decode(bytes, &config_path) {
            Ok(text) => SiteConfig::parse(&text, &config_path)
                .map_err(|errors| errors.into_iter().for_each(|e| problems.push(e)))
                .ok(),
            Err(error) => {
                problems.push(error);
                None
            }
        },
        Err(_) => {
            let hint = if root.is_dir() {
                "Create `site.yaml` with at least `title:` and `base_url:` (run `privacy-site init` for a ready-made one)."
            } else {
                "Check the `--content` folder name, or run `privacy-site init` to create a site."
            };
            problems.push(
                Diagnostic::error(
                    "missing-site-config",
                    Location::new(&config_path, 1, 1),
                    "There is no site.yaml here",
                )
                .with_hint(hint),
            );
            None
        }
    };

    let policies = load_policies(root, &mut problems);
    let pages = load_pages(root, &mut problems);
    let static_files = list_static(root);
    check_slugs(&policies, &pages, &mut problems);

    match config {
        Some(config) if !problems.has_errors() => Ok(Content {
            root: root.to_path_buf(),
            config,
            config_path,
            policies,
            pages,
            static_files,
        }),
        _ => Err(problems),
    }
}

fn decode(bytes: Vec<u8>, path: &Path) -> Result<String, Diagnostic> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|error| {
        let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
        let valid = std::str::from_utf8(valid).unwrap_or_default();
        Diagnostic::error(
            "not-utf8",
            Location::at_offset(path, valid, valid.len(), 1),
            "This file is not saved as UTF-8 text",
        )
        .with_hint("Re-save it as UTF-8 (in most editors: Save As, Encoding: UTF-8).")
    })
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    entries
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn is_markdown(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("md" | "markdown")
    )
}

/// Editor droppings and dot files are not content.
fn is_ignored(path: &Path) -> bool {
    let name = file_name(path);
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
}

fn load_policies(root: &Path, problems: &mut Diagnostics) -> Vec<Policy> {
    let dir = root.join("policies");
    let mut candidates: Vec<(String, PathBuf, NaiveDate)> = Vec::new();
    let mut folders: Vec<(String, PathBuf)> = Vec::new();
    for policy_dir in sorted_entries(&dir) {
        if is_ignored(&policy_dir) {
            continue;
        }
        if !policy_dir.is_dir() {
            problems.push(
                Diagnostic::error(
                    "stray-file",
                    Location::new(&policy_dir, 1, 1),
                    "Policies live in folders, one folder per policy",
                )
                .with_hint("Move this file into `policies/<policy-name>/<YYYY-MM-DD>.md`."),
            );
            continue;
        }
        let slug = file_name(&policy_dir);
        let mut found_any = false;
        for file in sorted_entries(&policy_dir) {
            if is_ignored(&file) {
                continue;
            }
            if file.is_dir() || !is_markdown(&file) {
                problems.push(
                    Diagnostic::error("stray-file", Location::new(&file, 1, 1), "Only Markdown version files belong in a policy folder")
                        .with_hint("Name each version `<YYYY-MM-DD>.md`; put images and other files in `static/`."),
                );
                continue;
            }
            let stem = file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            match parse_date(&stem) {
                Ok(date) => {
                    found_any = true;
                    candidates.push((slug.clone(), file, date));
                }
                Err(message) => problems.push(
                    Diagnostic::error("bad-date", Location::new(&file, 1, 1), message)
                        .with_hint("Name each version after the date it takes effect, as `YYYY-MM-DD.md`, e.g. `2025-03-01.md`."),
                ),
            }
        }
        if !found_any {
            problems.push(
                Diagnostic::error("empty-policy", Location::new(&policy_dir, 1, 1), format!("The policy folder `{slug}` has no versions"))
                    .with_hint("Add a version named after its effective date, e.g. `2025-03-01.md`, or remove the folder."),
            );
        }
        folders.push((slug, policy_dir));
    }

    let loaded: Vec<Result<(String, Version), Diagnostics>> = candidates
        .into_par_iter()
        .map(|(slug, path, date)| load_version(path, date).map(|v| (slug, v)))
        .collect();
    let mut by_slug: BTreeMap<String, Vec<Version>> = folders
        .into_iter()
        .map(|(slug, _)| (slug, Vec::new()))
        .collect();
    for result in loaded {
        match result {
            Ok((slug, version)) => by_slug.entry(slug).or_default().push(version),
            Err(errors) => problems.extend(errors),
        }
    }

    let mut policies = Vec::new();
    for (slug, mut versions) in by_slug {
        versions.sort_by(|a, b| a.date.cmp(&b.date).then(a.source.path.cmp(&b.source.path)));
        for pair in versions.windows(2) {
            if pair[0].date == pair[1].date {
                problems.push(
                    Diagnostic::error(
                        "duplicate-date",
                        Location::new(&pair[1].source.path, 1, 1),
                        format!(
                            "Two versions of `{slug}` take effect on {}",
                            pair[1].date_string()
                        ),
                    )
                    .with_hint(format!(
                        "Keep one of `{}` and `{}`, or change one file's date.",
                        file_name(&pair[0].source.path),
                        file_name(&pair[1].source.path)
                    )),
                );
            }
        }
        if let Some(first) = versions.first() {
            for version in versions.iter().skip(1) {
                if version
                    .front
                    .summary
                    .as_deref()
                    .is_none_or(|s| s.trim().is_empty())
                {
                    problems.push(
                        Diagnostic::error("missing-summary", Location::new(&version.source.path, 2, 1), "This version has no `summary` of what changed")
                            .with_hint(format!("Add a line such as `summary: Explains how long we keep webchat transcripts` to the front matter. Only the first version ({}) may leave it out.", first.date_string())),
                    );
                }
            }
        }
        policies.push(Policy { slug, versions });
    }
    policies
}

fn parse_date(stem: &str) -> Result<NaiveDate, String> {
    let shape_ok = stem.len() == 10
        && stem.chars().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shape_ok {
        return Err(format!("`{stem}` is not a date in the form YYYY-MM-DD"));
    }
    NaiveDate::parse_from_str(stem, "%Y-%m-%d").map_err(|_| format!("`{stem}` is not a real date"))
}

/// Reads a Markdown file and its front matter into `F`.
fn read_markdown<F: serde::de::DeserializeOwned>(
    path: PathBuf,
) -> Result<(F, Source), Diagnostics> {
    let bytes = std::fs::read(&path).map_err(|error| {
        Diagnostics::from(Diagnostic::error(
            "unreadable",
            Location::new(&path, 1, 1),
            format!("This file cannot be read: {error}"),
        ))
    })?;
    let text = decode(bytes, &path)?;
    let parts = split_front_matter(&text, &path)?;
    let front: F = yaml::parse(parts.yaml, &path, parts.yaml_line)?;
    let (body_start, body_line) = (parts.body_start, parts.body_line);
    Ok((
        front,
        Source {
            path,
            text,
            body_start,
            body_line,
        },
    ))
}

fn missing_title(path: &Path) -> Diagnostic {
    Diagnostic::error(
        "missing-title",
        Location::new(path, 2, 1),
        "This file has no `title`",
    )
    .with_hint("Add a line such as `title: Privacy notice` between the `---` lines at the top.")
}

fn load_version(path: PathBuf, date: NaiveDate) -> Result<Version, Diagnostics> {
    let (front, source): (VersionFront, Source) = read_markdown(path)?;
    if front.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
        return Err(missing_title(&source.path).into());
    }
    Ok(Version {
        date,
        front,
        source,
    })
}

fn load_pages(root: &Path, problems: &mut Diagnostics) -> Vec<Page> {
    let mut pages = Vec::new();
    for path in sorted_entries(&root.join("pages")) {
        if is_ignored(&path) {
            continue;
        }
        if !is_markdown(&path) {
            problems.push(
                Diagnostic::error(
                    "stray-file",
                    Location::new(&path, 1, 1),
                    "Only Markdown pages belong in `pages/`",
                )
                .with_hint("Name pages `<page-name>.md`; put images and other files in `static/`."),
            );
            continue;
        }
        let slug = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        match read_markdown::<PageFront>(path) {
            Ok((front, source)) if front.title.as_deref().is_none_or(|t| t.trim().is_empty()) => {
                problems.push(missing_title(&source.path))
            }
            Ok((front, source)) => pages.push(Page {
                slug,
                front,
                source,
            }),
            Err(errors) => problems.extend(errors),
        }
    }
    pages
}

fn list_static(root: &Path) -> Vec<StaticFile> {
    let dir = root.join("static");
    let mut files: Vec<StaticFile> = walkdir::WalkDir::new(&dir)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && !is_ignored(e.path()))
        .filter_map(|e| {
            let relative = e
                .path()
                .strip_prefix(&dir)
                .ok()?
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            Some(StaticFile {
                relative,
                path: e.path().to_path_buf(),
            })
        })
        .collect();
    files.sort_by(|a, b| a.relative.cmp(&b.relative));
    files
}

fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

fn check_slugs(policies: &[Policy], pages: &[Page], problems: &mut Diagnostics) {
    let named: Vec<(&str, PathBuf)> = policies
        .iter()
        .map(|p| {
            (
                p.slug.as_str(),
                p.versions
                    .first()
                    .map(|v| v.source.path.clone())
                    .unwrap_or_default(),
            )
        })
        .chain(
            pages
                .iter()
                .map(|p| (p.slug.as_str(), p.source.path.clone())),
        )
        .collect();
    for (slug, path) in &named {
        if !is_valid_slug(slug) {
            problems.push(
                Diagnostic::error(
                    "bad-slug",
                    Location::new(path, 1, 1),
                    format!("`{slug}` cannot be used in a web address"),
                )
                .with_hint(
                    "Use lower-case letters, digits and hyphens only, e.g. `privacy-notice`.",
                ),
            );
        } else if RESERVED_SLUGS.contains(slug) {
            problems.push(
                Diagnostic::error(
                    "reserved-slug",
                    Location::new(path, 1, 1),
                    format!("`{slug}` is a name privacy-site uses for its own pages"),
                )
                .with_hint(format!(
                    "Rename the folder or file; reserved names are: {}.",
                    RESERVED_SLUGS.join(", ")
                )),
            );
        }
    }
    for page in pages {
        if policies.iter().any(|p| p.slug == page.slug) {
            problems.push(
                Diagnostic::error(
                    "slug-clash",
                    Location::new(&page.source.path, 1, 1),
                    format!("A page and a policy are both called `{}`", page.slug),
                )
                .with_hint("Rename the page or the policy folder so each has its own web address."),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_real_and_padded() {
        assert!(parse_date("2024-02-29").is_ok());
        assert_eq!(
            parse_date("2023-02-29").unwrap_err(),
            "`2023-02-29` is not a real date"
        );
        assert!(parse_date("2024-2-1").unwrap_err().contains("YYYY-MM-DD"));
    }

    #[test]
    fn slugs_are_url_safe() {
        assert!(is_valid_slug("privacy-notice"));
        assert!(!is_valid_slug("Privacy Notice"));
        assert!(!is_valid_slug("-x"));
    }
}
