//! Choosing and opening the store, once, from the configuration: a `postgres://` URL selects
//! PostgreSQL; `sqlite://PATH` or nothing (then `<data_dir>/posko.sqlite3`) selects SQLite. Only
//! the default data folder is created on first use; any other folder or file must be made with
//! `posko init`, so a mistyped path never becomes a new, empty database.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use posko_app::config::{redact_url, DEFAULT_DATA_DIR};
use posko_app::{Config, Posko, SecretKey};
use posko_core::Elections;
use posko_store::Store;
use posko_store_postgres::PostgresStore;
use posko_store_sqlite::{Create, SqliteStore};

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Sqlite(PathBuf),
    Postgres(String),
}

pub fn target(cfg: &Config) -> Result<Target> {
    let url = cfg.database_url.trim();
    if url.is_empty() {
        return Ok(Target::Sqlite(cfg.data_dir.join("posko.sqlite3")));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Target::Postgres(url.to_string()));
    }
    if let Some(path) = url.strip_prefix("sqlite://") {
        return Ok(Target::Sqlite(PathBuf::from(path)));
    }
    bail!(
        "database_url '{}' tidak dikenal: gunakan postgres://… atau sqlite://PATH \
         (unknown database URL scheme)",
        redact_url(url)
    )
}

fn is_default_location(cfg: &Config) -> bool {
    cfg.database_url.trim().is_empty() && cfg.data_dir == Path::new(DEFAULT_DATA_DIR)
}

/// How a command wants its data folder and database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `posko init`: create the folder, the database and the key.
    Init,
    /// Everything else: use what exists; only the default location may be created.
    Use,
}

/// Opens the store and builds the application.
pub async fn open(cfg: &Config, mode: Mode) -> Result<Posko> {
    let elections = Elections::new(cfg.pemilihan.clone()).context("konfigurasi pemilihan")?;
    let create = mode == Mode::Init || is_default_location(cfg);
    let dir = &cfg.data_dir;
    if !dir.is_dir() {
        if create {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("tidak dapat membuat folder data {}", dir.display()))?;
        } else {
            bail!(
                "folder data {0} tidak ada; buat dengan `posko init --data-dir {0}` \
                 (data folder does not exist; create it with posko init)",
                dir.display()
            );
        }
    }
    let key = if cfg.secret_key.trim().is_empty() {
        SecretKey::load_or_create(dir)?
    } else {
        SecretKey::from_hex(&cfg.secret_key)?
    };
    let store: Arc<dyn Store> = match target(cfg)? {
        Target::Sqlite(path) => {
            let how = if create { Create::Yes } else { Create::No };
            Arc::new(SqliteStore::open(&path, how).await?)
        }
        Target::Postgres(url) => Arc::new(PostgresStore::connect(&url).await?),
    };
    Ok(Posko::new(store, elections, cfg.clone(), key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_from_urls() {
        let mut cfg = Config::default();
        assert_eq!(
            target(&cfg).unwrap(),
            Target::Sqlite(PathBuf::from("./posko-data/posko.sqlite3"))
        );
        cfg.database_url = "postgres://u:secret@h/db".into();
        assert!(matches!(target(&cfg).unwrap(), Target::Postgres(_)));
        cfg.database_url = "sqlite:///var/lib/posko/x.sqlite3".into();
        assert_eq!(
            target(&cfg).unwrap(),
            Target::Sqlite(PathBuf::from("/var/lib/posko/x.sqlite3"))
        );
        cfg.database_url = "mysql://u:secret@h/db".into();
        let err = target(&cfg).unwrap_err().to_string();
        assert!(!err.contains("secret"), "{err}");
    }

    #[tokio::test]
    async fn a_mistyped_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = Config {
            data_dir: dir.path().join("posko-dta"),
            ..Config::default()
        };
        let err = open(&cfg, Mode::Use).await.err().unwrap().to_string();
        assert!(err.contains("posko init"), "{err}");
        assert!(!cfg.data_dir.exists());
        open(&cfg, Mode::Init).await.unwrap();
        assert!(cfg.data_dir.join("posko.sqlite3").is_file());
        assert!(cfg.data_dir.join("secret.key").is_file());
        open(&cfg, Mode::Use).await.unwrap();
    }

    #[tokio::test]
    async fn a_mistyped_sqlite_url_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = Config {
            data_dir: dir.path().to_path_buf(),
            database_url: format!("sqlite://{}", dir.path().join("posk.sqlite3").display()),
            ..Config::default()
        };
        let err = open(&cfg, Mode::Use).await.err().unwrap();
        assert!(format!("{err:#}").contains("posko init"), "{err:#}");
        assert!(!dir.path().join("posk.sqlite3").exists());
    }
}
