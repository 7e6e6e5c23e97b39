//! Plain language: sentences too long to follow in one reading.

use super::document::Document;
use crate::diagnostics::Diagnostic;

/// Text gathered from several Markdown events, remembering where each piece came from so a
/// finding can point at the source rather than at the rendered text.
#[derive(Debug, Default)]
pub struct MappedText {
    pub text: String,
    /// (position in `text`, byte offset in the body), in order.
    pieces: Vec<(usize, usize)>,
}

impl MappedText {
    pub fn push(&mut self, text: &str, source_offset: usize) {
        self.pieces.push((self.text.len(), source_offset));
        self.text.push_str(text);
    }

    /// The body offset of byte `position` of `text`. Inside a piece the text is the source as
    /// written (pulldown-cmark gives escapes and smart quotes pieces of their own).
    pub fn source_offset(&self, position: usize) -> usize {
        let index = self
            .pieces
            .partition_point(|&(start, _)| start <= position)
            .saturating_sub(1);
        self.pieces
            .get(index)
            .map_or(0, |&(start, offset)| offset + (position - start))
    }
}

/// Abbreviations that end in a full stop without ending the sentence.
const ABBREVIATIONS: &[&str] = &[
    "e.g.", "i.e.", "etc.", "no.", "mr.", "mrs.", "ms.", "dr.", "st.", "vs.",
];

/// The byte ranges of the sentences in `text`. A sentence ends at `.`, `!` or `?` followed by a
/// space, unless the word is a known abbreviation.
pub fn sentences(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut found = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next_is_space = chars.peek().is_none_or(|&(_, n)| n.is_whitespace());
        if matches!(c, '.' | '!' | '?') && next_is_space {
            let word_start = text[..i].rfind(char::is_whitespace).map_or(0, |w| w + 1);
            let word = text[word_start..=i].to_lowercase();
            if c == '.' && ABBREVIATIONS.contains(&word.as_str()) {
                continue;
            }
            found.push(start..i + 1);
            start = i + 1;
        }
    }
    if text[start..].trim().chars().any(char::is_alphanumeric) {
        found.push(start..text.len());
    }
    found
        .into_iter()
        .map(|r| {
            let leading = text[r.clone()].len() - text[r.clone()].trim_start().len();
            r.start + leading..r.end
        })
        .filter(|r| !r.is_empty())
        .collect()
}

pub fn word_count(sentence: &str) -> usize {
    sentence
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

pub fn long_sentences(document: &Document, prose: &MappedText) -> Vec<Diagnostic> {
    let limit = document.max_sentence_words;
    sentences(&prose.text)
        .into_iter()
        .filter_map(|range| {
            let words = word_count(&prose.text[range.clone()]);
            (words > limit).then(|| {
                let location = crate::diagnostics::Location::at_offset(document.file, document.body, prose.source_offset(range.start), document.body_line);
                Diagnostic::warning("long-sentence", location, format!("This sentence has {words} words; the limit is {limit}"))
                    .with_hint("Long sentences are hard to follow. Split it into two or more, or use a list. The limit is `max_sentence_words` in site.yaml.")
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sentences_but_not_abbreviations() {
        let text = "We keep it, e.g. for audits. Then we delete it! Why? Because.";
        let parts: Vec<&str> = sentences(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(
            parts,
            [
                "We keep it, e.g. for audits.",
                "Then we delete it!",
                "Why?",
                "Because."
            ]
        );
    }

    #[test]
    fn counts_words_not_punctuation() {
        assert_eq!(word_count("We – the force – keep it for 6 years."), 8);
    }

    #[test]
    fn maps_positions_back_to_the_source() {
        let mut text = MappedText::default();
        text.push("First part", 10);
        text.push(" ", 20);
        text.push("second", 21);
        assert_eq!(text.source_offset(0), 10);
        assert_eq!(text.source_offset(6), 16);
        assert_eq!(text.source_offset(11), 21);
        assert_eq!(text.source_offset(13), 23);
    }
}
