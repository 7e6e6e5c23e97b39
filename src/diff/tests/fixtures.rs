//! Known edits and the exact markup they must produce.

use super::{del, ins, run};
use crate::diff::ChangeKind;

#[test]
fn one_word_in_a_long_paragraph_is_one_word() {
    let filler = "We process personal data only as described in this statement and only for the purposes listed here. ".repeat(12);
    assert!(filler.len() > 1000);
    let old = format!("## Sharing\n\n{filler}We may share data with vendors. {filler}\n");
    let new = format!("## Sharing\n\n{filler}We will share data with vendors. {filler}\n");
    let (raw, d) = run(&old, &new);
    let expected = format!("We {}{} share data with vendors.", del("may"), ins("will"));
    assert!(raw.contains(&expected), "{raw}");
    assert_eq!(raw.matches("<ins").count(), 1);
    assert_eq!(raw.matches("<del").count(), 1);
    assert_eq!((d.summary.words_added, d.summary.words_removed), (1, 1));
    assert_eq!(d.summary.sections_changed, 1);
    assert_eq!(d.summary.changes.len(), 1);
    assert_eq!(d.summary.changes[0].id, "change-1");
    assert_eq!(d.summary.changes[0].section, "Sharing");
    assert_eq!(d.summary.changes[0].kind, ChangeKind::Changed);
    assert!(
        raw.contains("<p class=\"changed\" id=\"change-1\">"),
        "{raw}"
    );
    assert!(d.coarse.is_none());
}

#[test]
fn changed_link_target_with_same_text_is_a_change() {
    let (raw, d) = run(
        "Read [our terms](https://a.example/terms) first.\n",
        "Read [our terms](https://b.example/terms) first.\n",
    );
    let expected = format!(
        "<p class=\"changed\" id=\"change-1\">Read <a href=\"https://a.example/terms\" rel=\"noopener noreferrer\">{}</a><a href=\"https://b.example/terms\" rel=\"noopener noreferrer\">{}</a> first.</p>",
        del("our terms"),
        ins("our terms")
    );
    assert!(raw.contains(&expected), "{raw}");
    // the page keeps both links and marks them as external-safe
    assert!(
        d.html
            .contains("href=\"https://b.example/terms\" rel=\"noopener noreferrer\""),
        "{}",
        d.html
    );
}

#[test]
fn changed_emphasis_is_a_change() {
    let (raw, _) = run("We share *your* data.\n", "We share **your** data.\n");
    let expected = format!(
        "<p class=\"changed\" id=\"change-1\">We share <em>{}</em><strong>{}</strong> data.</p>",
        del("your"),
        ins("your")
    );
    assert!(raw.contains(&expected), "{raw}");
}

#[test]
fn change_inside_emphasis_stays_inside_it() {
    let (raw, _) = run("*keep this safe*\n", "*keep that safe*\n");
    let expected = format!("<em>keep {}{} safe</em>", del("this"), ins("that"));
    assert!(raw.contains(&expected), "{raw}");
}

#[test]
fn moved_section_is_not_a_wall_of_red_and_green() {
    let a = "## Alpha\n\nAlpha text one is here.\n\nAlpha text two is here.\n\n";
    let b = "## Beta\n\nBeta text one is here.\n\nBeta text two is here.\n\n";
    let c = "## Gamma\n\nGamma text is here.\n\n";
    let (raw, d) = run(&format!("{a}{b}{c}"), &format!("{a}{c}{b}"));
    assert!(!raw.contains("<ins"), "{raw}");
    assert!(!raw.contains("<del"), "{raw}");
    assert_eq!((d.summary.words_added, d.summary.words_removed), (0, 0));
    assert!(
        d.summary
            .changes
            .iter()
            .all(|c| c.kind == ChangeKind::Moved),
        "{:?}",
        d.summary
    );
    assert!(!d.summary.changes.is_empty());
    assert!(raw.contains("class=\"moved\""), "{raw}");
    // the old place links to the new place
    assert_eq!(d.summary.changes.len(), 2); // the Gamma heading and its paragraph
    assert!(raw.contains("<h2 class=\"moved\" id=\"change-1\"><span class=\"change-note\">Moved; this section used to follow “Beta”:</span> Gamma</h2>"), "{raw}");
    assert!(raw.contains("<h2 class=\"moved-away\"><span class=\"change-note\"><a href=\"#change-1\">Moved to after “Alpha”:</a></span> Gamma</h2>"), "{raw}");
    assert!(
        raw.contains("<a href=\"#change-2\">Moved to “Gamma”</a>"),
        "{raw}"
    );
}

