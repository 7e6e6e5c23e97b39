//! Markdown -> a flat list of leaf blocks, each remembering its containers.
//!
//! Flattening (instead of keeping a tree) lets the block matcher treat a
//! document as one sequence, while the container path on every block lets
//! the renderer rebuild valid `<ul>/<li>`, `<table>/<tbody>/<tr>` and
//! `<blockquote>` nesting for any mix of old and new blocks.

use std::borrow::Cow;
use std::hash::{BuildHasher, Hash, Hasher};
use std::ops::Range;
use std::rc::Rc;

use pulldown_cmark::{CodeBlockKind, Event, Tag, TagEnd};

use super::patience::Keys;
pub(crate) use super::replay::CellHtml;
use super::replay::{HtmlSink, TokenSink, replay};
use super::words::{FastHash, Interner, Token};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Container {
    List { ordered: bool, start: Option<u64> },
    Item,
    Quote,
    Table,
    Head,
    Body,
    Footnote(String),
}

impl Container {
    /// Whether an already open container can hold a block that expects `other`.
    /// List start numbers are ignored so old and new items share one list.
    pub fn same(&self, other: &Container) -> bool {
        match (self, other) {
            (Container::List { ordered: a, .. }, Container::List { ordered: b, .. }) => a == b,
            _ => self == other,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum BlockKind {
    Heading(u8),
    Text,
    /// Opens a `<li>`; holds the item's first line of text (possibly empty).
    Item,
    Code(String),
    Html,
    Rule,
    Row {
        head: bool,
    },
}

impl BlockKind {
    /// Blocks of the same family may be paired and word-diffed.
    pub fn family(&self) -> u8 {
        match self {
            BlockKind::Heading(_) => 0,
            BlockKind::Text | BlockKind::Item => 1,
            BlockKind::Code(_) => 2,
            BlockKind::Html => 3,
            BlockKind::Rule => 4,
            BlockKind::Row { .. } => 5,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub kind: BlockKind,
    /// Enclosing containers, outermost first. Shared by neighbouring blocks with the same
    /// containers: most blocks of a document sit in one of a few paths.
    pub path: Rc<[Container]>,
    /// Table rows have one entry per cell; every other block has exactly one. Empty (no
    /// cells at all) until [`tokenise`] runs (only for blocks in changed stretches, and
    /// headings).
    pub cells: Vec<Vec<Token>>,
    /// Its cells as rendered when unchanged: which of its document's [`CellHtml`] cells.
    pub html: Range<u32>,
    tokenised: bool,
    /// A heading's visible text, trimmed: what a section is called. Kept from parsing, so
    /// that unchanged headings need not be split into words only to name their sections.
    pub title: Option<Rc<str>>,
    /// Equality of content AND structure: used to find unchanged blocks.
    pub key: u64,
    /// Equality of content only: used to detect moves.
    pub content_key: u64,
}

impl Block {
    pub fn tokens(&self) -> impl Iterator<Item = &Token> {
        self.cells.iter().flatten()
    }

    /// The visible text of a tokenised block.
    #[cfg(test)]
    pub fn plain_text(&self, interner: &Interner) -> String {
        self.tokens()
            .filter(|t| t.kind != super::words::TokKind::Atom)
            .map(|t| interner.text(t))
            .collect::<String>()
            .trim()
            .to_string()
    }
}

/// A document's parser events, with their source offsets.
type Events<'a> = [(Event<'a>, Range<usize>)];

struct Builder<'e, 'a> {
    blocks: Vec<Block>,
    events: &'e Events<'a>,
    /// The index in `events` of the event being read.
    at: usize,
    spans: Vec<Range<usize>>,
    path: Vec<Container>,
    /// `path` as blocks hold it, until the next container opens or closes.
    shared_path: Option<Rc<[Container]>>,
    /// The open block: its kind, path and where its events start.
    cur: Option<(BlockKind, Rc<[Container]>, usize)>,
    /// The current item has not yet received its first paragraph.
    item_open: bool,
    markup: Markup,
    html: HtmlSink,
}

/// Whether a document's diff holds only markup this module wrote itself. Only raw HTML from
/// the policy needs the (costly) ammonia pass: everything else is escaped and filtered here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Markup {
    OwnOnly,
    RawHtml,
}

/// A parsed version: its leaf blocks, each block's inline events (to split it into words
/// later, only if it changed) and whether they carry raw HTML.
pub(crate) struct Parsed<'a> {
    pub blocks: Vec<Block>,
    /// The blocks' keys, for matching them with another version's.
    pub keys: Keys,
    /// The whole document's events, borrowed from the caller where it had them: copying them
    /// was a visible share of parsing.
    events: Cow<'a, Events<'a>>,
    /// Where each block's inline events sit in `events`. A span may also hold structural
    /// events the block ignores (a table cell's end, an item's paragraph start): replaying
    /// skips those.
    spans: Vec<Range<usize>>,
    pub html: CellHtml,
    pub markup: Markup,
}

impl Parsed<'_> {
    /// Splits block `index` into words (see [`tokenise`]).
    pub fn tokenise(&mut self, index: usize, interner: &mut Interner) {
        let events = &self.events[self.spans[index].clone()];
        tokenise(&mut self.blocks[index], events, interner);
    }
}

