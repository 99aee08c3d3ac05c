//! Writing datasets, ranked lists and rejects as CSV, Parquet or Arrow IPC.
//!
//! Every file is written atomically (a temporary file beside it, synced, then renamed), and
//! the same input always gives the same bytes: no timestamps, no random names inside.

use super::format::Format;
use super::frame::format_error;
use super::report::Reject;
use crate::atomic::{AtomicFile, SharedFile};
use crate::data::bytes::{check_catalog, check_orders, check_promoters, check_shares};
use crate::data::{Catalog, IdMap, Orders, Promoters, Shares, NO_ID};
use crate::error::{Error, Location, Result};
use polars::io::csv::write::BatchedWriter as CsvBatched;
use polars::io::ipc::BatchedWriter as IpcBatched;
use polars::io::parquet::write::BatchedWriter as ParquetBatched;
use polars::prelude::{
    Column, CompatLevel, CsvWriter, DataFrame, IpcWriter, ParquetWriter, Schema, SerWriter,
};
use std::path::{Path, PathBuf};

/// Rows per Parquet row group (and Arrow record batch): every group but the last holds
/// exactly this many, whatever the chunks a table was written in, so that the bytes do
/// not depend on the chunk size.
const ROW_GROUP: usize = 512 * 1024;

/// One open output file of one format.
enum Writer {
    Csv(CsvBatched<SharedFile>),
    Parquet(Box<ParquetBatched<SharedFile>>),
    Ipc(IpcBatched<SharedFile>),
}

/// An output table being written, in chunks, to a temporary file.
struct Sink {
    file: AtomicFile,
    writer: Writer,
    /// Parquet and Arrow: rows given and not yet written, fewer than `group_rows`.
    pending: Option<DataFrame>,
    /// Rows per row group or record batch: [`ROW_GROUP`] (smaller in tests).
    group_rows: usize,
}

impl Sink {
    fn create(path: &Path, format: Format, schema: &Schema) -> Result<Sink> {
        let file = AtomicFile::create(path)?;
        let w = file.writer();
        let writer = match format {
            Format::Csv => CsvWriter::new(w)
                .include_header(true)
                .batched(schema)
                .map(Writer::Csv),
            Format::Parquet => ParquetWriter::new(w)
                .batched(schema)
                .map(|w| Writer::Parquet(Box::new(w))),
            Format::Ipc => {
                // Flat columns only: each gets the default (dictionary-free) IPC field.
                let fields = (0..schema.len()).map(|_| Default::default()).collect();
                IpcWriter::new(w)
                    .with_compat_level(CompatLevel::oldest())
                    .batched(schema, fields)
                    .map(Writer::Ipc)
            }
        }
        .map_err(|e| format_error(path, e))?;
        Ok(Sink {
            file,
            writer,
            pending: None,
            group_rows: ROW_GROUP,
        })
    }

    /// Appends the rows of `df`. CSV writes them at once; Parquet and Arrow write every
    /// `group_rows` rows as one row group or record batch, and keep the rest for the
    /// next call or [`finish`](Self::finish), so that the groups are the same however the
    /// table was cut into chunks.
    fn write(&mut self, df: &DataFrame) -> Result<()> {
        if df.height() == 0 {
            return Ok(());
        }
        if matches!(self.writer, Writer::Csv(_)) {
            return self.emit(df);
        }
        let all = match self.pending.take() {
            None => df.clone(),
            Some(mut p) => {
                p.vstack_mut(df)
                    .map_err(|e| format_error(self.file.dest(), e))?;
                p
            }
        };
        let mut offset = 0;
        let group = self.group_rows;
        while all.height() - offset >= group {
            self.emit(&all.slice(offset as i64, group))?;
            offset += group;
        }
        if offset < all.height() {
            self.pending = Some(all.slice(offset as i64, all.height() - offset));
        }
        Ok(())
    }

    /// Writes `df` as one row group (Parquet) or record batch (Arrow).
    fn emit(&mut self, df: &DataFrame) -> Result<()> {
        if df.height() == 0 {
            return Ok(());
        }
        let mut df = df.clone();
        df.rechunk_mut();
        match &mut self.writer {
            Writer::Csv(w) => w.write_batch(&df),
            Writer::Parquet(w) => w.write_batch(&df),
            Writer::Ipc(w) => w.write_batch(&df),
        }
        .map_err(|e| format_error(self.file.dest(), e))
    }

