use super::*;

#[test]
fn paths_cannot_escape() {
    assert!(safe_relative("a/index.html").is_ok());
    assert!(plainly_relative("a/index.html"));
    for bad in ["../x", "/etc/passwd", "a/../../b", "a\\b", "", "a\0b"] {
        assert!(safe_relative(bad).is_err(), "{bad}");
        assert!(!plainly_relative(bad), "{bad}");
    }
}

#[test]
fn a_file_written_piece_by_piece_is_kept_when_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("site");
    let content = dir.path().join("content");
    let pieces = |text: &'static str| {
        move |out: &mut dyn Write| {
            for piece in text.split_inclusive(' ') {
                out.write_all(piece.as_bytes())?;
            }
            Ok(())
        }
    };
    let first = DiskOutput::prepare(&target, &content).unwrap();
    let outcome = first
        .write_with("feed.xml", 0, &mut pieces("a b c"))
        .unwrap();
    assert_eq!(outcome, WriteOutcome::Written);
    first.commit().unwrap();
    let inode = |path: &Path| {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).unwrap().ino()
    };
    let before = inode(&target.join("feed.xml"));

    let second = DiskOutput::prepare(&target, &content).unwrap();
    let same = second
        .write_with("feed.xml", 0, &mut pieces("a b c"))
        .unwrap();
    let changed = second
        .write_with("sitemap.xml", 0, &mut pieces("x"))
        .unwrap();
    assert_eq!(
        (same, changed),
        (WriteOutcome::Unchanged, WriteOutcome::Written)
    );
    assert_eq!(second.counts(), (1, 1));
    second.commit().unwrap();
    assert_eq!(inode(&target.join("feed.xml")), before);
    assert_eq!(std::fs::read(target.join("feed.xml")).unwrap(), b"a b c");

    let third = DiskOutput::prepare(&target, &content).unwrap();
    let outcome = third
        .write_with("feed.xml", 0, &mut pieces("a b d"))
        .unwrap();
    assert_eq!(outcome, WriteOutcome::Written);
    third.commit().unwrap();
    assert_eq!(std::fs::read(target.join("feed.xml")).unwrap(), b"a b d");
    let names: Vec<_> = std::fs::read_dir(&target)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "no link left behind: {names:?}");
}

#[test]
fn refuses_a_folder_it_did_not_create() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("precious.txt"), "keep").unwrap();
    let refusal = DiskOutput::prepare(&target, &dir.path().join("content")).unwrap_err();
    assert!(refusal.0.contains("did not write"), "{refusal}");
    assert_eq!(
        std::fs::read_to_string(target.join("precious.txt")).unwrap(),
        "keep"
    );
}

#[test]
fn refuses_the_content_folder_and_its_parents() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir(&content).unwrap();
    assert!(DiskOutput::prepare(&content, &content).is_err());
    assert!(DiskOutput::prepare(dir.path(), &content).is_err());
    assert!(DiskOutput::prepare(&content.join("site"), &content).is_err());
    assert!(DiskOutput::prepare(Path::new("/"), &content).is_err());
}

#[test]
fn unchanged_files_keep_their_inode_and_dropping_leaves_no_trace() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("site");
    let content = dir.path().join("content");
    let first = DiskOutput::prepare(&target, &content).unwrap();
    first.write("a/index.html", b"same".to_vec()).unwrap();
    first.commit().unwrap();
    let before = std::fs::metadata(target.join("a/index.html"))
        .unwrap()
        .modified()
        .unwrap();

    let second = DiskOutput::prepare(&target, &content).unwrap();
    assert_eq!(
        second.write("a/index.html", b"same".to_vec()).unwrap(),
        WriteOutcome::Unchanged
    );
    assert_eq!(
        second.write("b.txt", b"new".to_vec()).unwrap(),
        WriteOutcome::Written
    );
    second.commit().unwrap();
    assert_eq!(
        std::fs::metadata(target.join("a/index.html"))
            .unwrap()
            .modified()
            .unwrap(),
        before
    );

    let third = DiskOutput::prepare(&target, &content).unwrap();
    third.write("c.txt", b"half".to_vec()).unwrap();
    drop(third);
    assert!(!target.join("c.txt").exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}
