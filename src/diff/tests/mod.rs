//! Whole-pipeline tests: exact markup for known edits, properties over random
//! documents, the real GitHub corpus, and the time/size bounds.

use super::*;

mod bounds;
mod corpus;
mod fixtures;
mod html_check;
mod props;
mod session;

pub(crate) fn opts() -> DiffOptions {
    DiffOptions {
        datetime: "2024-02-01".into(),
        ..DiffOptions::default()
    }
}

/// What the renderer writes for inserted text.
pub(crate) fn ins(s: &str) -> String {
    format!("<ins datetime=\"2024-02-01\"><span class=\"visually-hidden\">Added: </span>{s}</ins>")
}

/// What the renderer writes for removed text.
pub(crate) fn del(s: &str) -> String {
    format!(
        "<del datetime=\"2024-02-01\"><span class=\"visually-hidden\">Removed: </span>{s}</del>"
    )
}

/// Raw and sanitised output, both checked for validity.
pub(crate) fn run(old: &str, new: &str) -> (String, DocumentDiff) {
    let (raw, _, _) = diff_raw(old, new, &opts());
    html_check::check(&raw).unwrap_or_else(|e| panic!("invalid raw HTML ({e}):\n{raw}"));
    let d = diff_markdown(old, new, &opts());
    html_check::check(&d.html)
        .unwrap_or_else(|e| panic!("invalid sanitised HTML ({e}):\n{}", d.html));
    (raw, d)
}
