//! Markdown to safe HTML, with GitHub-style heading ids and everything the link checker needs.
//!
//! Policy text is data, never template syntax: the HTML made here is handed to templates as a
//! value, so `{{ … }}` in a policy is shown as written.

use std::collections::HashMap;

pub use pulldown_cmark::Event;
use pulldown_cmark::{CowStr, HeadingLevel, Options, Parser, Tag, TagEnd};

mod facts;
mod ids;

pub use facts::{LinkFacts, keep_facts_only};
use ids::IdAllocator;
pub use ids::github_slug;

/// The Markdown extensions every page and every diff uses.
pub fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// How a link's destination is written into the page, decided by the site that knows its URLs.
pub trait LinkResolver {
    fn resolve(&self, destination: &str) -> ResolvedLink;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedLink {
    pub href: String,
    pub kind: LinkKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// Under the site's prefix: checked, no `rel` needed.
    Internal,
    /// Root-relative but outside the prefix: the publisher's wider website.
    SameOrigin,
    /// Another origin: gets `rel="noopener noreferrer"`.
    External,
    /// `mailto:`, `tel:` and the like.
    Other,
    /// A scheme that is never safe (`javascript:`, `data:`…): replaced by `#`.
    Unsafe,
}

/// A resolver that leaves links as they are, for fragments rendered outside a site.
pub struct KeepLinks;

impl LinkResolver for KeepLinks {
    fn resolve(&self, destination: &str) -> ResolvedLink {
        ResolvedLink {
            href: destination.to_string(),
            kind: classify_scheme(destination),
        }
    }
}

/// Classifies a destination by its scheme alone.
pub fn classify_scheme(destination: &str) -> LinkKind {
    // Compared ignoring ASCII case rather than lower-cased into a new string: this runs for
    // every link of every page and diff.
    let trimmed = destination.trim();
    let scheme_end = trimmed
        .find(':')
        .filter(|&i| !trimmed[..i].contains(['/', '?', '#']));
    let is = |scheme: &str, name: &str| scheme.eq_ignore_ascii_case(name);
    match scheme_end.map(|i| &trimmed[..i]) {
        Some(s) if is(s, "http") || is(s, "https") => LinkKind::External,
        Some(s) if is(s, "mailto") || is(s, "tel") => LinkKind::Other,
        Some(_) => LinkKind::Unsafe,
        None if trimmed.starts_with("//") => LinkKind::External,
        None => LinkKind::Internal,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    /// The level as rendered (2–6): a body `#` becomes `h2`, because the title is the page's `h1`.
    pub level: u8,
    /// The level as written in the Markdown.
    pub written_level: u8,
    pub id: String,
    pub text: String,
    /// Byte offset in the body where the heading starts.
    #[serde(skip)]
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    pub destination: String,
    pub text: String,
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub source: String,
    pub alt: String,
    pub offset: usize,
}

/// A rendered document and the facts about it that checks and templates need.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub headings: Vec<Heading>,
    pub links: Vec<LinkRef>,
    pub images: Vec<ImageRef>,
    /// What link checking needs, once `keep_facts_only` has dropped the rest.
    pub facts: LinkFacts,
    /// Every `id="…"` value of `html`, when rendering knew them all.
    pub(crate) html_ids: HtmlIds,
}

/// Where the `id="…"` values of a rendered document's HTML are found.
#[derive(Debug, Clone, Default)]
pub(crate) enum HtmlIds {
    /// In the HTML itself, by scanning it: raw HTML (or a document made elsewhere) may hold any.
    #[default]
    Scan,
    /// Listed, in the order they occur, as the renderer wrote them. Without raw HTML the only
    /// ids are those of headings and footnote definitions: attribute values are escaped, and
    /// text could only hold `id="` if a text or code event held a `"`, which pulldown-cmark
    /// leaves as it is in text (smart punctuation curls those of prose). Saves a scan of every
    /// body for link facts.
    Known(Vec<String>),
}

impl Rendered {
    pub fn has_anchor(&self, id: &str) -> bool {
        self.heading_ids().any(|h| h == id)
            || self.facts.other_ids().any(|a| a == id)
            || self.html.contains(&format!("id=\"{id}\""))
    }

    /// The `##` sections as written, for a table of contents. Counted by the written level, not
    /// the rendered one: a body `#` demotes every `##` to `h3`, and the sections an editor wrote
    /// must still get their table of contents.
    pub fn sections(&self) -> Vec<&Heading> {
        self.headings
            .iter()
            .filter(|h| h.written_level == 2)
            .collect()
    }
}

/// Where the value of the first `id="` in `html` starts: `find("id=\"")` plus 4, but looking
/// for the rarer `=` byte first (a substring search over every page body showed in profiles).
fn find_id_attribute(html: &str) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut from = 0;
    while let Some(eq) = bytes[from..].iter().position(|&b| b == b'=') {
        let eq = from + eq;
        if eq >= 2 && &bytes[eq - 2..eq] == b"id" && bytes.get(eq + 1) == Some(&b'"') {
            return Some(eq + 2);
        }
        from = eq + 1;
    }
    None
}

