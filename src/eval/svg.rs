//! Hand-written SVG charts for the evaluation report: lines with interval whiskers,
//! grouped bars, and labelled scatter points. Every coordinate written is finite
//! (non-finite values are skipped) and every text is escaped.

use std::fmt::Write;

/// Colour-blind-safe palette (Okabe & Ito), one colour per series.
const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#8C6D1F", "#000000",
];

/// The colour of series `i`.
pub(crate) fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML and SVG text and attributes.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One line of a [`LineChart`]: points `(x, y)` with an optional interval per point.
pub(crate) struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub intervals: Vec<Option<(f64, f64)>>,
}

/// Lines over a numeric x axis (e.g. a metric against K).
pub(crate) struct LineChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
}

/// One group of bars (e.g. one segment), one value per series.
pub(crate) struct BarGroup {
    pub label: String,
    pub values: Vec<Option<f64>>,
    pub intervals: Vec<Option<(f64, f64)>>,
}

/// Grouped bars: groups along x, one bar per series in each.
pub(crate) struct BarChart {
    pub title: String,
    pub y_label: String,
    pub series: Vec<String>,
    pub groups: Vec<BarGroup>,
    pub width: f64,
}

/// A labelled point of a [`Scatter`]; `series` picks its colour and legend entry.
pub(crate) struct Point {
    pub label: String,
    pub series: String,
    pub x: f64,
    pub y: f64,
}

/// Labelled points (e.g. commission against NDCG, one point per model or per γ).
pub(crate) struct Scatter {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub points: Vec<Point>,
}

const H: f64 = 340.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 62.0;
const BOTTOM: f64 = 56.0;

/// A linear map from data to pixels with "nice" ticks (steps of 1, 2 or 5 × 10^e).
struct Axis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
    decimals: usize,
}

impl Axis {
    fn new(values: impl Iterator<Item = f64>, from_zero: bool) -> Axis {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values.filter(|v| v.is_finite()) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if !lo.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        if from_zero && lo > 0.0 {
            lo = 0.0;
        }
        if hi - lo < 1e-12 {
            let pad = if hi.abs() > 1e-12 {
                hi.abs() * 0.1
            } else {
                1.0
            };
            lo -= if from_zero && lo >= 0.0 { 0.0 } else { pad };
            hi += pad;
        }
        let raw = (hi - lo) / 5.0;
        let mag = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .iter()
            .map(|m| m * mag)
            .find(|&s| s >= raw)
            .unwrap_or(10.0 * mag);
        let lo = (lo / step).floor() * step;
        let hi = (hi / step).ceil() * step;
        let n = ((hi - lo) / step).round() as usize;
        let ticks = (0..=n).map(|i| lo + i as f64 * step).collect();
        let decimals = if step >= 1.0 {
            0
        } else {
            (-step.log10().floor()) as usize
        };
        Axis {
            lo,
            hi,
            ticks,
            decimals,
        }
    }

    /// Position of `v` on a pixel range `[a, b]`.
    fn map(&self, v: f64, a: f64, b: f64) -> f64 {
        a + (v - self.lo) / (self.hi - self.lo) * (b - a)
    }

    fn label(&self, v: f64) -> String {
        format!("{v:.*}", self.decimals)
    }
}

fn open(out: &mut String, width: f64, title: &str) {
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{H:.0}" viewBox="0 0 {width:.0} {H:.0}" role="img" aria-label="{t}"><title>{t}</title><rect x="0" y="0" width="{width:.0}" height="{H:.0}" fill="#fff"/><text x="{x:.1}" y="22" class="title" text-anchor="middle">{t}</text>"##,
        t = escape(title),
        x = width / 2.0,
    );
}

fn legend(out: &mut String, names: &[String], width: f64) {
    // Entries laid out left to right, wrapping onto a second row when needed.
    let (mut x, mut y) = (LEFT, 42.0);
    for (i, name) in names.iter().enumerate() {
        let w = 22.0 + 7.0 * name.chars().count() as f64 + 14.0;
        if x + w > width - RIGHT && x > LEFT {
            x = LEFT;
            y += 14.0;
        }
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="{:.1}" width="14" height="10" fill="{}"/><text x="{:.1}" y="{:.1}" class="legend">{}</text>"#,
            y - 9.0,
            colour(i),
            x + 18.0,
            y,
            escape(name)
        );
        x += w;
    }
}

