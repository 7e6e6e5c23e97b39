//! `init` and `new`: the file-making commands, so editors never have to copy files by hand or
//! remember the front-matter keys.
//!
//! Neither command ever overwrites a file: a policy version, once written, may be someone's
//! only copy of an edit.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::content::split_front_matter;
use crate::lint::SUMMARY_PLACEHOLDER;
use crate::site::RESERVED_SLUGS;

const SITE_YAML: &str = include_str!("../scaffold/site.yaml");
const FIRST_POLICY: &str = include_str!("../scaffold/privacy-notice.md");
const NEW_POLICY: &str = include_str!("../scaffold/new-policy.md");
const EDITING: &str = include_str!("../scaffold/EDITING.md");
const GITIGNORE: &str = include_str!("../scaffold/gitignore");

/// Why a command made nothing.
#[derive(Debug, PartialEq, Eq)]
pub enum ScaffoldError {
    /// Doing it would overwrite or mix with something already there, or the request is unusable.
    Refused(String),
    /// The file system said no.
    Io(String),
}

impl std::fmt::Display for ScaffoldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScaffoldError::Refused(message) | ScaffoldError::Io(message) => f.write_str(message),
        }
    }
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> ScaffoldError + '_ {
    move |e| ScaffoldError::Io(format!("cannot write {}: {e}", path.display()))
}

/// Writes a file that must not exist yet; `create_new` makes the check and the write one step.
fn write_new(path: &Path, text: &str) -> Result<(), ScaffoldError> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io_error(parent))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                ScaffoldError::Refused(format!(
                    "{} already exists; privacy-site never overwrites a file",
                    path.display()
                ))
            } else {
                io_error(path)(e)
            }
        })?;
    file.write_all(text.as_bytes()).map_err(io_error(path))
}

/// Scaffolds a site in `dir`, which must be empty or not exist. Returns the files made.
pub fn init(dir: &Path, today: NaiveDate) -> Result<Vec<PathBuf>, ScaffoldError> {
    if let Ok(mut entries) = std::fs::read_dir(dir) {
        if entries.next().is_some() {
            return Err(ScaffoldError::Refused(format!(
                "{} is not empty; run `privacy-site init` with the name of a new folder, e.g. `privacy-site init my-site`",
                dir.display()
            )));
        }
    } else if dir.exists() {
        return Err(ScaffoldError::Refused(format!(
            "{} exists and is not a folder",
            dir.display()
        )));
    }
    let files = [
        (dir.join("content").join("site.yaml"), SITE_YAML.to_string()),
        (
            dir.join("content")
                .join("policies")
                .join("privacy-notice")
                .join(format!("{}.md", today.format("%Y-%m-%d"))),
            FIRST_POLICY.to_string(),
        ),
        (dir.join("EDITING.md"), EDITING.to_string()),
        (dir.join(".gitignore"), GITIGNORE.to_string()),
    ];
    for (path, text) in &files {
        write_new(path, text)?;
    }
    Ok(files.into_iter().map(|(path, _)| path).collect())
}

/// What `new` made.
#[derive(Debug, PartialEq, Eq)]
pub enum NewVersion {
    /// A new version of an existing policy, copied from `from`.
    Continued { path: PathBuf, from: PathBuf },
    /// The first version of a new policy, from the template.
    Started { path: PathBuf },
}

/// Starts version `date` of policy `slug` in the content folder `content`.
pub fn new_version(
    content: &Path,
    slug: &str,
    date: NaiveDate,
) -> Result<NewVersion, ScaffoldError> {
    if !content.join("site.yaml").is_file() {
        return Err(ScaffoldError::Refused(format!(
            "{} has no site.yaml; give the content folder with `--content`, or run `privacy-site init` first",
            content.display()
        )));
    }
    if !crate::content::is_valid_slug(slug) {
        return Err(ScaffoldError::Refused(format!(
            "`{slug}` cannot be used in a web address: use lower-case letters, digits and hyphens, e.g. `privacy-notice`"
        )));
    }
    if RESERVED_SLUGS.contains(&slug) {
        return Err(ScaffoldError::Refused(format!(
            "`{slug}` is a name privacy-site uses for its own pages; choose another"
        )));
    }
    let folder = content.join("policies").join(slug);
    let path = folder.join(format!("{}.md", date.format("%Y-%m-%d")));
    if path.exists() {
        return Err(ScaffoldError::Refused(format!(
            "{} already exists; privacy-site new never overwrites a version. Edit that file, or choose another `--date`",
            path.display()
        )));
    }
    match latest_version(&folder) {
        Some(from) => {
            let text = std::fs::read_to_string(&from)
                .map_err(|e| ScaffoldError::Io(format!("cannot read {}: {e}", from.display())))?;
            write_new(&path, &continued(&text, &from)?)?;
            Ok(NewVersion::Continued { path, from })
        }
        None => {
            write_new(
                &path,
                &NEW_POLICY.replace("{title}", &yaml_string(&title_from_slug(slug))),
            )?;
            Ok(NewVersion::Started { path })
        }
    }
}

/// The newest `YYYY-MM-DD.md` in a policy folder; the names sort by date.
fn latest_version(folder: &Path) -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir(folder)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            p.extension().is_some_and(|e| e == "md")
                && NaiveDate::parse_from_str(stem, "%Y-%m-%d").is_ok()
        })
        .collect();
    versions.sort();
    versions.pop()
}

/// The text of a new version: the old body under fresh front matter. Only the title carries
/// over; `label`, `draft` and the summary describe the old version, not this one.
fn continued(text: &str, from: &Path) -> Result<String, ScaffoldError> {
    let parts = split_front_matter(text, from).map_err(|d| {
        ScaffoldError::Refused(format!("cannot copy {}: {}", from.display(), d.message))
    })?;
    let front: serde_yaml::Value =
        serde_yaml::from_str(parts.yaml).unwrap_or(serde_yaml::Value::Null);
    let title = front
        .get("title")
        .and_then(serde_yaml::Value::as_str)
        .unwrap_or("Untitled")
        .to_string();
    Ok(format!(
        "---\ntitle: {}\nsummary: {}\n---\n{}",
        yaml_string(&title),
        yaml_string(SUMMARY_PLACEHOLDER),
        &text[parts.body_start..]
    ))
}

/// A YAML scalar for `text`, quoted only when it must be.
fn yaml_string(text: &str) -> String {
    serde_yaml::to_string(text).map_or_else(|_| format!("{text:?}"), |s| s.trim_end().to_string())
}

/// `cookie-policy` → `Cookie policy`.
fn title_from_slug(slug: &str) -> String {
    let words = slug.replace('-', " ");
    let mut chars = words.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_version_keeps_the_title_and_body_only() {
        let old =
            "---\ntitle: \"Privacy: the notice\"\nsummary: Old change\nlabel: v2\n---\n\n## Body\n";
        let text = continued(old, Path::new("x.md")).unwrap();
        assert_eq!(
            text,
            format!(
                "---\ntitle: 'Privacy: the notice'\nsummary: '{SUMMARY_PLACEHOLDER}'\n---\n\n## Body\n"
            )
        );
    }

    #[test]
    fn titles_come_from_slugs() {
        assert_eq!(title_from_slug("cookie-policy"), "Cookie policy");
    }
}
