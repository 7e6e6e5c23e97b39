//! `check`'s content checks: mistakes the build lets through but readers would meet —
//! inaccessible links, images and headings, long sentences, unannounced changes, an unclear
//! cookie banner. Each finding has a stable code that docs/editors-guide.md explains.

mod document;
mod prose;
mod versions;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::build::{BuildError, BuildOptions, RenderedDocument};
use crate::content::{self, Texts};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::site::{SitePlan, VersionStatus};

pub use document::Document;
pub use versions::SUMMARY_PLACEHOLDER;

/// Every content finding for a planned site.
///
/// Superseded versions are left out: they are the record of what readers were told and are
/// not edited, so repeating their findings on every check would only bury the new ones.
pub fn check_site(
    plan: &SitePlan,
    versions: &BTreeMap<(String, NaiveDate), RenderedDocument>,
    pages: &BTreeMap<String, RenderedDocument>,
) -> Diagnostics {
    let config = &plan.content.config;
    let live_versions = plan.policies.iter().flat_map(|policy| {
        policy
            .versions
            .iter()
            .filter(|v| v.status != VersionStatus::Superseded)
            .filter_map(|v| versions.get(&(policy.slug().to_string(), v.version.date)))
    });
    let mut problems: Diagnostics = live_versions
        .chain(pages.values())
        .flat_map(|doc| match doc.source.body() {
            Ok(body) => document::check(&Document {
                file: &doc.source.path,
                body: &body,
                body_line: doc.source.body_line,
                max_sentence_words: config.max_sentence_words,
            }),
            Err(error) => vec![unreadable(&doc.source.path, &error)],
        })
        .collect();
    problems.extend(
        versions::check(plan.content, plan.today)
            .into_iter()
            .collect(),
    );
    problems
}

/// Everything `check` reports: the build's own validation, then the content checks. Nothing
/// is written. When the content cannot be loaded, those errors are all there is to report.
pub fn check_content(options: &BuildOptions) -> Diagnostics {
    // Every text is read several times here (render, lint, locations), so all are kept.
    let loaded = content::load_with(&options.content_dir, Texts::Keep);
    let theme = match crate::build::load_theme(&options.content_dir, loaded.as_ref()) {
        Ok(theme) => theme,
        Err(error) => return into_diagnostics(error),
    };
    let content = match loaded {
        Ok(content) => content,
        Err(problems) => return problems,
    };
    let mut problems = Diagnostics::new();
    if let Err(template_problem) = theme.templates() {
        problems.push(template_problem);
    }
    let plan = SitePlan::new(&content, options.today, options.drafts);
    let (versions, pages) = match crate::build::render_documents(&plan) {
        Ok(documents) => documents,
        Err(error) => return into_diagnostics(error),
    };
    problems.extend(crate::build::validate(
        &plan,
        &versions,
        &pages,
        &theme.assets(),
        options.broken_links,
    ));
    problems.extend(check_site(&plan, &versions, &pages));
    problems
}

/// A file that could be loaded but not read again.
fn unreadable(path: &std::path::Path, error: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        "unreadable",
        Location::new(path, 1, 1),
        format!("This file cannot be read: {error}"),
    )
}

fn into_diagnostics(error: BuildError) -> Diagnostics {
    match error {
        BuildError::Content(problems) => problems,
        BuildError::Io(message) => {
            Diagnostic::error("unreadable", Location::new(".", 1, 1), message).into()
        }
    }
}
