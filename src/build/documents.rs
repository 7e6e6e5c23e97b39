//! Rendered Markdown documents and the checks made on them before a build may succeed.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use rayon::prelude::*;

use super::BuildError;
use crate::content::{Content, Source};
use crate::diagnostics::{Diagnostic, Diagnostics, Location, Severity};
use crate::links::{
    self, ChangesPage, CheckedDocument, DocumentLinks, LinkTargets, PolicyTargets, VersionTarget,
};
use crate::markdown::{self, Rendered, Sanitizer};
use crate::render_cache::{Key, KeyHasher, RenderCache};
use crate::site::SitePlan;

/// A rendered Markdown document and where it is shown.
pub struct RenderedDocument<'c> {
    pub source: &'c Source,
    /// Shared: `serve` keeps the facts of unchanged policies between rebuilds.
    pub rendered: Arc<Rendered>,
    pub home: String,
    pub source_relative: String,
    /// Its key in `serve`'s render cache, when there is one.
    pub cache_key: Option<Key>,
}

/// Rendered versions by policy slug and date.
pub type VersionDocuments<'c> = BTreeMap<(String, NaiveDate), RenderedDocument<'c>>;
/// Rendered pages by slug.
pub type PageDocuments<'c> = BTreeMap<String, RenderedDocument<'c>>;

/// Renders every visible version and page, keeping their HTML (for `check`).
pub fn render_documents<'c>(
    plan: &SitePlan<'c>,
) -> Result<(VersionDocuments<'c>, PageDocuments<'c>), BuildError> {
    let sanitizer = Sanitizer::default();
    let versions = plan
        .policies
        .iter()
        .flat_map(|p| p.versions.iter().map(move |v| (p.slug(), v.version)))
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(slug, version)| {
            let home = plan.urls.policy(slug);
            let body = read_body(&version.source)?;
            let document = document(plan, &version.source, &body, home, &sanitizer, None);
            Ok(((slug.to_string(), version.date), document))
        })
        .collect::<Result<_, BuildError>>()?;
    Ok((versions, render_pages(plan, None)))
}

/// A source's Markdown body, read again from disk when the load did not keep it.
pub(super) fn read_body(source: &Source) -> Result<Cow<'_, str>, BuildError> {
    source
        .body()
        .map_err(|e| BuildError::Io(format!("cannot read {}: {e}", source.path.display())))
}

/// Renders the unversioned pages, reusing unchanged ones from `cache` when there is one.
pub(super) fn render_pages<'c>(
    plan: &SitePlan<'c>,
    cache: Option<&RenderCache>,
) -> PageDocuments<'c> {
    let sanitizer = Sanitizer::default();
    plan.pages
        .par_iter()
        .map(|page| {
            let home = plan.urls.page(&page.slug);
            // Every load keeps pages' texts (`content::Texts`), so there is nothing to read.
            let body = page.source.kept_body().unwrap_or_default();
            let document = document(plan, &page.source, body, home, &sanitizer, cache);
            (page.slug.clone(), document)
        })
        .collect()
}

/// Renders one document shown at `home`, through the cache when there is one.
pub(super) fn document<'c>(
    plan: &SitePlan,
    source: &'c Source,
    body: &str,
    home: String,
    sanitizer: &Sanitizer,
    cache: Option<&RenderCache>,
) -> RenderedDocument<'c> {
    let source_relative = source_relative(&plan.content.root, &source.path);
    let render = || {
        let events = markdown::parse(body);
        render_one(plan, &source_relative, &events, &home, sanitizer)
    };
    let cache_key = cache.map(|cache| {
        cache
            .hasher()
            .part(plan.urls.absolute("").as_bytes())
            .part(home.as_bytes())
            .part(source_relative.as_bytes())
            .part(body.as_bytes())
            .finish()
    });
    let rendered = match cache.zip(cache_key) {
        Some((cache, key)) => cache.document(key, render),
        None => Arc::new(render()),
    };
    RenderedDocument {
        source,
        rendered,
        home,
        source_relative,
        cache_key,
    }
}

/// [`document`] from a body's events, parsed by the caller so that the version's diffs can
/// share them; for plain builds, which have no cache.
pub(super) fn parsed_document<'c>(
    plan: &SitePlan,
    source: &'c Source,
    events: &[(markdown::Event<'_>, std::ops::Range<usize>)],
    home: String,
    sanitizer: &Sanitizer,
) -> RenderedDocument<'c> {
    let source_relative = source_relative(&plan.content.root, &source.path);
    let rendered = render_one(plan, &source_relative, events, &home, sanitizer);
    RenderedDocument {
        source,
        rendered: Arc::new(rendered),
        home,
        source_relative,
        cache_key: None,
    }
}

