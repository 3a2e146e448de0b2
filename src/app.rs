//! Building and running the server: connect, migrate, bind (port 0 allowed), serve until a
//! shutdown signal, then let requests in flight finish.

use std::{future::Future, net::SocketAddr, sync::Arc};

use migration::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::{
    config::{Environment, Settings, redact_url},
    db,
    error::AppError,
    graphql,
    http::{self, AppState},
    metrics::Metrics,
    seed,
    service::{self, auth::Auth, user::NewUser},
};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot connect to the database {url}: {source}")]
    Database { url: String, source: sea_orm::DbErr },
    #[error("cannot apply migrations: {0}")]
    Migrate(sea_orm::DbErr),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot prepare sign-in: {0}")]
    Auth(String),
    #[error("cannot load the demo data: {0}")]
    Demo(String),
}

/// How the server starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StartOptions {
    /// Apply pending migrations first.
    pub migrate: bool,
    /// Load the small demo data set when the database has no accounts (`serve --demo`).
    pub demo: bool,
}

/// A server bound to its port, ready to run.
pub struct App {
    listener: TcpListener,
    addr: SocketAddr,
    state: AppState,
}

impl App {
    /// Connects to the database, applies pending migrations unless `migrate` is false, and binds.
    pub async fn build(settings: Settings, migrate: bool) -> Result<Self, StartError> {
        Self::build_with(settings, StartOptions { migrate, demo: false }).await
    }

    /// [`App::build`], optionally loading the demo data before the port opens.
    pub async fn build_with(settings: Settings, options: StartOptions) -> Result<Self, StartError> {
        let metrics = Arc::new(Metrics::default());
        let connect = |statement_timeout| {
            let (settings, metrics) = (&settings, metrics.clone());
            async move {
                db::connect(settings, metrics, statement_timeout)
                    .await
                    .map_err(|source| StartError::Database {
                        url: redact_url(&settings.database_url),
                        source,
                    })
            }
        };
        let timeout = std::time::Duration::from_millis(settings.timeouts.request_ms);
        let postgres = !settings.database_url.starts_with("sqlite:");
        // The request's own deadline answers the client; the statement timeout is the database's
        // backstop for work a given-up request left running. A little longer than the deadline,
        // so a statement waiting out the whole request never beats the deadline to an answer
        // (at equal limits a loaded machine could let PostgreSQL cancel first, and the client
        // got that statement's error instead of the timeout).
        let backstop = timeout + std::time::Duration::from_millis(500);
        let db = connect(postgres.then_some(backstop)).await?;
        if options.migrate || options.demo {
            // On PostgreSQL, a pool of its own without the statement timeout: building an index
            // on a large table may take longer than any request is allowed to.
            let maintenance = if postgres {
                connect(None).await?
            } else {
                db.clone()
            };
            if options.migrate {
                Migrator::up(&maintenance, None)
                    .await
                    .map_err(StartError::Migrate)?;
            }
            if options.demo {
                load_demo(&maintenance, settings.env).await?;
            }
            if postgres {
                let _ = maintenance.close().await;
            }
        }
        let auth = Auth::load(&db, &settings.auth, settings.env)
            .await
            .map_err(|e| StartError::Auth(e.public_cause()))?;
        let auth = Arc::new(auth);
        if let Some((email, password)) = &settings.auth.bootstrap_admin {
            bootstrap_admin(&db, email, password.expose())
                .await
                .map_err(|e| StartError::Auth(e.public_cause()))?;
        }
        let listener = TcpListener::bind(settings.addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: settings.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: settings.addr,
            source,
        })?;
        let schema = graphql::schema(settings.limits, db.clone(), auth.clone());
        let budgets = Arc::new(http::budget::Budgets::new(crate::domain::budget::Budget {
            capacity: settings.cost.capacity,
            restore_per_second: settings.cost.restore_per_second,
        }));
        let state = AppState {
            budgets,
            settings: Arc::new(settings),
            db,
            schema,
            metrics,
            auth,
        };
        Ok(Self {
            listener,
            addr,
            state,
        })
    }

    /// The address the server listens on (the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    /// Serves until `shutdown` completes; requests in flight then finish before this returns.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        tracing::info!(addr = %self.addr, "trapeze listening");
        let db = self.state.db.clone();
        let every = self.state.settings.rescore_interval_seconds;
        let scores = (every > 0).then(|| tokio::spawn(decay_scores(db.clone(), every)));
        let policy = tokio::spawn(service::policy::listen(
            db.clone(),
            self.state.auth.principals.policy().clone(),
        ));
        let timeouts = self.state.settings.timeouts;
        http::serve::serve(self.listener, http::router(self.state), timeouts, shutdown).await;
        if let Some(scores) = scores {
            scores.abort();
        }
        // The listener holds a pooled connection; the pool closes only once it is given back.
        policy.abort();
        let _ = policy.await;
        if let Err(err) = db.close().await {
            tracing::warn!(error = %err, "closing the database pool failed");
        }
        tracing::info!("trapeze stopped");
        Ok(())
    }
}

/// Keeps stored lead scores current as behaviour points decay: every `seconds`
/// (`TRAPEZE_RESCORE_INTERVAL_SECONDS`, default a minute), rescores up to 2,000 of the leads last
/// scored over an hour ago, oldest first, so the work spreads out instead of landing on the
/// database at start-up.
async fn decay_scores(db: DatabaseConnection, seconds: u64) {
    let period = std::time::Duration::from_secs(seconds);
    let mut every = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        every.tick().await;
        if let Err(err) = service::scoring::refresh_decayed(&db, chrono::Utc::now(), 2000).await {
            tracing::warn!(cause = %err.public_cause(), "rescoring decayed lead scores failed");
        }
    }
}

/// `serve --demo`: the small data set and the demo sign-ins, on a database without accounts.
/// Refused in production, where a known demo password would be an open door.
async fn load_demo(db: &DatabaseConnection, env: Environment) -> Result<(), StartError> {
    if env == Environment::Production {
        return Err(StartError::Demo(
            "--demo is for development; it is refused when TRAPEZE_ENV=production".into(),
        ));
    }
    if let Some(report) = seed::demo(db)
        .await
        .map_err(|e| StartError::Demo(e.to_string()))?
    {
        // Standard output rather than the log: the sign-ins may carry a generated password.
        print!("{}", report.render());
    }
    Ok(())
}

/// Creates the first admin from the settings when the database has no user yet.
async fn bootstrap_admin(db: &DatabaseConnection, email: &str, password: &str) -> Result<(), AppError> {
    if service::user::any_exists(db).await? {
        return Ok(());
    }
    let role_id = service::user::role_id_by_name(db, "admin").await?;
    let new = NewUser {
        email: email.to_owned(),
        display_name: "Administrator".into(),
        role_id,
        password: password.to_owned(),
    };
    let user = service::user::create_as_operator(db, new).await?;
    tracing::info!(email = %user.email, "created the first admin user");
    Ok(())
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed when this is called, not
/// when the future is first polled: a signal that arrives between "listening" and the first poll
/// must still shut down gracefully instead of killing the process.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            match (interrupt, terminate) {
                (Ok(mut interrupt), Ok(mut terminate)) => {
                    tokio::select! {
                        _ = interrupt.recv() => {},
                        _ = terminate.recv() => {},
                    }
                }
                _ => std::future::pending::<()>().await,
            }
            tracing::info!("shutdown signal received: finishing requests in flight");
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutdown signal received: finishing requests in flight");
    }
}