    /// Writes the rows kept back, closes the file and moves it into place.
    fn finish(mut self) -> Result<()> {
        if let Some(rest) = self.pending.take() {
            self.emit(&rest)?;
        }
        let Sink { file, writer, .. } = self;
        match writer {
            Writer::Csv(mut w) => w.finish(),
            Writer::Parquet(w) => w.finish().map(|_| ()),
            Writer::Ipc(mut w) => w.finish(),
        }
        .map_err(|e| format_error(file.dest(), e))?;
        file.commit()
    }
}

/// Writes `df` to `path` atomically, in the format of its extension.
fn write_frame(path: &Path, df: &DataFrame) -> Result<()> {
    let format = Format::for_writing(path)?;
    let mut sink = Sink::create(path, format, df.schema())?;
    sink.write(df)?;
    sink.finish()
}

fn frame(source: &str, height: usize, columns: Vec<Column>) -> Result<DataFrame> {
    DataFrame::new(height, columns).map_err(|e| {
        Error::invalid(
            Location::source(source),
            format!("inconsistent columns: {e}"),
        )
    })
}

/// A table's own check (`crate::data`'s, shared with [`crate::Dataset::check`]) as an
/// error at `source`.
fn fits(source: &str, check: std::result::Result<(), String>) -> Result<()> {
    check.map_err(|m| Error::invalid(Location::source(source), m))
}

/// A column of `source` that should have `n` entries and has another count.
fn check_len(source: &str, column: &str, len: usize, n: usize) -> Result<()> {
    if len == n {
        Ok(())
    } else {
        Err(Error::invalid(
            Location::source(source).column(column),
            format!("{len} entries where {n} were expected"),
        ))
    }
}

/// The external id of index `ix` in `map`, or an error naming the row.
fn name<'m>(map: &'m IdMap, ix: u32, source: &str, column: &str, row: usize) -> Result<&'m str> {
    map.name(ix).ok_or_else(|| {
        Error::invalid(
            Location::source(source).row(row as u64 + 1).column(column),
            format!("index {ix} is outside its id table ({} ids)", map.len()),
        )
    })
}

/// The external id of an optional index (`NO_ID` is `None`).
fn opt_name<'m>(
    map: &'m IdMap,
    ix: u32,
    source: &str,
    column: &str,
    row: usize,
) -> Result<Option<&'m str>> {
    if ix == NO_ID {
        Ok(None)
    } else {
        name(map, ix, source, column, row).map(Some)
    }
}

/// The external ids of indices `ix`.
fn names<'m>(map: &'m IdMap, ix: &[u32], source: &str, column: &str) -> Result<Vec<&'m str>> {
    ix.iter()
        .enumerate()
        .map(|(r, &i)| name(map, i, source, column, r))
        .collect()
}

/// The external ids of optional indices `ix`.
fn opt_names<'m>(
    map: &'m IdMap,
    ix: &[u32],
    source: &str,
    column: &str,
) -> Result<Vec<Option<&'m str>>> {
    ix.iter()
        .enumerate()
        .map(|(r, &i)| opt_name(map, i, source, column, r))
        .collect()
}

fn items_frame(c: &Catalog) -> Result<DataFrame> {
    let n = c.len();
    fits("items", check_catalog(c))?;
    let ids: Vec<&str> = c.ids.names().collect();
    let category: Vec<&str> = (0..n as u32).map(|i| c.category_path(i)).collect();
    let brand: Vec<Option<&str>> = (0..n as u32)
        .map(|i| Some(c.brand_name(i)).filter(|b| !b.is_empty()))
        .collect();
    let widen = |v: &[u32]| v.iter().map(|&x| i64::from(x)).collect::<Vec<i64>>();
    let seller: Vec<&str> = c.seller.iter().map(|s| s.as_str()).collect();
    frame(
        "items",
        n,
        vec![
            Column::new("item_id".into(), ids),
            Column::new("category".into(), category),
            Column::new("brand".into(), brand),
            Column::new("price".into(), c.price_cents.as_slice()),
            Column::new("reviews_positive".into(), widen(&c.reviews_positive)),
            Column::new("reviews_total".into(), widen(&c.reviews_total)),
            Column::new("commission_rate".into(), c.commission_rate.as_slice()),
            Column::new("seller".into(), seller),
            Column::new("in_stock".into(), c.in_stock.as_slice()),
            Column::new("listed_at".into(), c.listed_at.as_slice()),
        ],
    )
}

