//! Change history: history pages, changes pages, feeds and `versions.json`, checked on the
//! files a real build writes.
//!
//! The fixture `tests/fixtures/history/basic` has a policy `notice` with versions 2024-01-01,
//! 2025-01-01 (one word edited: "quickly" → "promptly"), a draft 2026-01-01 and an upcoming
//! 2030-01-01; and a policy `terms` with a single version saved with a byte-order mark.
//! Builds use `--today 2026-06-01`.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

const TODAY: &str = "2026-06-01";
const BASE: &str = "https://council.example/privacy/";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/history/basic/content")
}

/// Builds `content` into a fresh folder and returns it (kept alive by the `TempDir`).
fn build(content: &Path, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("site");
    let output = Command::new(env!("CARGO_BIN_EXE_privacy-site"))
        .args(["build", "--content"])
        .arg(content)
        .arg("--out")
        .arg(&out)
        .args(extra)
        .output()
        .expect("run privacy-site");
    assert!(
        output.status.success(),
        "build failed\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (dir, out)
}

fn build_fixture(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let mut args = vec!["--today", TODAY];
    args.extend_from_slice(extra);
    build(&fixture(), &args)
}

fn read(site: &Path, relative: &str) -> String {
    std::fs::read_to_string(site.join(relative))
        .unwrap_or_else(|e| panic!("cannot read {relative}: {e}"))
}

/// The (status, date) of each entry of a history page, in page order.
fn history_entries(html: &str) -> Vec<(String, String)> {
    html.split("<li class=\"history-entry history-")
        .skip(1)
        .map(|entry| {
            let status = entry.split('"').next().unwrap_or_default().to_string();
            let date = entry
                .split("datetime=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap_or_default()
                .to_string();
            (status, date)
        })
        .collect()
}

/// The visible text of every `<ins>` (or `<del>`) element, its hidden "Added: " prefix included.
fn marked_texts(html: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag} ");
    let close = format!("</{tag}>");
    html.split(&open)
        .skip(1)
        .map(|rest| {
            let inner = rest.split_once('>').map_or("", |(_, inner)| inner);
            let inner = inner.split(&close).next().unwrap_or_default();
            strip_tags(inner)
        })
        .collect()
}

fn strip_tags(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

#[test]
fn history_lists_published_versions_newest_first_and_marks_the_upcoming_one() {
    let (_dir, site) = build_fixture(&[]);
    let html = read(&site, "notice/history/index.html");
    let entries = history_entries(&html);
    let expected = [
        ("upcoming", "2030-01-01"),
        ("current", "2025-01-01"),
        ("superseded", "2024-01-01"),
    ];
    assert_eq!(
        entries,
        expected.map(|(s, d)| (s.to_string(), d.to_string()))
    );
    let upcoming = html
        .split("history-upcoming")
        .nth(1)
        .and_then(|s| s.split("</li>").next())
        .unwrap_or_default();
    assert!(
        upcoming.contains("<strong>Upcoming:</strong>"),
        "upcoming entry not marked: {upcoming}"
    );
    assert!(
        upcoming.contains("href=\"/privacy/notice/2030-01-01/changes/\""),
        "{upcoming}"
    );
    assert!(html.contains("(v2)"), "label of 2025-01-01 missing");
    assert!(
        !html.contains("2026-01-01"),
        "a draft leaked into the history page"
    );
    assert!(
        !site.join("notice/2026-01-01").exists(),
        "a draft version was published"
    );
}

#[test]
fn drafts_appear_in_history_and_get_a_changes_page_only_in_preview() {
    let (_dir, site) = build_fixture(&["--drafts"]);
    let entries = history_entries(&read(&site, "notice/history/index.html"));
    let statuses: Vec<(&str, &str)> = entries
        .iter()
        .map(|(s, d)| (s.as_str(), d.as_str()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("upcoming", "2030-01-01"),
            ("draft", "2026-01-01"),
            ("current", "2025-01-01"),
            ("superseded", "2024-01-01")
        ]
    );
    let changes = read(&site, "notice/2026-01-01/changes/index.html");
    assert!(
        marked_texts(&changes, "ins")
            .iter()
            .any(|t| t.contains("only in the draft")),
        "draft's addition not shown"
    );
    // Feeds announce published versions only, even in preview.
    let feed = feed_rs::parser::parse(read(&site, "notice/feed.xml").as_bytes())
        .expect("policy feed parses");
    assert_eq!(feed.entries.len(), 3);
    assert!(feed.entries.iter().all(|e| !e.id.contains("2026-01-01")));
}

#[test]
fn a_one_word_edit_shows_as_that_word() {
    let (_dir, site) = build_fixture(&[]);
    let html = read(&site, "notice/2025-01-01/changes/index.html");
    assert!(
        html.contains("<del datetime=\"2025-01-01\"><span class=\"visually-hidden\">Removed: </span>quickly</del>"),
        "no exact <del> for the edited word in:\n{html}"
    );
    assert!(
        html.contains("<ins datetime=\"2025-01-01\"><span class=\"visually-hidden\">Added: </span>promptly</ins>"),
        "no exact <ins> for the edited word in:\n{html}"
    );
    assert_eq!(
        marked_texts(&html, "del")
            .iter()
            .filter(|t| t.starts_with("Removed: "))
            .count(),
        1,
        "more than the one word removed"
    );
    assert!(
        html.contains("1 section changed: 1 word added and 1 word removed."),
        "summary wrong in:\n{html}"
    );
    // The summary links to each change, and each target exists.
    assert!(
        html.contains("<a href=\"#change-1\">"),
        "summary does not link to the change"
    );
    assert!(html.contains("id=\"change-1\""), "the change has no anchor");
    assert!(
        html.contains("href=\"/privacy/notice/2024-01-01/\"")
            && html.contains("href=\"/privacy/notice/2025-01-01/\"")
    );
    assert!(
        !site.join("notice/2024-01-01/changes").exists(),
        "the first version has nothing to compare against"
    );
}

#[test]
fn the_current_page_announces_the_upcoming_change_with_a_working_link() {
    let (_dir, site) = build_fixture(&[]);
    let html = read(&site, "notice/index.html");
    let notice = html
        .split("banner-notice")
        .nth(1)
        .expect("no upcoming-change notice on the current page");
    let href = notice
        .split("href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("notice has no link");
    assert_eq!(href, "/privacy/notice/2030-01-01/changes/");
    let target = site
        .join(href.trim_start_matches("/privacy/"))
        .join("index.html");
    let changes =
        std::fs::read_to_string(&target).expect("the notice links to a changes page that exists");
    assert!(
        marked_texts(&changes, "ins")
            .iter()
            .any(|t| t.contains("object to how we use it"))
    );
    assert!(
        html.contains("href=\"/privacy/notice/history/\""),
        "no link to the history page"
    );
}

#[test]
fn feeds_are_valid_atom_with_one_entry_per_published_version() {
    let (_dir, site) = build_fixture(&[]);
    let feed =
        feed_rs::parser::parse(read(&site, "feed.xml").as_bytes()).expect("site feed parses");
    let ids: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            format!("{BASE}notice/2030-01-01/"),
            format!("{BASE}notice/2025-01-01/"),
            format!("{BASE}notice/2024-01-01/"),
            format!("{BASE}terms/2023-05-01/"),
        ]
    );
    let updated: Vec<String> = feed
        .entries
        .iter()
        .map(|e| e.updated.expect("entry updated").to_rfc3339())
        .collect();
    assert_eq!(
        updated,
        [
            "2030-01-01T00:00:00+00:00",
            "2025-01-01T00:00:00+00:00",
            "2024-01-01T00:00:00+00:00",
            "2023-05-01T00:00:00+00:00"
        ]
    );
    assert_eq!(
        feed.updated.expect("feed updated").to_rfc3339(),
        "2030-01-01T00:00:00+00:00"
    );
    let titles: Vec<String> = feed
        .entries
        .iter()
        .map(|e| e.title.as_ref().expect("title").content.clone())
        .collect();
    assert!(titles[0].starts_with("Upcoming: "), "{titles:?}");
    assert!(
        titles[1..].iter().all(|t| !t.starts_with("Upcoming")),
        "{titles:?}"
    );
    let links: Vec<&str> = feed
        .entries
        .iter()
        .map(|e| e.links[0].href.as_str())
        .collect();
    assert_eq!(links[1], format!("{BASE}notice/2025-01-01/changes/"));
    assert_eq!(
        links[3],
        format!("{BASE}terms/2023-05-01/"),
        "a first version links to itself"
    );
    let summary = feed.entries[1].summary.as_ref().expect("summary");
    assert_eq!(summary.content, "We now answer requests promptly.");

    let notice = feed_rs::parser::parse(read(&site, "notice/feed.xml").as_bytes())
        .expect("policy feed parses");
    assert_eq!(notice.entries.len(), 3);
    assert_eq!(notice.id, format!("{BASE}notice/feed.xml"));
    let terms = feed_rs::parser::parse(read(&site, "terms/feed.xml").as_bytes())
        .expect("policy feed parses");
    assert_eq!(terms.entries.len(), 1);
}

#[test]
fn feeds_and_versions_json_do_not_depend_on_when_they_are_built() {
    let (_a, first) = build_fixture(&[]);
    let (_b, second) = build(&fixture(), &["--today", TODAY]);
    for file in ["feed.xml", "notice/feed.xml", "versions.json"] {
        assert_eq!(
            read(&first, file),
            read(&second, file),
            "{file} differs between two builds"
        );
    }
}

#[test]
fn versions_json_lists_every_version_with_the_hash_of_its_file() {
    let (_dir, site) = build_fixture(&[]);
    let json: serde_json::Value =
        serde_json::from_str(&read(&site, "versions.json")).expect("valid JSON");
    assert_eq!(json["schema_version"], 1);
    let policies = json["policies"].as_array().expect("policies");
    let slugs: Vec<&str> = policies
        .iter()
        .map(|p| p["slug"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(slugs, ["notice", "terms"]);
    let notice = &policies[0];
    assert_eq!(notice["title"], "Privacy notice");
    assert_eq!(notice["current"], "2025-01-01");
    let versions = notice["versions"].as_array().expect("versions");
    let rows: Vec<(&str, &str)> = versions
        .iter()
        .map(|v| {
            (
                v["date"].as_str().unwrap_or_default(),
                v["status"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("2030-01-01", "upcoming"),
            ("2025-01-01", "current"),
            ("2024-01-01", "superseded")
        ]
    );
    assert_eq!(versions[1]["label"], "v2");
    assert_eq!(versions[1]["summary"], "We now answer requests promptly.");
    assert_eq!(versions[1]["url"], format!("{BASE}notice/2025-01-01/"));
    assert_eq!(
        versions[1]["changes_url"],
        format!("{BASE}notice/2025-01-01/changes/")
    );
    assert!(versions[2]["changes_url"].is_null());
    for (policy, version) in [
        (notice, &versions[1]),
        (&policies[1], &policies[1]["versions"][0]),
    ] {
        let file = fixture()
            .join("policies")
            .join(policy["slug"].as_str().unwrap_or_default())
            .join(format!(
                "{}.md",
                version["date"].as_str().unwrap_or_default()
            ));
        let bytes = std::fs::read(&file).expect("fixture file");
        let expected: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(version["sha256"], expected, "hash of {}", file.display());
    }
    // The terms file starts with a byte-order mark: the hash is of the bytes, not the text.
    let terms_text =
        std::fs::read_to_string(fixture().join("policies/terms/2023-05-01.md")).expect("fixture");
    let text_hash: String = Sha256::digest(terms_text.trim_start_matches('\u{feff}').as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_ne!(policies[1]["versions"][0]["sha256"], text_hash);
}

/// The real GitHub privacy statement and terms: every non-first version gets a changes page,
/// and two known edits show as word-level changes.
#[test]
fn the_github_corpus_has_a_changes_page_for_every_later_version() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpora/github-privacy-statement/content");
    if !corpus.is_dir() {
        // Like tests/build_corpus.rs: the corpus lives beside the repository, not in it.
        println!("note: skipped, the corpus is not at {}", corpus.display());
        return;
    }
    let (_dir, site) = build(
        &corpus,
        &["--today", "2026-11-22", "--broken-links", "warn"],
    );
    let mut checked = 0;
    for policy in std::fs::read_dir(corpus.join("policies"))
        .expect("policies")
        .map(|e| e.expect("entry").path())
    {
        let slug = policy
            .file_name()
            .expect("slug")
            .to_string_lossy()
            .to_string();
        let mut dates: Vec<String> = std::fs::read_dir(&policy)
            .expect("versions")
            .filter_map(|e| {
                e.ok()?
                    .file_name()
                    .to_string_lossy()
                    .strip_suffix(".md")
                    .map(str::to_string)
            })
            .collect();
        dates.sort();
        assert!(
            !site.join(&slug).join(&dates[0]).join("changes").exists(),
            "{slug}: first version has a changes page"
        );
        for date in &dates[1..] {
            assert!(
                site.join(&slug)
                    .join(date)
                    .join("changes/index.html")
                    .is_file(),
                "{slug}/{date}: no changes page"
            );
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} changes pages found");

    // Terms of 12 June 2017 reworded one sentence of the "private repositories" section.
    let terms = read(&site, "terms-of-service/2017-06-12/changes/index.html");
    let (ins, del) = (marked_texts(&terms, "ins"), marked_texts(&terms, "del"));
    assert!(del.iter().any(|t| t.contains("maintenance")), "{del:?}");
    assert!(ins.iter().any(|t| t.contains("treat")), "{ins:?}");
    assert!(
        !del.iter()
            .any(|t| t.contains("You may have access to private repositories")),
        "unchanged words shown as removed"
    );

    // The statement of 19 May 2020 appended a sentence to the Privacy Shield paragraph.
    let statement = read(&site, "privacy-statement/2020-05-19/changes/index.html");
    let ins = marked_texts(&statement, "ins");
    assert!(
        ins.iter().any(|t| t.contains(
            "If our vendors or affiliates process User Personal Information on our behalf"
        )),
        "{ins:?}"
    );
    assert!(
        !marked_texts(&statement, "del")
            .iter()
            .any(|t| t.contains("Privacy Shield Principles")),
        "unchanged sentence shown as removed"
    );

    // The statement of 31 May 2022 changed only a link target; the new `#anchor` must lead to
    // the version page that has it, not to the changes page.
    let relinked = read(&site, "privacy-statement/2022-05-31/changes/index.html");
    assert!(
        relinked.contains("<a href=\"/site-policy/privacy-statement/2022-05-31/#githubs-notice-to-california-residents\""),
        "changed link target not shown or not resolved"
    );
    assert!(
        !relinked.contains("href=\"#githubs-notice"),
        "an anchor of the version page left pointing at the changes page"
    );
}
