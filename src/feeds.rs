//! The machine-readable side of the change history: Atom feeds and `versions.json`.
//!
//! Both are derived from the content and the build date only (never the clock), so building
//! the same content twice gives the same bytes and a feed reader or tracker sees a change only
//! when a policy did change.
//!
//! Feeds list every published version, including upcoming ones (titled "Upcoming: …"), because
//! the point of a notice period is that followers hear about a change before it applies. An
//! entry's `updated` is the version's effective date, so an upcoming entry is future-dated.
//! Drafts never appear in a feed, not even in a preview build.

use std::borrow::Cow;
use std::io::Write;

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::Serialize;

use crate::content::Version;
use crate::markdown::{escape_html, push_escaped_html};
use crate::site::{PlannedVersion, PolicyPlan, SitePlan, VersionStatus};

/// Written when a feed has no entries: a fixed instant, since the clock must not leak in.
const EMPTY_FEED_UPDATED: &str = "1970-01-01T00:00:00Z";

/// One version as a feed entry.
struct Entry<'c> {
    policy: &'c PolicyPlan<'c>,
    index: usize,
}

impl<'c> Entry<'c> {
    fn planned(&self) -> &PlannedVersion<'c> {
        &self.policy.versions[self.index]
    }
    fn version(&self) -> &'c Version {
        self.planned().version
    }
}

/// Published (non-draft) versions of one policy, newest first.
fn entries<'c>(policy: &'c PolicyPlan<'c>) -> impl Iterator<Item = Entry<'c>> {
    (0..policy.versions.len())
        .rev()
        .filter(|&i| policy.versions[i].status != VersionStatus::Draft)
        .map(move |index| Entry { policy, index })
}

/// One policy's feed entries, newest first: the middle of its own feed, made once per policy
/// so that `serve` can tell from it whether the site feed changed.
#[derive(Debug, Clone, Default)]
pub struct FeedEntries {
    /// The policy's slug, which orders entries of the same date in the site feed.
    pub slug: String,
    /// The newest entry's date, the feed's `updated`.
    pub updated: Option<NaiveDate>,
    /// Every entry's XML, one after another.
    pub xml: String,
}

/// The feed entries of one policy's published versions, written into one buffer.
pub fn policy_feed_entries(plan: &SitePlan, policy: &PolicyPlan) -> FeedEntries {
    let mut xml = String::with_capacity(ENTRY_SIZE * policy.versions.len());
    let mut updated = None;
    for entry in entries(policy) {
        updated = updated.max(Some(entry.version().date));
        push_entry(&mut xml, plan, &entry);
    }
    FeedEntries {
        slug: policy.slug().to_string(),
        updated,
        xml,
    }
}

/// About what one entry takes, so that a policy's entries are written without regrowing.
const ENTRY_SIZE: usize = 768;

/// How many entries or policies are made at once (in parallel) before they are written: enough
/// to keep both cores busy, few enough that a large site's file is never held whole.
const CHUNK: usize = 2048;

/// The site feed's entries in order, newest first (same date: by slug), as (date, policy
/// index, version index).
pub fn site_feed_order(plan: &SitePlan) -> Vec<(NaiveDate, usize, usize)> {
    let mut all: Vec<(NaiveDate, usize, usize)> = plan
        .policies
        .iter()
        .enumerate()
        .flat_map(|(p, policy)| entries(policy).map(move |e| (e.version().date, p, e.index)))
        .collect();
    // Stable, and a policy has one version per date: the order is (date, slug) as it always was.
    all.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| plan.policies[a.1].slug().cmp(plan.policies[b.1].slug()))
    });
    all
}

/// The site feed up to its first entry, for entries in [`site_feed_order`].
pub fn site_feed_head(plan: &SitePlan, order: &[(NaiveDate, usize, usize)]) -> String {
    let title = format!("{}: policy changes", plan.content.config.title);
    let updated = order.first().map(|(date, _, _)| *date);
    atom_head(
        plan,
        &title,
        &plan.urls.file("feed.xml"),
        &plan.urls.index(),
        updated,
    )
}

/// One entry of the site feed: version `index` of policy `p`.
pub fn site_feed_entry(plan: &SitePlan, p: usize, index: usize) -> String {
    let mut xml = String::with_capacity(ENTRY_SIZE);
    let policy = &plan.policies[p];
    push_entry(&mut xml, plan, &Entry { policy, index });
    xml
}

/// `/feed.xml`: every policy's versions, newest first (same date: by slug). Each entry's XML
/// is made again here rather than kept from its policy's feed, a chunk at a time, so a site of
/// 100,000 versions never holds its 70 MB of entries.
pub fn write_site_feed(plan: &SitePlan, out: &mut dyn Write) -> std::io::Result<()> {
    let all = site_feed_order(plan);
    out.write_all(site_feed_head(plan, &all).as_bytes())?;
    for chunk in all.chunks(CHUNK) {
        let xml: Vec<String> = chunk
            .par_iter()
            .map(|&(_, p, index)| site_feed_entry(plan, p, index))
            .collect();
        for entry in xml {
            out.write_all(entry.as_bytes())?;
        }
    }
    out.write_all(ATOM_TAIL.as_bytes())
}

