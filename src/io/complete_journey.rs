//! The Complete Journey (84.51°) grocery data, read as a kocrank dataset.
//!
//! The shared copy (`shared/datasets/complete-journey/`, see its README) holds the
//! publisher's 5.1% sample of receipt lines (`orders.csv.gz`) and the full product
//! master (`items.csv.gz`). The adapter maps them onto kocrank's schema:
//!
//! | kocrank | Complete Journey |
//! |---|---|
//! | promoter | household (`user_id`) |
//! | order | one receipt line: `item_id`, `ts`, `basket_id` as the order id, `quantity`, `sales_value` (dollars) as the amount paid in cents |
//! | item category | `department/product_category/product_type` (a level missing in the master ends the path; a `/` inside a name becomes `-`) |
//! | item seller | `Private` label → `self_operated` (the retailer's own brand), `National` → `marketplace` |
//! | item brand | `manufacturer_id`, the closest analogue of the merchant |
//! | item price | the median unit price paid, `sales_value / quantity`, over the item's lines with a quantity ≥ 1 and a positive value; 0 when the item sold on no such line |
//!
//! Households get channel `other` and no city tier (the demographics cover a third of
//! them and are not read). The data has **no ratings and no commissions**: items keep
//! zero reviews and a zero commission rate, nothing is simulated, and value metrics
//! (commission, expected commission) are zero on this data.
//!
//! Lines the schema rejects are counted in the [`LoadReport`]: the 416 lines with a
//! quantity of 0 and the 222 lines naming a product missing from the master (lenient
//! mode; strict mode stops at the first).

use super::read::{Loaded, ReadOptions, Tally};
use super::report::LoadReport;
use super::table::TableFile;
use super::write::write_rejects;
use crate::data::ingest::{Col, Kind, Table};
use crate::data::{DatasetBuilder, FaultCode, ItemRecord, OrderRecord, RowFault};
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::Path;

const fn col(name: &'static str, kind: Kind, required: bool) -> Col {
    Col {
        name,
        kind,
        required,
    }
}

/// The columns of `orders.csv.gz` that are read (`user_id` reads as `promoter_id`).
const ORDERS: &[Col] = &[
    col("promoter_id", Kind::Id, true),
    col("item_id", Kind::Id, true),
    col("ts", Kind::Ts, true),
    col("basket_id", Kind::Id, false),
    col("quantity", Kind::Int, false),
    col("sales_value", Kind::Float, false),
];

/// The columns of `items.csv.gz` that are read.
const ITEMS: &[Col] = &[
    col("item_id", Kind::Id, true),
    col("manufacturer_id", Kind::Id, false),
    col("department", Kind::Text, false),
    col("brand", Kind::Text, false),
    col("product_category", Kind::Text, false),
    col("product_type", Kind::Text, false),
];

/// Reads `orders.csv.gz` and `items.csv.gz` of The Complete Journey from `dir` (see the
/// module docs for the mapping).
///
/// # Errors
/// As [`super::read_dataset`]: [`Error::Io`] when a file is missing or unreadable,
/// [`Error::MissingColumn`], [`Error::Empty`] when no line is accepted, and in strict
/// mode [`Error::InvalidData`] naming file, row and column for the first bad row (a
/// quantity of 0, a product missing from the master, a brand other than `National`
/// or `Private`).
pub fn read_complete_journey(dir: &Path, opts: &ReadOptions) -> Result<Loaded> {
    let orders = TableFile::open(&dir.join("orders.csv.gz"), ORDERS)?;
    let items = TableFile::open(&dir.join("items.csv.gz"), ITEMS)?;
    orders.require_rows("order")?;
    items.require_rows("item")?;
    let prices = median_unit_prices(&orders)?;

    let mut b = DatasetBuilder::new();
    b.declare_items();
    let mut report = LoadReport::default();
    let mut tally = Tally::new(&items, opts.strict, &mut report.rejects);
    read_items(&mut b, &items, &prices, &mut tally)?;
    let items_report = tally.report(Table::Items);
    report.tables.push(items_report);
    let mut tally = Tally::new(&orders, opts.strict, &mut report.rejects);
    read_orders(&mut b, &orders, &mut tally)?;
    let orders_report = tally.report(Table::Orders);
    if !opts.strict {
        if let Some(path) = &opts.rejects {
            write_rejects(path, &report.rejects)?;
        }
    }
    if orders_report.accepted == 0 {
        let first = report.rejects.iter().find(|r| r.file == orders_report.file);
        return Err(Error::Empty(format!(
            "{}: none of the {} order rows was accepted{}",
            orders_report.file,
            orders_report.read,
            first
                .map(|r| format!("; the first reject: {r}"))
                .unwrap_or_default()
        )));
    }
    report.tables.push(orders_report);
    Ok(Loaded {
        dataset: b.finish()?,
        report,
    })
}

