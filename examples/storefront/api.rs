//! The routes of the storefront, one handler per endpoint, and the one error shape.
//!
//! | route | does |
//! |---|---|
//! | `GET /v1/promoters/{id}/recommendations?k=20[&channel=mother&city_tier=3]` | her list |
//! | `POST /v1/rank` | a list for a full `RankRequest` (candidates, exclusions, overrides, recent orders) |
//! | `POST /v1/items` | a JSON array of `ItemUpdate`s, applied as one new snapshot |
//! | `POST /v1/admin/reload` | load a model file (body `{"path": ..}`, default `--model`) and swap it in |
//! | `GET /healthz` | generation, items, promoters, nightly lists and the nightly ids dropped since start |
//!
//! Errors are `{"error": "<what is wrong>", "field": "<the field at fault>" | null}`:
//! - **400** the request cannot be read: the body is not JSON (syntax error, truncated,
//!   empty where a body is required) or the URL path or query string cannot be decoded;
//! - **422** the request reads but breaks a rule: an unknown field or query parameter, a
//!   value of the wrong type, `k` outside 1..=10 000, a city tier outside 1..=6, an
//!   unknown candidate or recent-order item, an empty `promoter_id`, an item update the
//!   library refuses (negative price, commission outside [0, 1], ...), an empty list of
//!   updates, a reload `path` that is not a readable model file;
//! - **404** no such route; **405** a known route with another method; **413** a body
//!   over 2 MiB;
//! - **500** only for faults of the service itself (its own `--model` file gone or
//!   damaged at reload, a ranking job that panicked); client input never gives one.
//!
//! A promoter the model does not know is not an error: she gets the cold-start list of
//! her `channel` and `city_tier`, as the library ranks it.

use crate::nightly::Nightly;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kocrank::data::Channel;
use kocrank::rank::{ItemUpdate, SharedRanker};
use kocrank::{model_file, Error, RankRequest, Ranked, Ranker};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// What every handler shares: the current snapshot, the model path for reloads, the
/// ranking pool, and a lock that lets one reload run at a time.
pub struct App {
    shared: SharedRanker,
    model_path: PathBuf,
    pool: rayon::ThreadPool,
    reloading: tokio::sync::Mutex<()>,
    nightly: Nightly,
}

impl App {
    /// Serves `shared`; `model_path` is what a reload without a body reads.
    pub fn new(shared: SharedRanker, model_path: PathBuf, pool: rayon::ThreadPool) -> App {
        App {
            shared,
            model_path,
            pool,
            reloading: tokio::sync::Mutex::new(()),
            nightly: Nightly::default(),
        }
    }

    /// Re-ranks each promoter's nightly list (see `nightly.rs`) instead of the whole
    /// catalogue when a request names no candidates.
    pub fn with_nightly(mut self, nightly: Nightly) -> App {
        self.nightly = nightly;
        self
    }

    /// Runs CPU work `f` on the ranking pool and waits for it without blocking an async
    /// thread.
    async fn on_pool<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.pool.spawn(move || {
            // The receiver is gone only if the client hung up; nothing to do then.
            let _ = tx.send(f());
        });
        rx.await
            .map_err(|_| ApiError::internal("the ranking job failed; see the service log"))
    }
}

/// The routes over a shared [`App`].
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/v1/promoters/{id}/recommendations", get(recommendations))
        .route("/v1/rank", post(rank))
        .route("/v1/items", post(items))
        .route("/v1/admin/reload", post(reload))
        .route("/healthz", get(healthz))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(app)
}

// ---------------------------------------------------------------------------------
// Responses

/// A list, as both ranking endpoints answer it.
#[derive(Debug, Serialize, Deserialize)]
pub struct ListResponse {
    /// The promoter the list is for, as asked.
    pub promoter_id: String,
    /// The snapshot that ranked it (see `GET /healthz`).
    pub generation: u64,
    /// Best first.
    pub items: Vec<ListItem>,
}

/// One entry of a list.
#[derive(Debug, Serialize, Deserialize)]
pub struct ListItem {
    /// External item id.
    pub item_id: String,
    /// Final score (higher is better; comparable within one list).
    pub score: f32,
}

impl ListResponse {
    fn new(promoter_id: String, snapshot: &Ranker, list: Vec<Ranked>) -> ListResponse {
        ListResponse {
            promoter_id,
            generation: snapshot.generation(),
            items: list
                .into_iter()
                .map(|r| ListItem {
                    item_id: r.item_id,
                    score: r.score,
                })
                .collect(),
        }
    }
}

