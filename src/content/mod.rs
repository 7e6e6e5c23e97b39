//! The content model: what a site's folder holds once it has been read and checked.
//!
//! Loading (in `load`) turns files into these types and collects every problem it meets; the
//! rest of the pipeline can then trust them.

mod front_matter;
mod load;
mod store;

use std::path::PathBuf;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::config::SiteConfig;

pub use front_matter::split_front_matter;
pub use load::{is_valid_slug, load};
pub use store::ContentStore;

#[derive(Debug, Clone)]
pub struct Content {
    /// The content folder as the user named it, so paths in messages read as they typed them.
    pub root: PathBuf,
    pub config: SiteConfig,
    pub config_path: PathBuf,
    /// Sorted by slug.
    pub policies: Vec<Policy>,
    /// Sorted by slug.
    pub pages: Vec<Page>,
    /// Paths relative to `content/static/`, sorted, with `/` separators.
    pub static_files: Vec<StaticFile>,
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub slug: String,
    /// Oldest first; no two share a date.
    pub versions: Vec<Version>,
}

#[derive(Debug, Clone)]
pub struct Version {
    pub date: NaiveDate,
    pub front: VersionFront,
    pub source: Source,
}

impl Version {
    /// `2024-03-01`: the file name, the URL segment and the `datetime` value.
    pub fn date_string(&self) -> String {
        crate::pages::iso_date(self.date)
    }
}

/// Front matter of one policy version.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionFront {
    #[serde(default)]
    pub title: Option<String>,
    /// One line saying what changed; required on every version but the first.
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub draft: bool,
    /// An optional name for the version, e.g. "v3" or "Spring 2025 update".
    #[serde(default)]
    pub label: Option<String>,
}

impl VersionFront {
    pub fn title(&self) -> &str {
        self.title.as_deref().unwrap_or_default()
    }
}

/// An unversioned page such as an accessibility statement.
#[derive(Debug, Clone)]
pub struct Page {
    pub slug: String,
    pub front: PageFront,
    pub source: Source,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageFront {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub draft: bool,
}

impl PageFront {
    pub fn title(&self) -> &str {
        self.title.as_deref().unwrap_or_default()
    }
}

/// A Markdown file's text, kept so that findings can point into it.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: String,
    /// Byte offset where the Markdown body starts, after the front matter.
    pub body_start: usize,
    /// The line number (from 1) on which the body starts.
    pub body_line: usize,
    /// SHA-256 of the file's bytes exactly as stored (BOM included), taken when it was read,
    /// so that `versions.json` need not read every file again.
    pub sha256: [u8; 32],
}

impl Source {
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }

    /// The file's SHA-256 in lower-case hex.
    pub fn sha256_hex(&self) -> String {
        self.sha256.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[derive(Debug, Clone)]
pub struct StaticFile {
    pub relative: String,
    pub path: PathBuf,
}
