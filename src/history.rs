//! The history page of each policy and the changes page of each version.
//!
//! A version is only ever compared with its neighbour (`PolicyPlan::previous`), and each diff
//! is computed once, before any template runs: the changes page, the feeds and anything else
//! that wants it read the same result, so build time grows with the number of versions, not
//! with the number of pages that mention them.

use std::borrow::Cow;
use std::sync::Arc;

use serde::Serialize;

use crate::diff::{ChangeKind, DiffOptions, DiffSummary, DocumentDiff, PolicyDiffer};
use crate::links::DocumentLinks;
use crate::markdown::{Events, LinkKind, LinkResolver, push_escaped_html};
use crate::pages::{PageMeta, PolicyContext, PolicyPage, PolicyView, SharedVersion, insert};
use crate::render_cache::{Key, RenderCache};
use crate::site::{PolicyPlan, SitePlan};

/// What one version changed, against the version before it.
#[derive(Debug, Clone)]
pub struct VersionDiff {
    /// Index in `PolicyPlan::versions` of the version compared against.
    pub previous: usize,
    /// Shared with `serve`'s render cache, which keeps it for the next rebuild.
    pub diff: Arc<DocumentDiff>,
    /// Its key in that cache, when there is one.
    pub key: Option<Key>,
}

/// The versions of one policy, ready to be compared: each is parsed at most once.
pub struct VersionChain<'b> {
    /// The Markdown bodies, in the order of `PolicyPlan::versions`.
    bodies: &'b [Cow<'b, str>],
    differ: PolicyDiffer<'b>,
}

/// The chain of a policy whose version bodies (in plan order) are `bodies`, with the events
/// of those already parsed for their pages (`None` where not), which are not parsed again.
pub fn version_chain<'b>(
    bodies: &'b [Cow<'b, str>],
    events: &'b [Option<Events<'b>>],
) -> VersionChain<'b> {
    let events = bodies
        .iter()
        .enumerate()
        .map(|(index, body)| (&**body, events.get(index).and_then(|e| e.as_deref())));
    VersionChain {
        bodies,
        differ: PolicyDiffer::with_events(events),
    }
}

/// What version `index` of `policy` changed, or `None` for a first version. The build calls
/// this per version and drops the result once its page is written, so a build holds only the
/// diffs it is rendering, not every diff of the site. `chain` is the policy's
/// [`version_chain`]: neighbouring comparisons share the parse of the version between them.
pub fn version_diff(
    plan: &SitePlan,
    policy: &PolicyPlan,
    index: usize,
    chain: &mut VersionChain,
    cache: Option<&RenderCache>,
) -> Option<VersionDiff> {
    let previous = previous_index(policy, index)?;
    let new = policy.versions[index].version;
    let old = policy.versions[previous].version;
    let mut compute = || {
        let options = DiffOptions {
            datetime: new.date_string(),
            ..DiffOptions::default()
        };
        let mut diff = chain.differ.diff(previous, index, &options);
        let slug = policy.slug();
        let sides = [old, new].map(|v| Side {
            links: DocumentLinks {
                urls: &plan.urls,
                home: plan.urls.policy(slug),
                source_relative: ["policies/", slug, "/", &v.date_string(), ".md"].concat(),
            },
            page: plan.urls.version(slug, v.date),
        });
        diff.html = localise_links(&diff.html, &sides[0], &sides[1]);
        diff
    };
    let key = cache.map(|cache| {
        // Everything `compute` reads: the two texts, their dates and where the pages live.
        cache
            .hasher()
            .part(plan.urls.absolute("").as_bytes())
            .part(policy.slug().as_bytes())
            .part(old.date_string().as_bytes())
            .part(new.date_string().as_bytes())
            .part(chain.bodies[previous].as_bytes())
            .part(chain.bodies[index].as_bytes())
            .finish()
    });
    let diff = match cache.zip(key) {
        Some((cache, key)) => cache.diff(key, compute),
        None => Arc::new(compute()),
    };
    Some(VersionDiff {
        previous,
        diff,
        key,
    })
}

/// One side of a comparison, for writing its links out.
struct Side<'a> {
    links: DocumentLinks<'a>,
    /// The version's own page, where its heading anchors live.
    page: String,
}

