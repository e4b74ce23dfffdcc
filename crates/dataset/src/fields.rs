//! Reading a file into records of named fields, each with its position, whether the
//! file is CSV (one kind per file, told by its header) or TOML (arrays of tables named
//! after the kinds).

use std::sync::Arc;

use toml::de::{DeTable, DeValue};

use crate::error::{ImportError, ImportErrors, Pos};
use crate::kind::{RecordKind, expected_headers};

/// A field's content: text, a list (";"-separated in CSV, an array in TOML), or nested
/// records (a breakdown's parts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Text(String),
    List(Vec<String>),
    Records(Vec<Fields>),
}

/// One record: its fields by name, with where each one is. A record has a handful of
/// fields, so they are looked up in a short list; a name is shared by every record of
/// its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub pos: Pos,
    entries: Vec<(Arc<str>, Field, Pos)>,
}

impl Fields {
    fn new(pos: Pos) -> Self {
        Fields { pos, entries: Vec::new() }
    }

    fn insert(&mut self, name: Arc<str>, field: Field, pos: Pos) {
        match self.entries.iter_mut().find(|(n, _, _)| **n == *name) {
            Some(entry) => *entry = (name, field, pos),
            None => self.entries.push((name, field, pos)),
        }
    }

    fn get(&self, name: &str) -> Option<(&Field, Pos)> {
        self.entries.iter().find(|(n, _, _)| &**n == name).map(|(_, f, p)| (f, *p))
    }

    /// Where a field is, or the record if the field is absent.
    pub fn pos_of(&self, name: &str) -> Pos {
        self.get(name).map_or(self.pos, |(_, p)| p)
    }

    /// A field's text, trimmed; absent when missing or empty.
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.get(name) {
            Some((Field::Text(t), _)) => Some(t.trim()).filter(|t| !t.is_empty()),
            _ => None,
        }
    }

    /// A list field: a TOML array, or text split at ";".
    pub fn list(&self, name: &str) -> Vec<String> {
        match self.get(name) {
            Some((Field::List(items), _)) => {
                items.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
            }
            Some((Field::Text(t), _)) => t.split(';').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect(),
            _ => Vec::new(),
        }
    }

    pub fn records(&self, name: &str) -> &[Fields] {
        match self.get(name) {
            Some((Field::Records(r), _)) => r,
            _ => &[],
        }
    }

    /// The fields' names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        let mut names: Vec<&str> = self.entries.iter().map(|(n, _, _)| &**n).collect();
        names.sort_unstable();
        names.into_iter()
    }

    /// Whether a field was given at all (a list or nested records count).
    pub fn has(&self, name: &str) -> bool {
        match self.get(name) {
            Some((Field::Text(t), _)) => !t.trim().is_empty(),
            Some((Field::List(l), _)) => !l.is_empty(),
            Some((Field::Records(r), _)) => !r.is_empty(),
            None => false,
        }
    }
}

/// The records of one kind that a file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub kind: RecordKind,
    pub records: Vec<Fields>,
}

/// The largest file read: a million values fit in a tenth of it.
pub const MAX_FILE: usize = 256 * 1024 * 1024;
/// The longest field, in characters: the longest description or note a report holds
/// is a few hundred.
pub const MAX_FIELD: usize = 10_000;
/// How deep records nest in TOML (a breakdown's parts are one level down).
const MAX_DEPTH: usize = 4;

/// Why a field's text cannot be taken, if it cannot: too long, or with a control
/// character other than a tab or line break (PostgreSQL refuses NUL in text).
fn too_long(text: &str) -> Option<String> {
    if text.len() > MAX_FIELD && text.chars().count() > MAX_FIELD {
        return Some(format!("the field is longer than {MAX_FIELD} characters"));
    }
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        .then(|| "the field holds a control character".to_owned())
}

/// Decodes and parses a file. CSV or TOML is told by the file name's extension.
pub fn read(file: &str, bytes: &[u8]) -> Result<Vec<Section>, ImportErrors> {
    let text = decode(file, bytes).map_err(|e| ImportErrors(vec![e]))?;
    let lower = file.to_lowercase();
    if lower.ends_with(".csv") {
        read_csv(file, text).map(|s| vec![s])
    } else if lower.ends_with(".toml") {
        read_toml(file, text)
    } else {
        Err(ImportErrors(vec![ImportError::file(file, "unknown file type; dxmon reads .csv and .toml files")]))
    }
}

