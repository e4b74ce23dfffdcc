//! Reading a filled template back. An upload is hostile until measured: every part of
//! the archive is inflated against a budget before anything parses it, and the sheets
//! are read cell by cell, keeping only the cells inside the template's grid, so that no
//! size a file declares decides what is allocated. The reading is CPU work: callers on
//! the async runtime run it through `crate::work`.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx, XlsxFormulaMetadata};
use chrono::{Days, NaiveDate};
use model::{Period, UnitKey};

use super::{Excess, HEADER_ROW, MAGIC, META_SHEET, TemplateError, column_of};
use super::{FieldError, Form, ValueInput};

/// The most parts a template's archive may hold (one made by dxmon has about a dozen).
const MAX_PARTS: usize = 100;
/// The most one part may inflate to. A template's largest part is tens of kilobytes.
pub const MAX_PART: u64 = 4 << 20;
/// The most all parts together may inflate to.
pub const MAX_INFLATED: u64 = 16 << 20;
/// Rows beyond the template's last, and columns, where a spreadsheet program may have
/// left something (formatting, a note in a spare cell): read and ignored. A sheet that
/// reaches further is not a template.
const SPARE_ROWS: u32 = 200;
const COLUMNS: u32 = 26;

/// Inflates every part against the budget, reading nothing of what they say.
fn measure(bytes: &[u8]) -> Result<(), TemplateError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| TemplateError::NotExcel)?;
    if archive.len() > MAX_PARTS {
        return Err(TemplateError::TooLarge(Excess::Parts(archive.len())));
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).map_err(|e| TemplateError::Damaged(e.to_string()))?;
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        let mut content = Vec::new();
        Read::by_ref(&mut part)
            .take(MAX_PART + 1)
            .read_to_end(&mut content)
            .map_err(|e| TemplateError::Damaged(format!("{name}: {e}")))?;
        let inflated = content.len() as u64;
        if inflated > MAX_PART {
            return Err(TemplateError::TooLarge(Excess::Part(name)));
        }
        total += inflated;
        if total > MAX_INFLATED {
            return Err(TemplateError::TooLarge(Excess::Total));
        }
        if name.starts_with("xl/worksheets/") {
            references_within_excel(&name, &content)?;
        }
    }
    Ok(())
}

/// The most rows and columns a sheet has in Excel.
const EXCEL_ROWS: u64 = 1_048_576;
const EXCEL_COLUMNS: u64 = 16_384;

/// Every cell reference of a sheet's XML (`r` and `ref` attributes, however spaced
/// around their `=`) within Excel's grid: the reader computes positions without checking
/// them, and one beyond u32 would overflow it.
fn references_within_excel(part: &str, xml: &[u8]) -> Result<(), TemplateError> {
    let space = |b: &u8| b.is_ascii_whitespace();
    for (at, _) in xml.iter().enumerate().filter(|(_, b)| space(b)) {
        let rest = &xml[at + 1..];
        let Some(after) = rest.strip_prefix(b"ref").or_else(|| rest.strip_prefix(b"r")) else { continue };
        let after = &after[after.iter().take_while(|b| space(b)).count()..];
        let Some(after) = after.strip_prefix(b"=") else { continue };
        let after = &after[after.iter().take_while(|b| space(b)).count()..];
        let Some((&quote, value)) = after.split_first().filter(|(q, _)| matches!(q, b'"' | b'\'')) else {
            continue;
        };
        let value = &value[..value.iter().position(|b| *b == quote).unwrap_or(value.len())];
        if !range_ok(value) {
            let shown: String = String::from_utf8_lossy(value).chars().take(32).collect();
            return Err(TemplateError::Damaged(format!("{part}: cell reference '{shown}' is not one of Excel's")));
        }
    }
    Ok(())
}

