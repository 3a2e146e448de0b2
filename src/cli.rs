//! The command line: `serve` (the default), `migrate`, `schema`, `user`, `seed`.

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use migration::{Migrator, MigratorTrait};

use crate::{
    app::{self, App},
    config::Settings,
    db, graphql,
    metrics::Metrics,
    seed,
    service::{self, user::NewUser},
    telemetry,
};

#[derive(Debug, Parser)]
#[command(
    name = "trapeze",
    version,
    about = "The GraphQL API where B2B marketing and sales work together"
)]
pub struct Cli {
    /// A TOML file of settings; environment variables override it.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve {
        /// Do not apply pending migrations at start-up.
        #[arg(long)]
        no_migrate: bool,
        /// Load the small demo data set and demo users first, if the database has no accounts.
        #[arg(long)]
        demo: bool,
    },
    /// Apply, roll back or list the database migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Print the GraphQL schema (SDL); needs no database.
    Schema,
    /// Manage users from the command line.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Fill a database without accounts with deterministic demo data and one demo user per
    /// built-in role (password from TRAPEZE_DEMO_PASSWORD, or generated and printed once).
    Seed {
        #[arg(long, value_enum, default_value_t = seed::Size::Small)]
        size: seed::Size,
        /// The same seed (and day) gives the same data, ids included.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The day of seeding, YYYY-MM-DD: the two years of history end at its start (00:00
        /// UTC). Default: the current UTC day.
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<chrono::NaiveDate>,
    },
}

#[derive(Debug, Subcommand)]
enum UserAction {
    /// Create a user; the password is read from standard input (at least 12 characters).
    Create {
        #[arg(long)]
        email: String,
        /// The name of a role: admin, marketing, sales, sales_manager, viewer or your own.
        #[arg(long)]
        role: String,
        /// The display name (default: the part of the email before @).
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Roll back the latest migrations.
    Down {
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List the migrations and whether each is applied.
    Status,
}

/// Exit code of a bad setting or a failed start: a usage problem, not a crash.
const EXIT_CONFIG: u8 = 2;

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Schema) = cli.command {
        print!("{}", graphql::sdl());
        return ExitCode::SUCCESS;
    }
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(err) => {
            eprintln!("trapeze: {err}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    telemetry::init(settings.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("trapeze: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async move {
        let default = Command::Serve {
            no_migrate: false,
            demo: false,
        };
        match cli.command.unwrap_or(default) {
            Command::Serve { no_migrate, demo } => serve(settings, !no_migrate, demo).await,
            Command::Seed { size, seed, today } => seed_data(settings, size, seed, today).await,
            Command::Migrate { action } => migrate(settings, action).await,
            Command::User { action } => user(settings, action).await,
            Command::Schema => Ok(()),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("trapeze: {message}");
            ExitCode::from(EXIT_CONFIG)
        }
    }
}

async fn serve(settings: Settings, migrate: bool, demo: bool) -> Result<(), String> {
    let options = app::StartOptions { migrate, demo };
    let app = App::build_with(settings, options)
        .await
        .map_err(|e| e.to_string())?;
    app.run_until(app::shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))
}

async fn user(settings: Settings, action: UserAction) -> Result<(), String> {
    let UserAction::Create { email, role, name } = action;
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    let db = db::connect(&settings, std::sync::Arc::new(Metrics::default()), None)
        .await
        .map_err(|e| format!("cannot connect to the database: {e}"))?;
    Migrator::up(&db, None)
        .await
        .map_err(|e| format!("migration failed: {e}"))?;
    let role_id = service::user::role_id_by_name(&db, &role)
        .await
        .map_err(|e| e.public_cause())?
        .ok_or_else(|| format!("no role is named {role}"))?;
    let display_name = name.unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
    let new = NewUser {
        email,
        display_name,
        role_id: Some(role_id),
        password,
    };
    let user = service::user::create_as_operator(&db, new)
        .await
        .map_err(|e| e.public_cause())?;
    println!("created user {} with role {role}", user.email);
    Ok(())
}

async fn seed_data(
    settings: Settings,
    size: seed::Size,
    seed: u64,
    today: Option<chrono::NaiveDate>,
) -> Result<(), String> {
    let db = db::connect(&settings, std::sync::Arc::new(Metrics::default()), None)
        .await
        .map_err(|e| format!("cannot connect to the database: {e}"))?;
    Migrator::up(&db, None)
        .await
        .map_err(|e| format!("migration failed: {e}"))?;
    let mut options = seed::Options::new(size, seed);
    if let Some(day) = today {
        options.today = day;
    }
    options.progress = true;
    let report = seed::run(&db, options).await.map_err(|e| e.to_string())?;
    // Standard output, not the log: it may hold the generated demo password.
    print!("{}", report.render());
    db.close()
        .await
        .map_err(|e| format!("closing the database failed: {e}"))
}

async fn migrate(settings: Settings, action: MigrateAction) -> Result<(), String> {
    let db = db::connect(&settings, std::sync::Arc::new(Metrics::default()), None)
        .await
        .map_err(|e| format!("cannot connect to the database: {e}"))?;
    let result = match action {
        MigrateAction::Up => Migrator::up(&db, None).await,
        MigrateAction::Down { steps } => Migrator::down(&db, Some(steps)).await,
        MigrateAction::Status => match Migrator::get_migration_with_status(&db).await {
            Ok(migrations) => {
                for m in migrations {
                    println!("{:?}\t{}", m.status(), m.name());
                }
                Ok(())
            }
            Err(e) => Err(e),
        },
    };
    result.map_err(|e| format!("migration failed: {e}"))
}
