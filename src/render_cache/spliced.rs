//! Site-wide files (`versions.json`, the site feed, the sitemap) made by splicing: a save
//! changes one policy's part of a file of megabytes, so `serve` copies the rest from the file
//! it made last time instead of assembling it again from a thousand parts.
//!
//! A file is a sequence of pieces, each named by a key that stands for its bytes (equal keys,
//! equal bytes). The previous file is kept with where each piece sits; a piece whose key it
//! has is copied from it, in runs, and only the others are made. The result is the same
//! concatenation a plain build writes, so it is byte-identical by construction.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;

use super::Key;

/// A piece's key: the key of what it is made from, and which of that thing's pieces it is
/// (a feed entry's date, say), so one policy can own several pieces.
pub type PieceKey = (Key, u64);

/// What a file's pieces are and how to make one that the previous file lacks.
pub struct Pieces<'a> {
    pub keys: Vec<PieceKey>,
    pub make: Box<dyn Fn(usize) -> Cow<'a, [u8]> + Sync + 'a>,
}

/// A file as it was last made: its bytes, and each piece's key and place in them.
#[derive(Debug, Default)]
pub struct Spliced {
    /// The key of every input of the file: equal, and the file is the same.
    whole: Key,
    pub bytes: Arc<Vec<u8>>,
    pieces: Vec<(PieceKey, Range<usize>)>,
}

/// Where a piece of the new file comes from.
enum Source {
    Old(Range<usize>),
    /// Index into the pieces made for this file.
    New(usize),
}

