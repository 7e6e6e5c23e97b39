//! HTML escaping matching what html5ever serialises, so that sanitising our
//! own output through ammonia is a no-op (the tests rely on that to prove the
//! raw output was already well formed).

/// Escapes text content.
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_text(&mut out, s);
    out
}

/// Escapes text content straight onto `out`: the diff writes every word through this, so
/// unescaped runs are copied whole instead of char by char.
pub(crate) fn push_text(out: &mut String, s: &str) {
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let rep = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '\u{a0}' => "&nbsp;",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(rep);
        start = i + c.len_utf8();
    }
    out.push_str(&s[start..]);
}

/// Escapes a double-quoted attribute value.
pub(crate) fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            c => out.push(c),
        }
    }
    out
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
    }
}
