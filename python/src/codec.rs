//! A dataset and its load report as bytes, for pickling (`Dataset.to_bytes`).
//!
//! The layout: the magic `KOCRDS02`, the body (every column of the catalogue,
//! promoters, orders and shares, then the load report), and the CRC-32 of the body.
//! Lengths are little-endian `u64`, numbers little-endian. Decoding checks the
//! checksum, every length against the bytes left, and every index against the table it
//! points into, so damaged bytes are an error, never a panic or a dataset that breaks
//! later.

use crate::frames::{reason_code, LoadReport, Reject, TableCounts};
use kocrank::data::{
    Catalog, Channel, IdMap, OrderStatus, Orders, Promoters, Seller, Shares, Taxonomy, NO_ID,
};
use kocrank::Dataset;
use std::sync::Arc;

/// Version 2 added the orders' weights.
const MAGIC: &[u8; 8] = b"KOCRDS02";

const CHANNELS: [&str; 6] = [
    "mother",
    "reseller",
    "courier",
    "service_worker",
    "shop_guide",
    "other",
];
const SELLERS: [&str; 2] = ["self_operated", "marketplace"];
/// Every order status by the core's stable order (views and carts included).
const STATUSES: [&str; OrderStatus::ALL.len()] = {
    let mut names = [""; OrderStatus::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = OrderStatus::ALL[i].as_str();
        i += 1;
    }
    names
};
const TABLES: [&str; 4] = ["items", "promoters", "orders", "shares"];

#[derive(Default)]
struct Enc {
    buf: Vec<u8>,
}

impl Enc {
    fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }
    fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.buf.extend_from_slice(b);
    }
    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    fn u8s(&mut self, v: impl ExactSizeIterator<Item = u8>) {
        self.len(v.len());
        self.buf.extend(v);
    }
    fn u32s(&mut self, v: &[u32]) {
        self.len(v.len());
        for x in v {
            self.buf.extend_from_slice(&x.to_le_bytes());
        }
    }
    fn i64s(&mut self, v: impl ExactSizeIterator<Item = i64>) {
        self.len(v.len());
        for x in v {
            self.buf.extend_from_slice(&x.to_le_bytes());
        }
    }
    fn f32s(&mut self, v: &[f32]) {
        self.len(v.len());
        for x in v {
            self.buf.extend_from_slice(&x.to_le_bytes());
        }
    }
    /// Optional times: a presence byte column, then the values (0 where absent).
    fn opt_i64s(&mut self, v: &[Option<i64>]) {
        self.u8s(v.iter().map(|x| u8::from(x.is_some())));
        self.i64s(v.iter().map(|x| x.unwrap_or(0)));
    }
    fn ids(&mut self, m: &IdMap) {
        self.len(m.len());
        for name in m.names() {
            self.str(name);
        }
    }
    /// An enum column as its position in `names`.
    fn codes<T: Copy>(&mut self, v: &[T], names: &[&str], name_of: impl Fn(T) -> &'static str) {
        self.u8s(v.iter().map(|&x| {
            let n = name_of(x);
            names.iter().position(|&m| m == n).unwrap_or(0) as u8
        }));
    }
}

/// Reads the body back; every error is the reason the bytes are not a dataset.
struct Dec<'a> {
    rest: &'a [u8],
}

type R<T> = Result<T, String>;

