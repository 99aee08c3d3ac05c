//! Ranking: the one pipeline that every list goes through — storefront, batch,
//! evaluation and Python alike.
//!
//! A [`Ranker`] is an immutable, cheaply cloned snapshot of a [`Model`]. For each
//! [`RankRequest`] it resolves the promoter (a known one, or a newcomer described by
//! channel and city tier: the cold-start path), takes the candidates (the whole
//! catalogue or the request's list), scores them with the model's scorer, applies the
//! rules (stock, already bought, exclusions), and keeps the top `k`.

mod dense;
mod explain;
mod newcomer;
mod overlay;
mod shared;

pub use crate::topk::top_k;
pub use dense::{DenseScan, MARGIN};
pub use explain::{Explanation, EXPLAIN_DAYS};
pub use overlay::ItemUpdate;
pub use shared::SharedRanker;

use crate::data::{network, Channel, CityTier, ItemIdx, PromoterIdx};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::rules::rerank::{self, Env, Moved, Pick};
use crate::rules::{self, ExcludePurchased, RulesConfig};
use crate::signals::{Context, Scorer};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::Arc;

/// Largest `k` a request may ask for.
pub const MAX_K: usize = 10_000;

/// Checks a requested list length.
pub(crate) fn check_k(k: usize) -> Result<()> {
    if k == 0 || k > MAX_K {
        return Err(Error::InvalidRequest {
            field: "k",
            message: format!("{k} is outside 1..={MAX_K}"),
        });
    }
    Ok(())
}

/// A request for one promoter's list. Only `promoter_id` and `k` are needed; the rest
/// override the model's defaults for this request.
///
/// ```
/// let req = kocrank::RankRequest::new("P000001", 20);
/// assert_eq!(req.k, 20);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RankRequest {
    /// The promoter's external id (required: an empty one is an error). An id the
    /// model does not know takes the cold-start path (segment popularity from
    /// `channel` and `city_tier`).
    pub promoter_id: String,
    /// How many items to return (1..=10 000).
    pub k: usize,
    /// Channel of a promoter the model does not know (ignored for known promoters).
    pub channel: Option<Channel>,
    /// The inviter of a promoter the model does not know (ignored for known
    /// promoters, whose inviter the model has): she is ranked from her inviter's orders
    /// ([`crate::data::network`]). An id the model does not know is an error.
    pub inviter_id: Option<String>,
    /// City tier 1..=6 of a promoter the model does not know.
    pub city_tier: Option<CityTier>,
    /// Rank only these items (external ids); `None` ranks the whole catalogue.
    pub candidates: Option<Vec<String>>,
    /// Items never to return (external ids; unknown ids are ignored).
    pub exclude: Vec<String>,
    /// Override of the model's `exclude_purchased` rule.
    pub exclude_purchased: Option<ExcludePurchased>,
    /// Override of the model's `in_stock_only` rule.
    pub in_stock_only: Option<bool>,
    /// Orders the promoter's circle placed after the model was trained (or a newcomer's
    /// first orders): folded into her history for this request, without retraining.
    pub recent_orders: Vec<RecentOrder>,
    /// Items she shared since training. Read twice:
    /// - by a blend with share features ([`crate::blend::BlendConfig::share_memory`]):
    ///   her last `share_memory` shares, these after any the model holds, for every
    ///   promoter;
    /// - for a promoter with no order of her own (an id the model has never seen, or
    ///   one it saw only sharing), where the model ranks such newcomers from their
    ///   shares (`network.own_shares` > 0, [`crate::data::network`]): her last
    ///   `own_shares` shares, these together with any the model holds, rank her as a
    ///   folded-in history; the rules still see nothing bought. Unused once she has
    ///   orders (in the model or in `recent_orders`), and where `own_shares` is 0.
    ///
    /// Otherwise unused; an unknown item is an error either way.
    pub recent_shares: Vec<RecentOrder>,
    /// Rules for this request in place of the model's `[rules]` (filters, caps,
    /// diversity, boosts, exploration); `exclude_purchased` and `in_stock_only` above
    /// still override these when set.
    pub rules: Option<RulesConfig>,
    /// The time of the request, unix seconds. The exploration slots draw by its UTC day
    /// (the same list all day, new draws the next) and count new items back from it.
    /// `None` takes the model's training end (or her last recent order, if later), so
    /// a service that wants exploration to move day by day passes the clock here.
    pub now: Option<i64>,
}

