//! Building and running the server: connect, migrate, bind (port 0 allowed), serve until a
//! shutdown signal, then let requests in flight finish.

use std::{future::Future, net::SocketAddr, sync::Arc};

use migration::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::{
    config::{Settings, redact_url},
    db,
    error::AppError,
    graphql,
    http::{self, AppState},
    metrics::Metrics,
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
        let metrics = Arc::new(Metrics::default());
        let db = db::connect(&settings, metrics.clone())
            .await
            .map_err(|source| StartError::Database {
                url: redact_url(&settings.database_url),
                source,
            })?;
        if migrate {
            Migrator::up(&db, None).await.map_err(StartError::Migrate)?;
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
        let state = AppState {
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
        axum::serve(self.listener, http::router(self.state))
            .with_graceful_shutdown(shutdown)
            .await?;
        if let Err(err) = db.close().await {
            tracing::warn!(error = %err, "closing the database pool failed");
        }
        tracing::info!("trapeze stopped");
        Ok(())
    }
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
