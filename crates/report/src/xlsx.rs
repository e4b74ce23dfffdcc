//! Excel: a workbook with the summary on the first sheet and a sheet per section. Figures
//! are numbers (formatted as the report prints them), so they can be computed with;
//! charts are Excel's own, drawn from the points written beside them.

use rust_xlsxwriter::{Chart as XChart, ChartType, Color, Format, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::document::{Block, Chart, ChartKind, Document, Figure, Table};

struct Styles {
    title: Format,
    heading: Format,
    header: Format,
    group: Format,
    text: Format,
    note: Format,
}

impl Styles {
    fn new() -> Self {
        let border = |f: Format| f.set_border(FormatBorder::Thin);
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            heading: Format::new().set_bold().set_font_size(12),
            header: border(Format::new().set_bold().set_background_color(Color::RGB(0xEEF1F5)).set_text_wrap()),
            group: border(Format::new().set_bold().set_background_color(Color::RGB(0xF7F8FA))),
            text: border(Format::new().set_text_wrap()),
            note: Format::new().set_italic().set_font_color(Color::RGB(0x555555)),
        }
    }
}

/// A sheet name Excel accepts: at most 31 characters, none of []:*?/\, unique.
fn sheet_name(key: &str, taken: &mut Vec<String>) -> String {
    let clean: String = key.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(28).collect();
    let base = if clean.is_empty() { "Sheet".to_owned() } else { clean };
    let mut name = base.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        name = format!("{base} {n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}

/// The Excel number format that shows a figure as the report prints it.
fn number_format(f: &Figure) -> Format {
    let mut format = String::from("#,##0");
    if f.decimals > 0 {
        format.push('.');
        format.push_str(&"0".repeat(f.decimals as usize));
    }
    if f.percent {
        format.push_str("\"%\"");
    }
    Format::new().set_num_format(format).set_border(FormatBorder::Thin)
}

pub fn render(doc: &Document) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::new();
    let mut book = Workbook::new();
    let mut taken = Vec::new();
    let first = book.add_worksheet();
    first.set_name(sheet_name(if doc.lang == model::Lang::Vi { "Tóm tắt" } else { "Summary" }, &mut taken))?;
    first.set_column_width(0, 110)?;
    first.write_string_with_format(0, 0, &doc.title, &styles.title)?;
    first.write_string(1, 0, &doc.subtitle)?;
    first.write_string_with_format(2, 0, &doc.as_of, &styles.note)?;
    for (i, line) in doc.summary.iter().enumerate() {
        first.write_string(4 + i as u32, 0, format!("• {line}"))?;
    }
    for section in &doc.sections {
        let name = sheet_name(&section.key, &mut taken);
        let sheet = book.add_worksheet();
        sheet.set_name(&name)?;
        sheet.set_paper_size(9); // A4
        sheet.write_string_with_format(0, 0, &section.heading, &styles.heading)?;
        let mut row: u32 = 2;
        let mut widths: Vec<usize> = Vec::new();
        for block in &section.blocks {
            row = match block {
                Block::Paragraph(t) | Block::NoData(t) => {
                    sheet.write_string(row, 0, t)?;
                    row + 2
                }
                Block::Table(t) => table(sheet, &styles, t, row, &mut widths)?,
                Block::Chart(c) => chart(sheet, &name, c, row)?,
            };
        }
        for (col, w) in widths.iter().enumerate() {
            sheet.set_column_width(col as u16, (*w as f64).clamp(6.0, 60.0))?;
        }
    }
    book.save_to_buffer()
}

fn table(
    sheet: &mut Worksheet,
    s: &Styles,
    t: &Table,
    mut row: u32,
    widths: &mut Vec<usize>,
) -> Result<u32, XlsxError> {
    let mut widen = |col: usize, text: &str| {
        if widths.len() <= col {
            widths.resize(col + 1, 0);
        }
        widths[col] = widths[col].max(text.chars().count() + 2);
    };
    if let Some(title) = &t.title {
        sheet.write_string_with_format(row, 0, title, &s.heading)?;
        row += 1;
    }
    for (col, c) in t.columns.iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, &c.name, &s.header)?;
        widen(col, &c.name);
    }
    row += 1;
    for group in &t.groups {
        if let Some(h) = &group.heading {
            sheet.write_string_with_format(row, 0, h, &s.group)?;
            for col in 1..t.columns.len() {
                sheet.write_blank(row, col as u16, &s.group)?;
            }
            row += 1;
        }
        for cells in &group.rows {
            for (col, cell) in cells.iter().enumerate() {
                let notes: String = cell.notes.iter().map(|n| format!(" ({n})")).collect();
                match cell.figure {
                    Some(f) if notes.is_empty() => {
                        sheet.write_number_with_format(row, col as u16, f.value, &number_format(&f))?;
                    }
                    _ => {
                        sheet.write_string_with_format(row, col as u16, format!("{}{notes}", cell.text), &s.text)?;
                    }
                }
                widen(col, &cell.text);
            }
            row += 1;
        }
    }
    for (i, note) in t.footnotes.iter().enumerate() {
        sheet.write_string_with_format(row, 0, format!("({}) {note}", i + 1), &s.note)?;
        row += 1;
    }
    Ok(row + 1)
}

/// Writes the chart's points as a small table and draws the chart from them.
fn chart(sheet: &mut Worksheet, name: &str, c: &Chart, row: u32) -> Result<u32, XlsxError> {
    for (i, cat) in c.categories.iter().enumerate() {
        sheet.write_string(row, 1 + i as u16, cat)?;
    }
    for (k, series) in c.series.iter().enumerate() {
        let r = row + 1 + k as u32;
        sheet.write_string(r, 0, &series.name)?;
        for (i, v) in series.values.iter().enumerate() {
            if let Some(v) = v {
                sheet.write_number(r, 1 + i as u16, *v)?;
            }
        }
    }
    let mut x = XChart::new(match c.kind {
        ChartKind::Line => ChartType::Line,
        ChartKind::Bar => ChartType::Column,
    });
    x.title().set_name(&c.title);
    if let Some(max) = c.max {
        x.y_axis().set_min(0).set_max(max);
    }
    let last_col = c.categories.len().max(1) as u16;
    for (k, series) in c.series.iter().enumerate() {
        let r = row + 1 + k as u32;
        x.add_series()
            .set_name(series.name.as_str())
            .set_categories((name, row, 1, row, last_col))
            .set_values((name, r, 1, r, last_col));
    }
    let below = row + 2 + c.series.len() as u32;
    sheet.insert_chart(below, 0, &x)?;
    // A chart covers about 15 rows.
    Ok(below + 17)
}
