//! The real GitHub privacy statement history.

use crate::diff::{DiffOptions, diff_markdown};
use std::path::Path;

/// Beside the repository, as the other corpus tests find it.
const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/corpora/github-privacy-statement/content/policies/privacy-statement"
);

/// Drops the YAML front matter between the leading `---` lines.
pub(crate) fn body(text: &str) -> &str {
    if let Some(rest) = text.strip_prefix("---\n")
        && let Some(end) = rest.find("\n---\n")
    {
        return &rest[end + 5..];
    }
    text
}

pub(crate) fn versions() -> Option<Vec<(String, String)>> {
    let dir = Path::new(CORPUS);
    if !dir.is_dir() {
        println!("note: corpus folder {CORPUS} is absent; skipping");
        return None;
    }
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    Some(
        files
            .iter()
            .map(|p| {
                let date = p.file_stem().unwrap().to_string_lossy().to_string();
                let text = std::fs::read_to_string(p).unwrap();
                (date, body(&text).to_string())
            })
            .collect(),
    )
}

#[test]
fn real_changes_2022_09_01_to_2022_12_15() {
    let Some(v) = versions() else { return };
    let get = |d: &str| {
        v.iter()
            .find(|(k, _)| k == d)
            .map(|(_, t)| t.clone())
            .unwrap()
    };
    let opts = DiffOptions {
        datetime: "2022-12-15".into(),
        deadline: std::time::Duration::from_secs(60),
        ..DiffOptions::default()
    };
    let d = diff_markdown(&get("2022-09-01"), &get("2022-12-15"), &opts);
    let ins = "<ins datetime=\"2022-12-15\"><span class=\"visually-hidden\">Added: </span>";
    let del = "<del datetime=\"2022-12-15\"><span class=\"visually-hidden\">Removed: </span>";
    let h = &d.html;
    assert!(
        h.contains(&format!(
            "Effective date: {del}September 1</del>{ins}December 15</ins>, 2022"
        )),
        "{h}"
    );
    assert!(h.contains(&format!("Privacy Notice {del}to residents of California</del>{ins}for U.S. Residents</ins>, please go to")), "{h}");
    // a link target change with the same words
    assert!(h.contains(&format!("All capitalized terms have their definition in <a href=\"/github/site-policy/github-terms-of-service\" rel=\"noopener noreferrer\">{del}GitHub’s Terms of Service</del></a><a href=\"/site-policy/github-terms/github-terms-of-service\" rel=\"noopener noreferrer\">{ins}GitHub’s Terms of Service</ins></a>")), "{h}");
    // whole added list item and whole removed heading are marked at block level
    assert!(h.contains(&format!("<li class=\"added\">{ins}To conduct any other activities in accordance with applicable law.</ins></li>")), "{h}");
    assert!(
        h.contains(&format!(
            "{del}We do not sell your personal information</del></h3>"
        )),
        "{h}"
    );
    assert!(d.coarse.is_none(), "{:?}", d.coarse);
    assert!(d.summary.words_added > 0 && d.summary.words_removed > 0);
    assert!(d.summary.sections_changed >= 2, "{:?}", d.summary);
    super::html_check::check(h).unwrap();
}

#[test]
fn every_real_pair_is_valid_and_fine_grained() {
    let Some(v) = versions() else { return };
    for w in v.windows(2) {
        let opts = DiffOptions {
            datetime: w[1].0.clone(),
            // debug build on a loaded machine: keep time out of the verdict
            deadline: std::time::Duration::from_secs(60),
            ..DiffOptions::default()
        };
        let d = diff_markdown(&w[0].1, &w[1].1, &opts);
        if let Err(e) = super::html_check::check(&d.html) {
            panic!("{} -> {}: {e}", w[0].0, w[1].0);
        }
        assert!(
            d.coarse.is_none(),
            "{} -> {}: {:?}",
            w[0].0,
            w[1].0,
            d.coarse
        );
        assert!(!d.summary.changes.is_empty(), "{} -> {}", w[0].0, w[1].0);
    }
}

/// Timing of all 18 consecutive diffs; run with
/// `cargo test --release --lib corpus_timing -- --ignored --nocapture`.
#[test]
#[ignore]
fn corpus_timing() {
    let Some(v) = versions() else { return };
    let t = std::time::Instant::now();
    let mut words = 0;
    for w in v.windows(2) {
        let opts = DiffOptions {
            datetime: w[1].0.clone(),
            ..DiffOptions::default()
        };
        let s = std::time::Instant::now();
        let d = diff_markdown(&w[0].1, &w[1].1, &opts);
        words += d.summary.words_added;
        println!(
            "{} -> {}: {:>7.1} ms, +{} -{} words, {} changes",
            w[0].0,
            w[1].0,
            s.elapsed().as_secs_f64() * 1000.0,
            d.summary.words_added,
            d.summary.words_removed,
            d.summary.changes.len()
        );
    }
    println!(
        "all {} diffs: {:?} ({words} words added in total)",
        v.len() - 1,
        t.elapsed()
    );
}