/// An order (or a share) that arrived after training, for
/// [`RankRequest::recent_orders`] and [`RankRequest::recent_shares`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecentOrder {
    /// External item id (must be in the model's catalogue).
    pub item_id: String,
    /// Order time, unix seconds.
    pub ts: i64,
}

impl RankRequest {
    /// A request for promoter `promoter_id`'s top `k`, with the model's defaults.
    pub fn new(promoter_id: impl Into<String>, k: usize) -> Self {
        RankRequest {
            promoter_id: promoter_id.into(),
            k,
            ..Default::default()
        }
    }
}

/// One item of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranked {
    /// External item id.
    pub item_id: String,
    /// Dense item index in the model's catalogue.
    pub item: ItemIdx,
    /// The final score (higher is better; comparable within one list). With
    /// re-ranking rules on, the list's order is the rules' and scores need not
    /// decrease down the list.
    pub score: f32,
    /// Rules that moved the item: `boost`, `diversity`, `exploration` (empty when
    /// none did).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moved_by: Vec<String>,
}

/// The settings one ranking runs with, resolved from a request and the model.
#[derive(Debug, Clone)]
pub(crate) struct Resolved<'a> {
    pub ctx: Context<'a>,
    /// Her own orders (with recent ones folded in): what the rules treat as bought.
    /// `ctx.history` differs from it when she borrows her inviter's orders.
    pub own: &'a [u32],
    /// The promoter whose orders `ctx.history` holds when she borrows them.
    pub lender: Option<u32>,
    /// True when `ctx.history` holds her own shares: she has no order yet, and the
    /// model ranks her from what she shared ([`network::NetworkConfig::own_shares`]).
    pub from_shares: bool,
    pub k: usize,
    pub exclude_purchased: ExcludePurchased,
    pub in_stock_only: bool,
    pub rules: &'a RulesConfig,
    /// The time the rules rank at (exploration's day and new-item window).
    pub now: i64,
}

/// An immutable snapshot of a model, shared across threads. Cloning is cheap.
///
/// # Examples
/// ```
/// use kocrank::{synth, train, Config, Ranker, RankRequest};
/// let world = synth::generate(synth::Scale::Tiny, 3).unwrap();
/// let ranker = Ranker::new(train(&world.dataset, &Config::with_model(kocrank::ModelKind::Baseline)).unwrap());
/// let promoter = world.dataset.promoters().ids.name(0).unwrap();
/// let list = ranker.rank(&RankRequest::new(promoter, 10)).unwrap();
/// assert_eq!(list.len(), 10);
/// assert!(list.windows(2).all(|w| w[0].score >= w[1].score));
/// // A newcomer gets the cold-start list instead of an error.
/// assert_eq!(ranker.rank(&RankRequest::new("someone-new", 5)).unwrap().len(), 5);
/// ```
#[derive(Debug, Clone)]
pub struct Ranker {
    model: Arc<Model>,
    generation: u64,
}

impl Ranker {
    /// Wraps a model.
    pub fn new(model: Model) -> Ranker {
        Ranker {
            model: Arc::new(model),
            generation: 0,
        }
    }

    /// Wraps a shared model.
    pub fn from_arc(model: Arc<Model>) -> Ranker {
        Ranker {
            model,
            generation: 0,
        }
    }

    /// The snapshot's generation: 0 for a new ranker, one more for each snapshot
    /// derived from it (live updates). Responses can carry it, so a client can tell
    /// which state answered.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// A snapshot of `model` that follows this one.
    pub(crate) fn successor(&self, model: Model) -> Ranker {
        Ranker {
            model: Arc::new(model),
            generation: self.generation + 1,
        }
    }

