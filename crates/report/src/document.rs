//! A report as data: a title, a headline summary and sections of tables, charts and
//! paragraphs, in one language. Texts are ready to print (numbers already in the
//! reader's format); table cells also keep their number, so a workbook gets real numbers
//! and charts get their points.

use model::Lang;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    pub lang: Lang,
    /// "Báo cáo kết quả triển khai chuyển đổi số".
    pub title: String,
    /// The period and, for one agency's report, its name.
    pub subtitle: String,
    /// "Số liệu đến ngày 31/12/2022".
    pub as_of: String,
    pub summary: Vec<String>,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// Short, for a worksheet's name (at most 31 characters).
    pub key: String,
    pub heading: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Block {
    Paragraph(String),
    /// What a section shows when the period has nothing for it.
    NoData(String),
    Table(Table),
    Chart(Chart),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub title: Option<String>,
    pub columns: Vec<Column>,
    /// Rows under headings ("I. Các chỉ tiêu đã hoàn thành"); one group without a
    /// heading for a plain table.
    pub groups: Vec<RowGroup>,
    /// Numbered notes that cells refer to.
    pub footnotes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub name: String,
    /// Numbers are right-aligned.
    pub numeric: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowGroup {
    pub heading: Option<String>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Cell {
    /// As printed ("54,34%", "—" for a missing value).
    pub text: String,
    /// The number behind the text, if it is one.
    pub figure: Option<Figure>,
    /// Footnotes (numbered from 1) the cell refers to.
    pub notes: Vec<usize>,
}

/// A number as a cell shows it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Figure {
    pub value: f64,
    pub decimals: u32,
    /// The value is in percent and printed with a % sign.
    pub percent: bool,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Self {
        Cell { text: text.into(), figure: None, notes: Vec::new() }
    }

    pub fn figure(text: impl Into<String>, figure: Figure) -> Self {
        Cell { text: text.into(), figure: Some(figure), notes: Vec::new() }
    }

    pub fn with_notes(mut self, notes: Vec<usize>) -> Self {
        self.notes = notes;
        self
    }
}

impl Table {
    pub fn is_empty(&self) -> bool {
        self.groups.iter().all(|g| g.rows.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    pub kind: ChartKind,
    pub title: String,
    /// Along the horizontal axis (years; grade labels).
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    /// The value axis runs from 0 to this, when it has a natural top (1 for an index).
    pub max: Option<f64>,
    /// Decimals of the values as labels show them.
    pub decimals: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ChartKind {
    Line,
    Bar,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub name: String,
    /// One per category; None where there is no value.
    pub values: Vec<Option<f64>>,
}
