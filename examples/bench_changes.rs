//! Times the diffs behind every changes page of a content folder (release build, see
//! `scripts/bench-changes`). Prints the best of several runs, so a busy machine's noise counts
//! against the goal as little as possible.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use privacy_site::build::{BuildOptions, build, load};
use privacy_site::diagnostics::Severity;
use privacy_site::history::{version_chain, version_diff};
use privacy_site::output::MemoryOutput;
use privacy_site::site::{Drafts, SitePlan};

const RUNS: usize = 5;

fn main() {
    let content_dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("content"), PathBuf::from);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let (content, _theme) = match load(&content_dir) {
        Ok(loaded) => loaded,
        Err(_) => {
            eprintln!("cannot load {}", content_dir.display());
            std::process::exit(1);
        }
    };
    let plan = SitePlan::new(&content, today, Drafts::Hide);
    // Read before timing: a plain load leaves version texts on disk.
    let bodies: Vec<Vec<_>> = match plan
        .policies
        .iter()
        .map(|p| p.versions.iter().map(|v| v.version.source.body()).collect())
        .collect()
    {
        Ok(bodies) => bodies,
        Err(error) => {
            eprintln!("cannot read a version: {error}");
            std::process::exit(1);
        }
    };
    let mut pages = 0;
    let mut slowest = Duration::MAX;
    let diffs_best = best_of(|| {
        pages = 0;
        let mut slowest_this_run = Duration::ZERO;
        for (policy, bodies) in plan.policies.iter().zip(&bodies) {
            let mut chain = version_chain(bodies, &[]);
            for index in 0..policy.versions.len() {
                let started = Instant::now();
                if version_diff(&plan, policy, index, &mut chain, None).is_some() {
                    pages += 1;
                    slowest_this_run = slowest_this_run.max(started.elapsed());
                }
            }
        }
        slowest = slowest.min(slowest_this_run);
    });
    let options = BuildOptions {
        content_dir: content_dir.clone(),
        today,
        drafts: Drafts::Hide,
        live_reload_url: None,
        broken_links: Severity::Warning,
    };
    let build_best = best_of(|| {
        if build(&options, &MemoryOutput::new()).is_err() {
            eprintln!("the build failed");
            std::process::exit(1);
        }
    });
    println!(
        "{pages} changes pages: diffs computed in {:.1} ms, the slowest one in {:.1} ms (best of {RUNS})",
        ms(diffs_best),
        ms(slowest)
    );
    println!(
        "whole site built in memory in {:.1} ms (best of {RUNS})",
        ms(build_best)
    );
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
