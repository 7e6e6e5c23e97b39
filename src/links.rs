//! Which links are this site's, how they are written out, and whether they lead anywhere.
//!
//! A link is ours to check when it resolves under `base_url`'s path: relative links, `#anchors`
//! and root-relative paths under the prefix. Root-relative paths outside the prefix belong to the
//! publisher's wider website and are left alone.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::content::Source;
use crate::diagnostics::{Diagnostic, Location, did_you_mean};
use crate::markdown::{LinkKind, LinkResolver, Rendered, ResolvedLink, classify_scheme};
use crate::site::{CHANGES_SEGMENT, HISTORY_SEGMENT, Urls};

/// Resolves the links of one source document.
pub struct DocumentLinks<'a> {
    pub urls: &'a Urls,
    /// The URL the document is written for (`/prefix/slug/` for every version of a policy, so
    /// that relative links work the same on the current page and on its dated copy).
    pub home: String,
    /// The source file's path relative to the content folder, with `/` separators, for links
    /// written to other Markdown files (`../cookies/2024-01-01.md`) as when previewing on GitHub.
    pub source_relative: String,
}

impl LinkResolver for DocumentLinks<'_> {
    fn resolve(&self, destination: &str) -> ResolvedLink {
        match classify_scheme(destination) {
            LinkKind::Internal => {}
            kind => {
                return ResolvedLink {
                    href: destination.to_string(),
                    kind,
                };
            }
        }
        if destination.starts_with('#') || destination.is_empty() {
            return ResolvedLink {
                href: destination.to_string(),
                kind: LinkKind::Internal,
            };
        }
        let path = self.absolute_path(destination);
        let kind = if path.starts_with(self.urls.prefix())
            || path.trim_end_matches('/') == self.urls.prefix().trim_end_matches('/')
        {
            LinkKind::Internal
        } else {
            LinkKind::SameOrigin
        };
        ResolvedLink { href: path, kind }
    }
}

impl DocumentLinks<'_> {
    /// The root-relative form of a link, with `..` and `.` resolved and `.md` files mapped to
    /// the pages made from them. Query and fragment are kept.
    pub fn absolute_path(&self, destination: &str) -> String {
        let (path, suffix) = split_suffix(destination);
        if path.starts_with('/') {
            return normalise(path) + suffix;
        }
        if path.ends_with(".md") || path.ends_with(".markdown") {
            let base_dir = self
                .source_relative
                .rsplit_once('/')
                .map_or("", |(dir, _)| dir);
            let joined = normalise(&["/", base_dir, "/", path].concat());
            if let Some(url) = self.markdown_file_url(&joined) {
                return url + suffix;
            }
        }
        normalise(&[&self.home, path].concat()) + suffix
    }

    /// `/policies/<slug>/<date>.md` → version URL; `/pages/<slug>.md` → page URL.
    fn markdown_file_url(&self, content_path: &str) -> Option<String> {
        let parts: Vec<&str> = content_path.trim_start_matches('/').split('/').collect();
        fn stem(name: &str) -> &str {
            name.trim_end_matches(".markdown").trim_end_matches(".md")
        }
        match parts.as_slice() {
            ["policies", slug, file] => {
                Some([self.urls.prefix(), slug, "/", stem(file), "/"].concat())
            }
            ["pages", file] => Some(self.urls.page(stem(file))),
            _ => None,
        }
    }
}

fn split_suffix(destination: &str) -> (&str, &str) {
    match destination.find(['?', '#']) {
        Some(i) => (&destination[..i], &destination[i..]),
        None => (destination, ""),
    }
}

/// Resolves `.` and `..` segments, keeping a trailing slash.
fn normalise(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let trailing = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    let mut out = String::with_capacity(path.len() + 1);
    for segment in &segments {
        out.push('/');
        out.push_str(segment);
    }
    if trailing || out.is_empty() {
        out.push('/');
    }
    out
}

