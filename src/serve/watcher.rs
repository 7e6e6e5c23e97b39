//! Watching the content and theme folders, with a short debounce.
//!
//! An editor's save is often several events (write a temporary file, rename it over the old
//! one, touch metadata). They are gathered until the folder has been quiet for `QUIET`, or at
//! most `DEBOUNCE` after the first, keeping the last event per path; then one rebuild runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use super::{ServeOptions, Signal};

/// The longest a burst of events is gathered before a rebuild starts.
const DEBOUNCE: Duration = Duration::from_millis(100);
/// A gap this long ends a burst early, so that one save rebuilds quickly.
const QUIET: Duration = Duration::from_millis(15);
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
    let record = |event, changed: &mut BTreeMap<PathBuf, EventKind>| record(event, roots, changed);
    while let Ok(first) = raw.recv() {
        let mut changed: BTreeMap<PathBuf, EventKind> = BTreeMap::new();
        record(first, &mut changed);
        let started = Instant::now();
        loop {
            let left = DEBOUNCE.saturating_sub(started.elapsed());
            if left.is_zero() {
                break;
            }
            match raw.recv_timeout(QUIET.min(left)) {
                Ok(event) => record(event, &mut changed),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        if !changed.is_empty()
            && signals
                .send(Signal::Changed(changed.into_keys().collect()))
                .is_err()
        {
            return;
        }
    }
}

fn record(
    event: notify::Result<notify::Event>,
    roots: &[PathBuf],
    changed: &mut BTreeMap<PathBuf, EventKind>,
) {
    let Ok(event) = event else { return };
    if matches!(event.kind, EventKind::Access(_)) {
        return;
    }
    for path in event.paths {
        // Only the part inside the watched folder counts: the folder itself may sit somewhere
        // hidden, such as a temporary `.tmpXYZ` folder.
        let inside = roots
            .iter()
            .find_map(|root| path.strip_prefix(root).ok())
            .unwrap_or_else(|| Path::new(path.file_name().unwrap_or_default()));
        if !is_editor_temp_file(inside) {
            changed.insert(path, event.kind);
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
