//! Why an item is where it is in a promoter's list, in numbers and in plain words — the
//! text a promoter app can turn into a share message (`shared/DOMAIN.md` §4.5, §9.10).

use super::{RankRequest, Ranker};
use crate::blend::Contribution;
use crate::data::time::DAY;
use crate::data::Seller;
use crate::error::{Error, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// Days of history the explanation counts orders over.
pub const EXPLAIN_DAYS: i64 = 60;

/// Everything that places one item in one promoter's list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The promoter.
    pub promoter_id: String,
    /// The item.
    pub item_id: String,
    /// The model kind; for a model `auto` chose, `auto: ` and the chosen trial's label
    /// (the blend names its components, e.g. `auto: blend of buy_again+item_knn`).
    pub model: String,
    /// 1-based position in her full list, or `None` when a rule leaves the item out.
    pub position: Option<usize>,
    /// The final score, when ranked.
    pub score: Option<f32>,
    /// The item's category path.
    pub category: String,
    /// Price in currency units.
    pub price: f64,
    /// Commission rate.
    pub commission_rate: f64,
    /// Positive and total reviews.
    pub reviews: (u32, u32),
    /// Smoothed positive-review rate.
    pub quality: f64,
    /// Self-operated or marketplace.
    pub seller: String,
    /// Orders of her circle in the item's leaf category in the last [`EXPLAIN_DAYS`].
    pub category_orders: usize,
    /// Orders of her circle of this very item, ever, and days since the last one.
    pub item_orders: usize,
    /// Days since her circle last ordered the item.
    pub days_since_item: Option<f64>,
    /// Median days between re-orders in the item's category (0 when unknown).
    pub cycle_days: f64,
    /// Her circle's top categories in the last [`EXPLAIN_DAYS`]: `(category, orders)`.
    pub circle: Vec<(String, usize)>,
    /// Rules that leave the item out, in words.
    pub filtered_by: Vec<String>,
    /// The blend's score breakdown, when the model is a blend.
    pub breakdown: Option<Vec<Contribution>>,
    /// For a promoter with no orders of her own, the promoter (her inviter, or the
    /// inviter's inviter) whose orders she is ranked from; the order counts above are
    /// then that promoter's ([`crate::data::network`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub borrowed_from: Option<String>,
    /// For a promoter with no orders of her own but with shares, true: she is ranked
    /// from the items she shared, and the counts above are of her shares
    /// ([`crate::data::network::NetworkConfig::own_shares`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_shares: bool,
    /// Times she shared the item among the last shares a blend with share features
    /// reads ([`crate::blend::BlendConfig::share_memory`]); 0 for other models.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub item_shares: usize,
    /// Days since she last shared the item, when `item_shares` > 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_since_shared: Option<f64>,
    /// For a promoter with orders who is still ranked by her segment's popularity, the
    /// count she is below ([`crate::data::network::NetworkConfig::popularity_below`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub popularity_below: Option<usize>,
}

