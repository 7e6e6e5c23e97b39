//! What link checking needs of a rendered document once its HTML is dropped, packed small.
//!
//! A plain build keeps these for every version of the site until links are checked. Held as a
//! `String` per heading id, heading text, link and anchor they came to about 4 KB a version
//! (400 MB at 100,000 versions). Now only links that can be checked are kept (a link to
//! another origin never is), and the strings of a policy's versions, which mostly repeat from
//! one version to the next, are stored once in a table the versions share: each version keeps
//! numbers into it.

use std::collections::HashMap;
use std::sync::Arc;

use super::{HtmlIds, LinkKind, Rendered, classify_scheme, find_id_attribute};

/// Distinct strings stored end to end in one buffer, shared by the versions of a policy.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FactsTable {
    text: String,
    ends: Vec<u32>,
}

impl FactsTable {
    fn get(&self, index: u32) -> &str {
        let index = index as usize;
        let start = index.checked_sub(1).map_or(0, |i| self.ends[i] as usize);
        &self.text[start..self.ends[index] as usize]
    }
}

/// Builds one [`FactsTable`], giving each distinct string one number.
#[derive(Default)]
struct Interner {
    table: FactsTable,
    numbers: HashMap<Box<str>, u32>,
}

impl Interner {
    /// The string's number, or `None` once the table would outgrow its 32-bit offsets (a
    /// document of gigabytes), when the document is kept whole instead.
    fn intern(&mut self, value: &str) -> Option<u32> {
        if let Some(&number) = self.numbers.get(value) {
            return Some(number);
        }
        let number = u32::try_from(self.table.ends.len()).ok()?;
        let end = u32::try_from(self.table.text.len() + value.len()).ok()?;
        self.table.text.push_str(value);
        self.table.ends.push(end);
        self.numbers.insert(value.into(), number);
        Some(number)
    }
}

/// A document's ids and checkable links, as `keep_facts_only` leaves them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkFacts {
    /// The table `numbers` point into.
    table: Arc<FactsTable>,
    /// Heading ids in document order (the ones a broken anchor's hint suggests), then every
    /// other `id="…"` value of the HTML, then each link as its destination (as written) and
    /// its byte offset in the body.
    numbers: Box<[u32]>,
    headings: u32,
    others: u32,
}

impl LinkFacts {
    fn strings(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = &str> {
        self.numbers[range].iter().map(|&n| self.table.get(n))
    }

    fn ids_end(&self) -> usize {
        self.headings as usize + self.others as usize
    }

    /// Every `id="…"` value of the HTML that is not a heading's.
    pub fn other_ids(&self) -> impl Iterator<Item = &str> {
        self.strings(self.headings as usize..self.ids_end())
    }

    /// Each checkable link's destination and body offset, in document order.
    pub fn links(&self) -> impl Iterator<Item = (&str, usize)> {
        self.numbers[self.ids_end()..]
            .chunks_exact(2)
            .map(|pair| (self.table.get(pair[0]), pair[1] as usize))
    }
}

impl Rendered {
    /// Every heading's id, in document order.
    pub fn heading_ids(&self) -> impl Iterator<Item = &str> {
        let kept = self.headings.iter().map(|h| h.id.as_str());
        kept.chain(self.facts.strings(0..self.facts.headings as usize))
    }

    /// Every link's destination as written and its byte offset in the body: after
    /// `keep_facts_only`, only the links a check looks at (see [`is_checkable`]).
    pub fn link_facts(&self) -> impl Iterator<Item = (&str, usize)> {
        let kept = self
            .links
            .iter()
            .map(|l| (l.destination.as_str(), l.offset));
        kept.chain(self.facts.links())
    }

    /// `keep_facts_only` for one document on its own.
    pub fn keep_facts_only(&mut self) {
        let mut one = [Arc::new(std::mem::take(self))];
        keep_facts_only(&mut one);
        let [one] = one;
        *self = Arc::unwrap_or_clone(one);
    }

