//! The Excel template a unit fills in, and reading it back. The template names its
//! regime, unit and period on a hidden sheet and lists the indicators in a fixed
//! order, so a template for another unit or period, or one whose rows were changed, is
//! refused as a whole; a bad figure is reported with its cell, in Vietnamese.

mod read;

pub use read::{MAX_INFLATED, MAX_PART, read};

use model::collection::{Regime, Submission};
use model::{Indicator, IndicatorKind, Lang, Period, UnitKey, display};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationRule, Format, FormatBorder, Workbook, Worksheet, XlsxError,
};

/// What a template is made for: a regime and the indicators it asks for, in order.
#[derive(Clone, Copy)]
pub struct Form<'a> {
    pub regime: &'a Regime,
    pub indicators: &'a [Indicator],
}

/// A figure as typed or read from a cell, before it is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueInput {
    pub indicator: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub numerator: String,
    #[serde(default)]
    pub denominator: String,
    #[serde(default)]
    pub note: String,
    /// The workbook row it was read from, so an error names its cell ("E8").
    #[serde(skip)]
    pub row: Option<u32>,
}

/// One figure that could not be taken, with where it is and why, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub indicator: String,
    /// value, numerator, denominator or note.
    pub field: String,
    /// The cell of a workbook ("E8"), if it came from one.
    pub place: Option<String>,
    pub message: String,
    pub message_en: String,
}

impl FieldError {
    pub fn in_lang(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.message,
            Lang::En => &self.message_en,
        }
    }
}

const META_SHEET: &str = "_dxmon";
const MAGIC: &str = "dxmon-template";
const VERSION: &str = "1";
/// The row (0-based) of the column headings; indicators follow.
const HEADER_ROW: u32 = 6;

/// Where each field of an indicator's row is: the cell a reporter fills in.
pub fn column_of(field: &str) -> Option<char> {
    match field {
        "indicator" => Some('A'),
        "value" => Some('E'),
        "numerator" => Some('F'),
        "denominator" => Some('G'),
        "note" => Some('H'),
        _ => None,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("the file is not an Excel workbook (.xlsx)")]
    NotExcel,
    #[error("the workbook is not a template made by dxmon, or it was damaged: {0}")]
    Damaged(String),
    #[error("the template is for {what} {found}, not {expected}")]
    Mismatch { what: &'static str, found: String, expected: String },
    /// The file holds more than a template could.
    #[error("the workbook is larger than a template can be: {0}")]
    TooLarge(Excess),
    #[error(transparent)]
    Write(#[from] XlsxError),
}

impl TemplateError {
    pub fn vi(&self) -> String {
        match self {
            TemplateError::NotExcel => "Tệp tải lên không phải bảng tính Excel (.xlsx).".to_owned(),
            TemplateError::Damaged(why) => {
                format!(
                    "Tệp không phải biểu mẫu do hệ thống tạo ra hoặc đã bị thay đổi cấu trúc ({why}). Hãy tải biểu mẫu mới."
                )
            }
            TemplateError::Mismatch { what, found, expected } => {
                let what = match *what {
                    "unit" => "đơn vị",
                    "period" => "kỳ báo cáo",
                    _ => "chế độ báo cáo",
                };
                format!("Biểu mẫu này dành cho {what} «{found}», không phải «{expected}». Hãy tải đúng biểu mẫu.")
            }
            TemplateError::TooLarge(excess) => format!(
                "Tệp lớn hơn mức một biểu mẫu có thể có: {}. Hãy tải biểu mẫu mới và chỉ nhập số liệu vào các ô màu vàng.",
                excess.vi()
            ),
            TemplateError::Write(e) => format!("Không tạo được biểu mẫu: {e}"),
        }
    }
}

/// What made an upload larger than a template can be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Excess {
    /// More parts in the archive than a workbook has.
    Parts(usize),
    /// A part that inflates past `MAX_PART` bytes.
    Part(String),
    /// Parts that together inflate past `MAX_INFLATED` bytes.
    Total,
    /// A sheet whose declared size or a cell lies beyond the template's grid.
    Cell { sheet: String, cell: String },
}

impl std::fmt::Display for Excess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Excess::Parts(n) => write!(f, "{n} parts in the archive"),
            Excess::Part(name) => write!(f, "{name} inflates to more than {} MiB", MAX_PART >> 20),
            Excess::Total => write!(f, "its parts inflate to more than {} MiB", MAX_INFLATED >> 20),
            Excess::Cell { sheet, cell } => write!(f, "sheet {sheet} reaches cell {cell}, beyond the template"),
        }
    }
}

