//! Whole-pipeline tests.

use super::*;

pub(crate) fn opts() -> DiffOptions {
    DiffOptions {
        datetime: "2024-02-01".into(),
        ..DiffOptions::default()
    }
}

#[test]
fn scratch() {
    for (a, b) in [
        ("# T\n\nWe may share *your* data with [partners](https://a.example).\n\n* one\n* two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n", "# T\n\nWe will share your data with [partners](https://b.example).\n\n* one\n* one and a half\n* two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"),
    ] {
        let (h, s, n) = diff_raw(a, b, &opts());
        println!("{h}\n{s:?}\n{n:?}");
    }
}