fn y_axis(out: &mut String, ax: &Axis, width: f64, label: &str) {
    for &t in &ax.ticks {
        let y = ax.map(t, H - BOTTOM, TOP);
        let _ = write!(
            out,
            r#"<line x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" class="grid"/><text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{}</text>"#,
            width - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            ax.label(t)
        );
    }
    let mid = (TOP + H - BOTTOM) / 2.0;
    let _ = write!(
        out,
        r#"<text x="16" y="{mid:.1}" class="axis" text-anchor="middle" transform="rotate(-90 16 {mid:.1})">{}</text><line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{:.1}" class="frame"/><line x1="{LEFT}" x2="{:.1}" y1="{:.1}" y2="{:.1}" class="frame"/>"#,
        escape(label),
        H - BOTTOM,
        width - RIGHT,
        H - BOTTOM,
        H - BOTTOM
    );
}

fn x_label(out: &mut String, width: f64, label: &str) {
    let _ = write!(
        out,
        r#"<text x="{:.1}" y="{:.1}" class="axis" text-anchor="middle">{}</text>"#,
        (LEFT + width - RIGHT) / 2.0,
        H - 10.0,
        escape(label)
    );
}

fn no_data(out: &mut String, width: f64) {
    let _ = write!(
        out,
        r#"<text x="{:.1}" y="{:.1}" class="axis" text-anchor="middle">no data</text>"#,
        width / 2.0,
        H / 2.0
    );
}

fn finite(p: &(f64, f64)) -> bool {
    p.0.is_finite() && p.1.is_finite()
}

