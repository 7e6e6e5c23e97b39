//! Where a build's files go: a folder on disk, swapped in whole, or memory (for `serve` and tests).
//!
//! A failed build must never leave a half-written site, and privacy-site must never write into
//! or delete a folder it did not create. So a disk build writes into a staging folder beside the
//! target, marks it as ours, and only renames it into place once everything is written.

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The file that marks an output folder as privacy-site's to replace.
pub const MARKER: &str = ".privacy-site-output";
const MARKER_TEXT: &[u8] =
    b"This folder is written by privacy-site and replaced whole on every build.\n";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    Written,
    /// The bytes were already there; the file (and its modification time) was kept.
    Unchanged,
}

/// Writes a file's bytes piece by piece (see `Output::write_with`).
pub type Fill<'f> = dyn FnMut(&mut dyn Write) -> std::io::Result<()> + 'f;

/// Somewhere a build writes its files, by path relative to the site root (`a/index.html`).
pub trait Output: Send + Sync {
    fn write(&self, relative: &str, bytes: Vec<u8>) -> std::io::Result<WriteOutcome>;

    /// Writes a file made piece by piece, for the site-wide files whose whole bytes run to tens
    /// of megabytes on a large site: a disk output never holds them whole. Memory holds them.
    /// `size_hint`: about how many bytes `fill` writes, when the caller knows (0 if not), so
    /// memory is reserved once rather than grown by doubling through megabytes.
    fn write_with(
        &self,
        relative: &str,
        size_hint: usize,
        fill: &mut Fill,
    ) -> std::io::Result<WriteOutcome> {
        let mut bytes = Vec::with_capacity(size_hint);
        fill(&mut bytes)?;
        self.write(relative, bytes)
    }

    /// Writes bytes someone else also holds (`serve`'s cache); memory keeps the same allocation.
    fn write_shared(&self, relative: &str, bytes: &Arc<Vec<u8>>) -> std::io::Result<WriteOutcome> {
        self.write(relative, bytes.to_vec())
    }

    /// Writes files that belong together (a policy's pages, all under one folder); memory
    /// keeps the group as it is.
    fn write_group(&self, files: &Arc<Vec<OutputFile>>) -> std::io::Result<Vec<WriteOutcome>> {
        files
            .iter()
            .map(|(relative, bytes)| {
                self.write_shared(relative, bytes)
                    .map_err(|e| std::io::Error::new(e.kind(), format!("{relative}: {e}")))
            })
            .collect()
    }
}

/// Rejects relative paths that could escape the output folder.
pub fn safe_relative(relative: &str) -> std::io::Result<PathBuf> {
    let path = Path::new(relative);
    let ok = !relative.is_empty()
        && !relative.contains('\0')
        && !relative.contains('\\')
        && path.components().all(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(path.to_path_buf())
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("refusing to write outside the output folder: {relative:?}"),
        ))
    }
}

/// A file of a site: its path relative to the output folder and its bytes.
pub type OutputFile = (String, Arc<Vec<u8>>);

/// A whole site held in memory.
#[derive(Debug, Default, Clone)]
pub struct MemoryOutput {
    files: Arc<Mutex<SiteFiles>>,
    /// The previous build's files (`serve`): a group it holds was checked when written.
    previous: Arc<SiteFiles>,
}

/// The files of a site in memory: single files, and groups written together (a policy's
/// pages) that are kept as they are, so that `serve` reusing a group costs one pointer, not
/// one map entry per file.
#[derive(Debug, Default, Clone)]
pub struct SiteFiles {
    files: BTreeMap<String, Arc<Vec<u8>>>,
    /// Groups by the first segment all their paths share.
    groups: HashMap<String, Arc<Vec<OutputFile>>>,
}

impl SiteFiles {
    pub fn get(&self, relative: &str) -> Option<&Arc<Vec<u8>>> {
        if let Some(bytes) = self.files.get(relative) {
            return Some(bytes);
        }
        let group = self.groups.get(first_segment(relative)?)?;
        group
            .iter()
            .find(|(path, _)| path == relative)
            .map(|(_, bytes)| bytes)
    }

    pub fn contains_key(&self, relative: &str) -> bool {
        self.get(relative).is_some()
    }

    /// Every file, by path.
    pub fn into_map(self) -> BTreeMap<String, Arc<Vec<u8>>> {
        let mut all = self.files;
        for group in self.groups.into_values() {
            all.extend(group.iter().cloned());
        }
        all
    }

