//! Writes a stream of (operation, token) as HTML with `<ins>`/`<del>`.
//!
//! Each contiguous change run gets ONE `<ins>`/`<del>`, opened at the deepest
//! formatting level shared by every token of the run and closed at that same
//! level, so formatting tags inside it are always complete elements and the
//! change never straddles a tag boundary. Formatting outside changes is
//! opened/closed lazily, which keeps `<em>a <del>b</del> c</em>` compact.

use super::escape;
use super::words::{Interner, TokKind, Token};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Del,
    Ins,
}

pub(crate) struct InlineWriter<'a> {
    pub interner: &'a Interner,
    /// Already escaped `datetime` attribute value.
    pub datetime: &'a str,
}

impl InlineWriter<'_> {
    fn transition(&self, out: &mut String, cur: &mut Vec<u32>, target: &[u32]) {
        let p = cur.iter().zip(target).take_while(|(a, b)| a == b).count();
        while cur.len() > p {
            let el = cur.pop().expect("non-empty");
            out.push_str(self.interner.el(el).close);
        }
        for &el in &target[p..] {
            out.push_str(&self.interner.el(el).open);
            cur.push(el);
        }
    }

    /// [`InlineWriter::transition`] to the style of token style id `style`, skipped when
    /// `open_style` says that style is what `cur` holds already: neighbouring tokens nearly
    /// always share their style.
    fn to_style(
        &self,
        out: &mut String,
        cur: &mut Vec<u32>,
        open_style: &mut Option<u32>,
        style: u32,
    ) {
        if *open_style != Some(style) {
            self.transition(out, cur, self.interner.stack(style));
            *open_style = Some(style);
        }
    }

    fn token(&self, out: &mut String, t: &Token) {
        let text = self.interner.text(t);
        match t.kind {
            // Letters and digits are never escaped (`&`, `<`, `>` and U+00A0 are none of
            // them), and a word is most of what a diff writes.
            TokKind::Atom | TokKind::Word => out.push_str(text),
            TokKind::Space | TokKind::Punct => escape::push_text(out, text),
        }
    }

    /// Opening markup of a change; also used for whole-block changes.
    pub fn open_change(&self, out: &mut String, op: Op) {
        match op {
            Op::Ins => {
                out.push_str("<ins datetime=\"");
                out.push_str(self.datetime);
                out.push_str("\"><span class=\"visually-hidden\">Added: </span>");
            }
            Op::Del => {
                out.push_str("<del datetime=\"");
                out.push_str(self.datetime);
                out.push_str("\"><span class=\"visually-hidden\">Removed: </span>");
            }
            Op::Eq => {}
        }
    }

    pub fn close_change(out: &mut String, op: Op) {
        out.push_str(match op {
            Op::Ins => "</ins>",
            Op::Del => "</del>",
            Op::Eq => "",
        });
    }

    /// Writes the stream; every formatting element opened is closed again.
    pub fn write(&self, out: &mut String, items: &[(Op, &Token)]) {
        let mut cur: Vec<u32> = Vec::new();
        // The token style `cur` was last moved to, while it still holds exactly that style.
        let mut open_style: Option<u32> = None;
        let mut i = 0;
        while i < items.len() {
            let op = items[i].0;
            let mut j = i;
            while j < items.len() && items[j].0 == op {
                j += 1;
            }
            let run = &items[i..j];
            i = j;
            let blank = run.iter().all(|(_, t)| t.kind == TokKind::Space);
            if op == Op::Eq || (blank && op == Op::Ins) {
                for (_, t) in run {
                    self.to_style(out, &mut cur, &mut open_style, t.style);
                    self.token(out, t);
                }
                continue;
            }
            if blank {
                continue; // a removed bare space is noise for readers
            }
            let mut common: &[u32] = self.interner.stack(run[0].1.style);
            for (_, t) in &run[1..] {
                let s = self.interner.stack(t.style);
                let p = common.iter().zip(s).take_while(|(a, b)| a == b).count();
                common = &common[..p];
            }
            self.transition(out, &mut cur, common);
            self.open_change(out, op);
            open_style = None;
            for (_, t) in run {
                self.to_style(out, &mut cur, &mut open_style, t.style);
                self.token(out, t);
            }
            self.transition(out, &mut cur, common);
            Self::close_change(out, op);
            open_style = None;
        }
        self.transition(out, &mut cur, &[]);
    }
}
