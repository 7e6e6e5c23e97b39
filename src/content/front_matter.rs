//! Splitting `---`-fenced YAML front matter from a Markdown body.

use std::path::Path;

use crate::diagnostics::{Diagnostic, Location};

/// Where the parts of a file lie: the YAML text, the line it starts on, and where the body starts.
#[derive(Debug, PartialEq, Eq)]
pub struct Parts<'a> {
    pub yaml: &'a str,
    pub yaml_line: usize,
    pub body_start: usize,
    pub body_line: usize,
}

pub fn split_front_matter<'a>(text: &'a str, file: &Path) -> Result<Parts<'a>, Diagnostic> {
    let missing = || {
        Diagnostic::error("missing-front-matter", Location::new(file, 1, 1), "This file does not start with front matter")
            .with_hint("Start the file with a line `---`, then `title: …` (and `summary: …` for a new version), then another `---`.")
    };
    let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_line_end].trim_end() != "---" {
        return Err(missing());
    }
    let mut offset = first_line_end;
    let mut line = 2;
    while offset < text.len() {
        let end = text[offset..]
            .find('\n')
            .map_or(text.len(), |i| offset + i + 1);
        let content = text[offset..end].trim_end();
        if content == "---" || content == "..." {
            return Ok(Parts {
                yaml: &text[first_line_end..offset],
                yaml_line: 2,
                body_start: end,
                body_line: line + 1,
            });
        }
        offset = end;
        line += 1;
    }
    Err(Diagnostic::error(
        "unclosed-front-matter",
        Location::new(file, 1, 1),
        "The front matter is never closed",
    )
    .with_hint("Add a line containing only `---` after the last front-matter setting."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_counts_lines() {
        let text = "---\ntitle: A\n---\n\nBody\n";
        let parts = split_front_matter(text, Path::new("a.md")).unwrap();
        assert_eq!(parts.yaml, "title: A\n");
        assert_eq!(&text[parts.body_start..], "\nBody\n");
        assert_eq!(parts.body_line, 4);
    }

    #[test]
    fn unclosed_is_an_error() {
        let error = split_front_matter("---\ntitle: A\n", Path::new("a.md")).unwrap_err();
        assert_eq!(error.code, "unclosed-front-matter");
    }
}
