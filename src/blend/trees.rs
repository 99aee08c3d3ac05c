//! Gradient-boosted regression trees for the blend, trained with the LambdaMART
//! objective (Burges 2010) or the binary log-loss, on histogram-binned features.
//!
//! Why our own: the blend needs a ranking objective over groups (one group per
//! promoter), exact per-feature contributions for explanations, and a model that lives
//! in kocrank's own model file; the pure-Rust boosting crates on crates.io offer
//! regression and classification losses only, and LightGBM / XGBoost bindings compile
//! a C++ library with CMake into every build. The trees here are small (depth-wise, at
//! most `2^max_depth` leaves, 64 quantile bins per feature), and training is
//! deterministic: no row or feature sampling, ties broken by feature index.
//!
//! **LambdaMART.** For a group with scores `s` and gains `g` (1 for an ordered item,
//! 0 otherwise), every pair `(i, j)` with `g_i > g_j` pushes `i` up and `j` down with
//! weight `ρ_ij · |ΔNDCG_ij|`, `ρ_ij = σ(−(s_i − s_j))`, where `ΔNDCG_ij` is the change
//! in the group's NDCG if `i` and `j` swapped places. Gradients and Hessians
//! (`ρ(1 − ρ)|ΔNDCG|`) feed second-order leaf values `−G / (H + λ)`.
//!
//! **Contributions.** Every node keeps the value it would have as a leaf. Following a
//! row's path, the change from a node's value to its child's is credited to the node's
//! split feature (Saabas); with the root's value as the base, the credits add up to the
//! tree's output exactly.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The training loss of the trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// LambdaMART: pairwise, weighted by the NDCG change of swapping the pair.
    Lambdamart,
    /// Pointwise binary log-loss (gradient-boosted logistic regression).
    Binary,
}

/// Settings of the boosting.
#[derive(Debug, Clone, PartialEq)]
pub struct BoostSettings {
    /// The loss.
    pub objective: Objective,
    /// Number of trees.
    pub trees: usize,
    /// Shrinkage applied to each tree's leaves.
    pub learning_rate: f64,
    /// Depth of each tree (at most `2^max_depth` leaves).
    pub max_depth: usize,
    /// Fewest rows in a leaf.
    pub min_leaf: usize,
    /// L2 penalty on leaf values.
    pub l2: f64,
}

/// One node of a tree. A leaf has `feature == LEAF`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Split feature, or [`LEAF`].
    pub feature: u32,
    /// Rows with `x <= threshold` go left.
    pub threshold: f32,
    /// Index of the left child.
    pub left: u32,
    /// Index of the right child.
    pub right: u32,
    /// The node's output if it were a leaf (already shrunk).
    pub value: f64,
}

/// Marks a leaf in [`Node::feature`].
pub const LEAF: u32 = u32::MAX;

/// A fitted ensemble: the sum of its trees' outputs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Trees {
    /// Nodes of every tree; tree `t` starts at `roots[t]`.
    pub nodes: Vec<Node>,
    /// Root node of each tree.
    pub roots: Vec<u32>,
    /// Number of features a row has.
    pub width: usize,
    /// The same trees laid out complete, built on first use by
    /// [`Trees::predict_many`] (not stored in the model file).
    #[serde(skip)]
    pub(crate) complete: std::sync::OnceLock<Option<Complete>>,
}

impl PartialEq for Trees {
    fn eq(&self, other: &Self) -> bool {
        // The layout cache follows from the rest.
        self.nodes == other.nodes && self.roots == other.roots && self.width == other.width
    }
}

/// Deepest trees [`Complete`] lays out (2^8 leaves per tree); deeper ensembles are
/// evaluated node by node.
const COMPLETE_MAX_DEPTH: usize = 8;

/// Every tree padded to one depth `D` (a leaf above it copied into all the leaves
/// below it), stored level-order: node `j`'s children are `2j + 1` and `2j + 2`. A row
/// then goes down `D` levels with no branch to mispredict (`x <= threshold` picks the
/// left child, as in [`Trees::predict`]), and [`Complete::predict_many`] walks eight
/// rows side by side so their loads overlap. Same leaves reached, same sums.
#[derive(Debug, Clone)]
pub(crate) struct Complete {
    depth: usize,
    trees: usize,
    /// Per tree `2^D − 1` split features and thresholds, then per tree `2^D` leaves.
    feature: Vec<u32>,
    threshold: Vec<f32>,
    leaf: Vec<f64>,
}

