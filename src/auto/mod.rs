//! `model = "auto"`, the default: choose and tune the model on the data at hand, with
//! no configuration.
//!
//! 1. **Profile** the data ([`crate::data::DataProfile`]): time span, orders per
//!    promoter, repeats, density, which optional columns are present.
//! 2. **Carve** a validation split from the training data only ([`carve()`]): the last
//!    orders in time when the log has a usable time order, otherwise a seeded random
//!    holdout per promoter (leave-one-out on short histories).
//! 3. **Search** ([`space`]): a first wave with every family (popularity, buy again,
//!    item-to-item with RP3beta and BM25 weights, the circle profile where items have
//!    categories, EASE, iALS), then random moves around the best settings of the
//!    three leading families, each trial fitted on the carved training set and scored
//!    by NDCG@20 on the held-out orders with the same metric code as
//!    [`crate::eval::evaluate`]. The search stops at the trial budget
//!    (`auto.max_trials`), after [`PATIENCE`] trials without a gain of more than
//!    [`MIN_GAIN`], or when the next trial and the final refit would overrun the time
//!    budget (`auto.budget_seconds`).
//! 4. **Choose the exclusion rule** (`auto.choose_exclusion`): the best model scored
//!    with each `rules.exclude_purchased`; another rule than the configured one is kept
//!    where it gains more than [`MIN_GAIN`].
//!    Then, with `auto.choose_network`, newcomers ranked by their segment's
//!    popularity at other half-lives, promoters with one to four orders ranked by it
//!    too, newcomers from their own shares, and then from their
//!    inviter's orders ([`crate::data::network`]), each against the list they had,
//!    kept where the paired gain on validation is at least [`STACK_Z`] standard
//!    errors, or [`best_of_z`] of the number of settings where several are tried.
//! 5. **Stack** the best setting of the three leading families in the learned blend
//!    ([`crate::blend`]), its learner trained on half the validation promoters'
//!    held-out orders and scored on the other half against the best single model;
//!    kept only where it wins there by [`MIN_GAIN`] and by [`STACK_Z`] standard
//!    errors. Value (γ) and the trust demotion enter only where the log has
//!    commissions and reviews.
//! 6. **Refit** the winner on all the data. [`crate::Model::selection`] records every
//!    trial, its figure with a bootstrap interval and its time, and the reason for the
//!    choice; the model file stores it.
//!
//! Deterministic for a seed and a trial budget (`auto.max_trials`); a time budget stops
//! the search where the time runs out, which depends on the machine.
//!
//! A log where nothing can be held out (one order per promoter, no time order) gets
//! item-to-item CF with RP3beta weights, unvalidated, and a note says so.

pub mod carve;
pub mod space;

use crate::blend::{Blend, Learner};
use crate::config::{Config, ModelKind, Stack};
use crate::data::{DataProfile, Dataset, History};
use crate::error::Result;
use crate::eval::bootstrap::BootstrapConfig;
use crate::eval::{evaluate, EvalConfig};
use crate::fit::{blend_signal, fit_blend_learner, fit_components};
use crate::model::Model;
use crate::rank::Ranker;
use crate::rules::ExcludePurchased;
use crate::selection::{Holdout, Selection, Trial};
use crate::train::Watch;
use carve::{carve, mix, Carved};
use space::{around, ease_min_orders, first_wave, take_section, Candidate};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

/// Trials after the first wave without a relative gain above [`MIN_GAIN`] that end
/// the search.
pub const PATIENCE: usize = 8;

/// The relative gain in validation NDCG@20 that counts as progress.
pub const MIN_GAIN: f64 = 0.005;

/// The blend, costlier to fit and to serve, replaces the best single model only where
/// its paired gain on the held-out promoters is at least this many standard errors
/// (the one-standard-error rule: under doubt, the simpler model).
pub const STACK_Z: f64 = 1.0;

