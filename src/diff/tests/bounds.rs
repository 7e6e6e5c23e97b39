//! Pathological inputs degrade instead of hanging.

use crate::diff::{DiffOptions, diff_markdown};
use std::time::{Duration, Instant};

/// Deterministic pseudo-random words (xorshift), so the test needs no data files.
fn text(seed: u64, bytes: usize, para_every: usize) -> String {
    let mut x = seed;
    let mut out = String::with_capacity(bytes + 16);
    let mut n = 0;
    while out.len() < bytes {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = 2 + (x % 9) as usize;
        for k in 0..len {
            out.push((b'a' + ((x >> (k * 5)) % 26) as u8) as char);
        }
        n += 1;
        out.push_str(if para_every > 0 && n % para_every == 0 {
            "\n\n"
        } else {
            " "
        });
    }
    out
}

#[test]
fn two_unrelated_5mb_files_are_reported_coarse() {
    let a = text(1, 5_000_000, 80);
    let b = text(2, 5_000_000, 80);
    let t = Instant::now();
    let d = diff_markdown(&a, &b, &DiffOptions::default());
    println!("5 MB pair: {:?}", t.elapsed());
    // generous: debug build on a shared 2-core machine; the point is "no hang"
    assert!(t.elapsed() < Duration::from_secs(60));
    let why = d.coarse.expect("must be coarse");
    assert!(why.contains("larger than"), "{why}");
    assert!(d.summary.words_added > 100_000);
    super::html_check::check(&d.html).unwrap();
}

#[test]
fn unrelated_files_under_the_size_limit_stay_bounded() {
    // many paragraphs: too many block pairs to compare word by word
    let a = text(3, 300_000, 60);
    let b = text(4, 300_000, 60);
    let opts = DiffOptions {
        deadline: Duration::from_millis(500),
        ..DiffOptions::default()
    };
    let t = Instant::now();
    let d = diff_markdown(&a, &b, &opts);
    println!(
        "300 kB many-paragraph pair: {:?}, coarse: {:?}",
        t.elapsed(),
        d.coarse
    );
    assert!(t.elapsed() < Duration::from_secs(60)); // debug build, loaded machine
    assert!(d.coarse.is_some());
    super::html_check::check(&d.html).unwrap();
}

#[test]
fn one_huge_edited_paragraph_falls_back_to_whole_block() {
    let a = text(5, 300_000, 0);
    let b = a.replacen("a", "b", 50);
    let opts = DiffOptions {
        deadline: Duration::from_secs(120), // so the token limit, not time, decides
        ..DiffOptions::default()
    };
    let t = Instant::now();
    let d = diff_markdown(&a, &b, &opts);
    println!(
        "300 kB single-paragraph pair: {:?}, coarse: {:?}",
        t.elapsed(),
        d.coarse
    );
    assert!(d.coarse.expect("coarse").contains("too long"));
    assert!(
        d.html
            .contains("<p class=\"changed\" id=\"change-1\"><del ")
    );
    super::html_check::check(&d.html).unwrap();
}
