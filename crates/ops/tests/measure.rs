//! Automatic measurement on both backends: simulated feeds taken in batch by batch, in
//! any order, with resends; the roll-ups equal the generator's truth, a rebuild from the
//! raw events equals the incremental roll-ups, and ended periods become measured values.

// Test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use model::access::{Principal, Role};
use model::measure::{ALL_PROCEDURES, Event, Stored};
use model::{Period, Provenance, UnitKey};
use ops::measure::Ingestor;
use ops::measure::intake::Catalogue;
use ops::simulate::{Settings, Simulator, expected, to_json};
use store::{Page, ValueFilter};
use testkit::TestDb;

async fn load(db: &TestDb) {
    let files = testkit::seed_files();
    let refs: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
    ops::import(&db.store, &refs, |_| {}).await.unwrap();
}

fn start() -> DateTime<Utc> {
    "2026-09-28T17:00:00Z".parse().unwrap()
}

/// The tests' "now": after every simulated event, whatever the machine's clock says.
fn now() -> DateTime<Utc> {
    start() + Duration::days(40)
}

fn ingestor(db: &TestDb) -> Ingestor {
    Ingestor::new(db.store.clone()).with_clock(Arc::new(now))
}

async fn simulate(db: &TestDb, days: i64, seed: u64) -> (Vec<Event>, Vec<UnitKey>) {
    let reference = db.store.reference().await.unwrap();
    let procedures = db.store.procedures().await.unwrap();
    let settings = Settings { seed, scale: 0.01, ..Settings::default() };
    let mut sim = Simulator::new(&reference.units, &reference.lineage, &procedures, settings, start());
    let events = sim.advance(start() + Duration::days(days));
    (events, sim.units())
}

/// Simulated events on a database loaded with the seed, with the catalogue that checks
/// them and an event writer on that database (SQLite only).
async fn writer_and_events(db: &TestDb, days: i64, seed: u64) -> (Vec<Event>, Arc<Catalogue>, store::EventWriter) {
    load(db).await;
    let (events, _) = simulate(db, days, seed).await;
    let catalogue = ingestor(db).catalogue().await.unwrap();
    (events, catalogue, store::EventWriter::open(&db.store).unwrap())
}

fn machine(units: Vec<UnitKey>) -> Principal {
    Principal { id: "token:1".into(), name: "feeds".into(), role: Role::Machine, units }
}

fn ndjson(events: &[Event]) -> Vec<u8> {
    events.iter().map(to_json).collect::<Vec<_>>().join("\n").into_bytes()
}