/// A cell or a range (`A1:H13`) within Excel's grid, its end not before its start.
fn range_ok(range: &[u8]) -> bool {
    let mut ends = range.split(|b| *b == b':');
    let (Some(start), end, None) = (ends.next(), ends.next(), ends.next()) else { return false };
    match (position(start), end.map(position)) {
        (Some(_), None) => true,
        (Some((c1, r1)), Some(Some((c2, r2)))) => c1 <= c2 && r1 <= r2,
        _ => false,
    }
}

/// `A1`, `$XFD$1048576`, a row (`7`) or a column (`C`) within Excel's grid, as its
/// column and row (0 where not given).
fn position(reference: &[u8]) -> Option<(u64, u64)> {
    reference_ok(reference).then(|| {
        let letters = reference.iter().filter(|b| b.is_ascii_alphabetic());
        let column = letters.fold(0, |n, b| n * 26 + u64::from(b.to_ascii_uppercase() - b'A') + 1);
        let digits = reference.iter().filter(|b| b.is_ascii_digit());
        (column, digits.fold(0, |n, b| n * 10 + u64::from(b - b'0')))
    })
}

/// `A1`, `$XFD$1048576`, a row (`7`) or a column (`C`) within Excel's grid.
fn reference_ok(reference: &[u8]) -> bool {
    let text = reference.iter().filter(|b| **b != b'$');
    let (mut column, mut row, mut letters, mut digits) = (0u64, 0u64, 0, 0);
    for &b in text {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' if digits == 0 && letters < 3 => {
                column = column * 26 + u64::from(b.to_ascii_uppercase() - b'A') + 1;
                letters += 1;
            }
            b'0'..=b'9' if digits < 7 => {
                row = row * 10 + u64::from(b - b'0');
                digits += 1;
            }
            _ => return false,
        }
    }
    letters + digits > 0 && column <= EXCEL_COLUMNS && row <= EXCEL_ROWS && (digits == 0 || row > 0)
}

/// A cell's name as Excel shows it: (0, 0) is A1.
fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(col) + 1;
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(u64::from(row) + 1).to_string()
}

/// A sheet's cells inside `rows` x `COLUMNS`, with whether each holds a formula.
struct Grid {
    cells: HashMap<(u32, u32), (Data, bool)>,
}

impl Grid {
    fn value(&self, row: u32, col: u32) -> Data {
        self.cells.get(&(row, col)).map(|(d, _)| d.clone()).unwrap_or(Data::Empty)
    }

    fn formula(&self, row: u32, col: u32) -> bool {
        self.cells.get(&(row, col)).is_some_and(|(_, f)| *f)
    }
}

