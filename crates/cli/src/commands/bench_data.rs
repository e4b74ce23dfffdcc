//! `dxmon bench dataset`: a large synthetic dataset on top of the seed, for measuring
//! what pages and imports cost at national scale: communes under today's provinces,
//! two hundred indicators, and half-yearly values over ten years for every province
//! (each for the periods it existed in) and commune, written as files `dxmon import`
//! reads. The same seed gives the same files.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use model::{Period, Unit, UnitKind};
use rand::{RngExt, SeedableRng};

use super::DatabaseArg;

#[derive(clap::Args, Debug)]
pub struct DatasetArgs {
    /// The database with the seed (its provinces are the communes' parents).
    #[command(flatten)]
    pub database: DatabaseArg,
    /// Directory to write the files into.
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value_t = 3300)]
    pub communes: usize,
    #[arg(long, default_value_t = 200)]
    pub indicators: usize,
    /// Of the indicators, how many communes report.
    #[arg(long, default_value_t = 40)]
    pub commune_indicators: usize,
    /// Half-years of values, ending with the last that has ended.
    #[arg(long, default_value_t = 20)]
    pub halves: usize,
    /// At most this many values in all (provinces first).
    #[arg(long)]
    pub rows: Option<usize>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

fn csv_file(dir: &Path, name: &str, header: &str) -> anyhow::Result<std::io::BufWriter<std::fs::File>> {
    let path = dir.join(name);
    let mut w = std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?,
    );
    writeln!(w, "{header}")?;
    Ok(w)
}

/// Writes the files; returns how many values.
pub async fn write(args: &DatasetArgs) -> anyhow::Result<usize> {
    let store = args.database.open().await?;
    let reference = store.reference().await?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let provinces: Vec<&Unit> = reference.units.iter().filter(|u| u.kind == UnitKind::Province).collect();
    let today_provinces: Vec<&Unit> = provinces.iter().copied().filter(|u| u.valid_to.is_none()).collect();
    anyhow::ensure!(!today_provinces.is_empty(), "the database holds no provinces: import the seed first");

    let mut units = csv_file(&args.out, "units-bench.csv", "unit,code,name,name_en,kind,parent")?;
    let communes: Vec<String> = (1..=args.communes).map(|n| format!("xa-bench-{n:05}")).collect();
    for (n, key) in communes.iter().enumerate() {
        let parent = &today_provinces[n % today_provinces.len()].key;
        writeln!(units, "{key},B{n:05},Xã Thử nghiệm {},Test commune {},commune,{parent}", n + 1, n + 1)?;
    }
    units.flush()?;

    let mut indicators = csv_file(
        &args.out,
        "indicators-bench.csv",
        "indicator,pillar,name,name_en,kind,unit_of_measure,direction,min,max",
    )?;
    let codes: Vec<String> = (1..=args.indicators).map(|n| format!("bench.i{n:03}")).collect();
    for (n, code) in codes.iter().enumerate() {
        let (kind, unit, bounds) =
            if n.is_multiple_of(2) { ("percentage", "%", "0,100") } else { ("count", "hồ sơ", "0,") };
        writeln!(
            indicators,
            "{code},government,Chỉ tiêu thử nghiệm {},Test indicator {},{kind},{unit},higher,{bounds}",
            n + 1,
            n + 1
        )?;
    }
    indicators.flush()?;

    let today = chrono::Utc::now().date_naive();
    let last = Period::of_kind_containing(model::period::PeriodKind::Half, today).previous();
    let mut halves = vec![last];
    while halves.len() < args.halves {
        let earlier = halves[halves.len() - 1].previous();
        halves.push(earlier);
    }
    halves.reverse();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(args.seed);
    let mut values = csv_file(&args.out, "values-bench.csv", "indicator,unit,period,value")?;
    let most = args.rows.unwrap_or(usize::MAX);
    let mut written = 0;
    let mut figure = |code_index: usize| -> String {
        if code_index.is_multiple_of(2) {
            format!("{:.1}", rng.random_range(0.0..100.0))
        } else {
            rng.random_range(0..100_000u32).to_string()
        }
    };
    'all: for period in &halves {
        let existed = |u: &Unit| u.existed_during(period.start(), period.end());
        for unit in provinces.iter().filter(|u| existed(u)) {
            for (i, code) in codes.iter().enumerate() {
                if written == most {
                    break 'all;
                }
                writeln!(values, "{code},{},{period},{}", unit.key, figure(i))?;
                written += 1;
            }
        }
        for key in &communes {
            for (i, code) in codes.iter().enumerate().take(args.commune_indicators) {
                if written == most {
                    break 'all;
                }
                writeln!(values, "{code},{key},{period},{}", figure(i))?;
                written += 1;
            }
        }
    }
    values.flush()?;
    Ok(written)
}
