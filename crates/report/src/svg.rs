//! Charts as SVG, drawn with plotters, so that an HTML report needs no script to show
//! them and prints as sharply as its text.

use model::Lang;
use plotters::prelude::*;

use crate::document::{Chart, ChartKind};

const WIDTH: u32 = 640;
const HEIGHT: u32 = 300;
const PALETTE: [RGBColor; 5] = [
    RGBColor(0x1f, 0x5f, 0xa8),
    RGBColor(0xc8, 0x3e, 0x2d),
    RGBColor(0x2e, 0x8b, 0x57),
    RGBColor(0xd9, 0x8e, 0x04),
    RGBColor(0x6a, 0x4c, 0x93),
];

/// The chart as an `<svg>` element; None if plotters could not draw it.
pub fn render(chart: &Chart, lang: Lang) -> Option<String> {
    let number = |y: f64| model::display::number(y, chart.decimals, lang);
    let mut out = String::new();
    draw(chart, &number, &mut out).ok()?;
    Some(out)
}

fn draw(chart: &Chart, number: &dyn Fn(f64) -> String, out: &mut String) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(out, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let n = chart.categories.len().max(1);
    let highest = chart.series.iter().flat_map(|s| s.values.iter().flatten()).copied().fold(0.0, f64::max);
    let top = chart.max.unwrap_or(if highest > 0.0 { highest * 1.15 } else { 1.0 });
    let mut ctx = ChartBuilder::on(&root)
        .caption(&chart.title, ("sans-serif", 16))
        .margin(12)
        .x_label_area_size(32)
        .y_label_area_size(48)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..top)?;
    let categories = &chart.categories;
    ctx.configure_mesh()
        .disable_x_mesh()
        .x_labels(n)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                categories.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| number(*y))
        .draw()?;
    let series_count = chart.series.len().max(1) as f64;
    for (k, series) in chart.series.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let points: Vec<(f64, f64)> =
            series.values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i as f64, v))).collect();
        match chart.kind {
            ChartKind::Line => {
                ctx.draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))?
                    .label(series.name.as_str())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2)));
                ctx.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
            }
            ChartKind::Bar => {
                let width = 0.8 / series_count;
                let left = -0.4 + width * k as f64;
                ctx.draw_series(
                    points
                        .iter()
                        .map(|&(x, y)| Rectangle::new([(x + left, 0.0), (x + left + width * 0.9, y)], color.filled())),
                )?
                .label(series.name.as_str())
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));
            }
        }
    }
    if chart.series.len() > 1 {
        ctx.configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .border_style(BLACK.mix(0.3))
            .background_style(WHITE.mix(0.9))
            .draw()?;
    }
    root.present()?;
    Ok(())
}
