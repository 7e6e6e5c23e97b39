//! Block matching: which old block became which new block.
//!
//! Three passes, cheapest first: identical blocks are lined up by a sequence
//! diff over block hashes; inside each changed stretch, blocks of the same
//! family are paired by word overlap (so an edited paragraph is word-diffed
//! rather than shown as removed + added); finally a removed block that was
//! inserted verbatim elsewhere becomes a move instead of two walls of colour.

use std::collections::HashMap;
use std::time::Instant;

use similar::DiffOp;

use super::blocks::Block;
use super::patience::Keys;
use super::words::TokKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry {
    Same {
        old: usize,
        new: usize,
    },
    Changed {
        old: usize,
        new: usize,
    },
    Added(usize),
    Removed(usize),
    /// The block at its new place; `old` is where it came from.
    MovedHere {
        old: usize,
        new: usize,
    },
    /// A placeholder at the old place; `new` is where it went.
    MovedAway {
        old: usize,
        new: usize,
    },
}

/// Two blocks whose words overlap at least this much (Dice coefficient) are
/// treated as one edited block.
const PAIR_THRESHOLD: f64 = 0.4;

pub(crate) struct Aligner<'a> {
    pub old: &'a [Block],
    pub new: &'a [Block],
    pub deadline: Instant,
    /// Upper bound on token comparisons spent on pairing (see `DiffOptions`).
    pub pair_budget: usize,
    pub notes: Vec<String>,
}

fn bag(b: &Block) -> Vec<u32> {
    let mut v: Vec<u32> = b
        .tokens()
        .filter(|t| t.kind != TokKind::Space)
        .map(|t| t.id)
        .collect();
    v.sort_unstable();
    v
}

fn dice(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut m) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                m += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * m as f64 / (a.len() + b.len()) as f64
}

/// Lines up identical blocks (by key); the rest are the changed stretches.
pub(crate) fn block_ops(
    old: &Keys,
    new: &Keys,
    deadline: Instant,
    notes: &mut Vec<String>,
) -> Vec<DiffOp> {
    let limit = super::search_deadline(deadline, old.len() + new.len());
    let ops = super::patience::diff(old, new, limit);
    if Instant::now() > deadline {
        notes.push("block matching hit the time limit, so some blocks may show as removed and added instead of unchanged".into());
    }
    ops
}

impl Aligner<'_> {
    #[cfg(test)]
    pub fn run(&mut self) -> Vec<Entry> {
        let [old, new] = [self.old, self.new].map(super::blocks::keys);
        let ops = block_ops(&old, &new, self.deadline, &mut self.notes);
        self.run_ops(&ops)
    }

    /// Entries from the block-level diff of [`block_ops`]; every block in a changed
    /// stretch must be tokenised by now.
    pub fn run_ops(&mut self, ops: &[DiffOp]) -> Vec<Entry> {
        let mut entries = Vec::with_capacity(self.new.len() + 16);
        for op in ops {
            let (_, or, nr) = op.as_tag_tuple();
            if let DiffOp::Equal { .. } = op {
                entries.extend(or.zip(nr).map(|(o, n)| Entry::Same { old: o, new: n }));
            } else {
                self.pair_region(or, nr, &mut entries);
            }
        }
        detect_moves(self.old, self.new, &mut entries);
        entries
    }

    /// Pairs removed and added blocks of one changed stretch, keeping order,
    /// maximising total word overlap (a small LCS-style dynamic programme).
    fn pair_region(
        &mut self,
        or: std::ops::Range<usize>,
        nr: std::ops::Range<usize>,
        out: &mut Vec<Entry>,
    ) {
        let (d, n) = (or.len(), nr.len());
        let tokens = |bs: &[Block]| {
            bs.iter()
                .map(|b| b.cells.iter().map(Vec::len).sum::<usize>())
                .sum::<usize>()
        };
        let cost = d * tokens(&self.new[nr.clone()]) + n * tokens(&self.old[or.clone()]);
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        if d > 0 && n > 0 {
            if cost > self.pair_budget || Instant::now() > self.deadline {
                if !self.notes.iter().any(|s| s.starts_with("a stretch")) {
                    self.notes.push(format!(
                        "a stretch of {d} removed and {n} added blocks was too large to compare word by word, so it is shown block by block"
                    ));
                }
            } else {
                let ob: Vec<Vec<u32>> = self.old[or.clone()].iter().map(bag).collect();
                let nb: Vec<Vec<u32>> = self.new[nr.clone()].iter().map(bag).collect();
                // score[i][j]: best total for the first i old and j new blocks
                let w = n + 1;
                let mut score = vec![0f64; (d + 1) * w];
                let mut sim = vec![0f64; d * n];
                for i in 1..=d {
                    for j in 1..=n {
                        let (a, b) = (&self.old[or.start + i - 1], &self.new[nr.start + j - 1]);
                        let s = if a.kind.family() == b.kind.family() {
                            dice(&ob[i - 1], &nb[j - 1])
                        } else {
                            0.0
                        };
                        sim[(i - 1) * n + j - 1] = s;
                        let diag = if s >= PAIR_THRESHOLD {
                            score[(i - 1) * w + j - 1] + s
                        } else {
                            f64::MIN
                        };
                        score[i * w + j] =
                            diag.max(score[(i - 1) * w + j]).max(score[i * w + j - 1]);
                    }
                }
                let (mut i, mut j) = (d, n);
                while i > 0 && j > 0 {
                    let s = sim[(i - 1) * n + j - 1];
                    if s >= PAIR_THRESHOLD && score[i * w + j] == score[(i - 1) * w + j - 1] + s {
                        pairs.push((or.start + i - 1, nr.start + j - 1));
                        i -= 1;
                        j -= 1;
                    } else if score[i * w + j] == score[(i - 1) * w + j] {
                        i -= 1;
                    } else {
                        j -= 1;
                    }
                }
                pairs.reverse();
            }
        }
        let (mut o, mut nn) = (or.start, nr.start);
        for (po, pn) in pairs.into_iter().chain(std::iter::once((or.end, nr.end))) {
            out.extend((o..po).map(Entry::Removed));
            out.extend((nn..pn).map(Entry::Added));
            if po < or.end {
                out.push(Entry::Changed { old: po, new: pn });
            }
            o = po + 1;
            nn = pn + 1;
        }
    }
}

