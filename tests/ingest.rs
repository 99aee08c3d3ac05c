//! Ingest: reading files into a validated dataset, the errors for bad input, lenient
//! mode's report, and writing datasets back.

use kocrank::data::{DatasetBuilder, ItemRecord, OrderRecord, PromoterRecord, ShareRecord};
use kocrank::io::{
    read_complete_journey, read_dataset, read_movielens_inter, read_promoter_ids, write_dataset,
    write_ranked, DataFiles, DatasetWriter, Format, Loaded, RankedList, ReadOptions, Table,
};
use kocrank::{Dataset, Error};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const ORDERS: &str = "promoter_id,item_id,ts\np1,A,2011-10-01\np2,B,1317427200\n";

fn tmp() -> TempDir {
    tempfile::tempdir().unwrap()
}

fn put(dir: &TempDir, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    path
}

fn strict(files: &DataFiles) -> kocrank::Result<Loaded> {
    read_dataset(files, &ReadOptions::default())
}

/// Reads `items` (with two good orders) and returns the strict error text.
fn items_error(items: &str) -> String {
    let dir = tmp();
    let files = DataFiles::orders(put(&dir, "orders.csv", ORDERS)).with_items(put(
        &dir,
        "items.csv",
        items,
    ));
    strip(&dir, strict(&files).unwrap_err())
}

/// Reads `orders` alone and returns the strict error text.
fn orders_error(orders: &str) -> String {
    let dir = tmp();
    strip(
        &dir,
        strict(&DataFiles::orders(put(&dir, "orders.csv", orders))).unwrap_err(),
    )
}

/// The error text with the temporary directory removed, so paths read `orders.csv`.
fn strip(dir: &TempDir, e: Error) -> String {
    let prefix = format!("{}/", dir.path().display());
    e.to_string().replace(&prefix, "")
}

// ---------------------------------------------------------------- bad values, per row

#[test]
fn nan_price() {
    let e = items_error("item_id,price\nA,100\nB,NaN\n");
    assert_eq!(
        e,
        "items.csv: row 2, column \"price\": NaN is not a finite number"
    );
}

#[test]
fn negative_price() {
    let e = items_error("item_id,price\nA,100\nB,-5\n");
    assert_eq!(e, "items.csv: row 2, column \"price\": negative price -5");
}

#[test]
fn fractional_price() {
    let e = items_error("item_id,price\nA,12.5\nB,100\n");
    assert_eq!(
        e,
        "items.csv: row 1, column \"price\": 12.5 is not a whole number; prices are integer cents (write 1250 for 12.50)"
    );
}

#[test]
fn huge_price_is_shown_compactly() {
    let e = items_error("item_id,price\nA,1e308\nB,100\n");
    assert_eq!(e, "items.csv: row 1, column \"price\": 1e308 is too large");
    let e = items_error("item_id,price,commission_rate\nA,100,1e300\n");
    assert_eq!(
        e,
        "items.csv: row 1, column \"commission_rate\": 1e300 is outside [0, 1]"
    );
}

#[test]
fn commission_as_percent() {
    let e = items_error("item_id,commission_rate\nA,0.1\nB,17\n");
    assert_eq!(
        e,
        "items.csv: row 2, column \"commission_rate\": 17 is outside [0, 1]; rates are fractions (write 17% as 0.17)"
    );
    let e = items_error("item_id,commission_rate\nA,0.1\nB,1.7\n");
    assert_eq!(
        e,
        "items.csv: row 2, column \"commission_rate\": 1.7 is outside [0, 1]; rates are fractions (write 17% as 0.17)"
    );
}

#[test]
fn nan_commission() {
    let e = items_error("item_id,commission_rate\nA,NaN\nB,0.1\n");
    assert_eq!(
        e,
        "items.csv: row 1, column \"commission_rate\": NaN is not a finite number"
    );
    let e = items_error("item_id,commission_rate\nA,0.1\nB,inf\n");
    assert_eq!(
        e,
        "items.csv: row 2, column \"commission_rate\": inf is not a finite number"
    );
}

#[test]
fn more_positive_reviews_than_reviews() {
    let e = items_error("item_id,reviews_positive,reviews_total\nA,3,5\nB,9,5\n");
    assert_eq!(
        e,
        "items.csv: row 2, column \"reviews_positive\": 9 positive reviews is more than reviews_total 5"
    );
}

#[test]
fn duplicate_item_id() {
    let e = items_error("item_id\nA\nB\nA\n");
    assert_eq!(
        e,
        "items.csv: row 3, column \"item_id\": duplicate item id \"A\""
    );
}

#[test]
fn duplicate_promoter_id() {
    let dir = tmp();
    let files = DataFiles::orders(put(&dir, "orders.csv", ORDERS)).with_promoters(put(
        &dir,
        "promoters.csv",
        "promoter_id\np1\np2\np1\n",
    ));
    let e = strip(&dir, strict(&files).unwrap_err());
    assert_eq!(
        e,
        "promoters.csv: row 3, column \"promoter_id\": duplicate promoter id \"p1\""
    );
}

#[test]
fn unparsable_timestamp() {
    let e = orders_error("promoter_id,item_id,ts\np1,A,2011-10-01\np1,B,yesterday\n");
    assert!(
        e.starts_with("orders.csv: row 2, column \"ts\": cannot read \"yesterday\" as a timestamp"),
        "{e}"
    );
}

#[test]
fn timestamp_before_1970() {
    let e = orders_error("promoter_id,item_id,ts\np1,A,-5\n");
    assert_eq!(
        e,
        "orders.csv: row 1, column \"ts\": timestamp -5 is before 1970-01-01; timestamps are unix seconds"
    );
}

#[test]
fn timestamp_in_milliseconds() {
    let e = orders_error("promoter_id,item_id,ts\np1,A,1317427200\np1,A,1317427200000\n");
    assert_eq!(
        e,
        "orders.csv: row 2, column \"ts\": timestamp 1317427200000 is after 2100-01-01 (it looks like milliseconds; divide by 1000)"
    );
}

#[test]
fn timestamp_in_microseconds() {
    let e = orders_error("promoter_id,item_id,ts\np1,A,1317427200\np1,A,1317427200000000\n");
    assert_eq!(
        e,
        "orders.csv: row 2, column \"ts\": timestamp 1317427200000000 is after 2100-01-01 (it looks like microseconds; divide by 1,000,000)"
    );
}

#[test]
fn missing_timestamp() {
    let e = orders_error("promoter_id,item_id,ts\np1,A,\n");
    assert_eq!(e, "orders.csv: row 1, column \"ts\": missing timestamp");
}

