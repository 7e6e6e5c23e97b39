//! Reuse between rebuilds, for `serve`: rendered Markdown per document and rendered HTML per
//! page, keyed by a hash of everything that goes into them.
//!
//! Keying by inputs rather than by "what changed" keeps results equal to a full build by
//! construction: an edited version changes its own document key and the context of every page
//! that shows it (its policy's pages, the index); a template or `site.yaml` change changes the
//! key every page shares, so every page renders again; a static file is copied as it is.
//! Entries not used by the latest build are dropped, so the cache holds one site.

use std::collections::HashMap;
use std::convert::Infallible;
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::{Arc, Mutex};

use crate::build::PolicyOutput;
use crate::diagnostics::Diagnostic;
use crate::diff::DocumentDiff;
use crate::links::LinkTargets;
use crate::markdown::Rendered;
use crate::pages::PolicyView;

mod spliced;
use spliced::Spliced;
pub use spliced::{PieceKey, Pieces};

/// 128 bits from two independently keyed SipHashes: collisions are out of reach even for
/// content written to cause them, and hashing is far cheaper than rendering.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Key(u64, u64);

impl Key {
    pub fn bytes(&self) -> [u8; 16] {
        let mut bytes = [0; 16];
        bytes[..8].copy_from_slice(&self.0.to_le_bytes());
        bytes[8..].copy_from_slice(&self.1.to_le_bytes());
        bytes
    }
}

/// Builds a key from parts, separating them so that `("ab", "c")` differs from `("a", "bc")`.
pub struct KeyHasher {
    first: std::hash::DefaultHasher,
    second: std::hash::DefaultHasher,
}

impl KeyHasher {
    pub fn part(&mut self, bytes: &[u8]) -> &mut Self {
        self.write_all_parts(&(bytes.len() as u64).to_le_bytes());
        self.write_all_parts(bytes);
        self
    }

    /// Adds a value as its JSON form.
    pub fn json(&mut self, value: &impl serde::Serialize) -> &mut Self {
        // Writing into a hasher cannot fail; a value that cannot be serialized cannot be
        // rendered either, and the render reports that error.
        let _ = serde_json::to_writer(&mut *self, value);
        self.part(b"}")
    }

    fn write_all_parts(&mut self, bytes: &[u8]) {
        self.first.write(bytes);
        self.second.write(bytes);
    }

    pub fn finish(&self) -> Key {
        Key(self.first.finish(), self.second.finish())
    }
}

impl std::io::Write for KeyHasher {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_all_parts(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// How much of the latest build was reused.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reuse {
    /// Policies reused whole: none of their pages was looked at again.
    pub policies: usize,
    pub policies_total: usize,
    pub documents: usize,
    pub documents_total: usize,
    pub pages: usize,
    pub pages_total: usize,
    pub diffs: usize,
    pub diffs_total: usize,
    /// Pieces of the site-wide files copied from the last build's files, and all of them.
    pub site_pieces: usize,
    pub site_pieces_total: usize,
}

/// A slot of [`Generation`] that holds at most one value, with the key it was made for.
type Single<T> = Option<(Key, Arc<T>)>;

#[derive(Default)]
struct Generation {
    policies: HashMap<Key, Arc<PolicyOutput>>,
    /// The same policies by slug, for the parts of one that must be built again.
    by_slug: HashMap<String, Arc<PolicyOutput>>,
    /// At most one: the link targets of the site as it was.
    targets: Single<LinkTargets>,
    link_problems: HashMap<Key, Vec<Diagnostic>>,
    /// The site-wide files by name, with where each policy's piece sits in them.
    spliced: HashMap<&'static str, Arc<Spliced>>,
    documents: HashMap<Key, Arc<Rendered>>,
    diffs: HashMap<Key, Arc<DocumentDiff>>,
    /// Shared with the output and the policies that hold the same page.
    pages: HashMap<Key, Arc<Vec<u8>>>,
    /// Each policy's summary by the key of its inputs, with the key of its own JSON: an
    /// edit to a body leaves the summary, and so the home page, as it was.
    views: HashMap<Key, (Arc<PolicyView>, Key)>,
    /// At most one: the compiled templates, with `site` in their global context.
    templates: Single<tera::Tera>,
}

pub struct RenderCache {
    seeds: (RandomState, RandomState),
    /// What the last successful build made.
    last: Mutex<Generation>,
    /// What the build under way has made or reused so far.
    next: Mutex<Generation>,
    reuse: Mutex<Reuse>,
    /// Each site-wide file's buffer of two builds ago, written over when nobody reads it any
    /// more: allocating megabytes afresh on every save costs more in page faults than copying.
    spares: Mutex<HashMap<&'static str, Arc<Vec<u8>>>>,
}

impl Default for RenderCache {
    fn default() -> Self {
        RenderCache {
            seeds: (RandomState::new(), RandomState::new()),
            last: Mutex::default(),
            next: Mutex::default(),
            reuse: Mutex::default(),
            spares: Mutex::default(),
        }
    }
}

impl RenderCache {
    pub fn hasher(&self) -> KeyHasher {
        KeyHasher {
            first: self.seeds.0.build_hasher(),
            second: self.seeds.1.build_hasher(),
        }
    }

