//! `check`, `new` and `init` through the built binary, on fixtures under tests/fixtures/check/.
//!
//! Each fixture folder is named after the one finding it should trigger; `clean` triggers none.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TODAY: &str = "2026-01-01";
/// 2026-01-01T00:00:00Z, so `init` and `new` date their files the same day as `--today`.
const TODAY_EPOCH: &str = "1767225600";

fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_privacy-site"));
    command
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", TODAY_EPOCH);
    command
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/check")
        .join(name)
}

/// Runs `check` in `dir` on `content`, so reported paths are relative and stable.
fn check_in(dir: &Path, extra: &[&str]) -> Output {
    binary()
        .current_dir(dir)
        .args(["check", "--content", "content", "--today", TODAY])
        .args(extra)
        .output()
        .unwrap()
}

/// (code, severity, file, line, column, message) of every finding, from the JSON format.
fn findings(output: &Output) -> Vec<(String, String, String, u64, u64, String)> {
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let s = |k: &str| v[k].as_str().unwrap().to_string();
            (
                s("code"),
                s("severity"),
                s("file"),
                v["line"].as_u64().unwrap(),
                v["column"].as_u64().unwrap(),
                s("message"),
            )
        })
        .collect()
}

/// Asserts that a fixture produces exactly one finding, named after the fixture.
fn assert_single(name: &str, file: &str, line: u64, column: u64, severity: &str, message: &str) {
    let output = check_in(&fixture(name), &["--format", "json"]);
    let found = findings(&output);
    assert_eq!(
        found,
        [(
            name.to_string(),
            severity.to_string(),
            file.to_string(),
            line,
            column,
            message.to_string()
        )],
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let expected_status = if severity == "error" { 1 } else { 0 };
    assert_eq!(output.status.code(), Some(expected_status));
}

const NOTICE: &str = "content/policies/notice/2025-01-01.md";

#[test]
fn clean_fixture_has_no_findings() {
    let output = check_in(&fixture("clean"), &["--format", "json", "--deny-warnings"]);
    assert_eq!(findings(&output), []);
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stderr).contains("No problems found"));
}

#[test]
fn broken_link() {
    assert_single(
        "broken-link",
        NOTICE,
        5,
        10,
        "error",
        "The link `../cookies/` leads to /privacy/cookies/, which is not a page of this site",
    );
}

#[test]
fn image_missing_alt() {
    assert_single(
        "image-missing-alt",
        NOTICE,
        7,
        1,
        "error",
        "This image has no alt text, so people using a screen reader are not told what it shows",
    );
}

#[test]
fn vague_link_text() {
    assert_single(
        "vague-link-text",
        NOTICE,
        5,
        14,
        "warning",
        "The link text \"click here\" does not say where the link goes",
    );
}

#[test]
fn empty_link() {
    assert_single(
        "empty-link",
        NOTICE,
        5,
        13,
        "error",
        "This link has no text, so nobody can tell where it goes",
    );
}

#[test]
fn heading_h1() {
    assert_single(
        "heading-h1",
        NOTICE,
        5,
        1,
        "warning",
        "The heading \"About us\" is a top-level (`#`) heading, but the page title is already the top-level heading",
    );
}

#[test]
fn heading_skipped_level() {
    assert_single(
        "heading-skipped-level",
        NOTICE,
        7,
        1,
        "warning",
        "The heading \"Access\" jumps from level 2 to level 4, skipping a level",
    );
}

#[test]
fn duplicate_heading() {
    assert_single(
        "duplicate-heading",
        NOTICE,
        9,
        1,
        "warning",
        "The heading \"Contact\" is used twice on this page (first on line 5)",
    );
}

#[test]
fn table_missing_header() {
    assert_single(
        "table-missing-header",
        NOTICE,
        7,
        1,
        "warning",
        "This table has no header row, so screen readers cannot say what each column holds",
    );
}

#[test]
fn long_sentence_counts_words_against_the_configured_limit() {
    assert_single(
        "long-sentence",
        NOTICE,
        5,
        16,
        "warning",
        "This sentence has 11 words; the limit is 10",
    );
}