    /// The document's facts as numbers into `interner`'s table (set later), or `None` when
    /// they do not fit it; then nothing is dropped.
    fn intern_facts(&self, interner: &mut Interner) -> Option<LinkFacts> {
        let mut numbers = Vec::new();
        for heading in &self.headings {
            numbers.push(interner.intern(&heading.id)?);
        }
        let mut other = |id: &str| match self.headings.iter().any(|h| h.id == id) {
            true => Some(()),
            false => interner.intern(id).map(|number| numbers.push(number)),
        };
        match &self.html_ids {
            HtmlIds::Known(ids) => {
                for id in ids {
                    other(id)?;
                }
            }
            HtmlIds::Scan => {
                let mut rest = self.html.as_str();
                while let Some(at) = find_id_attribute(rest) {
                    rest = &rest[at..];
                    if let Some(end) = rest.find('"') {
                        other(&rest[..end])?;
                    }
                }
            }
        }
        let ids = numbers.len();
        for link in self.links.iter().filter(|l| is_checkable(&l.destination)) {
            numbers.push(interner.intern(&link.destination)?);
            // Only places a broken link in its file: a body past 4 GiB gets the last offset.
            numbers.push(u32::try_from(link.offset).unwrap_or(u32::MAX));
        }
        Some(LinkFacts {
            table: Arc::default(),
            numbers: numbers.into_boxed_slice(),
            headings: u32::try_from(self.headings.len()).ok()?,
            others: u32::try_from(ids - self.headings.len()).ok()?,
        })
    }
}

/// Whether a link check looks at a link at all: one that names another origin, a scheme such
/// as `mailto:` or an unsafe one never is (`links::check` skips all but internal links).
fn is_checkable(destination: &str) -> bool {
    classify_scheme(destination) == LinkKind::Internal
}

/// Keeps what link checking needs of each document (ids and checkable links) and drops the
/// rest, so a build need not hold every rendered body at once; the documents (a policy's
/// versions) share one table of strings. A document something else also holds (`serve`'s
/// cache) is left whole. `has_anchor` answers as before: each `id="` in the HTML is followed by
/// its value up to the next quote, which is exactly what it looked for.
pub fn keep_facts_only(documents: &mut [Arc<Rendered>]) {
    let mut interner = Interner::default();
    let facts: Vec<Option<LinkFacts>> = documents
        .iter_mut()
        .map(|document| Arc::get_mut(document)?.intern_facts(&mut interner))
        .collect();
    let mut table = interner.table;
    table.text.shrink_to_fit();
    table.ends.shrink_to_fit();
    let table = Arc::new(table);
    for (document, facts) in documents.iter_mut().zip(facts) {
        if let (Some(document), Some(mut facts)) = (Arc::get_mut(document), facts) {
            facts.table = Arc::clone(&table);
            *document = Rendered {
                facts,
                ..Rendered::default()
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{KeepLinks, Sanitizer, render};

    #[test]
    fn facts_answer_as_the_full_document_does() {
        let body = "# Who we are\n\n## Your rights {#rights}\n\nSee [cookies](../cookies/#gpc), \
                    [here](#rights), [x](#nowhere) and [away](https://x.example/#rights).[^1]\n\n<p id=\"raw\">é</p>\n\n\
                    ## Who we are\n\n[^1]: A note.\n";
        let full = render(body, &KeepLinks, &Sanitizer::default());
        let mut facts = full.clone();
        facts.keep_facts_only();
        assert!(facts.html.is_empty() && facts.headings.is_empty() && facts.links.is_empty());
        let ids: Vec<&str> = full.heading_ids().collect();
        assert_eq!(ids, ["who-we-are", "rights", "who-we-are-1"]);
        assert_eq!(facts.heading_ids().collect::<Vec<_>>(), ids);
        let mut links: Vec<(&str, usize)> = full.link_facts().collect();
        assert_eq!(links.len(), 4, "{links:?}");
        // A link to another origin is never checked, so it is not kept.
        links.retain(|(destination, _)| !destination.starts_with("https:"));
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

    #[test]
    fn versions_share_one_table_and_a_shared_document_is_left_whole() {
        use std::sync::Arc;
        let one = render(
            "# A\n\n## B\n\n[b](#b)\n",
            &KeepLinks,
            &Sanitizer::default(),
        );
        let two = render(
            "# A\n\n## C\n\n[b](#b)\n",
            &KeepLinks,
            &Sanitizer::default(),
        );
        let held = Arc::new(two.clone());
        let mut documents = vec![Arc::new(one.clone()), Arc::new(two.clone()), held.clone()];
        super::keep_facts_only(&mut documents);
        assert!(documents[0].html.is_empty() && documents[1].html.is_empty());
        assert!(Arc::ptr_eq(
            &documents[0].facts.table,
            &documents[1].facts.table
        ));
        assert_eq!(
            documents[0].facts.table.ends.len(),
            4,
            "a, b, #b and c once each"
        );
        assert_eq!(
            documents[2].html, two.html,
            "the cache's copy is not emptied"
        );
        for (packed, full) in documents.iter().zip([&one, &two]) {
            assert!(packed.heading_ids().eq(full.heading_ids()));
            assert!(packed.link_facts().eq(full.link_facts()));
        }
    }
}
