//! HTML escaping matching what html5ever serialises, so that sanitising our
//! own output through ammonia is a no-op (the tests rely on that to prove the
//! raw output was already well formed).
//!
//! Every word of every diffed block goes through here, so the scans work on bytes: each
//! character to escape is ASCII or starts with the byte 0xC2 (U+00A0 is `C2 A0` in UTF-8),
//! and neither can occur inside another character's encoding, so a byte match is a
//! character match and the runs between matches are copied whole.

/// Escapes text content.
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_text(&mut out, s);
    out
}

/// Escapes text content straight onto `out`.
pub(crate) fn push_text(out: &mut String, s: &str) {
    // Most calls from the word diff carry one space or punctuation mark (one ASCII byte).
    if let &[b] = s.as_bytes()
        && !matches!(b, b'&' | b'<' | b'>')
    {
        out.push(char::from(b));
        return;
    }
    push_escaped(out, s, b"&<>", |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        _ => None,
    });
}

/// Escapes a double-quoted attribute value.
pub(crate) fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_attr(&mut out, s);
    out
}

/// Escapes a double-quoted attribute value straight onto `out`.
pub(crate) fn push_attr(out: &mut String, s: &str) {
    push_escaped(out, s, b"&\"", |b| match b {
        b'&' => Some("&amp;"),
        b'"' => Some("&quot;"),
        _ => None,
    });
}

/// Copies `s` onto `out`, replacing each ASCII byte that `ascii` maps and every U+00A0.
/// `specials` lists every byte `ascii` maps; runs without them are skipped a chunk at a
/// time, since most text has nothing to escape.
#[inline]
fn push_escaped(
    out: &mut String,
    s: &str,
    specials: &[u8],
    ascii: impl Fn(u8) -> Option<&'static str>,
) {
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(chunk) = bytes.get(i..i + CHUNK)
            && let Ok(chunk) = <&[u8; CHUNK]>::try_from(chunk)
            && !has_any(chunk, specials)
        {
            i += CHUNK;
            continue;
        }
        // The short tail (or short text) is checked as one chunk too: most have nothing to
        // escape, and a byte-by-byte walk was most of the cost of escaping a text.
        if i + CHUNK > bytes.len() && !has_any(&tail_chunk(bytes), specials) {
            break;
        }
        // Something to escape near here (or the short tail): byte by byte up to the next chunk.
        let end = (i + CHUNK).min(bytes.len());
        while i < end {
            let b = bytes[i];
            let (rep, width) = if b == 0xC2 && bytes.get(i + 1) == Some(&0xA0) {
                ("&nbsp;", 2)
            } else if let Some(rep) = ascii(b) {
                (rep, 1)
            } else {
                i += 1;
                continue;
            };
            out.push_str(&s[start..i]);
            out.push_str(rep);
            i += width;
            start = i;
        }
    }
    out.push_str(&s[start..]);
}

/// Bytes checked at once by [`has_any`]: one vector register's worth.
const CHUNK: usize = 16;

/// The last [`CHUNK`] bytes of `bytes` (some of them maybe seen before, which only costs a
/// needless check), padded with zeros (which are nothing to escape) when there are fewer: a
/// text that short is checked here from its first byte.
#[inline]
fn tail_chunk(bytes: &[u8]) -> [u8; CHUNK] {
    let start = bytes.len().saturating_sub(CHUNK);
    let mut chunk = [0; CHUNK];
    chunk[..bytes.len() - start].copy_from_slice(&bytes[start..]);
    chunk
}

/// Whether any byte of `chunk` is 0xC2 or one of `specials`. There is no early exit, so the
/// compiler checks the whole chunk with a few vector compares rather than byte by byte.
#[inline]
fn has_any(chunk: &[u8; CHUNK], specials: &[u8]) -> bool {
    chunk.iter().fold(false, |found, &b| {
        found | (b == 0xC2) | specials.iter().fold(false, |any, &s| any | (b == s))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_text_like_html5ever() {
        assert_eq!(
            super::text("a&b <c> d\u{a0}é"),
            "a&amp;b &lt;c&gt; d&nbsp;é"
        );
        assert_eq!(super::text("plain"), "plain");
        assert_eq!(super::text("\"quoted\""), "\"quoted\"");
    }

    #[test]
    fn escapes_attributes_like_html5ever() {
        assert_eq!(
            super::attr("a&b \"c\" <d>\u{a0}Â\u{a0}"),
            "a&amp;b &quot;c&quot; <d>&nbsp;Â&nbsp;"
        );
    }

    /// The byte scan must agree with a plain character-by-character escape on any text.
    #[test]
    fn byte_scan_matches_char_scan() {
        fn by_char(s: &str, attr: bool) -> String {
            let mut out = String::new();
            for c in s.chars() {
                match c {
                    '&' => out.push_str("&amp;"),
                    '<' if !attr => out.push_str("&lt;"),
                    '>' if !attr => out.push_str("&gt;"),
                    '"' if attr => out.push_str("&quot;"),
                    '\u{a0}' => out.push_str("&nbsp;"),
                    c => out.push(c),
                }
            }
            out
        }
        let pieces = [
            "a", "&", "<", ">", "\"", "\u{a0}", "Â", "é", "€", "😀", " ", "\u{80}",
        ];
        for a in pieces {
            assert_eq!(super::text(a), by_char(a, false), "{a:?}");
            for b in pieces {
                for c in pieces {
                    let s = format!("{a}{b}{c}");
                    assert_eq!(super::text(&s), by_char(&s, false), "{s:?}");
                    assert_eq!(super::attr(&s), by_char(&s, true), "{s:?}");
                }
            }
        }
    }

    /// The chunk-at-a-time skip must find specials at every offset of a long text.
    #[test]
    fn long_text_escapes_at_every_offset() {
        for special in ["&", "<", ">", "\"", "\u{a0}", "é"] {
            for at in 0..40 {
                let s = format!("{}{special}{}", "x".repeat(at), "y".repeat(40 - at));
                let text = super::text(&s);
                let attr = super::attr(&s);
                let want_text = match special {
                    "&" => "&amp;",
                    "<" => "&lt;",
                    ">" => "&gt;",
                    "\u{a0}" => "&nbsp;",
                    o => o,
                };
                let want_attr = match special {
                    "&" => "&amp;",
                    "\"" => "&quot;",
                    "\u{a0}" => "&nbsp;",
                    o => o,
                };
                assert_eq!(text, s.replacen(special, want_text, 1), "{s:?}");
                assert_eq!(attr, s.replacen(special, want_attr, 1), "{s:?}");
            }
        }
    }
}
