//! Tokens and the word-level diff inside one pair of matched blocks.
//!
//! A token remembers the inline formatting around it (its "style", an
//! interned stack of opening tags such as `<a href="x">` or `<em>`). Two
//! tokens are equal only if their words AND their styles are equal, so a
//! changed link target or a changed emphasis shows as a change even when the
//! visible words are the same, while the renderer can still open and close
//! formatting tags properly around `<ins>`/`<del>`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Instant;

use similar::{Algorithm, DiffOp, capture_diff_slices_deadline};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokKind {
    /// A run of letters/digits: what the summary counts as a word.
    Word,
    Space,
    Punct,
    /// Ready-made HTML that must not be split (images, line breaks, raw HTML).
    Atom,
}

/// Equal and hashed by `id` alone (the id stands for text, kind and style), so the word diff
/// compares the tokens themselves rather than a copy of their ids. The text stays in the
/// interner ([`Interner::text`]): a token is three small copyable fields, with no reference
/// count to touch as blocks are tokenised and dropped.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    pub kind: TokKind,
    /// Interned style stack id (see [`Interner::stack`]).
    pub style: u32,
    /// Interned (style, kind, text) id: the value actually compared by the diff.
    pub id: u32,
}

impl PartialEq for Token {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for Token {}

impl std::hash::Hash for Token {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

/// One inline formatting element: how to open it and how to close it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct StyleEl {
    /// Borrowed for the fixed tags (`<em>`…), owned for links: most styles cost no allocation.
    pub open: Cow<'static, str>,
    pub close: &'static str,
}

/// Shared between the old and the new document so that ids are comparable.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    els: Vec<StyleEl>,
    el_ids: HashMap<StyleEl, u32, FastHash>,
    stacks: Vec<Vec<u32>>,
    stack_ids: HashMap<Vec<u32>, u32, FastHash>,
    /// Token ids by text, then (style, kind): looked up by `&str` with one hash, so a repeated
    /// word costs no allocation beyond its own `Token`. Only texts over seven bytes: shorter
    /// ones are in `short`.
    tokens: HashMap<Rc<str>, TokenIds, FastHash>,
    /// [`Interner::tokens`] for texts of at most seven bytes, keyed by [`pack`]: most words
    /// are that short, and comparing one integer costs far less than comparing strings.
    short: HashMap<u64, TokenIds, FastHash>,
    /// Each token id's text: plain text for `Word`/`Space`/`Punct` (escaped when rendered),
    /// HTML for `Atom`. Shared with `tokens`' keys: a repeated word is one allocation per diff.
    texts: Vec<Rc<str>>,
    /// Token ids of one-byte ASCII texts in their own kind (see [`ascii_kind`]), by style and
    /// byte; [`NO_ID`] where not interned yet. About every other token of prose is a lone
    /// space or punctuation mark: an index here costs far less than hashing and comparing.
    ascii: Vec<[u32; 128]>,
}

/// No token id yet (see [`Interner::ascii`]).
const NO_ID: u32 = u32::MAX;

/// The ids of one text: nearly every text comes in one style and kind only, kept inline.
#[derive(Debug)]
struct TokenIds {
    first: (u32, TokKind, u32),
    more: Vec<(u32, TokKind, u32)>,
}

impl TokenIds {
    fn get(&self, style: u32, kind: TokKind) -> Option<u32> {
        std::iter::once(&self.first)
            .chain(&self.more)
            .find(|&&(s, k, _)| s == style && k == kind)
            .map(|&(_, _, id)| id)
    }
}

/// FxHash-style hashing for the interner's short keys. SipHash's protection against chosen
/// collisions buys nothing here (the inputs are the site's own policies) and it was the
/// largest single cost of a diff.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FastHash;

impl std::hash::BuildHasher for FastHash {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher(0)
    }
}

#[derive(Debug)]
pub(crate) struct FastHasher(u64);