/// A line chart with interval whiskers, `width` pixels wide.
pub(crate) fn line_chart(c: &LineChart, width: f64) -> String {
    let mut out = String::new();
    open(&mut out, width, &c.title);
    let pts = || {
        c.series
            .iter()
            .flat_map(|s| s.points.iter().filter(|p| finite(p)))
    };
    let ivs = || {
        c.series
            .iter()
            .flat_map(|s| s.intervals.iter().flatten().flat_map(|&(a, b)| [a, b]))
    };
    if pts().next().is_none() {
        no_data(&mut out, width);
        out.push_str("</svg>");
        return out;
    }
    let xs: Vec<f64> = pts().map(|p| p.0).collect();
    let ax = Axis::new(xs.iter().copied(), false);
    let ay = Axis::new(pts().map(|p| p.1).chain(ivs()), true);
    let names: Vec<String> = c.series.iter().map(|s| s.name.clone()).collect();
    legend(&mut out, &names, width);
    y_axis(&mut out, &ay, width, &c.y_label);
    // x ticks at the data's own x values (the cut-offs), not a nice grid.
    let mut xt: Vec<f64> = xs.clone();
    xt.sort_by(f64::total_cmp);
    xt.dedup();
    for &t in &xt {
        let x = ax.map(t, LEFT + 16.0, width - RIGHT - 16.0);
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"#,
            H - BOTTOM + 16.0,
            ax.label(t)
        );
    }
    x_label(&mut out, width, &c.x_label);
    let n = c.series.len().max(1) as f64;
    for (i, s) in c.series.iter().enumerate() {
        // Nudge series apart so whiskers do not hide each other.
        let nudge = (i as f64 - (n - 1.0) / 2.0) * 4.0;
        let px = |x: f64| ax.map(x, LEFT + 16.0, width - RIGHT - 16.0) + nudge;
        let py = |y: f64| ay.map(y, H - BOTTOM, TOP);
        let path: Vec<String> = s
            .points
            .iter()
            .filter(|p| finite(p))
            .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
            .collect();
        let _ = write!(
            out,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
            path.join(" "),
            colour(i)
        );
        for (j, &(x, y)) in s.points.iter().enumerate() {
            if !finite(&(x, y)) {
                continue;
            }
            if let Some(Some((lo, hi))) = s.intervals.get(j) {
                if lo.is_finite() && hi.is_finite() {
                    let _ = write!(
                        out,
                        r#"<line x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}" stroke="{c}" stroke-width="1.5"/><line x1="{:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="{c}"/><line x1="{:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="{c}"/>"#,
                        py(*lo),
                        py(*hi),
                        px(x) - 4.0,
                        px(x) + 4.0,
                        py(*lo),
                        py(*lo),
                        px(x) - 4.0,
                        px(x) + 4.0,
                        py(*hi),
                        py(*hi),
                        x = px(x),
                        c = colour(i)
                    );
                }
            }
            let _ = write!(
                out,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{}"/>"#,
                px(x),
                py(y),
                colour(i)
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// A grouped bar chart with interval whiskers.
pub(crate) fn bar_chart(c: &BarChart) -> String {
    let width = c.width;
    let mut out = String::new();
    open(&mut out, width, &c.title);
    let vals = || {
        c.groups
            .iter()
            .flat_map(|g| g.values.iter().flatten().copied())
            .filter(|v| v.is_finite())
    };
    if vals().next().is_none() || c.groups.is_empty() {
        no_data(&mut out, width);
        out.push_str("</svg>");
        return out;
    }
    let ivs = c
        .groups
        .iter()
        .flat_map(|g| g.intervals.iter().flatten().flat_map(|&(a, b)| [a, b]));
    let ay = Axis::new(vals().chain(ivs), true);
    legend(&mut out, &c.series, width);
    y_axis(&mut out, &ay, width, &c.y_label);
    let plot_w = width - LEFT - RIGHT;
    let gw = plot_w / c.groups.len() as f64;
    let ns = c.series.len().max(1) as f64;
    let bw = (gw * 0.8 / ns).min(40.0);
    let py = |y: f64| ay.map(y, H - BOTTOM, TOP);
    let base = py(ay.lo.max(0.0).min(ay.hi));
    let max_chars = ((gw / 6.5) as usize).max(3);
    for (g, group) in c.groups.iter().enumerate() {
        let gx = LEFT + g as f64 * gw + gw / 2.0;
        let mut label: String = group.label.chars().take(max_chars).collect();
        if group.label.chars().count() > max_chars {
            label.pop();
            label.push('…');
        }
        let _ = write!(
            out,
            r#"<text x="{gx:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"#,
            H - BOTTOM + 16.0,
            escape(&label)
        );
        for (s, v) in group.values.iter().enumerate() {
            let Some(v) = v.filter(|v| v.is_finite()) else {
                continue;
            };
            let x = gx - bw * ns / 2.0 + s as f64 * bw;
            let (y0, y1) = (py(v).min(base), py(v).max(base));
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{y0:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{}: {v:.4}</title></rect>"#,
                (bw - 2.0).max(1.0),
                (y1 - y0).max(0.5),
                colour(s),
                escape(c.series.get(s).map_or("", String::as_str))
            );
            if let Some(Some((lo, hi))) = group.intervals.get(s) {
                if lo.is_finite() && hi.is_finite() {
                    let cx = x + (bw - 2.0).max(1.0) / 2.0;
                    let _ = write!(
                        out,
                        r##"<line x1="{cx:.1}" x2="{cx:.1}" y1="{:.1}" y2="{:.1}" stroke="#333" stroke-width="1.2"/>"##,
                        py(*lo),
                        py(*hi)
                    );
                }
            }
        }
    }
    out.push_str("</svg>");
    out
}

/// A scatter of labelled points, coloured by series, `width` pixels wide.
/// A label's box: left, top, right, bottom (px).
type Box2 = (f64, f64, f64, f64);

/// Where the label of the point at `(x, y)` goes: the first of eight spots around it
/// (right above, right below, left above, left below, then further out) whose box
/// overlaps no label placed before, else the first spot; labels near the right edge
/// try the left first. Returns the text position and anchor, and records the box.
fn place_label(
    x: f64,
    y: f64,
    label: &str,
    width: f64,
    placed: &mut Vec<Box2>,
) -> (f64, f64, &'static str) {
    // 12 px text: about 6.5 px per character, baseline 3 px above the bottom.
    let w = 6.5 * label.chars().count() as f64;
    let right = [(8.0, -8.0), (8.0, 16.0), (8.0, -22.0), (8.0, 30.0)];
    let left = [(-8.0, -8.0), (-8.0, 16.0), (-8.0, -22.0), (-8.0, 30.0)];
    let spots: Vec<(f64, f64, &'static str)> = if x > width - 140.0 {
        left.iter()
            .map(|&(dx, dy)| (dx, dy, "end"))
            .chain(right.iter().map(|&(dx, dy)| (dx, dy, "start")))
            .collect()
    } else {
        right
            .iter()
            .map(|&(dx, dy)| (dx, dy, "start"))
            .chain(left.iter().map(|&(dx, dy)| (dx, dy, "end")))
            .collect()
    };
    let box_of = |(dx, dy, anchor): (f64, f64, &str)| -> Box2 {
        let (tx, ty) = (x + dx, y + dy);
        let (l, r) = if anchor == "end" {
            (tx - w, tx)
        } else {
            (tx, tx + w)
        };
        (l, ty - 10.0, r, ty + 3.0)
    };
    let overlaps = |a: &Box2, b: &Box2| a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3;
    let chosen = spots
        .iter()
        .copied()
        .find(|&spot| {
            let b = box_of(spot);
            !placed.iter().any(|p| overlaps(p, &b))
        })
        .unwrap_or(spots[0]);
    placed.push(box_of(chosen));
    (x + chosen.0, y + chosen.1, chosen.2)
}

pub(crate) fn scatter(c: &Scatter, width: f64) -> String {
    let mut out = String::new();
    open(&mut out, width, &c.title);
    let pts: Vec<&Point> = c
        .points
        .iter()
        .filter(|p| p.x.is_finite() && p.y.is_finite())
        .collect();
    if pts.is_empty() {
        no_data(&mut out, width);
        out.push_str("</svg>");
        return out;
    }
    let ax = Axis::new(pts.iter().map(|p| p.x), true);
    let ay = Axis::new(pts.iter().map(|p| p.y), true);
    let mut names: Vec<String> = Vec::new();
    for p in &pts {
        if !names.contains(&p.series) {
            names.push(p.series.clone());
        }
    }
    legend(&mut out, &names, width);
    y_axis(&mut out, &ay, width, &c.y_label);
    for &t in &ax.ticks {
        let x = ax.map(t, LEFT, width - RIGHT);
        let _ = write!(
            out,
            r#"<line x1="{x:.1}" x2="{x:.1}" y1="{TOP}" y2="{:.1}" class="grid"/><text x="{x:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"#,
            H - BOTTOM,
            H - BOTTOM + 16.0,
            ax.label(t)
        );
    }
    x_label(&mut out, width, &c.x_label);
    let mut placed: Vec<Box2> = Vec::new();
    for p in &pts {
        let s = names.iter().position(|x| x == &p.series).unwrap_or(0);
        let (x, y) = (
            ax.map(p.x, LEFT, width - RIGHT),
            ay.map(p.y, H - BOTTOM, TOP),
        );
        let (lx, ly, anchor) = place_label(x, y, &p.label, width, &mut placed);
        let _ = write!(
            out,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="5" fill="{}"><title>{}</title></circle><text x="{lx:.1}" y="{ly:.1}" class="point" text-anchor="{anchor}">{}</text>"#,
            colour(s),
            escape(&format!("{}: ({:.4}, {:.4})", p.label, p.x, p.y)),
            escape(&p.label)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_of_close_points_do_not_overlap() {
        let mut placed = Vec::new();
        let a = place_label(100.0, 100.0, "blend", 570.0, &mut placed);
        let b = place_label(102.0, 101.0, "γ=0.5", 570.0, &mut placed);
        let c = place_label(101.0, 99.0, "γ=0", 570.0, &mut placed);
        assert_eq!(placed.len(), 3);
        for i in 0..3 {
            for j in i + 1..3 {
                let (p, q) = (placed[i], placed[j]);
                assert!(
                    !(p.0 < q.2 && q.0 < p.2 && p.1 < q.3 && q.1 < p.3),
                    "{a:?} {b:?} {c:?}"
                );
            }
        }
        // A lone point keeps the first spot: right of it, above.
        let mut fresh = Vec::new();
        assert_eq!(
            place_label(10.0, 50.0, "x", 570.0, &mut fresh),
            (18.0, 42.0, "start")
        );
        // Near the right edge the label goes left.
        assert_eq!(place_label(560.0, 50.0, "x", 570.0, &mut fresh).2, "end");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape(r#"a<b&"c'"#), "a&lt;b&amp;&quot;c&#39;");
    }

    #[test]
    fn axis_has_nice_ticks_covering_the_data() {
        let a = Axis::new([0.013, 0.171].into_iter(), true);
        assert_eq!(a.lo, 0.0);
        assert!(a.hi >= 0.171 && a.hi <= 0.2 + 1e-12, "{}", a.hi);
        assert_eq!(a.decimals, 2);
        let flat = Axis::new([3.0, 3.0].into_iter(), false);
        assert!(flat.hi > flat.lo);
        let none = Axis::new([f64::NAN].into_iter(), true);
        assert_eq!((none.lo, none.hi), (0.0, 1.0));
    }

    #[test]
    fn non_finite_values_never_reach_the_svg() {
        let c = LineChart {
            title: "t<".into(),
            x_label: "K".into(),
            y_label: "y".into(),
            series: vec![Series {
                name: "m&".into(),
                points: vec![(5.0, 0.1), (10.0, f64::NAN), (20.0, 0.3)],
                intervals: vec![Some((0.05, 0.15)), None, Some((f64::INFINITY, 0.4))],
            }],
        };
        let svg = line_chart(&c, 500.0);
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        assert!(svg.contains("t&lt;") && svg.contains("m&amp;"));
        let empty = scatter(
            &Scatter {
                title: "s".into(),
                x_label: "x".into(),
                y_label: "y".into(),
                points: vec![],
            },
            400.0,
        );
        assert!(empty.contains("no data") && empty.ends_with("</svg>"));
    }
}
