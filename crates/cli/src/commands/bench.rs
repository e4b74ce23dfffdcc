//! `dxmon bench`: the pieces of the ingestion benchmark (`bench/ingest.sh` runs them):
//! generate a file of events, send it to a server with several clients, and time the
//! answer to "the six rates per province for a month" from the roll-ups and from a
//! scan of the raw events.

use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, mpsc};
use std::time::Instant;

use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate};
use model::Period;
use ops::simulate::{Settings, to_json};

use super::measure::{local_midnight, simulator};
use super::{DatabaseArg, out};

#[derive(clap::Subcommand, Debug)]
pub enum BenchCommand {
    /// Write a large synthetic dataset (communes, indicators, ten years of values) as
    /// files to import beside the seed.
    Dataset(super::bench_data::DatasetArgs),
    /// Write N simulated events (national volume, from the first of a month) as NDJSON.
    Generate {
        #[command(flatten)]
        database: DatabaseArg,
        #[arg(long)]
        events: usize,
        #[arg(long)]
        out: std::path::PathBuf,
        /// The month the events start in.
        #[arg(long, default_value = "2026-10-01")]
        since: NaiveDate,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Send an NDJSON file of events to a server with several clients; print events/s
    /// and batch latencies as JSON.
    Ingest {
        #[arg(long)]
        url: String,
        #[arg(long, env = "DXMON_TOKEN")]
        token: String,
        #[arg(long)]
        file: std::path::PathBuf,
        #[arg(long, default_value_t = 4)]
        clients: usize,
        #[arg(long, default_value_t = 5000)]
        batch: usize,
    },
    /// Time the six rates per province for a month: from the roll-ups and by scanning
    /// the raw events with SQL. Prints JSON.
    Query {
        #[command(flatten)]
        database: DatabaseArg,
        #[arg(long)]
        month: Period,
        #[arg(long, default_value_t = 10)]
        repeat: usize,
    },
}

pub async fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Dataset(args) => {
            let written = super::bench_data::write(&args).await?;
            out(&format!("{written} values and their units and indicators to {}\n", args.out.display()))?;
        }
        BenchCommand::Generate { database, events, out: path, since, seed } => {
            let store = database.open().await?;
            let settings = Settings { seed, scale: 1.0, ..Settings::default() };
            let mut sim = simulator(&store, settings, local_midnight(since)).await?;
            let file = std::fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
            let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
            let mut written = 0;
            while written < events {
                let step = sim.clock() + Duration::hours(1);
                for e in sim.advance(step).into_iter().take(events - written) {
                    writeln!(w, "{}", to_json(&e))?;
                    written += 1;
                }
            }
            w.flush()?;
            out(&format!("{written} events to {} (until {})\n", path.display(), sim.clock()))?;
        }
        BenchCommand::Ingest { url, token, file, clients, batch } => {
            anyhow::ensure!(clients >= 1 && (1..=20_000).contains(&batch), "--clients ≥ 1, --batch 1..20000");
            let report = tokio::task::spawn_blocking(move || send_file(&url, &token, &file, clients, batch)).await??;
            out(&format!("{report}\n"))?;
        }
        BenchCommand::Query { database, month, repeat } => {
            let store = database.open().await?;
            let report = query(&store, month, repeat.max(1)).await?;
            out(&format!("{report}\n"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn send_file(
    url: &str,
    token: &str,
    file: &std::path::Path,
    clients: usize,
    batch: usize,
) -> anyhow::Result<serde_json::Value> {
    let endpoint = format!("{}/api/v1/events", url.trim_end_matches('/'));
    let reader = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(file)?);
    let (tx, rx) = mpsc::sync_channel::<String>(clients * 2);
    let rx = Arc::new(Mutex::new(rx));
    let latencies = Arc::new(Mutex::new(Vec::<f64>::new()));
    let totals = Arc::new(Mutex::new((0usize, 0usize)));
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (rx, latencies, totals, endpoint, token) =
                (rx.clone(), latencies.clone(), totals.clone(), endpoint.clone(), token.to_owned());
            std::thread::spawn(move || -> anyhow::Result<()> {
                let agent = ureq::Agent::new_with_defaults();
                loop {
                    let Ok(body) = rx.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.recv() else {
                        return Ok(());
                    };
                    let t = Instant::now();
                    let mut r = agent
                        .post(&endpoint)
                        .header("authorization", &format!("Bearer {token}"))
                        .header("content-type", "application/x-ndjson")
                        .send(body.as_bytes())?;
                    let v: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string()?)?;
                    let ms = t.elapsed().as_secs_f64() * 1000.0;
                    let n = |k: &str| v.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0) as usize;
                    anyhow::ensure!(n("rejected") == 0, "events refused: {}", v["errors"]);
                    latencies.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.push(ms);
                    let mut t = totals.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
                    t.0 += n("accepted");
                    t.1 += n("duplicate");
                }
            })
        })
        .collect();
    let mut sent = 0usize;
    let mut body = String::with_capacity(batch * 300);
    let mut in_body = 0;
    for line in reader.lines() {
        body.push_str(&line?);
        body.push('\n');
        in_body += 1;
        if in_body == batch {
            sent += in_body;
            tx.send(std::mem::take(&mut body)).map_err(|_| anyhow::anyhow!("the clients stopped"))?;
            in_body = 0;
        }
    }
    if in_body > 0 {
        sent += in_body;
        tx.send(body).map_err(|_| anyhow::anyhow!("the clients stopped"))?;
    }
    drop(tx);
    for w in workers {
        w.join().map_err(|_| anyhow::anyhow!("a client panicked"))??;
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut lat = latencies.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.clone();
    lat.sort_by(f64::total_cmp);
    let (accepted, duplicate) = *totals.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
    Ok(serde_json::json!({
        "events": sent, "accepted": accepted, "duplicate": duplicate, "clients": clients, "batch": batch,
        "seconds": seconds, "events_per_second": sent as f64 / seconds,
        "batch_p50_ms": percentile(&lat, 0.5), "batch_p99_ms": percentile(&lat, 0.99),
    }))
}