    /// The model behind this snapshot.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Ranks items for one promoter.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] when `k` is 0 or above [`MAX_K`], when `city_tier` is
    /// outside 1..=6, or when a candidate or recent-order item id is not in the
    /// catalogue (the message names it), or a recent order's time or `now` is out of
    /// range.
    pub fn rank(&self, req: &RankRequest) -> Result<Vec<Ranked>> {
        check_k(req.k)?;
        self.with_resolved(req, |resolved, candidates, exclude| {
            let mut scores = vec![0f32; candidates.len()];
            let top = self.rank_resolved(resolved, candidates, &mut scores, |i| {
                !exclude.is_empty() && exclude.binary_search(&i).is_ok()
            });
            self.to_ranked(&top)
        })
    }

    /// The model's scores of `req.candidates` (every item when `None`), in their
    /// order, for the request's promoter: what [`Ranker::rank`] orders by, before any
    /// rule filters or moves an item. For scoring pairs that need not be in her list
    /// (a candidate set from elsewhere, an offline analysis). `k` is not read. A
    /// score that is not finite means the model cannot place the item.
    ///
    /// # Errors
    /// As [`Ranker::rank`], but for `k`.
    ///
    /// # Examples
    /// ```
    /// use kocrank::{synth, train, Config, RankRequest, Ranker};
    /// let world = synth::generate(synth::Scale::Tiny, 3)?;
    /// let ranker = Ranker::new(train(&world.dataset, &Config::with_model(kocrank::ModelKind::Profile))?);
    /// let top = ranker.rank(&RankRequest::new("P000001", 3))?;
    /// let mut req = RankRequest::new("P000001", 1);
    /// req.candidates = Some(top.iter().map(|r| r.item_id.clone()).collect());
    /// let scores = ranker.score(&req)?;
    /// // Without rules that move items, the list is the candidates by score.
    /// assert!(scores.windows(2).all(|w| w[0] >= w[1]));
    /// # Ok::<(), kocrank::Error>(())
    /// ```
    pub fn score(&self, req: &RankRequest) -> Result<Vec<f32>> {
        self.with_resolved(req, |resolved, candidates, _| {
            let mut scores = vec![0f32; candidates.len()];
            self.score_resolved(resolved, candidates, &mut scores);
            scores
        })
    }

    /// The blend's own `P̂(order)` of each of `req`'s candidates, resolved as
    /// [`Ranker::score`] resolves them: `None` for the whole request when the model is
    /// not a blend or ranks the promoter by the newcomer list (the blend does not score
    /// her), and `None` for a candidate outside the blend's pool.
    pub(crate) fn order_probabilities(
        &self,
        req: &RankRequest,
    ) -> Result<Option<Vec<Option<f64>>>> {
        self.with_resolved(req, |r, candidates, _| {
            let m = &*self.model;
            if m.by_newcomer_list(r.own.len(), r.from_shares) {
                return None;
            }
            m.order_probabilities(&r.ctx, candidates)
        })
    }

