//! Popularity within the promoter's segment (channel and city tier), time-decayed.
//!
//! Each completed order counts `w = 2^(−age / half_life)`, its age measured from the end
//! of training. Per segment the item shares are shrunk toward the global share
//! (`shared/DOMAIN.md` §4.2, §7.1):
//!
//! `θ_seg(i) = (n_seg(i) + m · θ_g(i)) / (n_seg + m)`, with `θ_g(i) = (n(i) + 1) / (n + N)`
//! (add-one over the `N` items, so no share is zero).
//!
//! Channel and tier combine as if independent given the item:
//! `score(i | ch, t) = ln θ_ch(i) + ln θ_t(i) − ln θ_g(i)`. A promoter of unknown channel
//! and tier gets the global popularity.

use crate::data::{Channel, History, Promoters, CITY_TIERS};
use serde::{Deserialize, Serialize};

/// Settings of the popularity signal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PopularityConfig {
    /// Half-life of an order's weight, in days. Default 30.
    pub half_life_days: f64,
    /// Prior strength `m` pulling a segment toward the global shares, in (decayed) orders.
    /// Default 50.
    pub segment_prior: f64,
}

impl Default for PopularityConfig {
    fn default() -> Self {
        PopularityConfig {
            half_life_days: 30.0,
            segment_prior: 50.0,
        }
    }
}

impl PopularityConfig {
    /// Checks the ranges.
    ///
    /// # Errors
    /// [`crate::ConfigError::OutOfRange`] when the half-life is not in (0, 36500] days or
    /// the prior is negative.
    pub fn validate(&self) -> Result<(), crate::ConfigError> {
        use crate::error::check_range;
        check_range(
            "popularity.half_life_days",
            self.half_life_days,
            1e-3,
            36_500.0,
            "(0, 36500]",
        )?;
        check_range(
            "popularity.segment_prior",
            self.segment_prior,
            0.0,
            1e12,
            "[0, 1e12]",
        )
    }
}

/// Log-shares of each item globally, per channel and per city tier.
#[derive(Debug, Clone, PartialEq)]
pub struct Popularity {
    /// `ln θ_g(i)`.
    pub global: Vec<f32>,
    /// `ln θ_ch(i)`, channel-major: `by_channel[ch * n_items + i]`.
    pub by_channel: Vec<f32>,
    /// `ln θ_t(i)`, tier-major (tier 0 = unknown holds the global shares).
    pub by_tier: Vec<f32>,
    n_items: usize,
}

/// Decay weight of an event `age` seconds old with half-life `half_life` seconds.
pub fn decay(age: i64, half_life: f64) -> f64 {
    (-(age.max(0) as f64) / half_life * std::f64::consts::LN_2).exp()
}

impl Popularity {
    /// Counts the history's orders, decayed from `now`.
    pub fn fit(
        history: &History,
        promoters: &Promoters,
        n_items: usize,
        now: i64,
        cfg: &PopularityConfig,
    ) -> Popularity {
        let hl = cfg.half_life_days * 86_400.0;
        let n_ch = Channel::ALL.len();
        let mut g = vec![0f64; n_items];
        let mut ch = vec![0f64; n_ch * n_items];
        let mut tier = vec![0f64; CITY_TIERS * n_items];
        for p in 0..history.n_promoters() as u32 {
            let c = promoters.channel_of(p).index();
            let t = usize::from(promoters.tier_of(p)).min(CITY_TIERS - 1);
            for (&i, &ts) in history.items(p).iter().zip(history.times(p)) {
                let i = i as usize;
                if i >= n_items {
                    continue;
                }
                let w = decay(now.saturating_sub(ts), hl);
                g[i] += w;
                ch[c * n_items + i] += w;
                if t > 0 {
                    tier[t * n_items + i] += w;
                }
            }
        }
        let total: f64 = g.iter().sum();
        let denom = total + n_items as f64;
        let theta_g: Vec<f64> = g.iter().map(|&x| (x + 1.0) / denom).collect();
        // Most items of a large catalogue have no orders: their logarithms are shared
        // constants, so `ln` runs only for items with orders.
        let ln_unordered = (1.0 / denom).ln();
        let ln_g: Vec<f64> = g
            .iter()
            .zip(&theta_g)
            .map(|(&x, &t)| if x == 0.0 { ln_unordered } else { t.ln() })
            .collect();
        let m = cfg.segment_prior;
        let shrink = |counts: &[f64], out: &mut Vec<f32>| {
            let n_seg: f64 = counts.iter().sum();
            let d = (n_seg + m).max(f64::MIN_POSITIVE);
            // ln θ for an item without orders in the segment: ln(m θ_g / d).
            let ln_prior = if m > 0.0 { (m / d).ln() } else { 0.0 };
            for (i, &c) in counts.iter().enumerate() {
                if c == 0.0 {
                    // With m = 0 an empty segment falls back to the global share.
                    let ln = if m > 0.0 { ln_prior + ln_g[i] } else { ln_g[i] };
                    out.push(ln as f32);
                    continue;
                }
                let th = (c + m * theta_g[i]) / d;
                let th = if th > 0.0 { th } else { theta_g[i] };
                out.push(th.ln() as f32);
            }
        };
        let mut by_channel = Vec::with_capacity(ch.len());
        for c in 0..n_ch {
            shrink(&ch[c * n_items..(c + 1) * n_items], &mut by_channel);
        }
        let mut by_tier = Vec::with_capacity(tier.len());
        by_tier.extend(ln_g.iter().map(|&x| x as f32));
        for t in 1..CITY_TIERS {
            shrink(&tier[t * n_items..(t + 1) * n_items], &mut by_tier);
        }
        Popularity {
            global: ln_g.iter().map(|&x| x as f32).collect(),
            by_channel,
            by_tier,
            n_items,
        }
    }

