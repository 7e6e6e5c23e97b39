use super::*;

fn html(md: &str) -> Rendered {
    render(md, &KeepLinks, &Sanitizer::default())
}

#[test]
fn github_style_ids() {
    assert_eq!(github_slug("How long we keep it"), "how-long-we-keep-it");
    assert_eq!(
        github_slug("GitHub's global privacy practices"),
        "githubs-global-privacy-practices"
    );
    assert_eq!(github_slug("Data  — rights (UK)"), "data---rights-uk");
    assert_eq!(github_slug(" \tA-b_C 9.x!\n"), "a-b_c-9x");
    assert_eq!(github_slug("Ünïcode Ä"), "ünïcode-ä");
    let r = html("## Same\n\n## Same\n\n## Same\n");
    let ids: Vec<_> = r.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["same", "same-1", "same-2"]);
}

#[test]
fn body_h1_is_demoted_so_the_title_stays_the_only_h1() {
    let r = html("# Top\n\n## Next\n");
    assert!(r.html.contains("<h2 id=\"top\">"), "{}", r.html);
    assert!(r.html.contains("<h3 id=\"next\">"));
    assert!(!r.html.contains("<h1"));
}

#[test]
fn sections_count_written_level_two_even_after_demotion() {
    let r = html("# Top\n\n## A\n\n## B\n\n### B1\n\n## C\n");
    let ids: Vec<_> = r.sections().iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
}

#[test]
fn no_heading_level_is_skipped() {
    let r = html(
        "### Short

## Long

##### Deep

### Back
",
    );
    let levels: Vec<_> = r.headings.iter().map(|h| h.level).collect();
    assert_eq!(levels, [2, 2, 3, 3]);
    assert!(r.html.contains("<h2 id=\"short\">"), "{}", r.html);
}

#[test]
fn raw_html_is_sanitised() {
    let r = html(
        "<script>alert(1)</script>\n\n<p onclick=\"x()\">Hi <a href=\"javascript:alert(1)\">x</a></p>\n",
    );
    assert!(!r.html.contains("<script"), "{}", r.html);
    assert!(!r.html.contains("onclick"));
    assert!(!r.html.contains("javascript:"));
    assert!(r.html.contains("Hi"));
}

#[test]
fn markdown_links_with_unsafe_schemes_are_neutralised() {
    let r = html("[x](javascript:alert(1)) and [y](https://ico.org.uk/)\n");
    assert!(r.html.contains("<a href=\"#\">x</a>"), "{}", r.html);
    assert!(
        r.html
            .contains("<a href=\"https://ico.org.uk/\" rel=\"noopener noreferrer\">y</a>")
    );
    assert_eq!(r.links.len(), 2);
    assert_eq!(r.links[1].text, "y");
}

#[test]
fn footnote_ids_do_not_clash_with_heading_ids() {
    let r = html("## Post\n\nText.[^post]\n\n[^post]: A note.\n");
    assert!(r.html.contains("<h2 id=\"post\">"), "{}", r.html);
    assert!(r.html.contains("<a href=\"#fn-post\">1</a>"), "{}", r.html);
    assert!(
        r.html
            .contains("id=\"fn-post\"><sup class=\"footnote-definition-label\">1</sup>"),
        "{}",
        r.html
    );
    assert_eq!(r.html.matches("id=\"post\"").count(), 1, "{}", r.html);
}

#[test]
fn template_syntax_is_plain_text() {
    let r = html("Use {{ site.data.x }} and {% data y %}\n");
    assert!(r.html.contains("{{ site.data.x }}"));
}

/// The byte scans agree with the plain searches they replaced.
#[test]
fn byte_scans_match_plain_searches() {
    let pages = [
        "<h2 id=\"a\">x</h2><p data-x=\"1\" id=\"b\">é = id= \"</p><a id=\"c",
        "id=\"s\" grid=\"g\" id=\"\" =id=\"z\"",
        "no ids = here",
        "",
        "id=",
    ];
    for html in pages {
        let (mut expected, mut rest) = (Vec::new(), html);
        while let Some(at) = rest.find("id=\"") {
            rest = &rest[at + 4..];
            expected.extend(rest.find('"').map(|end| rest[..end].to_string()));
        }
        let mut r = Rendered {
            html: html.into(),
            ..Rendered::default()
        };
        r.keep_facts_only();
        let ids: Vec<&str> = r.facts.other_ids().collect();
        assert_eq!(ids, expected, "{html}");
    }
    let escaped = escape_html("a&b <c> \"d\" 'e' é\u{a0}😀");
    assert_eq!(
        escaped,
        "a&amp;b &lt;c&gt; &quot;d&quot; &#39;e&#39; é\u{a0}😀"
    );
}

/// Without raw HTML, the ids rendering lists are exactly those a scan of the HTML finds,
/// so link facts need not scan it.
#[test]
fn listed_ids_match_a_scan_of_the_html() {
    let bodies = [
        "# Top\n\n## A & B {#a&b}\n\nText[^n \"q\"] `id=\"x\"` id=\"y\"\n\n[^n \"q\"]: Note.\n",
        "## Same\n\n## Same\n\n[l](/x/ \"t id=\\\"z\\\"\") ![i](a.png \"id=\\\"w\\\"\")\n\n| a |\n|---|\n| b |\n",
        "Plain text only.\n",
        "## Fn\n\nOne[^fn]\n\n[^fn]: X.\n\n[^<b>]: Y.\n",
        "# A & B {#a&b}\n\n## \"Quoted\" 'id=\"q\"'\n\nSee[^a&b] and [x](#a&b).\n\n[^a&b]: Z.\n",
    ];
    for (index, body) in bodies.into_iter().enumerate() {
        let r = html(body);
        let HtmlIds::Known(listed) = &r.html_ids else {
            assert_eq!(index, 0, "only a `\"` in code asks for a scan: {body:?}");
            continue;
        };
        let (mut scanned, mut rest) = (Vec::new(), r.html.as_str());
        while let Some(at) = rest.find("id=\"") {
            rest = &rest[at + 4..];
            scanned.extend(rest.find('"').map(|end| rest[..end].to_string()));
        }
        assert_eq!(listed, &scanned, "{}", r.html);
    }
    assert!(matches!(
        html("<p id=\"r\">x</p>\n").html_ids,
        HtmlIds::Scan
    ));
}

#[test]
fn images_record_their_alt_text() {
    let r = html("![](a.png) ![A logo](b.png)\n");
    assert_eq!(r.images[0].alt, "");
    assert_eq!(r.images[1].alt, "A logo");
}

#[test]
fn each_link_in_a_heading_records_its_own_text() {
    let r = html("## See [the form](/form/) or [call us](tel:101)\n\nBody [here](/x/).\n");
    let texts: Vec<&str> = r.links.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts, ["the form", "call us", "here"]);
}

#[test]
fn footnotes_are_numbered_in_order_of_first_mention() {
    let r = html("One[^b] two[^a] again[^b].\n\n[^a]: A.\n[^b]: B.\n");
    let first = r.html.find("href=\"#fn-b\">1<").expect("b is 1");
    let second = r.html.find("href=\"#fn-a\">2<").expect("a is 2");
    assert!(first < second);
    assert!(
        r.html
            .contains("id=\"fn-a\"><sup class=\"footnote-definition-label\">2</sup>")
    );
}

#[test]
fn escaped_len_is_the_length_of_the_escaped_text() {
    for text in ["", "plain", "a & b < c > d \"e\" 'f'", "Ünïcode & ‘quotes’"] {
        assert_eq!(escaped_len(text), escape_html(text).len(), "{text}");
    }
}
