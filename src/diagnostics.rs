//! One type for every error and finding, and the three ways of printing them.
//!
//! Comms teams read these, so every diagnostic names the file, line and column, says what is
//! wrong in plain English and how to fix it. CI reads them too, hence the JSON and GitHub forms.

use std::io::Write;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// Where in a source file a finding points. Lines and columns count from 1; the column counts
/// characters, not bytes, because that is what editors show.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Location {
    pub fn new(file: impl Into<PathBuf>, line: usize, column: usize) -> Self {
        Location {
            file: file.into(),
            line: line.max(1),
            column: column.max(1),
        }
    }

    /// The location of byte `offset` within `text`, which starts at line `first_line` of `file`.
    pub fn at_offset(file: &Path, text: &str, offset: usize, first_line: usize) -> Self {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line = before.matches('\n').count() + first_line;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Location::new(file, line, column)
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// A stable, kebab-case identifier that the editors' guide documents.
    pub code: &'static str,
    pub severity: Severity,
    #[serde(flatten)]
    pub location: Location,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            location,
            message: message.into(),
            hint: None,
        }
    }

    pub fn warning(code: &'static str, location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, location, message)
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Every finding of one run, so that an editor sees all their mistakes at once.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warning_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sorted by file, line and column so that output is stable whatever order threads finished.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            (&a.location, a.severity, a.code, &a.message).cmp(&(
                &b.location,
                b.severity,
                b.code,
                &b.message,
            ))
        });
        self.items.dedup();
        self.items
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Diagnostics {
            items: vec![diagnostic],
        }
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics {
            items: iter.into_iter().collect(),
        }
    }
}

/// How findings are printed: for people, for programs, or for GitHub Actions annotations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Human,
    Json,
    Github,
}

/// Whether the human format uses colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    Auto,
    Never,
}

pub fn print(
    diagnostics: &[Diagnostic],
    format: Format,
    colour: Colour,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Human => print_human(diagnostics, colour),
        Format::Json => print_json(diagnostics, out),
        Format::Github => print_github(diagnostics, out),
    }
}

/// One JSON object per line, so tools can stream them.
pub fn print_json(diagnostics: &[Diagnostic], out: &mut dyn Write) -> std::io::Result<()> {
    for diagnostic in diagnostics {
        let line = serde_json::to_string(diagnostic).map_err(std::io::Error::other)?;
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`.
pub fn print_github(diagnostics: &[Diagnostic], out: &mut dyn Write) -> std::io::Result<()> {
    for d in diagnostics {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = d.message.clone();
        if let Some(hint) = &d.hint {
            message.push('\n');
            message.push_str(hint);
        }
        writeln!(
            out,
            "::{level} file={},line={},col={},title={}::{}",
            escape_github_property(&d.location.file.to_string_lossy()),
            d.location.line,
            d.location.column,
            escape_github_property(d.code),
            escape_github_data(&message)
        )?;
    }
    Ok(())
}

fn escape_github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_github_property(text: &str) -> String {
    escape_github_data(text)
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// The offending line with a marker under the problem, in colour on a terminal unless
/// `NO_COLOR` is set. Printed to standard error.
pub fn print_human(diagnostics: &[Diagnostic], colour: Colour) -> std::io::Result<()> {
    let choice = match colour {
        Colour::Never => termcolor::ColorChoice::Never,
        Colour::Auto if std::env::var_os("NO_COLOR").is_some() => termcolor::ColorChoice::Never,
        Colour::Auto if std::io::IsTerminal::is_terminal(&std::io::stderr()) => {
            termcolor::ColorChoice::Auto
        }
        Colour::Auto => termcolor::ColorChoice::Never,
    };
    let writer = termcolor::StandardStream::stderr(choice);
    let mut lock = writer.lock();
    let text = render_human(diagnostics, &mut lock);
    text.map_err(std::io::Error::other)
}

/// Writes the human form into any `termcolor` sink (tests use a plain buffer).
pub fn render_human(
    diagnostics: &[Diagnostic],
    sink: &mut dyn termcolor::WriteColor,
) -> Result<(), codespan_reporting::files::Error> {
    let config = term::Config::default();
    for d in diagnostics {
        let name = d.location.file.display().to_string();
        let source = std::fs::read(&d.location.file)
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default();
        let mut report = match d.severity {
            Severity::Error => Report::error(),
            Severity::Warning => Report::warning(),
        }
        .with_code(d.code)
        .with_message(&d.message);
        if let Some(range) = byte_range_of(&source, d.location.line, d.location.column) {
            report = report.with_labels(vec![Label::primary((), range)]);
        } else {
            report = report.with_notes(vec![format!(
                "in {name}:{}:{}",
                d.location.line, d.location.column
            )]);
        }
        if let Some(hint) = &d.hint {
            report = report.with_notes(vec![format!("hint: {hint}")]);
        }
        let file = SimpleFile::new(name, source.as_str());
        term::emit(sink, &config, &file, &report)?;
    }
    Ok(())
}

/// The byte range of the word at a line and column, so the marker underlines something useful.
fn byte_range_of(source: &str, line: usize, column: usize) -> Option<std::ops::Range<usize>> {
    let line_text_start: usize = source
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum();
    let line_text = source[line_text_start..].split('\n').next()?;
    if source.is_empty() || line > source.split_inclusive('\n').count() {
        return None;
    }
    let start_in_line = line_text
        .char_indices()
        .nth(column - 1)
        .map_or(line_text.len(), |(i, _)| i);
    let rest = &line_text[start_in_line..];
    let len = rest
        .find(char::is_whitespace)
        .unwrap_or(rest.len())
        .max(usize::from(!rest.is_empty()));
    let start = line_text_start + start_in_line;
    Some(start..start + len)
}

/// "Did you mean …?" for misspelt keys and slugs.
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(wrong, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_characters_not_bytes() {
        let text = "first\nsé cond";
        let loc = Location::at_offset(Path::new("a.md"), text, text.find("cond").unwrap(), 1);
        assert_eq!((loc.line, loc.column), (2, 4));
    }

    #[test]
    fn github_format_escapes_newlines_and_commas() {
        let d = Diagnostic::error("broken-link", Location::new("a,b.md", 3, 7), "Bad\nlink")
            .with_hint("Fix it");
        let mut out = Vec::new();
        print_github(&[d], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "::error file=a%2Cb.md,line=3,col=7,title=broken-link::Bad%0Alink%0AFix it\n"
        );
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("titel", ["title", "summary", "draft"]),
            Some("title")
        );
        assert_eq!(did_you_mean("zzz", ["title", "summary"]), None);
    }
}
