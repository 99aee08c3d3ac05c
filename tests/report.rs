//! The HTML evaluation report: well-formed enough, finite coordinates, escaped text,
//! every model and headline figure present.

use crate::util::{hand_split_at, hand_world, DAY};
use kocrank::eval::report::{Report, TradeoffPoint};
use kocrank::eval::{paired_comparison, EvalConfig};
use kocrank::study::compare;
use kocrank::{Config, ModelKind};

fn reports() -> Vec<kocrank::eval::EvalReport> {
    let split = hand_world().split(hand_split_at(), 30 * DAY).unwrap();
    let configs: Vec<Config> = [ModelKind::Baseline, ModelKind::Popularity]
        .iter()
        .map(|&m| {
            let mut c = Config {
                model: m,
                ..Config::default()
            };
            c.repurchase.durable_categories = vec!["3c".into()];
            c
        })
        .collect();
    let cfg = EvalConfig {
        ks: vec![1, 3, 5],
        ..EvalConfig::default()
    };
    compare(&split, &configs, &cfg).unwrap()
}

#[test]
fn report_is_self_contained_well_formed_and_complete() {
    let mut reps = reports();
    // A hostile model name must come out escaped.
    reps[1].model = "pop<&>\"ular".into();
    let paired =
        vec![paired_comparison(&reps[0], &reps[1], "ndcg", 5, &Default::default()).unwrap()];
    let html = Report {
        notes: vec!["data: <hand world> & friends".into()],
        reports: &reps,
        paired: &paired,
        tradeoff: vec![TradeoffPoint {
            label: "γ=0.5".into(),
            series: "baseline".into(),
            ndcg: 0.5,
            commission: f64::NAN,
        }],
        ..Report::default()
    }
    .html();
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    // Every <svg is closed, and there are at least the 4 curves + 4 trade-off/bias
    // plots + 3 segment plots.
    let opened = html.matches("<svg").count();
    assert_eq!(opened, html.matches("</svg>").count());
    assert!(opened >= 11, "{opened}");
    // No external fetch, no script.
    for bad in ["<script", "src=\"http", "href=\"http", "@import", "url("] {
        assert!(!html.contains(bad), "{bad}");
    }
    // Escaped text; the raw name never appears.
    assert!(html.contains("pop&lt;&amp;&gt;&quot;ular"));
    assert!(!html.contains("pop<&>"));
    assert!(html.contains("&lt;hand world&gt; &amp; friends"));
    // No non-finite number anywhere in the markup (coordinates included).
    for bad in ["NaN", "inf\"", "=\"inf", "-inf"] {
        assert!(!html.contains(bad), "{bad}");
    }
    assert!(html.contains("baseline"));
    // Headline figures as the table prints them.
    for r in &reps {
        for m in &r.overall {
            assert!(html.contains(&format!("{:.4}", m.ndcg)));
            assert!(html.contains(&format!("{:.2}", m.commission)));
        }
        let iv = r.intervals[2].get("ndcg").unwrap();
        assert!(html.contains(&format!("[{:.4}, {:.4}]", iv.lo, iv.hi)));
    }
    assert!(html.contains("Paired comparisons"));
}

#[test]
fn sampled_reports_say_so() {
    let split = hand_world().split(hand_split_at(), 30 * DAY).unwrap();
    let ranker = kocrank::Ranker::new(
        kocrank::train(
            &split.train,
            &Config::with_model(kocrank::ModelKind::Baseline),
        )
        .unwrap(),
    );
    let cfg = EvalConfig {
        ks: vec![2],
        sampled_negatives: Some(2),
        ..EvalConfig::default()
    };
    let r = kocrank::eval::evaluate(&ranker, &split.test, &cfg).unwrap();
    assert_eq!(r.sampled_negatives, Some(2));
    let reps = [r];
    let html = Report {
        reports: &reps,
        ..Report::default()
    }
    .html();
    assert!(html.contains("SAMPLED metrics"));
    assert!(html.contains("(sampled)"));
    assert!(kocrank::eval::comparison_table(&reps).starts_with("SAMPLED"));
}

#[test]
fn replayed_lists_get_their_own_chart() {
    use kocrank::eval::report::ReplayPoint;
    let reps = reports();
    let plain = Report {
        reports: &reps,
        ..Report::default()
    }
    .html();
    let html = Report {
        reports: &reps,
        replay: vec![
            ReplayPoint {
                label: "her <own> browsing".into(),
                orders: 21.2,
                commission: 268.8,
            },
            ReplayPoint {
                label: "blend".into(),
                orders: 24.3,
                commission: f64::NAN,
            },
        ],
        ..Report::default()
    }
    .html();
    assert_eq!(
        html.matches("<svg").count(),
        plain.matches("<svg").count() + 1
    );
    assert!(html.contains("test window replayed"));
    assert!(html.contains("her &lt;own&gt; browsing") && !html.contains("her <own>"));
    assert!(!html.contains("NaN"));
}

#[test]
fn an_auto_model_shows_what_it_tried_and_chose() {
    let w = kocrank::synth::generate(kocrank::synth::Scale::Tiny, 21).unwrap();
    let split = w.dataset.split(w.suggested_split(), 30 * DAY).unwrap();
    let mut auto = Config::default();
    auto.auto.max_trials = 4;
    let reps = compare(
        &split,
        &[auto, Config::with_model(ModelKind::Popularity)],
        &EvalConfig::default(),
    )
    .unwrap();
    let sel = reps[0]
        .selection
        .clone()
        .expect("auto's report carries its selection");
    assert!(reps[1].selection.is_none());
    let html = Report {
        reports: &reps,
        ..Report::default()
    }
    .html();
    assert_eq!(
        html.matches("<h2>What auto tried").count(),
        1,
        "one table, for auto only"
    );
    for t in &sel.trials {
        assert!(html.contains(&format!("{:.4}", t.ndcg)), "{}", t.label());
    }
    assert!(html.contains(&format!("★ {}", sel.chosen_label)));
}
