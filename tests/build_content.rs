//! The valid fixture's Markdown as built pages: escaping, sanitising, template-looking text,
//! headings and their ids, the table of contents, and links of every kind.

mod common;

use common::{PREFIX, built, element_text, main_of, start_tags, text};

#[test]
fn text_is_escaped_and_template_syntax_stays_literal() {
    let files = built(&["--today", "2025-01-15"]);
    let cookies = text(&files, "cookie-policy/index.html");
    assert!(
        cookies.contains("<h1>Cookies &amp; &lt;tracking&gt; &quot;policy&quot;</h1>"),
        "{cookies}"
    );
    assert!(cookies.contains("<title>Cookies &amp; &lt;tracking&gt; &quot;policy&quot; - Fenwick &amp; District &quot;Test&quot; Police</title>"));
    let home = text(&files, "index.html");
    assert!(
        home.contains("Adds &lt;b&gt;webchat&lt;/b&gt; &amp; &quot;quotes&quot; to the notice"),
        "{home}"
    );
    // Markup files must escape; versions.json carries the text as JSON data, where `<` is fine.
    for (path, bytes) in files.iter().filter(|(p, _)| !p.ends_with(".json")) {
        let body = String::from_utf8_lossy(bytes);
        assert!(
            !body.contains("<tracking>") && !body.contains("<b>webchat</b>"),
            "{path}: unescaped text"
        );
    }
    let notice = main_of(text(&files, "privacy-notice/index.html"));
    assert!(
        notice.contains("Text needing escaping: 1 &lt; 2 &amp; 3 &gt; 2"),
        "{notice}"
    );
    assert!(
        notice.contains("{{ site.title }} and {% raw %}"),
        "template-looking text was interpreted: {notice}"
    );
}

#[test]
fn raw_html_is_sanitised() {
    let files = built(&["--today", "2025-01-15"]);
    for path in [
        "privacy-notice/index.html",
        "privacy-notice/2024-06-01/index.html",
    ] {
        let html = text(&files, path);
        let body = main_of(html);
        for bad in [
            "<script",
            "onclick",
            "onerror",
            "javascript:",
            "alert(",
            "steal(",
        ] {
            assert!(
                !body.contains(bad),
                "{path}: `{bad}` survived sanitising:\n{body}"
            );
        }
        assert!(
            body.contains("A paragraph with a handler and"),
            "{path}: sanitising dropped the text"
        );
        assert!(body.contains("alt=\"An image\""), "{path}");
    }
}

#[test]
fn markdown_features_headings_and_table_of_contents() {
    let files = built(&["--today", "2025-01-15"]);
    let notice = main_of(text(&files, "privacy-notice/index.html"));
    // The body's `#` is demoted so the title stays the only h1; ids follow GitHub's rules.
    assert!(notice.contains("<h2 id=\"overview\">Overview"), "{notice}");
    assert!(notice.contains("<h3 id=\"how-we-use-data\">"), "{notice}");
    assert!(
        notice.contains("<h3 id=\"contact\">") && notice.contains("<h3 id=\"contact-1\">"),
        "duplicate headings get -1: {notice}"
    );
    assert!(
        notice.contains("<th>Purpose</th>") && notice.contains("<td>Public task</td>"),
        "table: {notice}"
    );
    assert!(
        notice.contains("class=\"footnote-definition\"") && notice.contains("Our postal address"),
        "footnote: {notice}"
    );

    // A table of contents lists the `##` sections when there are at least three.
    let toc = element_text(notice, "<nav class=\"toc\"", "</nav>").expect("a table of contents");
    for id in [
        "how-we-use-data",
        "contact",
        "contact-1",
        "links",
        "raw-html",
    ] {
        assert!(
            toc.contains(&format!("href=\"#{id}\"")),
            "{id} not in {toc}"
        );
    }
    assert!(
        main_of(text(&files, "privacy-notice/2025-03-01/index.html")).contains("class=\"toc\""),
        "three sections get a TOC"
    );
    for fewer in [
        "cookie-policy/index.html",
        "privacy-notice/2023-01-01/index.html",
        "accessibility/index.html",
    ] {
        assert!(
            !text(&files, fewer).contains("class=\"toc\""),
            "{fewer} has fewer than three sections but a TOC"
        );
    }
}

#[test]
fn links_of_every_kind_are_written_for_the_site() {
    let files = built(&["--today", "2025-01-15"]);
    let notice = main_of(text(&files, "privacy-notice/index.html"));
    let expected = [
        ("cookie policy", "/privacy/cookie-policy/", None),
        (
            "first cookie policy",
            "/privacy/cookie-policy/2024-01-01/",
            None,
        ),
        (
            "accessibility contact",
            "/privacy/accessibility/#contact-us",
            None,
        ),
        (
            "cookie types",
            "/privacy/cookie-policy/#what-cookies-we-use",
            None,
        ),
        ("how we use data", "#how-we-use-data", None),
        (
            "the first notice",
            "/privacy/privacy-notice/2023-01-01/",
            None,
        ),
        ("contact the force", "/about-us/contact", None),
        (
            "the ICO",
            "https://ico.org.uk/",
            Some("noopener noreferrer"),
        ),
        ("write to us", "mailto:dpo@fenwick.police.example", None),
        ("click me", "#", None),
    ];
    for (label, href, rel) in expected {
        let rel = rel.map_or(String::new(), |r| format!(" rel=\"{r}\""));
        let link = format!("<a href=\"{href}\"{rel}>{label}</a>");
        assert!(notice.contains(&link), "missing {link} in\n{notice}");
    }
    // Every link inside the site leads to a page that was built, and anchors to ids on it.
    for (path, html) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = std::str::from_utf8(html).unwrap();
        let body = element_text(html, "<div class=\"policy-body\"", "</article>").unwrap_or("");
        for tag in start_tags(body).iter().filter(|t| t.name == "a") {
            let Some(href) = tag.attr("href").and_then(|h| h.strip_prefix(PREFIX)) else {
                continue;
            };
            let (page, anchor) = href.split_once('#').unwrap_or((href, ""));
            let target = format!("{page}index.html");
            let target_html = files
                .get(&target)
                .map(|b| String::from_utf8_lossy(b))
                .unwrap_or_else(|| panic!("{path}: link to {href} leads nowhere"));
            if !anchor.is_empty() {
                assert!(
                    target_html.contains(&format!("id=\"{anchor}\"")),
                    "{path}: {href} has no such anchor"
                );
            }
        }
    }
}