#[test]
fn added_list_item_is_marked_at_block_level() {
    let (raw, d) = run("* one\n* two\n", "* one\n* new item\n* two\n");
    let expected = format!(
        "<ul><li>one</li><li class=\"added\" id=\"change-1\">{}</li><li>two</li></ul>",
        ins("new item")
    );
    assert!(raw.contains(&expected), "{raw}");
    assert_eq!(d.summary.changes[0].kind, ChangeKind::Added);
    assert_eq!(d.summary.words_added, 2);
}

#[test]
fn deleted_table_row_keeps_the_table_valid() {
    let t = "| Name | Use |\n|---|---|\n| cookie_a | login |\n";
    let (raw, d) = run(&format!("{t}| cookie_b | ads |\n"), t);
    let expected = format!(
        "<table><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Use</th></tr></thead><tbody><tr><td>cookie_a</td><td>login</td></tr><tr class=\"removed\" id=\"change-1\"><td>{}</td><td>{}</td></tr></tbody></table>",
        del("cookie_b"),
        del("ads")
    );
    assert!(raw.contains(&expected), "{raw}");
    assert_eq!(d.summary.words_removed, 3); // cookie, b, ads
}

#[test]
fn replaced_table_has_one_head_with_both_header_rows() {
    let old = "Intro.\n\n| Category of data | Source |\n|---|---|\n| contact details | you |\n| usage | our servers |\n";
    let new = "Intro.\n\n| Recipients | Purpose | Basis |\n|---|---|---|\n| vendors | hosting | contract |\n";
    let (raw, d) = run(old, new);
    for html in [&raw, &d.html] {
        assert_eq!(html.matches("<table>").count(), 1, "{html}");
        assert_eq!(html.matches("<thead>").count(), 1, "{html}");
        assert_eq!(html.matches("<tbody>").count(), 1, "{html}");
    }
    let head = &raw[raw.find("<thead>").unwrap()..raw.find("</thead>").unwrap()];
    let removed = format!(
        "<tr class=\"removed\" id=\"change-1\"><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr>",
        del("Category of data"),
        del("Source")
    );
    assert!(
        head.starts_with(&format!("<thead>{removed}<tr class=\"added\"")),
        "{head}"
    );
    assert!(
        head.contains(&format!("<th scope=\"col\">{}</th>", ins("Basis"))),
        "{head}"
    );
    // the sanitiser keeps the scope html-validate asks for
    assert!(d.html.contains("<th scope=\"col\">"), "{}", d.html);
    let body = &raw[raw.find("<tbody>").unwrap()..];
    assert!(
        body.find("contact details").unwrap() < body.find("vendors").unwrap(),
        "{body}"
    );
}

#[test]
fn edited_header_row_is_diffed_word_by_word_in_one_head() {
    let t = |h: &str| format!("| Name | {h} |\n|---|---|\n| cookie_a | login |\n");
    let (raw, _) = run(&t("Use"), &t("Purpose"));
    let expected = format!(
        "<table><thead><tr class=\"changed\" id=\"change-1\"><th scope=\"col\">Name</th><th scope=\"col\">{}{}</th></tr></thead><tbody>",
        del("Use"),
        ins("Purpose")
    );
    assert!(raw.contains(&expected), "{raw}");
    assert_eq!(raw.matches("<thead>").count(), 1, "{raw}");
}

#[test]
fn a_table_added_right_after_another_is_its_own_table() {
    let a = "| Name | Use |\n|---|---|\n| cookie_a | login |\n";
    let b = "| Region | Retention |\n|---|---|\n| EU | 30 days |\n";
    let (raw, _) = run(&format!("Intro.\n\n{a}"), &format!("Intro.\n\n{a}\n{b}"));
    assert_eq!(raw.matches("<table>").count(), 2, "{raw}");
    assert_eq!(raw.matches("<thead>").count(), 2, "{raw}");
    let second = &raw[raw.rfind("<table>").unwrap()..];
    assert!(
        second.starts_with("<table><thead><tr class=\"added\""),
        "{second}"
    );
}

