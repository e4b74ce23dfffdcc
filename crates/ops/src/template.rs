//! The Excel template a unit fills in, and reading it back. The template names its
//! regime, unit and period on a hidden sheet and lists the indicators in a fixed
//! order, so a template for another unit or period, or one whose rows were changed, is
//! refused as a whole; a bad figure is reported with its cell, in Vietnamese.

use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};
use chrono::{Days, NaiveDate};
use model::collection::Submission;
use model::{Indicator, IndicatorKind, Lang, Period, UnitKey, display};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationRule, Format, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::collection::{Context, ValueInput};

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
            TemplateError::Write(e) => format!("Không tạo được biểu mẫu: {e}"),
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
    cx: &Context,
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
        let number = |d: rust_decimal::Decimal| rust_decimal::prelude::ToPrimitive::to_f64(&d);
        match mine.map(|v| &v.value) {
            Some(model::Datum::Number(d)) => match number(*d) {
                Some(x) => sheet.write_number_with_format(row, 4, x, &input)?,
                None => sheet.write_blank(row, 4, &input)?,
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
            match part.and_then(number) {
                Some(x) => sheet.write_number_with_format(row, col, x, &input)?,
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

fn meta(sheet: &mut Worksheet, cx: &Context, unit: &UnitKey, period: Period) -> Result<(), XlsxError> {
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

/// A cell's content as a person typed it: numbers as their shortest decimal, dates as
/// dates, text as is.
fn cell_text(d: &Data) -> Result<String, String> {
    Ok(match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => rust_decimal::Decimal::from_f64_retain(*f)
            .map(|x| x.round_dp(10).normalize().to_string())
            .unwrap_or_else(|| f.to_string()),
        Data::Bool(b) => if *b { "có" } else { "không" }.to_owned(),
        Data::DateTime(dt) => {
            // Excel counts days from 30 December 1899.
            let base = NaiveDate::from_ymd_opt(1899, 12, 30).ok_or("ngày không hợp lệ")?;
            let day =
                base.checked_add_days(Days::new(dt.as_f64().floor().max(0.0) as u64)).ok_or("ngày không hợp lệ")?;
            day.format("%Y-%m-%d").to_string()
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err(format!("ô có lỗi Excel ({e:?})")),
    })
}

/// Reads a filled template for `unit` and `period` under the context's regime. A cell
/// that cannot be read (an Excel error, a formula) is reported as a field error; what
/// the figures mean is checked by `collection::check_inputs`.
pub fn read(
    bytes: &[u8],
    cx: &Context,
    unit: &UnitKey,
    period: Period,
) -> Result<(Vec<ValueInput>, Vec<crate::collection::FieldError>), TemplateError> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).map_err(|_| TemplateError::NotExcel)?;
    let names = book.sheet_names();
    let main = names.first().cloned().ok_or_else(|| TemplateError::Damaged("no sheet".into()))?;
    if !names.iter().any(|n| n == META_SHEET) {
        return Err(TemplateError::Damaged("the sheet that identifies it is missing".into()));
    }
    let meta = book.worksheet_range(META_SHEET).map_err(|e| TemplateError::Damaged(e.to_string()))?;
    let get = |row: u32| meta.get_value((row, 1)).and_then(|d| cell_text(d).ok()).unwrap_or_default();
    if meta.get_value((0, 0)).and_then(|d| cell_text(d).ok()).as_deref() != Some(MAGIC) {
        return Err(TemplateError::Damaged("it does not say it is a dxmon template".into()));
    }
    for (row, what, expected) in
        [(1, "regime", cx.regime.key.to_string()), (2, "unit", unit.to_string()), (3, "period", period.to_string())]
    {
        let found = get(row);
        if found != expected {
            return Err(TemplateError::Mismatch { what, found, expected });
        }
    }
    let codes: Vec<String> = get(4).split(';').filter(|s| !s.is_empty()).map(str::to_owned).collect();
    let expected: Vec<String> = cx.indicators.iter().map(|i| i.code.to_string()).collect();
    if codes != expected {
        return Err(TemplateError::Damaged("the regime's indicators changed since it was made".into()));
    }
    let range = book.worksheet_range(&main).map_err(|e| TemplateError::Damaged(e.to_string()))?;
    let formulas = book.worksheet_formula(&main).ok();
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for (n, code) in expected.iter().enumerate() {
        let row = HEADER_ROW + 1 + n as u32;
        let excel_row = row + 1;
        let at = |col: u32| range.get_value((row, col)).cloned().unwrap_or(Data::Empty);
        let found_code = cell_text(&at(0)).unwrap_or_default();
        if &found_code != code {
            return Err(TemplateError::Damaged(format!("row {excel_row} should be indicator {code}")));
        }
        let mut input = ValueInput { indicator: code.clone(), row: Some(excel_row), ..Default::default() };
        for (col, field) in [(4u32, "value"), (5, "numerator"), (6, "denominator"), (7, "note")] {
            let has_formula =
                formulas.as_ref().and_then(|f| f.get_value((row, col))).is_some_and(|f| !f.trim().is_empty());
            let text = if has_formula {
                Err("ô chứa công thức; hãy nhập giá trị".to_owned())
            } else {
                cell_text(&at(col))
            };
            match text {
                Ok(text) => match field {
                    "value" => input.value = text,
                    "numerator" => input.numerator = text,
                    "denominator" => input.denominator = text,
                    _ => input.note = text,
                },
                Err(message) => errors.push(crate::collection::FieldError {
                    indicator: code.clone(),
                    field: field.to_owned(),
                    place: column_of(field).map(|c| format!("{c}{excel_row}")),
                    message_en: format!("cell cannot be read: {message}"),
                    message,
                }),
            }
        }
        inputs.push(input);
    }
    Ok((inputs, errors))
}