/// `/<slug>/feed.xml`: one policy's versions, newest first.
pub fn policy_feed(plan: &SitePlan, policy: &PolicyPlan, entries: &FeedEntries) -> String {
    let title = format!(
        "{}: changes to {}",
        plan.content.config.title,
        policy.title()
    );
    let mut xml = atom_head(
        plan,
        &title,
        &plan.urls.policy_feed(policy.slug()),
        &plan.urls.history(policy.slug()),
        entries.updated,
    );
    xml.reserve(entries.xml.len() + ATOM_TAIL.len());
    xml.push_str(&entries.xml);
    xml.push_str(ATOM_TAIL);
    xml
}

/// What ends every feed.
pub const ATOM_TAIL: &str = "</feed>\n";

/// A feed up to its first entry; `updated` is its newest entry's date.
fn atom_head(
    plan: &SitePlan,
    title: &str,
    self_path: &str,
    alternate_path: &str,
    updated: Option<NaiveDate>,
) -> String {
    let urls = &plan.urls;
    let updated = updated.map_or_else(
        || EMPTY_FEED_UPDATED.to_string(),
        |date| {
            let mut when = String::with_capacity(20);
            push_midnight_utc(&mut when, date);
            when
        },
    );
    let self_url = urls.absolute(self_path);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
        escape_html(&plan.content.config.language)
    ));
    xml.push_str(&format!("  <id>{}</id>\n", escape_html(&self_url)));
    xml.push_str(&format!("  <title>{}</title>\n", escape_html(title)));
    xml.push_str(&format!("  <updated>{updated}</updated>\n"));
    xml.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
        escape_html(&self_url)
    ));
    xml.push_str(&format!(
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        escape_html(&urls.absolute(alternate_path))
    ));
    xml.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        escape_html(&plan.content.config.title)
    ));
    xml
}

/// Midnight UTC at the start of `date`, as RFC 3339: the time of every date in a feed.
fn push_midnight_utc(out: &mut String, date: NaiveDate) {
    crate::pages::push_iso_date(out, date);
    out.push_str("T00:00:00Z");
}

/// One `<entry>`, pushed piece by piece: a feed has one per version, and `format!` with an
/// escaped copy of each value was a visible cost of a large build.
fn push_entry(xml: &mut String, plan: &SitePlan, entry: &Entry) {
    let urls = &plan.urls;
    let slug = entry.policy.slug();
    let version = entry.version();
    let version_path = urls.version(slug, version.date);
    xml.push_str("  <entry>\n    <id>");
    urls.push_absolute_escaped(xml, &version_path);
    xml.push_str("</id>\n    <title>");
    if entry.planned().status == VersionStatus::Upcoming {
        xml.push_str("Upcoming: ");
    }
    push_escaped_html(xml, version.front.title());
    xml.push_str(", version of ");
    xml.push_str(&crate::pages::long_date(version.date));
    if let Some(label) = &version.front.label {
        xml.push_str(" (");
        push_escaped_html(xml, label);
        xml.push(')');
    }
    xml.push_str("</title>\n    <updated>");
    push_midnight_utc(xml, version.date);
    xml.push_str("</updated>\n    <published>");
    push_midnight_utc(xml, version.date);
    xml.push_str("</published>\n    <link rel=\"alternate\" type=\"text/html\" href=\"");
    // A later version links to its changes page, with its own page as the related link.
    match entry.policy.previous(entry.index) {
        Some(_) => {
            urls.push_absolute_escaped(xml, &urls.changes(slug, version.date));
            xml.push_str("\"/>\n    <link rel=\"related\" type=\"text/html\" href=\"");
            urls.push_absolute_escaped(xml, &version_path);
        }
        None => urls.push_absolute_escaped(xml, &version_path),
    }
    xml.push_str("\"/>\n    <category term=\"");
    push_escaped_html(xml, slug);
    xml.push_str("\" label=\"");
    push_escaped_html(xml, entry.policy.title());
    xml.push_str("\"/>\n    <summary type=\"text\">");
    let summary = version.front.summary.as_deref();
    push_escaped_html(xml, summary.unwrap_or("First published version."));
    xml.push_str("</summary>\n  </entry>\n");
}

/// `/versions.json`, documented in the README. Field order is the struct order, so the bytes
/// are stable.
#[derive(Debug, Serialize)]
pub struct VersionsIndex<'a> {
    pub schema_version: u32,
    pub site: SiteEntry,
    pub policies: Vec<PolicyEntry<'a>>,
}

#[derive(Debug, Serialize)]
pub struct SiteEntry {
    pub title: String,
    pub url: String,
    pub feed_url: String,
}

#[derive(Debug, Serialize)]
pub struct PolicyEntry<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub url: String,
    pub history_url: String,
    pub feed_url: String,
    /// Date of the version in force on the build date; `null` before the first takes effect.
    pub current: Option<String>,
    /// Newest first.
    pub versions: Vec<VersionEntry<'a>>,
}