#[test]
fn unchanged_sections_are_folded_and_headings_stay_visible() {
    let old = "# Top\n\n## Quiet {#quiet-id}\n\nNothing here changes.\n\nNor here.\n\n## Busy\n\nThis will change.\n";
    let new = "# Top\n\n## Quiet {#quiet-id}\n\nNothing here changes.\n\nNor here.\n\n## Busy\n\nThis did change.\n";
    let (raw, d) = run(old, new);
    // h1 demoted, levels shifted, policy ids dropped
    assert!(raw.starts_with("<h2>Top</h2><h3>Quiet</h3><details class=\"unchanged\"><summary>Unchanged: Quiet (2 paragraphs)</summary><p>Nothing here changes.</p><p>Nor here.</p></details><h3>Busy</h3>"), "{raw}");
    assert!(!raw.contains("quiet-id"));
    assert_eq!(d.summary.sections_changed, 1);
    assert_eq!(d.summary.changes[0].section, "Busy");
}

#[test]
fn a_heading_after_folded_subheadings_goes_one_level_deeper_at_most() {
    let old = "## A\n\n### B\n\nText b.\n\n#### C\n\nText c.\n";
    let new = format!("{old}\n#### D\n\nText d.\n");
    let (raw, _) = run(old, &new);
    // folded headings keep their levels under the last visible heading
    assert!(raw.contains("<details class=\"unchanged\"><summary>Unchanged: A (2 headings, 2 paragraphs)</summary><h3>B</h3><p>Text b.</p><h4>C</h4>"), "{raw}");
    // the closed <details> hides B and C, so D follows A's <h2> as an <h3>
    let d = format!("<h3 class=\"added\" id=\"change-1\">{}</h3>", ins("D"));
    assert!(raw.contains(&format!("</details>{d}")), "{raw}");
}

#[test]
fn nested_list_change_stays_valid() {
    let (raw, _) = run(
        "* parent\n  * child one\n  * child two\n* sibling\n",
        "* parent\n  * child one changed\n* sibling\n  * new nested\n",
    );
    assert!(
        raw.contains("<ul><li>parent<ul><li class=\"changed\" id=\"change-1\">child one"),
        "{raw}"
    );
}

#[test]
fn raw_html_is_sanitised() {
    let (_, d) = run(
        "Hello.\n",
        "Hello.\n\n<script>alert(1)</script>\n\n<a href=\"javascript:alert(1)\" onclick=\"x()\">click</a> me\n",
    );
    assert!(!d.html.contains("script"), "{}", d.html);
    assert!(!d.html.contains("javascript"), "{}", d.html);
    assert!(!d.html.contains("onclick"), "{}", d.html);
}

#[test]
fn own_links_are_made_safe_without_the_sanitiser() {
    let (_, d) = run(
        "See [a](https://x.example/) and [b](/terms) and [c](javascript:alert(1)).\n",
        "See [a](https://x.example/) and [b](/terms) and [c](javascript:alert(2)) now.\n",
    );
    let h = &d.html;
    assert!(
        h.contains("<a href=\"https://x.example/\" rel=\"noopener noreferrer\">a</a>"),
        "{h}"
    );
    assert!(h.contains("<a href=\"/terms\">b</a>"), "{h}");
    assert!(!h.contains("javascript"), "{h}");
    assert!(h.contains("<a href=\"#\">"), "{h}");
}

#[test]
fn raw_html_still_goes_through_the_sanitiser() {
    let (_, d) = run(
        "Hello <span onclick=\"x()\">there</span> [b](/terms).\n",
        "Hello <span onclick=\"x()\">there</span> [b](/terms) now.\n",
    );
    assert!(!d.html.contains("onclick"), "{}", d.html);
    assert!(
        d.html
            .contains("<a href=\"/terms\" rel=\"noopener noreferrer\">b</a>"),
        "{}",
        d.html
    );
}
