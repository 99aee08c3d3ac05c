//! Every endpoint and every class of error, through the router in memory (no socket):
//! `cargo test --example storefront`.

use super::api::{router, App, ErrorBody, Health, ListResponse, ReloadResponse, UpdateResponse};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use kocrank::rank::SharedRanker;
use kocrank::synth::{generate, Scale};
use kocrank::{model_file, train, Config, ModelKind, Ranker};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use tower::ServiceExt;

/// A service over a tiny trained world, its model saved in a temporary folder (kept
/// alive by the returned guard).
fn service() -> (Router, tempfile::TempDir) {
    let world = generate(Scale::Tiny, 5).unwrap();
    let config = Config {
        model: ModelKind::Profile,
        ..Config::default()
    };
    let model = train(&world.dataset, &config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profile.kocrank");
    model_file::save(&model, &path).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let app = App::new(SharedRanker::new(Ranker::new(model)), path, pool);
    (router(Arc::new(app)), dir)
}

/// Sends one request; answers the status and the raw body.
async fn send(app: &Router, method: &str, uri: &str, body: &str) -> (StatusCode, Vec<u8>) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, bytes.to_vec())
}

/// Sends one request expecting `status`, and reads the body as `T`.
async fn call<T: DeserializeOwned>(
    app: &Router,
    method: &str,
    uri: &str,
    body: &str,
    status: StatusCode,
) -> T {
    let (got, bytes) = send(app, method, uri, body).await;
    let text = String::from_utf8_lossy(&bytes);
    assert_eq!(got, status, "{method} {uri} {body}: {text}");
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// Sends one request expecting an error `status` naming `field`; answers the message.
async fn error(
    app: &Router,
    method: &str,
    uri: &str,
    body: &str,
    status: StatusCode,
    field: Option<&str>,
) -> String {
    let e: ErrorBody = call(app, method, uri, body, status).await;
    assert_eq!(e.field.as_deref(), field, "{}", e.error);
    e.error
}

const UNPROCESSABLE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

#[tokio::test]
async fn healthz_reports_the_snapshot() {
    let (app, _dir) = service();
    let h: Health = call(&app, "GET", "/healthz", "", StatusCode::OK).await;
    assert_eq!((h.generation, h.items, h.promoters), (0, 500, 200));
}

#[tokio::test]
async fn recommendations_give_k_items_best_first() {
    let (app, _dir) = service();
    let uri = "/v1/promoters/P000001/recommendations?k=7";
    let list: ListResponse = call(&app, "GET", uri, "", StatusCode::OK).await;
    assert_eq!(list.promoter_id, "P000001");
    assert_eq!(list.generation, 0);
    assert_eq!(list.items.len(), 7);
    assert!(list.items.windows(2).all(|w| w[0].score >= w[1].score));
    // k defaults to 20.
    let uri = "/v1/promoters/P000001/recommendations";
    let list: ListResponse = call(&app, "GET", uri, "", StatusCode::OK).await;
    assert_eq!(list.items.len(), 20);
}

#[tokio::test]
async fn a_newcomer_gets_her_segments_list() {
    let (app, _dir) = service();
    let uri = "/v1/promoters/nobody-yet/recommendations?k=5&channel=mother&city_tier=3";
    let list: ListResponse = call(&app, "GET", uri, "", StatusCode::OK).await;
    assert_eq!(list.items.len(), 5);
    // The segment shapes her list: another channel and tier rank otherwise.
    let mut lists = Vec::new();
    for (channel, tier) in [("mother", 3), ("courier", 3), ("mother", 6)] {
        let uri = format!(
            "/v1/promoters/nobody-yet/recommendations?k=20&channel={channel}&city_tier={tier}"
        );
        let list: ListResponse = call(&app, "GET", &uri, "", StatusCode::OK).await;
        let ids: Vec<String> = list.items.iter().map(|i| i.item_id.clone()).collect();
        lists.push(ids);
    }
    assert_ne!(lists[0], lists[1], "channel");
    assert_ne!(lists[0], lists[2], "city tier");
}

#[tokio::test]
async fn bad_query_values_name_the_parameter() {
    let (app, _dir) = service();
    let base = "/v1/promoters/P000001/recommendations";
    for (query, field) in [
        ("k=0", "k"),
        ("k=10001", "k"),
        ("k=99999999999999999999999", "k"),
        ("k=abc", "k"),
        ("k=-3", "k"),
        ("channel=martian", "channel"),
        ("city_tier=9", "city_tier"),
        ("city_tier=x", "city_tier"),
        ("limit=5", "limit"),
    ] {
        let uri = format!("{base}?{query}");
        error(&app, "GET", &uri, "", UNPROCESSABLE, Some(field)).await;
    }
}

#[tokio::test]
async fn rank_takes_a_full_request() {
    let (app, _dir) = service();
    let all: ListResponse = call(
        &app,
        "GET",
        "/v1/promoters/P000002/recommendations?k=10",
        "",
        StatusCode::OK,
    )
    .await;
    let candidates: Vec<&str> = all.items.iter().map(|i| i.item_id.as_str()).collect();
    let body = serde_json::json!({
        "promoter_id": "P000002",
        "k": 3,
        "candidates": candidates,
        "exclude": [candidates[0]],
        "in_stock_only": true,
        "recent_orders": [{"item_id": candidates[5], "ts": 1_751_000_000}],
    });
    let list: ListResponse =
        call(&app, "POST", "/v1/rank", &body.to_string(), StatusCode::OK).await;
    assert_eq!(list.items.len(), 3);
    assert!(list.items.iter().all(|i| candidates.contains(&&*i.item_id)));
    assert!(list.items.iter().all(|i| i.item_id != candidates[0]));
}

#[tokio::test]
async fn rank_errors_are_classified() {
    let (app, _dir) = service();
    let bad = StatusCode::BAD_REQUEST;
    // Not JSON, truncated, empty, trailing bytes: 400.
    for body in [
        "{promoter_id: 1}",
        r#"{"promoter_id": "P1""#,
        "",
        r#"{"k": 1} x"#,
    ] {
        let msg = error(&app, "POST", "/v1/rank", body, bad, None).await;
        assert!(msg.starts_with("malformed JSON"), "{msg}");
    }
    // Well-formed but wrong: 422 naming the field.
    for (body, field) in [
        (
            r#"{"promoter_id": "P000001", "k": 5, "colour": "red"}"#,
            "colour",
        ),
        (r#"{"promoter_id": "P000001", "k": "five"}"#, "k"),
        (r#"{"promoter_id": "P000001", "k": 0}"#, "k"),
        (
            r#"{"promoter_id": "P000001", "k": 5, "candidates": ["nope"]}"#,
            "candidates",
        ),
        (
            r#"{"promoter_id": "P000001", "k": 5, "candidates": ["x", 7]}"#,
            "candidates[1]",
        ),
        (
            r#"{"promoter_id": "P000001", "k": 5, "recent_orders": [{"item_id": "nope", "ts": 1}]}"#,
            "recent_orders",
        ),
        (
            r#"{"promoter_id": "P000001", "k": 5, "recent_orders": [{"item_id": "x", "ts": 1, "qty": 2}]}"#,
            "recent_orders[0].qty",
        ),
        (
            r#"{"promoter_id": "P000001", "k": 5, "exclude_purchased": "sometimes"}"#,
            "exclude_purchased",
        ),
        (r#"{"k": 5}"#, "promoter_id"),
        (r#""P000001""#, "."),
    ] {
        error(&app, "POST", "/v1/rank", body, UNPROCESSABLE, Some(field)).await;
    }
}

#[tokio::test]
async fn item_updates_publish_a_new_generation() {
    let (app, _dir) = service();
    let uri = "/v1/promoters/P000003/recommendations?k=5";
    let before: ListResponse = call(&app, "GET", uri, "", StatusCode::OK).await;
    let top = &before.items[0].item_id;
    let body = serde_json::json!([
        {"item_id": top, "in_stock": false},
        {"item_id": "NEW-1", "category": "Beauty/Skincare", "brand": "B1", "price": 1999,
         "commission_rate": 0.2, "seller": "marketplace"},
    ]);
    let r: UpdateResponse =
        call(&app, "POST", "/v1/items", &body.to_string(), StatusCode::OK).await;
    assert_eq!((r.generation, r.applied, r.items), (1, 2, 501));
    let after: ListResponse = call(&app, "GET", uri, "", StatusCode::OK).await;
    assert_eq!(after.generation, 1);
    assert!(after.items.iter().all(|i| &i.item_id != top), "sold out");
}

#[tokio::test]
async fn bad_updates_change_nothing() {
    let (app, _dir) = service();
    let item = "/v1/promoters/P000001/recommendations?k=1";
    let list: ListResponse = call(&app, "GET", item, "", StatusCode::OK).await;
    let id = &list.items[0].item_id;
    for (body, field) in [
        (
            serde_json::json!([{"item_id": id, "commission_rate": 1.7}]),
            "updates[0].commission_rate",
        ),
        (
            serde_json::json!([{"item_id": id}, {"item_id": id, "price": -1}]),
            "updates[1].price",
        ),
        (
            serde_json::json!([{"item_id": id, "brand": "other"}]),
            "updates[0].brand",
        ),
        (
            serde_json::json!([{"item_id": id, "stock": 3}]),
            "[0].stock",
        ),
        (serde_json::json!({"item_id": id}), "."),
        (serde_json::json!([]), "items"),
    ] {
        error(
            &app,
            "POST",
            "/v1/items",
            &body.to_string(),
            UNPROCESSABLE,
            Some(field),
        )
        .await;
    }
    error(
        &app,
        "POST",
        "/v1/items",
        "[{",
        StatusCode::BAD_REQUEST,
        None,
    )
    .await;
    let h: Health = call(&app, "GET", "/healthz", "", StatusCode::OK).await;
    assert_eq!(h.generation, 0, "no bad update was applied");
}

#[tokio::test]
async fn reload_swaps_in_the_model_file() {
    let (app, dir) = service();
    // An update, then a reload of the file: the reload is the new truth.
    let body = r#"[{"item_id": "NEW-9", "category": "Food/Snacks"}]"#;
    let r: UpdateResponse = call(&app, "POST", "/v1/items", body, StatusCode::OK).await;
    assert_eq!(r.items, 501);
    let r: ReloadResponse = call(&app, "POST", "/v1/admin/reload", "", StatusCode::OK).await;
    assert_eq!((r.health.generation, r.health.items), (2, 500));
    // An explicit path works too.
    let path = dir.path().join("profile.kocrank");
    let body = serde_json::json!({ "path": path }).to_string();
    let r: ReloadResponse = call(&app, "POST", "/v1/admin/reload", &body, StatusCode::OK).await;
    assert_eq!(r.health.generation, 3);
    let list: ListResponse = call(
        &app,
        "GET",
        "/v1/promoters/P000001/recommendations?k=3",
        "",
        StatusCode::OK,
    )
    .await;
    assert_eq!(list.generation, 3);
}

#[tokio::test]
async fn bad_reloads_keep_the_current_model() {
    let (app, dir) = service();
    let missing = serde_json::json!({ "path": dir.path().join("missing.kocrank") }).to_string();
    error(
        &app,
        "POST",
        "/v1/admin/reload",
        &missing,
        UNPROCESSABLE,
        Some("path"),
    )
    .await;
    let junk = dir.path().join("junk.kocrank");
    std::fs::write(&junk, b"not a model").unwrap();
    let junk = serde_json::json!({ "path": junk }).to_string();
    let msg = error(
        &app,
        "POST",
        "/v1/admin/reload",
        &junk,
        UNPROCESSABLE,
        Some("path"),
    )
    .await;
    assert!(msg.contains("corrupt model file"), "{msg}");
    let body = r#"{"file": "x"}"#;
    error(
        &app,
        "POST",
        "/v1/admin/reload",
        body,
        UNPROCESSABLE,
        Some("file"),
    )
    .await;
    let h: Health = call(&app, "GET", "/healthz", "", StatusCode::OK).await;
    assert_eq!(h.generation, 0);
    // The service's own file gone is the service's fault, not the client's.
    std::fs::remove_file(dir.path().join("profile.kocrank")).unwrap();
    let e = StatusCode::INTERNAL_SERVER_ERROR;
    error(&app, "POST", "/v1/admin/reload", "", e, None).await;
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let (app, _dir) = service();
    let msg = error(
        &app,
        "GET",
        "/v2/everything",
        "",
        StatusCode::NOT_FOUND,
        None,
    )
    .await;
    assert!(msg.contains("/v2/everything"), "{msg}");
    let e = StatusCode::METHOD_NOT_ALLOWED;
    error(&app, "GET", "/v1/rank", "", e, None).await;
    error(&app, "DELETE", "/healthz", "", e, None).await;
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let (app, _dir) = service();
    let body = format!(r#"{{"promoter_id": "{}"}}"#, "x".repeat(3 << 20));
    let (status, bytes) = send(&app, "POST", "/v1/rank", &body).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let e: ErrorBody = serde_json::from_slice(&bytes).unwrap();
    assert!(e.error.contains("limit"), "{}", e.error);
}

#[test]
fn flags_are_checked() {
    let args = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
    let f = super::parse_flags(args("--model m.kocrank --threads 3").into_iter()).unwrap();
    assert_eq!(
        (f.threads, f.addr.to_string()),
        (3, "127.0.0.1:8080".into())
    );
    // No --model: the demo model is trained at start.
    let none = super::parse_flags(args("").into_iter()).unwrap();
    assert!(none.model.is_none());
    for bad in [
        "--model",
        "--model m --threads 0",
        "--model m --addr nowhere",
        "--port 1",
    ] {
        assert!(super::parse_flags(args(bad).into_iter()).is_err(), "{bad}");
    }
}

#[tokio::test]
async fn nightly_lists_are_re_ranked_instead_of_the_catalogue() {
    let world = generate(Scale::Tiny, 5).unwrap();
    let config = Config {
        model: ModelKind::Profile,
        ..Config::default()
    };
    let model = train(&world.dataset, &config).unwrap();
    let ranker = Ranker::new(model);
    let dir = tempfile::tempdir().unwrap();
    // Her nightly list: three items she would not get first from the whole catalogue
    // (the last three of her whole-catalogue top 30), plus one the catalogue lacks.
    let p = ranker.model().promoters().ids.name(0).unwrap().to_string();
    let full = ranker
        .rank(&kocrank::RankRequest::new(p.clone(), 30))
        .unwrap();
    let picks: Vec<String> = full[27..30].iter().map(|r| r.item_id.clone()).collect();
    let mut csv = String::from("promoter_id,rank,item_id,score\n");
    for (k, item) in picks
        .iter()
        .chain(["no-such-item".to_string()].iter())
        .enumerate()
    {
        csv.push_str(&format!("{p},{},{item},0.5\n", k + 1));
    }
    std::fs::write(dir.path().join("part-00000.csv"), csv).unwrap();
    let nightly = super::nightly::Nightly::load(dir.path()).unwrap();
    assert_eq!(nightly.len(), 1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let path = dir.path().join("m.kocrank");
    let app = router(Arc::new(
        App::new(SharedRanker::new(ranker), path, pool).with_nightly(nightly),
    ));
    let list: ListResponse = call(
        &app,
        "GET",
        &format!("/v1/promoters/{p}/recommendations?k=10"),
        "",
        StatusCode::OK,
    )
    .await;
    let mut got: Vec<String> = list.items.iter().map(|i| i.item_id.clone()).collect();
    got.sort();
    let mut want = picks.clone();
    want.sort();
    assert_eq!(
        got, want,
        "only her nightly items, the unknown one left out"
    );
    let health: Health = call(&app, "GET", "/healthz", "", StatusCode::OK).await;
    assert_eq!(health.nightly_lists, 1);
    assert_eq!(health.nightly_ids_dropped, 1, "the unknown id is counted");
    // Another promoter has no list: the whole catalogue.
    let q = world.dataset.promoters().ids.name(1).unwrap();
    let other: ListResponse = call(
        &app,
        "GET",
        &format!("/v1/promoters/{q}/recommendations?k=10"),
        "",
        StatusCode::OK,
    )
    .await;
    assert_eq!(other.items.len(), 10);
}

#[test]
fn bad_nightly_files_are_named_with_their_row() {
    let dir = tempfile::tempdir().unwrap();
    let e = super::nightly::Nightly::load(dir.path()).unwrap_err();
    assert!(e.contains("no part-*.csv"), "{e}");
    std::fs::write(
        dir.path().join("part-00000.csv"),
        "promoter_id,rank,item_id\nP1,x,I1\n",
    )
    .unwrap();
    let e = super::nightly::Nightly::load(dir.path()).unwrap_err();
    assert!(e.contains("part-00000.csv: row 1, column \"rank\""), "{e}");
    std::fs::write(
        dir.path().join("part-00000.csv"),
        "promoter_id,item_id\nP1,I1\n",
    )
    .unwrap();
    let e = super::nightly::Nightly::load(dir.path()).unwrap_err();
    assert!(e.contains("\"rank\""), "{e}");
    // Ids holding a comma or a quote are quoted by the writer, and read back whole.
    std::fs::write(
        dir.path().join("part-00000.csv"),
        "promoter_id,rank,item_id,score\nP1,2,\"I,2\",0.5\nP1,1,\"say \"\"I1\"\"\",0.9\n",
    )
    .unwrap();
    let n = super::nightly::Nightly::load(dir.path()).unwrap();
    assert_eq!(n.len(), 1);
}
