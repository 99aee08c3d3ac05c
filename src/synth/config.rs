//! Sizes and knobs of a synthetic world.

use super::categories::n_leaves;
use crate::data::time::MAX_TS;
use crate::error::{check_range, ConfigError, Result};
use serde::{Deserialize, Serialize};

/// Size of a generated world.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// For tests: 200 promoters, 500 items, about 10k orders over 120 days.
    Tiny,
    /// For trying things: 5,000 promoters, 20,000 items, about 500k orders over 180 days.
    Small,
    /// Platform size: 400,000 promoters, 1,000,000 items, about 100M orders over 365
    /// days. Generate its orders in chunks ([`super::Generator::chunks`]).
    Large,
}

/// 2025-07-01T00:00:00Z, the default end of the order period (exclusive).
pub const DEFAULT_END: i64 = 1_751_328_000;

/// Sizes and knobs of a synthetic world. Missing fields take the values of
/// [`SynthConfig::default`] (the `Small` scale).
///
/// # Examples
/// ```
/// use kocrank::synth::{Scale, SynthConfig};
/// let cfg: SynthConfig = toml::from_str("promoters = 300\nitems = 800").unwrap();
/// assert_eq!(cfg.promoters, 300);
/// assert_eq!(cfg.days, SynthConfig::for_scale(Scale::Small).days);
/// cfg.validate().unwrap();
/// let bad = SynthConfig { days: 5, ..cfg };
/// assert!(bad.validate().unwrap_err().to_string().contains("synth.days"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SynthConfig {
    /// Number of promoters (≥ 1).
    pub promoters: usize,
    /// Number of catalogue items (at least one per leaf category, i.e. ≥ 49).
    pub items: usize,
    /// Length of the order period in days (31..=3650); it ends at `end`.
    pub days: u32,
    /// End of the order period, unix seconds (exclusive); default 2025-07-01.
    pub end: i64,
    /// Mean orders per promoter over the period, before joins and churn cut active
    /// days (> 0, ≤ 100,000).
    pub orders_per_promoter: f64,
    /// Fractions of promoters by channel, in the order of [`crate::data::Channel::ALL`]
    /// (mother, reseller, courier, service worker, shop guide, other); normalised.
    pub channel_mix: [f64; 6],
    /// Fractions of promoters by city tier 1..=6; normalised.
    pub tier_mix: [f64; 6],
    /// Fraction of promoters who joined with an inviter's code, in `[0, 1]`.
    pub invited_fraction: f64,
    /// Weight of a same-channel inviter's taste in an invitee's taste prior (the rest
    /// is her channel's mean), in `[0, 1]`: how much invited circles look alike.
    /// Default 0.3.
    pub inviter_taste: f64,
    /// Fraction of promoters who share almost nothing (0–2 orders), in `[0, 1]`.
    pub dormant_fraction: f64,
    /// Fraction of items listed in the last 30 days, in `[0, 1]`.
    pub new_item_fraction: f64,
    /// Fraction of items in stock, in `[0, 1]`.
    pub in_stock_fraction: f64,
    /// Fraction of bad items (positive-review rate 55–85%, more refunds), in `[0, 1]`.
    pub bad_item_fraction: f64,
    /// Dirichlet concentration of a circle's category taste around its channel mean
    /// (> 0; lower means circles differ more). Default 12.
    pub taste_concentration: f64,
    /// Whether orders carry order ids (`O000001-00001`); default true.
    pub order_ids: bool,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig::for_scale(Scale::Small)
    }
}

impl SynthConfig {
    /// The configuration of a scale.
    pub fn for_scale(scale: Scale) -> Self {
        let (promoters, items, days, orders_per_promoter) = match scale {
            Scale::Tiny => (200, 500, 120, 50.0),
            Scale::Small => (5_000, 20_000, 180, 100.0),
            Scale::Large => (400_000, 1_000_000, 365, 260.0),
        };
        SynthConfig {
            promoters,
            items,
            days,
            end: DEFAULT_END,
            orders_per_promoter,
            channel_mix: [0.52, 0.38, 0.04, 0.025, 0.025, 0.01],
            tier_mix: [0.09, 0.13, 0.26, 0.19, 0.15, 0.18],
            invited_fraction: 0.85,
            inviter_taste: 0.3,
            dormant_fraction: 0.08,
            new_item_fraction: 0.06,
            in_stock_fraction: 0.95,
            bad_item_fraction: 0.03,
            taste_concentration: 12.0,
            order_ids: true,
        }
    }

    /// The first second of the order period.
    pub fn start(&self) -> i64 {
        self.end
            .saturating_sub(i64::from(self.days) * crate::data::time::DAY)
    }