/// A removed block whose exact content was added elsewhere is a move.
fn detect_moves(old: &[Block], new: &[Block], entries: &mut [Entry]) {
    let mut removed: HashMap<u64, Vec<(usize, usize)>> = HashMap::new();
    for (pos, e) in entries.iter().enumerate().rev() {
        if let Entry::Removed(o) = *e {
            // empty blocks and rules carry no content worth calling a move
            if old[o].tokens().next().is_some() {
                removed
                    .entry(old[o].content_key)
                    .or_default()
                    .push((pos, o));
            }
        }
    }
    for pos in 0..entries.len() {
        if let Entry::Added(n) = entries[pos]
            && let Some(list) = removed.get_mut(&new[n].content_key)
            && let Some((rpos, o)) = list.pop()
        {
            entries[pos] = Entry::MovedHere { old: o, new: n };
            entries[rpos] = Entry::MovedAway { old: o, new: n };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::blocks::parse;
    use crate::diff::words::Interner;
    use std::time::Duration;

    fn align(a: &str, b: &str) -> Vec<Entry> {
        let mut i = Interner::new();
        let old = parse(a, &mut i);
        let new = parse(b, &mut i);
        Aligner {
            old: &old,
            new: &new,
            deadline: Instant::now() + Duration::from_secs(5),
            pair_budget: 10_000_000,
            notes: vec![],
        }
        .run()
    }

    #[test]
    fn edited_paragraph_is_paired_not_replaced() {
        let e = align(
            "Intro.\n\nWe collect your name and email address.\n\nEnd.\n",
            "Intro.\n\nWe collect your name and postal address.\n\nEnd.\n",
        );
        assert_eq!(
            e,
            vec![
                Entry::Same { old: 0, new: 0 },
                Entry::Changed { old: 1, new: 1 },
                Entry::Same { old: 2, new: 2 }
            ]
        );
    }

    #[test]
    fn unrelated_paragraphs_are_removed_and_added() {
        let e = align(
            "A.\n\nCats sleep all day long.\n",
            "A.\n\nInvoices are due monthly.\n",
        );
        assert_eq!(e[1..], [Entry::Removed(1), Entry::Added(1)]);
    }

    #[test]
    fn moved_block_is_detected() {
        let e = align(
            "one alpha\n\ntwo beta\n\nthree gamma\n\nfour delta\n",
            "two beta\n\nthree gamma\n\nfour delta\n\none alpha\n",
        );
        assert!(e.contains(&Entry::MovedAway { old: 0, new: 3 }), "{e:?}");
        assert!(e.contains(&Entry::MovedHere { old: 0, new: 3 }), "{e:?}");
        assert!(
            !e.iter()
                .any(|x| matches!(x, Entry::Added(_) | Entry::Removed(_)))
        );
    }

    #[test]
    fn heading_is_not_paired_with_paragraph() {
        let e = align("## Cookies policy\n", "Cookies policy\n");
        assert_eq!(e, [Entry::Removed(0), Entry::Added(0)]);
    }

    #[test]
    fn tiny_budget_falls_back_to_blocks_with_a_note() {
        let mut i = Interner::new();
        let old = parse("We collect your name.\n", &mut i);
        let new = parse("We collect your email.\n", &mut i);
        let mut a = Aligner {
            old: &old,
            new: &new,
            deadline: Instant::now() + Duration::from_secs(5),
            pair_budget: 1,
            notes: vec![],
        };
        assert_eq!(a.run(), [Entry::Removed(0), Entry::Added(0)]);
        assert_eq!(a.notes.len(), 1);
    }
}
