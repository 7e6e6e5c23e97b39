//! Keeps rebuilt tables valid: header rows before body rows, one `<thead>`.
//!
//! The renderer reopens containers from each block's path, and every table
//! has the same path, so a table replaced by another (old rows removed, new
//! rows added) would come out as `thead, tbody, thead, tbody` in one
//! `<table>`: invalid, and screen readers lose the column headers. Moving the
//! header rows of each rebuilt table to its front gives one `<thead>` holding
//! the removed and the added header row.
//!
//! Two tables that follow each other in one version are still two tables: a
//! header row of a version that has already shown a body row starts a new
//! table, and [`super::render`] closes the old one before opening its
//! `<thead>`.

use super::align::Entry;
use super::blocks::{Block, BlockKind, Container};

/// Which version(s) an entry's block belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Old,
    New,
    Both,
}

fn side(e: Entry) -> Side {
    match e {
        Entry::Same { .. } | Entry::Changed { .. } => Side::Both,
        Entry::Removed(_) | Entry::MovedAway { .. } => Side::Old,
        Entry::Added(_) | Entry::MovedHere { .. } => Side::New,
    }
}

/// The path up to and including the block's table, if it is a table row.
fn table_path(b: &Block) -> Option<&[Container]> {
    let d = b.path.iter().position(|c| *c == Container::Table)?;
    Some(&b.path[..=d])
}

fn same_path(a: &[Container], b: &[Container]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y))
}

fn is_head(b: &Block) -> bool {
    matches!(b.kind, BlockKind::Row { head: true })
}

/// Reorders entries so that, within each rebuilt table, header rows come
/// first; everything else keeps its order.
pub(crate) fn head_rows_first<'a>(
    entries: &[Entry],
    block: impl Fn(Entry) -> &'a Block,
) -> Vec<Entry> {
    let mut out = Vec::with_capacity(entries.len());
    let mut i = 0;
    while i < entries.len() {
        let Some(table) = table_path(block(entries[i])) else {
            out.push(entries[i]);
            i += 1;
            continue;
        };
        // One rebuilt table: rows in the same place, until a version that has
        // already shown a body row shows a header row (its next table).
        let (mut old_body, mut new_body) = (false, false);
        let mut j = i;
        while j < entries.len() {
            let b = block(entries[j]);
            if !table_path(b).is_some_and(|t| same_path(t, table)) {
                break;
            }
            let s = side(entries[j]);
            if is_head(b) && j > i {
                let starts_next = match s {
                    Side::Old => old_body,
                    Side::New => new_body,
                    Side::Both => old_body || new_body,
                };
                if starts_next {
                    break;
                }
            } else if !is_head(b) {
                old_body |= s != Side::New;
                new_body |= s != Side::Old;
            }
            j += 1;
        }
        let run = &entries[i..j];
        out.extend(run.iter().filter(|&&e| is_head(block(e))));
        out.extend(run.iter().filter(|&&e| !is_head(block(e))));
        i = j;
    }
    out
}