    fn insert(&mut self, relative: &str, bytes: &Arc<Vec<u8>>) -> WriteOutcome {
        let outcome = match self.get(relative) {
            Some(existing) if existing == bytes => WriteOutcome::Unchanged,
            _ => WriteOutcome::Written,
        };
        self.files.insert(relative.to_string(), Arc::clone(bytes));
        outcome
    }
}

/// Segments that are neither empty, `.` nor `..`, with no byte a prefix or separator could use:
/// a path `safe_relative` accepts, checked without allocating.
fn plainly_relative(relative: &str) -> bool {
    !relative.is_empty()
        && relative.as_bytes().split(|&b| b == b'/').all(|segment| {
            !matches!(segment, b"" | b"." | b"..")
                && !segment.iter().any(|&b| matches!(b, b'\0' | b'\\' | b':'))
        })
}

/// `a` for `a/b/index.html`; `None` for a file at the top.
fn first_segment(relative: &str) -> Option<&str> {
    relative.split_once('/').map(|(first, _)| first)
}

impl From<BTreeMap<String, Arc<Vec<u8>>>> for SiteFiles {
    fn from(files: BTreeMap<String, Arc<Vec<u8>>>) -> Self {
        SiteFiles {
            files,
            groups: HashMap::new(),
        }
    }
}

impl MemoryOutput {
    pub fn new() -> Self {
        Self::default()
    }

    /// An output for the build after `previous`, whose unchanged groups need no checking.
    pub fn after(previous: SiteFiles) -> Self {
        MemoryOutput {
            previous: Arc::new(previous),
            ..Self::default()
        }
    }

    pub fn get(&self, relative: &str) -> Option<Arc<Vec<u8>>> {
        self.files
            .lock()
            .expect("output lock")
            .get(relative)
            .cloned()
    }

    pub fn paths(&self) -> Vec<String> {
        let files = self.files.lock().expect("output lock").clone();
        files.into_map().into_keys().collect()
    }

    pub fn into_files(self) -> BTreeMap<String, Arc<Vec<u8>>> {
        self.take_files().into_map()
    }

    /// Everything written so far, leaving this output empty.
    pub fn take_files(&self) -> SiteFiles {
        std::mem::take(&mut *self.files.lock().expect("output lock"))
    }
}

impl Output for MemoryOutput {
    fn write(&self, relative: &str, bytes: Vec<u8>) -> std::io::Result<WriteOutcome> {
        self.write_shared(relative, &Arc::new(bytes))
    }

    fn write_shared(&self, relative: &str, bytes: &Arc<Vec<u8>>) -> std::io::Result<WriteOutcome> {
        safe_relative(relative)?;
        Ok(self
            .files
            .lock()
            .expect("output lock")
            .insert(relative, bytes))
    }

    fn write_group(&self, group: &Arc<Vec<OutputFile>>) -> std::io::Result<Vec<WriteOutcome>> {
        let shared = group.first().and_then(|(path, _)| first_segment(path));
        // `serve` hands over every policy's group on every save (22,000 paths at 10,000
        // versions, each a cache miss): those of the last build are not looked at again.
        let known = shared
            .and_then(|first| self.previous.groups.get(first))
            .is_some_and(|previous| Arc::ptr_eq(previous, group));
        for (relative, _) in group.iter().filter(|_| !known) {
            if !plainly_relative(relative) {
                safe_relative(relative)?;
            }
        }
        let mut files = self.files.lock().expect("output lock");
        match shared {
            Some(first)
                if !files.groups.contains_key(first)
                    && (known
                        || group.iter().all(|(path, _)| {
                            path.as_bytes().get(first.len()) == Some(&b'/')
                                && path.starts_with(first)
                        }))
                    && !files
                        .files
                        .keys()
                        .any(|path| first_segment(path) == Some(first)) =>
            {
                files.groups.insert(first.to_string(), Arc::clone(group));
                Ok(vec![WriteOutcome::Written; group.len()])
            }
            _ => Ok(group
                .iter()
                .map(|(relative, bytes)| files.insert(relative, bytes))
                .collect()),
        }
    }
}

/// Why an output folder was refused. These are usage errors: the user named the wrong folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A build on its way to disk. Dropped without `commit`, it removes its staging folder and
/// leaves the previous site exactly as it was.
#[derive(Debug)]
pub struct DiskOutput {
    target: PathBuf,
    staging: PathBuf,
    /// The site being replaced, whose unchanged files are hard-linked rather than rewritten.
    previous: Option<PathBuf>,
    written: AtomicUsize,
    unchanged: AtomicUsize,
    committed: bool,
}

