//! A loaded content folder that takes in changed files without reading the rest again.
//!
//! `serve` rebuilds on every save, and reading 10,000 version files again for each save takes
//! far longer than an editor will wait. The store keeps what a full load found for every
//! file, re-reads only the paths the watcher names, and then repeats the cheap whole-site
//! checks (dates, summaries, slugs) from what it holds. A full `load` is itself a store opened
//! from scratch, so both report the same content and the same problems in the same order.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{OsStr, OsString};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use super::load::{
    Classified, check_policy, check_slugs, classify_version_file, empty_policy, file_name,
    is_ignored, list_static, load_config, load_page, load_version, sort_versions, sorted_entries,
    stray_policy_file,
};
use super::{Content, Page, Policy, StaticFile, Texts, Version};
use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostic, Diagnostics};

/// A content folder as last read, with what each of its files contributed.
pub struct ContentStore {
    root: PathBuf,
    /// Which texts stay in memory: all of them for `serve`, which renders again on each save.
    texts: Texts,
    /// `root` with symlinks resolved: the watcher reports paths under this form.
    canonical_root: Option<PathBuf>,
    config: Option<SiteConfig>,
    config_problems: Diagnostics,
    /// Every entry of `policies/` that a full load looks at, by path.
    policy_entries: BTreeMap<PathBuf, PolicyEntry>,
    /// One per policy folder, sorted by slug, holding the versions that loaded.
    policies: Vec<Policy>,
    /// Every entry of `pages/` that a full load looks at, by path.
    pages: BTreeMap<PathBuf, Result<Page, Diagnostics>>,
    static_files: Vec<StaticFile>,
    outcome: Outcome,
}

enum Outcome {
    /// Every check passed. The config, policies and static files live inside the `Content`
    /// (moved, never copied: 10,000 versions are tens of megabytes) until the next change.
    Ready(Box<Content>),
    Failed(Diagnostics),
}

enum PolicyEntry {
    /// A file directly under `policies/`.
    Stray,
    Folder(Folder),
}

struct Folder {
    slug: String,
    /// By file name: the folder's path is the entry's key, and a large site has 100,000 files.
    files: BTreeMap<OsString, FileState>,
}

/// Kept small (a problem is boxed): there is one per version file.
enum FileState {
    /// Not a version file; a full load reports this while listing the folder.
    Rejected(Box<Diagnostic>),
    /// Read and checked; the version sits in its policy.
    Loaded,
    /// A version file that could not be read or parsed.
    Failed(Diagnostics),
}

/// What a changed path asks the store to read again. Ordered so that `Everything` comes
/// first in a set.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Refresh {
    Everything,
    Config,
    AllPolicies,
    /// An entry of `policies/`: a policy folder, or a stray file.
    PolicyEntry(PathBuf),
    /// A file inside a policy folder: the folder, then the file.
    VersionFile(PathBuf, PathBuf),
    AllPages,
    Page(PathBuf),
    Static,
}

impl ContentStore {
    /// Reads the whole folder, as `content::load` does, keeping every text.
    pub fn open(root: &Path) -> Self {
        Self::open_with(root, Texts::Keep)
    }

    /// Reads the whole folder, keeping the texts `texts` names.
    pub fn open_with(root: &Path, texts: Texts) -> Self {
        let mut store = ContentStore {
            root: root.to_path_buf(),
            texts,
            canonical_root: None,
            config: None,
            config_problems: Diagnostics::new(),
            policy_entries: BTreeMap::new(),
            policies: Vec::new(),
            pages: BTreeMap::new(),
            static_files: Vec::new(),
            outcome: Outcome::Failed(Diagnostics::new()),
        };
        store.read_everything();
        store.finish();
        store
    }

    /// The content folder as the user named it.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The content as last loaded, or every problem found.
    pub fn result(&self) -> Result<&Content, &Diagnostics> {
        match &self.outcome {
            Outcome::Ready(content) => Ok(content),
            Outcome::Failed(problems) => Err(problems),
        }
    }

    pub fn into_result(self) -> Result<Content, Diagnostics> {
        match self.outcome {
            Outcome::Ready(content) => Ok(*content),
            Outcome::Failed(problems) => Err(problems),
        }
    }

