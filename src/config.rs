//! Settings: built-in defaults, then an optional TOML file, then `TRAPEZE_*` environment variables.
//!
//! Every setting is documented once, in the README's table. A bad value stops start-up with one
//! line naming the setting; secrets (the database password) never reach a log or a Debug print.

use std::{collections::HashMap, fmt, net::SocketAddr, path::Path, str::FromStr};

use serde::Deserialize;

/// A setting that could not be read; `Display` gives the one line shown to the operator.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {setting}: {message}")]
pub struct ConfigError {
    pub setting: String,
    pub message: String,
}

impl ConfigError {
    fn new(setting: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            setting: setting.into(),
            message: message.into(),
        }
    }
}

/// Where the server runs: development is forgiving and explorable, production is locked down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// Who may run introspection queries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntrospectionPolicy {
    /// Any authenticated caller (the development default).
    Authenticated,
    /// Callers holding `role.manage` (the production default).
    Admin,
    /// Nobody.
    Off,
}

/// Query limits, checked before any resolver runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_aliases: usize,
    pub max_directives: usize,
    pub max_body_bytes: usize,
    /// `TRAPEZE_MAX_RESPONSE_BYTES`: the largest response body; past it the response is replaced
    /// by MAX_COMPLEXITY_EXCEEDED (the complexity limit bounds how many values a response holds,
    /// not how long each is).
    pub max_response_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 15,
            max_complexity: 20_000,
            max_aliases: 30,
            max_directives: 50,
            max_body_bytes: 1024 * 1024,
            max_response_bytes: 16 * 1024 * 1024,
        }
    }
}

/// A secret setting: its value never appears in Debug output or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Sign-in and token settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthSettings {
    /// Signs access tokens. Required in production; in development one is generated and stored
    /// in the database when absent.
    pub jwt_secret: Option<Secret>,
    /// Earlier signing keys still accepted, so a rotation does not sign everyone out.
    pub jwt_previous_secrets: Vec<Secret>,
    pub access_token_ttl_seconds: u64,
    pub refresh_token_ttl_days: u64,
    /// The first admin, created at start-up on a database without users.
    pub bootstrap_admin: Option<(String, Secret)>,
    /// `TRAPEZE_LOGIN_THROTTLE_DELAY_MS`: the wait after the first failed sign-in past the free
    /// ones (5 per email, 30 per client address); it doubles with each further one, up to 15
    /// minutes (`domain::throttle`).
    pub login_throttle_delay_ms: u64,
}

/// How long the server waits on a client and on itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// `TRAPEZE_REQUEST_TIMEOUT_MS`: the most one GraphQL request may take, from its headers to
    /// its answer (reading the body included). On PostgreSQL it is also each statement's
    /// `statement_timeout`, so the database stops the work of a request that was given up.
    pub request_ms: u64,
    /// `TRAPEZE_HEADER_TIMEOUT_MS`: how long a connection may take to send a request's headers,
    /// counted from when the server starts waiting for them, so it also closes kept-alive
    /// connections that sit idle that long (slow or idle clients hold no socket for ever).
    pub header_ms: u64,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            request_ms: 5_000,
            header_ms: 10_000,
        }
    }
}

/// The budget of query cost each principal (user, API token, or anonymous client address) may
/// spend: a bucket of `capacity` points refilled at `restore_per_second` (Shopify's and
/// GitHub's model). A request's cost is the number of objects it may return (see
/// `graphql::cost`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CostBudget {
    /// `TRAPEZE_COST_BUDGET`: the most points a principal holds.
    pub capacity: u64,
    /// `TRAPEZE_COST_RESTORE_RATE`: points given back per second; 0 turns the limit off.
    pub restore_per_second: u64,
}

impl Default for CostBudget {
    fn default() -> Self {
        Self {
            capacity: 100_000,
            restore_per_second: 10_000,
        }
    }
}