/// What the site contains, for checking links against it.
pub struct LinkTargets {
    urls: Urls,
    /// Site paths of the files the build writes outside any policy (`/p/x/` for
    /// `x/index.html`), each with the rendered Markdown shown there when there is one, for
    /// `#anchor` checks. The documents are shared, so that `serve` can keep the targets
    /// between rebuilds that change none of them.
    paths: HashMap<Box<str>, Option<Arc<Rendered>>>,
    /// Each policy's pages by slug, found by taking a path apart rather than kept as strings:
    /// a site of 100,000 versions has over 200,000 of them.
    policies: HashMap<Box<str>, PolicyTargets>,
}

/// The pages of one policy, whose paths `Urls` makes from its slug and its versions' dates.
pub struct PolicyTargets {
    /// The version shown at the policy's own path.
    pub shown: Arc<Rendered>,
    /// Every version.
    pub versions: Vec<VersionTarget>,
}

pub struct VersionTarget {
    pub date: NaiveDate,
    pub rendered: Arc<Rendered>,
    pub changes: ChangesPage,
}

/// Whether a version has a page of changes from the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangesPage {
    Made,
    None,
}

/// What a path is to the site: a page or file, with the document shown there, if any.
type Target<'a> = Option<Option<&'a Rendered>>;

impl LinkTargets {
    pub fn new(urls: &Urls) -> Self {
        LinkTargets {
            urls: urls.clone(),
            paths: HashMap::new(),
            policies: HashMap::new(),
        }
    }

    pub fn add_path(&mut self, path: String) {
        self.paths.entry(path.into_boxed_str()).or_insert(None);
    }

    pub fn add_document(&mut self, path: String, rendered: Arc<Rendered>) {
        self.paths.insert(path.into_boxed_str(), Some(rendered));
    }

    pub fn add_policy(&mut self, slug: &str, mut policy: PolicyTargets) {
        // Already in date order when they come from a plan; looked up by date.
        policy.versions.sort_by_key(|v| v.date);
        self.policies.insert(slug.into(), policy);
    }

    /// The document shown at `path`, when it is a rendered Markdown document.
    pub fn document(&self, path: &str) -> Option<&Rendered> {
        self.target(path).flatten()
    }

