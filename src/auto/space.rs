//! The candidates `auto` searches: a first wave with each family at sensible
//! settings, then random moves around the best settings of the leading families.

use super::carve::mix;
use crate::config::{Config, ModelKind};
use crate::data::DataProfile;
use crate::signals::item_knn::Weighting;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Most items EASE is fitted on inside `auto` (its fit is cubic in them); items with
/// fewer orders are left out until the rest fit. A smaller budget lowers it
/// ([`ease_items`]).
pub const EASE_ITEMS: usize = 4_000;

/// Items EASE is fitted on in a search of `budget_seconds`: about a tenth of the budget
/// for its fit (n³ at some 5·10⁹ per second on one core of the 2-core machine the
/// defaults were set on), between 500 and [`EASE_ITEMS`].
pub fn ease_items(budget_seconds: f64) -> usize {
    ((0.1 * budget_seconds * 5e9).cbrt() as usize).clamp(500, EASE_ITEMS)
}

/// One candidate: a whole configuration and the settings that tell it apart.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The configuration to fit.
    pub config: Config,
    /// Its distinguishing settings, e.g. `weighting=rp3beta alpha=1 beta=0.5 k=100`.
    pub params: String,
}

impl Candidate {
    /// The model kind.
    pub fn kind(&self) -> ModelKind {
        self.config.model
    }
}

