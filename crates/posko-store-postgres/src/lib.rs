//! # posko-store-postgres
//!
//! The [`Store`] for national scale: one PostgreSQL database shared by several app servers. The
//! schema is the SQLite one in PostgreSQL types (instants are still BIGINT unix microseconds,
//! UTC, and codes are compared byte-wise with `COLLATE "C"`), so both back ends read back through
//! the same `decode` helpers and pass the same conformance suite. Migrations run on connect under
//! sqlx's advisory lock, so app servers starting at once do not race. Errors never show the
//! database password.

mod dashboard;
mod handling;
mod logistics;
mod netralitas;
mod notify;
mod rakor;
mod reports;
mod results;
mod vulnerability;

use std::collections::HashSet;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use posko_core::{Level, RegionCode, TpsId, TpsRecord};
use posko_store::{
    code_range, decode, ApiClient, AuditEntry, Backend, CustodyEvent, ImportCount, InsertOutcome,
    NewAuditEntry, NewCustodyEvent, NewReport, NewSession, NewUnsealRequest, NewUser, ReportDetail,
    ReportStatus, ReportSummary, Store, StoreError, StoreResult, Tally, UnsealRequest, User,
};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::Row;

/// Why a PostgreSQL database could not be reached. `target` names the database as
/// `postgres://user@host:port/db`, never with its password.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("alamat basis data {url} tidak valid (invalid database URL)")]
    InvalidUrl {
        /// The URL as given, without its password.
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("tidak dapat terhubung ke basis data {target} (cannot connect to database)")]
    Connect {
        target: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("migrasi skema gagal pada {target} (schema migration failed)")]
    Migrate {
        target: String,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
}

/// Posko's store on PostgreSQL.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    target: String,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/db?...`) and brings
    /// its schema up to date.
    pub async fn connect(url: &str) -> Result<PostgresStore, ConnectError> {
        let options =
            PgConnectOptions::from_str(url).map_err(|source| ConnectError::InvalidUrl {
                url: redact_url(url),
                source,
            })?;
        PostgresStore::connect_with(options).await
    }

    /// Connects with options already built (a `search_path`, say) and brings the schema up to
    /// date.
    pub async fn connect_with(options: PgConnectOptions) -> Result<PostgresStore, ConnectError> {
        let target = describe(&options);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .map_err(|source| ConnectError::Connect {
                target: target.clone(),
                source,
            })?;
        // The migrator holds a PostgreSQL advisory lock while it checks and applies migrations:
        // servers starting together wait for each other instead of racing.
        if let Err(source) = sqlx::migrate!("./migrations").run(&pool).await {
            // A failed run may leave the lock held on a pooled connection: close them all.
            pool.close().await;
            return Err(ConnectError::Migrate { target, source });
        }
        Ok(PostgresStore { pool, target })
    }

    /// The database as `postgres://user@host:port/db`, without the password.
    pub fn target(&self) -> &str {
        &self.target
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Names the database the options lead to, without the password.
fn describe(o: &PgConnectOptions) -> String {
    let host = match o.get_socket() {
        Some(socket) => socket.display().to_string(),
        None => o.get_host().to_string(),
    };
    let db = o.get_database().unwrap_or(o.get_username());
    format!(
        "postgres://{}@{}:{}/{}",
        o.get_username(),
        host,
        o.get_port(),
        db
    )
}

/// `url` for an error message, without a password: the password of the user part and any
/// `password` query parameter are stripped. Only used for a URL that did not parse, so it errs
/// towards removing too much: everything up to the last '@' is taken as the user part.
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        // Not URL-shaped at all: nothing in it can be told apart from a password.
        return "(tidak ditampilkan / not shown)".into();
    };
    // The user part first: a password may hold an unescaped '#', '/' or '?'.
    let (userinfo, rest) = match rest.rsplit_once('@') {
        Some((userinfo, rest)) => (Some(userinfo), rest),
        None => (None, rest),
    };
    let (rest, _fragment) = rest.split_once('#').unwrap_or((rest, ""));
    let mut out = format!("{scheme}://");
    if let Some(userinfo) = userinfo {
        let user = userinfo
            .split_once(':')
            .map_or(userinfo, |(user, _password)| user);
        out.push_str(user);
        out.push('@');
    }
    let (base, query) = match rest.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (rest, None),
    };
    out.push_str(base);
    if let Some(query) = query {
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| {
                let key = pair.split_once('=').map_or(*pair, |(key, _)| key);
                !percent_decode(key).eq_ignore_ascii_case("password")
            })
            .collect();
        if !kept.is_empty() {
            out.push('?');
            out.push_str(&kept.join("&"));
        }
    }
    out
}