    /// Reads everything again: for when the watcher cannot say what changed.
    pub fn reload(&mut self) -> Result<&Content, Diagnostics> {
        self.take_back_parts();
        self.read_everything();
        self.finish();
        self.owned_result()
    }

    /// Takes in changes to `changed` (files or folders created, modified, deleted or renamed;
    /// absolute under the canonical content folder, as the watcher reports them, or under the
    /// folder as it was named). Paths outside the content folder (themes) change nothing
    /// here; a path it cannot place, or the content folder itself, means a full reload. The
    /// answer is what `content::load` would give for the folder as it now is.
    pub fn apply(&mut self, changed: &[PathBuf]) -> Result<&Content, Diagnostics> {
        let refreshes: BTreeSet<Refresh> =
            changed.iter().filter_map(|p| self.refresh_for(p)).collect();
        if refreshes.is_empty() {
            return self.owned_result();
        }
        if refreshes.contains(&Refresh::Everything) {
            return self.reload();
        }
        self.take_back_parts();
        let mut relisted_static = false;
        for refresh in refreshes {
            match refresh {
                Refresh::Everything => {}
                Refresh::Config => self.read_config(),
                Refresh::AllPolicies => self.read_all_policies(),
                Refresh::PolicyEntry(path) => self.refresh_policy_entry(&path),
                Refresh::VersionFile(folder, file) => self.refresh_version_file(&folder, &file),
                Refresh::AllPages => self.read_all_pages(),
                Refresh::Page(path) => self.refresh_page(&path),
                Refresh::Static if !relisted_static => {
                    relisted_static = true;
                    self.static_files = list_static(&self.root);
                }
                Refresh::Static => {}
            }
        }
        self.finish();
        self.owned_result()
    }

    fn owned_result(&self) -> Result<&Content, Diagnostics> {
        self.result().map_err(Clone::clone)
    }

    /// Which part of the folder `path` belongs to; `None` for paths a full load never reads.
    fn refresh_for(&self, path: &Path) -> Option<Refresh> {
        let relative = path.strip_prefix(&self.root).ok().or_else(|| {
            self.canonical_root
                .as_deref()
                .and_then(|root| path.strip_prefix(root).ok())
        });
        let Some(relative) = relative else {
            // Outside the content folder (a theme), unless the folder's real place is unknown.
            return match self.canonical_root {
                Some(_) => None,
                None => Some(Refresh::Everything),
            };
        };
        let parts: Option<Vec<&OsStr>> = relative
            .components()
            .map(|c| match c {
                Component::Normal(name) => Some(name),
                _ => None,
            })
            .collect();
        let Some(parts) = parts else {
            return Some(Refresh::Everything);
        };
        let under = |folder: &str, names: &[&OsStr]| {
            names
                .iter()
                .fold(self.root.join(folder), |path, name| path.join(name))
        };
        let top = parts.first().and_then(|n| n.to_str());
        Some(match (top, &parts[..]) {
            (_, []) => Refresh::Everything,
            (Some("site.yaml"), [_]) => Refresh::Config,
            (Some("policies"), [_]) => Refresh::AllPolicies,
            (Some("policies"), [_, entry]) => Refresh::PolicyEntry(under("policies", &[entry])),
            (Some("policies"), [_, entry, file, ..]) => Refresh::VersionFile(
                under("policies", &[entry]),
                under("policies", &[entry, file]),
            ),
            (Some("pages"), [_]) => Refresh::AllPages,
            (Some("pages"), [_, page, ..]) => Refresh::Page(under("pages", &[page])),
            (Some("static"), _) => Refresh::Static,
            _ => return None,
        })
    }

    /// Moves the parts out of a ready `Content`, so that changes can be made to them.
    fn take_back_parts(&mut self) {
        let previous = std::mem::replace(&mut self.outcome, Outcome::Failed(Diagnostics::new()));
        if let Outcome::Ready(content) = previous {
            self.config = Some(content.config);
            self.policies = content.policies;
            self.static_files = content.static_files;
        }
    }

    fn read_everything(&mut self) {
        self.canonical_root = self.root.canonicalize().ok();
        self.read_config();
        self.read_all_policies();
        self.read_all_pages();
        self.static_files = list_static(&self.root);
    }

