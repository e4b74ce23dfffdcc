//! `dxmon methodology check FILE...`: reads methodology files and checks them against the
//! indicators and groups of the database, without writing anything.

use std::path::PathBuf;
use std::process::ExitCode;

use score::method::{IndicatorInfo, compile};

use super::DatabaseArg;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Check methodology files: points that add up, grade bands without gaps or
    /// overlaps, known indicators of the right kind, formulas without cycles.
    Check(CheckArgs),
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub database: DatabaseArg,
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

pub async fn run(command: Command) -> anyhow::Result<ExitCode> {
    let Command::Check(args) = command;
    let store = args.database.open().await?;
    let catalog = ops::catalog(&store).await?;
    if catalog.indicators.is_empty() {
        anyhow::bail!(
            "database {} has no indicators to check against: import the catalog first (dxmon import DIR) or name another with --database",
            args.database.shown()
        );
    }
    let mut ok = true;
    let mut report = String::new();
    for path in &args.files {
        let name = path.display().to_string();
        let bytes = super::read_data_file(path)?;
        let method = match dataset::methodology::read(&name, &bytes) {
            Ok(m) => m,
            Err(e) => {
                report.push_str(&format!("{e}\n"));
                ok = false;
                continue;
            }
        };
        let mut problems: Vec<String> =
            match compile(&method, &|code| catalog.indicators.get(code).map(|i| IndicatorInfo::from(&**i))) {
                Ok(_) => Vec::new(),
                Err(errors) => errors.iter().map(ToString::to_string).collect(),
            };
        if let Some(g) = &method.population
            && catalog.registry.group(g.as_str()).is_none()
        {
            problems.push(format!("population: unknown group '{g}'"));
        }
        if problems.is_empty() {
            report.push_str(&format!(
                "{name}: {} {} ({}), {} components, {} points, {} grade bands: ok\n",
                method.id,
                method.version,
                method.name,
                method.components().count(),
                method.max,
                method.grades.len()
            ));
        } else {
            ok = false;
            for p in problems {
                report.push_str(&format!("{name}: {p}\n"));
            }
        }
    }
    super::out(&report)?;
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
