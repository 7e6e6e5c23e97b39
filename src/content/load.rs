//! Reading a content folder into the model, collecting every problem in one pass.

use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use super::front_matter::split_front_matter;
use super::store::ContentStore;
use super::{Content, Page, PageFront, Policy, Source, StaticFile, Texts, Version, VersionFront};
use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::site::RESERVED_SLUGS;
use crate::yaml;

/// Reads `root` (the content folder). On any error, returns every error found.
///
/// A full load is a `ContentStore` opened from scratch, so that `serve`'s incremental
/// reloads and a plain build go through the same checks in the same order.
/// Version files' texts are not kept (see [`Texts`]): a plain build reads each policy's files
/// again when it builds that policy.
pub fn load(root: &Path) -> Result<Content, Diagnostics> {
    load_with(root, Texts::VersionsOnDisk)
}

/// `load`, keeping the texts `texts` names in memory.
pub fn load_with(root: &Path, texts: Texts) -> Result<Content, Diagnostics> {
    ContentStore::open_with(root, texts).into_result()
}

/// Reads and parses `site.yaml`, returning the config when it is valid and every problem found.
pub(super) fn load_config(root: &Path) -> (Option<SiteConfig>, Diagnostics) {
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
    (config, problems)
}

pub(super) fn decode(mut bytes: Vec<u8>, path: &Path) -> Result<String, Diagnostic> {
    super::strip_bom(&mut bytes);
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

pub(super) fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    entries
}

pub(super) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub(super) fn is_markdown(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("md" | "markdown")
    )
}

/// Editor droppings and dot files are not content.
pub(super) fn is_ignored(path: &Path) -> bool {
    let name = file_name(path);
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
}

/// A file inside a policy folder, as a full load sees it before reading it.
pub(super) enum Classified {
    /// Not a version file (a folder, not Markdown, or not named after a date): this error.
    Rejected(Diagnostic),
    /// A version file taking effect on this date, still to be read.
    Candidate(NaiveDate),
}

/// Sorts out one (not ignored) entry of a policy folder without reading it.
pub(super) fn classify_version_file(file: &Path) -> Classified {
    // A folder named like a version file is found when it is read: a `stat` of every file
    // here, to catch it sooner, cost about 1 % of a large build.
    if !is_markdown(file) {
        return Classified::Rejected(
            Diagnostic::error(
                "stray-file",
                Location::new(file, 1, 1),
                "Only Markdown version files belong in a policy folder",
            )
            .with_hint(
                "Name each version `<YYYY-MM-DD>.md`; put images and other files in `static/`.",
            ),
        );
    }
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match parse_date(&stem) {
        Ok(date) => Classified::Candidate(date),
        Err(message) => Classified::Rejected(
            Diagnostic::error("bad-date", Location::new(file, 1, 1), message)
                .with_hint("Name each version after the date it takes effect, as `YYYY-MM-DD.md`, e.g. `2025-03-01.md`."),
        ),
    }
}

/// A file directly under `policies/`.
pub(super) fn stray_policy_file(path: &Path) -> Diagnostic {
    Diagnostic::error(
        "stray-file",
        Location::new(path, 1, 1),
        "Policies live in folders, one folder per policy",
    )
    .with_hint("Move this file into `policies/<policy-name>/<YYYY-MM-DD>.md`.")
}

pub(super) fn empty_policy(policy_dir: &Path, slug: &str) -> Diagnostic {
    Diagnostic::error(
        "empty-policy",
        Location::new(policy_dir, 1, 1),
        format!("The policy folder `{slug}` has no versions"),
    )
    .with_hint(
        "Add a version named after its effective date, e.g. `2025-03-01.md`, or remove the folder.",
    )
}

/// Puts a policy's versions in order: oldest first, ties by path.
pub(super) fn sort_versions(versions: &mut [Version]) {
    versions.sort_by(|a, b| a.date.cmp(&b.date).then(a.source.path.cmp(&b.source.path)));
}

/// The checks that need a policy's versions side by side: dates and summaries.
pub(super) fn check_policy(policy: &Policy, problems: &mut Diagnostics) {
    let (slug, versions) = (&policy.slug, &policy.versions);
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
        // Versions sharing the first date are already reported as duplicates; asking them
        // for a summary too would send the editor after a second, false problem.
        for version in versions.iter().filter(|v| v.date != first.date) {
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

/// Reads a Markdown file and its front matter into `F`, keeping its text as `texts` says.
fn read_markdown<F: serde::de::DeserializeOwned>(
    path: PathBuf,
    texts: Texts,
) -> Result<(F, Source), Diagnostics> {
    let bytes = read_whole(&path).map_err(|error| {
        let at = Location::new(&path, 1, 1);
        Diagnostics::from(if error.kind() == std::io::ErrorKind::IsADirectory {
            Diagnostic::error(
                "stray-file",
                at,
                "This is a folder named like a Markdown file",
            )
            .with_hint("Rename the folder or move it out: only Markdown files belong here.")
        } else {
            Diagnostic::error(
                "unreadable",
                at,
                format!("This file cannot be read: {error}"),
            )
        })
    })?;
    let sha256 = Sha256::digest(&bytes).into();
    let text = decode(bytes, &path)?;
    let parts = split_front_matter(&text, &path)?;
    let front: F = yaml::parse(parts.yaml, &path, parts.yaml_line)?;
    let parts = (parts.body_start, parts.body_line, sha256);
    Ok((front, Source::loaded(path, text, texts, parts)))
}

/// A file's bytes, read without first asking for its size as `std::fs::read` does: a
/// policy file fits in one read of this buffer's size, and a large site has tens of
/// thousands of them. A file kept in memory is shrunk to fit when it is kept (`Source`).
fn read_whole(path: &Path) -> std::io::Result<Vec<u8>> {
    const USUAL_SIZE: usize = 16 * 1024;
    let mut bytes = Vec::with_capacity(USUAL_SIZE);
    // Through `take`: `File`'s own `read_to_end` asks for the size and position first.
    std::fs::File::open(path)?
        .take(u64::MAX)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn missing_title(path: &Path) -> Diagnostic {
    Diagnostic::error(
        "missing-title",
        Location::new(path, 2, 1),
        "This file has no `title`",
    )
    .with_hint("Add a line such as `title: Privacy notice` between the `---` lines at the top.")
}

pub(super) fn load_version(
    path: PathBuf,
    date: NaiveDate,
    texts: Texts,
) -> Result<Version, Diagnostics> {
    let (front, source): (VersionFront, Source) = read_markdown(path, texts)?;
    if front.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
        return Err(missing_title(&source.path).into());
    }
    Ok(Version {
        date,
        front,
        source,
    })
}

/// Reads one (not ignored) entry of `pages/`, keeping its text whatever the load keeps.
pub(super) fn load_page(path: PathBuf) -> Result<Page, Diagnostics> {
    if !is_markdown(&path) {
        return Err(Diagnostic::error(
            "stray-file",
            Location::new(&path, 1, 1),
            "Only Markdown pages belong in `pages/`",
        )
        .with_hint("Name pages `<page-name>.md`; put images and other files in `static/`.")
        .into());
    }
    let slug = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (front, source) = read_markdown::<PageFront>(path, Texts::Keep)?;
    if front.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
        return Err(missing_title(&source.path).into());
    }
    Ok(Page {
        slug,
        front,
        source,
    })
}

pub(super) fn list_static(root: &Path) -> Vec<StaticFile> {
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

pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}

pub(super) fn check_slugs(policies: &[Policy], pages: &[Page], problems: &mut Diagnostics) {
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
