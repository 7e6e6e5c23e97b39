//! `privacy-site serve` over real HTTP: pages and status codes, requests trying to leave the
//! site, live reload after an edit, the in-browser error page, drafts, and Ctrl-C.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TODAY: &str = "2026-11-22";
/// Only a guard against a hung test; nothing here measures time.
const PATIENCE: Duration = Duration::from_secs(30);

struct Served {
    child: Child,
    address: String,
    _dir: tempfile::TempDir,
    content: PathBuf,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve` on a free port in a temporary copy of the fixture site.
fn serve(extra: &[&str], prepare: impl FnOnce(&Path)) -> Served {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    common::copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/serve/content"),
        &content,
    );
    prepare(dir.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_privacy-site"))
        .args(["serve", "--port", "0", "--today", TODAY, "--content"])
        .arg(&content)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next().expect("serve printed its URL").unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("a URL")
        .to_string();
    assert!(
        url.ends_with("/privacy/"),
        "the URL includes the base_url path: {url}"
    );
    let address = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    assert!(
        address.starts_with("127.0.0.1:"),
        "loopback by default: {address}"
    );
    Served {
        child,
        address,
        _dir: dir,
        content,
    }
}

struct Response {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Served {
    fn request(&self, method: &str, target: &str) -> Response {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        write!(
            stream,
            "{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = Vec::new();
        let _ = stream.read_to_end(&mut raw);
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map_or(raw.len(), |i| i + 4);
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        Response {
            status,
            head,
            body: raw[split..].to_vec(),
        }
    }

    fn get(&self, target: &str) -> Response {
        self.request("GET", target)
    }

    fn events(&self) -> Events {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        write!(
            stream,
            "GET /__privacy-site/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
        )
        .unwrap();
        let mut events = Events {
            reader: BufReader::new(stream),
        };
        let first = events.next_build();
        assert!(first > 0);
        events
    }
}

struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    /// The number of the next build announced.
    fn next_build(&mut self) -> u64 {
        let mut in_build = false;
        loop {
            let mut line = String::new();
            assert!(
                self.reader.read_line(&mut line).unwrap() > 0,
                "event stream closed"
            );
            let line = line.trim_end();
            if line == "event: build" {
                in_build = true;
            } else if let (true, Some(data)) = (in_build, line.strip_prefix("data: ")) {
                return data.parse().unwrap();
            }
        }
    }
}

/// Writes a file so that its modification is seen even on coarse-timestamp file systems.
fn save(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn pages_and_status_codes() {
    let served = serve(&[], |_| {});
    let home = served.get("/privacy/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("Content-Type").as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(home.header("Cache-Control").as_deref(), Some("no-cache"));
    assert!(
        home.header("Content-Security-Policy")
            .unwrap()
            .contains("connect-src 'self'")
    );
    assert_eq!(
        home.header("X-Content-Type-Options").as_deref(),
        Some("nosniff")
    );
    assert!(
        home.text()
            .contains("<script src=\"/__privacy-site/live-reload.js\" defer></script>")
    );
    assert!(!home.text().contains("DRAFT-ONLY-WORDING"));

    let root = served.get("/");
    assert!(
        matches!(root.status, 301 | 302 | 307 | 308),
        "{}",
        root.head
    );
    assert_eq!(root.header("Location").as_deref(), Some("/privacy/"));
    let slashless = served.get("/privacy/privacy-notice");
    assert_eq!(
        (slashless.status, slashless.header("Location").as_deref()),
        (308, Some("/privacy/privacy-notice/"))
    );
    let policy = served.get("/privacy/privacy-notice/");
    assert_eq!(policy.status, 200);
    assert!(policy.text().contains("<h1"));
    assert_eq!(
        served.get("/privacy/privacy-notice/index.html").body,
        policy.body
    );

    let missing = served.get("/privacy/no-such-page/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("Page not found"),
        "{}",
        missing.text()
    );

    let post = served.request("POST", "/privacy/");
    assert_eq!(post.status, 405);
    assert_eq!(post.header("Allow").as_deref(), Some("GET, HEAD"));
    let head = served.request("HEAD", "/privacy/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());

    let script = served.get("/__privacy-site/live-reload.js");
    assert_eq!(
        script.header("Content-Type").as_deref(),
        Some("text/javascript; charset=utf-8")
    );
    assert!(script.text().contains("EventSource"));
    let sitemap = served.get("/privacy/sitemap.xml");
    assert_eq!(
        sitemap.header("Content-Type").as_deref(),
        Some("application/xml; charset=utf-8")
    );
    let logo = served.get("/privacy/logo.svg");
    assert_eq!(
        (logo.status, logo.header("Content-Type").as_deref()),
        (200, Some("image/svg+xml; charset=utf-8"))
    );
}

#[test]
fn requests_cannot_leave_the_site() {
    let served = serve(&[], |dir| {
        let secret = dir.join("secret.txt");
        std::fs::write(&secret, "TOP-SECRET-7731").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&secret, dir.join("content/static/leak.txt")).unwrap();
            std::os::unix::fs::symlink("/etc", dir.join("content/static/etc")).unwrap();
        }
    });
    let long = format!("/privacy/{}", "a/".repeat(3000));
    let attacks = [
        "/../../etc/passwd",
        "/privacy/../../../etc/passwd",
        "/privacy/./../etc/passwd",
        "/privacy/%2e%2e/%2e%2e/etc/passwd",
        "/privacy/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/privacy/..%2f..%2fetc%2fpasswd",
        "/privacy/..%5c..%5cetc%5cpasswd",
        "/privacy/..\\..\\etc\\passwd",
        "/privacy/%252e%252e/%252e%252e/etc/passwd",
        "/privacy/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
        "//etc/passwd",
        "/etc/passwd",
        "/privacy//etc/passwd",
        "/privacy/%00",
        "/privacy/index.html%00.txt",
        "/privacy/leak.txt",
        "/privacy/etc/passwd",
        "/privacy/static/leak.txt",
        "/__privacy-site/../etc/passwd",
        "/__privacy-site/%2e%2e/%2e%2e/etc/passwd",
        "http://localhost/etc/passwd",
        "file:///etc/passwd",
        long.as_str(),
    ];
    for attack in attacks {
        let response = served.get(attack);
        assert!(
            matches!(response.status, 400 | 404 | 414),
            "{attack}: {}",
            response.head
        );
        let text = response.text();
        assert!(
            !text.contains("root:") && !text.contains("TOP-SECRET"),
            "{attack} leaked: {text}"
        );
    }
    // The site still works after all that.
    assert_eq!(served.get("/privacy/").status, 200);
}

#[test]
fn an_edit_reloads_with_the_new_content() {
    let served = serve(&[], |_| {});
    let mut events = served.events();
    let file = served
        .content
        .join("policies/webchat-disclaimer/2024-05-20.md");
    let text = std::fs::read_to_string(&file).unwrap();
    save(
        &file,
        &text.replace(
            "Our webchat is not monitored",
            "FRESH-WORDING: our webchat is not monitored",
        ),
    );
    let deadline = Instant::now() + PATIENCE;
    loop {
        events.next_build();
        if served
            .get("/privacy/webchat-disclaimer/")
            .text()
            .contains("FRESH-WORDING")
        {
            break;
        }
        assert!(Instant::now() < deadline, "the edit never showed");
    }
    // A static file is copied as it is.
    save(
        &served.content.join("static/logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><title>NEW-LOGO</title></svg>",
    );
    loop {
        events.next_build();
        if served.get("/privacy/logo.svg").text().contains("NEW-LOGO") {
            break;
        }
        assert!(Instant::now() < deadline, "the static edit never showed");
    }
}

#[test]
fn a_build_error_shows_in_the_page_until_fixed() {
    let served = serve(&[], |_| {});
    let mut events = served.events();
    let file = served
        .content
        .join("policies/webchat-disclaimer/2024-05-20.md");
    let good = std::fs::read_to_string(&file).unwrap();
    save(&file, &good.replacen("title:", "titel:", 1));
    let deadline = Instant::now() + PATIENCE;
    let broken = loop {
        events.next_build();
        let page = served.get("/privacy/webchat-disclaimer/");
        if page.status == 500 {
            break page;
        }
        assert!(Instant::now() < deadline, "the error never showed");
    };
    let text = broken.text();
    assert!(text.contains("role=\"alert\""), "{text}");
    assert!(
        text.contains("2024-05-20.md:2:"),
        "names the file and line: {text}"
    );
    assert!(text.contains("titel"), "{text}");
    assert!(
        text.contains("/__privacy-site/live-reload.js"),
        "reloads itself once fixed"
    );
    assert!(
        !text.contains("style=") && !text.contains("<style"),
        "works under the strict CSP"
    );
    // Assets still come from the last good build.
    assert_eq!(served.get("/privacy/logo.svg").status, 200);

    save(&file, &good);
    loop {
        events.next_build();
        let page = served.get("/privacy/webchat-disclaimer/");
        if page.status == 200 {
            assert!(page.text().contains("Do not use webchat in an emergency"));
            break;
        }
        assert!(Instant::now() < deadline, "the fix never cleared the error");
    }
}

#[test]
fn drafts_are_shown_with_the_flag() {
    let served = serve(&["--drafts"], |_| {});
    let draft = served.get("/privacy/webchat-disclaimer/2026-12-01/");
    assert_eq!(draft.status, 200);
    assert!(draft.text().contains("DRAFT-ONLY-WORDING"));
    assert!(draft.text().contains("<strong>Draft.</strong>"));
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly() {
    let mut served = serve(&[], |_| {});
    assert_eq!(served.get("/privacy/").status, 200);
    let status = Command::new("kill")
        .args(["-INT", &served.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + PATIENCE;
    let exit = loop {
        if let Some(exit) = served.child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "serve did not stop");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");
    assert!(
        TcpStream::connect(&served.address).is_err(),
        "the port is closed"
    );
}