#[test]
fn missing_summary() {
    assert_single(
        "missing-summary",
        "content/policies/notice/2025-06-01.md",
        2,
        1,
        "error",
        "This version has no `summary` of what changed",
    );
}

#[test]
fn summary_placeholder() {
    assert_single(
        "summary-placeholder",
        "content/policies/notice/2025-06-01.md",
        3,
        1,
        "error",
        "The summary still holds the placeholder text from `privacy-site new`",
    );
}

#[test]
fn short_notice() {
    assert_single(
        "short-notice",
        "content/policies/notice/2026-01-11.md",
        1,
        1,
        "warning",
        "This version takes effect on 2026-01-11, 10 days from today (2026-01-01); readers should get 30 days' notice",
    );
}

#[test]
fn consent_no_cookies() {
    assert_single(
        "consent-no-cookies",
        "content/site.yaml",
        10,
        7,
        "error",
        "The consent category `analytics` lists no cookies or stored items",
    );
}

#[test]
fn consent_no_description() {
    assert_single(
        "consent-no-description",
        "content/site.yaml",
        10,
        7,
        "error",
        "The consent category `analytics` has no description",
    );
}

#[test]
fn consent_duplicate_id() {
    assert_single(
        "consent-duplicate-id",
        "content/site.yaml",
        10,
        7,
        "error",
        "Two consent categories have the id `webchat`",
    );
}

#[test]
fn consent_script_not_https() {
    assert_single(
        "consent-script-not-https",
        "content/site.yaml",
        12,
        11,
        "error",
        "The script `http://chat.example/widget.js` is not loaded over https",
    );
}

#[test]
fn json_format_is_one_exact_object_per_line() {
    let output = check_in(&fixture("vague-link-text"), &["--format", "json"]);
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "{\"code\":\"vague-link-text\",\"severity\":\"warning\",\"file\":\"content/policies/notice/2025-01-01.md\",\"line\":5,\"column\":14,\
         \"message\":\"The link text \\\"click here\\\" does not say where the link goes\",\
         \"hint\":\"Use words that make sense on their own, e.g. `[read our cookie policy](../cookie-policy/)` rather than `click here`.\"}\n"
    );
}

#[test]
fn github_format_is_exact_workflow_commands() {
    // Workflow commands escape `%`, CR and LF in the message, and also `:` and `,` in properties.
    let output = check_in(
        &fixture("consent-script-not-https"),
        &["--format", "github"],
    );
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "::error file=content/site.yaml,line=12,col=11,title=consent-script-not-https::The script `http://chat.example/widget.js` is not loaded over https\
         %0AUse the `https://` address, or copy the script into `static/` and give its path, e.g. `js/analytics.js`.\n"
    );
}

