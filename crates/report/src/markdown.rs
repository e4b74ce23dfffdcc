//! Markdown: the report as plain text that reads well as it is and renders in any
//! Markdown viewer. Charts become their tables of points.

use std::fmt::Write;

use crate::document::{Block, Cell, Chart, Document, Table};

pub fn render(doc: &Document) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n\n**{}**  \n_{}_\n", inline(&doc.title), inline(&doc.subtitle), inline(&doc.as_of));
    for line in &doc.summary {
        let _ = writeln!(out, "- {}", inline(line));
    }
    for section in &doc.sections {
        let _ = writeln!(out, "\n## {}\n", inline(&section.heading));
        for block in &section.blocks {
            match block {
                Block::Paragraph(text) => {
                    let _ = writeln!(out, "{}\n", inline(text));
                }
                Block::NoData(text) => {
                    let _ = writeln!(out, "_{}_\n", inline(text));
                }
                Block::Table(table) => table_md(&mut out, table),
                Block::Chart(chart) => chart_md(&mut out, chart, doc.lang),
            }
        }
    }
    out
}

/// Text from the data, shown as it is: HTML, links and emphasis in a name are shown,
/// not obeyed by a Markdown viewer; line breaks become spaces.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // Only what would read as an entity ("&amp;", "&#60;"): "TT&TT" stays.
            '&' if entity_follows(&text[i + 1..]) => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn entity_follows(rest: &str) -> bool {
    let rest = rest.strip_prefix('#').unwrap_or(rest);
    let name = rest.chars().take_while(char::is_ascii_alphanumeric).count();
    name > 0 && rest[name..].starts_with(';')
}

/// Text in a table cell: as `inline`, but a line break is kept as one.
fn escape(text: &str) -> String {
    text.split('\n').map(inline).collect::<Vec<_>>().join("<br>")
}

fn cell(c: &Cell) -> String {
    if c.notes.is_empty() {
        return escape(&c.text);
    }
    let notes: Vec<String> = c.notes.iter().map(ToString::to_string).collect();
    format!("{}<sup>{}</sup>", escape(&c.text), notes.join(", "))
}

fn table_md(out: &mut String, table: &Table) {
    if let Some(title) = &table.title {
        let _ = writeln!(out, "**{}**\n", escape(title));
    }
    let names: Vec<String> = table.columns.iter().map(|c| escape(&c.name)).collect();
    let _ = writeln!(out, "| {} |", names.join(" | "));
    let aligns: Vec<&str> = table.columns.iter().map(|c| if c.numeric { "---:" } else { "---" }).collect();
    let _ = writeln!(out, "|{}|", aligns.join("|"));
    for group in &table.groups {
        if let Some(heading) = &group.heading {
            let mut cells = vec![format!("**{}**", escape(heading))];
            cells.resize(table.columns.len().max(1), String::new());
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        for row in &group.rows {
            let cells: Vec<String> = row.iter().map(cell).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
    }
    out.push('\n');
    for (i, note) in table.footnotes.iter().enumerate() {
        let _ = writeln!(out, "<sup>{}</sup> {}  ", i + 1, escape(note));
    }
    if !table.footnotes.is_empty() {
        out.push('\n');
    }
}

fn chart_md(out: &mut String, chart: &Chart, lang: model::Lang) {
    let _ = writeln!(out, "**{}**\n", escape(&chart.title));
    let mut header = vec![String::new()];
    header.extend(chart.categories.iter().map(|c| escape(c)));
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(out, "|---|{}|", vec!["---:"; chart.categories.len()].join("|"));
    for s in &chart.series {
        let mut cells = vec![escape(&s.name)];
        cells.extend(
            s.values.iter().map(|v| v.map(|v| model::display::number(v, chart.decimals, lang)).unwrap_or_default()),
        );
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}
