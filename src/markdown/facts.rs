//! What link checking needs of a rendered document once its HTML is dropped, packed small.
//!
//! A plain build keeps these for every version of the site until links are checked. Held as a
//! `String` per heading id, heading text, link and anchor they came to about 4 KB a version
//! (400 MB at 100,000 versions); packed end to end they are a fifth of that.

use super::{Rendered, find_id_attribute};

/// Strings stored end to end in one buffer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Packed {
    text: String,
    ends: Vec<usize>,
}

impl Packed {
    pub fn push(&mut self, value: &str) {
        self.text.push_str(value);
        self.ends.push(self.text.len());
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(start, &end)| &self.text[start..end])
    }

    fn shrink(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

/// A document's ids and links, as `Rendered::keep_facts_only` leaves them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkFacts {
    /// Heading ids in document order: the ones a broken anchor's hint suggests.
    pub heading_ids: Packed,
    /// Every `id="…"` value of the HTML that is not a heading's.
    pub other_ids: Packed,
    /// Link destinations as written, with their byte offsets in the body.
    destinations: Packed,
    offsets: Vec<usize>,
}

impl LinkFacts {
    pub fn push_link(&mut self, destination: &str, offset: usize) {
        self.destinations.push(destination);
        self.offsets.push(offset);
    }

    /// Each link's destination and body offset, in document order.
    pub fn links(&self) -> impl Iterator<Item = (&str, usize)> {
        self.destinations.iter().zip(self.offsets.iter().copied())
    }

    pub fn shrink(&mut self) {
        self.heading_ids.shrink();
        self.other_ids.shrink();
        self.destinations.shrink();
        self.offsets.shrink_to_fit();
    }
}

impl Rendered {
    /// Every heading's id, in document order.
    pub fn heading_ids(&self) -> impl Iterator<Item = &str> {
        let kept = self.headings.iter().map(|h| h.id.as_str());
        kept.chain(self.facts.heading_ids.iter())
    }

    /// Every link's destination as written and its byte offset in the body.
    pub fn link_facts(&self) -> impl Iterator<Item = (&str, usize)> {
        let kept = self
            .links
            .iter()
            .map(|l| (l.destination.as_str(), l.offset));
        kept.chain(self.facts.links())
    }

    /// Keeps what link checking needs (ids and link destinations, packed) and drops the rest,
    /// so a build need not hold every rendered body at once. `has_anchor` answers as before:
    /// each `id="` in the HTML is followed by its value up to the next quote, which is exactly
    /// what it looked for.
    pub fn keep_facts_only(&mut self) {
        let html = std::mem::take(&mut self.html);
        let headings = std::mem::take(&mut self.headings);
        for heading in &headings {
            self.facts.heading_ids.push(&heading.id);
        }
        for link in std::mem::take(&mut self.links) {
            self.facts.push_link(&link.destination, link.offset);
        }
        self.images = Vec::new();
        let mut rest = html.as_str();
        while let Some(at) = find_id_attribute(rest) {
            rest = &rest[at..];
            if let Some(end) = rest.find('"') {
                let id = &rest[..end];
                if !headings.iter().any(|h| h.id == id) {
                    self.facts.other_ids.push(id);
                }
            }
        }
        self.facts.shrink();
    }
}

#[cfg(test)]
mod tests {
    use super::super::{KeepLinks, Sanitizer, render};

    #[test]
    fn facts_answer_as_the_full_document_does() {
        let body = "# Who we are\n\n## Your rights {#rights}\n\nSee [cookies](../cookies/#gpc), \
                    [here](#rights) and [x](#nowhere).[^1]\n\n<p id=\"raw\">é</p>\n\n\
                    ## Who we are\n\n[^1]: A note.\n";
        let full = render(body, &KeepLinks, &Sanitizer::default());
        let mut facts = full.clone();
        facts.keep_facts_only();
        assert!(facts.html.is_empty() && facts.headings.is_empty() && facts.links.is_empty());
        let ids: Vec<&str> = full.heading_ids().collect();
        assert_eq!(ids, ["who-we-are", "rights", "who-we-are-1"]);
        assert_eq!(facts.heading_ids().collect::<Vec<_>>(), ids);
        let links: Vec<(&str, usize)> = full.link_facts().collect();
        assert_eq!(links.len(), 3, "{links:?}");
        assert_eq!(
            links[0],
            ("../cookies/#gpc", body.find("[cookies]").unwrap_or(0))
        );
        assert_eq!(facts.link_facts().collect::<Vec<_>>(), links);
        for id in [
            "who-we-are",
            "rights",
            "who-we-are-1",
            "raw",
            "fn-1",
            "nowhere",
            "gpc",
            "",
        ] {
            assert_eq!(facts.has_anchor(id), full.has_anchor(id), "{id}");
        }
        assert!(facts.has_anchor("raw") && !facts.has_anchor("nowhere"));
    }
}
