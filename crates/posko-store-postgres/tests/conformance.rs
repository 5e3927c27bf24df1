//! The shared store conformance suite on PostgreSQL, plus what is PostgreSQL's own: app servers
//! starting at once migrate one schema without tripping over each other.
//!
//! Needs a database: `POSKO_TEST_POSTGRES_URL=postgres://user@host:port/db`. Without it every
//! test says it was skipped and passes. Each test works in a schema of its own
//! (`posko_t_<unix seconds>_<random hex>`), dropped when the test ends; schemas left over by a
//! run that was killed are dropped by a later run once they are an hour old.

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use posko_core::{RegionCode, TpsId, TpsNumber, TpsRecord};
use posko_store::conformance::TestStore;
use posko_store::Store;
use posko_store_postgres::PostgresStore;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection};

const URL_VAR: &str = "POSKO_TEST_POSTGRES_URL";
const PREFIX: &str = "posko_t_";
/// Leftover schemas older than this are taken to belong to a run that died.
const STALE_AFTER: Duration = Duration::from_secs(3600);

fn test_url() -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!("skipped: {URL_VAR} is not set (PostgreSQL conformance suite)");
            None
        }
    }
}

fn unix_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A schema of its own for one test; dropped (with everything in it) when this is.
struct Schema {
    url: String,
    name: String,
}

