//! One fixture per bad input: each build must fail with exit code 1, report exactly the expected
//! diagnostics (code, file:line:col, message) in JSON, name file:line:col in the human format,
//! write nothing, and never panic.

mod common;

use common::{Diag, Run, fixture, run_in};

/// What a diagnostic must say; the hint is checked separately where it matters.
struct Expected<'a> {
    code: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
}

const fn at<'a>(
    code: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
) -> Expected<'a> {
    Expected {
        code,
        file,
        line,
        column,
        message,
    }
}

/// Builds fixture `name` (from inside its folder, so paths read `content/…`) in one format.
fn build_fixture(name: &str, format: &str) -> (Run, tempfile::TempDir) {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let run = run_in(
        &fixture(name),
        &[
            "build",
            "--content",
            "content",
            "--out",
            site.to_str().unwrap(),
            "--today",
            "2025-01-01",
            "--format",
            format,
        ],
        &[],
    );
    assert!(
        !site.exists(),
        "a failed build of {name} created the output folder"
    );
    (run, out)
}

/// Fails the build of `name` and checks its diagnostics are exactly `expected`, in this order.
fn assert_fails_with(name: &str, expected: &[Expected]) -> Vec<Diag> {
    let (run, _out) = build_fixture(name, "json");
    assert_eq!(run.code, 1, "{name}: exit code; stderr: {}", run.stderr);
    let found = run.diagnostics();
    let summary = |d: &[Diag]| {
        d.iter()
            .map(|d| {
                format!(
                    "{} {}:{}:{} {}",
                    d.code, d.file, d.line, d.column, d.message
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        found.len(),
        expected.len(),
        "{name}: found\n{}",
        summary(&found)
    );
    for (d, e) in found.iter().zip(expected) {
        assert_eq!(
            (
                d.code.as_str(),
                d.file.as_str(),
                d.line,
                d.column,
                d.message.as_str()
            ),
            (e.code, e.file, e.line, e.column, e.message),
            "{name}: found\n{}",
            summary(&found)
        );
        assert_eq!(d.severity, "error");
        assert!(
            d.hint.as_deref().is_some_and(|h| !h.is_empty()),
            "{name}: every error says how to fix it: {d:?}"
        );
    }
    let errors = expected.len();
    assert!(
        run.stderr
            .contains(&format!("Build failed with {errors} error")),
        "{name}: {}",
        run.stderr
    );

    // The human format names the same places, on standard error.
    let (human, _out) = build_fixture(name, "human");
    assert_eq!(human.code, 1);
    for e in expected {
        let place = format!("{}:{}:{}", e.file, e.line, e.column);
        assert!(
            human.stderr.contains(&place),
            "{name}: human output lacks {place}:\n{}",
            human.stderr
        );
        assert!(
            human.stderr.contains(&format!("error[{}]", e.code)),
            "{name}: {}",
            human.stderr
        );
    }
    found
}

const PN: &str = "content/policies/privacy-notice";

#[test]
fn invalid_yaml_points_at_the_offending_colon() {
    let found = assert_fails_with(
        "invalid-yaml",
        &[at(
            "invalid-yaml",
            "content/policies/privacy-notice/2024-01-01.md",
            3,
            20,
            "This YAML cannot be read: mapping values are not allowed in this context",
        )],
    );
    assert!(
        found[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("quote text that contains `:`")
    );
}

#[test]
fn missing_title() {
    assert_fails_with(
        "missing-title",
        &[at(
            "missing-title",
            &format!("{PN}/2024-01-01.md"),
            2,
            1,
            "This file has no `title`",
        )],
    );
}

#[test]
fn missing_summary_on_a_later_version() {
    let found = assert_fails_with(
        "missing-summary",
        &[at(
            "missing-summary",
            &format!("{PN}/2024-06-01.md"),
            2,
            1,
            "This version has no `summary` of what changed",
        )],
    );
    assert!(
        found[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("Only the first version (2024-01-01)")
    );
}

#[test]
fn file_name_that_is_not_a_real_date() {
    assert_fails_with(
        "unreal-date",
        &[at(
            "bad-date",
            &format!("{PN}/2023-02-30.md"),
            1,
            1,
            "`2023-02-30` is not a real date",
        )],
    );
}

#[test]
fn folder_named_like_a_version_file() {
    assert_fails_with(
        "folder-named-like-a-version",
        &[at(
            "stray-file",
            &format!("{PN}/2024-01-01.md"),
            1,
            1,
            "This is a folder named like a Markdown file",
        )],
    );
}

#[test]
fn file_name_that_is_not_shaped_like_a_date() {
    assert_fails_with(
        "bad-date-shape",
        &[at(
            "bad-date",
            &format!("{PN}/2024-1-5.md"),
            1,
            1,
            "`2024-1-5` is not a date in the form YYYY-MM-DD",
        )],
    );
}

#[test]
fn two_versions_on_one_date_is_one_error_naming_both_files() {
    let found = assert_fails_with(
        "duplicate-date",
        &[at(
            "duplicate-date",
            &format!("{PN}/2024-01-01.md"),
            1,
            1,
            "Two versions of `privacy-notice` take effect on 2024-01-01",
        )],
    );
    let hint = found[0].hint.as_deref().unwrap();
    assert!(
        hint.contains("`2024-01-01.markdown`") && hint.contains("`2024-01-01.md`"),
        "{hint}"
    );
}

#[test]
fn unknown_front_matter_key_suggests_the_right_one() {
    let found = assert_fails_with(
        "unknown-key",
        &[at(
            "unknown-key",
            &format!("{PN}/2024-06-01.md"),
            3,
            1,
            "`sumary` is not a setting privacy-site knows",
        )],
    );
    assert!(
        found[0]
            .hint
            .as_deref()
            .unwrap()
            .starts_with("Did you mean `summary`?"),
        "{found:?}"
    );
}

#[test]
fn non_utf8_file_points_at_the_first_bad_byte() {
    // Line 5 is `We keep your caf\xe9 receipts.`: the bad byte is the 17th character.
    assert_fails_with(
        "not-utf8",
        &[at(
            "not-utf8",
            &format!("{PN}/2024-01-01.md"),
            5,
            17,
            "This file is not saved as UTF-8 text",
        )],
    );
}

#[test]
fn empty_policy_folder() {
    assert_fails_with(
        "empty-policy",
        &[at(
            "empty-policy",
            "content/policies/cookie-policy",
            1,
            1,
            "The policy folder `cookie-policy` has no versions",
        )],
    );
}

#[test]
fn unknown_theme_points_at_its_name_in_site_yaml() {
    assert_fails_with(
        "unknown-theme",
        &[at(
            "unknown-theme",
            "content/site.yaml",
            3,
            8,
            "There is no theme called `fancy`",
        )],
    );
}

#[test]
fn reserved_slugs_for_a_policy_and_a_page() {
    assert_fails_with(
        "reserved-slug",
        &[
            at(
                "reserved-slug",
                "content/pages/cookie-settings.md",
                1,
                1,
                "`cookie-settings` is a name privacy-site uses for its own pages",
            ),
            at(
                "reserved-slug",
                "content/policies/assets/2024-01-01.md",
                1,
                1,
                "`assets` is a name privacy-site uses for its own pages",
            ),
        ],
    );
}

#[test]
fn page_slug_equal_to_a_policy_slug() {
    assert_fails_with(
        "slug-clash",
        &[at(
            "slug-clash",
            "content/pages/privacy-notice.md",
            1,
            1,
            "A page and a policy are both called `privacy-notice`",
        )],
    );
}

#[test]
fn missing_site_yaml() {
    assert_fails_with(
        "missing-site-yaml",
        &[at(
            "missing-site-config",
            "content/site.yaml",
            1,
            1,
            "There is no site.yaml here",
        )],
    );
}

#[test]
fn unknown_site_yaml_key_suggests_the_right_one() {
    let found = assert_fails_with(
        "unknown-site-key",
        &[at(
            "unknown-key",
            "content/site.yaml",
            3,
            1,
            "`langauge` is not a setting privacy-site knows",
        )],
    );
    assert!(
        found[0]
            .hint
            .as_deref()
            .unwrap()
            .starts_with("Did you mean `language`?"),
        "{found:?}"
    );
}

#[test]
fn broken_internal_links_to_a_missing_policy_page_version_and_heading() {
    // Columns are those of each link's `[` on lines 8–11 of the file; line 12's links are fine.
    let file = format!("{PN}/2024-06-01.md");
    let found = assert_fails_with(
        "broken-links",
        &[
            at(
                "broken-link",
                &file,
                8,
                21,
                "The link `../cookie-policy/` leads to /privacy/cookie-policy/, which is not a page of this site",
            ),
            at(
                "broken-link",
                &file,
                9,
                19,
                "The link `/privacy/accessibility/` leads to /privacy/accessibility/, which is not a page of this site",
            ),
            at(
                "broken-link",
                &file,
                10,
                22,
                "The link `/privacy/privacy-notice/2023-05-05/` leads to /privacy/privacy-notice/2023-05-05/, which is not a page of this site",
            ),
            at(
                "broken-link",
                &file,
                11,
                26,
                "The link `#who-we-were` points at a heading `#who-we-were` that /privacy/privacy-notice/ does not have",
            ),
            at(
                "broken-link",
                &file,
                11,
                51,
                "The link `../../pages/contact.md#phone` points at a heading `#phone` that /privacy/contact/ does not have",
            ),
        ],
    );
    assert!(
        found[3]
            .hint
            .as_deref()
            .unwrap()
            .starts_with("Did you mean `#who-we-are`?"),
        "{found:?}"
    );
    assert!(
        found[4].hint.as_deref().unwrap().contains("#email"),
        "{found:?}"
    );
}

#[test]
fn broken_links_can_be_downgraded_to_warnings() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let run = run_in(
        &fixture("broken-links"),
        &[
            "build",
            "--content",
            "content",
            "--out",
            site.to_str().unwrap(),
            "--today",
            "2025-01-01",
            "--format",
            "json",
            "--broken-links",
            "warn",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let found = run.diagnostics();
    assert_eq!(found.len(), 5);
    assert!(
        found
            .iter()
            .all(|d| d.code == "broken-link" && d.severity == "warning"),
        "{found:?}"
    );
    assert!(site.join("privacy-notice/index.html").is_file());
}

#[test]
fn every_error_across_files_is_reported_in_one_run_sorted_by_place() {
    assert_fails_with(
        "several-errors",
        &[
            at(
                "missing-title",
                "content/pages/help.md",
                2,
                1,
                "This file has no `title`",
            ),
            at(
                "unknown-key",
                "content/policies/cookie-policy/2024-01-01.md",
                2,
                1,
                "`titel` is not a setting privacy-site knows",
            ),
            at(
                "missing-summary",
                &format!("{PN}/2024-06-01.md"),
                2,
                1,
                "This version has no `summary` of what changed",
            ),
            at(
                "bad-date",
                &format!("{PN}/2024-13-01.md"),
                1,
                1,
                "`2024-13-01` is not a real date",
            ),
            at(
                "unknown-key",
                "content/site.yaml",
                3,
                1,
                "`them` is not a setting privacy-site knows",
            ),
        ],
    );
}

#[test]
fn github_format_annotates_the_file_line_and_column() {
    let (run, _out) = build_fixture("invalid-yaml", "github");
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.starts_with("::error file=content/policies/privacy-notice/2024-01-01.md,line=3,col=20,title=invalid-yaml::This YAML cannot be read"),
        "{}",
        run.stdout
    );
}

#[test]
fn usage_errors_exit_with_2() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let site = site.to_str().unwrap();
    let valid = fixture("valid");
    for bad_day in ["2025-02-30", "tomorrow", "2025-1-1"] {
        let run = run_in(
            &valid,
            &[
                "build",
                "--content",
                "content",
                "--out",
                site,
                "--today",
                bad_day,
            ],
            &[],
        );
        assert_eq!(run.code, 2, "--today {bad_day}: {run:?}");
        assert!(run.stderr.contains("YYYY-MM-DD"), "{}", run.stderr);
    }
    let run = run_in(
        &valid,
        &["build", "--content", "content", "--out", site],
        &[("SOURCE_DATE_EPOCH", "yesterday")],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("SOURCE_DATE_EPOCH"), "{}", run.stderr);
    let run = run_in(&valid, &["build", "--no-such-flag"], &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(!out.path().join("site").exists());
}