    fn target(&self, path: &str) -> Target<'_> {
        match self.paths.get(path) {
            Some(Some(doc)) => Some(Some(doc)),
            Some(None) => Some(self.policy_target(path).flatten()),
            None => self.policy_target(path),
        }
    }

    /// `path` as one of the policy paths `Urls` makes: `<slug>/`, `<slug>/<date>/`,
    /// `<slug>/<date>/changes/`, `<slug>/history/` and `<slug>/feed.xml` under the prefix.
    fn policy_target(&self, path: &str) -> Target<'_> {
        let rest = path.strip_prefix(self.urls.prefix())?;
        let (slug, tail) = rest.split_once('/')?;
        let policy = self.policies.get(slug)?;
        if tail.is_empty() {
            return Some(Some(&policy.shown));
        }
        if tail == "feed.xml" || tail.strip_suffix('/') == Some(HISTORY_SEGMENT) {
            return Some(None);
        }
        let (date_text, after) = (tail.get(..10)?, tail.get(10..)?);
        let date = NaiveDate::parse_from_str(date_text, "%Y-%m-%d")
            .ok()
            .filter(|d| crate::pages::iso_date(*d) == date_text)?;
        let index = policy
            .versions
            .binary_search_by_key(&date, |v| v.date)
            .ok()?;
        let version = &policy.versions[index];
        if after == "/" {
            return Some(Some(&version.rendered));
        }
        let changes = after.strip_prefix('/').and_then(|a| a.strip_suffix('/'));
        (changes == Some(CHANGES_SEGMENT) && version.changes == ChangesPage::Made).then_some(None)
    }

    fn find(&self, path: &str) -> Option<String> {
        let stripped = path.strip_suffix("index.html").unwrap_or(path);
        [stripped.to_string(), [stripped, "/"].concat()]
            .into_iter()
            .find(|p| self.target(p).is_some())
    }

    /// Every path of the site that ends in `/`, for suggesting one in place of a broken link.
    fn folder_paths(&self) -> Vec<String> {
        let urls = &self.urls;
        let mut found: Vec<String> = self
            .paths
            .keys()
            .filter(|p| p.ends_with('/'))
            .map(|p| p.to_string())
            .collect();
        for (slug, policy) in &self.policies {
            found.push(urls.policy(slug));
            found.push(urls.history(slug));
            for version in &policy.versions {
                found.push(urls.version(slug, version.date));
                if version.changes == ChangesPage::Made {
                    found.push(urls.changes(slug, version.date));
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// One document to check: where it is shown and where its text came from.
pub struct CheckedDocument<'a> {
    pub links: &'a DocumentLinks<'a>,
    pub rendered: &'a Rendered,
    /// Its text is read only to place a broken link: a plain build does not keep it.
    pub source: &'a Source,
}

impl<'a> CheckedDocument<'a> {
    /// Where the body byte `offset` is. `body` holds the body once read, for the next link.
    fn location(&self, body: &mut Option<Cow<'a, str>>, offset: usize) -> Location {
        let source: &'a Source = self.source;
        if body.is_none() {
            *body = source.body().ok();
        }
        match body {
            Some(text) => Location::at_offset(&source.path, text, offset, source.body_line),
            None => Location::new(&source.path, source.body_line, 1),
        }
    }
}

/// Every broken internal link in a document, as errors.
pub fn check(document: &CheckedDocument, targets: &LinkTargets) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut body = None;
    for (destination, offset) in document.rendered.link_facts() {
        let mut location = || document.location(&mut body, offset);
        let resolved = document.links.resolve(destination);
        if resolved.kind != LinkKind::Internal {
            continue;
        }
        let (path, suffix) = split_suffix(&resolved.href);
        let anchor = suffix.split_once('#').map(|(_, a)| a);
        let (target_path, target_doc) = if path.is_empty() {
            (document.links.home.clone(), Some(document.rendered))
        } else {
            match targets.find(path) {
                Some(found) => {
                    let doc = targets.document(&found);
                    (found, doc)
                }
                None => {
                    problems.push(missing_page(destination, path, targets, location()));
                    continue;
                }
            }
        };
        if let (Some(anchor), Some(doc)) = (anchor, target_doc)
            && !anchor.is_empty()
            && !doc.has_anchor(anchor)
        {
            let ids: Vec<&str> = doc.heading_ids().collect();
            let hint = match did_you_mean(anchor, ids.iter().copied()) {
                Some(best) => format!(
                    "Did you mean `#{best}`? Heading ids are the heading text in lower case, with punctuation removed and spaces turned into hyphens."
                ),
                None => format!(
                    "Link to one of the headings on that page: {}.",
                    ids.iter()
                        .take(8)
                        .map(|i| format!("#{i}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            problems.push(
                Diagnostic::error("broken-link", location(), format!("The link `{}` points at a heading `#{anchor}` that {target_path} does not have", destination))
                    .with_hint(hint),
            );
        }
    }
    problems
}

fn missing_page(
    destination: &str,
    path: &str,
    targets: &LinkTargets,
    location: Location,
) -> Diagnostic {
    let candidates = targets.folder_paths();
    let hint = match did_you_mean(path, candidates.iter().map(String::as_str)) {
        Some(best) => format!("Did you mean `{best}`? Check the policy or page name and, for a version, its date."),
        None => "Check the policy or page name and, for a version, its date; links inside this site start with the site's path.".to_string(),
    };
    Diagnostic::error(
        "broken-link",
        location,
        format!("The link `{destination}` leads to {path}, which is not a page of this site"),
    )
    .with_hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::BaseUrl;

    fn links(urls: &Urls) -> DocumentLinks<'_> {
        DocumentLinks {
            urls,
            home: "/p/privacy/".into(),
            source_relative: "policies/privacy/2024-01-01.md".into(),
        }
    }

    #[test]
    fn relative_links_resolve_against_the_policy_home() {
        let urls = Urls::new(BaseUrl::parse("https://x.example/p/").unwrap());
        let doc = links(&urls);
        assert_eq!(doc.resolve("../cookies/").href, "/p/cookies/");
        assert_eq!(doc.resolve("../cookies/#gpc").href, "/p/cookies/#gpc");
        assert_eq!(
            doc.resolve("../cookies/2024-01-01.md").href,
            "/p/cookies/2024-01-01/"
        );
        assert_eq!(
            doc.resolve("../../pages/accessibility.md#contact").href,
            "/p/accessibility/#contact"
        );
        assert_eq!(doc.resolve("/p/cookies/").kind, LinkKind::Internal);
        assert_eq!(doc.resolve("/articles/x").kind, LinkKind::SameOrigin);
        assert_eq!(doc.resolve("https://ico.org.uk/").kind, LinkKind::External);
        assert_eq!(doc.resolve("#top").href, "#top");
    }

    #[test]
    fn policy_paths_are_found_from_slug_and_dates() {
        let urls = Urls::new(BaseUrl::parse("https://x.example/p/").unwrap());
        let render = |body: &str| {
            Arc::new(crate::markdown::render(
                body,
                &links(&urls),
                &crate::markdown::Sanitizer::default(),
            ))
        };
        let date = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        let mut targets = LinkTargets::new(&urls);
        targets.add_path(urls.file("feed.xml"));
        let (first, second) = (render("# First\n"), render("# Second\n"));
        targets.add_policy(
            "privacy",
            PolicyTargets {
                shown: second.clone(),
                versions: vec![
                    VersionTarget {
                        date: date("2025-03-01"),
                        rendered: second,
                        changes: ChangesPage::Made,
                    },
                    VersionTarget {
                        date: date("2024-01-01"),
                        rendered: first,
                        changes: ChangesPage::None,
                    },
                ],
            },
        );
        let found = |path: &str| targets.find(path);
        for path in [
            "/p/privacy/",
            "/p/privacy/2024-01-01/",
            "/p/privacy/2025-03-01/changes/",
            "/p/privacy/history/",
            "/p/privacy/feed.xml",
            "/p/feed.xml",
        ] {
            assert_eq!(found(path).as_deref(), Some(path), "{path}");
        }
        assert_eq!(found("/p/privacy").as_deref(), Some("/p/privacy/"));
        assert_eq!(
            found("/p/privacy/2024-01-01/index.html").as_deref(),
            Some("/p/privacy/2024-01-01/")
        );
        for path in [
            "/p/privacy/2024-01-01/changes/",
            "/p/privacy/2024-01-02/",
            "/p/privacy/2024-1-01/",
            "/p/privacy/2024-01-01/x/",
            "/p/cookies/",
            "/privacy/",
        ] {
            assert_eq!(found(path), None, "{path}");
        }
        let heading = |path: &str| targets.document(path).map(|d| d.heading_ids().collect());
        assert_eq!(heading("/p/privacy/"), Some(vec!["second"]));
        assert_eq!(heading("/p/privacy/2024-01-01/"), Some(vec!["first"]));
        assert_eq!(heading("/p/privacy/history/"), None);
        assert_eq!(
            targets.folder_paths(),
            [
                "/p/privacy/",
                "/p/privacy/2024-01-01/",
                "/p/privacy/2025-03-01/",
                "/p/privacy/2025-03-01/changes/",
                "/p/privacy/history/",
            ]
        );
    }

    #[test]
    fn normalise_keeps_trailing_slash() {
        assert_eq!(normalise("/a/b/../c/"), "/a/c/");
        assert_eq!(normalise("/a/./b"), "/a/b");
        assert_eq!(normalise("/../.."), "/");
    }
}
