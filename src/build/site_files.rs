//! The site-wide files beside the pages: sitemap and security headers.

use std::borrow::Cow;
use std::io::Write;

use rayon::prelude::*;

use crate::markdown;
use crate::site::{PolicyPlan, SitePlan, Urls, VersionStatus};

/// One policy's part of the sitemap: its pages in path order, as XML. Every path of a
/// policy starts with `/<slug>/`, so in the sorted sitemap they form one unbroken run that
/// sorts where that prefix does; `serve` reuses the part of each unchanged policy.
pub fn policy_sitemap(plan: &SitePlan, policy: &PolicyPlan) -> String {
    let urls = &plan.urls;
    let shown = policy.shown_version().version;
    let mut entries = vec![
        (urls.policy(policy.slug()), Some(shown.date_string())),
        (urls.history(policy.slug()), None),
    ];
    for (index, v) in policy.versions.iter().enumerate() {
        if v.status == VersionStatus::Draft {
            continue;
        }
        entries.push((
            urls.version(policy.slug(), v.version.date),
            Some(v.version.date_string()),
        ));
        if policy.previous(index).is_some() {
            entries.push((
                urls.changes(policy.slug(), v.version.date),
                Some(v.version.date_string()),
            ));
        }
    }
    entries_xml(urls, entries)
}

fn entries_xml(urls: &Urls, mut entries: Vec<(String, Option<String>)>) -> String {
    entries.sort();
    entries.dedup();
    let mut xml = String::new();
    for (path, lastmod) in entries {
        xml.push_str("  <url><loc>");
        xml.push_str(&markdown::escape_html(&urls.absolute(&path)));
        xml.push_str("</loc>");
        if let Some(date) = lastmod {
            xml.push_str("<lastmod>");
            xml.push_str(&date);
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml
}

/// One run of the sitemap: a page of the site's own, as XML, or a policy's part.
pub(super) enum SitemapPiece {
    Page(String),
    /// The index of a policy in the plan.
    Policy(usize),
}

pub(super) const SITEMAP_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
pub(super) const SITEMAP_TAIL: &str = "</urlset>\n";

/// What the sitemap lists between its head and tail, in path order: the site's own pages
/// and each policy's part (see [`policy_sitemap`]).
pub(super) fn sitemap_pieces(plan: &SitePlan) -> Vec<SitemapPiece> {
    let urls = &plan.urls;
    let mut others = vec![(urls.index(), None)];
    for page in &plan.pages {
        others.push((urls.page(&page.slug), None));
    }
    others.push((urls.file("cookie-settings/"), None));
    others.push((urls.file("quick-exit/"), None));
    let mut parts: Vec<(String, String)> = others
        .into_iter()
        .map(|(path, lastmod)| (path.clone(), entries_xml(urls, vec![(path, lastmod)])))
        .collect();
    let mut policy_order: Vec<(String, usize)> = plan
        .policies
        .iter()
        .enumerate()
        .map(|(index, policy)| (urls.policy(policy.slug()), index))
        .collect();
    policy_order.sort();
    parts.sort();
    // Merge the two sorted lists; a page and a policy never share a path.
    let mut others = parts.into_iter().peekable();
    let mut pieces = Vec::with_capacity(policy_order.len() + others.len());
    for (key, p) in policy_order {
        while let Some((_, entry)) = others.next_if(|(path, _)| *path < key) {
            pieces.push(SitemapPiece::Page(entry));
        }
        pieces.push(SitemapPiece::Policy(p));
    }
    pieces.extend(others.map(|(_, entry)| SitemapPiece::Page(entry)));
    pieces
}

/// Every public HTML page, with absolute URLs, in path order: the site's own pages and each
/// policy's part (kept by `serve`, else made here from [`policy_sitemap`] a few hundred
/// policies at a time, so a large site's sitemap is never held whole).
pub(super) fn write_sitemap(
    plan: &SitePlan,
    kept: &[Option<&str>],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    out.write_all(SITEMAP_HEAD.as_bytes())?;
    for chunk in sitemap_pieces(plan).chunks(256) {
        let xml: Vec<Cow<str>> = chunk
            .par_iter()
            .map(|piece| match piece {
                SitemapPiece::Page(entry) => Cow::Borrowed(entry.as_str()),
                SitemapPiece::Policy(p) => match kept.get(*p).copied().flatten() {
                    Some(part) => Cow::Borrowed(part),
                    None => Cow::Owned(policy_sitemap(plan, &plan.policies[*p])),
                },
            })
            .collect();
        for part in xml {
            out.write_all(part.as_bytes())?;
        }
    }
    out.write_all(SITEMAP_TAIL.as_bytes())
}

/// The Content-Security-Policy every page works under: nothing inline, nothing from elsewhere.
pub fn content_security_policy(extra_script_origins: &[String]) -> String {
    let scripts = std::iter::once("'self'".to_string())
        .chain(extra_script_origins.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
}

/// Security headers for every response, shared by `_headers` and `serve`.
pub fn security_header_pairs(extra_script_origins: &[String]) -> Vec<(&'static str, String)> {
    vec![
        (
            "Content-Security-Policy",
            content_security_policy(extra_script_origins),
        ),
        ("X-Content-Type-Options", "nosniff".into()),
        ("Referrer-Policy", "no-referrer".into()),
        ("X-Frame-Options", "DENY".into()),
        ("Cross-Origin-Opener-Policy", "same-origin".into()),
        (
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), interest-cohort=(), browsing-topics=()"
                .into(),
        ),
    ]
}

/// `_headers` in the format Netlify and Cloudflare Pages read.
pub(super) fn security_headers(prefix: &str, extra_script_origins: &[String]) -> String {
    let mut text = format!("{prefix}*\n");
    for (name, value) in security_header_pairs(extra_script_origins) {
        text.push_str(&format!("  {name}: {value}\n"));
    }
    text.push_str(&format!(
        "{prefix}assets/*\n  Cache-Control: public, max-age=31536000, immutable\n"
    ));
    text
}