    /// Validates and resolves `req`, then calls `f` with the resolved request, the
    /// candidates and the sorted excluded items.
    fn with_resolved<T>(
        &self,
        req: &RankRequest,
        f: impl FnOnce(&Resolved<'_>, &[u32], &[u32]) -> T,
    ) -> Result<T> {
        // An id the model does not know is a newcomer; no id at all is a mistake (a
        // request built with `RankRequest::default()`, a JSON body without the field).
        if req.promoter_id.trim().is_empty() {
            return Err(Error::InvalidRequest {
                field: "promoter_id",
                message: "empty; name the promoter (an id the model does not know gets the newcomer list)".into(),
            });
        }
        if let Some(t) = req.city_tier {
            if !(1..=6).contains(&t) {
                return Err(Error::InvalidRequest {
                    field: "city_tier",
                    message: format!("{t} is outside 1..=6"),
                });
            }
        }
        if let Some(rules) = &req.rules {
            rules.validate().map_err(|e| Error::InvalidRequest {
                field: "rules",
                message: e.to_string(),
            })?;
        }
        let m = &*self.model;
        let candidates: Vec<u32> = match &req.candidates {
            None => (0..m.catalog.len() as u32).collect(),
            Some(ids) => ids
                .iter()
                .map(|id| {
                    m.catalog.ids.get(id).ok_or_else(|| Error::InvalidRequest {
                        field: "candidates",
                        message: format!("unknown item \"{id}\""),
                    })
                })
                .collect::<Result<_>>()?,
        };
        let promoter = m.promoters.ids.get(&req.promoter_id);
        let inviter = match (&req.inviter_id, promoter) {
            (Some(id), None) => {
                Some(
                    m.promoters
                        .ids
                        .get(id.trim())
                        .ok_or_else(|| Error::InvalidRequest {
                            field: "inviter_id",
                            message: format!("unknown promoter \"{id}\" (not in the model)"),
                        })?,
                )
            }
            _ => None,
        };
        let mut resolved = self.resolve(promoter, req.k);
        if promoter.is_none() {
            resolved.ctx.channel = req.channel.unwrap_or(Channel::Other);
            resolved.ctx.city_tier = req.city_tier.unwrap_or(0);
            self.borrow(&mut resolved, inviter);
        }
        if let Some(rules) = &req.rules {
            resolved.rules = rules;
            resolved.exclude_purchased = rules.exclude_purchased;
            resolved.in_stock_only = rules.in_stock_only;
        }
        if let Some(e) = req.exclude_purchased {
            resolved.exclude_purchased = e;
        }
        if let Some(s) = req.in_stock_only {
            resolved.in_stock_only = s;
        }
        // A newcomer's shares sent with the request join those the model holds (their
        // items are checked whether or not the model reads them).
        let shared: Vec<(i64, u32)>;
        let (s_items, s_ts): (Vec<u32>, Vec<i64>);
        let (r_items, r_ts): (Vec<u32>, Vec<i64>);
        let own_shares = m.config.network.own_shares;
        let has_orders = promoter.is_some_and(|p| m.history.count(p) > 0);
        if !req.recent_shares.is_empty() && m.reads_shares() {
            // The blend's share features read her last shares, the request's included.
            let held = promoter.map_or((&[][..], &[][..]), |p| {
                (m.recent_shares.items(p), m.recent_shares.times(p))
            });
            let mut all = merged(m, held, &req.recent_shares, "recent_shares")?;
            let last = all.split_off(all.len().saturating_sub(m.config.blend.share_memory));
            r_items = last.iter().map(|x| x.1).collect();
            r_ts = last.iter().map(|x| x.0).collect();
            resolved.ctx.shares = &r_items;
            resolved.ctx.shares_ts = &r_ts;
        }
        if !req.recent_shares.is_empty() {
            let held = promoter.map_or((&[][..], &[][..]), |p| {
                (m.newcomer_shares.items(p), m.newcomer_shares.times(p))
            });
            let mut all = merged(m, held, &req.recent_shares, "recent_shares")?;
            if req.recent_orders.is_empty() && own_shares > 0 && !has_orders {
                shared = all.split_off(all.len().saturating_sub(own_shares));
                s_items = shared.iter().map(|x| x.1).collect();
                s_ts = shared.iter().map(|x| x.0).collect();
                resolved.ctx.history = &s_items;
                resolved.ctx.history_ts = &s_ts;
                resolved.lender = None;
                resolved.from_shares = true;
                resolved.ctx.fold_in = true;
                if let Some(&(last, _)) = shared.last() {
                    resolved.ctx.now = resolved.ctx.now.max(last + 1);
                }
            }
        }
        // Fold in orders that arrived after training: the context's history becomes
        // the training history plus these, in time order.
        let folded: Vec<(i64, u32)>;
        let (f_items, f_ts): (Vec<u32>, Vec<i64>);
        if !req.recent_orders.is_empty() {
            // Her own orders, not borrowed ones: with orders of her own she no longer
            // borrows.
            let own = match promoter {
                Some(p) => (m.history.items(p), m.history.times(p)),
                None => (&[][..], &[][..]),
            };
            folded = merged(m, own, &req.recent_orders, "recent_orders")?;
            f_items = folded.iter().map(|x| x.1).collect();
            f_ts = folded.iter().map(|x| x.0).collect();
            resolved.ctx.history = &f_items;
            resolved.ctx.history_ts = &f_ts;
            resolved.own = &f_items;
            resolved.lender = None;
            resolved.from_shares = false;
            resolved.ctx.fold_in = true;
            if let Some(&(last, _)) = folded.last() {
                resolved.ctx.now = resolved.ctx.now.max(last + 1);
            }
        }
        resolved.now = match req.now {
            Some(t) => crate::data::time::check_ts(t).map_err(|message| Error::InvalidRequest {
                field: "now",
                message,
            })?,
            None => resolved.ctx.now,
        };
        // Sorted, so that the common case (no exclusions) costs one length check per
        // candidate, not a hash.
        let mut exclude: Vec<u32> = req
            .exclude
            .iter()
            .filter_map(|id| m.catalog.ids.get(id))
            .collect();
        exclude.sort_unstable();
        exclude.dedup();
        Ok(f(&resolved, &candidates, &exclude))
    }

    /// The default settings for promoter index `promoter` (or a newcomer of unknown
    /// segment when `None`).
    pub(crate) fn resolve(&self, promoter: Option<u32>, k: usize) -> Resolved<'_> {
        let m = &*self.model;
        let (channel, city_tier, history, history_ts) = match promoter {
            Some(p) => (
                m.promoters.channel_of(p),
                m.promoters.tier_of(p),
                m.history.items(p),
                m.history.times(p),
            ),
            None => (Channel::Other, 0, &[][..], &[][..]),
        };
        let (shares, shares_ts) = match promoter {
            Some(p) => (m.recent_shares.items(p), m.recent_shares.times(p)),
            None => (&[][..], &[][..]),
        };
        let mut r = Resolved {
            ctx: Context {
                promoter,
                channel,
                city_tier,
                history,
                history_ts,
                shares,
                shares_ts,
                now: m.trained_until,
                fold_in: promoter.is_none(),
            },
            own: history,
            lender: None,
            from_shares: false,
            k,
            exclude_purchased: m.config.rules.exclude_purchased,
            in_stock_only: m.config.rules.in_stock_only,
            rules: &m.config.rules,
            now: m.trained_until,
        };
        if let Some(p) = promoter {
            if history.is_empty() {
                let shared = m.newcomer_shares.items(p);
                if shared.is_empty() {
                    let inviter = m.promoters.inviter.get(p as usize).copied().flatten();
                    self.borrow(&mut r, inviter);
                } else {
                    r.ctx.history = shared;
                    r.ctx.history_ts = m.newcomer_shares.times(p);
                    r.ctx.fold_in = true;
                    r.from_shares = true;
                }
            }
        }
        r
    }

