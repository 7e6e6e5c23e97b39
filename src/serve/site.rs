//! The site being served: one complete build, replaced whole.

use std::sync::{Arc, RwLock};

use crate::diagnostics::Diagnostic;
use crate::output::SiteFiles;

/// One finished build as the server sees it. Immutable once made; a rebuild makes a new one.
#[derive(Debug, Default)]
pub struct ServedSite {
    /// Output paths relative to the site root (`privacy-notice/index.html`) to their bytes.
    pub files: SiteFiles,
    /// `base_url`'s path: where the site lives on the server, e.g. `/privacy/`.
    pub prefix: String,
    /// The errors of the latest build when it failed; the files are then the last good build.
    pub errors: Option<Arc<Vec<Diagnostic>>>,
    /// Counts builds, failed ones included, so that a browser knows when to reload.
    pub generation: u64,
}

impl ServedSite {
    pub fn new(
        files: SiteFiles,
        prefix: String,
        errors: Option<Arc<Vec<Diagnostic>>>,
        generation: u64,
    ) -> Self {
        ServedSite {
            files,
            prefix,
            errors,
            generation,
        }
    }

    /// The same files, marked with the errors of a failed rebuild.
    pub fn with_errors(&self, errors: Vec<Diagnostic>, generation: u64) -> Self {
        ServedSite {
            files: self.files.clone(),
            prefix: self.prefix.clone(),
            errors: Some(Arc::new(errors)),
            generation,
        }
    }
}

/// Shared access to the current site. Readers clone the `Arc` and keep a consistent build for
/// as long as they need it; the writer swaps in a new one in one step.
#[derive(Debug, Clone)]
pub struct SiteHandle {
    current: Arc<RwLock<Arc<ServedSite>>>,
}

impl Default for SiteHandle {
    fn default() -> Self {
        SiteHandle {
            current: Arc::new(RwLock::new(Arc::new(ServedSite {
                prefix: "/".into(),
                ..ServedSite::default()
            }))),
        }
    }
}

impl SiteHandle {
    pub fn current(&self) -> Arc<ServedSite> {
        // A poisoned lock still holds a complete site: the swap is a single assignment.
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn replace(&self, site: ServedSite) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(site);
    }
}