impl Schema {
    async fn create(url: &str) -> Schema {
        let name = format!("{PREFIX}{}_{:016x}", unix_seconds(), rand::random::<u64>());
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect(url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {URL_VAR}: {e}"));
        sweep_stale_schemas(&pool).await;
        sqlx::query(&format!(r#"CREATE SCHEMA "{name}""#))
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("cannot create schema {name}: {e}"));
        pool.close().await;
        Schema {
            url: url.to_string(),
            name,
        }
    }

    /// Options that connect into this schema only.
    fn options(&self) -> PgConnectOptions {
        PgConnectOptions::from_str(&self.url)
            .unwrap_or_else(|e| panic!("{URL_VAR} is not a PostgreSQL URL: {e}"))
            .options([("search_path", self.name.as_str())])
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime (maybe while a failed test unwinds), where one
        // cannot block on a future: a thread of its own with a small runtime does the work. It
        // must never panic here, so failures are only reported.
        let (url, name) = (self.url.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async {
                let mut conn = PgConnection::connect(&url).await?;
                sqlx::query(&format!(r#"DROP SCHEMA IF EXISTS "{name}" CASCADE"#))
                    .execute(&mut conn)
                    .await?;
                conn.close().await?;
                Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("schema {} not dropped: {e}", self.name),
            Err(_) => eprintln!(
                "schema {} not dropped: the dropping thread panicked",
                self.name
            ),
        }
    }
}

/// Drops test schemas more than an hour old, once per test process: a run that was killed
/// never dropped its own.
async fn sweep_stale_schemas(pool: &sqlx::PgPool) {
    static SWEPT: AtomicBool = AtomicBool::new(false);
    if SWEPT.swap(true, Ordering::SeqCst) {
        return;
    }
    let names: Vec<String> = match sqlx::query_scalar(
        r"SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'posko\_t\_%'",
    )
    .fetch_all(pool)
    .await
    {
        Ok(names) => names,
        Err(e) => {
            eprintln!("stale schemas not listed: {e}");
            return;
        }
    };
    let cutoff = unix_seconds().saturating_sub(STALE_AFTER.as_secs());
    for name in names {
        let created = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once('_'))
            .and_then(|(secs, _)| secs.parse::<u64>().ok());
        if created.is_some_and(|secs| secs < cutoff) {
            // Another run may be sweeping too: a schema already gone is fine.
            if let Err(e) = sqlx::query(&format!(r#"DROP SCHEMA IF EXISTS "{name}" CASCADE"#))
                .execute(pool)
                .await
            {
                eprintln!("stale schema {name} not dropped: {e}");
            }
        }
    }
}

async fn fresh() -> Option<TestStore> {
    let url = test_url()?;
    let schema = Schema::create(&url).await;
    let store = PostgresStore::connect_with(schema.options())
        .await
        .unwrap_or_else(|e| panic!("{e}: {:?}", std::error::Error::source(&e)));
    Some(TestStore {
        store: Box::new(store),
        guard: Box::new(schema),
    })
}

posko_store::conformance_suite!(fresh);
posko_store::notify_conformance_suite!(fresh);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn servers_starting_together_migrate_once() {
    let Some(url) = test_url() else { return };
    let schema = Schema::create(&url).await;
    let (a, b, c) = tokio::join!(
        PostgresStore::connect_with(schema.options()),
        PostgresStore::connect_with(schema.options()),
        PostgresStore::connect_with(schema.options()),
    );
    let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
    for s in [&a, &b, &c] {
        s.ping().await.unwrap();
    }
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(a.pool())
            .await
            .unwrap();
    // Every migration file, each applied exactly once (numbers may leave gaps).
    let mut files: Vec<i64> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.split('_').next().unwrap().parse().unwrap()
        })
        .collect();
    files.sort_unstable();
    assert_eq!(applied, files, "each migration applied once");
    // What one server writes, the others read.
    let village = RegionCode::parse("33.20.01.2001").unwrap();
    let row = TpsRecord {
        id: TpsId::new(village, TpsNumber::new(1).unwrap()).unwrap(),
        address: "Balai Desa".into(),
        location: None,
        voters: 250,
    };
    a.import_tps("pemilu-2024", std::slice::from_ref(&row))
        .await
        .unwrap();
    assert_eq!(
        c.tps_in_village("pemilu-2024", &village).await.unwrap(),
        [row]
    );
    for s in [a, b, c] {
        s.close().await;
    }
    // A later start finds the schema current and changes nothing.
    PostgresStore::connect_with(schema.options())
        .await
        .unwrap()
        .close()
        .await;
}

#[tokio::test]
async fn the_search_path_keeps_tests_apart() {
    let Some(url) = test_url() else { return };
    let schema = Schema::create(&url).await;
    let store = PostgresStore::connect_with(schema.options()).await.unwrap();
    let path: String = sqlx::query_scalar("SELECT current_schema()::text")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(path, schema.name);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_imports_span_chunks_and_count_like_sqlite() {
    let Some(url) = test_url() else { return };
    let schema = Schema::create(&url).await;
    let store = PostgresStore::connect_with(schema.options()).await.unwrap();
    // 12 villages × 999 TPS: more than two chunks of 5,000.
    let tps = |village: u32, n: u32, voters: u32| TpsRecord {
        id: TpsId::new(
            RegionCode::parse(&format!("33.20.01.{}", 2001 + village)).unwrap(),
            TpsNumber::new(n).unwrap(),
        )
        .unwrap(),
        address: format!("TPS {n}"),
        location: None,
        voters,
    };
    let mut rows: Vec<TpsRecord> = (0..12)
        .flat_map(|v| (1..=999).map(move |n| tps(v, n, 100)))
        .collect();
    // A TPS twice in one import: the later row wins and counts as replacing, as on SQLite.
    rows.push(tps(0, 1, 7));
    let n = store.import_tps("pemilu-2024", &rows).await.unwrap();
    assert_eq!((n.added, n.replaced), (11_988, 1));
    let first = RegionCode::parse("33.20.01.2001").unwrap();
    assert_eq!(
        store.tps_in_village("pemilu-2024", &first).await.unwrap()[0].voters,
        7
    );

    let again = store
        .import_tps("pemilu-2024", &rows[..6_000])
        .await
        .unwrap();
    assert_eq!((again.added, again.replaced), (0, 6_000));
    let all = store
        .tps_tally("pemilu-2024", None, posko_core::Level::Province)
        .await
        .unwrap();
    assert_eq!(all.iter().map(|t| t.tps).sum::<u64>(), 11_988);

    // A refused row is reported as refused, with the constraint that refused it.
    let mut bad = tps(20, 1, 1);
    bad.address = "x".repeat(501);
    let err = store.import_tps("pemilu-2024", &[bad]).await.unwrap_err();
    assert!(
        matches!(&err, posko_store::StoreError::Rejected(m) if m.contains("tps_address_check")),
        "{err:?}"
    );
    store.close().await;
}

/// Several app servers appending to the audit log at once must never fork its chain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_audit_appends_keep_one_chain() {
    let Some(url) = test_url() else { return };
    let schema = Schema::create(&url).await;
    let a = PostgresStore::connect_with(schema.options()).await.unwrap();
    let b = PostgresStore::connect_with(schema.options()).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..24i64 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            store
                .append_audit(&posko_store::NewAuditEntry {
                    at: jiff::Timestamp::now(),
                    actor: Some(i),
                    action: "identity_read".into(),
                    subject: format!("report:{i}"),
                    detail: String::new(),
                })
                .await
                .unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let entries = a.audit_entries().await.unwrap();
    assert_eq!(entries.len(), 24);
    let mut prev = posko_store::AUDIT_GENESIS.to_string();
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.seq, i as i64 + 1, "contiguous");
        assert_eq!(e.prev_hash, prev, "linked");
        assert_eq!(e.hash, posko_store::audit_hash(&prev, e.seq, &e.entry));
        prev = e.hash.clone();
    }
    let mut actors: Vec<i64> = entries.iter().filter_map(|e| e.entry.actor).collect();
    actors.sort_unstable();
    assert_eq!(
        actors,
        (0..24).collect::<Vec<_>>(),
        "every append kept once"
    );
    a.close().await;
    b.close().await;
}

/// A client retrying while its first submission is still in flight on another app server gets
/// that report back, not an error, and only one report is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_retries_with_one_idempotency_key_store_one_report() {
    use posko_core::report::{ReportKind, SubjectCategory};
    use posko_store::{InsertOutcome, NewReport};

    let Some(url) = test_url() else { return };
    let schema = Schema::create(&url).await;
    let a = PostgresStore::connect_with(schema.options()).await.unwrap();
    let b = PostgresStore::connect_with(schema.options()).await.unwrap();
    let client = a
        .create_api_token("gateway-wa", &[5; 32], None, jiff::Timestamp::now())
        .await
        .unwrap();
    let report = |i: usize| NewReport {
        tracking_code: format!("PSK-RACE-RACE-{i:03}"),
        election: "pilkada-2024".into(),
        kind: ReportKind::InformasiAwal,
        channel: "api".into(),
        client_id: Some(client),
        idempotency_key: Some("retry-1".into()),
        subject_category: SubjectCategory::Asn,
        subject_name: "Budi".into(),
        subject_position: "Kepala Seksi".into(),
        subject_unit: "Dinas Pendidikan".into(),
        subject_mac: None,
        violation: "asn_media_sosial".into(),
        description: "Membagikan unggahan kampanye.".into(),
        region: RegionCode::parse("33.20.01.2001").unwrap(),
        tps: None,
        place: "Balai desa".into(),
        location: None,
        happened_on: jiff::civil::date(2024, 11, 18),
        happened_time: None,
        learned_on: jiff::civil::date(2024, 11, 19),
        late: false,
        received_at: jiff::Timestamp::now(),
        identity: None,
        evidence: Vec::new(),
    };
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        let r = report(i);
        tasks.push(tokio::spawn(async move {
            store.insert_reports(&[r]).await.unwrap().remove(0)
        }));
    }
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }
    let stored: Vec<&InsertOutcome> = outcomes
        .iter()
        .filter(|o| matches!(o, InsertOutcome::Stored { .. }))
        .collect();
    assert_eq!(stored.len(), 1, "{outcomes:?}");
    let InsertOutcome::Stored { id, tracking_code } = stored[0].clone() else {
        unreachable!()
    };
    for o in &outcomes {
        if let InsertOutcome::Duplicate {
            id: d,
            tracking_code: c,
        } = o
        {
            assert_eq!((*d, c.as_str()), (id, tracking_code.as_str()));
        }
    }
    assert_eq!(a.list_reports(100).await.unwrap().len(), 1);
    a.close().await;
    b.close().await;
}
posko_store::rakor_conformance_suite!(fresh);
// neutrality briefings, integrity pledges, public accountability (issue 9, parts 4–5)
posko_store::netral_conformance_suite!(fresh);
// dashboard (issue 9)
posko_store::dashboard_conformance_suite!(fresh);