/// The path of a source relative to the content folder, with `/` separators.
pub(super) fn source_relative(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    // Where `/` is the only separator, a path of plain names is already written so: taking it
    // apart into components and joining them again cost some 3,000 instructions per version.
    if std::path::MAIN_SEPARATOR == '/'
        && let Some(text) = relative.to_str()
        && text.split('/').all(|name| !name.is_empty() && name != ".")
    {
        return text.to_string();
    }
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Renders one document's parsed Markdown as it is shown at `home`.
fn render_one(
    plan: &SitePlan,
    source_relative: &str,
    events: &[(markdown::Event<'_>, std::ops::Range<usize>)],
    home: &str,
    sanitizer: &Sanitizer,
) -> Rendered {
    let links = DocumentLinks {
        urls: &plan.urls,
        home: home.to_string(),
        source_relative: source_relative.to_string(),
    };
    markdown::render_events(events, &links, sanitizer)
}

/// The checks every build makes before it may succeed: links and static-file clashes.
/// `check` calls this too, so the two commands can never disagree about what is an error.
pub fn validate<'c>(
    plan: &SitePlan<'c>,
    versions: &VersionDocuments<'c>,
    pages: &PageDocuments<'c>,
    assets: &[crate::theme::Asset],
    broken_links: Severity,
) -> Diagnostics {
    let rendered_of = |p: usize, v: usize| {
        let policy = &plan.policies[p];
        let date = policy.versions[v].version.date;
        versions[&(policy.slug().to_string(), date)]
            .rendered
            .clone()
    };
    let targets = link_targets(plan, &rendered_of, pages, assets);
    let documents: Vec<&RenderedDocument> = versions.values().chain(pages.values()).collect();
    let mut problems = check_links(plan, &documents, &targets, broken_links);
    check_static_collisions(plan.content, &targets, &mut problems);
    problems.extend(crate::consent::check(plan.content));
    problems
}

/// What `validate_policies` needs of one policy: its versions' rendered documents (in the
/// order of `PolicyPlan::versions`), the policy's key and the key of its link targets.
pub(super) struct PolicyFacts<'a> {
    pub documents: &'a [Arc<Rendered>],
    pub key: Key,
    pub targets_key: Key,
}

/// The documents of one policy's versions as link checking sees them.
pub(super) fn policy_documents<'c>(
    plan: &SitePlan<'c>,
    index: usize,
    rendered: &[Arc<Rendered>],
) -> Vec<RenderedDocument<'c>> {
    let policy = &plan.policies[index];
    let home = plan.urls.policy(policy.slug());
    policy
        .versions
        .iter()
        .zip(rendered)
        .map(|(planned, rendered)| {
            let source = &planned.version.source;
            RenderedDocument {
                source,
                rendered: rendered.clone(),
                home: home.clone(),
                source_relative: source_relative(&plan.content.root, &source.path),
                cache_key: None,
            }
        })
        .collect()
}

/// `validate` from each policy's facts, checking one policy's documents at a time (a map of
/// every version's document costs tens of megabytes on a large site). With `serve`'s cache,
/// the targets are kept while no path or anchor of the site changes, and each policy's links
/// are checked again only when the policy or the targets changed. The answer is `validate`'s:
/// both check with the same functions, in the same order, keyed by all they read.
pub(super) fn validate_policies(
    plan: &SitePlan,
    policies: &[PolicyFacts],
    pages: &PageDocuments,
    assets: &[crate::theme::Asset],
    broken_links: Severity,
    cache: Option<&RenderCache>,
) -> Diagnostics {
    let rendered_of = |p: usize, v: usize| policies[p].documents[v].clone();
    let build_targets = || link_targets(plan, &rendered_of, pages, assets);
    let check_policy = |index: usize, policy: &PolicyFacts, targets: &LinkTargets| {
        let documents = policy_documents(plan, index, policy.documents);
        let documents: Vec<&RenderedDocument> = documents.iter().collect();
        check_links(plan, &documents, targets, broken_links)
            .iter()
            .cloned()
            .collect::<Vec<Diagnostic>>()
    };
    let (targets, by_policy): (Arc<LinkTargets>, Vec<Vec<Diagnostic>>) = match cache {
        None => {
            let targets = Arc::new(build_targets());
            let by_policy = policies
                .par_iter()
                .enumerate()
                .map(|(index, policy)| check_policy(index, policy, &targets))
                .collect();
            (targets, by_policy)
        }
        Some(cache) => {
            let fingerprint = targets_fingerprint(plan, policies, pages, assets, cache);
            let targets = cache.targets(fingerprint, build_targets);
            let by_policy = policies
                .par_iter()
                .enumerate()
                .map(|(index, policy)| {
                    let key = cache
                        .hasher()
                        .part(&policy.key.bytes())
                        .part(&fingerprint.bytes())
                        .json(&broken_links)
                        .finish();
                    cache.link_problems(key, || check_policy(index, policy, &targets))
                })
                .collect();
            (targets, by_policy)
        }
    };
    let mut problems: Diagnostics = by_policy.into_iter().flatten().collect();
    let page_documents: Vec<&RenderedDocument> = pages.values().collect();
    problems.extend(check_links(plan, &page_documents, &targets, broken_links));
    check_static_collisions(plan.content, &targets, &mut problems);
    problems.extend(crate::consent::check(plan.content));
    problems
}