fn promoters_frame(p: &Promoters) -> Result<DataFrame> {
    let n = p.len();
    fits("promoters", check_promoters(p))?;
    let ids: Vec<&str> = p.ids.names().collect();
    let channel: Vec<&str> = p.channel.iter().map(|c| c.as_str()).collect();
    let tier: Vec<Option<i64>> = p
        .city_tier
        .iter()
        .map(|&t| (t != 0).then_some(i64::from(t)))
        .collect();
    let inviter = p
        .inviter
        .iter()
        .enumerate()
        .map(|(row, inv)| match inv {
            Some(ix) => name(&p.ids, *ix, "promoters", "inviter_id", row).map(Some),
            None => Ok(None),
        })
        .collect::<Result<Vec<Option<&str>>>>()?;
    frame(
        "promoters",
        n,
        vec![
            Column::new("promoter_id".into(), ids),
            Column::new("channel".into(), channel),
            Column::new("city_tier".into(), tier),
            Column::new("joined_at".into(), p.joined_at.as_slice()),
            Column::new("inviter_id".into(), inviter),
        ],
    )
}

/// The orders as a frame; `weighted` adds the `weight` column (1 where `o` has none).
fn orders_frame(o: &Orders, items: &IdMap, promoters: &IdMap, weighted: bool) -> Result<DataFrame> {
    let n = o.len();
    fits("orders", check_orders(o, items.len(), promoters.len()))?;
    let ids = |map, ix, col| names(map, ix, "orders", col);
    let opt_ids = |map, ix, col| opt_names(map, ix, "orders", col);
    let widen = o
        .quantity
        .iter()
        .map(|&q| i64::from(q))
        .collect::<Vec<i64>>();
    let status: Vec<&str> = o.status.iter().map(|s| s.as_str()).collect();
    let mut columns = vec![
        Column::new(
            "promoter_id".into(),
            ids(promoters, &o.promoter, "promoter_id")?,
        ),
        Column::new("item_id".into(), ids(items, &o.item, "item_id")?),
        Column::new("ts".into(), o.ts.as_slice()),
        Column::new(
            "order_id".into(),
            opt_ids(&o.order_ids, &o.order_id, "order_id")?,
        ),
        Column::new(
            "buyer_id".into(),
            opt_ids(&o.buyer_ids, &o.buyer, "buyer_id")?,
        ),
        Column::new(
            "group_id".into(),
            opt_ids(&o.group_ids, &o.group, "group_id")?,
        ),
        Column::new("quantity".into(), widen),
        Column::new("amount".into(), o.amount_cents.as_slice()),
        Column::new("status".into(), status),
    ];
    if weighted {
        let w = if o.weight.is_empty() {
            vec![1.0f32; n]
        } else {
            o.weight.clone()
        };
        columns.push(Column::new("weight".into(), w));
    }
    frame("orders", n, columns)
}

fn shares_frame(s: &Shares, items: &IdMap, promoters: &IdMap) -> Result<DataFrame> {
    let n = s.len();
    fits("shares", check_shares(s, items.len(), promoters.len()))?;
    let group = opt_names(&s.group_ids, &s.group, "shares", "group_id")?;
    // The receiver column is always written (empty when the log names none), so that
    // every chunk of a generated log has the same schema.
    let receiver = if s.receiver.is_empty() {
        vec![None; n]
    } else {
        opt_names(promoters, &s.receiver, "shares", "receiver_id")?
    };
    frame(
        "shares",
        n,
        vec![
            Column::new(
                "promoter_id".into(),
                names(promoters, &s.promoter, "shares", "promoter_id")?,
            ),
            Column::new(
                "item_id".into(),
                names(items, &s.item, "shares", "item_id")?,
            ),
            Column::new("ts".into(), s.ts.as_slice()),
            Column::new("group_id".into(), group),
            Column::new("receiver_id".into(), receiver),
        ],
    )
}