#[test]
fn order_for_unknown_item() {
    let dir = tmp();
    let files = DataFiles::orders(put(
        &dir,
        "orders.csv",
        "promoter_id,item_id,ts\np1,A,5\np1,SKU-991,5\n",
    ))
    .with_items(put(&dir, "items.csv", "item_id\nA\n"));
    let e = strip(&dir, strict(&files).unwrap_err());
    assert_eq!(
        e,
        "orders.csv: row 2, column \"item_id\": unknown item \"SKU-991\" (not in the items table)"
    );
}

#[test]
fn order_for_unknown_promoter() {
    let dir = tmp();
    let files = DataFiles::orders(put(&dir, "orders.csv", ORDERS)).with_promoters(put(
        &dir,
        "promoters.csv",
        "promoter_id\np1\n",
    ));
    let e = strip(&dir, strict(&files).unwrap_err());
    assert_eq!(
        e,
        "orders.csv: row 2, column \"promoter_id\": unknown promoter \"p2\" (not in the promoters table)"
    );
}

#[test]
fn empty_promoter_id() {
    let e = orders_error("promoter_id,item_id,ts\n,A,5\n");
    assert_eq!(e, "orders.csv: row 1, column \"promoter_id\": empty id");
}

#[test]
fn city_tier_out_of_range() {
    let dir = tmp();
    let files = DataFiles::orders(put(&dir, "orders.csv", ORDERS)).with_promoters(put(
        &dir,
        "promoters.csv",
        "promoter_id,city_tier\np1,2\np2,9\n",
    ));
    let e = strip(&dir, strict(&files).unwrap_err());
    assert_eq!(
        e,
        "promoters.csv: row 2, column \"city_tier\": 9 is outside 1..=6"
    );
}

#[test]
fn unknown_channel() {
    let dir = tmp();
    let files = DataFiles::orders(put(&dir, "orders.csv", ORDERS)).with_promoters(put(
        &dir,
        "promoters.csv",
        "promoter_id,channel\np1,mother\np2,wizard\n",
    ));
    let e = strip(&dir, strict(&files).unwrap_err());
    assert!(
        e.starts_with(
            "promoters.csv: row 2, column \"channel\": unknown channel \"wizard\" (expected mother"
        ),
        "{e}"
    );
}

#[test]
fn unknown_seller() {
    let e = items_error("item_id,seller\nA,marketplace\nB,shop\n");
    assert_eq!(
        e,
        "items.csv: row 2, column \"seller\": unknown seller \"shop\" (expected self_operated or marketplace)"
    );
}

#[test]
fn unknown_status() {
    let e = orders_error("promoter_id,item_id,ts,status\np1,A,5,completed\np1,A,5,lost\n");
    assert_eq!(
        e,
        "orders.csv: row 2, column \"status\": unknown status \"lost\" (expected completed, refunded, cancelled, viewed or carted)"
    );
}

#[test]
fn bad_boolean_and_quantity() {
    let e = items_error("item_id,in_stock\nA,true\nB,maybe\n");
    assert_eq!(
        e,
        "items.csv: row 2, column \"in_stock\": cannot read \"maybe\" as a boolean (expected true, false, 1 or 0)"
    );
    let e = orders_error("promoter_id,item_id,ts,quantity\np1,A,5,two\n");
    assert_eq!(
        e,
        "orders.csv: row 1, column \"quantity\": cannot read \"two\" as an integer"
    );
}

#[test]
fn unknown_inviter_strict_and_lenient() {
    let dir = tmp();
    let files = DataFiles::orders(put(&dir, "orders.csv", ORDERS)).with_promoters(put(
        &dir,
        "promoters.csv",
        "promoter_id,inviter_id\np1,\np2,ghost\n",
    ));
    let e = strip(&dir, strict(&files).unwrap_err());
    assert_eq!(
        e,
        "promoters.csv: row 2, column \"inviter_id\": inviter \"ghost\" of promoter \"p2\" is not in the promoters table"
    );
    let loaded = read_dataset(&files, &ReadOptions::lenient()).unwrap();
    let u = &loaded.report.unresolved_inviters;
    assert_eq!(u.len(), 1);
    assert_eq!(
        (u[0].promoter_id.as_str(), u[0].inviter_id.as_str()),
        ("p2", "ghost")
    );
    assert_eq!(loaded.dataset.promoters().inviter, vec![None, None]);
    assert!(loaded
        .report
        .to_string()
        .contains("promoter \"p2\" names inviter \"ghost\""));
}

#[test]
fn a_triplet_share_log_loads_with_its_receivers() {
    let dir = tmp();
    let shares = "promoter_id,receiver_id,item_id,ts\np1,p2,A,2011-09-30\np2,,B,2011-09-30\np2,p3,B,2011-09-30\n";
    let files = DataFiles::orders(put(&dir, "orders.csv", ORDERS)).with_shares(put(
        &dir,
        "shares.csv",
        shares,
    ));
    let d = strict(&files).unwrap().dataset;
    let name = |p: Option<u32>| p.map(|p| d.promoters().ids.name(p).unwrap().to_string());
    let got: Vec<Option<String>> = (0..d.shares().len())
        .map(|r| name(d.shares().receiver(r)))
        .collect();
    assert_eq!(got, vec![Some("p2".into()), None, Some("p3".into())]);
    // With no promoters file, a receiver known only from the shares is a promoter too.
    assert_eq!(d.promoters().len(), 3);
    // Written back and read again, the receivers survive.
    let out = tmp();
    write_dataset(&d, out.path(), Format::Csv).unwrap();
    let again = strict(
        &DataFiles::orders(out.path().join("orders.csv"))
            .with_shares(out.path().join("shares.csv")),
    )
    .unwrap()
    .dataset;
    let again_names: Vec<Option<String>> = (0..again.shares().len())
        .map(|r| {
            again
                .shares()
                .receiver(r)
                .map(|p| again.promoters().ids.name(p).unwrap().to_string())
        })
        .collect();
    assert_eq!(again_names, got);
}

#[test]
fn an_unknown_receiver_is_named_strict_and_counted_lenient() {
    let dir = tmp();
    let files = DataFiles::orders(put(&dir, "orders.csv", ORDERS))
        .with_promoters(put(&dir, "promoters.csv", "promoter_id\np1\np2\n"))
        .with_shares(put(
            &dir,
            "shares.csv",
            "promoter_id,item_id,ts,receiver_id\np1,A,1317000000,p2\np1,B,1317000000,ghost\n",
        ));
    let e = strip(&dir, strict(&files).unwrap_err());
    assert!(
        e.starts_with("shares.csv: row 2, column \"receiver_id\""),
        "{e}"
    );
    assert!(e.contains("ghost"), "{e}");
    let loaded = read_dataset(&files, &ReadOptions::lenient()).unwrap();
    assert_eq!(loaded.dataset.shares().len(), 1);
    assert_eq!(loaded.dataset.promoters().len(), 2);
    assert!(loaded.report.to_string().contains("ghost"));
}

