//! Inline content of one leaf block, replayed from its recorded parser events.
//!
//! Neighbouring versions differ in a few paragraphs, so splitting every block into
//! interned words (the costly part of a diff) is wasted on the unchanged ones. The parser
//! records each block's inline events; replaying them into [`HtmlSink`] gives the block's
//! unchanged rendering (and its matching key), and replaying them into [`TokenSink`] gives
//! the words, only for blocks in changed stretches.

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd};

use super::blocks::{Block, BlockKind};
use super::escape::{push_attr, push_text};
use super::words::{Interner, StyleEl, TokKind, Token};
use crate::markdown::{LinkKind, classify_scheme};

/// Receives a block's inline content, cell by cell.
pub(crate) trait Sink {
    fn text(&mut self, t: &str);
    fn atom(&mut self, html: &str);
    fn push_style(&mut self, el: StyleEl);
    fn pop_style(&mut self);
    fn clear_styles(&mut self);
    /// Starts a new table cell.
    fn cell(&mut self);
}

/// A link or image destination made safe without ammonia: a never-safe scheme becomes `#`.
fn safe_url(url: &str, kind: LinkKind) -> &str {
    match kind {
        LinkKind::Unsafe => "#",
        _ => url,
    }
}

fn el(open: &'static str, close: &'static str) -> StyleEl {
    StyleEl {
        open: Cow::Borrowed(open),
        close,
    }
}

/// An image whose alt text is being collected.
struct Image<'e> {
    src: &'e str,
    title: &'e str,
    alt: String,
}

/// Text goes into the alt text of an open image, else into the block.
fn text_or_alt(image: &mut Option<Image>, sink: &mut impl Sink, t: &str) {
    match image.as_mut() {
        Some(img) => img.alt.push_str(t),
        None => sink.text(t),
    }
}

/// Feeds one block's recorded events to `sink`.
pub(crate) fn replay(kind: &BlockKind, events: &[(Event, Range<usize>)], sink: &mut impl Sink) {
    let mut image: Option<Image> = None;
    // Reused for every piece of ready-made markup this block needs.
    let mut markup = String::new();
    // Raw block HTML is kept whole: splitting it could break tags.
    let mut raw_block: Option<String> = None;
    for (ev, _) in events {
        match ev {
            Event::Text(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                text_or_alt(&mut image, sink, t)
            }
            Event::Code(t) => {
                sink.push_style(el("<code>", "</code>"));
                text_or_alt(&mut image, sink, t);
                sink.pop_style();
            }
            Event::Html(t) if *kind == BlockKind::Html => {
                raw_block.get_or_insert_with(String::new).push_str(t)
            }
            Event::Html(t) | Event::InlineHtml(t) => sink.atom(t),
            Event::FootnoteReference(l) => {
                markup.clear();
                markup.push_str("<sup class=\"footnote-reference\"><a href=\"#fn-");
                push_attr(&mut markup, l);
                markup.push_str("\">");
                push_text(&mut markup, l);
                markup.push_str("</a></sup>");
                sink.atom(&markup);
            }
            Event::SoftBreak => text_or_alt(&mut image, sink, " "),
            Event::HardBreak => sink.atom("<br>"),
            Event::TaskListMarker(done) => {
                text_or_alt(&mut image, sink, if *done { "[x] " } else { "[ ] " })
            }
            Event::Start(tag) => match tag {
                Tag::TableCell => {
                    sink.clear_styles();
                    sink.cell();
                }
                Tag::Emphasis => sink.push_style(el("<em>", "</em>")),
                Tag::Strong => sink.push_style(el("<strong>", "</strong>")),
                Tag::Strikethrough => sink.push_style(el("<s>", "</s>")),
                Tag::Superscript => sink.push_style(el("<sup>", "</sup>")),
                Tag::Subscript => sink.push_style(el("<sub>", "</sub>")),
                Tag::Link {
                    dest_url, title, ..
                } => {
                    let kind = classify_scheme(dest_url);
                    let mut open = String::with_capacity(dest_url.len() + 48);
                    open.push_str("<a href=\"");
                    push_attr(&mut open, safe_url(dest_url, kind));
                    open.push('"');
                    if !title.is_empty() {
                        open.push_str(" title=\"");
                        push_attr(&mut open, title);
                        open.push('"');
                    }
                    // As on the policy pages: only links to other origins get `rel`.
                    if kind == LinkKind::External {
                        open.push_str(" rel=\"noopener noreferrer\"");
                    }
                    open.push('>');
                    sink.push_style(StyleEl {
                        open: Cow::Owned(open),
                        close: "</a>",
                    });
                }
                Tag::Image {
                    dest_url, title, ..
                } => {
                    image = Some(Image {
                        src: dest_url,
                        title,
                        alt: String::new(),
                    })
                }
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link => sink.pop_style(),
                TagEnd::Image => {
                    if let Some(img) = image.take() {
                        markup.clear();
                        markup.push_str("<img src=\"");
                        push_attr(&mut markup, safe_url(img.src, classify_scheme(img.src)));
                        markup.push_str("\" alt=\"");
                        push_attr(&mut markup, &img.alt);
                        markup.push('"');
                        if !img.title.is_empty() {
                            markup.push_str(" title=\"");
                            push_attr(&mut markup, img.title);
                            markup.push('"');
                        }
                        markup.push('>');
                        sink.atom(&markup);
                    }
                }
                _ => {}
            },
            Event::Rule => {}
        }
    }
    if let Some(raw) = raw_block {
        sink.atom(&raw);
    }
}