fn level_number(level: HeadingLevel) -> u8 {
    level as u8
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped_html(&mut out, text);
    out
}

/// [`escape_html`] onto `out`: `&`, `<`, `>`, `"` and `'` (as `&#39;`), by pulldown-cmark's
/// escaper, which finds them sixteen bytes at a time and copies the runs between them whole.
pub fn push_escaped_html(out: &mut String, text: &str) {
    // Writing to a `String` cannot fail.
    let _ = pulldown_cmark_escape::escape_html(out, text);
}

/// The length of `text` once [`push_escaped_html`] has escaped it, to size strings exactly.
fn escaped_len(text: &str) -> usize {
    let extra: usize = text
        .bytes()
        .map(|b| match b {
            b'<' | b'>' => 3,
            b'&' | b'\'' => 4,
            b'"' => 5,
            _ => 0,
        })
        .sum();
    text.len() + extra
}

/// A body's parser events with their byte ranges: parsed once, read by its page and its diffs.
pub type Events<'a> = Vec<(Event<'a>, std::ops::Range<usize>)>;

/// Parses a Markdown body (front matter already stripped) with the site's extensions.
pub fn parse(body: &str) -> Events<'_> {
    // Sized up front from the body (about one event per 16 bytes of policy text): growing
    // the list by doubling copied every event several times per page.
    let mut events: Events = Vec::with_capacity(body.len() / 16 + 16);
    events.extend(Parser::new_ext(body, parser_options()).into_offset_iter());
    events
}

/// Renders a Markdown body. Raw HTML is sanitised; links are written as `resolver` says.
pub fn render(body: &str, resolver: &dyn LinkResolver, sanitizer: &Sanitizer) -> Rendered {
    render_events(&parse(body), resolver, sanitizer)
}

