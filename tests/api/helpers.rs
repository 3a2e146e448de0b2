//! Starts the real server on port 0 with a fresh database per test: a SQLite file, or a
//! PostgreSQL database (created here, dropped afterwards) when `TRAPEZE_TEST_POSTGRES_URL` is set.

use std::{
    collections::HashMap,
    io::Write,
    net::SocketAddr,
    path::PathBuf,
    sync::{Mutex, OnceLock},
};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use trapeze::{app::App, config::Settings};
use uuid::Uuid;

pub const POSTGRES_ENV: &str = "TRAPEZE_TEST_POSTGRES_URL";
pub const JWT_SECRET: &str = "test-secret-of-at-least-thirty-two-bytes";
pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "admin password 123";
pub const PASSWORD: &str = "a password of some length";

#[derive(Clone, Copy, Debug)]
pub enum Store {
    Sqlite,
    Postgres,
}

/// Everything the server logged during this test binary's run (tests search it by request id).
static LOGS: OnceLock<&'static Mutex<Vec<u8>>> = OnceLock::new();

struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if std::env::var_os("TEST_LOG").is_some() {
            std::io::stderr().write_all(buf)?;
        }
        if let Some(logs) = LOGS.get()
            && let Ok(mut logs) = logs.lock()
        {
            logs.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn init_logs() {
    LOGS.get_or_init(|| {
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_env_filter("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn")
            .with_writer(|| LogWriter)
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
        Box::leak(Box::new(Mutex::new(Vec::new())))
    });
}

/// The log lines captured so far that mention `needle`.
pub fn log_lines_with(needle: &str) -> Vec<String> {
    let logs = LOGS
        .get()
        .map(|l| l.lock().map(|b| b.clone()).unwrap_or_default())
        .unwrap_or_default();
    String::from_utf8_lossy(&logs)
        .lines()
        .filter(|l| l.contains(needle))
        .map(str::to_owned)
        .collect()
}

/// What to remove when the test ends.
enum Cleanup {
    SqliteFile(PathBuf),
    PostgresDatabase {
        admin_url: String,
        name: String,
    },
    /// A replica: the first server of its database removes it.
    Nothing,
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    /// A direct connection to the server's database, for setting up faults.
    pub db: DatabaseConnection,
    /// An access token of the first admin, sent by `post`, `gql` and `data`.
    pub admin_token: String,
    shutdown: Option<oneshot::Sender<()>>,
    cleanup: Cleanup,
    /// The database URL and the extra settings, for starting a replica.
    database_url: String,
    extra: Vec<(String, String)>,
}

impl TestApp {
    /// A server on `store`, or `None` for PostgreSQL when it is not configured.
    pub async fn spawn(store: Store) -> Option<Self> {
        Self::spawn_with(store, &[]).await
    }

    /// A server with extra settings, given as environment variables (`TRAPEZE_MAX_DEPTH`...).
    pub async fn spawn_with(store: Store, extra: &[(&str, &str)]) -> Option<Self> {
        init_logs();
        let (url, cleanup) = match store {
            Store::Sqlite => {
                let path = std::env::temp_dir().join(format!("trapeze-test-{}.db", Uuid::now_v7().simple()));
                (
                    format!("sqlite://{}?mode=rwc", path.display()),
                    Cleanup::SqliteFile(path),
                )
            }
            Store::Postgres => {
                let admin_url = std::env::var(POSTGRES_ENV).ok()?;
                let name = format!("trapeze_test_{}", Uuid::now_v7().simple());
                let admin = Database::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("{POSTGRES_ENV} is set but PostgreSQL is unreachable: {e}"));
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                admin.close().await.expect("close admin connection");
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(base, _)| base);
                (
                    format!("{base}/{name}"),
                    Cleanup::PostgresDatabase { admin_url, name },
                )
            }
        };
        let extra: Vec<(String, String)> = extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let (addr, db, shutdown) = start(&url, &extra).await;
        let mut app = Self {
            addr,
            client: reqwest::Client::new(),
            db,
            admin_token: String::new(),
            shutdown: Some(shutdown),
            cleanup,
            database_url: url,
            extra,
        };
        app.admin_token = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        Some(app)
    }

    /// A second server on this server's database, with the same settings: another replica of
    /// the same deployment. Its admin token is this server's (the key is shared).
    pub async fn replica(&self) -> Self {
        let (addr, db, shutdown) = start(&self.database_url, &self.extra).await;
        Self {
            addr,
            client: reqwest::Client::new(),
            db,
            admin_token: self.admin_token.clone(),
            shutdown: Some(shutdown),
            cleanup: Cleanup::Nothing,
            database_url: self.database_url.clone(),
            extra: self.extra.clone(),
        }
    }

    /// Signs in and returns the access token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let data = self
            .data_as(
                None,
                "mutation($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { accessToken userErrors { code } } }",
                json!({ "e": email, "p": password }),
            )
            .await;
        data["login"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("login of {email}: {data}"))
            .to_owned()
    }

    /// The global ID of the role named `name`.
    pub async fn role_id(&self, name: &str) -> String {
        let data = self
            .data("{ roles(first: 100) { nodes { id name } } }", json!({}))
            .await;
        data["roles"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("no role {name}"))
    }

    /// Creates a user with the role named `role` (as the admin) and returns their id and token.
    pub async fn user_with_role(&self, role: &str) -> (String, String) {
        let email = format!("{role}-{}@example.com", Uuid::now_v7().simple());
        let role_id = self.role_id(role).await;
        let data = self
            .data(
                "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } userErrors { field code message } } }",
                json!({ "i": { "email": email, "displayName": role, "roleId": role_id, "password": PASSWORD } }),
            )
            .await;
        let id = data["createUser"]["user"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{data}"))
            .to_owned();
        (id, self.login(&email, PASSWORD).await)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// POSTs a GraphQL request as JSON, as the admin, and returns the response.
    pub async fn post(&self, query: &str, variables: Value) -> reqwest::Response {
        self.post_as(Some(&self.admin_token), query, variables).await
    }

    /// POSTs a GraphQL request with the given bearer token (none: anonymous).
    pub async fn post_as(&self, token: Option<&str>, query: &str, variables: Value) -> reqwest::Response {
        let mut request = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request sent")
    }

    /// POSTs a GraphQL request as the admin and returns its JSON body, checking the status is 200.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.gql_as(Some(&self.admin_token), query, variables).await
    }

    pub async fn gql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let response = self.post_as(token, query, variables).await;
        assert_eq!(response.status(), 200, "status of {query}");
        response.json().await.expect("JSON body")
    }

    /// `gql` for a request that must succeed: returns `data`, failing on any error.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        self.data_as(Some(&self.admin_token), query, variables).await
    }

    pub async fn data_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let body = self.gql_as(token, query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// The SQL statements one request (as the admin) costs once the admin's principal is
    /// cached (authentication then costs none; a first request reads it).
    pub async fn statements_for(&self, query: &str, variables: Value) -> u64 {
        self.data("{ __typename }", json!({})).await;
        let before = self.statements().await;
        self.data(query, variables).await;
        self.statements().await - before
    }

    /// The server's `trapeze_db_statements_total`.
    pub async fn statements(&self) -> u64 {
        let text = self
            .client
            .get(self.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("trapeze_db_statements_total "))
            .and_then(|n| n.trim().parse().ok())
            .expect("statement counter in /metrics")
    }
}

