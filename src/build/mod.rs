//! One build: load → render each policy (Markdown, diffs, templates) → check links → write.
//!
//! Pages go to the output as they are rendered and links are checked once every document is
//! known; the output only becomes the site when the whole build succeeds (see `output`), so a
//! failed build still leaves nothing half-written.

mod documents;
mod policy;
mod serve_files;
mod site_files;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::content::{self, Content};
use crate::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::feeds;
use crate::markdown::Sanitizer;
use crate::output::Output;
use crate::pages::{
    IndexPage, InfoPage, NavItem, PageMeta, PolicyView, SiteContext, StandalonePage,
};
use crate::render_cache::{Key, RenderCache};
use crate::site::{Drafts, SitePlan};
use crate::theme::Theme;
use crate::timings::{TimedOutput, Timings};

pub use documents::{
    PageDocuments, RenderedDocument, VersionDocuments, render_documents, validate,
};
pub use policy::PolicyOutput;
pub use site_files::{content_security_policy, security_header_pairs};
use writer::Writer;

/// What a build needs to know beyond the content folder.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub content_dir: PathBuf,
    /// The day the build treats as today: decides which version is current.
    pub today: NaiveDate,
    pub drafts: Drafts,
    /// Set by `serve`: the URL of the live-reload script to add to every page.
    pub live_reload_url: Option<String>,
    /// Whether a broken internal link fails the build (the default) or is only reported.
    pub broken_links: Severity,
}

/// Counts of the work a build did, for `serve`'s log and the regression guard.
#[derive(Debug, Default, Clone)]
pub struct BuildReport {
    pub pages_rendered: usize,
    pub files_written: usize,
    pub files_unchanged: usize,
    pub warnings: Diagnostics,
}

#[derive(Debug)]
pub enum BuildError {
    /// Problems in the content or theme, each with a location.
    Content(Diagnostics),
    /// The output could not be written.
    Io(String),
}

impl From<Diagnostics> for BuildError {
    fn from(d: Diagnostics) -> Self {
        BuildError::Content(d)
    }
}

impl From<Diagnostic> for BuildError {
    fn from(d: Diagnostic) -> Self {
        BuildError::Content(d.into())
    }
}

/// The folder where a site's own themes live: `themes/` beside the content folder.
pub fn themes_root(content_dir: &Path) -> PathBuf {
    content_dir
        .parent()
        .map_or_else(|| PathBuf::from("themes"), |p| p.join("themes"))
}

/// Loads the content and theme: the part of a build that can fail on the user's input.
pub fn load(content_dir: &Path) -> Result<(Content, Theme), BuildError> {
    let loaded = content::load(content_dir);
    // Fails with the problems of both when the content did not load.
    let theme = load_theme(content_dir, loaded.as_ref())?;
    Ok((loaded?, theme))
}

/// Loads the theme `site.yaml` names. When the content did not load, the theme is still
/// loaded (its name read from the raw text) so that one run reports the problems of both.
pub fn load_theme(
    content_dir: &Path,
    content: Result<&Content, &Diagnostics>,
) -> Result<Theme, BuildError> {
    let config_text = std::fs::read_to_string(content_dir.join("site.yaml")).unwrap_or_default();
    let theme_name = match content {
        Ok(c) => c.config.theme.clone(),
        Err(_) => config_text
            .lines()
            .find_map(|l| l.strip_prefix("theme:"))
            .map_or("default".into(), |t| t.trim().trim_matches('"').to_string()),
    };
    let theme = Theme::load(
        &theme_name,
        &themes_root(content_dir),
        &content_dir.join("site.yaml"),
        &config_text,
    );
    match (content, theme) {
        (Ok(_), Ok(theme)) => Ok(theme),
        (Ok(_), Err(theme_problem)) => Err(theme_problem.into()),
        (Err(problems), Err(theme_problem)) => {
            let mut problems = problems.clone();
            problems.push(theme_problem);
            Err(problems.into())
        }
        (Err(problems), Ok(_)) => Err(problems.clone().into()),
    }
}

