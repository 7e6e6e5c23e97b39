//! Rebuilds that reuse the previous build's work must equal a full build, file for file.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use privacy_site::build::{self, BuildOptions};
use privacy_site::diagnostics::Severity;
use privacy_site::output::MemoryOutput;
use privacy_site::render_cache::RenderCache;
use privacy_site::site::Drafts;

/// One change to the site, as an editor would make it.
type Edit<'a> = Box<dyn Fn() + 'a>;

fn options(content: &Path) -> BuildOptions {
    BuildOptions {
        content_dir: content.to_path_buf(),
        today: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        drafts: Drafts::Show,
        live_reload_url: Some("/__privacy-site/live-reload.js".into()),
        broken_links: Severity::Error,
    }
}

fn cached(content: &Path, cache: &RenderCache) -> BTreeMap<String, Arc<Vec<u8>>> {
    let output = MemoryOutput::new();
    build::build_with_cache(&options(content), &output, cache).unwrap();
    output.into_files()
}

fn full(content: &Path) -> BTreeMap<String, Arc<Vec<u8>>> {
    let output = MemoryOutput::new();
    build::build(&options(content), &output).unwrap();
    output.into_files()
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn assert_same(
    incremental: &BTreeMap<String, Arc<Vec<u8>>>,
    fresh: &BTreeMap<String, Arc<Vec<u8>>>,
    step: &str,
) {
    assert_eq!(
        incremental.keys().collect::<Vec<_>>(),
        fresh.keys().collect::<Vec<_>>(),
        "{step}: the same files"
    );
    for (path, bytes) in fresh {
        assert!(
            incremental[path] == *bytes,
            "{step}: {path} differs from a full build"
        );
    }
}

/// A temporary copy of the serve fixture: the folder (removed when dropped) and its content.
fn fixture_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    common::copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/serve/content"),
        &content,
    );
    (dir, content)
}