/// The shortest JWT secret accepted, in bytes.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// The settings of one server process.
#[derive(Clone, PartialEq, Eq)]
pub struct Settings {
    pub addr: SocketAddr,
    pub database_url: String,
    pub db_max_connections: u32,
    pub env: Environment,
    pub log_format: LogFormat,
    pub introspection: IntrospectionPolicy,
    pub limits: Limits,
    pub auth: AuthSettings,
    /// Seconds between two rounds of rescoring decayed lead scores; 0 turns it off.
    pub rescore_interval_seconds: u64,
    pub timeouts: Timeouts,
    pub cost: CostBudget,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("addr", &self.addr)
            .field("database_url", &redact_url(&self.database_url))
            .field("db_max_connections", &self.db_max_connections)
            .field("env", &self.env)
            .field("log_format", &self.log_format)
            .field("introspection", &self.introspection)
            .field("limits", &self.limits)
            .field("auth", &self.auth)
            .field("rescore_interval_seconds", &self.rescore_interval_seconds)
            .field("timeouts", &self.timeouts)
            .field("cost", &self.cost)
            .finish()
    }
}

/// Hides the password of a connection URL (`postgres://user:secret@host` -> `postgres://user:***@host`).
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// The optional file: the same settings in snake_case, every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    addr: Option<String>,
    database_url: Option<String>,
    db_max_connections: Option<u32>,
    env: Option<String>,
    log_format: Option<String>,
    introspection: Option<String>,
    max_depth: Option<usize>,
    max_complexity: Option<usize>,
    max_aliases: Option<usize>,
    max_directives: Option<usize>,
    max_response_bytes: Option<usize>,
    jwt_secret: Option<String>,
    jwt_previous_secrets: Option<String>,
    access_token_ttl_seconds: Option<usize>,
    refresh_token_ttl_days: Option<usize>,
    admin_email: Option<String>,
    admin_password: Option<String>,
    rescore_interval_seconds: Option<usize>,
    request_timeout_ms: Option<usize>,
    login_throttle_delay_ms: Option<usize>,
    header_timeout_ms: Option<usize>,
    cost_budget: Option<usize>,
    cost_restore_rate: Option<usize>,
}

