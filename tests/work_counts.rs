//! Regression guard for performance that cannot be flaky: it counts work instead of timing it.
//!
//! A full build renders exactly one template per page the plan calls for; a rebuild with
//! nothing changed writes no file at all (every file keeps its inode and modification time,
//! so a CDN sync uploads nothing); a one-file edit rewrites only the files it affects.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const TODAY: &str = "2026-11-22";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/perf/content")
}

fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "md"));
    files
}

fn is_draft(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .any(|l| l.trim() == "draft: true")
}

/// The pages the fixture calls for, counted from its files: one per published version at its
/// dated URL, one `/<slug>/` per policy, one per page, plus the four site-wide pages.
fn expected_core_pages(content: &Path) -> usize {
    // The home page, 404, cookie settings and the quick-exit explanation.
    let mut count = 4;
    for policy in std::fs::read_dir(content.join("policies")).unwrap() {
        let published = markdown_files(&policy.unwrap().path())
            .iter()
            .filter(|p| !is_draft(p))
            .count();
        if published > 0 {
            count += published + 1;
        }
    }
    count
        + markdown_files(&content.join("pages"))
            .iter()
            .filter(|p| !is_draft(p))
            .count()
}

/// Every output file's inode and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u64, std::time::SystemTime)> {
    use std::os::unix::fs::MetadataExt;
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let meta = std::fs::metadata(&path).unwrap();
                files.insert(
                    path.strip_prefix(dir).unwrap().to_path_buf(),
                    (meta.ino(), meta.modified().unwrap()),
                );
            }
        }
    }
    files
}

/// Pages rendered by features that land separately (history, changes pages, feeds): counted
/// from the output so this guard stays exact whichever of them the binary has.
fn extra_generated_pages(files: &BTreeMap<PathBuf, (u64, std::time::SystemTime)>) -> usize {
    files
        .keys()
        .filter(|p| {
            let text = p.to_string_lossy();
            // Feeds and versions.json are serialised directly, not rendered from templates.
            text.contains("/history/") || text.contains("/changes/")
        })
        .count()
}

struct Counts {
    pages: usize,
    written: usize,
    unchanged: usize,
}

fn build(content: &Path, out: &Path) -> Counts {
    let result = Command::new(env!("CARGO_BIN_EXE_privacy-site"))
        .args(["build", "--today", TODAY, "--content"])
        .arg(content)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "build failed: {stderr}");
    let number_before = |marker: &str| -> usize {
        let end = stderr
            .find(marker)
            .unwrap_or_else(|| panic!("no `{marker}` in: {stderr}"));
        let digits: String = stderr[..end]
            .chars()
            .rev()
            .skip_while(|c| *c == ' ')
            .take_while(char::is_ascii_digit)
            .collect();
        digits.chars().rev().collect::<String>().parse().unwrap()
    };
    Counts {
        pages: number_before(" pages into"),
        written: number_before(" files written"),
        unchanged: number_before(" unchanged"),
    }
}

#[test]
fn a_build_renders_each_page_once_and_a_rebuild_with_no_change_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    common::copy_tree(&fixture(), &content);
    let out = dir.path().join("site");

    let first = build(&content, &out);
    let files = snapshot(&out);
    let generated_files = files.len() - 1; // all but the marker
    assert_eq!(
        first.written, generated_files,
        "every file of a fresh build is written once"
    );
    assert_eq!(first.unchanged, 0);
    assert_eq!(
        first.pages,
        expected_core_pages(&content) + extra_generated_pages(&files),
        "one template render per page"
    );
    assert!(
        !files
            .keys()
            .any(|p| p.starts_with("privacy-notice/2027-06-01")),
        "the draft is not published"
    );

    let second = build(&content, &out);
    assert_eq!(
        (second.written, second.unchanged),
        (0, generated_files),
        "a no-change rebuild writes nothing"
    );
    assert_eq!(second.pages, first.pages);
    assert_eq!(
        snapshot(&out),
        files,
        "no file has a new inode or modification time"
    );

    // One edited version: only the files that show it are rewritten, and exactly those change.
    let edited = content.join("policies/cookie-policy/2024-06-01.md");
    let text = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(
        &edited,
        text.replace("sets no cookies", "sets no cookies at all"),
    )
    .unwrap();
    let third = build(&content, &out);
    let after = snapshot(&out);
    let rewritten = after
        .iter()
        .filter(|(path, stamp)| files.get(*path) != Some(stamp))
        .count();
    assert!(
        third.written >= 2,
        "the dated and current pages of the edited version: {}",
        third.written
    );
    assert!(
        third.written < generated_files / 2,
        "an edit to one version rewrote {} of {generated_files} files",
        third.written
    );
    assert_eq!(
        rewritten, third.written,
        "the files reported written are the files that changed"
    );
    assert_eq!(third.written + third.unchanged, generated_files);
}
