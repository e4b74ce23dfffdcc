//! Ingestion as it runs for real: `dxmon serve` processes taking simulated events over
//! HTTP. The server is killed (SIGKILL) at random moments and restarted while a client
//! keeps sending and retries whatever was not acknowledged; two servers share one
//! PostgreSQL database with some batches sent to both. The totals must equal the
//! generator's exactly, and the roll-ups a rebuild from the raw events.

// Test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use model::measure::{ALL_PROCEDURES, Counts};
use rand::{RngExt, SeedableRng};
use testkit::TestDb;

fn dxmon(url: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_dxmon"))
        .args(args)
        .env("DXMON_DATABASE_URL", url)
        .env("DXMON_LOG", "error")
        .output()
        .expect("run dxmon");
    assert!(out.status.success(), "dxmon {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A database with the seed, a token for every province and ministry, and a file of
/// simulated events split into NDJSON batches.
fn prepare(db: &TestDb, events: usize, batch: usize) -> (String, Vec<String>) {
    let data = testkit::data_dir();
    let methodologies = testkit::methodologies_dir();
    dxmon(&db.url, &["import", data.to_str().unwrap(), methodologies.to_str().unwrap()]);
    let token = dxmon(
        &db.url,
        &["token", "create", "--name", "test feeds", "--unit", "group:provinces", "--unit", "group:ministries"],
    );
    let token = token.lines().last().unwrap().trim().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.ndjson");
    dxmon(
        &db.url,
        &["bench", "generate", "--events", &events.to_string(), "--out", file.to_str().unwrap(), "--seed", "5"],
    );
    let lines: Vec<String> = std::fs::read_to_string(&file).unwrap().lines().map(str::to_owned).collect();
    (token, lines.chunks(batch).map(|c| c.join("\n")).collect())
}

struct Server {
    child: Child,
    port: u16,
}

/// Starts a server on a port the system picks, and reads which from its first line.
fn start(url: &str) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dxmon"))
        .args(["serve", "--port", "0", "--rate", "1000000"])
        .env("DXMON_DATABASE_URL", url)
        .env("DXMON_LOG", "error")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start dxmon serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.contains("serving on"), "the server did not start: {line}");
    let port = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|addr| addr.rsplit(':').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    Server { child, port }
}

/// Posts a batch; `Some((accepted, duplicate))` once acknowledged, `None` if the server
/// was not there to answer.
fn post(port: u16, token: &str, body: &str) -> Option<(u64, u64)> {
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(20))).build().into();
    let mut r = agent
        .post(&format!("http://127.0.0.1:{port}/api/v1/events"))
        .header("authorization", &format!("Bearer {token}"))
        .header("content-type", "application/x-ndjson")
        .send(body.as_bytes())
        .ok()?;
    let v: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string().ok()?).ok()?;
    assert_eq!(v["rejected"], 0, "{v}");
    Some((v["accepted"].as_u64()?, v["duplicate"].as_u64()?))
}

/// The generator's truth: every distinct event of the batches, per unit, all months.
async fn expected(db: &TestDb, batches: &[String]) -> (usize, Vec<(String, Counts)>) {
    let units = db.store.reference().await.unwrap().units;
    let procedures = db.store.procedures().await.unwrap();
    let catalogue = ops::measure::intake::Catalogue::new(units, &procedures);
    let far = "2100-01-01T00:00:00Z".parse().unwrap();
    let events: Vec<_> = batches
        .iter()
        .flat_map(|b| b.lines())
        .map(|l| ops::measure::intake::check(l, &catalogue, far).unwrap())
        .collect();
    let truth = ops::simulate::expected(&events, &|p| catalogue.with_fee(p));
    let distinct = truth.feeds().iter().map(|(_, f)| f.events as usize).sum();
    let mut per_unit: std::collections::BTreeMap<String, Counts> = Default::default();
    for ((unit, procedure, _), counts) in truth.months() {
        if procedure == ALL_PROCEDURES {
            per_unit.entry(unit.to_string()).or_default().merge(&counts);
        }
    }
    (distinct, per_unit.into_iter().collect())
}

