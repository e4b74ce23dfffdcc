//! Every parser a user can reach, under generated and mutated input (see
//! `testkit::fuzz`): data files (CSV and TOML), methodology files, event bodies (NDJSON,
//! JSON arrays, gzip) and workbook uploads. Zero panics; and a file the import refuses
//! leaves the database as it was, to the last record.

// Test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};

use chrono::{Duration, Utc};
use ops::measure::intake::{check, inflate, split_body};
use testkit::fuzz;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap()
}

/// A SQLite database with the seed dataset.
fn seeded(rt: &tokio::runtime::Runtime) -> testkit::TestDb {
    rt.block_on(async {
        let db = testkit::sqlite().await;
        let files = testkit::seed_files();
        let refs: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
        ops::import(&db.store, &refs, |_| {}).await.unwrap();
        db
    })
}

fn seeds(extension: &str, prefix: &str) -> Vec<Vec<u8>> {
    testkit::seed_files()
        .into_iter()
        .filter(|(name, _)| name.starts_with(prefix) && name.ends_with(extension))
        .map(|(_, bytes)| bytes)
        .collect()
}

#[test]
fn data_files() {
    let rt = runtime();
    let db = seeded(&rt);
    let catalog = rt.block_on(ops::catalog(&db.store)).unwrap();
    for (extension, name) in [(".csv", "mutated.csv"), (".toml", "mutated.toml")] {
        fuzz::run(&format!("data{extension}"), &seeds(extension, "data/"), fuzz::cases(2000), |input| {
            if let Ok(data) = dataset::load(name, input, &catalog) {
                let _ = dataset::write::files(&data);
            }
        });
    }
}

#[test]
fn methodology_files() {
    let rt = runtime();
    let db = seeded(&rt);
    let catalog = rt.block_on(ops::catalog(&db.store)).unwrap();
    let lookup = |code: &str| catalog.indicators.get(code).map(|i| score::method::IndicatorInfo::from(&**i));
    fuzz::run("methodology", &seeds(".toml", "methodologies/"), fuzz::cases(2000), |input| {
        if let Ok(m) = dataset::methodology::read("mutated.toml", input) {
            let _ = score::method::compile(&m, &lookup);
        }
    });
}

/// Mutated files imported for real: one the import refuses leaves every record as it
/// was; one it takes, methodologies included, can be checked, scored and reported.
#[test]
fn imports_write_all_or_nothing() {
    let rt = runtime();
    let db = seeded(&rt);
    let store = db.store.clone();
    let files: Vec<(String, Vec<u8>)> = testkit::seed_files()
        .into_iter()
        .map(|(name, bytes)| (format!("mutated.{}", name.rsplit('.').next().unwrap_or("csv")), bytes))
        .collect();
    let mut before = rt.block_on(store.everything()).unwrap();
    for case in 0..fuzz::cases(2000) / 10 {
        let mut rng = fuzz::rng("import", case);
        let (name, seed) = &files[usize::try_from(case).unwrap() % files.len()];
        let input = fuzz::mutate(&mut rng, seed);
        let (task_store, name, bytes) = (store.clone(), name.clone(), input.clone());
        let outcome = rt.block_on(rt.spawn(async move {
            let s = &task_store;
            let refused = ops::import(s, &[(name, bytes.as_slice())], |_| {}).await.is_err();
            let _ = ops::findings(s).await;
            for m in s.methodologies().await.unwrap_or_default() {
                let _ = ops::score(s, &m.id, m.applies_from, None).await;
            }
            refused
        }));
        let after = rt.block_on(store.everything()).unwrap();
        match outcome {
            Err(e) if e.is_panic() => panic!("{}", fuzz::keep("import", case, &input)),
            Ok(true) => assert!(after == before, "{}", fuzz::keep("import-partial", case, &input)),
            _ => before = after,
        }
    }
}

#[test]
fn event_bodies() {
    let rt = runtime();
    let db = seeded(&rt);
    let catalogue = rt.block_on(ops::measure::Ingestor::new(db.store.clone()).catalogue()).unwrap();
    let reference = rt.block_on(db.store.reference()).unwrap();
    let procedures = rt.block_on(db.store.procedures()).unwrap();
    let start = Utc::now() - Duration::days(2);
    let mut sim = ops::simulate::Simulator::new(
        &reference.units,
        &reference.lineage,
        &procedures,
        ops::simulate::Settings { scale: 0.001, ..Default::default() },
        start,
    );
    let events: Vec<String> =
        sim.advance(start + Duration::hours(30)).iter().take(40).map(ops::simulate::to_json).collect();
    let ndjson = events.join("\n").into_bytes();
    let array = format!("[{}]", events.join(",")).into_bytes();
    let now = Utc::now();
    let take = |body: &[u8], ndjson: bool| {
        if let Ok(lines) = split_body(body, ndjson) {
            for (_, line) in lines {
                let _ = check(line, &catalogue, now);
            }
        }
    };
    fuzz::run("events.ndjson", std::slice::from_ref(&ndjson), fuzz::cases(2000), |input| take(input, true));
    fuzz::run("events.json", std::slice::from_ref(&array), fuzz::cases(2000), |input| take(input, false));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&ndjson).unwrap();
    let gzipped = gz.finish().unwrap();
    fuzz::run("events.gzip", &[gzipped], fuzz::cases(1000), |input| {
        if let Ok(body) = inflate(input) {
            take(&body, true);
        }
    });
}

/// Each part of a workbook, to mutate its XML and put it back.
fn parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            (file.name().unwrap().into_owned(), content)
        })
        .collect()
}

fn zipped(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in parts {
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn workbooks() {
    let rt = runtime();
    let db = seeded(&rt);
    let cx = rt.block_on(ops::collection::context(&db.store, "dia-phuong-6-thang")).unwrap();
    let unit = cx.registry.get("ha-noi").unwrap().clone();
    let period = "2026-H1".parse().unwrap();
    let template =
        dataset::template::generate(&cx.form(), &unit, period, None, &|_| Some("50".into()), model::Lang::Vi).unwrap();
    let read = |input: &[u8]| {
        let _ = dataset::template::read(input, &cx.form(), &unit.key, period);
    };
    // The archive's bytes as they are: most edits break a checksum.
    fuzz::run("workbook.bytes", std::slice::from_ref(&template), fuzz::cases(1000), read);
    // One part's XML at a time, put back in a sound archive.
    let original = parts(&template);
    for (index, (name, _)) in original.iter().enumerate().filter(|(_, (n, _))| n.ends_with(".xml")) {
        let target = format!("workbook.{}", name.replace('/', "."));
        fuzz::run(&target, &[original[index].1.clone()], fuzz::cases(2000) / 6, |xml| {
            let mut edited = original.clone();
            edited[index].1 = xml.to_vec();
            read(&zipped(&edited));
        });
    }
}
