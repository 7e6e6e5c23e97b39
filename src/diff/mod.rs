//! Block-then-word diffs between two versions of a policy (see the change-history issue).
//!
//! Pipeline: [`blocks`] parses each version into leaf blocks, [`align`]
//! matches old blocks to new ones (unchanged, edited, added, removed, moved),
//! [`words`] diffs the words inside each edited pair, [`render`] writes the
//! page body with folded unchanged sections, and [`sanitize`] passes the
//! result through an ammonia allow-list because policies may contain raw HTML.
//!
//! # Bounds
//! The whole call is bounded by [`DiffOptions::deadline`] and three size limits:
//! * inputs larger than [`DiffOptions::max_input_bytes`] (each) are not parsed
//!   at all: the result says the whole document was replaced;
//! * an edited block pair whose token counts add up to more than
//!   [`DiffOptions::max_block_tokens`] is shown as removed + added whole;
//! * pairing edited blocks inside one changed stretch costs about
//!   `removed_blocks * added_tokens + added_blocks * removed_tokens`; above
//!   [`DiffOptions::pair_budget`] the stretch is shown block by block.
//!
//! Every degradation is explained in [`DocumentDiff::coarse`].

mod align;
mod blocks;
mod escape;
mod fold;
mod inline;
mod patience;
mod render;
mod replay;
mod sanitize;
mod session;
mod tables;
mod words;

#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use serde::Serialize;

pub use sanitize::sanitize;
pub use session::PolicyDiffer;

#[derive(Debug, Clone)]
pub struct DiffOptions {
    /// Date of the NEW version (`YYYY-MM-DD`), written into `<ins>`/`<del>`.
    pub datetime: String,
    /// Wall-clock budget for one pair of documents.
    pub deadline: Duration,
    /// Largest edited block pair (old + new tokens) that is word-diffed.
    pub max_block_tokens: usize,
    /// Largest document (bytes, each side) that is diffed at all.
    pub max_input_bytes: usize,
    /// Token comparisons allowed when pairing blocks of one changed stretch.
    pub pair_budget: usize,
}