/// Builds the site into `output`. Nothing is published unless the content is free of errors:
/// a `DiskOutput` that is not committed leaves the previous site as it was.
pub fn build(options: &BuildOptions, output: &dyn Output) -> Result<BuildReport, BuildError> {
    load_and_build(options, output, None)
}

/// `build` for `serve`: reuses what the previous build rendered where its inputs are unchanged.
/// The result is the same as `build`'s, file for file.
pub fn build_with_cache(
    options: &BuildOptions,
    output: &dyn Output,
    cache: &RenderCache,
) -> Result<BuildReport, BuildError> {
    load_and_build(options, output, Some(cache))
}

fn load_and_build(
    options: &BuildOptions,
    output: &dyn Output,
    cache: Option<&RenderCache>,
) -> Result<BuildReport, BuildError> {
    let mut timings = Timings::from_env();
    let (content, theme) = load(&options.content_dir)?;
    timings.phase("load content and theme");
    match cache {
        Some(cache) => build_loaded(&content, &theme, options, output, cache, timings),
        None => build_inner(&content, &theme, options, output, None, timings),
    }
}

/// `build_with_cache` from content and theme already loaded: `serve` keeps its content
/// between rebuilds and re-reads only the files that changed.
pub fn build_loaded(
    content: &Content,
    theme: &Theme,
    options: &BuildOptions,
    output: &dyn Output,
    cache: &RenderCache,
    timings: Timings,
) -> Result<BuildReport, BuildError> {
    cache.begin();
    let report = build_inner(content, theme, options, output, Some(cache), timings)?;
    cache.finish();
    Ok(report)
}

fn build_inner(
    content: &Content,
    theme: &Theme,
    options: &BuildOptions,
    output: &dyn Output,
    cache: Option<&RenderCache>,
    mut timings: Timings,
) -> Result<BuildReport, BuildError> {
    let timed_output = TimedOutput::new(output);
    let output: &dyn Output = &timed_output;
    let plan = SitePlan::new(content, options.today, options.drafts);
    let urls = &plan.urls;
    let assets = theme.assets();
    let site = site_context(&plan, options, &assets);
    let shared = cache.map(|c| theme.fingerprint(c.hasher()).json(&site).finish());
    let compile = || -> Result<tera::Tera, BuildError> {
        let mut tera = theme.templates()?;
        tera.global_context().insert("site", &site);
        Ok(tera)
    };
    let tera = match cache.zip(shared) {
        Some((cache, shared)) => cache.templates(shared, compile)?,
        None => Arc::new(compile()?),
    };
    let writer = Writer::new(output, &tera, theme, urls, cache.zip(shared));
    let views = policy_views(&plan, cache);
    timings.phase("compile templates, plan");

    let sanitizer = Sanitizer::default();
    // Every policy's pages, written as they are made; a plain build then drops them.
    let policies: Vec<(Arc<PolicyOutput>, Option<Key>)> = plan
        .policies
        .par_iter()
        .zip(&views)
        .map(|(policy, view)| {
            let job = policy::PolicyJob {
                plan: &plan,
                policy,
                view: &view.view,
                writer: &writer,
                sanitizer: &sanitizer,
                context: OnceLock::new(),
            };
            match cache.zip(shared).zip(view.keys.map(|k| k.input)) {
                Some(((cache, shared), input)) => {
                    let key = policy::policy_key(cache.hasher(), shared, input);
                    let built = cache.policy(policy.slug(), key, || job.build())?;
                    writer.group(&built.files)?;
                    Ok((built, Some(key)))
                }
                _ => {
                    let mut built = job.build()?;
                    writer.group(&std::mem::take(&mut built.files))?;
                    Ok((Arc::new(built), None))
                }
            }
        })
        .collect::<Result<_, BuildError>>()?;
    timings.phase("policies: Markdown, diffs, pages");

    let pages = documents::render_pages(&plan, cache);
    let facts: Vec<documents::PolicyFacts> = policies
        .iter()
        .map(|(built, key)| documents::PolicyFacts {
            documents: &built.documents,
            key: key.unwrap_or_default(),
            targets_key: built.targets_key.unwrap_or_default(),
        })
        .collect();
    let problems =
        documents::validate_policies(&plan, &facts, &pages, &assets, options.broken_links, cache);
    drop(facts);
    timings.phase("check links");
    if problems.has_errors() {
        return Err(problems.into());
    }
    // Links are checked: a plain build lets go of every version's link facts.
    let policies: Vec<(Arc<PolicyOutput>, Option<Key>)> = policies
        .into_iter()
        .map(|(mut built, key)| {
            if let Some(owned) = Arc::get_mut(&mut built) {
                owned.documents = Vec::new();
            }
            (built, key)
        })
        .collect();

    write_site_pages(&plan, &views, &pages, &writer)?;
    timings.phase("site pages");
    for asset in &assets {
        writer.file(&asset.published, asset.bytes.clone())?;
    }
    for file in &content.static_files {
        let bytes = std::fs::read(&file.path)
            .map_err(|e| BuildError::Io(format!("cannot read {}: {e}", file.path.display())))?;
        writer.file(&file.relative, bytes)?;
    }
    timings.phase("assets and static files");
    write_site_files(&plan, &policies, &writer, &mut timings)?;
    timings.note("(writing, summed over threads)", timed_output.total());

    Ok(BuildReport {
        pages_rendered: writer.pages.load(Ordering::Relaxed),
        files_written: writer.written.load(Ordering::Relaxed),
        files_unchanged: writer.unchanged.load(Ordering::Relaxed),
        warnings: problems,
    })
}