#[test]
fn every_kind_of_edit_gives_what_a_full_build_gives() {
    let (dir, content) = fixture_copy();
    let cache = RenderCache::default();
    let first = cached(&content, &cache);
    assert_same(&first, &full(&content), "first build");

    let version = content.join("policies/webchat-disclaimer/2024-05-20.md");
    let template_dir = dir.path().join("themes/default/templates");
    let steps: Vec<(&str, Edit)> = vec![
        (
            "edit a version's body",
            Box::new(|| {
                edit(
                    &version,
                    "Our webchat is not monitored",
                    "Our webchat is never monitored",
                )
            }),
        ),
        (
            "edit a version's title",
            Box::new(|| {
                edit(
                    &version,
                    "title: Webchat disclaimer",
                    "title: Webchat warning",
                )
            }),
        ),
        (
            "edit a page",
            Box::new(|| {
                edit(
                    &content.join("pages/accessibility.md"),
                    "\n\n",
                    "\n\nA new paragraph.\n\n",
                )
            }),
        ),
        (
            "add a version",
            Box::new(|| {
                std::fs::write(content.join("policies/webchat-disclaimer/2025-02-01.md"), "---\ntitle: Webchat warning\nsummary: Shorter.\n---\n\n## Short\n\nCall 999.\n")
                    .unwrap()
            }),
        ),
        (
            "publish a draft",
            Box::new(|| {
                edit(
                    &content.join("policies/webchat-disclaimer/2026-12-01.md"),
                    "draft: true",
                    "draft: false",
                )
            }),
        ),
        (
            "remove a version",
            Box::new(|| {
                std::fs::remove_file(content.join("policies/webchat-disclaimer/2025-02-01.md"))
                    .unwrap()
            }),
        ),
        (
            "override a template",
            Box::new(|| {
                std::fs::create_dir_all(&template_dir).unwrap();
                let base = std::fs::read_to_string(
                    Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("themes/default/templates/base.html"),
                )
                .unwrap();
                std::fs::write(
                    template_dir.join("base.html"),
                    base.replacen("<body", "<body class=\"overridden\"", 1),
                )
                .unwrap();
            }),
        ),
        (
            "change a static file",
            Box::new(|| {
                std::fs::write(
                    content.join("static/logo.svg"),
                    "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
                )
                .unwrap()
            }),
        ),
        (
            "change site.yaml",
            Box::new(|| edit(&content.join("site.yaml"), "title: ", "title: The ")),
        ),
    ];
    for (step, apply) in steps {
        apply();
        let incremental = cached(&content, &cache);
        let reuse = cache.last_reuse();
        assert_same(&incremental, &full(&content), step);
        match step {
            "change a static file" => {
                assert_eq!(
                    (reuse.pages, reuse.documents),
                    (reuse.pages_total, reuse.documents_total),
                    "{step}: nothing renders again: {reuse:?}"
                );
            }
            "edit a version's body" | "edit a page" => {
                assert!(
                    reuse.pages > 0 && reuse.pages < reuse.pages_total,
                    "{step}: some pages reused, not all: {reuse:?}"
                );
                assert_eq!(
                    reuse.documents + 1,
                    reuse.documents_total,
                    "{step}: only the edited document renders again: {reuse:?}"
                );
                // Only the edited policy is built again; a page belongs to no policy.
                let rebuilt = if step == "edit a page" { 0 } else { 1 };
                assert!(
                    reuse.policies_total > 1,
                    "{step}: the fixture has several policies: {reuse:?}"
                );
                assert_eq!(
                    reuse.policies + rebuilt,
                    reuse.policies_total,
                    "{step}: the other policies are reused whole: {reuse:?}"
                );
                // Inside the rebuilt policy the edited version is the first, so only the
                // comparison of the version after it runs again.
                assert_eq!(
                    (reuse.diffs, reuse.diffs_total),
                    (0, rebuilt),
                    "{step}: only the comparison with the edited version runs again: {reuse:?}"
                );
            }
            "override a template" | "change site.yaml" => {
                assert_eq!(reuse.pages, 0, "{step}: every page renders again");
                assert_eq!(reuse.policies, 0, "{step}: every policy is built again");
                assert!(
                    reuse.diffs_total > 0 && reuse.diffs == reuse.diffs_total,
                    "{step}: no comparison depends on templates or the title: {reuse:?}"
                );
            }
            _ => {}
        }
    }
    assert!(
        cached(&content, &cache)
            .values()
            .any(|b| String::from_utf8_lossy(b).contains("class=\"overridden\""))
    );
}

/// Broken-link results are reused while neither the linking policy nor any link target
/// changes; renaming a heading another policy links to must still break the build, exactly as
/// a full build does, and putting it back must mend it.
#[test]
fn a_heading_renamed_elsewhere_breaks_links_in_unchanged_policies() {
    let (_dir, content) = fixture_copy();
    let cache = RenderCache::default();
    cached(&content, &cache);
    let shown = content.join("policies/privacy-notice/2025-06-16.md");
    let messages = |result: Result<build::BuildReport, build::BuildError>| match result {
        Err(build::BuildError::Content(problems)) => problems
            .sorted()
            .into_iter()
            .map(|d| {
                format!(
                    "{}:{} {}",
                    d.location.file.display(),
                    d.location.line,
                    d.message
                )
            })
            .collect::<Vec<_>>(),
        other => panic!("expected broken links, got {other:?}"),
    };

    edit(&shown, "## Your rights", "## What you can ask us");
    let incremental = messages(build::build_with_cache(
        &options(&content),
        &MemoryOutput::new(),
        &cache,
    ));
    let fresh = messages(build::build(&options(&content), &MemoryOutput::new()));
    assert_eq!(incremental, fresh);
    assert_eq!(
        incremental.len(),
        2,
        "both cookie-policy versions link there"
    );
    assert!(
        incremental
            .iter()
            .all(|m| m.contains("cookie-policy") && m.contains("your-rights"))
    );

    edit(&shown, "## What you can ask us", "## Your rights");
    let mended = cached(&content, &cache);
    assert_same(&mended, &full(&content), "heading put back");
}

