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
//! * **Random ratio split** ([`ratio_split`]): each promoter's orders, shuffled with a
//!   seed, are cut into train / validation / test parts by ratio (RecBole's default
//!   `RO_RS` with `group_by: user`, 8:1:1). Leaky like leave-last-out, and kept only to
//!   reproduce published figures measured that way (`datasets/REPRODUCTIONS.md`).

use super::EvalReport;
use crate::data::{Dataset, OrderStatus, Split};
use crate::error::{Error, Result};
use crate::eval::metrics::{ListMetrics, N_METRICS};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
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
        shares: {
            let mut kept = s.filter(|r| s.ts[r] < cut_of(s.promoter[r]));
            // A share received after the receiver's own cut is her test period.
            for r in 0..kept.receiver.len() {
                if kept.receiver(r).is_some_and(|to| kept.ts[r] >= cut_of(to)) {
                    kept.receiver[r] = crate::data::NO_ID;
                }
            }
            kept
        },
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
        excluded: 0,
    })
}

/// The three parts of a [`ratio_split`]; they share `ds`'s catalogue and promoters.
#[derive(Debug, Clone)]
pub struct RatioSplit {
    /// Training orders.
    pub train: Dataset,
    /// Validation orders (RecBole uses them for early stopping and masks them at test
    /// time).
    pub valid: Dataset,
    /// Test orders.
    pub test: Dataset,
}

/// How many of a promoter's `n` orders go to train, validation and test under
/// `ratios`, as RecBole's `Dataset._calcu_split_ids`: validation and test get
/// `⌊ratio · n⌋` each, train the rest; then, while train keeps more than one order, a
/// part whose share would be a fraction of one order (`0 < ratio · n < 1`) takes one
/// from train.
fn ratio_counts(n: usize, ratios: [f64; 3]) -> [usize; 3] {
    let mut cnt = ratios.map(|r| (r * n as f64) as usize);
    cnt[0] = n.saturating_sub(cnt[1] + cnt[2]);
    for i in [2, 1] {
        if cnt[0] <= 1 {
            break;
        }
        let share = ratios[i] * n as f64;
        if share > 0.0 && share < 1.0 {
            cnt[i] += 1;
            cnt[0] -= 1;
        }
    }
    cnt
}

/// Random ratio split per promoter (RecBole's `RO_RS`, grouped by user): each
/// promoter's orders are shuffled (ChaCha8 seeded by `seed` and the promoter index, so
/// the split ignores thread count and promoter order) and cut into train, validation
/// and test parts of sizes `ratio_counts`. Time plays no part, so training holds
/// orders from after test orders: use it only to compare with figures published under
/// this protocol.
///
/// # Errors
/// [`Error::InvalidRequest`] when a ratio is negative or not finite or the ratios do
/// not sum to 1 (± 1e-6); [`Error::Empty`] when the training or test part is empty.
///
/// # Examples
/// ```
/// use kocrank::eval::ratio_split;
/// use kocrank::synth::{generate, Scale};
/// let world = generate(Scale::Tiny, 3)?;
/// let s = ratio_split(&world.dataset, [0.8, 0.1, 0.1], 7)?;
/// let n = s.train.orders().len() + s.valid.orders().len() + s.test.orders().len();
/// assert_eq!(n, world.dataset.orders().len());
/// # Ok::<(), kocrank::Error>(())
/// ```
pub fn ratio_split(ds: &Dataset, ratios: [f64; 3], seed: u64) -> Result<RatioSplit> {
    if ratios.iter().any(|r| !r.is_finite() || *r < 0.0)
        || (ratios.iter().sum::<f64>() - 1.0).abs() > 1e-6
    {
        return Err(Error::InvalidRequest {
            field: "ratios",
            message: format!("{ratios:?} must be non-negative and sum to 1"),
        });
    }
    let o = &ds.orders;
    let mut by_promoter: Vec<Vec<usize>> = vec![Vec::new(); ds.promoters.len()];
    for r in 0..o.len() {
        if let Some(v) = by_promoter.get_mut(o.promoter[r] as usize) {
            v.push(r);
        }
    }
    // 0 train, 1 validation, 2 test.
    let mut part = vec![0u8; o.len()];
    for (p, rows) in by_promoter.iter_mut().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(p as u64);
        for i in (1..rows.len()).rev() {
            let j = ((u128::from(rng.next_u64()) * (i as u128 + 1)) >> 64) as usize;
            rows.swap(i, j);
        }
        let [n_train, n_valid, _] = ratio_counts(rows.len(), ratios);
        for (k, &r) in rows.iter().enumerate() {
            part[r] = if k < n_train {
                0
            } else if k < n_train + n_valid {
                1
            } else {
                2
            };
        }
    }
    let take = |which: u8| Dataset {
        catalog: Arc::clone(&ds.catalog),
        promoters: Arc::clone(&ds.promoters),
        orders: o.filter(|r| part[r] == which),
        shares: crate::data::Shares::default(),
    };
    let (train, valid, test) = (take(0), take(1), take(2));
    if train.orders.is_empty() || test.orders.is_empty() {
        return Err(Error::Empty(format!(
            "ratio split {ratios:?} leaves {} training and {} test orders",
            train.orders.len(),
            test.orders.len()
        )));
    }
    Ok(RatioSplit { train, valid, test })
}

/// Mean and sample standard deviation over folds, per model and cut-off.
#[allow(clippy::type_complexity)]
pub(crate) fn fold_stats(
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
    fn ratio_counts_follow_recbole() {
        // RecBole's _calcu_split_ids with [0.8, 0.1, 0.1].
        assert_eq!(ratio_counts(20, [0.8, 0.1, 0.1]), [16, 2, 2]);
        assert_eq!(ratio_counts(27, [0.8, 0.1, 0.1]), [23, 2, 2]);
        assert_eq!(ratio_counts(5, [0.8, 0.1, 0.1]), [3, 1, 1]);
        assert_eq!(ratio_counts(2, [0.8, 0.1, 0.1]), [1, 0, 1]);
        assert_eq!(ratio_counts(1, [0.8, 0.1, 0.1]), [1, 0, 0]);
    }

    #[test]
    fn ratio_split_partitions_each_promoter_and_is_seeded() {
        let w = generate(Scale::Tiny, 2).unwrap();
        let a = ratio_split(&w.dataset, [0.8, 0.1, 0.1], 1).unwrap();
        let b = ratio_split(&w.dataset, [0.8, 0.1, 0.1], 1).unwrap();
        let c = ratio_split(&w.dataset, [0.8, 0.1, 0.1], 2).unwrap();
        assert_eq!(a.test.orders.ts, b.test.orders.ts);
        assert_ne!(a.test.orders.ts, c.test.orders.ts);
        let n = w.dataset.promoters.len();
        let count = |d: &Dataset| {
            let mut v = vec![0usize; n];
            for &p in &d.orders.promoter {
                v[p as usize] += 1;
            }
            v
        };
        let (tr, va, te, all) = (
            count(&a.train),
            count(&a.valid),
            count(&a.test),
            count(&w.dataset),
        );
        for p in 0..n {
            let want = ratio_counts(all[p], [0.8, 0.1, 0.1]);
            assert_eq!([tr[p], va[p], te[p]], want, "promoter {p}");
        }
        assert!(ratio_split(&w.dataset, [0.8, 0.1, 0.2], 1).is_err());
    }

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
