//! The context each template receives, and the rendering of every page the plan lists.
//!
//! Templates get small, purpose-made values: no page serialises a whole policy, so rendering
//! cost grows with the page, not with the site.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::markdown::{Heading, Rendered};
use crate::site::{PlannedVersion, PolicyPlan, SitePlan, Urls, VersionStatus};

/// "1 March 2027": how dates read on the page. Written out by hand: chrono's `format` parses
/// its pattern on every call, and a large site formats tens of thousands of dates.
pub fn long_date(date: NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = MONTHS[date.month0() as usize];
    let mut out = String::with_capacity(month.len() + 8);
    push_number(&mut out, date.day(), 1);
    out.push(' ');
    out.push_str(month);
    out.push(' ');
    match u32::try_from(date.year()) {
        Ok(year) => push_number(&mut out, year, 1),
        Err(_) => out.push_str(&date.year().to_string()),
    }
    out
}

/// "2027-03-01": the form of dates in URLs, file names and `datetime` values.
pub fn iso_date(date: NaiveDate) -> String {
    let mut out = String::with_capacity(10);
    push_iso_date(&mut out, date);
    out
}

/// [`iso_date`] onto `out`: URLs are built around it, and `format!`'s padding showed in
/// profiles of a large build.
pub fn push_iso_date(out: &mut String, date: NaiveDate) {
    match u32::try_from(date.year()) {
        Ok(year) => push_number(out, year, 4),
        // Years before 1 CE, which chrono allows, keep `format!`'s sign and padding.
        Err(_) => out.push_str(&format!("{:04}", date.year())),
    }
    out.push('-');
    push_number(out, date.month(), 2);
    out.push('-');
    push_number(out, date.day(), 2);
}

/// `number` in decimal, zero-padded to at least `width` digits.
fn push_number(out: &mut String, number: u32, width: usize) {
    let mut digits = [b'0'; 10];
    let mut at = digits.len();
    let mut rest = number;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let start = at.min(digits.len() - width.min(digits.len()));
    for &digit in &digits[start..] {
        out.push(char::from(digit));
    }
}

/// Tera's HTML escaping (the same five characters, `'` as `&#39;`) by pulldown-cmark's escaper,
/// which finds them sixteen bytes at a time and copies the runs between them whole: Tera's own
/// writes every byte through a `dyn Write` call, and every value a page shows goes through it.
pub fn escape_for_templates(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    pulldown_cmark_escape::escape_html(pulldown_cmark_escape::IoWriter(out), input)
}

/// Tera's `safe` filter, keeping a string's shared text rather than copying it as Tera's own
/// does: every page passes its body (often tens of kilobytes) through it.
pub fn mark_safe(value: &tera::Value, _: tera::Kwargs, _: &tera::State) -> tera::Value {
    if value.is_string() {
        value.clone().mark_safe()
    } else {
        // What Tera's own makes of anything else: its text, marked safe.
        tera::Value::safe_string(&value.to_string())
    }
}