impl FastHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        while let Some((chunk, tail)) = rest.split_first_chunk::<8>() {
            self.add(u64::from_le_bytes(*chunk));
            rest = tail;
        }
        // Most words are shorter than eight bytes: their bytes in one word, read at most
        // twice (overlapping) instead of byte by byte.
        // The length goes in too, or overlapping reads of "aaaa" and "aaaaa" would agree.
        let n = rest.len();
        self.0 ^= n as u64;
        if n >= 4 {
            let lo = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
            let hi = u32::from_le_bytes([rest[n - 4], rest[n - 3], rest[n - 2], rest[n - 1]]);
            self.add(u64::from(lo) | (u64::from(hi) << 32));
        } else if n > 0 {
            let word =
                u64::from(rest[0]) | (u64::from(rest[n / 2]) << 8) | (u64::from(rest[n - 1]) << 16);
            self.add(word);
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl Interner {
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An interner with room for about `texts` distinct token texts, so that interning a
    /// policy's words does not keep growing (and rehashing) the table.
    pub fn with_capacity(texts: usize) -> Self {
        let mut i = Self {
            tokens: HashMap::with_capacity_and_hasher(texts / 2, FastHash),
            short: HashMap::with_capacity_and_hasher(texts, FastHash),
            texts: Vec::with_capacity(texts),
            ..Self::default()
        };
        i.stack_id(&[]); // the empty stack is always id 0
        i
    }

    pub fn el_id(&mut self, el: StyleEl) -> u32 {
        if let Some(&id) = self.el_ids.get(&el) {
            return id;
        }
        let id = self.els.len() as u32;
        self.els.push(el.clone());
        self.el_ids.insert(el, id);
        id
    }

    pub fn stack_id(&mut self, stack: &[u32]) -> u32 {
        if let Some(&id) = self.stack_ids.get(stack) {
            return id;
        }
        let id = self.stacks.len() as u32;
        self.stacks.push(stack.to_vec());
        self.stack_ids.insert(stack.to_vec(), id);
        id
    }

    pub fn stack(&self, id: u32) -> &[u32] {
        &self.stacks[id as usize]
    }

    pub fn el(&self, id: u32) -> &StyleEl {
        &self.els[id as usize]
    }

    /// The text of a token (see [`Interner::texts`]).
    pub fn text(&self, t: &Token) -> &str {
        &self.texts[t.id as usize]
    }

    /// The token of `text` in `kind` and `style`. Inlined for its one-byte case (about every
    /// other token), which then costs no call; longer texts are looked up in [`Self::hashed`].
    #[inline]
    pub fn token(&mut self, text: &str, kind: TokKind, style: u32) -> Token {
        if let &[b] = text.as_bytes()
            && BYTE_KINDS[usize::from(b)] == Some(kind)
        {
            return self.ascii_token(b, kind, style);
        }
        self.hashed(text, kind, style)
    }

    /// [`Interner::token`] of any text, through the hash tables.
    #[inline(never)]
    fn hashed(&mut self, text: &str, kind: TokKind, style: u32) -> Token {
        let next = self.texts.len() as u32;
        let key = pack(text.as_bytes());
        let ids = match key {
            Some(key) => self.short.get_mut(&key),
            None => self.tokens.get_mut(text),
        };
        let id = match ids {
            Some(ids) => match ids.get(style, kind) {
                Some(id) => id,
                None => {
                    ids.more.push((style, kind, next));
                    let shared = self.texts[ids.first.2 as usize].clone();
                    self.texts.push(shared);
                    next
                }
            },
            None => {
                let shared: Rc<str> = Rc::from(text);
                let ids = TokenIds {
                    first: (style, kind, next),
                    more: Vec::new(),
                };
                match key {
                    Some(key) => self.short.insert(key, ids),
                    None => self.tokens.insert(shared.clone(), ids),
                };
                self.texts.push(shared);
                next
            }
        };
        Token { kind, style, id }
    }

    /// [`Interner::token`] of the one-byte text `b` in its own kind. Ids are handed out in
    /// the same order as for any other text, so they are what the hash table would give.
    #[inline]
    fn ascii_token(&mut self, b: u8, kind: TokKind, style: u32) -> Token {
        let style_index = style as usize;
        if self.ascii.len() <= style_index {
            self.ascii.resize(style_index + 1, [NO_ID; 128]);
        }
        let slot = &mut self.ascii[style_index][usize::from(b)];
        if *slot == NO_ID {
            *slot = self.texts.len() as u32;
            self.texts
                .push(Rc::from(char::from(b).encode_utf8(&mut [0; 4]) as &str));
        }
        Token {
            kind,
            style,
            id: *slot,
        }
    }

    /// Splits text into words, whitespace runs and single punctuation marks.
    pub fn push_text(&mut self, out: &mut Vec<Token>, text: &str, style: u32) {
        let mut start = 0;
        while start < text.len() {
            let (kind, mut end) = kind_at(text, start);
            if kind != TokKind::Punct {
                while end < text.len() {
                    let (next, after) = kind_at(text, end);
                    if next != kind {
                        break;
                    }
                    end = after;
                }
            }
            out.push(self.token(&text[start..end], kind, style));
            start = end;
        }
    }
}

/// Text of at most seven bytes as one integer: its bytes (little-endian) and its length in
/// the top byte, so that two texts have the same key exactly when they are equal.
#[inline(always)]
fn pack(bytes: &[u8]) -> Option<u64> {
    let n = bytes.len();
    let word = if n > 7 {
        return None;
    } else if n >= 4 {
        // Two overlapping reads; where they overlap they hold the same bytes.
        let lo = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        let hi = u32::from_le_bytes([bytes[n - 4], bytes[n - 3], bytes[n - 2], bytes[n - 1]]);
        u64::from(lo) | (u64::from(hi) << (8 * (n - 4)))
    } else if n > 0 {
        u64::from(bytes[0])
            | (u64::from(bytes[n / 2]) << (8 * (n / 2)))
            | (u64::from(bytes[n - 1]) << (8 * (n - 1)))
    } else {
        0
    };
    Some(word | ((n as u64) << 56))
}

/// The kind of the character starting at byte `i` of `text`, and where the next one starts.
/// Policy prose is nearly all ASCII, which is classified from its byte without decoding;
/// the answer is the same as [`char_kind`]'s (a test checks every ASCII character).
#[inline(always)]
fn kind_at(text: &str, i: usize) -> (TokKind, usize) {
    match BYTE_KINDS[usize::from(text.as_bytes()[i])] {
        Some(kind) => (kind, i + 1),
        None => decoded_kind_at(text, i),
    }
}

/// [`ascii_kind`] of every ASCII byte, `None` for the bytes of longer characters: every byte
/// of a word is classified, and one load costs less than a chain of range checks.
const BYTE_KINDS: [Option<TokKind>; 256] = {
    let mut kinds = [None; 256];
    let mut b = 0;
    while b < 128 {
        kinds[b as usize] = Some(ascii_kind(b));
        b += 1;
    }
    kinds
};

/// The kind [`kind_at`] gives the ASCII byte `b`.
const fn ascii_kind(b: u8) -> TokKind {
    if b.is_ascii_alphanumeric() {
        TokKind::Word
    } else if matches!(b, b' ' | b'\t'..=b'\r') {
        TokKind::Space
    } else {
        TokKind::Punct
    }
}

/// [`kind_at`] for a character outside ASCII.
#[inline(never)]
fn decoded_kind_at(text: &str, i: usize) -> (TokKind, usize) {
    let c = text[i..].chars().next().unwrap_or_default();
    (char_kind(c), i + c.len_utf8().max(1))
}

fn char_kind(c: char) -> TokKind {
    if c.is_alphanumeric() {
        TokKind::Word
    } else if c.is_whitespace() {
        TokKind::Space
    } else {
        TokKind::Punct
    }
}

/// One step of a word diff: indexes into the old and/or new token slices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece {
    Equal(usize, usize),
    Del(usize),
    Ins(usize),
}