/// `n` times, in words: "once", "2 times".
fn times(n: usize) -> String {
    if n == 1 {
        "once".to_string()
    } else {
        format!("{n} times")
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Ranker {
    /// Explains item `item_id` for promoter `promoter_id` (a newcomer gets the cold-start
    /// explanation), with the model's default rules.
    ///
    /// # Errors
    /// [`Error::UnknownId`] for an item not in the catalogue.
    ///
    /// # Examples
    /// ```
    /// use kocrank::{synth, train, Config, ModelKind, Ranker};
    /// let world = synth::generate(synth::Scale::Tiny, 4).unwrap();
    /// let ranker = Ranker::new(train(&world.dataset, &Config { model: ModelKind::Profile, ..Config::default() }).unwrap());
    /// let item = world.dataset.catalog().ids.name(0).unwrap();
    /// let why = ranker.explain("P000001", item).unwrap();
    /// println!("{why}");
    /// assert!(ranker.explain("P000001", "no-such-item").is_err());
    /// ```
    pub fn explain(&self, promoter_id: &str, item_id: &str) -> Result<Explanation> {
        let m = self.model();
        let c = m.catalog();
        let item = c.ids.get(item_id).ok_or_else(|| Error::UnknownId {
            kind: "item",
            id: item_id.to_string(),
            hint: String::new(),
        })?;
        let iu = item as usize;
        let p = m.promoters().ids.get(promoter_id);
        let resolved = self.resolve(p, 1);
        let ctx = resolved.ctx;
        let leaf = c.leaf_category(item);
        let since = ctx.now - EXPLAIN_DAYS * DAY;
        let mut per_cat: BTreeMap<u32, usize> = BTreeMap::new();
        let (mut category_orders, mut item_orders, mut last_item) = (0usize, 0usize, None);
        for (&i, &t) in ctx.history.iter().zip(ctx.history_ts) {
            if i == item {
                item_orders += 1;
                last_item = Some(t);
            }
            if t >= since {
                *per_cat.entry(c.leaf_category(i)).or_default() += 1;
                if c.leaf_category(i) == leaf {
                    category_orders += 1;
                }
            }
        }
        let mut item_shares = 0;
        let mut last_shared: Option<i64> = None;
        for (&i, &t) in ctx.shares.iter().zip(ctx.shares_ts) {
            if i == item {
                item_shares += 1;
                last_shared = Some(last_shared.map_or(t, |l| l.max(t)));
            }
        }
        let mut circle: Vec<(String, usize)> = per_cat
            .into_iter()
            .map(|(cat, n)| (c.taxonomy.paths.name(cat).unwrap_or("").to_string(), n))
            .collect();
        circle.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        circle.truncate(3);
        // The ranking's own filters say what leaves the item out.
        let filtered_by = super::Filters::new(m, &resolved).reasons(item);
        let mut position = None;
        let mut score = None;
        if filtered_by.is_empty() {
            let n = c.len().min(super::MAX_K);
            let list = self.rank(&RankRequest::new(promoter_id, n))?;
            if let Some((pos, r)) = list.iter().enumerate().find(|(_, r)| r.item.get() == item) {
                position = Some(pos + 1);
                score = Some(r.score);
            }
        }
        Ok(Explanation {
            promoter_id: promoter_id.to_string(),
            item_id: item_id.to_string(),
            model: match m.selection() {
                Some(sel) => format!("auto: {}", sel.chosen_label),
                None => m.kind().as_str().to_string(),
            },
            position,
            score,
            category: c.category_path(item).to_string(),
            price: c.price_cents.get(iu).copied().unwrap_or(0) as f64 / 100.0,
            commission_rate: f64::from(c.commission_rate.get(iu).copied().unwrap_or(0.0)),
            reviews: (
                c.reviews_positive.get(iu).copied().unwrap_or(0),
                c.reviews_total.get(iu).copied().unwrap_or(0),
            ),
            quality: f64::from(m.quality().posterior.get(iu).copied().unwrap_or(0.0)),
            seller: c
                .seller
                .get(iu)
                .map_or(Seller::Marketplace, |s| *s)
                .as_str()
                .to_string(),
            category_orders,
            item_orders,
            days_since_item: last_item.map(|t| (ctx.now - t) as f64 / DAY as f64),
            cycle_days: f64::from(
                m.repurchase()
                    .median_cycle_days
                    .get(leaf as usize)
                    .copied()
                    .unwrap_or(0.0),
            ),
            circle,
            filtered_by,
            breakdown: m.breakdown(&ctx, item),
            borrowed_from: resolved
                .lender
                .and_then(|l| m.promoters().ids.name(l))
                .map(str::to_string),
            from_shares: resolved.from_shares,
            popularity_below: (!resolved.own.is_empty()
                && m.by_newcomer_list(resolved.own.len(), resolved.from_shares))
            .then_some(m.config().network.popularity_below),
            item_shares,
            days_since_shared: last_shared.map(|t| (ctx.now - t).max(0) as f64 / DAY as f64),
        })
    }
}

/// The category's re-buy cycle in words: in days, in hours when under a day, and said
/// to be unknown when it is (0 or not a number).
fn cycle_words(days: f64) -> String {
    if !days.is_finite() || days <= 0.0 {
        "no re-buy cycle is known for this category".to_string()
    } else if days >= 1.0 {
        format!("groups re-buy this every {days:.0} days")
    } else if days * 24.0 >= 1.0 {
        format!("groups re-buy this every {:.0} hours", days * 24.0)
    } else {
        "groups re-buy this within the hour".to_string()
    }
}

fn thousands(n: u32) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.position, self.score) {
            (Some(p), Some(s)) => writeln!(
                f,
                "{} is #{p} for {} ({} model, score {s:.3})",
                self.item_id, self.promoter_id, self.model
            )?,
            _ if !self.filtered_by.is_empty() => writeln!(
                f,
                "{} is left out for {}: {}",
                self.item_id,
                self.promoter_id,
                self.filtered_by.join("; ")
            )?,
            _ => writeln!(f, "{} is not in {}'s list", self.item_id, self.promoter_id)?,
        }
        let (pos, total) = self.reviews;
        let rate = if total > 0 {
            f64::from(pos) / f64::from(total) * 100.0
        } else {
            0.0
        };
        writeln!(
            f,
            "- {}: {:.2} each, commission {:.0}% ({:.2} per order), {}",
            self.category,
            self.price,
            self.commission_rate * 100.0,
            self.price * self.commission_rate,
            self.seller.replace('_', "-")
        )?;
        if total > 0 {
            writeln!(
                f,
                "- {rate:.0}% positive of {} reviews (smoothed {:.1}%)",
                thousands(total),
                self.quality * 100.0
            )?;
        } else {
            writeln!(
                f,
                "- no reviews yet (smoothed to {:.1}%)",
                self.quality * 100.0
            )?;
        }
        let group = match &self.borrowed_from {
            Some(l) => {
                writeln!(
                    f,
                    "- no orders of her own: ranked from the orders of {l}, who invited her (or her inviter)"
                )?;
                format!("{l}'s group")
            }
            None if self.from_shares => {
                writeln!(
                    f,
                    "- no orders of her own yet: ranked from the items she shared"
                )?;
                String::new()
            }
            None => {
                if let Some(n) = self.popularity_below {
                    writeln!(
                        f,
                        "- fewer than {n} orders of her own: ranked by her segment's popularity"
                    )?;
                }
                "her group".to_string()
            }
        };
        // Who did what: her group's (or her lender's) orders, or her own shares.
        let (bought, ordered) = if self.from_shares {
            ("she shared".to_string(), "she shared".to_string())
        } else {
            (format!("{group} bought"), format!("{group} ordered"))
        };
        if self.category_orders > 0 {
            writeln!(
                f,
                "- {bought} {} {} in {} days",
                self.category,
                times(self.category_orders),
                EXPLAIN_DAYS
            )?;
        }
        if let Some(d) = self.days_since_item {
            writeln!(
                f,
                "- {ordered} it {}; the last one {d:.0} days ago ({})",
                times(self.item_orders),
                cycle_words(self.cycle_days)
            )?;
        }
        if let Some(d) = self.days_since_shared.filter(|_| !self.from_shares) {
            writeln!(
                f,
                "- she shared it {} among her last shares; the last one {d:.0} days ago",
                times(self.item_shares)
            )?;
        }
        if !self.circle.is_empty() {
            let parts: Vec<String> = self
                .circle
                .iter()
                .map(|(c, n)| format!("{c} ({n})"))
                .collect();
            writeln!(
                f,
                "- {} in {} days: {}",
                if self.from_shares {
                    "her top shared categories".to_string()
                } else {
                    format!("{group}'s top categories")
                },
                EXPLAIN_DAYS,
                parts.join(", ")
            )?;
        }
        if let Some(b) = &self.breakdown {
            let mut parts: Vec<&Contribution> =
                b.iter().filter(|c| c.contribution.abs() >= 0.05).collect();
            parts.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
            let text: Vec<String> = parts
                .iter()
                .take(6)
                .map(|c| format!("{} {:+.2}", c.name, c.contribution))
                .collect();
            writeln!(f, "- score parts: {}", text.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bought_before(cycle_days: f64) -> String {
        Explanation {
            promoter_id: "p1".into(),
            item_id: "shrimp".into(),
            model: "blend".into(),
            position: Some(3),
            score: Some(0.5),
            category: "fresh/seafood".into(),
            price: 10.0,
            commission_rate: 0.1,
            reviews: (0, 0),
            quality: 0.9,
            seller: "marketplace".into(),
            category_orders: 0,
            item_orders: 7,
            days_since_item: Some(2.0),
            cycle_days,
            circle: Vec::new(),
            filtered_by: Vec::new(),
            breakdown: None,
            borrowed_from: None,
            from_shares: false,
            item_shares: 0,
            days_since_shared: None,
            popularity_below: None,
        }
        .to_string()
    }

    #[test]
    fn short_or_unknown_cycles_read_as_such() {
        let line = |cycle| {
            let text = bought_before(cycle);
            let line = text
                .lines()
                .find(|l| l.contains("ordered it 7 times"))
                .map(String::from);
            line.unwrap_or_default()
        };
        assert!(
            line(0.3).ends_with("(groups re-buy this every 7 hours)"),
            "{}",
            line(0.3)
        );
        assert!(line(0.01).ends_with("(groups re-buy this within the hour)"));
        assert!(line(0.0).ends_with("(no re-buy cycle is known for this category)"));
        assert!(line(f64::NAN).ends_with("(no re-buy cycle is known for this category)"));
        assert!(line(12.4).ends_with("(groups re-buy this every 12 days)"));
        for c in [0.3, 0.01, 0.0] {
            assert!(!line(c).contains("every 0 "), "{}", line(c));
        }
    }
}
