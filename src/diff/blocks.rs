//! Markdown -> a flat list of leaf blocks, each remembering its containers.
//!
//! Flattening (instead of keeping a tree) lets the block matcher treat a
//! document as one sequence, while the container path on every block lets
//! the renderer rebuild valid `<ul>/<li>`, `<table>/<tbody>/<tr>` and
//! `<blockquote>` nesting for any mix of old and new blocks.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use super::escape::{attr, text};
use super::words::{Interner, StyleEl, TokKind, Token};
use crate::markdown::{LinkKind, classify_scheme};

/// Must match the options the site renders policies with.
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

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
    /// Enclosing containers, outermost first.
    pub path: Vec<Container>,
    /// Table rows have one entry per cell; every other block has exactly one.
    pub cells: Vec<Vec<Token>>,
    /// Equality of content AND structure: used to find unchanged blocks.
    pub key: u64,
    /// Equality of content only: used to detect moves.
    pub content_key: u64,
}

impl Block {
    pub fn tokens(&self) -> impl Iterator<Item = &Token> {
        self.cells.iter().flatten()
    }

    /// The visible text, e.g. for a section title in the summary.
    pub fn plain_text(&self) -> String {
        self.tokens()
            .filter(|t| t.kind != TokKind::Atom)
            .map(|t| &*t.text)
            .collect::<String>()
            .trim()
            .to_string()
    }
}

struct Builder<'i> {
    interner: &'i mut Interner,
    blocks: Vec<Block>,
    path: Vec<Container>,
    cur: Option<(BlockKind, Vec<Container>, Vec<Vec<Token>>)>,
    styles: Vec<u32>,
    /// The current item has not yet received its first paragraph.
    item_open: bool,
    /// Alt text being collected for an image: (src, title, alt).
    image: Option<(String, String, String)>,
    markup: Markup,
}

/// Whether a document's diff holds only markup this module wrote itself. Only raw HTML from
/// the policy needs the (costly) ammonia pass: everything else is escaped and filtered here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Markup {
    OwnOnly,
    RawHtml,
}

/// A parsed version: its leaf blocks and whether they carry raw HTML.
pub(crate) struct Parsed {
    pub blocks: Vec<Block>,
    pub markup: Markup,
}

/// A link or image destination made safe without ammonia: a never-safe scheme becomes `#`.
fn safe_url(url: &str) -> &str {
    match classify_scheme(url) {
        LinkKind::Unsafe => "#",
        _ => url,
    }
}