/// The diff engine writes links as they are in the Markdown, but a changes page lives two
/// levels below the version it shows: relative links and `#anchors` would lead nowhere. This
/// resolves them as the version page does, against the old version for links inside removed
/// text and the new one otherwise. Links to the changes page's own anchors (`#change-N`,
/// footnotes) stay as they are.
fn localise_links(html: &str, old: &Side, new: &Side) -> String {
    const OPEN: &str = "<a href=\"";
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut rest = html;
    // `memchr`'s substring search checks a vector register's worth of bytes at a time, where
    // a plain search was a visible share of a changes page. Its searcher is built once here:
    // `memmem::find` builds one per call, which cost nearly as much as the search itself.
    let links = memchr::memmem::Finder::new(OPEN);
    while let Some(at) = links.find(rest.as_bytes()) {
        let (before, after) = rest.split_at(at + OPEN.len());
        out.push_str(before);
        let Some(end) = after.find('"') else {
            rest = after;
            break;
        };
        let (raw, tail) = after.split_at(end);
        rest = tail;
        if stays(raw) {
            out.push_str(raw);
            continue;
        }
        let href = unescape(raw);
        let removed = tail
            .split_once('>')
            .is_some_and(|(_, content)| content.starts_with("<del"));
        let side = if removed { old } else { new };
        if href.starts_with("#change-") || href.starts_with("#fn") {
            push_escaped_html(&mut out, &href);
        } else if href.starts_with('#') {
            push_escaped_html(&mut out, &side.page);
            push_escaped_html(&mut out, &href);
        } else {
            push_escaped_html(&mut out, &side.links.resolve(&href).href);
        }
    }
    out.push_str(rest);
    out
}

/// Whether a link's `href` (as written, still escaped) is written back unchanged: a link to
/// the page's own anchors or to another origin, with nothing
/// [`crate::markdown::escape_html`] would write differently. Most links on a changes page
/// are, and need no resolving or copying.
fn stays(raw: &str) -> bool {
    // Bytes, not chars: these are ASCII, and decoding every href was most of this check.
    !raw.bytes().any(|b| matches!(b, b'&' | b'\'' | b'<' | b'>'))
        && (raw.starts_with("#change-")
            || raw.starts_with("#fn")
            || (!raw.is_empty() && crate::markdown::classify_scheme(raw) != LinkKind::Internal))
}

fn unescape(attribute: &str) -> Cow<'_, str> {
    if !attribute.contains('&') {
        return Cow::Borrowed(attribute);
    }
    Cow::Owned(
        attribute
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// The index of the version `index` is compared against, if any.
pub fn previous_index(policy: &PolicyPlan, index: usize) -> Option<usize> {
    let previous = policy.previous(index)?;
    policy
        .versions
        .iter()
        .position(|v| v.version.date == previous.version.date)
}

/// The context of `/<slug>/history/`.
#[derive(Serialize)]
pub struct HistoryPage<'a> {
    pub page: PageMeta,
    /// Every version the build publishes (drafts only in preview), newest first.
    pub versions: Vec<&'a SharedVersion>,
}

impl<'a> HistoryPage<'a> {
    pub fn new(
        plan: &SitePlan,
        policy: &PolicyView,
        policy_plan: &PolicyPlan,
        shared: &'a PolicyContext,
    ) -> Self {
        let urls = &plan.urls;
        let mut page = PageMeta::new(
            urls,
            format!("History of {}", policy.title),
            urls.history(policy_plan.slug()),
            policy.url.clone(),
        );
        page.heading = page.title.clone();
        let versions = shared.versions.iter().rev().collect();
        HistoryPage { page, versions }
    }
}

impl PolicyPage for HistoryPage<'_> {
    fn add_to(&self, context: &mut tera::Context) -> Result<(), tera::Error> {
        let HistoryPage { page, versions } = self;
        insert(context, "page", page)?;
        let versions: Vec<tera::Value> = versions.iter().map(|v| v.value.clone()).collect();
        context.insert_value("versions", tera::Value::from(versions));
        Ok(())
    }
}

/// One entry of the list of changes at the top of a changes page.
#[derive(Debug, Serialize)]
pub struct ChangeLink {
    /// `#change-3`
    pub href: String,
    pub section: String,
    /// `added`, `removed`, `changed` or `moved`, for the sentence and a class name.
    pub kind: &'static str,
}

/// The context of `/<slug>/<date>/changes/`.
#[derive(Serialize)]
pub struct ChangesPage<'a> {
    pub page: PageMeta,
    pub version: &'a SharedVersion,
    pub previous: &'a SharedVersion,
    pub summary: &'a DiffSummary,
    pub changes: Vec<ChangeLink>,
    /// Why the comparison is coarser than word by word, when it is.
    pub coarse: Option<&'a str>,
    /// The diff itself: sanitised HTML from the diff engine.
    pub body: &'a str,
}

