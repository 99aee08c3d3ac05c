//! The synthetic catalogue: items with categories, brands, prices, commissions, reviews
//! and listing dates, and the sampling tables the funnel draws items from.

use super::categories::{channel_taste, n_leaves, TOPS};
use super::config::SynthConfig;
use super::dist::{
    below, bernoulli, beta, binomial, cumulative, lognormal, poisson, rng_for, sample_cdf, uniform,
};
use super::truth::CategoryTruth;
use crate::data::time::DAY;
use crate::data::{Catalog, Channel, Seller};

/// Random stream of the catalogue.
const STREAM_CATALOG: u64 = 0xCA7A;

/// Mean reviews of an item of average popularity listed for a year or more.
const REVIEWS_PER_ITEM: f64 = 150.0;

/// Items per brand, roughly (a level-1 category has 4 to 300 brands).
const ITEMS_PER_BRAND: usize = 30;

/// Sampling tables over the catalogue, so the funnel never scans it: cumulative
/// popularity per leaf category and per brand, searched by bisection.
#[derive(Debug, Clone, Default)]
pub(crate) struct CatalogIndex {
    /// Leaf index (into the flattened [`TOPS`] leaves) of each item.
    pub leaf_of_item: Vec<u16>,
    /// Level-1 index of each leaf.
    pub top_of_leaf: Vec<usize>,
    /// First leaf index of each level-1 category, and one past the last.
    pub top_leaf_start: Vec<usize>,
    /// Cumulative leaf weights within each level-1 category.
    pub top_leaf_cdf: Vec<Vec<f64>>,
    /// Items of leaf `l`: `leaf_items[leaf_indptr[l]..leaf_indptr[l + 1]]`.
    pub leaf_items: Vec<u32>,
    /// Row pointers into `leaf_items`.
    pub leaf_indptr: Vec<usize>,
    /// Cumulative popularity, aligned with `leaf_items`, restarting at each leaf.
    pub leaf_cdf: Vec<f64>,
    /// Items of brand `b`: `brand_items[brand_indptr[b]..brand_indptr[b + 1]]`.
    pub brand_items: Vec<u32>,
    /// Row pointers into `brand_items`.
    pub brand_indptr: Vec<usize>,
    /// Cumulative popularity, aligned with `brand_items`, restarting at each brand.
    pub brand_cdf: Vec<f64>,
    /// Level-1 index of each brand (`usize::MAX` for the empty brand 0).
    pub top_of_brand: Vec<usize>,
    /// First brand id of each level-1 category.
    pub top_brand_start: Vec<u32>,
    /// Cumulative brand weights within each level-1 category (Zipf).
    pub top_brand_cdf: Vec<Vec<f64>>,
    /// `ln(price / leaf median price)` per item.
    pub log_rel_price: Vec<f32>,
}

impl CatalogIndex {
    /// Cumulative popularity and items of leaf `l`.
    pub fn leaf(&self, l: usize) -> (&[f64], &[u32]) {
        let (a, b) = bounds(&self.leaf_indptr, l);
        (
            self.leaf_cdf.get(a..b).unwrap_or(&[]),
            self.leaf_items.get(a..b).unwrap_or(&[]),
        )
    }

    /// Cumulative popularity and items of brand `b`.
    pub fn brand(&self, b: u32) -> (&[f64], &[u32]) {
        let (x, y) = bounds(&self.brand_indptr, b as usize);
        (
            self.brand_cdf.get(x..y).unwrap_or(&[]),
            self.brand_items.get(x..y).unwrap_or(&[]),
        )
    }
}

fn bounds(indptr: &[usize], row: usize) -> (usize, usize) {
    match (indptr.get(row), indptr.get(row + 1)) {
        (Some(&a), Some(&b)) => (a, b),
        _ => (0, 0),
    }
}

/// Cumulative sums that restart at every row of a CSR layout.
fn cdf_by_row(indptr: &[usize], weight: impl Fn(usize) -> f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(indptr.last().copied().unwrap_or(0));
    for w in indptr.windows(2) {
        out.extend(cumulative((w[0]..w[1]).map(&weight)));
    }
    out
}