/// Writes a dataset, table by table, in chunks of orders and shares, so that a large
/// generated world never has to sit in memory whole.
///
/// [`DatasetWriter::create`] writes `items.*` and `promoters.*`; each
/// [`DatasetWriter::write_orders`] appends a chunk to `orders.*` and `shares.*` (one
/// Parquet row group or Arrow record batch per chunk); [`DatasetWriter::finish`] closes
/// them and moves them into place. Dropped without `finish`, it leaves no orders or
/// shares file behind. The files follow `datasets/SCHEMA.md`, so
/// [`read_dataset`](super::read_dataset) reads them back.
///
/// # Examples
/// ```
/// use kocrank::data::{DatasetBuilder, OrderRecord};
/// use kocrank::io::{read_dataset, DataFiles, DatasetWriter, Format, ReadOptions};
/// let mut b = DatasetBuilder::new();
/// b.push_order(&OrderRecord { promoter_id: "p", item_id: "A", ts: 100, ..Default::default() })
///     .unwrap();
/// let ds = b.finish().unwrap();
/// let dir = tempfile::tempdir().unwrap();
/// let mut w = DatasetWriter::create(dir.path(), Format::Parquet, &ds.catalog(), &ds.promoters())
///     .unwrap();
/// w.write_orders(&ds.orders(), &ds.shares()).unwrap();
/// w.finish().unwrap();
/// let files = DataFiles::from_dir(dir.path()).unwrap();
/// let back = read_dataset(&files, &ReadOptions::default()).unwrap().dataset;
/// assert_eq!(back.orders(), ds.orders());
/// ```
pub struct DatasetWriter<'a> {
    catalog: &'a Catalog,
    promoters: &'a Promoters,
    orders: Sink,
    shares: Sink,
    /// Whether `orders.<ext>` has the `weight` column.
    weighted: bool,
}

impl<'a> DatasetWriter<'a> {
    /// Creates `dir` if needed, writes `items.<ext>` and `promoters.<ext>`, and opens
    /// `orders.<ext>` and `shares.<ext>` for chunks.
    ///
    /// # Errors
    /// [`Error::Io`] naming the path when a file cannot be written;
    /// [`Error::InvalidData`] when the tables' columns disagree in length.
    pub fn create(
        dir: &Path,
        format: Format,
        catalog: &'a Catalog,
        promoters: &'a Promoters,
    ) -> Result<Self> {
        Self::create_with(dir, format, catalog, promoters, false)
    }

