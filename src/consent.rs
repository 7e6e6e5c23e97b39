//! Consent settings as the pages and the browser script see them.
//!
//! The browser keeps a visitor's choice with a version derived from the category configuration,
//! so that changing what a category means (or adding one) asks the visitor again. The version is
//! computed here, at build time, because the page script must not be trusted to notice changes.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::{Category, Consent, Cookie};
use crate::content::Content;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::site::Urls;

/// What templates see as `site.consent`.
#[derive(Debug, Clone, Serialize)]
pub struct ConsentView {
    pub necessary: Vec<Cookie>,
    pub categories: Vec<CategoryView>,
    /// Changes whenever the categories change, so stored choices for old settings are ignored.
    pub version: String,
    /// What `site.js` reads from `data-consent` on `<body>`: the version and each category's
    /// scripts as URLs, so the script never needs a second request to learn the settings.
    pub script_config: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub cookies: Vec<Cookie>,
    /// Script URLs loaded only after consent: site paths or https URLs.
    pub scripts: Vec<String>,
}

#[derive(Serialize)]
struct ScriptConfig<'a> {
    version: &'a str,
    categories: Vec<ScriptCategory<'a>>,
}

#[derive(Serialize)]
struct ScriptCategory<'a> {
    id: &'a str,
    scripts: &'a [String],
}

/// A stable digest of everything a visitor agreed to: ids, names, descriptions, cookies and
/// scripts. Necessary cookies are left out: they need no consent.
pub fn version(categories: &[Category]) -> String {
    let canonical = serde_json::to_string(categories).unwrap_or_default();
    let digest = Sha256::digest(canonical.as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Origins (`https://host[:port]`) of the declared https scripts: the only additions the
/// Content-Security-Policy gets.
pub fn script_origins(consent: &Consent) -> Vec<String> {
    let mut origins: Vec<String> = consent
        .categories
        .iter()
        .flat_map(|c| c.scripts.iter())
        .filter_map(|s| s.strip_prefix("https://"))
        .map(|rest| {
            format!(
                "https://{}",
                rest.split(['/', '?', '#']).next().unwrap_or_default()
            )
        })
        .collect();
    origins.sort();
    origins.dedup();
    origins
}

impl ConsentView {
    pub fn new(consent: &Consent, urls: &Urls) -> Self {
        let categories: Vec<CategoryView> = consent
            .categories
            .iter()
            .map(|c| CategoryView {
                id: c.id.clone(),
                name: c.name.clone(),
                description: c.description.clone(),
                cookies: c.cookies.clone(),
                scripts: c
                    .scripts
                    .iter()
                    .map(|s| {
                        if s.starts_with("https://") {
                            s.clone()
                        } else {
                            urls.file(s.trim_start_matches('/'))
                        }
                    })
                    .collect(),
            })
            .collect();
        let version = version(&consent.categories);
        let config = ScriptConfig {
            version: &version,
            categories: categories
                .iter()
                .map(|c| ScriptCategory {
                    id: &c.id,
                    scripts: &c.scripts,
                })
                .collect(),
        };
        let script_config = serde_json::to_string(&config).unwrap_or_default();
        ConsentView {
            necessary: consent.necessary.clone(),
            categories,
            version,
            script_config,
        }
    }
}

/// Category ids become form field names and storage keys; scripts must be ours or https; every
/// category says what it stores and why (checked with positions in `consent_lines`).
pub fn check(content: &Content) -> Diagnostics {
    let file = content.root.join("site.yaml");
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .map_or(1, |i| i + 1)
    };
    let mut problems = Diagnostics::default();
    for category in &content.config.consent.categories {
        let id_ok = !category.id.is_empty()
            && category
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !id_ok {
            problems.push(
                Diagnostic::error(
                    "invalid-consent-id",
                    Location::new(&file, line_of(&category.id), 1),
                    format!("`{}` is not a usable category id", category.id),
                )
                .with_hint("Use lower-case letters, digits and hyphens, e.g. `id: analytics`."),
            );
        }
        for script in &category.scripts {
            let location = Location::new(&file, line_of(script), 1);
            if let Some(rest) = script.strip_prefix("https://") {
                if rest
                    .split(['/', '?', '#'])
                    .next()
                    .unwrap_or_default()
                    .is_empty()
                {
                    problems.push(
                        Diagnostic::error(
                            "invalid-consent-script",
                            location,
                            format!("`{script}` has no host"),
                        )
                        .with_hint("Write a full address, e.g. `https://chat.example/widget.js`."),
                    );
                }
            } else if script.contains("://") || script.starts_with("//") {
                // Reported with its exact position by `consent_lines::check`.
            } else if script.contains(':') || script.split('/').any(|s| s == "..") {
                problems.push(
                    Diagnostic::error("invalid-consent-script", location, format!("`{script}` is neither an https address nor a file in `static/`"))
                        .with_hint("Scripts from elsewhere must use https; local scripts are paths under `static/`, e.g. `js/analytics.js`."),
                );
            } else if !content
                .static_files
                .iter()
                .any(|f| f.relative == script.trim_start_matches('/'))
            {
                problems.push(
                    Diagnostic::error(
                        "missing-consent-script",
                        location,
                        format!("`static/{}` does not exist", script.trim_start_matches('/')),
                    )
                    .with_hint("Add the file under `static/`, or remove it from `scripts`."),
                );
            }
        }
    }
    problems.extend(
        crate::consent_lines::check(&content.config.consent, &file, &text)
            .into_iter()
            .collect(),
    );
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::BaseUrl;

    fn category(id: &str, scripts: &[&str]) -> Category {
        Category {
            id: id.into(),
            name: "Name".into(),
            description: String::new(),
            cookies: Vec::new(),
            scripts: scripts.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn version_changes_when_a_category_changes() {
        let before = vec![category("analytics", &[])];
        let mut renamed = before.clone();
        renamed[0].name = "Other".into();
        let added = vec![category("analytics", &[]), category("chat", &[])];
        assert_eq!(version(&before), version(&before.clone()));
        assert_ne!(version(&before), version(&renamed));
        assert_ne!(version(&before), version(&added));
    }

    #[test]
    fn only_https_script_origins_reach_the_policy() {
        let consent = Consent {
            necessary: Vec::new(),
            categories: vec![
                category("a", &["js/local.js", "https://chat.example:8443/w.js?x=1"]),
                category("b", &["https://chat.example:8443/other.js"]),
            ],
        };
        assert_eq!(
            script_origins(&consent),
            vec!["https://chat.example:8443".to_string()]
        );
    }

    #[test]
    fn local_scripts_live_under_the_prefix() {
        let urls = Urls::new(BaseUrl::parse("https://x.example/privacy/").unwrap());
        let consent = Consent {
            necessary: Vec::new(),
            categories: vec![category("a", &["js/local.js", "https://c.example/w.js"])],
        };
        let view = ConsentView::new(&consent, &urls);
        assert_eq!(
            view.categories[0].scripts,
            vec![
                "/privacy/js/local.js".to_string(),
                "https://c.example/w.js".to_string()
            ]
        );
        let parsed: serde_json::Value = serde_json::from_str(&view.script_config).unwrap();
        assert_eq!(parsed["version"], view.version.as_str());
        assert_eq!(
            parsed["categories"][0]["scripts"][0],
            "/privacy/js/local.js"
        );
    }
}
