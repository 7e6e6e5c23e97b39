//! The allow-list the diff page is cleaned with.
//!
//! Policies may contain raw HTML, and the diff copies it into the page, so the
//! final markup goes through ammonia: its defaults (no scripts, no event
//! handlers, no `javascript:` URLs, `rel="noopener noreferrer"` on links) plus
//! exactly the classes and ids the diff itself emits.

use std::borrow::Cow;
use std::sync::LazyLock;

/// Classes the renderer emits; anything else (e.g. from raw HTML) is dropped.
const CLASSES: &[&str] = &[
    "added",
    "removed",
    "changed",
    "moved",
    "moved-away",
    "unchanged",
    "change-note",
    "visually-hidden",
    "footnote-definition",
    "footnote-reference",
];

const CLASSED_TAGS: &[&str] = &[
    "span", "li", "tr", "div", "section", "td", "th", "p", "ins", "del", "details", "pre", "hr",
    "h2", "h3", "h4", "h5", "h6", "sup",
];

static BUILDER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.add_tags(["section", "details", "summary", "ins", "del"])
        .add_tag_attributes("ins", ["datetime"])
        .add_tag_attributes("del", ["datetime"])
        .add_generic_attributes(["id"])
        // Only the diff's own ids survive: raw HTML ids could collide with them.
        .attribute_filter(|_, attr, value| {
            if attr == "id" && !(value.starts_with("change-") || value.starts_with("fn-")) {
                None
            } else {
                Some(Cow::Borrowed(value))
            }
        });
    for tag in CLASSED_TAGS {
        b.add_allowed_classes(*tag, CLASSES.iter().copied());
    }
    b
});

/// Cleans HTML with the diff page's allow-list.
pub fn sanitize(html: &str) -> String {
    BUILDER.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_diff_markup_and_drops_dangerous_markup() {
        let html = "<p class=\"changed\" id=\"change-1\"><ins datetime=\"2024-02-01\"><span class=\"visually-hidden\">Added: </span>x</ins><script>alert(1)</script><a href=\"javascript:alert(1)\" onclick=\"x()\">y</a><b id=\"evil\" class=\"big\">z</b></p>";
        let out = sanitize(html);
        assert!(out.contains("<p class=\"changed\" id=\"change-1\"><ins datetime=\"2024-02-01\"><span class=\"visually-hidden\">Added: </span>x</ins>"), "{out}");
        assert!(!out.contains("script"));
        assert!(!out.contains("javascript"));
        assert!(!out.contains("onclick"));
        assert!(!out.contains("evil"));
        assert!(!out.contains("big"));
    }

    #[test]
    fn external_links_get_noopener() {
        let out = sanitize("<a href=\"https://example.com/\">x</a>");
        assert_eq!(
            out,
            "<a href=\"https://example.com/\" rel=\"noopener noreferrer\">x</a>"
        );
    }
}
