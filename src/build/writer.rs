//! Rendering templates and handing files to the output, counting both.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::BuildError;
use crate::output::{Fill, Output, OutputFile, WriteOutcome};
use crate::pages::{PolicyContext, PolicyPage};
use crate::render_cache::{Key, RenderCache};
use crate::site::Urls;
use crate::theme::Theme;

/// Renders templates and writes files, counting both.
pub(super) struct Writer<'a> {
    pub output: &'a dyn Output,
    pub tera: &'a tera::Tera,
    pub theme: &'a Theme,
    pub urls: &'a Urls,
    /// With the key of everything all pages share (templates, `site`), when rebuilding for `serve`.
    pub cache: Option<(&'a RenderCache, Key)>,
    pub written: AtomicUsize,
    pub unchanged: AtomicUsize,
    pub pages: AtomicUsize,
    /// A guess at the next page's size: the largest of recent pages, decaying so that one
    /// large page does not size every later one.
    size_guess: AtomicUsize,
}

impl<'a> Writer<'a> {
    pub fn new(
        output: &'a dyn Output,
        tera: &'a tera::Tera,
        theme: &'a Theme,
        urls: &'a Urls,
        cache: Option<(&'a RenderCache, Key)>,
    ) -> Self {
        Writer {
            output,
            tera,
            theme,
            urls,
            cache,
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
            pages: AtomicUsize::new(0),
            size_guess: AtomicUsize::new(0),
        }
    }

    pub fn render_cache(&self) -> Option<&'a RenderCache> {
        self.cache.map(|(cache, _)| cache)
    }

    /// Renders a page of one policy (`page` adds to what `policy` holds), through the page
    /// cache when rebuilding for `serve`.
    pub fn render_policy_page(
        &self,
        policy: &PolicyContext,
        template: &str,
        page: &impl PolicyPage,
    ) -> Result<Arc<Vec<u8>>, BuildError> {
        self.render_on(Some(policy), template, page, |full| page.add_to(full), None)
    }

    /// `add` puts into the template's context what `context` holds. `key`, when given, stands
    /// for everything in `context` (for `serve`'s page cache): a context of a thousand entries
    /// costs more to hash as JSON than keys made as it was.
    fn render_on(
        &self,
        base: Option<&PolicyContext>,
        template: &str,
        context: &impl serde::Serialize,
        add: impl FnOnce(&mut tera::Context) -> Result<(), tera::Error>,
        key: Option<Key>,
    ) -> Result<Arc<Vec<u8>>, BuildError> {
        let render = || -> Result<Vec<u8>, BuildError> {
            let mut full = base.map_or_else(tera::Context::new, |base| base.context.clone());
            add(&mut full).map_err(|e| self.theme.template_error(&e))?;
            // Sized from recent pages: growing a page of tens of kilobytes from Tera's
            // template-sized start copied it several times, and sizing it from the last page
            // alone still grew one page in thirteen, pages of two policies being rendered at once.
            let guess = self.size_guess.load(Ordering::Relaxed);
            let mut html = Vec::with_capacity(guess + guess / 8 + 1024);
            self.tera
                .render_to(template, &full, &mut html)
                .map_err(|e| self.theme.template_error(&e))?;
            self.size_guess
                .store(html.len().max(guess - guess / 64), Ordering::Relaxed);
            Ok(html)
        };
        let html = match self.cache {
            Some((cache, shared)) => {
                let mut hasher = cache.hasher();
                hasher.part(&shared.bytes()).part(template.as_bytes());
                match key {
                    Some(key) => hasher.part(b"keyed").part(&key.bytes()),
                    None => hasher
                        .part(base.map_or(&[][..], |base| &base.json))
                        .json(context),
                };
                cache.page(hasher.finish(), render)?
            }
            None => Arc::new(render()?),
        };
        self.pages.fetch_add(1, Ordering::Relaxed);
        Ok(html)
    }

    /// Renders a page and writes it where `site_path` is served from.
    pub fn page(
        &self,
        template: &str,
        site_path: &str,
        context: &impl serde::Serialize,
    ) -> Result<(), BuildError> {
        self.page_keyed(template, site_path, context, None)
    }

    /// [`Writer::page`] with a key standing for `context` (see `render_on`).
    pub fn page_keyed(
        &self,
        template: &str,
        site_path: &str,
        context: &impl serde::Serialize,
        key: Option<Key>,
    ) -> Result<(), BuildError> {
        let add = |full: &mut tera::Context| add_fields(full, context);
        let html = self.render_on(None, template, context, add, key)?;
        let relative = self.urls.output_path(site_path);
        self.count(&relative, self.output.write_shared(&relative, &html))
    }

    pub fn file(&self, relative: &str, bytes: Vec<u8>) -> Result<(), BuildError> {
        self.count(relative, self.output.write(relative, bytes))
    }

    /// Writes a file made piece by piece (see `Output::write_with`).
    pub fn file_with(
        &self,
        relative: &str,
        size_hint: usize,
        fill: &mut Fill,
    ) -> Result<(), BuildError> {
        self.count(relative, self.output.write_with(relative, size_hint, fill))
    }

    /// Writes a policy's files at once.
    pub fn group(&self, files: &Arc<Vec<OutputFile>>) -> Result<(), BuildError> {
        match self.output.write_group(files) {
            Ok(outcomes) => {
                for outcome in outcomes {
                    self.tally(outcome);
                }
                Ok(())
            }
            Err(e) => Err(BuildError::Io(format!("cannot write: {e}"))),
        }
    }

    fn count(
        &self,
        relative: &str,
        outcome: std::io::Result<WriteOutcome>,
    ) -> Result<(), BuildError> {
        let outcome =
            outcome.map_err(|e| BuildError::Io(format!("cannot write {relative}: {e}")))?;
        self.tally(outcome);
        Ok(())
    }

    fn tally(&self, outcome: WriteOutcome) {
        let counter = match outcome {
            WriteOutcome::Written => &self.written,
            WriteOutcome::Unchanged => &self.unchanged,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// Adds each field of `fields` (a struct or map) to `context`, as `Context::from_serialize`
/// and `Context::extend` would, but keeping field names as the `&'static str` they are rather
/// than an allocated copy per field per page.
fn add_fields(
    context: &mut tera::Context,
    fields: &impl serde::Serialize,
) -> Result<(), tera::Error> {
    let value = tera::Value::try_from_serializable(fields)?;
    let name = value.name();
    let Some(map) = value.into_map() else {
        return Err(tera::Error::message(format!(
            "from_serialize requires a struct or map, got {name}"
        )));
    };
    for (key, value) in map {
        match key {
            tera::value::Key::Str(name) => context.insert_value(name, value),
            other => context.insert_value(other.to_string(), value),
        }
    }
    Ok(())
}