impl Default for DiffOptions {
    fn default() -> Self {
        Self {
            datetime: String::new(),
            deadline: Duration::from_secs(2),
            max_block_tokens: 20_000,
            max_input_bytes: 2_000_000,
            pair_budget: 20_000_000,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentDiff {
    /// Body of the changes page: sanitised, valid HTML.
    pub html: String,
    pub summary: DiffSummary,
    /// Why the diff is coarser than word level, in plain English, if it is.
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
    /// Anchor id on the changed block: `change-1`, `change-2`, …
    pub id: String,
    /// Heading text of the section it falls under, or "Introduction".
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

/// The deadline to hand `similar` for a search over `items` elements in all. A small search
/// ends within milliseconds whatever its input, and `similar` reads the clock at nearly every
/// step (a visible share of a diff), so while plenty of time is left it runs without one.
/// With time nearly up the deadline is passed on, so a late diff still degrades as before.
pub(crate) fn search_deadline(deadline: Instant, items: usize) -> Option<Instant> {
    const SMALL: usize = 2_000;
    const MARGIN: Duration = Duration::from_millis(250);
    if items <= SMALL && Instant::now() + MARGIN < deadline {
        None
    } else {
        Some(deadline)
    }
}

/// Diffs two Markdown bodies (front matter already stripped).
pub fn diff_markdown(old: &str, new: &str, options: &DiffOptions) -> DocumentDiff {
    finish(diff_parts(old, new, options))
}

/// Unsanitised output, the notes on coarseness and whether raw HTML is in it.
type Parts = (String, DiffSummary, Vec<String>, blocks::Markup);

fn finish((html, summary, notes, markup): Parts) -> DocumentDiff {
    DocumentDiff {
        // Our own markup is escaped and its URLs filtered as it is written; only raw HTML
        // copied from a policy needs the allow-list.
        html: match markup {
            blocks::Markup::OwnOnly => html,
            blocks::Markup::RawHtml => sanitize(&html),
        },
        summary,
        coarse: if notes.is_empty() {
            None
        } else {
            Some(notes.join("; "))
        },
    }
}

/// Unsanitised output, so tests can prove the renderer itself emits valid HTML.
#[cfg(test)]
pub(crate) fn diff_raw(
    old: &str,
    new: &str,
    options: &DiffOptions,
) -> (String, DiffSummary, Vec<String>) {
    let (html, summary, notes, _) = diff_parts(old, new, options);
    (html, summary, notes)
}

/// Unsanitised output and whether it carries raw HTML from either version.
fn diff_parts(old: &str, new: &str, options: &DiffOptions) -> Parts {
    if let Some(parts) = too_large(old, new, options) {
        return parts;
    }
    let deadline = Instant::now() + options.deadline;
    let mut interner = words::Interner::new();
    let mut old_doc = blocks::parse_doc(old);
    let mut new_doc = blocks::parse_doc(new);
    diff_docs(&mut old_doc, &mut new_doc, &mut interner, options, deadline)
}

/// The whole-document fallback when either version is over [`DiffOptions::max_input_bytes`].
fn too_large(old: &str, new: &str, options: &DiffOptions) -> Option<Parts> {
    if old.len() > options.max_input_bytes || new.len() > options.max_input_bytes {
        let datetime = escape::attr(&options.datetime);
        let (html, summary, notes) = replaced(old, new, &datetime, options.max_input_bytes);
        return Some((html, summary, notes, blocks::Markup::OwnOnly));
    }
    None
}

/// Diffs two parsed versions whose tokens come from `interner`. Blocks tokenised by an
/// earlier diff stay tokenised: a version may be diffed against both of its neighbours.
fn diff_docs(
    old_doc: &mut blocks::Parsed,
    new_doc: &mut blocks::Parsed,
    interner: &mut words::Interner,
    options: &DiffOptions,
    deadline: Instant,
) -> Parts {
    let datetime = escape::attr(&options.datetime);
    let markup =
        if old_doc.markup == blocks::Markup::RawHtml || new_doc.markup == blocks::Markup::RawHtml {
            blocks::Markup::RawHtml
        } else {
            blocks::Markup::OwnOnly
        };
    let mut notes = Vec::new();
    let ops = align::block_ops(&old_doc.keys, &new_doc.keys, deadline, &mut notes);
    // Only blocks in changed stretches are split into words: unchanged ones are shown
    // from the HTML the parser already wrote for them.
    for op in &ops {
        if let similar::DiffOp::Equal { .. } = op {
            continue;
        }
        let (_, or, nr) = op.as_tag_tuple();
        for i in or {
            old_doc.tokenise(i, interner);
        }
        for i in nr {
            new_doc.tokenise(i, interner);
        }
    }
    let (old_blocks, new_blocks) = (&old_doc.blocks, &new_doc.blocks);
    let mut aligner = align::Aligner {
        old: old_blocks,
        new: new_blocks,
        deadline,
        pair_budget: options.pair_budget,
        notes,
    };
    let entries = aligner.run_ops(&ops);
    let min_level = old_blocks
        .iter()
        .chain(new_blocks.iter())
        .filter_map(|b| match b.kind {
            blocks::BlockKind::Heading(l) => Some(l),
            _ => None,
        })
        .min()
        .unwrap_or(2);
    let ctx = render::Ctx {
        old: old_blocks,
        new: new_blocks,
        old_html: &old_doc.html,
        new_html: &new_doc.html,
        writer: inline::InlineWriter {
            interner,
            datetime: &datetime,
        },
        min_level,
        section_level: min_level.max(2),
        deadline,
        max_block_tokens: options.max_block_tokens,
    };
    let out = render::render(&ctx, &entries);
    let mut notes = aligner.notes;
    notes.extend(out.notes);
    (out.html, out.summary, notes, markup)
}

/// The too-large fallback: no parsing, just a note and rough word counts.
fn replaced(
    old: &str,
    new: &str,
    datetime: &str,
    limit: usize,
) -> (String, DiffSummary, Vec<String>) {
    let count = |s: &str| {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .count()
    };
    let html = format!(
        "<p class=\"changed\" id=\"change-1\"><ins datetime=\"{datetime}\"><span class=\"visually-hidden\">Added: </span>This version replaces the whole document; it is too large to compare in detail.</ins></p>"
    );
    let summary = DiffSummary {
        words_added: count(new),
        words_removed: count(old),
        sections_changed: 1,
        changes: vec![ChangeRef {
            id: "change-1".into(),
            section: "Whole document".into(),
            kind: ChangeKind::Changed,
        }],
    };
    let note = format!(
        "a version is larger than {limit} bytes, so the whole document is shown as replaced"
    );
    (html, summary, vec![note])
}
