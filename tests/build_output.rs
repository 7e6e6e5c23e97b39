//! The valid fixture site, built by the real binary: URL layout, sitemap and headers, assets,
//! banners, the choice of current version around the build date, and what every page must have.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use common::{built, element_text, fixture, main_of, read_tree, run_in, start_tags, text};
use sha2::{Digest, Sha256};

use common::{ORIGIN, PREFIX};

#[test]
fn url_layout() {
    let files = built(&["--today", "2025-01-15"]);
    for path in [
        "index.html",
        "privacy-notice/index.html",
        "privacy-notice/2023-01-01/index.html",
        "privacy-notice/2024-06-01/index.html",
        "privacy-notice/2025-03-01/index.html",
        "cookie-policy/index.html",
        "cookie-policy/2024-01-01/index.html",
        "accessibility/index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "_headers",
    ] {
        assert!(files.contains_key(path), "{path} missing");
    }
    // Static files are copied as they are.
    let content = fixture("valid").join("content/static");
    assert_eq!(
        files["images/logo.svg"],
        std::fs::read(content.join("images/logo.svg")).unwrap()
    );
    assert_eq!(
        files["notes.txt"],
        std::fs::read(content.join("notes.txt")).unwrap()
    );
    // Drafts are left out of a production build, everywhere.
    assert!(
        !files
            .keys()
            .any(|p| p.starts_with("privacy-notice/2025-05-01") || p.starts_with("coming-soon")),
        "{:?}",
        files.keys()
    );
    for (path, bytes) in &files {
        let body = String::from_utf8_lossy(bytes);
        assert!(
            !body.contains("DRAFT-ONLY-TEXT")
                && !body.contains("DRAFT-PAGE-TEXT")
                && !body.contains("2025-05-01"),
            "draft leaked into {path}"
        );
    }
}

#[test]
fn sitemap_robots_and_headers() {
    let files = built(&["--today", "2025-01-15"]);
    let sitemap = text(&files, "sitemap.xml");
    let locs: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .map(|s| s.split("</loc>").next().unwrap())
        .collect();
    assert!(!locs.is_empty());
    for loc in &locs {
        assert!(
            loc.starts_with(&format!("{ORIGIN}{PREFIX}")),
            "sitemap URL not absolute under base_url: {loc}"
        );
    }
    // Every published HTML page but the 404 page is listed.
    for path in files
        .keys()
        .filter(|p| p.ends_with(".html") && *p != "404.html")
    {
        let url = format!("{ORIGIN}{PREFIX}{}", path.trim_end_matches("index.html"));
        assert!(locs.contains(&url.as_str()), "{url} not in the sitemap");
    }
    assert!(
        sitemap.contains(&format!(
            "<loc>{ORIGIN}{PREFIX}privacy-notice/</loc><lastmod>2024-06-01</lastmod>"
        )),
        "{sitemap}"
    );

    let robots = text(&files, "robots.txt");
    assert!(
        robots
            .lines()
            .any(|l| l == format!("Sitemap: {ORIGIN}{PREFIX}sitemap.xml")),
        "{robots}"
    );

    let headers = text(&files, "_headers");
    let csp = headers
        .lines()
        .find_map(|l| l.trim().strip_prefix("Content-Security-Policy: "))
        .expect("a CSP header");
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert!(headers.starts_with(&format!("{PREFIX}*\n")), "{headers}");
}

#[test]
fn assets_are_fingerprinted_by_content_and_referenced_by_pages() {
    let files = built(&["--today", "2025-01-15"]);
    let assets: Vec<&String> = files.keys().filter(|p| p.starts_with("assets/")).collect();
    assert!(assets.len() >= 3, "{assets:?}");
    for path in &assets {
        let name = path.rsplit('/').next().unwrap();
        let parts: Vec<&str> = name.split('.').collect();
        assert!(parts.len() >= 3, "{path} has no fingerprint");
        let fingerprint = parts[parts.len() - 2];
        let expected: String = Sha256::digest(&files[*path])
            .iter()
            .take(5)
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            fingerprint, expected,
            "{path}: the name's hash is not the content's"
        );
    }
    let index = text(&files, "index.html");
    let referenced: Vec<String> = start_tags(index)
        .iter()
        .filter_map(|t| t.attr("href").or(t.attr("src")))
        .filter_map(|u| u.strip_prefix(PREFIX))
        .filter(|u| u.starts_with("assets/"))
        .map(String::from)
        .collect();
    assert!(
        referenced
            .iter()
            .any(|u| u.starts_with("assets/css/site.") && u.ends_with(".css")),
        "{referenced:?}"
    );
    assert!(
        referenced
            .iter()
            .any(|u| u.starts_with("assets/js/site.") && u.ends_with(".js")),
        "{referenced:?}"
    );
    for asset in &referenced {
        assert!(
            files.contains_key(asset),
            "page refers to {asset}, which was not built"
        );
    }
}