/// Reads one sheet cell by cell. Its declared size and every cell must lie within
/// `rows` rows (plus the spare ones) and `COLUMNS` columns.
fn grid(book: &mut Xlsx<Cursor<&[u8]>>, sheet: &str, rows: u32) -> Result<Grid, TemplateError> {
    let damaged = |e: calamine::XlsxError| TemplateError::Damaged(format!("{sheet}: {e}"));
    let last_row = rows.saturating_add(SPARE_ROWS);
    let beyond = |(row, col): (u32, u32)| {
        (row >= last_row || col >= COLUMNS)
            .then(|| TemplateError::TooLarge(Excess::Cell { sheet: sheet.to_owned(), cell: cell_name(row, col) }))
    };
    let mut reader = book.worksheet_cells_reader(sheet).map_err(damaged)?;
    if let Some(e) = beyond(reader.dimensions().end) {
        return Err(e);
    }
    let mut cells = HashMap::new();
    while let Some(cell) = reader.next_cell_with_formula_metadata().map_err(damaged)? {
        if let Some(e) = beyond(cell.pos) {
            return Err(e);
        }
        let formula = match &cell.formula {
            Some(XlsxFormulaMetadata::Normal { formula } | XlsxFormulaMetadata::Shared { formula, .. }) => {
                !formula.trim().is_empty()
            }
            Some(_) => true,
            None => false,
        };
        cells.insert(cell.pos, (Data::from(cell.value), formula));
    }
    Ok(Grid { cells })
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
            let days = dt.as_f64();
            if !(0.0..=2_958_465.0).contains(&days) {
                return Err("ngày không hợp lệ".into());
            }
            let day = base.checked_add_days(Days::new(days as u64)).ok_or("ngày không hợp lệ")?;
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
    cx: &Form<'_>,
    unit: &UnitKey,
    period: Period,
) -> Result<(Vec<ValueInput>, Vec<FieldError>), TemplateError> {
    measure(bytes)?;
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|_| TemplateError::NotExcel)?;
    let names = book.sheet_names();
    let main = names.first().cloned().ok_or_else(|| TemplateError::Damaged("no sheet".into()))?;
    if !names.iter().any(|n| n == META_SHEET) {
        return Err(TemplateError::Damaged("the sheet that identifies it is missing".into()));
    }
    let meta = grid(&mut book, META_SHEET, 5)?;
    let get = |row: u32| cell_text(&meta.value(row, 1)).unwrap_or_default();
    if cell_text(&meta.value(0, 0)).ok().as_deref() != Some(MAGIC) {
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
    let rows = HEADER_ROW + 1 + u32::try_from(expected.len()).unwrap_or(u32::MAX);
    let sheet = grid(&mut book, &main, rows)?;
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for (row, code) in (HEADER_ROW + 1..).zip(&expected) {
        let excel_row = row + 1;
        let found_code = cell_text(&sheet.value(row, 0)).unwrap_or_default();
        if &found_code != code {
            return Err(TemplateError::Damaged(format!("row {excel_row} should be indicator {code}")));
        }
        let mut input = ValueInput { indicator: code.clone(), row: Some(excel_row), ..Default::default() };
        for (col, field) in [(4u32, "value"), (5, "numerator"), (6, "denominator"), (7, "note")] {
            let text = if sheet.formula(row, col) {
                Err("ô chứa công thức; hãy nhập giá trị".to_owned())
            } else {
                cell_text(&sheet.value(row, col))
            };
            match text {
                Ok(text) => match field {
                    "value" => input.value = text,
                    "numerator" => input.numerator = text,
                    "denominator" => input.denominator = text,
                    _ => input.note = text,
                },
                Err(message) => errors.push(FieldError {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_beyond_excel_are_refused() {
        for ok in ["A1", "$XFD$1048576", "H13", "7", "C", "xfd1"] {
            assert!(reference_ok(ok.as_bytes()), "{ok}");
        }
        for bad in ["XFE1", "A1048577", "A4294967295", "AAAA1", "A0", "", "1A", "A 1", "A12345678"] {
            assert!(!reference_ok(bad.as_bytes()), "{bad}");
        }
        let xml = br#"<worksheet><dimension ref="A1:H13"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#;
        assert!(references_within_excel("s", xml).is_ok());
        assert!(references_within_excel("s", br#"<dimension ref="Q1:H13"/>"#).is_err(), "an end before its start");
        assert!(references_within_excel("s", br#"<dimension ref="A1:B2:C3"/>"#).is_err());
        let xml = br#"<sheetData><row r="4294967295"><c r='A4294967295'/></row></sheetData>"#;
        assert!(references_within_excel("s", xml).is_err());
        assert!(references_within_excel("s", br#"<c attr="x" xr="ZZZZ9"/>"#).is_ok(), "only attributes named r");
        assert!(references_within_excel("s", br#"<c r ="A4294967297"/>"#).is_err(), "spaced around =");
        assert!(references_within_excel("s", b"<c\nr\n=\n'A4294967297'/>").is_err());
    }

    #[test]
    fn cells_are_named_as_excel_names_them() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(9, 4), "E10");
        assert_eq!(cell_name(0, 25), "Z1");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
        assert_eq!(cell_name(u32::MAX, u32::MAX), "MWLQKWV4294967296");
    }
}
