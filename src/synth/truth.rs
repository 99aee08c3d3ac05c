//! The ground truth of a synthetic world: the latent tastes of every circle and the
//! latent facts of every category and item that the generator drew orders from.

use crate::data::{Catalog, Promoters};
use crate::error::{Error, Result};
use std::io::Write;

/// The repurchase model of one leaf category.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryTruth {
    /// Taxonomy id of the leaf (a level-3 path, see [`crate::data::Taxonomy`]).
    pub category: u32,
    /// Taxonomy id of its level-1 category.
    pub top: u32,
    /// Column of the level-1 category in [`GroundTruth::taste`] rows.
    pub top_index: usize,
    /// Consumable (re-bought on a cycle) or durable (rarely re-bought).
    pub consumable: bool,
    /// Median days between two orders of one item by the same circle.
    pub cycle_days: f32,
    /// Log-scale spread of the cycle (the σ of a lognormal).
    pub cycle_sigma: f32,
    /// Probability that a circle which bought an item of this category schedules
    /// buying it again (repeat-purchasability, RCP in DOMAIN.md §4.3).
    pub repurchase: f32,
    /// Median price of the category in cents (the reference of price bands).
    pub median_price_cents: f32,
}

/// What the generator knows and a ranker must discover: the latent tastes of each
/// promoter's circle, her activity, and the latent quality and popularity of items.
///
/// Promoter columns are indexed by promoter index, item columns by item index; a
/// promoter's taste is the row `taste[p * n_tops .. (p + 1) * n_tops]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroundTruth {
    /// Taxonomy ids of the level-1 categories, in the order of taste columns.
    pub top_categories: Vec<u32>,
    /// Category weights per promoter, row-major `promoters × top_categories`; each row
    /// sums to 1.
    pub taste: Vec<f32>,
    /// Centre of each circle's preferred price band, as a multiple of a category's
    /// median price (1.0 = the median; lower-tier circles prefer cheaper items).
    pub price_center: Vec<f32>,
    /// Width of each circle's price band: the σ of its log-price tolerance.
    pub price_width: Vec<f32>,
    /// Probability in `[0, 1]` that a circle picks from a favourite brand when it has
    /// one in the category.
    pub brand_loyalty: Vec<f32>,
    /// Favourite brands (brand indices into [`Catalog::brands`]) of promoter `p`:
    /// `favourite_brands[favourite_indptr[p]..favourite_indptr[p + 1]]`.
    pub favourite_brands: Vec<u32>,
    /// Row pointers into `favourite_brands`, `promoters + 1` of them.
    pub favourite_indptr: Vec<usize>,
    /// Expected shares per active day.
    pub activity: Vec<f32>,
    /// First second the promoter shares (after she joined).
    pub active_from: Vec<i64>,
    /// Second after which she shares no more (churn), at most the end of the period.
    pub active_until: Vec<i64>,
    /// Member counts of her groups: `group_sizes[group_indptr[p]..group_indptr[p + 1]]`.
    pub group_sizes: Vec<u32>,
    /// Row pointers into `group_sizes`, `promoters + 1` of them.
    pub group_indptr: Vec<usize>,
    /// The leaf categories and their repurchase models.
    pub categories: Vec<CategoryTruth>,
    /// Latent quality of each item: the probability that a buyer is satisfied (the
    /// positive-review rate its reviews are drawn from).
    pub item_quality: Vec<f32>,
    /// Latent popularity of each item (unnormalised weight within its leaf).
    pub item_popularity: Vec<f32>,
}

impl GroundTruth {
    /// Number of level-1 categories (taste columns).
    pub fn n_tops(&self) -> usize {
        self.top_categories.len()
    }

    /// Category weights of promoter `p` (empty when out of range).
    pub fn taste(&self, p: u32) -> &[f32] {
        let n = self.n_tops();
        let a = p as usize * n;
        self.taste.get(a..a + n).unwrap_or(&[])
    }

    /// Favourite brands of promoter `p` (empty when out of range).
    pub fn favourite_brands(&self, p: u32) -> &[u32] {
        csr_row(&self.favourite_indptr, &self.favourite_brands, p)
    }

    /// Group sizes of promoter `p` (empty when out of range).
    pub fn group_sizes(&self, p: u32) -> &[u32] {
        csr_row(&self.group_indptr, &self.group_sizes, p)
    }

    /// The repurchase model of a leaf category, by taxonomy id.
    pub fn category(&self, leaf: u32) -> Option<&CategoryTruth> {
        self.categories.iter().find(|c| c.category == leaf)
    }

    /// The preferred price band of promoter `p` in a category with the given median
    /// price: `(low, high)` in cents, one band width either side of its centre.
    pub fn price_band(&self, p: u32, median_price_cents: f64) -> Option<(f64, f64)> {
        let c = f64::from(*self.price_center.get(p as usize)?);
        let w = f64::from(*self.price_width.get(p as usize)?);
        let mid = median_price_cents * c;
        Some((mid * (-w).exp(), mid * w.exp()))
    }