impl<'a> ChangesPage<'a> {
    pub fn new(
        plan: &SitePlan,
        policy: &PolicyView,
        policy_plan: &PolicyPlan,
        shared: &'a PolicyContext,
        index: usize,
        diff: &'a VersionDiff,
    ) -> Self {
        let urls = &plan.urls;
        let version = &shared.versions[index];
        let previous = &shared.versions[diff.previous];
        let path = urls.changes(policy_plan.slug(), policy_plan.versions[index].version.date);
        let title = format!(
            "What changed in {} on {}",
            version.view.title, version.view.date_long
        );
        let page = PageMeta::new(urls, title, path, policy.url.clone());
        let summary = &diff.diff.summary;
        let changes = summary
            .changes
            .iter()
            .map(|c| ChangeLink {
                href: ["#", &c.id].concat(),
                section: c.section.clone(),
                kind: kind_word(c.kind),
            })
            .collect();
        ChangesPage {
            page,
            version,
            previous,
            summary,
            changes,
            coarse: diff.diff.coarse.as_deref(),
            body: &diff.diff.html,
        }
    }
}

impl PolicyPage for ChangesPage<'_> {
    fn add_to(&self, context: &mut tera::Context) -> Result<(), tera::Error> {
        // Taken apart so that a new field cannot be left out here.
        let ChangesPage {
            page,
            version,
            previous,
            summary,
            changes,
            coarse,
            body,
        } = self;
        insert(context, "page", page)?;
        context.insert_value("version", version.value.clone());
        context.insert_value("previous", previous.value.clone());
        insert(context, "summary", summary)?;
        insert(context, "changes", changes)?;
        insert(context, "coarse", coarse)?;
        context.insert_value("body", tera::Value::from(*body));
        Ok(())
    }
}

fn kind_word(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Added => "added",
        ChangeKind::Removed => "removed",
        ChangeKind::Changed => "changed",
        ChangeKind::Moved => "moved",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::BaseUrl;
    use crate::site::Urls;

    fn side<'a>(urls: &'a Urls, date: &str) -> Side<'a> {
        Side {
            links: DocumentLinks {
                urls,
                home: urls.policy("notice"),
                source_relative: format!("policies/notice/{date}.md"),
            },
            page: format!("/p/notice/{date}/"),
        }
    }

    /// A link is found at every offset, past lone `<` and `a`.
    #[test]
    fn find_link_agrees_with_a_plain_search() {
        let links = memchr::memmem::Finder::new("<a href=\"");
        for at in 0..24 {
            for filler in ["x", "<", "a", "<b", "<a"] {
                let html = format!("{}<a href=\"y\">{}", filler.repeat(at), filler.repeat(9));
                assert_eq!(
                    links.find(html.as_bytes()),
                    html.find("<a href=\""),
                    "{html:?}"
                );
            }
            let none = "<b a<x".repeat(at);
            assert_eq!(links.find(none.as_bytes()), None);
        }
    }

    #[test]
    fn links_in_a_diff_lead_where_they_do_on_the_version_pages() {
        let urls = Urls::new(BaseUrl::parse("https://x.example/p/").expect("base url"));
        let (old, new) = (side(&urls, "2024-01-01"), side(&urls, "2025-01-01"));
        let html = concat!(
            "<a href=\"#rights\" rel=\"x\"><del datetime=\"d\">a</del></a>",
            "<a href=\"#rights\"><ins datetime=\"d\">b</ins></a>",
            "<a href=\"../cookies/?a=1&amp;b=2\">c</a>",
            "<a href=\"2024-01-01.md#who\">d</a>",
            "<a href=\"#change-2\">e</a>",
            "<a href=\"https://other.example/#x\">f</a>",
            "<a href=\"/elsewhere/\">g</a>",
        );
        assert_eq!(
            localise_links(html, &old, &new),
            concat!(
                "<a href=\"/p/notice/2024-01-01/#rights\" rel=\"x\"><del datetime=\"d\">a</del></a>",
                "<a href=\"/p/notice/2025-01-01/#rights\"><ins datetime=\"d\">b</ins></a>",
                "<a href=\"/p/cookies/?a=1&amp;b=2\">c</a>",
                "<a href=\"/p/notice/2024-01-01/#who\">d</a>",
                "<a href=\"#change-2\">e</a>",
                "<a href=\"https://other.example/#x\">f</a>",
                "<a href=\"/elsewhere/\">g</a>",
            )
        );
    }
}
