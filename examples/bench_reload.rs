//! Times a full `content::load` against `ContentStore::apply` of one edited version file
//! (release build: `cargo run --release --example bench_reload -- /tmp/c10k/content`).
//! Edits a copy-free way: appends a line to one version, applies, then restores the file.
//! Prints the best of several runs, so a busy machine's noise counts as little as possible.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use privacy_site::content::{self, ContentStore};

const RUNS: usize = 5;

fn main() {
    let root = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("content"), PathBuf::from);
    let full = best_of(|| {
        if content::load(&root).is_err() {
            eprintln!("cannot load {}", root.display());
            std::process::exit(1);
        }
    });
    let mut store = ContentStore::open(&root);
    let Some(file) = store
        .result()
        .ok()
        .and_then(|c| c.policies.get(c.policies.len() / 2))
        .and_then(|p| p.versions.last())
        .map(|v| v.source.path.clone())
    else {
        eprintln!("{} has no versions", root.display());
        std::process::exit(1);
    };
    let original = read(&file);
    let absolute = file.canonicalize().unwrap_or_else(|_| file.clone());
    let mut edits = 0;
    let one = best_of(|| {
        edits += 1;
        write(&file, &format!("{original}\nEdit {edits}.\n"));
        let ok = store.apply(std::slice::from_ref(&absolute)).is_ok();
        assert!(ok, "the edit keeps the content valid");
    });
    write(&file, &original);
    let restored = store.apply(&[absolute]).is_ok();
    let files = store.result().map_or(0, |c| {
        c.policies.iter().map(|p| p.versions.len()).sum::<usize>()
    });
    println!("{files} versions in {}", root.display());
    println!("full load:           {:8.1} ms", ms(full));
    println!("apply one edit:      {:8.1} ms", ms(one));
    println!("restored: {restored}");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn write(path: &Path, text: &str) {
    if let Err(error) = std::fs::write(path, text) {
        eprintln!("cannot write {}: {error}", path.display());
        std::process::exit(1);
    }
}

fn best_of(mut run: impl FnMut()) -> Duration {
    (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
