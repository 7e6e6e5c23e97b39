//! `privacy-site serve`: a preview server that rebuilds on every save and reloads the browser.
//!
//! Reviewers keep it open all day, so it must never show half a build and never expose the
//! machine. Builds go to memory; a finished build replaces the served one in a single `Arc`
//! swap, so a request sees either the old site or the new one. Split by job: `site` (the
//! snapshot served), `routes` (request to response, no I/O), `server` (tiny_http workers),
//! `reload` (Server-Sent Events and the live-reload script), `watcher` (notify + debounce),
//! `error_page` (build errors in the browser).

pub mod cli;
mod error_page;
mod reload;
mod routes;
mod server;
mod site;
mod watcher;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Instant;

use chrono::NaiveDate;

use crate::build::{self, BuildError, BuildOptions};
use crate::diagnostics::{Diagnostics, Format, Severity};
use crate::output::MemoryOutput;
use crate::render_cache::RenderCache;
use crate::site::Drafts;

pub use routes::{Reply, route};
pub use site::{ServedSite, SiteHandle};
pub use watcher::{WatchMode, is_editor_temp_file};

/// Where the live-reload script and event stream live: outside any site prefix, and named so
/// that no policy slug can take it.
pub const INTERNAL_PREFIX: &str = "/__privacy-site/";

/// Whether the browser is opened on the served URL once the first build is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenBrowser {
    Yes,
    No,
}

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub content_dir: PathBuf,
    pub today: NaiveDate,
    pub drafts: Drafts,
    pub broken_links: Severity,
    pub format: Format,
    pub address: SocketAddr,
    pub open: OpenBrowser,
    pub watch: WatchMode,
}

/// What the main loop reacts to: file changes from the watcher, or a request to stop.
pub(crate) enum Signal {
    Changed(Vec<PathBuf>),
    Stop,
}

/// Builds, serves, and rebuilds on change until SIGINT or SIGTERM. Returns an error message
/// when the server cannot start at all (e.g. the port is taken).
pub fn run(options: &ServeOptions) -> Result<(), String> {
    let (signals, inbox) = mpsc::channel::<Signal>();
    let stop = signals.clone();
    ctrlc::set_handler(move || {
        let _ = stop.send(Signal::Stop);
    })
    .map_err(|e| format!("cannot listen for Ctrl-C: {e}"))?;

    // Watch before the first build, so that a save made while it runs is not missed.
    let _watcher = watcher::start(options, signals)?;
    let handle = SiteHandle::default();
    let hub = Arc::new(reload::Hub::default());
    let cache = RenderCache::default();
    let mut builder = Builder {
        options,
        cache: &cache,
        handle: &handle,
        hub: &hub,
        inbox: &inbox,
        stop_requested: false,
    };
    builder.rebuild("Built");

    let server = server::Server::start(options.address, handle.clone(), hub.clone())?;
    let url = format!(
        "http://{}{}",
        display_address(server.address()),
        handle.current().prefix
    );
    if !options.address.ip().is_loopback() {
        eprintln!(
            "warning: serving on {} — anyone who can reach this machine on that address can read the preview, drafts included. Use --bind 127.0.0.1 unless you mean it.",
            options.address.ip()
        );
    }
    println!("Serving at {url} (press Ctrl-C to stop)");
    let _ = std::io::Write::flush(&mut std::io::stdout());
    if options.open == OpenBrowser::Yes {
        open_browser(&url);
    }

    while !builder.stop_requested {
        let Ok(signal) = inbox.recv() else { break };
        match signal {
            Signal::Stop => break,
            Signal::Changed(paths) => {
                let names: Vec<String> = paths
                    .iter()
                    .filter_map(|p| p.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
                    .collect();
                builder.rebuild(&format!("Rebuilt after a change to {}", names.join(", ")));
            }
        }
    }
    eprintln!("Stopping the preview server.");
    server.stop();
    hub.close();
    Ok(())
}

/// One rebuild and its effects: swap the served site, print, tell the browsers.
struct Builder<'a> {
    options: &'a ServeOptions,
    cache: &'a RenderCache,
    handle: &'a SiteHandle,
    hub: &'a Arc<reload::Hub>,
    inbox: &'a mpsc::Receiver<Signal>,
    /// Set when Ctrl-C arrived while a failed build waited for more changes.
    stop_requested: bool,
}

/// How long a failed build waits for another change before it is shown: a save caught half
/// way (truncated, then written) fails, and the rest of the save follows within milliseconds.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(50);

impl Builder<'_> {
    fn rebuild(&mut self, what: &str) {
        let started = Instant::now();
        let options = BuildOptions {
            content_dir: self.options.content_dir.clone(),
            today: self.options.today,
            drafts: self.options.drafts,
            live_reload_url: Some(reload::SCRIPT_URL.to_string()),
            broken_links: self.options.broken_links,
        };
        let output = MemoryOutput::new();
        let result = build::build_with_cache(&options, &output, self.cache);
        let previous = self.handle.current();
        let next = match result {
            Ok(report) => {
                if !report.warnings.is_empty() {
                    crate::cli::report(report.warnings, self.options.format);
                }
                let prefix = site_prefix(&self.options.content_dir)
                    .unwrap_or_else(|| previous.prefix.clone());
                let reused = self.cache.last_reuse();
                eprintln!(
                    "{what} in {} ms ({} pages rendered, {} of them reused unchanged; {} of {} documents reused).",
                    started.elapsed().as_millis(),
                    report.pages_rendered,
                    reused.pages,
                    reused.documents,
                    reused.documents_total
                );
                ServedSite::new(output.into_files(), prefix, None, previous.generation + 1)
            }
            Err(error) => {
                match self.inbox.recv_timeout(SETTLE) {
                    Ok(Signal::Changed(_)) => return self.rebuild(what),
                    Ok(Signal::Stop) => self.stop_requested = true,
                    Err(_) => {}
                }
                let problems = match error {
                    BuildError::Content(problems) => problems,
                    BuildError::Io(message) => {
                        let mut problems = Diagnostics::new();
                        problems.push(crate::diagnostics::Diagnostic::error(
                            "io",
                            crate::diagnostics::Location::new(&self.options.content_dir, 1, 1),
                            message,
                        ));
                        problems
                    }
                };
                let count = problems.error_count();
                crate::cli::report(problems.clone(), self.options.format);
                eprintln!(
                    "Build failed with {count} error{}; still serving the last good build, with the errors shown in the browser.",
                    if count == 1 { "" } else { "s" }
                );
                previous.with_errors(problems.sorted(), previous.generation + 1)
            }
        };
        let generation = next.generation;
        self.handle.replace(next);
        self.hub.announce(generation);
    }
}

/// The path prefix of `base_url`, read from `site.yaml`; `None` while it does not parse.
fn site_prefix(content_dir: &std::path::Path) -> Option<String> {
    let path = content_dir.join("site.yaml");
    let text = std::fs::read_to_string(&path).ok()?;
    crate::config::SiteConfig::parse(&text, &path)
        .ok()
        .map(|c| c.base().path)
}

fn display_address(address: SocketAddr) -> String {
    match address.ip() {
        IpAddr::V6(ip) => format!("[{ip}]:{}", address.port()),
        IpAddr::V4(ip) => format!("{ip}:{}", address.port()),
    }
}

fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(error) = std::process::Command::new(command)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!("note: could not open a browser ({command}: {error}); open {url} yourself.");
    }
}
