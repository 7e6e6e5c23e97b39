//! Turns matched blocks into the changes page body and its summary.
//!
//! Containers (lists, tables, quotes) are opened and closed from each block's
//! path, so any interleaving of old and new blocks stays valid HTML. Folding
//! happens only between top-level groups (a whole list, a whole table, a
//! paragraph), because `<details>` may not sit inside `<ul>` or `<tbody>`.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::rc::Rc;
use std::time::Instant;

use super::align::Entry;
use super::blocks::{Block, BlockKind, CellHtml, Container};
use super::escape;
use super::fold::{describe, group_label, push_count};
use super::inline::{InlineWriter, Op};
use super::words::{Piece, Token, diff_tokens};
use super::{ChangeKind, ChangeRef, DiffSummary};

pub(crate) struct Ctx<'a> {
    pub old: &'a [Block],
    pub new: &'a [Block],
    pub old_html: &'a CellHtml,
    pub new_html: &'a CellHtml,
    pub writer: InlineWriter<'a>,
    /// Shallowest body heading level in either version (becomes `<h2>`).
    pub min_level: u8,
    /// Headings at or above this level start a section.
    pub section_level: u8,
    pub deadline: Instant,
    pub max_block_tokens: usize,
}

pub(crate) struct Output {
    pub html: String,
    pub summary: DiffSummary,
    pub notes: Vec<String>,
}

/// How a block is written: its element's name, its opening markup when the element has no
/// attributes (most blocks: written with one copy), the markup right after the opening tag,
/// and the closing markup.
type Element = (&'static str, &'static str, &'static str, &'static str);

/// Heading elements by level, from `h2` (the page title is the `h1`).
const HEADINGS: [Element; 5] = [
    ("h2", "<h2>", "", "</h2>"),
    ("h3", "<h3>", "", "</h3>"),
    ("h4", "<h4>", "", "</h4>"),
    ("h5", "<h5>", "", "</h5>"),
    ("h6", "<h6>", "", "</h6>"),
];

/// Title of the section each block falls under, within its own version. Blocks of one
/// section share their title rather than each holding a copy.
pub(crate) fn section_titles(blocks: &[Block], section_level: u8) -> Vec<Rc<str>> {
    let mut cur: Rc<str> = Rc::from("Introduction");
    blocks
        .iter()
        .map(|b| {
            if is_section_heading(b, section_level) {
                cur = b.title.clone().unwrap_or_default();
            }
            cur.clone()
        })
        .collect()
}

fn is_section_heading(b: &Block, section_level: u8) -> bool {
    matches!(b.kind, BlockKind::Heading(l) if l <= section_level) && b.path.is_empty()
}

struct R<'c, 'a> {
    ctx: &'c Ctx<'a>,
    out: String,
    stack: Vec<Container>,
    ids: HashSet<String>,
    summary: DiffSummary,
    notes: Vec<String>,
    /// Level of the last heading written where it is seen: a heading may go at
    /// most one level deeper (as on the policy pages), and headings folded
    /// into a closed `<details>` are not seen, so they do not count after it.
    last_heading: u8,
}

impl<'a> Ctx<'a> {
    fn block(&self, e: Entry) -> &'a Block {
        match e {
            Entry::Same { new, .. }
            | Entry::Changed { new, .. }
            | Entry::Added(new)
            | Entry::MovedHere { new, .. } => &self.new[new],
            Entry::Removed(old) | Entry::MovedAway { old, .. } => &self.old[old],
        }
    }

    /// The unchanged HTML of the document [`Ctx::block`] takes the entry's block from.
    fn html(&self, e: Entry) -> &'a CellHtml {
        match e {
            Entry::Removed(_) | Entry::MovedAway { .. } => self.old_html,
            _ => self.new_html,
        }
    }
}