#[test]
fn human_format_shows_the_line_and_a_marker() {
    let output = check_in(&fixture("empty-link"), &[]);
    let text = String::from_utf8(output.stderr).unwrap();
    assert!(
        text.contains("error[empty-link]: This link has no text"),
        "{text}"
    );
    assert!(
        text.contains("content/policies/notice/2025-01-01.md:5:13"),
        "{text}"
    );
    assert!(
        text.contains("Contact the [](https://ico.org.uk/) today."),
        "{text}"
    );
    assert!(text.contains("^"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "NO_COLOR is set, so no escape codes: {text}"
    );
    assert!(text.contains("Found 1 error and 0 warnings."), "{text}");
}

#[test]
fn deny_warnings_turns_warnings_into_failure() {
    assert_eq!(check_in(&fixture("heading-h1"), &[]).status.code(), Some(0));
    assert_eq!(
        check_in(&fixture("heading-h1"), &["--deny-warnings"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn usage_errors_exit_2() {
    let output = binary()
        .args(["check", "--format", "xml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = binary()
        .args(["new", "notice", "--date", "2026-13-01"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn new_copies_the_latest_version_and_refuses_to_overwrite() {
    let temp = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture("clean"), temp.path());
    let run_new = || {
        binary()
            .current_dir(temp.path())
            .args(["new", "notice", "--date", "2026-03-01"])
            .output()
            .unwrap()
    };
    let output = run_new();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let old = std::fs::read_to_string(temp.path().join(NOTICE)).unwrap();
    let new_path = temp.path().join("content/policies/notice/2026-03-01.md");
    let new = std::fs::read_to_string(&new_path).unwrap();
    let old_body = old.split_once("---\n\n").unwrap().1;
    assert_eq!(
        new,
        format!(
            "---\ntitle: Privacy notice\nsummary: 'TODO: say in one sentence what this version changes'\n---\n\n{old_body}"
        )
    );

    // Until the placeholder is replaced, check fails on it.
    let found = findings(&check_in(temp.path(), &["--format", "json"]));
    let codes: Vec<_> = found
        .iter()
        .map(|f| (f.0.as_str(), f.2.as_str(), f.3))
        .collect();
    assert_eq!(
        codes,
        [(
            "summary-placeholder",
            "content/policies/notice/2026-03-01.md",
            3
        )]
    );

    std::fs::write(
        &new_path,
        new.replace(
            "'TODO: say in one sentence what this version changes'",
            "Adds how we use email",
        ),
    )
    .unwrap();
    let again = run_new();
    assert_eq!(again.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already exists"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(
        std::fs::read_to_string(&new_path)
            .unwrap()
            .contains("Adds how we use email"),
        "the edited file was left alone"
    );
    assert_eq!(findings(&check_in(temp.path(), &["--format", "json"])), []);
}

#[test]
fn new_slug_starts_a_policy_that_checks_clean() {
    let temp = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture("clean"), temp.path());
    let output = binary()
        .current_dir(temp.path())
        .args(["new", "cookie-policy"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(
        temp.path()
            .join("content/policies/cookie-policy/2026-01-01.md"),
    )
    .unwrap();
    assert!(
        text.starts_with("---\ntitle: Cookie policy\n---\n"),
        "{text}"
    );
    let output = check_in(temp.path(), &["--format", "json", "--deny-warnings"]);
    assert_eq!(findings(&output), []);
    assert_eq!(output.status.code(), Some(0));

    let bad = binary()
        .current_dir(temp.path())
        .args(["new", "Cookie Policy"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot be used in a web address"));
}

#[test]
fn init_scaffolds_a_site_that_builds_and_checks_clean() {
    let temp = tempfile::tempdir().unwrap();
    let site = temp.path().join("my-site");
    let output = binary()
        .current_dir(temp.path())
        .args(["init", "my-site"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(site.join("EDITING.md").is_file());
    assert!(
        site.join("content/policies/privacy-notice/2026-01-01.md")
            .is_file()
    );
    assert!(
        std::fs::read_to_string(site.join("content/site.yaml"))
            .unwrap()
            .contains("# "),
        "site.yaml explains itself in comments"
    );

    let checked = check_in(&site, &["--format", "json", "--deny-warnings"]);
    assert_eq!(findings(&checked), []);
    assert_eq!(checked.status.code(), Some(0));

    let built = binary()
        .current_dir(&site)
        .args(["build", "--today", TODAY])
        .output()
        .unwrap();
    assert_eq!(
        built.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    assert!(site.join("site/privacy-notice/index.html").is_file());

    let again = binary()
        .current_dir(temp.path())
        .args(["init", "my-site"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("is not empty"));
}

#[test]
fn every_command_has_examples_and_completions_work() {
    for command in ["build", "check", "new", "init", "completions"] {
        let help = binary().args([command, "--help"]).output().unwrap();
        assert!(
            String::from_utf8_lossy(&help.stdout).contains("Examples:"),
            "{command} --help has no examples"
        );
    }
    let bash = binary().args(["completions", "bash"]).output().unwrap();
    assert_eq!(bash.status.code(), Some(0));
    let script = String::from_utf8(bash.stdout).unwrap();
    assert!(
        script.contains("privacy-site") && script.contains("--deny-warnings"),
        "{script}"
    );
}