    /// Scores `candidates` for a promoter of `channel` and `tier` into `out`.
    ///
    /// # Panics
    /// If `out.len() != candidates.len()`.
    pub fn score_into(&self, channel: Channel, tier: u8, candidates: &[u32], out: &mut [f32]) {
        assert_eq!(candidates.len(), out.len(), "one output slot per candidate");
        let n = self.n_items;
        let c0 = channel.index() * n;
        let t0 = usize::from(tier).min(CITY_TIERS - 1) * n;
        let unknown = channel == Channel::Other && tier == 0;
        for (o, &i) in out.iter_mut().zip(candidates) {
            let i = i as usize;
            *o = match (
                self.global.get(i),
                self.by_channel.get(c0 + i),
                self.by_tier.get(t0 + i),
            ) {
                (Some(&g), Some(&c), Some(&t)) if !unknown => c + t - g,
                (Some(&g), _, _) => g,
                _ => f32::NEG_INFINITY,
            };
        }
    }

    /// Number of items covered.
    pub fn n_items(&self) -> usize {
        self.n_items
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{DatasetBuilder, OrderRecord, PromoterRecord};

    #[test]
    fn channel_popularity_follows_the_channel() {
        let mut b = DatasetBuilder::new();
        for (p, ch) in [("m1", "mother"), ("m2", "mother"), ("c1", "courier")] {
            b.push_promoter(&PromoterRecord {
                promoter_id: p,
                channel: Some(ch),
                city_tier: Some(3),
                ..Default::default()
            })
            .unwrap();
        }
        let order = |p, i| OrderRecord {
            promoter_id: p,
            item_id: i,
            ts: 1_000_000,
            ..Default::default()
        };
        for _ in 0..5 {
            b.push_order(&order("m1", "diapers")).unwrap();
            b.push_order(&order("m2", "diapers")).unwrap();
        }
        for _ in 0..8 {
            b.push_order(&order("c1", "charger")).unwrap();
        }
        let ds = b.finish().unwrap();
        let pop = Popularity::fit(
            &ds.history(),
            &ds.promoters,
            2,
            1_000_000,
            &PopularityConfig::default(),
        );
        let mut out = [0f32; 2];
        pop.score_into(Channel::Mother, 3, &[0, 1], &mut out);
        assert!(out[0] > out[1], "mothers: diapers first {out:?}");
        pop.score_into(Channel::Courier, 3, &[0, 1], &mut out);
        assert!(out[1] > out[0], "couriers: charger first {out:?}");
        pop.score_into(Channel::Other, 0, &[0, 1], &mut out);
        assert!(
            out[0] > out[1],
            "global: diapers (10) over charger (8) {out:?}"
        );
        assert!(out.iter().all(|x| x.is_finite()));
    }

    #[test]
    fn decay_halves_at_half_life() {
        assert!((decay(86_400, 86_400.0) - 0.5).abs() < 1e-12);
        assert!((decay(-5, 10.0) - 1.0).abs() < 1e-12);
    }
}