impl Settings {
    /// Reads the settings from the process environment and an optional file.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        Self::from_sources(file, &env)
    }

    /// Pure form of [`Settings::load`]: the file path and the environment are given.
    pub fn from_sources(file: Option<&Path>, env: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let file = match file {
            Some(path) => read_file(path)?,
            None => FileSettings::default(),
        };
        // Each value: the environment wins over the file, the file over the default.
        let pick = |var: &str, from_file: Option<String>| -> Option<(String, String)> {
            env.get(var)
                .map(|v| (var.to_owned(), v.clone()))
                .or_else(|| from_file.map(|v| (file_key(var), v)))
        };

        let env_kind = match pick("TRAPEZE_ENV", file.env.clone()) {
            Some((name, v)) => parse_enum(
                &name,
                &v,
                &[
                    ("development", Environment::Development),
                    ("production", Environment::Production),
                ],
            )?,
            None => Environment::Development,
        };
        let addr = match pick("TRAPEZE_ADDR", file.addr.clone()) {
            Some((name, v)) => SocketAddr::from_str(v.trim()).map_err(|_| {
                ConfigError::new(name, format!("`{v}` is not a socket address like 127.0.0.1:8080"))
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };
        let database_url = match pick("DATABASE_URL", file.database_url.clone()) {
            Some((name, v)) => {
                let v = v.trim().to_owned();
                if !(v.starts_with("sqlite:")
                    || v.starts_with("postgres://")
                    || v.starts_with("postgresql://"))
                {
                    return Err(ConfigError::new(
                        name,
                        "must start with sqlite:, postgres:// or postgresql://",
                    ));
                }
                v
            }
            None => "sqlite://trapeze.db?mode=rwc".to_owned(),
        };
        let log_format = match pick("TRAPEZE_LOG_FORMAT", file.log_format.clone()) {
            Some((name, v)) => parse_enum(
                &name,
                &v,
                &[("pretty", LogFormat::Pretty), ("json", LogFormat::Json)],
            )?,
            None => LogFormat::Pretty,
        };
        let introspection = match pick("TRAPEZE_INTROSPECTION", file.introspection.clone()) {
            Some((name, v)) => parse_enum(
                &name,
                &v,
                &[
                    ("authenticated", IntrospectionPolicy::Authenticated),
                    ("admin", IntrospectionPolicy::Admin),
                    ("off", IntrospectionPolicy::Off),
                ],
            )?,
            None if env_kind == Environment::Production => IntrospectionPolicy::Admin,
            None => IntrospectionPolicy::Authenticated,
        };
        let number = |var: &str, from_file: Option<usize>, default: usize, max: usize| match pick(
            var,
            from_file.map(|n| n.to_string()),
        ) {
            Some((name, v)) => parse_number(&name, &v, max),
            None => Ok(default),
        };
        let db_max_connections = number(
            "TRAPEZE_DB_MAX_CONNECTIONS",
            file.db_max_connections.map(|n| n as usize),
            10,
            1000,
        )?;
        let d = Limits::default();
        let limits = Limits {
            max_depth: number("TRAPEZE_MAX_DEPTH", file.max_depth, d.max_depth, 1000)?,
            max_complexity: number(
                "TRAPEZE_MAX_COMPLEXITY",
                file.max_complexity,
                d.max_complexity,
                10_000_000,
            )?,
            max_aliases: number("TRAPEZE_MAX_ALIASES", file.max_aliases, d.max_aliases, 10_000)?,
            max_directives: number(
                "TRAPEZE_MAX_DIRECTIVES",
                file.max_directives,
                d.max_directives,
                10_000,
            )?,
            max_body_bytes: d.max_body_bytes,
            max_response_bytes: number(
                "TRAPEZE_MAX_RESPONSE_BYTES",
                file.max_response_bytes,
                d.max_response_bytes,
                1 << 30,
            )?,
        };
        let auth = auth_settings(&pick, &number, env_kind, &file)?;
        // 0 is a valid choice here (no rescoring), unlike the other numbers.
        let rescore_interval_seconds = match pick(
            "TRAPEZE_RESCORE_INTERVAL_SECONDS",
            file.rescore_interval_seconds.map(|n| n.to_string()),
        ) {
            Some((_, v)) if v.trim() == "0" => 0,
            Some((name, v)) => parse_number(&name, &v, 86_400)? as u64,
            None => 60,
        };
        let t = Timeouts::default();
        let timeouts = Timeouts {
            request_ms: number(
                "TRAPEZE_REQUEST_TIMEOUT_MS",
                file.request_timeout_ms,
                t.request_ms as usize,
                3_600_000,
            )? as u64,
            header_ms: number(
                "TRAPEZE_HEADER_TIMEOUT_MS",
                file.header_timeout_ms,
                t.header_ms as usize,
                3_600_000,
            )? as u64,
        };
        let c = CostBudget::default();
        let capacity = number(
            "TRAPEZE_COST_BUDGET",
            file.cost_budget,
            c.capacity as usize,
            1_000_000_000,
        )? as u64;
        // 0 is a valid choice here too: no cost limit.
        let restore_per_second = match pick(
            "TRAPEZE_COST_RESTORE_RATE",
            file.cost_restore_rate.map(|n| n.to_string()),
        ) {
            Some((_, v)) if v.trim() == "0" => 0,
            Some((name, v)) => parse_number(&name, &v, 1_000_000_000)? as u64,
            None => c.restore_per_second,
        };
        let cost = CostBudget {
            capacity,
            restore_per_second,
        };
        Ok(Settings {
            addr,
            database_url,
            db_max_connections: db_max_connections as u32,
            env: env_kind,
            log_format,
            introspection,
            limits,
            auth,
            rescore_interval_seconds,
            timeouts,
            cost,
        })
    }
}

type Pick<'a> = dyn Fn(&str, Option<String>) -> Option<(String, String)> + 'a;
type Number<'a> = dyn Fn(&str, Option<usize>, usize, usize) -> Result<usize, ConfigError> + 'a;

fn auth_settings(
    pick: &Pick<'_>,
    number: &Number<'_>,
    env_kind: Environment,
    file: &FileSettings,
) -> Result<AuthSettings, ConfigError> {
    let check_secret = |name: &str, value: &str| {
        if value.len() < MIN_JWT_SECRET_BYTES {
            Err(ConfigError::new(
                name,
                format!("must be at least {MIN_JWT_SECRET_BYTES} bytes"),
            ))
        } else {
            Ok(Secret::new(value))
        }
    };
    let jwt_secret = match pick("TRAPEZE_JWT_SECRET", file.jwt_secret.clone()) {
        Some((name, v)) => Some(check_secret(&name, &v)?),
        None if env_kind == Environment::Production => {
            return Err(ConfigError::new(
                "TRAPEZE_JWT_SECRET",
                format!("is required in production (at least {MIN_JWT_SECRET_BYTES} random bytes)"),
            ));
        }
        None => None,
    };
    let jwt_previous_secrets = match pick("TRAPEZE_JWT_PREVIOUS_SECRETS", file.jwt_previous_secrets.clone()) {
        Some((name, v)) => v
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| check_secret(&name, s))
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    let access_token_ttl_seconds = number(
        "TRAPEZE_ACCESS_TOKEN_TTL_SECONDS",
        file.access_token_ttl_seconds,
        900,
        86_400,
    )? as u64;
    let refresh_token_ttl_days = number(
        "TRAPEZE_REFRESH_TOKEN_TTL_DAYS",
        file.refresh_token_ttl_days,
        30,
        365,
    )? as u64;
    let email = pick("TRAPEZE_ADMIN_EMAIL", file.admin_email.clone());
    let password = pick("TRAPEZE_ADMIN_PASSWORD", file.admin_password.clone());
    let bootstrap_admin = match (email, password) {
        (None, None) => None,
        (Some((_, email)), Some((name, password))) => {
            if password.chars().count() < crate::auth::password::MIN_LENGTH {
                return Err(ConfigError::new(
                    name,
                    format!(
                        "must have at least {} characters",
                        crate::auth::password::MIN_LENGTH
                    ),
                ));
            }
            Some((email.trim().to_owned(), Secret::new(password)))
        }
        (Some(_), None) => {
            return Err(ConfigError::new(
                "TRAPEZE_ADMIN_PASSWORD",
                "is required with TRAPEZE_ADMIN_EMAIL",
            ));
        }
        (None, Some(_)) => {
            return Err(ConfigError::new(
                "TRAPEZE_ADMIN_EMAIL",
                "is required with TRAPEZE_ADMIN_PASSWORD",
            ));
        }
    };
    let login_throttle_delay_ms = number(
        "TRAPEZE_LOGIN_THROTTLE_DELAY_MS",
        file.login_throttle_delay_ms,
        1_000,
        3_600_000,
    )? as u64;
    Ok(AuthSettings {
        login_throttle_delay_ms,
        jwt_secret,
        jwt_previous_secrets,
        access_token_ttl_seconds,
        refresh_token_ttl_days,
        bootstrap_admin,
    })
}

fn read_file(path: &Path) -> Result<FileSettings, ConfigError> {
    let name = format!("--config {}", path.display());
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new(&name, format!("cannot read the file: {e}")))?;
    toml::from_str(&text).map_err(|e| ConfigError::new(&name, e.message().to_owned()))
}

