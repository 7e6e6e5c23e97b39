//! Everything one policy publishes, built as one unit: its version pages, history page, changes
//! pages and feed.
//!
//! A policy's pages depend only on that policy and on what every page shares (templates and
//! `site`), so a policy is the natural unit of work: the build spreads policies over cores,
//! renders each version's Markdown exactly once, and `serve` reuses a whole unchanged policy
//! without looking inside it.

use std::sync::{Arc, OnceLock};

use chrono::Datelike;
use rayon::prelude::*;

use super::BuildError;
use super::documents;
use super::writer::Writer;
use crate::diff::DocumentDiff;
use crate::feeds;
use crate::history::{self, ChangesPage, HistoryPage, VersionChain, VersionDiff};
use crate::markdown::{self, Events, Rendered, Sanitizer};
use crate::output::OutputFile;
use crate::pages::{PolicyContext, PolicyPage, PolicyView, VersionPage};
use crate::render_cache::{Key, KeyHasher};
use crate::site::{PolicyPlan, SitePlan};

/// How many consecutive comparisons share one parse of their versions: longer runs parse less
/// (n + n / run versions for n comparisons), shorter ones give cores more to share. Policies
/// are built in parallel too, so only a site of a few long histories needs short runs; 16
/// parses a typical history (up to 16 versions) once.
const CHAIN_RUN: usize = 16;

/// The files of one policy and what link checking needs to know about its versions.
#[derive(Debug)]
pub struct PolicyOutput {
    /// Paths relative to the output folder, with their bytes.
    pub files: Arc<Vec<OutputFile>>,
    /// Each version's rendered Markdown, in the order of `PolicyPlan::versions`: only its
    /// link facts in a plain build, which need not hold every body of the site at once.
    pub documents: Vec<Arc<Rendered>>,
    /// Its parts of the site-wide files (`serve` only): a plain build makes them when it
    /// writes those files rather than hold them for every policy of the site.
    pub site_parts: Option<SiteParts>,
    /// Its feed entries' key (`serve` only): the site feed is made again only when one changes.
    pub feed_key: Option<Key>,
    /// Every path and anchor the policy gives links to aim at (`serve` only): while the
    /// keys of all policies stay the same, so do the site's link targets.
    pub targets_key: Option<Key>,
    /// The cached parts it was made from (`serve` only): carried into the next build's cache
    /// when the policy is reused whole, so a later template change need not redo them.
    pub parts: CachedParts,
}

/// One policy's object in `versions.json` and its part of the sitemap.
#[derive(Debug)]
pub struct SiteParts {
    pub versions_json: String,
    pub sitemap: String,
}

/// A version's pages, its rendered Markdown and that document's cache key.
type VersionPages = (Vec<OutputFile>, Arc<Rendered>, Option<Key>);

/// Rendered documents and diffs by their keys in `serve`'s render cache.
#[derive(Debug, Default)]
pub struct CachedParts {
    pub documents: Vec<(Key, Arc<Rendered>)>,
    pub diffs: Vec<(Key, Arc<DocumentDiff>)>,
}

/// One policy and where its pages go.
pub(super) struct PolicyJob<'a, 'c> {
    pub plan: &'a SitePlan<'c>,
    pub policy: &'a PolicyPlan<'c>,
    pub view: &'a PolicyView,
    pub writer: &'a Writer<'a>,
    /// One allow-list for the whole build: making ammonia's is not cheap.
    pub sanitizer: &'a Sanitizer,
    /// `view` as every page of the policy shows it, made when the first page is (never, for
    /// a policy `serve` reuses whole).
    pub context: OnceLock<PolicyContext>,
}

