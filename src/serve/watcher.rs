//! Watching the content and theme folders, with a short debounce.
//!
//! An editor's save is often several events (write a temporary file, rename it over the old
//! one, touch metadata). They are gathered until the folder has been quiet for `QUIET`, or at
//! most `DEBOUNCE` after the first, keeping each changed path once; then one rebuild runs.
//!
//! `Signal::Changed` carries absolute paths under the canonical content and themes folders,
//! for native events and `--poll` alike, without editor temporaries; an empty list means the
//! watcher lost track (an overflow or rescan) and everything must be read again.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use super::{ServeOptions, Signal};

/// The longest a burst of events is gathered before a rebuild starts.
const DEBOUNCE: Duration = Duration::from_millis(100);
/// A gap this long ends a burst early, so that one save rebuilds quickly. An editor's save
/// (write a temporary file, rename it over the old one) arrives within a millisecond; a burst
/// split anyway costs a second rebuild, not a wrong site: the store reads each path as it is
/// on disk, and a build that fails on a half-written file waits for the rest (`SETTLE`).
const QUIET: Duration = Duration::from_millis(5);
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// Native file events, or polling where they never arrive (Docker volumes, network shares).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchMode {
    Native,
    Poll,
}

/// Keeps the watcher alive; dropping it stops watching.
pub struct Watching {
    _watcher: Box<dyn Watcher + Send>,
}

pub fn start(options: &ServeOptions, signals: Sender<Signal>) -> Result<Watching, String> {
    let (events, raw) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher: Box<dyn Watcher + Send> = match options.watch {
        WatchMode::Native => Box::new(
            notify::recommended_watcher(events)
                .map_err(|e| format!("cannot watch for changes: {e}"))?,
        ),
        WatchMode::Poll => Box::new(
            notify::PollWatcher::new(
                events,
                notify::Config::default()
                    .with_poll_interval(POLL_INTERVAL)
                    .with_compare_contents(true),
            )
            .map_err(|e| format!("cannot watch for changes: {e}"))?,
        ),
    };
    let content = options
        .content_dir
        .canonicalize()
        .unwrap_or_else(|_| options.content_dir.clone());
    let themes = crate::build::themes_root(&content);
    let mut roots = vec![content];
    if themes.is_dir() {
        roots.push(themes);
    }
    for root in &roots {
        watcher
            .watch(root, RecursiveMode::Recursive)
            .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
    }
    std::thread::spawn(move || debounce(&raw, &roots, &signals));
    Ok(Watching { _watcher: watcher })
}

fn debounce(
    raw: &Receiver<notify::Result<notify::Event>>,
    roots: &[PathBuf],
    signals: &Sender<Signal>,
) {
    while let Ok(first) = raw.recv() {
        let mut burst = Burst::default();
        burst.record(first, roots);
        let started = Instant::now();
        let mut disconnected = false;
        loop {
            let left = DEBOUNCE.saturating_sub(started.elapsed());
            if left.is_zero() {
                break;
            }
            match raw.recv_timeout(QUIET.min(left)) {
                Ok(event) => burst.record(event, roots),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => {
                    disconnected = true;
                    break;
                }
            }
        }
        if let Some(signal) = burst.into_signal()
            && signals.send(signal).is_err()
        {
            return;
        }
        if disconnected {
            return;
        }
    }
}

/// What one burst of events changed.
///
/// Only the paths are kept, not what happened to them: the content store looks at each
/// path on disk to see whether it was created, changed or removed, which is the truth even
/// when events arrive out of order or a rename is reported as two halves.
#[derive(Debug, Default)]
struct Burst {
    /// Absolute paths under the (canonical) content or themes folder.
    paths: BTreeSet<PathBuf>,
    /// The watcher lost track (its queue overflowed, or it asked for a rescan): anything may
    /// have changed.
    everything: bool,
}