impl R<'_, '_> {
    fn sync(&mut self, path: &[Container]) {
        let p = self
            .stack
            .iter()
            .zip(path)
            .take_while(|(a, b)| a.same(b))
            .count();
        // A header row after body rows belongs to the next table (see `tables`):
        // close this one rather than put a second `<thead>` after its `<tbody>`.
        let p = if path.get(p) == Some(&Container::Head)
            && self.stack.get(p) == Some(&Container::Body)
        {
            p - 1
        } else {
            p
        };
        while self.stack.len() > p {
            let c = self.stack.pop().expect("non-empty");
            self.out.push_str(match c {
                Container::List { ordered: true, .. } => "</ol>",
                Container::List { ordered: false, .. } => "</ul>",
                Container::Item => "</li>",
                Container::Quote => "</blockquote>",
                Container::Table => "</table>",
                Container::Head => "</thead>",
                Container::Body => "</tbody>",
                Container::Footnote(_) => "</div>",
            });
        }
        for c in &path[p..] {
            match c {
                Container::List {
                    ordered: true,
                    start,
                } => match start {
                    Some(n) if *n != 1 => self.out.push_str(&format!("<ol start=\"{n}\">")),
                    _ => self.out.push_str("<ol>"),
                },
                Container::List { ordered: false, .. } => self.out.push_str("<ul>"),
                Container::Item => self.out.push_str("<li>"),
                Container::Quote => self.out.push_str("<blockquote>"),
                Container::Table => self.out.push_str("<table>"),
                Container::Head => self.out.push_str("<thead>"),
                Container::Body => self.out.push_str("<tbody>"),
                Container::Footnote(l) => {
                    let id = format!("fn-{l}");
                    if self.ids.insert(id.clone()) {
                        self.out.push_str(&format!(
                            "<div class=\"footnote-definition\" id=\"{}\">",
                            escape::attr(&id)
                        ));
                    } else {
                        self.out.push_str("<div class=\"footnote-definition\">");
                    }
                }
            }
            self.stack.push(c.clone());
        }
    }

    /// Word diff of one cell, degraded to whole-cell removed + added when the
    /// cell is too large or time has run out.
    fn pieces(&mut self, old: &[Token], new: &[Token]) -> Vec<Piece> {
        if old.len() + new.len() > self.ctx.max_block_tokens || Instant::now() > self.ctx.deadline {
            let why = if Instant::now() > self.ctx.deadline {
                "time ran out, so the remaining edited blocks are shown as removed and added whole"
            } else {
                "a block was too long to compare word by word, so it is shown as removed and added whole"
            };
            if !self.notes.iter().any(|n| n == why) {
                self.notes.push(why.into());
            }
            return (0..old.len())
                .map(Piece::Del)
                .chain((0..new.len()).map(Piece::Ins))
                .collect();
        }
        let (p, late) = diff_tokens(old, new, self.ctx.deadline);
        if late {
            let why = "a word diff hit the time limit and may be coarser than needed";
            if !self.notes.iter().any(|n| n == why) {
                self.notes.push(why.into());
            }
        }
        p
    }

    /// Writes a cell's tokens under one operation or as a word diff.
    fn cell(&mut self, old: Option<&[Token]>, new: Option<&[Token]>, whole: Op) {
        let items: Vec<(Op, &Token)> = match (old, new) {
            (Some(o), Some(n)) => {
                let p = self.pieces(o, n);
                p.iter()
                    .map(|x| match *x {
                        Piece::Equal(_, j) => (Op::Eq, &n[j]),
                        Piece::Del(i) => (Op::Del, &o[i]),
                        Piece::Ins(j) => (Op::Ins, &n[j]),
                    })
                    .collect()
            }
            (Some(t), None) | (None, Some(t)) => t.iter().map(|t| (whole, t)).collect(),
            (None, None) => Vec::new(),
        };
        for (op, t) in &items {
            if t.kind == super::words::TokKind::Word {
                match op {
                    Op::Ins => self.summary.words_added += 1,
                    Op::Del => self.summary.words_removed += 1,
                    Op::Eq => {}
                }
            }
        }
        let mut out = std::mem::take(&mut self.out);
        self.ctx.writer.write(&mut out, &items);
        self.out = out;
    }

