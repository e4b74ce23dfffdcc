//! Loading files: what is accepted, and every kind of bad input with its place.

use model::{Datum, Scope};

use crate::catalog::Catalog;
use crate::{load, write};

const BASE: &str = r#"
[[groups]]
group = "provinces"
name = "Tỉnh, thành phố"

[[units]]
unit = "vn"
name = "Việt Nam"
kind = "nation"

[[units]]
unit = "da-nang"
code = "48"
name = "Thành phố Đà Nẵng"
name_en = "Da Nang"
kind = "province"
groups = ["provinces"]
valid_to = "2025-06-30"

[[units]]
unit = "quang-nam"
code = "49"
name = "Quảng Nam"
kind = "province"
groups = "provinces"
valid_to = "2025-06-30"

[[units]]
unit = "da-nang-2025"
code = "48"
name = "Thành phố Đà Nẵng"
kind = "province"
groups = ["provinces"]
valid_from = "2025-07-01"

[[units]]
unit = "bo-tttt"
name = "Bộ Thông tin và Truyền thông"
kind = "ministry"
aliases = ["Bộ TT&TT"]

[[lineage]]
event = "da-nang-2025"
kind = "merge"
effective = "2025-07-01"
from = ["da-nang", "Quảng Nam"]
to = ["da-nang-2025"]

[[programmes]]
programme = "cds"
name = "Chương trình Chuyển đổi số quốc gia"
kind = "programme"

[[programmes]]
programme = "kh-2022"
name = "Kế hoạch 2022"
kind = "plan"

[[pillars]]
pillar = "government"
programme = "cds"
name = "Chính phủ số"

[[indicators]]
indicator = "online_rate"
pillar = "government"
name = "Tỷ lệ hồ sơ nộp trực tuyến"
kind = "ratio"
unit_of_measure = "%"
lead = ["Bộ TT&TT"]

[[indicators]]
indicator = "villages"
pillar = "government"
name = "Số thôn được phủ sóng"
kind = "count"
unit_of_measure = "thôn"

[[indicators]]
indicator = "portal_grade"
pillar = "government"
name = "Xếp loại cổng DVC"
kind = "category"
categories = ["A", "B", "C", "D", "E"]

[[indicators]]
indicator = "law_passed"
pillar = "government"
name = "Ngày Luật được thông qua"
kind = "date"
"#;

fn base() -> Catalog {
    static BASE_CATALOG: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    BASE_CATALOG
        .get_or_init(|| {
            let data = load("base.toml", BASE.as_bytes(), &Catalog::default()).unwrap_or_else(|e| panic!("{e}"));
            Catalog::default().absorb(&data).unwrap()
        })
        .clone()
}

