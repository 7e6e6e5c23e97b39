//! Random documents: whatever the edit, the page must be valid HTML.

use super::{html_check, opts};
use crate::diff::{diff_markdown, diff_raw, sanitize};
use proptest::prelude::*;

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("data".to_string()),
        Just("we".to_string()),
        Just("*share*".to_string()),
        Just("**your**".to_string()),
        Just("[link](https://x.example)".to_string()),
        Just("[link](https://y.example)".to_string()),
        Just("`code`".to_string()),
        Just("<b>raw</b>".to_string()),
        Just("a&b".to_string()),
        "[a-z]{1,6}",
    ]
}

fn line() -> impl Strategy<Value = String> {
    proptest::collection::vec(word(), 1..8).prop_map(|w| w.join(" "))
}

/// One Markdown block, built from a small grammar of the structures the diff handles.
fn block() -> impl Strategy<Value = String> {
    prop_oneof![
        line().prop_map(|l| format!("{l}\n")),
        line().prop_map(|l| format!("## {l}\n")),
        line().prop_map(|l| format!("### {l}\n")),
        proptest::collection::vec(line(), 1..4)
            .prop_map(|ls| ls.iter().map(|l| format!("* {l}\n")).collect()),
        (line(), line()).prop_map(|(a, b)| format!("1. {a}\n   * {b}\n2. {a}\n")),
        (line(), line()).prop_map(|(a, b)| format!("| h | i |\n|---|---|\n| {a} | {b} |\n")),
        // a table with other headers and columns, so tables get replaced, not only edited
        (line(), line())
            .prop_map(|(a, b)| format!("| x | {a} | y |\n|---|---|---|\n| {b} | z | w |\n")),
        line().prop_map(|l| format!("> {l}\n")),
        line().prop_map(|l| format!("```\n{l}\n```\n")),
    ]
}

fn doc() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(block(), 0..8)
}

/// A second version made by editing, dropping, adding and swapping blocks.
fn edited(d: Vec<String>) -> impl Strategy<Value = (Vec<String>, Vec<String>)> {
    let n = d.len();
    (
        Just(d),
        proptest::collection::vec((0..4u8, block()), n..=n),
        proptest::collection::vec(block(), 0..3),
    )
        .prop_map(|(d, edits, extra)| {
            let mut new = Vec::new();
            for (b, (op, repl)) in d.iter().zip(edits) {
                match op {
                    0 => {}                   // dropped
                    1 => new.push(repl),      // replaced
                    _ => new.push(b.clone()), // kept
                }
            }
            if new.len() > 2 {
                new.swap(0, 2);
            }
            new.extend(extra);
            (d, new)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn rendered_diff_is_valid_html((old, new) in doc().prop_flat_map(edited)) {
        let old = old.join("\n");
        let new = new.join("\n");
        let (raw, _, _) = diff_raw(&old, &new, &opts());
        if let Err(e) = html_check::check(&raw) {
            panic!("{e}\nOLD:\n{old}\nNEW:\n{new}\nHTML:\n{raw}");
        }
        let d = diff_markdown(&old, &new, &opts());
        prop_assert!(html_check::check(&d.html).is_ok(), "{}", d.html);
    }

    #[test]
    fn identical_documents_have_no_changes(d in doc()) {
        let text = d.join("\n");
        let (raw, s, _) = diff_raw(&text, &text, &opts());
        prop_assert!(!raw.contains("<ins") && !raw.contains("<del"), "{}", raw);
        prop_assert_eq!(s.changes.len(), 0);
        prop_assert_eq!(s.sections_changed, 0);
    }

    /// Without raw HTML the ammonia pass is skipped: prove it would have changed nothing but
    /// `rel`, which ammonia puts on every link and the diff only on links to other origins.
    #[test]
    fn own_markup_needs_no_sanitising((old, new) in doc().prop_flat_map(edited)) {
        let old = old.join("\n").replace("<b>raw</b>", "bold");
        let new = new.join("\n").replace("<b>raw</b>", "bold");
        let d = diff_markdown(&old, &new, &opts());
        let strip = |h: &str| h.replace(" rel=\"noopener noreferrer\"", "");
        prop_assert_eq!(strip(&sanitize(&d.html)), strip(&d.html));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Unchanged blocks are shown from the parser's own rendering instead of their words:
    /// it must be exactly what the inline writer makes of the words.
    #[test]
    fn unchanged_block_html_matches_its_words(d in doc()) {
        use crate::diff::blocks::parse_tokenised;
        use crate::diff::inline::{InlineWriter, Op};
        use crate::diff::words::Interner;
        let text = d.join("\n");
        let mut interner = Interner::new();
        let doc = parse_tokenised(&text, &mut interner);
        let writer = InlineWriter { interner: &interner, datetime: "" };
        for b in &doc.blocks {
            prop_assert_eq!(b.cells.len(), b.html.len());
            for (k, cell) in b.cells.iter().enumerate() {
                let html = doc.html.cell(b, k);
                let items: Vec<(Op, _)> = cell.iter().map(|t| (Op::Eq, t)).collect();
                let mut out = String::new();
                writer.write(&mut out, &items);
                prop_assert_eq!(&out, html);
            }
        }
    }
}
