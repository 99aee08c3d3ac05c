//! Promoters and their circles: channel, city tier, join date, inviter, groups, and the
//! latent tastes (category weights, price band, favourite brands) the funnel draws from.

use super::catalog::CatalogIndex;
use super::categories::{channel_taste, N_TOPS};
use super::config::SynthConfig;
use super::dist::{
    below, bernoulli, beta, cumulative, dirichlet, lognormal, normal, rng_for, sample_cdf, uniform,
};
use super::funnel::ORDERS_PER_SHARE;
use super::truth::GroundTruth;
use crate::data::time::DAY;
use crate::data::{Channel, Promoters};

/// Random stream of the promoter table.
const STREAM_CIRCLES: u64 = 0xC12C;

/// Days before the order period in which the first promoters joined.
const JOIN_LEAD_DAYS: i64 = 365;

/// Log-scale spread of activity (shares per day) across active promoters.
const ACTIVITY_SIGMA: f64 = 1.1;

/// Fraction of promoters who stop sharing at some time in the period.
const CHURN: f64 = 0.12;

/// Builds the promoter table and fills the per-promoter columns of `truth`.
pub(crate) fn build(
    cfg: &SynthConfig,
    seed: u64,
    index: &CatalogIndex,
    truth: &mut GroundTruth,
) -> Promoters {
    let mut rng = rng_for(seed, STREAM_CIRCLES, 0);
    let n = cfg.promoters;
    let start = cfg.start();
    let end = cfg.end;
    let channel_cdf = cumulative(cfg.channel_mix.iter().copied());
    let tier_cdf = cumulative(cfg.tier_mix.iter().copied());

    // Join times: sorted, more joins recently (the platform grows).
    let join_from = start - JOIN_LEAD_DAYS * DAY;
    let join_to = end - 14 * DAY;
    let mut u: Vec<f64> = (0..n).map(|_| uniform(&mut rng)).collect();
    u.sort_by(f64::total_cmp);
    let mut joined = Vec::with_capacity(n);
    let mut last = join_from - 1;
    for x in u {
        let t = (join_from + (x.powf(0.8) * (join_to - join_from) as f64) as i64).max(last + 1);
        joined.push(t);
        last = t;
    }

    let mut p_tab = Promoters::default();
    truth.taste = Vec::with_capacity(n * N_TOPS);
    truth.favourite_indptr = vec![0];
    truth.group_indptr = vec![0];
    let mut alpha = [0.0f64; N_TOPS];
    let mut taste = [0.0f64; N_TOPS];
    let mut raw_activity = Vec::with_capacity(n);
    let mut dormant = Vec::with_capacity(n);
    for (p, &join) in joined.iter().enumerate() {
        let channel = Channel::ALL[sample_cdf(&mut rng, &channel_cdf).unwrap_or(0)];
        let tier = sample_cdf(&mut rng, &tier_cdf).unwrap_or(0) as u8 + 1;
        p_tab.ids.insert(&format!("P{:06}", p + 1));
        p_tab.channel.push(channel);
        p_tab.city_tier.push(tier);
        p_tab.joined_at.push(Some(join));

        let inviter = if p > 0 && bernoulli(&mut rng, cfg.invited_fraction) {
            Some(pick_inviter(&mut rng, &p_tab, p, channel, tier))
        } else {
            None
        };
        p_tab.inviter.push(inviter);

        // Taste: Dirichlet around the channel mean, pulled toward a same-channel
        // inviter's taste (circles of people who invite each other look alike).
        let mean = channel_taste(channel);
        let inviter_taste = inviter
            .filter(|&q| p_tab.channel.get(q as usize) == Some(&channel))
            .and_then(|q| {
                truth
                    .taste
                    .get(q as usize * N_TOPS..(q as usize + 1) * N_TOPS)
            });
        for k in 0..N_TOPS {
            let m = match inviter_taste {
                Some(t) => {
                    (1.0 - cfg.inviter_taste) * mean[k] + cfg.inviter_taste * f64::from(t[k])
                }
                None => mean[k],
            };
            alpha[k] = cfg.taste_concentration * m.max(1e-4);
        }
        dirichlet(&mut rng, &alpha, &mut taste);
        truth.taste.extend(taste.iter().map(|&x| x as f32));

        // Price band: bigger cities buy dearer; individuals vary.
        let center = 0.1 * (3.5 - f64::from(tier)) + 0.2 * normal(&mut rng);
        truth.price_center.push(center.exp() as f32);
        truth
            .price_width
            .push((0.35 + 0.3 * uniform(&mut rng)) as f32);

        // Brands: one or two favourites in each category the circle cares about.
        truth.brand_loyalty.push(beta(&mut rng, 1.5, 3.0) as f32);
        for (t, &w) in taste.iter().enumerate() {
            if w < 0.1 {
                continue;
            }
            let picks = 1 + usize::from(bernoulli(&mut rng, 0.4));
            let first = truth.favourite_brands.len();
            for _ in 0..picks {
                let (Some(cdf), Some(&b0)) =
                    (index.top_brand_cdf.get(t), index.top_brand_start.get(t))
                else {
                    continue;
                };
                if let Some(k) = sample_cdf(&mut rng, cdf) {
                    let b = b0 + k as u32;
                    if !truth.favourite_brands[first..].contains(&b) {
                        truth.favourite_brands.push(b);
                    }
                }
            }
        }
        truth.favourite_indptr.push(truth.favourite_brands.len());

        // Activity: long-tailed; a few promoters are dormant.
        let is_dormant = bernoulli(&mut rng, cfg.dormant_fraction);
        let a = if is_dormant {
            uniform(&mut rng)
        } else {
            lognormal(
                &mut rng,
                -0.5 * ACTIVITY_SIGMA * ACTIVITY_SIGMA,
                ACTIVITY_SIGMA,
            )
        };
        raw_activity.push(a);
        dormant.push(is_dormant);

        let from = (join + DAY + (uniform(&mut rng) * (7 * DAY) as f64) as i64).max(start);
        let until = if bernoulli(&mut rng, CHURN) {
            from + DAY + (uniform(&mut rng) * (end - from - DAY).max(0) as f64) as i64
        } else {
            end
        };
        truth.active_from.push(from);
        truth.active_until.push(until.min(end));

        // Groups: one to four, of 50 to 500 members; busy promoters run more.
        let extra = usize::from(a > 2.0)
            + usize::from(bernoulli(&mut rng, 0.35))
            + usize::from(bernoulli(&mut rng, 0.15));
        for _ in 0..(1 + extra).min(4) {
            let size = lognormal(&mut rng, 150f64.ln(), 0.6).clamp(50.0, 500.0);
            truth.group_sizes.push(size as u32);
        }
        truth.group_indptr.push(truth.group_sizes.len());
    }

    // Scale activity so the expected orders per promoter match the configuration; a
    // dormant promoter expects at most one order over the whole period.
    let day = DAY as f64;
    let active_days: Vec<f64> = (0..n)
        .map(|p| (truth.active_until[p] - truth.active_from[p]).max(0) as f64 / day)
        .collect();
    let exposure: f64 = (0..n)
        .filter(|&p| !dormant[p])
        .map(|p| raw_activity[p] * active_days[p])
        .sum();
    let target = cfg.orders_per_promoter * n as f64 / ORDERS_PER_SHARE;
    let scale = if exposure > 0.0 {
        target / exposure
    } else {
        0.0
    };
    truth.activity = (0..n)
        .map(|p| {
            if dormant[p] {
                (raw_activity[p] / (ORDERS_PER_SHARE * active_days[p].max(1.0))) as f32
            } else {
                (raw_activity[p] * scale) as f32
            }
        })
        .collect();
    p_tab
}