    /// [`DatasetWriter::create`], with the `weight` column in `orders.<ext>` when
    /// `weighted`.
    fn create_with(
        dir: &Path,
        format: Format,
        catalog: &'a Catalog,
        promoters: &'a Promoters,
        weighted: bool,
    ) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let path = |stem: &str| table_path(dir, stem, format);
        let mut items = Sink::create(
            &path("items"),
            format,
            items_frame(&Catalog::new())?.schema(),
        )?;
        items.write(&items_frame(catalog)?)?;
        items.finish()?;
        let empty = Promoters::default();
        let mut ps = Sink::create(
            &path("promoters"),
            format,
            promoters_frame(&empty)?.schema(),
        )?;
        ps.write(&promoters_frame(promoters)?)?;
        ps.finish()?;
        let no_ids = IdMap::new();
        let orders_schema = orders_frame(&Orders::default(), &no_ids, &no_ids, weighted)?;
        let shares_schema = shares_frame(&Shares::default(), &no_ids, &no_ids)?;
        Ok(DatasetWriter {
            catalog,
            promoters,
            orders: Sink::create(&path("orders"), format, orders_schema.schema())?,
            shares: Sink::create(&path("shares"), format, shares_schema.schema())?,
            weighted,
        })
    }

    /// Appends a chunk of orders and shares. Their item and promoter indices refer to
    /// the catalogue and promoters given to [`DatasetWriter::create`]; their order,
    /// buyer and group ids come from the chunk's own id maps.
    ///
    /// # Errors
    /// [`Error::InvalidData`] naming the row when an index is outside its id table,
    /// or the weight column when the orders carry weights;
    /// [`Error::Io`] or [`Error::Format`] naming the file when writing fails.
    pub fn write_orders(&mut self, orders: &Orders, shares: &Shares) -> Result<()> {
        if !self.weighted && !orders.weight.is_empty() {
            return Err(Error::invalid(
                Location::source("orders").column("weight"),
                "this writer has no weight column: write weighted orders with write_dataset"
                    .to_string(),
            ));
        }
        let items = &self.catalog.ids;
        let promoters = &self.promoters.ids;
        self.orders
            .write(&orders_frame(orders, items, promoters, self.weighted)?)?;
        self.shares.write(&shares_frame(shares, items, promoters)?)
    }

    /// Closes the orders and shares files and moves them into place.
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Format`] naming the file.
    pub fn finish(self) -> Result<()> {
        self.orders.finish()?;
        self.shares.finish()
    }
}

/// Writes `ds` into `dir` as `items.<ext>`, `promoters.<ext>`, `orders.<ext>` and
/// `shares.<ext>` in `format`, following `datasets/SCHEMA.md`;
/// [`read_dataset`](super::read_dataset) reads them back into an equal dataset.
///
/// # Errors
/// As [`DatasetWriter`].
pub fn write_dataset(ds: &crate::Dataset, dir: &Path, format: Format) -> Result<()> {
    let weighted = !ds.orders.weight.is_empty();
    let mut w = DatasetWriter::create_with(dir, format, &ds.catalog, &ds.promoters, weighted)?;
    w.write_orders(&ds.orders, &ds.shares)?;
    w.finish()
}

/// Ranked lists for many promoters, column by column: row `r` says that for
/// `promoter_id[r]`, `item_id[r]` is at `rank[r]` (1 = first) with `score[r]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RankedList {
    /// The promoter of each row.
    pub promoter_id: Vec<String>,
    /// The rank within the promoter's list, from 1.
    pub rank: Vec<u32>,
    /// The item ranked.
    pub item_id: Vec<String>,
    /// The item's score.
    pub score: Vec<f32>,
}

impl RankedList {
    /// Appends one row.
    pub fn push(&mut self, promoter_id: &str, rank: u32, item_id: &str, score: f32) {
        self.promoter_id.push(promoter_id.to_string());
        self.rank.push(rank);
        self.item_id.push(item_id.to_string());
        self.score.push(score);
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.promoter_id.len()
    }

    /// True when there is no row.
    pub fn is_empty(&self) -> bool {
        self.promoter_id.is_empty()
    }
}

/// Writes ranked lists with columns `promoter_id, rank, item_id, score`, in the format
/// of `path`'s extension, atomically.
///
/// # Errors
/// [`Error::InvalidData`] when the columns differ in length; [`Error::Format`] for an
/// unknown extension; [`Error::Io`] naming the file.
///
/// # Examples
/// ```
/// use kocrank::io::{write_ranked, RankedList};
/// let dir = tempfile::tempdir().unwrap();
/// let mut top = RankedList::default();
/// top.push("p1", 1, "A", 0.9);
/// top.push("p1", 2, "B", 0.5);
/// let path = dir.path().join("top.csv");
/// write_ranked(&path, &top).unwrap();
/// assert_eq!(
///     std::fs::read_to_string(&path).unwrap(),
///     "promoter_id,rank,item_id,score\np1,1,A,0.9\np1,2,B,0.5\n"
/// );
/// ```
pub fn write_ranked(path: &Path, list: &RankedList) -> Result<()> {
    let n = list.len();
    check_len("ranked list", "rank", list.rank.len(), n)?;
    check_len("ranked list", "item_id", list.item_id.len(), n)?;
    check_len("ranked list", "score", list.score.len(), n)?;
    let df = frame(
        "ranked list",
        n,
        vec![
            Column::new("promoter_id".into(), list.promoter_id.as_slice()),
            Column::new("rank".into(), list.rank.as_slice()),
            Column::new("item_id".into(), list.item_id.as_slice()),
            Column::new("score".into(), list.score.as_slice()),
        ],
    )?;
    write_frame(path, &df)
}