async fn batches_resends_and_rebuild(db: &TestDb) {
    load(db).await;
    let (events, units) = simulate(db, 35, 11).await;
    assert!(events.len() > 10_000, "only {} events", events.len());
    let ingest = ingestor(db);
    let who = machine(units);
    let (mut accepted, mut duplicate) = (0, 0);
    // Batches of 3.000 in the order sent, each overlapping the one before by 500.
    let mut from = 0;
    while from < events.len() {
        let to = (from + 3000).min(events.len());
        let overlap = from.saturating_sub(500);
        let outcome = ingest.ingest(&who, ndjson(&events[overlap..to]), false, true).await.unwrap();
        assert_eq!(outcome.rejected, 0, "{:?}", outcome.errors.first());
        accepted += outcome.accepted;
        duplicate += outcome.duplicate;
        from = to;
    }
    let catalogue = ingest.catalogue().await.unwrap();
    let truth = expected(&events, &|p| catalogue.with_fee(p));
    let unique: usize = truth.feeds().iter().map(|(_, f)| f.events as usize).sum();
    assert_eq!(accepted, unique, "each distinct event is accepted once");
    assert!(duplicate > 0);
    assert_eq!(db.store.event_count().await.unwrap() as usize, unique);

    // The same batch again, whole: nothing changes.
    let before = db.store.rollup_snapshot().await.unwrap();
    let again = ingest.ingest(&who, ndjson(&events[..5000]), false, true).await.unwrap();
    assert_eq!((again.accepted, again.duplicate), (0, 5000));
    assert_eq!(db.store.rollup_snapshot().await.unwrap(), before);

    // Month by month, every unit's totals are the generator's.
    for month in ["2026-09", "2026-10", "2026-11"] {
        let period: Period = month.parse().unwrap();
        let (first, _) = ops::measure::months(period);
        let stored = db.store.unit_totals(first, first).await.unwrap();
        let mut wanted: Vec<_> = truth
            .months()
            .into_iter()
            .filter(|((_, p, m), _)| p == ALL_PROCEDURES && *m == first)
            .map(|((u, _, _), c)| (u, c))
            .collect();
        wanted.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(stored, wanted, "totals of {month}");
    }

    // Rebuilt from the raw events, the roll-ups are the incremental ones.
    let read = db.store.rebuild_rollups(&|p| catalogue.with_fee(p)).await.unwrap();
    assert_eq!(read as usize, unique);
    let rebuilt = db.store.rollup_snapshot().await.unwrap();
    assert_eq!(rebuilt, before);
    assert!(!rebuilt.loads.is_empty() && !rebuilt.days.is_empty());

    // October has ended: its rates become measured values with their parts.
    let report = ops::measure::publish(&db.store, "2026-10".parse().unwrap()).await.unwrap();
    assert!(report.values_added > 30 * 6, "{} values", report.values_added);
    let filter = ValueFilter {
        indicator: Some("service.on_time_rate".parse().unwrap()),
        period: Some("2026-10".parse().unwrap()),
        ..Default::default()
    };
    let values = db.store.values(&filter, Page::ALL).await.unwrap().items;
    let hanoi = values.iter().find(|v| v.unit.as_str() == "ha-noi").expect("Hà Nội measured");
    assert_eq!(hanoi.provenance, Provenance::Measured);
    let (part, whole) = (hanoi.numerator.unwrap(), hanoi.denominator.unwrap());
    assert!(whole > part && part > rust_decimal::Decimal::ZERO);
    assert!(values.iter().any(|v| v.unit.as_str() == "vn"), "the nation's figure is measured too");
    let unchanged = ops::measure::publish(&db.store, "2026-10".parse().unwrap()).await.unwrap();
    assert_eq!(unchanged.values_added, 0, "publishing again adds no revision");
}

