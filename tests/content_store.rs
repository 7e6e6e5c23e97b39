//! `ContentStore::apply` (serve's incremental reload) must give exactly what a fresh
//! `content::load_with(.., Texts::Keep)` gives for the folder as it now is: the same content, or the same problems.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use privacy_site::content::{self, ContentStore, Texts};

/// A copy of the example site, opened through a symlink so that the store sees the folder
/// under one name while the watcher reports paths under its real (canonical) name.
struct Site {
    _dir: tempfile::TempDir,
    /// The name the store was opened with (the symlink).
    named: PathBuf,
    /// The real folder, where edits happen and which the watcher reports.
    real: PathBuf,
    store: ContentStore,
}

impl Site {
    fn new() -> Site {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        common::copy_tree(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
            &real,
        );
        let real = real.canonicalize().unwrap();
        let named = dir.path().join("named");
        std::os::unix::fs::symlink(&real, &named).unwrap();
        let store = ContentStore::open(&named);
        Site {
            _dir: dir,
            named,
            real,
            store,
        }
    }

    /// The real path of `relative`, as the watcher reports it.
    fn path(&self, relative: &str) -> PathBuf {
        self.real.join(relative)
    }

    fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn edit(&self, relative: &str, from: &str, to: &str) {
        let text = fs::read_to_string(self.path(relative)).unwrap();
        assert!(text.contains(from), "{relative} lacks {from:?}");
        self.write(relative, &text.replacen(from, to, 1));
    }

    /// Applies `changed` (relative paths, reported under the real folder) and checks the
    /// answer against a fresh full load. Returns the problem codes, empty when it loaded.
    fn apply(&mut self, step: &str, changed: &[&str]) -> Vec<&'static str> {
        let paths: Vec<PathBuf> = changed.iter().map(|p| self.path(p)).collect();
        let incremental = describe(self.store.apply(&paths));
        let fresh = describe(
            content::load_with(&self.named, Texts::Keep)
                .as_ref()
                .map_err(Clone::clone),
        );
        assert_eq!(incremental.0, fresh.0, "{step}: differs from a full load");
        fresh.1
    }
}

/// The whole answer as text (Content is `Debug`), and the problem codes.
fn describe(
    result: Result<&content::Content, privacy_site::diagnostics::Diagnostics>,
) -> (String, Vec<&'static str>) {
    let codes = match &result {
        Ok(_) => Vec::new(),
        Err(problems) => problems.iter().map(|d| d.code).collect(),
    };
    (format!("{result:?}"), codes)
}

const VERSION: &str = "---\ntitle: Website privacy notice\nsummary: Shorter retention.\n---\n\nWe keep logs for 7 days.\n";

#[test]
fn a_sequence_of_edits_always_matches_a_full_load() {
    let mut site = Site::new();
    assert!(site.store.result().is_ok(), "the example site loads");
    let notice = "policies/privacy-notice/2025-06-16.md";

    site.edit(
        notice,
        "## About this notice",
        "## About this privacy notice",
    );
    assert_eq!(site.apply("modify a body", &[notice]), Vec::<&str>::new());
    let loaded = site.store.result().unwrap();
    let version = &loaded
        .policies
        .iter()
        .find(|p| p.slug == "privacy-notice")
        .unwrap()
        .versions[1];
    assert!(
        version
            .source
            .kept_body()
            .is_some_and(|b| b.contains("About this privacy notice"))
    );

    site.edit(
        notice,
        "title: Website privacy notice",
        "title: Our privacy notice",
    );
    assert!(site.apply("modify front matter", &[notice]).is_empty());

    let added = "policies/privacy-notice/2028-02-01.md";
    site.write(added, VERSION);
    assert!(site.apply("add a version", &[added]).is_empty());
    assert_eq!(site.store.result().unwrap().policies[1].versions.len(), 4);

    fs::remove_file(site.path(added)).unwrap();
    assert!(site.apply("delete a version", &[added]).is_empty());

    // A folder moved in arrives as one event for the folder alone.
    site.write(
        "policies/data-sharing/2025-01-01.md",
        "---\ntitle: Data sharing\n---\n\nText.\n",
    );
    assert!(
        site.apply("add a policy", &["policies/data-sharing"])
            .is_empty()
    );
    assert!(
        site.store
            .result()
            .unwrap()
            .policies
            .iter()
            .any(|p| p.slug == "data-sharing")
    );

    let renamed = "policies/privacy-notice/2025-06-17.md";
    fs::rename(site.path(notice), site.path(renamed)).unwrap();
    assert!(
        site.apply("rename a version", &[notice, renamed])
            .is_empty()
    );

    fs::rename(
        site.path("policies/data-sharing"),
        site.path("policies/sharing"),
    )
    .unwrap();
    assert!(
        site.apply(
            "rename a policy",
            &["policies/data-sharing", "policies/sharing"]
        )
        .is_empty()
    );
    assert!(
        !site
            .store
            .result()
            .unwrap()
            .policies
            .iter()
            .any(|p| p.slug == "data-sharing")
    );

    site.write("static/img/map.svg", "<svg/>");
    assert!(
        site.apply("add a static folder", &["static/img"])
            .is_empty()
    );
    assert_eq!(site.store.result().unwrap().static_files.len(), 2);
    fs::remove_file(site.path("static/logo.svg")).unwrap();
    assert!(
        site.apply("remove a static file", &["static/logo.svg"])
            .is_empty()
    );

    site.edit(renamed, "title: Our privacy notice", "title: [unclosed");
    let codes = site.apply("break the YAML", &[renamed]);
    assert_eq!(codes.len(), 1, "{codes:?}");
    site.edit(renamed, "title: [unclosed", "title: Fixed");
    assert!(site.apply("fix the YAML", &[renamed]).is_empty());

    site.edit(
        "site.yaml",
        "title: Northmoor Constabulary",
        "title: Northmoor Police",
    );
    assert!(site.apply("edit site.yaml", &["site.yaml"]).is_empty());
    assert_eq!(
        site.store.result().unwrap().config.title,
        "Northmoor Police"
    );
    site.edit(
        "site.yaml",
        "title: Northmoor Police",
        "titel: Northmoor Police",
    );
    assert!(
        site.apply("break site.yaml", &["site.yaml"])
            .contains(&"unknown-key")
    );
    site.edit(
        "site.yaml",
        "titel: Northmoor Police",
        "title: Northmoor Police",
    );
    assert!(site.apply("fix site.yaml", &["site.yaml"]).is_empty());
}