/// Writes rejects with columns `file, row, column, code, reason` (the code is a
/// [`FaultCode`](crate::data::FaultCode), to group by), in the format of `path`'s
/// extension (CSV in the usual case), atomically.
///
/// # Errors
/// [`Error::Format`] for an unknown extension; [`Error::Io`] naming the file.
pub fn write_rejects(path: &Path, rejects: &[Reject]) -> Result<()> {
    let n = rejects.len();
    let file: Vec<&str> = rejects.iter().map(|r| r.file.as_str()).collect();
    let row: Vec<u64> = rejects.iter().map(|r| r.row).collect();
    let column: Vec<&str> = rejects.iter().map(|r| r.column.as_str()).collect();
    let code: Vec<&str> = rejects.iter().map(|r| r.code.as_str()).collect();
    let reason: Vec<&str> = rejects.iter().map(|r| r.reason.as_str()).collect();
    let df = frame(
        "rejects",
        n,
        vec![
            Column::new("file".into(), file),
            Column::new("row".into(), row),
            Column::new("column".into(), column),
            Column::new("code".into(), code),
            Column::new("reason".into(), reason),
        ],
    )?;
    write_frame(path, &df)
}

/// The path of table `stem` in `dir` for `format`.
fn table_path(dir: &Path, stem: &str, format: Format) -> PathBuf {
    dir.join(format!("{stem}.{}", format.extension()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `df` cut into chunks of `cuts` rows, with row groups of 3 rows.
    fn write_in_chunks(path: &Path, format: Format, df: &DataFrame, cuts: &[usize]) -> Vec<u8> {
        let mut sink = Sink::create(path, format, df.schema()).unwrap();
        sink.group_rows = 3;
        let mut at = 0;
        for &n in cuts {
            sink.write(&df.slice(at as i64, n)).unwrap();
            at += n;
        }
        assert_eq!(at, df.height());
        sink.finish().unwrap();
        std::fs::read(path).unwrap()
    }

    #[test]
    fn chunks_do_not_change_the_bytes_of_any_format() {
        let n = 10;
        let ids: Vec<String> = (0..n).map(|i| format!("p{i}")).collect();
        let df = DataFrame::new(
            n,
            vec![
                Column::new("promoter_id".into(), ids),
                Column::new("ts".into(), (0..n as i64).collect::<Vec<_>>()),
            ],
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        for (format, ext) in [
            (Format::Csv, "csv"),
            (Format::Parquet, "parquet"),
            (Format::Ipc, "arrow"),
        ] {
            let path = dir.path().join(format!("t.{ext}"));
            let whole = write_in_chunks(&path, format, &df, &[10]);
            for cuts in [&[1; 10][..], &[4, 6], &[3, 3, 3, 1], &[7, 0, 3], &[2, 5, 3]] {
                let got = write_in_chunks(&path, format, &df, cuts);
                assert!(got == whole, "{ext} written in chunks {cuts:?} differs");
            }
        }
    }

    #[test]
    fn mismatched_ranked_columns_are_an_error() {
        let list = RankedList {
            promoter_id: vec!["p".into()],
            rank: vec![1, 2],
            item_id: vec!["a".into()],
            score: vec![0.1],
        };
        let dir = tempfile::tempdir().unwrap();
        let e = write_ranked(&dir.path().join("x.csv"), &list)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "ranked list: column \"rank\": 2 entries where 1 were expected"
        );
    }

    #[test]
    fn out_of_range_index_names_the_row() {
        let o = Orders {
            promoter: vec![0],
            item: vec![3],
            ts: vec![1],
            quantity: vec![1],
            amount_cents: vec![0],
            status: vec![crate::data::OrderStatus::Completed],
            order_id: vec![NO_ID],
            buyer: vec![NO_ID],
            group: vec![NO_ID],
            ..Orders::default()
        };
        let ids = IdMap::from_ids(["a"]).unwrap();
        let e = orders_frame(&o, &ids, &ids, false).unwrap_err().to_string();
        assert_eq!(e, "orders: order items: index 3 at row 1 is outside 0..1");
    }
}
