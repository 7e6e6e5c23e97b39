//! From a request line to a response, without I/O, so every rule here is testable directly.
//!
//! The site is a map in memory, so a request can only ever name one of its keys; the checks
//! below still refuse anything that looks like an attempt to leave it (`..`, encoded slashes,
//! NUL bytes, backslashes), so that the answer is a plain 400 and never a guess.

use std::sync::Arc;

use super::site::ServedSite;
use super::{INTERNAL_PREFIX, error_page, reload};

/// Longer request targets are refused: no page of a site has a path anywhere near this long.
pub const MAX_TARGET_BYTES: usize = 2048;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Other,
}

#[derive(Debug)]
pub enum Body {
    Bytes(Arc<Vec<u8>>),
    /// The Server-Sent Events stream; the server keeps the connection open.
    Events,
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Body,
}

impl Reply {
    fn new(status: u16, content_type: &str, body: Arc<Vec<u8>>) -> Reply {
        let mut headers = vec![
            ("Content-Type", content_type.to_string()),
            ("Cache-Control", "no-cache".to_string()),
        ];
        headers.extend(crate::build::security_header_pairs(&[]));
        Reply {
            status,
            headers,
            body: Body::Bytes(body),
        }
    }

    fn text(status: u16, text: &str) -> Reply {
        Reply::new(
            status,
            "text/plain; charset=utf-8",
            Arc::new(format!("{text}\n").into_bytes()),
        )
    }

    fn redirect(status: u16, location: String) -> Reply {
        let mut reply = Reply::text(status, &format!("Moved to {location}"));
        reply.headers.push(("Location", location));
        reply
    }

    pub fn body_bytes(&self) -> &[u8] {
        match &self.body {
            Body::Bytes(bytes) => bytes,
            Body::Events => b"",
        }
    }
}

