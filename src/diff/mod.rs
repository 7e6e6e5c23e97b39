//! Block-then-word diffs between two versions of a policy (see the change-history issue).
//!
//! PLACEHOLDER until the `diff-engine` branch lands: the same public API, with a whole-document
//! "replaced" diff, so the history pages can be built and tested against it. The merge of
//! `diff-engine` replaces this file.

use serde::Serialize;

#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Date of the NEW version (`YYYY-MM-DD`), written into `<ins>`/`<del>`.
    pub datetime: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentDiff {
    pub html: String,
    pub summary: DiffSummary,
    pub coarse: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DiffSummary {
    pub words_added: usize,
    pub words_removed: usize,
    pub sections_changed: usize,
    pub changes: Vec<ChangeRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangeRef {
    pub id: String,
    pub section: String,
    pub kind: ChangeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
    Moved,
}

pub fn diff_markdown(old: &str, new: &str, options: &DiffOptions) -> DocumentDiff {
    let escape = crate::markdown::escape_html;
    let datetime = escape(&options.datetime);
    DocumentDiff {
        html: format!(
            "<div id=\"change-1\"><del datetime=\"{datetime}\">{}</del><ins datetime=\"{datetime}\">{}</ins></div>",
            escape(old),
            escape(new)
        ),
        summary: DiffSummary {
            words_added: new.split_whitespace().count(),
            words_removed: old.split_whitespace().count(),
            sections_changed: 1,
            changes: vec![ChangeRef {
                id: "change-1".into(),
                section: "Introduction".into(),
                kind: ChangeKind::Changed,
            }],
        },
        coarse: Some("placeholder diff".into()),
    }
}