/// What every template can see as `site`.
#[derive(Debug, Serialize)]
pub struct SiteContext {
    pub title: String,
    pub language: String,
    pub base_url: String,
    pub home_url: String,
    pub feed_url: String,
    pub cookie_settings_url: String,
    pub quick_exit_info_url: String,
    pub quick_exit: crate::config::QuickExit,
    pub consent: crate::consent::ConsentView,
    pub nav: Vec<NavItem>,
    /// Logical asset name (`css/site.css`) to its fingerprinted URL.
    pub assets: BTreeMap<String, String>,
    pub build_date: String,
    /// The live-reload script `serve` adds; absent in a published build.
    pub live_reload_url: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct NavItem {
    pub title: String,
    pub url: String,
}

/// The most entries the navigation on every page lists before it links to the home page
/// instead: a bar of hundreds of links helps no one, and repeating it on every page would make
/// the size of the site grow with the square of the number of policies.
pub const NAV_LIMIT: usize = 12;

/// The site navigation: every policy and page while there are few, else "All policies".
pub fn site_nav(plan: &SitePlan) -> Vec<NavItem> {
    let urls = &plan.urls;
    if plan.policies.len() + plan.pages.len() > NAV_LIMIT {
        return vec![NavItem {
            title: "All policies".to_string(),
            url: urls.index(),
        }];
    }
    plan.policies
        .iter()
        .map(|p| NavItem {
            title: p.title().to_string(),
            url: urls.policy(p.slug()),
        })
        .chain(plan.pages.iter().map(|p| NavItem {
            title: p.front.title().to_string(),
            url: urls.page(&p.slug),
        }))
        .collect()
}

/// What every template can see as `page`.
#[derive(Debug, Serialize)]
pub struct PageMeta {
    /// The part of `<title>` before the site name; unique per page.
    pub title: String,
    /// The visible `h1`, where it differs from `title`.
    pub heading: String,
    pub canonical: String,
    pub path: String,
    /// The navigation entry this page belongs to, for `aria-current`.
    pub section_url: String,
}

impl PageMeta {
    pub fn new(urls: &Urls, title: impl Into<String>, path: String, section_url: String) -> Self {
        let title = title.into();
        PageMeta {
            heading: title.clone(),
            title,
            canonical: urls.absolute(&path),
            path,
            section_url,
        }
    }
}

/// One version as templates see it.
#[derive(Debug, Clone, Serialize)]
pub struct VersionView {
    pub date: String,
    pub date_long: String,
    pub title: String,
    pub label: Option<String>,
    pub summary: Option<String>,
    pub url: String,
    /// `None` for a policy's first version, which has nothing to compare against.
    pub changes_url: Option<String>,
    pub status: VersionStatus,
    /// The day the next published version took over, for superseded versions.
    pub until: Option<String>,
    pub until_long: Option<String>,
}

impl VersionView {
    pub fn new(urls: &Urls, plan: &PolicyPlan, index: usize) -> Self {
        let planned: &PlannedVersion = &plan.versions[index];
        let version = planned.version;
        let next = plan.versions[index + 1..]
            .iter()
            .find(|v| v.status != VersionStatus::Draft);
        let until = (planned.status == VersionStatus::Superseded)
            .then(|| next.map(|n| n.version.date))
            .flatten();
        VersionView {
            date: version.date_string(),
            date_long: long_date(version.date),
            title: version.front.title().to_string(),
            label: version.front.label.clone(),
            summary: version.front.summary.clone(),
            url: urls.version(plan.slug(), version.date),
            changes_url: plan
                .previous(index)
                .map(|_| urls.changes(plan.slug(), version.date)),
            status: planned.status,
            until: until.map(iso_date),
            until_long: until.map(long_date),
        }
    }
}

/// A policy as templates see it.
#[derive(Debug, Serialize)]
pub struct PolicyView {
    pub slug: String,
    pub title: String,
    pub url: String,
    pub history_url: String,
    pub feed_url: String,
    pub current: Option<VersionView>,
    pub upcoming: Vec<VersionView>,
}

impl PolicyView {
    pub fn new(urls: &Urls, plan: &PolicyPlan) -> Self {
        let index_of = |status| {
            plan.versions
                .iter()
                .position(|v: &PlannedVersion| v.status == status)
        };
        PolicyView {
            slug: plan.slug().to_string(),
            title: plan.title().to_string(),
            url: urls.policy(plan.slug()),
            history_url: urls.history(plan.slug()),
            feed_url: urls.policy_feed(plan.slug()),
            current: index_of(VersionStatus::Current).map(|i| VersionView::new(urls, plan, i)),
            upcoming: (0..plan.versions.len())
                .filter(|&i| plan.versions[i].status == VersionStatus::Upcoming)
                .map(|i| VersionView::new(urls, plan, i))
                .collect(),
        }
    }
}

/// The table of contents: the `##` sections, when there are at least three.
pub fn table_of_contents(rendered: &Rendered) -> Vec<&Heading> {
    let sections = rendered.sections();
    if sections.len() >= 3 {
        sections
    } else {
        Vec::new()
    }
}

/// What every page of one policy shows of it (`policy`, `current`, `upcoming`), converted for
/// the templates once per policy rather than once per page: a policy has a page per version
/// and per change, and these were most of each page's context.
pub struct PolicyContext {
    pub context: tera::Context,
    /// The same, as JSON, for `serve`'s page-cache keys.
    pub json: Vec<u8>,
    /// Each version, in the order of `PolicyPlan::versions`: a version shows on its own pages,
    /// on its changes page and the next one's, and on the history page, so it is made and
    /// converted once rather than on each.
    pub versions: Vec<SharedVersion>,
}

impl PolicyContext {
    pub fn new(urls: &Urls, plan: &PolicyPlan, policy: &PolicyView) -> Self {
        let mut context = tera::Context::new();
        context.insert("policy", policy);
        context.insert("current", &policy.current);
        context.insert("upcoming", &policy.upcoming);
        PolicyContext {
            context,
            json: serde_json::to_vec(policy).unwrap_or_default(),
            versions: (0..plan.versions.len())
                .map(|index| SharedVersion::new(VersionView::new(urls, plan, index)))
                .collect(),
        }
    }
}

/// A [`VersionView`] with the value templates get for it: Tera's maps are reference-counted,
/// so each page that shows the version takes a clone of one value instead of converting it.
pub struct SharedVersion {
    pub view: VersionView,
    pub value: tera::Value,
}

impl SharedVersion {
    pub fn new(view: VersionView) -> Self {
        let value = tera::Value::from_serializable(&view);
        SharedVersion { view, value }
    }
}

/// As its view: `serve` keys pages by their contexts' JSON.
impl Serialize for SharedVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.view.serialize(serializer)
    }
}