    fn read_config(&mut self) {
        (self.config, self.config_problems) = load_config(&self.root);
    }

    fn read_all_policies(&mut self) {
        self.policy_entries.clear();
        self.policies.clear();
        let texts = self.texts;
        // Listing a folder costs a directory read and a `stat` per file: a large site has
        // thousands of folders, so they are listed and read in parallel and filed in order.
        let listed: Vec<(PathBuf, PolicyEntry, Vec<Version>)> =
            sorted_entries(&self.root.join("policies"))
                .into_par_iter()
                .filter(|path| !is_ignored(path))
                .map(|path| {
                    let (entry, versions) = read_policy_entry(&path, texts);
                    (path, entry, versions)
                })
                .collect();
        for (path, entry, versions) in listed {
            self.file_policy_entry(path, entry, versions);
        }
    }

    /// Records a read entry of `policies/` and the versions that loaded from it; a folder
    /// names a policy even without any version file in it that loaded.
    fn file_policy_entry(&mut self, path: PathBuf, entry: PolicyEntry, versions: Vec<Version>) {
        if let PolicyEntry::Folder(folder) = &entry {
            let policy = self.policy_mut(&folder.slug);
            if policy.versions.is_empty() {
                // Keeps the folder's exactly sized list: its spare room would last the build.
                policy.versions = versions;
            } else {
                policy.versions.extend(versions);
            }
            sort_versions(&mut policy.versions);
        }
        self.policy_entries.insert(path, entry);
    }

    /// The policy called `slug`, added (with no versions yet) if it is new.
    fn policy_mut(&mut self, slug: &str) -> &mut Policy {
        let index = match self
            .policies
            .binary_search_by(|p| p.slug.as_str().cmp(slug))
        {
            Ok(index) => index,
            Err(index) => {
                self.policies.insert(
                    index,
                    Policy {
                        slug: slug.to_string(),
                        versions: Vec::new(),
                    },
                );
                index
            }
        };
        &mut self.policies[index]
    }

    fn refresh_policy_entry(&mut self, path: &Path) {
        if let Some(PolicyEntry::Folder(folder)) = self.policy_entries.remove(path) {
            if let Some(policy) = self.policies.iter_mut().find(|p| p.slug == folder.slug) {
                policy
                    .versions
                    .retain(|v| v.source.path.parent() != Some(path));
            }
            let still_named = self
                .policy_entries
                .values()
                .any(|e| matches!(e, PolicyEntry::Folder(f) if f.slug == folder.slug));
            if !still_named {
                self.policies.retain(|p| p.slug != folder.slug);
            }
        }
        // `symlink_metadata`, not `exists`: a broken link is still listed by a full load.
        if is_ignored(path) || std::fs::symlink_metadata(path).is_err() {
            return;
        }
        let (entry, versions) = read_policy_entry(path, self.texts);
        self.file_policy_entry(path.to_path_buf(), entry, versions);
    }

    fn refresh_version_file(&mut self, folder: &Path, file: &Path) {
        let slug = match self.policy_entries.get(folder) {
            Some(PolicyEntry::Folder(known)) if folder.is_dir() => known.slug.clone(),
            // The folder itself appeared, went or changed kind: list it afresh.
            _ => return self.refresh_policy_entry(folder),
        };
        self.policy_mut(&slug)
            .versions
            .retain(|v| v.source.path != file);
        let state = if is_ignored(file) || std::fs::symlink_metadata(file).is_err() {
            None
        } else {
            Some(match classify_version_file(file) {
                Classified::Rejected(problem) => FileState::Rejected(Box::new(problem)),
                Classified::Candidate(date) => {
                    match load_version(file.to_path_buf(), date, self.texts) {
                        Ok(version) => {
                            let policy = self.policy_mut(&slug);
                            policy.versions.push(version);
                            sort_versions(&mut policy.versions);
                            FileState::Loaded
                        }
                        Err(problems) => FileState::Failed(problems),
                    }
                }
            })
        };
        if let Some(PolicyEntry::Folder(known)) = self.policy_entries.get_mut(folder) {
            match state {
                Some(state) => known.files.insert(name_of(file), state),
                None => known.files.remove(&name_of(file)),
            };
        }
    }