/// The keys of `blocks`, in order.
pub(crate) fn keys(blocks: &[Block]) -> Keys {
    Keys::new(blocks.iter().map(|b| b.key).collect())
}

/// Keys only need to be equal for equal blocks and stable from run to run, so a fast
/// non-cryptographic hash does (SipHash was most of the cost of finishing a block).
fn hash_block<'h>(kind: &BlockKind, cells: impl Iterator<Item = &'h str>) -> u64 {
    let mut h = FastHash.build_hasher();
    kind.family().hash(&mut h);
    for c in cells {
        0xffff_ffffu32.hash(&mut h); // cell separator
        c.hash(&mut h);
    }
    h.finish()
}

/// Comment-only HTML blocks (lint pragmas) are invisible on the site: they are not blocks.
fn invisible(html: &str) -> bool {
    let t = html.trim();
    t.is_empty() || (t.starts_with("<!--") && t.ends_with("-->") && !t[4..].contains("<!--"))
}

impl<'a> Builder<'_, 'a> {
    fn flush(&mut self) {
        self.item_open = false;
        let Some((kind, path, start)) = self.cur.take() else {
            return;
        };
        let end = self.at;
        self.html.begin(&kind);
        replay(&kind, &self.events[start..end], &mut self.html);
        let html = self.html.finish();
        let cells = &self.html.html;
        if kind == BlockKind::Html
            && invisible(html.clone().next().map_or("", |k| cells.cell_at(k)))
        {
            return;
        }
        let content_key = hash_block(&kind, html.clone().map(|k| cells.cell_at(k)));
        // The words the heading's tokens would hold: every text the sink saw, atoms aside.
        let title = self.html.heading.take().map(|t| Rc::from(t.trim()));
        let mut h = FastHash.build_hasher();
        content_key.hash(&mut h);
        kind.hash(&mut h);
        path.hash(&mut h);
        self.blocks.push(Block {
            kind,
            path,
            cells: Vec::new(),
            html,
            tokenised: false,
            title,
            key: h.finish(),
            content_key,
        });
        self.spans.push(start..end);
    }

    /// Starts a block whose events follow the one being read.
    fn start(&mut self, kind: BlockKind) {
        self.start_at(kind, self.at + 1);
    }

    /// Starts a block whose events begin at index `first`.
    fn start_at(&mut self, kind: BlockKind, first: usize) {
        self.flush();
        // A list item closes and the next one opens between two items' blocks: their
        // path is usually the last block's again, so that one is shared rather than copied.
        let last = self.blocks.last().map(|b| &b.path);
        let path = self
            .shared_path
            .get_or_insert_with(|| match last {
                Some(p) if p[..] == self.path[..] => p.clone(),
                _ => Rc::from(&self.path[..]),
            })
            .clone();
        self.cur = Some((kind, path, first));
    }

    fn push_container(&mut self, c: Container) {
        self.path.push(c);
        self.shared_path = None;
    }

    fn pop_container(&mut self) {
        self.path.pop();
        self.shared_path = None;
    }

    /// Inline content (the event being read) outside any leaf (e.g. a tight list item)
    /// starts one.
    fn record(&mut self) {
        if self.cur.is_none() {
            self.start_at(BlockKind::Text, self.at);
        }
    }

    /// Reads event `at`.
    fn event(&mut self, at: usize) {
        self.at = at;
        let events = self.events;
        match &events[at].0 {
            Event::Start(tag) => self.start_tag(tag),
            Event::End(tag) => self.end_tag(*tag),
            Event::Html(_) => {
                if !matches!(self.cur, Some((BlockKind::Html, ..))) {
                    self.markup = Markup::RawHtml;
                }
                self.record();
            }
            Event::InlineHtml(_) => {
                self.markup = Markup::RawHtml;
                self.record()
            }
            Event::Rule => {
                self.start_at(BlockKind::Rule, at);
                self.flush();
            }
            _ => self.record(),
        }
    }

    fn start_tag(&mut self, tag: &Tag<'a>) {
        match tag {
            Tag::Paragraph => {
                if self.item_open {
                    self.item_open = false; // the item's first paragraph fills the item block
                } else {
                    self.start(BlockKind::Text);
                }
            }
            Tag::Heading { level, .. } => self.start(BlockKind::Heading(*level as u8)),
            Tag::BlockQuote(_) => {
                self.flush();
                self.push_container(Container::Quote);
            }
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(l) => l.split_whitespace().next().unwrap_or("").into(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.start(BlockKind::Code(lang));
            }
            Tag::HtmlBlock => self.start(BlockKind::Html),
            Tag::List(start) => {
                self.flush();
                self.push_container(Container::List {
                    ordered: start.is_some(),
                    start: *start,
                });
            }
            Tag::Item => {
                self.start(BlockKind::Item);
                self.push_container(Container::Item);
                self.item_open = true;
            }
            Tag::FootnoteDefinition(l) => {
                self.flush();
                self.push_container(Container::Footnote(l.to_string()));
            }
            Tag::Table(_) => {
                self.flush();
                self.push_container(Container::Table);
            }
            Tag::TableHead => {
                self.flush();
                self.push_container(Container::Head);
                self.start(BlockKind::Row { head: true });
            }
            Tag::TableRow => {
                if self.path.last() != Some(&Container::Body) {
                    self.push_container(Container::Body);
                }
                self.start(BlockKind::Row { head: false });
            }
            Tag::TableCell
            | Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. } => self.record(),
            // Definition lists and metadata blocks are not enabled by the site's options.
            _ => {}
        }
    }

    fn end_tag(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::HtmlBlock => {
                self.flush()
            }
            TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item | TagEnd::FootnoteDefinition => {
                self.flush();
                self.pop_container();
            }
            TagEnd::TableHead | TagEnd::TableRow => {
                self.flush();
                if tag == TagEnd::TableHead {
                    self.pop_container();
                }
            }
            TagEnd::Table => {
                self.flush();
                if self.path.last() == Some(&Container::Body) {
                    self.pop_container();
                }
                self.pop_container();
            }
            TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image => self.record(),
            _ => {}
        }
    }
}

