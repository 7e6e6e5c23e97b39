//! A direct reading of the front matter nearly every version file has: a few `key: value`
//! lines, each value a quoted string, a plain word or phrase, or `true`/`false`.
//!
//! serde_yaml's general parser was about 3 % of a large build's CPU for these few lines. This
//! reading accepts only what it is sure YAML reads the same way and answers `None` for
//! anything else, including anything `T` rejects, so that serde_yaml then gives the value or
//! the error (with its line and column) exactly as before.

use serde::de::value::{Error, MapDeserializer};
use serde::de::{DeserializeOwned, Deserializer, IntoDeserializer, Visitor};

/// `T` read from `text`, or `None` when `text` is not in the simple form or `T` rejects it.
pub(super) fn parse<T: DeserializeOwned>(text: &str) -> Option<T> {
    let mut pairs = Vec::with_capacity(4);
    for line in text.lines() {
        if line.bytes().all(|b| b == b' ') {
            continue;
        }
        let (key, rest) = line.split_once(':')?;
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            return None;
        }
        let value = rest.strip_prefix(' ')?.trim_start_matches(' ');
        pairs.push((key, Scalar::read(value)?));
    }
    if pairs.is_empty() {
        return None;
    }
    T::deserialize(MapDeserializer::<_, Error>::new(pairs.into_iter())).ok()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Scalar<'a> {
    Text(&'a str),
    Bool(bool),
}

impl<'a> Scalar<'a> {
    /// One value, the rest of its line after `key: `.
    fn read(value: &'a str) -> Option<Self> {
        match value.as_bytes().first()? {
            quote @ (b'"' | b'\'') => {
                let body = &value[1..];
                let end = body.find(*quote as char)?;
                let (inner, after) = (&body[..end], &body[end + 1..]);
                // A backslash escapes in double quotes; a doubled quote escapes in single ones.
                let plain_inner = !inner.contains('\\') && !inner.chars().any(char::is_control);
                (plain_inner && after.bytes().all(|b| b == b' ')).then_some(Scalar::Text(inner))
            }
            _ => {
                let text = value.trim_end_matches(' ');
                match text {
                    "true" => Some(Scalar::Bool(true)),
                    "false" => Some(Scalar::Bool(false)),
                    _ => plain_phrase(text).then_some(Scalar::Text(text)),
                }
            }
        }
    }
}

/// Text YAML reads as itself when unquoted: it starts with a letter (so it is no number, date,
/// anchor, tag, flow collection or quoted string), holds no `: ` or ` #` (it has none of those
/// characters), and is no word YAML gives another meaning, in any case.
fn plain_phrase(text: &str) -> bool {
    const SPECIAL: [&str; 9] = ["null", "true", "false", "yes", "no", "on", "off", "y", "n"];
    text.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b" ,.-()/'&".contains(&b))
        && !SPECIAL.iter().any(|word| text.eq_ignore_ascii_case(word))
}

impl<'a> IntoDeserializer<'a, Error> for Scalar<'a> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> Deserializer<'de> for Scalar<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Scalar::Text(text) => visitor.visit_borrowed_str(text),
            Scalar::Bool(value) => visitor.visit_bool(value),
        }
    }

    /// A value that is there is `Some`: none of the forms read here is YAML's null.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Front {
        #[serde(default)]
        title: Option<String>,
        #[serde(default)]
        summary: Option<String>,
        #[serde(default)]
        draft: bool,
        #[serde(default)]
        label: String,
    }

    fn both(text: &str) -> (Option<Front>, Result<Front, serde_yaml::Error>) {
        (parse::<Front>(text), serde_yaml::from_str::<Front>(text))
    }

    #[test]
    fn reads_the_usual_front_matter_as_yaml_does() {
        for text in [
            "title: \"Privacy notice\"\nsummary: \"Added a section on 'CCTV'.\"\n",
            "title: 'Cookie policy: \"essential\" only # not a comment'\n",
            "title: Privacy notice\ndraft: true\nlabel: Spring 2025 update\n",
            "title: Children's privacy (under 13s) / Parents & carers\n\n   \ndraft: false\n",
            "title:    \"Spaced\"   \n",
        ] {
            let (fast, slow) = both(text);
            assert_eq!(fast, Some(slow.unwrap()), "{text}");
        }
    }

    #[test]
    fn leaves_everything_else_to_serde_yaml() {
        for text in [
            "title: \"Line\\nbreak\"\n",   // escape
            "title: 'It''s'\n",            // doubled quote
            "title: A # comment\n",        // comment
            "title: null\n",               // null, not text
            "title: No\n",                 // a YAML 1.1 boolean word
            "label: 2025\n",               // a number
            "title: \"A\" trailing\n",     // text after the quotes
            "title: \"unclosed\n",         // no closing quote
            "  title: Indented\n",         // nested
            "title: A\ntitle: B\n",        // duplicate key
            "sumary: \"typo\"\n",          // unknown key
            "draft: \"yes\"\n",            // wrong type
            "title:\"no space\"\n",        // no space after the colon
            "Title: \"Upper-case key\"\n", // a key this reader does not take
            "title: >\n  folded\n",        // block scalar
            "---\ntitle: A\n",             // document marker
            "",                            // nothing
        ] {
            assert_eq!(parse::<Front>(text), None, "{text}");
        }
    }

    proptest! {
        /// Whatever the simple reader accepts, serde_yaml reads to the same value.
        #[test]
        fn agrees_with_serde_yaml(
            lines in prop::collection::vec(
                (
                    prop::sample::select(vec!["title", "summary", "draft", "label", "x"]),
                    "[\"' ]{0,2}[A-Za-z0-9 :#'\"\\\\,.()/&~-]{0,12}[\"' ]{0,2}",
                ),
                0..4,
            )
        ) {
            let text: String = lines.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
            if let Some(fast) = parse::<Front>(&text) {
                let slow = serde_yaml::from_str::<Front>(&text);
                prop_assert_eq!(Some(fast), slow.ok(), "{}", text);
            }
        }

        /// Front matter in the simple form is read here, not left to serde_yaml.
        #[test]
        fn reads_the_simple_form_itself(
            values in prop::collection::vec(
                ("[A-Z][A-Za-z0-9 ,.()/&'-]{0,15}[a-z]", 0..3usize),
                3,
            ),
            draft in any::<bool>(),
        ) {
            prop_assume!(values.iter().all(|(v, _)| plain_phrase(v)));
            let keys = ["title", "summary", "label"];
            let mut text = format!("draft: {draft}\n");
            for (key, (value, quoting)) in keys.iter().zip(&values) {
                let value = match quoting {
                    0 => value.clone(),
                    1 => format!("\"{value}\""),
                    _ => format!("'{}'", value.replace('\'', "")),
                };
                text.push_str(&format!("{key}: {value}\n"));
            }
            let slow = serde_yaml::from_str::<Front>(&text).unwrap();
            prop_assert_eq!(parse::<Front>(&text), Some(slow), "{}", text);
        }
    }
}