/// An item before it gets its final index (items are numbered by listing time).
struct Proto {
    leaf: u16,
    brand: u32,
    seller: Seller,
    price_cents: i64,
    commission: f32,
    quality: f32,
    popularity: f64,
    listed_at: i64,
    in_stock: bool,
}

/// Everything the catalogue step produces.
pub(crate) struct Built {
    pub catalog: Catalog,
    pub index: CatalogIndex,
    pub categories: Vec<CategoryTruth>,
    pub top_categories: Vec<u32>,
    pub item_quality: Vec<f32>,
    pub item_popularity: Vec<f32>,
}

/// Builds the catalogue of `cfg.items` items.
pub(crate) fn build(cfg: &SynthConfig, seed: u64) -> Built {
    let mut rng = rng_for(seed, STREAM_CATALOG, 0);
    let mut catalog = Catalog::new();

    // Taxonomy: intern every leaf in table order.
    let mut categories = Vec::with_capacity(n_leaves());
    let mut top_categories = Vec::with_capacity(TOPS.len());
    let mut top_of_leaf = Vec::new();
    let mut top_leaf_start = vec![0];
    let mut top_leaf_cdf = Vec::new();
    for (t, top) in TOPS.iter().enumerate() {
        for leaf in top.leaves {
            // The table is checked by a test; a bad path would only lose its category.
            let ids = catalog.taxonomy.intern(leaf.path).unwrap_or([0; 3]);
            if top_categories.len() == t {
                top_categories.push(ids[0]);
            }
            categories.push(CategoryTruth {
                category: ids[2],
                top: ids[0],
                top_index: t,
                consumable: leaf.consumable,
                cycle_days: leaf.cycle_days as f32,
                cycle_sigma: leaf.cycle_sigma as f32,
                repurchase: leaf.repurchase as f32,
                median_price_cents: (leaf.price_yuan * 100.0) as f32,
            });
            top_of_leaf.push(t);
        }
        top_leaf_start.push(top_of_leaf.len());
        top_leaf_cdf.push(cumulative(top.leaves.iter().map(|l| l.weight)));
    }
    let leaves: Vec<_> = TOPS.iter().flat_map(|t| t.leaves.iter()).collect();

    // Items per leaf: half by the leaf's share of orders, half spread evenly.
    let global = channel_taste(Channel::Other);
    let share: Vec<f64> = leaves
        .iter()
        .zip(&top_of_leaf)
        .map(|(leaf, &t)| {
            let wsum: f64 = TOPS[t].leaves.iter().map(|l| l.weight).sum();
            0.5 * global[t] * leaf.weight / wsum + 0.5 / leaves.len() as f64
        })
        .collect();
    let counts = apportion(cfg.items, &share);

    // Brands: a Zipf-shaped set per level-1 category.
    let mut top_brand_start = Vec::new();
    let mut top_brand_cdf = Vec::new();
    let mut top_of_brand = vec![usize::MAX];
    let mut n_brands_of_top = Vec::new();
    for (t, top) in TOPS.iter().enumerate() {
        let items: usize = (top_leaf_start[t]..top_leaf_start[t + 1])
            .map(|l| counts[l])
            .sum();
        let n = (items / ITEMS_PER_BRAND).clamp(4, 300);
        top_brand_start.push(catalog.brands.len() as u32);
        for k in 0..n {
            catalog
                .brands
                .insert(&format!("brand_{}_{:02}", top.name, k + 1));
            top_of_brand.push(t);
        }
        top_brand_cdf.push(cumulative((0..n).map(|k| 1.0 / ((k + 1) as f64).powf(1.1))));
        n_brands_of_top.push(n);
    }

    let start = cfg.start();
    let end = cfg.end;
    let recent = end - 30 * DAY;
    let mut protos = Vec::with_capacity(cfg.items);
    for (l, leaf) in leaves.iter().enumerate() {
        let t = top_of_leaf[l];
        let top = &TOPS[t];
        let n = counts[l];
        // Popularity rank within the leaf: a random permutation, Zipf weights.
        let mut ranks: Vec<u32> = (0..n as u32).collect();
        for i in (1..n).rev() {
            let j = below(&mut rng, i as u64 + 1) as usize;
            ranks.swap(i, j);
        }
        let median = leaf.price_yuan * 100.0;
        for &rank in &ranks {
            let (brand, brand_rank) = if bernoulli(&mut rng, 0.04) {
                (0, usize::MAX)
            } else {
                let k = sample_cdf(&mut rng, &top_brand_cdf[t]).unwrap_or(0);
                (top_brand_start[t] + k as u32, k)
            };
            let big_brand = brand_rank < 3;
            let seller = if bernoulli(&mut rng, top.self_operated) {
                Seller::SelfOperated
            } else {
                Seller::Marketplace
            };
            let own = seller == Seller::SelfOperated;
            let mut raw = median * lognormal(&mut rng, 0.0, leaf.price_sigma);
            if own {
                raw *= 1.4;
            }
            if big_brand {
                raw *= 1.15;
            }
            let price_cents = if raw >= 1000.0 {
                (raw / 100.0).round() as i64 * 100 - 10
            } else {
                (raw / 10.0).round() as i64 * 10
            }
            .max(90);
            let quality = if bernoulli(&mut rng, cfg.bad_item_fraction) {
                0.55 + 0.30 * uniform(&mut rng)
            } else {
                let trusted = if own || big_brand { 0.8 } else { 1.0 };
                (1.0 - trusted * lognormal(&mut rng, 0.03f64.ln(), 0.6)).clamp(0.86, 0.998)
            };
            let commission = if own {
                if bernoulli(&mut rng, 0.3) {
                    0.0
                } else {
                    (uniform(&mut rng) * 20.0).round() / 1000.0
                }
            } else {
                let m = (top.commission_mean - 0.05) / 0.25;
                let x = beta(&mut rng, m * 6.0, (1.0 - m) * 6.0);
                ((0.05 + 0.25 * x) * 200.0).round() / 200.0
            };
            let n_b = n_brands_of_top[t] as f64;
            let brand_factor = match brand_rank {
                usize::MAX => 0.6,
                k => {
                    let cdf = &top_brand_cdf[t];
                    let w = cdf.get(k).copied().unwrap_or(0.0)
                        - if k == 0 {
                            0.0
                        } else {
                            cdf.get(k - 1).copied().unwrap_or(0.0)
                        };
                    (n_b * w / cdf.last().copied().unwrap_or(1.0)).powf(0.3)
                }
            };
            let popularity = 1.0 / f64::from(rank + 1)
                * brand_factor
                * if own { 1.5 } else { 1.0 }
                * ((quality - 0.97) * 8.0).exp();
            let u = uniform(&mut rng);
            let listed_at = if u < cfg.new_item_fraction {
                recent + (uniform(&mut rng) * (30 * DAY) as f64) as i64
            } else if u < cfg.new_item_fraction + 0.15 {
                start + (uniform(&mut rng) * (recent - start) as f64) as i64
            } else {
                start - (uniform(&mut rng) * (730 * DAY) as f64) as i64 - 1
            };
            protos.push(Proto {
                leaf: l as u16,
                brand,
                seller,
                price_cents,
                commission: commission as f32,
                quality: quality as f32,
                popularity,
                listed_at,
                in_stock: bernoulli(&mut rng, cfg.in_stock_fraction),
            });
        }
    }

    // Reviews, tied to popularity (share of the leaf times the leaf's share) and age.
    let mut leaf_pop = vec![0.0f64; leaves.len()];
    for p in &protos {
        leaf_pop[p.leaf as usize] += p.popularity;
    }
    let n_items = protos.len() as f64;
    let mut reviews = Vec::with_capacity(protos.len());
    for p in &protos {
        let l = p.leaf as usize;
        let pop_share = share[l] * p.popularity / leaf_pop[l].max(f64::MIN_POSITIVE);
        let age_years = ((end - p.listed_at) as f64 / (365.0 * DAY as f64)).clamp(0.0, 1.0);
        let expected = REVIEWS_PER_ITEM
            * n_items
            * pop_share
            * age_years.powf(0.8)
            * lognormal(&mut rng, -0.3, 0.8);
        let total = poisson(&mut rng, expected).min(u64::from(u32::MAX / 2)) as u32;
        let positive = binomial(&mut rng, total, f64::from(p.quality));
        reviews.push((positive, total));
    }

    // Number items by listing time, so item ids grow with age like a real catalogue's.
    let mut order: Vec<usize> = (0..protos.len()).collect();
    order.sort_by_key(|&i| (protos[i].listed_at, i));

    let n = protos.len();
    catalog.category.reserve(n);
    let mut index = CatalogIndex {
        top_of_leaf,
        top_leaf_start,
        top_leaf_cdf,
        top_of_brand,
        top_brand_start,
        top_brand_cdf,
        ..CatalogIndex::default()
    };
    let mut item_quality = Vec::with_capacity(n);
    let mut item_popularity = Vec::with_capacity(n);
    let width = 7.max(n.to_string().len());
    for (ix, &i) in order.iter().enumerate() {
        let p = &protos[i];
        let leaf = &categories[p.leaf as usize];
        catalog.ids.insert(&format!("I{:0width$}", ix + 1));
        catalog
            .category
            .push([leaf.top, top_level2(&catalog, leaf.category), leaf.category]);
        catalog.brand.push(p.brand);
        catalog.price_cents.push(p.price_cents);
        catalog.reviews_positive.push(reviews[i].0);
        catalog.reviews_total.push(reviews[i].1);
        catalog.commission_rate.push(p.commission);
        catalog.seller.push(p.seller);
        catalog.in_stock.push(p.in_stock);
        catalog.listed_at.push(Some(p.listed_at));
        index.leaf_of_item.push(p.leaf);
        index
            .log_rel_price
            .push((p.price_cents as f64 / f64::from(leaf.median_price_cents)).ln() as f32);
        item_quality.push(p.quality);
        item_popularity.push(p.popularity as f32);
    }

    // CSR tables by leaf and by brand, items in index order within each row.
    let (leaf_indptr, leaf_items) =
        group_by(n, leaves.len(), |i| usize::from(index.leaf_of_item[i]));
    let (brand_indptr, brand_items) =
        group_by(n, catalog.brands.len(), |i| catalog.brand[i] as usize);
    index.leaf_cdf = cdf_by_row(&leaf_indptr, |e| {
        f64::from(item_popularity[leaf_items[e] as usize])
    });
    index.brand_cdf = cdf_by_row(&brand_indptr, |e| {
        f64::from(item_popularity[brand_items[e] as usize])
    });
    index.leaf_indptr = leaf_indptr;
    index.leaf_items = leaf_items;
    index.brand_indptr = brand_indptr;
    index.brand_items = brand_items;

    Built {
        catalog,
        index,
        categories,
        top_categories,
        item_quality,
        item_popularity,
    }
}