impl Burst {
    fn record(&mut self, event: notify::Result<notify::Event>, roots: &[PathBuf]) {
        let paths = match event {
            Ok(event) if matches!(event.kind, EventKind::Access(_)) => return,
            Ok(event) if event.need_rescan() => {
                self.everything = true;
                return;
            }
            Ok(event) => event.paths,
            // An error about a path (say, a file gone while the poller looked at it) is news
            // about that path; one about no path means events may have been lost.
            Err(error) => error.paths,
        };
        if paths.is_empty() {
            self.everything = true;
        }
        for path in paths {
            // Only the part inside the watched folder counts: the folder itself may sit
            // somewhere hidden, such as a temporary `.tmpXYZ` folder.
            let inside = roots
                .iter()
                .find_map(|root| path.strip_prefix(root).ok())
                .unwrap_or_else(|| Path::new(path.file_name().unwrap_or_default()));
            if !is_editor_temp_file(inside) {
                self.paths.insert(path);
            }
        }
    }

    /// `Changed` with the paths, or with an empty list when anything may have changed (a
    /// full reload); nothing when only editor droppings moved.
    fn into_signal(self) -> Option<Signal> {
        if self.everything {
            Some(Signal::Changed(Vec::new()))
        } else if self.paths.is_empty() {
            None
        } else {
            Some(Signal::Changed(self.paths.into_iter().collect()))
        }
    }
}