    /// Starts a build: nothing is kept from a build that failed half way.
    pub fn begin(&self) {
        *lock(&self.next) = Generation::default();
        *lock(&self.reuse) = Reuse::default();
    }

    /// Ends a successful build: its entries become the ones the next build may reuse.
    pub fn finish(&self) {
        let next = std::mem::take(&mut *lock(&self.next));
        *lock(&self.last) = next;
    }

    pub fn last_reuse(&self) -> Reuse {
        *lock(&self.reuse)
    }

    /// Everything one policy publishes: an edit elsewhere leaves it as it was, and looking
    /// inside 1,000 unchanged policies would cost more than a preview can wait.
    ///
    /// A policy built again starts from the parts (rendered versions, diffs) of the policy
    /// with the same slug in the last build, so an edit or a template change redoes only the
    /// parts whose own inputs changed.
    pub fn policy<E>(
        &self,
        slug: &str,
        key: Key,
        build: impl FnOnce() -> Result<PolicyOutput, E>,
    ) -> Result<Arc<PolicyOutput>, E> {
        let cached = {
            let mut last = lock(&self.last);
            let cached = last.policies.get(&key).cloned();
            if cached.is_none()
                && let Some(previous) = last.by_slug.get(slug).cloned()
            {
                for (key, document) in &previous.parts.documents {
                    last.documents.insert(*key, document.clone());
                }
                for (key, diff) in &previous.parts.diffs {
                    last.diffs.insert(*key, diff.clone());
                }
            }
            cached
        };
        let hit = cached.is_some();
        let built = match cached {
            Some(built) => built,
            None => Arc::new(build()?),
        };
        {
            let mut reuse = lock(&self.reuse);
            reuse.policies_total += 1;
            reuse.policies += usize::from(hit);
        }
        let mut next = lock(&self.next);
        next.policies.insert(key, built.clone());
        next.by_slug.insert(slug.to_string(), built.clone());
        Ok(built)
    }

    /// Every path and anchor of the site, for link checking: kept while none of them changes.
    pub fn targets(&self, key: Key, build: impl FnOnce() -> LinkTargets) -> Arc<LinkTargets> {
        self.single(|g| &mut g.targets, key, || Ok::<_, Infallible>(build()))
            .unwrap_or_else(|never| match never {})
    }

    /// A site-wide file made from the pieces of every policy (`versions.json`, the feed, the
    /// sitemap): the same as last time when `whole` is, else spliced from last time's file,
    /// making only the pieces it lacks.
    pub fn spliced<'a>(
        &self,
        name: &'static str,
        whole: Key,
        pieces: impl FnOnce() -> Pieces<'a>,
    ) -> Arc<Vec<u8>> {
        let previous = lock(&self.last).spliced.get(name).cloned();
        let mut spare = lock(&self.spares).remove(name);
        let (made, fresh) = Spliced::make(previous.as_deref(), whole, pieces, &mut spare);
        {
            let mut reuse = lock(&self.reuse);
            reuse.site_pieces += made.pieces() - fresh;
            reuse.site_pieces_total += made.pieces();
        }
        let bytes = Arc::clone(&made.bytes);
        let mut spares = lock(&self.spares);
        match previous {
            Some(previous) if !Arc::ptr_eq(&previous.bytes, &bytes) => {
                spares.insert(name, Arc::clone(&previous.bytes));
            }
            _ => {
                if let Some(spare) = spare {
                    spares.insert(name, spare);
                }
            }
        }
        lock(&self.next).spliced.insert(name, Arc::new(made));
        bytes
    }

