//! Checks on one Markdown body: things that make a page hard to use with a screen reader or
//! hard to read, which the build itself cannot call errors.
//!
//! The body is parsed again here rather than widening `markdown::Rendered`, because these
//! checks need facts (link text with images inside, paragraph text, raw HTML) that rendering
//! has no use for.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::prose::{self, MappedText};
use crate::diagnostics::{Diagnostic, Location};
use crate::markdown::parser_options;

/// One Markdown body and where it sits in its file.
pub struct Document<'a> {
    pub file: &'a Path,
    pub body: &'a str,
    pub body_line: usize,
    /// The plain-language limit from `site.yaml`.
    pub max_sentence_words: usize,
}

impl Document<'_> {
    fn at(&self, offset: usize) -> Location {
        Location::at_offset(self.file, self.body, offset, self.body_line)
    }
}

/// Link text that says nothing about where the link goes once read out of context, as screen
/// reader users often hear links (in a list of the page's links).
const VAGUE_LINK_TEXT: &[&str] = &[
    "click here",
    "click",
    "here",
    "read more",
    "more",
    "learn more",
    "find out more",
    "this link",
    "link",
    "this page",
    "this",
];

/// A link being read: its text so far and whether an image inside it names it.
struct OpenLink {
    offset: usize,
    text: String,
    named_by_image: bool,
}

struct OpenImage {
    offset: usize,
    alt: String,
}

struct OpenHeading {
    offset: usize,
    level: u8,
    text: String,
}

/// What the walk over the events is inside of.
#[derive(Default)]
struct Walk {
    link: Option<OpenLink>,
    image: Option<OpenImage>,
    heading: Option<OpenHeading>,
    prose: Option<MappedText>,
    code_depth: usize,
    table_depth: usize,
    html: MappedText,
    /// The level of the previous heading; the page title is level 1.
    previous_level: u8,
    /// Heading text (lower case) → the line it was first used on.
    heading_lines: HashMap<String, usize>,
}

/// Every finding in one document, in source order.
pub fn check(document: &Document) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut walk = Walk {
        previous_level: 1,
        ..Walk::default()
    };
    for (event, range) in Parser::new_ext(document.body, parser_options()).into_offset_iter() {
        visit(document, &mut walk, event, range, &mut problems);
    }
    if let Some(prose) = walk.prose.take() {
        problems.extend(prose::long_sentences(document, &prose));
    }
    problems.extend(check_raw_html(document, &walk.html));
    problems.sort_by(|a, b| a.location.cmp(&b.location));
    problems
}

fn visit(
    document: &Document,
    walk: &mut Walk,
    event: Event,
    range: Range<usize>,
    problems: &mut Vec<Diagnostic>,
) {
    match event {
        Event::Start(Tag::Paragraph | Tag::Item) | Event::End(TagEnd::Paragraph | TagEnd::Item) => {
            if let Some(prose) = walk.prose.take() {
                problems.extend(prose::long_sentences(document, &prose));
            }
            if matches!(event, Event::Start(_)) {
                walk.prose = Some(MappedText::default());
            }
        }
        Event::Start(Tag::CodeBlock(_)) => walk.code_depth += 1,
        Event::End(TagEnd::CodeBlock) => walk.code_depth = walk.code_depth.saturating_sub(1),
        Event::Start(Tag::Table(_)) => walk.table_depth += 1,
        Event::End(TagEnd::Table) => walk.table_depth = walk.table_depth.saturating_sub(1),
        Event::Start(Tag::Heading { level, .. }) => {
            walk.heading = Some(OpenHeading {
                offset: range.start,
                level: level as u8,
                text: String::new(),
            });
        }
        Event::End(TagEnd::Heading(_)) => {
            if let Some(heading) = walk.heading.take() {
                problems.extend(check_heading(document, walk, heading));
            }
        }
        Event::Start(Tag::Link { .. }) => {
            walk.link = Some(OpenLink {
                offset: range.start,
                text: String::new(),
                named_by_image: false,
            })
        }
        Event::End(TagEnd::Link) => {
            if let Some(link) = walk.link.take() {
                problems.extend(check_link(document, &link));
            }
        }
        Event::Start(Tag::Image { .. }) => {
            walk.image = Some(OpenImage {
                offset: range.start,
                alt: String::new(),
            })
        }
        Event::End(TagEnd::Image) => {
            if let Some(image) = walk.image.take() {
                if image.alt.trim().is_empty() {
                    problems.push(missing_alt(document.at(image.offset)));
                } else if let Some(link) = &mut walk.link {
                    link.named_by_image = true;
                }
            }
        }
        Event::Text(text) | Event::Code(text) => add_text(walk, &text, range.start),
        Event::SoftBreak | Event::HardBreak => add_text(walk, " ", range.start),
        Event::Html(html) | Event::InlineHtml(html) => walk.html.push(&html, range.start),
        _ => {}
    }
}

