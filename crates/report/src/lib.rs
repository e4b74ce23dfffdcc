//! Reports: a document model (`document`) that `ops` assembles from the store, and its
//! renderings: a printable HTML page with SVG charts, Markdown, and an Excel workbook
//! with native charts. Nothing here reads a database or a file.

pub mod document;
mod html;
mod markdown;
mod svg;
mod xlsx;

pub use document::{Block, Cell, Chart, ChartKind, Column, Document, Figure, RowGroup, Section, Series, Table};

/// A chart as an inline `<svg>` element, for pages outside reports.
pub fn chart_svg(chart: &Chart, lang: model::Lang) -> Option<String> {
    svg::render(chart, lang)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Html,
    Markdown,
    Xlsx,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "html" => Ok(Format::Html),
            "md" | "markdown" => Ok(Format::Markdown),
            "xlsx" | "excel" => Ok(Format::Xlsx),
            other => Err(format!("unknown report format '{other}'; expected html, md or xlsx")),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the page could not be rendered: {0}")]
    Html(#[from] askama::Error),
    #[error("the workbook could not be written: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// The report in a format, as the bytes of a file. `tools` is HTML for the top of the
/// page on screen (links), ignored by the other formats.
pub fn render(doc: &Document, format: Format, tools: Option<&str>) -> Result<Vec<u8>, RenderError> {
    Ok(match format {
        Format::Html => html::render(doc, tools)?.into_bytes(),
        Format::Markdown => markdown::render(doc).into_bytes(),
        Format::Xlsx => xlsx::render(doc)?,
    })
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx};
    use model::Lang;

    use super::*;

    fn doc() -> Document {
        let table = Table {
            title: Some("Kế hoạch 2022".into()),
            columns: vec![
                Column { name: "Chỉ tiêu".into(), numeric: false },
                Column { name: "Kết quả".into(), numeric: true },
            ],
            groups: vec![
                RowGroup {
                    heading: Some("I. Đã hoàn thành".into()),
                    rows: vec![vec![
                        Cell::text("Hồ sơ trực tuyến | nộp"),
                        Cell::figure("54,34%", Figure { value: 54.34, decimals: 2, percent: true }).with_notes(vec![1]),
                    ]],
                },
                RowGroup {
                    heading: Some("II. Chưa hoàn thành".into()),
                    rows: vec![vec![
                        Cell::text("Dữ liệu mở"),
                        Cell::figure("11,8%", Figure { value: 11.8, decimals: 1, percent: true }),
                    ]],
                },
            ],
            footnotes: vec!["Số liệu đã điều chỉnh: 52,80%.".into()],
        };
        let chart = Chart {
            kind: ChartKind::Line,
            title: "Chỉ số".into(),
            categories: vec!["2020".into(), "2021".into(), "2022".into()],
            series: vec![Series { name: "DTI".into(), values: vec![Some(0.48), None, Some(0.71)] }],
            max: Some(1.0),
            decimals: 2,
        };
        Document {
            lang: Lang::Vi,
            title: "Báo cáo <thử>".into(),
            subtitle: "Kỳ báo cáo: năm 2022".into(),
            as_of: "Số liệu đến ngày 31/12/2022".into(),
            summary: vec!["12 chỉ tiêu".into()],
            sections: vec![
                Section { key: "Chỉ tiêu".into(), heading: "Kết quả".into(), blocks: vec![Block::Table(table)] },
                Section {
                    key: "Chỉ số".into(),
                    heading: "Chỉ số".into(),
                    blocks: vec![Block::Chart(chart), Block::NoData("Chưa có số liệu.".into())],
                },
            ],
        }
    }

    #[test]
    fn html_escapes_text_and_draws_charts() {
        let html = String::from_utf8(render(&doc(), Format::Html, Some("<a href=\"/\">dxmon</a>")).unwrap()).unwrap();
        assert!(html.contains("Báo cáo &#60;thử&#62;") || html.contains("Báo cáo &lt;thử&gt;"), "{html}");
        assert!(html.contains("<td class=\"num\">54,34%<sup>1</sup></td>"), "{html}");
        assert!(html.contains("<tr class=\"group\"><td colspan=\"2\">I. Đã hoàn thành</td></tr>"));
        // The chart, with its axis in the Vietnamese number format.
        assert!(html.contains("<svg") && html.contains("\n0,50\n</text>"), "{html}");
        assert!(html.contains("@page { size: A4"));
        assert!(html.contains("<nav class=\"tools\"><a href=\"/\">dxmon</a></nav>"));
        assert!(html.contains("class=\"nodata\">Chưa có số liệu.</p>"));
    }

    #[test]
    fn markdown_keeps_tables_whole() {
        let md = String::from_utf8(render(&doc(), Format::Markdown, None).unwrap()).unwrap();
        assert!(md.contains("| Hồ sơ trực tuyến \\| nộp | 54,34%<sup>1</sup> |"), "{md}");
        assert!(md.contains("| **I. Đã hoàn thành** |  |"), "{md}");
        assert!(md.contains("| DTI | 0,48 |  | 0,71 |"), "{md}");
        assert!(md.contains("<sup>1</sup> Số liệu đã điều chỉnh: 52,80%."), "{md}");
    }

    #[test]
    fn markdown_shows_html_and_links_in_names_without_obeying_them() {
        let mut d = doc();
        d.title = "Tỉnh <script>alert(1)</script>".into();
        d.summary = vec!["[bấm vào](javascript:alert(1)) *đậm* &lt; TT&TT".into()];
        if let Block::Table(t) = &mut d.sections[0].blocks[0] {
            t.groups[0].rows[0][0] = Cell::text("<img src=x onerror=alert(1)>\ndòng hai");
        }
        let md = String::from_utf8(render(&d, Format::Markdown, None).unwrap()).unwrap();
        assert!(!md.contains("<script") && !md.contains("<img"), "{md}");
        assert!(md.contains("# Tỉnh &lt;script&gt;alert(1)&lt;/script&gt;"), "{md}");
        assert!(md.contains("- \\[bấm vào\\](javascript:alert(1)) \\*đậm\\* &amp;lt; TT&TT"), "{md}");
        assert!(md.contains("| &lt;img src=x onerror=alert(1)&gt;<br>dòng hai |"), "{md}");
    }

    #[test]
    fn the_workbook_reads_back_with_numbers_and_a_chart() {
        let bytes = render(&doc(), Format::Xlsx, None).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
        assert_eq!(book.sheet_names(), ["Tóm tắt", "Chỉ tiêu", "Chỉ số"]);
        let summary = book.worksheet_range("Tóm tắt").unwrap();
        assert_eq!(summary.get_value((0, 0)), Some(&Data::String("Báo cáo <thử>".into())));
        let targets = book.worksheet_range("Chỉ tiêu").unwrap();
        let rows: Vec<Vec<Data>> = targets.rows().map(|r| r.to_vec()).collect();
        let find = |label: &str| rows.iter().find(|r| r.first() == Some(&Data::String(label.into()))).cloned().unwrap();
        assert_eq!(find("Dữ liệu mở")[1], Data::Float(11.8), "a figure is a number in the workbook");
        // A cell with a footnote keeps its note mark, so it is text.
        assert_eq!(find("Hồ sơ trực tuyến | nộp")[1], Data::String("54,34% (1)".into()));
        let index = book.worksheet_range("Chỉ số").unwrap();
        assert_eq!(index.get_value((3, 3)), Some(&Data::Float(0.71)));
        // The chart is Excel's own.
        let zip = String::from_utf8_lossy(&bytes);
        assert!(zip.contains("xl/charts/chart1.xml"));
    }
}