/// [`render`] from a body's [`parse`]d events, which are left as they are for its diffs.
pub fn render_events(
    events: &[(Event<'_>, std::ops::Range<usize>)],
    resolver: &dyn LinkResolver,
    sanitizer: &Sanitizer,
) -> Rendered {
    // What the whole document decides, in one pass over its events.
    let (mut has_raw_html, mut quoted_text, mut demote) = (false, false, false);
    let (mut headings, mut links) = (0, 0);
    let mut footnotes = Footnotes::default();
    for (event, _) in events {
        match event {
            Event::Html(_) | Event::InlineHtml(_) => has_raw_html = true,
            // `memchr` checks a vector register's worth of bytes at a time; the standard
            // library's search goes a word at a time, which showed in a large build's profile.
            Event::Text(t) | Event::Code(t) if !quoted_text => {
                quoted_text = memchr::memchr(b'"', t.as_bytes()).is_some()
            }
            Event::Start(Tag::Heading { level, .. }) => {
                demote |= *level == HeadingLevel::H1;
                headings += 1;
            }
            Event::Start(Tag::Link { .. }) => links += 1,
            Event::FootnoteReference(label) | Event::Start(Tag::FootnoteDefinition(label)) => {
                footnotes.number(label)
            }
            _ => {}
        }
    }

    let mut rewriter = Rewriter {
        resolver,
        footnotes,
        demote,
        ids: IdAllocator::with_capacity(headings),
        previous_level: 1,
        heading_close: None,
        rendered: Rendered {
            headings: Vec::with_capacity(headings),
            links: Vec::with_capacity(links),
            ..Rendered::default()
        },
        html_ids: Vec::with_capacity(headings),
    };
    let mut html = String::with_capacity(events.last().map_or(0, |(_, r)| r.end) * 3 / 2);
    // Rewritten as the HTML writer asks for them: collecting them into a second list first
    // wrote and read every event of every page once more.
    let rewritten = (0..events.len()).filter_map(|index| rewriter.rewrite(&events[index..]));
    pulldown_cmark::html::push_html(&mut html, rewritten);
    let Rewriter {
        mut rendered,
        html_ids,
        ..
    } = rewriter;
    (rendered.html, rendered.html_ids) = match (has_raw_html, quoted_text) {
        (true, _) => (sanitizer.clean(&html), HtmlIds::Scan),
        (false, true) => (html, HtmlIds::Scan),
        (false, false) => (html, HtmlIds::Known(html_ids)),
    };
    // Every body is held until its pages are written: spare capacity would add a fifth.
    rendered.html.shrink_to_fit();
    rendered
}

/// Rewrites a body's events one at a time for the HTML writer, and records its headings, links
/// and images as it goes.
struct Rewriter<'r> {
    resolver: &'r dyn LinkResolver,
    footnotes: Footnotes,
    /// Whether the body has an `h1`: then every heading goes one level down.
    demote: bool,
    ids: IdAllocator,
    /// The rendered level of the heading before. The page title is the `h1`; a heading may go
    /// at most one level deeper than the one before, because a skipped level (h1 → h3)
    /// misleads screen-reader users navigating by headings.
    previous_level: u8,
    /// The HTML that ends the heading being written, made with its start from the heading's
    /// text, which the start looks ahead for.
    heading_close: Option<String>,
    rendered: Rendered,
    /// Every `id="…"` value written, in order (see [`HtmlIds::Known`]).
    html_ids: Vec<String>,
}

impl Rewriter<'_> {
    /// The event to write for `following[0]`, which the events after it follow: headings with
    /// their ids and links, footnotes as [`Footnotes::html`] writes them, links and images
    /// rewritten (and recorded for the checks), any other event as it is; `None` for nothing.
    fn rewrite<'a>(
        &mut self,
        following: &[(Event<'a>, std::ops::Range<usize>)],
    ) -> Option<Event<'a>> {
        let (event, range) = &following[0];
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                Some(self.open_heading(*level, id.as_deref(), range, following))
            }
            Event::End(TagEnd::Heading(_)) => self.heading_close.take().map(html_event),
            Event::Start(Tag::FootnoteDefinition(label)) => {
                // As `Footnotes::html` writes it.
                let mut id = String::with_capacity(label.len() + 3);
                id.push_str("fn-");
                push_escaped_html(&mut id, label);
                self.html_ids.push(id);
                self.footnotes.html(event)
            }
            Event::FootnoteReference(_) | Event::End(TagEnd::FootnoteDefinition) => {
                self.footnotes.html(event)
            }
            Event::Start(Tag::Link {
                dest_url, title, ..
            }) => Some(self.link(dest_url, title, range, following)),
            Event::End(TagEnd::Link) => Some(Event::Html(CowStr::from("</a>"))),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let alt = text_until_end(following, |e| matches!(e, Event::End(TagEnd::Image)));
                self.rendered.images.push(ImageRef {
                    source: dest_url.to_string(),
                    alt,
                    offset: range.start,
                });
                let resolved = self.resolver.resolve(dest_url);
                let src = if matches!(resolved.kind, LinkKind::Unsafe | LinkKind::Other) {
                    String::new()
                } else {
                    resolved.href
                };
                Some(Event::Start(Tag::Image {
                    link_type: *link_type,
                    dest_url: CowStr::from(src),
                    title: title.clone(),
                    id: id.clone(),
                }))
            }
            other => Some(other.clone()),
        }
    }

    /// The heading's start, with its id; records the heading and keeps its end for later.
    fn open_heading<'a>(
        &mut self,
        written: HeadingLevel,
        explicit_id: Option<&str>,
        range: &std::ops::Range<usize>,
        following: &[(Event<'a>, std::ops::Range<usize>)],
    ) -> Event<'a> {
        let text = text_until_end(following, |e| matches!(e, Event::End(TagEnd::Heading(_))));
        let written_level = level_number(written);
        let level = if self.demote {
            (written_level + 1).min(6)
        } else {
            written_level
        }
        .min(self.previous_level + 1);
        self.previous_level = level;
        let id = match explicit_id {
            Some(explicit) => self.ids.allocate(explicit.to_string()),
            None => self.ids.allocate(github_slug(&text)),
        };
        let tag = char::from(b'0' + level);
        let escaped_id = escape_html(&id);
        // Sized exactly, so that making it an event does not reallocate it.
        let mut open = String::with_capacity(escaped_id.len() + 10);
        open.push_str("<h");
        open.push(tag);
        open.push_str(" id=\"");
        open.push_str(&escaped_id);
        open.push_str("\">");
        // Built by hand rather than with `format!`: a large build has a heading per few
        // hundred bytes of policy, and formatting showed in its profile. Sized exactly, like
        // `open`.
        const LINK_START: &str = " <a class=\"heading-link\" href=\"#";
        const LINK_MIDDLE: &str = "\"><span aria-hidden=\"true\">#</span><span class=\"visually-hidden\">Link to the section: ";
        const LINK_END: &str = "</span></a></h";
        let mut close = String::with_capacity(
            LINK_START.len()
                + escaped_id.len()
                + LINK_MIDDLE.len()
                + escaped_len(&text)
                + LINK_END.len()
                + 3,
        );
        close.push_str(LINK_START);
        close.push_str(&escaped_id);
        close.push_str(LINK_MIDDLE);
        push_escaped_html(&mut close, &text);
        close.push_str(LINK_END);
        close.push(tag);
        close.push_str(">\n");
        self.heading_close = Some(close);
        self.html_ids.push(escaped_id);
        self.rendered.headings.push(Heading {
            level,
            written_level,
            id,
            text,
            offset: range.start,
        });
        html_event(open)
    }

    /// The link's start tag, its destination as the resolver writes it; records the link.
    fn link<'a>(
        &mut self,
        destination: &str,
        title: &str,
        range: &std::ops::Range<usize>,
        following: &[(Event<'a>, std::ops::Range<usize>)],
    ) -> Event<'a> {
        let text = text_until_end(following, |e| matches!(e, Event::End(TagEnd::Link)));
        self.rendered.links.push(LinkRef {
            destination: destination.to_string(),
            text,
            offset: range.start,
        });
        let resolved = self.resolver.resolve(destination);
        let href = if resolved.kind == LinkKind::Unsafe {
            "#".to_string()
        } else {
            resolved.href
        };
        let rel = if resolved.kind == LinkKind::External {
            " rel=\"noopener noreferrer\""
        } else {
            ""
        };
        let mut html = String::with_capacity(href.len() + rel.len() + title.len() + 16);
        html.push_str("<a href=\"");
        push_escaped_html(&mut html, &href);
        html.push('"');
        html.push_str(rel);
        if !title.is_empty() {
            html.push_str(" title=\"");
            push_escaped_html(&mut html, title);
            html.push('"');
        }
        html.push('>');
        html_event(html)
    }
}

