//! How a build treats the disk: reproducible bytes, a failed build leaves the previous site as
//! it was, folders privacy-site did not make are refused, unchanged files are kept.

mod common;

use std::path::Path;

use common::{build, copy_tree, fixture, names_in, read_tree};

const TODAY: [&str; 2] = ["--today", "2025-01-15"];

/// A private copy of the valid fixture at `<dir>/content`.
fn copy_valid(dir: &Path) -> std::path::PathBuf {
    let content = dir.join("content");
    copy_tree(&fixture("valid").join("content"), &content);
    content
}

#[test]
fn two_builds_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let content = fixture("valid").join("content");
    for extra in [&TODAY[..], &["--today", "2025-01-15", "--drafts"][..]] {
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        assert_eq!(build(&content, &a, extra).code, 0);
        assert_eq!(build(&content, &b, extra).code, 0);
        let (first, second) = (read_tree(&a), read_tree(&b));
        assert!(first.len() > 10, "{:?}", first.keys());
        assert_eq!(
            first.keys().collect::<Vec<_>>(),
            second.keys().collect::<Vec<_>>()
        );
        for (path, bytes) in &first {
            assert!(bytes == &second[path], "{path} differs between two builds");
        }
        std::fs::remove_dir_all(&a).unwrap();
        std::fs::remove_dir_all(&b).unwrap();
    }
}

#[test]
fn a_failing_build_leaves_the_previous_site_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let content = copy_valid(dir.path());
    let site = dir.path().join("site");
    assert_eq!(build(&content, &site, &TODAY).code, 0);
    let before = read_tree(&site);
    let names_before = names_in(dir.path());

    // Break one version and add a broken link elsewhere: both are content errors.
    std::fs::write(
        content.join("policies/cookie-policy/2024-01-01.md"),
        "---\ntitle: [unclosed\n---\n",
    )
    .unwrap();
    std::fs::write(
        content.join("pages/accessibility.md"),
        "---\ntitle: A\n---\n\n[x](/privacy/nowhere/)\n",
    )
    .unwrap();
    let failed = build(&content, &site, &TODAY);
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    assert!(
        failed
            .stderr
            .contains("the previous site was left as it was"),
        "{}",
        failed.stderr
    );

    let after = read_tree(&site);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &before {
        assert!(bytes == &after[path], "{path} changed after a failed build");
    }
    assert_eq!(
        names_in(dir.path()),
        names_before,
        "a failed build left temporary folders behind"
    );
}

#[test]
fn refuses_an_output_folder_it_did_not_create() {
    let dir = tempfile::tempdir().unwrap();
    let content = copy_valid(dir.path());
    let theirs = dir.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    std::fs::write(theirs.join("precious.txt"), "keep me").unwrap();
    let names_before = names_in(dir.path());

    let run = build(&content, &theirs, &TODAY);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("did not write"), "{}", run.stderr);
    assert_eq!(names_in(&theirs), ["precious.txt"]);
    assert_eq!(
        std::fs::read_to_string(theirs.join("precious.txt")).unwrap(),
        "keep me"
    );
    assert_eq!(
        names_in(dir.path()),
        names_before,
        "a refused build left something behind"
    );

    // An empty folder is fine to take over, and from then on it is ours.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert_eq!(build(&content, &empty, &TODAY).code, 0);
    assert!(empty.join("index.html").is_file());
    assert_eq!(build(&content, &empty, &TODAY).code, 0);
}

#[test]
fn refuses_the_content_folder_its_parent_a_folder_inside_it_and_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let content = copy_valid(dir.path());
    let content_before = read_tree(&content);
    let names_before = names_in(dir.path());
    for out in [
        content.clone(),
        dir.path().to_path_buf(),
        content.join("site"),
        Path::new("/").to_path_buf(),
    ] {
        let run = build(&content, &out, &TODAY);
        assert_eq!(run.code, 2, "--out {}: {run:?}", out.display());
        assert!(run.stderr.contains("refusing to use"), "{}", run.stderr);
    }
    assert_eq!(
        read_tree(&content),
        content_before,
        "the content folder was changed"
    );
    assert_eq!(names_in(dir.path()), names_before);
}

#[cfg(unix)]
#[test]
fn an_unchanged_rebuild_keeps_files_and_their_modification_times() {
    use std::os::unix::fs::MetadataExt;

    let dir = tempfile::tempdir().unwrap();
    let content = copy_valid(dir.path());
    let site = dir.path().join("site");
    assert_eq!(build(&content, &site, &TODAY).code, 0);
    let stamp = |relative: &str| {
        let meta = std::fs::metadata(site.join(relative)).unwrap();
        (meta.ino(), meta.modified().unwrap())
    };
    let files: Vec<String> = read_tree(&site)
        .into_keys()
        .filter(|p| !p.starts_with('.'))
        .collect();
    let before: Vec<_> = files.iter().map(|f| stamp(f)).collect();

    let second = build(&content, &site, &TODAY);
    assert_eq!(second.code, 0);
    assert!(
        second
            .stderr
            .contains(&format!("0 files written, {} unchanged", files.len())),
        "{}",
        second.stderr
    );
    for (file, old) in files.iter().zip(&before) {
        assert_eq!(
            &stamp(file),
            old,
            "{file} was rewritten although it did not change"
        );
    }

    // Change one policy's body: exactly the files whose bytes changed are written anew.
    let old_bytes: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(site.join(f)).unwrap())
        .collect();
    let cookie = content.join("policies/cookie-policy/2024-01-01.md");
    let text = std::fs::read_to_string(&cookie)
        .unwrap()
        .replace("None.", "Only one.");
    std::fs::write(&cookie, text).unwrap();
    assert_eq!(build(&content, &site, &TODAY).code, 0);
    let mut rewritten = Vec::new();
    for ((file, old), bytes) in files.iter().zip(&before).zip(&old_bytes) {
        let changed = std::fs::read(site.join(file)).unwrap() != *bytes;
        assert_eq!(
            stamp(file).0 != old.0,
            changed,
            "{file}: rewritten although unchanged, or the reverse"
        );
        if changed {
            rewritten.push(file.as_str());
        }
    }
    assert!(
        rewritten.contains(&"cookie-policy/index.html"),
        "{rewritten:?}"
    );
    assert!(
        rewritten
            .iter()
            .all(|f| f.starts_with("cookie-policy/") || !f.contains('/')),
        "only the edited policy's pages and site-wide files may change: {rewritten:?}"
    );
    assert!(
        std::fs::read_to_string(site.join("cookie-policy/index.html"))
            .unwrap()
            .contains("Only one.")
    );
}