// ---------------------------------------------------------------- bad files

#[test]
fn missing_required_column() {
    let dir = tmp();
    let err = strict(&DataFiles::orders(put(
        &dir,
        "orders.csv",
        "promoter_id,sku,ts\np1,A,5\n",
    )))
    .unwrap_err();
    match &err {
        Error::MissingColumn { column, found, .. } => {
            assert_eq!(column, "item_id");
            assert_eq!(found, "promoter_id, sku, ts");
        }
        other => panic!("expected a missing column, got {other:?}"),
    }
    assert_eq!(
        strip(&dir, err),
        "orders.csv: missing required column \"item_id\" (found: promoter_id, sku, ts)"
    );
}

#[test]
fn missing_file() {
    let dir = tmp();
    let path = dir.path().join("orders.csv");
    match strict(&DataFiles::orders(&path)).unwrap_err() {
        Error::Io { path: p, source } => {
            assert_eq!(p, path);
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected an io error, got {other:?}"),
    }
}

#[test]
fn empty_file() {
    let dir = tmp();
    let err = strict(&DataFiles::orders(put(&dir, "orders.csv", ""))).unwrap_err();
    assert!(matches!(err, Error::Empty(_)), "{err:?}");
    assert_eq!(
        strip(&dir, err),
        "orders.csv: file is empty (expected a header row and data rows)"
    );
}

#[test]
fn header_only_file() {
    let dir = tmp();
    let err = strict(&DataFiles::orders(put(
        &dir,
        "orders.csv",
        "promoter_id,item_id,ts\n",
    )))
    .unwrap_err();
    assert!(matches!(err, Error::Empty(_)), "{err:?}");
    assert_eq!(
        strip(&dir, err),
        "orders.csv: no data rows, only a header (expected at least one order)"
    );
    // A header-only shares file is fine: no shares.
    let files = DataFiles::orders(put(&dir, "orders.csv", ORDERS)).with_shares(put(
        &dir,
        "shares.csv",
        "promoter_id,item_id,ts\n",
    ));
    assert_eq!(strict(&files).unwrap().dataset.shares().len(), 0);
}

#[test]
fn non_utf8_bytes() {
    let dir = tmp();
    let bytes = b"promoter_id,item_id,ts\np1,A,5\np1,caf\xe9,5\n";
    let err = strict(&DataFiles::orders(put(&dir, "orders.csv", bytes))).unwrap_err();
    assert!(matches!(err, Error::Format { .. }), "{err:?}");
    assert_eq!(
        strip(&dir, err),
        "orders.csv: line 3 (data row 2): byte 0xe9 at offset 36 is not UTF-8; save the file as UTF-8"
    );
}

#[test]
fn unknown_extension() {
    let dir = tmp();
    let err = strict(&DataFiles::orders(put(&dir, "orders.xlsx", ORDERS))).unwrap_err();
    assert!(matches!(err, Error::Format { .. }), "{err:?}");
    assert!(strip(&dir, err).starts_with("orders.xlsx: unknown file extension \"xlsx\""));
}

#[test]
fn corrupt_parquet() {
    let dir = tmp();
    let err = strict(&DataFiles::orders(put(&dir, "orders.parquet", ORDERS))).unwrap_err();
    match err {
        Error::Format { path, .. } => assert_eq!(path, dir.path().join("orders.parquet")),
        other => panic!("expected a format error, got {other:?}"),
    }
}

/// Writes a Parquet file from columns built with polars.
fn put_parquet(dir: &TempDir, name: &str, columns: Vec<polars::prelude::Column>) -> PathBuf {
    use polars::prelude::{DataFrame, ParquetWriter};
    let mut df = DataFrame::new_infer_height(columns).unwrap();
    let path = dir.path().join(name);
    let file = std::fs::File::create(&path).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
    path
}

#[test]
fn wrong_typed_parquet_column() {
    use polars::prelude::Column;
    let dir = tmp();
    let items = put_parquet(
        &dir,
        "items.parquet",
        vec![
            Column::new("item_id".into(), ["A", "B"]),
            Column::new("price".into(), [true, false]),
        ],
    );
    let files = DataFiles::orders(put(&dir, "orders.csv", ORDERS)).with_items(items);
    let e = strip(&dir, strict(&files).unwrap_err());
    assert_eq!(
        e,
        "items.parquet: column \"price\": found column type bool, expected an integer"
    );
}

#[test]
fn parquet_types_convert_with_checks() {
    use polars::prelude::Column;
    let dir = tmp();
    // Integer ids, float cents, integer booleans: accepted where sensible.
    let items = put_parquet(
        &dir,
        "items.parquet",
        vec![
            Column::new("item_id".into(), [85123i64, 22]),
            Column::new("price".into(), [1999.0f64, 250.0]),
            Column::new("commission_rate".into(), [0.1f32, 0.25]),
            Column::new("in_stock".into(), [1i32, 0]),
        ],
    );
    let orders = put_parquet(
        &dir,
        "orders.parquet",
        vec![
            Column::new("user_id".into(), [17850.0f64, 13047.0]),
            Column::new("item_id".into(), ["85123", "22"]),
            Column::new("ts".into(), [1_317_427_200i64, 1_317_427_260]),
        ],
    );
    let files = DataFiles::orders(&orders).with_items(&items);
    let ds = strict(&files).unwrap().dataset;
    assert_eq!(
        ds.catalog().ids.names().collect::<Vec<_>>(),
        ["85123", "22"]
    );
    assert_eq!(ds.catalog().price_cents, [1999, 250]);
    assert_eq!(ds.catalog().in_stock, [true, false]);
    assert_eq!(
        ds.promoters().ids.names().collect::<Vec<_>>(),
        ["17850", "13047"]
    );

    // A fractional price in a float column is a fault with the row and a hint.
    let items = put_parquet(
        &dir,
        "items.parquet",
        vec![
            Column::new("item_id".into(), ["85123", "22"]),
            Column::new("price".into(), [1999.0f64, 2.5]),
        ],
    );
    let files = DataFiles::orders(&orders).with_items(&items);
    let e = strip(&dir, strict(&files).unwrap_err());
    assert_eq!(
        e,
        "items.parquet: row 2, column \"price\": 2.5 is not a whole number; prices are integer cents (write 250 for 2.50)"
    );
    // NaN in a float column is a fault too.
    let items = put_parquet(
        &dir,
        "items.parquet",
        vec![
            Column::new("item_id".into(), ["85123", "22"]),
            Column::new("commission_rate".into(), [f64::NAN, 0.1]),
        ],
    );
    let files = DataFiles::orders(&orders).with_items(&items);
    let e = strip(&dir, strict(&files).unwrap_err());
    assert_eq!(
        e,
        "items.parquet: row 1, column \"commission_rate\": NaN is not a finite number"
    );
}

#[test]
fn repeated_header_column_is_refused_naming_it() {
    let dir = tmp();
    // Which `ts` holds the order time cannot be told: both modes refuse the file.
    let orders = put(
        &dir,
        "orders.csv",
        "promoter_id,item_id,ts,ts\np1,A,2011-10-01,2011-10-05\n",
    );
    let files = DataFiles::orders(&orders);
    let want = "orders.csv: column \"ts\": the header names column \"ts\" 2 times (columns 3 and 4); keep one";
    assert_eq!(strip(&dir, strict(&files).unwrap_err()), want);
    let lenient = read_dataset(&files, &ReadOptions::lenient()).unwrap_err();
    assert_eq!(strip(&dir, lenient), want);
    // Spaces around a name do not make it another column.
    let orders = put(
        &dir,
        "orders.csv",
        "promoter_id, item_id,item_id,ts\np1,A,B,5\n",
    );
    let e = strip(&dir, strict(&DataFiles::orders(&orders)).unwrap_err());
    assert!(e.contains("\"item_id\" 2 times (columns 2 and 3)"), "{e}");
}

#[test]
fn ragged_row_is_a_fault_of_its_row_in_both_modes() {
    let dir = tmp();
    // Row 2 has a field too many, row 4 one too few; row 3's quoted item id holds a
    // comma and a line break, so row 4 starts on line 6.
    let text = "promoter_id,item_id,ts\n\
                p1,A,2011-10-01\n\
                p1,B,2011-10-02,extra\n\
                p2,\"C, large\nred\",2011-10-03\n\
                p2,A\n\
                p3,A,2011-10-04\n";
    let files = DataFiles::orders(put(&dir, "orders.csv", text));
    match strict(&files).unwrap_err() {
        Error::RaggedRow {
            source_name,
            row,
            line,
            found,
            expected,
            message,
        } => {
            assert_eq!(
                source_name,
                dir.path().join("orders.csv").display().to_string()
            );
            assert_eq!((row, line, found, expected), (2, 3, 4, 3));
            assert_eq!(message, "4 fields on line 3, expected 3 (as in the header)");
        }
        other => panic!("expected a ragged row, got {other:?}"),
    }
    let rejects = dir.path().join("rejects.csv");
    let loaded = read_dataset(&files, &ReadOptions::lenient().with_rejects(&rejects)).unwrap();
    let t = loaded.report.table(Table::Orders).unwrap();
    assert_eq!((t.read, t.accepted, t.rejected), (5, 3, 2));
    let rows: Vec<(u64, &str)> = loaded
        .report
        .rejects
        .iter()
        .map(|r| (r.row, r.reason.as_str()))
        .collect();
    assert_eq!(
        rows,
        vec![
            (2, "4 fields on line 3, expected 3 (as in the header)"),
            (4, "2 fields on line 6, expected 3 (as in the header)"),
        ]
    );
    // The rows around them load, the quoted line break kept.
    let ds = &loaded.dataset;
    let mut items: Vec<&str> = (0..ds.orders().len())
        .map(|o| ds.catalog().ids.name(ds.orders().item[o]).unwrap())
        .collect();
    items.sort_unstable();
    assert_eq!(items, vec!["A", "A", "C, large\nred"]);
    let text = std::fs::read_to_string(&rejects).unwrap();
    assert!(
        text.ends_with(
            ",4,\"\",ragged_row,\"2 fields on line 6, expected 3 (as in the header)\"\n"
        ),
        "{text}"
    );
    // A row after the ragged one keeps its number: row 5 is line 7.
    let bad = text_with_bad_ts_after_ragged();
    let lenient = read_dataset(
        &DataFiles::orders(put(&dir, "late.csv", bad)),
        &ReadOptions::lenient(),
    )
    .unwrap();
    let late: Vec<(u64, String)> = lenient
        .report
        .rejects
        .iter()
        .map(|r| (r.row, r.column.clone()))
        .collect();
    assert_eq!(late, vec![(1, String::new()), (3, "ts".to_string())]);
}

fn text_with_bad_ts_after_ragged() -> &'static str {
    "promoter_id,item_id,ts\np1,A,5,6\np1,B,5\np1,C,never\n"
}