    /// Renders one entry. `note` is plain text shown before the content.
    fn entry(&mut self, e: Entry, id: Option<&str>, note: Option<(String, Option<String>)>) {
        let b = self.ctx.block(e);
        let (class, whole) = match e {
            Entry::Same { .. } => ("", Op::Eq),
            Entry::Changed { .. } => ("changed", Op::Eq),
            Entry::Added(_) => ("added", Op::Ins),
            Entry::Removed(_) => ("removed", Op::Del),
            Entry::MovedHere { .. } => ("moved", Op::Eq),
            Entry::MovedAway { .. } => ("moved-away", Op::Eq),
        };
        // Rows whose cell count changed cannot be diffed cell by cell.
        if let Entry::Changed { old, new } = e
            && self.ctx.old[old].cells.len() != self.ctx.new[new].cells.len()
        {
            self.entry(Entry::Removed(old), id, None);
            self.entry(Entry::Added(new), None, None);
            return;
        }
        self.sync(&b.path);
        let (name, plain_open, inner, close) = match &b.kind {
            BlockKind::Heading(l) => {
                let lvl = (*l as i32 - self.ctx.min_level as i32 + 2)
                    .clamp(2, 6)
                    .min(self.last_heading as i32 + 1)
                    .clamp(2, 6);
                self.last_heading = lvl as u8;
                HEADINGS[(lvl - 2) as usize]
            }
            BlockKind::Text => ("p", "<p>", "", "</p>"),
            BlockKind::Item => ("li", "<li>", "", ""),
            BlockKind::Code(_) => ("pre", "<pre><code>", "<code>", "</code></pre>"),
            BlockKind::Html => ("div", "<div>", "", "</div>"),
            BlockKind::Rule => ("hr", "<hr>", "", ""),
            BlockKind::Row { .. } => ("tr", "<tr>", "", "</tr>"),
        };
        if class.is_empty() && id.is_none() {
            self.out.push_str(plain_open);
        } else {
            self.out.push('<');
            self.out.push_str(name);
            if !class.is_empty() {
                self.out.push_str(" class=\"");
                self.out.push_str(class);
                self.out.push('"');
            }
            if let Some(id) = id {
                self.out.push_str(" id=\"");
                self.out.push_str(id);
                self.out.push('"');
            }
            self.out.push('>');
            self.out.push_str(inner);
        }
        if b.kind == BlockKind::Rule {
            return;
        }
        // Column headers say so, as html-validate (WCAG H63) asks of a table with two header rows.
        let cell_tag = match b.kind {
            BlockKind::Row { head: true } => Some(("<th scope=\"col\">", "</th>")),
            BlockKind::Row { head: false } => Some(("<td>", "</td>")),
            _ => None,
        };
        let structural_only = matches!(e, Entry::Changed { old, new }
            if self.ctx.old[old].content_key == self.ctx.new[new].content_key);
        // Untokenised blocks (unchanged ones) have HTML but no cells of words yet.
        for k in 0..b.html.len() {
            let cell: &[Token] = b.cells.get(k).map_or(&[], |c| c);
            if let Some((open, _)) = cell_tag {
                self.out.push_str(open);
            }
            if k == 0 {
                if let Some((text, href)) = &note {
                    self.out.push_str("<span class=\"change-note\">");
                    match href {
                        Some(h) => self.out.push_str(&format!(
                            "<a href=\"#{}\">{}</a>",
                            escape::attr(h),
                            escape::text(text)
                        )),
                        None => self.out.push_str(&escape::text(text)),
                    }
                    self.out.push_str("</span> ");
                }
                if structural_only {
                    self.out.push_str(
                        "<span class=\"change-note\">Same words, different nesting or block type:</span> ",
                    );
                }
            }
            match e {
                // a moved-away heading keeps its words so the old outline still reads
                Entry::MovedAway { .. } if !matches!(b.kind, BlockKind::Heading(_)) => {}
                Entry::Changed { old, .. } => {
                    let o = &self.ctx.old[old].cells[k];
                    self.cell(Some(o), Some(cell), Op::Eq);
                }
                // unchanged, moved, or moved-away heading text: as the parser rendered it
                _ if whole == Op::Eq => self.out.push_str(self.ctx.html(e).cell(b, k)),
                _ => {
                    let t = cell;
                    let (o, n) = if whole == Op::Del {
                        (Some(t), None)
                    } else {
                        (None, Some(t))
                    };
                    self.cell(o, n, whole)
                }
            }
            if let Some((_, close)) = cell_tag {
                self.out.push_str(close);
            }
            if matches!(e, Entry::MovedAway { .. }) {
                break; // the note alone stands for the old row
            }
        }
        self.out.push_str(close);
        if b.kind == BlockKind::Item {
            self.stack.push(Container::Item);
        }
    }
}

