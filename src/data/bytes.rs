//! A dataset as checksummed bytes: [`Dataset::to_bytes`] and [`Dataset::from_bytes`],
//! for caches, pickling (the Python bindings) and sending a validated dataset to
//! another process without reading its files again.
//!
//! The layout: the magic `KOCRDS03`, the body (the catalogue and the promoters as the
//! model file's sections store them, which [`encode_catalog`] and friends write for
//! both, then every column of the orders and shares, in `crate::codec`'s little-endian
//! encoding), and the CRC-32 of the body. Decoding checks the checksum, every
//! length against the bytes left and every index against the table it points into,
//! so damaged bytes are an error, never a panic or a dataset that breaks later.

use super::time::check_ts;
use super::{
    Catalog, Channel, Dataset, IdMap, OrderStatus, Orders, Promoters, Seller, Shares, Taxonomy,
    NO_ID,
};
use crate::codec::{Dec, Enc};
use crate::error::{Error, Location, Result};
use std::sync::Arc;

/// An absent optional time in the encoding.
const NONE_TS: i64 = i64::MIN;
/// An absent inviter in the encoding.
const NO_INVITER: u32 = u32::MAX;

const MAGIC: &[u8; 8] = b"KOCRDS03";

type R<T> = std::result::Result<T, String>;

impl Dataset {
    /// The dataset as bytes that [`Dataset::from_bytes`] reads back equal.
    ///
    /// ```
    /// let world = kocrank::synth::generate(kocrank::synth::Scale::Tiny, 3).unwrap();
    /// let bytes = world.dataset.to_bytes();
    /// let back = kocrank::Dataset::from_bytes(&bytes).unwrap();
    /// assert_eq!(back.orders(), world.dataset.orders());
    /// assert!(kocrank::Dataset::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut e = Enc::default();
        // The catalogue and promoters as the model file stores them.
        e.u8s(&encode_catalog(&self.catalog));
        e.u8s(&encode_promoters(&self.promoters));

        let o = &self.orders;
        e.u32s(&o.promoter);
        e.u32s(&o.item);
        e.i64s(&o.ts);
        e.u32s(&o.quantity);
        e.i64s(&o.amount_cents);
        codes(&mut e, &o.status, &OrderStatus::ALL);
        e.u32s(&o.order_id);
        e.u32s(&o.buyer);
        e.u32s(&o.group);
        e.f32s(&o.weight);
        e.ids(&o.order_ids);
        e.ids(&o.buyer_ids);
        e.ids(&o.group_ids);

        let s = &self.shares;
        e.u32s(&s.promoter);
        e.u32s(&s.item);
        e.i64s(&s.ts);
        e.u32s(&s.group);
        e.ids(&s.group_ids);
        e.u32s(&s.receiver);

        let mut out = Vec::with_capacity(e.buf.len() + MAGIC.len() + 4);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&e.buf);
        out.extend_from_slice(&crc32fast::hash(&e.buf).to_le_bytes());
        out
    }

    /// A dataset from [`Dataset::to_bytes`]'s bytes.
    ///
    /// # Errors
    /// [`Error::InvalidData`] saying why the bytes are not a dataset: another magic, a
    /// checksum mismatch, a length or an index out of range.
    pub fn from_bytes(bytes: &[u8]) -> Result<Dataset> {
        decode(bytes).map_err(|m| Error::invalid(Location::source("dataset bytes"), m))
    }
}

/// An enum column as each value's position in `all` (its stable order).
fn codes<T: PartialEq>(e: &mut Enc, v: &[T], all: &[T]) {
    let c: Vec<u8> = v
        .iter()
        .map(|x| all.iter().position(|a| a == x).unwrap_or(0) as u8)
        .collect();
    e.u8s(&c);
}