/// The paired z that the best of `k` settings, each compared with the same list,
/// must reach: the one-standard-error rule's one-sided level, `P(Z > STACK_Z)` (about
/// 0.159), shared among the `k` (Bonferroni), so that trying more settings does not
/// make a chance gain likelier to be kept. [`STACK_Z`] for one setting, about 1.62 for
/// three.
pub fn best_of_z(k: usize) -> f64 {
    let level = normal_tail(STACK_Z) / k.max(1) as f64;
    // The tail falls with z: bisect for the z whose tail is `level`.
    let (mut lo, mut hi) = (0.0f64, 10.0f64);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if normal_tail(mid) > level {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// `P(Z > z)` for a standard normal `Z`, `z ≥ 0`: `erfc(z / √2) / 2` by Abramowitz and
/// Stegun's 7.1.26 (absolute error below 1.5e-7).
fn normal_tail(z: f64) -> f64 {
    let x = z / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    0.5 * poly * (-x * x).exp()
}

/// Families whose best settings are refined and stacked.
const LEADERS: usize = 3;

/// What `auto` reports while it works.
#[derive(Debug)]
pub enum Progress<'a> {
    /// The data profile and the validation split, before the search.
    Start {
        /// The profile.
        profile: &'a DataProfile,
        /// The validation split in words.
        validation: &'a str,
    },
    /// A trial has finished.
    Trial(&'a Trial),
    /// A stage begins (`stacking`, `refitting ...`).
    Stage(&'a str),
    /// A sweep of an iALS fit has finished: `done` of `total` (named iALS fits, and
    /// iALS fits inside `auto`'s trials, stacking and refit).
    Sweep {
        /// Sweeps done.
        done: usize,
        /// Sweeps the fit makes (`ials.iterations`).
        total: usize,
    },
}

/// One fitted and scored trial.
struct Scored {
    trial: Trial,
    config: Config,
    /// The fit's share of the trial's time (the rest is ranking the validation
    /// promoters), what a refit on more orders grows with.
    fit_seconds: f64,
}

/// Trains with `model = "auto"` (see the module docs); `progress` hears each step.
/// [`crate::train_with`] does the same with a cancel flag.
///
/// # Errors
/// As [`crate::train()`]: an invalid configuration, no item or no completed order.
/// A failing candidate (EASE over its memory bound, say) is a note, not an error.
pub fn train(data: &Dataset, config: &Config, progress: &dyn Fn(Progress<'_>)) -> Result<Model> {
    train_watched(
        data,
        config,
        &Watch {
            progress,
            cancel: &crate::train::NEVER,
        },
    )
}

/// [`train`] reporting to `watch` and stopping with [`crate::Error::Cancelled`] when its
/// flag is set: read between trials, between stages and between iALS sweeps.
pub(crate) fn train_watched(data: &Dataset, config: &Config, watch: &Watch<'_>) -> Result<Model> {
    let progress = |p: Progress<'_>| watch.emit(p);
    config.validate()?;
    let started = Instant::now();
    let budget = config.auto.budget_seconds;
    let history = data.history();
    crate::fit::check_trainable(data, &history)?;
    let profile = DataProfile::with_history(data, &history);
    let carved = carve(data, &history, &config.auto);
    progress(Progress::Start {
        profile: &profile,
        validation: &carved.description,
    });
    let mut notes = Vec::new();
    let base = base_config(config, &profile, &mut notes);

    if carved.holdout == Holdout::None {
        let mut config = base.clone();
        config.model = ModelKind::ItemKnn;
        config.item_knn.weighting = crate::signals::item_knn::Weighting::Rp3beta;
        config.item_knn.half_life_days = 0.0;
        let label = format!("item_knn {}", space::describe(&config));
        let mut model = crate::fit::fit_watched(data, &config, watch)?;
        model.selection = Some(Arc::new(Selection {
            profile,
            holdout: carved.holdout,
            validation: carved.description,
            validation_orders: 0,
            validation_promoters: 0,
            trials: Vec::new(),
            chosen: None,
            chosen_label: label,
            reason: "nothing to validate on: the documented fallback for such logs".into(),
            notes,
            budget_seconds: budget,
            seconds: started.elapsed().as_secs_f64(),
        }));
        return Ok(model);
    }

    let carved_history = carved.train.history();
    let eval_cfg = EvalConfig {
        ks: vec![20],
        bootstrap: BootstrapConfig {
            resamples: 200,
            seed: config.auto.seed,
            level: 0.95,
        },
        ..EvalConfig::default()
    };
    let mut search = Search {
        carved: &carved,
        eval_cfg: &eval_cfg,
        scored: Vec::new(),
        best_model: None,
        notes: &mut notes,
        scale: refit_scale(data, &carved),
    };
    search.run(&base, &profile, &carved_history, config, started, watch)?;
    let Search {
        scored, best_model, ..
    } = search;
    let Some(best) = best_index(&scored) else {
        // Every candidate failed on validation: fall back to popularity, said so.
        notes.push("no candidate could be scored on validation; popularity shipped".into());
        let mut model =
            crate::fit::fit_watched(data, &Config::with_model(ModelKind::Popularity), watch)?;
        model.selection = Some(Arc::new(Selection {
            profile,
            holdout: carved.holdout,
            validation: carved.description.clone(),
            validation_orders: carved.valid.orders.len(),
            validation_promoters: 0,
            trials: scored.into_iter().map(|s| s.trial).collect(),
            chosen: None,
            chosen_label: "popularity".into(),
            reason: "fallback".into(),
            notes,
            budget_seconds: budget,
            seconds: started.elapsed().as_secs_f64(),
        }));
        return Ok(model);
    };

    let mut trials: Vec<Trial> = scored.iter().map(|s| s.trial.clone()).collect();
    let mut chosen = best;
    let mut reason = format!("best validation NDCG@20 of {} trials", scored.len());
    let (mut scored, mut base, mut best_model) = (scored, base, best_model);

    // The exclusion rule: the best model scored with each rule.
    if config.auto.choose_exclusion {
        if let Some(m) = best_model.take() {
            progress(Progress::Stage("choosing exclude_purchased"));
            // Each rule ranks the validation promoters once more; the refit comes after.
            let per_rule = (scored[best].trial.seconds - scored[best].fit_seconds).max(0.0);
            let refit = 1.5 * refit_scale(data, &carved) * scored[best].fit_seconds + 0.5;
            let fits = |n: usize| {
                started.elapsed().as_secs_f64() + (n as f64 + 1.0) * per_rule + refit <= budget
            };
            let (rule, rule_trials) = choose_exclusion(
                &scored[best],
                &m,
                &carved.valid,
                &eval_cfg,
                watch,
                &fits,
                &mut notes,
            );
            watch.check("while choosing exclude_purchased")?;
            let current = base.rules.exclude_purchased;
            for (r, t) in rule_trials {
                trials.push(t);
                if r == rule && r != current {
                    chosen = trials.len() - 1;
                    reason = format!(
                        "best validation NDCG@20 of {} trials, with exclude_purchased = {}",
                        scored.len(),
                        r.as_str()
                    );
                }
            }
            if rule != current {
                notes.push(format!(
                    "exclude_purchased = {} scored best on validation (configured: {})",
                    rule.as_str(),
                    current.as_str()
                ));
            }
            base.rules.exclude_purchased = rule;
            scored[best].config.rules.exclude_purchased = rule;
            let mut rules = m.config().rules.clone();
            rules.exclude_purchased = rule;
            best_model = Some(m.with_rules(rules)?);
        }
    }

    // Newcomers by their segment's popularity at another half-life, promoters of one
    // to four orders by that list too, then newcomers from their own shares, then
    // from their inviter's orders, each where validation shows a gain: the base list
    // first, then who gets it, then what tilts it.
    for source in [
        Newcomers::Trend,
        Newcomers::Thin,
        Newcomers::OwnShares,
        Newcomers::Inviter,
    ] {
        let off = match source {
            Newcomers::Trend => base.network.newcomer_half_life_days.is_none(),
            Newcomers::Thin => base.network.popularity_below <= 1,
            Newcomers::OwnShares => base.network.own_shares == 0 && !data.shares.is_empty(),
            Newcomers::Inviter => base.network.inviter_orders == 0,
        };
        if !(config.auto.choose_network && off) {
            continue;
        }
        let Some(m) = best_model.as_ref() else {
            break;
        };
        watch.check("before trying the network")?;
        progress(Progress::Stage(source.stage()));
        // The thin promoters are judged on validation regulars cut to a few orders too,
        // with the model refitted without their earlier orders, where time allows: one
        // fit, and a quarter of the regulars ranked four times (without the stage and
        // at its three settings), about a whole validation ranking.
        let mut cut_model = None;
        if source == Newcomers::Thin {
            let fit = scored[best].fit_seconds;
            let ranking = (scored[best].trial.seconds - fit).max(0.0);
            let refit = 1.5 * refit_scale(data, &carved) * fit + 0.5;
            if started.elapsed().as_secs_f64() + 1.5 * fit + 1.2 * ranking + refit > budget {
                notes.push(
                    "regulars not cut to a few orders for the thin-history stage: no time left"
                        .into(),
                );
            } else if let Some(cut) =
                carve::cut_regulars(&carved, &carved_history, config.auto.seed)
            {
                match crate::fit::fit_watched(&cut.train, &m.config, watch) {
                    Ok(fitted) => cut_model = Some((fitted, cut.valid)),
                    Err(e @ crate::Error::Cancelled(_)) => return Err(e),
                    Err(e) => notes.push(format!("regulars cut to a few orders not fitted: {e}")),
                }
            }
        }
        let cut = cut_model.as_ref().map(|(m, v)| (m, v));
        match choose_network(&trials[chosen], m, &carved, &eval_cfg, source, cut) {
            Ok(Some(NetworkTrial {
                trial,
                network,
                kept,
                z,
                off: n_off,
                others,
                cut,
            })) => {
                for other in others {
                    progress(Progress::Trial(&other));
                    trials.push(other);
                }
                progress(Progress::Trial(&trial));
                trials.push(trial);
                let cut = if cut > 0 {
                    format!(" ({cut} of them regulars cut to their last one to four)")
                } else {
                    String::new()
                };
                notes.push(format!(
                    "{} ranked from {}: NDCG@20 {:.4} against {n_off:.4} on {} validation {}{cut}, a paired gain of {z:.2} standard errors ({})",
                    source.who(),
                    source.words(&network),
                    trials[trials.len() - 1].ndcg,
                    trials[trials.len() - 1].promoters,
                    source.who(),
                    if kept { "kept" } else { "not kept" }
                ));
                if kept {
                    chosen = trials.len() - 1;
                    reason = format!(
                        "{reason}; {} ranked from {}",
                        source.who(),
                        source.words(&network)
                    );
                    base.network = network.clone();
                    scored[best].config.network = network.clone();
                    if let Some(m) = best_model.take() {
                        let mut m = Model {
                            config: Config {
                                network,
                                ..m.config.clone()
                            },
                            ..m
                        };
                        match source {
                            Newcomers::Trend => {
                                let h = m.config.network.newcomer_half_life_days;
                                m = m.with_newcomer_half_life(h)?;
                            }
                            Newcomers::OwnShares => m = m.with_shares_of(&carved.train),
                            Newcomers::Thin | Newcomers::Inviter => {}
                        }
                        best_model = Some(m);
                    }
                }
            }
            Ok(None) => {}
            Err(e) => notes.push(format!(
                "{} from {} not scored: {e}",
                source.who(),
                source.words(&base.network)
            )),
        }
    }

    watch.check("before stacking")?;
    // Stacking: the leading families' best settings in one blend.
    let mut final_blend: Option<(Config, Vec<(ModelKind, crate::model::Signal)>)> = None;
    let elapsed = started.elapsed().as_secs_f64();
    let scale = refit_scale(data, &carved);
    let leaders = if config.auto.stack == Stack::Auto {
        affordable_leaders(&scored, scale, budget - elapsed)
    } else {
        leading(&scored)
    };
    let stack_seconds = stack_cost(&scored, &leaders, scale);
    let mut blend_cfg = base.clone();
    let want_stack = match config.auto.stack {
        Stack::Never => false,
        Stack::Always => true,
        Stack::Auto => leaders.len() >= 2,
    };
    if want_stack && config.auto.stack == Stack::Auto && elapsed + stack_seconds > budget {
        notes.push(format!(
            "blend not tried: about {stack_seconds:.0} s needed, {:.0} s left of the budget",
            (budget - elapsed).max(0.0)
        ));
    } else if want_stack {
        progress(Progress::Stage(
            "stacking the leading candidates in a blend",
        ));
        blend_cfg.model = ModelKind::Blend;
        let mut kinds: Vec<ModelKind> = leaders.iter().map(|&j| scored[j].config.model).collect();
        if kinds.len() < 2 && !kinds.contains(&ModelKind::Popularity) {
            kinds.push(ModelKind::Popularity);
        }
        for &j in &leaders {
            take_section(&mut blend_cfg, &scored[j].config, scored[j].config.model);
        }
        blend_cfg.blend.components = kinds.clone();
        let t0 = Instant::now();
        match stack(
            &carved,
            &carved_history,
            &blend_cfg,
            best_model.as_ref(),
            &eval_cfg,
            config.auto.seed,
            watch,
        ) {
            Ok(outcome) => {
                let of = kinds
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join("+");
                let per = t0.elapsed().as_secs_f64() / outcome.learners.len().max(1) as f64;
                let mut best_blend: Option<(usize, Learner, f64, f64)> = None;
                for &(learner, (ndcg, lo, hi), z) in &outcome.learners {
                    let trial = Trial {
                        kind: ModelKind::Blend,
                        params: format!("of {of} learner={}", learner_name(learner)),
                        stage: "stack".into(),
                        ndcg,
                        lo,
                        hi,
                        promoters: outcome.promoters,
                        seconds: per,
                    };
                    progress(Progress::Trial(&trial));
                    trials.push(trial);
                    if best_blend.map_or(true, |b| ndcg > b.2) {
                        best_blend = Some((trials.len() - 1, learner, ndcg, z));
                    }
                }
                if let Some((at, learner, ndcg, z)) = best_blend {
                    let wins = ndcg > outcome.single * (1.0 + MIN_GAIN) && z >= STACK_Z;
                    notes.push(format!(
                        "best blend and best single model on the same {} held-out promoters: NDCG@20 {ndcg:.4} against {:.4}, a paired gain of {z:.2} standard errors",
                        outcome.promoters, outcome.single
                    ));
                    if wins || config.auto.stack == Stack::Always {
                        chosen = at;
                        reason = if wins {
                            "the blend beat the best single model on held-out promoters".into()
                        } else {
                            "auto.stack = \"always\"".into()
                        };
                        blend_cfg.blend.learner = learner;
                        final_blend = Some((blend_cfg, outcome.past_components));
                    }
                }
            }
            Err(e @ crate::Error::Cancelled(_)) => return Err(e),
            Err(e) => notes.push(format!("blend not kept: {e}")),
        }
    }

    watch.check("before the refit")?;
    let chosen_label = trials[chosen].label();
    progress(Progress::Stage(&format!(
        "refitting {chosen_label} on all the data"
    )));
    let mut model = match final_blend {
        Some((cfg, past_components)) => {
            let cfg = for_refit(&cfg);
            let labels = carved.valid.history();
            let blend = fit_blend_learner(
                &carved.train,
                &carved_history,
                &past_components,
                &labels,
                carved.now,
                &cfg,
            )?;
            let until = history.end();
            let serving = fit_components(data, &history, until, &cfg, watch)?;
            Model::from_parts(
                cfg,
                Arc::clone(&data.catalog),
                Arc::clone(&data.promoters),
                history,
                until,
                Some(blend_signal(blend, serving)),
            )?
            .with_shares_of(data)
        }
        None => crate::fit::fit_watched(data, &for_refit(&scored[best].config), watch)?,
    };
    let validation_promoters = {
        let mut p = carved.valid.orders.promoter.clone();
        p.sort_unstable();
        p.dedup();
        p.len()
    };
    model.selection = Some(Arc::new(Selection {
        profile,
        holdout: carved.holdout,
        validation: carved.description.clone(),
        validation_orders: carved.valid.orders.len(),
        validation_promoters,
        trials,
        chosen: Some(chosen),
        chosen_label,
        reason,
        notes,
        budget_seconds: budget,
        seconds: started.elapsed().as_secs_f64(),
    }));
    Ok(model)
}

/// A chosen configuration as refitted on all the data: EASE's item cap is lifted to
/// its own default, since the whole log has more items above the order threshold the
/// search chose than the carved part it was chosen on.
fn for_refit(config: &Config) -> Config {
    let mut c = config.clone();
    c.ease.max_items = c
        .ease
        .max_items
        .max(crate::signals::ease::EaseConfig::default().max_items);
    c
}

/// The user's configuration with what the data cannot support turned off.
fn base_config(config: &Config, profile: &DataProfile, notes: &mut Vec<String>) -> Config {
    let mut base = config.clone();
    if !profile.has_value() && base.blend.gamma > 0.0 {
        base.blend.gamma = 0.0;
        notes.push(
            "no prices or commission rates: a blend ranks for accuracy only (gamma = 0)".into(),
        );
    }
    if !profile.present.ratings && (base.blend.min_reviews > 0 || base.blend.min_wilson > 0.0) {
        base.blend.min_reviews = 0;
        base.blend.min_wilson = 0.0;
        notes.push("no reviews: a blend demotes nothing for trust".into());
    }
    base
}

/// Scores `model`, the best trial's, under each exclusion rule other than its own and
/// returns the rule to keep (another only where it gains more than [`MIN_GAIN`]) with
/// the trials of the others. A rule that fails to score is left out, and one that
/// `time_for(0)` says would overrun the budget is left out with a note.
fn choose_exclusion(
    best: &Scored,
    model: &Model,
    valid: &Dataset,
    eval_cfg: &EvalConfig,
    watch: &Watch<'_>,
    time_for: &dyn Fn(usize) -> bool,
    notes: &mut Vec<String>,
) -> (ExcludePurchased, Vec<(ExcludePurchased, Trial)>) {
    let current = model.config().rules.exclude_purchased;
    let mut keep = (current, best.trial.ndcg);
    let mut out = Vec::new();
    for rule in ExcludePurchased::ALL.into_iter().filter(|&r| r != current) {
        if watch.check("").is_err() {
            break;
        }
        if !time_for(0) {
            notes.push(format!(
                "exclude_purchased = {} not tried: no time left in the budget",
                rule.as_str()
            ));
            continue;
        }
        let t0 = Instant::now();
        let mut rules = model.config().rules.clone();
        rules.exclude_purchased = rule;
        let Ok(m) = model.clone().with_rules(rules) else {
            continue;
        };
        let Ok((ndcg, lo, hi, promoters)) = ndcg_of(&m, valid, eval_cfg) else {
            continue;
        };
        let params = format!("{} exclude_purchased={}", best.trial.params, rule.as_str());
        let trial = Trial {
            kind: best.trial.kind,
            params: params.trim().to_string(),
            stage: "rule".into(),
            ndcg,
            lo,
            hi,
            promoters,
            seconds: t0.elapsed().as_secs_f64(),
        };
        watch.emit(Progress::Trial(&trial));
        if ndcg > keep.1 * (1.0 + MIN_GAIN) {
            keep = (rule, ndcg);
        }
        out.push((rule, trial));
    }
    (keep.0, out)
}

/// What [`choose_network`] found.
struct NetworkTrial {
    /// The best setting's trial.
    trial: Trial,
    /// Its network settings.
    network: crate::data::network::NetworkConfig,
    /// Whether it is kept.
    kept: bool,
    /// Its paired gain in standard errors.
    z: f64,
    /// The figure without it, on the same promoters.
    off: f64,
    /// The other settings' trials.
    others: Vec<Trial>,
    /// Of the promoters scored, how many were regulars cut to a few orders.
    cut: usize,
}

/// The inviter's weight against her segment's popularity that `auto` tries
/// (`network.prior_orders`: pseudo-orders of shrinkage toward the segment): little,
/// the default, much. Where invitees resemble their inviter strongly, little
/// shrinkage wins; where weakly, much (docs/network.md measures both).
const PRIOR_ORDERS_TRIED: [f64; 3] = [5.0, 20.0, 100.0];

/// The half-lives, in days, of the newcomers' segment popularity that `auto` tries
/// against `[popularity]`'s (`network.newcomer_half_life_days`): a week, a fortnight,
/// a season. A newcomer's first orders follow what sells now; a log without trends
/// keeps the long memory.
const NEWCOMER_HALF_LIVES_TRIED: [f64; 3] = [7.0, 14.0, 90.0];

/// The order counts below which a promoter is ranked by her segment's popularity that
/// `auto` tries (`network.popularity_below`): a model of one order, of two, of four.
const POPULARITY_BELOW_TRIED: [usize; 3] = [2, 3, 5];

/// Where a promoter with no orders of her own may be ranked from, besides her
/// segment's popularity ([`crate::data::network`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Newcomers {
    /// Her segment's popularity at another half-life
    /// (`network.newcomer_half_life_days`).
    Trend,
    /// Not a newcomer: a promoter with one to four orders ranked as one, by her
    /// segment's popularity (`network.popularity_below`).
    Thin,
    /// Her own last shares (`network.own_shares = 50`).
    OwnShares,
    /// Her inviter's last orders (`network.inviter_orders = 50`).
    Inviter,
}

impl Newcomers {
    /// Whom the source ranks, in the notes.
    fn who(self) -> &'static str {
        match self {
            Newcomers::Thin => "promoters with one to four orders",
            _ => "newcomers",
        }
    }

    fn words(self, network: &crate::data::network::NetworkConfig) -> String {
        match self {
            Newcomers::Thin => format!(
                "their segment's popularity (popularity_below = {})",
                network.popularity_below
            ),
            Newcomers::Trend => match network.newcomer_half_life_days {
                Some(h) => format!("their segment's popularity at a {h}-day half-life"),
                None => "their segment's popularity at another half-life".into(),
            },
            Newcomers::OwnShares => "their own shares".into(),
            Newcomers::Inviter => "their inviter's orders".into(),
        }
    }

    fn stage(self) -> &'static str {
        match self {
            Newcomers::Trend => "trying newcomers' popularity at other half-lives",
            Newcomers::Thin => "trying popularity for promoters with few orders",
            Newcomers::OwnShares => "trying newcomers from their shares",
            Newcomers::Inviter => "trying newcomers from their inviters",
        }
    }
}

/// Scores `model` (the one of trial `best`) with newcomers ranked from `source`
/// against `model` as it is, on the validation promoters whose list changes: those
/// with no orders in the carved training set (and not ranked from their shares), who,
/// for shares, have shares there, or, for the inviter, whose inviter (or hers) has
/// orders; for [`Newcomers::Thin`], those with one to four orders there, and, where
/// `cut` gives them (the same model fitted on [`carve::Cut::train`] and their held-out
/// orders), the regulars cut to one to four. `None` when there is none. The popularity
/// is tried at each of [`NEWCOMER_HALF_LIVES_TRIED`], the thin promoters at each of
/// [`POPULARITY_BELOW_TRIED`], the inviter's orders at each of [`PRIOR_ORDERS_TRIED`],
/// and the best on validation is the candidate, kept for a gain of [`MIN_GAIN`] of the
/// figure and `best_of_z(settings)` standard errors ([`STACK_Z`] for one).
fn choose_network(
    best: &Trial,
    model: &Model,
    carved: &Carved,
    eval_cfg: &EvalConfig,
    source: Newcomers,
    cut: Option<(&Model, &Dataset)>,
) -> Result<Option<NetworkTrial>> {
    let t0 = Instant::now();
    let mut on = model.clone();
    match source {
        Newcomers::Trend | Newcomers::Thin => {}
        Newcomers::OwnShares => {
            on.config.network.own_shares = 50;
            on = on.with_shares_of(&carved.train);
        }
        Newcomers::Inviter => on.config.network.inviter_orders = 50,
    }
    let network = on.config.network.clone();
    let thin = |h: &History, p: u32| {
        let n = h.count(p);
        n >= 1 && n < POPULARITY_BELOW_TRIED[POPULARITY_BELOW_TRIED.len() - 1]
    };
    // Only newcomers whose list changes are scored.
    let h = model.history();
    let pr = model.promoters();
    let newcomer = |p: u32| {
        if source == Newcomers::Thin {
            return thin(h, p);
        }
        h.count(p) == 0
            && model.newcomer_shares().count(p) == 0
            && match source {
                Newcomers::Trend | Newcomers::Thin => true,
                Newcomers::OwnShares => on.newcomer_shares().count(p) > 0,
                Newcomers::Inviter => crate::data::network::lender(
                    pr,
                    h,
                    pr.inviter.get(p as usize).copied().flatten(),
                    &network,
                )
                .is_some(),
            }
    };
    // Each panel: a model without the source, with it, and the validation promoters
    // it scores.
    let mut panels: Vec<(Model, Model, Dataset)> = Vec::new();
    let v = &carved.valid.orders;
    let orders = v.filter(|r| newcomer(v.promoter[r]));
    if !orders.is_empty() {
        let valid = Dataset {
            orders,
            ..carved.valid.clone()
        };
        panels.push((model.clone(), on, valid));
    }
    if let (Newcomers::Thin, Some((m, valid))) = (source, cut) {
        let ch = m.history();
        let c = &valid.orders;
        let orders = c.filter(|r| thin(ch, c.promoter[r]));
        if !orders.is_empty() {
            let valid = Dataset {
                orders,
                ..valid.clone()
            };
            panels.push((m.clone(), m.clone(), valid));
        }
    }
    if panels.is_empty() {
        return Ok(None);
    }
    // Per-promoter NDCG@20 of every panel's model with `network` (`None`: as it is).
    let column = |network: Option<&crate::data::network::NetworkConfig>| -> Result<Vec<Vec<f64>>> {
        let mut cols = Vec::with_capacity(panels.len());
        for (off, on, valid) in &panels {
            let col = match network {
                None => ndcg_column(off, valid, eval_cfg)?,
                Some(network) => {
                    let mut m = on.clone();
                    m.config.network = network.clone();
                    if source == Newcomers::Trend {
                        m = m.with_newcomer_half_life(network.newcomer_half_life_days)?;
                    }
                    ndcg_column(&m, valid, eval_cfg)?
                }
            };
            cols.push(col);
        }
        Ok(cols)
    };
    let off_cols = column(None)?;
    let cut_scored = if panels.len() > 1 {
        off_cols.last().map_or(0, Vec::len)
    } else {
        0
    };
    let off_col = off_cols.concat();
    let n = off_col.len().max(1) as f64;
    let mean_off = off_col.iter().sum::<f64>() / n;
    let settings: Vec<crate::data::network::NetworkConfig> = match source {
        Newcomers::Trend => NEWCOMER_HALF_LIVES_TRIED
            .iter()
            .map(|&h| crate::data::network::NetworkConfig {
                newcomer_half_life_days: Some(h),
                ..network.clone()
            })
            .collect(),
        Newcomers::Thin => POPULARITY_BELOW_TRIED
            .iter()
            .map(|&popularity_below| crate::data::network::NetworkConfig {
                popularity_below,
                ..network.clone()
            })
            .collect(),
        Newcomers::OwnShares => vec![network],
        Newcomers::Inviter => PRIOR_ORDERS_TRIED
            .iter()
            .map(|&prior_orders| crate::data::network::NetworkConfig {
                prior_orders,
                ..network.clone()
            })
            .collect(),
    };
    // (trial, settings, column) of each setting that changes a list.
    let mut tried = Vec::new();
    for network in settings {
        let t = Instant::now();
        let on_col = column(Some(&network))?.concat();
        if on_col.len() != off_col.len() || on_col == off_col {
            continue;
        }
        let mean_on = on_col.iter().sum::<f64>() / n;
        let (lo, hi) = crate::eval::bootstrap::mean_intervals(&on_col, 1, &eval_cfg.bootstrap)
            .first()
            .map_or((mean_on, mean_on), |i| (i.lo, i.hi));
        let setting = match source {
            Newcomers::Trend => format!(
                "newcomer_half_life={}d",
                network.newcomer_half_life_days.unwrap_or_default()
            ),
            Newcomers::Thin => format!("popularity_below={}", network.popularity_below),
            Newcomers::OwnShares => format!("own_shares={}", network.own_shares),
            Newcomers::Inviter => format!(
                "inviter_orders={} prior_orders={}",
                network.inviter_orders, network.prior_orders
            ),
        };
        let params = format!("{} {setting}", best.params);
        let trial = Trial {
            kind: best.kind,
            params: params.trim().to_string(),
            stage: "network".into(),
            ndcg: mean_on,
            lo,
            hi,
            promoters: on_col.len(),
            // The first setting also carries the shared work (the newcomers, `off`).
            seconds: if tried.is_empty() {
                t0.elapsed().as_secs_f64()
            } else {
                t.elapsed().as_secs_f64()
            },
        };
        tried.push((trial, network, on_col));
    }
    // The best setting on validation (the first of equals), judged against `off`.
    let Some(at) = (0..tried.len()).reduce(|a, b| {
        if tried[b].0.ndcg > tried[a].0.ndcg {
            b
        } else {
            a
        }
    }) else {
        return Ok(None);
    };
    // The best of several settings must clear a higher bar than one setting would.
    let needed = best_of_z(tried.len());
    let (trial, network, on_col) = tried.swap_remove(at);
    let others = tried.into_iter().map(|t| t.0).collect();
    let z = paired_z(&on_col, &off_col);
    let kept = trial.ndcg > mean_off * (1.0 + MIN_GAIN) && z >= needed;
    Ok(Some(NetworkTrial {
        trial,
        network,
        kept,
        z,
        off: mean_off,
        others,
        cut: cut_scored,
    }))
}

/// Seconds the stacking stage is expected to take: the leaders' components fitted
/// once on the carved data, two learners, and the blend's refit on all the data.
/// `scale` is how many times more orders the refit sees than a trial's fit.
fn stack_estimate(scored: &[Scored], scale: f64) -> f64 {
    stack_cost(scored, &leading(scored), scale)
}

/// The seconds a blend of `leaders` is expected to take: see [`stack_estimate`].
fn stack_cost(scored: &[Scored], leaders: &[usize], scale: f64) -> f64 {
    if leaders.len() < 2 {
        return 0.0;
    }
    // Components fitted on the carved data and two learners judged (about twice the
    // leaders' trials), then the components refitted on everything.
    leaders
        .iter()
        .map(|&j| component_cost(&scored[j], scale))
        .sum::<f64>()
        + 2.0
}

fn component_cost(s: &Scored, scale: f64) -> f64 {
    2.0 * s.trial.seconds + scale * s.fit_seconds
}

/// The leading families' trials for a blend that fits in `left` seconds: the best of
/// each family ([`leading`]) while it fits; else the costliest component gives way to
/// a cheaper setting of its family (the best of those that cost less), or, with three
/// components or more, leaves the blend. A dear setting found late in the search (a
/// wider iALS) thus no longer keeps the whole blend from being tried. The result may
/// still not fit, when no cheaper choice is left.
fn affordable_leaders(scored: &[Scored], scale: f64, left: f64) -> Vec<usize> {
    let mut leaders = leading(scored);
    while leaders.len() >= 2 && stack_cost(scored, &leaders, scale) > left {
        let Some((at, &dear)) = leaders.iter().enumerate().max_by(|a, b| {
            component_cost(&scored[*a.1], scale).total_cmp(&component_cost(&scored[*b.1], scale))
        }) else {
            break;
        };
        let kind = scored[dear].config.model;
        let cost = component_cost(&scored[dear], scale);
        let cheaper = (0..scored.len())
            .filter(|&j| scored[j].config.model == kind && component_cost(&scored[j], scale) < cost)
            .max_by(|&a, &b| {
                scored[a]
                    .trial
                    .ndcg
                    .total_cmp(&scored[b].trial.ndcg)
                    .then(b.cmp(&a))
            });
        match cheaper {
            Some(j) => leaders[at] = j,
            None if leaders.len() > 2 => {
                leaders.remove(at);
            }
            None => break,
        }
    }
    leaders
}

/// The index of the best trial (earliest among equals).
fn best_index(scored: &[Scored]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (j, s) in scored.iter().enumerate() {
        if best.map_or(true, |b| s.trial.ndcg > scored[b].trial.ndcg) {
            best = Some(j);
        }
    }
    best
}

/// The best trial of each of the [`LEADERS`] leading families, best first.
fn leading(scored: &[Scored]) -> Vec<usize> {
    let mut best: BTreeMap<ModelKind, usize> = BTreeMap::new();
    for (j, s) in scored.iter().enumerate() {
        let e = best.entry(s.config.model).or_insert(j);
        if s.trial.ndcg > scored[*e].trial.ndcg {
            *e = j;
        }
    }
    let mut v: Vec<usize> = best.into_values().collect();
    v.sort_by(|&a, &b| {
        scored[b]
            .trial
            .ndcg
            .total_cmp(&scored[a].trial.ndcg)
            .then(a.cmp(&b))
    });
    v.truncate(LEADERS);
    v
}

struct Search<'a> {
    carved: &'a Carved,
    eval_cfg: &'a EvalConfig,
    scored: Vec<Scored>,
    /// The best single model so far, fitted on the carved training set.
    best_model: Option<Model>,
    notes: &'a mut Vec<String>,
    /// How many times more orders the refit sees than a trial ([`refit_scale`]).
    scale: f64,
}