/// Starts a server on `url` with the test settings and `extra`: its address, a connection to
/// its database, and the sender that stops it.
async fn start(
    url: &str,
    extra: &[(String, String)],
) -> (SocketAddr, DatabaseConnection, oneshot::Sender<()>) {
    let mut env: HashMap<String, String> = [
        ("DATABASE_URL", url),
        ("TRAPEZE_ADDR", "127.0.0.1:0"),
        ("TRAPEZE_DB_MAX_CONNECTIONS", "4"),
        ("TRAPEZE_JWT_SECRET", JWT_SECRET),
        ("TRAPEZE_ADMIN_EMAIL", ADMIN_EMAIL),
        ("TRAPEZE_ADMIN_PASSWORD", ADMIN_PASSWORD),
        // A loaded test machine must not trip the production limits by accident; the
        // tests of those limits set their own.
        ("TRAPEZE_REQUEST_TIMEOUT_MS", "120000"),
        ("TRAPEZE_COST_BUDGET", "1000000000"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .chain(extra.iter().cloned())
    .collect();
    env.entry("TRAPEZE_ENV".into())
        .or_insert_with(|| "development".into());
    let settings = Settings::from_sources(None, &env).expect("test settings");
    let app = App::build(settings, true).await.expect("server starts");
    let addr = app.addr();
    let db = app.db().clone();
    let (tx, rx) = oneshot::channel();
    tokio::spawn(app.run_until(async {
        let _ = rx.await;
    }));
    (addr, db, tx)
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match &self.cleanup {
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Nothing => {}
            Cleanup::PostgresDatabase { admin_url, name } => {
                let (admin_url, db_name) = (admin_url.clone(), name.clone());
                // Drop cannot await: a short-lived runtime on its own thread drops the database.
                let dropped = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()?;
                    rt.block_on(async {
                        let admin = Database::connect(&admin_url)
                            .await
                            .map_err(std::io::Error::other)?;
                        admin
                            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {db_name} WITH (FORCE)"))
                            .await
                            .map_err(std::io::Error::other)?;
                        admin.close().await.map_err(std::io::Error::other)
                    })
                })
                .join();
                if !matches!(dropped, Ok(Ok(()))) {
                    eprintln!("could not drop the test database {name}");
                }
            }
        }
    }
}

/// Runs each named `async fn(TestApp)` on SQLite and, when configured, on PostgreSQL.
macro_rules! on_both_stores {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::helpers::TestApp::spawn($crate::helpers::Store::Sqlite).await.unwrap();
                    super::$name(app).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(not(trapeze_postgres_tests), ignore = "TRAPEZE_TEST_POSTGRES_URL is not set")]
                async fn $name() {
                    match $crate::helpers::TestApp::spawn($crate::helpers::Store::Postgres).await {
                        Some(app) => super::$name(app).await,
                        None => eprintln!("skipped: {} is not set", $crate::helpers::POSTGRES_ENV),
                    }
                }
            )+
        }
    };
}
pub(crate) use on_both_stores;

/// The `extensions.code` of the first error of a response body.
pub fn first_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<no code>")
}