    /// Writes the circle truth as a long CSV table with header
    /// `promoter_id,kind,key,value`, one row per fact:
    ///
    /// | kind | key | value |
    /// |---|---|---|
    /// | `category` | level-1 category (`fresh`) | taste weight; a promoter's weights sum to 1 |
    /// | `price_center` | empty | centre of the price band, multiple of a category's median price |
    /// | `price_width` | empty | σ of the log-price tolerance |
    /// | `brand` | brand name | the promoter's brand loyalty (same on each favourite) |
    /// | `activity` | empty | expected shares per active day |
    ///
    /// # Errors
    /// [`Error::Io`] when writing fails.
    pub fn write_csv(
        &self,
        w: &mut impl Write,
        promoters: &Promoters,
        catalog: &Catalog,
    ) -> Result<()> {
        let io = |e| Error::io("ground truth (promoter_id,kind,key,value)", e);
        writeln!(w, "promoter_id,kind,key,value").map_err(io)?;
        let tops: Vec<&str> = self
            .top_categories
            .iter()
            .map(|&t| catalog.taxonomy.paths.name(t).unwrap_or(""))
            .collect();
        for (p, id) in promoters.ids.names().enumerate() {
            let p32 = p as u32;
            for (name, weight) in tops.iter().zip(self.taste(p32)) {
                writeln!(w, "{id},category,{name},{weight:.6}").map_err(io)?;
            }
            let get = |v: &[f32]| v.get(p).copied().unwrap_or(0.0);
            writeln!(w, "{id},price_center,,{:.4}", get(&self.price_center)).map_err(io)?;
            writeln!(w, "{id},price_width,,{:.4}", get(&self.price_width)).map_err(io)?;
            let loyalty = get(&self.brand_loyalty);
            for &b in self.favourite_brands(p32) {
                let brand = catalog.brands.name(b).unwrap_or("");
                writeln!(w, "{id},brand,{brand},{loyalty:.4}").map_err(io)?;
            }
            writeln!(w, "{id},activity,,{:.4}", get(&self.activity)).map_err(io)?;
        }
        Ok(())
    }

    /// Writes the category truth as CSV with header
    /// `category,consumable,cycle_days,cycle_sigma,repurchase,median_price_cents`, one
    /// row per leaf category.
    ///
    /// # Errors
    /// [`Error::Io`] when writing fails.
    pub fn write_categories_csv(&self, w: &mut impl Write, catalog: &Catalog) -> Result<()> {
        let io = |e| Error::io("ground truth categories", e);
        writeln!(
            w,
            "category,consumable,cycle_days,cycle_sigma,repurchase,median_price_cents"
        )
        .map_err(io)?;
        for c in &self.categories {
            let path = catalog.taxonomy.paths.name(c.category).unwrap_or("");
            writeln!(
                w,
                "{path},{},{:.1},{:.3},{:.3},{:.0}",
                c.consumable, c.cycle_days, c.cycle_sigma, c.repurchase, c.median_price_cents
            )
            .map_err(io)?;
        }
        Ok(())
    }
}

fn csr_row<'a>(indptr: &[usize], values: &'a [u32], p: u32) -> &'a [u32] {
    let p = p as usize;
    match (indptr.get(p), indptr.get(p + 1)) {
        (Some(&a), Some(&b)) => values.get(a..b).unwrap_or(&[]),
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use crate::synth::{generate, Scale};

    #[test]
    fn tastes_sum_to_one_and_csv_has_every_promoter() {
        let world = generate(Scale::Tiny, 3).unwrap();
        let t = &world.truth;
        let n = world.dataset.promoters.len();
        assert_eq!(t.taste.len(), n * t.n_tops());
        for p in 0..n as u32 {
            let s: f32 = t.taste(p).iter().sum();
            assert!((s - 1.0).abs() < 1e-4, "promoter {p}: {s}");
            let (lo, hi) = t.price_band(p, 1000.0).unwrap();
            assert!(lo > 0.0 && lo < hi);
        }
        assert!(t.taste(n as u32).is_empty());
        let mut out = Vec::new();
        t.write_csv(&mut out, &world.dataset.promoters, &world.dataset.catalog)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("promoter_id,kind,key,value"));
        let cats = text.lines().filter(|l| l.contains(",category,")).count();
        assert_eq!(cats, n * t.n_tops());
        assert!(text.contains("P000001,category,fresh,"));
        assert!(text.lines().any(|l| l.contains(",brand,brand_")));
        let mut out = Vec::new();
        t.write_categories_csv(&mut out, &world.dataset.catalog)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 1 + t.categories.len());
        assert!(text.contains("fresh/fruit/citrus,true,"));
        assert!(text.contains("3c/phone/smartphone,false,"));
    }
}