/// Text goes to whatever is open: an image's alt text is not part of the sentence around it.
fn add_text(walk: &mut Walk, text: &str, offset: usize) {
    if let Some(image) = &mut walk.image {
        image.alt.push_str(text);
        return;
    }
    if let Some(link) = &mut walk.link {
        link.text.push_str(text);
    }
    if let Some(heading) = &mut walk.heading {
        heading.text.push_str(text);
    } else if walk.code_depth == 0
        && walk.table_depth == 0
        && let Some(prose) = &mut walk.prose
    {
        prose.push(text, offset);
    }
}

fn missing_alt(location: Location) -> Diagnostic {
    Diagnostic::error("image-missing-alt", location, "This image has no alt text, so people using a screen reader are not told what it shows")
        .with_hint("Describe the image between the square brackets, e.g. `![The Northmoor Constabulary crest](crest.svg)`.")
}

fn check_heading(document: &Document, walk: &mut Walk, heading: OpenHeading) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let location = document.at(heading.offset);
    let text = heading.text.trim().to_string();
    if heading.level == 1 {
        problems.push(
            Diagnostic::warning("heading-h1", location.clone(), format!("The heading \"{text}\" is a top-level (`#`) heading, but the page title is already the top-level heading"))
                .with_hint("Start sections with `##`, and use `###` for the parts inside them."),
        );
    } else if heading.level > walk.previous_level + 1 {
        let expected = "#".repeat(usize::from(walk.previous_level) + 1);
        problems.push(
            Diagnostic::warning(
                "heading-skipped-level",
                location.clone(),
                format!("The heading \"{text}\" jumps from level {} to level {}, skipping a level", walk.previous_level, heading.level),
            )
            .with_hint(format!("Screen reader users navigate by heading level; use `{expected}` here, or add the missing level above it.")),
        );
    }
    walk.previous_level = heading.level;
    let key = text.to_lowercase();
    if let Some(first_line) = walk.heading_lines.get(&key) {
        problems.push(
            Diagnostic::warning("duplicate-heading", location, format!("The heading \"{text}\" is used twice on this page (first on line {first_line})"))
                .with_hint("Give each section a heading that says what is different about it, so the contents list and links to it make sense."),
        );
    } else {
        walk.heading_lines.insert(key, location.line);
    }
    problems
}

fn check_link(document: &Document, link: &OpenLink) -> Option<Diagnostic> {
    let location = document.at(link.offset);
    let text = link.text.trim();
    if text.is_empty() {
        if link.named_by_image {
            return None;
        }
        return Some(
            Diagnostic::error("empty-link", location, "This link has no text, so nobody can tell where it goes")
                .with_hint("Put words that describe the destination between the square brackets: `[how to complain](complaints/)`."),
        );
    }
    let normalised = text.trim_end_matches(['.', ':', '!', '…']).to_lowercase();
    let bare_url = ["http://", "https://", "www."]
        .iter()
        .any(|p| normalised.starts_with(p));
    if bare_url {
        return Some(
            Diagnostic::warning("vague-link-text", location, format!("The link text is a bare web address ({text}), which screen readers read out character by character"))
                .with_hint("Describe the destination instead, e.g. `[the Information Commissioner's website](https://ico.org.uk/)`."),
        );
    }
    if VAGUE_LINK_TEXT.contains(&normalised.as_str()) {
        return Some(
            Diagnostic::warning("vague-link-text", location, format!("The link text \"{text}\" does not say where the link goes"))
                .with_hint("Use words that make sense on their own, e.g. `[read our cookie policy](../cookie-policy/)` rather than `click here`."),
        );
    }
    None
}

/// Raw HTML can hold tables without header cells and images without `alt`, which Markdown
/// cannot; both are checked on the HTML as written.
fn check_raw_html(document: &Document, html: &MappedText) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let lower = html.text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("<table") {
        let start = from + found;
        let end = lower[start..]
            .find("</table")
            .map_or(lower.len(), |i| start + i);
        let table = &lower[start..end];
        if !table.contains("<th>") && !table.contains("<th ") {
            problems.push(
                Diagnostic::warning("table-missing-header", document.at(html.source_offset(start)), "This table has no header row, so screen readers cannot say what each column holds")
                    .with_hint("Make the first row's cells `<th scope=\"col\">` instead of `<td>`, or write the table in Markdown, which always has a header row."),
            );
        }
        from = end.max(start + 1);
    }
    let mut from = 0;
    while let Some(found) = lower[from..].find("<img") {
        let start = from + found;
        let end = lower[start..].find('>').map_or(lower.len(), |i| start + i);
        let tag = &lower[start..end];
        if !tag
            .split(|c: char| c.is_whitespace())
            .any(|attr| attr.starts_with("alt=") || attr == "alt")
        {
            problems.push(missing_alt(document.at(html.source_offset(start))).with_hint(
                "Add an `alt` attribute that describes the image, e.g. `<img src=\"crest.svg\" alt=\"The force crest\">` (`alt=\"\"` only if it is decoration).",
            ));
        }
        from = end.max(start + 1);
    }
    problems
}
