//! Live item changes without retraining: stock, price, commission and reviews of
//! existing items, and new items with their content (category, brand, seller).
//!
//! An update never mutates a snapshot: [`Ranker::with_item_updates`] builds the next
//! snapshot beside the current one (the catalogue is copied, the cheap signals are
//! refitted from the unchanged training history), so a request sees either the old
//! state or the new one, never half. Publish it with [`super::SharedRanker::store`].
//!
//! Learned collaborative signals keep the items they were trained on; a new item gets
//! content-based scores (profile, popularity, baseline) until the next training.

use super::Ranker;
use crate::data::builder_support::{check_item_values, ItemRecord};
use crate::error::{Error, Location, Result};
use crate::model::Model;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A change to one item, or a new item when `item_id` is not in the catalogue. Absent
/// fields keep their value (or take the usual defaults for a new item).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ItemUpdate {
    /// External item id.
    pub item_id: String,
    /// In stock now.
    pub in_stock: Option<bool>,
    /// Price in integer cents (≥ 0).
    pub price: Option<i64>,
    /// Commission rate, a fraction in [0, 1].
    pub commission_rate: Option<f64>,
    /// Positive reviews.
    pub reviews_positive: Option<i64>,
    /// All reviews.
    pub reviews_total: Option<i64>,
    /// Category path (new items only).
    pub category: Option<String>,
    /// Brand (new items only).
    pub brand: Option<String>,
    /// `self_operated` or `marketplace` (new items only).
    pub seller: Option<String>,
    /// Listing time, unix seconds (new items only).
    pub listed_at: Option<i64>,
}

impl Ranker {
    /// The next snapshot, with `updates` applied in order. `self` is unchanged.
    ///
    /// # Errors
    /// [`Error::InvalidData`] naming the update (`updates[3]`), the field and the rule
    /// broken (negative price, commission outside [0, 1], more positive reviews than
    /// reviews, a content field on an existing item); nothing is applied then.
    ///
    /// # Examples
    /// ```
    /// use kocrank::{synth, train, Config, RankRequest, Ranker};
    /// use kocrank::rank::ItemUpdate;
    /// let world = synth::generate(synth::Scale::Tiny, 4).unwrap();
    /// let ranker = Ranker::new(train(&world.dataset, &Config::with_model(kocrank::ModelKind::Baseline)).unwrap());
    /// let top = ranker.rank(&RankRequest::new("P000001", 1)).unwrap()[0].item_id.clone();
    /// let sold_out = ItemUpdate { item_id: top.clone(), in_stock: Some(false), ..Default::default() };
    /// let next = ranker.with_item_updates(&[sold_out]).unwrap();
    /// assert_ne!(next.rank(&RankRequest::new("P000001", 1)).unwrap()[0].item_id, top);
    /// assert_eq!(next.generation(), ranker.generation() + 1);
    /// let bad = ItemUpdate { item_id: top, commission_rate: Some(f64::NAN), ..Default::default() };
    /// assert!(ranker.with_item_updates(&[bad]).unwrap_err().to_string().contains("commission_rate"));
    /// ```
    pub fn with_item_updates(&self, updates: &[ItemUpdate]) -> Result<Ranker> {
        let m = self.model();
        let mut catalog = (*m.catalog).clone();
        for (n, u) in updates.iter().enumerate() {
            let at = |column: &str| Location::source(format!("updates[{n}]")).column(column);
            match catalog.ids.get(&u.item_id) {
                Some(i) => {
                    let i = i as usize;
                    for (field, given) in [
                        ("category", u.category.is_some()),
                        ("brand", u.brand.is_some()),
                        ("seller", u.seller.is_some()),
                        ("listed_at", u.listed_at.is_some()),
                    ] {
                        if given {
                            return Err(Error::invalid(
                                at(field),
                                format!(
                                    "item \"{}\" exists; its {field} changes only with retraining",
                                    u.item_id
                                ),
                            ));
                        }
                    }
                    let price = u.price.unwrap_or(catalog.price_cents[i]);
                    let rate = u
                        .commission_rate
                        .unwrap_or(f64::from(catalog.commission_rate[i]));
                    let pos = u
                        .reviews_positive
                        .unwrap_or(i64::from(catalog.reviews_positive[i]));
                    let total = u
                        .reviews_total
                        .unwrap_or(i64::from(catalog.reviews_total[i]));
                    check_item_values(price, rate, pos, total)
                        .map_err(|f| Error::invalid(at(f.column), f.message))?;
                    catalog.price_cents[i] = price;
                    catalog.commission_rate[i] = rate as f32;
                    catalog.reviews_positive[i] = pos as u32;
                    catalog.reviews_total[i] = total as u32;
                    if let Some(s) = u.in_stock {
                        catalog.in_stock[i] = s;
                    }
                }
                None => {
                    let record = ItemRecord {
                        item_id: &u.item_id,
                        category: u.category.as_deref(),
                        brand: u.brand.as_deref(),
                        price_cents: u.price,
                        reviews_positive: u.reviews_positive,
                        reviews_total: u.reviews_total,
                        commission_rate: u.commission_rate,
                        seller: u.seller.as_deref(),
                        in_stock: u.in_stock,
                        listed_at: u.listed_at,
                    };
                    catalog
                        .push_record(&record)
                        .map_err(|f| Error::invalid(at(f.column), f.message))?;
                }
            }
        }
        let next = Model::from_parts(
            m.config.clone(),
            Arc::new(catalog),
            Arc::clone(&m.promoters),
            m.history.clone(),
            m.trained_until,
            m.learned_signal(),
        )?;
        let next = Model {
            selection: m.selection.clone(),
            newcomer_shares: m.newcomer_shares.clone(),
            recent_shares: m.recent_shares.clone(),
            ..next
        };
        Ok(self.successor(next))
    }
}
