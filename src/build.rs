//! One build: load → render Markdown → check links → render templates → write.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use rayon::prelude::*;

use crate::content::{self, Content, Source};
use crate::diagnostics::{Diagnostic, Diagnostics, Location, Severity};
use crate::feeds;
use crate::history::{self, ChangesPage, HistoryPage};
use crate::links::{self, CheckedDocument, DocumentLinks, LinkTargets};
use crate::markdown::{self, Rendered, Sanitizer};
use crate::output::{Output, WriteOutcome};
use crate::pages::{
    IndexPage, InfoPage, NavItem, PageMeta, PolicyView, SiteContext, StandalonePage, VersionPage,
};
use crate::render_cache::{Key, RenderCache};
use crate::site::{Drafts, SitePlan, Urls};
use crate::theme::Theme;
use crate::timings::{TimedOutput, Timings};

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
    let config_text = std::fs::read_to_string(content_dir.join("site.yaml")).unwrap_or_default();
    let theme_name = match &loaded {
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
    match (loaded, theme) {
        (Ok(content), Ok(theme)) => Ok((content, theme)),
        (Err(mut problems), Err(theme_problem)) => {
            problems.push(theme_problem);
            Err(problems.into())
        }
        (Err(problems), Ok(_)) => Err(problems.into()),
        (Ok(_), Err(theme_problem)) => Err(theme_problem.into()),
    }
}

/// A rendered Markdown document and where it is shown.
pub struct RenderedDocument<'c> {
    pub source: &'c Source,
    pub rendered: Rendered,
    pub home: String,
    pub source_relative: String,
}

/// Whether rendered version bodies are kept after rendering or only what link checking needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bodies {
    Keep,
    /// Version bodies are rendered again when their pages are written (see `build_inner`).
    FactsOnly,
}

/// Renders every visible version and page. The body of a version is the same wherever it is
/// shown, so it is rendered once.
pub fn render_documents<'c>(
    plan: &SitePlan<'c>,
) -> (
    BTreeMap<(String, NaiveDate), RenderedDocument<'c>>,
    BTreeMap<String, RenderedDocument<'c>>,
) {
    render_documents_cached(plan, None, Bodies::Keep)
}

/// The path of a source relative to the content folder, with `/` separators.
fn source_relative(plan: &SitePlan, path: &Path) -> String {
    path.strip_prefix(&plan.content.root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Renders one document's Markdown as it is shown at `home`.
fn render_one(plan: &SitePlan, source: &Source, home: &str, sanitizer: &Sanitizer) -> Rendered {
    let links = DocumentLinks {
        urls: &plan.urls,
        home: home.to_string(),
        source_relative: source_relative(plan, &source.path),
    };
    markdown::render(source.body(), &links, sanitizer)
}

/// `render_documents`, reusing documents whose text and place are unchanged since the last build.
pub fn render_documents_cached<'c>(
    plan: &SitePlan<'c>,
    cache: Option<&RenderCache>,
    bodies: Bodies,
) -> (
    BTreeMap<(String, NaiveDate), RenderedDocument<'c>>,
    BTreeMap<String, RenderedDocument<'c>>,
) {
    let sanitizer = Sanitizer::default();
    let render = |source: &'c Source, home: String| {
        let source_relative = source_relative(plan, &source.path);
        let render = || render_one(plan, source, &home, &sanitizer);
        let rendered = match cache {
            Some(cache) => {
                let key = cache
                    .hasher()
                    .part(plan.urls.absolute("").as_bytes())
                    .part(home.as_bytes())
                    .part(source_relative.as_bytes())
                    .part(source.body().as_bytes())
                    .finish();
                cache.document(key, render)
            }
            None => render(),
        };
        RenderedDocument {
            source,
            rendered,
            home,
            source_relative,
        }
    };
    let version_jobs: Vec<_> = plan
        .policies
        .iter()
        .flat_map(|p| p.versions.iter().map(move |v| (p.slug(), v.version)))
        .collect();
    let versions = version_jobs
        .into_par_iter()
        .map(|(slug, version)| {
            let mut document = render(&version.source, plan.urls.policy(slug));
            if bodies == Bodies::FactsOnly {
                document.rendered.keep_facts_only();
            }
            ((slug.to_string(), version.date), document)
        })
        .collect();
    let pages = plan
        .pages
        .par_iter()
        .map(|page| {
            (
                page.slug.clone(),
                render(&page.source, plan.urls.page(&page.slug)),
            )
        })
        .collect();
    (versions, pages)
}

