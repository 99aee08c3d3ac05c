//! Evaluation protocols: how orders become training and test sets.
//!
//! * **Global temporal** ([`Protocol::Temporal`]): everything before `at` trains,
//!   `[at, at + window)` tests ([`Dataset::split`]). Leak-free; the default
//!   (`shared/DOMAIN.md` §5.5).
//! * **Rolling origin** ([`Protocol::Rolling`]): `n` consecutive test windows ending at
//!   the data's end; for each origin `t_j = t_end − (n − j)·window` the model trains on
//!   orders before `t_j` and is tested on `[t_j, t_j + window)`. The figures are the
//!   mean over windows and their spread (sample standard deviation), which shows how
//!   much a ranking of models depends on the week it was measured in.
//! * **Leave-last-out** ([`Protocol::LeaveLastOut`]): each promoter's last order day is
//!   her test set, the rest trains. Leaky relative to global time — training holds
//!   other promoters' orders from after her test day — and kept only for comparison
//!   with the literature that uses it (Ji et al., *A Critical Study on Data Leakage in
//!   Recommender System Offline Evaluation*, TOIS 2023).

use super::{evaluate, EvalConfig, EvalReport};
use crate::data::{Dataset, OrderStatus, Split};
use crate::error::{Error, Result};
use crate::eval::metrics::{ListMetrics, N_METRICS};
use crate::{Config, Ranker};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

const DAY: i64 = 86_400;

/// How to split the orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Protocol {
    /// One global split at `at` (unix seconds), test window `window` seconds.
    Temporal {
        /// Split time.
        at: i64,
        /// Test window length, seconds.
        window: i64,
    },
    /// `windows` consecutive test windows of `window` seconds ending at the data's end.
    Rolling {
        /// Number of windows (≥ 1).
        windows: usize,
        /// Window length, seconds.
        window: i64,
    },
    /// Each promoter's last order day tests; leaky relative to global time.
    LeaveLastOut,
}

impl Protocol {
    /// Short name: `temporal`, `rolling` or `leave_last_out`.
    pub fn name(&self) -> &'static str {
        match self {
            Protocol::Temporal { .. } => "temporal",
            Protocol::Rolling { .. } => "rolling",
            Protocol::LeaveLastOut => "leave_last_out",
        }
    }

    /// Whether the protocol lets later orders into training (leave-last-out).
    pub fn is_leaky(&self) -> bool {
        matches!(self, Protocol::LeaveLastOut)
    }
}

/// One train/test split and the reports of every model on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fold {
    /// Start of the test data (for leave-last-out, the end of the training data).
    pub at: i64,
    /// Length of the test window, seconds.
    pub window: i64,
    /// One report per model, in the order of the configurations.
    pub reports: Vec<EvalReport>,
}

/// The result of a protocol: its folds and, per model, the mean and spread of each
/// metric over folds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProtocolReport {
    /// `temporal`, `rolling` or `leave_last_out`.
    pub protocol: String,
    /// True when training data postdates some test data (leave-last-out).
    pub leaky: bool,
    /// The folds, oldest first (one for temporal and leave-last-out).
    pub folds: Vec<Fold>,
    /// Per model, per cut-off: the mean over folds.
    pub mean: Vec<Vec<ListMetrics>>,
    /// Per model, per cut-off: the sample standard deviation over folds (0 with one
    /// fold).
    pub spread: Vec<Vec<ListMetrics>>,
}

/// The test windows of a rolling-origin protocol: `windows` consecutive splits of
/// `window` seconds, the last ending just after the last order (origins on day
/// boundaries, UTC).
///
/// # Errors
/// [`Error::Empty`] when the data has no order, `windows` is 0, or a split has no
/// training or test order (the message names the window).
pub fn rolling_splits(ds: &Dataset, windows: usize, window: i64) -> Result<Vec<Split>> {
    if windows == 0 {
        return Err(Error::Empty(
            "rolling origin needs at least one window".into(),
        ));
    }
    let (_, last) = ds
        .orders
        .time_range()
        .ok_or_else(|| Error::Empty("no order to split".into()))?;
    // The last window ends at the first day boundary after the last order.
    let end = (last + DAY).div_euclid(DAY) * DAY;
    let last_at = end - window;
    (0..windows)
        .map(|j| {
            let at = last_at - (windows - 1 - j) as i64 * window;
            ds.split(at, window)
                .map_err(|e| Error::Empty(format!("rolling window {} of {windows}: {e}", j + 1)))
        })
        .collect()
}