fn read_codes<T: Copy>(d: &mut Dec<'_>, all: &[T], what: &str) -> R<Vec<T>> {
    d.u8s()?
        .into_iter()
        .map(|c| {
            all.get(usize::from(c))
                .copied()
                .ok_or_else(|| format!("{what}: code {c} is not one of the {} known", all.len()))
        })
        .collect()
}

/// Every index of `v` is below `n` (or `NO_ID` where `absent_ok`); the first that is
/// not is named with its row (from 1).
fn in_range(what: &str, v: &[u32], n: usize, absent_ok: bool) -> R<()> {
    match v
        .iter()
        .position(|&x| !(absent_ok && x == NO_ID) && x as usize >= n)
    {
        Some(r) => Err(format!(
            "{what}: index {} at row {} is outside 0..{n}",
            v[r],
            r + 1
        )),
        None => Ok(()),
    }
}

fn opt_ts(v: &[Option<i64>]) -> Vec<i64> {
    v.iter().map(|t| t.unwrap_or(NONE_TS)).collect()
}

pub(crate) fn encode_catalog(c: &Catalog) -> Vec<u8> {
    let mut e = Enc::default();
    e.ids(&c.ids);
    e.ids(&c.taxonomy.paths);
    e.u8s(&c.taxonomy.depth);
    let flat: Vec<u32> = c.category.iter().flatten().copied().collect();
    e.u32s(&flat);
    e.ids(&c.brands);
    e.u32s(&c.brand);
    e.i64s(&c.price_cents);
    e.u32s(&c.reviews_positive);
    e.u32s(&c.reviews_total);
    e.f32s(&c.commission_rate);
    e.u8s(&c.seller.iter().map(|s| *s as u8).collect::<Vec<_>>());
    e.u8s(&c.in_stock.iter().map(|&b| u8::from(b)).collect::<Vec<_>>());
    e.i64s(&opt_ts(&c.listed_at));
    e.buf
}

pub(crate) fn check_len(what: &str, got: usize, want: usize) -> R<()> {
    if got == want {
        Ok(())
    } else {
        Err(format!("column {what} has {got} values, expected {want}"))
    }
}

pub(crate) fn decode_catalog(b: &[u8]) -> R<Catalog> {
    let mut d = Dec::new(b, "catalog");
    let ids = d.ids("item")?;
    let n = ids.len();
    let paths = d.ids("category")?;
    let depth = d.u8s()?;
    let flat = d.u32s()?;
    // Before `chunks_exact`, which would drop a ragged tail; the other lengths and
    // every index are checked on the built catalogue (`check_catalog`).
    check_len("category", flat.len(), n * 3)?;
    let category = flat.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect();
    let brands = d.ids("brand")?;
    let brand = d.u32s()?;
    let price_cents = d.i64s()?;
    let reviews_positive = d.u32s()?;
    let reviews_total = d.u32s()?;
    let commission_rate = d.f32s()?;
    let seller_raw = d.u8s()?;
    let stock_raw = d.u8s()?;
    let listed = d.i64s()?;
    d.finish()?;
    if commission_rate.iter().any(|r| !(0.0..=1.0).contains(r)) {
        return Err("a commission rate is outside [0, 1]".into());
    }
    check_opt_times(&listed, "item", "listed")?;
    if reviews_positive
        .iter()
        .zip(&reviews_total)
        .any(|(p, t)| p > t)
    {
        return Err("an item has more positive reviews than reviews".into());
    }
    let seller = seller_raw
        .iter()
        .map(|&s| match s {
            0 => Ok(Seller::SelfOperated),
            1 => Ok(Seller::Marketplace),
            x => Err(format!("seller code {x} is unknown")),
        })
        .collect::<R<_>>()?;
    let catalog = Catalog {
        ids,
        category,
        taxonomy: Taxonomy { paths, depth },
        brand,
        brands,
        price_cents,
        reviews_positive,
        reviews_total,
        commission_rate,
        seller,
        in_stock: stock_raw.iter().map(|&b| b != 0).collect(),
        listed_at: listed
            .iter()
            .map(|&t| (t != NONE_TS).then_some(t))
            .collect(),
    };
    check_catalog(&catalog)?;
    Ok(catalog)
}