/// The checks every build makes before writing anything: links and static-file clashes.
/// `check` calls this too, so the two commands can never disagree about what is an error.
pub fn validate<'c>(
    plan: &SitePlan<'c>,
    versions: &BTreeMap<(String, NaiveDate), RenderedDocument<'c>>,
    pages: &BTreeMap<String, RenderedDocument<'c>>,
    assets: &[crate::theme::Asset],
    broken_links: Severity,
) -> Diagnostics {
    // Every path the site will have, so links can be checked before anything is written.
    let mut targets = LinkTargets::default();
    let urls = &plan.urls;
    for extra in [
        "",
        "cookie-settings/",
        "quick-exit/",
        "feed.xml",
        "versions.json",
        "sitemap.xml",
        "robots.txt",
        "404.html",
    ] {
        targets.add_path(urls.file(extra));
    }
    for policy in &plan.policies {
        targets.add_path(urls.history(policy.slug()));
        targets.add_path(urls.policy_feed(policy.slug()));
        let shown = policy.shown_version().version.date;
        for (index, v) in policy.versions.iter().enumerate() {
            if policy.previous(index).is_some() {
                targets.add_path(urls.changes(policy.slug(), v.version.date));
            }
            let doc = &versions[&(policy.slug().to_string(), v.version.date)];
            targets.add_document(urls.version(policy.slug(), v.version.date), &doc.rendered);
            if v.version.date == shown {
                targets.add_document(urls.policy(policy.slug()), &doc.rendered);
            }
        }
    }
    for (slug, doc) in pages {
        targets.add_document(urls.page(slug), &doc.rendered);
    }
    for file in &plan.content.static_files {
        targets.add_path(urls.file(&file.relative));
    }
    for asset in assets {
        targets.add_path(urls.file(&asset.published));
    }

    let mut problems: Diagnostics = versions
        .values()
        .chain(pages.values())
        .collect::<Vec<_>>()
        .par_iter()
        .flat_map_iter(|doc| {
            let document_links = DocumentLinks {
                urls,
                home: doc.home.clone(),
                source_relative: doc.source_relative.clone(),
            };
            let checked = CheckedDocument {
                links: &document_links,
                rendered: &doc.rendered,
                file: &doc.source.path,
                body: doc.source.body(),
                body_line: doc.source.body_line,
            };
            links::check(&checked, &targets).into_iter().map(|mut d| {
                d.severity = broken_links;
                d
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    check_static_collisions(plan.content, &targets, &mut problems);
    problems.extend(crate::consent::check(plan.content));
    problems
}

/// Builds the site into `output`. Nothing is written unless the content is free of errors.
pub fn build(options: &BuildOptions, output: &dyn Output) -> Result<BuildReport, BuildError> {
    build_inner(options, output, None)
}

/// `build` for `serve`: reuses what the previous build rendered where its inputs are unchanged.
/// The result is the same as `build`'s, file for file.
pub fn build_with_cache(
    options: &BuildOptions,
    output: &dyn Output,
    cache: &RenderCache,
) -> Result<BuildReport, BuildError> {
    cache.begin();
    let report = build_inner(options, output, Some(cache))?;
    cache.finish();
    Ok(report)
}

fn build_inner(
    options: &BuildOptions,
    output: &dyn Output,
    cache: Option<&RenderCache>,
) -> Result<BuildReport, BuildError> {
    let mut timings = Timings::from_env();
    let timed_output = TimedOutput::new(output);
    let output: &dyn Output = &timed_output;
    let (content, theme) = load(&options.content_dir)?;
    timings.phase("load content and theme");
    let tera = theme.templates()?;
    let plan = SitePlan::new(&content, options.today, options.drafts);
    timings.phase("compile templates, plan");
    // A plain build renders each version body again when it writes its pages instead of
    // holding every body from here to there; `serve` keeps them in its cache anyway.
    let bodies = match cache {
        Some(_) => Bodies::Keep,
        None => Bodies::FactsOnly,
    };
    let (versions, pages) = render_documents_cached(&plan, cache, bodies);
    timings.phase("render Markdown");
    let assets = theme.assets();
    let problems = validate(&plan, &versions, &pages, &assets, options.broken_links);
    timings.phase("check links");
    if problems.has_errors() {
        return Err(problems.into());
    }

    let urls = &plan.urls;
    let mut tera = tera;
    let site = SiteContext {
        title: content.config.title.clone(),
        language: content.config.language.clone(),
        base_url: content.config.base_url.clone(),
        home_url: urls.index(),
        feed_url: urls.file("feed.xml"),
        cookie_settings_url: urls.file("cookie-settings/"),
        quick_exit_info_url: urls.file("quick-exit/"),
        quick_exit: content.config.quick_exit.clone(),
        consent: crate::consent::ConsentView::new(&content.config.consent, urls),
        nav: crate::pages::site_nav(&plan),
        assets: assets
            .iter()
            .map(|a| (a.logical.clone(), urls.file(&a.published)))
            .collect(),
        build_date: options.today.format("%Y-%m-%d").to_string(),
        live_reload_url: options.live_reload_url.clone(),
    };
    tera.global_context().insert("site", &site);

    let shared = cache.map(|c| theme.fingerprint(c.hasher()).json(&site).finish());
    let cache = cache.zip(shared);
    let writer = Writer {
        output,
        tera: &tera,
        theme: &theme,
        urls,
        cache,
        written: AtomicUsize::new(0),
        unchanged: AtomicUsize::new(0),
        pages: AtomicUsize::new(0),
    };
    let policy_views: Vec<PolicyView> = plan
        .policies
        .iter()
        .map(|p| PolicyView::new(urls, p))
        .collect();

    // Policy pages, in parallel: each version at its dated URL, and the shown one at /<slug>/.
    let jobs: Vec<(usize, usize)> = plan
        .policies
        .iter()
        .enumerate()
        .flat_map(|(p, policy)| (0..policy.versions.len()).map(move |v| (p, v)))
        .collect();
    let sanitizer = Sanitizer::default();
    jobs.par_iter().try_for_each(|&(p, v)| {
        let policy_plan = &plan.policies[p];
        let version = policy_plan.versions[v].version;
        let doc = &versions[&(policy_plan.slug().to_string(), version.date)];
        let rerendered = match bodies {
            Bodies::Keep => None,
            Bodies::FactsOnly => Some(render_one(&plan, doc.source, &doc.home, &sanitizer)),
        };
        let rendered = rerendered.as_ref().unwrap_or(&doc.rendered);
        let shown = v == policy_plan.shown;
        for dated in std::iter::once(true).chain(shown.then_some(false)) {
            let context =
                VersionPage::new(&plan, &policy_views[p], policy_plan, v, rendered, dated);
            writer.page("policy.html", &context.page.path.clone(), &context)?;
        }
        Ok::<(), BuildError>(())
    })?;
    timings.phase("render and write version pages");

    write_history(&plan, &policy_views, &writer)?;

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
        policies: &policy_views,
        pages: plan
            .pages
            .iter()
            .map(|p| NavItem {
                title: p.front.title().to_string(),
                url: urls.page(&p.slug),
            })
            .collect(),
    };
    writer.page("index.html", &urls.index(), &index)?;
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

    for asset in &assets {
        writer.file(&asset.published, asset.bytes.clone())?;
    }
    for file in &content.static_files {
        let bytes = std::fs::read(&file.path)
            .map_err(|e| BuildError::Io(format!("cannot read {}: {e}", file.path.display())))?;
        writer.file(&file.relative, bytes)?;
    }
    writer.file("sitemap.xml", sitemap(&plan).into_bytes())?;
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
        security_headers(
            urls.prefix(),
            &crate::consent::script_origins(&content.config.consent),
        )
        .into_bytes(),
    )?;
    timings.phase("other pages and files");
    timings.note("(writing, summed over threads)", timed_output.total());

    Ok(BuildReport {
        pages_rendered: writer.pages.load(Ordering::Relaxed),
        files_written: writer.written.load(Ordering::Relaxed),
        files_unchanged: writer.unchanged.load(Ordering::Relaxed),
        warnings: problems,
    })
}

/// History and changes pages, feeds and `versions.json` (see `history` and `feeds`).
fn write_history(
    plan: &SitePlan,
    policy_views: &[PolicyView],
    writer: &Writer,
) -> Result<(), BuildError> {
    // Each diff is computed where its page is written and dropped after: holding every diff of
    // a large site at once would dominate the build's memory.
    let jobs: Vec<(usize, Option<usize>)> = plan
        .policies
        .iter()
        .enumerate()
        .flat_map(|(p, policy)| {
            std::iter::once((p, None)).chain((0..policy.versions.len()).map(move |v| (p, Some(v))))
        })
        .collect();
    jobs.par_iter().try_for_each(|&(p, version)| {
        let policy = &plan.policies[p];
        match version {
            None => {
                let context = HistoryPage::new(plan, &policy_views[p], policy);
                writer.page("history.html", &context.page.path.clone(), &context)
            }
            Some(v) => match history::version_diff(plan, policy, v, writer.cache.map(|(c, _)| c)) {
                Some(diff) => {
                    let context = ChangesPage::new(plan, &policy_views[p], policy, v, &diff);
                    writer.page("changes.html", &context.page.path.clone(), &context)
                }
                None => Ok(()),
            },
        }
    })?;
    writer.file("feed.xml", feeds::site_feed(plan).into_bytes())?;
    for policy in &plan.policies {
        let path = plan.urls.output_path(&plan.urls.policy_feed(policy.slug()));
        writer.file(&path, feeds::policy_feed(plan, policy).into_bytes())?;
    }
    writer.file(
        "versions.json",
        feeds::versions_json(plan)
            .map_err(BuildError::Io)?
            .into_bytes(),
    )
}

/// Renders templates and writes files, counting both.
struct Writer<'a> {
    output: &'a dyn Output,
    tera: &'a tera::Tera,
    theme: &'a Theme,
    urls: &'a Urls,
    /// With the key of everything all pages share (templates, `site`), when rebuilding for `serve`.
    cache: Option<(&'a RenderCache, Key)>,
    written: AtomicUsize,
    unchanged: AtomicUsize,
    pages: AtomicUsize,
}

impl Writer<'_> {
    fn page(
        &self,
        template: &str,
        site_path: &str,
        context: &impl serde::Serialize,
    ) -> Result<(), BuildError> {
        let render = || -> Result<Vec<u8>, BuildError> {
            let context = tera::Context::from_serialize(context)
                .map_err(|e| self.theme.template_error(&e))?;
            Ok(self
                .tera
                .render(template, &context)
                .map_err(|e| self.theme.template_error(&e))?
                .into_bytes())
        };
        let html = match self.cache {
            Some((cache, shared)) => cache.page(
                cache
                    .hasher()
                    .part(&shared.bytes())
                    .part(template.as_bytes())
                    .json(context)
                    .finish(),
                render,
            )?,
            None => render()?,
        };
        self.pages.fetch_add(1, Ordering::Relaxed);
        self.file(&self.urls.output_path(site_path), html)
    }

    fn file(&self, relative: &str, bytes: Vec<u8>) -> Result<(), BuildError> {
        match self.output.write(relative, bytes) {
            Ok(WriteOutcome::Written) => self.written.fetch_add(1, Ordering::Relaxed),
            Ok(WriteOutcome::Unchanged) => self.unchanged.fetch_add(1, Ordering::Relaxed),
            Err(e) => return Err(BuildError::Io(format!("cannot write {relative}: {e}"))),
        };
        Ok(())
    }
}

/// A file in `static/` may not take the place of a page the site generates.
fn check_static_collisions(content: &Content, generated: &LinkTargets, problems: &mut Diagnostics) {
    let urls = crate::site::Urls::new(content.config.base());
    for file in &content.static_files {
        let as_page = urls.file(file.relative.trim_end_matches("index.html"));
        let top = file.relative.split('/').next().unwrap_or_default();
        let clashes = crate::site::RESERVED_SLUGS.contains(&top)
            || content.policies.iter().any(|p| p.slug == top)
            || content.pages.iter().any(|p| p.slug == top)
            || (file.relative.ends_with("index.html")
                && generated.documents.contains_key(&as_page));
        if clashes {
            problems.push(
                Diagnostic::error(
                    "static-clash",
                    Location::new(&file.path, 1, 1),
                    format!(
                        "`static/{}` would replace a page privacy-site makes",
                        file.relative
                    ),
                )
                .with_hint(
                    "Move it into a folder of its own inside `static/`, e.g. `static/images/`.",
                ),
            );
        }
    }
}

/// Every public HTML page, with absolute URLs, in a stable order.
fn sitemap(plan: &SitePlan) -> String {
    let urls = &plan.urls;
    let mut entries: Vec<(String, Option<String>)> = vec![(urls.index(), None)];
    for policy in &plan.policies {
        let shown = policy.shown_version().version;
        entries.push((urls.policy(policy.slug()), Some(shown.date_string())));
        entries.push((urls.history(policy.slug()), None));
        for (index, v) in policy.versions.iter().enumerate() {
            if v.status == crate::site::VersionStatus::Draft {
                continue;
            }
            entries.push((
                urls.version(policy.slug(), v.version.date),
                Some(v.version.date_string()),
            ));
            if policy.previous(index).is_some() {
                entries.push((
                    urls.changes(policy.slug(), v.version.date),
                    Some(v.version.date_string()),
                ));
            }
        }
    }
    for page in &plan.pages {
        entries.push((urls.page(&page.slug), None));
    }
    entries.push((urls.file("cookie-settings/"), None));
    entries.push((urls.file("quick-exit/"), None));
    entries.sort();
    entries.dedup();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (path, lastmod) in entries {
        xml.push_str("  <url><loc>");
        xml.push_str(&markdown::escape_html(&urls.absolute(&path)));
        xml.push_str("</loc>");
        if let Some(date) = lastmod {
            xml.push_str(&format!("<lastmod>{date}</lastmod>"));
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// The Content-Security-Policy every page works under: nothing inline, nothing from elsewhere.
pub fn content_security_policy(extra_script_origins: &[String]) -> String {
    let scripts = std::iter::once("'self'".to_string())
        .chain(extra_script_origins.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
}

/// Security headers for every response, shared by `_headers` and `serve`.
pub fn security_header_pairs(extra_script_origins: &[String]) -> Vec<(&'static str, String)> {
    vec![
        (
            "Content-Security-Policy",
            content_security_policy(extra_script_origins),
        ),
        ("X-Content-Type-Options", "nosniff".into()),
        ("Referrer-Policy", "no-referrer".into()),
        ("X-Frame-Options", "DENY".into()),
        ("Cross-Origin-Opener-Policy", "same-origin".into()),
        (
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), interest-cohort=(), browsing-topics=()"
                .into(),
        ),
    ]
}

/// `_headers` in the format Netlify and Cloudflare Pages read.
fn security_headers(prefix: &str, extra_script_origins: &[String]) -> String {
    let mut text = format!("{prefix}*\n");
    for (name, value) in security_header_pairs(extra_script_origins) {
        text.push_str(&format!("  {name}: {value}\n"));
    }
    text.push_str(&format!(
        "{prefix}assets/*\n  Cache-Control: public, max-age=31536000, immutable\n"
    ));
    text
}
