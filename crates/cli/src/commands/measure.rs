//! Automatic measurement from the command line: `dxmon simulate` (generate units'
//! events into a file, a server or the database), `dxmon rollup rebuild`, and
//! `dxmon measure publish` (measured rates of a period as indicator values).

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration as StdDuration;

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use model::Period;
use model::access::{Principal, Role};
use model::measure::Event;
use ops::simulate::{Settings, Simulator, to_json};
use store::Store;

use super::{DatabaseArg, out};

#[derive(clap::Args, Debug)]
pub struct SimulateArgs {
    /// Where units, procedures and (without --url or --out) the events go.
    #[command(flatten)]
    pub database: DatabaseArg,
    /// Send to this server (POST /api/v1/events) instead of the database.
    #[arg(long = "url", id = "server", requires = "token")]
    pub server: Option<String>,
    /// The machine token to send with; it must be bound to every simulated unit.
    #[arg(long, env = "DXMON_TOKEN")]
    pub token: Option<String>,
    /// Write NDJSON to this file instead.
    #[arg(long, conflicts_with = "server")]
    pub out: Option<std::path::PathBuf>,
    /// First day (Vietnamese calendar) of simulated history.
    #[arg(long)]
    pub since: Option<NaiveDate>,
    /// Days of history before now, if --since is not given.
    #[arg(long, default_value_t = 30)]
    pub days: i64,
    /// Dossiers per day per thousand people (about 1 in reality).
    #[arg(long, default_value_t = 0.05)]
    pub scale: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Share of events sent twice, and sent late.
    #[arg(long, default_value_t = 0.02)]
    pub duplicates: f64,
    #[arg(long, default_value_t = 0.03)]
    pub late: f64,
    /// After the history, keep sending as time passes, until stopped.
    #[arg(long)]
    pub live: bool,
    /// Events per request or transaction.
    #[arg(long, default_value_t = 5000)]
    pub batch: usize,
}

#[derive(clap::Subcommand, Debug)]
pub enum RollupCommand {
    /// Recompute every roll-up from the raw events.
    Rebuild {
        #[command(flatten)]
        database: DatabaseArg,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum MeasureCommand {
    /// Record a period's measured rates as indicator values (provenance measured).
    Publish {
        #[command(flatten)]
        database: DatabaseArg,
        /// 2026-10, 2026-Q3, 2026-H2 or 2026.
        #[arg(long)]
        period: Period,
    },
}

/// Where simulated events go.
pub enum Sink {
    File(std::io::BufWriter<std::fs::File>),
    Server { endpoint: String, token: String },
    Database(ops::measure::Ingestor, Principal),
}

impl Sink {
    async fn send(&mut self, events: &[Event]) -> anyhow::Result<(usize, usize)> {
        match self {
            Sink::File(w) => {
                for e in events {
                    writeln!(w, "{}", to_json(e))?;
                }
                Ok((events.len(), 0))
            }
            Sink::Server { endpoint, token } => {
                let body = events.iter().map(to_json).collect::<Vec<_>>().join("\n");
                post(endpoint, token, body).await
            }
            Sink::Database(ingest, who) => {
                let body = events.iter().map(to_json).collect::<Vec<_>>().join("\n");
                let o = ingest.ingest(who, body.into_bytes(), false, true).await?;
                anyhow::ensure!(o.rejected == 0, "{} events refused: {:?}", o.rejected, o.errors.first());
                Ok((o.accepted, o.duplicate))
            }
        }
    }
}

/// Posts one NDJSON batch, retrying while the server is away; returns (accepted, duplicate).
pub async fn post(endpoint: &str, token: &str, body: String) -> anyhow::Result<(usize, usize)> {
    let (endpoint, token) = (endpoint.to_owned(), token.to_owned());
    tokio::task::spawn_blocking(move || {
        let agent = ureq::Agent::new_with_defaults();
        let mut wait = 100;
        loop {
            let sent = agent
                .post(&endpoint)
                .header("authorization", &format!("Bearer {token}"))
                .header("content-type", "application/x-ndjson")
                .send(body.as_bytes());
            match sent {
                Ok(mut r) => {
                    let v: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string()?)?;
                    let n = |k: &str| v.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0) as usize;
                    anyhow::ensure!(n("rejected") == 0, "the server refused events: {}", v["errors"]);
                    return Ok((n("accepted"), n("duplicate")));
                }
                Err(ureq::Error::StatusCode(code)) if code != 429 && code < 500 => {
                    anyhow::bail!("the server answered {code}")
                }
                Err(_) if wait < 60_000 => {
                    std::thread::sleep(StdDuration::from_millis(wait));
                    wait *= 2;
                }
                Err(e) => return Err(e.into()),
            }
        }
    })
    .await?
}