    /// Gives a promoter with no orders of her own her inviter's (or, one level up, the
    /// inviter's inviter's) last orders as the context's history; see
    /// [`crate::data::network`]. Her own history, which the rules read, stays empty.
    fn borrow<'a>(&'a self, r: &mut Resolved<'a>, inviter: Option<u32>) {
        let m = &*self.model;
        let cfg = &m.config.network;
        let Some(lender) = network::lender(&m.promoters, &m.history, inviter, cfg) else {
            return;
        };
        let (items, ts) = network::borrowed(&m.history, lender, cfg);
        r.ctx.history = items;
        r.ctx.history_ts = ts;
        r.ctx.fold_in = true;
        r.lender = Some(lender);
    }

    /// The pipeline proper: score, filter, select. `scores` is scratch of
    /// `candidates.len()`; `extra_drop` leaves out further items.
    pub(crate) fn rank_resolved(
        &self,
        r: &Resolved<'_>,
        candidates: &[u32],
        scores: &mut [f32],
        extra_drop: impl Fn(u32) -> bool,
    ) -> Vec<Pick> {
        let m = &*self.model;
        self.score_resolved(r, candidates, scores);
        let filters = Filters::new(m, r);
        if !r.rules.reranks() {
            // Filters are asked only about items that would enter the list: the same
            // list as filtering every candidate first, for a few per cent of the checks.
            let scored = candidates
                .iter()
                .zip(scores.iter())
                .filter(|(_, s)| s.is_finite())
                .map(|(&i, &s)| (i, s));
            return crate::topk::select_where(scored, r.k, |i| {
                !(filters.drops(i) || extra_drop(i))
            })
            .into_iter()
            .map(|(item, score)| Pick {
                item,
                score,
                moved: Moved::default(),
            })
            .collect();
        }
        rules::filter(candidates, scores, |i| filters.drops(i) || extra_drop(i));
        let env = Env {
            catalog: &m.catalog,
            stats: &m.item_stats,
            now: r.now,
            key: r.ctx.promoter.map_or_else(
                || 1 << 40 | (r.ctx.channel as u64) << 8 | u64::from(r.ctx.city_tier),
                u64::from,
            ),
        };
        rerank::select(&env, r.rules, candidates, scores, r.k)
    }

    /// The model's scores of `candidates` for a resolved request, before any rule: a
    /// promoter with no orders of her own (or fewer than `network.popularity_below`) by
    /// the newcomer list, anyone else by the model's scorer.
    pub(crate) fn score_resolved(&self, r: &Resolved<'_>, candidates: &[u32], scores: &mut [f32]) {
        let m = &*self.model;
        if m.by_newcomer_list(r.own.len(), r.from_shares) {
            let borrowed = if r.lender.is_some() {
                r.ctx.history
            } else {
                &[]
            };
            newcomer::score(
                m,
                r.ctx.channel,
                r.ctx.city_tier,
                borrowed,
                candidates,
                scores,
            );
        } else {
            m.scorer().score(&r.ctx, candidates, scores);
        }
    }

    pub(crate) fn to_ranked(&self, top: &[Pick]) -> Vec<Ranked> {
        top.iter()
            .map(|p| Ranked {
                item_id: self
                    .model
                    .catalog
                    .ids
                    .name(p.item)
                    .unwrap_or("")
                    .to_string(),
                item: ItemIdx::new(p.item),
                score: p.score,
                moved_by: p.moved.names(),
            })
            .collect()
    }

    /// Ranks promoter index `p` over the whole catalogue with the model's rules,
    /// except `exclude_purchased` when given. Used by batch ranking and evaluation;
    /// same pipeline as [`Ranker::rank`].
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] when `k` is 0 or above [`MAX_K`] (as for
    /// [`Ranker::rank`]), or `p` is not an index of the model's promoter table.
    pub fn rank_index(
        &self,
        p: PromoterIdx,
        k: usize,
        exclude_purchased: Option<ExcludePurchased>,
    ) -> Result<Vec<Ranked>> {
        check_k(k)?;
        let n_promoters = self.model.promoters.len();
        let p = p.get();
        if p as usize >= n_promoters {
            return Err(Error::InvalidRequest {
                field: "promoter",
                message: format!("index {p} is outside the {n_promoters} promoters"),
            });
        }
        let n = self.model.catalog.len();
        let candidates: Vec<u32> = (0..n as u32).collect();
        let mut scores = vec![0f32; n];
        let mut r = self.resolve(Some(p), k);
        if let Some(e) = exclude_purchased {
            r.exclude_purchased = e;
        }
        let top = self.rank_resolved(&r, &candidates, &mut scores, |_| false);
        Ok(self.to_ranked(&top))
    }
}