/// `serve` splices the site feed, `versions.json` and the sitemap from its previous build's
/// files, making only the pieces of the policies that changed; each splice must give the
/// bytes a fresh build gives.
#[test]
fn site_wide_files_spliced_after_an_edit_equal_a_fresh_build() {
    let (_dir, content) = fixture_copy();
    let cache = RenderCache::default();
    cached(&content, &cache);
    let version = content.join("policies/webchat-disclaimer/2024-05-20.md");
    let site_wide = ["feed.xml", "versions.json", "sitemap.xml"];
    let steps: Vec<(&str, Edit)> = vec![
        (
            "edit a version's body (its SHA-256 in versions.json)",
            Box::new(|| edit(&version, "not monitored", "never monitored")),
        ),
        (
            "edit a version's title (its feed entry)",
            Box::new(|| {
                edit(
                    &version,
                    "title: Webchat disclaimer",
                    "title: Webchat warning",
                )
            }),
        ),
        (
            "add a version",
            Box::new(|| {
                std::fs::write(
                    content.join("policies/webchat-disclaimer/2025-02-01.md"),
                    "---\ntitle: Webchat warning\nsummary: Shorter.\n---\n\n## Short\n\nCall 999.\n",
                )
                .unwrap()
            }),
        ),
        (
            "remove a version",
            Box::new(|| {
                std::fs::remove_file(content.join("policies/webchat-disclaimer/2025-02-01.md"))
                    .unwrap()
            }),
        ),
    ];
    for (step, apply) in steps {
        let before = cached(&content, &cache);
        apply();
        let incremental = cached(&content, &cache);
        let reuse = cache.last_reuse();
        let fresh = full(&content);
        for name in site_wide {
            assert!(
                incremental[name] == fresh[name],
                "{step}: {name} differs from a full build"
            );
        }
        assert!(
            site_wide
                .iter()
                .any(|name| before[*name] != incremental[*name]),
            "{step}: the edit shows in a site-wide file"
        );
        assert!(
            reuse.site_pieces > 0 && reuse.site_pieces < reuse.site_pieces_total,
            "{step}: most pieces are copied from the last build, not made: {reuse:?}"
        );
    }
}

/// The home page is keyed by each policy's summary, kept between builds: it must follow a
/// change to a summary, and stay as it was (not render again) when only a body changes.
#[test]
fn the_home_page_follows_summaries_and_is_reused_when_only_a_body_changes() {
    let (_dir, content) = fixture_copy();
    let cache = RenderCache::default();
    let first = cached(&content, &cache);
    let version = content.join("policies/webchat-disclaimer/2024-05-20.md");

    edit(&version, "not monitored", "never monitored");
    let body_edited = cached(&content, &cache);
    assert_same(&body_edited, &full(&content), "edit a body");
    assert!(
        Arc::ptr_eq(&first["index.html"], &body_edited["index.html"]),
        "a body edit leaves the home page as it was rendered"
    );

    edit(
        &version,
        "title: Webchat disclaimer",
        "title: Webchat warning",
    );
    let retitled = cached(&content, &cache);
    assert_same(&retitled, &full(&content), "edit a title");
    assert!(
        String::from_utf8_lossy(&retitled["index.html"]).contains("Webchat warning"),
        "the home page shows the new title"
    );

    // A draft published becomes the upcoming version the home page lists.
    edit(
        &content.join("policies/webchat-disclaimer/2026-12-01.md"),
        "draft: true",
        "draft: false",
    );
    let published = cached(&content, &cache);
    assert_same(&published, &full(&content), "publish a draft");
    assert!(published["index.html"] != retitled["index.html"]);
}
