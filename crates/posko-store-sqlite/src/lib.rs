//! # posko-store-sqlite
//!
//! The default [`Store`]: one SQLite file in the data folder, in WAL mode with foreign keys on,
//! `synchronous = FULL` (an acknowledged write survives a power cut) and a busy timeout so
//! concurrent writers wait instead of failing. A file that does not exist is created only when
//! the caller says so (`posko init`), never silently from a mistyped path.

mod dashboard;
mod handling;
mod logistics;
mod netralitas;
mod notify;
mod rakor;
mod reports;
mod results;
mod vulnerability;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use posko_core::{Level, RegionCode, TpsRecord};
use posko_store::{
    code_range, decode, ApiClient, AuditEntry, Backend, CustodyEvent, ImportCount, InsertOutcome,
    NewAuditEntry, NewCustodyEvent, NewReport, NewSession, NewUnsealRequest, NewUser, ReportDetail,
    ReportStatus, ReportSummary, Store, StoreError, StoreResult, Tally, UnsealRequest, User,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Row};

/// Why a SQLite database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(
        "basis data {0} belum ada; buat dengan `posko init` (database {0} does not exist; create it with `posko init`)"
    )]
    Missing(PathBuf),
    #[error("tidak dapat membuka basis data {path} (cannot open database)")]
    Open {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },
    #[error("migrasi skema gagal pada {path} (schema migration failed)")]
    Migrate {
        path: PathBuf,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
}

/// Posko's store on SQLite.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    path: PathBuf,
}

/// Whether `open` may create the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Create {
    /// The file must exist already.
    No,
    /// Create it (and nothing else: the folder must exist).
    Yes,
}

/// The page size of a new database file, in bytes.
pub const PAGE_SIZE: u32 = 16_384;