impl Builder<'_> {
    fn flush(&mut self) {
        self.item_open = false;
        let Some((kind, path, cells)) = self.cur.take() else {
            return;
        };
        let mut h = DefaultHasher::new();
        kind.family().hash(&mut h);
        for c in &cells {
            0xffff_ffffu32.hash(&mut h); // cell separator
            for t in c {
                t.id.hash(&mut h);
            }
        }
        let content_key = h.finish();
        kind.hash(&mut h);
        path.hash(&mut h);
        self.blocks.push(Block {
            kind,
            path,
            cells,
            key: h.finish(),
            content_key,
        });
    }

    fn start(&mut self, kind: BlockKind) {
        self.flush();
        self.styles.clear();
        self.cur = Some((kind, self.path.clone(), vec![Vec::new()]));
    }

    /// Inline content outside any leaf (e.g. a tight list item) starts one.
    fn tokens(&mut self) -> &mut Vec<Token> {
        if self.cur.is_none() {
            self.start(BlockKind::Text);
        }
        let cur = self.cur.as_mut().expect("just started");
        cur.2.last_mut().expect("at least one cell")
    }

    fn style(&mut self) -> u32 {
        let s = self.styles.clone();
        self.interner.stack_id(&s)
    }

    fn push_text(&mut self, t: &str) {
        if let Some(img) = self.image.as_mut() {
            img.2.push_str(t);
            return;
        }
        let style = self.style();
        self.tokens();
        let cur = self.cur.as_mut().expect("started");
        let cell = cur.2.last_mut().expect("cell");
        self.interner.push_text(cell, t, style);
    }

    fn push_atom(&mut self, html: String) {
        let style = self.style();
        let tok = self.interner.token(&html, TokKind::Atom, style);
        self.tokens().push(tok);
    }

    fn push_style(&mut self, open: String, close: &'static str) {
        let id = self.interner.el_id(StyleEl { open, close });
        self.styles.push(id);
    }

    fn event(&mut self, ev: Event) {
        match ev {
            Event::Start(tag) => self.start_tag(tag),
            Event::End(tag) => self.end_tag(tag),
            Event::Text(t) => self.push_text(&t),
            Event::Code(t) => {
                self.push_style("<code>".into(), "</code>");
                self.push_text(&t);
                self.styles.pop();
            }
            Event::Html(t) => {
                if let Some((BlockKind::Html, _, cells)) = self.cur.as_mut() {
                    // raw block HTML is kept whole: splitting it could break tags
                    let cell = &mut cells[0];
                    match cell.first_mut() {
                        Some(tok) => tok.text = format!("{}{t}", tok.text).into(),
                        None => cell.push(Token {
                            text: Rc::from(&*t),
                            kind: TokKind::Atom,
                            style: 0,
                            id: 0,
                        }),
                    }
                } else {
                    self.markup = Markup::RawHtml;
                    self.push_atom(t.to_string());
                }
            }
            Event::InlineHtml(t) => {
                self.markup = Markup::RawHtml;
                self.push_atom(t.to_string())
            }
            Event::InlineMath(t) | Event::DisplayMath(t) => self.push_text(&t),
            Event::FootnoteReference(l) => self.push_atom(format!(
                "<sup class=\"footnote-reference\"><a href=\"#fn-{}\">{}</a></sup>",
                attr(&l),
                text(&l)
            )),
            Event::SoftBreak => self.push_text(" "),
            Event::HardBreak => self.push_atom("<br>".into()),
            Event::Rule => {
                self.start(BlockKind::Rule);
                self.flush();
            }
            Event::TaskListMarker(done) => {
                self.push_text(if done { "[x] " } else { "[ ] " });
            }
        }
    }

    fn start_tag(&mut self, tag: Tag) {
        match tag {
            Tag::Paragraph => {
                if self.item_open {
                    self.item_open = false; // the item's first paragraph fills the item block
                } else {
                    self.start(BlockKind::Text);
                }
            }
            Tag::Heading { level, .. } => self.start(BlockKind::Heading(level as u8)),
            Tag::BlockQuote(_) => {
                self.flush();
                self.path.push(Container::Quote);
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
                self.path.push(Container::List {
                    ordered: start.is_some(),
                    start,
                });
            }
            Tag::Item => {
                self.start(BlockKind::Item);
                self.path.push(Container::Item);
                self.item_open = true;
            }
            Tag::FootnoteDefinition(l) => {
                self.flush();
                self.path.push(Container::Footnote(l.to_string()));
            }
            Tag::Table(_) => {
                self.flush();
                self.path.push(Container::Table);
            }
            Tag::TableHead => {
                self.flush();
                self.path.push(Container::Head);
                self.start(BlockKind::Row { head: true });
                if let Some(c) = self.cur.as_mut() {
                    c.2.clear();
                }
            }
            Tag::TableRow => {
                if self.path.last() != Some(&Container::Body) {
                    self.path.push(Container::Body);
                }
                self.start(BlockKind::Row { head: false });
                if let Some(c) = self.cur.as_mut() {
                    c.2.clear();
                }
            }
            Tag::TableCell => {
                self.styles.clear();
                if let Some(c) = self.cur.as_mut() {
                    c.2.push(Vec::new());
                }
            }
            Tag::Emphasis => self.push_style("<em>".into(), "</em>"),
            Tag::Strong => self.push_style("<strong>".into(), "</strong>"),
            Tag::Strikethrough => self.push_style("<s>".into(), "</s>"),
            Tag::Superscript => self.push_style("<sup>".into(), "</sup>"),
            Tag::Subscript => self.push_style("<sub>".into(), "</sub>"),
            Tag::Link {
                dest_url, title, ..
            } => {
                let mut open = format!("<a href=\"{}\"", attr(safe_url(&dest_url)));
                if !title.is_empty() {
                    open.push_str(&format!(" title=\"{}\"", attr(&title)));
                }
                // As on the policy pages: only links to other origins get `rel`.
                if classify_scheme(&dest_url) == LinkKind::External {
                    open.push_str(" rel=\"noopener noreferrer\"");
                }
                open.push('>');
                self.push_style(open, "</a>");
            }
            Tag::Image {
                dest_url, title, ..
            } => self.image = Some((dest_url.to_string(), title.to_string(), String::new())),
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
                self.path.pop();
            }
            TagEnd::TableHead | TagEnd::TableRow => {
                self.flush();
                if tag == TagEnd::TableHead {
                    self.path.pop();
                }
            }
            TagEnd::Table => {
                self.flush();
                if self.path.last() == Some(&Container::Body) {
                    self.path.pop();
                }
                self.path.pop();
            }
            TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link => {
                self.styles.pop();
            }
            TagEnd::Image => {
                if let Some((src, title, alt)) = self.image.take() {
                    let mut html = format!(
                        "<img src=\"{}\" alt=\"{}\"",
                        attr(safe_url(&src)),
                        attr(&alt)
                    );
                    if !title.is_empty() {
                        html.push_str(&format!(" title=\"{}\"", attr(&title)));
                    }
                    html.push('>');
                    self.push_atom(html);
                }
            }
            _ => {}
        }
    }
}

