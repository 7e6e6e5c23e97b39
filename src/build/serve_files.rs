//! `serve`'s site feed, `versions.json` and sitemap: spliced from the previous build's files
//! (see `render_cache::Pieces`), so a save costs the policies it changed, not the site.
//!
//! Each file is the same sequence of pieces a plain build writes (see `feeds` and
//! `site_files`): a head, each policy's part or entries, a tail. A policy's pieces are keyed
//! by what the policy is made from (its cache key, or its feed entries' key), the rest by their
//! own bytes, which are few and small.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::Datelike;

use super::BuildError;
use super::policy::PolicyOutput;
use super::site_files::{self, SitemapPiece};
use super::writer::Writer;
use crate::feeds;
use crate::render_cache::{Key, PieceKey, Pieces, RenderCache};
use crate::site::SitePlan;

/// Each built policy with its cache key.
pub(super) type KeyedPolicies = [(Arc<PolicyOutput>, Option<Key>)];

/// Writes the three files. `None` when a policy lacks its kept parts (never, in `serve`): the
/// caller then writes them as a plain build does.
pub(super) fn write(
    plan: &SitePlan,
    policies: &KeyedPolicies,
    writer: &Writer,
    cache: &RenderCache,
    shared: Key,
) -> Option<Result<(), BuildError>> {
    let parts: Vec<(Key, &super::policy::SiteParts)> = policies
        .iter()
        .map(|(built, key)| Some(((*key)?, built.site_parts.as_ref()?)))
        .collect::<Option<_>>()?;
    let feed_keys: Vec<Key> = policies
        .iter()
        .map(|(built, _)| built.feed_key)
        .collect::<Option<_>>()?;
    let files = [
        ("feed.xml", site_feed(plan, &feed_keys, cache, shared)),
        ("versions.json", versions_json(plan, &parts, cache)),
        ("sitemap.xml", sitemap(plan, &parts, cache)),
    ];
    Some(
        files.into_iter().try_for_each(|(name, bytes)| {
            writer.group(&Arc::new(vec![(name.to_string(), bytes?)]))
        }),
    )
}

fn bytes_key(cache: &RenderCache, bytes: &str) -> PieceKey {
    (cache.hasher().part(bytes.as_bytes()).finish(), 0)
}

/// Entries keyed by their policy's feed key and their date (a policy has one version a day).
fn site_feed(
    plan: &SitePlan,
    feed_keys: &[Key],
    cache: &RenderCache,
    shared: Key,
) -> Result<Arc<Vec<u8>>, BuildError> {
    // The entries, the site's title and language and `base_url` are all the feed reads.
    let mut whole = cache.hasher();
    whole.part(b"feed.xml").part(&shared.bytes());
    for key in feed_keys {
        whole.part(&key.bytes());
    }
    Ok(cache.spliced("feed.xml", whole.finish(), || {
        let order = feeds::site_feed_order(plan);
        let head = feeds::site_feed_head(plan, &order);
        let mut keys = Vec::with_capacity(order.len() + 2);
        keys.push(bytes_key(cache, &head));
        keys.extend(
            order
                .iter()
                .map(|&(date, p, _)| (feed_keys[p], date.num_days_from_ce() as u64)),
        );
        keys.push(bytes_key(cache, feeds::ATOM_TAIL));
        let last = keys.len() - 1;
        Pieces {
            keys,
            make: Box::new(move |i| match i {
                0 => Cow::Owned(head.clone().into_bytes()),
                i if i == last => Cow::Borrowed(feeds::ATOM_TAIL.as_bytes()),
                i => {
                    let (_, p, index) = order[i - 1];
                    Cow::Owned(feeds::site_feed_entry(plan, p, index).into_bytes())
                }
            }),
        }
    }))
}

/// Each policy's object keyed by the policy's key (and whether a separator goes before it).
fn versions_json(
    plan: &SitePlan,
    parts: &[(Key, &super::policy::SiteParts)],
    cache: &RenderCache,
) -> Result<Arc<Vec<u8>>, BuildError> {
    let (head, tail) = feeds::versions_json_frame(plan)
        .map_err(|e| BuildError::Io(format!("cannot write versions.json: {e}")))?;
    let mut whole = cache.hasher();
    whole.part(b"versions.json").part(head.as_bytes());
    for (key, _) in parts {
        whole.part(&key.bytes());
    }
    Ok(cache.spliced("versions.json", whole.finish(), || {
        let mut keys = Vec::with_capacity(parts.len() + 2);
        keys.push(bytes_key(cache, &head));
        keys.extend(
            parts
                .iter()
                .enumerate()
                .map(|(p, (key, _))| (*key, u64::from(p > 0))),
        );
        keys.push(bytes_key(cache, tail));
        let last = keys.len() - 1;
        Pieces {
            keys,
            make: Box::new(move |i| match i {
                0 => Cow::Owned(head.clone().into_bytes()),
                i if i == last => Cow::Borrowed(tail.as_bytes()),
                1 => Cow::Borrowed(parts[0].1.versions_json.as_bytes()),
                i => Cow::Owned(
                    [
                        feeds::VERSIONS_JSON_SEPARATOR,
                        parts[i - 1].1.versions_json.as_str(),
                    ]
                    .concat()
                    .into_bytes(),
                ),
            }),
        }
    }))
}

/// Each policy's part keyed by the policy's key; the site's own pages by their bytes.
fn sitemap(
    plan: &SitePlan,
    parts: &[(Key, &super::policy::SiteParts)],
    cache: &RenderCache,
) -> Result<Arc<Vec<u8>>, BuildError> {
    let pieces = site_files::sitemap_pieces(plan);
    let keys: Vec<PieceKey> = std::iter::once(bytes_key(cache, site_files::SITEMAP_HEAD))
        .chain(pieces.iter().map(|piece| match piece {
            SitemapPiece::Page(xml) => bytes_key(cache, xml),
            SitemapPiece::Policy(p) => (parts[*p].0, 0),
        }))
        .chain(std::iter::once(bytes_key(cache, site_files::SITEMAP_TAIL)))
        .collect();
    let mut whole = cache.hasher();
    whole.part(b"sitemap.xml");
    for (key, n) in &keys {
        whole.part(&key.bytes()).part(&n.to_le_bytes());
    }
    let last = keys.len() - 1;
    Ok(cache.spliced("sitemap.xml", whole.finish(), || Pieces {
        keys,
        make: Box::new(move |i| match i {
            0 => Cow::Borrowed(site_files::SITEMAP_HEAD.as_bytes()),
            i if i == last => Cow::Borrowed(site_files::SITEMAP_TAIL.as_bytes()),
            i => match &pieces[i - 1] {
                SitemapPiece::Page(xml) => Cow::Owned(xml.clone().into_bytes()),
                SitemapPiece::Policy(p) => Cow::Borrowed(parts[*p].1.sitemap.as_bytes()),
            },
        }),
    }))
}
