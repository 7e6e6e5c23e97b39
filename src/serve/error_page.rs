//! A failed rebuild shown in the browser: every error with its file, line, message and hint.
//!
//! The page replaces HTML pages until the next good build (other files still come from the
//! last good build). It uses only an external stylesheet and the live-reload script, so the
//! strict Content-Security-Policy holds, and it reloads by itself once the file is fixed.

use std::sync::Arc;

use super::reload;
use super::routes::Reply;
use super::site::ServedSite;
use crate::markdown::escape_html;

pub const STYLE_URL: &str = "/__privacy-site/error.css";
pub const STYLE: &str = include_str!("error.css");

pub fn reply(site: &ServedSite) -> Reply {
    let errors = site
        .errors
        .as_deref()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut html =
        String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Build error - privacy-site preview</title>\n");
    html.push_str(&format!(
        "<link rel=\"stylesheet\" href=\"{STYLE_URL}\">\n<script src=\"{}\" defer></script>\n",
        reload::SCRIPT_URL
    ));
    html.push_str("</head>\n<body>\n<main class=\"build-error\" role=\"alert\" aria-labelledby=\"build-error-title\">\n");
    let count = errors
        .iter()
        .filter(|d| d.severity == crate::diagnostics::Severity::Error)
        .count();
    html.push_str(&format!(
        "<h1 id=\"build-error-title\">The site could not be rebuilt: {count} error{}</h1>\n",
        if count == 1 { "" } else { "s" }
    ));
    html.push_str("<p>Fix the file named below and save it. This page reloads by itself when the site builds again. Until then, other files are served from the last good build.</p>\n<ol class=\"build-error-list\">\n");
    for diagnostic in errors {
        let severity = match diagnostic.severity {
            crate::diagnostics::Severity::Error => "Error",
            crate::diagnostics::Severity::Warning => "Warning",
        };
        html.push_str(&format!(
            "<li><p class=\"build-error-where\"><strong>{severity}</strong> in <code>{}:{}:{}</code> <span class=\"build-error-code\">({})</span></p>\n<p class=\"build-error-message\">{}</p>\n",
            escape_html(&diagnostic.location.file.display().to_string()),
            diagnostic.location.line,
            diagnostic.location.column,
            escape_html(diagnostic.code),
            escape_html(&diagnostic.message),
        ));
        if let Some(hint) = &diagnostic.hint {
            html.push_str(&format!(
                "<p class=\"build-error-hint\">How to fix it: {}</p>\n",
                escape_html(hint)
            ));
        }
        html.push_str("</li>\n");
    }
    html.push_str("</ol>\n</main>\n</body>\n</html>\n");
    let mut reply = route_reply(html);
    reply.status = 500;
    reply
}

fn route_reply(html: String) -> Reply {
    let mut headers = vec![
        ("Content-Type", "text/html; charset=utf-8".to_string()),
        ("Cache-Control", "no-cache".to_string()),
    ];
    headers.extend(crate::build::security_header_pairs(&[]));
    Reply {
        status: 200,
        headers,
        body: super::routes::Body::Bytes(Arc::new(html.into_bytes())),
    }
}