/// The simulator for what `store` knows, starting at `start`.
pub async fn simulator(store: &Store, settings: Settings, start: DateTime<Utc>) -> anyhow::Result<Simulator> {
    let reference = store.reference().await?;
    let procedures = store.procedures().await?;
    anyhow::ensure!(!procedures.is_empty(), "the database holds no procedures; import data/procedures.csv first");
    Ok(Simulator::new(&reference.units, &reference.lineage, &procedures, settings, start))
}

/// Midnight starting `day` in Vietnam.
pub fn local_midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc() - Duration::hours(7)
}

pub async fn simulate(args: SimulateArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!((0.0..=1.0).contains(&args.duplicates), "--duplicates is a share between 0 and 1");
    anyhow::ensure!((0.0..=1.0).contains(&args.late), "--late is a share between 0 and 1");
    anyhow::ensure!(
        args.scale > 0.0 && args.scale <= 100.0,
        "--scale is between 0 and 100 dossiers a day per thousand people"
    );
    anyhow::ensure!((1..=ops::measure::intake::MAX_EVENTS).contains(&args.batch), "--batch is between 1 and 20000");
    let store = args.database.open().await?;
    let now = Utc::now();
    let start = match args.since {
        Some(day) => local_midnight(day),
        None => local_midnight(model::measure::local_day(now - Duration::days(args.days))),
    };
    anyhow::ensure!(start < now, "--since must be in the past");
    let settings =
        Settings { seed: args.seed, scale: args.scale, duplicate_share: args.duplicates, late_share: args.late };
    let mut sim = simulator(&store, settings, start).await?;
    let mut sink = match (&args.server, &args.out) {
        (Some(url), _) => Sink::Server {
            endpoint: format!("{}/api/v1/events", url.trim_end_matches('/')),
            token: args.token.clone().unwrap_or_default(),
        },
        (None, Some(path)) => Sink::File(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        (None, None) => {
            let who = Principal {
                id: "cli:simulate".into(),
                name: "simulate".into(),
                role: Role::Machine,
                units: sim.units(),
            };
            Sink::Database(ops::measure::Ingestor::new(store.clone()), who)
        }
    };
    let (sent, accepted, duplicate) = feed(&mut sim, &mut sink, args.batch, now).await?;
    out(&format!(
        "{sent} events for {} units from {start} to {now}: {accepted} new, {duplicate} sent again\n",
        sim.units().len()
    ))?;
    if args.live {
        live(&mut sim, &mut sink).await?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Sends everything the simulator has up to `until`, in batches; returns how many
/// events were sent, new and sent again.
pub async fn feed(
    sim: &mut Simulator,
    sink: &mut Sink,
    batch: usize,
    until: DateTime<Utc>,
) -> anyhow::Result<(usize, usize, usize)> {
    let (mut accepted, mut duplicate, mut sent) = (0, 0, 0);
    let mut pending: Vec<Event> = Vec::new();
    while sim.clock() < until {
        let step = (sim.clock() + Duration::hours(6)).min(until);
        pending.extend(sim.advance(step));
        let last = sim.clock() >= until;
        while pending.len() >= batch || (last && !pending.is_empty()) {
            let rest = pending.split_off(batch.min(pending.len()));
            let (a, d) = sink.send(&pending).await?;
            (accepted, duplicate, sent) = (accepted + a, duplicate + d, sent + pending.len());
            pending = rest;
        }
    }
    if let Sink::File(w) = sink {
        w.flush()?;
    }
    Ok((sent, accepted, duplicate))
}

/// Keeps sending as time passes, every two seconds, until stopped.
pub async fn live(sim: &mut Simulator, sink: &mut Sink) -> anyhow::Result<()> {
    loop {
        tokio::time::sleep(StdDuration::from_secs(2)).await;
        let events = sim.advance(Utc::now());
        if !events.is_empty() {
            sink.send(&events).await?;
        }
    }
}

pub async fn rollup(command: RollupCommand) -> anyhow::Result<ExitCode> {
    let RollupCommand::Rebuild { database } = command;
    let store = database.open().await?;
    let ingest = ops::measure::Ingestor::new(store.clone());
    let catalogue = ingest.catalogue().await?;
    let started = std::time::Instant::now();
    let read = store.rebuild_rollups(&|p| catalogue.with_fee(p)).await?;
    out(&format!("roll-ups rebuilt from {read} events in {:.1} s\n", started.elapsed().as_secs_f64()))?;
    Ok(ExitCode::SUCCESS)
}

pub async fn measure(command: MeasureCommand) -> anyhow::Result<ExitCode> {
    let MeasureCommand::Publish { database, period } = command;
    let store = database.open().await?;
    let report = ops::measure::publish(&store, period).await?;
    out(&format!(
        "{period}: {} measured values recorded, {} unchanged\n",
        report.values_added, report.values_unchanged
    ))?;
    Ok(ExitCode::SUCCESS)
}
