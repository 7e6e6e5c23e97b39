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
use crate::content::ContentStore;
use crate::diagnostics::{Diagnostics, Format, Severity};
use crate::output::MemoryOutput;
use crate::render_cache::RenderCache;
use crate::site::Drafts;
use crate::timings::Timings;

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
        store: ContentStore::open(&options.content_dir),
        cache: &cache,
        handle: &handle,
        hub: &hub,
        inbox: &inbox,
        stop_requested: false,
    };
    builder.rebuild("Built", &Changed::Nothing);

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
                let what = if names.is_empty() {
                    "Rebuilt after a change the watcher could not name".to_string()
                } else {
                    format!("Rebuilt after a change to {}", names.join(", "))
                };
                builder.rebuild(&what, &Changed::from_watcher(paths));
            }
        }
    }
    eprintln!("Stopping the preview server.");
    server.stop();
    hub.close();
    Ok(())
}

/// What changed since the last build, as far as the watcher could tell.
enum Changed {
    /// The first build: the store has just read everything.
    Nothing,
    Paths(Vec<PathBuf>),
    /// An event without a path (a rescan, an overflow): read everything again.
    Unknown,
}

impl Changed {
    fn from_watcher(paths: Vec<PathBuf>) -> Self {
        if paths.is_empty() {
            Changed::Unknown
        } else {
            Changed::Paths(paths)
        }
    }
}

/// One rebuild and its effects: swap the served site, print, tell the browsers.
struct Builder<'a> {
    options: &'a ServeOptions,
    /// The content as last read; a rebuild re-reads only the files that changed.
    store: ContentStore,
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
    fn rebuild(&mut self, what: &str, changed: &Changed) {
        let started = Instant::now();
        let mut timings = Timings::from_env();
        let loaded = match changed {
            Changed::Nothing => self.store.result().map_err(Diagnostics::clone),
            Changed::Paths(paths) => self.store.apply(paths),
            Changed::Unknown => self.store.reload(),
        };
        // The theme is a handful of files, read again each time: cheaper than tracking them.
        let theme = build::load_theme(&self.options.content_dir, loaded.as_ref().map(|c| *c));
        timings.phase("load changed content and theme");
        let options = BuildOptions {
            content_dir: self.options.content_dir.clone(),
            today: self.options.today,
            drafts: self.options.drafts,
            live_reload_url: Some(reload::SCRIPT_URL.to_string()),
            broken_links: self.options.broken_links,
        };
        let output = MemoryOutput::after(self.handle.current().files.clone());
        let result = match (loaded, theme) {
            (Ok(content), Ok(theme)) => {
                build::build_loaded(content, &theme, &options, &output, self.cache, timings)
            }
            (_, Err(problems)) => Err(problems),
            (Err(problems), Ok(_)) => Err(problems.into()),
        };
        let previous = self.handle.current();
        let next = match result {
            Ok(report) => {
                if !report.warnings.is_empty() {
                    crate::cli::report(report.warnings, self.options.format);
                }
                let prefix = self
                    .store
                    .result()
                    .map_or_else(|_| previous.prefix.clone(), |c| c.config.base().path);
                let reused = self.cache.last_reuse();
                eprintln!(
                    "{what} in {} ms ({} of {} policies reused whole; {} pages rendered, {} of them reused unchanged).",
                    started.elapsed().as_millis(),
                    reused.policies,
                    reused.policies_total,
                    report.pages_rendered,
                    reused.pages,
                );
                ServedSite::new(output.take_files(), prefix, None, previous.generation + 1)
            }
            Err(error) => {
                match self.inbox.recv_timeout(SETTLE) {
                    Ok(Signal::Changed(paths)) => {
                        return self.rebuild(what, &Changed::from_watcher(paths));
                    }
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
