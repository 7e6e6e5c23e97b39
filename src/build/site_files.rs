//! The site-wide files beside the pages: sitemap and security headers.

use crate::markdown;
use crate::site::SitePlan;

/// Every public HTML page, with absolute URLs, in a stable order.
pub(super) fn sitemap(plan: &SitePlan) -> String {
    let urls = &plan.urls;
    let mut entries: Vec<(String, Option<String>)> = vec![(urls.index(), None)];
    for policy in &plan.policies {
        let shown = policy.shown_version().version;
        entries.push((urls.policy(policy.slug()), Some(shown.date_string())));
        entries.push((urls.history(policy.slug()), None));
        for (index, v) in policy.versions.iter().enumerate() {
            if v.status == crate::site::VersionStatus::Draft {
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
    }
    for page in &plan.pages {
        entries.push((urls.page(&page.slug), None));
    }
    entries.push((urls.file("cookie-settings/"), None));
    entries.push((urls.file("quick-exit/"), None));
    entries.sort();
    entries.dedup();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (path, lastmod) in entries {
        xml.push_str("  <url><loc>");
        xml.push_str(&markdown::escape_html(&urls.absolute(&path)));
        xml.push_str("</loc>");
        if let Some(date) = lastmod {
            xml.push_str(&format!("<lastmod>{date}</lastmod>"));
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
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