/// UTF-8, with or without a byte-order mark, and no larger than `MAX_FILE`; anything
/// else is refused (with the line where it stops being UTF-8).
pub(crate) fn decode<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, ImportError> {
    if bytes.len() > MAX_FILE {
        return Err(ImportError::file(
            file,
            format!("the file is larger than {} MiB; split it into several", MAX_FILE >> 20),
        ));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(ImportError::file(file, "the file is UTF-16; save it as UTF-8"));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        let line = good.iter().filter(|b| **b == b'\n').count() + 1;
        let column = good.iter().rev().take_while(|b| **b != b'\n').count() + 1;
        ImportError::at(
            file,
            Pos { line, column },
            None,
            format!(
                "not valid UTF-8 (byte 0x{:02X}); the file may be in Windows-1258 or another legacy encoding: save it as UTF-8",
                bytes[e.valid_up_to()]
            ),
        )
    })
}

fn read_csv(file: &str, text: &str) -> Result<Section, ImportErrors> {
    // Records come in order: each line number is counted on from the one before, not
    // from the start of the file (which made reading a large file quadratic).
    let cursor = std::cell::Cell::new((0usize, 1usize));
    let line_at = |offset: usize| {
        let (from, line) = cursor.get();
        let (from, line) = if offset >= from { (from, line) } else { (0, 1) };
        let line = line + memchr_count(&text.as_bytes()[from..offset.min(text.len())]);
        cursor.set((offset, line));
        line
    };
    let csv_pos = |p: Option<&csv::Position>| {
        p.map(|p| {
            let offset = record_start(text, p.byte() as usize);
            Pos { line: line_at(offset), column: 1 }
        })
    };
    let (mut reader, kind, header) = csv_header(file, text)?;
    let names: Vec<&str> = header.iter().map(String::as_str).collect();
    let shared: Vec<Arc<str>> = names.iter().map(|n| Arc::from(*n)).collect();
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for row in reader.records() {
        match row {
            Ok(row) => {
                let line = csv_pos(row.position()).map_or(0, |p| p.line);
                let mut fields = Fields::new(Pos { line, column: 1 });
                for (i, value) in row.iter().enumerate() {
                    let pos = Pos { line, column: i + 1 };
                    if let Some(message) = too_long(value) {
                        errors.push(ImportError::at(file, pos, names.get(i).copied(), message));
                    } else if let Some(name) = shared.get(i) {
                        fields.insert(name.clone(), Field::Text(value.to_owned()), pos);
                    }
                }
                records.push(fields);
            }
            Err(e) => errors.push(ImportError {
                file: file.to_owned(),
                pos: csv_pos(e.position()),
                field: None,
                message: format!("malformed CSV: {e}"),
            }),
        }
    }
    if errors.is_empty() { Ok(Section { kind, records }) } else { Err(ImportErrors(errors)) }
}

/// A CSV reader past the header, the kind of record the header names, and its columns
/// (checked).
type Header<'t> = (csv::Reader<&'t [u8]>, RecordKind, Vec<String>);

fn csv_header<'t>(file: &str, text: &'t str) -> Result<Header<'t>, ImportErrors> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).comment(Some(b'#')).from_reader(text.as_bytes());
    let at_line = |offset: usize| Pos { line: 1 + memchr_count(&text.as_bytes()[..offset.min(text.len())]), column: 1 };
    let one = |pos: Pos, message: String| ImportErrors(vec![ImportError::at(file, pos, None, message)]);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| {
            let pos = e.position().map_or(Pos { line: 1, column: 1 }, |p| at_line(p.byte() as usize));
            one(pos, format!("unreadable header: {e}"))
        })?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let names: Vec<&str> = header.iter().map(String::as_str).collect();
    let Some(kind) = RecordKind::detect(&names) else {
        return Err(one(
            Pos { line: 1, column: 1 },
            format!("the header does not name a kind of record dxmon knows; expected one of: {}", expected_headers()),
        ));
    };
    check_columns(file, kind, &names)?;
    Ok((reader, kind, header))
}