/// How many times more orders the refit on all of `data` sees than a trial on the
/// carved training set: about 1.1 with a tenth held out, far more where the search
/// runs on a sample of promoters. The time kept for the refit grows with it.
fn refit_scale(data: &Dataset, carved: &Carved) -> f64 {
    (data.orders.len() as f64 / carved.train.orders.len().max(1) as f64).max(1.0)
}

impl Search<'_> {
    fn run(
        &mut self,
        base: &Config,
        profile: &DataProfile,
        carved_history: &History,
        config: &Config,
        started: Instant,
        watch: &Watch<'_>,
    ) -> Result<()> {
        let auto = &config.auto;
        let budget = auto.budget_seconds;
        let item_orders = item_order_counts(carved_history, self.carved.train.catalog.len());
        let mut wave: std::collections::VecDeque<Candidate> = first_wave(
            base,
            profile,
            ease_min_orders(&item_orders, space::ease_items(budget)),
            self.notes,
        )
        .into();
        let first = wave.len();
        let mut tried: HashSet<String> = HashSet::new();
        let mut cost: BTreeMap<ModelKind, f64> = BTreeMap::new();
        let (mut stale, mut step, mut draws) = (0usize, 0u64, 0usize);
        let mut best = f64::NEG_INFINITY;
        loop {
            watch.check(&format!("after {} trials", self.scored.len()))?;
            if auto.max_trials > 0 && self.scored.len() >= auto.max_trials {
                break;
            }
            if self.scored.len() >= first && stale >= PATIENCE {
                self.notes.push(format!(
                    "search stopped after {PATIENCE} trials without a gain of {:.1}%",
                    100.0 * MIN_GAIN
                ));
                break;
            }
            let next = match wave.pop_front() {
                Some(c) => c,
                None => {
                    let leaders = leading(&self.scored);
                    if leaders.is_empty() || draws > 50 * PATIENCE {
                        break;
                    }
                    // Round-robin over the leaders, the best one twice as often; a
                    // leader whose trial would take over a quarter of what is left of
                    // the budget gives its turn to the best.
                    let slot = (step as usize) % (leaders.len() + 1);
                    let mut j = leaders[slot.saturating_sub(1).min(leaders.len() - 1)];
                    let left = budget - started.elapsed().as_secs_f64();
                    let kind = self.scored[j].config.model;
                    if cost.get(&kind).copied().unwrap_or(0.0) > 0.25 * left {
                        j = leaders[0];
                    }
                    let from = Candidate {
                        params: self.scored[j].trial.params.clone(),
                        config: self.scored[j].config.clone(),
                    };
                    step += 1;
                    draws += 1;
                    let c = around(&from, auto.seed, step);
                    if tried.contains(&label(&c)) {
                        continue;
                    }
                    c
                }
            };
            if !tried.insert(label(&next)) {
                continue;
            }
            let elapsed = started.elapsed().as_secs_f64();
            let expected = cost.get(&next.kind()).copied().unwrap_or(0.0);
            let reserve = self.refit_reserve()
                + if auto.choose_exclusion {
                    self.rule_reserve()
                } else {
                    0.0
                }
                + if auto.stack == Stack::Never {
                    0.0
                } else {
                    stack_estimate(&self.scored, self.scale)
                };
            if !self.scored.is_empty() && elapsed + expected + reserve > budget {
                self.notes.push(format!(
                    "search stopped by the time budget after {} trials ({} next, about {expected:.1} s)",
                    self.scored.len(),
                    next.kind()
                ));
                break;
            }
            let t0 = Instant::now();
            match self.score(&next, watch) {
                Ok((trial, model, fit_seconds)) => {
                    cost.insert(next.kind(), t0.elapsed().as_secs_f64());
                    watch.emit(Progress::Trial(&trial));
                    let gain = trial.ndcg > best.max(0.0) * (1.0 + MIN_GAIN);
                    if trial.ndcg > best {
                        best = trial.ndcg;
                        self.best_model = Some(model);
                    }
                    if self.scored.len() >= first {
                        stale = if gain { 0 } else { stale + 1 };
                    }
                    self.scored.push(Scored {
                        trial,
                        config: next.config,
                        fit_seconds,
                    });
                }
                Err(e @ crate::Error::Cancelled(_)) => return Err(e),
                Err(e) => {
                    cost.insert(next.kind(), t0.elapsed().as_secs_f64());
                    self.notes.push(format!("{} not scored: {e}", label(&next)));
                }
            }
        }
        Ok(())
    }

    /// Time to keep for refitting the best so far on all the data.
    fn refit_reserve(&self) -> f64 {
        best_index(&self.scored)
            .map_or(0.0, |b| 1.5 * self.scale * self.scored[b].fit_seconds + 0.5)
    }

    /// Time to keep for scoring the best so far under the two other exclusion rules.
    fn rule_reserve(&self) -> f64 {
        best_index(&self.scored).map_or(0.0, |b| {
            let s = &self.scored[b];
            2.0 * (s.trial.seconds - s.fit_seconds).max(0.0)
        })
    }

    /// Fits and scores a candidate; returns its trial, the model and the fit's seconds.
    fn score(&self, c: &Candidate, watch: &Watch<'_>) -> Result<(Trial, Model, f64)> {
        let t0 = Instant::now();
        let model = crate::fit::fit_watched(&self.carved.train, &c.config, watch)?;
        let fit_seconds = t0.elapsed().as_secs_f64();
        let (ndcg, lo, hi, promoters) = ndcg_of(&model, &self.carved.valid, self.eval_cfg)?;
        Ok((
            Trial {
                kind: c.kind(),
                params: c.params.clone(),
                stage: "search".into(),
                ndcg,
                lo,
                hi,
                promoters,
                seconds: t0.elapsed().as_secs_f64(),
            },
            model,
            fit_seconds,
        ))
    }
}

