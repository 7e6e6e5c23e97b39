//! Patience diff of two sequences of block keys, as `similar`'s `Algorithm::Patience` computes
//! it, made cheaper for keys that are already hashes.
//!
//! `similar` finds the items that occur once on each side by hashing every item again (with a
//! keyed SipHash) into a map of buckets, which was half the cost of matching blocks: about a
//! twentieth of a whole build. Block keys are 64-bit hashes themselves, so here they index a
//! map with one multiply each, and the unique items are plain slices of keys. The rest is
//! `similar`'s own algorithm step by step (its `patience.rs`, Apache-2.0), built from its
//! public parts, so the result is the same; a test checks that against `similar` itself.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::ops::Range;
use std::time::Instant;

use similar::algorithms::{Capture, Compact, DiffHook, NoFinishHook, Replace, myers};
use similar::{Algorithm, DiffOp, capture_diff_slices_deadline};

use super::words::FastHash;

/// From this many items on BOTH sides, `similar` may first check whether the sides share
/// (nearly) nothing, a step this module does not copy: such inputs go to `similar` itself.
const SIMILAR_PREFLIGHT_MIN_LEN: usize = 512;

/// The keys of one version's blocks. The keys that occur once in it are found on first use
/// and kept: a version is diffed against both of its neighbours, and finding them was over a
/// quarter of matching blocks.
pub(crate) struct Keys {
    all: Vec<u64>,
    unique: OnceCell<Unique>,
}

/// The keys that occur exactly once, in order, and their places in [`Keys::all`].
struct Unique {
    at: Vec<usize>,
    keys: Vec<u64>,
}

impl Keys {
    pub(crate) fn new(all: Vec<u64>) -> Self {
        Keys {
            all,
            unique: OnceCell::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.all.len()
    }

    fn unique(&self) -> &Unique {
        self.unique.get_or_init(|| unique(&self.all))
    }
}

/// The operations `capture_diff_slices_deadline(Algorithm::Patience, old, new, deadline)`
/// returns for the keys of `old` and `new`.
pub(crate) fn diff(old: &Keys, new: &Keys, deadline: Option<Instant>) -> Vec<DiffOp> {
    let (old_all, new_all) = (&old.all[..], &new.all[..]);
    if old_all.len() >= SIMILAR_PREFLIGHT_MIN_LEN && new_all.len() >= SIMILAR_PREFLIGHT_MIN_LEN {
        return capture_diff_slices_deadline(Algorithm::Patience, old_all, new_all, deadline);
    }
    let mut d = Compact::new(Replace::new(Capture::new()), old_all, new_all);
    let Ok(()) = run(&mut d, old, new, deadline);
    d.into_inner().into_inner().into_ops()
}

/// `similar`'s `patience::diff_deadline` over the whole of both slices, below the size at
/// which its preflight step could act.
fn run<D: DiffHook>(
    d: &mut D,
    old_keys: &Keys,
    new_keys: &Keys,
    deadline: Option<Instant>,
) -> Result<(), D::Error> {
    let (old, new) = (&old_keys.all[..], &new_keys.all[..]);
    // A one sided input has no anchors.
    if old.is_empty() || new.is_empty() {
        if !new.is_empty() {
            d.insert(0, 0, new.len())?;
        } else if !old.is_empty() {
            d.delete(0, old.len(), 0)?;
        }
        return d.finish();
    }
    // Identical inputs need no maps (skipped with a deadline, as `similar` does).
    if deadline.is_none() && old == new {
        d.equal(0, 0, old.len())?;
        return d.finish();
    }
    let (old_unique, new_unique) = (old_keys.unique(), new_keys.unique());
    let mut anchors = Replace::new(Anchors {
        d,
        old,
        old_current: 0,
        old_unique: &old_unique.at,
        new,
        new_current: 0,
        new_unique: &new_unique.at,
        deadline,
    });
    myers::diff_deadline(
        &mut anchors,
        &old_unique.keys[..],
        0..old_unique.keys.len(),
        &new_unique.keys[..],
        0..new_unique.keys.len(),
        deadline,
    )
}

/// The keys that occur exactly once in `keys`.
fn unique(keys: &[u64]) -> Unique {
    const REPEATED: usize = usize::MAX;
    let mut first: HashMap<u64, usize, FastHash> =
        HashMap::with_capacity_and_hasher(keys.len(), FastHash);
    for (i, &k) in keys.iter().enumerate() {
        first.entry(k).and_modify(|at| *at = REPEATED).or_insert(i);
    }
    let (at, keys) = keys
        .iter()
        .enumerate()
        .filter(|&(i, k)| first[k] == i)
        .map(|(i, &k)| (i, k))
        .unzip();
    Unique { at, keys }
}

/// `similar`'s `Patience` hook: each pair of unique keys matched by the diff of the unique
/// keys is an anchor; the stretches between anchors are diffed with Myers.
struct Anchors<'a, D> {
    d: &'a mut D,
    old: &'a [u64],
    old_current: usize,
    old_unique: &'a [usize],
    new: &'a [u64],
    new_current: usize,
    new_unique: &'a [usize],
    deadline: Option<Instant>,
}

