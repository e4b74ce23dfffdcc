//! `dxmon user` and `dxmon token`: the first admin's accounts and the machines' tokens.
//! The command line acts as "cli" in the audit log.

use std::io::BufRead;
use std::process::ExitCode;

use model::access::Role;

use super::DatabaseArg;

#[derive(clap::Subcommand, Debug)]
pub enum UserCommand {
    /// Add an account. The password is read from the first line of standard input.
    Add {
        #[command(flatten)]
        database: DatabaseArg,
        #[arg(long)]
        username: String,
        /// The person's name as shown.
        #[arg(long, default_value = "")]
        name: String,
        /// admin, evaluator, reporter or viewer.
        #[arg(long)]
        role: Role,
        /// The units a reporter reports for, by key, code or name (repeat for several).
        #[arg(long = "unit")]
        units: Vec<String>,
    },
}

#[derive(clap::Subcommand, Debug)]
pub enum TokenCommand {
    /// Create a token for a unit's system; it is printed once and not kept.
    Create {
        #[command(flatten)]
        database: DatabaseArg,
        /// Whose system uses it ("Hệ thống một cửa điện tử Hà Nội").
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "machine")]
        role: Role,
        /// The units it may send for (repeat for several; group:provinces for a group).
        #[arg(long = "unit")]
        units: Vec<String>,
    },
    /// List tokens (never their text).
    List {
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Revoke a token by its id.
    Revoke {
        #[command(flatten)]
        database: DatabaseArg,
        id: i64,
    },
}

pub async fn user(command: UserCommand) -> anyhow::Result<ExitCode> {
    let UserCommand::Add { database, username, name, role, units } = command;
    let store = database.open().await?;
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']);
    let id = ops::accounts::add_user(&store, &username, &name, role, &units, password, "cli").await?;
    super::out(&format!("account {username} ({role}) added, id {id}\n"))?;
    Ok(ExitCode::SUCCESS)
}

pub async fn token(command: TokenCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokenCommand::Create { database, name, role, units } => {
            let store = database.open().await?;
            let (id, text) = ops::accounts::create_token(&store, &name, role, &units, "cli").await?;
            super::out(&format!("token {id} for {name}; keep it now, it is not shown again:\n{text}\n"))?;
        }
        TokenCommand::List { database } => {
            let store = database.open().await?;
            let mut out = String::new();
            for t in store.tokens().await? {
                let units: Vec<String> = t.units.iter().map(ToString::to_string).collect();
                let state = t.revoked_at.map_or_else(|| "active".to_owned(), |r| format!("revoked {}", r.date_naive()));
                out.push_str(&format!("{}\t{}\t{}\t{}\t{}\n", t.id, t.name, t.role, units.join(";"), state));
            }
            super::out(&out)?;
        }
        TokenCommand::Revoke { database, id } => {
            let store = database.open().await?;
            if !ops::accounts::revoke_token(&store, id, "cli").await? {
                anyhow::bail!("there is no active token {id}");
            }
            super::out(&format!("token {id} revoked\n"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
