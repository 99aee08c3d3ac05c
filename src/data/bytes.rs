//! A dataset as checksummed bytes: [`Dataset::to_bytes`] and [`Dataset::from_bytes`],
//! for caches, pickling (the Python bindings) and sending a validated dataset to
//! another process without reading its files again.
//!
//! The layout: the magic `KOCRDS03`, the body (every column of the catalogue,
//! promoters, orders and shares, in the model file's little-endian encoding,
//! `crate::codec`), and the CRC-32 of the body. Decoding checks the checksum, every
//! length against the bytes left and every index against the table it points into,
//! so damaged bytes are an error, never a panic or a dataset that breaks later.

use super::catalog::MAX_CATEGORY_DEPTH;
use super::{
    Catalog, Channel, Dataset, OrderStatus, Orders, Promoters, Seller, Shares, Taxonomy, NO_ID,
};
use crate::codec::{Dec, Enc};
use crate::error::{Error, Location, Result};
use std::sync::Arc;

const MAGIC: &[u8; 8] = b"KOCRDS03";

type R<T> = std::result::Result<T, String>;

impl Dataset {
    /// The dataset as bytes that [`Dataset::from_bytes`] reads back equal.
    ///
    /// ```
    /// let world = kocrank::synth::generate(kocrank::synth::Scale::Tiny, 3).unwrap();
    /// let bytes = world.dataset.to_bytes();
    /// let back = kocrank::Dataset::from_bytes(&bytes).unwrap();
    /// assert_eq!(back.orders, world.dataset.orders);
    /// assert!(kocrank::Dataset::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut e = Enc::default();
        let c = &self.catalog;
        e.ids(&c.ids);
        let levels: Vec<u32> = c.category.iter().flatten().copied().collect();
        e.u32s(&levels);
        e.ids(&c.taxonomy.paths);
        e.u8s(&c.taxonomy.depth);
        e.u32s(&c.brand);
        e.ids(&c.brands);
        e.i64s(&c.price_cents);
        e.u32s(&c.reviews_positive);
        e.u32s(&c.reviews_total);
        e.f32s(&c.commission_rate);
        codes(&mut e, &c.seller, &Seller::ALL);
        e.u8s(&c.in_stock.iter().map(|&b| u8::from(b)).collect::<Vec<_>>());
        opt_times(&mut e, &c.listed_at);