/// Change kind and grouping key of an entry, `None` when unchanged.
fn change_kind(e: Entry) -> Option<ChangeKind> {
    match e {
        Entry::Same { .. } | Entry::MovedAway { .. } => None,
        Entry::Changed { .. } => Some(ChangeKind::Changed),
        Entry::Added(_) => Some(ChangeKind::Added),
        Entry::Removed(_) => Some(ChangeKind::Removed),
        Entry::MovedHere { .. } => Some(ChangeKind::Moved),
    }
}

/// About how long a page body gets: the new version's HTML plus room for tags and changes.
fn page_size_hint(ctx: &Ctx) -> usize {
    let html = ctx.new_html.len();
    html + html / 4 + ctx.new.len() * 16 + 1024
}

pub(crate) fn render(ctx: &Ctx, entries: &[Entry]) -> Output {
    let entries = &super::tables::head_rows_first(entries, |e| ctx.block(e));
    // Section titles by block only name where moved blocks came from or went.
    let moves = entries
        .iter()
        .any(|e| matches!(e, Entry::MovedHere { .. } | Entry::MovedAway { .. }));
    let (old_sections, new_sections) = if moves {
        (
            section_titles(ctx.old, ctx.section_level),
            section_titles(ctx.new, ctx.section_level),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    // Pass 1: sections of the merged page, and change ids.
    // Each section's entries follow one another: a range of `entries` (rather than a vector of
    // indexes per section, which was a few allocations per page).
    let mut sections: Vec<(String, Range<usize>)> = Vec::new();
    let mut ids: Vec<Option<String>> = vec![None; entries.len()];
    let mut moved_ids: HashMap<usize, String> = HashMap::new();
    let mut changes: Vec<ChangeRef> = Vec::new();
    let mut prev: Option<(ChangeKind, usize)> = None;
    for (i, &e) in entries.iter().enumerate() {
        let b = ctx.block(e);
        if is_section_heading(b, ctx.section_level) || sections.is_empty() {
            let title = if is_section_heading(b, ctx.section_level) {
                b.title.as_deref().unwrap_or_default().to_string()
            } else {
                "Introduction".into()
            };
            sections.push((title, i..i));
        }
        let s = sections.len() - 1;
        sections[s].1.end = i + 1;
        let kind = change_kind(e);
        let continues = matches!((kind, prev), (Some(k), Some((pk, ps)))
            if k == pk && ps == s && matches!(k, ChangeKind::Added | ChangeKind::Removed));
        if let Some(k) = kind
            && !continues
        {
            let mut id = String::from("change-");
            push_count(&mut id, changes.len() + 1);
            changes.push(ChangeRef {
                id: id.clone(),
                section: sections[s].0.clone(),
                kind: k,
            });
            ids[i] = Some(id.clone());
        }
        if let (Entry::MovedHere { new, .. }, Some(id)) = (e, &ids[i]) {
            moved_ids.insert(new, id.clone());
        }
        prev = kind.map(|k| (k, s));
    }
    let mut r = R {
        ctx,
        // Unchanged blocks are most of a page: room for all of them and the markup around
        // them, so the page is written without growing and copying it again and again.
        out: String::with_capacity(page_size_hint(ctx)),
        stack: Vec::new(),
        // Footnote ids (`fn-…`) can only clash with each other, never with `change-…`.
        ids: HashSet::new(),
        summary: DiffSummary::default(),
        notes: Vec::new(),
        // The page's own `<h2>` (the summary) comes before the diff.
        last_heading: 2,
    };
    // Top-level groups of a section: consecutive blocks sharing their outermost container.
    let mut groups: Vec<Range<usize>> = Vec::new();
    for (title, members) in &sections {
        if members
            .clone()
            .any(|i| !matches!(entries[i], Entry::Same { .. }))
        {
            r.summary.sections_changed += 1;
        }
        let mut rest = members.clone();
        let first = members.start;
        if !members.is_empty() && is_section_heading(ctx.block(entries[first]), ctx.section_level) {
            // A moved section heading says where the section used to sit / went.
            let note = match entries[first] {
                Entry::MovedHere { old, .. } => {
                    let after = if old == 0 {
                        "the start"
                    } else {
                        &old_sections[old - 1]
                    };
                    Some((
                        format!("Moved; this section used to follow “{after}”:"),
                        None,
                    ))
                }
                Entry::MovedAway { new, .. } => {
                    let after = if new == 0 {
                        "the start"
                    } else {
                        &new_sections[new - 1]
                    };
                    Some((
                        format!("Moved to after “{after}”:"),
                        moved_ids.get(&new).cloned(),
                    ))
                }
                _ => None,
            };
            r.entry(entries[first], ids[first].as_deref(), note);
            rest.start += 1;
        }
        groups.clear();
        let mut start = rest.start;
        for k in rest.start + 1..=rest.end {
            let split = k == rest.end || {
                let (a, b) = (ctx.block(entries[k - 1]), ctx.block(entries[k]));
                match (a.path.first(), b.path.first()) {
                    (Some(x), Some(y)) => !x.same(y),
                    _ => true,
                }
            };
            if split {
                groups.push(start..k);
                start = k;
            }
        }
        let mut g = 0;
        while g < groups.len() {
            let unchanged = |grp: &Range<usize>| {
                grp.clone()
                    .all(|i| matches!(entries[i], Entry::Same { .. }))
            };
            if unchanged(&groups[g]) {
                let mut h = g;
                while h < groups.len() && unchanged(&groups[h]) {
                    h += 1;
                }
                let labels = groups[g..h]
                    .iter()
                    .map(|grp| group_label(ctx.block(entries[grp.start])));
                r.sync(&[]);
                let seen_heading = r.last_heading;
                r.out
                    .push_str("<details class=\"unchanged\"><summary>Unchanged: ");
                escape::push_text(&mut r.out, title);
                r.out.push_str(" (");
                describe(&mut r.out, labels);
                r.out.push_str(")</summary>");
                for grp in &groups[g..h] {
                    for i in grp.clone() {
                        r.entry(entries[i], None, None);
                    }
                }
                r.sync(&[]);
                r.out.push_str("</details>");
                r.last_heading = seen_heading;
                g = h;
                continue;
            }
            let grp = groups[g].clone();
            let mut i = grp.start;
            while i < grp.end {
                let note = match entries[i] {
                    Entry::MovedHere { old, .. } => {
                        Some((format!("Moved from “{}”:", old_sections[old]), None))
                    }
                    Entry::MovedAway { new, .. } => {
                        // consecutive blocks that went to the same section share one note
                        let mut n = 1;
                        while i + n < grp.end
                            && matches!(entries[i + n], Entry::MovedAway { new: m, .. } if new_sections[m] == new_sections[new])
                        {
                            n += 1;
                        }
                        let what = if n == 1 {
                            String::new()
                        } else {
                            format!(" ({n} blocks)")
                        };
                        let text = format!("Moved to “{}”{what}", new_sections[new]);
                        r.entry(entries[i], None, Some((text, moved_ids.get(&new).cloned())));
                        i += n;
                        continue;
                    }
                    _ => None,
                };
                r.entry(entries[i], ids[i].as_deref(), note);
                i += 1;
            }
            g += 1;
        }
    }
    r.sync(&[]);
    let mut summary = r.summary;
    summary.changes = changes;
    Output {
        html: r.out,
        summary,
        notes: r.notes,
    }
}
