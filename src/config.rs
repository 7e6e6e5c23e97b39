//! `site.yaml`: the settings of one site.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Location};
use crate::yaml;

pub const DEFAULT_QUICK_EXIT_URL: &str = "https://www.bbc.co.uk/weather";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub title: String,
    /// Where the site is published, e.g. `https://police.example/privacy/`. Its path is the
    /// prefix under which links are this site's to check.
    pub base_url: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default)]
    pub quick_exit: QuickExit,
    #[serde(default)]
    pub consent: Consent,
    /// Days of notice an upcoming version should give before it takes effect.
    #[serde(default = "default_notice_days")]
    pub notice_days: u32,
    /// Sentences longer than this many words get a plain-language warning from `check`.
    #[serde(default = "default_max_sentence_words")]
    pub max_sentence_words: usize,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct QuickExit {
    #[serde(default = "default_quick_exit_url")]
    pub url: String,
    /// The control's accessible name.
    #[serde(default = "default_quick_exit_label")]
    pub label: String,
}

impl Default for QuickExit {
    fn default() -> Self {
        QuickExit {
            url: default_quick_exit_url(),
            label: default_quick_exit_label(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    #[serde(default)]
    pub necessary: Vec<Cookie>,
    #[serde(default)]
    pub categories: Vec<Category>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub cookies: Vec<Cookie>,
    /// Scripts switched on only after consent: a path under `static/` or an https URL.
    #[serde(default)]
    pub scripts: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Cookie {
    pub name: String,
    pub provider: String,
    pub purpose: String,
    pub expiry: String,
}

fn default_language() -> String {
    "en-GB".into()
}
fn default_theme() -> String {
    "default".into()
}
fn default_quick_exit_url() -> String {
    DEFAULT_QUICK_EXIT_URL.into()
}
fn default_quick_exit_label() -> String {
    "Emergency: exit this page".into()
}
fn default_notice_days() -> u32 {
    30
}
fn default_max_sentence_words() -> usize {
    35
}

impl SiteConfig {
    /// Reads and validates `site.yaml`.
    pub fn parse(text: &str, file: &Path) -> Result<SiteConfig, Vec<Diagnostic>> {
        let mut config: SiteConfig = yaml::parse(text, file, 1).map_err(|d| vec![d])?;
        let mut problems = Vec::new();
        let line_of = |key: &str| -> Location {
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with(&format!("{key}:")))
                .map_or(1, |i| i + 1);
            Location::new(file, line, 1)
        };
        match BaseUrl::parse(&config.base_url) {
            Some(parsed) => config.base_url = parsed.to_string(),
            None => problems.push(
                Diagnostic::error("invalid-base-url", line_of("base_url"), format!("`{}` is not a full web address", config.base_url))
                    .with_hint("Write it like `https://www.example.org/privacy/`: scheme, host and the path the site lives under."),
            ),
        }
        if config.title.trim().is_empty() {
            problems.push(
                Diagnostic::error("missing-title", line_of("title"), "The site title is empty")
                    .with_hint("Give the site a name, e.g. `title: Northmoor Constabulary`."),
            );
        }
        if !config.quick_exit.url.starts_with("https://")
            && !config.quick_exit.url.starts_with("http://")
        {
            problems.push(
                Diagnostic::error(
                    "invalid-quick-exit",
                    line_of("url"),
                    "The quick-exit address must be a full web address",
                )
                .with_hint("Use a neutral site such as `https://www.bbc.co.uk/weather`."),
            );
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    pub fn base(&self) -> BaseUrl {
        BaseUrl::parse(&self.base_url).expect("validated in SiteConfig::parse")
    }
}

/// `base_url` split into origin and path prefix, so links can be classified without a URL crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// `https://host[:port]`
    pub origin: String,
    /// Always starts and ends with `/`.
    pub path: String,
}

impl BaseUrl {
    pub fn parse(text: &str) -> Option<BaseUrl> {
        let (scheme, rest) = text.split_once("://")?;
        if scheme != "https" && scheme != "http" {
            return None;
        }
        let (host, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if host.is_empty()
            || host.contains(|c: char| c.is_whitespace() || c == '?' || c == '#')
            || path.contains(['?', '#'])
        {
            return None;
        }
        let mut path = path.to_string();
        if !path.ends_with('/') {
            path.push('/');
        }
        Some(BaseUrl {
            origin: format!("{scheme}://{host}"),
            path,
        })
    }

    /// The absolute URL of a site path such as `/privacy/cookies/`.
    pub fn absolute(&self, site_path: &str) -> String {
        [&self.origin, site_path].concat()
    }
}

impl std::fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.origin, self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_gets_a_trailing_slash() {
        let base = BaseUrl::parse("https://police.example/privacy").unwrap();
        assert_eq!(base.origin, "https://police.example");
        assert_eq!(base.path, "/privacy/");
        assert_eq!(BaseUrl::parse("https://police.example").unwrap().path, "/");
        assert!(BaseUrl::parse("police.example/privacy").is_none());
    }

    #[test]
    fn defaults_fill_in() {
        let config = SiteConfig::parse(
            "title: T\nbase_url: https://x.example/\n",
            Path::new("site.yaml"),
        )
        .unwrap();
        assert_eq!(config.language, "en-GB");
        assert_eq!(config.quick_exit.url, DEFAULT_QUICK_EXIT_URL);
        assert_eq!(config.notice_days, 30);
    }

    #[test]
    fn unknown_nested_key_is_an_error() {
        let text =
            "title: T\nbase_url: https://x.example/\nquick_exit:\n  ur: https://a.example/\n";
        let errors = SiteConfig::parse(text, Path::new("site.yaml")).unwrap_err();
        assert_eq!(errors[0].code, "unknown-key");
        assert_eq!(errors[0].location.line, 4);
    }
}
