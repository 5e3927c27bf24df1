//! The shared store conformance suite on SQLite, plus what is SQLite's own: a missing file is
//! refused unless creation is asked for, and the pragmas that make writes durable are set.
#![allow(clippy::unwrap_used)]

use posko_store::conformance::TestStore;
use posko_store_sqlite::{Create, OpenError, SqliteStore};

async fn fresh() -> Option<TestStore> {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("posko.sqlite3"), Create::Yes)
        .await
        .unwrap();
    Some(TestStore {
        store: Box::new(store),
        guard: Box::new(dir),
    })
}

posko_store::conformance_suite!(fresh);
posko_store::notify_conformance_suite!(fresh);

#[tokio::test]
async fn a_missing_file_is_not_created_by_accident() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("posko.sqlite"); // the operator meant posko.sqlite3
    let err = SqliteStore::open(&typo, Create::No).await.unwrap_err();
    assert!(matches!(err, OpenError::Missing(_)));
    assert!(err.to_string().contains("posko init"), "{err}");
    assert!(!typo.exists(), "nothing was created");
    SqliteStore::open(&typo, Create::Yes)
        .await
        .unwrap()
        .close()
        .await;
    SqliteStore::open(&typo, Create::No).await.unwrap();
}

#[tokio::test]
async fn durable_settings_are_on() {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open(&dir.path().join("p.sqlite3"), Create::Yes)
        .await
        .unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(s.pool())
        .await
        .unwrap();
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(s.pool())
        .await
        .unwrap();
    let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(s.pool())
        .await
        .unwrap();
    assert_eq!((mode.as_str(), fk, sync), ("wal", 1, 2));
}

#[tokio::test]
async fn a_new_file_has_large_pages_and_an_old_one_keeps_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let page_size = |s: SqliteStore| async move {
        let n: i64 = sqlx::query_scalar("PRAGMA page_size")
            .fetch_one(s.pool())
            .await
            .unwrap();
        s.close().await;
        n
    };
    let new = dir.path().join("baru.sqlite3");
    let s = SqliteStore::open(&new, Create::Yes).await.unwrap();
    assert_eq!(page_size(s).await, i64::from(posko_store_sqlite::PAGE_SIZE));
    // A file made with 4 KiB pages (as before) opens and stays as it is: WAL mode cannot change
    // a page size, and nothing is rewritten behind the operator's back.
    let old = dir.path().join("lama.sqlite3");
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&old)
        .create_if_missing(true)
        .page_size(4096)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
    let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
    sqlx::query("CREATE TABLE t (x)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let s = SqliteStore::open(&old, Create::No).await.unwrap();
    assert_eq!(page_size(s).await, 4096);
}
posko_store::rakor_conformance_suite!(fresh);
// neutrality briefings, integrity pledges, public accountability (issue 9, parts 4–5)
posko_store::netral_conformance_suite!(fresh);
// dashboard (issue 9)
posko_store::dashboard_conformance_suite!(fresh);
