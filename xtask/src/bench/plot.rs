//! The recall-vs-QPS plot of a run, as a hand-written SVG in the style of ann-benchmarks:
//! recall@k on the x axis, single-thread queries per second on a log-scale y axis (up and to
//! the right is better), one polyline per index (and per filter selectivity), a marker per
//! knob value and a legend.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::report::{describe, Point};

const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 520.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 370.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 50.0;
const COLORS: &[&str] = &[
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#7f7f7f", "#bcbd22", "#393b79", "#e7969c", "#637939", "#aec7e8", "#843c39", "#ffbb78",
];

/// Escapes text for an SVG text node or attribute.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SVG document for `points`, titled `title`.
pub fn svg(title: &str, points: &[Point]) -> String {
    let mut series: BTreeMap<String, Vec<&Point>> = BTreeMap::new();
    for point in points.iter().filter(|point| point.qps > 0.0) {
        let mut name = format!("{} {}", point.index, describe(&point.params));
        if name.ends_with(" -") {
            name.truncate(name.len() - 2);
        }
        if let Some(selectivity) = point.filter_selectivity {
            let _ = write!(name, " (filter {}%)", selectivity * 100.0);
        }
        series.entry(name).or_default().push(point);
    }
    let min_recall = points.iter().map(|point| point.recall).fold(1.0, f64::min);
    let x_min = ((min_recall * 10.0).floor() / 10.0).clamp(0.0, 0.9);
    let qps = points
        .iter()
        .map(|point| point.qps)
        .filter(|qps| *qps > 0.0);
    let (low, high) = qps.fold((f64::MAX, f64::MIN), |(low, high), qps| {
        (low.min(qps), high.max(qps))
    });
    let (y_low, y_high) = if low <= high {
        (
            low.log10().floor(),
            high.log10().ceil().max(low.log10().floor() + 1.0),
        )
    } else {
        (0.0, 1.0)
    };
    let plot_width = WIDTH - LEFT - RIGHT;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let x_of = |recall: f64| LEFT + (recall - x_min) / (1.0 - x_min) * plot_width;
    let y_of = |qps: f64| TOP + (y_high - qps.log10()) / (y_high - y_low) * plot_height;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"sans-serif\" font-size=\"12\">"
    );
    let _ = writeln!(
        out,
        "<rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"white\"/>"
    );
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">{}</text>",
        LEFT + plot_width / 2.0,
        escape(title)
    );
    // Grid and ticks: recall every 0.1 (0.05 when the range is short), QPS at 1, 2 and 5
    // times each power of ten.
    let step = if 1.0 - x_min <= 0.3 { 0.05 } else { 0.1 };
    let mut tick = x_min;
    while tick <= 1.0 + 1e-9 {
        let x = x_of(tick);
        let _ = writeln!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{TOP}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#e5e5e5\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{tick:.2}</text>",
            TOP + plot_height,
            TOP + plot_height + 18.0
        );
        tick += step;
    }
    for power in y_low as i32..=y_high as i32 {
        for factor in [1.0, 2.0, 5.0] {
            let value = factor * 10f64.powi(power);
            if value.log10() > y_high + 1e-9 {
                continue;
            }
            let y = y_of(value);
            let _ = writeln!(
                out,
                "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{}\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{value}</text>",
                LEFT + plot_width,
                if factor == 1.0 { "#cccccc" } else { "#f0f0f0" },
                LEFT - 6.0,
                y + 4.0
            );
        }
    }
    let _ = writeln!(
        out,
        "<rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{plot_width}\" height=\"{plot_height}\" \
         fill=\"none\" stroke=\"black\"/>"
    );
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">recall@k</text>",
        LEFT + plot_width / 2.0,
        HEIGHT - 10.0
    );
    let _ = writeln!(
        out,
        "<text x=\"16\" y=\"{:.1}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {:.1})\">\
         queries per second, one thread (log scale)</text>",
        TOP + plot_height / 2.0,
        TOP + plot_height / 2.0
    );
    for (series_idx, (name, mut members)) in series.into_iter().enumerate() {
        members.sort_by(|a, b| a.recall.total_cmp(&b.recall));
        let color = COLORS[series_idx % COLORS.len()];
        let dash = if name.contains("(filter") {
            " stroke-dasharray=\"5 3\""
        } else {
            ""
        };
        let coordinates: Vec<String> = members
            .iter()
            .map(|point| format!("{:.1},{:.1}", x_of(point.recall), y_of(point.qps)))
            .collect();
        let _ = writeln!(
            out,
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash} points=\"{}\"/>",
            coordinates.join(" ")
        );
        for point in &members {
            let _ = writeln!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{color}\"><title>{}</title></circle>",
                x_of(point.recall),
                y_of(point.qps),
                escape(&format!(
                    "{name} {}: recall {:.4}, {:.0} QPS",
                    describe(&point.knob),
                    point.recall,
                    point.qps
                ))
            );
        }
        let legend_y = TOP + 10.0 + series_idx as f64 * 20.0;
        let legend_x = WIDTH - RIGHT + 16.0;
        let _ = writeln!(
            out,
            "<line x1=\"{legend_x}\" y1=\"{legend_y}\" x2=\"{}\" y2=\"{legend_y}\" \
             stroke=\"{color}\" stroke-width=\"2\"{dash}/>\
             <text x=\"{}\" y=\"{:.1}\">{}</text>",
            legend_x + 24.0,
            legend_x + 30.0,
            legend_y + 4.0,
            escape(&name)
        );
    }
    out.push_str("</svg>\n");
    out
}