impl DiskOutput {
    /// Checks that `target` is ours to replace and opens a staging folder beside it.
    pub fn prepare(target: &Path, content_root: &Path) -> Result<DiskOutput, Refusal> {
        let absolute = absolute(target)
            .map_err(|e| Refusal(format!("cannot use {}: {e}", target.display())))?;
        let content = absolute_or_same(content_root);
        let refuse = |why: &str| {
            Err(Refusal(format!(
                "refusing to use {} as the output folder: {why}",
                target.display()
            )))
        };
        if absolute.parent().is_none() {
            return refuse("it is the root of the file system");
        }
        if std::env::var_os("HOME")
            .is_some_and(|home| absolute_or_same(Path::new(&home)) == absolute)
        {
            return refuse("it is your home folder");
        }
        if content.starts_with(&absolute) {
            return refuse("it contains the content folder");
        }
        if absolute.starts_with(&content) {
            return refuse("it is inside the content folder");
        }
        let previous = if absolute.is_dir() {
            let empty = std::fs::read_dir(&absolute)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
            if !empty && !absolute.join(MARKER).is_file() {
                return refuse(&format!(
                    "it holds files privacy-site did not write (no {MARKER} marker). Choose an empty or new folder"
                ));
            }
            Some(absolute.clone())
        } else if absolute.exists() {
            return refuse("it is a file, not a folder");
        } else {
            None
        };
        let parent = absolute.parent().expect("checked above");
        std::fs::create_dir_all(parent)
            .map_err(|e| Refusal(format!("cannot create {}: {e}", parent.display())))?;
        let name = absolute
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "site".into());
        let staging = unique_sibling(parent, &name, "tmp");
        std::fs::create_dir(&staging)
            .map_err(|e| Refusal(format!("cannot create {}: {e}", staging.display())))?;
        // The marker is kept like any unchanged file, so a rebuild changes no modification time.
        let marker = staging.join(MARKER);
        let kept = previous.as_ref().is_some_and(|p| {
            std::fs::read(p.join(MARKER)).is_ok_and(|b| b == MARKER_TEXT)
                && std::fs::hard_link(p.join(MARKER), &marker).is_ok()
        });
        if !kept {
            std::fs::write(&marker, MARKER_TEXT)
                .map_err(|e| Refusal(format!("cannot write in {}: {e}", staging.display())))?;
        }
        Ok(DiskOutput {
            target: absolute,
            staging,
            previous,
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
            committed: false,
        })
    }

    /// Moves the finished site into place.
    pub fn commit(mut self) -> std::io::Result<()> {
        if self.target.exists() {
            let parent = self.target.parent().expect("has parent");
            let name = self
                .target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let old = unique_sibling(parent, &name, "old");
            std::fs::rename(&self.target, &old)?;
            if let Err(error) = std::fs::rename(&self.staging, &self.target) {
                std::fs::rename(&old, &self.target)?;
                return Err(error);
            }
            std::fs::remove_dir_all(&old)?;
        } else {
            std::fs::rename(&self.staging, &self.target)?;
        }
        self.committed = true;
        Ok(())
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// How many files were written anew and how many kept as they were.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.written.load(Ordering::Relaxed),
            self.unchanged.load(Ordering::Relaxed),
        )
    }
}

impl DiskOutput {
    /// Where `relative` goes in the staging folder.
    fn destination(&self, relative: &str) -> std::io::Result<(PathBuf, PathBuf)> {
        let relative_path = safe_relative(relative)?;
        // Sized once: `join` copies the staging path and then grows it for every file written.
        let mut destination =
            PathBuf::with_capacity(self.staging.as_os_str().len() + 1 + relative.len());
        destination.push(&self.staging);
        destination.push(&relative_path);
        Ok((relative_path, destination))
    }

    fn counted(&self, outcome: WriteOutcome) -> WriteOutcome {
        let counter = match outcome {
            WriteOutcome::Written => &self.written,
            WriteOutcome::Unchanged => &self.unchanged,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        outcome
    }

    fn write_bytes(&self, relative: &str, bytes: &[u8]) -> std::io::Result<WriteOutcome> {
        let (relative_path, destination) = self.destination(relative)?;
        if let Some(previous) = &self.previous {
            let old = previous.join(&relative_path);
            let same = std::fs::metadata(&old)
                .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
                && std::fs::read(&old).is_ok_and(|existing| existing == *bytes);
            if same && in_folder(&destination, |d| std::fs::hard_link(&old, d)).is_ok() {
                return Ok(self.counted(WriteOutcome::Unchanged));
            }
        }
        in_folder(&destination, |d| std::fs::write(d, bytes))?;
        Ok(self.counted(WriteOutcome::Written))
    }
}

impl Output for DiskOutput {
    fn write(&self, relative: &str, bytes: Vec<u8>) -> std::io::Result<WriteOutcome> {
        self.write_bytes(relative, &bytes)
    }