impl<'a> Dec<'a> {
    fn take(&mut self, n: usize) -> R<&'a [u8]> {
        if n > self.rest.len() {
            return Err(format!(
                "truncated: {n} bytes wanted, {} left",
                self.rest.len()
            ));
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }
    fn u64(&mut self) -> R<u64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    /// A count of elements of `width` bytes each, checked against the bytes left.
    fn len(&mut self, width: usize) -> R<usize> {
        let n = self.u64()?;
        let n = usize::try_from(n).map_err(|_| format!("length {n} is too large"))?;
        if n.saturating_mul(width.max(1)) > self.rest.len() {
            return Err(format!(
                "a length of {n} is more than the bytes left ({})",
                self.rest.len()
            ));
        }
        Ok(n)
    }
    fn str(&mut self) -> R<String> {
        let n = self.len(1)?;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| "an id is not UTF-8".to_string())
    }
    fn u8s(&mut self) -> R<Vec<u8>> {
        let n = self.len(1)?;
        Ok(self.take(n)?.to_vec())
    }
    fn u32s(&mut self) -> R<Vec<u32>> {
        let n = self.len(4)?;
        let b = self.take(n * 4)?;
        Ok(b.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
    fn i64s(&mut self) -> R<Vec<i64>> {
        let n = self.len(8)?;
        let b = self.take(n * 8)?;
        Ok(b.chunks_exact(8)
            .map(|c| {
                let mut a = [0u8; 8];
                a.copy_from_slice(c);
                i64::from_le_bytes(a)
            })
            .collect())
    }
    fn f32s(&mut self) -> R<Vec<f32>> {
        let n = self.len(4)?;
        let b = self.take(n * 4)?;
        Ok(b.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
    fn opt_i64s(&mut self) -> R<Vec<Option<i64>>> {
        let present = self.u8s()?;
        let values = self.i64s()?;
        same_len("optional times", present.len(), values.len())?;
        Ok(present
            .iter()
            .zip(values)
            .map(|(&p, v)| (p != 0).then_some(v))
            .collect())
    }
    fn ids(&mut self) -> R<IdMap> {
        let n = self.len(8)?;
        let mut names = Vec::with_capacity(n);
        for _ in 0..n {
            names.push(self.str()?);
        }
        IdMap::from_ids(&names).map_err(|id| format!("id \"{id}\" repeats"))
    }
    fn codes<T: Copy>(
        &mut self,
        names: &[&str],
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> R<Vec<T>> {
        let table = names.iter().map(|n| parse(n)).collect::<R<Vec<T>>>()?;
        self.u8s()?
            .into_iter()
            .map(|c| {
                table
                    .get(usize::from(c))
                    .copied()
                    .ok_or_else(|| format!("code {c} is not one of {}", names.join(", ")))
            })
            .collect()
    }
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

/// The dataset and its load report as bytes.
pub fn to_bytes(ds: &Dataset, report: &LoadReport) -> Vec<u8> {
    let mut e = Enc::default();
    let c = &ds.catalog;
    e.ids(&c.ids);
    e.len(c.category.len());
    for levels in &c.category {
        for &l in levels {
            e.buf.extend_from_slice(&l.to_le_bytes());
        }
    }
    e.ids(&c.taxonomy.paths);
    e.u8s(c.taxonomy.depth.iter().copied());
    e.u32s(&c.brand);
    e.ids(&c.brands);
    e.i64s(c.price_cents.iter().copied());
    e.u32s(&c.reviews_positive);
    e.u32s(&c.reviews_total);
    e.f32s(&c.commission_rate);
    e.codes(&c.seller, &SELLERS, Seller::as_str);
    e.u8s(c.in_stock.iter().map(|&b| u8::from(b)));
    e.opt_i64s(&c.listed_at);

    let p = &ds.promoters;
    e.ids(&p.ids);
    e.codes(&p.channel, &CHANNELS, Channel::as_str);
    e.u8s(p.city_tier.iter().copied());
    e.opt_i64s(&p.joined_at);
    e.u32s(
        &p.inviter
            .iter()
            .map(|i| i.unwrap_or(NO_ID))
            .collect::<Vec<_>>(),
    );

    let o = &ds.orders;
    e.u32s(&o.promoter);
    e.u32s(&o.item);
    e.i64s(o.ts.iter().copied());
    e.u32s(&o.quantity);
    e.i64s(o.amount_cents.iter().copied());
    e.codes(&o.status, &STATUSES, OrderStatus::as_str);
    e.u32s(&o.order_id);
    e.u32s(&o.buyer);
    e.u32s(&o.group);
    e.f32s(&o.weight);
    e.ids(&o.order_ids);
    e.ids(&o.buyer_ids);
    e.ids(&o.group_ids);

    let s = &ds.shares;
    e.u32s(&s.promoter);
    e.u32s(&s.item);
    e.i64s(s.ts.iter().copied());
    e.u32s(&s.group);
    e.ids(&s.group_ids);
    e.u32s(&s.receiver);

    e.u8s(std::iter::once(u8::from(report.strict)));
    e.len(report.tables.len());
    for t in &report.tables {
        e.str(t.table);
        e.u64(t.read);
        e.u64(t.accepted);
        e.u64(t.rejected);
        e.len(t.ignored_columns.len());
        for col in &t.ignored_columns {
            e.str(col);
        }
    }
    e.len(report.rejects.len());
    for r in &report.rejects {
        e.str(r.table);
        e.u64(r.row);
        e.str(&r.column);
        e.str(&r.reason);
    }
    e.len(report.unresolved_inviters.len());
    for (promoter, inviter) in &report.unresolved_inviters {
        e.str(promoter);
        e.str(inviter);
    }

    let mut out = Vec::with_capacity(e.buf.len() + 12);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&e.buf);
    out.extend_from_slice(&crc32fast::hash(&e.buf).to_le_bytes());
    out
}

fn table_name(name: &str) -> R<&'static str> {
    TABLES
        .iter()
        .find(|&&t| t == name)
        .copied()
        .ok_or_else(|| format!("unknown table \"{name}\""))
}

/// A dataset and its load report from [`to_bytes`]'s bytes.
///
/// # Errors
/// Why the bytes are not a dataset: another magic, a checksum mismatch, a length or an
/// index out of range.
pub fn from_bytes(bytes: &[u8]) -> R<(Dataset, LoadReport)> {
    if bytes.len() < MAGIC.len() + 4 || !bytes.starts_with(MAGIC) {
        return Err("not the bytes of a kocrank dataset (no KOCRDS02 header)".into());
    }
    let (body, crc) = bytes[MAGIC.len()..].split_at(bytes.len() - MAGIC.len() - 4);
    if crc32fast::hash(body).to_le_bytes() != crc {
        return Err("checksum mismatch: the bytes are damaged".into());
    }
    let mut d = Dec { rest: body };

    let ids = d.ids()?;
    let n_items = ids.len();
    let n_levels = d.len(12)?;
    let mut category = Vec::with_capacity(n_levels);
    for _ in 0..n_levels {
        let mut levels = [0u32; 3];
        for l in &mut levels {
            let b = d.take(4)?;
            *l = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        }
        category.push(levels);
    }
    let paths = d.ids()?;
    let depth = d.u8s()?;
    same_len("category depths", paths.len(), depth.len())?;
    let taxonomy = Taxonomy { paths, depth };
    let catalog = Catalog {
        category,
        brand: d.u32s()?,
        brands: d.ids()?,
        price_cents: d.i64s()?,
        reviews_positive: d.u32s()?,
        reviews_total: d.u32s()?,
        commission_rate: d.f32s()?,
        seller: d.codes(&SELLERS, Seller::parse)?,
        in_stock: d.u8s()?.into_iter().map(|b| b != 0).collect(),
        listed_at: d.opt_i64s()?,
        taxonomy,
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

    let ids = d.ids()?;
    let n_promoters = ids.len();
    let promoters = Promoters {
        channel: d.codes(&CHANNELS, Channel::parse)?,
        city_tier: d.u8s()?,
        joined_at: d.opt_i64s()?,
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
        status: d.codes(&STATUSES, OrderStatus::parse)?,
        order_id: d.u32s()?,
        buyer: d.u32s()?,
        group: d.u32s()?,
        weight: d.f32s()?,
        order_ids: d.ids()?,
        buyer_ids: d.ids()?,
        group_ids: d.ids()?,
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
        group_ids: d.ids()?,
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

    let strict = d.u8s()?.first().copied().unwrap_or(1) != 0;
    let mut report = LoadReport {
        strict,
        ..LoadReport::default()
    };
    for _ in 0..d.len(8)? {
        let table = table_name(&d.str()?)?;
        let (read, accepted, rejected) = (d.u64()?, d.u64()?, d.u64()?);
        let mut ignored_columns = Vec::new();
        for _ in 0..d.len(8)? {
            ignored_columns.push(d.str()?);
        }
        report.tables.push(TableCounts {
            table,
            read,
            accepted,
            rejected,
            ignored_columns,
        });
    }
    for _ in 0..d.len(8)? {
        let table = table_name(&d.str()?)?;
        let row = d.u64()?;
        let column = d.str()?;
        let reason = d.str()?;
        report.rejects.push(Reject {
            table,
            row,
            column,
            code: reason_code(&reason),
            reason,
        });
    }
    for _ in 0..d.len(8)? {
        report.unresolved_inviters.push((d.str()?, d.str()?));
    }
    if !d.rest.is_empty() {
        return Err(format!("{} bytes after the end", d.rest.len()));
    }
    let dataset = Dataset {
        catalog: Arc::new(catalog),
        promoters: Arc::new(promoters),
        orders,
        shares,
    };
    Ok((dataset, report))
}