impl Complete {
    /// The layout of `t`, or `None` when a tree is deeper than
    /// [`COMPLETE_MAX_DEPTH`] or a child index is out of range.
    fn build(t: &Trees) -> Option<Complete> {
        fn depth(t: &Trees, n: u32, d: usize) -> Option<usize> {
            if d > COMPLETE_MAX_DEPTH {
                return None;
            }
            let node = t.nodes.get(n as usize)?;
            if node.feature == LEAF {
                return Some(d);
            }
            Some(depth(t, node.left, d + 1)?.max(depth(t, node.right, d + 1)?))
        }
        let mut d = 0;
        for &r in &t.roots {
            d = d.max(depth(t, r, 0)?);
        }
        let inner = (1usize << d) - 1;
        let mut c = Complete {
            depth: d,
            trees: t.roots.len(),
            feature: vec![0; inner * t.roots.len()],
            threshold: vec![0.0; inner * t.roots.len()],
            leaf: vec![0.0; (inner + 1) * t.roots.len()],
        };
        for (k, &r) in t.roots.iter().enumerate() {
            c.fill(t, k, r, 0, 0);
        }
        Some(c)
    }

    /// Lays node `n` of tree `k` at level-order position `j`, level `level`.
    fn fill(&mut self, t: &Trees, k: usize, n: u32, j: usize, level: usize) {
        let inner = (1usize << self.depth) - 1;
        let Some(node) = t.nodes.get(n as usize) else {
            return;
        };
        if node.feature == LEAF {
            let below = 1usize << (self.depth - level);
            let first = (j + 1) * below - 1 - inner;
            let at = k * (inner + 1) + first;
            self.leaf[at..at + below].fill(node.value);
            return;
        }
        self.feature[k * inner + j] = node.feature;
        self.threshold[k * inner + j] = node.threshold;
        self.fill(t, k, node.left, 2 * j + 1, level + 1);
        self.fill(t, k, node.right, 2 * j + 2, level + 1);
    }

    /// Adds each tree's output for each row (`width` features) to `out`, tree by tree.
    fn predict_many(&self, rows: &[f32], width: usize, out: &mut [f64]) {
        const LANES: usize = 8;
        let inner = (1usize << self.depth) - 1;
        for k in 0..self.trees {
            let feature = &self.feature[k * inner..(k + 1) * inner];
            let threshold = &self.threshold[k * inner..(k + 1) * inner];
            let leaf = &self.leaf[k * (inner + 1)..(k + 1) * (inner + 1)];
            for (o, rs) in out.chunks_mut(LANES).zip(rows.chunks(LANES * width)) {
                let mut at = [0usize; LANES];
                let lanes = o.len();
                for _ in 0..self.depth {
                    for (r, j) in at.iter_mut().enumerate().take(lanes) {
                        let f = feature.get(*j).copied().unwrap_or(0) as usize;
                        let x = rs.get(r * width + f).copied().unwrap_or(0.0);
                        let thr = threshold.get(*j).copied().unwrap_or(0.0);
                        // Left when x <= thr; NaN goes right, as in `predict`.
                        let left = x <= thr;
                        *j = 2 * *j + 2 - usize::from(left);
                    }
                }
                for (o, &j) in o.iter_mut().zip(&at) {
                    *o += leaf.get(j - inner).copied().unwrap_or(0.0);
                }
            }
        }
    }
}

impl Trees {
    /// The ensemble's output for one row of `width` features.
    pub fn predict(&self, row: &[f32]) -> f64 {
        let mut sum = 0.0;
        for &root in &self.roots {
            sum += self.leaf_value(root, row);
        }
        sum
    }

    /// The value of the leaf `row` reaches in the tree rooted at `root` (0 if the walk
    /// leaves the node list, which a validated ensemble never does).
    #[inline]
    fn leaf_value(&self, root: u32, row: &[f32]) -> f64 {
        let mut n = root as usize;
        // Nodes were checked on load: children point forward, features < width.
        while let Some(node) = self.nodes.get(n) {
            if node.feature == LEAF {
                return node.value;
            }
            let x = row.get(node.feature as usize).copied().unwrap_or(0.0);
            n = if x <= node.threshold {
                node.left
            } else {
                node.right
            } as usize;
        }
        0.0
    }