/// Picks the inviter of promoter `p` among earlier promoters: a random earlier one or,
/// half the time, the inviter of one (so busy inviters gain invitees), accepted with a
/// probability that favours the same channel and a nearby city tier.
fn pick_inviter(
    rng: &mut super::dist::Rng,
    table: &Promoters,
    p: usize,
    channel: Channel,
    tier: u8,
) -> u32 {
    let mut candidate = 0u32;
    for _ in 0..12 {
        candidate = below(rng, p as u64) as u32;
        if bernoulli(rng, 0.5) {
            if let Some(Some(up)) = table.inviter.get(candidate as usize) {
                candidate = *up;
            }
        }
        let same_channel = table.channel_of(candidate) == channel;
        let gap = table.tier_of(candidate).abs_diff(tier);
        let accept = if same_channel { 1.0 } else { 0.25 }
            * match gap {
                0 => 1.0,
                1 => 0.5,
                _ => 0.1,
            };
        if bernoulli(rng, accept) {
            break;
        }
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::catalog;
    use crate::synth::config::Scale;

    fn table(n: usize, seed: u64) -> (Promoters, GroundTruth) {
        let cfg = SynthConfig {
            promoters: n,
            ..SynthConfig::for_scale(Scale::Tiny)
        };
        let built = catalog::build(&cfg, seed);
        let mut truth = GroundTruth::default();
        let p = build(&cfg, seed, &built.index, &mut truth);
        (p, truth)
    }

    #[test]
    fn channel_and_tier_mix_follow_the_config() {
        let (p, _) = table(20_000, 2);
        let n = p.len() as f64;
        let frac = |c: Channel| p.channel.iter().filter(|&&x| x == c).count() as f64 / n;
        let mr = frac(Channel::Mother) + frac(Channel::Reseller);
        assert!((0.87..0.93).contains(&mr), "mothers and resellers {mr}");
        assert!(frac(Channel::Courier) > frac(Channel::Other));
        let tier = |t: u8| p.city_tier.iter().filter(|&&x| x == t).count() as f64 / n;
        assert!((0.15..0.21).contains(&tier(6)), "tier 6 {}", tier(6));
        assert!(
            tier(3) + tier(4) + tier(5) + tier(6) > 0.7,
            "lower tiers dominate"
        );
        assert!(p.city_tier.iter().all(|&t| (1..=6).contains(&t)));
    }

    #[test]
    fn inviters_are_earlier_and_mostly_alike() {
        let (p, truth) = table(5_000, 4);
        let mut invited = 0;
        let mut same = 0;
        for q in 0..p.len() {
            if let Some(inv) = p.inviter[q] {
                invited += 1;
                assert!((inv as usize) < q);
                assert!(p.joined_at[inv as usize] < p.joined_at[q]);
                same += usize::from(p.channel[inv as usize] == p.channel[q]);
            }
            assert!(p.joined_at[q].unwrap() < truth.active_from[q]);
            assert!(truth.active_from[q] < truth.active_until[q]);
        }
        let share = invited as f64 / p.len() as f64;
        assert!((0.8..0.9).contains(&share), "{share}");
        assert!(same as f64 > 0.6 * invited as f64);
    }

    #[test]
    fn tastes_differ_by_channel_and_individual() {
        let (p, truth) = table(5_000, 6);
        let mean = |c: Channel, k: usize| {
            let rows: Vec<usize> = (0..p.len()).filter(|&q| p.channel[q] == c).collect();
            rows.iter()
                .map(|&q| f64::from(truth.taste[q * N_TOPS + k]))
                .sum::<f64>()
                / rows.len() as f64
        };
        // baby (6) for mothers, 3C (8) for couriers
        assert!(mean(Channel::Mother, 6) > 2.0 * mean(Channel::Courier, 6));
        assert!(mean(Channel::Courier, 8) > 2.0 * mean(Channel::Mother, 8));
        assert_ne!(truth.taste[..N_TOPS], truth.taste[N_TOPS..2 * N_TOPS]);
        let activity = &truth.activity;
        let mut sorted = activity.clone();
        sorted.sort_by(f32::total_cmp);
        let top_decile: f32 = sorted[sorted.len() * 9 / 10..].iter().sum();
        let all: f32 = sorted.iter().sum();
        assert!(top_decile > 0.3 * all, "activity is long-tailed");
    }
}