/// Optional times (`NONE_TS` = absent) must lie in 1970..2100, as ingest requires.
fn check_opt_times(ts: &[i64], row: &str, what: &str) -> R<()> {
    match ts
        .iter()
        .enumerate()
        .find(|(_, &t)| t != NONE_TS && check_ts(t).is_err())
    {
        Some((i, t)) => Err(format!(
            "{row} {i} {what} at timestamp {t}, outside 1970..2100"
        )),
        None => Ok(()),
    }
}

pub(crate) fn encode_promoters(p: &Promoters) -> Vec<u8> {
    let mut e = Enc::default();
    e.ids(&p.ids);
    e.u8s(
        &p.channel
            .iter()
            .map(|c| c.index() as u8)
            .collect::<Vec<_>>(),
    );
    e.u8s(&p.city_tier);
    e.i64s(&opt_ts(&p.joined_at));
    e.u32s(
        &p.inviter
            .iter()
            .map(|i| i.unwrap_or(NO_INVITER))
            .collect::<Vec<_>>(),
    );
    e.buf
}

pub(crate) fn decode_promoters(b: &[u8]) -> R<Promoters> {
    let mut d = Dec::new(b, "promoters");
    let ids = d.ids("promoter")?;
    let n = ids.len();
    let ch = d.u8s()?;
    let city_tier = d.u8s()?;
    let joined = d.i64s()?;
    let inv = d.u32s()?;
    d.finish()?;
    for (what, len) in [
        ("channel", ch.len()),
        ("city_tier", city_tier.len()),
        ("joined_at", joined.len()),
        ("inviter", inv.len()),
    ] {
        check_len(what, len, n)?;
    }
    check_opt_times(&joined, "promoter", "joined")?;
    let channel = ch
        .iter()
        .map(|&c| {
            Channel::ALL
                .get(c as usize)
                .copied()
                .ok_or_else(|| format!("channel code {c} is unknown"))
        })
        .collect::<R<_>>()?;
    if let Some(t) = city_tier.iter().find(|&&t| t > 6) {
        return Err(format!("city tier {t} is outside 0..=6"));
    }
    let inviter = inv
        .iter()
        .map(|&i| match i {
            NO_INVITER => Ok(None),
            i if (i as usize) < n => Ok(Some(i)),
            i => Err(format!("inviter index {i} is out of range ({n} promoters)")),
        })
        .collect::<R<_>>()?;
    Ok(Promoters {
        ids: IdMap::clone(&ids),
        channel,
        city_tier,
        joined_at: joined
            .iter()
            .map(|&t| (t != NONE_TS).then_some(t))
            .collect(),
        inviter,
    })
}

fn decode(bytes: &[u8]) -> R<Dataset> {
    if bytes.len() < MAGIC.len() + 4 || !bytes.starts_with(MAGIC) {
        return Err(format!(
            "not the bytes of a kocrank dataset (no {} header)",
            String::from_utf8_lossy(MAGIC)
        ));
    }
    let (body, crc) = bytes[MAGIC.len()..].split_at(bytes.len() - MAGIC.len() - 4);
    if crc32fast::hash(body).to_le_bytes() != crc {
        return Err("checksum mismatch: the bytes are damaged".into());
    }
    let mut d = Dec::new(body, "dataset");

    let catalog = decode_catalog(&d.u8s()?)?;
    let promoters = decode_promoters(&d.u8s()?)?;
    let (n_items, n_promoters) = (catalog.len(), promoters.len());

    let orders = Orders {
        promoter: d.u32s()?,
        item: d.u32s()?,
        ts: d.i64s()?,
        quantity: d.u32s()?,
        amount_cents: d.i64s()?,
        status: read_codes(&mut d, &OrderStatus::ALL, "order statuses")?,
        order_id: d.u32s()?,
        buyer: d.u32s()?,
        group: d.u32s()?,
        weight: d.f32s()?,
        order_ids: d.ids("order")?,
        buyer_ids: d.ids("buyer")?,
        group_ids: d.ids("group")?,
    };
    check_orders(&orders, n_items, n_promoters)?;

    let shares = Shares {
        promoter: d.u32s()?,
        item: d.u32s()?,
        ts: d.i64s()?,
        group: d.u32s()?,
        group_ids: d.ids("share group")?,
        receiver: d.u32s()?,
    };
    check_shares(&shares, n_items, n_promoters)?;
    d.finish()?;
    Ok(Dataset {
        catalog: Arc::new(catalog),
        promoters: Arc::new(promoters),
        orders,
        shares,
    })
}