impl Excess {
    fn vi(&self) -> String {
        match self {
            Excess::Parts(n) => format!("tệp nén gồm {n} phần"),
            Excess::Part(name) => format!("phần {name} giải nén ra hơn {} MiB", MAX_PART >> 20),
            Excess::Total => format!("các phần giải nén ra tổng cộng hơn {} MiB", MAX_INFLATED >> 20),
            Excess::Cell { sheet, cell } => format!("trang tính «{sheet}» có ô {cell}, nằm ngoài biểu mẫu"),
        }
    }
}

fn t(lang: Lang, vi: &str, en: &str) -> String {
    lang.pick(vi, Some(en)).to_owned()
}

/// A validation rule for the value cell of an indicator, so Excel refuses most bad
/// figures as they are typed.
fn validation(i: &Indicator, lang: Lang) -> Result<Option<DataValidation>, XlsxError> {
    let num = |d: Option<rust_decimal::Decimal>| d.and_then(|x| rust_decimal::prelude::ToPrimitive::to_f64(&x));
    let v = match i.kind {
        IndicatorKind::YesNo => {
            DataValidation::new().allow_list_strings(&[t(lang, "Có", "Yes"), t(lang, "Không", "No")])?
        }
        IndicatorKind::Category => DataValidation::new().allow_list_strings(&i.categories)?,
        IndicatorKind::Date => return Ok(None),
        _ => {
            let rule = match (num(i.min), num(i.max)) {
                (Some(a), Some(b)) => DataValidationRule::Between(a, b),
                (Some(a), None) => DataValidationRule::GreaterThanOrEqualTo(a),
                (None, Some(b)) => DataValidationRule::LessThanOrEqualTo(b),
                (None, None) => return Ok(None),
            };
            DataValidation::new().allow_decimal_number(rule)
        }
    };
    Ok(Some(v.set_error_title(t(lang, "Giá trị không hợp lệ", "Invalid value"))?))
}