impl PolicyJob<'_, '_> {
    /// Renders every page and file of the policy.
    pub fn build(&self) -> Result<PolicyOutput, BuildError> {
        // The policy's texts, read here (unless the load kept them) and dropped when it is
        // built: a build holds the texts of the policies it is working on, not of the site.
        let bodies = self
            .policy
            .versions
            .iter()
            .map(|planned| documents::read_body(&planned.version.source))
            .collect::<Result<Vec<_>, _>>()?;
        let versions = (0..self.policy.versions.len())
            .into_par_iter()
            .map(|index| self.version_pages(index, &bodies[index]))
            .collect::<Result<Vec<_>, _>>()?;
        let (versions, events): (Vec<_>, Vec<_>) = versions.into_iter().unzip();
        // Comparisons in runs of a few neighbours: each run parses its versions once, and
        // runs spread a long history over cores.
        let count = self.policy.versions.len();
        let changes = (0..count)
            .step_by(CHAIN_RUN)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|start| {
                let mut chain = history::version_chain(&bodies, &events);
                (start..count.min(start + CHAIN_RUN))
                    .map(|index| self.changes_page(index, &mut chain))
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;

        let mut files = Vec::new();
        let mut documents = Vec::with_capacity(versions.len());
        let mut parts = CachedParts::default();
        for (pages, rendered, key) in versions {
            files.extend(pages);
            if let Some(key) = key {
                parts.documents.push((key, rendered.clone()));
            }
            documents.push(rendered);
        }
        // Only link facts are kept of the versions a plain build has written.
        crate::markdown::keep_facts_only(&mut documents);
        for (page, diff) in changes.into_iter().flatten().flatten() {
            files.push(page);
            if let Some(key) = diff.key {
                parts.diffs.push((key, diff.diff));
            }
        }
        let history = HistoryPage::new(self.plan, self.view, self.policy, self.context());
        files.push(self.page("history.html", &history.page.path, &history)?);
        let targets_key = self.writer.render_cache().map(|cache| {
            let mut hasher = cache.hasher();
            hasher
                .part(self.policy.slug().as_bytes())
                .part(&self.policy.shown.to_le_bytes());
            for (index, (planned, rendered)) in
                self.policy.versions.iter().zip(&documents).enumerate()
            {
                hasher
                    .part(&planned.version.date.num_days_from_ce().to_le_bytes())
                    .json(&planned.status)
                    .part(&[u8::from(self.policy.previous(index).is_some())]);
                documents::anchors_key(&mut hasher, rendered);
            }
            hasher.finish()
        });
        let feed = feeds::policy_feed_entries(self.plan, self.policy);
        let feed_key = self.writer.render_cache().map(|cache| {
            let mut hasher = cache.hasher();
            // Each entry's dates are in its XML.
            hasher.part(feed.slug.as_bytes()).part(feed.xml.as_bytes());
            hasher.finish()
        });
        let feed_path = self.plan.urls.policy_feed(self.policy.slug());
        files.push((
            self.plan.urls.output_path(&feed_path),
            Arc::new(feeds::policy_feed(self.plan, self.policy, &feed).into_bytes()),
        ));
        let site_parts = match self.writer.render_cache() {
            Some(_) => Some(SiteParts {
                versions_json: feeds::versions_json_entry(self.plan, self.policy)
                    .map_err(BuildError::Io)?,
                sitemap: super::site_files::policy_sitemap(self.plan, self.policy),
            }),
            None => None,
        };
        documents.shrink_to_fit();
        Ok(PolicyOutput {
            files: Arc::new(files),
            documents,
            site_parts,
            targets_key,
            feed_key,
            parts,
        })
    }

    /// The version's page at its dated URL, and at `/<slug>/` when it is the one shown there,
    /// with the body's parser events when it was parsed here (for its diffs to share).
    fn version_pages<'b>(
        &self,
        index: usize,
        body: &'b str,
    ) -> Result<(VersionPages, Option<Events<'b>>), BuildError> {
        let plan = self.plan;
        let source = &self.policy.versions[index].version.source;
        let home = plan.urls.policy(self.policy.slug());
        let cache = self.writer.render_cache();
        let sanitizer = self.sanitizer;
        // With a cache (`serve`), an unchanged body is neither rendered nor diffed again, so
        // parsing it up front would be wasted; a plain build renders and diffs every version.
        let events = cache.is_none().then(|| markdown::parse(body));
        let document = match &events {
            Some(events) => documents::parsed_document(plan, source, events, home, sanitizer),
            None => documents::document(plan, source, body, home, sanitizer, cache),
        };
        let shown = index == self.policy.shown;
        let mut pages = Vec::new();
        for dated in std::iter::once(true).chain(shown.then_some(false)) {
            let context = VersionPage::new(
                plan,
                self.view,
                self.context(),
                index,
                &document.rendered,
                dated,
            );
            pages.push(self.page("policy.html", &context.page.path, &context)?);
        }
        Ok(((pages, document.rendered, document.cache_key), events))
    }