/// Decodes `%XX` escapes (lossily: it only serves to recognise a query key).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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

fn user_from_row(row: &PgRow) -> StoreResult<User> {
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
        row.try_get::<bool, _>("active")
            .map_err(StoreError::backend)?,
    )
}

const USER_COLUMNS: &str = "id, username, display_name, role, agency, region, active";
/// Rows per INSERT. The rows travel as seven array parameters, so there is no parameter limit to
/// stay under; chunks only keep each statement and its memory moderate.
const TPS_CHUNK: usize = 5_000;

/// Upserts one chunk and answers how many of its rows were new. A row this statement inserted
/// has `xmax = 0`; a row it updated carries this transaction's id there.
const TPS_UPSERT: &str = "
    WITH upserted AS (
        INSERT INTO tps (election, village_code, number, address, lat, lon, voters)
        SELECT $1, t.village_code, t.number, t.address, t.lat, t.lon, t.voters
        FROM UNNEST($2::text[], $3::int4[], $4::text[], $5::float8[], $6::float8[], $7::int8[])
             AS t (village_code, number, address, lat, lon, voters)
        ON CONFLICT (election, village_code, number) DO UPDATE SET
            address = excluded.address, lat = excluded.lat, lon = excluded.lon,
            voters = excluded.voters
        RETURNING (xmax = 0) AS added
    )
    SELECT count(*) FILTER (WHERE added) FROM upserted";

