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

/// "3 paragraphs, 1 list" for the fold's summary line.
pub(crate) fn describe(labels: &[&'static str]) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for l in labels {
        match counts.iter_mut().find(|(k, _)| k == l) {
            Some(c) => c.1 += 1,
            None => counts.push((l, 1)),
        }
    }
    counts
        .iter()
        .map(|(k, n)| format!("{n} {k}{}", if *n == 1 { "" } else { "s" }))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_and_pluralises_in_first_seen_order() {
        assert_eq!(
            super::describe(&["paragraph", "list", "paragraph"]),
            "2 paragraphs, 1 list"
        );
    }
}