fn label(c: &Candidate) -> String {
    format!("{} {}", c.kind(), c.params)
}

fn item_order_counts(history: &History, n_items: usize) -> Vec<u32> {
    let mut n = vec![0u32; n_items];
    for &i in &history.item {
        if let Some(x) = n.get_mut(i as usize) {
            *x += 1;
        }
    }
    n
}

/// NDCG@20 with its interval and the number of promoters scored.
fn ndcg_of(model: &Model, valid: &Dataset, cfg: &EvalConfig) -> Result<(f64, f64, f64, usize)> {
    let ranker = Ranker::new(model.clone());
    let r = evaluate(&ranker, valid, cfg)?;
    let m = r.overall.first().map_or(0.0, |m| m.ndcg);
    let (lo, hi) = r
        .intervals
        .first()
        .map_or((m, m), |i| (i.lo.ndcg, i.hi.ndcg));
    Ok((m, lo, hi, r.promoters))
}

/// The learners the stacking stage tries.
const LEARNERS: [Learner; 2] = [Learner::Binary, Learner::Logistic];

fn learner_name(l: Learner) -> &'static str {
    match l {
        Learner::Binary => "trees",
        Learner::Lambdamart => "lambdamart",
        Learner::Logistic => "logistic",
        Learner::SmartcoreLogistic => "smartcore_logistic",
    }
}