/// Leave-last-out: each promoter's orders from the start (UTC) of her last completed
/// order day test; everything else trains. Promoters whose completed orders all fall on
/// one day become cold start. The split's `at` is one second after the last training
/// order and `window` spans the test orders.
///
/// # Errors
/// [`Error::Empty`] when either side has no order.
pub fn leave_last_out(ds: &Dataset) -> Result<Split> {
    let o = &ds.orders;
    let mut cut = vec![i64::MAX; ds.promoters.len()];
    let mut last = vec![i64::MIN; ds.promoters.len()];
    for r in 0..o.len() {
        if o.status[r] == OrderStatus::Completed {
            if let Some(l) = last.get_mut(o.promoter[r] as usize) {
                *l = (*l).max(o.ts[r]);
            }
        }
    }
    for (c, &l) in cut.iter_mut().zip(&last) {
        if l != i64::MIN {
            *c = l.div_euclid(DAY) * DAY;
        }
    }
    let cut_of = |p: u32| cut.get(p as usize).copied().unwrap_or(i64::MAX);
    let train_orders = o.filter(|r| o.ts[r] < cut_of(o.promoter[r]));
    let test_orders = o.filter(|r| o.ts[r] >= cut_of(o.promoter[r]));
    let (Some((_, train_end)), Some((test_start, test_end))) =
        (train_orders.time_range(), test_orders.time_range())
    else {
        return Err(Error::Empty(
            "leave-last-out needs orders on at least two days for some promoter".into(),
        ));
    };
    let s = &ds.shares;
    let train = Dataset {
        catalog: Arc::clone(&ds.catalog),
        promoters: Arc::clone(&ds.promoters),
        orders: train_orders,
        shares: s.filter(|r| s.ts[r] < cut_of(s.promoter[r])),
    };
    let test = Dataset {
        catalog: Arc::clone(&ds.catalog),
        promoters: Arc::clone(&ds.promoters),
        orders: test_orders,
        shares: crate::data::Shares::default(),
    };
    Ok(Split {
        train,
        test,
        at: train_end + 1,
        window: (test_end + 1 - test_start).max(1),
    })
}