#[test]
fn a_quote_never_closed_is_named_not_swallowed() {
    let dir = tmp();
    let text = "promoter_id,item_id,ts\np1,A,5\np1,\"B,5\np2,C,6\np3,D,7\n";
    let files = DataFiles::orders(put(&dir, "orders.csv", text));
    let e = strip(&dir, strict(&files).unwrap_err());
    assert_eq!(
        e,
        "orders.csv: row 2: a quoted field on line 3 is never closed, so the rest of the file \
         (3 lines) would be one field; close the quote or double it (\"\")"
    );
    let loaded = read_dataset(&files, &ReadOptions::lenient()).unwrap();
    assert_eq!(loaded.dataset.orders().len(), 1);
    assert_eq!(loaded.report.rejects.len(), 1);
}

#[test]
fn blank_lines_are_skipped_and_counted_not_missing_timestamps() {
    let dir = tmp();
    // A blank line inside, one of spaces, and two at the end; CRLF line ends and a BOM.
    let text = "\u{feff}promoter_id,item_id,ts\r\np1,A,5\r\n\r\np2,B,6\r\n   \r\np3,C,x\r\n\r\n\n";
    let files = DataFiles::orders(put(&dir, "orders.csv", text));
    // Strict: the first fault is the bad timestamp of row 5 (line 6), not a blank line.
    let e = strip(&dir, strict(&files).unwrap_err());
    assert!(
        e.starts_with("orders.csv: row 5, column \"ts\": cannot read \"x\""),
        "{e}"
    );
    let loaded = read_dataset(&files, &ReadOptions::lenient()).unwrap();
    let t = loaded.report.table(Table::Orders).unwrap();
    assert_eq!(
        (t.read, t.accepted, t.rejected, t.blank_lines),
        (3, 2, 1, 4)
    );
    assert!(
        loaded
            .report
            .to_string()
            .contains("; 4 blank lines skipped"),
        "{}",
        loaded.report
    );
    // Strict mode loads a file whose only oddity is blank lines, and counts them.
    let files = DataFiles::orders(put(
        &dir,
        "ok.csv",
        "promoter_id,item_id,ts\np1,A,5\n\np2,B,6\n\n",
    ));
    let loaded = strict(&files).unwrap();
    assert_eq!(loaded.dataset.orders().len(), 2);
    assert_eq!(loaded.report.blank_lines(), 2);
    // Blank lines are not rows: a header and blank lines is a file with no rows.
    let only = DataFiles::orders(put(&dir, "blank.csv", "promoter_id,item_id,ts\n\n\n"));
    assert!(matches!(strict(&only).unwrap_err(), Error::Empty(_)));
    // A one-column promoter list too.
    let who = put(&dir, "who.csv", "promoter_id\np1\n\np2\n\n");
    assert_eq!(read_promoter_ids(&who).unwrap(), vec!["p1", "p2"]);
}

