//! One query path for PostgreSQL and SQLite: a diesel `MultiConnection` over an r2d2 pool whose
//! manager picks the engine from the URL scheme (never by trial), with each engine's
//! per-connection settings, and one write-transaction helper for both.

pub mod appointments;
pub mod audit;
pub mod citizens;
pub mod divorce;
pub mod divorce_visits;
pub mod holds;
pub mod household;
pub mod identities;
pub mod married;
pub mod migrations;
pub mod offices;
pub mod outbox;
pub mod owner_only;
pub mod partner;
pub mod rate_limits;
pub mod registration;
pub mod slots;
pub mod special_dates;
pub mod staff;
pub mod statistics;
pub mod statistics_divorce;
pub mod statistics_rollup;
pub mod sweep;

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::result::{ConnectionError, DatabaseErrorKind};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use secrecy::{ExposeSecret, SecretString};

pub mod schema;

/// What the store needs to know to connect: the root turns `[database]` settings into this.
#[derive(Debug, Clone)]
pub struct DbConfig {
    /// `postgres://…` or a SQLite path (`sqlite://PATH`).
    pub url: SecretString,
    pub max_connections: u32,
    pub acquire_timeout_ms: u64,
    pub statement_timeout_ms: u64,
}

/// A connection to either engine; every query in the service runs through this type.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// The connection pool shared by all workers.
pub type Pool = r2d2::Pool<Manager>;
/// A connection checked out of the pool.
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// Which engine a database URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Engine {
    Postgres,
    /// A SQLite file at this path.
    Sqlite(String),
}

impl Engine {
    /// `postgres://` / `postgresql://` is PostgreSQL; `sqlite://PATH`, `sqlite:PATH` or a bare
    /// path is a SQLite file.
    pub fn from_url(url: &str) -> Engine {
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Engine::Postgres;
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        Engine::Sqlite(path.to_owned())
    }

    /// Short name for logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Engine::Postgres => "postgresql",
            Engine::Sqlite(_) => "sqlite",
        }
    }
}

/// A database operation that failed: either no connection could be had (503), or a query failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Query(diesel::result::Error),
}

impl From<diesel::result::Error> for DbError {
    fn from(e: diesel::result::Error) -> Self {
        match &e {
            // The server went away under a running statement: the same as no connection.
            diesel::result::Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
            | diesel::result::Error::DatabaseError(DatabaseErrorKind::UnableToSendCommand, _)
            | diesel::result::Error::BrokenTransactionManager => {
                DbError::Unavailable(e.to_string())
            }
            _ => DbError::Query(e),
        }
    }
}

impl From<r2d2::PoolError> for DbError {
    fn from(e: r2d2::PoolError) -> Self {
        DbError::Unavailable(e.to_string())
    }
}

/// The r2d2 manager: opens a connection of the engine the URL names and applies its settings.
#[derive(Debug)]
pub struct Manager {
    url: SecretString,
    engine: Engine,
    statement_timeout_ms: u64,
}

