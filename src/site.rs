//! What pages a site has and where they live: the URL layout contract.
//!
//! Everything that knows a URL asks this module, so the layout is written down once.

use chrono::NaiveDate;

use crate::config::BaseUrl;
use crate::content::{Content, Page, Policy, Version};

/// Top-level names the generator uses itself; a policy or page may not take them.
pub const RESERVED_SLUGS: &[&str] = &[
    "assets",
    "cookie-settings",
    "quick-exit",
    "feed.xml",
    "versions.json",
    "sitemap.xml",
    "robots.txt",
    "404.html",
    "_headers",
    "static",
    "drafts",
    "index.html",
];

/// Per-policy names below `/<slug>/` that are not version dates.
pub const HISTORY_SEGMENT: &str = "history";
pub const CHANGES_SEGMENT: &str = "changes";

/// Whether draft versions and pages are published (preview) or left out (production).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Drafts {
    #[default]
    Hide,
    Show,
}

/// Where a version stands on the build date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VersionStatus {
    /// In force today.
    Current,
    /// Replaced by a later version.
    Superseded,
    /// Takes effect after the build date.
    Upcoming,
    /// Not published; shown only in preview.
    Draft,
}

/// The URL layout under the site's path prefix.
#[derive(Debug, Clone)]
pub struct Urls {
    pub base: BaseUrl,
}

impl Urls {
    pub fn new(base: BaseUrl) -> Self {
        Urls { base }
    }
    pub fn prefix(&self) -> &str {
        &self.base.path
    }
    pub fn index(&self) -> String {
        self.base.path.clone()
    }
    pub fn policy(&self, slug: &str) -> String {
        [&self.base.path, slug, "/"].concat()
    }
    pub fn version(&self, slug: &str, date: NaiveDate) -> String {
        self.dated(slug, date, None)
    }
    pub fn history(&self, slug: &str) -> String {
        [&self.base.path, slug, "/", HISTORY_SEGMENT, "/"].concat()
    }
    pub fn changes(&self, slug: &str, date: NaiveDate) -> String {
        self.dated(slug, date, Some(CHANGES_SEGMENT))
    }
    /// `<prefix><slug>/<date>/` and `<segment>/`, built without `format!` (tens of thousands
    /// per build).
    fn dated(&self, slug: &str, date: NaiveDate, segment: Option<&str>) -> String {
        let rest = segment.map_or(0, |s| s.len() + 1);
        let mut url = String::with_capacity(self.base.path.len() + slug.len() + 12 + rest);
        url.push_str(&self.base.path);
        url.push_str(slug);
        url.push('/');
        crate::pages::push_iso_date(&mut url, date);
        url.push('/');
        if let Some(segment) = segment {
            url.push_str(segment);
            url.push('/');
        }
        url
    }
    pub fn policy_feed(&self, slug: &str) -> String {
        [&self.base.path, slug, "/feed.xml"].concat()
    }
    pub fn page(&self, slug: &str) -> String {
        [&self.base.path, slug, "/"].concat()
    }
    /// Any other file at the top of the site: `feed.xml`, `cookie-settings/`, `assets/…`.
    pub fn file(&self, relative: &str) -> String {
        [&self.base.path, relative].concat()
    }
    pub fn absolute(&self, site_path: &str) -> String {
        self.base.absolute(site_path)
    }
    /// [`Urls::absolute`], escaped for HTML or XML, onto `out`: escaping the origin and the path
    /// in turn gives the same text without the joined copy (feeds write one per entry).
    pub fn push_absolute_escaped(&self, out: &mut String, site_path: &str) {
        crate::markdown::push_escaped_html(out, &self.base.origin);
        crate::markdown::push_escaped_html(out, site_path);
    }
    /// Where a URL's page is written inside the output folder: `/p/x/` → `x/index.html`.
    pub fn output_path(&self, site_path: &str) -> String {
        let relative = site_path
            .strip_prefix(self.base.path.as_str())
            .unwrap_or(site_path.trim_start_matches('/'));
        if relative.is_empty() || relative.ends_with('/') {
            [relative, "index.html"].concat()
        } else {
            relative.to_string()
        }
    }
}

