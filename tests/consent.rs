//! The consent settings the build publishes: pages, the version the browser compares, the
//! Content-Security-Policy origins, and the errors for unusable categories.
use std::path::Path;
use std::process::Command;

fn build(content: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_privacy-site"))
        .args(["build", "--content", content, "--out"])
        .arg(out)
        .args(["--today", "2026-11-22", "--format", "json"])
        .args(extra)
        .output()
        .expect("runs the binary")
}

#[test]
fn declared_https_script_origins_and_nothing_else_join_the_csp() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let result = build("tests/fixtures/browser/awkward", &out, &["--drafts"]);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let headers = std::fs::read_to_string(out.join("_headers")).unwrap();
    assert!(headers.starts_with("/about/legal/privacy/*\n"));
    assert!(
        headers.contains("script-src 'self' https://chat.widgets.example;"),
        "{headers}"
    );
    assert!(!headers.contains("exit.example"));

    let settings = std::fs::read_to_string(out.join("cookie-settings/index.html")).unwrap();
    assert!(settings.contains("<caption>Storage used by Visit counting</caption>"));
    assert!(settings.contains(r#"<th scope="col">Expiry</th>"#));
    assert!(settings.contains(r#"id="consent-chat-no" name="consent-chat" value="no" checked"#));
    assert!(settings.contains("<noscript>"));
    assert!(out.join("quick-exit/index.html").is_file());

    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains("data-consent-banner hidden"),
        "the banner must be hidden until JavaScript shows it"
    );
    assert!(
        index.contains("&quot;scripts&quot;:[&quot;/about/legal/privacy/js/counter.js&quot;]"),
        "local scripts are published under the prefix"
    );
    assert!(
        !settings.contains("data-consent-banner"),
        "no banner on the settings page itself"
    );
}

#[test]
fn consent_version_follows_the_categories() {
    let dir = tempfile::tempdir().unwrap();
    let version_of = |content: &Path, name: &str| {
        let out = dir.path().join(name);
        let result = build(content.to_str().unwrap(), &out, &[]);
        assert!(
            result.status.success(),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
        let index = std::fs::read_to_string(out.join("index.html")).unwrap();
        let start = index.find("{&quot;version&quot;:&quot;").unwrap() + 27;
        index[start..start + 16].to_string()
    };
    let copy = dir.path().join("content");
    std::fs::create_dir_all(copy.join("policies/p")).unwrap();
    std::fs::write(
        copy.join("policies/p/2024-01-01.md"),
        "---\ntitle: P\n---\n\nText.\n",
    )
    .unwrap();
    let yaml = "title: T\nbase_url: https://x.example/\nconsent:\n  categories:\n    - {id: stats, name: Stats, description: Counts visits., cookies: [{name: n, provider: p, purpose: q, expiry: e}]}\n";
    std::fs::write(copy.join("site.yaml"), yaml).unwrap();
    let first = version_of(&copy, "a");
    assert_eq!(
        first,
        version_of(&copy, "b"),
        "same categories, same version"
    );
    std::fs::write(
        copy.join("site.yaml"),
        yaml.replace("name: Stats", "name: Statistics"),
    )
    .unwrap();
    assert_ne!(
        first,
        version_of(&copy, "c"),
        "a renamed category asks again"
    );
    assert!(first.chars().all(|c| c.is_ascii_hexdigit()));
}

#[test]
fn unusable_category_ids_and_scripts_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let result = build(
        "tests/fixtures/consent/bad-script",
        &dir.path().join("site"),
        &[],
    );
    assert_eq!(result.status.code(), Some(1));
    let report = String::from_utf8_lossy(&result.stdout).to_string()
        + &String::from_utf8_lossy(&result.stderr);
    for code in [
        "invalid-consent-id",
        "consent-script-not-https",
        "missing-consent-script",
        "consent-no-description",
        "consent-no-cookies",
    ] {
        assert!(report.contains(code), "{code} missing from {report}");
    }
    assert!(
        !dir.path().join("site").exists(),
        "a failed build writes nothing"
    );
}