/// `held` (items, times) and a request's `events` in one list of (time, item), in time
/// order; each event's item must be in the catalogue and its time in range, else an
/// error naming `field`.
fn merged(
    m: &Model,
    held: (&[u32], &[i64]),
    events: &[RecentOrder],
    field: &'static str,
) -> Result<Vec<(i64, u32)>> {
    let mut all: Vec<(i64, u32)> = held.1.iter().copied().zip(held.0.iter().copied()).collect();
    for e in events {
        let i = m
            .catalog
            .ids
            .get(&e.item_id)
            .ok_or_else(|| Error::InvalidRequest {
                field,
                message: format!("unknown item \"{}\"", e.item_id),
            })?;
        crate::data::time::check_ts(e.ts)
            .map_err(|message| Error::InvalidRequest { field, message })?;
        all.push((e.ts, i));
    }
    all.sort_unstable();
    Ok(all)
}

/// The filter rules of one resolved request: stock, already bought, blocked
/// categories, the quality floor. Shared by [`Ranker::rank_resolved`] and the batch
/// scan, so both leave out the same items.
pub(crate) struct Filters<'a> {
    model: &'a Model,
    in_stock_only: bool,
    /// Sorted, without repeats.
    bought: Vec<u32>,
    blocked: HashSet<u32>,
    min_quality: f32,
}