#[test]
fn ragged_rows_in_a_gzip_file_are_found_too() {
    let dir = tmp();
    let text = b"promoter_id,item_id,ts\np1,A,5\np1,B,5,6\n\np2,C,7\n";
    let files = DataFiles::orders(put(&dir, "orders.csv.gz", gzip_stored(text)));
    match strict(&files).unwrap_err() {
        Error::RaggedRow { row, line, .. } => assert_eq!((row, line), (2, 3)),
        other => panic!("expected a ragged row, got {other:?}"),
    }
    let loaded = read_dataset(&files, &ReadOptions::lenient()).unwrap();
    let t = loaded.report.table(Table::Orders).unwrap();
    assert_eq!(
        (t.read, t.accepted, t.rejected, t.blank_lines),
        (3, 2, 1, 1)
    );
}

/// `data` as a gzip file of one stored (uncompressed) deflate block.
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let len = u16::try_from(data.len()).unwrap();
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 1];
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32fast::hash(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

// ---------------------------------------------------------------- lenient mode

#[test]
fn lenient_counts_add_up_and_rejects_file_lists_bad_rows() {
    let dir = tmp();
    let items = put(
        &dir,
        "items.csv",
        "item_id,price,commission_rate\nA,100,0.1\nB,NaN,0.1\nC,300,1.7\nD,400,0.2\n",
    );
    let orders = put(
        &dir,
        "orders.csv",
        "promoter_id,item_id,ts,quantity\np1,A,5,1\np1,B,5,1\np2,D,yesterday,1\np2,D,6,0\np3,D,7,2\np1,Z,8,1\n",
    );
    let rejects = dir.path().join("rejects.csv");
    let opts = ReadOptions::lenient().with_rejects(&rejects);
    let loaded = read_dataset(&DataFiles::orders(&orders).with_items(&items), &opts).unwrap();
    let r = &loaded.report;
    for t in &r.tables {
        assert_eq!(t.read, t.accepted + t.rejected, "{t:?}");
    }
    let items_t = r.table(Table::Items).unwrap();
    assert_eq!(
        (items_t.read, items_t.accepted, items_t.rejected),
        (4, 2, 2)
    );
    let orders_t = r.table(Table::Orders).unwrap();
    assert_eq!(
        (orders_t.read, orders_t.accepted, orders_t.rejected),
        (6, 2, 4)
    );
    assert_eq!(loaded.dataset.catalog().len(), 2);
    assert_eq!(loaded.dataset.orders().len(), 2);

    let text = std::fs::read_to_string(&rejects).unwrap();
    let d = format!("{}/", dir.path().display());
    let text = text.replace(&d, "");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "file,row,column,code,reason");
    assert_eq!(
        lines[1],
        "items.csv,2,price,not_a_number,NaN is not a finite number"
    );
    assert!(
        lines[2].starts_with(
            "items.csv,3,commission_rate,out_of_range,\"1.7 is outside [0, 1]; rates are fractions"
        ),
        "{}",
        lines[2]
    );
    assert_eq!(
        lines[3],
        "orders.csv,2,item_id,rejected_reference,\"item \"\"B\"\" is left out: its item row was rejected (row 2)\""
    );
    assert!(
        lines[4].starts_with("orders.csv,3,ts,unreadable,\"cannot read \"\"yesterday\"\""),
        "{}",
        lines[4]
    );
    assert!(
        lines[5].starts_with("orders.csv,4,quantity,out_of_range,0 is not a quantity"),
        "{}",
        lines[5]
    );
    assert_eq!(
        lines[6],
        "orders.csv,6,item_id,unknown_id,\"unknown item \"\"Z\"\" (not in the items table)\""
    );
    assert_eq!(lines.len(), 7);
    assert_eq!(r.rejects.len(), 6);

    let summary = r.to_string();
    assert!(
        summary.contains("items.csv (items): 4 rows read, 2 accepted, 2 rejected"),
        "{summary}"
    );
    let json = serde_json::to_value(r).unwrap();
    assert_eq!(json["tables"][1]["rejected"], 4);
    assert_eq!(json["tables"][1]["format"], "csv");
    assert_eq!(json["rejects"][0]["code"], "not_a_number");
}

#[test]
fn knock_on_rejects_name_the_rejected_row() {
    let dir = tmp();
    let promoters = put(&dir, "promoters.csv", "promoter_id,city_tier\np1,9\np2,1\n");
    let items = put(&dir, "items.csv", "item_id,price\nA,-3\nB,100\n");
    let orders = put(
        &dir,
        "orders.csv",
        "promoter_id,item_id,ts\np1,B,5\np2,A,6\np2,B,7\np2,C,8\n",
    );
    let files = DataFiles::orders(&orders)
        .with_items(&items)
        .with_promoters(&promoters);
    let loaded = read_dataset(&files, &ReadOptions::lenient()).unwrap();
    let reasons: Vec<(u64, &str)> = loaded
        .report
        .rejects
        .iter()
        .filter(|r| r.file.ends_with("orders.csv"))
        .map(|r| (r.row, r.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (
                1,
                "promoter \"p1\" is left out: her promoter row was rejected (row 1)"
            ),
            (
                2,
                "item \"A\" is left out: its item row was rejected (row 1)"
            ),
            (4, "unknown item \"C\" (not in the items table)"),
        ]
    );
}

#[test]
fn lenient_with_no_accepted_order_is_an_error() {
    let dir = tmp();
    let orders = put(&dir, "orders.csv", "promoter_id,item_id,ts\np1,A,x\n");
    let err = read_dataset(&DataFiles::orders(&orders), &ReadOptions::lenient()).unwrap_err();
    assert!(matches!(err, Error::Empty(_)), "{err:?}");
    assert!(strip(&dir, err).starts_with("orders.csv: none of the 1 order rows was accepted; the first reject: orders.csv: row 1, column \"ts\""));
}

// ---------------------------------------------------------------- plain logs, aliases

#[test]
fn three_column_log_loads_alone() {
    let dir = tmp();
    let loaded = strict(&DataFiles::orders(put(&dir, "orders.csv", ORDERS))).unwrap();
    let ds = loaded.dataset;
    assert_eq!(
        (ds.catalog().len(), ds.promoters().len(), ds.orders().len()),
        (2, 2, 2)
    );
    assert_eq!(ds.orders().ts, [1_317_427_200, 1_317_427_200]);
    assert!(loaded.report.is_clean());
}