struct StackOutcome {
    /// Per learner, the blend's NDCG@20 and interval over all validation promoters,
    /// each scored by the learner that did not see her.
    /// and its paired gain over the best single model in standard errors.
    learners: Vec<(Learner, (f64, f64, f64), f64)>,
    /// The best single model's NDCG@20 on the same promoters.
    single: f64,
    promoters: usize,
    past_components: Vec<(ModelKind, crate::model::Signal)>,
}

/// The mean of `a − b` over paired values in standard errors of that mean (0 when
/// the columns differ in length or have fewer than two values; infinite when every
/// difference is the same positive number).
fn paired_z(a: &[f64], b: &[f64]) -> f64 {
    if a.len() != b.len() || a.len() < 2 {
        return 0.0;
    }
    let n = a.len() as f64;
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let se = (var / n).sqrt();
    if se > 0.0 {
        mean / se
    } else if mean > 0.0 {
        f64::INFINITY
    } else {
        0.0
    }
}

/// Per-promoter NDCG@20 of `model` on `valid`, in the report's promoter order.
fn ndcg_column(model: &Model, valid: &Dataset, cfg: &EvalConfig) -> Result<Vec<f64>> {
    let quick = EvalConfig {
        bootstrap: BootstrapConfig {
            resamples: 0,
            ..cfg.bootstrap
        },
        ..cfg.clone()
    };
    let r = evaluate(&Ranker::new(model.clone()), valid, &quick)?;
    Ok(r.per_promoter.column(0, "ndcg").unwrap_or_default())
}

