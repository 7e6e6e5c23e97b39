//! Checks on a policy's versions as a whole: what readers are told about each change.

use chrono::NaiveDate;

use crate::content::{Content, Version};
use crate::diagnostics::{Diagnostic, Location};

/// The summary `privacy-site new` writes, which must be replaced before publication.
pub const SUMMARY_PLACEHOLDER: &str = "TODO: say in one sentence what this version changes";

/// Placeholder summaries (errors) and upcoming changes announced too late (warnings).
pub fn check(content: &Content, today: NaiveDate) -> Vec<Diagnostic> {
    let notice_days = i64::from(content.config.notice_days);
    let mut problems = Vec::new();
    for policy in &content.policies {
        for (index, version) in policy.versions.iter().enumerate() {
            if version
                .front
                .summary
                .as_deref()
                .is_some_and(|s| s.contains(SUMMARY_PLACEHOLDER))
            {
                problems.push(
                    Diagnostic::error("summary-placeholder", front_matter_line(version, "summary"), "The summary still holds the placeholder text from `privacy-site new`")
                        .with_hint("Replace it with one sentence saying what changed, e.g. `summary: Explains how long we keep webchat transcripts`."),
                );
            }
            // A policy's first version changes nothing readers had agreed to, so needs no notice.
            let days = (version.date - today).num_days();
            if index > 0 && !version.front.draft && days > 0 && days < notice_days {
                let earliest = today + chrono::Duration::days(notice_days);
                problems.push(
                    Diagnostic::warning(
                        "short-notice",
                        Location::new(&version.source.path, 1, 1),
                        format!(
                            "This version takes effect on {}, {days} day{} from today ({today}); readers should get {notice_days} days' notice",
                            version.date_string(),
                            if days == 1 { "" } else { "s" }
                        ),
                    )
                    .with_hint(format!(
                        "Rename the file to {earliest}.md or later, or lower `notice_days` in site.yaml if shorter notice is right for this change."
                    )),
                );
            }
        }
    }
    problems
}

/// The line of a front-matter key, so the finding points at the text to change.
fn front_matter_line(version: &Version, key: &str) -> Location {
    // `check` keeps every text, so this reads nothing; an unreadable file points at line 1.
    let text = version.source.text().unwrap_or_default();
    let front = &text[..version.source.body_start.min(text.len())];
    let line = front
        .lines()
        .position(|l| l.trim_start().starts_with(&format!("{key}:")))
        .map_or(1, |i| i + 1);
    Location::new(&version.source.path, line, 1)
}
