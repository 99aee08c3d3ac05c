//! Buy again: the items her circle already ordered, by time-decayed frequency, then
//! the popular ones of her segment.
//!
//! Where repeats dominate (resellers restocking, groups re-buying staples), the best
//! list is often her own past items, most often and most recently ordered first (the
//! personal-frequency half of TIFU-KNN, Hu et al. 2020). With `h` the half-life and
//! `θ̃(i) = exp(pop(i) − max_j pop_g(j))` the segment popularity of
//! [`crate::signals::popularity`] relative to the most popular item,
//!
//! ```text
//! score(p, i) = Σ_{her orders o of i} 2^(−age_o / h)  +  ε · θ̃(i),      ε = 10⁻³
//! ```
//!
//! (each order counts 1 when `h` = 0). The score is computed from the request's
//! history, so orders that arrived after training count without refitting, and a
//! newcomer gets her segment's popular items. Business rules still apply: with the
//! default `exclude_purchased = "durables"`, durables she bought are not offered
//! again.

use super::popularity::{decay, Popularity, PopularityConfig};
use super::{Context, Scorer};
use crate::data::{History, Promoters};
use serde::{Deserialize, Serialize};

/// Weight of the popularity fallback next to one recent order.
pub const FALLBACK: f32 = 1e-3;

/// Settings of the buy-again signal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BuyAgainConfig {
    /// Half-life of a past order's weight, in days; 0 turns the decay off (every
    /// order counts 1). Default 60.
    pub half_life_days: f64,
}

impl Default for BuyAgainConfig {
    fn default() -> Self {
        BuyAgainConfig {
            half_life_days: 60.0,
        }
    }
}

impl BuyAgainConfig {
    /// Checks the range.
    ///
    /// # Errors
    /// [`crate::ConfigError::OutOfRange`] when the half-life is not in [0, 36500] days.
    pub fn validate(&self) -> Result<(), crate::ConfigError> {
        crate::error::check_range(
            "buy_again.half_life_days",
            self.half_life_days,
            0.0,
            36_500.0,
            "[0, 36500] (0 = no decay)",
        )
    }
}

/// The fitted buy-again signal: the half-life and the popularity fallback.
#[derive(Debug, Clone, PartialEq)]
pub struct BuyAgain {
    popularity: Popularity,
    top: f32,
    half_life_days: f64,
}

impl BuyAgain {
    /// Fits the fallback popularity on `history` as of `now`.
    ///
    /// # Examples
    /// ```
    /// use kocrank::signals::buy_again::{BuyAgain, BuyAgainConfig};
    /// use kocrank::signals::popularity::PopularityConfig;
    /// let world = kocrank::synth::generate(kocrank::synth::Scale::Tiny, 1).unwrap();
    /// let d = &world.dataset;
    /// let now = d.orders().time_range().unwrap().1 + 1;
    /// let b = BuyAgain::fit(&d.history(), &d.promoters(), d.catalog().len(), now,
    ///                       &BuyAgainConfig::default(), &PopularityConfig::default());
    /// assert_eq!(b.half_life_days(), 60.0);
    /// ```
    pub fn fit(
        history: &History,
        promoters: &Promoters,
        n_items: usize,
        now: i64,
        cfg: &BuyAgainConfig,
        popularity: &PopularityConfig,
    ) -> BuyAgain {
        let popularity = Popularity::fit(history, promoters, n_items, now, popularity);
        let top = popularity
            .global
            .iter()
            .copied()
            .filter(|x| x.is_finite())
            .fold(f32::NEG_INFINITY, f32::max);
        BuyAgain {
            popularity,
            top: if top.is_finite() { top } else { 0.0 },
            half_life_days: cfg.half_life_days,
        }
    }

    /// The half-life of a past order's weight, in days (0 = no decay).
    pub fn half_life_days(&self) -> f64 {
        self.half_life_days
    }
}

impl Scorer for BuyAgain {
    fn name(&self) -> &'static str {
        "buy_again"
    }

    fn score(&self, ctx: &Context<'_>, candidates: &[u32], out: &mut [f32]) {
        self.popularity
            .score_into(ctx.channel, ctx.city_tier, candidates, out);
        for o in out.iter_mut() {
            *o = if o.is_finite() {
                FALLBACK * (*o - self.top).min(0.0).exp()
            } else {
                0.0
            };
        }
        if ctx.history.is_empty() {
            return;
        }
        // Her items with their decayed weights, sorted by item for lookup.
        let half_life = self.half_life_days * 86_400.0;
        let mut mine: Vec<(u32, f64)> = ctx
            .history
            .iter()
            .zip(ctx.history_ts)
            .map(|(&i, &t)| {
                let w = if half_life > 0.0 {
                    decay(ctx.now.saturating_sub(t), half_life)
                } else {
                    1.0
                };
                (i, w)
            })
            .collect();
        mine.sort_unstable_by_key(|x| x.0);
        mine.dedup_by(|b, a| {
            if a.0 == b.0 {
                a.1 += b.1;
                true
            } else {
                false
            }
        });
        for (o, i) in out.iter_mut().zip(candidates) {
            if let Ok(at) = mine.binary_search_by_key(i, |x| x.0) {
                *o += mine[at].1 as f32;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Channel;

    #[test]
    fn her_items_come_first_by_decayed_frequency_then_popularity() {
        // Item 2 ordered twice long ago, item 1 once recently: with a 10-day
        // half-life the recent one wins; without decay the frequent one does.
        let history = History {
            indptr: vec![0, 3],
            item: vec![2, 2, 1],
            ts: vec![0, 86_400, 100 * 86_400],
            quantity: vec![1, 1, 1],
            weight: Vec::new(),
        };
        let promoters = Promoters::default();
        let now = 101 * 86_400;
        let ctx = Context {
            promoter: None,
            channel: Channel::Other,
            city_tier: 0,
            history: &history.item,
            history_ts: &history.ts,
            shares: &[],
            shares_ts: &[],
            now,
            fold_in: true,
        };
        let score = |h: f64| {
            let b = BuyAgain::fit(
                &history,
                &promoters,
                4,
                now,
                &BuyAgainConfig { half_life_days: h },
                &PopularityConfig::default(),
            );
            let mut out = vec![0f32; 4];
            b.score(&ctx, &[0, 1, 2, 3], &mut out);
            out
        };
        let decayed = score(10.0);
        assert!(
            decayed[1] > decayed[2] && decayed[2] > decayed[0],
            "{decayed:?}"
        );
        let flat = score(0.0);
        assert!(flat[2] > flat[1] && flat[1] > flat[0], "{flat:?}");
        // Items she never ordered score only the fallback, below one recent order.
        assert!(flat[0] <= FALLBACK && flat[3] <= FALLBACK, "{flat:?}");
        assert!((flat[2] - 2.0).abs() < 2.0 * FALLBACK);
    }
}