    /// [`Trees::predict`] of each row of `rows` (row-major, `width` features each) into
    /// `out`, tree by tree, so that one tree's nodes stay in cache across the rows. The
    /// trees are summed in the same order as `predict`, so the results are identical.
    pub fn predict_many(&self, rows: &[f32], out: &mut [f64]) {
        out.iter_mut().for_each(|o| *o = 0.0);
        let w = self.width.max(1);
        let complete = self.complete.get_or_init(|| Complete::build(self));
        // (A layout built before more trees were pushed would not cover them.)
        if let Some(c) = complete.as_ref().filter(|c| c.trees == self.roots.len()) {
            c.predict_many(rows, w, out);
            return;
        }
        for &root in &self.roots {
            for (o, row) in out.iter_mut().zip(rows.chunks_exact(w)) {
                *o += self.leaf_value(root, row);
            }
        }
    }

    /// Adds each feature's credit for one row to `contrib` (length `width`) and
    /// returns the base (the sum of the roots' values); base + Σ contrib = predict.
    pub fn contributions(&self, row: &[f32], contrib: &mut [f64]) -> f64 {
        let mut base = 0.0;
        for &root in &self.roots {
            let mut n = root as usize;
            let Some(r) = self.nodes.get(n) else { continue };
            base += r.value;
            while let Some(node) = self.nodes.get(n) {
                if node.feature == LEAF {
                    break;
                }
                let x = row.get(node.feature as usize).copied().unwrap_or(0.0);
                let next = if x <= node.threshold {
                    node.left
                } else {
                    node.right
                } as usize;
                let child = self.nodes.get(next).map_or(node.value, |c| c.value);
                if let Some(c) = contrib.get_mut(node.feature as usize) {
                    *c += child - node.value;
                }
                n = next;
            }
        }
        base
    }

    /// Checks a decoded ensemble: children after their parent and in range, features
    /// below `width`, numbers finite. Returns a message naming the first fault.
    pub fn validate(&self) -> Result<(), String> {
        let n = self.nodes.len();
        for (k, node) in self.nodes.iter().enumerate() {
            if !node.value.is_finite() {
                return Err(format!("tree node {k} has a value that is not finite"));
            }
            if node.feature == LEAF {
                continue;
            }
            if node.feature as usize >= self.width
                || node.threshold.is_nan()
                || node.left as usize >= n
                || node.right as usize >= n
                || node.left as usize <= k
                || node.right as usize <= k
            {
                return Err(format!("tree node {k} is malformed"));
            }
        }
        if self.roots.iter().any(|&r| r as usize >= n) {
            return Err("a tree root is out of range".into());
        }
        Ok(())
    }
}

/// Training rows: `x` row-major `n × width`, one label per row, and groups as
/// consecutive row ranges (`groups[g]..groups[g + 1]`).
#[derive(Debug, Clone, Copy)]
pub struct TrainSet<'a> {
    /// Feature rows.
    pub x: &'a [f32],
    /// Number of features.
    pub width: usize,
    /// Labels.
    pub labels: &'a [bool],
    /// Group boundaries, starting at 0 and ending at the row count.
    pub groups: &'a [usize],
}

const BINS: usize = 64;

/// Quantile cut points of one feature (at most `BINS − 1`), ascending and distinct.
fn cuts_of(values: &mut [f32]) -> Vec<f32> {
    values.sort_unstable_by(f32::total_cmp);
    let n = values.len();
    let mut cuts: Vec<f32> = Vec::with_capacity(BINS);
    if n == 0 {
        return cuts;
    }
    for b in 1..BINS {
        let v = values[(b * (n - 1)) / BINS];
        if cuts.last().map_or(true, |&c| v > c) && v < values[n - 1] {
            cuts.push(v);
        }
    }
    cuts
}