/// A policy's summary for templates, with (for `serve`) the keys of its inputs and of its JSON.
struct KeyedView {
    view: Arc<PolicyView>,
    keys: Option<ViewKeys>,
}

#[derive(Clone, Copy)]
struct ViewKeys {
    input: Key,
    json: Key,
}

/// Every policy's summary: `serve` makes again only those whose inputs changed.
fn policy_views(plan: &SitePlan, cache: Option<&RenderCache>) -> Vec<KeyedView> {
    let urls = &plan.urls;
    plan.policies
        .par_iter()
        .map(|p| match cache {
            Some(cache) => {
                let input = policy::input_key(cache.hasher(), plan, p);
                let (view, json) = cache.view(input, || PolicyView::new(urls, p));
                KeyedView {
                    view,
                    keys: Some(ViewKeys { input, json }),
                }
            }
            None => KeyedView {
                view: Arc::new(PolicyView::new(urls, p)),
                keys: None,
            },
        })
        .collect()
}

/// What every template sees as `site`.
fn site_context(
    plan: &SitePlan,
    options: &BuildOptions,
    assets: &[crate::theme::Asset],
) -> SiteContext {
    let urls = &plan.urls;
    let config = &plan.content.config;
    SiteContext {
        title: config.title.clone(),
        language: config.language.clone(),
        base_url: config.base_url.clone(),
        home_url: urls.index(),
        feed_url: urls.file("feed.xml"),
        cookie_settings_url: urls.file("cookie-settings/"),
        quick_exit_info_url: urls.file("quick-exit/"),
        quick_exit: config.quick_exit.clone(),
        consent: crate::consent::ConsentView::new(&config.consent, urls),
        nav: crate::pages::site_nav(plan),
        assets: assets
            .iter()
            .map(|a| (a.logical.clone(), urls.file(&a.published)))
            .collect(),
        build_date: crate::pages::iso_date(options.today),
        live_reload_url: options.live_reload_url.clone(),
    }
}