/// What the link targets are made from: every path and anchor of the site.
fn targets_fingerprint(
    plan: &SitePlan,
    policies: &[PolicyFacts],
    pages: &PageDocuments,
    assets: &[crate::theme::Asset],
    cache: &RenderCache,
) -> Key {
    let mut fingerprint = cache.hasher();
    fingerprint.part(plan.urls.absolute("").as_bytes());
    for policy in policies {
        fingerprint.part(&policy.targets_key.bytes());
    }
    for (slug, doc) in pages {
        fingerprint.part(slug.as_bytes());
        anchors_key(&mut fingerprint, &doc.rendered);
    }
    for file in &plan.content.static_files {
        fingerprint.part(file.relative.as_bytes());
    }
    for asset in assets {
        fingerprint.part(asset.published.as_bytes());
    }
    fingerprint.finish()
}

/// Adds every id a link's `#anchor` may name in `rendered` (see `Rendered::has_anchor`).
pub(super) fn anchors_key(hasher: &mut KeyHasher, rendered: &Rendered) {
    for id in rendered.heading_ids() {
        hasher.part(id.as_bytes());
    }
    for anchor in rendered.facts.other_ids() {
        hasher.part(anchor.as_bytes());
    }
    let mut rest = rendered.html.as_str();
    while let Some(at) = rest.find("id=\"") {
        rest = &rest[at + 4..];
        let end = rest.find('"').unwrap_or(rest.len());
        hasher.part(&rest.as_bytes()[..end]);
    }
}

/// Every path the site will have, and the documents whose anchors links may name.
fn link_targets(
    plan: &SitePlan,
    rendered_of: &dyn Fn(usize, usize) -> Arc<Rendered>,
    pages: &PageDocuments,
    assets: &[crate::theme::Asset],
) -> LinkTargets {
    let mut targets = LinkTargets::new(&plan.urls);
    let urls = &plan.urls;
    for extra in [
        "",
        "cookie-settings/",
        "quick-exit/",
        "feed.xml",
        "versions.json",
        "sitemap.xml",
        "robots.txt",
        "404.html",
    ] {
        targets.add_path(urls.file(extra));
    }
    for (p, policy) in plan.policies.iter().enumerate() {
        let shown = policy.shown_version().version.date;
        let versions: Vec<VersionTarget> = policy
            .versions
            .iter()
            .enumerate()
            .map(|(index, v)| VersionTarget {
                date: v.version.date,
                rendered: rendered_of(p, index),
                changes: match policy.previous(index) {
                    Some(_) => ChangesPage::Made,
                    None => ChangesPage::None,
                },
            })
            .collect();
        let shown = versions
            .iter()
            .find(|v| v.date == shown)
            .map(|v| v.rendered.clone());
        if let Some(shown) = shown {
            targets.add_policy(policy.slug(), PolicyTargets { shown, versions });
        }
    }
    for (slug, doc) in pages {
        targets.add_document(urls.page(slug), doc.rendered.clone());
    }
    for file in &plan.content.static_files {
        targets.add_path(urls.file(&file.relative));
    }
    for asset in assets {
        targets.add_path(urls.file(&asset.published));
    }
    targets
}

/// The broken links of `documents`, reported at `broken_links`' severity.
fn check_links(
    plan: &SitePlan,
    documents: &[&RenderedDocument],
    targets: &LinkTargets,
    broken_links: Severity,
) -> Diagnostics {
    documents
        .par_iter()
        .flat_map_iter(|doc| {
            let document_links = DocumentLinks {
                urls: &plan.urls,
                home: doc.home.clone(),
                source_relative: doc.source_relative.clone(),
            };
            let checked = CheckedDocument {
                links: &document_links,
                rendered: &doc.rendered,
                source: doc.source,
            };
            links::check(&checked, targets).into_iter().map(|mut d| {
                d.severity = broken_links;
                d
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// A file in `static/` may not take the place of a page the site generates.
fn check_static_collisions(content: &Content, generated: &LinkTargets, problems: &mut Diagnostics) {
    let urls = crate::site::Urls::new(content.config.base());
    for file in &content.static_files {
        let as_page = urls.file(file.relative.trim_end_matches("index.html"));
        let top = file.relative.split('/').next().unwrap_or_default();
        let clashes = crate::site::RESERVED_SLUGS.contains(&top)
            || content.policies.iter().any(|p| p.slug == top)
            || content.pages.iter().any(|p| p.slug == top)
            || (file.relative.ends_with("index.html") && generated.document(&as_page).is_some());
        if clashes {
            problems.push(
                Diagnostic::error(
                    "static-clash",
                    Location::new(&file.path, 1, 1),
                    format!(
                        "`static/{}` would replace a page privacy-site makes",
                        file.relative
                    ),
                )
                .with_hint(
                    "Move it into a folder of its own inside `static/`, e.g. `static/images/`.",
                ),
            );
        }
    }
}