/// The kinds of record a file holds; of a CSV file, read from its header alone.
pub fn kinds(file: &str, bytes: &[u8]) -> Result<Vec<RecordKind>, ImportErrors> {
    if file.to_lowercase().ends_with(".csv") {
        let text = decode(file, bytes).map_err(|e| ImportErrors(vec![e]))?;
        return Ok(vec![csv_header(file, text)?.1]);
    }
    Ok(read(file, bytes)?.into_iter().map(|s| s.kind).collect())
}

/// The reader reports a record at the offset where it began looking for it, before any
/// comment or blank lines it skipped; this moves past those to the record itself.
fn record_start(text: &str, mut offset: usize) -> usize {
    while let Some(rest) = text.get(offset..) {
        let line = rest.split_inclusive('\n').next().unwrap_or("");
        if line.is_empty() || !(line.trim().is_empty() || line.starts_with('#')) {
            break;
        }
        offset += line.len();
    }
    offset
}

/// Unknown and duplicate columns are refused, so a misspelt column cannot be ignored.
fn check_columns(file: &str, kind: RecordKind, names: &[&str]) -> Result<(), ImportErrors> {
    let known: Vec<&str> = kind.columns().iter().map(|c| c.name).collect();
    let mut errors = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let pos = Pos { line: 1, column: i + 1 };
        if !known.contains(name) {
            errors.push(ImportError::at(
                file,
                pos,
                Some(name),
                format!("unknown column for {kind}; the columns are: {}", known.join(",")),
            ));
        } else if names[..i].contains(name) {
            errors.push(ImportError::at(file, pos, Some(name), "column given twice"));
        }
    }
    for c in kind.columns().iter().filter(|c| c.required && !names.contains(&c.name)) {
        errors.push(ImportError::at(
            file,
            Pos { line: 1, column: 1 },
            Some(c.name),
            format!("{kind} need this column"),
        ));
    }
    if errors.is_empty() { Ok(()) } else { Err(ImportErrors(errors)) }
}

/// Line breaks in `bytes`.
fn memchr_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| **b == b'\n').count()
}

/// Line and column of a byte offset.
pub(crate) fn position(text: &str, offset: usize) -> Pos {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Pos { line, column }
}

fn read_toml(file: &str, text: &str) -> Result<Vec<Section>, ImportErrors> {
    let table = DeTable::parse(text).map_err(|e| {
        let pos = e.span().map(|s| position(text, s.start));
        ImportErrors(vec![ImportError {
            file: file.to_owned(),
            pos,
            field: None,
            message: format!("malformed TOML: {}", e.message()),
        }])
    })?;
    let mut sections = Vec::new();
    let mut errors = Vec::new();
    for (name, value) in table.get_ref().iter() {
        let pos = position(text, name.span().start);
        let Some(kind) = RecordKind::from_name(name.get_ref()) else {
            let kinds: Vec<&str> = RecordKind::ALL.iter().map(|k| k.name()).collect();
            errors.push(ImportError::at(
                file,
                pos,
                Some(name.get_ref()),
                format!("unknown table; dxmon knows: {}", kinds.join(", ")),
            ));
            continue;
        };
        if kind == RecordKind::Methodologies {
            errors.push(ImportError::at(
                file,
                pos,
                Some(name.get_ref()),
                "a methodology goes in a file of its own, with id, version and pillars at the top",
            ));
            continue;
        }
        let DeValue::Array(items) = value.get_ref() else {
            errors.push(ImportError::at(file, pos, Some(name.get_ref()), format!("write records as [[{kind}]]")));
            continue;
        };
        let mut records = Vec::new();
        for item in items.iter() {
            match table_fields(text, item.get_ref(), position(text, item.span().start), 1) {
                Ok(fields) => {
                    let names: Vec<&str> = fields.names().collect();
                    if let Err(e) = check_record_names(file, kind, &names, &fields) {
                        errors.extend(e.0);
                    }
                    records.push(fields);
                }
                Err(message) => errors.push(ImportError::at(file, position(text, item.span().start), None, message)),
            }
        }
        sections.push(Section { kind, records });
    }
    if errors.is_empty() { Ok(sections) } else { Err(ImportErrors(errors)) }
}

