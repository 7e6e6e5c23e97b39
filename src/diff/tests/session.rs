//! A `PolicyDiffer` (each version parsed once, one word table) gives exactly the diffs
//! `diff_markdown` gives for the same pairs.

use super::corpus::versions;
use crate::diff::{DiffOptions, DocumentDiff, PolicyDiffer, diff_markdown};

fn options(date: &str) -> DiffOptions {
    DiffOptions {
        datetime: date.into(),
        ..DiffOptions::default()
    }
}

/// Everything a diff says, in one comparable string.
fn all_of(d: &DocumentDiff) -> String {
    format!("{:?}\n{:?}\n{}", d.summary, d.coarse, d.html)
}

/// Diffs every pair in `pairs` both ways and checks each against `diff_markdown`.
fn assert_same_as_pairwise(bodies: &[&str], pairs: &[(usize, usize)], opts: &DiffOptions) {
    let mut differ = PolicyDiffer::new(bodies.iter().copied());
    for &(old, new) in pairs {
        let shared = differ.diff(old, new, opts);
        let alone = diff_markdown(bodies[old], bodies[new], opts);
        assert_eq!(all_of(&shared), all_of(&alone), "versions {old} -> {new}");
    }
}

#[test]
fn real_history_diffs_equal_pairwise_diffs() {
    let Some(v) = versions() else { return };
    let bodies: Vec<&str> = v.iter().map(|(_, b)| b.as_str()).collect();
    assert!(bodies.len() > 5);
    // Neighbours in order (each version is first `new`, then `old`), as a history page needs.
    let mut differ = PolicyDiffer::new(bodies.iter().copied());
    let mut changed = 0;
    for i in 1..bodies.len() {
        let opts = options(&v[i].0);
        let shared = differ.diff(i - 1, i, &opts);
        let alone = diff_markdown(bodies[i - 1], bodies[i], &opts);
        assert_eq!(
            all_of(&shared),
            all_of(&alone),
            "{} -> {}",
            v[i - 1].0,
            v[i].0
        );
        changed += shared.summary.changes.len();
    }
    assert!(changed > 0, "the corpus has real changes");
    // Out of order, backwards and far apart, reusing blocks already split into words.
    let last = bodies.len() - 1;
    let pairs = [
        (last, 0),
        (0, last),
        (3, 1),
        (1, 3),
        (2, 2),
        (last - 1, last),
    ];
    assert_same_as_pairwise(&bodies, &pairs, &options("2024-01-01"));
}

const V1: &str = "# Policy\n\nIntro with a footnote[^a] and a [link](https://a.example \"t\").\n\n<div>raw <b>html</b></div>\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n* one\n* two\n  * nested\n\n## Keep\n\nSame paragraph here.\n\n## Moves\n\nThis paragraph will move elsewhere in the document.\n\n[^a]: Note & text.\n";
const V2: &str = "# Policy\n\nIntro with a changed footnote[^a] and a [link](https://b.example \"t\").\n\n<div>raw <i>html</i></div>\n\n| A | B |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\n* one\n* two and a bit\n  * nested\n\n## Keep\n\nSame paragraph here.\n\nThis paragraph will move elsewhere in the document.\n\n## Moves\n\n[^a]: Note & new text.\n";
const V3: &str = "# Policy\n\n> Quoted now: intro with a changed footnote[^a].\n\n| A | B | C |\n|---|---|---|\n| 1 | 2 | 3 |\n\n1. one\n2. two and a bit\n\n## Keep\n\nSame paragraph here, *edited*.\n\n```\ncode\n```\n\n[^a]: Note & new text.\n";

#[test]
fn synthetic_history_diffs_equal_pairwise_diffs() {
    let bodies = [V1, V2, V3, V1];
    let pairs = [(0, 1), (1, 2), (2, 3), (3, 0), (0, 3), (2, 0), (1, 1)];
    assert_same_as_pairwise(&bodies, &pairs, &options("2025-05-05"));
    // The size bound applies per diff, exactly as for `diff_markdown`.
    let small = DiffOptions {
        max_input_bytes: V2.len(),
        ..options("2025-05-05")
    };
    assert_same_as_pairwise(&bodies, &[(0, 1), (1, 2), (1, 0)], &small);
}

#[test]
fn released_versions_are_parsed_again_with_the_same_result() {
    let bodies = [V1, V2, V3];
    let opts = options("2025-05-05");
    let mut differ = PolicyDiffer::new(bodies);
    let first = all_of(&differ.diff(0, 1, &opts));
    differ.release(0);
    differ.release(1);
    differ.release(7); // out of range: nothing to drop
    assert_eq!(all_of(&differ.diff(0, 1, &opts)), first);
    assert_eq!(
        all_of(&differ.diff(1, 2, &opts)),
        all_of(&diff_markdown(V2, V3, &opts))
    );
}

#[test]
fn events_parsed_for_the_pages_give_the_same_diffs() {
    // A plain build hands the differ each version's events from `markdown::parse` (made for
    // the version's page) instead of letting it parse the bodies itself.
    let bodies = [V1, V2, V3, V1];
    let events: Vec<_> = bodies.iter().map(|b| crate::markdown::parse(b)).collect();
    let opts = options("2025-05-05");
    // Version 2 without events: the differ may mix parsed and given versions.
    let mut given = PolicyDiffer::with_events(
        bodies
            .iter()
            .zip(&events)
            .enumerate()
            .map(|(i, (body, ev))| (*body, (i != 2).then_some(ev.as_slice()))),
    );
    for (old, new) in [(0, 1), (1, 2), (2, 3), (3, 0), (1, 1)] {
        assert_eq!(
            all_of(&given.diff(old, new, &opts)),
            all_of(&diff_markdown(bodies[old], bodies[new], &opts)),
            "versions {old} -> {new}"
        );
    }
    if let Some(v) = versions() {
        let bodies: Vec<&str> = v.iter().map(|(_, b)| b.as_str()).collect();
        let events: Vec<_> = bodies.iter().map(|b| crate::markdown::parse(b)).collect();
        let mut given = PolicyDiffer::with_events(
            bodies
                .iter()
                .copied()
                .zip(events.iter().map(|e| Some(&e[..]))),
        );
        for i in 1..bodies.len() {
            let opts = options(&v[i].0);
            assert_eq!(
                all_of(&given.diff(i - 1, i, &opts)),
                all_of(&diff_markdown(bodies[i - 1], bodies[i], &opts)),
                "{} -> {}",
                v[i - 1].0,
                v[i].0
            );
        }
    }
}
