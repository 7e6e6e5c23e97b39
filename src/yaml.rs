//! YAML parsing that turns serde's messages into ones an editor can act on.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diagnostics::{Diagnostic, Location, did_you_mean};

mod simple;

/// Parses `text`, which starts at line `first_line` of `file`, into `T`.
///
/// `T` must use `#[serde(deny_unknown_fields)]`: a misspelt key is an error with a
/// "did you mean" hint rather than something silently ignored.
pub fn parse<T: DeserializeOwned>(
    text: &str,
    file: &Path,
    first_line: usize,
) -> Result<T, Diagnostic> {
    if let Some(value) = simple::parse(text) {
        return Ok(value);
    }
    let text = if text.trim().is_empty() { "{}" } else { text };
    serde_yaml::from_str(text).map_err(|error| explain(&error, file, first_line))
}

fn explain(error: &serde_yaml::Error, file: &Path, first_line: usize) -> Diagnostic {
    let (line, column) = error
        .location()
        .map_or((first_line, 1), |l| (l.line() + first_line - 1, l.column()));
    let location = Location::new(file, line, column);
    let full = error.to_string();
    let message = full.split(" at line ").next().unwrap_or(&full).to_string();

    // Nested keys come as "quick_exit: unknown field `ur`, expected `url` or `label`".
    if let Some((_, rest)) = message.split_once("unknown field `") {
        let (key, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let allowed: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let hint = match did_you_mean(key, allowed.iter().copied()) {
            Some(best) => format!(
                "Did you mean `{best}`? Allowed keys here: {}.",
                allowed.join(", ")
            ),
            None => format!(
                "Remove it, or use one of the allowed keys: {}.",
                allowed.join(", ")
            ),
        };
        return Diagnostic::error(
            "unknown-key",
            location,
            format!("`{key}` is not a setting privacy-site knows"),
        )
        .with_hint(hint);
    }
    if let Some((_, rest)) = message.split_once("missing field `") {
        let key = rest.split('`').next().unwrap_or(rest);
        return Diagnostic::error(
            "missing-key",
            location,
            format!("The required setting `{key}` is missing"),
        )
        .with_hint(format!("Add a line `{key}: …` here."));
    }
    if message.contains("invalid type") || message.contains("invalid value") {
        return Diagnostic::error("invalid-value", location, format!("This value has the wrong form: {message}"))
            .with_hint("Check the value against the examples in the README; put text containing `:` or `#` in quotes.");
    }
    Diagnostic::error("invalid-yaml", location, format!("This YAML cannot be read: {message}"))
        .with_hint("Check indentation (spaces, not tabs), that each key is followed by `: `, and quote text that contains `:` or `#`.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Front {
        title: String,
        summary: Option<String>,
    }

    #[test]
    fn unknown_key_names_line_and_suggestion() {
        let error = parse::<Front>("title: A\nsumary: B\n", Path::new("x.md"), 2).unwrap_err();
        assert_eq!(error.code, "unknown-key");
        assert_eq!(error.location.line, 3);
        assert_eq!(error.location.column, 1);
        assert!(error.hint.unwrap().starts_with("Did you mean `summary`?"));
    }

    #[test]
    fn broken_yaml_points_at_the_problem() {
        let error = parse::<Front>("title: A\n  bad: [\n", Path::new("x.md"), 2).unwrap_err();
        assert_eq!(error.code, "invalid-yaml");
        assert!(error.location.line >= 3, "{error:?}");
    }
}