#[derive(Debug, Serialize)]
pub struct VersionEntry<'a> {
    pub date: String,
    pub title: &'a str,
    pub label: Option<&'a str>,
    pub summary: Option<&'a str>,
    pub status: VersionStatus,
    pub url: String,
    pub changes_url: Option<String>,
    /// SHA-256 of the source file's bytes, exactly as stored, in lower-case hex.
    pub sha256: String,
}

/// One policy's object in `/versions.json`, as pretty JSON at the depth it sits there: made
/// once per policy so that `serve` can reuse those of unchanged policies. Each version's
/// `sha256` is the one taken when its file was read (`Source::sha256`: the bytes as stored, a
/// byte-order mark included, which is what an auditor holding a copy of the file would hash).
pub fn versions_json_entry(plan: &SitePlan, policy: &PolicyPlan) -> Result<String, String> {
    let urls = &plan.urls;
    let slug = policy.slug();
    let versions = (0..policy.versions.len())
        .rev()
        .map(|index| {
            let planned = &policy.versions[index];
            let version = planned.version;
            VersionEntry {
                date: version.date_string(),
                title: version.front.title(),
                label: version.front.label.as_deref(),
                summary: version.front.summary.as_deref(),
                status: planned.status,
                url: urls.absolute(&urls.version(slug, version.date)),
                changes_url: policy
                    .previous(index)
                    .map(|_| urls.absolute(&urls.changes(slug, version.date))),
                sha256: version.source.sha256_hex(),
            }
        })
        .collect();
    let entry = PolicyEntry {
        slug,
        title: policy.title(),
        url: urls.absolute(&urls.policy(slug)),
        history_url: urls.absolute(&urls.history(slug)),
        feed_url: urls.absolute(&urls.policy_feed(slug)),
        current: policy.current().map(|v| v.version.date_string()),
        versions,
    };
    // Array elements of `policies` sit two levels deep: four spaces before every line.
    let mut json = Indented(Vec::with_capacity(4096));
    serde_json::to_writer_pretty(&mut json, &entry)
        .map_err(|e| format!("cannot write versions.json: {e}"))?;
    String::from_utf8(json.0).map_err(|e| format!("cannot write versions.json: {e}"))
}

/// Pretty JSON with four more spaces before each line, added as it is written. JSON strings
/// escape their line breaks, so every `\n` written ends a line of the layout.
struct Indented(Vec<u8>);

impl Write for Indented {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for piece in buf.split_inclusive(|&b| b == b'\n') {
            if self.0.is_empty() || self.0.ends_with(b"\n") {
                self.0.extend_from_slice(b"    ");
            }
            self.0.extend_from_slice(piece);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What comes before the first policy's object in `/versions.json` and after the last (the
/// objects go between, joined by `",\n"`): the head and tail that `serde_json::to_string_pretty`
/// gives the whole [`VersionsIndex`], so the bytes are the same.
pub fn versions_json_frame(plan: &SitePlan) -> std::io::Result<(String, &'static str)> {
    let urls = &plan.urls;
    let index = VersionsIndex {
        schema_version: 1,
        site: SiteEntry {
            title: plan.content.config.title.clone(),
            url: urls.absolute(&urls.index()),
            feed_url: urls.absolute(&urls.file("feed.xml")),
        },
        policies: Vec::new(),
    };
    let empty = serde_json::to_string_pretty(&index).map_err(std::io::Error::other)?;
    Ok(match empty.strip_suffix("[]\n}") {
        Some(head) if !plan.policies.is_empty() => (format!("{head}[\n"), "\n  ]\n}\n"),
        _ => (empty + "\n", ""),
    })
}

/// Writes `/versions.json`: each policy's [`versions_json_entry`] (kept by `serve`, made here
/// a chunk at a time otherwise) inside [`versions_json_frame`].
pub fn write_versions_json(
    plan: &SitePlan,
    kept: &[Option<&str>],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let (head, tail) = versions_json_frame(plan)?;
    out.write_all(head.as_bytes())?;
    let policies: Vec<usize> = (0..plan.policies.len()).collect();
    for chunk in policies.chunks(CHUNK / 8) {
        let parts: Vec<Cow<str>> = chunk
            .par_iter()
            .map(|&p| match kept.get(p).copied().flatten() {
                Some(part) => Ok(Cow::Borrowed(part)),
                None => versions_json_entry(plan, &plan.policies[p])
                    .map(Cow::Owned)
                    .map_err(std::io::Error::other),
            })
            .collect::<std::io::Result<_>>()?;
        for (part, &p) in parts.iter().zip(chunk) {
            if p > 0 {
                out.write_all(VERSIONS_JSON_SEPARATOR.as_bytes())?;
            }
            out.write_all(part.as_bytes())?;
        }
    }
    out.write_all(tail.as_bytes())
}

/// Between two policies' objects in `/versions.json`.
pub const VERSIONS_JSON_SEPARATOR: &str = ",\n";