/// The template for one unit and period, filled with what the unit has entered so far,
/// and last period's figures for reference.
pub fn generate(
    cx: &Form<'_>,
    unit: &model::Unit,
    period: Period,
    current: Option<&Submission>,
    previous: &dyn Fn(&Indicator) -> Option<String>,
    lang: Lang,
) -> Result<Vec<u8>, TemplateError> {
    let mut book = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xEEF1F5))
        .set_border(FormatBorder::Thin)
        .set_text_wrap();
    let locked = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let input = Format::new().set_unlocked().set_border(FormatBorder::Thin).set_background_color(Color::RGB(0xFFF8DC));
    let sheet = book.add_worksheet();
    sheet.set_name(t(lang, "Báo cáo", "Report"))?;
    let regime_name = lang.pick(&cx.regime.name, cx.regime.name_en.as_deref());
    sheet.write_string_with_format(
        0,
        0,
        format!("{} — {regime_name}", t(lang, "BIỂU MẪU BÁO CÁO", "REPORTING TEMPLATE")),
        &title,
    )?;
    sheet.write_string(1, 0, format!("{}: {} ({})", t(lang, "Đơn vị", "Unit"), unit.name_in(lang), unit.key))?;
    sheet.write_string(
        2,
        0,
        format!("{}: {} ({period})", t(lang, "Kỳ báo cáo", "Period"), display::period(period, lang)),
    )?;
    sheet.write_string(
        3,
        0,
        format!("{}: {}", t(lang, "Hạn nộp", "Due"), display::date(cx.regime.due(period), lang)),
    )?;
    sheet.write_string(
        4,
        0,
        t(
            lang,
            "Nhập số liệu vào các ô màu vàng (Giá trị; Tử số và Mẫu số nếu có; Ghi chú). Không sửa các cột khác và không thêm, xóa dòng.",
            "Enter figures in the yellow cells (value; numerator and denominator where they apply; note). Do not change the other columns or add or remove rows.",
        ),
    )?;
    let headings = [
        t(lang, "Mã chỉ tiêu", "Code"),
        t(lang, "Chỉ tiêu", "Indicator"),
        t(lang, "Đơn vị tính", "Unit of measure"),
        t(lang, "Kỳ trước", "Previous period"),
        t(lang, "Giá trị", "Value"),
        t(lang, "Tử số", "Numerator"),
        t(lang, "Mẫu số", "Denominator"),
        t(lang, "Ghi chú", "Note"),
    ];
    for (c, h) in headings.iter().enumerate() {
        sheet.write_string_with_format(HEADER_ROW, c as u16, h, &header)?;
    }
    for (n, i) in cx.indicators.iter().enumerate() {
        let row = HEADER_ROW + 1 + n as u32;
        sheet.write_string_with_format(row, 0, i.code.as_str(), &locked)?;
        sheet.write_string_with_format(row, 1, i.name_in(lang), &locked)?;
        sheet.write_string_with_format(row, 2, &i.unit_of_measure, &locked)?;
        sheet.write_string_with_format(row, 3, previous(i).unwrap_or_default(), &locked)?;
        let mine = current.and_then(|s| s.values.iter().find(|v| v.indicator == i.code));
        match mine.map(|v| &v.value) {
            Some(model::Datum::Number(d)) => match exact_f64(*d) {
                Some(x) => sheet.write_number_with_format(row, 4, x, &input)?,
                None => sheet.write_string_with_format(row, 4, d.to_string(), &input)?,
            },
            Some(model::Datum::YesNo(b)) => sheet.write_string_with_format(
                row,
                4,
                if *b { t(lang, "Có", "Yes") } else { t(lang, "Không", "No") },
                &input,
            )?,
            Some(other) => sheet.write_string_with_format(row, 4, other.to_text(), &input)?,
            None => sheet.write_blank(row, 4, &input)?,
        };
        for (col, part) in [(5u16, mine.and_then(|v| v.numerator)), (6, mine.and_then(|v| v.denominator))] {
            match part.map(|d| (d, exact_f64(d))) {
                Some((_, Some(x))) => sheet.write_number_with_format(row, col, x, &input)?,
                Some((d, None)) => sheet.write_string_with_format(row, col, d.to_string(), &input)?,
                None => sheet.write_blank(row, col, &input)?,
            };
        }
        match mine.and_then(|v| v.note.as_deref()) {
            Some(note) => sheet.write_string_with_format(row, 7, note, &input)?,
            None => sheet.write_blank(row, 7, &input)?,
        };
        if let Some(v) = validation(i, lang)? {
            sheet.add_data_validation(row, 4, row, 4, &v)?;
        }
    }
    for (col, width) in [(0u16, 24.0), (1, 60.0), (2, 12.0), (3, 14.0), (4, 14.0), (5, 12.0), (6, 12.0), (7, 30.0)] {
        sheet.set_column_width(col, width)?;
    }
    sheet.protect();
    meta(book.add_worksheet(), cx, &unit.key, period)?;
    Ok(book.save_to_buffer()?)
}

/// A figure as a number Excel holds exactly, or none: a figure of more than 15
/// significant digits is written as text, so that it comes back as it was.
fn exact_f64(d: rust_decimal::Decimal) -> Option<f64> {
    let x = rust_decimal::prelude::ToPrimitive::to_f64(&d)?;
    let back: rust_decimal::Decimal = x.to_string().parse().ok()?;
    (back == d.normalize()).then_some(x)
}

fn meta(sheet: &mut Worksheet, cx: &Form<'_>, unit: &UnitKey, period: Period) -> Result<(), XlsxError> {
    sheet.set_name(META_SHEET)?;
    let codes: Vec<&str> = cx.indicators.iter().map(|i| i.code.as_str()).collect();
    for (r, (k, v)) in [
        (MAGIC, VERSION.to_owned()),
        ("regime", cx.regime.key.to_string()),
        ("unit", unit.to_string()),
        ("period", period.to_string()),
        ("indicators", codes.join(";")),
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(r as u32, 0, *k)?;
        sheet.write_string(r as u32, 1, v)?;
    }
    sheet.set_hidden(true);
    sheet.protect();
    Ok(())
}
