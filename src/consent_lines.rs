//! Checks on the consent settings in `site.yaml` that point at the exact line and column: the cookie banner is a legal statement, so a
//! category must say what it stores and why, and its scripts must not be open to tampering.

use std::collections::HashSet;
use std::path::Path;

use crate::config::Consent;
use crate::diagnostics::{Diagnostic, Location};

/// Every problem in `consent`, pointing into `text`, the site.yaml it was read from.
pub fn check(consent: &Consent, file: &Path, text: &str) -> Vec<Diagnostic> {
    let lines = CategoryLines::find(text);
    let mut problems = Vec::new();
    let mut ids = HashSet::new();
    for (index, category) in consent.categories.iter().enumerate() {
        let (line, column) = lines.id_line(index);
        let at = Location::new(file, line, column);
        if !ids.insert(category.id.as_str()) {
            problems.push(
                Diagnostic::error("consent-duplicate-id", at.clone(), format!("Two consent categories have the id `{}`", category.id))
                    .with_hint("Give each category its own id; the id is how a visitor's choice is remembered."),
            );
        }
        if category.description.trim().is_empty() {
            problems.push(
                Diagnostic::error("consent-no-description", at.clone(), format!("The consent category `{}` has no description", category.id))
                    .with_hint("Add `description:` saying in plain words what switching it on does, so visitors can make an informed choice."),
            );
        }
        if category.cookies.is_empty() {
            problems.push(
                Diagnostic::error("consent-no-cookies", at.clone(), format!("The consent category `{}` lists no cookies or stored items", category.id))
                    .with_hint("List under `cookies:` everything it stores in the browser (name, provider, purpose, expiry); a category that stores nothing needs no consent."),
            );
        }
        for script in &category.scripts {
            let lower = script.to_ascii_lowercase();
            if (lower.contains("://") || lower.starts_with("//")) && !lower.starts_with("https://")
            {
                let (line, column) = lines
                    .line_containing(text, index, script)
                    .unwrap_or((line, column));
                problems.push(
                    Diagnostic::error("consent-script-not-https", Location::new(file, line, column), format!("The script `{script}` is not loaded over https"))
                        .with_hint("Use the `https://` address, or copy the script into `static/` and give its path, e.g. `js/analytics.js`."),
                );
            }
        }
    }
    problems
}

/// Where each consent category starts in site.yaml. serde_yaml keeps no positions, so the
/// `id:` lines under `categories:` are found in order; every category has exactly one.
struct CategoryLines {
    /// (line, column) of each category's `id:`, from 1.
    ids: Vec<(usize, usize)>,
}

impl CategoryLines {
    fn find(text: &str) -> Self {
        let mut in_categories = false;
        let mut ids = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("categories:") {
                in_categories = true;
                continue;
            }
            if in_categories && !line.starts_with([' ', '-', '#']) && !trimmed.is_empty() {
                in_categories = false;
            }
            let item = trimmed.trim_start_matches(['-', ' ']);
            if in_categories && item.starts_with("id:") {
                let column = line.len() - item.len() + 1;
                ids.push((index + 1, column));
            }
        }
        CategoryLines { ids }
    }

    fn id_line(&self, index: usize) -> (usize, usize) {
        self.ids.get(index).copied().unwrap_or((1, 1))
    }

    /// The line of `needle` within category `index`'s lines.
    fn line_containing(&self, text: &str, index: usize, needle: &str) -> Option<(usize, usize)> {
        let first = self.ids.get(index)?.0;
        let last = self.ids.get(index + 1).map_or(usize::MAX, |next| next.0);
        text.lines()
            .enumerate()
            .skip(first - 1)
            .take_while(|(i, _)| i + 1 < last)
            .find_map(|(i, line)| {
                line.find(needle)
                    .map(|col| (i + 1, line[..col].chars().count() + 1))
            })
    }
}