/// The pages that are not a policy's: unversioned pages, the home page, 404, cookie settings
/// and the quick-exit explanation.
fn write_site_pages(
    plan: &SitePlan,
    views: &[KeyedView],
    pages: &PageDocuments,
    writer: &Writer,
) -> Result<(), BuildError> {
    let urls = &plan.urls;
    plan.pages.par_iter().try_for_each(|page| {
        let doc = &pages[&page.slug];
        let context = StandalonePage {
            page: PageMeta::new(
                urls,
                page.front.title(),
                urls.page(&page.slug),
                urls.page(&page.slug),
            ),
            draft: page.front.draft,
            toc: crate::pages::table_of_contents(&doc.rendered),
            body: &doc.rendered.html,
        };
        writer.page("page.html", &context.page.path.clone(), &context)
    })?;

    let index = IndexPage {
        page: PageMeta::new(urls, "All policies", urls.index(), urls.index()),
        policies: views.iter().map(|v| &*v.view).collect(),
        pages: plan
            .pages
            .iter()
            .map(|p| NavItem {
                title: p.front.title().to_string(),
                url: urls.page(&p.slug),
            })
            .collect(),
    };
    // Keyed by each summary's JSON key rather than by the JSON of a thousand summaries.
    let index_key = writer.cache.and_then(|(cache, _)| {
        let mut hasher = cache.hasher();
        hasher.json(&index.page).json(&index.pages);
        for view in views {
            hasher.part(&view.keys?.json.bytes());
        }
        Some(hasher.finish())
    });
    writer.page_keyed("index.html", &urls.index(), &index, index_key)?;
    let not_found = StandalonePage {
        page: PageMeta::new(urls, "Page not found", urls.file("404.html"), String::new()),
        draft: false,
        toc: Vec::new(),
        body: "",
    };
    writer.page("404.html", &urls.file("404.html"), &not_found)?;
    for (template, slug, title) in [
        (
            "cookie-settings.html",
            "cookie-settings/",
            "Cookie settings",
        ),
        (
            "quick-exit.html",
            "quick-exit/",
            "Leaving this site quickly",
        ),
    ] {
        let path = urls.file(slug);
        writer.page(
            template,
            &path,
            &InfoPage {
                page: PageMeta::new(urls, title, path.clone(), path.clone()),
            },
        )?;
    }
    Ok(())
}

/// The site-wide feed, `versions.json`, sitemap, robots.txt and `_headers`.
fn write_site_files(
    plan: &SitePlan,
    policies: &serve_files::KeyedPolicies,
    writer: &Writer,
    timings: &mut Timings,
) -> Result<(), BuildError> {
    let urls = &plan.urls;
    let config = &plan.content.config;
    // `serve` splices them from its last build's; a plain build streams them.
    let spliced = writer
        .cache
        .and_then(|(cache, shared)| serve_files::write(plan, policies, writer, cache, shared));
    match spliced {
        Some(written) => {
            written?;
            timings.phase("site feed, versions.json, sitemap (spliced)");
        }
        None => {
            let parts = |part: fn(&policy::SiteParts) -> &str| -> Vec<Option<&str>> {
                policies
                    .iter()
                    .map(|(p, _)| p.site_parts.as_ref().map(part))
                    .collect()
            };
            // The feed takes as long as the other two together; each core takes one side.
            let (feed, rest) = rayon::join(
                || writer.file_with("feed.xml", 0, &mut |out| feeds::write_site_feed(plan, out)),
                || {
                    let versions_json = parts(|p| &p.versions_json);
                    writer.file_with("versions.json", 0, &mut |out| {
                        feeds::write_versions_json(plan, &versions_json, out)
                    })?;
                    let sitemaps = parts(|p| &p.sitemap);
                    writer.file_with("sitemap.xml", 0, &mut |out| {
                        site_files::write_sitemap(plan, &sitemaps, out)
                    })
                },
            );
            feed?;
            rest?;
            timings.phase("site feed, versions.json, sitemap");
        }
    }
    writer.file(
        "robots.txt",
        format!(
            "User-agent: *\nAllow: /\n\nSitemap: {}\n",
            urls.absolute(&urls.file("sitemap.xml"))
        )
        .into_bytes(),
    )?;
    writer.file(
        "_headers",
        site_files::security_headers(
            urls.prefix(),
            &crate::consent::script_origins(&config.consent),
        )
        .into_bytes(),
    )
}