/// Sent in reverse, or shuffled and from two tasks at once, the totals are the same.
async fn order_does_not_matter(db: &TestDb) {
    load(db).await;
    let (mut events, units) = simulate(db, 4, 23).await;
    events.reverse();
    let ingest = std::sync::Arc::new(ingestor(db));
    let who = machine(units);
    let halves: Vec<Vec<Event>> = events.chunks(events.len() / 2 + 1).map(<[Event]>::to_vec).collect();
    let mut tasks = Vec::new();
    for half in halves {
        let (ingest, who) = (ingest.clone(), who.clone());
        tasks.push(tokio::spawn(async move {
            for chunk in half.chunks(700) {
                let outcome = ingest.ingest(&who, ndjson(chunk), false, true).await.unwrap();
                assert_eq!(outcome.rejected, 0);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let catalogue = ingest.catalogue().await.unwrap();
    let incremental = db.store.rollup_snapshot().await.unwrap();
    db.store.rebuild_rollups(&|p| catalogue.with_fee(p)).await.unwrap();
    assert_eq!(db.store.rollup_snapshot().await.unwrap(), incremental);
    let truth = expected(&events, &|p| catalogue.with_fee(p));
    let processed_before_received =
        events.iter().rev().position(|e| matches!(e.what, model::measure::What::Processed)).is_some();
    assert!(processed_before_received);
    let total_received: i64 = incremental.months.iter().filter(|m| m.1 == ALL_PROCEDURES).map(|m| m.3[0]).sum();
    let wanted: i64 = truth.months().iter().filter(|((_, p, _), _)| p == ALL_PROCEDURES).map(|(_, c)| c.received).sum();
    assert_eq!(total_received, wanted);
}

/// Bad lines are named and cost nothing else; another unit's event refuses the batch.
async fn bad_lines_and_other_units(db: &TestDb) {
    load(db).await;
    let ingest = ingestor(db);
    let who = machine(vec![UnitKey::parse("ha-noi").unwrap()]);
    let now = now().to_rfc3339();
    let good = format!(
        r#"{{"event_id":"a1","type":"dossier.received","unit":"01","procedure":"ho-tich.khai-sinh","dossier":"HS1","at":"{now}","channel":"online"}}"#
    );
    let body = format!(
        "{good}\n{{not json\n{}\n{}\n",
        r#"{"event_id":"a2","type":"dossier.received","unit":"01","procedure":"khong-co","dossier":"HS2","at":"2026-01-01T00:00:00Z","channel":"online"}"#,
        r#"{"event_id":"a3","type":"portal.view","unit":"ha-noi","at":"2999-01-01T00:00:00Z","load_ms":100}"#
    );
    let outcome = ingest.ingest(&who, body.clone().into_bytes(), false, true).await.unwrap();
    assert_eq!((outcome.accepted, outcome.duplicate, outcome.rejected), (1, 0, 3));
    let lines: Vec<usize> = outcome.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![2, 3, 4]);
    assert!(outcome.errors[1].error.contains("unknown procedure 'khong-co'"));
    assert_eq!(outcome.errors[1].event_id.as_deref(), Some("a2"));
    assert!(outcome.errors[2].error.contains("future"));

    let other = format!("{}\n{}", good.replace("a1", "b1"), good.replace("a1", "b2").replace("\"01\"", "\"79\""));
    let refused = ingest.ingest(&who, other.clone().into_bytes(), false, true).await.unwrap_err();
    assert!(matches!(refused, ops::measure::IngestError::OtherUnit { line: 2, .. }), "{refused}");
    assert_eq!(db.store.event_count().await.unwrap(), 1, "nothing of the refused batch was stored");
    let reporter = Principal { role: Role::Reporter, ..who.clone() };
    assert!(matches!(
        ingest.ingest(&reporter, good.clone().into_bytes(), false, true).await,
        Err(ops::measure::IngestError::NotMachine)
    ));
}

/// SQLite's events go through a writer thread of their own; the pool's path is the
/// same contract. Both, given the same batches with resends, flag the same events new
/// and end with the same roll-ups, which are the generator's.
#[tokio::test]
async fn sqlite_writer_and_pool_agree() {
    let (by_writer, by_pool) = (testkit::sqlite().await, testkit::sqlite().await);
    let (events, catalogue, mut writer) = writer_and_events(&by_writer, 6, 5).await;
    load(&by_pool).await;
    let with_fee = |p: &str| catalogue.with_fee(p);
    let at = now();
    let mut new_events = 0;
    // Groups of two batches of up to 900 events; each batch repeats 300 of the last.
    for (k, group) in events.chunks(1800).enumerate() {
        let half = group.len() / 2;
        let from = if k == 0 { 0 } else { (k * 1800).saturating_sub(300) };
        let batches = vec![
            model::measure::Batch::new(events[from..k * 1800 + half].to_vec(), &with_fee),
            model::measure::Batch::new(group[half..].to_vec(), &with_fee),
        ];
        let flags = writer.ingest(&batches, &with_fee, at).unwrap();
        assert_eq!(flags, by_pool.store.ingest_batches(&batches, &with_fee, at).await.unwrap());
        if k > 0 {
            assert!(flags[0].iter().filter(|n| **n != Stored::New).count() > 200, "the repeated events are not new");
        }
        new_events += flags.iter().flatten().filter(|n| **n == Stored::New).count();
    }
    let truth = expected(&events, &with_fee);
    let unique: i64 = truth.feeds().iter().map(|(_, f)| f.events).sum();
    assert_eq!(new_events as i64, unique);
    let snapshot = by_writer.store.rollup_snapshot().await.unwrap();
    assert_eq!(snapshot, by_pool.store.rollup_snapshot().await.unwrap());
    let received: i64 = snapshot.months.iter().filter(|m| m.1 == ALL_PROCEDURES).map(|m| m.3[0]).sum();
    let wanted: i64 = truth.months().iter().filter(|((_, p, _), _)| p == ALL_PROCEDURES).map(|(_, c)| c.received).sum();
    assert_eq!(received, wanted);
    assert!(received > 0);

    let memory = store::Store::connect("sqlite::memory:").await.unwrap();
    let refused = store::EventWriter::open(&memory).err().expect("an in-memory database has no second connection");
    assert!(refused.to_string().contains("needs a database file"), "{refused}");
}

/// What a careless or hostile sender gets back: a bounded answer however many bad
/// lines it sends, ids counted in characters, and an id reused for other content
/// reported as a conflict, apart from harmless duplicates, within a request and across.
async fn bounded_answers_and_conflicts(db: &TestDb) {
    load(db).await;
    let ingest = ingestor(db);
    let who = machine(vec![UnitKey::parse("ha-noi").unwrap()]);
    let now = now().to_rfc3339();
    let event = |id: &str, dossier: &str| {
        format!(
            r#"{{"event_id":"{id}","type":"dossier.received","unit":"01","procedure":"ho-tich.khai-sinh","dossier":"{dossier}","at":"{now}","channel":"online"}}"#
        )
    };
    // 5.000 bad lines with ids of 3.000 characters, gzipped: a small answer.
    let long_id = "x".repeat(3_000);
    let bad = vec![event(&long_id, "HS1").replace("\"online\"", "\"by-pigeon\""); 5_000].join("\n");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, bad.as_bytes()).unwrap();
    let outcome = ingest.ingest(&who, gz.finish().unwrap(), true, true).await.unwrap();
    assert_eq!((outcome.rejected, outcome.errors.len(), outcome.errors_not_listed), (5_000, 100, 4_900));
    let answer = serde_json::to_string(&outcome).unwrap();
    assert!(answer.len() < 40_000, "an answer of {} bytes", answer.len());
    assert!(outcome.errors.iter().all(|e| e.event_id.as_ref().unwrap().chars().count() <= 65));

    // 128 characters is the limit, whatever their bytes.
    let vietnamese = "đ".repeat(128);
    let outcome = ingest
        .ingest(
            &who,
            format!("{}\n{}", event(&vietnamese, "HS2"), event(&format!("{vietnamese}đ"), "HS3")).into_bytes(),
            false,
            true,
        )
        .await
        .unwrap();
    assert_eq!((outcome.accepted, outcome.rejected), (1, 1), "{outcome:?}");
    assert!(outcome.errors[0].error.contains("1 to 128 characters"), "{}", outcome.errors[0].error);

    // The same id with other content: a conflict, with its line; the stored event stays.
    let body = [event("c1", "HS10"), event("c2", "HS11"), event("c2", "HS12"), event("c2", "HS11")].join("\n");
    let outcome = ingest.ingest(&who, body.into_bytes(), false, true).await.unwrap();
    assert_eq!((outcome.accepted, outcome.duplicate, outcome.conflict), (2, 1, 1), "{outcome:?}");
    assert_eq!(outcome.conflicts.iter().map(|c| c.line).collect::<Vec<_>>(), [3]);
    let body = [event("c1", "HS10"), event("c1", "HS99"), event("c2", "HS11"), event("c3", "HS13")].join("\n");
    let outcome = ingest.ingest(&who, body.into_bytes(), false, true).await.unwrap();
    assert_eq!((outcome.accepted, outcome.duplicate, outcome.conflict), (1, 2, 1), "{outcome:?}");
    assert_eq!(outcome.conflicts[0].line, 2);
    assert_eq!(outcome.conflicts[0].event_id.as_deref(), Some("c1"));
    assert_eq!(db.store.event_count().await.unwrap(), 4);
}

/// Money adds up fast: sums of amounts over months and units stop at the most a
/// roll-up holds instead of failing the read.
async fn amounts_saturate(db: &TestDb) {
    load(db).await;
    let hanoi = UnitKey::parse("ha-noi").unwrap();
    let paid = |id: &str, at: &str| Event {
        event_id: id.into(),
        unit: hanoi.clone(),
        procedure: "ho-tich.khai-sinh".into(),
        dossier: Some(id.into()),
        at: at.parse().unwrap(),
        what: model::measure::What::PaidOnline { amount: 5_000_000_000_000_000_000 },
    };
    let events = vec![paid("p1", "2025-07-10T03:00:00Z"), paid("p2", "2025-08-10T03:00:00Z")];
    let batch = model::measure::Batch::new(events, &|_| true);
    db.store.ingest_batches(&[batch], &|_| true, now()).await.unwrap();
    let year: Period = "2025".parse().unwrap();
    let totals = ops::measure::totals(&db.store, year).await.unwrap();
    let (_, counts) = totals.iter().find(|(u, _)| *u == hanoi).unwrap();
    assert_eq!((counts.paid_online, counts.paid_amount), (2, 9_000_000_000_000_000_000));
    let (from, to) = ops::measure::months(year);
    let procedures = db.store.procedure_totals(&hanoi, from, to).await.unwrap();
    assert_eq!(procedures[0].1.paid_amount, 9_000_000_000_000_000_000);
}

testkit::on_both_backends! {
    amounts => crate::amounts_saturate,
    batches => crate::batches_resends_and_rebuild,
    order => crate::order_does_not_matter,
    bad_input => crate::bad_lines_and_other_units,
    hostile => crate::bounded_answers_and_conflicts,
}

/// The SQLite writer commits without copying its write-ahead log back into the database
/// file; the checkpointer does that, flushed, and starts the log again once it is long.
#[tokio::test]
async fn sqlite_log_is_checkpointed_beside_the_writer() {
    let db = testkit::sqlite().await;
    let (events, catalogue, mut writer) = writer_and_events(&db, 6, 7).await;
    let with_fee = |p: &str| catalogue.with_fee(p);
    let log = writer.log().unwrap();
    let checkpointer = writer.checkpointer(Some(100)).unwrap();
    let mut groups = events.chunks(events.len() / 5 + 1);
    let mut new_events = 0;
    for group in groups.by_ref().take(4) {
        let flags = writer.ingest(&[model::measure::Batch::new(group.to_vec(), &with_fee)], &with_fee, now());
        new_events += flags.unwrap().iter().flatten().filter(|n| **n == Stored::New).count();
        log.flush().unwrap();
    }
    // Four groups' pages are all still in the log: the writer did not checkpoint.
    let long = checkpointer.run().unwrap();
    assert!(long >= 100, "the log holds {long} pages");
    let last = groups.next().unwrap();
    let flags = writer.ingest(&[model::measure::Batch::new(last.to_vec(), &with_fee)], &with_fee, now());
    new_events += flags.unwrap().iter().flatten().filter(|n| **n == Stored::New).count();
    log.flush().unwrap();
    // Copied and restarted: the log holds only the last group's pages.
    let short = checkpointer.run().unwrap();
    assert!(short > 0 && short < long / 2, "the log held {long} pages, then {short}");
    assert_eq!(db.store.event_count().await.unwrap(), new_events as i64);
    assert!(new_events > 1000);
}

/// The writer stores group after group without a pause, as under a steady load; the
/// checkpointer, running once while each next group is stored, still starts the log
/// again once it is long, so the log stays short.
#[tokio::test]
async fn sqlite_log_stays_short_under_a_writer_that_never_pauses() {
    let db = testkit::sqlite().await;
    let (events, catalogue, mut writer) = writer_and_events(&db, 35, 5).await;
    let checkpointer = writer.checkpointer(Some(64)).unwrap();
    let (new_events, most) = std::thread::scope(|s| {
        let (stored, groups) = std::sync::mpsc::channel::<()>();
        let copies = s.spawn(move || groups.iter().map(|()| checkpointer.run().unwrap()).max().unwrap_or(0));
        let with_fee = |p: &str| catalogue.with_fee(p);
        let mut new_events = 0;
        for group in events.chunks(200) {
            let batch = model::measure::Batch::new(group.to_vec(), &with_fee);
            let flags = writer.ingest(&[batch], &with_fee, now()).unwrap();
            new_events += flags.iter().flatten().filter(|n| **n == Stored::New).count();
            stored.send(()).unwrap();
        }
        drop(stored);
        (new_events, copies.join().unwrap())
    });
    let path = db.url.trim_start_matches("sqlite:");
    let pages = |p: &str| std::fs::metadata(p).unwrap().len() / 4096;
    let (wal, file) = (pages(&format!("{path}-wal")), pages(path));
    // Unchecked, the log grows to more than twice the database file (about 30.000 pages
    // against 13.000 here): every group rewrites the roll-up pages it adds to.
    assert!(most >= 64, "the log never reached the limit: {most} pages");
    assert!(wal * 2 < file, "the log grew to {wal} pages beside a database file of {file}");
    assert_eq!(db.store.event_count().await.unwrap(), new_events as i64);
}