/// One policy as it appears on the build date.
#[derive(Debug)]
pub struct PolicyPlan<'c> {
    pub policy: &'c Policy,
    /// Published versions (and drafts in preview), oldest first.
    pub versions: Vec<PlannedVersion<'c>>,
    /// Index into `versions` of the one `/<slug>/` shows: the version in force, or the first
    /// upcoming one when none is in force yet.
    pub shown: usize,
}

#[derive(Debug, Clone, Copy)]
pub struct PlannedVersion<'c> {
    pub version: &'c Version,
    pub status: VersionStatus,
}

impl<'c> PolicyPlan<'c> {
    pub fn slug(&self) -> &'c str {
        &self.policy.slug
    }
    pub fn shown_version(&self) -> &PlannedVersion<'c> {
        &self.versions[self.shown]
    }
    /// The title readers know the policy by: that of the version shown.
    pub fn title(&self) -> &'c str {
        self.versions[self.shown].version.front.title()
    }
    pub fn current(&self) -> Option<&PlannedVersion<'c>> {
        self.versions
            .iter()
            .find(|v| v.status == VersionStatus::Current)
    }
    pub fn upcoming(&self) -> impl Iterator<Item = &PlannedVersion<'c>> {
        self.versions
            .iter()
            .filter(|v| v.status == VersionStatus::Upcoming)
    }
    /// The version before `index` that a changes page compares against: the previous
    /// published one (drafts compare against the one before them too).
    pub fn previous(&self, index: usize) -> Option<&PlannedVersion<'c>> {
        self.versions[..index].iter().rev().find(|v| {
            v.status != VersionStatus::Draft || self.versions[index].status == VersionStatus::Draft
        })
    }
}

/// Every page the site will have, decided once from the content and the build date.
#[derive(Debug)]
pub struct SitePlan<'c> {
    pub content: &'c Content,
    pub urls: Urls,
    pub today: NaiveDate,
    pub drafts: Drafts,
    pub policies: Vec<PolicyPlan<'c>>,
    pub pages: Vec<&'c Page>,
}

impl<'c> SitePlan<'c> {
    pub fn new(content: &'c Content, today: NaiveDate, drafts: Drafts) -> Self {
        let urls = Urls::new(content.config.base());
        let policies = content
            .policies
            .iter()
            .filter_map(|policy| plan_policy(policy, today, drafts))
            .collect();
        let pages = content
            .pages
            .iter()
            .filter(|p| drafts == Drafts::Show || !p.front.draft)
            .collect();
        SitePlan {
            content,
            urls,
            today,
            drafts,
            policies,
            pages,
        }
    }

    pub fn policy(&self, slug: &str) -> Option<&PolicyPlan<'c>> {
        self.policies.iter().find(|p| p.slug() == slug)
    }
}

fn plan_policy(policy: &Policy, today: NaiveDate, drafts: Drafts) -> Option<PolicyPlan<'_>> {
    let published: Vec<&Version> = policy
        .versions
        .iter()
        .filter(|v| drafts == Drafts::Show || !v.front.draft)
        .collect();
    let current_date = published
        .iter()
        .filter(|v| !v.front.draft && v.date <= today)
        .map(|v| v.date)
        .max();
    let versions: Vec<PlannedVersion> = published
        .into_iter()
        .map(|version| {
            let status = if version.front.draft {
                VersionStatus::Draft
            } else if Some(version.date) == current_date {
                VersionStatus::Current
            } else if version.date > today {
                VersionStatus::Upcoming
            } else {
                VersionStatus::Superseded
            };
            PlannedVersion { version, status }
        })
        .collect();
    let shown = versions
        .iter()
        .position(|v| v.status == VersionStatus::Current)
        .or_else(|| {
            versions
                .iter()
                .position(|v| v.status == VersionStatus::Upcoming)
        })
        .or_else(|| (!versions.is_empty()).then_some(versions.len() - 1))?;
    Some(PolicyPlan {
        policy,
        versions,
        shown,
    })
}