#[test]
fn aliases_and_ignored_columns() {
    let dir = tmp();
    let orders = put(
        &dir,
        "orders.csv",
        "invoice,user_id,item_id,timestamp,quantity,unit_price\n536365,17850,85123A,1291191960,6,2.55\n",
    );
    let loaded = strict(&DataFiles::orders(&orders)).unwrap();
    assert_eq!(loaded.dataset.promoters().ids.name(0), Some("17850"));
    assert_eq!(loaded.dataset.catalog().ids.name(0), Some("85123A"));
    assert_eq!(loaded.dataset.orders().quantity, [6]);
    let t = loaded.report.table(Table::Orders).unwrap();
    assert_eq!(t.ignored_columns, ["invoice", "unit_price"]);
    assert!(loaded
        .report
        .to_string()
        .contains("ignored columns: invoice, unit_price"));

    // A fault in an aliased column names the column as the file has it.
    let e = orders_error("user_id,item_id,ts\n,A,5\n");
    assert_eq!(e, "orders.csv: row 1, column \"user_id\": empty id");

    // When both names are present, the schema name wins and the alias is ignored.
    let both = put(
        &dir,
        "orders.csv",
        "user_id,promoter_id,item_id,ts\nu,p,A,5\n",
    );
    let loaded = strict(&DataFiles::orders(&both)).unwrap();
    assert_eq!(loaded.dataset.promoters().ids.name(0), Some("p"));
    assert_eq!(loaded.report.tables[0].ignored_columns, ["user_id"]);
}

#[test]
fn ids_stay_text() {
    let dir = tmp();
    let orders = put(
        &dir,
        "orders.csv",
        "promoter_id,item_id,ts\n007,00123,5\n12345678901234567890,85123A,5\n",
    );
    let ds = strict(&DataFiles::orders(&orders)).unwrap().dataset;
    assert_eq!(
        ds.promoters().ids.names().collect::<Vec<_>>(),
        ["007", "12345678901234567890"]
    );
    assert_eq!(
        ds.catalog().ids.names().collect::<Vec<_>>(),
        ["00123", "85123A"]
    );
}

#[test]
fn from_dir_finds_tables() {
    let dir = tmp();
    put(&dir, "orders.csv", ORDERS);
    put(&dir, "items.csv", "item_id\nA\nB\n");
    put(&dir, "users.csv", "user_id\n1\n");
    let files = DataFiles::from_dir(dir.path()).unwrap();
    assert_eq!(files.items, Some(dir.path().join("items.csv")));
    assert_eq!(files.shares, None);
    assert_eq!(strict(&files).unwrap().dataset.catalog().len(), 2);
}

// ---------------------------------------------------------------- promoter id lists

#[test]
fn promoter_id_lists() {
    let dir = tmp();
    let path = put(&dir, "who.csv", "promoter_id,note\n007,\np2,x\n");
    assert_eq!(read_promoter_ids(&path).unwrap(), ["007", "p2"]);
    // A row with a field missing is named, as in a dataset.
    let path = put(&dir, "who.csv", "promoter_id,note\n007,\np2\n");
    let e = strip(&dir, read_promoter_ids(&path).unwrap_err());
    assert_eq!(
        e,
        "who.csv: row 2: 1 field on line 3, expected 2 (as in the header)"
    );
    let path = put(&dir, "who.csv", "promoter_id\np1\np2\np1\n");
    let e = strip(&dir, read_promoter_ids(&path).unwrap_err());
    assert_eq!(
        e,
        "who.csv: row 3, column \"promoter_id\": duplicate promoter id \"p1\" (first at row 1)"
    );
    let path = put(&dir, "who.csv", "promoter_id\np1\n\"\"\n");
    let e = strip(&dir, read_promoter_ids(&path).unwrap_err());
    assert_eq!(e, "who.csv: row 2, column \"promoter_id\": empty id");
    let path = put(&dir, "who.csv", "id\np1\n");
    assert!(matches!(
        read_promoter_ids(&path).unwrap_err(),
        Error::MissingColumn { .. }
    ));
    use polars::prelude::Column;
    let path = put_parquet(
        &dir,
        "who.parquet",
        vec![Column::new("user_id".into(), [3i64, 1, 2])],
    );
    assert_eq!(read_promoter_ids(&path).unwrap(), ["3", "1", "2"]);
}

// ---------------------------------------------------------------- writing

/// A small dataset using every column of the schema.
fn full_dataset() -> Dataset {
    let mut b = DatasetBuilder::new();
    b.push_item(&ItemRecord {
        item_id: "A",
        category: Some("fresh/fruit/citrus"),
        brand: Some("Sunkist"),
        price_cents: Some(1999),
        reviews_positive: Some(95),
        reviews_total: Some(100),
        commission_rate: Some(0.17),
        seller: Some("self_operated"),
        in_stock: Some(false),
        listed_at: Some(1_300_000_000),
    })
    .unwrap();
    b.push_item(&ItemRecord {
        item_id: "85123A",
        price_cents: Some(255),
        ..Default::default()
    })
    .unwrap();
    b.push_item(&ItemRecord {
        item_id: "c,1",
        category: Some("home"),
        commission_rate: Some(0.1),
        price_cents: Some(5),
        ..Default::default()
    })
    .unwrap();
    b.push_promoter(&PromoterRecord {
        promoter_id: "p1",
        channel: Some("mother"),
        city_tier: Some(3),
        joined_at: Some(1_310_000_000),
        inviter_id: Some("p2"),
    })
    .unwrap();
    b.push_promoter(&PromoterRecord {
        promoter_id: "p2",
        ..Default::default()
    })
    .unwrap();
    let order = |p, i, ts| OrderRecord {
        promoter_id: p,
        item_id: i,
        ts,
        ..Default::default()
    };
    b.push_order(&OrderRecord {
        order_id: Some("o1"),
        buyer_id: Some("b1"),
        group_id: Some("g1"),
        quantity: Some(2),
        amount_cents: Some(3500),
        status: Some("refunded"),
        ..order("p1", "A", 1_317_427_200)
    })
    .unwrap();
    b.push_order(&order("p2", "85123A", 1_317_427_300)).unwrap();
    b.push_order(&OrderRecord {
        group_id: Some("g1"),
        ..order("p1", "c,1", 1_317_427_400)
    })
    .unwrap();
    b.push_share(&ShareRecord {
        promoter_id: "p1",
        item_id: "A",
        ts: 1_317_000_000,
        group_id: Some("g2"),
        receiver_id: None,
    })
    .unwrap();
    b.push_share(&ShareRecord {
        promoter_id: "p2",
        item_id: "c,1",
        ts: 1_317_000_100,
        group_id: None,
        receiver_id: None,
    })
    .unwrap();
    b.finish().unwrap()
}

fn assert_same(a: &Dataset, b: &Dataset) {
    assert_eq!(*a.catalog(), *b.catalog());
    assert_eq!(*a.promoters(), *b.promoters());
    assert_eq!(a.orders(), b.orders());
    assert_eq!(a.shares(), b.shares());
}

