//! Helpers shared by the build integration tests: running the real binary on fixture sites,
//! reading the diagnostics it prints and the site it writes, and a small HTML tag scanner.
//!
//! Each test file uses only some of these, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The built `privacy-site` binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_privacy-site")
}

/// `tests/fixtures/build/<name>`: a fixture folder holding `content/` (and maybe `themes/`).
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/build")
        .join(name)
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The JSON diagnostics printed on standard output (with `--format json`).
    pub fn diagnostics(&self) -> Vec<Diag> {
        self.stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("not a JSON diagnostic ({e}): {l}"))
            })
            .collect()
    }
}

/// One diagnostic as `--format json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Diag {
    pub code: String,
    pub severity: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    #[serde(default)]
    pub hint: Option<String>,
}

/// Runs `privacy-site <args>` in `cwd` with `SOURCE_DATE_EPOCH` cleared unless `env` sets it,
/// and checks that it did not panic whatever the outcome.
pub fn run_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(bin());
    command
        .current_dir(cwd)
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("run privacy-site");
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "privacy-site panicked: {}",
        run.stderr
    );
    assert!(
        output.status.code().is_some(),
        "privacy-site was killed by a signal: {run:?}"
    );
    run
}

/// `privacy-site build --content <content> --out <out> <extra…>` from the current folder.
pub fn build(content: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "build",
        "--content",
        content.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run_in(Path::new(env!("CARGO_MANIFEST_DIR")), &args, &[])
}

/// Every file under `dir` by `/`-separated relative path, with its bytes.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk output"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let relative = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            (relative, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// Copies a folder tree, for tests that change content.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The valid fixture's `base_url`, split as the site uses it.
pub const ORIGIN: &str = "https://www.fenwick.police.example";
pub const PREFIX: &str = "/privacy/";

/// Builds the valid fixture with extra arguments and returns its files.
pub fn built(extra: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let run = build(&fixture("valid").join("content"), &site, extra);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.is_empty(),
        "a clean build prints no findings: {}",
        run.stdout
    );
    read_tree(&site)
}

pub fn text<'a>(files: &'a BTreeMap<String, Vec<u8>>, path: &str) -> &'a str {
    let bytes = files.get(path).unwrap_or_else(|| {
        panic!(
            "{path} was not built; built: {:?}",
            files.keys().collect::<Vec<_>>()
        )
    });
    std::str::from_utf8(bytes).unwrap()
}

/// The `<main>` of a page, where the policy itself is.
pub fn main_of(html: &str) -> &str {
    element_text(html, "<main", "</main>").expect("a <main> element")
}

/// The names in a folder, sorted.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A start tag: its lower-case name and attributes (values as written, entities not decoded).
#[derive(Debug, Clone)]
pub struct Tag {
    pub name: String,
    pub attrs: Vec<(String, Option<String>)>,
}

impl Tag {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }
    pub fn has_attr(&self, name: &str) -> bool {
        self.attrs.iter().any(|(n, _)| n == name)
    }
}

/// Every start tag in a document, in order. Good enough for generated, well-formed HTML whose
/// text is escaped: a `<` in text is always `&lt;`, so every `<` here opens a tag or comment.
pub fn start_tags(html: &str) -> Vec<Tag> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        if let Some(after) = rest.strip_prefix("!--") {
            rest = after.find("-->").map_or("", |i| &after[i + 3..]);
            continue;
        }
        if rest.starts_with('/') || rest.starts_with('!') {
            rest = rest.find('>').map_or("", |i| &rest[i + 1..]);
            continue;
        }
        let (tag, after) = parse_tag(rest);
        tags.push(tag);
        rest = after;
    }
    tags
}

fn parse_tag(text: &str) -> (Tag, &str) {
    let name_end = text
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(text.len());
    let name = text[..name_end].to_ascii_lowercase();
    let mut rest = &text[name_end..];
    let mut attrs = Vec::new();
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            break;
        }
        if let Some(after) = rest.strip_prefix('>') {
            rest = after;
            break;
        }
        let key_end = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '>' || c == '/')
            .unwrap_or(rest.len())
            .max(1);
        let key = rest[..key_end].to_ascii_lowercase();
        rest = &rest[key_end..];
        let value = if let Some(after) = rest.strip_prefix('=') {
            let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'');
            match quote {
                Some(q) => {
                    let end = after[1..].find(q).map_or(after.len(), |i| i + 1);
                    rest = after.get(end + 1..).unwrap_or("");
                    Some(after[1..end].to_string())
                }
                None => {
                    let end = after
                        .find(|c: char| c.is_whitespace() || c == '>')
                        .unwrap_or(after.len());
                    rest = &after[end..];
                    Some(after[..end].to_string())
                }
            }
        } else {
            None
        };
        attrs.push((key, value));
    }
    (Tag { name, attrs }, rest)
}

/// The text between the first `<open…>` and the following `</close>`, e.g. `<title>`.
pub fn element_text<'a>(html: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = html.find(open)?;
    let content_start = start + html[start..].find('>')? + 1;
    let end = content_start + html[content_start..].find(close)?;
    Some(&html[content_start..end])
}

#[test]
fn tag_scanner_reads_attributes() {
    let tags =
        start_tags("<!-- <b> --><a href=\"x\" rel='a b' hidden>t</a><img src=y alt=\"\"/><p>");
    let names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["a", "img", "p"]);
    assert_eq!(tags[0].attr("href"), Some("x"));
    assert_eq!(tags[0].attr("rel"), Some("a b"));
    assert!(tags[0].has_attr("hidden"));
    assert_eq!(tags[1].attr("src"), Some("y"));
    assert_eq!(tags[1].attr("alt"), Some(""));
}
