use super::*;
use proptest::prelude::*;
use std::time::Duration;

fn toks(i: &mut Interner, s: &str) -> Vec<Token> {
    let mut v = Vec::new();
    i.push_text(&mut v, s, 0);
    v
}

fn sides(i: &Interner, p: &[Piece], old: &[Token], new: &[Token]) -> (String, String) {
    let mut a = String::new();
    let mut b = String::new();
    for x in p {
        match *x {
            Piece::Equal(o, n) => {
                a.push_str(i.text(&old[o]));
                b.push_str(i.text(&new[n]));
            }
            Piece::Del(o) => a.push_str(i.text(&old[o])),
            Piece::Ins(n) => b.push_str(i.text(&new[n])),
        }
    }
    (a, b)
}

#[test]
fn tokenises_words_spaces_and_punctuation() {
    let mut i = Interner::new();
    let t = toks(&mut i, "Hello,  wörld 42!");
    let texts: Vec<&str> = t.iter().map(|t| i.text(t)).collect();
    assert_eq!(texts, ["Hello", ",", "  ", "wörld", " ", "42", "!"]);
    assert_eq!(t.iter().filter(|t| t.kind == TokKind::Word).count(), 3);
}

#[test]
fn packed_texts_differ_exactly_when_texts_do() {
    let texts = [
        "", "a", "ab", "ba", "abc", "aab", "abcd", "abcde", "abcdef", "abcdefg", "é", "a\0",
    ];
    for a in texts {
        for b in texts {
            assert_eq!(
                pack(a.as_bytes()) == pack(b.as_bytes()),
                a == b,
                "{a:?} {b:?}"
            );
        }
    }
    assert_eq!(pack(b"abcdefg"), Some(u64::from_le_bytes(*b"abcdefg\x07")));
    assert_eq!(pack(b"abcdefgh"), None);
}

#[test]
fn ascii_kinds_match_char_kinds() {
    for b in 0u8..128 {
        let s = char::from(b).to_string();
        assert_eq!(kind_at(&s, 0), (char_kind(char::from(b)), 1), "{b}");
    }
    assert_eq!(kind_at("\u{a0}x", 0), (TokKind::Space, 2));
    assert_eq!(kind_at("é", 0), (TokKind::Word, 2));
    assert_eq!(kind_at("€", 0), (TokKind::Punct, 3));
}

#[test]
fn one_word_edit_is_one_word() {
    let mut i = Interner::new();
    let long = "lorem ipsum dolor sit amet ".repeat(40);
    let old = toks(&mut i, &format!("{long}we may share data {long}"));
    let new = toks(&mut i, &format!("{long}we will share data {long}"));
    let far = Instant::now() + Duration::from_secs(5);
    let (p, late) = diff_tokens(&old, &new, far);
    assert!(!late);
    let dels: Vec<&str> = p
        .iter()
        .filter_map(|x| match x {
            Piece::Del(o) => Some(i.text(&old[*o])),
            _ => None,
        })
        .collect();
    let ins: Vec<&str> = p
        .iter()
        .filter_map(|x| match x {
            Piece::Ins(n) => Some(i.text(&new[*n])),
            _ => None,
        })
        .collect();
    assert_eq!(dels, ["may"]);
    assert_eq!(ins, ["will"]);
}

#[test]
fn same_words_different_style_differ() {
    let mut i = Interner::new();
    let em = i.el_id(StyleEl {
        open: Cow::Borrowed("<em>"),
        close: "</em>",
    });
    let s = i.stack_id(&[em]);
    let a = i.token("x", TokKind::Word, 0);
    let b = i.token("x", TokKind::Word, s);
    assert_ne!(a.id, b.id);
}

#[test]
fn lone_space_between_edits_is_absorbed() {
    let mut i = Interner::new();
    let old = toks(&mut i, "keep alpha beta keep");
    let new = toks(&mut i, "keep gamma delta keep");
    let (p, _) = diff_tokens(&old, &new, Instant::now() + Duration::from_secs(5));
    // one deletion run followed by one insertion run, not interleaved
    let tags: String = p
        .iter()
        .map(|x| match x {
            Piece::Equal(..) => '=',
            Piece::Del(_) => '-',
            Piece::Ins(_) => '+',
        })
        .collect();
    assert_eq!(tags, "==---+++==");
}

proptest! {
    #[test]
    fn diff_rebuilds_both_inputs(
        a in proptest::collection::vec(0u8..6, 0..60),
        b in proptest::collection::vec(0u8..6, 0..60),
    ) {
        let words = ["a", "b", " ", ",", "see", "x"];
        let mut i = Interner::new();
        let old: Vec<Token> = a.iter().map(|&k| {
            let w = words[k as usize];
            i.token(w, if w == " " { TokKind::Space } else { TokKind::Word }, 0)
        }).collect();
        let new: Vec<Token> = b.iter().map(|&k| {
            let w = words[k as usize];
            i.token(w, if w == " " { TokKind::Space } else { TokKind::Word }, 0)
        }).collect();
        let (p, _) = diff_tokens(&old, &new, Instant::now() + Duration::from_secs(5));
        // every index appears in order, exactly once
        let olds: Vec<usize> = p.iter().filter_map(|x| match *x {
            Piece::Equal(o, _) | Piece::Del(o) => Some(o), _ => None }).collect();
        let news: Vec<usize> = p.iter().filter_map(|x| match *x {
            Piece::Equal(_, n) | Piece::Ins(n) => Some(n), _ => None }).collect();
        prop_assert_eq!(olds, (0..old.len()).collect::<Vec<_>>());
        prop_assert_eq!(news, (0..new.len()).collect::<Vec<_>>());
        let (ra, rb) = sides(&i, &p, &old, &new);
        let ea: String = old.iter().map(|t| i.text(t)).collect();
        let eb: String = new.iter().map(|t| i.text(t)).collect();
        prop_assert_eq!(ra, ea);
        prop_assert_eq!(rb, eb);
        for x in &p {
            if let Piece::Equal(o, n) = *x { prop_assert_eq!(old[o].id, new[n].id); }
        }
    }
}