/// Fits an ensemble. Deterministic for the same input.
pub fn fit(data: &TrainSet<'_>, s: &BoostSettings) -> Trees {
    let (d, n) = (data.width, data.labels.len());
    // Bin every feature: column-major u8 bins.
    let cuts: Vec<Vec<f32>> = (0..d)
        .into_par_iter()
        .map(|f| {
            let mut col: Vec<f32> = (0..n).map(|r| data.x[r * d + f]).collect();
            cuts_of(&mut col)
        })
        .collect();
    let bins: Vec<Vec<u8>> = (0..d)
        .into_par_iter()
        .map(|f| {
            (0..n)
                .map(|r| cuts[f].partition_point(|&c| c < data.x[r * d + f]) as u8)
                .collect()
        })
        .collect();
    let mut score = vec![0f64; n];
    let mut grad = vec![0f64; n];
    let mut hess = vec![0f64; n];
    let mut trees = Trees {
        nodes: Vec::new(),
        roots: Vec::with_capacity(s.trees),
        width: d,
        ..Trees::default()
    };
    let grower = Grower {
        bins: &bins,
        cuts: &cuts,
        s,
    };
    for _ in 0..s.trees {
        gradients(data, &score, s.objective, &mut grad, &mut hess);
        let root = trees.nodes.len() as u32;
        trees.roots.push(root);
        let rows: Vec<u32> = (0..n as u32).collect();
        grower.grow(&mut trees.nodes, &grad, &hess, rows, 0, &mut score);
    }
    trees
}

/// What every node of the trees is grown from.
struct Grower<'a> {
    bins: &'a [Vec<u8>],
    cuts: &'a [Vec<f32>],
    s: &'a BoostSettings,
}

/// The best split of a node: feature, bin (rows with bin <= it go left), gain.
type Split = (usize, usize, f64);

impl Grower<'_> {
    /// Grows the subtree of `rows` at `depth`, appending its nodes (parents before
    /// children), and adds its leaves' values to the rows' running scores.
    #[allow(clippy::too_many_arguments)]
    fn grow(
        &self,
        nodes: &mut Vec<Node>,
        grad: &[f64],
        hess: &[f64],
        rows: Vec<u32>,
        depth: usize,
        score: &mut [f64],
    ) -> u32 {
        let s = self.s;
        let (g, h) = rows.iter().fold((0.0, 0.0), |(g, h), &r| {
            (g + grad[r as usize], h + hess[r as usize])
        });
        let value = -g / (h + s.l2) * s.learning_rate;
        let at = nodes.len() as u32;
        nodes.push(Node {
            feature: LEAF,
            threshold: 0.0,
            left: 0,
            right: 0,
            value,
        });
        let split = if depth < s.max_depth && rows.len() >= 2 * s.min_leaf.max(1) {
            self.best_split(grad, hess, &rows, g, h)
        } else {
            None
        };
        let Some((f, b, _)) = split else {
            for &r in &rows {
                score[r as usize] += value;
            }
            return at;
        };
        let col = &self.bins[f];
        let (left, right): (Vec<u32>, Vec<u32>) = rows
            .into_iter()
            .partition(|&r| col[r as usize] as usize <= b);
        let l = self.grow(nodes, grad, hess, left, depth + 1, score);
        let r = self.grow(nodes, grad, hess, right, depth + 1, score);
        let node = &mut nodes[at as usize];
        node.feature = f as u32;
        node.threshold = self.cuts[f][b];
        node.left = l;
        node.right = r;
        at
    }

    /// The split with the largest gain, ties to the lower feature and bin; `None` when
    /// no split gains or keeps `min_leaf` rows on each side.
    fn best_split(
        &self,
        grad: &[f64],
        hess: &[f64],
        rows: &[u32],
        g: f64,
        h: f64,
    ) -> Option<Split> {
        let s = self.s;
        let parent = g * g / (h + s.l2);
        let per: Vec<Option<Split>> = (0..self.bins.len())
            .into_par_iter()
            .map(|f| {
                let col = &self.bins[f];
                let nb = self.cuts[f].len() + 1;
                if nb < 2 {
                    return None;
                }
                let mut hg = [0f64; BINS];
                let mut hh = [0f64; BINS];
                let mut hc = [0usize; BINS];
                for &r in rows {
                    let b = col[r as usize] as usize;
                    hg[b] += grad[r as usize];
                    hh[b] += hess[r as usize];
                    hc[b] += 1;
                }
                let (mut gl, mut hl, mut cl) = (0.0, 0.0, 0usize);
                let mut best: Option<Split> = None;
                for b in 0..nb - 1 {
                    gl += hg[b];
                    hl += hh[b];
                    cl += hc[b];
                    let cr = rows.len() - cl;
                    if cl < s.min_leaf || cr < s.min_leaf {
                        continue;
                    }
                    let (gr, hr) = (g - gl, h - hl);
                    let gain = gl * gl / (hl + s.l2) + gr * gr / (hr + s.l2) - parent;
                    if gain > 1e-12 && best.map_or(true, |(_, _, bg)| gain > bg) {
                        best = Some((f, b, gain));
                    }
                }
                best
            })
            .collect();
        per.into_iter()
            .flatten()
            .fold(None, |acc: Option<Split>, x| match acc {
                Some(a) if a.2 >= x.2 => Some(a),
                _ => Some(x),
            })
    }
}