fn errors(file: &str, text: &str) -> String {
    match load(file, text.as_bytes(), &base()) {
        Ok(d) => panic!("expected errors, got {d:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_plain_values_csv_with_names_as_they_arrive() {
    let csv = "indicator,unit,period,value,numerator,denominator,source\n\
               online_rate,TP. Đà Nẵng,2022,52.80,,,seed-001 §I.5\n\
               online_rate,Da Nang,2023,\"54,34%\",,,seed-004\n\
               online_rate,48,2024,,19,21,\n\
               online_rate,48,2025-Q3,,1,2,\n\
               villages,Việt Nam,2023-H1,2416,,,seed-000\n";
    let data = load("values.csv", csv.as_bytes(), &base()).unwrap_or_else(|e| panic!("{e}"));
    let units: Vec<&str> = data.values.iter().map(|v| v.unit.as_str()).collect();
    assert_eq!(units, ["da-nang", "da-nang", "da-nang", "da-nang-2025", "vn"]);
    assert_eq!(data.values[0].value.to_text(), "52.80");
    assert_eq!(data.values[1].value.to_text(), "54.34");
    assert_eq!(data.values[2].value.to_text(), "90.48");
}

#[test]
fn bad_values_are_named_with_their_place() {
    let csv = "indicator,unit,period,value,numerator,denominator\n\
               online_rate,Da Nag,2022,50,,\n\
               online_rat,da-nang,2022,50,,\n\
               online_rate,da-nang,2022-H3,50,,\n\
               villages,vn,2022,many,,\n\
               online_rate,da-nang,2022,,22,21\n\
               villages,vn,2022,2.416,,\n\
               online_rate,Quảng Nam,2026,50,,\n\
               villages,vn,2021,5,,\n\
               villages,vn,2021,6,,\n";
    let e = errors("values.csv", csv);
    let lines: Vec<&str> = e.lines().collect();
    let expect = [
        "values.csv:2:2: unit: unknown unit 'Da Nag'; closest: Thành phố Đà Nẵng (da-nang",
        "values.csv:3:1: indicator: unknown indicator 'online_rat'",
        "values.csv:4:3: period: '2022-H3' is not a period",
        "values.csv:5:4: value: 'many' is not a number",
        "values.csv:6:5: numerator: numerator 22 is greater than denominator 21",
        "values.csv:7:4: value: '2.416' is not a whole number",
        "values.csv:8:2: unit: 'Quảng Nam' did not exist in that period",
        "values.csv:10:1: indicator: duplicate of the record on line 9",
    ];
    for want in expect {
        assert!(lines.iter().any(|l| l.starts_with(want)), "missing {want:?} in:\n{e}");
    }
    // Numerator over denominator is named too.
    let e = errors("v.csv", "indicator,unit,period,numerator,denominator\nonline_rate,da-nang,2022,22,21\n");
    assert!(e.contains("v.csv:2:4: numerator: numerator 22 is greater than denominator 21"), "{e}");
}

#[test]
fn wrong_kinds_and_ambiguous_names() {
    let e = errors("v.csv", "indicator,unit,period,value\nportal_grade,da-nang,2023-H1,F\nlaw_passed,vn,2023,soon\n");
    assert!(e.contains("v.csv:2:4: value: 'F' is not one of the indicator's categories"), "{e}");
    assert!(e.contains("v.csv:3:4: value: 'soon' is not a date"), "{e}");
    let e = errors("v.csv", "indicator,unit,period,value\nvillages,Đà Nẵng,2025,5\n");
    assert!(e.contains("is ambiguous") && e.contains("da-nang-2025"), "{e}");
}

#[test]
fn targets_tasks_and_breakdowns() {
    let toml = r#"
[[targets]]
indicator = "online_rate"
programme = "kh-2022"
period = "2022"
comparator = ">="
target = "50%"
label = "50%"

[[targets]]
indicator = "law_passed"
programme = "kh-2022"
period = "2023"
scope = "national"
comparator = "by"
target = "31/12/2023"

[[task_lists]]
task_list = "q2"
name = "Phụ lục 1"

[[tasks]]
task = "q2-1"
task_list = "q2"
title = "Xây dựng Luật"
deadline = "2024-06"
deadline_label = "Tháng 6"
responsible = ["Bộ TT&TT", "group:provinces"]
status = "done"
completed_on = "2024-04-30"

[[breakdowns]]
breakdown = "grades"
title = "Xếp loại"
period = "2023-H1"
indicator = "portal_grade"
population = "provinces"
parts = [{ label = "A", value = 1, members = ["Đà Nẵng"] }, { label = "B", value = "0", share = "0" }]
"#;
    let data = load("plan.toml", toml.as_bytes(), &base()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(data.targets.len(), 2);
    assert_eq!(data.targets[0].scope, Scope::Unit(model::UnitKey::parse("vn").unwrap()));
    assert!(matches!(data.targets[1].value, Datum::Date(_)));
    assert_eq!(data.tasks[0].responsible.len(), 2);
    assert_eq!(data.breakdowns[0].parts[0].members[0].as_str(), "da-nang");

    let bad = r#"
[[tasks]]
task = "x"
task_list = "nope"
title = "T"
status = "doing"
completed_on = "2024-04-30"
"#;
    let e = errors("t.toml", bad);
    assert!(e.contains("t.toml:4:13: task_list: unknown task list 'nope'"), "{e}");
    assert!(e.contains("t.toml:6:10: status: unknown task status 'doing'"), "{e}");
}

#[test]
fn registry_problems_point_at_the_record() {
    let toml = "[[units]]\nunit = \"x\"\nname = \"X\"\nkind = \"district\"\nparent = \"nowhere\"\n";
    let e = errors("u.toml", toml);
    assert!(e.contains("u.toml:2:8: unit: unit x: parent 'nowhere' is not a known unit"), "{e}");
    let e = errors("u.toml", "[[units]]\nunit = \"x\"\nname = \"X\"\nkind = \"town\"\n");
    assert!(e.contains("u.toml:4:8: kind: unknown unit kind 'town'"), "{e}");
}

#[test]
fn what_is_written_reads_back_the_same() {
    let base_data = load("base.toml", BASE.as_bytes(), &Catalog::default()).unwrap();
    let values = "indicator,unit,period,value,numerator,denominator,source,note\n\
                  online_rate,da-nang,2022,52.80,,,\"seed-001 §I.5, dòng 5\",\"ghi chú; có dấu phẩy\"\n\
                  online_rate,vn,2024,90.48,19,21,,\n";
    let cat = base();
    let value_data = load("values.csv", values.as_bytes(), &cat).unwrap();
    let mut all = base_data.clone();
    all.values = value_data.values.clone();

    let mut reread = model::Dataset::default();
    let mut catalog = Catalog::default();
    for (name, text) in write::files(&all) {
        let part = load(&name, text.as_bytes(), &catalog).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
        catalog = catalog.absorb(&part).unwrap();
        reread.sources.extend(part.sources);
        reread.groups.extend(part.groups);
        reread.units.extend(part.units);
        reread.lineage.extend(part.lineage);
        reread.programmes.extend(part.programmes);
        reread.pillars.extend(part.pillars);
        reread.indicators.extend(part.indicators);
        reread.values.extend(part.values);
    }
    assert_eq!(reread, all);
}

mod robustness {
    use proptest::prelude::*;

    use super::base;
    use crate::load;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Whatever the bytes, reading answers with records or errors, never a panic.
        #[test]
        fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300), toml in any::<bool>()) {
            let name = if toml { "x.toml" } else { "x.csv" };
            if let Err(errors) = load(name, &bytes, &base()) {
                // Every error names the file and says something.
                prop_assert!(errors.0.iter().all(|e| e.to_string().starts_with(name) && !e.message.is_empty()));
            }
        }

        /// Rows that look almost right reach the checks of every field.
        #[test]
        fn almost_right_values(rows in proptest::collection::vec(
            ("(online_rate|villages|portal_grade|law_passed|x)", "(vn|da-nang|Đà Nẵng|48|Da Nag|)",
             "(2022|2025|2023-H1|2024-Q5|2023-06|x)", "(52,80%|1\\.234|1.234,5|-3|A|yes|2023-06-22|)",
             "(19|0|-1|)", "(21|0|)"),
            0..12,
        )) {
            let mut text = String::from("indicator,unit,period,value,numerator,denominator\n");
            for (i, u, p, v, n, d) in rows {
                text.push_str(&format!("{i},{u},{p},\"{v}\",{n},{d}\n"));
            }
            if let Err(errors) = load("v.csv", text.as_bytes(), &base()) {
                // Every error is placed on a line of the file.
                prop_assert!(errors.0.iter().all(|e| e.pos.is_some_and(|p| p.line >= 1)));
            }
        }

        /// Breakdowns and targets in TOML with fields of every type.
        #[test]
        fn arbitrary_toml_values(value in "(\"[^\"\\\\]{0,12}\"|-?[0-9]{1,6}|[0-9]\\.[0-9]{1,3}|true|\\[\\]|\\{\\})") {
            let text = format!(
                "[[breakdowns]]\nbreakdown = {value}\ntitle = {value}\ntotal = {value}\nparts = [{{ label = {value}, value = {value} }}]\n\n[[targets]]\nindicator = {value}\nprogramme = {value}\nperiod = {value}\ncomparator = {value}\ntarget = {value}\n"
            );
            if let Err(errors) = load("t.toml", text.as_bytes(), &base()) {
                prop_assert!(!errors.0.is_empty());
            }
        }
    }
}
