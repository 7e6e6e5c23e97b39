//! The content model: what a site's folder holds once it has been read and checked.
//!
//! Loading (in `load`) turns files into these types and collects every problem it meets; the
//! rest of the pipeline can then trust them.

mod front_matter;
mod load;
mod store;

use std::borrow::Cow;
use std::path::PathBuf;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::config::SiteConfig;

pub use front_matter::split_front_matter;
pub use load::{is_valid_slug, load, load_with};
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

/// A Markdown file: where it is, where its body starts, and its text when it is kept.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    text: SourceText,
    /// Byte offset where the Markdown body starts, after the front matter.
    pub body_start: usize,
    /// The line number (from 1) on which the body starts.
    pub body_line: usize,
    /// SHA-256 of the file's bytes exactly as stored (BOM included), taken when it was read,
    /// so that `versions.json` need not read every file again.
    pub sha256: [u8; 32],
}

/// Whether a loaded file's text stays in memory.
#[derive(Debug, Clone)]
enum SourceText {
    Kept(String),
    /// Read again when asked for: a plain build of 100,000 versions would otherwise hold
    /// hundreds of megabytes of text it reads once. The length (BOM stripped) tells a file
    /// changed since it was loaded from the one that was checked.
    OnDisk {
        len: usize,
    },
}

/// Which texts a load keeps in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Texts {
    /// Every file's text: for `serve`, which renders again on each save, and for `check`,
    /// which reads every text several times.
    Keep,
    /// Pages' texts only; version files are read again when a policy is built, one policy
    /// at a time. Pages are few and are rendered outside any policy.
    VersionsOnDisk,
}

impl Source {
    /// A file read as `text`, kept or not as `texts` says for a file of its kind.
    fn loaded(
        path: PathBuf,
        mut text: String,
        texts: Texts,
        parts: (usize, usize, [u8; 32]),
    ) -> Self {
        let (body_start, body_line, sha256) = parts;
        let text = match texts {
            Texts::Keep => {
                // Read into a buffer of a usual file's size (`load::read_whole`).
                text.shrink_to_fit();
                SourceText::Kept(text)
            }
            Texts::VersionsOnDisk => SourceText::OnDisk { len: text.len() },
        };
        Source {
            path,
            text,
            body_start,
            body_line,
            sha256,
        }
    }

    /// The whole file as loaded (BOM stripped), front matter included.
    pub fn text(&self) -> std::io::Result<Cow<'_, str>> {
        match &self.text {
            SourceText::Kept(text) => Ok(Cow::Borrowed(text)),
            SourceText::OnDisk { len } => {
                let mut bytes = read_expected(&self.path, *len)?;
                strip_bom(&mut bytes);
                match String::from_utf8(bytes) {
                    Ok(text) if text.len() == *len && text.is_char_boundary(self.body_start) => {
                        Ok(Cow::Owned(text))
                    }
                    _ => Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "the file changed while the site was being built",
                    )),
                }
            }
        }
    }

    /// The Markdown body, after the front matter.
    pub fn body(&self) -> std::io::Result<Cow<'_, str>> {
        Ok(match self.text()? {
            Cow::Borrowed(text) => Cow::Borrowed(&text[self.body_start..]),
            Cow::Owned(mut text) => {
                text.drain(..self.body_start);
                Cow::Owned(text)
            }
        })
    }

    /// The body when the text is kept in memory.
    pub fn kept_body(&self) -> Option<&str> {
        match &self.text {
            SourceText::Kept(text) => Some(&text[self.body_start..]),
            SourceText::OnDisk { .. } => None,
        }
    }

    /// The file's SHA-256 in lower-case hex.
    pub fn sha256_hex(&self) -> String {
        // By table, not `format!` per byte: `versions.json` holds one per version of the site.
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut hex = String::with_capacity(64);
        for byte in self.sha256 {
            hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
            hex.push(char::from(DIGITS[usize::from(byte & 15)]));
        }
        hex
    }
}

/// The byte order mark some Windows editors put at the start of a UTF-8 file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Takes a BOM off the start of `bytes`, where there is one: it is not part of the text.
fn strip_bom(bytes: &mut Vec<u8>) {
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
}

/// Reads a file that held `len` bytes of text (after any BOM) when it was loaded, with one
/// `read` when it has not changed. `std::fs::read` also asks for the file's size and reads once
/// more to find its end: two of its five system calls, paid again for every version of a
/// large site, which reads each version file a second time when its policy is built.
fn read_expected(path: &std::path::Path, len: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    // Room for a BOM and a byte more: a file that has grown reads longer than it was.
    let mut bytes = vec![0; len + BOM.len() + 1];
    let mut filled = 0;
    loop {
        let read = match file.read(&mut bytes[filled..]) {
            Ok(read) => read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        filled += read;
        let bom = if bytes[..filled].starts_with(BOM) {
            BOM.len()
        } else {
            0
        };
        // Once the file's old length is here, its end need not be looked for: a longer file
        // has filled the spare byte, and either way the caller compares lengths.
        if read == 0 || filled >= len + bom {
            break;
        }
    }
    bytes.truncate(filled);
    Ok(bytes)
}

#[derive(Debug, Clone)]
pub struct StaticFile {
    pub relative: String,
    pub path: PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_left_on_disk_reads_as_the_kept_one_until_the_file_changes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("2025-01-01.md");
        let text = "---\ntitle: é\n---\n# Body é\n";
        std::fs::write(&path, format!("\u{feff}{text}")).expect("write");
        let parts = (text.find("# Body").unwrap_or_default(), 4, [0; 32]);
        let kept = Source::loaded(path.clone(), text.to_string(), Texts::Keep, parts);
        let on_disk = Source::loaded(path.clone(), text.to_string(), Texts::VersionsOnDisk, parts);
        assert_eq!(kept.kept_body(), Some("# Body é\n"));
        assert_eq!(on_disk.kept_body(), None);
        assert_eq!(on_disk.body().ok().as_deref(), Some("# Body é\n"));
        assert_eq!(on_disk.text().ok(), kept.text().ok());
        // One byte longer, the rest as it was: read with room for just one more byte.
        std::fs::write(&path, format!("\u{feff}{text}.")).expect("write");
        assert!(
            on_disk.body().is_err(),
            "a longer file is not read as the old one"
        );
        std::fs::write(&path, text).expect("write");
        assert_eq!(
            on_disk.text().ok(),
            kept.text().ok(),
            "the BOM is not counted"
        );
        std::fs::write(&path, "---\ntitle: x\n---\n# Body\n").expect("write");
        let error = on_disk
            .body()
            .expect_err("a changed file is not read as the old one");
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
        assert_eq!(kept.body().ok().as_deref(), Some("# Body é\n"));
    }
}