/// The level-2 id of a leaf (its parent path).
fn top_level2(catalog: &Catalog, leaf: u32) -> u32 {
    let path = catalog.taxonomy.paths.name(leaf).unwrap_or("");
    let parent = path.rsplit_once('/').map_or(path, |(a, _)| a);
    catalog
        .taxonomy
        .paths
        .get(parent)
        .unwrap_or(crate::data::NO_CATEGORY)
}

/// Splits `total` into integer parts proportional to `share`, each at least 1 (when
/// `total >= share.len()`), summing to `total` (largest remainders get the rest).
fn apportion(total: usize, share: &[f64]) -> Vec<usize> {
    let n = share.len();
    let sum: f64 = share.iter().sum();
    let spare = total.saturating_sub(n) as f64;
    let exact: Vec<f64> = share.iter().map(|s| spare * s / sum).collect();
    let mut counts: Vec<usize> = exact.iter().map(|&e| 1 + e.floor() as usize).collect();
    let mut rest = total.saturating_sub(counts.iter().sum());
    let mut by_remainder: Vec<usize> = (0..n).collect();
    by_remainder.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &l in by_remainder.iter().cycle().take(n * 2) {
        if rest == 0 {
            break;
        }
        counts[l] += 1;
        rest -= 1;
    }
    counts
}