/// What every HTML page must have, whatever it shows.
fn check_page(path: &str, html: &str, files: &BTreeMap<String, Vec<u8>>) {
    let tags = start_tags(html);
    let named = |name: &'static str| tags.iter().filter(move |t| t.name == name);
    let html_tag = named("html")
        .next()
        .unwrap_or_else(|| panic!("{path}: no <html>"));
    assert_eq!(html_tag.attr("lang"), Some("cy-GB"), "{path}");
    assert!(
        named("a").any(|a| a.attr("href") == Some("#main-content"))
            && named("main").any(|m| m.attr("id") == Some("main-content")),
        "{path}: no skip link to the main content"
    );
    for landmark in ["header", "nav", "footer"] {
        assert!(named(landmark).count() >= 1, "{path}: no <{landmark}>");
    }
    assert_eq!(named("main").count(), 1, "{path}: one <main>");
    assert_eq!(named("h1").count(), 1, "{path}: exactly one <h1>");
    let mut ids = HashSet::new();
    for id in tags.iter().filter_map(|t| t.attr("id")) {
        assert!(
            ids.insert(id),
            "{path}: id {id} is used twice, so links to it are ambiguous"
        );
    }
    assert!(
        named("meta").any(|m| m.attr("name") == Some("viewport")
            && m.attr("content")
                .is_some_and(|c| c.contains("width=device-width"))),
        "{path}: no viewport meta"
    );
    let canonical = named("link")
        .find(|l| l.attr("rel") == Some("canonical"))
        .and_then(|l| l.attr("href"));
    let own_url = format!("{ORIGIN}{PREFIX}{}", path.trim_end_matches("index.html"));
    assert_eq!(canonical, Some(own_url.as_str()), "{path}: canonical URL");

    // Works under the strict CSP: no inline script or style, nothing from another origin.
    for script in named("script") {
        assert!(
            script.attr("src").is_some_and(|s| s.starts_with(PREFIX)),
            "{path}: inline or foreign script {script:?}"
        );
    }
    assert_eq!(named("style").count(), 0, "{path}: <style> element");
    for tag in &tags {
        assert!(!tag.has_attr("style"), "{path}: style attribute on {tag:?}");
        assert!(
            !tag.attrs.iter().any(|(n, _)| n.starts_with("on")),
            "{path}: event handler on {tag:?}"
        );
        let loads = matches!(
            tag.name.as_str(),
            "link"
                | "script"
                | "img"
                | "iframe"
                | "source"
                | "video"
                | "audio"
                | "object"
                | "embed"
        );
        if loads && tag.attr("rel") != Some("canonical") {
            for url in [tag.attr("src"), tag.attr("href")].into_iter().flatten() {
                assert!(
                    !url.starts_with("http") && !url.starts_with("//"),
                    "{path}: loads {url} from another origin"
                );
            }
        }
    }
    // Links to other origins keep the referrer and `window.opener` to themselves (`noreferrer`
    // implies `noopener` in HTML); every stylesheet is ours and exists.
    for a in named("a") {
        let href = a.attr("href").unwrap_or("");
        if (href.starts_with("http") || href.starts_with("//")) && !href.starts_with(ORIGIN) {
            assert!(
                a.attr("rel")
                    .is_some_and(|r| r.split(' ').any(|t| t == "noreferrer")),
                "{path}: {a:?}"
            );
        }
    }
    let stylesheets: Vec<_> = named("link")
        .filter(|l| l.attr("rel") == Some("stylesheet"))
        .collect();
    assert!(
        stylesheets.iter().any(|l| l.attr("media") == Some("print")),
        "{path}: no print stylesheet"
    );
    for sheet in stylesheets {
        let href = sheet.attr("href").unwrap();
        assert!(
            files.contains_key(href.strip_prefix(PREFIX).unwrap_or(href)),
            "{path}: stylesheet {href} not built"
        );
    }
}

#[test]
fn every_page_is_accessible_self_contained_and_uniquely_titled() {
    for extra in [
        &["--today", "2025-01-15"][..],
        &["--today", "2025-01-15", "--drafts"][..],
    ] {
        let files = built(extra);
        let mut titles = HashSet::new();
        let pages: Vec<&String> = files.keys().filter(|p| p.ends_with(".html")).collect();
        assert!(pages.len() >= 9, "{pages:?}");
        for path in pages {
            let html = text(&files, path);
            check_page(path, html, &files);
            let title = element_text(html, "<title", "</title>")
                .unwrap_or_else(|| panic!("{path}: no <title>"));
            assert!(
                title.ends_with(" - Fenwick &amp; District &quot;Test&quot; Police"),
                "{path}: {title}"
            );
            assert!(
                titles.insert(title.to_string()),
                "{path}: <title> {title} is used twice"
            );
        }
    }
}