/// Median paid unit price per item id, in cents, over lines with a quantity ≥ 1 and a
/// positive `sales_value`. Lines with unreadable cells are skipped here (the order pass
/// reports them).
fn median_unit_prices(t: &TableFile) -> Result<HashMap<String, i64>> {
    let item = t.required("item_id")?;
    let (Some(qty), Some(value)) = (t.field("quantity"), t.field("sales_value")) else {
        return Ok(HashMap::new());
    };
    let mut paid: HashMap<String, Vec<f64>> = HashMap::new();
    for row in 0..t.n_rows {
        if t.ragged(row).is_some() || t.is_blank(row) {
            continue;
        }
        let (Ok(Some(id)), Ok(Some(q)), Ok(Some(v))) =
            (item.id(row), qty.int(row), value.float(row))
        else {
            continue;
        };
        if q >= 1 && v > 0.0 {
            paid.entry(id.into_owned()).or_default().push(v / q as f64);
        }
    }
    Ok(paid
        .into_iter()
        .map(|(id, mut v)| {
            v.sort_by(f64::total_cmp);
            let n = v.len();
            let median = if n % 2 == 1 {
                v[n / 2]
            } else {
                (v[n / 2 - 1] + v[n / 2]) / 2.0
            };
            (id, (median * 100.0).round() as i64)
        })
        .collect())
}

/// One category level: trimmed, with a `/` inside the name escaped as `\/`.
fn level(name: &str) -> String {
    crate::data::escape_level(name.trim())
}

fn read_items(
    b: &mut DatasetBuilder,
    t: &TableFile,
    prices: &HashMap<String, i64>,
    tally: &mut Tally<'_>,
) -> Result<()> {
    let id = t.required("item_id")?;
    let fields = ["department", "product_category", "product_type"].map(|n| t.field(n));
    let manufacturer = t.field("manufacturer_id");
    let brand = t.field("brand");
    for row in 0..t.n_rows {
        if tally.skip(t, row)? {
            continue;
        }
        let mut push = || -> std::result::Result<(), RowFault> {
            let item_id = id.id(row)?.unwrap_or_default();
            let mut path: Vec<String> = Vec::new();
            for f in fields {
                match f.map(|f| f.id(row)).transpose()?.flatten() {
                    Some(name) if !level(&name).is_empty() => path.push(level(&name)),
                    _ => break,
                }
            }
            let category = (!path.is_empty()).then(|| path.join("/"));
            let seller = match brand.map(|f| f.id(row)).transpose()?.flatten().as_deref() {
                None => None,
                Some("Private") => Some("self_operated"),
                Some("National") => Some("marketplace"),
                Some(other) => {
                    return Err(RowFault::new(
                        "brand",
                        FaultCode::UnknownValue,
                        format!("unknown brand \"{other}\" (expected National or Private)"),
                    ))
                }
            };
            let maker = manufacturer.map(|f| f.id(row)).transpose()?.flatten();
            b.push_item(&ItemRecord {
                item_id: &item_id,
                category: category.as_deref(),
                brand: maker.as_deref(),
                price_cents: prices.get(item_id.as_ref()).copied(),
                seller,
                ..Default::default()
            })
        };
        let outcome = push();
        tally.record((t.first_row + row) as u64 + 1, outcome, |c| t.shown(c))?;
    }
    Ok(())
}