/// Runs `protocol` on `ds`: splits, trains every configuration on each training set
/// and evaluates it on the matching test set through the [`Ranker`].
///
/// # Errors
/// As the splits ([`rolling_splits`], [`leave_last_out`], [`Dataset::split`]),
/// [`crate::train()`] and [`evaluate`].
///
/// # Examples
/// ```
/// use kocrank::eval::{evaluate_protocol, EvalConfig, Protocol};
/// use kocrank::{synth, Config};
/// let world = synth::generate(synth::Scale::Tiny, 5)?;
/// let cfg = EvalConfig { ks: vec![10], ..EvalConfig::default() };
/// let rolling = Protocol::Rolling { windows: 2, window: 14 * 86_400 };
/// let r = evaluate_protocol(&world.dataset, &rolling, &[Config::default()], &cfg)?;
/// assert_eq!(r.folds.len(), 2);
/// assert!(r.folds[0].at < r.folds[1].at);
/// assert!(r.spread[0][0].ndcg >= 0.0);
/// # Ok::<(), kocrank::Error>(())
/// ```
pub fn evaluate_protocol(
    ds: &Dataset,
    protocol: &Protocol,
    configs: &[Config],
    cfg: &EvalConfig,
) -> Result<ProtocolReport> {
    let splits = match *protocol {
        Protocol::Temporal { at, window } => vec![ds.split(at, window)?],
        Protocol::Rolling { windows, window } => rolling_splits(ds, windows, window)?,
        Protocol::LeaveLastOut => vec![leave_last_out(ds)?],
    };
    let folds = splits
        .iter()
        .map(|split| {
            let reports = configs
                .iter()
                .map(|c| {
                    let model = crate::train(&split.train, c)?;
                    evaluate(&Ranker::new(model), &split.test, cfg)
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(Fold {
                at: split.at,
                window: split.window,
                reports,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let (mean, spread) = fold_stats(&folds, configs.len(), cfg.ks.len());
    Ok(ProtocolReport {
        protocol: protocol.name().to_string(),
        leaky: protocol.is_leaky(),
        folds,
        mean,
        spread,
    })
}

/// Mean and sample standard deviation over folds, per model and cut-off.
#[allow(clippy::type_complexity)]
fn fold_stats(
    folds: &[Fold],
    n_models: usize,
    n_ks: usize,
) -> (Vec<Vec<ListMetrics>>, Vec<Vec<ListMetrics>>) {
    let n = folds.len() as f64;
    let mut mean = vec![vec![ListMetrics::default(); n_ks]; n_models];
    let mut spread = mean.clone();
    for m in 0..n_models {
        for j in 0..n_ks {
            let xs: Vec<[f64; N_METRICS]> = folds
                .iter()
                .filter_map(|f| f.reports.get(m)?.overall.get(j).map(|x| x.to_array()))
                .collect();
            if xs.is_empty() {
                continue;
            }
            let mu: [f64; N_METRICS] =
                std::array::from_fn(|i| xs.iter().map(|x| x[i]).sum::<f64>() / n);
            let sd: [f64; N_METRICS] = std::array::from_fn(|i| {
                if xs.len() < 2 {
                    0.0
                } else {
                    (xs.iter().map(|x| (x[i] - mu[i]).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
                }
            });
            mean[m][j] = ListMetrics::from_array(mu);
            spread[m][j] = ListMetrics::from_array(sd);
        }
    }
    (mean, spread)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{generate, Scale};

    #[test]
    fn rolling_windows_are_consecutive_and_leak_free() {
        let w = generate(Scale::Tiny, 2).unwrap();
        let splits = rolling_splits(&w.dataset, 3, 7 * DAY).unwrap();
        assert_eq!(splits.len(), 3);
        for pair in splits.windows(2) {
            assert_eq!(pair[1].at - pair[0].at, 7 * DAY);
        }
        for s in &splits {
            assert!(s.train.orders.ts.iter().all(|&t| t < s.at));
            assert!(s.test.orders.ts.iter().all(|&t| t >= s.at));
        }
        let (_, last) = w.dataset.orders.time_range().unwrap();
        let end = splits[2].at + 7 * DAY;
        assert!(end > last && end - last <= DAY, "{end} {last}");
        assert!(rolling_splits(&w.dataset, 0, DAY).is_err());
    }

    #[test]
    fn leave_last_out_holds_each_promoters_last_day() {
        let w = generate(Scale::Tiny, 2).unwrap();
        let s = leave_last_out(&w.dataset).unwrap();
        assert_eq!(
            s.train.orders.len() + s.test.orders.len(),
            w.dataset.orders.len()
        );
        let n = w.dataset.promoters.len();
        let mut first_test = vec![i64::MAX; n];
        for r in 0..s.test.orders.len() {
            let p = s.test.orders.promoter[r] as usize;
            first_test[p] = first_test[p].min(s.test.orders.ts[r]);
        }
        for r in 0..s.train.orders.len() {
            let p = s.train.orders.promoter[r] as usize;
            assert!(s.train.orders.ts[r] < first_test[p]);
        }
        // Every completed test order of a promoter falls on one day.
        let mut last_test = vec![i64::MIN; n];
        for r in 0..s.test.orders.len() {
            if s.test.orders.status[r] != OrderStatus::Completed {
                continue;
            }
            let p = s.test.orders.promoter[r] as usize;
            last_test[p] = last_test[p].max(s.test.orders.ts[r]);
        }
        for p in 0..n {
            if first_test[p] != i64::MAX {
                assert_eq!(first_test[p].div_euclid(DAY), last_test[p].div_euclid(DAY));
            }
        }
    }
}