        let p = &self.promoters;
        e.ids(&p.ids);
        codes(&mut e, &p.channel, &Channel::ALL);
        e.u8s(&p.city_tier);
        opt_times(&mut e, &p.joined_at);
        let inviters: Vec<u32> = p.inviter.iter().map(|i| i.unwrap_or(NO_ID)).collect();
        e.u32s(&inviters);

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

/// Optional times: a presence byte column, then the values (0 where absent).
fn opt_times(e: &mut Enc, v: &[Option<i64>]) {
    e.u8s(&v.iter().map(|x| u8::from(x.is_some())).collect::<Vec<_>>());
    e.i64s(&v.iter().map(|x| x.unwrap_or(0)).collect::<Vec<_>>());
}

fn read_opt_times(d: &mut Dec<'_>, what: &str) -> R<Vec<Option<i64>>> {
    let present = d.u8s()?;
    let values = d.i64s()?;
    same_len(what, present.len(), values.len())?;
    Ok(present
        .iter()
        .zip(values)
        .map(|(&p, v)| (p != 0).then_some(v))
        .collect())
}

fn same_len(what: &str, want: usize, got: usize) -> R<()> {
    if want == got {
        Ok(())
    } else {
        Err(format!("{what}: {got} values for {want} rows"))
    }
}

/// Every index of `v` is below `n` (or `NO_ID` where `absent_ok`).
fn in_range(what: &str, v: &[u32], n: usize, absent_ok: bool) -> R<()> {
    match v
        .iter()
        .find(|&&x| !(absent_ok && x == NO_ID) && x as usize >= n)
    {
        Some(x) => Err(format!("{what}: index {x} is outside 0..{n}")),
        None => Ok(()),
    }
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

    let ids = d.ids("item")?;
    let n_items = ids.len();
    let levels = d.u32s()?;
    if levels.len() % MAX_CATEGORY_DEPTH != 0 {
        return Err(format!(
            "{} category levels are not whole paths",
            levels.len()
        ));
    }
    let category: Vec<[u32; 3]> = levels
        .chunks_exact(MAX_CATEGORY_DEPTH)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    let paths = d.ids("category")?;
    let depth = d.u8s()?;
    same_len("category depths", paths.len(), depth.len())?;
    let catalog = Catalog {
        category,
        taxonomy: Taxonomy { paths, depth },
        brand: d.u32s()?,
        brands: d.ids("brand")?,
        price_cents: d.i64s()?,
        reviews_positive: d.u32s()?,
        reviews_total: d.u32s()?,
        commission_rate: d.f32s()?,
        seller: read_codes(&mut d, &Seller::ALL, "item sellers")?,
        in_stock: d.u8s()?.into_iter().map(|b| b != 0).collect(),
        listed_at: read_opt_times(&mut d, "item listing times")?,
        ids,
    };
    let c = &catalog;
    for (what, n) in [
        ("item categories", c.category.len()),
        ("item brands", c.brand.len()),
        ("item prices", c.price_cents.len()),
        ("item positive reviews", c.reviews_positive.len()),
        ("item reviews", c.reviews_total.len()),
        ("item commission rates", c.commission_rate.len()),
        ("item sellers", c.seller.len()),
        ("item stock flags", c.in_stock.len()),
        ("item listing times", c.listed_at.len()),
    ] {
        same_len(what, n_items, n)?;
    }
    let n_paths = c.taxonomy.paths.len();
    for levels in &c.category {
        in_range("item categories", levels, n_paths, true)?;
    }
    in_range("item brands", &c.brand, c.brands.len(), false)?;

    let ids = d.ids("promoter")?;
    let n_promoters = ids.len();
    let promoters = Promoters {
        channel: read_codes(&mut d, &Channel::ALL, "promoter channels")?,
        city_tier: d.u8s()?,
        joined_at: read_opt_times(&mut d, "promoter join times")?,
        inviter: d
            .u32s()?
            .into_iter()
            .map(|i| (i != NO_ID).then_some(i))
            .collect(),
        ids,
    };
    let p = &promoters;
    for (what, n) in [
        ("promoter channels", p.channel.len()),
        ("promoter city tiers", p.city_tier.len()),
        ("promoter join times", p.joined_at.len()),
        ("promoter inviters", p.inviter.len()),
    ] {
        same_len(what, n_promoters, n)?;
    }
    let inviters: Vec<u32> = p.inviter.iter().flatten().copied().collect();
    in_range("promoter inviters", &inviters, n_promoters, false)?;
    if let Some(t) = p.city_tier.iter().find(|&&t| t > 6) {
        return Err(format!("city tier {t} is outside 0..=6"));
    }

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
    let o = &orders;
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
        same_len(what, n_orders, n)?;
    }
    if !o.weight.is_empty() {
        same_len("order weights", n_orders, o.weight.len())?;
    }
    if let Some(w) = o.weight.iter().find(|w| !w.is_finite() || **w < 0.0) {
        return Err(format!("order weight {w} is not a finite number ≥ 0"));
    }
    in_range("order promoters", &o.promoter, n_promoters, false)?;
    in_range("order items", &o.item, n_items, false)?;
    in_range("order ids", &o.order_id, o.order_ids.len(), true)?;
    in_range("order buyers", &o.buyer, o.buyer_ids.len(), true)?;
    in_range("order groups", &o.group, o.group_ids.len(), true)?;

    let shares = Shares {
        promoter: d.u32s()?,
        item: d.u32s()?,
        ts: d.i64s()?,
        group: d.u32s()?,
        group_ids: d.ids("share group")?,
        receiver: d.u32s()?,
    };
    let s = &shares;
    let n_shares = s.promoter.len();
    same_len("share items", n_shares, s.item.len())?;
    same_len("share times", n_shares, s.ts.len())?;
    same_len("share groups", n_shares, s.group.len())?;
    if !s.receiver.is_empty() {
        same_len("share receivers", n_shares, s.receiver.len())?;
    }
    in_range("share promoters", &s.promoter, n_promoters, false)?;
    in_range("share items", &s.item, n_items, false)?;
    in_range("share groups", &s.group, s.group_ids.len(), true)?;
    in_range("share receivers", &s.receiver, n_promoters, true)?;
    d.finish()?;
    Ok(Dataset {
        catalog: Arc::new(catalog),
        promoters: Arc::new(promoters),
        orders,
        shares,
    })
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