fn round_trip(format: Format) {
    let ds = full_dataset();
    let dir = tmp();
    write_dataset(&ds, dir.path(), format).unwrap();
    let files = DataFiles::from_dir(dir.path()).unwrap();
    assert_eq!(
        files.orders,
        dir.path().join(format!("orders.{}", format.extension()))
    );
    let loaded = strict(&files).unwrap();
    assert!(loaded.report.is_clean(), "{}", loaded.report);
    assert!(loaded
        .report
        .tables
        .iter()
        .all(|t| t.ignored_columns.is_empty()));
    assert_same(&ds, &loaded.dataset);
}

#[test]
fn round_trip_csv() {
    round_trip(Format::Csv);
}

#[test]
fn round_trip_parquet() {
    round_trip(Format::Parquet);
}

#[test]
fn round_trip_ipc() {
    round_trip(Format::Ipc);
}

#[test]
fn written_csv_reads_as_documented() {
    let ds = full_dataset();
    let dir = tmp();
    write_dataset(&ds, dir.path(), Format::Csv).unwrap();
    let items = std::fs::read_to_string(dir.path().join("items.csv")).unwrap();
    assert_eq!(
        items,
        "item_id,category,brand,price,reviews_positive,reviews_total,commission_rate,seller,in_stock,listed_at\n\
         A,fresh/fruit/citrus,Sunkist,1999,95,100,0.17,self_operated,false,1300000000\n\
         85123A,unknown,,255,0,0,0.0,marketplace,true,\n\
         \"c,1\",home,,5,0,0,0.1,marketplace,true,\n"
    );
    let orders = std::fs::read_to_string(dir.path().join("orders.csv")).unwrap();
    assert_eq!(
        orders.lines().next(),
        Some("promoter_id,item_id,ts,order_id,buyer_id,group_id,quantity,amount,status")
    );
}

#[test]
fn output_is_byte_identical() {
    let ds = full_dataset();
    for format in [Format::Csv, Format::Parquet, Format::Ipc] {
        let (a, b) = (tmp(), tmp());
        write_dataset(&ds, a.path(), format).unwrap();
        write_dataset(&ds, b.path(), format).unwrap();
        for stem in ["items", "promoters", "orders", "shares"] {
            let name = format!("{stem}.{}", format.extension());
            let x = std::fs::read(a.path().join(&name)).unwrap();
            let y = std::fs::read(b.path().join(&name)).unwrap();
            assert_eq!(x, y, "{name}");
        }
        // Nothing else (no temporary file) is left behind.
        assert_eq!(std::fs::read_dir(a.path()).unwrap().count(), 4);
    }
}

#[test]
fn chunked_writer_equals_whole() {
    let ds = full_dataset();
    let keep = |lo: i64, hi: i64| {
        (
            ds.orders()
                .filter(|r| ds.orders().ts[r] >= lo && ds.orders().ts[r] < hi),
            ds.shares()
                .filter(|r| ds.shares().ts[r] >= lo && ds.shares().ts[r] < hi),
        )
    };
    let split = 1_317_427_350;
    for format in [Format::Csv, Format::Parquet, Format::Ipc] {
        let dir = tmp();
        let mut w =
            DatasetWriter::create(dir.path(), format, ds.catalog(), ds.promoters()).unwrap();
        let (o1, s1) = keep(0, split);
        let (o2, s2) = keep(split, i64::MAX);
        w.write_orders(&o1, &s1).unwrap();
        w.write_orders(&o2, &s2).unwrap();
        w.finish().unwrap();
        let back = strict(&DataFiles::from_dir(dir.path()).unwrap())
            .unwrap()
            .dataset;
        assert_same(&ds, &back);
    }
}

#[test]
fn unfinished_writer_leaves_no_orders() {
    let ds = full_dataset();
    let dir = tmp();
    let w =
        DatasetWriter::create(dir.path(), Format::Parquet, ds.catalog(), ds.promoters()).unwrap();
    drop(w);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["items.parquet", "promoters.parquet"]);
}

#[test]
fn ranked_lists_in_every_format() {
    let mut list = RankedList::default();
    list.push("p1", 1, "A", 0.75);
    list.push("p1", 2, "85123A", 0.5);
    list.push("p2", 1, "c,1", 0.25);
    let dir = tmp();
    let csv = dir.path().join("top.csv");
    write_ranked(&csv, &list).unwrap();
    assert_eq!(
        std::fs::read_to_string(&csv).unwrap(),
        "promoter_id,rank,item_id,score\np1,1,A,0.75\np1,2,85123A,0.5\np2,1,\"c,1\",0.25\n"
    );
    for name in ["top.parquet", "top.arrow"] {
        let path = dir.path().join(name);
        write_ranked(&path, &list).unwrap();
        // The promoter column reads back as a promoter id list (p1 repeats: an error).
        let e = read_promoter_ids(&path).unwrap_err().to_string();
        assert!(
            e.contains("row 2, column \"promoter_id\": duplicate promoter id \"p1\""),
            "{e}"
        );
    }
    let e = write_ranked(&dir.path().join("top.csv.gz"), &list).unwrap_err();
    assert!(matches!(e, Error::Format { .. }), "{e:?}");
}

// ---------------------------------------------------------------- real data

/// The UCI Online Retail orders, if the shared data sets are present.
fn uci_orders() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/datasets/uci-online-retail/orders.csv.gz");
    if path.exists() {
        Some(path)
    } else {
        crate::util::absent(&path, "");
        None
    }
}

#[test]
fn uci_online_retail_loads_leniently() {
    let Some(orders) = uci_orders() else { return };
    // Strict: the first bad line (a cancellation's negative quantity) stops the load.
    let e = strict(&DataFiles::orders(&orders)).unwrap_err().to_string();
    assert!(e.ends_with("orders.csv.gz: row 142, column \"quantity\": -1 is not a quantity (≥ 1); record returns with status refunded"), "{e}");
    let loaded = read_dataset(&DataFiles::orders(&orders), &ReadOptions::lenient()).unwrap();
    let t = loaded.report.table(Table::Orders).unwrap();
    assert_eq!(t.read, 541_909);
    assert_eq!(t.read, t.accepted + t.rejected);
    // The purchase lines: quantity > 0, customer known, counted here with polars alone.
    assert_eq!(t.accepted, uci_purchase_lines(&orders));
    assert_eq!(t.accepted, 397_924);
    assert!(t.ignored_columns.contains(&"unit_price".to_string()));
    assert!(loaded
        .report
        .rejects
        .iter()
        .any(|r| r.column == "user_id" && r.reason == "empty id"));
    assert!(loaded.dataset.promoters().len() <= 4_372);
    eprintln!("{}", loaded.report);
}