async fn query(store: &store::Store, month: Period, repeat: usize) -> anyhow::Result<serde_json::Value> {
    anyhow::ensure!(matches!(month, Period::Month(..)), "--month takes a month, such as 2026-10");
    let registry = ops::registry(store).await?;
    let provinces = |rows: Vec<(model::UnitKey, model::measure::Counts)>| -> Vec<(String, model::measure::Counts)> {
        rows.into_iter()
            .filter(|(u, _)| registry.get(u.as_str()).is_some_and(|u| matches!(u.kind, model::UnitKind::Province)))
            .map(|(u, c)| (u.to_string(), c))
            .collect()
    };
    let (first, _) = ops::measure::months(month);
    let mut rollup_ms = Vec::new();
    let mut answer = Vec::new();
    for _ in 0..repeat {
        let t = Instant::now();
        answer = provinces(store.unit_totals(first, first).await?);
        rollup_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let next = first.with_day(1).and_then(|d| d.checked_add_months(chrono::Months::new(1))).unwrap_or(first);
    let (from, until) = (local_midnight(first), local_midnight(next));
    let mut scan_ms = Vec::new();
    let mut scanned = Vec::new();
    for _ in 0..repeat.min(3) {
        let t = Instant::now();
        scanned = provinces(store.scan_unit_totals(from, until).await?);
        scan_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    anyhow::ensure!(answer == scanned, "the roll-ups and the scan disagree");
    rollup_ms.sort_by(f64::total_cmp);
    scan_ms.sort_by(f64::total_cmp);
    let rates: serde_json::Map<String, serde_json::Value> =
        answer.iter().map(|(u, c)| (u.clone(), serde_json::json!(c.rates()))).collect();
    Ok(serde_json::json!({
        "month": month.to_string(), "provinces": answer.len(),
        "rollup_ms": percentile(&rollup_ms, 0.5), "scan_ms": percentile(&scan_ms, 0.5),
        "events": store.event_count().await?, "rates": rates,
    }))
}