    /// A policy's summary for templates, made again only when `key` (everything it shows is
    /// made from) changes, with the key of its JSON. Making and hashing a thousand summaries
    /// on every save was a fifth of a save's work.
    pub fn view(&self, key: Key, make: impl FnOnce() -> PolicyView) -> (Arc<PolicyView>, Key) {
        self.entry(
            |g| &mut g.views,
            key,
            || {
                let view = make();
                let json = self.hasher().json(&view).finish();
                Ok::<_, Infallible>((Arc::new(view), json))
            },
        )
        .unwrap_or_else(|never| match never {})
        .0
    }

    /// The compiled templates for `key` (the theme's files and `site`): compiling them again
    /// on every save is wasted while neither changes.
    pub fn templates<E>(
        &self,
        key: Key,
        compile: impl FnOnce() -> Result<tera::Tera, E>,
    ) -> Result<Arc<tera::Tera>, E> {
        self.single(|g| &mut g.templates, key, compile)
    }

    /// A slot that holds one value, the last build's, reused while its key is the same.
    fn single<T, E>(
        &self,
        slot: fn(&mut Generation) -> &mut Single<T>,
        key: Key,
        make: impl FnOnce() -> Result<T, E>,
    ) -> Result<Arc<T>, E> {
        let cached = slot(&mut lock(&self.last))
            .as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, value)| value.clone());
        let value = match cached {
            Some(value) => value,
            None => Arc::new(make()?),
        };
        *slot(&mut lock(&self.next)) = Some((key, value.clone()));
        Ok(value)
    }

    /// One policy's broken links, for unchanged links and targets.
    pub fn link_problems(
        &self,
        key: Key,
        check: impl FnOnce() -> Vec<Diagnostic>,
    ) -> Vec<Diagnostic> {
        self.entry(
            |g| &mut g.link_problems,
            key,
            || Ok::<_, Infallible>(check()),
        )
        .unwrap_or_else(|never| match never {})
        .0
    }

    pub fn document(&self, key: Key, render: impl FnOnce() -> Rendered) -> Arc<Rendered> {
        let made = self.entry(
            |g| &mut g.documents,
            key,
            || Ok::<_, Infallible>(Arc::new(render())),
        );
        let (rendered, hit) = made.unwrap_or_else(|never| match never {});
        self.count(|r| (&mut r.documents, &mut r.documents_total), hit);
        rendered
    }

    /// A diff between two versions: comparing every neighbour again on each save would cost
    /// seconds on a large site, and one edit changes at most two comparisons.
    pub fn diff(&self, key: Key, compute: impl FnOnce() -> DocumentDiff) -> Arc<DocumentDiff> {
        let made = self.entry(
            |g| &mut g.diffs,
            key,
            || Ok::<_, Infallible>(Arc::new(compute())),
        );
        let (diff, hit) = made.unwrap_or_else(|never| match never {});
        self.count(|r| (&mut r.diffs, &mut r.diffs_total), hit);
        diff
    }

    pub fn page<E>(
        &self,
        key: Key,
        render: impl FnOnce() -> Result<Vec<u8>, E>,
    ) -> Result<Arc<Vec<u8>>, E> {
        let (bytes, hit) = self.entry(|g| &mut g.pages, key, || render().map(Arc::new))?;
        self.count(|r| (&mut r.pages, &mut r.pages_total), hit);
        Ok(bytes)
    }

    /// The value under `key` in one table of the last build, or a new one; either way it is
    /// kept for the next build. Says whether it was reused.
    fn entry<V: Clone, E>(
        &self,
        table: fn(&mut Generation) -> &mut HashMap<Key, V>,
        key: Key,
        make: impl FnOnce() -> Result<V, E>,
    ) -> Result<(V, bool), E> {
        let cached = table(&mut lock(&self.last)).get(&key).cloned();
        let hit = cached.is_some();
        let value = match cached {
            Some(value) => value,
            None => make()?,
        };
        table(&mut lock(&self.next)).insert(key, value.clone());
        Ok((value, hit))
    }

    /// Counts one use of a cache table in `Reuse` (reused, total).
    fn count(&self, counters: fn(&mut Reuse) -> (&mut usize, &mut usize), hit: bool) {
        let mut reuse = lock(&self.reuse);
        let (reused, total) = counters(&mut reuse);
        *total += 1;
        *reused += usize::from(hit);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