fn read_orders(b: &mut DatasetBuilder, t: &TableFile, tally: &mut Tally<'_>) -> Result<()> {
    let promoter = t.required("promoter_id")?;
    let item = t.required("item_id")?;
    let ts = t.required("ts")?;
    let basket = t.field("basket_id");
    let quantity = t.field("quantity");
    let value = t.field("sales_value");
    for row in 0..t.n_rows {
        if tally.skip(t, row)? {
            continue;
        }
        let mut push = || -> std::result::Result<(), RowFault> {
            let promoter_id = promoter.id(row)?.unwrap_or_default();
            let item_id = item.id(row)?.unwrap_or_default();
            let basket_id = basket.map(|f| f.id(row)).transpose()?.flatten();
            let amount = match value.map(|f| f.float(row)).transpose()?.flatten() {
                Some(v) if v < 0.0 => {
                    return Err(RowFault::new(
                        "sales_value",
                        FaultCode::OutOfRange,
                        format!("negative sales value {v}"),
                    ))
                }
                v => v.map(|v| (v * 100.0).round() as i64),
            };
            b.push_order(&OrderRecord {
                promoter_id: &promoter_id,
                item_id: &item_id,
                ts: ts.required_ts(row)?,
                order_id: basket_id.as_deref(),
                quantity: quantity.map(|f| f.int(row)).transpose()?.flatten(),
                amount_cents: amount,
                ..Default::default()
            })
            .map_err(|f| match f.column {
                "amount" => RowFault {
                    column: "sales_value",
                    ..f
                },
                "order_id" => RowFault {
                    column: "basket_id",
                    ..f
                },
                _ => f,
            })
        };
        let outcome = push();
        tally.record((t.first_row + row) as u64 + 1, outcome, |c| t.shown(c))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(path: &Path, text: &str) {
        // A stored (uncompressed) gzip member is enough for the reader.
        let mut out = Vec::new();
        out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
        let data = text.as_bytes();
        let mut rest = data;
        loop {
            let n = rest.len().min(65_535);
            let last = n == rest.len();
            out.push(u8::from(last));
            out.extend_from_slice(&(n as u16).to_le_bytes());
            out.extend_from_slice(&(!(n as u16)).to_le_bytes());
            out.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
            if last {
                break;
            }
        }
        out.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        std::fs::File::create(path)
            .unwrap()
            .write_all(&out)
            .unwrap();
    }

    fn world() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        gz(
            &dir.path().join("items.csv.gz"),
            "item_id,manufacturer_id,department,brand,product_category,product_type,package_size\n\
             1,2,GROCERY,National,FRZN ICE,ICE - CRUSHED/CUBED,22 LB\n\
             2,69,PRODUCE,Private,,,\n\
             3,5,DELI,Store,CHEESE,,\n",
        );
        gz(
            &dir.path().join("orders.csv.gz"),
            "user_id,item_id,ts,local_time,basket_id,store_id,quantity,sales_value,retail_disc,coupon_disc,coupon_match_disc,week\n\
             906,1,1483273827,x,31198705046,319,2,3.0,0.29,0,0,1\n\
             906,2,1483273828,x,31198705046,319,1,1.25,0,0,0,1\n\
             907,1,1483273829,x,31198705047,319,1,2.0,0,0,0,1\n\
             907,2,1483273830,x,31198705047,319,0,0.0,0,0,0,1\n\
             907,9,1483273831,x,31198705047,319,1,1.0,0,0,0,1\n",
        );
        dir
    }

    #[test]
    fn maps_hierarchy_private_label_and_prices() {
        let dir = world();
        let l = read_complete_journey(dir.path(), &ReadOptions::lenient()).unwrap();
        let ds = &l.dataset;
        assert_eq!(ds.catalog.len(), 2, "the item with brand Store is rejected");
        let i1 = ds.catalog.ids.get("1").unwrap();
        let i2 = ds.catalog.ids.get("2").unwrap();
        // The `/` inside the product type is escaped: still three levels.
        assert_eq!(
            ds.catalog.category_path(i1),
            r"GROCERY/FRZN ICE/ICE - CRUSHED\/CUBED"
        );
        assert!(ds.catalog.category[i1 as usize]
            .iter()
            .all(|&c| c != crate::data::NO_CATEGORY));
        assert_eq!(ds.catalog.category_path(i2), "PRODUCE");
        assert_eq!(
            ds.catalog.seller[i2 as usize],
            crate::data::Seller::SelfOperated
        );
        assert_eq!(ds.catalog.brand_name(i1), "2");
        // Median of 1.50 and 2.00 per unit.
        assert_eq!(ds.catalog.price_cents[i1 as usize], 175);
        assert_eq!(ds.orders.len(), 3);
        assert_eq!(ds.orders.amount_cents[0], 300);
        let t = l.report.table(Table::Orders).unwrap();
        assert_eq!((t.read, t.accepted, t.rejected), (5, 3, 2));
        let cols: Vec<&str> = l.report.rejects.iter().map(|r| r.column.as_str()).collect();
        assert_eq!(cols, ["brand", "quantity", "item_id"]);
        assert!(l.report.tables[1]
            .ignored_columns
            .contains(&"store_id".to_string()));
    }

    #[test]
    fn strict_names_the_first_bad_row() {
        let dir = world();
        let err = read_complete_journey(dir.path(), &ReadOptions::strict()).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("items.csv.gz: row 3, column \"brand\": unknown brand \"Store\" (expected National or Private)"),
            "{err}"
        );
    }
}
