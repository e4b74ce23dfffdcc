//! HTML: one self-contained page (styles inline, charts as inline SVG) that reads on a
//! screen and prints on A4 without the page's tools.

use askama::Template;

use crate::document::{Block, Document, Table};

enum BlockView<'a> {
    Paragraph(&'a str),
    NoData(&'a str),
    Table(&'a Table),
    Chart(String),
}

struct SectionView<'a> {
    key: &'a str,
    heading: &'a str,
    blocks: Vec<BlockView<'a>>,
}

#[derive(Template)]
#[template(path = "report.html")]
struct Page<'a> {
    doc: &'a Document,
    lang: &'a str,
    sections: Vec<SectionView<'a>>,
    tools: Option<&'a str>,
}

/// The report as a page. `tools` is HTML shown above it on screen, not in print (links
/// to the other language and to the workbook).
pub fn render(doc: &Document, tools: Option<&str>) -> Result<String, askama::Error> {
    let sections = doc
        .sections
        .iter()
        .map(|s| SectionView {
            key: &s.key,
            heading: &s.heading,
            blocks: s
                .blocks
                .iter()
                .map(|b| match b {
                    Block::Paragraph(t) => BlockView::Paragraph(t),
                    Block::NoData(t) => BlockView::NoData(t),
                    Block::Table(t) => BlockView::Table(t),
                    Block::Chart(c) => match crate::svg::render(c, doc.lang) {
                        Some(svg) => BlockView::Chart(svg),
                        None => BlockView::NoData(&c.title),
                    },
                })
                .collect(),
        })
        .collect();
    let lang = match doc.lang {
        model::Lang::Vi => "vi",
        model::Lang::En => "en",
    };
    Page { doc, lang, sections, tools }.render()
}
