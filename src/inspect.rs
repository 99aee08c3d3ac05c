//! What a trained model holds, for analysis: latent factors as `ndarray` views and an
//! item's most similar items.
//!
//! A blend answers from its components: the factors of its iALS component, the
//! neighbours of its item-to-item component (else its iALS or EASE one).
//!
//! # Examples
//! ```
//! use kocrank::{synth, train, Config, ModelKind};
//! let world = synth::generate(synth::Scale::Tiny, 4)?;
//! let mut config = Config::with_model(ModelKind::Ials);
//! config.ials.factors = 8;
//! let model = train(&world.dataset, &config)?;
//! let items = model.item_factors().expect("an iALS model has factors");
//! assert_eq!(items.dim(), (model.catalog().len(), 8));
//! let first = model.catalog().ids.name(0).unwrap();
//! let similar = model.similar_items(first, 5)?;
//! assert!(similar.len() <= 5 && similar.iter().all(|(id, _)| id != first));
//! # Ok::<(), kocrank::Error>(())
//! ```

use crate::config::ModelKind;
use crate::error::{Error, Result};
use crate::model::{Model, Signal};
use crate::signals::ease::Ease;
use crate::signals::item_knn::ItemKnn;
use ndarray::ArrayView2;

impl Model {
    /// The model's signal of kind `kind`: its own, or a blend component's.
    fn component(&self, kind: ModelKind) -> Option<&Signal> {
        let own = &self.signal;
        if self.kind() == kind {
            return Some(own);
        }
        match own {
            Signal::Blend(b) => b
                .components
                .iter()
                .find(|(k, _)| *k == kind)
                .map(|(_, s)| s),
            _ => None,
        }
    }

    fn ials_component(&self) -> Option<&crate::signals::ials::Ials> {
        match self.component(ModelKind::Ials)? {
            Signal::Ials(m) => Some(m),
            _ => None,
        }
    }

    fn item_knn(&self) -> Option<&ItemKnn> {
        match self.component(ModelKind::ItemKnn)? {
            Signal::ItemKnn(m) => Some(m),
            _ => None,
        }
    }

    fn ease(&self) -> Option<&Ease> {
        match self.component(ModelKind::Ease)? {
            Signal::Ease(m) => Some(m),
            _ => None,
        }
    }

    /// The item factors `Y` (`n_items × k`, rows in catalogue order) of an iALS model
    /// or of a blend's iALS component; `None` for a model without factors.
    pub fn item_factors(&self) -> Option<ArrayView2<'_, f32>> {
        let m = self.ials_component()?;
        ArrayView2::from_shape((m.n_items(), m.factors()), m.item_factors()).ok()
    }

    /// The promoter factors `X` (`n_promoters × k`, rows in the promoter table's
    /// order), as for [`Model::item_factors`].
    pub fn promoter_factors(&self) -> Option<ArrayView2<'_, f32>> {
        let m = self.ials_component()?;
        ArrayView2::from_shape((m.n_promoters(), m.factors()), m.promoter_factors()).ok()
    }

    /// The `k` items most similar to `item_id`, best first, without the item itself:
    /// its item-to-item neighbours, else the cosine of iALS item factors, else EASE's
    /// weights `B[j, i]`.
    ///
    /// # Errors
    /// [`Error::UnknownId`] for an item not in the catalogue;
    /// [`Error::WrongModel`] for a model with none of the three (popularity, say).
    pub fn similar_items(&self, item_id: &str, k: usize) -> Result<Vec<(String, f32)>> {
        let j = self
            .catalog()
            .ids
            .get(item_id)
            .ok_or_else(|| Error::UnknownId {
                kind: "item",
                id: item_id.to_string(),
                hint: String::new(),
            })?;
        let mut scored: Vec<(u32, f32)> = if let Some(knn) = self.item_knn() {
            let (n, s) = knn.neighbours(j);
            n.iter().copied().zip(s.iter().copied()).collect()
        } else if let Some(m) = self.ials_component() {
            let Some(y) = m.item_row(j) else {
                return Ok(Vec::new());
            };
            let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
            let ny = norm(y);
            (0..m.n_items() as u32)
                .filter_map(|i| {
                    let r = m.item_row(i)?;
                    let d = norm(r) * ny;
                    (d > 0.0).then(|| (i, r.iter().zip(y).map(|(a, b)| a * b).sum::<f32>() / d))
                })
                .collect()
        } else if let Some(e) = self.ease() {
            e.fitted_items()
                .iter()
                .map(|&i| (i, e.weight(j, i)))
                .filter(|&(_, w)| w != 0.0)
                .collect()
        } else {
            return Err(Error::WrongModel {
                operation: "similar items",
                needs: "an item-to-item, iALS or EASE model (or a blend with one)",
                found: self.kind().as_str(),
            });
        };
        scored.retain(|&(i, s)| i != j && s.is_finite());
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(k);
        Ok(scored
            .into_iter()
            .filter_map(|(i, s)| Some((self.catalog().ids.name(i)?.to_string(), s)))
            .collect())
    }
}