    /// Written from the shared bytes as they are: copying every page first cost a copy of
    /// the whole site.
    fn write_shared(&self, relative: &str, bytes: &Arc<Vec<u8>>) -> std::io::Result<WriteOutcome> {
        self.write_bytes(relative, bytes)
    }

    /// Makes the group's folders first, each once and parents first, then writes its files:
    /// trying each file first and making its folder when that failed cost a failed open and a
    /// walk up the path for every folder of the site.
    fn write_group(&self, files: &Arc<Vec<OutputFile>>) -> std::io::Result<Vec<WriteOutcome>> {
        let folders: std::collections::BTreeSet<&str> = files
            .iter()
            .filter_map(|(relative, _)| relative.rsplit_once('/').map(|(folder, _)| folder))
            .collect();
        for folder in folders {
            let (_, path) = self.destination(folder)?;
            match std::fs::create_dir(&path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    std::fs::create_dir_all(&path)
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
                done => done,
            }
            .map_err(|e| std::io::Error::new(e.kind(), format!("{folder}: {e}")))?;
        }
        files
            .iter()
            .map(|(relative, bytes)| {
                self.write_bytes(relative, bytes)
                    .map_err(|e| std::io::Error::new(e.kind(), format!("{relative}: {e}")))
            })
            .collect()
    }

    fn write_with(
        &self,
        relative: &str,
        _size_hint: usize,
        fill: &mut Fill,
    ) -> std::io::Result<WriteOutcome> {
        let (relative_path, destination) = self.destination(relative)?;
        let mut file =
            std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(&destination)?);
        fill(&mut file)?;
        file.into_inner().map_err(|e| e.into_error())?;
        // Written first and compared after, so the bytes are never held whole; an unchanged
        // file is then swapped for a link to the old one, keeping its modification time.
        if let Some(previous) = &self.previous {
            let old = previous.join(&relative_path);
            let mut link = destination.clone().into_os_string();
            link.push(".link");
            let link = PathBuf::from(link);
            if same_bytes(&old, &destination).unwrap_or(false)
                && std::fs::hard_link(&old, &link).is_ok()
            {
                std::fs::rename(&link, &destination)?;
                return Ok(self.counted(WriteOutcome::Unchanged));
            }
        }
        Ok(self.counted(WriteOutcome::Written))
    }
}

/// Runs `make` on `destination`, making its folder first when it is missing. Most pages sit in
/// a folder of their own: asking the file system whether the folder exists before every file
/// costs more than trying, and remembering every folder made cost 20 MB at 100,000 versions.
fn in_folder<T>(
    destination: &Path,
    make: impl Fn(&Path) -> std::io::Result<T>,
) -> std::io::Result<T> {
    match make(destination) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(parent) = destination.parent() {
                std::fs::create_dir_all(parent)?;
            }
            make(destination)
        }
        done => done,
    }
}

/// Whether two files hold the same bytes, read a piece at a time.
fn same_bytes(a: &Path, b: &Path) -> std::io::Result<bool> {
    let (a_meta, b_meta) = (std::fs::metadata(a)?, std::fs::metadata(b)?);
    if !a_meta.is_file() || a_meta.len() != b_meta.len() {
        return Ok(false);
    }
    let (mut a, mut b) = (std::fs::File::open(a)?, std::fs::File::open(b)?);
    let (mut a_buffer, mut b_buffer) = (vec![0; 1 << 16], vec![0; 1 << 16]);
    loop {
        let read = a.read(&mut a_buffer)?;
        if read == 0 {
            return Ok(true);
        }
        b.read_exact(&mut b_buffer[..read])?;
        if a_buffer[..read] != b_buffer[..read] {
            return Ok(false);
        }
    }
}

impl Drop for DiskOutput {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

fn unique_sibling(parent: &Path, name: &str, purpose: &str) -> PathBuf {
    let pid = std::process::id();
    (0..)
        .map(|n| parent.join(format!(".{name}.{purpose}-{pid}-{n}")))
        .find(|p| !p.exists())
        .expect("an unused name exists")
}

fn absolute(path: &Path) -> std::io::Result<PathBuf> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    // Resolve symlinks in the part that exists, and `..` lexically in the rest.
    let mut existing = joined.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut resolved = existing.canonicalize().unwrap_or(existing);
    for part in rest.into_iter().rev() {
        if part == ".." {
            resolved.pop();
        } else if part != "." {
            resolved.push(part);
        }
    }
    Ok(resolved)
}

fn absolute_or_same(path: &Path) -> PathBuf {
    absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests;
