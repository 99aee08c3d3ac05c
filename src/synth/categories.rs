//! The category tree of the synthetic catalogue and the tastes of each channel.
//!
//! Ten level-1 categories, each with three to seven leaves of three levels. Every leaf
//! has a median price, a price spread, and a repurchase model: consumables (fresh food,
//! cleaning goods, underwear, diapers, …) are re-bought on a lognormal cycle by most
//! circles that bought them; durables (3C, appliances, bottles, duvets) rarely.

use crate::data::Channel;

/// One leaf category (three levels).
#[derive(Debug, Clone, Copy)]
pub(crate) struct LeafSpec {
    /// Category path, e.g. `fresh/fruit/citrus`.
    pub path: &'static str,
    /// Relative weight of the leaf within its level-1 category (orders and items).
    pub weight: f64,
    /// Median price in yuan.
    pub price_yuan: f64,
    /// Log-scale spread of prices.
    pub price_sigma: f64,
    /// Consumable (re-bought on a cycle) or durable.
    pub consumable: bool,
    /// Median days between two purchases by the same circle.
    pub cycle_days: f64,
    /// Log-scale spread of the cycle.
    pub cycle_sigma: f64,
    /// Probability that a circle which bought the item buys it again when due.
    pub repurchase: f64,
}

const fn c(path: &'static str, weight: f64, price: f64, cycle: f64, repurchase: f64) -> LeafSpec {
    LeafSpec {
        path,
        weight,
        price_yuan: price,
        price_sigma: 0.45,
        consumable: true,
        cycle_days: cycle,
        cycle_sigma: 0.45,
        repurchase,
    }
}

const fn d(path: &'static str, weight: f64, price: f64) -> LeafSpec {
    LeafSpec {
        path,
        weight,
        price_yuan: price,
        price_sigma: 0.55,
        consumable: false,
        cycle_days: 540.0,
        cycle_sigma: 0.6,
        repurchase: 0.04,
    }
}

/// One level-1 category.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TopSpec {
    /// Name (the level-1 path).
    pub name: &'static str,
    /// Fraction of self-operated items.
    pub self_operated: f64,
    /// Mean commission rate of marketplace items (in `[0.05, 0.30]`).
    pub commission_mean: f64,
    /// Leaves.
    pub leaves: &'static [LeafSpec],
}

/// Number of level-1 categories.
pub(crate) const N_TOPS: usize = 10;

/// The category tree. The order of level-1 categories is the order of taste columns.
pub(crate) const TOPS: [TopSpec; N_TOPS] = [
    TopSpec {
        name: "fresh",
        self_operated: 0.08,
        commission_mean: 0.12,
        leaves: &[
            c("fresh/fruit/citrus", 1.2, 39.0, 9.0, 0.65),
            c("fresh/fruit/apple", 1.0, 45.0, 12.0, 0.6),
            c("fresh/vegetable/leafy", 0.8, 19.0, 6.0, 0.6),
            c("fresh/meat/pork", 0.9, 69.0, 10.0, 0.6),
            c("fresh/egg/chicken_egg", 1.0, 29.0, 12.0, 0.7),
            c("fresh/seafood/shrimp", 0.6, 99.0, 20.0, 0.5),
            c("fresh/dairy/milk", 1.0, 59.0, 14.0, 0.7),
        ],
    },
    TopSpec {
        name: "home",
        self_operated: 0.20,
        commission_mean: 0.14,
        leaves: &[
            c("home/cleaning/tissue", 1.5, 39.0, 28.0, 0.7),
            c("home/cleaning/detergent", 1.0, 45.0, 40.0, 0.6),
            c("home/cleaning/dish_soap", 0.8, 25.0, 35.0, 0.6),
            d("home/kitchen/storage_box", 0.6, 35.0),
            c("home/textile/towel", 0.6, 29.0, 90.0, 0.35),
            d("home/bedding/duvet", 0.4, 199.0),
        ],
    },
    TopSpec {
        name: "underwear",
        self_operated: 0.08,
        commission_mean: 0.18,
        leaves: &[
            c("underwear/women/bra", 1.0, 89.0, 60.0, 0.5),
            c("underwear/women/briefs", 1.0, 49.0, 45.0, 0.55),
            c("underwear/men/boxers", 0.8, 59.0, 60.0, 0.5),
            c("underwear/socks/cotton", 1.0, 29.0, 40.0, 0.55),
            c("underwear/kids/undershirt", 0.6, 49.0, 60.0, 0.45),
        ],
    },
    TopSpec {
        name: "snacks",
        self_operated: 0.10,
        commission_mean: 0.12,
        leaves: &[
            c("snacks/nuts/mixed", 1.0, 59.0, 21.0, 0.5),
            c("snacks/biscuit/cookie", 1.0, 29.0, 14.0, 0.5),
            c("snacks/drink/tea_drink", 0.8, 45.0, 14.0, 0.55),
            c("snacks/instant/noodles", 0.8, 35.0, 20.0, 0.5),
            c("snacks/candy/chocolate", 0.6, 39.0, 25.0, 0.4),
        ],
    },
    TopSpec {
        name: "pantry",
        self_operated: 0.30,
        commission_mean: 0.08,
        leaves: &[
            c("pantry/grain/rice", 1.0, 69.0, 30.0, 0.65),
            c("pantry/oil/peanut_oil", 0.8, 89.0, 40.0, 0.6),
            c("pantry/seasoning/soy_sauce", 0.7, 19.0, 45.0, 0.55),
        ],
    },
    TopSpec {
        name: "beauty",
        self_operated: 0.35,
        commission_mean: 0.22,
        leaves: &[
            c("beauty/skincare/face_cream", 1.0, 159.0, 60.0, 0.45),
            c("beauty/skincare/mask", 1.0, 79.0, 30.0, 0.5),
            d("beauty/makeup/lipstick", 0.7, 129.0),
            c("beauty/hair/shampoo", 0.9, 59.0, 40.0, 0.5),
            c("beauty/body/lotion", 0.6, 69.0, 50.0, 0.45),
        ],
    },
    TopSpec {
        name: "baby",
        self_operated: 0.35,
        commission_mean: 0.12,
        leaves: &[
            c("baby/diaper/tape", 1.3, 119.0, 20.0, 0.8),
            c("baby/formula/stage3", 1.0, 229.0, 25.0, 0.8),
            c("baby/wipes/wet_wipes", 0.9, 39.0, 20.0, 0.7),
            d("baby/feeding/bottle", 0.5, 89.0),
            d("baby/toy/puzzle", 0.5, 59.0),
        ],
    },
    TopSpec {
        name: "apparel",
        self_operated: 0.08,
        commission_mean: 0.20,
        leaves: &[
            d("apparel/women/dress", 1.0, 159.0),
            d("apparel/men/tshirt", 1.0, 79.0),
            d("apparel/shoes/sneaker", 0.8, 199.0),
        ],
    },
    TopSpec {
        name: "3c",
        self_operated: 0.70,
        commission_mean: 0.10,
        leaves: &[
            d("3c/phone/charger", 1.2, 59.0),
            d("3c/phone/case", 1.2, 29.0),
            d("3c/audio/earbuds", 1.0, 149.0),
            d("3c/phone/smartphone", 0.6, 1699.0),
            d("3c/computer/mouse", 0.6, 69.0),
        ],
    },
    TopSpec {
        name: "appliance",
        self_operated: 0.70,
        commission_mean: 0.07,
        leaves: &[
            d("appliance/kitchen/rice_cooker", 1.0, 299.0),
            d("appliance/kitchen/air_fryer", 1.0, 349.0),
            d("appliance/cleaning/vacuum", 0.7, 899.0),
            d("appliance/personal/hair_dryer", 1.0, 159.0),
            d("appliance/large/washer", 0.5, 2199.0),
        ],
    },
];