/// The rows to write: when a TPS appears more than once, its last row wins (as on SQLite, where
/// a later row of one INSERT replaces an earlier one; PostgreSQL refuses to touch a row twice in
/// one statement).
fn last_of_each(rows: &[TpsRecord]) -> Vec<&TpsRecord> {
    let mut seen: HashSet<TpsId> = HashSet::with_capacity(rows.len());
    let mut kept: Vec<&TpsRecord> = rows.iter().rev().filter(|t| seen.insert(t.id)).collect();
    kept.reverse();
    kept
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
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
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active",
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
        let unique = last_of_each(rows);
        let mut tx = self.pool.begin().await.map_err(StoreError::backend)?;
        let mut added: u64 = 0;
        for chunk in unique.chunks(TPS_CHUNK) {
            let villages: Vec<String> = chunk.iter().map(|t| t.id.village.to_string()).collect();
            let numbers: Vec<i32> = chunk.iter().map(|t| i32::from(t.id.number.get())).collect();
            let addresses: Vec<&str> = chunk.iter().map(|t| t.address.as_str()).collect();
            let lats: Vec<Option<f64>> = chunk.iter().map(|t| t.location.map(|p| p.lat)).collect();
            let lons: Vec<Option<f64>> = chunk.iter().map(|t| t.location.map(|p| p.lon)).collect();
            let voters: Vec<i64> = chunk.iter().map(|t| i64::from(t.voters)).collect();
            let new: i64 = sqlx::query_scalar(TPS_UPSERT)
                .bind(election)
                .bind(villages)
                .bind(numbers)
                .bind(addresses)
                .bind(lats)
                .bind(lons)
                .bind(voters)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err("TPS"))?;
            added += new.max(0) as u64;
        }
        tx.commit().await.map_err(StoreError::backend)?;
        // As on SQLite: every imported row that did not add a TPS replaced one (a TPS repeated
        // in the import counts once as added at most).
        let added = added.min(rows.len() as u64);
        Ok(ImportCount {
            added,
            replaced: rows.len() as u64 - added,
        })
    }

    async fn tps_tally(
        &self,
        election: &str,
        within: Option<&RegionCode>,
        by: Level,
    ) -> StoreResult<Vec<Tally>> {
        // The whole country is "" ..< "~": '~' sorts above every digit and '.' in byte order,
        // the order of the column (COLLATE "C"); the comparisons and `substr` take the column's
        // collation, so the range uses the primary key and the groups come out in byte order.
        let (low, high) = within
            .map(code_range)
            .unwrap_or_else(|| (String::new(), "~".into()));
        let code_len = i32::try_from(by.code_len()).map_err(StoreError::backend)?;
        let rows = sqlx::query(
            r#"SELECT substr(village_code, 1, $2) AS region, count(*) AS tps,
                      sum(voters)::BIGINT AS voters
               FROM tps
               WHERE election = $1 AND village_code >= $3 AND village_code < $4
               GROUP BY 1 ORDER BY 1"#,
        )
        .bind(election)
        .bind(code_len)
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
                    i64::from(r.try_get::<i32, _>("number").map_err(StoreError::backend)?),
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
        // Each row decoded as it arrives: a region's rows are never all held at once.
        let rows = sqlx::query(
            "SELECT village_code, number, voters FROM tps
             WHERE election = $1 AND village_code >= $2 AND village_code < $3
             ORDER BY village_code, number",
        )
        .bind(election)
        .bind(lo)
        .bind(hi)
        .try_map(|r: sqlx::postgres::PgRow| {
            Ok(decode::tps_voters(
                r.try_get::<&str, _>(0)?,
                i64::from(r.try_get::<i32, _>(1)?),
                r.try_get::<i64, _>(2)?,
            ))
        })
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::backend)?;
        rows.into_iter().collect()
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
                    i64::from(r.try_get::<i32, _>("number").map_err(StoreError::backend)?),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_in_errors_carry_no_password() {
        let cases = [
            (
                "postgres://posko:s3cret@db.example:5432/posko",
                "postgres://posko@db.example:5432/posko",
            ),
            ("postgres://posko@db/posko", "postgres://posko@db/posko"),
            (
                "postgres://db/posko?sslmode=require",
                "postgres://db/posko?sslmode=require",
            ),
            (
                "postgresql://db/posko?password=s3cret&sslmode=require",
                "postgresql://db/posko?sslmode=require",
            ),
            ("postgres://db/posko?PassWord=s3cret", "postgres://db/posko"),
            (
                "postgres://db/posko?pass%77ord=s3cret",
                "postgres://db/posko",
            ),
            ("postgres://u:pa/s?s@ho@st:x/db", "postgres://u@st:x/db"),
            ("postgres://u:s3cret@db/posko#frag", "postgres://u@db/posko"),
            ("postgres://u:pa#ss@db/posko", "postgres://u@db/posko"),
            ("u:s3cret@db", "(tidak ditampilkan / not shown)"),
        ];
        for (url, shown) in cases {
            assert_eq!(redact_url(url), shown, "{url}");
        }
    }

    #[tokio::test]
    async fn an_invalid_url_is_reported_without_its_password() {
        let err = PostgresStore::connect("postgres://posko:s3cret@db.example:port/posko")
            .await
            .unwrap_err();
        assert!(matches!(err, ConnectError::InvalidUrl { .. }), "{err:?}");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("postgres://posko@db.example:port/posko"),
            "{shown}"
        );
    }

    #[test]
    fn targets_carry_no_password() {
        let o = PgConnectOptions::new_without_pgpass()
            .host("db.example")
            .port(6543)
            .username("posko")
            .password("s3cret")
            .database("pemilu");
        assert_eq!(describe(&o), "postgres://posko@db.example:6543/pemilu");
    }

    #[test]
    fn a_tps_repeated_in_an_import_is_written_once_with_its_last_row() {
        let id = |n| {
            TpsId::new(
                RegionCode::parse("33.20.01.2001").unwrap(),
                posko_core::TpsNumber::new(n).unwrap(),
            )
            .unwrap()
        };
        let row = |n, voters| TpsRecord {
            id: id(n),
            address: String::new(),
            location: None,
            voters,
        };
        let rows = [row(1, 1), row(2, 2), row(1, 3)];
        let kept: Vec<(TpsId, u32)> = last_of_each(&rows)
            .iter()
            .map(|t| (t.id, t.voters))
            .collect();
        assert_eq!(kept, [(id(2), 2), (id(1), 3)]);
    }
}