/// Per-row gradients and Hessians of the loss at `score`.
fn gradients(
    data: &TrainSet<'_>,
    score: &[f64],
    obj: Objective,
    grad: &mut [f64],
    hess: &mut [f64],
) {
    match obj {
        Objective::Binary => {
            for r in 0..score.len() {
                let p = 1.0 / (1.0 + (-score[r]).exp());
                let y = if data.labels[r] { 1.0 } else { 0.0 };
                grad[r] = p - y;
                hess[r] = (p * (1.0 - p)).max(1e-12);
            }
        }
        Objective::Lambdamart => {
            let ranges: Vec<(usize, usize)> =
                data.groups.windows(2).map(|w| (w[0], w[1])).collect();
            let parts: Vec<(usize, Vec<f64>, Vec<f64>)> = ranges
                .par_iter()
                .map(|&(a, b)| {
                    let (g, h) = lambda_group(&score[a..b], &data.labels[a..b]);
                    (a, g, h)
                })
                .collect();
            for (a, g, h) in parts {
                grad[a..a + g.len()].copy_from_slice(&g);
                hess[a..a + h.len()].copy_from_slice(&h);
            }
        }
    }
}

/// LambdaMART gradients of one group.
fn lambda_group(score: &[f64], labels: &[bool]) -> (Vec<f64>, Vec<f64>) {
    let m = score.len();
    let mut g = vec![0f64; m];
    let mut h = vec![0f64; m];
    let positives = labels.iter().filter(|&&y| y).count();
    if positives == 0 || positives == m {
        return (g, h);
    }
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]).then(a.cmp(&b)));
    let mut disc = vec![0f64; m];
    for (rank, &i) in order.iter().enumerate() {
        disc[i] = 1.0 / ((rank + 2) as f64).log2();
    }
    let idcg: f64 = (0..positives).map(|r| 1.0 / ((r + 2) as f64).log2()).sum();
    for i in (0..m).filter(|&i| labels[i]) {
        for j in (0..m).filter(|&j| !labels[j]) {
            let delta = (disc[i] - disc[j]).abs() / idcg;
            let rho = 1.0 / (1.0 + (score[i] - score[j]).exp());
            g[i] -= rho * delta;
            g[j] += rho * delta;
            let w = (rho * (1.0 - rho) * delta).max(1e-12);
            h[i] += w;
            h[j] += w;
        }
    }
    (g, h)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two features; the label is 1 when x0 >= 0.5 (x1 is noise), 10 groups of 20.
    fn toy() -> (Vec<f32>, Vec<bool>, Vec<usize>) {
        let mut x = Vec::new();
        let mut y = Vec::new();
        for r in 0..200u32 {
            let a = ((r * 7) % 10) as f32 / 10.0;
            let b = ((r * 53) % 100) as f32 / 100.0;
            x.extend([a, b]);
            y.push(a >= 0.5);
        }
        let groups: Vec<usize> = (0..=10).map(|g| g * 20).collect();
        (x, y, groups)
    }

    fn settings(objective: Objective) -> BoostSettings {
        BoostSettings {
            objective,
            trees: 20,
            learning_rate: 0.3,
            max_depth: 3,
            min_leaf: 5,
            l2: 1.0,
        }
    }

    #[test]
    fn both_objectives_rank_positives_first_and_contributions_add_up() {
        let (x, y, groups) = toy();
        for objective in [Objective::Lambdamart, Objective::Binary] {
            let t = fit(
                &TrainSet {
                    x: &x,
                    width: 2,
                    labels: &y,
                    groups: &groups,
                },
                &settings(objective),
            );
            assert!(t.validate().is_ok());
            let (mut pos, mut neg) = (f64::INFINITY, f64::NEG_INFINITY);
            for (row, &label) in x.chunks_exact(2).zip(&y) {
                let p = t.predict(row);
                if label {
                    pos = pos.min(p);
                } else {
                    neg = neg.max(p);
                }
                let mut c = [0f64; 2];
                let base = t.contributions(row, &mut c);
                assert!((base + c[0] + c[1] - p).abs() < 1e-9);
            }
            assert!(
                pos > neg,
                "{objective:?}: every positive above every negative: {pos} {neg}"
            );
            // The signal is in x0: it carries the credit.
            let mut c = [0f64; 2];
            t.contributions(&[0.9, 0.5], &mut c);
            assert!(c[0].abs() > c[1].abs());
        }
    }

    #[test]
    fn training_is_deterministic() {
        let (x, y, groups) = toy();
        let set = TrainSet {
            x: &x,
            width: 2,
            labels: &y,
            groups: &groups,
        };
        let s = settings(Objective::Lambdamart);
        assert_eq!(fit(&set, &s), fit(&set, &s));
    }

    #[test]
    fn malformed_trees_are_rejected() {
        let leaf = Node {
            feature: LEAF,
            threshold: 0.0,
            left: 0,
            right: 0,
            value: 1.0,
        };
        let split = Node {
            feature: 0,
            threshold: 0.5,
            left: 1,
            right: 2,
            value: 0.0,
        };
        let good = Trees {
            nodes: vec![split, leaf, leaf],
            roots: vec![0],
            width: 1,
            ..Trees::default()
        };
        assert!(good.validate().is_ok());
        let cycle = Trees {
            nodes: vec![Node { left: 0, ..split }, leaf, leaf],
            ..good.clone()
        };
        assert!(cycle.validate().is_err());
        let wide = Trees {
            nodes: vec![
                Node {
                    feature: 5,
                    ..split
                },
                leaf,
                leaf,
            ],
            ..good.clone()
        };
        assert!(wide.validate().is_err());
        let nan = Trees {
            nodes: vec![
                split,
                Node {
                    value: f64::NAN,
                    ..leaf
                },
                leaf,
            ],
            ..good
        };
        assert!(nan.validate().unwrap_err().contains("not finite"));
    }

    /// Random trees of depth up to `max_depth` over `width` features (an LCG, seeded).
    fn random_trees(seed: u64, count: usize, max_depth: usize, width: usize) -> Trees {
        let mut x = seed;
        let mut next = move || {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) as u32
        };
        fn grow(
            t: &mut Trees,
            next: &mut dyn FnMut() -> u32,
            d: usize,
            max: usize,
            w: usize,
        ) -> u32 {
            let at = t.nodes.len() as u32;
            t.nodes.push(Node {
                feature: LEAF,
                threshold: 0.0,
                left: 0,
                right: 0,
                value: f64::from(next() % 1000) / 7.0,
            });
            if d < max && next() % 4 != 0 {
                let feature = next() % w as u32;
                let threshold = (next() % 11) as f32 / 10.0 - 0.5;
                let left = grow(t, next, d + 1, max, w);
                let right = grow(t, next, d + 1, max, w);
                t.nodes[at as usize] = Node {
                    feature,
                    threshold,
                    left,
                    right,
                    value: 0.0,
                };
            }
            at
        }
        let mut t = Trees {
            width,
            ..Trees::default()
        };
        for _ in 0..count {
            let r = grow(&mut t, &mut next, 0, max_depth, width);
            t.roots.push(r);
        }
        t
    }

    #[test]
    fn many_rows_at_once_equal_one_at_a_time() {
        let width = 5;
        // Rows on the thresholds, between them, NaN and infinite.
        let values = [
            -0.5f32,
            -0.05,
            0.0,
            0.3,
            0.5,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ];
        let rows: Vec<f32> = (0..37 * width)
            .map(|j| values[(j * 7 + j / 5) % values.len()])
            .collect();
        // Depth 6 is laid out complete; depth 10 falls back to node by node.
        for (seed, depth) in [(1, 0), (2, 3), (3, 6), (4, 10)] {
            let t = random_trees(seed, 25, depth, width);
            assert!(t.validate().is_ok());
            let mut many = vec![0f64; 37];
            t.predict_many(&rows, &mut many);
            let one: Vec<f64> = rows.chunks_exact(width).map(|r| t.predict(r)).collect();
            assert_eq!(many, one, "depth {depth}");
            assert_eq!(
                t.complete.get().map(Option::is_some),
                Some(depth <= COMPLETE_MAX_DEPTH)
            );
        }
    }
}