impl<'a> Filters<'a> {
    pub(crate) fn new(m: &'a Model, r: &Resolved<'_>) -> Filters<'a> {
        let mut bought: Vec<u32> = match r.exclude_purchased {
            ExcludePurchased::Never => Vec::new(),
            ExcludePurchased::Always => r.own.to_vec(),
            ExcludePurchased::Durables => r
                .own
                .iter()
                .copied()
                .filter(|&i| m.repurchase.is_durable(&m.catalog, i))
                .collect(),
        };
        bought.sort_unstable();
        bought.dedup();
        let blocked: HashSet<u32> = r
            .rules
            .blocked_categories
            .iter()
            .filter_map(|p| m.catalog.taxonomy.paths.get(p.trim()))
            .collect();
        Filters {
            model: m,
            in_stock_only: r.in_stock_only,
            bought,
            blocked,
            min_quality: r.rules.min_quality as f32,
        }
    }

    /// Whether a rule that does not depend on the promoter leaves item `i` out.
    pub(crate) fn drops_for_everyone(&self, i: u32) -> bool {
        let m = self.model;
        let iu = i as usize;
        (self.in_stock_only && !m.catalog.in_stock.get(iu).copied().unwrap_or(false))
            || (!self.blocked.is_empty()
                && m.catalog
                    .category
                    .get(iu)
                    .is_some_and(|path| path.iter().any(|c| self.blocked.contains(c))))
            || (self.min_quality > 0.0
                && m.quality.posterior.get(iu).copied().unwrap_or(0.0) < self.min_quality)
    }

    /// Whether the promoter's own history (already bought) leaves item `i` out.
    pub(crate) fn drops_as_bought(&self, i: u32) -> bool {
        !self.bought.is_empty() && self.bought.binary_search(&i).is_ok()
    }

    /// Whether any filter leaves item `i` out.
    pub(crate) fn drops(&self, i: u32) -> bool {
        self.drops_as_bought(i) || self.drops_for_everyone(i)
    }

    /// Why the filters leave item `i` out, in words, one entry per filter that does
    /// (empty exactly when [`Filters::drops`] is false): what `explain` shows.
    pub(crate) fn reasons(&self, i: u32) -> Vec<String> {
        let m = self.model;
        let iu = i as usize;
        let mut out = Vec::new();
        if self.in_stock_only && !m.catalog.in_stock.get(iu).copied().unwrap_or(false) {
            out.push("out of stock".to_string());
        }
        if let Some(path) = m.catalog.category.get(iu) {
            for &c in path.iter().filter(|c| self.blocked.contains(c)) {
                let name = m.catalog.taxonomy.paths.name(c).unwrap_or("");
                out.push(format!("in the blocked category {name}"));
            }
        }
        if self.min_quality > 0.0 {
            let q = m.quality.posterior.get(iu).copied().unwrap_or(0.0);
            if q < self.min_quality {
                out.push(format!(
                    "quality {q:.3} is below the floor {:.3}",
                    self.min_quality
                ));
            }
        }
        if self.drops_as_bought(i) {
            out.push(if m.repurchase.is_durable(&m.catalog, i) {
                "her circle already bought it, and it is a durable".to_string()
            } else {
                "her circle already bought it".to_string()
            });
        }
        out
    }
}