    /// What the version changed, when it has a version before it.
    fn changes_page(
        &self,
        index: usize,
        chain: &mut VersionChain,
    ) -> Result<Option<(OutputFile, VersionDiff)>, BuildError> {
        let cache = self.writer.render_cache();
        let Some(diff) = history::version_diff(self.plan, self.policy, index, chain, cache) else {
            return Ok(None);
        };
        let context = ChangesPage::new(
            self.plan,
            self.view,
            self.policy,
            self.context(),
            index,
            &diff,
        );
        let page = self.page("changes.html", &context.page.path, &context)?;
        Ok(Some((page, diff)))
    }

    /// What every page of the policy shares, made for its first page.
    fn context(&self) -> &PolicyContext {
        self.context
            .get_or_init(|| PolicyContext::new(&self.plan.urls, self.policy, self.view))
    }

    fn page(
        &self,
        template: &str,
        site_path: &str,
        page: &impl PolicyPage,
    ) -> Result<OutputFile, BuildError> {
        let html = self
            .writer
            .render_policy_page(self.context(), template, page)?;
        Ok((self.plan.urls.output_path(site_path), html))
    }
}

/// The key of everything a policy's pages and summary are made from besides what all pages
/// share: equal keys mean equal output, so `serve` may reuse the policy (and its summary) whole.
/// `policy_key` adds what all pages share.
pub(super) fn input_key(mut hasher: KeyHasher, plan: &SitePlan, policy: &PolicyPlan) -> Key {
    // One part for the policy (a large site has tens of thousands of versions and this runs
    // on every save in `serve`): per version, the SHA-256 of the file's bytes stands for its
    // front matter and body, the date and status for where it stands, the path for its links;
    // a folder shared with the version before is not repeated.
    let mut buffer = Vec::with_capacity(64 * policy.versions.len() + 64);
    let mut folder = None;
    for planned in &policy.versions {
        let version = planned.version;
        buffer.extend_from_slice(&version.source.sha256);
        buffer.extend_from_slice(&version.date.num_days_from_ce().to_le_bytes());
        buffer.push(planned.status as u8);
        // Split at the last separator by hand: `Path::parent` and `file_name` parse every
        // component, which showed in profiles of a save.
        let path = version.source.path.as_os_str().as_encoded_bytes();
        let cut = path
            .iter()
            .rposition(|&b| std::path::is_separator(char::from(b)))
            .map_or(0, |i| i + 1);
        let (parent, name) = path.split_at(cut);
        if folder != Some(parent) {
            folder = Some(parent);
            buffer.push(1);
            buffer.extend_from_slice(&(parent.len() as u64).to_le_bytes());
            buffer.extend_from_slice(parent);
        } else {
            buffer.push(0);
        }
        buffer.extend_from_slice(&(name.len() as u64).to_le_bytes());
        buffer.extend_from_slice(name);
    }
    hasher
        .part(plan.urls.absolute("").as_bytes())
        .part(policy.slug().as_bytes())
        .part(&policy.shown.to_le_bytes())
        .part(&buffer);
    hasher.finish()
}

/// A policy's cache key: its inputs (`input_key`) and what all its pages share (`shared`).
pub(super) fn policy_key(mut hasher: KeyHasher, shared: Key, input: Key) -> Key {
    hasher.part(&shared.bytes()).part(&input.bytes()).finish()
}
