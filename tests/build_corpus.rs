//! The real GitHub policy corpus (many versions, very long lines) builds, and the link checker
//! finds exactly its links into GitHub's wider docs, which sit under the same `/site-policy/`
//! path prefix but are not part of this site.

mod common;

use std::path::{Path, PathBuf};

use common::{build, read_tree};

const PREFIX: &str = "/site-policy/";

/// The corpus beside the repository (`../shared/corpora/…`), as the issue names it.
fn corpus() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpora/github-privacy-statement/content");
    if path.join("site.yaml").is_file() {
        Some(path.canonicalize().unwrap())
    } else {
        println!("note: skipped, the corpus is not at {}", path.display());
        None
    }
}

/// The link's destination, from "The link `…` …".
fn destination(message: &str) -> &str {
    message
        .split('`')
        .nth(1)
        .unwrap_or_else(|| panic!("no link in: {message}"))
}

/// Every version file of every policy, as `<slug>/<date>`.
fn versions(content: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for policy in std::fs::read_dir(content.join("policies")).unwrap() {
        let policy = policy.unwrap().path();
        for file in std::fs::read_dir(&policy).unwrap() {
            let file = file.unwrap().path();
            let slug = policy.file_name().unwrap().to_string_lossy();
            found.push(format!(
                "{slug}/{}",
                file.file_stem().unwrap().to_string_lossy()
            ));
        }
    }
    found.sort();
    found
}

/// Each warning is a link under the prefix to a page of GitHub's docs: at least two segments
/// after the prefix (`/site-policy/github-terms/github-terms-of-service`).
fn assert_only_wider_docs_links(found: &[common::Diag], severity: &str, corpus: &Path) {
    assert_eq!(
        found.len(),
        44,
        "the corpus has 44 links into GitHub's wider docs"
    );
    for d in found {
        assert_eq!(
            (d.code.as_str(), d.severity.as_str()),
            ("broken-link", severity),
            "{d:?}"
        );
        let target = destination(&d.message);
        let path = target.split('#').next().unwrap();
        let rest = path
            .strip_prefix(PREFIX)
            .unwrap_or_else(|| panic!("not under {PREFIX}: {target}"));
        assert!(
            rest.split('/').filter(|s| !s.is_empty()).count() >= 2,
            "{target}"
        );
        assert!(
            Path::new(&d.file).starts_with(corpus)
                && d.file.ends_with(".md")
                && d.line > 0
                && d.column > 0,
            "{d:?}"
        );
    }
}

#[test]
fn corpus_builds_with_broken_links_as_warnings() {
    let Some(content) = corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let run = build(
        &content,
        &site,
        &[
            "--today",
            "2026-01-01",
            "--broken-links",
            "warn",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_only_wider_docs_links(&run.diagnostics(), "warning", &content);

    let files = read_tree(&site);
    let all = versions(&content);
    assert!(all.len() >= 30, "{all:?}");
    for version in &all {
        let page = format!("{version}/index.html");
        assert!(files.contains_key(&page), "no page for {version}");
    }
    for slug in ["cookies", "privacy-statement", "terms-of-service"] {
        assert!(files.contains_key(&format!("{slug}/index.html")), "{slug}");
    }
}

#[test]
fn corpus_fails_by_default_listing_every_broken_link() {
    let Some(content) = corpus() else { return };
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let run = build(
        &content,
        &site,
        &["--today", "2026-01-01", "--format", "json"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_only_wider_docs_links(&run.diagnostics(), "error", &content);
    assert!(!site.exists());
}