/// Parses a Markdown body (no front matter) into leaf blocks.
#[cfg(test)]
pub(crate) fn parse(markdown: &str, interner: &mut Interner) -> Vec<Block> {
    parse_doc(markdown, interner).blocks
}

/// Parses a Markdown body (no front matter) into leaf blocks, noting any raw HTML.
pub(crate) fn parse_doc(markdown: &str, interner: &mut Interner) -> Parsed {
    let mut b = Builder {
        interner,
        blocks: Vec::new(),
        path: Vec::new(),
        cur: None,
        styles: Vec::new(),
        item_open: false,
        image: None,
        markup: Markup::OwnOnly,
    };
    for ev in Parser::new_ext(markdown, options()) {
        b.event(ev);
    }
    b.flush();
    let mut markup = b.markup;
    let mut blocks = b.blocks;
    // Comment-only HTML blocks (lint pragmas) are invisible on the site: drop them.
    blocks.retain(|bl| {
        if bl.kind != BlockKind::Html {
            return true;
        }
        let t = bl.cells[0].first().map(|t| t.text.trim()).unwrap_or("");
        !(t.is_empty() || (t.starts_with("<!--") && t.ends_with("-->") && !t[4..].contains("<!--")))
    });
    // Raw HTML blocks were built by concatenation: give them real ids now.
    for bl in blocks.iter_mut().filter(|b| b.kind == BlockKind::Html) {
        let mut toks = Vec::new();
        for t in bl.cells[0].drain(..) {
            toks.push(interner.token(&t.text, TokKind::Atom, 0));
        }
        let mut h = DefaultHasher::new();
        for t in &toks {
            t.id.hash(&mut h);
        }
        bl.content_key = h.finish();
        bl.path.hash(&mut h);
        bl.key = h.finish();
        bl.cells[0] = toks;
        markup = Markup::RawHtml;
    }
    Parsed { blocks, markup }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(md: &str) -> Vec<(BlockKind, usize, String)> {
        let mut i = Interner::new();
        parse(md, &mut i)
            .into_iter()
            .map(|b| (b.kind.clone(), b.path.len(), b.plain_text()))
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