/// What the service holds now.
#[derive(Debug, Serialize, Deserialize)]
pub struct Health {
    /// Generation of the current snapshot: 0 at start, one more per update or reload.
    pub generation: u64,
    /// Items in its catalogue (new items from updates included).
    pub items: usize,
    /// Promoters the model knows.
    pub promoters: usize,
    /// Promoters with a nightly candidate list (`--candidates`).
    #[serde(default)]
    pub nightly_lists: usize,
    /// Nightly ids left out of requests so far because the snapshot did not know them.
    #[serde(default)]
    pub nightly_ids_dropped: u64,
}

impl Health {
    fn of(snapshot: &Ranker, nightly: &Nightly) -> Health {
        Health {
            generation: snapshot.generation(),
            items: snapshot.model().catalog().len(),
            promoters: snapshot.model().promoters().len(),
            nightly_lists: nightly.len(),
            nightly_ids_dropped: nightly.dropped(),
        }
    }
}

// ---------------------------------------------------------------------------------
// Handlers

/// `GET /healthz`
async fn healthz(State(app): State<Arc<App>>) -> Json<Health> {
    Json(Health::of(&app.shared.load(), &app.nightly))
}

/// `GET /v1/promoters/{id}/recommendations?k=20[&channel=mother&city_tier=3]`
///
/// The query string is read into a map first and each known key parsed by hand, so
/// that an unknown key or a bad value is answered with the name of the key.
async fn recommendations(
    State(app): State<Arc<App>>,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> Result<Json<ListResponse>, ApiError> {
    let Path(promoter_id) = id.map_err(|e| ApiError::bad_request(e.body_text(), None))?;
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text(), None))?;
    let mut req = RankRequest::new(promoter_id, 20);
    for (key, value) in &query {
        match key.as_str() {
            "k" => {
                req.k = value.parse().map_err(|_| {
                    ApiError::unprocessable(
                        format!(
                            "k = \"{value}\" is not a whole number in 1..={}",
                            kocrank::rank::MAX_K
                        ),
                        "k",
                    )
                })?;
            }
            "channel" => {
                req.channel =
                    Some(Channel::parse(value).map_err(|m| ApiError::unprocessable(m, "channel"))?);
            }
            "city_tier" => {
                req.city_tier = Some(value.parse().map_err(|_| {
                    ApiError::unprocessable(
                        format!("city_tier = \"{value}\" is not a tier 1..=6"),
                        "city_tier",
                    )
                })?);
            }
            other => {
                return Err(ApiError::unprocessable(
                    format!("unknown query parameter \"{other}\" (expected k, channel, city_tier)"),
                    other,
                ))
            }
        }
    }
    rank_with(&app, req).await
}

/// `POST /v1/rank` with a `RankRequest` body.
async fn rank(
    State(app): State<Arc<App>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ListResponse>, ApiError> {
    let req: RankRequest = parse_json(&body?)?;
    // `RankRequest` fills absent fields with defaults; an absent promoter would silently
    // rank for the newcomer "", so it is refused here.
    if req.promoter_id.is_empty() {
        return Err(ApiError::unprocessable(
            "promoter_id is required (an id the model does not know gets the cold-start list)",
            "promoter_id",
        ));
    }
    rank_with(&app, req).await
}

/// The ranking both list endpoints share: one snapshot for the whole request, the
/// ranking on the pool, the library's checks (k, city tier, item ids) as 422s.
async fn rank_with(app: &App, mut req: RankRequest) -> Result<Json<ListResponse>, ApiError> {
    let snapshot = app.shared.load();
    // Exploration draws anew each day of the request: a live service ranks at the
    // clock's time unless the request names one.
    if req.now.is_none() {
        req.now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .and_then(|d| i64::try_from(d.as_secs()).ok());
    }
    if req.candidates.is_none() {
        req.candidates = app.nightly.candidates(&req.promoter_id, &snapshot);
    }
    let response = app
        .on_pool(move || {
            let list = snapshot.rank(&req)?;
            Ok::<_, Error>(ListResponse::new(req.promoter_id, &snapshot, list))
        })
        .await??;
    Ok(Json(response))
}

/// Answer of `POST /v1/items`.
#[derive(Debug, Serialize, Deserialize)]
pub struct UpdateResponse {
    /// Generation of the snapshot that now serves.
    pub generation: u64,
    /// Updates applied.
    pub applied: usize,
    /// Items in the catalogue now.
    pub items: usize,
}

/// `POST /v1/items` with a JSON array of `ItemUpdate`s. All are applied, as one new
/// snapshot, or none (the library checks them all first).
async fn items(
    State(app): State<Arc<App>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<UpdateResponse>, ApiError> {
    let updates: Vec<ItemUpdate> = parse_json(&body?)?;
    if updates.is_empty() {
        return Err(ApiError::unprocessable(
            "expected at least one item update",
            "items",
        ));
    }
    let applied = updates.len();
    // The next snapshot copies the catalogue and refits its cheap statistics: CPU work
    // for the pool. Writers are serialised inside `update`; readers never wait.
    let worker = Arc::clone(&app);
    let next = app
        .on_pool(move || {
            worker
                .shared
                .update(|current| current.with_item_updates(&updates))
        })
        .await??;
    Ok(Json(UpdateResponse {
        generation: next.generation(),
        applied,
        items: next.model().catalog().len(),
    }))
}

/// Body of `POST /v1/admin/reload` (optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReloadRequest {
    /// Model file to load; the `--model` path when absent.
    path: Option<PathBuf>,
}

/// Answer of `POST /v1/admin/reload`.
#[derive(Debug, Serialize, Deserialize)]
pub struct ReloadResponse {
    /// The file loaded.
    pub path: PathBuf,
    /// What now serves.
    #[serde(flatten)]
    pub health: Health,
}

/// `POST /v1/admin/reload [{"path": "..."}]`: reads a model file off the request
/// threads and swaps it in. Requests in flight finish on the snapshot they loaded;
/// the next ones get the new model. Item updates applied since the last load are not
/// carried over: the new model is the new truth.
///
/// This route reads any file the service may read; expose it to operators only.
async fn reload(
    State(app): State<Arc<App>>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ReloadResponse>, ApiError> {
    let body = body?;
    let req: ReloadRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ReloadRequest::default()
    } else {
        parse_json(&body)?
    };
    let given = req.path.is_some();
    let path = req.path.unwrap_or_else(|| app.model_path.clone());
    // One reload at a time: reloads that come faster than a file loads queue here
    // instead of holding several models in memory at once.
    let _one = app.reloading.lock().await;
    let file = path.clone();
    let model = tokio::task::spawn_blocking(move || model_file::load(&file))
        .await
        .map_err(|_| ApiError::internal("the reload job failed; see the service log"))?
        .map_err(|e| {
            if given {
                ApiError::unprocessable(e.to_string(), "path")
            } else {
                ApiError::internal(format!("reloading the service's model file: {e}"))
            }
        })?;
    let next = app.shared.store(Ranker::new(model));
    Ok(Json(ReloadResponse {
        path,
        health: Health::of(&next, &app.nightly),
    }))
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        error: format!("no route for {method} {}", uri.path()),
        field: None,
    }
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        error: format!("{} does not take {method}", uri.path()),
        field: None,
    }
}