    /// Checks every field against its rule.
    ///
    /// # Errors
    /// [`crate::Error::Config`] with [`ConfigError::OutOfRange`] naming the first field
    /// out of range (as `synth.<field>`).
    pub fn validate(&self) -> Result<()> {
        check_range(
            "synth.promoters",
            self.promoters as f64,
            1.0,
            1e9,
            "[1, 10^9]",
        )?;
        check_range(
            "synth.items",
            self.items as f64,
            n_leaves() as f64,
            1e9,
            ITEMS_RANGE,
        )?;
        check_range(
            "synth.days",
            f64::from(self.days),
            31.0,
            3650.0,
            "[31, 3650]",
        )?;
        check_range(
            "synth.end",
            self.end as f64,
            0.0,
            MAX_TS as f64,
            "[0, 4102444800]",
        )?;
        if self.start() < EARLIEST_START {
            return Err(ConfigError::Conflict(format!(
                "synth.end = {} with synth.days = {}: the period must start after 1972-01-01 \
                 (items are listed up to two years before it)",
                self.end, self.days
            ))
            .into());
        }
        check_range(
            "synth.orders_per_promoter",
            self.orders_per_promoter,
            1e-9,
            1e5,
            "(0, 100000]",
        )?;
        for (field, mix) in [
            ("synth.channel_mix", &self.channel_mix),
            ("synth.tier_mix", &self.tier_mix),
        ] {
            for &v in mix {
                check_range(field, v, 0.0, 1e9, "non-negative weights")?;
            }
            check_range(
                field,
                mix.iter().sum(),
                1e-12,
                6e9,
                "weights with a positive sum",
            )?;
        }
        check_range(
            "synth.invited_fraction",
            self.invited_fraction,
            0.0,
            1.0,
            "[0, 1]",
        )?;
        check_range(
            "synth.inviter_taste",
            self.inviter_taste,
            0.0,
            1.0,
            "[0, 1]",
        )?;
        check_range(
            "synth.dormant_fraction",
            self.dormant_fraction,
            0.0,
            1.0,
            "[0, 1]",
        )?;
        check_range(
            "synth.new_item_fraction",
            self.new_item_fraction,
            0.0,
            1.0,
            "[0, 1]",
        )?;
        check_range(
            "synth.in_stock_fraction",
            self.in_stock_fraction,
            0.0,
            1.0,
            "[0, 1]",
        )?;
        check_range(
            "synth.bad_item_fraction",
            self.bad_item_fraction,
            0.0,
            1.0,
            "[0, 1]",
        )?;
        check_range(
            "synth.taste_concentration",
            self.taste_concentration,
            1e-3,
            1e6,
            "[0.001, 10^6]",
        )?;
        Ok(())
    }
}

/// The earliest start of the order period (1972-01-01), so listing and join times
/// before it stay after 1970.
const EARLIEST_START: i64 = 731 * crate::data::time::DAY;

/// The allowed range of `items`: at least one item per leaf category.
const ITEMS_RANGE: &str = "[49, 10^9] (at least one item per leaf category)";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn scales_validate_and_default_end_is_july_2025() {
        for s in [Scale::Tiny, Scale::Small, Scale::Large] {
            SynthConfig::for_scale(s).validate().unwrap();
        }
        let days = crate::data::time::days_from_civil(2025, 7, 1);
        assert_eq!(DEFAULT_END, days * 86_400);
        assert!(ITEMS_RANGE.starts_with(&format!("[{},", n_leaves())));
    }

    #[test]
    fn bad_values_name_their_field() {
        let base = SynthConfig::for_scale(Scale::Tiny);
        let cases: Vec<(SynthConfig, &str)> = vec![
            (
                SynthConfig {
                    promoters: 0,
                    ..base.clone()
                },
                "synth.promoters",
            ),
            (
                SynthConfig {
                    items: 10,
                    ..base.clone()
                },
                "synth.items",
            ),
            (
                SynthConfig {
                    orders_per_promoter: f64::NAN,
                    ..base.clone()
                },
                "synth.orders_per_promoter",
            ),
            (
                SynthConfig {
                    channel_mix: [0.0; 6],
                    ..base.clone()
                },
                "synth.channel_mix",
            ),
            (
                SynthConfig {
                    tier_mix: [1.0, -1.0, 0.0, 0.0, 0.0, 0.0],
                    ..base.clone()
                },
                "synth.tier_mix",
            ),
            (
                SynthConfig {
                    in_stock_fraction: 1.5,
                    ..base.clone()
                },
                "synth.in_stock_fraction",
            ),
        ];
        assert!(SynthConfig {
            end: 1_000,
            ..base.clone()
        }
        .validate()
        .unwrap_err()
        .to_string()
        .contains("1972"));
        assert!(SynthConfig {
            end: i64::MIN,
            ..base.clone()
        }
        .validate()
        .is_err());
        for (cfg, field) in cases {
            match cfg.validate() {
                Err(Error::Config(ConfigError::OutOfRange { field: f, .. })) => {
                    assert_eq!(f, field)
                }
                other => panic!("{field}: {other:?}"),
            }
        }
    }

    #[test]
    fn deserialises_with_defaults_and_rejects_unknown_fields() {
        let err = serde_json::from_str::<SynthConfig>(r#"{"promoters": 12, "scale_x": 1}"#);
        assert!(err.unwrap_err().to_string().contains("scale_x"));
        let cfg: SynthConfig = serde_json::from_str(r#"{"promoters": 12}"#).unwrap();
        assert_eq!(cfg.promoters, 12);
        assert_eq!(cfg.items, 20_000);
    }
}