/// CSR grouping of `0..n` by `key(i) < rows`, members in increasing order.
fn group_by(n: usize, rows: usize, key: impl Fn(usize) -> usize) -> (Vec<usize>, Vec<u32>) {
    let mut indptr = vec![0usize; rows + 1];
    for i in 0..n {
        if let Some(c) = indptr.get_mut(key(i) + 1) {
            *c += 1;
        }
    }
    for r in 0..rows {
        indptr[r + 1] += indptr[r];
    }
    let mut next = indptr.clone();
    let mut items = vec![0u32; indptr[rows]];
    for i in 0..n {
        if let Some(slot) = next.get_mut(key(i)) {
            items[*slot] = i as u32;
            *slot += 1;
        }
    }
    (indptr, items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::config::Scale;

    fn built() -> Built {
        build(&SynthConfig::for_scale(Scale::Tiny), 11)
    }

    #[test]
    fn apportion_sums_and_floors() {
        let c = apportion(100, &[0.5, 0.3, 0.2, 0.0]);
        assert_eq!(c.iter().sum::<usize>(), 100);
        assert!(c.iter().all(|&x| x >= 1));
        assert!(c[0] > c[1] && c[1] > c[2]);
    }

    #[test]
    fn catalogue_follows_the_rules() {
        let b = built();
        let c = &b.catalog;
        let n = c.len();
        assert_eq!(n, 500);
        assert_eq!(c.brands.name(0), Some(""));
        assert_eq!(c.ids.name(0), Some("I0000001"));
        for i in 0..n {
            assert!((0.0..=1.0).contains(&c.commission_rate[i]));
            assert!(c.reviews_positive[i] <= c.reviews_total[i]);
            assert!(c.price_cents[i] > 0);
            assert!((c.brand[i] as usize) < c.brands.len());
            assert_eq!(c.category_path(i as u32).split('/').count(), 3);
            let cat = c.category[i];
            assert_eq!(c.taxonomy.depth[cat[1] as usize], 2);
            let t = c.listed_at[i].unwrap();
            assert!(t >= 0 && t < SynthConfig::for_scale(Scale::Tiny).end);
        }
        assert!(
            c.listed_at.windows(2).all(|w| w[0] <= w[1]),
            "ids follow listing time"
        );
        assert_eq!(b.index.leaf_items.len(), n);
        assert_eq!(b.index.brand_items.len(), n);
    }

    #[test]
    fn sellers_prices_commissions_and_reviews_are_plausible() {
        let b = build(
            &SynthConfig {
                items: 5000,
                ..SynthConfig::for_scale(Scale::Tiny)
            },
            5,
        );
        let c = &b.catalog;
        let n = c.len();
        let own: Vec<usize> = (0..n)
            .filter(|&i| c.seller[i] == Seller::SelfOperated)
            .collect();
        let pop: Vec<usize> = (0..n)
            .filter(|&i| c.seller[i] == Seller::Marketplace)
            .collect();
        assert!(own.len() > n / 10 && pop.len() > n / 2);
        assert!(own.iter().all(|&i| c.commission_rate[i] <= 0.02));
        assert!(pop
            .iter()
            .all(|&i| (0.05..=0.30).contains(&c.commission_rate[i])));
        let mean_price =
            |v: &[usize]| v.iter().map(|&i| c.price_cents[i] as f64).sum::<f64>() / v.len() as f64;
        assert!(mean_price(&own) > 2.0 * mean_price(&pop));
        let rated: Vec<f64> = (0..n)
            .filter(|&i| c.reviews_total[i] >= 200)
            .map(|i| f64::from(c.reviews_positive[i]) / f64::from(c.reviews_total[i]))
            .collect();
        let typical = rated
            .iter()
            .filter(|&&r| (0.90..=0.995).contains(&r))
            .count();
        assert!(
            typical as f64 > 0.8 * rated.len() as f64,
            "{typical} of {}",
            rated.len()
        );
        let few = (0..n).filter(|&i| c.reviews_total[i] <= 5).count();
        let many = (0..n).filter(|&i| c.reviews_total[i] >= 5000).count();
        assert!(few > n / 50 && many > 0, "few {few}, many {many}");
        let in_stock = c.in_stock.iter().filter(|&&s| s).count() as f64 / n as f64;
        assert!((0.92..0.98).contains(&in_stock));
        let new = c
            .listed_at
            .iter()
            .filter(|t| t.unwrap() >= DEFAULT_END_MINUS_30)
            .count();
        assert!(new > n / 50);
    }

    const DEFAULT_END_MINUS_30: i64 = crate::synth::config::DEFAULT_END - 30 * DAY;
}