/// The order log fits the tables: every column as long as the log, every index in
/// range, every weight finite and ≥ 0.
pub(crate) fn check_orders(o: &Orders, n_items: usize, n_promoters: usize) -> R<()> {
    let n_orders = o.promoter.len();
    for (what, n) in [
        ("order items", o.item.len()),
        ("order times", o.ts.len()),
        ("order quantities", o.quantity.len()),
        ("order amounts", o.amount_cents.len()),
        ("order statuses", o.status.len()),
        ("order ids", o.order_id.len()),
        ("order buyers", o.buyer.len()),
        ("order groups", o.group.len()),
    ] {
        check_len(what, n, n_orders)?;
    }
    if !o.weight.is_empty() {
        check_len("order weights", o.weight.len(), n_orders)?;
    }
    if let Some(w) = o.weight.iter().find(|w| !w.is_finite() || **w < 0.0) {
        return Err(format!("order weight {w} is not a finite number ≥ 0"));
    }
    in_range("order promoters", &o.promoter, n_promoters, false)?;
    in_range("order items", &o.item, n_items, false)?;
    in_range("order ids", &o.order_id, o.order_ids.len(), true)?;
    in_range("order buyers", &o.buyer, o.buyer_ids.len(), true)?;
    in_range("order groups", &o.group, o.group_ids.len(), true)
}

/// The share log fits the tables, as [`check_orders`].
pub(crate) fn check_shares(s: &Shares, n_items: usize, n_promoters: usize) -> R<()> {
    let n_shares = s.promoter.len();
    check_len("share items", s.item.len(), n_shares)?;
    check_len("share times", s.ts.len(), n_shares)?;
    check_len("share groups", s.group.len(), n_shares)?;
    if !s.receiver.is_empty() {
        check_len("share receivers", s.receiver.len(), n_shares)?;
    }
    in_range("share promoters", &s.promoter, n_promoters, false)?;
    in_range("share items", &s.item, n_items, false)?;
    in_range("share groups", &s.group, s.group_ids.len(), true)?;
    in_range("share receivers", &s.receiver, n_promoters, true)
}

/// The catalogue's columns are as long as its ids, and its category and brand
/// indices in range.
pub(crate) fn check_catalog(c: &Catalog) -> R<()> {
    let n = c.ids.len();
    for (what, len) in [
        ("category", c.category.len()),
        ("brand", c.brand.len()),
        ("price", c.price_cents.len()),
        ("reviews_positive", c.reviews_positive.len()),
        ("reviews_total", c.reviews_total.len()),
        ("commission_rate", c.commission_rate.len()),
        ("seller", c.seller.len()),
        ("in_stock", c.in_stock.len()),
        ("listed_at", c.listed_at.len()),
    ] {
        check_len(what, len, n)?;
    }
    check_len(
        "category depth",
        c.taxonomy.depth.len(),
        c.taxonomy.paths.len(),
    )?;
    let flat: Vec<u32> = c.category.iter().flatten().copied().collect();
    in_range("categories", &flat, c.taxonomy.paths.len(), true)?;
    in_range("brands", &c.brand, c.brands.len(), false)
}