/// The unchanged HTML of every cell of a document's blocks, one after another in one buffer
/// (a string per block was a large share of a diff's allocations); see [`Block::html`].
#[derive(Debug, Default)]
pub(crate) struct CellHtml {
    text: String,
    /// Where each cell sits in `text`.
    cells: Vec<Range<usize>>,
}

impl CellHtml {
    /// Cell `k` of `block`, which must belong to this document.
    pub fn cell(&self, block: &Block, k: usize) -> &str {
        &self.text[self.cells[block.html.start as usize + k].clone()]
    }

    /// Cell `k` of the document, counting every block's cells.
    pub fn cell_at(&self, k: u32) -> &str {
        &self.text[self.cells[k as usize].clone()]
    }

    /// About how many bytes the document's unchanged HTML takes.
    pub fn len(&self) -> usize {
        self.text.len()
    }
}

/// Writes each block's cells exactly as the inline writer writes unchanged tokens, into one
/// [`CellHtml`] for the whole document.
#[derive(Default)]
pub(crate) struct HtmlSink {
    pub html: CellHtml,
    /// Where the open cell starts in `html.text`, if one is open.
    cell: Option<usize>,
    /// The first of the current block's cells.
    first: usize,
    /// Every style the current block pushed, so that `styles` and `open` can name one by
    /// its place here: keeping a written link open took a copy of its tag.
    pushed: Vec<StyleEl>,
    /// The styles in force, as places in `pushed`.
    styles: Vec<usize>,
    /// The styles whose tags are written and not yet closed, as places in `pushed`.
    open: Vec<usize>,
    /// A heading's text as it is replayed (see [`Block::title`]); `None` for other blocks.
    pub heading: Option<String>,
}

impl HtmlSink {
    /// A sink with room for about `bytes` of HTML in about `cells` cells, so that the document
    /// is written without growing (and copying) it again and again.
    pub fn with_capacity(bytes: usize, cells: usize) -> Self {
        Self {
            html: CellHtml {
                text: String::with_capacity(bytes),
                cells: Vec::with_capacity(cells),
            },
            ..Self::default()
        }
    }

    /// Starts a block of `kind`: table rows start without a cell, other blocks with one.
    pub fn begin(&mut self, kind: &BlockKind) {
        self.first = self.html.cells.len();
        self.pushed.clear();
        self.styles.clear();
        self.heading = matches!(kind, BlockKind::Heading(_)).then(String::new);
        self.open.clear();
        self.cell = (!matches!(kind, BlockKind::Row { .. })).then_some(self.html.text.len());
    }