/// `TRAPEZE_MAX_DEPTH` is `max_depth` in the file; `DATABASE_URL` is `database_url`.
fn file_key(var: &str) -> String {
    format!(
        "{} (config file)",
        var.trim_start_matches("TRAPEZE_").to_ascii_lowercase()
    )
}

fn parse_enum<T: Copy>(name: &str, value: &str, options: &[(&str, T)]) -> Result<T, ConfigError> {
    let wanted = value.trim().to_ascii_lowercase();
    options
        .iter()
        .find(|(key, _)| *key == wanted)
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<&str> = options.iter().map(|(k, _)| *k).collect();
            ConfigError::new(name, format!("`{value}` is not one of {}", names.join(", ")))
        })
}

fn parse_number(name: &str, value: &str, max: usize) -> Result<usize, ConfigError> {
    match value.trim().parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(ConfigError::new(
            name,
            format!("`{value}` is not a whole number from 1 to {max}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_apply_without_any_source() {
        let s = Settings::from_sources(None, &env(&[])).unwrap();
        assert_eq!(s.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(s.database_url, "sqlite://trapeze.db?mode=rwc");
        assert_eq!(s.env, Environment::Development);
        assert_eq!(s.introspection, IntrospectionPolicy::Authenticated);
    }

    #[test]
    fn production_defaults_introspection_to_admin() {
        let s = Settings::from_sources(
            None,
            &env(&[
                ("TRAPEZE_ENV", "production"),
                ("TRAPEZE_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ]),
        )
        .unwrap();
        assert_eq!(s.introspection, IntrospectionPolicy::Admin);
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = std::env::temp_dir().join(format!("trapeze-config-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("trapeze.toml");
        std::fs::write(&path, "addr = \"0.0.0.0:9000\"\nmax_depth = 7\n").unwrap();
        let s = Settings::from_sources(Some(&path), &env(&[("TRAPEZE_ADDR", "127.0.0.1:1")])).unwrap();
        assert_eq!(s.addr.to_string(), "127.0.0.1:1");
        assert_eq!(s.limits.max_depth, 7);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_bad_value_names_its_setting() {
        let err = Settings::from_sources(None, &env(&[("TRAPEZE_LOG_FORMAT", "xml")])).unwrap_err();
        assert_eq!(err.setting, "TRAPEZE_LOG_FORMAT");
        let err = Settings::from_sources(None, &env(&[("TRAPEZE_ADDR", "nowhere")])).unwrap_err();
        assert!(err.to_string().starts_with("invalid setting TRAPEZE_ADDR"));
    }

    #[test]
    fn production_requires_a_long_jwt_secret() {
        let err = Settings::from_sources(None, &env(&[("TRAPEZE_ENV", "production")])).unwrap_err();
        assert_eq!(err.setting, "TRAPEZE_JWT_SECRET");
        let err = Settings::from_sources(None, &env(&[("TRAPEZE_JWT_SECRET", "short")])).unwrap_err();
        assert_eq!(err.setting, "TRAPEZE_JWT_SECRET");
    }

    #[test]
    fn debug_output_hides_secrets() {
        let s = Settings::from_sources(
            None,
            &env(&[
                ("TRAPEZE_JWT_SECRET", "a-very-long-secret-of-thirty-two-bytes!"),
                ("TRAPEZE_ADMIN_EMAIL", "admin@example.com"),
                ("TRAPEZE_ADMIN_PASSWORD", "correct horse battery"),
            ]),
        )
        .unwrap();
        let printed = format!("{s:?}");
        assert!(
            !printed.contains("thirty-two") && !printed.contains("horse"),
            "{printed}"
        );
    }

    #[test]
    fn debug_output_hides_the_database_password() {
        let s = Settings::from_sources(
            None,
            &env(&[("DATABASE_URL", "postgres://app:hunter2@db:5432/trapeze")]),
        )
        .unwrap();
        let printed = format!("{s:?}");
        assert!(!printed.contains("hunter2"));
        assert!(printed.contains("postgres://app:***@db:5432/trapeze"));
    }
}
