//! The circle profile recovers the synthetic world's hidden tastes.

use kocrank::signals::profile::{Profile, ProfileConfig};
use kocrank::signals::Context;
use kocrank::synth::{generate, Scale};

fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va.sqrt() * vb.sqrt()).max(1e-12)
}

#[test]
fn learned_profiles_correlate_with_ground_truth_tastes() {
    let world = generate(Scale::Tiny, 11).unwrap();
    let ds = &world.dataset;
    let h = ds.history();
    let now = h.ts.iter().copied().max().unwrap() + 1;
    let profile = Profile::fit(
        &h,
        ds.catalog(),
        ds.promoters(),
        now,
        &ProfileConfig::default(),
    );
    let tops = &world.truth.top_categories;
    let (mut sum, mut n, mut beats_channel) = (0.0, 0usize, 0usize);
    for p in 0..ds.promoters().len() as u32 {
        if h.count(p) < 20 {
            continue;
        }
        let ctx = Context {
            promoter: Some(p),
            channel: ds.promoters().channel_of(p),
            city_tier: ds.promoters().tier_of(p),
            history: h.items(p),
            history_ts: h.times(p),
            shares: &[],
            shares_ts: &[],
            now,
            fold_in: false,
        };
        let circle = profile.circle(&ctx);
        let learned: Vec<f64> = tops
            .iter()
            .map(|&c| {
                circle
                    .top_categories
                    .iter()
                    .find(|x| x.0 == c)
                    .map_or(0.0, |x| x.1)
            })
            .collect();
        let truth: Vec<f64> = world.truth.taste(p).iter().map(|&x| f64::from(x)).collect();
        let r = pearson(&learned, &truth);
        // The same promoter seen only through her channel's profile (no orders).
        let prior = profile.circle(&Context {
            history: &[],
            history_ts: &[],
            shares: &[],
            shares_ts: &[],
            ..ctx
        });
        let channel_only: Vec<f64> = tops
            .iter()
            .map(|&c| {
                prior
                    .top_categories
                    .iter()
                    .find(|x| x.0 == c)
                    .map_or(0.0, |x| x.1)
            })
            .collect();
        if r > pearson(&channel_only, &truth) {
            beats_channel += 1;
        }
        sum += r;
        n += 1;
    }
    assert!(n >= 30, "only {n} promoters with 20+ orders");
    let mean = sum / n as f64;
    eprintln!("profile vs truth: mean r = {mean:.3} over {n} promoters; {beats_channel} beat their channel prior");
    assert!(
        mean > 0.7,
        "mean correlation with the true tastes is {mean:.3} over {n} promoters"
    );
    assert!(
        beats_channel * 10 >= n * 8,
        "personal profiles beat the channel prior for only {beats_channel} of {n}"
    );
}