/// Two-fold cross-fitting: the blend's learner trained on one half of the validation
/// promoters' held-out orders scores the other half, and the other way round, so every
/// validation promoter is judged by a learner that never saw her; the best single
/// model is scored on the same promoters.
fn stack(
    carved: &Carved,
    carved_history: &History,
    cfg: &Config,
    best: Option<&Model>,
    eval_cfg: &EvalConfig,
    seed: u64,
    watch: &Watch<'_>,
) -> Result<StackOutcome> {
    let v = &carved.valid.orders;
    let half = |r: usize| mix(seed ^ 0x57AC, u64::from(v.promoter[r])) & 1 == 0;
    let folds = [v.filter(half), v.filter(|r| !half(r))];
    if folds.iter().any(|f| f.is_empty()) {
        return Err(crate::Error::Empty(
            "too few validation promoters to both train and judge a blend".into(),
        ));
    }
    let n_promoters = carved.train.promoters.len();
    let past_components = fit_components(&carved.train, carved_history, carved.now, cfg, watch)?;
    let mut single_ndcg = Vec::new();
    let mut learners = Vec::new();
    let mut promoters = 0;
    for (li, &learner) in LEARNERS.iter().enumerate() {
        let mut cfg = cfg.clone();
        cfg.blend.learner = learner;
        let mut blend_ndcg = Vec::new();
        for (learn, judge) in [(&folds[0], &folds[1]), (&folds[1], &folds[0])] {
            watch.check("while stacking")?;
            let blend: Blend = fit_blend_learner(
                &carved.train,
                carved_history,
                &past_components,
                &learn.history(n_promoters),
                carved.now,
                &cfg,
            )?;
            let model = Model::from_parts(
                cfg.clone(),
                Arc::clone(&carved.train.catalog),
                Arc::clone(&carved.train.promoters),
                carved_history.clone(),
                carved_history.end().max(carved.now),
                Some(blend_signal(blend, past_components.clone())),
            )?
            .with_shares_of(&carved.train);
            let judge_set = Dataset {
                orders: judge.clone(),
                ..carved.valid.clone()
            };
            blend_ndcg.extend(ndcg_column(&model, &judge_set, eval_cfg)?);
            if li == 0 {
                if let Some(m) = best {
                    single_ndcg.extend(ndcg_column(m, &judge_set, eval_cfg)?);
                }
            }
        }
        let n = blend_ndcg.len().max(1) as f64;
        let mean = blend_ndcg.iter().sum::<f64>() / n;
        let (lo, hi) = crate::eval::bootstrap::mean_intervals(&blend_ndcg, 1, &eval_cfg.bootstrap)
            .first()
            .map_or((mean, mean), |i| (i.lo, i.hi));
        promoters = blend_ndcg.len();
        learners.push((learner, (mean, lo, hi), blend_ndcg));
    }
    let learners = learners
        .into_iter()
        .map(|(l, m, col)| (l, m, paired_z(&col, &single_ndcg)))
        .collect();
    Ok(StackOutcome {
        learners,
        single: single_ndcg.iter().sum::<f64>() / single_ndcg.len().max(1) as f64,
        promoters,
        past_components,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `P(Z > z)` by Simpson's rule on the normal density over [z, z + 12].
    fn simpson_tail(z: f64) -> f64 {
        let n = 20_000;
        let h = 12.0 / n as f64;
        let f = |x: f64| (-x * x / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let mut s = f(z) + f(z + 12.0);
        for i in 1..n {
            s += f(z + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        s * h / 3.0
    }

    #[test]
    fn the_best_of_k_settings_shares_the_one_standard_error_level_among_them() {
        assert!((best_of_z(1) - STACK_Z).abs() < 1e-4);
        assert_eq!(best_of_z(0), best_of_z(1));
        let one = simpson_tail(STACK_Z);
        assert!((one - 0.158_655).abs() < 1e-5, "{one}");
        for k in [2, 3, 10] {
            let z = best_of_z(k);
            let tail = simpson_tail(z);
            assert!(
                (tail - one / k as f64).abs() < 1e-5,
                "k {k}: z {z}, tail {tail}"
            );
        }
        assert!(best_of_z(3) > 1.6 && best_of_z(3) < 1.65);
    }

    fn scored(model: ModelKind, ndcg: f64, seconds: f64) -> Scored {
        Scored {
            trial: Trial {
                kind: model,
                params: String::new(),
                stage: "search".into(),
                ndcg,
                lo: ndcg,
                hi: ndcg,
                promoters: 100,
                seconds,
            },
            config: Config::with_model(model),
            fit_seconds: seconds,
        }
    }

    #[test]
    fn a_dear_component_gives_way_to_a_cheaper_setting_of_its_family() {
        let s = vec![
            scored(ModelKind::BuyAgain, 0.21, 0.4),
            scored(ModelKind::ItemKnn, 0.18, 0.3),
            scored(ModelKind::Ials, 0.146, 3.0),
            scored(ModelKind::Ials, 0.160, 10.0),
            scored(ModelKind::Ials, 0.120, 1.0),
        ];
        // Room for everything: the best of each family.
        assert_eq!(affordable_leaders(&s, 1.0, 100.0), vec![0, 1, 3]);
        assert!((stack_cost(&s, &[0, 1, 3], 1.0) - 34.1).abs() < 1e-9);
        // 20 s: the 10 s iALS gives way to the best of the cheaper ones (3 s, not 1 s).
        assert_eq!(affordable_leaders(&s, 1.0, 20.0), vec![0, 1, 2]);
        // 5 s: no iALS fits, and the two cheap families stay.
        assert_eq!(affordable_leaders(&s, 1.0, 5.0), vec![0, 1]);
        // Less than two components never fits: the last two are kept, over budget.
        assert_eq!(affordable_leaders(&s, 1.0, 0.5), vec![0, 1]);
    }
}
