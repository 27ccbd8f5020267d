//! The recall-vs-QPS plot of a run, as an SVG drawn with `plotters` in the style of
//! ann-benchmarks: recall@k on the x axis, single-thread queries per second on a log-scale
//! y axis (up and to the right is better), one line per index (and per filter selectivity)
//! with a marker per knob value, and a legend beside the chart.
//!
//! Only the SVG backend is used: it writes text as `<text>` elements for the viewer to lay
//! out, so no font files are read.

use std::collections::BTreeMap;
use std::fmt::Write;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::report::{describe, Point};

// Font sizes below are plotters' (it writes `font-size` as the size / 1.24).
const WIDTH: u32 = 1100;
const HEIGHT: u32 = 520;
/// The legend's width, right of the chart.
const LEGEND_WIDTH: u32 = 410;
const COLORS: &[RGBColor] = &[
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x17, 0xbe, 0xcf),
    RGBColor(0x7f, 0x7f, 0x7f),
    RGBColor(0xbc, 0xbd, 0x22),
    RGBColor(0x39, 0x3b, 0x79),
    RGBColor(0xe7, 0x96, 0x9c),
    RGBColor(0x63, 0x79, 0x39),
    RGBColor(0xae, 0xc7, 0xe8),
    RGBColor(0x84, 0x3c, 0x39),
    RGBColor(0xff, 0xbb, 0x78),
];

/// The y axis's title.
pub const QPS_LABEL: &str = "queries per second, one thread (log scale)";
/// The x axis's title.
pub const RECALL_LABEL: &str = "recall@k";

/// Escapes text for an SVG text node or attribute.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SVG document for `points`, titled `title`.
pub fn svg(title: &str, points: &[Point]) -> String {
    let mut out = String::new();
    match draw(&mut out, title, points) {
        Ok(()) => out,
        // Drawing into a string has no I/O to fail and the SVG backend needs no fonts, so
        // this is not expected; the file still says what went wrong.
        Err(error) => format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\">\
             <text x=\"10\" y=\"20\">cannot draw the plot: {}</text></svg>\n",
            escape(&error.to_string())
        ),
    }
}

/// The points with a positive QPS grouped into series by their name, each sorted by recall.
fn series(points: &[Point]) -> BTreeMap<String, Vec<&Point>> {
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
    for members in series.values_mut() {
        members.sort_by(|a, b| a.recall.total_cmp(&b.recall));
    }
    series
}

/// Draws the chart and its legend into `out`.
fn draw(out: &mut String, title: &str, points: &[Point]) -> Result<(), Box<dyn std::error::Error>> {
    let series = series(points);
    let min_recall = points.iter().map(|point| point.recall).fold(1.0, f64::min);
    let x_min = ((min_recall * 10.0).floor() / 10.0).clamp(0.0, 0.9);
    let (low, high) = series
        .values()
        .flatten()
        .fold((f64::MAX, f64::MIN), |(low, high), point| {
            (low.min(point.qps), high.max(point.qps))
        });
    // Whole decades around the measured QPS.
    let (y_low, y_high) = if low <= high {
        let floor = low.log10().floor();
        (floor, high.log10().ceil().max(floor + 1.0))
    } else {
        (0.0, 1.0)
    };

    let root = SVGBackend::with_string(out, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let below_title = root.titled(title, ("sans-serif", 22))?;
    let (chart_area, legend_area) = below_title.split_horizontally(WIDTH - LEGEND_WIDTH);
    let mut chart = ChartBuilder::on(&chart_area)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(
            x_min..1.0,
            (10f64.powf(y_low)..10f64.powf(y_high)).log_scale(),
        )?;
    let x_format = |recall: &f64| format!("{recall:.2}");
    let y_format = |qps: &f64| format!("{}", (qps * 1000.0).round() / 1000.0);
    chart
        .configure_mesh()
        .x_desc(RECALL_LABEL)
        .y_desc(QPS_LABEL)
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 16))
        .max_light_lines(4)
        .light_line_style(RGBColor(0xf0, 0xf0, 0xf0))
        .bold_line_style(RGBColor(0xd8, 0xd8, 0xd8))
        .draw()?;

    for (series_idx, (name, members)) in series.iter().enumerate() {
        let color = COLORS[series_idx % COLORS.len()];
        // Filtered sweeps: a thinner line and hollow markers.
        let filtered = name.contains("(filter");
        let coordinates = members.iter().map(|point| (point.recall, point.qps));
        let line_width = if filtered { 1 } else { 2 };
        chart.draw_series(LineSeries::new(
            coordinates.clone(),
            color.stroke_width(line_width),
        ))?;
        let marker = if filtered {
            color.stroke_width(1)
        } else {
            color.filled()
        };
        chart.draw_series(coordinates.map(|at| Circle::new(at, 3, marker)))?;
        draw_legend_entry(&legend_area, series_idx, name, color, filtered)?;
    }
    root.present()?;
    Ok(())
}

/// One legend line: a swatch in the series' color and its name.
fn draw_legend_entry(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    row: usize,
    name: &str,
    color: RGBColor,
    filtered: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let y = 20 + row as i32 * 20;
    let swatch = if filtered {
        color.stroke_width(1)
    } else {
        color.filled()
    };
    area.draw(&Rectangle::new([(8, y - 2), (32, y + 2)], swatch))?;
    let style = ("sans-serif", 15)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    area.draw(&Text::new(name.to_string(), (40, y), style))?;
    Ok(())
}