/// What the store holds, compared with the truth; then rebuilt, compared again.
async fn check_totals(db: &TestDb, batches: &[String]) {
    let (distinct, wanted) = expected(db, batches).await;
    assert_eq!(db.store.event_count().await.unwrap() as usize, distinct, "every event once");
    let (from, to) = (NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
    let stored: Vec<(String, Counts)> =
        db.store.unit_totals(from, to).await.unwrap().into_iter().map(|(u, c)| (u.to_string(), c)).collect();
    assert_eq!(stored, wanted, "the totals are the generator's");
    let incremental = db.store.rollup_snapshot().await.unwrap();
    dxmon(&db.url, &["rollup", "rebuild"]);
    assert_eq!(db.store.rollup_snapshot().await.unwrap(), incremental, "a rebuild gives the same roll-ups");
}

/// Kill -9 six times, each when another seventh of the batches has been acknowledged
/// and a random moment later, so mostly while a batch is in flight; the client retries
/// what was not acknowledged, at the port the restarted server took.
async fn crash_and_retry(db: &TestDb) {
    const KILLS: usize = 6;
    let (token, batches) = prepare(db, 24_000, 300);
    let first = start(&db.url);
    let port = Arc::new(AtomicU16::new(first.port));
    let server = Arc::new(Mutex::new(first));
    let acked = Arc::new(AtomicUsize::new(0));
    let killer = {
        let (server, port, acked, url, total) =
            (server.clone(), port.clone(), acked.clone(), db.url.clone(), batches.len());
        std::thread::spawn(move || {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
            for kill in 1..=KILLS {
                while acked.load(Ordering::SeqCst) < kill * total / (KILLS + 1) {
                    std::thread::sleep(Duration::from_millis(5));
                }
                std::thread::sleep(Duration::from_millis(rng.random_range(0..30)));
                let mut s = server.lock().unwrap();
                s.child.kill().unwrap(); // SIGKILL
                s.child.wait().unwrap();
                *s = start(&url);
                port.store(s.port, Ordering::SeqCst);
            }
        })
    };
    let (mut accepted, mut retries) = (0, 0);
    for body in &batches {
        loop {
            match post(port.load(Ordering::SeqCst), &token, body) {
                Some((a, _)) => {
                    acked.fetch_add(1, Ordering::SeqCst);
                    accepted += a;
                    break;
                }
                None => {
                    retries += 1;
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
    }
    killer.join().unwrap();
    server.lock().unwrap().child.kill().unwrap();
    assert_eq!(acked.load(Ordering::SeqCst), batches.len());
    eprintln!("{KILLS} kills, {retries} retries, {accepted} events accepted");
    check_totals(db, &batches).await;
}

/// Two servers on one PostgreSQL database; every third batch goes to both at once.
async fn two_servers(db: &TestDb) {
    let (token, batches) = prepare(db, 12_000, 400);
    let mut a = start(&db.url);
    let mut b = start(&db.url);
    let (pa, pb) = (a.port, b.port);
    let token = Arc::new(token);
    let accepted = Arc::new(Mutex::new(0u64));
    std::thread::scope(|scope| {
        for (i, body) in batches.iter().enumerate() {
            let targets: Vec<u16> = match i % 3 {
                0 => vec![pa, pb],
                1 => vec![pa],
                _ => vec![pb],
            };
            for port in targets {
                let (token, accepted) = (token.clone(), accepted.clone());
                scope.spawn(move || {
                    let (a, _) = post(port, &token, body).expect("the server answers");
                    *accepted.lock().unwrap() += a;
                });
            }
            if i % 8 == 7 {
                // Keep a handful of requests in flight, not all of them.
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    });
    a.child.kill().unwrap();
    b.child.kill().unwrap();
    let (distinct, _) = expected(db, &batches).await;
    assert_eq!(*accepted.lock().unwrap() as usize, distinct, "each event accepted by exactly one server");
    check_totals(db, &batches).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_server_loses_and_doubles_nothing_sqlite() {
    crash_and_retry(&testkit::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_server_loses_and_doubles_nothing_postgres() {
    let Some(db) = testkit::postgres().await else { return };
    crash_and_retry(&db).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_servers_count_exactly_postgres() {
    let Some(db) = testkit::postgres().await else { return };
    two_servers(&db).await;
}

/// `dxmon simulate` as a user runs it: into a file, into the database twice (the second
/// time everything is a repeat), then the month's measured values.
#[tokio::test(flavor = "multi_thread")]
async fn simulate_into_a_file_and_the_database() {
    let db = testkit::sqlite().await;
    let data = testkit::data_dir();
    dxmon(&db.url, &["import", data.to_str().unwrap()]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.ndjson");
    let out = dxmon(&db.url, &["simulate", "--days", "1", "--scale", "0.002", "--out", file.to_str().unwrap()]);
    let lines = std::fs::read_to_string(&file).unwrap().lines().count();
    assert!(lines > 100 && out.starts_with(&format!("{lines} events")), "{out}");
    let first = dxmon(&db.url, &["simulate", "--since", "2026-10-01", "--scale", "0.001", "--seed", "3"]);
    let again = dxmon(&db.url, &["simulate", "--since", "2026-10-01", "--scale", "0.001", "--seed", "3"]);
    assert!(!first.contains(": 0 new"), "{first}");
    assert!(again.contains(": 0 new"), "sent again, nothing is new: {again}");
    let published = dxmon(&db.url, &["measure", "publish", "--period", "2026-10"]);
    assert!(published.starts_with("2026-10: ") && !published.starts_with("2026-10: 0 "), "{published}");
    let refused = Command::new(env!("CARGO_BIN_EXE_dxmon"))
        .args(["simulate", "--url", "http://127.0.0.1:9", "--out", "x.ndjson"])
        .env("DXMON_DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert!(!refused.status.success(), "a server and a file at once are refused");
}