/// A page of one policy: what it adds to its [`PolicyContext`]. `Serialize` gives the same
/// variables (for `serve`'s page-cache keys); `add_to` builds them for Tera directly, taking
/// the versions' values as they were converted once.
pub trait PolicyPage: Serialize {
    fn add_to(&self, context: &mut tera::Context) -> Result<(), tera::Error>;
}

/// Converts `value` for Tera and adds it to `context` as `name`.
pub fn insert(
    context: &mut tera::Context,
    name: &'static str,
    value: &impl Serialize,
) -> Result<(), tera::Error> {
    context.insert_value(name, tera::Value::try_from_serializable(value)?);
    Ok(())
}

/// The context of a policy version page (`/<slug>/` or `/<slug>/<date>/`), besides its
/// [`PolicyContext`].
#[derive(Serialize)]
pub struct VersionPage<'a> {
    pub page: PageMeta,
    pub version: &'a SharedVersion,
    pub toc: Vec<&'a Heading>,
    pub body: &'a str,
}

impl<'a> VersionPage<'a> {
    pub fn new(
        plan: &SitePlan,
        policy: &PolicyView,
        shared: &'a PolicyContext,
        index: usize,
        rendered: &'a Rendered,
        at_dated_url: bool,
    ) -> Self {
        let urls = &plan.urls;
        let version = &shared.versions[index];
        let view = &version.view;
        let (title, path) = if at_dated_url {
            (
                format!("{} (version of {})", view.title, view.date_long),
                view.url.clone(),
            )
        } else {
            (view.title.clone(), policy.url.clone())
        };
        let mut page = PageMeta::new(urls, title, path, policy.url.clone());
        page.heading = view.title.clone();
        VersionPage {
            page,
            version,
            toc: table_of_contents(rendered),
            body: &rendered.html,
        }
    }
}

impl PolicyPage for VersionPage<'_> {
    fn add_to(&self, context: &mut tera::Context) -> Result<(), tera::Error> {
        // Taken apart so that a new field cannot be left out here.
        let VersionPage {
            page,
            version,
            toc,
            body,
        } = self;
        insert(context, "page", page)?;
        context.insert_value("version", version.value.clone());
        insert(context, "toc", toc)?;
        context.insert_value("body", tera::Value::from(*body));
        Ok(())
    }
}

/// The context of the home page.
#[derive(Serialize)]
pub struct IndexPage<'a> {
    pub page: PageMeta,
    pub policies: Vec<&'a PolicyView>,
    pub pages: Vec<NavItem>,
}

/// The context of an unversioned page.
#[derive(Serialize)]
pub struct StandalonePage<'a> {
    pub page: PageMeta,
    pub draft: bool,
    pub toc: Vec<&'a Heading>,
    pub body: &'a str,
}

/// The context of a page whose content lives in its template (cookie settings, quick exit).
#[derive(Serialize)]
pub struct InfoPage {
    pub page: PageMeta,
}

#[cfg(test)]
mod tests;