fn fmt(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The settings of `c`'s family that vary between trials, in words.
pub fn describe(c: &Config) -> String {
    match c.model {
        ModelKind::Popularity => format!("half_life={}d", fmt(c.popularity.half_life_days)),
        ModelKind::BuyAgain => format!("half_life={}d", fmt(c.buy_again.half_life_days)),
        ModelKind::ItemKnn => {
            let k = &c.item_knn;
            let w = match k.weighting {
                Weighting::Rp3beta => format!(
                    "rp3beta alpha={} beta={}",
                    fmt(k.rp3_alpha),
                    fmt(k.rp3_beta)
                ),
                Weighting::Bm25 => format!("bm25 k1={} b={}", fmt(k.bm25_k1), fmt(k.bm25_b)),
                Weighting::Tfidf => "tfidf".into(),
                Weighting::Cosine => "cosine".into(),
            };
            format!(
                "{w} k={} half_life={}d",
                k.neighbours,
                fmt(k.half_life_days)
            )
        }
        ModelKind::Ease => format!(
            "lambda={} min_orders={}",
            fmt(c.ease.lambda),
            c.ease.min_item_orders
        ),
        ModelKind::Ials => format!(
            "factors={} reg={} alpha={}",
            c.ials.factors,
            fmt(c.ials.regularization),
            fmt(c.ials.alpha)
        ),
        _ => String::new(),
    }
}

/// [`describe`], with the event weights when they are not the default.
fn describe_all(c: &Config) -> String {
    let d = describe(c);
    let e = &c.events;
    if e.is_plain() || !interaction_model(c.model) {
        return d;
    }
    let mut parts = vec![d];
    for (name, w) in [
        ("share", e.share),
        ("received", e.received),
        ("viewed", e.viewed),
        ("carted", e.carted),
    ] {
        if w != 0.0 {
            parts.push(format!("{name}={}", fmt(w)));
        }
    }
    parts.join(" ")
}

/// The families that fit on weighted interactions ([`crate::data::events`]).
fn interaction_model(kind: ModelKind) -> bool {
    matches!(kind, ModelKind::ItemKnn | ModelKind::Ease | ModelKind::Ials)
}

fn with(base: &Config, kind: ModelKind, edit: impl FnOnce(&mut Config)) -> Candidate {
    let mut config = Config {
        model: kind,
        ..base.clone()
    };
    edit(&mut config);
    Candidate {
        params: describe_all(&config),
        config,
    }
}

/// The smallest `min_item_orders` that leaves at most `cap` items to EASE.
pub fn ease_min_orders(item_orders: &[u32], cap: usize) -> u32 {
    let mut sorted: Vec<u32> = item_orders.iter().copied().filter(|&n| n > 0).collect();
    if sorted.len() <= cap {
        return 1;
    }
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    sorted[cap].saturating_add(1).max(1)
}

/// The first wave: every family once, cheapest first. `notes` gets what is left out.
pub fn first_wave(
    base: &Config,
    profile: &DataProfile,
    ease_min: u32,
    notes: &mut Vec<String>,
) -> Vec<Candidate> {
    let mut out = vec![
        with(base, ModelKind::Popularity, |_| {}),
        with(base, ModelKind::BuyAgain, |_| {}),
        with(base, ModelKind::ItemKnn, |c| {
            c.item_knn.weighting = Weighting::Rp3beta;
            c.item_knn.half_life_days = 0.0;
        }),
        with(base, ModelKind::ItemKnn, |_| {}),
    ];
    if profile.present.categories || profile.present.brands {
        out.push(with(base, ModelKind::Profile, |_| {}));
    } else {
        notes.push("profile not tried: items have no category or brand".into());
    }
    let cap = ease_items(base.auto.budget_seconds);
    out.push(with(base, ModelKind::Ease, |c| {
        c.ease.min_item_orders = ease_min;
        c.ease.max_items = cap;
    }));
    if ease_min > 1 {
        notes.push(format!(
            "ease fitted on the items with at least {ease_min} orders (at most {cap})"
        ));
    }
    out.push(with(base, ModelKind::Ials, |_| {}));
    if profile.present.shares && base.events.share == 0.0 {
        // Shares as interactions (sent, and received where the log names receivers):
        // tried on item-to-item, refined by the moves.
        let received = profile.present.receivers && base.events.received == 0.0;
        out.push(with(base, ModelKind::ItemKnn, |c| {
            c.events.share = SHARE;
            if received {
                c.events.received = SHARE;
            }
        }));
    }
    if (profile.present.views || profile.present.carts)
        && base.events.viewed == 0.0
        && base.events.carted == 0.0
    {
        // Browse events as weak interactions, on the two families that read them best
        // where purchases are few: refined by the moves.
        for kind in [ModelKind::ItemKnn, ModelKind::Ials] {
            out.push(with(base, kind, |c| {
                if profile.present.views {
                    c.events.viewed = VIEWED;
                }
                if profile.present.carts {
                    c.events.carted = CARTED;
                }
            }));
        }
    }
    out
}

/// The share weight of the first wave's share trial.
const SHARE: f64 = 0.2;
/// The view weight of the first wave's browse trials.
const VIEWED: f64 = 0.1;
/// The cart weight of the first wave's browse trials.
const CARTED: f64 = 0.3;

/// A random move around `c` within its family, seeded by `(seed, step)`.
pub fn around(c: &Candidate, seed: u64, step: u64) -> Candidate {
    let mut rng = ChaCha8Rng::seed_from_u64(mix(seed, step));
    let pick = |rng: &mut ChaCha8Rng, xs: &[f64]| xs[rng.random_range(0..xs.len())];
    let log_step = |rng: &mut ChaCha8Rng, x: f64, spread: f64, lo: f64, hi: f64| {
        (x * 2f64.powf(rng.random_range(-spread..=spread))).clamp(lo, hi)
    };
    let mut config = c.config.clone();
    match config.model {
        ModelKind::Popularity => {
            config.popularity.half_life_days = pick(&mut rng, &[3.0, 7.0, 14.0, 30.0, 90.0, 365.0]);
        }
        ModelKind::BuyAgain => {
            config.buy_again.half_life_days =
                pick(&mut rng, &[0.0, 7.0, 14.0, 30.0, 60.0, 120.0, 365.0]);
        }
        ModelKind::ItemKnn => {
            let k = &mut config.item_knn;
            if rng.random_bool(0.25) {
                k.weighting = [
                    Weighting::Rp3beta,
                    Weighting::Bm25,
                    Weighting::Tfidf,
                    Weighting::Cosine,
                ][rng.random_range(0..4)];
            }
            match rng.random_range(0..3) {
                0 => {
                    k.neighbours =
                        log_step(&mut rng, k.neighbours as f64, 1.5, 10.0, 1000.0).round() as usize;
                }
                1 => k.half_life_days = pick(&mut rng, &[0.0, 14.0, 30.0, 90.0, 365.0]),
                _ => match k.weighting {
                    Weighting::Rp3beta => {
                        k.rp3_alpha = (k.rp3_alpha + rng.random_range(-0.4..=0.4)).clamp(0.1, 2.0);
                        k.rp3_beta = (k.rp3_beta + rng.random_range(-0.25..=0.25)).clamp(0.0, 1.2);
                    }
                    Weighting::Bm25 => {
                        k.bm25_k1 = pick(&mut rng, &[0.3, 0.6, 1.2, 2.0, 4.0]);
                        k.bm25_b = pick(&mut rng, &[0.0, 0.25, 0.5, 0.75, 0.9, 1.0]);
                    }
                    Weighting::Tfidf | Weighting::Cosine => {
                        k.neighbours = log_step(&mut rng, k.neighbours as f64, 1.0, 10.0, 1000.0)
                            .round() as usize;
                    }
                },
            }
            k.rp3_alpha = (k.rp3_alpha * 100.0).round() / 100.0;
            k.rp3_beta = (k.rp3_beta * 100.0).round() / 100.0;
        }
        ModelKind::Ease => {
            config.ease.lambda = log_step(&mut rng, config.ease.lambda, 2.0, 1.0, 1e6)
                .round()
                .max(1.0);
        }
        ModelKind::Ials => {
            let m = &mut config.ials;
            match rng.random_range(0..3) {
                0 => m.factors = [32, 64, 128][rng.random_range(0..3)],
                1 => {
                    m.regularization =
                        log_step(&mut rng, m.regularization, 2.5, 1e-3, 1e4).max(1e-3);
                }
                _ => m.alpha = log_step(&mut rng, m.alpha, 2.0, 0.1, 1e4),
            }
            m.regularization = (m.regularization * 1000.0).round() / 1000.0;
            m.alpha = (m.alpha * 100.0).round() / 100.0;
        }
        _ => {}
    }
    // A candidate that reads shares, views or carts may move one of those weights
    // instead (one in four).
    let e = &c.config.events;
    let shares = e.share != 0.0;
    let browse = e.viewed != 0.0 || e.carted != 0.0;
    if interaction_model(config.model) && (shares || browse) && rng.random_bool(0.25) {
        config = c.config.clone();
        if shares && (!browse || rng.random_bool(0.5)) {
            let weight = pick(&mut rng, &[0.05, 0.1, 0.2, 0.5, 1.0]);
            if config.events.received != 0.0 && rng.random_bool(0.5) {
                config.events.received = weight;
            } else {
                config.events.share = weight;
            }
        } else if config.events.viewed != 0.0
            && (config.events.carted == 0.0 || rng.random_bool(0.5))
        {
            config.events.viewed = pick(&mut rng, &[0.02, 0.05, 0.1, 0.2, 0.5]);
        } else {
            config.events.carted = pick(&mut rng, &[0.1, 0.2, 0.3, 0.5, 1.0]);
        }
    }
    Candidate {
        params: describe_all(&config),
        config,
    }
}

/// Copies the section of `kind` from `from` into `to` (the settings a blend component
/// keeps from its best trial).
///
/// The components of a blend share one `[events]` section: the first interaction
/// family's (leaders come best first) that reads more than completed orders.
pub fn take_section(to: &mut Config, from: &Config, kind: ModelKind) {
    if interaction_model(kind) && to.events.is_plain() {
        to.events = from.events.clone();
    }
    match kind {
        ModelKind::Popularity => to.popularity = from.popularity.clone(),
        ModelKind::BuyAgain => to.buy_again = from.buy_again.clone(),
        ModelKind::ItemKnn => to.item_knn = from.item_knn.clone(),
        ModelKind::Ease => to.ease = from.ease.clone(),
        ModelKind::Ials => to.ials = from.ials.clone(),
        ModelKind::Profile => to.profile = from.profile.clone(),
        ModelKind::Baseline => to.baseline = from.baseline.clone(),
        ModelKind::Auto | ModelKind::Blend => {}
    }
}