/// Total number of leaf categories in [`TOPS`].
pub(crate) fn n_leaves() -> usize {
    TOPS.iter().map(|t| t.leaves.len()).sum()
}

/// Mean taste of each channel over the level-1 categories of [`TOPS`] (rows sum to 1):
/// mothers lean to fresh, home, underwear and baby; couriers to snacks and 3C; service
/// workers to home goods and appliances; shop guides to beauty, underwear and apparel.
pub(crate) fn channel_taste(channel: Channel) -> [f64; N_TOPS] {
    //   fresh home under snack pantry beauty baby apparel 3c  appliance
    match channel {
        Channel::Mother => [0.21, 0.16, 0.14, 0.07, 0.08, 0.07, 0.13, 0.04, 0.06, 0.04],
        Channel::Reseller => [0.19, 0.15, 0.13, 0.10, 0.09, 0.08, 0.06, 0.06, 0.08, 0.06],
        Channel::Courier => [0.14, 0.10, 0.10, 0.18, 0.09, 0.04, 0.03, 0.07, 0.16, 0.09],
        Channel::ServiceWorker => [0.16, 0.22, 0.10, 0.10, 0.10, 0.04, 0.04, 0.05, 0.07, 0.12],
        Channel::ShopGuide => [0.12, 0.12, 0.16, 0.08, 0.05, 0.22, 0.05, 0.12, 0.05, 0.03],
        Channel::Other => [0.18, 0.16, 0.13, 0.10, 0.09, 0.08, 0.07, 0.05, 0.08, 0.06],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Taxonomy;

    #[test]
    fn tree_is_well_formed() {
        let mut tax = Taxonomy::default();
        for top in &TOPS {
            assert!(top.commission_mean >= 0.05 && top.commission_mean <= 0.30);
            for leaf in top.leaves {
                let ids = tax.intern(leaf.path).unwrap();
                assert_eq!(leaf.path.split('/').count(), 3, "{}", leaf.path);
                assert!(leaf.path.starts_with(top.name));
                assert!(ids.iter().all(|&i| i != crate::data::NO_CATEGORY));
                assert!(leaf.weight > 0.0 && leaf.price_yuan > 0.0);
            }
        }
        assert_eq!(
            tax.len() - tax.depth.iter().filter(|&&d| d < 3).count(),
            n_leaves()
        );
    }

    #[test]
    fn channel_tastes_sum_to_one() {
        for ch in Channel::ALL {
            let s: f64 = channel_taste(ch).iter().sum();
            assert!((s - 1.0).abs() < 1e-9, "{ch:?}: {s}");
        }
        let m = channel_taste(Channel::Mother);
        let c = channel_taste(Channel::Courier);
        assert!(
            m[6] > c[6] && c[8] > m[8],
            "mothers buy baby goods, couriers 3C"
        );
    }
}
