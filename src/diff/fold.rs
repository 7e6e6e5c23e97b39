//! Wording of the folded "Unchanged: …" summaries.

use super::blocks::{Block, BlockKind, Container};

/// What a top-level group is called in a fold summary.
pub(crate) fn group_label(b: &Block) -> &'static str {
    match (b.path.first(), &b.kind) {
        (Some(Container::List { .. }), _) => "list",
        (Some(Container::Table), _) => "table",
        (Some(Container::Quote), _) => "quote",
        (Some(Container::Footnote(_)), _) => "footnote",
        (_, BlockKind::Heading(_)) => "heading",
        (_, BlockKind::Code(_)) => "code block",
        (_, BlockKind::Text) => "paragraph",
        _ => "block",
    }
}

/// "3 paragraphs, 1 list" for the fold's summary line, written onto `out`.
pub(crate) fn describe(out: &mut String, labels: impl IntoIterator<Item = &'static str>) {
    // A page has a handful of kinds of group: a small array, not a map or a string per kind.
    let mut counts: Vec<(&str, usize)> = Vec::with_capacity(8);
    for l in labels {
        match counts.iter_mut().find(|(k, _)| *k == l) {
            Some(c) => c.1 += 1,
            None => counts.push((l, 1)),
        }
    }
    for (i, (k, n)) in counts.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        // Digits pushed one by one: `format!` for a count was a visible cost of a diff.
        push_count(out, *n);
        out.push(' ');
        out.push_str(k);
        if *n != 1 {
            out.push('s');
        }
    }
}

pub(super) fn push_count(out: &mut String, n: usize) {
    if n >= 10 {
        push_count(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_and_pluralises_in_first_seen_order() {
        let mut out = String::new();
        super::describe(&mut out, ["paragraph", "list", "paragraph"]);
        assert_eq!(out, "2 paragraphs, 1 list");
        out.clear();
        super::describe(&mut out, vec!["table"; 12]);
        assert_eq!(out, "12 tables");
    }
}