    fn sync(&mut self) {
        // Most text is plain: no style to open or close, so nothing to compare.
        if self.cell.is_none() || (self.open.is_empty() && self.styles.is_empty()) {
            return;
        }
        let out = &mut self.html.text;
        let pushed = &self.pushed;
        // Equal tags stay open even when pushed twice (two neighbouring links to one place).
        let p = self
            .open
            .iter()
            .zip(&self.styles)
            .take_while(|&(&a, &b)| a == b || pushed[a] == pushed[b])
            .count();
        while self.open.len() > p {
            let el = self.open.pop().expect("non-empty");
            out.push_str(pushed[el].close);
        }
        for &el in &self.styles[p..] {
            out.push_str(&pushed[el].open);
            self.open.push(el);
        }
    }

    /// Closes the open cell, if any.
    fn end_cell(&mut self) {
        if let Some(start) = self.cell.take() {
            while let Some(el) = self.open.pop() {
                self.html.text.push_str(self.pushed[el].close);
            }
            self.html.cells.push(start..self.html.text.len());
        }
        self.open.clear();
    }

    /// Ends the block; its cells are this range of [`CellHtml`] cells.
    pub fn finish(&mut self) -> Range<u32> {
        self.end_cell();
        self.first as u32..self.html.cells.len() as u32
    }
}

impl Sink for HtmlSink {
    fn text(&mut self, t: &str) {
        if t.is_empty() {
            return;
        }
        if let Some(heading) = &mut self.heading {
            heading.push_str(t);
        }
        self.sync();
        if self.cell.is_some() {
            push_text(&mut self.html.text, t);
        }
    }
    fn atom(&mut self, html: &str) {
        self.sync();
        if self.cell.is_some() {
            self.html.text.push_str(html);
        }
    }
    fn push_style(&mut self, el: StyleEl) {
        self.styles.push(self.pushed.len());
        self.pushed.push(el);
    }
    fn pop_style(&mut self) {
        self.styles.pop();
    }
    fn clear_styles(&mut self) {
        self.styles.clear();
    }
    fn cell(&mut self) {
        self.end_cell();
        self.cell = Some(self.html.text.len());
    }
}

/// Splits a block's cells into interned tokens, as the word diff needs them.
pub(crate) struct TokenSink<'i> {
    pub interner: &'i mut Interner,
    pub cells: Vec<Vec<Token>>,
    styles: Vec<u32>,
    /// Interned id of `styles`, looked up again only after it changes.
    style: Option<u32>,
}

impl<'i> TokenSink<'i> {
    /// A sink for a block of `kind` whose Markdown is `source_len` bytes long.
    pub fn new(kind: &BlockKind, interner: &'i mut Interner, source_len: usize) -> Self {
        let cells = if matches!(kind, BlockKind::Row { .. }) {
            Vec::new()
        } else {
            // About one token per three bytes of prose: room for the block's tokens at once,
            // rather than growing (or checking for room) text by text.
            vec![Vec::with_capacity(source_len / 3 + 1)]
        };
        Self {
            interner,
            cells,
            styles: Vec::new(),
            style: None,
        }
    }

    fn style(&mut self) -> u32 {
        match self.style {
            Some(id) => id,
            None => {
                let id = self.interner.stack_id(&self.styles);
                self.style = Some(id);
                id
            }
        }
    }
}

impl Sink for TokenSink<'_> {
    fn text(&mut self, t: &str) {
        let style = self.style();
        if let Some(cell) = self.cells.last_mut() {
            self.interner.push_text(cell, t, style);
        }
    }
    fn atom(&mut self, html: &str) {
        let style = self.style();
        let tok = self.interner.token(html, TokKind::Atom, style);
        if let Some(cell) = self.cells.last_mut() {
            cell.push(tok);
        }
    }
    fn push_style(&mut self, el: StyleEl) {
        let id = self.interner.el_id(el);
        self.styles.push(id);
        self.style = None;
    }
    fn pop_style(&mut self) {
        self.styles.pop();
        self.style = None;
    }
    fn clear_styles(&mut self) {
        self.styles.clear();
        self.style = None;
    }
    fn cell(&mut self) {
        self.cells.push(Vec::new());
    }
}