/// Answers one request against one complete build.
pub fn route(method: Method, target: &str, site: &ServedSite) -> Reply {
    if method == Method::Other {
        let mut reply = Reply::text(405, "Only GET and HEAD are supported");
        reply.headers.push(("Allow", "GET, HEAD".into()));
        return reply;
    }
    if target.len() > MAX_TARGET_BYTES {
        return Reply::text(414, "The address is too long");
    }
    let (raw_path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    let Some(segments) = decode_path(raw_path) else {
        return Reply::text(400, "This address is not allowed");
    };

    if let Some(internal) = raw_path.strip_prefix(INTERNAL_PREFIX) {
        return internal_route(internal, site);
    }
    let path = format!("/{}", segments.join("/"));
    let Some(relative) = path.strip_prefix(site.prefix.as_str()).or_else(|| {
        (path.clone() + "/")
            .strip_prefix(site.prefix.as_str())
            .map(|_| "")
    }) else {
        if path == "/" {
            return Reply::redirect(302, site.prefix.clone());
        }
        return not_found(site);
    };
    if relative.is_empty() && !path.ends_with('/') && path != "/" {
        // `/privacy` → `/privacy/`
        return Reply::redirect(308, with_query(format!("{path}/"), query));
    }

    let key = if relative.is_empty() || relative.ends_with('/') {
        format!("{relative}index.html")
    } else {
        relative.to_string()
    };
    match site.files.get(&key) {
        Some(bytes) => {
            let content_type = content_type(&key);
            if site.errors.is_some() && content_type.starts_with("text/html") {
                return error_page::reply(site);
            }
            Reply::new(200, content_type, bytes.clone())
        }
        None if site.files.contains_key(&format!("{key}/index.html")) => {
            Reply::redirect(308, with_query(format!("{path}/"), query))
        }
        None => not_found(site),
    }
}

fn with_query(path: String, query: Option<&str>) -> String {
    match query {
        Some(query) => format!("{path}?{query}"),
        None => path,
    }
}

fn internal_route(name: &str, site: &ServedSite) -> Reply {
    match name {
        "live-reload.js" => Reply::new(
            200,
            "text/javascript; charset=utf-8",
            Arc::new(reload::SCRIPT.as_bytes().to_vec()),
        ),
        "error.css" => Reply::new(
            200,
            "text/css; charset=utf-8",
            Arc::new(error_page::STYLE.as_bytes().to_vec()),
        ),
        "events" => {
            let mut reply = Reply::new(
                200,
                "text/event-stream; charset=utf-8",
                Arc::new(Vec::new()),
            );
            reply.body = Body::Events;
            reply
        }
        _ => not_found(site),
    }
}

fn not_found(site: &ServedSite) -> Reply {
    if site.errors.is_some() {
        let mut reply = error_page::reply(site);
        reply.status = 404;
        return reply;
    }
    match site.files.get("404.html") {
        Some(page) => Reply::new(404, "text/html; charset=utf-8", page.clone()),
        None => Reply::text(404, "Not found"),
    }
}

/// Splits and percent-decodes a path. `None` for anything that could name a place outside the
/// site or be read two ways: `.`/`..` segments (raw or encoded), encoded `/` or `\`, any `\`,
/// NUL and other control bytes, empty segments (`//etc`), invalid escapes and non-UTF-8.
pub fn decode_path(raw: &str) -> Option<Vec<String>> {
    let rest = raw.strip_prefix('/')?;
    if rest.is_empty() {
        return Some(Vec::new());
    }
    let parts: Vec<&str> = rest.split('/').collect();
    let last = parts.len() - 1;
    let mut segments = Vec::with_capacity(parts.len());
    for (index, part) in parts.into_iter().enumerate() {
        if part.is_empty() {
            if index == last {
                segments.push(String::new());
                continue;
            }
            return None;
        }
        let decoded = percent_decode(part)?;
        let bad = decoded == "."
            || decoded == ".."
            || decoded
                .chars()
                .any(|c| c == '/' || c == '\\' || c.is_control());
        if bad {
            return None;
        }
        segments.push(decoded);
    }
    Some(segments)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let value = u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
            out.push(value);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The media type of a site file, with a charset for text.
pub fn content_type(path: &str) -> &'static str {
    let extension = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match (path, extension.as_str()) {
        (_, "html" | "htm") => "text/html; charset=utf-8",
        (_, "css") => "text/css; charset=utf-8",
        (_, "js" | "mjs") => "text/javascript; charset=utf-8",
        (p, "xml") if p == "feed.xml" || p.ends_with("/feed.xml") => {
            "application/atom+xml; charset=utf-8"
        }
        (_, "xml") => "application/xml; charset=utf-8",
        (_, "json") => "application/json; charset=utf-8",
        (_, "txt" | "md") => "text/plain; charset=utf-8",
        (_, "svg") => "image/svg+xml; charset=utf-8",
        (_, "png") => "image/png",
        (_, "jpg" | "jpeg") => "image/jpeg",
        (_, "gif") => "image/gif",
        (_, "webp") => "image/webp",
        (_, "avif") => "image/avif",
        (_, "ico") => "image/x-icon",
        (_, "woff2") => "font/woff2",
        (_, "woff") => "font/woff",
        (_, "pdf") => "application/pdf",
        ("_headers", _) => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> ServedSite {
        let files = [
            ("index.html", "home"),
            ("a/index.html", "page a"),
            ("404.html", "missing"),
            ("logo.svg", "<svg/>"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), Arc::new(v.as_bytes().to_vec())))
        .collect::<std::collections::BTreeMap<_, _>>();
        ServedSite::new(files.into(), "/p/".into(), None, 1)
    }

    fn location(reply: &Reply) -> Option<&str> {
        reply
            .headers
            .iter()
            .find(|(k, _)| *k == "Location")
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn pages_redirects_and_missing() {
        let site = site();
        let home = route(Method::Get, "/p/", &site);
        assert_eq!((home.status, home.body_bytes()), (200, &b"home"[..]));
        assert_eq!(route(Method::Head, "/p/a/", &site).body_bytes(), b"page a");
        let slashless = route(Method::Get, "/p/a?x=1", &site);
        assert_eq!(
            (slashless.status, location(&slashless)),
            (308, Some("/p/a/?x=1"))
        );
        assert_eq!(location(&route(Method::Get, "/p", &site)), Some("/p/"));
        assert_eq!(location(&route(Method::Get, "/", &site)), Some("/p/"));
        let missing = route(Method::Get, "/p/nope/", &site);
        assert_eq!(
            (missing.status, missing.body_bytes()),
            (404, &b"missing"[..])
        );
        assert_eq!(route(Method::Get, "/elsewhere", &site).status, 404);
        let post = route(Method::Other, "/p/", &site);
        assert_eq!(post.status, 405);
        assert!(
            post.headers
                .iter()
                .any(|(k, v)| *k == "Allow" && v == "GET, HEAD")
        );
    }

    #[test]
    fn escapes_are_refused() {
        let site = site();
        for bad in [
            "/p/../etc/passwd",
            "/p/%2e%2e/x",
            "/p/a%2findex.html",
            "/p/a%5cindex.html",
            "/p/a\\b",
            "/p/%00",
            "//etc/passwd",
            "/p/%zz",
            "p/a/",
        ] {
            assert_eq!(route(Method::Get, bad, &site).status, 400, "{bad}");
        }
        assert_eq!(
            route(Method::Get, &format!("/p/{}", "a".repeat(5000)), &site).status,
            414
        );
    }

    #[test]
    fn types_carry_a_charset() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("x/feed.xml"),
            "application/atom+xml; charset=utf-8"
        );
        assert_eq!(
            content_type("sitemap.xml"),
            "application/xml; charset=utf-8"
        );
        assert_eq!(content_type("logo.svg"), "image/svg+xml; charset=utf-8");
    }
}