impl Spliced {
    /// The file for `whole`, spliced from `previous` where it can, and how many pieces had to
    /// be made. `spare` is an old buffer to write into when nobody else holds it: a fresh one
    /// of megabytes costs page faults.
    pub fn make<'a>(
        previous: Option<&Spliced>,
        whole: Key,
        pieces: impl FnOnce() -> Pieces<'a>,
        spare: &mut Option<Arc<Vec<u8>>>,
    ) -> (Spliced, usize) {
        if let Some(previous) = previous.filter(|p| p.whole == whole) {
            return (previous.clone_shared(), 0);
        }
        let Pieces { keys, make } = pieces();
        let old = previous.map_or(&[][..], |p| &p.pieces[..]);
        let mut by_key: Option<HashMap<&PieceKey, &Range<usize>>> = None;
        let mut fresh = Vec::new();
        let sources: Vec<Source> = keys
            .iter()
            .enumerate()
            .map(|(i, key)| {
                if let Some((_, range)) = old.get(i).filter(|(k, _)| k == key) {
                    return Source::Old(range.clone());
                }
                let by_key =
                    by_key.get_or_insert_with(|| old.iter().map(|(k, r)| (k, r)).collect());
                match by_key.get(key) {
                    Some(range) => Source::Old((*range).clone()),
                    None => {
                        fresh.push(i);
                        Source::New(fresh.len() - 1)
                    }
                }
            })
            .collect();
        let made: Vec<Cow<[u8]>> = fresh.par_iter().map(|&i| make(i)).collect();

        // A piece made again often comes out as it was (a body edit leaves the sitemap alone):
        // then the previous bytes serve as they are.
        if let Some(previous) = previous
            && old.len() == keys.len()
            && sources
                .iter()
                .zip(old)
                .all(|(source, (_, range))| match source {
                    Source::Old(r) => r == range,
                    Source::New(n) => made[*n][..] == previous.bytes[range.clone()],
                })
        {
            let mut same = previous.clone_shared();
            same.whole = whole;
            same.pieces = keys
                .into_iter()
                .zip(old.iter().map(|(_, r)| r.clone()))
                .collect();
            return (same, made.len());
        }

        let size = sources
            .iter()
            .map(|source| match source {
                Source::Old(range) => range.len(),
                Source::New(n) => made[*n].len(),
            })
            .sum();
        let mut bytes = spare
            .take()
            .and_then(|spare| Arc::try_unwrap(spare).ok())
            .unwrap_or_default();
        bytes.clear();
        bytes.reserve_exact(size);
        let old_bytes = previous.map_or(&[][..], |p| &p.bytes[..]);
        let mut pieces = Vec::with_capacity(keys.len());
        // Consecutive pieces that sat together before are copied in one run.
        let mut run: Option<Range<usize>> = None;
        for (key, source) in keys.into_iter().zip(&sources) {
            let start = bytes.len() + run.as_ref().map_or(0, Range::len);
            match source {
                Source::Old(range) => {
                    run = match run {
                        Some(r) if r.end == range.start => Some(r.start..range.end),
                        Some(r) => {
                            bytes.extend_from_slice(&old_bytes[r]);
                            Some(range.clone())
                        }
                        None => Some(range.clone()),
                    };
                    pieces.push((key, start..start + range.len()));
                }
                Source::New(n) => {
                    if let Some(r) = run.take() {
                        bytes.extend_from_slice(&old_bytes[r]);
                    }
                    bytes.extend_from_slice(&made[*n]);
                    pieces.push((key, start..bytes.len()));
                }
            }
        }
        if let Some(r) = run {
            bytes.extend_from_slice(&old_bytes[r]);
        }
        let spliced = Spliced {
            whole,
            bytes: Arc::new(bytes),
            pieces,
        };
        (spliced, made.len())
    }

    pub fn pieces(&self) -> usize {
        self.pieces.len()
    }

    fn clone_shared(&self) -> Spliced {
        Spliced {
            whole: self.whole,
            bytes: Arc::clone(&self.bytes),
            pieces: self.pieces.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u64) -> PieceKey {
        (Key(n, n), 0)
    }

    /// Pieces named by numbers whose bytes are `texts[n]`.
    fn file(
        previous: Option<&Spliced>,
        whole: u64,
        order: &[u64],
        texts: &HashMap<u64, &'static str>,
        mut spare: Option<Arc<Vec<u8>>>,
    ) -> (Spliced, usize) {
        let made = std::sync::atomic::AtomicUsize::new(0);
        let (spliced, _) = Spliced::make(
            previous,
            Key(whole, 0),
            || Pieces {
                keys: order.iter().map(|&n| key(n)).collect(),
                make: Box::new(|i| {
                    made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    Cow::Borrowed(texts[&order[i]].as_bytes())
                }),
            },
            &mut spare,
        );
        (spliced, made.into_inner())
    }

    fn plain(order: &[u64], texts: &HashMap<u64, &'static str>) -> Vec<u8> {
        order.iter().flat_map(|n| texts[n].bytes()).collect()
    }

    #[test]
    fn a_splice_equals_the_file_made_whole_and_makes_only_new_pieces() {
        let mut texts: HashMap<u64, &'static str> = [
            (1, "head["),
            (2, "alpha,"),
            (3, "beta,"),
            (4, "gamma"),
            (9, "]"),
        ]
        .into();
        let (first, made) = file(None, 1, &[1, 2, 3, 4, 9], &texts, None);
        assert_eq!(made, 5);
        assert_eq!(*first.bytes, plain(&[1, 2, 3, 4, 9], &texts));

        // Same inputs: the same bytes, shared.
        let (same, made) = file(Some(&first), 1, &[1, 2, 3, 4, 9], &texts, None);
        assert_eq!(made, 0);
        assert!(Arc::ptr_eq(&same.bytes, &first.bytes));

        // One piece changed (longer), one removed, one added, order changed.
        texts.insert(5, "BETA, longer,");
        texts.insert(6, "delta,");
        let order = [1, 6, 5, 2, 9];
        let (next, made) = file(Some(&same), 2, &order, &texts, None);
        assert_eq!(made, 2);
        assert_eq!(*next.bytes, plain(&order, &texts));
        // And again from the splice, reusing the old buffer once nobody holds it.
        let order = [1, 2, 6, 9];
        let spare = Arc::clone(&first.bytes);
        drop((first, same));
        let (again, made) = file(Some(&next), 3, &order, &texts, Some(spare));
        assert_eq!(made, 0);
        assert_eq!(*again.bytes, plain(&order, &texts));
    }

    #[test]
    fn a_piece_made_again_with_the_same_bytes_keeps_the_file() {
        let mut texts: HashMap<u64, &'static str> = [(1, "a"), (2, "b"), (3, "c")].into();
        let (first, _) = file(None, 1, &[1, 2, 3], &texts, None);
        texts.insert(7, "b");
        let (next, made) = file(Some(&first), 2, &[1, 7, 3], &texts, None);
        assert_eq!(made, 1);
        assert!(Arc::ptr_eq(&next.bytes, &first.bytes));
        // Its new key is remembered: the next splice finds piece 7 in place.
        texts.insert(8, "d");
        let (last, made) = file(Some(&next), 3, &[1, 7, 8], &texts, None);
        assert_eq!(made, 1);
        assert_eq!(*last.bytes, b"abd");
    }
}