fn html_event(html: String) -> Event<'static> {
    Event::Html(CowStr::from(html))
}

/// Footnotes written as pulldown-cmark does, but with ids under `fn-`: its own ids are the bare
/// label, so `[^contact]` and a `## Contact` heading both got `id="contact"` and the footnote
/// link jumped to the heading.
#[derive(Default)]
struct Footnotes {
    /// Each label's number, in order of first appearance (reference or definition).
    numbers: HashMap<String, usize>,
}

impl Footnotes {
    /// Gives `label` the next number, unless it has one.
    fn number(&mut self, label: &str) {
        let next = self.numbers.len() + 1;
        if !self.numbers.contains_key(label) {
            self.numbers.insert(label.to_string(), next);
        }
    }

    /// The HTML that stands for a footnote event, `None` for any other event.
    fn html(&self, event: &Event<'_>) -> Option<Event<'static>> {
        let number = |label: &str| self.numbers.get(label).copied().unwrap_or_default();
        let html = match event {
            Event::FootnoteReference(label) => format!(
                "<sup class=\"footnote-reference\"><a href=\"#fn-{}\">{}</a></sup>",
                escape_html(label),
                number(label)
            ),
            Event::Start(Tag::FootnoteDefinition(label)) => format!(
                "\n<div class=\"footnote-definition\" id=\"fn-{}\"><sup class=\"footnote-definition-label\">{}</sup>",
                escape_html(label),
                number(label)
            ),
            Event::End(TagEnd::FootnoteDefinition) => "</div>\n".to_string(),
            _ => return None,
        };
        Some(Event::Html(CowStr::from(html)))
    }
}

fn text_until_end<'a>(
    events: &[(Event<'a>, std::ops::Range<usize>)],
    is_end: impl Fn(&Event) -> bool,
) -> String {
    let end = events
        .iter()
        .skip(1)
        .position(|(e, _)| is_end(e))
        .map_or(events.len(), |p| p + 1);
    plain_text(events[1.min(events.len())..end].iter().map(|(e, _)| e))
}

/// The visible text of a run of inline events.
pub fn plain_text<'a, 'b>(events: impl Iterator<Item = &'b Event<'a>>) -> String
where
    'a: 'b,
{
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    // Trimmed in place: a trimmed copy was a second allocation for every heading and link.
    text.truncate(text.trim_end().len());
    let leading = text.len() - text.trim_start().len();
    text.drain(..leading);
    text
}

/// The allow-list for raw HTML in policies: no scripts, no event handlers, no `javascript:`.
pub struct Sanitizer {
    builder: ammonia::Builder<'static>,
}

impl Default for Sanitizer {
    fn default() -> Self {
        let mut builder = ammonia::Builder::default();
        builder
            .link_rel(None)
            .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
            .url_relative(ammonia::UrlRelative::PassThrough)
            .add_generic_attributes(["id", "class", "lang", "dir"])
            .add_tags(["ins", "del", "details", "summary", "section", "nav"])
            .add_tag_attributes("a", ["rel"])
            .add_tag_attributes("ins", ["datetime"])
            .add_tag_attributes("del", ["datetime"])
            .add_tag_attributes("span", ["aria-hidden"])
            .add_tag_attributes("th", ["scope"]);
        Sanitizer { builder }
    }
}

impl Sanitizer {
    pub fn clean(&self, html: &str) -> String {
        self.builder.clean(html).to_string()
    }
}

#[cfg(test)]
mod tests;
