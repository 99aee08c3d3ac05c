//! What a log holds, in figures: the data profile that `auto` prints, stores in the
//! model file and chooses by.
//!
//! ```
//! let world = kocrank::synth::generate(kocrank::synth::Scale::Tiny, 1).unwrap();
//! let p = kocrank::data::DataProfile::of(&world.dataset);
//! assert!(p.span_days > 30.0 && p.has_timestamps);
//! assert!(p.present.commissions && p.present.categories);
//! println!("{p}");
//! ```

use super::{Dataset, History, NO_CATEGORY};
use serde::{Deserialize, Serialize};

/// Which optional parts of the data are present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Present {
    /// Some item has a category.
    pub categories: bool,
    /// Some item has a brand.
    pub brands: bool,
    /// Some item has a price above zero.
    pub prices: bool,
    /// Some item has a commission rate above zero.
    pub commissions: bool,
    /// Some item has reviews.
    pub ratings: bool,
    /// The log has shares.
    pub shares: bool,
    /// Some share names its receiver.
    #[serde(default)]
    pub receivers: bool,
    /// Some row of the order log is a view (status `viewed`).
    #[serde(default)]
    pub views: bool,
    /// Some row of the order log is an add-to-cart or a save (status `carted`).
    #[serde(default)]
    pub carts: bool,
    /// Some promoter has an inviter.
    pub inviters: bool,
    /// Some promoter has a channel other than `other` or a city tier.
    pub segments: bool,
}

/// Figures that describe a dataset's completed orders.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DataProfile {
    /// Items in the catalogue.
    pub items: usize,
    /// Promoters in the promoter table.
    pub promoters: usize,
    /// Completed orders.
    pub orders: usize,
    /// Promoters with at least one completed order.
    pub active_promoters: usize,
    /// Items with at least one completed order.
    pub ordered_items: usize,
    /// Days from the first to the last completed order.
    pub span_days: f64,
    /// Whether the orders carry more than one distinct time.
    pub has_timestamps: bool,
    /// Orders per active promoter: the 10th, 50th and 90th percentiles and the largest.
    pub orders_per_promoter: [usize; 4],
    /// Share of orders that repeat an item the same promoter ordered before.
    pub repeat_share: f64,
    /// Distinct (promoter, item) pairs over active promoters × ordered items.
    pub density: f64,
    /// Optional parts present.
    pub present: Present,
}

impl DataProfile {
    /// Profiles `data`'s completed orders, catalogue and promoter table.
    pub fn of(data: &Dataset) -> DataProfile {
        Self::with_history(data, &data.history())
    }

    /// As [`DataProfile::of`], with the history already built.
    pub fn with_history(data: &Dataset, history: &History) -> DataProfile {
        let c = &data.catalog;
        let pr = &data.promoters;
        let mut counts: Vec<usize> = (0..history.n_promoters() as u32)
            .map(|p| history.count(p))
            .filter(|&n| n > 0)
            .collect();
        counts.sort_unstable();
        let q = |f: f64| -> usize {
            if counts.is_empty() {
                0
            } else {
                counts[((counts.len() - 1) as f64 * f).round() as usize]
            }
        };
        let mut ordered = vec![false; c.len()];
        let (mut repeats, mut pairs) = (0usize, 0usize);
        let mut row: Vec<u32> = Vec::new();
        for p in 0..history.n_promoters() as u32 {
            row.clear();
            row.extend_from_slice(history.items(p));
            for &i in &row {
                if let Some(o) = ordered.get_mut(i as usize) {
                    *o = true;
                }
            }
            row.sort_unstable();
            row.dedup();
            pairs += row.len();
            repeats += history.count(p) - row.len();
        }
        let ordered_items = ordered.iter().filter(|&&o| o).count();
        let (lo, hi) = history
            .ts
            .iter()
            .fold((i64::MAX, i64::MIN), |(a, b), &t| (a.min(t), b.max(t)));
        let span = if hi >= lo {
            (hi - lo) as f64 / 86_400.0
        } else {
            0.0
        };
        let orders = history.nnz();
        // Items without a category get the path "unknown", without a brand brand 0.
        let unknown = c.taxonomy.paths.get("unknown");
        DataProfile {
            items: c.len(),
            promoters: pr.len(),
            orders,
            active_promoters: counts.len(),
            ordered_items,
            span_days: span,
            has_timestamps: hi > lo,
            orders_per_promoter: [q(0.1), q(0.5), q(0.9), counts.last().copied().unwrap_or(0)],
            repeat_share: if orders > 0 {
                repeats as f64 / orders as f64
            } else {
                0.0
            },
            density: pairs as f64 / ((counts.len() * ordered_items).max(1) as f64),
            present: Present {
                categories: c
                    .category
                    .iter()
                    .any(|p| p[0] != NO_CATEGORY && Some(p[0]) != unknown),
                brands: c.brand.iter().any(|&b| b != 0),
                prices: c.price_cents.iter().any(|&x| x > 0),
                commissions: c.commission_rate.iter().any(|&x| x > 0.0),
                ratings: c.reviews_total.iter().any(|&x| x > 0),
                shares: !data.shares.is_empty(),
                receivers: data.shares.has_receivers(),
                views: data.orders.status.contains(&super::OrderStatus::Viewed),
                carts: data.orders.status.contains(&super::OrderStatus::Carted),
                inviters: pr.inviter.iter().any(Option::is_some),
                segments: pr.channel.iter().any(|&ch| ch != super::Channel::Other)
                    || pr.city_tier.iter().any(|&t| t != 0),
            },
        }
    }

    /// Whether the log has what the blend's value and quality terms need.
    pub fn has_value(&self) -> bool {
        self.present.prices && self.present.commissions
    }
}

impl std::fmt::Display for DataProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [p10, p50, p90, max] = self.orders_per_promoter;
        writeln!(
            f,
            "{} completed orders by {} of {} promoters on {} of {} items",
            self.orders, self.active_promoters, self.promoters, self.ordered_items, self.items
        )?;
        if self.has_timestamps {
            writeln!(f, "time span {:.1} days", self.span_days)?;
        } else {
            writeln!(f, "no timestamps (every order at one instant)")?;
        }
        writeln!(
            f,
            "orders per promoter: p10 {p10}, median {p50}, p90 {p90}, max {max}; repeats {:.1}%; density {:.2e}",
            100.0 * self.repeat_share,
            self.density
        )?;
        let p = &self.present;
        let list: Vec<&str> = [
            ("categories", p.categories),
            ("brands", p.brands),
            ("prices", p.prices),
            ("commissions", p.commissions),
            ("ratings", p.ratings),
            ("shares", p.shares),
            ("share receivers", p.receivers),
            ("views", p.views),
            ("carts", p.carts),
            ("inviters", p.inviters),
            ("channels/tiers", p.segments),
        ]
        .iter()
        .map(|&(n, on)| if on { n } else { "" })
        .filter(|n| !n.is_empty())
        .collect();
        write!(
            f,
            "present: {}",
            if list.is_empty() {
                "nothing beyond (promoter, item, time)".to_string()
            } else {
                list.join(", ")
            }
        )
    }
}