impl SqliteStore {
    /// Opens (or, with `Create::Yes`, creates) the database at `path` and brings its schema up to
    /// date.
    pub async fn open(path: &Path, create: Create) -> Result<SqliteStore, OpenError> {
        if create == Create::No && !path.is_file() {
            return Err(OpenError::Missing(path.to_path_buf()));
        }
        let opts = SqliteConnectOptions::from_str("sqlite://")
            .map_err(|source| OpenError::Open {
                path: path.to_path_buf(),
                source,
            })?
            .filename(path)
            .create_if_missing(create == Create::Yes)
            // 16 KiB pages for a new file (an existing one keeps its size): a national hand-over
            // import (4.8 million rows) took 27 s with SQLite's default 4 KiB and 18.5 s with
            // 16 KiB, the B-trees being shallower and each page's work spread over more rows.
            // Set before the journal mode, as SQLite needs it before the file's first page.
            .page_size(PAGE_SIZE)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Reads through a memory map rather than a system call per page: a national roll-up
            // reads gigabytes of pages, and the calls cost more than the reading (sys time).
            .pragma("mmap_size", (1u64 << 30).to_string())
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts)
            .await
            .map_err(|source| OpenError::Open {
                path: path.to_path_buf(),
                source,
            })?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|source| OpenError::Migrate {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(SqliteStore {
            pool,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Maps driver errors to store errors: unique and check violations become user-facing kinds.
pub(crate) fn map_err(what: &str) -> impl Fn(sqlx::Error) -> StoreError + '_ {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(what.to_string())
        }
        sqlx::Error::Database(db) if db.is_check_violation() => {
            StoreError::Rejected(format!("{what}: {}", db.message()))
        }
        _ => StoreError::backend(e),
    }
}

fn user_from_row(row: &sqlx::sqlite::SqliteRow) -> StoreResult<User> {
    decode::user(
        row.try_get("id").map_err(StoreError::backend)?,
        row.try_get("username").map_err(StoreError::backend)?,
        row.try_get("display_name").map_err(StoreError::backend)?,
        row.try_get::<&str, _>("role")
            .map_err(StoreError::backend)?,
        row.try_get::<Option<&str>, _>("agency")
            .map_err(StoreError::backend)?,
        row.try_get::<Option<&str>, _>("region")
            .map_err(StoreError::backend)?,
        row.try_get::<i64, _>("active")
            .map_err(StoreError::backend)?
            != 0,
    )
}

const USER_COLUMNS: &str = "id, username, display_name, role, agency, region, active";
/// Rows per INSERT: 7 parameters each stays far below SQLite's 32,766-parameter limit.
const TPS_CHUNK: usize = 1_000;

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        Ok(())
    }

    async fn create_user(&self, u: &NewUser) -> StoreResult<User> {
        let row = sqlx::query(
            "INSERT INTO users (username, display_name, password_hash, role, agency, region, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             RETURNING id, username, display_name, role, agency, region, active",
        )
        .bind(&u.username)
        .bind(&u.display_name)
        .bind(&u.password_hash)
        .bind(u.role.as_str())
        .bind(u.agency.map(|a| a.as_str()))
        .bind(u.region.map(|r| r.to_string()))
        .bind(decode::micros(u.created_at))
        .fetch_one(&self.pool)
        .await
        .map_err(map_err(&format!("nama pengguna '{}'", u.username)))?;
        user_from_row(&row)
    }

    async fn user_for_login(&self, username: &str) -> StoreResult<Option<(User, String)>> {
        let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1");
        let row = sqlx::query(&sql)
            .bind(username)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        row.map(|r| {
            Ok((
                user_from_row(&r)?,
                r.try_get("password_hash").map_err(StoreError::backend)?,
            ))
        })
        .transpose()
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
        let rows = sqlx::query(&sql)
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        rows.iter().map(user_from_row).collect()
    }

    async fn create_session(&self, s: &NewSession) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&s.token_hash)
        .bind(s.user_id)
        .bind(decode::micros(s.created_at))
        .bind(decode::micros(s.expires_at))
        .execute(&self.pool)
        .await
        .map_err(map_err("sesi"))?;
        Ok(())
    }

    async fn session_user(&self, token_hash: &[u8], now: Timestamp) -> StoreResult<Option<User>> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.role, u.agency, u.region, u.active
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1",
        )
        .bind(token_hash)
        .bind(decode::micros(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn delete_session(&self, token_hash: &[u8]) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        Ok(())
    }

    async fn purge_sessions(&self, now: Timestamp) -> StoreResult<u64> {
        let r = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(decode::micros(now))
            .execute(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        Ok(r.rows_affected())
    }

    async fn import_tps(&self, election: &str, rows: &[TpsRecord]) -> StoreResult<ImportCount> {
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        let count_sql = "SELECT count(*) FROM tps WHERE election = $1";
        let before: i64 = sqlx::query_scalar(count_sql)
            .bind(election)
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        for chunk in rows.chunks(TPS_CHUNK) {
            let mut qb = QueryBuilder::new(
                "INSERT INTO tps (election, village_code, number, address, lat, lon, voters) ",
            );
            qb.push_values(chunk, |mut b, t| {
                b.push_bind(election)
                    .push_bind(t.id.village.to_string())
                    .push_bind(i64::from(t.id.number.get()))
                    .push_bind(&t.address)
                    .push_bind(t.location.map(|p| p.lat))
                    .push_bind(t.location.map(|p| p.lon))
                    .push_bind(i64::from(t.voters));
            });
            qb.push(
                " ON CONFLICT (election, village_code, number) DO UPDATE SET
                  address = excluded.address, lat = excluded.lat, lon = excluded.lon,
                  voters = excluded.voters",
            );
            qb.build().execute(&mut *tx).await.map_err(map_err("TPS"))?;
        }
        let after: i64 = sqlx::query_scalar(count_sql)
            .bind(election)
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::backend)?;
        tx.commit().await.map_err(StoreError::backend)?;
        let added = (after - before).max(0) as u64;
        Ok(ImportCount {
            added,
            replaced: rows.len() as u64 - added.min(rows.len() as u64),
        })
    }

    async fn tps_tally(
        &self,
        election: &str,
        within: Option<&RegionCode>,
        by: Level,
    ) -> StoreResult<Vec<Tally>> {
        let (low, high) = within
            .map(code_range)
            .unwrap_or_else(|| (String::new(), "~".into()));
        let rows = sqlx::query(
            "SELECT substr(village_code, 1, $2) AS region, count(*) AS tps, sum(voters) AS voters
             FROM tps
             WHERE election = $1 AND village_code >= $3 AND village_code < $4
             GROUP BY 1 ORDER BY 1",
        )
        .bind(election)
        .bind(by.code_len() as i64)
        .bind(low)
        .bind(high)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        rows.iter()
            .map(|r| {
                decode::tally(
                    r.try_get::<&str, _>("region")
                        .map_err(StoreError::backend)?,
                    r.try_get("tps").map_err(StoreError::backend)?,
                    r.try_get("voters").map_err(StoreError::backend)?,
                )
            })
            .collect()
    }

    async fn tps_in_region(
        &self,
        election: &str,
        within: &RegionCode,
    ) -> StoreResult<Vec<TpsRecord>> {
        let (lo, hi) = posko_store::code_range(within);
        let rows = sqlx::query(
            "SELECT village_code, number, address, lat, lon, voters FROM tps
             WHERE election = $1 AND village_code >= $2 AND village_code < $3
             ORDER BY village_code, number",
        )
        .bind(election)
        .bind(lo)
        .bind(hi)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        rows.iter()
            .map(|r| {
                decode::tps(
                    r.try_get::<&str, _>("village_code")
                        .map_err(StoreError::backend)?,
                    r.try_get("number").map_err(StoreError::backend)?,
                    r.try_get("address").map_err(StoreError::backend)?,
                    r.try_get("lat").map_err(StoreError::backend)?,
                    r.try_get("lon").map_err(StoreError::backend)?,
                    r.try_get("voters").map_err(StoreError::backend)?,
                )
            })
            .collect()
    }

    async fn tps_voters_in_region(
        &self,
        election: &str,
        within: &RegionCode,
    ) -> StoreResult<Vec<(posko_core::TpsId, u32)>> {
        let (lo, hi) = posko_store::code_range(within);
        // One row per village, `number voters` per TPS joined by ',': fewer rows to hand over
        // from the driver's worker thread (see `logistics::tps_ballot_accounts`).
        let per_village = sqlx::query(
            "SELECT village_code, group_concat(number || ' ' || voters, ',') FROM tps
             WHERE election = $1 AND village_code >= $2 AND village_code < $3
             GROUP BY village_code
             ORDER BY village_code",
        )
        .bind(election)
        .bind(lo)
        .bind(hi)
        .try_map(|r: sqlx::sqlite::SqliteRow| {
            Ok(packed_tps(
                r.try_get::<&str, _>(0)?,
                r.try_get::<&str, _>(1)?,
            ))
        })
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        let mut out = Vec::with_capacity(per_village.len() * 12);
        for tps in per_village {
            out.extend(tps?);
        }
        // group_concat promises no order inside a village.
        out.sort_unstable_by_key(|(id, _)| *id);
        Ok(out)
    }

    async fn tps_in_village(
        &self,
        election: &str,
        village: &RegionCode,
    ) -> StoreResult<Vec<TpsRecord>> {
        let rows = sqlx::query(
            "SELECT village_code, number, address, lat, lon, voters FROM tps
             WHERE election = $1 AND village_code = $2 ORDER BY number",
        )
        .bind(election)
        .bind(village.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        rows.iter()
            .map(|r| {
                decode::tps(
                    r.try_get::<&str, _>("village_code")
                        .map_err(StoreError::backend)?,
                    r.try_get("number").map_err(StoreError::backend)?,
                    r.try_get("address").map_err(StoreError::backend)?,
                    r.try_get("lat").map_err(StoreError::backend)?,
                    r.try_get("lon").map_err(StoreError::backend)?,
                    r.try_get("voters").map_err(StoreError::backend)?,
                )
            })
            .collect()
    }

    async fn insert_reports(&self, batch: &[NewReport]) -> StoreResult<Vec<InsertOutcome>> {
        reports::insert_reports(&self.pool, batch).await
    }

    async fn report_status(&self, tracking_code: &str) -> StoreResult<Option<ReportStatus>> {
        reports::report_status(&self.pool, tracking_code).await
    }

    async fn list_reports(&self, limit: u32) -> StoreResult<Vec<ReportSummary>> {
        reports::list_reports(&self.pool, limit).await
    }

    async fn report_detail(&self, id: i64) -> StoreResult<Option<ReportDetail>> {
        reports::report_detail(&self.pool, id).await
    }

    async fn sealed_identity(&self, report_id: i64) -> StoreResult<Option<Vec<u8>>> {
        reports::sealed_identity(&self.pool, report_id).await
    }

    async fn reports_by_identity_mac(&self, mac: &[u8]) -> StoreResult<Vec<i64>> {
        reports::reports_by_identity_mac(&self.pool, mac).await
    }

    async fn evidence_bytes(
        &self,
        sha256: &str,
        display: bool,
    ) -> StoreResult<Option<(String, Vec<u8>)>> {
        reports::evidence_bytes(&self.pool, sha256, display).await
    }

    async fn add_custody_event(&self, event: &NewCustodyEvent) -> StoreResult<()> {
        reports::add_custody_event(&self.pool, event).await
    }

    async fn custody_events(&self, sha256: &str) -> StoreResult<Vec<CustodyEvent>> {
        reports::custody_events(&self.pool, sha256).await
    }

    async fn create_unseal_request(&self, req: &NewUnsealRequest) -> StoreResult<i64> {
        reports::create_unseal_request(&self.pool, req).await
    }

    async fn approve_unseal_request(
        &self,
        id: i64,
        approver: i64,
        at: Timestamp,
    ) -> StoreResult<()> {
        reports::approve_unseal_request(&self.pool, id, approver, at).await
    }

    async fn unseal_requests(&self, report_id: i64) -> StoreResult<Vec<UnsealRequest>> {
        reports::unseal_requests(&self.pool, report_id).await
    }

    async fn create_api_token(
        &self,
        name: &str,
        token_hash: &[u8],
        agency: Option<posko_core::Agency>,
        at: Timestamp,
    ) -> StoreResult<i64> {
        reports::create_api_token(&self.pool, name, token_hash, agency, at).await
    }

    async fn api_token(&self, token_hash: &[u8]) -> StoreResult<Option<ApiClient>> {
        reports::api_token(&self.pool, token_hash).await
    }

    async fn append_audit(&self, entry: &NewAuditEntry) -> StoreResult<()> {
        reports::append_audit(&self.pool, entry).await
    }

    async fn audit_entries(&self) -> StoreResult<Vec<AuditEntry>> {
        reports::audit_entries(&self.pool).await
    }

    async fn audit_head(&self) -> StoreResult<Option<(i64, String)>> {
        reports::audit_head(&self.pool).await
    }

    async fn case_of(&self, report_id: i64) -> StoreResult<Option<posko_store::StoredCase>> {
        reports::case_of(&self.pool, report_id).await
    }

    async fn transition_case(
        &self,
        from: posko_core::case::CaseState,
        next: &posko_core::case::Case,
        event: &posko_store::CaseEvent,
    ) -> StoreResult<()> {
        reports::transition_case(&self.pool, from, next, event).await
    }

    async fn reports_by_subject_mac(&self, mac: &[u8]) -> StoreResult<Vec<i64>> {
        reports::reports_by_subject_mac(&self.pool, mac).await
    }

    async fn case_events(&self, report_id: i64) -> StoreResult<Vec<posko_store::CaseEvent>> {
        reports::case_events(&self.pool, report_id).await
    }

    async fn reports_referred_to(
        &self,
        agency: posko_core::Agency,
        limit: u32,
    ) -> StoreResult<Vec<ReportSummary>> {
        reports::reports_referred_to(&self.pool, agency, limit).await
    }

    async fn list_cases(
        &self,
        filter: &posko_store::CaseFilter,
    ) -> StoreResult<Vec<posko_store::CaseRow>> {
        handling::list_cases(&self.pool, filter).await
    }

    async fn assign_case(
        &self,
        assignee: Option<i64>,
        event: &posko_store::CaseEvent,
    ) -> StoreResult<()> {
        handling::assign_case(&self.pool, assignee, event).await
    }

    async fn extend_handling(&self, event: &posko_store::CaseEvent) -> StoreResult<()> {
        handling::extend_handling(&self.pool, event).await
    }

    async fn merge_case(
        &self,
        duplicate: &posko_store::CaseEvent,
        into: &posko_store::CaseEvent,
    ) -> StoreResult<()> {
        handling::merge_case(&self.pool, duplicate, into).await
    }

    async fn merged_reports(&self, report_id: i64) -> StoreResult<Vec<i64>> {
        handling::merged_reports(&self.pool, report_id).await
    }

    async fn dedup_facts(
        &self,
        region: &RegionCode,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
        limit: u32,
    ) -> StoreResult<Vec<posko_store::DedupFacts>> {
        handling::dedup_facts(&self.pool, region, from, to, limit).await
    }

    async fn dedup_facts_of(&self, report_id: i64) -> StoreResult<Option<posko_store::DedupFacts>> {
        handling::dedup_facts_of(&self.pool, report_id).await
    }

    async fn add_shift(&self, shift: &posko_store::NewShift) -> StoreResult<i64> {
        handling::add_shift(&self.pool, shift).await
    }

    async fn delete_shift(&self, id: i64) -> StoreResult<()> {
        handling::delete_shift(&self.pool, id).await
    }

    async fn shifts_between(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<posko_store::Shift>> {
        handling::shifts_between(&self.pool, from, to).await
    }

    async fn add_handover(&self, note: &posko_store::NewHandover) -> StoreResult<i64> {
        handling::add_handover(&self.pool, note).await
    }

    async fn recent_handovers(&self, limit: u32) -> StoreResult<Vec<posko_store::Handover>> {
        handling::recent_handovers(&self.pool, limit).await
    }

    async fn official_register(&self, limit: u32) -> StoreResult<Vec<posko_store::OfficialEntry>> {
        handling::official_register(&self.pool, limit).await
    }

    async fn import_ikp_values(
        &self,
        model: &str,
        rows: &[posko_store::IkpValue],
    ) -> StoreResult<u64> {
        vulnerability::import_ikp_values(&self.pool, model, rows).await
    }

    async fn ikp_values(&self, model: &str) -> StoreResult<Vec<posko_store::IkpValue>> {
        vulnerability::ikp_values(&self.pool, model).await
    }

    async fn set_tps_rawan(
        &self,
        election: &str,
        rows: &[posko_store::TpsRawan],
    ) -> StoreResult<u64> {
        vulnerability::set_tps_rawan(&self.pool, election, rows).await
    }

    async fn tps_rawan(
        &self,
        election: &str,
        within: &RegionCode,
    ) -> StoreResult<Vec<posko_store::TpsRawan>> {
        vulnerability::tps_rawan(&self.pool, election, within).await
    }

    async fn set_personnel_pool(&self, pool: &posko_store::PersonnelPool) -> StoreResult<()> {
        vulnerability::set_personnel_pool(&self.pool, pool).await
    }

    async fn personnel_pools(
        &self,
        within: &RegionCode,
    ) -> StoreResult<Vec<posko_store::PersonnelPool>> {
        vulnerability::personnel_pools(&self.pool, within).await
    }

    async fn record_handover(&self, h: &posko_store::NewLogisticsHandover) -> StoreResult<i64> {
        logistics::record_handover(&self.pool, h).await
    }

    async fn handovers(
        &self,
        election: &str,
        place: &str,
        limit: u32,
    ) -> StoreResult<Vec<posko_store::LogisticsHandover>> {
        logistics::handovers(&self.pool, election, place, limit).await
    }

    async fn handover(&self, id: i64) -> StoreResult<Option<posko_store::LogisticsHandover>> {
        logistics::handover(&self.pool, id).await
    }

    async fn import_handovers(
        &self,
        file: Option<&posko_store::ImportedFile>,
        rows: &mut (dyn Iterator<Item = Result<posko_store::NewLogisticsHandover, String>> + Send),
    ) -> StoreResult<Result<u64, posko_store::BatchRefusal>> {
        logistics::import_handovers(&self.pool, file, rows).await
    }

    async fn imported_file(
        &self,
        election: &str,
        sha256: &str,
    ) -> StoreResult<Option<posko_store::ImportedFile>> {
        logistics::imported_file(&self.pool, election, sha256).await
    }

    async fn holdings(
        &self,
        election: &str,
        stage: posko_core::logistics::Stage,
        place: &str,
    ) -> StoreResult<Vec<posko_store::NodeHolding>> {
        logistics::holdings(&self.pool, election, stage, place).await
    }

    async fn tps_ballot_accounts(
        &self,
        election: &str,
        within: &RegionCode,
        item_kind: &str,
    ) -> StoreResult<Vec<posko_store::TpsBallotAccount>> {
        logistics::tps_ballot_accounts(&self.pool, election, within, item_kind).await
    }

    async fn set_boundaries(
        &self,
        rows: &[(RegionCode, String)],
        at: Timestamp,
    ) -> StoreResult<u64> {
        vulnerability::set_boundaries(&self.pool, rows, at).await
    }

    async fn boundaries(&self, within: &RegionCode) -> StoreResult<Vec<(RegionCode, String)>> {
        vulnerability::boundaries(&self.pool, within).await
    }

    async fn report_signals(
        &self,
        since: Timestamp,
        within: &RegionCode,
    ) -> StoreResult<Vec<posko_store::ReportSignal>> {
        vulnerability::report_signals(&self.pool, since, within).await
    }

    async fn import_result_forms(
        &self,
        election: &str,
        forms: &[posko_core::results::ResultForm],
        source: &str,
        at: Timestamp,
    ) -> StoreResult<u64> {
        results::import_result_forms(&self.pool, election, forms, source, at).await
    }

    async fn result_forms(
        &self,
        election: &str,
        within: &RegionCode,
    ) -> StoreResult<Vec<posko_core::results::ResultForm>> {
        results::result_forms(&self.pool, election, within).await
    }

    async fn set_previous_turnout(
        &self,
        election: &str,
        label: &str,
        rows: &[posko_store::PreviousTurnout],
    ) -> StoreResult<u64> {
        results::set_previous_turnout(&self.pool, election, label, rows).await
    }

    async fn previous_turnout(
        &self,
        election: &str,
    ) -> StoreResult<Option<(String, Vec<posko_store::PreviousTurnout>)>> {
        results::previous_turnout(&self.pool, election).await
    }

    async fn raise_notice(&self, notice: &posko_store::NewNotice) -> StoreResult<bool> {
        notify::raise_notice(&self.pool, notice).await
    }

    async fn raise_notices(&self, notices: &[posko_store::NewNotice]) -> StoreResult<Vec<bool>> {
        notify::raise_notices(&self.pool, notices).await
    }

    async fn notifications(
        &self,
        user_id: i64,
        limit: u32,
    ) -> StoreResult<Vec<posko_store::Notification>> {
        notify::notifications(&self.pool, user_id, limit).await
    }

    async fn unread_notifications(&self, user_id: i64) -> StoreResult<u64> {
        notify::unread_notifications(&self.pool, user_id).await
    }

    async fn mark_notifications_read(
        &self,
        user_id: i64,
        id: Option<i64>,
        at: Timestamp,
    ) -> StoreResult<u64> {
        notify::mark_read(&self.pool, user_id, id, at).await
    }

    async fn claim_outbox(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<posko_store::OutboxItem>> {
        notify::claim_outbox(&self.pool, now, lease_until, limit).await
    }

    async fn outbox_delivered(&self, id: i64, at: Timestamp) -> StoreResult<()> {
        notify::outbox_delivered(&self.pool, id, at).await
    }

    async fn outbox_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> StoreResult<()> {
        notify::outbox_failed(&self.pool, id, error, retry_at).await
    }

    async fn outbox_fan_out(
        &self,
        id: i64,
        rows: &[posko_store::NewOutbox],
        at: Timestamp,
    ) -> StoreResult<()> {
        notify::outbox_fan_out(&self.pool, id, rows, at).await
    }

    async fn outbox_entries(&self, limit: u32) -> StoreResult<Vec<posko_store::OutboxItem>> {
        notify::outbox_entries(&self.pool, limit).await
    }

    async fn set_user_email(&self, user_id: i64, email: Option<&str>) -> StoreResult<()> {
        notify::set_user_email(&self.pool, user_id, email).await
    }

    async fn user_emails(&self, user_ids: &[i64]) -> StoreResult<Vec<(i64, String)>> {
        notify::user_emails(&self.pool, user_ids).await
    }

    async fn create_meeting(&self, meeting: &posko_store::NewMeeting) -> StoreResult<i64> {
        rakor::create_meeting(&self.pool, meeting).await
    }

    async fn meetings(
        &self,
        within: &RegionCode,
        limit: u32,
    ) -> StoreResult<Vec<posko_store::MeetingSummary>> {
        rakor::meetings(&self.pool, within, limit).await
    }

    async fn meeting(&self, id: i64) -> StoreResult<Option<posko_store::Meeting>> {
        rakor::meeting(&self.pool, id).await
    }

    async fn add_decision(&self, meeting_id: i64, text: &str, at: Timestamp) -> StoreResult<u32> {
        rakor::add_decision(&self.pool, meeting_id, text, at).await
    }

    async fn add_follow_up(&self, action: &posko_store::NewFollowUp) -> StoreResult<i64> {
        rakor::add_follow_up(&self.pool, action).await
    }

    async fn follow_ups(
        &self,
        filter: &posko_store::FollowUpFilter,
    ) -> StoreResult<Vec<posko_core::rakor::FollowUp>> {
        rakor::follow_ups(&self.pool, filter).await
    }

    async fn follow_up(&self, id: i64) -> StoreResult<Option<posko_core::rakor::FollowUp>> {
        rakor::follow_up(&self.pool, id).await
    }

    async fn move_follow_up(&self, mv: &posko_store::FollowUpMove) -> StoreResult<bool> {
        rakor::move_follow_up(&self.pool, mv).await
    }

    async fn follow_up_events(&self, id: i64) -> StoreResult<Vec<posko_store::FollowUpEvent>> {
        rakor::follow_up_events(&self.pool, id).await
    }

    // ── neutrality briefings, integrity pledges, public accountability (issue 9, parts 4–5) ──
    async fn set_headcounts(
        &self,
        rows: &[posko_core::netralitas::Headcount],
        at: Timestamp,
    ) -> StoreResult<u64> {
        netralitas::set_headcounts(&self.pool, rows, at).await
    }

    async fn headcounts(
        &self,
        within: &RegionCode,
    ) -> StoreResult<Vec<posko_core::netralitas::Headcount>> {
        netralitas::headcounts(&self.pool, within).await
    }

    async fn add_briefing(&self, briefing: &posko_store::NewBriefing) -> StoreResult<i64> {
        netralitas::add_briefing(&self.pool, briefing).await
    }

    async fn briefings(
        &self,
        within: &RegionCode,
        limit: u32,
    ) -> StoreResult<Vec<posko_store::StoredBriefing>> {
        netralitas::briefings(&self.pool, within, limit).await
    }

    async fn add_pledges(
        &self,
        rows: &[posko_store::NewPledge],
    ) -> StoreResult<posko_store::PledgeCount> {
        netralitas::add_pledges(&self.pool, rows).await
    }

    async fn pledge_facts(
        &self,
        within: &RegionCode,
    ) -> StoreResult<Vec<posko_core::netralitas::PledgeFact>> {
        netralitas::pledge_facts(&self.pool, within).await
    }

    async fn pledge_of_official(&self, mac: &[u8]) -> StoreResult<Option<posko_store::PledgeMark>> {
        netralitas::pledge_of_official(&self.pool, mac).await
    }

    async fn public_case_facts(
        &self,
        within: &RegionCode,
    ) -> StoreResult<Vec<posko_core::akuntabilitas::CaseFact>> {
        netralitas::public_case_facts(&self.pool, within).await
    }

    // ── the coordinator's dashboard (issue 9) ───────────────────────────────────────────────
    async fn case_counts(
        &self,
        within: Option<&RegionCode>,
    ) -> StoreResult<Vec<posko_store::CaseCount>> {
        dashboard::case_counts(&self.pool, within).await
    }

    async fn data_fingerprint(&self) -> StoreResult<String> {
        dashboard::data_fingerprint(&self.pool).await
    }

    async fn put_dashboard_snapshots(
        &self,
        snapshots: &[posko_store::DashboardSnapshot],
    ) -> StoreResult<()> {
        dashboard::put_snapshots(&self.pool, snapshots).await
    }

    async fn dashboard_snapshot(
        &self,
        region: &str,
    ) -> StoreResult<Option<posko_store::DashboardSnapshot>> {
        dashboard::snapshot(&self.pool, region).await
    }

    async fn set_dpt_findings(&self, rows: &[posko_store::DptFindings]) -> StoreResult<u64> {
        dashboard::set_dpt_findings(&self.pool, rows).await
    }

    async fn dpt_findings(
        &self,
        election: &str,
        within: Option<&RegionCode>,
    ) -> StoreResult<Vec<posko_store::DptFindings>> {
        dashboard::dpt_findings(&self.pool, election, within).await
    }
}

/// Reads one village's TPS as `tps_voters_in_region` packs them.
fn packed_tps(village: &str, packed: &str) -> StoreResult<Vec<(posko_core::TpsId, u32)>> {
    let corrupt = || StoreError::Corrupt(format!("TPS {village}: '{packed}'"));
    packed
        .split(',')
        .map(|entry| {
            let (number, voters) = entry.split_once(' ').ok_or_else(corrupt)?;
            let number: i64 = number.parse().map_err(|_| corrupt())?;
            let voters: i64 = voters.parse().map_err(|_| corrupt())?;
            decode::tps_voters(village, number, voters)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_tps_read_back_or_are_refused() {
        let t = packed_tps("33.20.01.2001", "2 240,1 250").unwrap();
        let shown: Vec<(String, u32)> = t.iter().map(|(id, v)| (id.to_string(), *v)).collect();
        assert_eq!(
            shown,
            [
                ("33.20.01.2001/002".to_string(), 240),
                ("33.20.01.2001/001".to_string(), 250)
            ]
        );
        for bad in ["1", "1 x", "0 10", "1 -1", "1 2 3", ""] {
            assert!(
                matches!(
                    packed_tps("33.20.01.2001", bad),
                    Err(StoreError::Corrupt(_))
                ),
                "{bad:?}"
            );
        }
        assert!(packed_tps("33.20.01", "1 10").is_err(), "not a village");
    }
}