/// A connection could not be opened; the message is the server's own.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("{}", .0.to_string().trim_end())]
    Connect(#[from] ConnectionError),
    #[error("{0}")]
    Setup(#[from] diesel::result::Error),
    #[error("cannot create the SQLite file {path} or its folder: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
}

impl Manager {
    /// A manager for the configured database.
    pub fn new(settings: &DbConfig) -> Manager {
        Manager {
            url: settings.url.clone(),
            engine: Engine::from_url(settings.url.expose_secret()),
            statement_timeout_ms: settings.statement_timeout_ms,
        }
    }

    /// The engine this manager connects to.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Opens one connection with the engine's settings applied.
    pub fn open(&self) -> Result<DbConn, ConnectError> {
        match &self.engine {
            Engine::Postgres => {
                let mut conn = PgConnection::establish(self.url.expose_secret())?;
                // Timestamps are bound as UTC `timestamp`; a UTC session keeps TIMESTAMPTZ
                // columns exact whatever the server's default time zone.
                conn.batch_execute(&format!(
                    "SET TIME ZONE 'UTC'; SET application_name = 'hunyin'; \
                     SET statement_timeout = {};",
                    self.statement_timeout_ms
                ))?;
                Ok(DbConn::Pg(conn))
            }
            Engine::Sqlite(path) => {
                // The owner's only: the folder 0700 when we create it, the file 0600 before
                // SQLite opens it (its -wal and -shm take the main file's mode).
                let file = std::path::Path::new(path);
                if path != ":memory:" && !path.starts_with("file:") {
                    if let Some(parent) = file.parent() {
                        owner_only::create_dir_all(parent).map_err(|source| {
                            ConnectError::Folder {
                                path: path.clone(),
                                source,
                            }
                        })?;
                    }
                    owner_only::touch(file).map_err(|source| ConnectError::Folder {
                        path: path.clone(),
                        source,
                    })?;
                }
                let mut conn = SqliteConnection::establish(path)?;
                // busy_timeout first: the journal_mode switch itself may meet a lock. FULL, not
                // NORMAL: in WAL mode NORMAL can roll back the last commits after a power loss,
                // and a couple told "registered J…-000123" must keep that record and number.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                )?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConn, ConnectError> {
        self.open()
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), ConnectError> {
        conn.batch_execute("SELECT 1").map_err(ConnectError::Setup)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        let status = match conn {
            DbConn::Pg(c) => AnsiTransactionManager::transaction_manager_status_mut(c),
            DbConn::Sqlite(c) => AnsiTransactionManager::transaction_manager_status_mut(c),
        };
        // Broken, or handed back inside a transaction: either way not reusable.
        !matches!(status.transaction_depth(), Ok(None))
    }
}

/// Builds the pool without connecting: start-up has already proved the database answers, and a
/// database that goes away later must not stop the process (requests get 503 until it returns).
pub fn build_pool(settings: &DbConfig) -> Pool {
    r2d2::Pool::builder()
        .max_size(settings.max_connections)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_millis(settings.acquire_timeout_ms))
        .test_on_check_out(true)
        .build_unchecked(Manager::new(settings))
}

/// Checks a connection out of the pool.
pub fn get(pool: &Pool) -> Result<PooledConn, DbError> {
    Ok(pool.get()?)
}

/// Writers of this process queue here before `BEGIN IMMEDIATE` on SQLite. SQLite lets one writer
/// in at a time and makes the others poll with growing sleeps (the busy handler), which left the
/// file idle between writers under load; a queue in the process hands the lock on at once.
/// Other processes on the same file still meet the busy timeout.
static SQLITE_WRITERS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `f` in a write transaction. On SQLite it begins with `BEGIN IMMEDIATE`, taking the write
/// lock up front, so a read-then-write transaction cannot fail with "database is locked" at its
/// first write; on PostgreSQL it is a plain `BEGIN`. Commits on `Ok`, rolls back on `Err`.
/// Nested `conn.transaction(..)` calls inside `f` become savepoints.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    type Tm = <DbConn as Connection>::TransactionManager;
    let _queued = match conn {
        DbConn::Sqlite(c) => {
            let guard = SQLITE_WRITERS.lock().unwrap_or_else(|e| e.into_inner());
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
            Some(guard)
        }
        DbConn::Pg(_) => {
            Tm::begin_transaction(conn)?;
            None
        }
    };
    match f(conn) {
        Ok(value) => match Tm::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(commit_error) => {
                let _ = Tm::rollback_transaction(conn);
                Err(commit_error.into())
            }
        },
        Err(e) => {
            if let Err(rollback_error) = Tm::rollback_transaction(conn) {
                tracing::warn!(error = %rollback_error, "rollback failed");
            }
            Err(e)
        }
    }
}

/// Runs `f`, one statement that writes outside any transaction (autocommit), after the writers
/// of this process on SQLite: the same queue as [`write_tx`], so that it meets no busy handler
/// sleeping in growing steps while a booking holds the file (the outbox worker's lease renewal
/// and settling, between bookings). On PostgreSQL it just runs.
pub fn write_one<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
{
    let _queued = match conn {
        DbConn::Sqlite(_) => Some(SQLITE_WRITERS.lock().unwrap_or_else(|e| e.into_inner())),
        DbConn::Pg(_) => None,
    };
    f(conn)
}

/// The database URL with any password replaced, for log lines.
pub fn redacted_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_is_chosen_by_scheme() {
        assert_eq!(Engine::from_url("postgres://u@h/db"), Engine::Postgres);
        assert_eq!(Engine::from_url("PostgreSQL://u@h/db"), Engine::Postgres);
        assert_eq!(
            Engine::from_url("sqlite://var/x.db"),
            Engine::Sqlite("var/x.db".into())
        );
        assert_eq!(
            Engine::from_url("sqlite:/tmp/x.db"),
            Engine::Sqlite("/tmp/x.db".into())
        );
        assert_eq!(Engine::from_url("x.db"), Engine::Sqlite("x.db".into()));
    }

    #[test]
    fn redaction_hides_the_password_only() {
        assert_eq!(
            redacted_url("postgres://app:s3cret@db:5432/hunyin"),
            "postgres://app:***@db:5432/hunyin"
        );
        assert_eq!(redacted_url("sqlite://var/x.db"), "sqlite://var/x.db");
    }
}