/// Splits a block into interned words, once; unchanged blocks never need it.
pub(crate) fn tokenise(block: &mut Block, events: &Events, interner: &mut Interner) {
    if block.tokenised {
        return;
    }
    let source_len = match (events.first(), events.last()) {
        (Some((_, first)), Some((_, last))) => last.end.saturating_sub(first.start),
        _ => 0,
    };
    let mut sink = TokenSink::new(&block.kind, interner, source_len);
    replay(&block.kind, events, &mut sink);
    block.cells = sink.cells;
    block.tokenised = true;
}

/// Parses a Markdown body (no front matter) into fully tokenised leaf blocks.
#[cfg(test)]
pub(crate) fn parse(markdown: &str, interner: &mut Interner) -> Vec<Block> {
    parse_tokenised(markdown, interner).blocks
}

/// [`parse`], keeping the blocks' unchanged HTML.
#[cfg(test)]
pub(crate) fn parse_tokenised<'a>(markdown: &'a str, interner: &mut Interner) -> Parsed<'a> {
    let mut doc = parse_doc(markdown);
    for i in 0..doc.blocks.len() {
        doc.tokenise(i, interner);
    }
    doc
}

/// Parses a Markdown body (no front matter) into leaf blocks, noting any raw HTML. No block
/// is split into words yet; see [`tokenise`].
pub(crate) fn parse_doc(markdown: &str) -> Parsed<'_> {
    parse_events(Cow::Owned(crate::markdown::parse(markdown)))
}