/// The lines of the UCI orders file with a customer and a quantity above 0, read with
/// polars' own CSV reader and a filter: not through kocrank's ingest.
fn uci_purchase_lines(path: &Path) -> u64 {
    use polars::prelude::{CsvReadOptions, SerReader};
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .unwrap()
        .finish()
        .unwrap();
    let users = df.column("user_id").unwrap().str().unwrap().clone();
    let quantities = df.column("quantity").unwrap().str().unwrap().clone();
    (0..df.height())
        .filter(|&i| {
            users.get(i).is_some_and(|u| !u.trim().is_empty())
                && quantities
                    .get(i)
                    .and_then(|q| q.trim().parse::<i64>().ok())
                    .is_some_and(|q| q > 0)
        })
        .count() as u64
}

/// The Complete Journey folder, if the shared data sets are present.
fn complete_journey() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/complete-journey");
    if dir.join("orders.csv.gz").exists() && dir.join("items.csv.gz").exists() {
        Some(dir)
    } else {
        crate::util::absent(&dir, "");
        None
    }
}

#[test]
fn complete_journey_maps_hierarchy_and_private_label() {
    let Some(dir) = complete_journey() else {
        return;
    };
    let e = read_complete_journey(&dir, &ReadOptions::strict())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("orders.csv.gz: row ") && e.contains("column \"quantity\": 0 is not a quantity"),
        "{e}"
    );
    let loaded = read_complete_journey(&dir, &ReadOptions::lenient()).unwrap();
    let items = loaded.report.table(Table::Items).unwrap();
    assert_eq!((items.read, items.rejected), (92_331, 0));
    let t = loaded.report.table(Table::Orders).unwrap();
    // 416 lines with quantity 0 (221 of them name a product missing from the master)
    // and the one other line naming a missing product.
    assert_eq!((t.read, t.accepted, t.rejected), (75_000, 74_583, 417));
    let ds = &loaded.dataset;
    assert_eq!(ds.catalog().len(), 92_331);
    let private = ds
        .catalog()
        .seller
        .iter()
        .filter(|&&s| s == kocrank::data::Seller::SelfOperated)
        .count();
    assert_eq!(private, 13_815, "private-label products (README)");
    let departments = ds
        .catalog()
        .taxonomy
        .depth
        .iter()
        .filter(|&&d| d == 1)
        .count();
    assert_eq!(departments, 32);
    assert!(ds.catalog().price_cents.iter().any(|&p| p > 0));
    eprintln!("{}", loaded.report);
}

/// RecBole's `ml-100k.inter`, if `scripts/fetch-ml100k.sh` has cached it.
fn movielens_100k() -> Option<PathBuf> {
    let cache = std::env::var_os("KOCRANK_DATA_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/kocrank-data")))?;
    let path = cache.join("ml-100k/ml-100k.inter");
    if path.exists() {
        Some(path)
    } else {
        crate::util::absent(&path, " (bash scripts/fetch-ml100k.sh fetches it)");
        None
    }
}

#[test]
fn movielens_100k_reads_every_rating() {
    let Some(path) = movielens_100k() else { return };
    let loaded = read_movielens_inter(&path, &ReadOptions::strict()).unwrap();
    let ds = &loaded.dataset;
    assert_eq!(
        (ds.orders().len(), ds.promoters().len(), ds.catalog().len()),
        (100_000, 943, 1_682)
    );
    assert_eq!(loaded.report.tables[0].ignored_columns, ["rating:float"]);
}

/// A file whose last line is one huge field (64 MiB here; 256 MiB was checked by hand
/// to fail the same way in under a second) is a row error, not a hang or a crash.
#[test]
fn huge_single_line() {
    let dir = tmp();
    let mut text = String::from("promoter_id,item_id,ts\np1,a,1700000000\n");
    text.push_str(&"x".repeat(64 << 20));
    let orders = put(&dir, "orders.csv", text);
    let e = strict(&DataFiles::orders(&orders)).unwrap_err();
    assert_eq!(
        strip(&dir, e),
        "orders.csv: row 2: 1 field on line 3, expected 3 (as in the header)"
    );
}

#[test]
fn an_event_log_with_common_column_names_and_zoned_times_loads_as_it_is() {
    // The header of a public e-commerce event log; times with an offset or " UTC".
    let dir = tmp();
    let log = "event_time,event_type,product_id,user_id\n\
               2019-10-01 00:00:00 UTC,view,44600062,541312140\n\
               2019-10-01T08:00:00+08:00,cart,44600062,541312140\n\
               2019-09-30 19:00:00-0500,purchase,44600062,541312140\n";
    let d = strict(&DataFiles::orders(put(&dir, "orders.csv", log)))
        .unwrap()
        .dataset;
    assert_eq!(d.orders().len(), 3);
    // The three rows name one instant, midnight UTC on 2019-10-01.
    assert!(
        d.orders().ts.iter().all(|&t| t == 1_569_888_000),
        "{:?}",
        d.orders().ts
    );
    use kocrank::data::OrderStatus::{Carted, Completed, Viewed};
    assert_eq!(d.orders().status, vec![Viewed, Carted, Completed]);
    assert_eq!(d.history().nnz(), 1);
    assert!(d.promoters().ids.get("541312140").is_some());
    assert!(d.catalog().ids.get("44600062").is_some());
    // A bad offset is named as such.
    let e = orders_error("promoter_id,item_id,ts\np1,A,2019-10-01T08:00:00+25:00\n");
    assert!(e.contains("UTC offset"), "{e}");
}

#[test]
fn a_weight_column_loads_and_a_bad_weight_names_its_row() {
    let dir = tmp();
    let orders =
        "promoter_id,item_id,ts,weight\np1,A,1317427200,2.5\np1,B,1317427200,\np2,A,1317427200,0\n";
    let loaded = strict(&DataFiles::orders(put(&dir, "orders.csv", orders))).unwrap();
    assert_eq!(loaded.dataset.orders().weight, vec![2.5, 1.0, 0.0]);
    assert!(loaded
        .report
        .tables
        .iter()
        .all(|t| t.ignored_columns.is_empty()));
    // Written back, the weights come back.
    let out = dir.path().join("out");
    write_dataset(&loaded.dataset, &out, Format::Csv).unwrap();
    let again = strict(&DataFiles::from_dir(&out).unwrap()).unwrap();
    assert_eq!(again.dataset.orders().weight, vec![2.5, 1.0, 0.0]);
    let e = orders_error("promoter_id,item_id,ts,weight\np1,A,1317427200,-1\n");
    assert!(e.contains("row 1") && e.contains("\"weight\""), "{e}");
    let e = orders_error("promoter_id,item_id,ts,weight\np1,A,1317427200,heavy\n");
    assert!(e.contains("\"weight\""), "{e}");
}
