//! Diffs between the versions of one policy, each version parsed once.
//!
//! [`diff_markdown`](super::diff_markdown) parses both of its inputs, so diffing every version
//! against the one before it parses each version twice. A [`PolicyDiffer`] keeps each version's
//! blocks (and the words of the blocks already split) and shares one word table between them,
//! so a version is parsed once however many diffs it takes part in.

use std::borrow::Cow;
use std::ops::Range;
use std::time::Instant;

use pulldown_cmark::Event;

use super::{
    DiffOptions, DocumentDiff, blocks, diff_docs, diff_markdown, finish, too_large, words,
};

/// The versions of one policy, parsed on first use. Its diffs equal those of
/// [`diff_markdown`](super::diff_markdown) on the same bodies and options.
pub struct PolicyDiffer<'a> {
    interner: words::Interner,
    versions: Vec<Version<'a>>,
}

struct Version<'a> {
    body: &'a str,
    /// The body's parser events when the caller already has them (see [`PolicyDiffer::with_events`]).
    events: Option<&'a [(Event<'a>, Range<usize>)]>,
    parsed: Option<blocks::Parsed<'a>>,
}

impl<'a> PolicyDiffer<'a> {
    /// Markdown bodies (front matter stripped); diffs refer to them by position.
    pub fn new(bodies: impl IntoIterator<Item = &'a str>) -> Self {
        Self::with_events(bodies.into_iter().map(|body| (body, None)))
    }

    /// Like [`PolicyDiffer::new`], with each body's events from [`crate::markdown::parse`]
    /// where the caller has them (the same parser and options): those are not parsed again.
    pub fn with_events(
        bodies: impl IntoIterator<Item = (&'a str, Option<&'a [(Event<'a>, Range<usize>)]>)>,
    ) -> Self {
        let versions: Vec<Version> = bodies
            .into_iter()
            .map(|(body, events)| Version {
                body,
                events,
                parsed: None,
            })
            .collect();
        // A policy's versions share most of their words: a few hundred distinct texts for
        // a page of prose, about one per sixteen bytes of its longest version.
        let longest = versions.iter().map(|v| v.body.len()).max().unwrap_or(0);
        Self {
            interner: words::Interner::with_capacity(longest / 16),
            versions,
        }
    }

    /// Diffs version `old` against version `new`.
    ///
    /// # Panics
    /// If either index is not below the number of bodies given to [`PolicyDiffer::new`].
    pub fn diff(&mut self, old: usize, new: usize, options: &DiffOptions) -> DocumentDiff {
        let (old_body, new_body) = (self.versions[old].body, self.versions[new].body);
        if old == new {
            return diff_markdown(old_body, new_body, options);
        }
        if let Some(parts) = too_large(old_body, new_body, options) {
            return finish(parts);
        }
        let deadline = Instant::now() + options.deadline;
        for i in [old, new] {
            let version = &mut self.versions[i];
            if version.parsed.is_none() {
                version.parsed = Some(match version.events {
                    Some(events) => blocks::parse_events(Cow::Borrowed(events)),
                    None => blocks::parse_doc(version.body),
                });
            }
        }
        let (old_version, new_version) = if old < new {
            let (head, tail) = self.versions.split_at_mut(new);
            (&mut head[old], &mut tail[0])
        } else {
            let (head, tail) = self.versions.split_at_mut(old);
            (&mut tail[0], &mut head[new])
        };
        match (old_version.parsed.as_mut(), new_version.parsed.as_mut()) {
            (Some(o), Some(n)) => finish(diff_docs(o, n, &mut self.interner, options, deadline)),
            // Both were parsed just above; this arm only keeps the types honest.
            _ => diff_markdown(old_body, new_body, options),
        }
    }

    /// Drops what was kept for version `index` (it is parsed again if diffed again), so that
    /// walking a long history need not hold every version at once.
    pub fn release(&mut self, index: usize) {
        if let Some(version) = self.versions.get_mut(index) {
            version.parsed = None;
        }
    }
}