    fn read_all_pages(&mut self) {
        self.pages.clear();
        for path in sorted_entries(&self.root.join("pages")) {
            if !is_ignored(&path) {
                self.pages.insert(path.clone(), load_page(path));
            }
        }
    }

    fn refresh_page(&mut self, path: &Path) {
        self.pages.remove(path);
        if !is_ignored(path) && std::fs::symlink_metadata(path).is_ok() {
            self.pages
                .insert(path.to_path_buf(), load_page(path.to_path_buf()));
        }
    }

    /// Gathers every problem, in the order a full load meets them, and hands the parts to a
    /// `Content` when there are none.
    fn finish(&mut self) {
        let mut problems = self.config_problems.clone();
        let folders = || {
            self.policy_entries
                .iter()
                .filter_map(|(path, entry)| match entry {
                    PolicyEntry::Folder(folder) => Some((path, folder)),
                    PolicyEntry::Stray => None,
                })
        };
        for (path, entry) in &self.policy_entries {
            match entry {
                PolicyEntry::Stray => problems.push(stray_policy_file(path)),
                PolicyEntry::Folder(folder) => {
                    let mut found_any = false;
                    for state in folder.files.values() {
                        match state {
                            FileState::Rejected(problem) => problems.push((**problem).clone()),
                            FileState::Loaded | FileState::Failed(_) => found_any = true,
                        }
                    }
                    if !found_any {
                        problems.push(empty_policy(path, &folder.slug));
                    }
                }
            }
        }
        for (_, folder) in folders() {
            for state in folder.files.values() {
                if let FileState::Failed(errors) = state {
                    problems.extend(errors.clone());
                }
            }
        }
        for policy in &self.policies {
            check_policy(policy, &mut problems);
        }
        let mut pages = Vec::new();
        for result in self.pages.values() {
            match result {
                Ok(page) => pages.push(page.clone()),
                Err(errors) => problems.extend(errors.clone()),
            }
        }
        check_slugs(&self.policies, &pages, &mut problems);

        self.outcome = match self.config.take() {
            Some(config) if !problems.has_errors() => Outcome::Ready(Box::new(Content {
                root: self.root.clone(),
                config,
                config_path: self.root.join("site.yaml"),
                policies: std::mem::take(&mut self.policies),
                pages,
                static_files: std::mem::take(&mut self.static_files),
            })),
            config => {
                self.config = config;
                Outcome::Failed(problems)
            }
        };
    }
}

/// The file name that keys a file in its folder.
fn name_of(file: &Path) -> OsString {
    file.file_name()
        .map(OsStr::to_os_string)
        .unwrap_or_default()
}

/// Lists one entry of `policies/` and reads its version files (in parallel: one policy may
/// have many), giving the versions that loaded sorted as the policy keeps them.
fn read_policy_entry(path: &Path, texts: Texts) -> (PolicyEntry, Vec<Version>) {
    if !path.is_dir() {
        return (PolicyEntry::Stray, Vec::new());
    }
    let files: Vec<PathBuf> = sorted_entries(path)
        .into_iter()
        .filter(|file| !is_ignored(file))
        .collect();
    let read: Vec<(OsString, FileState, Option<Version>)> = files
        .into_par_iter()
        .map(|file| {
            let name = name_of(&file);
            match classify_version_file(&file) {
                Classified::Rejected(problem) => {
                    (name, FileState::Rejected(Box::new(problem)), None)
                }
                Classified::Candidate(date) => match load_version(file, date, texts) {
                    Ok(version) => (name, FileState::Loaded, Some(version)),
                    Err(problems) => (name, FileState::Failed(problems), None),
                },
            }
        })
        .collect();
    let mut versions = Vec::with_capacity(read.iter().filter(|(_, _, v)| v.is_some()).count());
    let mut files = BTreeMap::new();
    for (name, state, version) in read {
        files.insert(name, state);
        versions.extend(version);
    }
    sort_versions(&mut versions);
    let slug = file_name(path);
    (PolicyEntry::Folder(Folder { slug, files }), versions)
}