#[test]
fn banners_for_older_upcoming_and_draft_versions() {
    let files = built(&["--today", "2025-01-15"]);
    let older = main_of(text(&files, "privacy-notice/2023-01-01/index.html"));
    assert!(older.contains("banner-old"), "{older}");
    assert!(older.contains("This is an older version."));
    assert!(
        older.contains(&format!(
            "<a href=\"{PREFIX}privacy-notice/\">Read the current version of Privacy notice</a>"
        )),
        "{older}"
    );
    assert!(
        older.contains("until <time datetime=\"2024-06-01\">1 June 2024</time>"),
        "{older}"
    );

    let upcoming = main_of(text(&files, "privacy-notice/2025-03-01/index.html"));
    assert!(upcoming.contains("banner-upcoming"), "{upcoming}");
    assert!(
        upcoming.contains("It takes effect on <time datetime=\"2025-03-01\">1 March 2025</time>"),
        "{upcoming}"
    );

    let current_dated = main_of(text(&files, "privacy-notice/2024-06-01/index.html"));
    let current = main_of(text(&files, "privacy-notice/index.html"));
    for page in [current, current_dated] {
        assert!(
            !page.contains("banner-old")
                && !page.contains("banner-upcoming")
                && !page.contains("banner-draft"),
            "{page}"
        );
        // The current version announces the upcoming change and when it happens.
        assert!(
            page.contains(
                "This policy changes on <time datetime=\"2025-03-01\">1 March 2025</time>"
            ),
            "{page}"
        );
    }
    let home = main_of(text(&files, "index.html"));
    assert!(
        home.contains("Changes on <time datetime=\"2025-03-01\">1 March 2025</time>"),
        "{home}"
    );
    assert!(
        home.contains(&format!("href=\"{PREFIX}privacy-notice/2025-03-01/\"")),
        "{home}"
    );

    // With --drafts the draft is published, marked as such, and never becomes current.
    let preview = built(&["--today", "2025-12-31", "--drafts"]);
    let draft = main_of(text(&preview, "privacy-notice/2025-05-01/index.html"));
    assert!(
        draft.contains("banner-draft") && draft.contains("DRAFT-ONLY-TEXT"),
        "{draft}"
    );
    let shown = main_of(text(&preview, "privacy-notice/index.html"));
    assert!(
        shown.contains("Last updated <time datetime=\"2025-03-01\">")
            && !shown.contains("DRAFT-ONLY-TEXT"),
        "{shown}"
    );
    let page = main_of(text(&preview, "coming-soon/index.html"));
    assert!(
        page.contains("banner-draft") && page.contains("DRAFT-PAGE-TEXT"),
        "{page}"
    );
    assert!(
        !text(&preview, "sitemap.xml").contains("2025-05-01"),
        "drafts stay out of the sitemap"
    );
}

/// The date of the version `/privacy-notice/` shows as current.
fn current_date(files: &BTreeMap<String, Vec<u8>>) -> String {
    let page = main_of(text(files, "privacy-notice/index.html"));
    let rest = page
        .split("Last updated <time datetime=\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no current version shown: {page}"));
    rest[..10].to_string()
}

#[test]
fn current_version_switches_on_its_effective_date() {
    let day_before = built(&["--today", "2025-02-28"]);
    assert_eq!(current_date(&day_before), "2024-06-01");
    assert!(
        main_of(text(&day_before, "privacy-notice/2025-03-01/index.html"))
            .contains("banner-upcoming")
    );

    for day in ["2025-03-01", "2025-03-02"] {
        let files = built(&["--today", day]);
        assert_eq!(current_date(&files), "2025-03-01", "--today {day}");
        let previous = main_of(text(&files, "privacy-notice/2024-06-01/index.html"));
        assert!(
            previous.contains("banner-old")
                && previous.contains("until <time datetime=\"2025-03-01\">"),
            "{day}: {previous}"
        );
        assert!(
            !main_of(text(&files, "privacy-notice/2025-03-01/index.html"))
                .contains("banner-upcoming")
        );
    }

    // Before the first version takes effect, the policy page shows the first upcoming one.
    let early = built(&["--today", "2022-12-31"]);
    assert!(main_of(text(&early, "privacy-notice/index.html")).contains("banner-upcoming"));
}

#[test]
fn source_date_epoch_sets_the_build_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let content = fixture("valid").join("content");
    // 1740787200 is 2025-03-01T00:00:00Z; one second earlier is still 28 February.
    for (epoch, expected) in [("1740787199", "2024-06-01"), ("1740787200", "2025-03-01")] {
        let out = tempfile::tempdir().unwrap();
        let site = out.path().join("site");
        let args = [
            "build",
            "--content",
            content.to_str().unwrap(),
            "--out",
            site.to_str().unwrap(),
        ];
        let run = run_in(root, &args, &[("SOURCE_DATE_EPOCH", epoch)]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(
            current_date(&read_tree(&site)),
            expected,
            "SOURCE_DATE_EPOCH={epoch}"
        );
    }
    // --today wins over SOURCE_DATE_EPOCH.
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let args = [
        "build",
        "--content",
        content.to_str().unwrap(),
        "--out",
        site.to_str().unwrap(),
        "--today",
        "2025-01-15",
    ];
    assert_eq!(
        run_in(root, &args, &[("SOURCE_DATE_EPOCH", "1740787200")]).code,
        0
    );
    assert_eq!(current_date(&read_tree(&site)), "2024-06-01");
}