/// Word diff of two token slices. Returns the pieces and whether the deadline
/// cut the search short (the result is then still correct, only coarser).
pub(crate) fn diff_tokens(old: &[Token], new: &[Token], deadline: Instant) -> (Vec<Piece>, bool) {
    let limit = super::search_deadline(deadline, old.len() + new.len());
    let ops = capture_diff_slices_deadline(Algorithm::Myers, old, new, limit);
    let late = Instant::now() > deadline;
    // Every token is in one piece at most once: room for all, so the vector never grows.
    let mut pieces = Vec::with_capacity(old.len() + new.len());
    for op in ops {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => pieces.extend((0..len).map(|k| Piece::Equal(old_index + k, new_index + k))),
            DiffOp::Delete {
                old_index, old_len, ..
            } => pieces.extend((old_index..old_index + old_len).map(Piece::Del)),
            DiffOp::Insert {
                new_index, new_len, ..
            } => pieces.extend((new_index..new_index + new_len).map(Piece::Ins)),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                pieces.extend((old_index..old_index + old_len).map(Piece::Del));
                pieces.extend((new_index..new_index + new_len).map(Piece::Ins));
            }
        }
    }
    (cleanup(&pieces, old), late)
}

/// Myers happily matches a lone space or comma between two edits, which reads
/// as confetti ("<del>a</del> <ins>b</ins> <del>c</del>…"). Equal runs made
/// only of spaces/punctuation that sit between two changes are folded into the
/// change, and deletions are moved before insertions so each edit reads as
/// "removed text, then added text".
///
/// Runs are walked in place (one pending buffer reused for every change run), not
/// collected into a vector per run.
fn cleanup(pieces: &[Piece], old: &[Token]) -> Vec<Piece> {
    let is_eq = |p: &Piece| matches!(p, Piece::Equal(..));
    let mut out = Vec::with_capacity(pieces.len());
    // The change run being gathered; written as its deletions, then its insertions.
    let mut pending: Vec<Piece> = Vec::new();
    let flush = |pending: &mut Vec<Piece>, out: &mut Vec<Piece>| {
        out.extend(pending.iter().filter(|p| matches!(p, Piece::Del(_))));
        out.extend(pending.iter().filter(|p| matches!(p, Piece::Ins(_))));
        pending.clear();
    };
    let mut i = 0;
    while i < pieces.len() {
        let eq = is_eq(&pieces[i]);
        let mut j = i + 1;
        while j < pieces.len() && is_eq(&pieces[j]) == eq {
            j += 1;
        }
        let run = &pieces[i..j];
        let between_changes = i > 0 && j < pieces.len();
        let trivial = eq
            && between_changes
            && run.len() <= 2
            && run.iter().all(|p| match p {
                Piece::Equal(o, _) => matches!(old[*o].kind, TokKind::Space | TokKind::Punct),
                _ => false,
            });
        if trivial {
            for p in run {
                if let Piece::Equal(o, n) = *p {
                    pending.push(Piece::Del(o));
                    pending.push(Piece::Ins(n));
                }
            }
        } else if eq {
            flush(&mut pending, &mut out);
            out.extend_from_slice(run);
        } else {
            pending.extend_from_slice(run);
        }
        i = j;
    }
    flush(&mut pending, &mut out);
    out
}

#[cfg(test)]
mod tests;