/// [`parse_doc`] from events the site's parser already made ([`crate::markdown::parse`]), so a version
/// rendered for its page need not be parsed again for its diffs.
pub(crate) fn parse_events<'a>(events: Cow<'a, Events<'a>>) -> Parsed<'a> {
    // About one block per six events in policy prose (tables and lists have more): a little
    // room to spare, so that the vectors of blocks are not grown and copied.
    let blocks = events.len() / 5 + 4;
    // A block's HTML is about as long as its Markdown, links and all.
    let source_len = events.last().map_or(0, |(_, range)| range.end);
    let mut b = Builder {
        blocks: Vec::with_capacity(blocks),
        events: &events,
        at: 0,
        spans: Vec::with_capacity(blocks),
        path: Vec::new(),
        shared_path: None,
        cur: None,
        item_open: false,
        markup: Markup::OwnOnly,
        html: HtmlSink::with_capacity(source_len + source_len / 4, blocks + blocks / 2),
    };
    for at in 0..events.len() {
        b.event(at);
    }
    b.at = events.len();
    b.flush();
    let mut markup = b.markup;
    let mut doc = Parsed {
        keys: keys(&b.blocks),
        blocks: b.blocks,
        spans: b.spans,
        html: b.html.html,
        events,
        markup,
    };
    if doc.blocks.iter().any(|b| b.kind == BlockKind::Html) {
        markup = Markup::RawHtml;
    }
    doc.markup = markup;
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(md: &str) -> Vec<(BlockKind, usize, String)> {
        let mut i = Interner::new();
        parse(md, &mut i)
            .into_iter()
            .map(|b| (b.kind.clone(), b.path.len(), b.plain_text(&i)))
            .collect()
    }

    #[test]
    fn splits_into_leaf_blocks_with_paths() {
        let md = "# T\n\nPara one.\n\n* a\n* b\n  * c\n\n> quoted\n\n| h |\n|---|\n| r |\n\n```rust\nfn x() {}\n```\n\n<!-- lint -->\n";
        let k = kinds(md);
        assert_eq!(
            k,
            vec![
                (BlockKind::Heading(1), 0, "T".into()),
                (BlockKind::Text, 0, "Para one.".into()),
                (BlockKind::Item, 1, "a".into()),
                (BlockKind::Item, 1, "b".into()),
                (BlockKind::Item, 3, "c".into()),
                (BlockKind::Text, 1, "quoted".into()),
                (BlockKind::Row { head: true }, 2, "h".into()),
                (BlockKind::Row { head: false }, 2, "r".into()),
                (BlockKind::Code("rust".into()), 0, "fn x() {}".into()),
            ]
        );
    }

    #[test]
    fn loose_item_absorbs_first_paragraph_only() {
        let k = kinds("* first\n\n  second\n\n* next\n");
        assert_eq!(k[0], (BlockKind::Item, 1, "first".into()));
        assert_eq!(k[1], (BlockKind::Text, 2, "second".into()));
        assert_eq!(k[2], (BlockKind::Item, 1, "next".into()));
    }

    #[test]
    fn same_text_in_other_container_has_same_content_key_only() {
        let mut i = Interner::new();
        let a = parse("hello world\n", &mut i);
        let b = parse("> hello world\n", &mut i);
        assert_eq!(a[0].content_key, b[0].content_key);
        assert_ne!(a[0].key, b[0].key);
    }

    #[test]
    fn link_target_is_part_of_the_key() {
        let mut i = Interner::new();
        let a = parse("see [here](https://a.example)\n", &mut i);
        let b = parse("see [here](https://b.example)\n", &mut i);
        assert_ne!(a[0].content_key, b[0].content_key);
    }
}