fn check_record_names(file: &str, kind: RecordKind, names: &[&str], fields: &Fields) -> Result<(), ImportErrors> {
    let known: Vec<&str> = kind.columns().iter().map(|c| c.name).collect();
    let errors: Vec<ImportError> = names
        .iter()
        .filter(|n| !known.contains(n))
        .map(|n| {
            ImportError::at(
                file,
                fields.pos_of(n),
                Some(n),
                format!("unknown field for {kind}; the fields are: {}", known.join(", ")),
            )
        })
        .collect();
    if errors.is_empty() { Ok(()) } else { Err(ImportErrors(errors)) }
}

fn table_fields(text: &str, value: &DeValue<'_>, pos: Pos, depth: usize) -> Result<Fields, String> {
    let DeValue::Table(table) = value else {
        return Err("expected a table of fields".to_owned());
    };
    if depth > MAX_DEPTH {
        return Err(format!("records nest more than {MAX_DEPTH} deep"));
    }
    let mut fields = Fields::new(pos);
    for (name, value) in table.iter() {
        let at = position(text, value.span().start);
        let field = match value.get_ref() {
            DeValue::Array(items)
                if items.iter().all(|i| matches!(i.get_ref(), DeValue::Table(_))) && !items.is_empty() =>
            {
                let nested: Result<Vec<Fields>, String> = items
                    .iter()
                    .map(|i| table_fields(text, i.get_ref(), position(text, i.span().start), depth + 1))
                    .collect();
                Field::Records(nested?)
            }
            DeValue::Array(items) => Field::List(
                items
                    .iter()
                    .map(|i| scalar(i.get_ref()).ok_or_else(|| format!("{}: lists hold plain values", name.get_ref())))
                    .collect::<Result<_, _>>()?,
            ),
            other => Field::Text(scalar(other).ok_or_else(|| format!("{}: expected a plain value", name.get_ref()))?),
        };
        let texts: Vec<&String> = match &field {
            Field::Text(t) => vec![t],
            Field::List(items) => items.iter().collect(),
            Field::Records(_) => vec![],
        };
        if let Some(message) = texts.into_iter().find_map(|t| too_long(t)) {
            return Err(format!("{}: {message}", name.get_ref()));
        }
        fields.insert(Arc::from(name.get_ref().as_ref()), field, at);
    }
    Ok(fields)
}