impl<D: DiffHook> Anchors<'_, D> {
    fn gap(&mut self, old: Range<usize>, new: Range<usize>) -> Result<(), D::Error> {
        myers::diff_deadline(
            &mut NoFinishHook::new(&mut *self.d),
            self.old,
            old,
            self.new,
            new,
            self.deadline,
        )
    }
}

impl<D: DiffHook> DiffHook for Anchors<'_, D> {
    type Error = D::Error;

    fn equal(&mut self, old: usize, new: usize, len: usize) -> Result<(), D::Error> {
        for (old, new) in (old..old + len).zip(new..new + len) {
            let (old_anchor, new_anchor) = (self.old_unique[old], self.new_unique[new]);
            let (a0, b0) = (self.old_current, self.new_current);
            while self.old_current < old_anchor
                && self.new_current < new_anchor
                && self.new[self.new_current] == self.old[self.old_current]
            {
                self.old_current += 1;
                self.new_current += 1;
            }
            if self.old_current > a0 {
                self.d.equal(a0, b0, self.old_current - a0)?;
            }
            self.gap(self.old_current..old_anchor, self.new_current..new_anchor)?;
            self.old_current = old_anchor;
            self.new_current = new_anchor;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), D::Error> {
        myers::diff_deadline(
            self.d,
            self.old,
            self.old_current..self.old.len(),
            self.new,
            self.new_current..self.new.len(),
            self.deadline,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn similar(old: &[u64], new: &[u64]) -> Vec<DiffOp> {
        capture_diff_slices_deadline(Algorithm::Patience, old, new, None)
    }

    fn diff(old: &[u64], new: &[u64], deadline: Option<Instant>) -> Vec<DiffOp> {
        super::diff(&Keys::new(old.to_vec()), &Keys::new(new.to_vec()), deadline)
    }

    /// Keys diffed once are diffed the same way again, against either side.
    #[test]
    fn kept_unique_keys_give_the_same_diffs() {
        let (a, b, c) = ([1, 2, 3, 2, 4], [2, 1, 3, 5, 4], [5, 1, 3, 4, 4]);
        let [ka, kb, kc] = [a, b, c].map(|k| Keys::new(k.to_vec()));
        assert_eq!(super::diff(&ka, &kb, None), similar(&a, &b));
        assert_eq!(super::diff(&kb, &kc, None), similar(&b, &c));
        assert_eq!(super::diff(&ka, &kb, None), similar(&a, &b));
    }

    #[test]
    fn matches_similar_on_edge_cases() {
        let cases: [(&[u64], &[u64]); 7] = [
            (&[], &[]),
            (&[1, 2], &[]),
            (&[], &[1, 2]),
            (&[1, 2, 3], &[1, 2, 3]),
            (&[1, 1, 0, 0], &[0, 1, 1, 0]),
            (
                &[11, 1, 2, 2, 3, 4, 4, 4, 5, 47, 19],
                &[10, 1, 2, 2, 8, 9, 4, 4, 7, 47, 18],
            ),
            (&[5, 5, 5], &[5, 5]),
        ];
        for (old, new) in cases {
            assert_eq!(diff(old, new, None), similar(old, new), "{old:?} {new:?}");
        }
    }

    proptest! {
        #[test]
        fn matches_similar(
            old in proptest::collection::vec(0u64..12, 0..80),
            new in proptest::collection::vec(0u64..12, 0..80),
        ) {
            prop_assert_eq!(diff(&old, &new, None), similar(&old, &new));
            // With a deadline (one that is never reached), as for large documents.
            let far = Some(Instant::now() + std::time::Duration::from_secs(600));
            prop_assert_eq!(
                diff(&old, &new, far),
                capture_diff_slices_deadline(Algorithm::Patience, &old, &new, far)
            );
        }

        /// Versions of one document: mostly the same blocks, a few edited, added or removed.
        #[test]
        fn matches_similar_on_neighbouring_versions(
            old in proptest::collection::vec(0u64..400, 0..120),
            edits in proptest::collection::vec((0usize..120, 0u64..420, 0u8..3), 0..8),
        ) {
            let mut new = old.clone();
            for (at, key, what) in edits {
                let at = at.min(new.len());
                match what {
                    0 => new.insert(at, key),
                    1 if at < new.len() => { new.remove(at); }
                    _ if at < new.len() => new[at] = key,
                    _ => {}
                }
            }
            prop_assert_eq!(diff(&old, &new, None), similar(&old, &new));
        }
    }
}