/// The promoter table's columns are as long as its ids, and every inviter is one of
/// them.
pub(crate) fn check_promoters(p: &Promoters) -> R<()> {
    let n = p.ids.len();
    for (what, len) in [
        ("channel", p.channel.len()),
        ("city_tier", p.city_tier.len()),
        ("joined_at", p.joined_at.len()),
        ("inviter", p.inviter.len()),
    ] {
        check_len(what, len, n)?;
    }
    let inviters: Vec<u32> = p.inviter.iter().flatten().copied().collect();
    in_range("inviters", &inviters, n, false)
}

impl Dataset {
    /// Checks that the tables fit together: every column as long as its table, every
    /// item, promoter, category, brand, inviter and id index in range. Every way to
    /// make a dataset runs it ([`Dataset::new`] over tables built by hand); training
    /// and evaluation run it again, as it is cheap beside a fit.
    pub(crate) fn check(&self) -> Result<()> {
        let (n_items, n_promoters) = (self.catalog.len(), self.promoters.len());
        check_catalog(&self.catalog)
            .and_then(|()| check_promoters(&self.promoters))
            .and_then(|()| check_orders(&self.orders, n_items, n_promoters))
            .and_then(|()| check_shares(&self.shares, n_items, n_promoters))
            .map_err(|m| Error::invalid(Location::source("dataset"), m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{DatasetBuilder, ItemRecord, OrderRecord, PromoterRecord, ShareRecord};

    fn small() -> Dataset {
        let mut b = DatasetBuilder::new();
        for (id, cat) in [("a", "fresh/fruit"), ("b", "frozen/ICE \\/ CUBED")] {
            b.push_item(&ItemRecord {
                item_id: id,
                category: Some(cat),
                ..Default::default()
            })
            .unwrap();
        }
        for (id, inviter) in [("p", None), ("q", Some("p"))] {
            b.push_promoter(&PromoterRecord {
                promoter_id: id,
                inviter_id: inviter,
                joined_at: Some(1_600_000_000),
                ..Default::default()
            })
            .unwrap();
        }
        b.push_order(&OrderRecord {
            promoter_id: "q",
            item_id: "b",
            ts: 1_700_000_000,
            weight: Some(2.0),
            order_id: Some("o1"),
            ..Default::default()
        })
        .unwrap();
        b.push_share(&ShareRecord {
            promoter_id: "p",
            item_id: "a",
            ts: 1_700_000_000,
            receiver_id: Some("q"),
            ..Default::default()
        })
        .unwrap();
        b.finish().unwrap()
    }

    #[test]
    fn bytes_round_trip_every_column() {
        let d = small();
        let back = Dataset::from_bytes(&d.to_bytes()).unwrap();
        assert_eq!(*back.catalog, *d.catalog);
        assert_eq!(*back.promoters, *d.promoters);
        assert_eq!(back.orders, d.orders);
        assert_eq!(back.shares, d.shares);
    }

    #[test]
    fn any_damaged_byte_is_an_error_never_a_panic() {
        let bytes = small().to_bytes();
        let body = MAGIC.len()..bytes.len() - 4;
        for at in 0..bytes.len() {
            for flip in [0x01u8, 0x80, 0xFF] {
                let mut b = bytes.clone();
                b[at] ^= flip;
                // Damage the body behind a valid checksum too, so decoding itself is
                // exercised, not only the checksum.
                if body.contains(&at) {
                    let crc = crc32fast::hash(&b[body.clone()]).to_le_bytes();
                    let n = b.len();
                    b[n - 4..].copy_from_slice(&crc);
                }
                let _ = Dataset::from_bytes(&b);
            }
            assert!(Dataset::from_bytes(&bytes[..at]).is_err());
        }
    }
}