/// Temporary and backup files that editors write beside the file being saved, and hidden
/// folders such as `.git`: changes to these never change the site. `path` is relative to the
/// watched folder.
pub fn is_editor_temp_file(path: &Path) -> bool {
    let hidden_folder = path.parent().is_some_and(|p| {
        p.components().any(|c| {
            c.as_os_str().to_string_lossy().starts_with('.')
                && c.as_os_str() != ".."
                && c.as_os_str() != "."
        })
    });
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    hidden_folder
        || name.starts_with('.') // vim .x.swp, emacs .#x lock, kate .x.kate-swp
        || name.starts_with('#') // emacs #x# autosave
        || name.ends_with('~') // vim and emacs backups, kate x~
        || name == "4913" // vim's probe for a writable folder
        || [".swp", ".swo", ".swx", ".tmp", ".bak", "___jb_tmp___", "___jb_old___", ".kate-swp", ".crswap", ".part"].iter().any(|s| name.ends_with(s))
        || name.contains(".vscode-") // VS Code's atomic-save temporaries
        || (name.ends_with(".new") && name.matches('.').count() >= 2) // kate: x.md.Xyz123.new
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange, Flag, ModifyKind};

    fn changed(paths: &[&str]) -> notify::Result<notify::Event> {
        let event = notify::Event::new(EventKind::Modify(ModifyKind::Data(DataChange::Content)));
        Ok(paths
            .iter()
            .fold(event, |event, path| event.add_path(PathBuf::from(path))))
    }

    fn signal_paths(signal: Option<Signal>) -> Option<Vec<PathBuf>> {
        match signal {
            Some(Signal::Changed(paths)) => Some(paths),
            Some(Signal::Stop) | None => None,
        }
    }

    #[test]
    fn a_burst_keeps_each_real_path_once_and_drops_editor_files() {
        let roots = [PathBuf::from("/c")];
        let mut burst = Burst::default();
        burst.record(changed(&["/c/policies/p/2025-01-01.md"]), &roots);
        burst.record(changed(&["/c/policies/p/.2025-01-01.md.swp"]), &roots);
        burst.record(
            changed(&["/c/policies/p/2025-01-01.md", "/c/site.yaml"]),
            &roots,
        );
        let access = notify::Event::new(EventKind::Access(notify::event::AccessKind::Any))
            .add_path(PathBuf::from("/c/pages/a.md"));
        burst.record(Ok(access), &roots);
        assert_eq!(
            signal_paths(burst.into_signal()),
            Some(vec![
                PathBuf::from("/c/policies/p/2025-01-01.md"),
                PathBuf::from("/c/site.yaml")
            ])
        );

        let mut only_droppings = Burst::default();
        only_droppings.record(changed(&["/c/policies/p/2025-01-01.md~"]), &roots);
        assert!(only_droppings.into_signal().is_none());
    }

    #[test]
    fn a_lost_track_means_everything() {
        let roots = [PathBuf::from("/c")];
        let rescan = notify::Event::new(EventKind::Other).set_flag(Flag::Rescan);
        let mut burst = Burst::default();
        burst.record(changed(&["/c/site.yaml"]), &roots);
        burst.record(Ok(rescan), &roots);
        assert_eq!(signal_paths(burst.into_signal()), Some(Vec::new()));

        let mut failed = Burst::default();
        failed.record(Err(notify::Error::generic("queue overflow")), &roots);
        assert_eq!(signal_paths(failed.into_signal()), Some(Vec::new()));

        // An error naming a path is about that path.
        let mut vanished = Burst::default();
        let error = notify::Error::generic("gone").add_path(PathBuf::from("/c/pages/a.md"));
        vanished.record(Err(error), &roots);
        assert_eq!(
            signal_paths(vanished.into_signal()),
            Some(vec![PathBuf::from("/c/pages/a.md")])
        );
        let created = notify::Event::new(EventKind::Create(CreateKind::File));
        let mut pathless = Burst::default();
        pathless.record(Ok(created), &roots);
        assert_eq!(signal_paths(pathless.into_signal()), Some(Vec::new()));
    }

    /// The real watchers, native and polling, report the saved file's absolute path.
    #[test]
    fn both_watchers_report_the_saved_files_real_path() {
        for mode in [WatchMode::Native, WatchMode::Poll] {
            let dir = tempfile::tempdir().unwrap();
            let content = dir.path().join("content");
            std::fs::create_dir_all(content.join("policies/p")).unwrap();
            let options = ServeOptions {
                content_dir: content.clone(),
                today: chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
                drafts: crate::site::Drafts::Show,
                broken_links: crate::diagnostics::Severity::Error,
                format: crate::diagnostics::Format::Human,
                address: "127.0.0.1:0".parse().unwrap(),
                open: super::super::OpenBrowser::No,
                watch: mode,
            };
            let (signals, inbox) = mpsc::channel();
            let _watching = start(&options, signals).unwrap();
            // The poller takes its first look in the background; let it see the folder empty.
            std::thread::sleep(POLL_INTERVAL * 2);
            std::fs::write(content.join("policies/p/.2025-01-01.md.swp"), "x").unwrap();
            std::fs::write(content.join("policies/p/2025-01-01.md"), "---\n").unwrap();
            let wanted = content
                .canonicalize()
                .unwrap()
                .join("policies/p/2025-01-01.md");
            let mut seen = Vec::new();
            while !seen.contains(&wanted) {
                match inbox.recv_timeout(Duration::from_secs(10)) {
                    Ok(Signal::Changed(paths)) => seen.extend(paths),
                    Ok(Signal::Stop) | Err(_) => break,
                }
            }
            assert!(seen.contains(&wanted), "{mode:?}: {seen:?}");
            assert!(
                seen.iter()
                    .all(|p| p.is_absolute() && !p.ends_with(".2025-01-01.md.swp")),
                "{mode:?}: {seen:?}"
            );
        }
    }

    #[test]
    fn editor_droppings_are_ignored_and_content_is_not() {
        for temp in [
            "c/policies/p/.2025-01-01.md.swp",
            "c/policies/p/2025-01-01.md~",
            "c/policies/p/#2025-01-01.md#",
            "c/policies/p/.#2025-01-01.md",
            "c/policies/p/4913",
            "c/policies/p/2025-01-01.md___jb_tmp___",
            "c/policies/p/2025-01-01.md___jb_old___",
            "c/policies/p/.2025-01-01.md.kate-swp",
            "c/policies/p/2025-01-01.md.kO1234.new",
            "c/.git/index",
        ] {
            assert!(is_editor_temp_file(Path::new(temp)), "{temp}");
        }
        for real in [
            "c/policies/p/2025-01-01.md",
            "c/site.yaml",
            "themes/x/templates/base.html",
            "c/static/logo.svg",
            "../c/site.yaml",
        ] {
            assert!(!is_editor_temp_file(Path::new(real)), "{real}");
        }
    }
}