// ---------------------------------------------------------------------------------
// Errors

/// An error response: a status and `{"error": .., "field": ..}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    error: String,
    field: Option<String>,
}

/// The body of an error response.
#[derive(Debug, Serialize, Deserialize)]
pub struct ErrorBody {
    /// What is wrong, in words.
    pub error: String,
    /// The request field (or query parameter) at fault, if one is.
    pub field: Option<String>,
}

impl ApiError {
    fn bad_request(error: impl Into<String>, field: Option<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            error: error.into(),
            field,
        }
    }

    fn unprocessable(error: impl Into<String>, field: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            error: error.into(),
            field: Some(field.into()),
        }
    }

    fn internal(error: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: error.into(),
            field: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.error,
            field: self.field,
        };
        (self.status, Json(body)).into_response()
    }
}

/// A body that could not be read: 413 when over the limit, 400 otherwise.
impl From<BytesRejection> for ApiError {
    fn from(e: BytesRejection) -> ApiError {
        ApiError {
            status: e.status(),
            error: e.body_text(),
            field: None,
        }
    }
}

/// The library's errors. Those about the request are the client's (422, naming the
/// field); anything else reaching here is the service's own fault (500).
impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        match &e {
            Error::InvalidRequest { field, .. } => ApiError::unprocessable(e.to_string(), *field),
            // Item updates: the location is `updates[3]`, column `price`.
            Error::InvalidData { location, .. } => {
                let field = match &location.column {
                    Some(c) => format!("{}.{c}", location.source),
                    None => location.source.clone(),
                };
                ApiError::unprocessable(e.to_string(), field)
            }
            Error::UnknownId { kind, .. } => ApiError::unprocessable(e.to_string(), *kind),
            _ => ApiError::internal(e.to_string()),
        }
    }
}

/// Parses a JSON body. Syntax errors (not JSON at all, truncated, empty) are 400s; a
/// document of the wrong shape (unknown field, wrong type, missing value) is a 422
/// naming the field by its path, e.g. `candidates[2]` or `[0].price`.
fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            // The path ends with the field at fault, an unknown one included.
            serde_json::error::Category::Data => {
                ApiError::unprocessable(format!("invalid request body: {inner}"), path)
            }
            _ => ApiError::bad_request(format!("malformed JSON: {inner}"), None),
        }
    })?;
    // Trailing bytes after the document are a syntax error too.
    de.end()
        .map_err(|e| ApiError::bad_request(format!("malformed JSON: {e}"), None))?;
    Ok(value)
}