#[test]
fn errors_are_those_of_a_full_load_and_clear_when_fixed() {
    let mut site = Site::new();
    let cookie_new = "policies/cookie-policy/2025-09-01.md";
    let cookie_old = "policies/cookie-policy/2024-03-01.md";

    // Several problems at once: all reported, as a full load reports them.
    site.write("policies/stray.md", "x");
    site.write("policies/cookie-policy/notes.txt", "x");
    site.write("policies/cookie-policy/2025-02-30.md", VERSION);
    site.write("policies/cookie-policy/2024-03-01.markdown", VERSION);
    site.edit(cookie_new, "summary:", "sumary:");
    let codes = site.apply(
        "several errors",
        &[
            "policies/stray.md",
            "policies/cookie-policy/notes.txt",
            "policies/cookie-policy/2025-02-30.md",
            "policies/cookie-policy/2024-03-01.markdown",
            cookie_new,
        ],
    );
    for code in ["stray-file", "bad-date", "duplicate-date", "unknown-key"] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
    for file in [
        "policies/stray.md",
        "policies/cookie-policy/notes.txt",
        "policies/cookie-policy/2025-02-30.md",
        "policies/cookie-policy/2024-03-01.markdown",
    ] {
        fs::remove_file(site.path(file)).unwrap();
    }
    site.edit(cookie_new, "sumary:", "summary:");
    let all = [
        "policies/stray.md",
        "policies/cookie-policy/notes.txt",
        "policies/cookie-policy/2025-02-30.md",
        "policies/cookie-policy/2024-03-01.markdown",
        cookie_new,
    ];
    assert!(site.apply("all fixed", &all).is_empty());

    // A later version without a summary, then the policy emptied, then restored.
    site.edit(cookie_new, "summary:", "label: v2\nnote:");
    site.edit(cookie_new, "note:", "# note:");
    assert_eq!(
        site.apply("summary removed", &[cookie_new]),
        ["missing-summary"]
    );
    let saved_new = fs::read(site.path(cookie_new)).unwrap();
    let saved_old = fs::read(site.path(cookie_old)).unwrap();
    fs::remove_file(site.path(cookie_new)).unwrap();
    fs::remove_file(site.path(cookie_old)).unwrap();
    assert_eq!(
        site.apply("policy emptied", &[cookie_new, cookie_old]),
        ["empty-policy"]
    );
    fs::write(site.path(cookie_old), saved_old).unwrap();
    fs::write(site.path(cookie_new), saved_new).unwrap();
    assert_eq!(
        site.apply("versions back", &[cookie_old, cookie_new]),
        ["missing-summary"]
    );

    // Pages: a page whose name clashes with a policy, one without a title, then both gone.
    site.write("pages/cookie-policy.md", "---\ntitle: Clash\n---\n");
    site.write("pages/help.md", "---\ndraft: true\n---\n");
    let codes = site.apply("bad pages", &["pages/cookie-policy.md", "pages/help.md"]);
    assert!(
        codes.contains(&"slug-clash") && codes.contains(&"missing-title"),
        "{codes:?}"
    );
    fs::remove_dir_all(site.path("pages")).unwrap();
    assert_eq!(
        site.apply("pages folder removed", &["pages"]),
        ["missing-summary"]
    );
}

#[test]
fn paths_that_change_nothing_or_everything() {
    let mut site = Site::new();
    let before = describe(site.store.result().map_err(Clone::clone)).0;

    // Editor droppings, unknown top-level files and theme files are not content.
    site.write("policies/privacy-notice/.2025-06-16.md.swp", "junk");
    site.write("README.txt", "notes");
    let outside = site
        .real
        .parent()
        .unwrap()
        .join("themes/x/templates/base.html");
    let paths = [
        site.path("policies/privacy-notice/.2025-06-16.md.swp"),
        site.path("README.txt"),
        outside,
    ];
    assert_eq!(describe(site.store.apply(&paths)).0, before);
    assert_eq!(describe(site.store.apply(&[])).0, before);

    // Paths under the name the store was opened with work as well as the real ones.
    site.edit(
        "site.yaml",
        "title: Northmoor Constabulary",
        "title: Northmoor Police",
    );
    let named = site.named.join("site.yaml");
    assert_eq!(
        site.store.apply(&[named]).unwrap().config.title,
        "Northmoor Police"
    );

    // Changes the store is not told about are picked up when it is told "everything":
    // the content folder itself, or a full reload.
    site.write(
        "policies/new-policy/2025-01-01.md",
        "---\ntitle: New\n---\n",
    );
    let root = site.real.clone();
    let reloaded = describe(site.store.apply(&[root])).0;
    let fresh = describe(
        content::load_with(&site.named, Texts::Keep)
            .as_ref()
            .map_err(Clone::clone),
    )
    .0;
    assert_eq!(reloaded, fresh);
    assert!(reloaded.contains("new-policy"));
    fs::remove_dir_all(site.path("policies/new-policy")).unwrap();
    assert!(!describe(site.store.reload()).0.contains("new-policy"));
}
