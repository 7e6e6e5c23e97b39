//! Heading ids as GitHub makes them, so that links written while previewing a policy on GitHub
//! keep working on the site.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// GitHub's heading-id rule: lower case, drop punctuation, spaces to hyphens.
pub fn github_slug(text: &str) -> String {
    let text = text.trim();
    if text.is_ascii() {
        // The same rule byte by byte into a string sized once: most headings are ASCII, and
        // lower-casing a copy first, or growing the slug a character at a time, showed in
        // profiles of a large build.
        let mut slug = String::with_capacity(text.len());
        for b in text.bytes() {
            match b {
                b' ' => slug.push('-'),
                b if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' => {
                    slug.push(char::from(b.to_ascii_lowercase()))
                }
                _ => {}
            }
        }
        return slug;
    }
    text.to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Hands out unique ids the way GitHub does: `a`, `a-1`, `a-2`.
pub(super) struct IdAllocator {
    seen: HashMap<String, usize>,
}

impl IdAllocator {
    /// Sized for a document's headings: growing the map rehashed it several times per page.
    pub(super) fn with_capacity(headings: usize) -> Self {
        IdAllocator {
            seen: HashMap::with_capacity(headings),
        }
    }

    /// A unique id for a heading whose id would be `base`. Takes `base` owned so that the
    /// common case, a new id, hashes once and copies it once (for the map).
    pub(super) fn allocate(&mut self, base: String) -> String {
        let base = if base.is_empty() {
            "section".to_string()
        } else {
            base
        };
        let base = match self.seen.entry(base) {
            Entry::Vacant(entry) => {
                let id = entry.key().clone();
                entry.insert(1);
                return id;
            }
            Entry::Occupied(entry) => entry.key().clone(),
        };
        let mut candidate = base.clone();
        while let Some(count) = self.seen.get_mut(&candidate) {
            *count += 1;
            candidate = format!("{base}-{}", *count - 1);
            if !self.seen.contains_key(&candidate) {
                break;
            }
        }
        self.seen.insert(candidate.clone(), 1);
        candidate
    }
}