/// A scalar as the text it was written with, so that 52.80 keeps its two decimals.
fn scalar(value: &DeValue<'_>) -> Option<String> {
    match value {
        DeValue::String(s) => Some(s.to_string()),
        DeValue::Integer(i) if i.radix() == 10 => Some(i.as_str().replace('_', "")),
        DeValue::Float(f) => Some(f.as_str().replace('_', "")),
        DeValue::Boolean(b) => Some(if *b { "yes" } else { "no" }.to_owned()),
        DeValue::Datetime(d) => Some(d.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_files_kind_is_read_from_its_header_alone() {
        // Ordering files must not cost reading them whole: a broken record further on
        // is for loading to report.
        let text = "indicator,unit,period,value\ndti.national,vn\n";
        assert_eq!(kinds("v.csv", text.as_bytes()).unwrap(), [RecordKind::Values]);
        assert!(read("v.csv", text.as_bytes()).is_err());
        let unknown = kinds("v.csv", b"colour,shape\n").unwrap_err();
        assert!(unknown.0[0].message.contains("does not name a kind of record"), "{unknown}");
    }

    #[test]
    fn reads_csv_with_positions() {
        let text = "indicator,unit,period,value,source\n# a comment\ndti.national,vn,2022,0.71,seed-000 §1\n\nx,\"a\n# not a comment\",2022,1,\n";
        let sections = read("v.csv", text.as_bytes()).unwrap();
        assert_eq!(sections[0].kind, RecordKind::Values);
        let r = &sections[0].records[0];
        assert_eq!(r.text("value"), Some("0.71"));
        assert_eq!(r.pos_of("value"), Pos { line: 3, column: 4 });
        assert_eq!(r.text("numerator"), None);
        let r = &sections[0].records[1];
        assert_eq!(r.text("unit"), Some("a\n# not a comment"));
        assert_eq!(r.pos_of("period"), Pos { line: 5, column: 3 });
    }

    #[test]
    fn refuses_unknown_columns_and_bad_encodings() {
        let err = read("v.csv", b"indicator,unit,period,value,numerater\n").unwrap_err();
        assert!(err.to_string().contains("v.csv:1:5: numerater: unknown column"), "{err}");
        let err = read("v.csv", b"indicator,unit,period,value\nx,\xD0\xE0 N\xE9ng,2022,1\n").unwrap_err();
        assert!(err.to_string().contains("v.csv:2:3: not valid UTF-8"), "{err}");
        let err = read("v.csv", &[0xFF, 0xFE, b'a', 0]).unwrap_err();
        assert!(err.to_string().contains("UTF-16"), "{err}");
        let err = read("v.xlsx", b"").unwrap_err();
        assert!(err.to_string().contains("unknown file type"), "{err}");
        let err = read("v.csv", "name,unit\nx,y\n".as_bytes()).unwrap_err();
        assert!(err.to_string().contains("expected one of"), "{err}");
    }

    #[test]
    fn reads_toml_keeping_precision_and_positions() {
        let text = "[[values]]\nindicator = \"x\"\nunit = \"vn\"\nperiod = \"2022\"\nvalue = 52.80\n\n[[breakdowns]]\nbreakdown = \"b\"\ntitle = \"T\"\nparts = [{ label = \"A\", value = 2, members = [\"a\", \"b\"] }]\n";
        let sections = read("d.toml", text.as_bytes()).unwrap();
        let values = &sections.iter().find(|s| s.kind == RecordKind::Values).unwrap().records[0];
        assert_eq!(values.text("value"), Some("52.80"));
        assert_eq!(values.pos_of("value"), Pos { line: 5, column: 9 });
        let b = &sections.iter().find(|s| s.kind == RecordKind::Breakdowns).unwrap().records[0];
        let parts = b.records("parts");
        assert_eq!(parts[0].text("value"), Some("2"));
        assert_eq!(parts[0].list("members"), ["a", "b"]);
    }

    #[test]
    fn toml_errors_have_positions() {
        let err = read("d.toml", b"[[values]]\nindicator = \n").unwrap_err();
        assert!(err.to_string().starts_with("d.toml:2:"), "{err}");
        let err = read("d.toml", b"[[valeus]]\nindicator = \"x\"\n").unwrap_err();
        assert!(err.to_string().contains("unknown table"), "{err}");
        let err = read("d.toml", b"[[values]]\nindicatr = \"x\"\n").unwrap_err();
        assert!(err.to_string().contains("d.toml:2:12: indicatr: unknown field"), "{err}");
    }

    #[test]
    fn sizes_are_bounded() {
        let name = "Hà Nội ".repeat(2_000);
        let text = format!("unit,name,kind\nha-noi,\"{name}\",province\n");
        let err = read("u.csv", text.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("u.csv:2:2: name: the field is longer than 10000 characters"), "{err}");
        let text = format!("[[units]]\nunit = \"ha-noi\"\nname = \"{name}\"\nkind = \"province\"\n");
        let err = read("u.toml", text.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("longer than 10000 characters"), "{err}");
        let err = read("u.csv", "unit,name,kind\nha-noi,Hà\u{0}Nội,province\n".as_bytes()).unwrap_err();
        assert!(err.to_string().contains("u.csv:2:2: name: the field holds a control character"), "{err}");
        let deep = format!("[[breakdowns]]\nparts = {}1{}\n", "[{a = ".repeat(8), "}]".repeat(8));
        let err = read("b.toml", deep.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("nest more than"), "{err}");
        let huge = vec![b'a'; MAX_FILE + 1];
        let err = read("v.csv", &huge).unwrap_err();
        assert!(err.to_string().contains("larger than 256 MiB"), "{err}");
    }
}
