//! # posko-store
//!
//! The storage boundary of Posko. [`Store`] is shaped by the use cases of the app (create an
//! account, open a session, import a TPS register, tally TPS under a region), not by tables.
//! Two back ends implement it: `posko-store-sqlite` (the default, one file) and
//! `posko-store-postgres` (national scale); both must pass [`conformance`], the same suite.
//!
//! Instants cross this boundary as `jiff::Timestamp` and are stored in UTC.

pub mod conformance;
pub mod conformance_notify;
pub mod conformance_rakor;
// neutrality and public accountability (issue 9, parts 4 and 5)
pub mod conformance_netral;
// dashboard (issue 9)
pub mod conformance_dashboard;

mod dashboard;
mod handling;
mod logistics;
mod netralitas;
mod notify;
mod rakor;
mod reports;
mod results;
mod vulnerability;

use async_trait::async_trait;
use jiff::Timestamp;
use posko_core::{Agency, Level, RegionCode, Role, TpsRecord};

pub use dashboard::*;
pub use handling::*;
pub use logistics::*;
pub use netralitas::*;
pub use notify::*;
pub use rakor::*;
pub use reports::*;
pub use results::*;
pub use vulnerability::*;

/// Which back end a store is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A failure of the store. The web layer logs the cause chain and shows a safe message.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique value is taken (a username, say); the text names what.
    #[error("sudah ada: {0} (already exists)")]
    Conflict(String),
    /// A row the caller named does not exist.
    #[error("tidak ditemukan: {0} (not found)")]
    NotFound(String),
    /// A stored value does not parse back: the database was changed outside Posko.
    #[error("data tersimpan rusak: {0} (stored data is corrupt)")]
    Corrupt(String),
    /// The database refused a value (a check constraint), with which row and why.
    #[error("data ditolak basis data: {0} (rejected by the database)")]
    Rejected(String),
    /// Anything else from the database driver.
    #[error("kesalahan basis data (database error)")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    pub fn backend(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
        StoreError::Backend(Box::new(e))
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// An account to create. The password is already hashed by the app.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub agency: Option<Agency>,
    pub region: Option<RegionCode>,
    pub created_at: Timestamp,
}

/// An officer account as the app sees it (no password hash).
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub agency: Option<Agency>,
    pub region: Option<RegionCode>,
    pub active: bool,
}

/// A session to open: the token itself never reaches the store, only its hash.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: Vec<u8>,
    pub user_id: i64,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// How an import went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportCount {
    /// TPS not in the register before.
    pub added: u64,
    /// TPS that were there and were replaced by the imported row.
    pub replaced: u64,
}

/// TPS and their DPT voters summed under one region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub region: RegionCode,
    pub tps: u64,
    pub voters: u64,
}

/// Everything Posko keeps, behind one trait per use case.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;

    /// Answers when the database does (for `/healthz`).
    async fn ping(&self) -> StoreResult<()>;

    // ── accounts ────────────────────────────────────────────────────────────────────────────
    /// Creates an account; `Conflict` when the username is taken.
    async fn create_user(&self, user: &NewUser) -> StoreResult<User>;
    /// The account and its password hash, for logging in.
    async fn user_for_login(&self, username: &str) -> StoreResult<Option<(User, String)>>;
    async fn list_users(&self) -> StoreResult<Vec<User>>;

    // ── sessions ────────────────────────────────────────────────────────────────────────────
    async fn create_session(&self, session: &NewSession) -> StoreResult<()>;
    /// The active account behind a session that has not expired at `now`.
    async fn session_user(&self, token_hash: &[u8], now: Timestamp) -> StoreResult<Option<User>>;
    async fn delete_session(&self, token_hash: &[u8]) -> StoreResult<()>;
    /// Removes expired sessions; returns how many.
    async fn purge_sessions(&self, now: Timestamp) -> StoreResult<u64>;

    // ── the TPS register ────────────────────────────────────────────────────────────────────
    /// Adds or replaces these TPS in an election's register, all of them or none.
    async fn import_tps(&self, election: &str, rows: &[TpsRecord]) -> StoreResult<ImportCount>;
    /// TPS and voters of an election grouped by the regions at level `by` inside `within`
    /// (the whole country when `None`). Regions without TPS are absent.
    async fn tps_tally(
        &self,
        election: &str,
        within: Option<&RegionCode>,
        by: Level,
    ) -> StoreResult<Vec<Tally>>;
    /// The TPS inside a region (any level), by village and number, in one read.
    async fn tps_in_region(
        &self,
        election: &str,
        within: &RegionCode,
    ) -> StoreResult<Vec<TpsRecord>>;
    /// Each TPS inside a region with its DPT voters and nothing else (no address, no position),
    /// by village and number: the lean read for the logistics roll-up.
    async fn tps_voters_in_region(
        &self,
        election: &str,
        within: &RegionCode,
    ) -> StoreResult<Vec<(posko_core::TpsId, u32)>>;
    /// The TPS of one village, in number order.
    async fn tps_in_village(
        &self,
        election: &str,
        village: &RegionCode,
    ) -> StoreResult<Vec<TpsRecord>>;

    // ── reports ─────────────────────────────────────────────────────────────────────────────
    /// Stores a batch of reports in one transaction (one durable commit for all of them). A
    /// report whose idempotency key was seen before is not stored again: its outcome names the
    /// report that was. Either the whole batch is stored or none of it.
    async fn insert_reports(&self, batch: &[NewReport]) -> StoreResult<Vec<InsertOutcome>>;
    /// What a reporter may see of a report, by tracking code.
    async fn report_status(&self, tracking_code: &str) -> StoreResult<Option<ReportStatus>>;
    /// Reports, newest first, at most `limit`.
    async fn list_reports(&self, limit: u32) -> StoreResult<Vec<ReportSummary>>;
    /// One report with everything but the reporter's identity.
    async fn report_detail(&self, id: i64) -> StoreResult<Option<ReportDetail>>;
    /// The sealed identity of a report's reporter (ciphertext), if they gave any.
    async fn sealed_identity(&self, report_id: i64) -> StoreResult<Option<Vec<u8>>>;
    /// Reports whose reporter identity has this keyed hash of NIK, phone or e-mail.
    async fn reports_by_identity_mac(&self, mac: &[u8]) -> StoreResult<Vec<i64>>;

    // ── evidence ────────────────────────────────────────────────────────────────────────────
    /// The original file (`display = false`) or its copy without location metadata.
    async fn evidence_bytes(
        &self,
        sha256: &str,
        display: bool,
    ) -> StoreResult<Option<(String, Vec<u8>)>>;
    async fn add_custody_event(&self, event: &NewCustodyEvent) -> StoreResult<()>;
    async fn custody_events(&self, sha256: &str) -> StoreResult<Vec<CustodyEvent>>;

    // ── unsealing a reporter's identity ─────────────────────────────────────────────────────
    async fn create_unseal_request(&self, req: &NewUnsealRequest) -> StoreResult<i64>;
    /// Records the approval of a pending request; `NotFound` if it is not pending.
    async fn approve_unseal_request(
        &self,
        id: i64,
        approver: i64,
        at: Timestamp,
    ) -> StoreResult<()>;
    async fn unseal_requests(&self, report_id: i64) -> StoreResult<Vec<UnsealRequest>>;

    // ── API clients ─────────────────────────────────────────────────────────────────────────
    /// A token for a partner system; with `agency`, an agency's own case-handling system.
    async fn create_api_token(
        &self,
        name: &str,
        token_hash: &[u8],
        agency: Option<Agency>,
        at: Timestamp,
    ) -> StoreResult<i64>;
    async fn api_token(&self, token_hash: &[u8]) -> StoreResult<Option<ApiClient>>;

    // ── the audit log ───────────────────────────────────────────────────────────────────────
    /// Appends an entry to the hash chain: the store links it to the last entry, atomically.
    async fn append_audit(&self, entry: &NewAuditEntry) -> StoreResult<()>;
    async fn audit_entries(&self) -> StoreResult<Vec<AuditEntry>>;
    /// The chain's head as recorded beside it: the last `seq` and its hash.
    async fn audit_head(&self) -> StoreResult<Option<(i64, String)>>;

    // ── cases ───────────────────────────────────────────────────────────────────────────────
    async fn case_of(&self, report_id: i64) -> StoreResult<Option<StoredCase>>;
    /// Moves a case from `from` to `next`, recording `event`, only if it is still in `from`
    /// (another officer's move in between gives `Conflict`).
    async fn transition_case(
        &self,
        from: posko_core::case::CaseState,
        next: &posko_core::case::Case,
        event: &CaseEvent,
    ) -> StoreResult<()>;
    async fn case_events(&self, report_id: i64) -> StoreResult<Vec<CaseEvent>>;
    /// Reports about the same official: those whose subject has this keyed hash of NIP/NRP.
    async fn reports_by_subject_mac(&self, mac: &[u8]) -> StoreResult<Vec<i64>>;
    /// Reports whose case was referred to this agency, newest first.
    async fn reports_referred_to(
        &self,
        agency: posko_core::Agency,
        limit: u32,
    ) -> StoreResult<Vec<ReportSummary>>;

    // ── handling at the post ────────────────────────────────────────────────────────────────
    /// The inbox: cases matching the filter, newest first.
    async fn list_cases(&self, filter: &CaseFilter) -> StoreResult<Vec<CaseRow>>;
    /// Assigns a case to an officer (or to nobody), recording `event` on its timeline.
    async fn assign_case(&self, assignee: Option<i64>, event: &CaseEvent) -> StoreResult<()>;
    /// Extends the handling clock once; `Conflict` if it already was.
    async fn extend_handling(&self, event: &CaseEvent) -> StoreResult<()>;
    /// Merges report `duplicate` into the case of report `into`, an event on each timeline.
    /// `Conflict` if either was merged already. Each report keeps its own sealed reporter.
    async fn merge_case(&self, duplicate: &CaseEvent, into: &CaseEvent) -> StoreResult<()>;
    /// Reports merged into this one.
    async fn merged_reports(&self, report_id: i64) -> StoreResult<Vec<i64>>;
    /// Facts for duplicate suggestions: reports inside `region` that happened in `[from, to]`.
    async fn dedup_facts(
        &self,
        region: &RegionCode,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
        limit: u32,
    ) -> StoreResult<Vec<DedupFacts>>;
    /// One report's duplicate facts.
    async fn dedup_facts_of(&self, report_id: i64) -> StoreResult<Option<DedupFacts>>;

    async fn add_shift(&self, shift: &NewShift) -> StoreResult<i64>;
    async fn delete_shift(&self, id: i64) -> StoreResult<()>;
    /// Shifts overlapping `[from, to)`, by start.
    async fn shifts_between(&self, from: Timestamp, to: Timestamp) -> StoreResult<Vec<Shift>>;
    async fn add_handover(&self, note: &NewHandover) -> StoreResult<i64>;
    /// The latest handover notes, newest first.
    async fn recent_handovers(&self, limit: u32) -> StoreResult<Vec<Handover>>;

    /// The register of reported officials, most reported first.
    async fn official_register(&self, limit: u32) -> StoreResult<Vec<OfficialEntry>>;

    // ── vulnerability and security ──────────────────────────────────────────────────────────
    /// Adds or replaces indicator values of a model, all of them or none; returns how many.
    async fn import_ikp_values(&self, model: &str, rows: &[IkpValue]) -> StoreResult<u64>;
    async fn ikp_values(&self, model: &str) -> StoreResult<Vec<IkpValue>>;
    /// Adds or replaces the TPS rawan indicators of these TPS, all of them or none.
    async fn set_tps_rawan(&self, election: &str, rows: &[TpsRawan]) -> StoreResult<u64>;
    /// The TPS rawan records inside a region.
    async fn tps_rawan(&self, election: &str, within: &RegionCode) -> StoreResult<Vec<TpsRawan>>;
    /// Adds or replaces a unit's pool (by kind and name).
    async fn set_personnel_pool(&self, pool: &PersonnelPool) -> StoreResult<()>;
    /// The pools of units inside a region.
    async fn personnel_pools(&self, within: &RegionCode) -> StoreResult<Vec<PersonnelPool>>;
    /// Adds or replaces region outlines (encoded rings, see `posko_core::geo`), all or none.
    async fn set_boundaries(
        &self,
        rows: &[(RegionCode, String)],
        at: Timestamp,
    ) -> StoreResult<u64>;
    /// The outlines of regions inside `within` (itself included).
    async fn boundaries(&self, within: &RegionCode) -> StoreResult<Vec<(RegionCode, String)>>;
    /// Reports received at or after `since` inside a region, for early warning (merged
    /// duplicates left out: one incident counts once).
    async fn report_signals(
        &self,
        since: Timestamp,
        within: &RegionCode,
    ) -> StoreResult<Vec<ReportSignal>>;

    // ── logistics ───────────────────────────────────────────────────────────────────────────
    /// Records a hand-over (or, without `from`, stock delivered to a warehouse) atomically:
    /// `Rejected` naming what the sender holds when it would hand on more good items than it
    /// received, or when the counts on arrival do not add up to what was sent.
    async fn record_handover(&self, h: &NewLogisticsHandover) -> StoreResult<i64>;
    /// Hand-overs to or from places under `place` (a regency, district, village or TPS),
    /// newest first.
    async fn handovers(
        &self,
        election: &str,
        place: &str,
        limit: u32,
    ) -> StoreResult<Vec<LogisticsHandover>>;
    async fn handover(&self, id: i64) -> StoreResult<Option<LogisticsHandover>>;
    /// Records a batch of hand-overs (an imported file) all or nothing, in order, under the same
    /// rules as `record_handover` (see `BatchPlanner`); rows arrive from an iterator so a national
    /// file need not fit in memory. An `Err` row, or a row the rules refuse, refuses the batch
    /// with its index. Other writers of logistics wait until the batch is done. With `file`, the
    /// file's fingerprint is kept with the batch; a file already kept (same election and SHA-256)
    /// refuses the batch with `StoreError::Conflict` and records nothing.
    async fn import_handovers(
        &self,
        file: Option<&ImportedFile>,
        rows: &mut (dyn Iterator<Item = Result<NewLogisticsHandover, String>> + Send),
    ) -> StoreResult<Result<u64, BatchRefusal>>;
    /// The earlier import of the file with this SHA-256 (lower-case hex) for `election`, if any.
    async fn imported_file(
        &self,
        election: &str,
        sha256: &str,
    ) -> StoreResult<Option<ImportedFile>>;
    /// The accounts of nodes of one stage under `place`.
    async fn holdings(
        &self,
        election: &str,
        stage: posko_core::logistics::Stage,
        place: &str,
    ) -> StoreResult<Vec<NodeHolding>>;
    /// The KPPS accounts of `item_kind` per ballot type at the TPS under `within`, lean: the TPS
    /// parsed once here, only the four counts, in TPS order. The same accounts as `holdings` at
    /// the KPPS stage for that item, less those without a ballot type or kept under a place that
    /// is not a canonical TPS key (no TPS is found by such a key).
    async fn tps_ballot_accounts(
        &self,
        election: &str,
        within: &RegionCode,
        item_kind: &str,
    ) -> StoreResult<Vec<TpsBallotAccount>>;

    // ── result forms and turnout ────────────────────────────────────────────────────────────
    /// Adds or replaces result forms (by election, TPS and ballot type), all of them or none;
    /// returns how many were stored.
    async fn import_result_forms(
        &self,
        election: &str,
        forms: &[posko_core::results::ResultForm],
        source: &str,
        at: Timestamp,
    ) -> StoreResult<u64>;
    /// The forms of the TPS inside a region, in TPS and ballot-type order.
    async fn result_forms(
        &self,
        election: &str,
        within: &RegionCode,
    ) -> StoreResult<Vec<posko_core::results::ResultForm>>;
    /// Replaces the previous election's turnout kept for `election`, all rows or none.
    async fn set_previous_turnout(
        &self,
        election: &str,
        label: &str,
        rows: &[PreviousTurnout],
    ) -> StoreResult<u64>;
    /// The previous election's label and its turnout per area and ballot type.
    async fn previous_turnout(
        &self,
        election: &str,
    ) -> StoreResult<Option<(String, Vec<PreviousTurnout>)>>;

    // ── notifications ───────────────────────────────────────────────────────────────────────
    /// Records a notice (its in-app rows and outbox rows) in one transaction. With a dedupe key
    /// already raised, nothing is recorded and the answer is `false`, even when several app
    /// servers raise the same key at once.
    async fn raise_notice(&self, notice: &NewNotice) -> StoreResult<bool>;
    /// Several notices in one transaction, each as `raise_notice` would record it (a dedupe key
    /// raised before, or earlier in the same call, records nothing and answers `false`); all or
    /// none: one notice that cannot be recorded refuses the call.
    async fn raise_notices(&self, notices: &[NewNotice]) -> StoreResult<Vec<bool>>;
    /// An officer's notifications: unread first, then newest first, at most `limit`.
    async fn notifications(&self, user_id: i64, limit: u32) -> StoreResult<Vec<Notification>>;
    async fn unread_notifications(&self, user_id: i64) -> StoreResult<u64>;
    /// Marks one notification (or, with `None`, all) of this officer read; another officer's is
    /// never touched. Returns how many changed.
    async fn mark_notifications_read(
        &self,
        user_id: i64,
        id: Option<i64>,
        at: Timestamp,
    ) -> StoreResult<u64>;
    /// Claims up to `limit` outbox rows due at `now`: each counts an attempt and is leased until
    /// `lease_until`, so no other claimer gets it before then.
    async fn claim_outbox(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<OutboxItem>>;
    async fn outbox_delivered(&self, id: i64, at: Timestamp) -> StoreResult<()>;
    /// Records a failed attempt: try again at `retry_at`, or give up with `None`.
    async fn outbox_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> StoreResult<()>;
    /// Replaces an event row by its deliveries: marks it done and enqueues `rows`, atomically.
    async fn outbox_fan_out(&self, id: i64, rows: &[NewOutbox], at: Timestamp) -> StoreResult<()>;
    /// Outbox rows, newest first.
    async fn outbox_entries(&self, limit: u32) -> StoreResult<Vec<OutboxItem>>;
    /// Sets (or with `None` removes) an officer's e-mail address for notifications.
    async fn set_user_email(&self, user_id: i64, email: Option<&str>) -> StoreResult<()>;
    /// The e-mail addresses of those of these officers who have one.
    async fn user_emails(&self, user_ids: &[i64]) -> StoreResult<Vec<(i64, String)>>;

    // ── rakor meetings and follow-up actions ────────────────────────────────────────────────
    /// Records a meeting with its agenda and attendance, all or nothing; returns its id.
    async fn create_meeting(&self, meeting: &NewMeeting) -> StoreResult<i64>;
    /// Meetings of regions inside `within`, newest first, at most `limit`.
    async fn meetings(&self, within: &RegionCode, limit: u32) -> StoreResult<Vec<MeetingSummary>>;
    async fn meeting(&self, id: i64) -> StoreResult<Option<Meeting>>;
    /// Adds the meeting's next decision (numbered 1, 2, … per meeting, never two alike even when
    /// added at once); returns its number. `NotFound` for an unknown meeting.
    async fn add_decision(&self, meeting_id: i64, text: &str, at: Timestamp) -> StoreResult<u32>;
    /// Records a follow-up action in state `terbuka`; `NotFound` when the meeting has no such
    /// decision.
    async fn add_follow_up(&self, action: &NewFollowUp) -> StoreResult<i64>;
    /// Follow-up actions by due date, then id.
    async fn follow_ups(
        &self,
        filter: &FollowUpFilter,
    ) -> StoreResult<Vec<posko_core::rakor::FollowUp>>;
    async fn follow_up(&self, id: i64) -> StoreResult<Option<posko_core::rakor::FollowUp>>;
    /// Moves an action and records the move, only if it is still in `mv.from`: `false` when
    /// another move got there first (nothing is recorded).
    async fn move_follow_up(&self, mv: &FollowUpMove) -> StoreResult<bool>;
    /// An action's moves, oldest first.
    async fn follow_up_events(&self, id: i64) -> StoreResult<Vec<FollowUpEvent>>;

    // ── neutrality briefings and integrity pledges (issue 9, part 4) ───────────────────────
    /// Adds or replaces units' headcounts (by region, unit and kind), all or none; returns how
    /// many rows were written.
    async fn set_headcounts(
        &self,
        rows: &[posko_core::netralitas::Headcount],
        at: Timestamp,
    ) -> StoreResult<u64>;
    /// The headcounts of units inside `within` (itself included).
    async fn headcounts(
        &self,
        within: &RegionCode,
    ) -> StoreResult<Vec<posko_core::netralitas::Headcount>>;
    /// Records a briefing with its villages, all or nothing; returns its id.
    async fn add_briefing(&self, briefing: &NewBriefing) -> StoreResult<i64>;
    /// Briefings held for regions inside `within`, newest first, at most `limit`.
    async fn briefings(&self, within: &RegionCode, limit: u32) -> StoreResult<Vec<StoredBriefing>>;
    /// Records pledges all or none: an official who signed already (in the store or earlier in
    /// the batch: the same `identity_mac`, the same NIP hash, or the same name-and-unit hash when
    /// one of the two pledges has no NIP) keeps the first pledge and counts as `already`.
    async fn add_pledges(&self, rows: &[NewPledge]) -> StoreResult<PledgeCount>;
    /// What coverage needs of the pledges placed inside `within`.
    async fn pledge_facts(
        &self,
        within: &RegionCode,
    ) -> StoreResult<Vec<posko_core::netralitas::PledgeFact>>;
    /// The earliest pledge whose NIP hash or name-and-unit hash is `mac`.
    async fn pledge_of_official(&self, mac: &[u8]) -> StoreResult<Option<PledgeMark>>;

    // ── public accountability (issue 9, part 5) ─────────────────────────────────────────────
    /// One fact per case inside `within` (merged duplicates left out): codes and instants only.
    async fn public_case_facts(
        &self,
        within: &RegionCode,
    ) -> StoreResult<Vec<posko_core::akuntabilitas::CaseFact>>;
    // ── the coordinator's dashboard (issue 9) ───────────────────────────────────────────────
    /// Cases inside `within` (everywhere when `None`) counted by region, state, decision,
    /// referral and category, with GROUP BY: merged duplicates are left out.
    async fn case_counts(&self, within: Option<&RegionCode>) -> StoreResult<Vec<CaseCount>>;
    /// A cheap version of the data the dashboard reads (largest ids, row counts and latest
    /// update instants of its tables): it changes when any of them changes. No triggers.
    async fn data_fingerprint(&self) -> StoreResult<String>;
    /// Writes (or replaces) a region's snapshot.
    async fn put_dashboard_snapshots(&self, snapshots: &[DashboardSnapshot]) -> StoreResult<()>;
    async fn dashboard_snapshot(&self, region: &str) -> StoreResult<Option<DashboardSnapshot>>;
    /// Replaces an election's voter-list findings for the districts given.
    async fn set_dpt_findings(&self, rows: &[DptFindings]) -> StoreResult<u64>;
    /// An election's voter-list findings of districts inside `within` (everywhere when `None`).
    async fn dpt_findings(
        &self,
        election: &str,
        within: Option<&RegionCode>,
    ) -> StoreResult<Vec<DptFindings>>;
}

/// The half-open range of village-code text that lies inside `region`: every code inside starts
/// with the region's dotted code, and '/' is the character after '.', so
/// `code >= "33.20" AND code < "33.20/"` selects exactly Jepara's villages, with an index.
pub fn code_range(region: &RegionCode) -> (String, String) {
    let low = region.to_string();
    let high = format!("{low}/");
    (low, high)
}

/// Turning stored columns back into domain values, shared by the back ends so both read the
/// same way and report the same corruption.
pub mod decode {
    use super::{StoreError, StoreResult, User};
    use jiff::Timestamp;
    use posko_core::{GeoPoint, RegionCode, TpsId, TpsNumber, TpsRecord};

    /// Instants are stored as unix microseconds, UTC.
    pub fn micros(t: Timestamp) -> i64 {
        t.as_microsecond()
    }

    pub fn timestamp(us: i64) -> StoreResult<Timestamp> {
        Timestamp::from_microsecond(us).map_err(|e| StoreError::Corrupt(format!("waktu {us}: {e}")))
    }

    #[allow(clippy::too_many_arguments)]
    pub fn user(
        id: i64,
        username: String,
        display_name: String,
        role: &str,
        agency: Option<&str>,
        region: Option<&str>,
        active: bool,
    ) -> StoreResult<User> {
        let corrupt =
            |what: &str, v: &str| StoreError::Corrupt(format!("pengguna {id}: {what} '{v}'"));
        Ok(User {
            id,
            username,
            display_name,
            role: role.parse().map_err(|_| corrupt("peran", role))?,
            agency: agency
                .map(|a| a.parse().map_err(|_| corrupt("instansi", a)))
                .transpose()?,
            region: region
                .map(|r| RegionCode::parse(r).map_err(|_| corrupt("wilayah", r)))
                .transpose()?,
            active,
        })
    }

    pub fn tps(
        village: &str,
        number: i64,
        address: String,
        lat: Option<f64>,
        lon: Option<f64>,
        voters: i64,
    ) -> StoreResult<TpsRecord> {
        let corrupt = |e: String| StoreError::Corrupt(format!("TPS {village}/{number}: {e}"));
        let village_code = RegionCode::parse(village).map_err(|e| corrupt(e.to_string()))?;
        let n = u32::try_from(number).map_err(|e| corrupt(e.to_string()))?;
        let number = TpsNumber::new(n).map_err(|e| corrupt(e.to_string()))?;
        let location = match (lat, lon) {
            (Some(lat), Some(lon)) => {
                Some(GeoPoint::new(lat, lon).map_err(|e| corrupt(e.to_string()))?)
            }
            _ => None,
        };
        Ok(TpsRecord {
            id: TpsId::new(village_code, number).map_err(|e| corrupt(e.to_string()))?,
            address,
            location,
            voters: u32::try_from(voters).map_err(|e| corrupt(e.to_string()))?,
        })
    }

    /// A TPS and its DPT voters, for the lean register read; refuses what `tps` refuses.
    pub fn tps_voters(village: &str, number: i64, voters: i64) -> StoreResult<(TpsId, u32)> {
        let corrupt = |e: String| StoreError::Corrupt(format!("TPS {village}/{number}: {e}"));
        let village_code = RegionCode::parse(village).map_err(|e| corrupt(e.to_string()))?;
        let n = u32::try_from(number).map_err(|e| corrupt(e.to_string()))?;
        let number = TpsNumber::new(n).map_err(|e| corrupt(e.to_string()))?;
        Ok((
            TpsId::new(village_code, number).map_err(|e| corrupt(e.to_string()))?,
            u32::try_from(voters).map_err(|e| corrupt(e.to_string()))?,
        ))
    }

    pub fn kind(s: &str) -> StoreResult<posko_core::report::ReportKind> {
        use posko_core::report::ReportKind;
        match s {
            "laporan" => Ok(ReportKind::Laporan),
            "informasi_awal" => Ok(ReportKind::InformasiAwal),
            other => Err(StoreError::Corrupt(format!("jenis laporan '{other}'"))),
        }
    }

    pub fn category(s: &str) -> StoreResult<posko_core::report::SubjectCategory> {
        posko_core::report::SubjectCategory::parse(s)
            .ok_or_else(|| StoreError::Corrupt(format!("kategori terlapor '{s}'")))
    }

    pub fn region(s: &str) -> StoreResult<RegionCode> {
        RegionCode::parse(s).map_err(|e| StoreError::Corrupt(format!("wilayah '{s}': {e}")))
    }

    pub fn date(s: &str) -> StoreResult<jiff::civil::Date> {
        s.parse()
            .map_err(|e| StoreError::Corrupt(format!("tanggal '{s}': {e}")))
    }

    pub fn time(s: Option<&str>) -> StoreResult<Option<jiff::civil::Time>> {
        s.map(|t| {
            t.parse()
                .map_err(|e| StoreError::Corrupt(format!("jam '{t}': {e}")))
        })
        .transpose()
    }

    pub fn tps_number(n: Option<i64>) -> StoreResult<Option<TpsNumber>> {
        n.map(|n| {
            TpsNumber::new(u32::try_from(n).unwrap_or(0))
                .map_err(|e| StoreError::Corrupt(format!("nomor TPS {n}: {e}")))
        })
        .transpose()
    }

    pub fn location(lat: Option<f64>, lon: Option<f64>) -> StoreResult<Option<GeoPoint>> {
        match (lat, lon) {
            (Some(a), Some(b)) => GeoPoint::new(a, b)
                .map(Some)
                .map_err(|e| StoreError::Corrupt(e.to_string())),
            _ => Ok(None),
        }
    }

    pub fn case_state(s: &str) -> StoreResult<posko_core::case::CaseState> {
        posko_core::case::CaseState::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| StoreError::Corrupt(format!("status kasus '{s}'")))
    }

    pub fn decision(s: Option<&str>) -> StoreResult<Option<posko_core::case::Decision>> {
        use posko_core::case::Decision::*;
        s.map(|d| match d {
            "administratif" => Ok(Administratif),
            "kode_etik" => Ok(KodeEtik),
            "hukum_lainnya" => Ok(HukumLainnya),
            "pidana" => Ok(Pidana),
            "bukan_pelanggaran" => Ok(BukanPelanggaran),
            other => Err(StoreError::Corrupt(format!("putusan '{other}'"))),
        })
        .transpose()
    }

    pub fn decision_name(d: posko_core::case::Decision) -> &'static str {
        use posko_core::case::Decision::*;
        match d {
            Administratif => "administratif",
            KodeEtik => "kode_etik",
            HukumLainnya => "hukum_lainnya",
            Pidana => "pidana",
            BukanPelanggaran => "bukan_pelanggaran",
        }
    }

    /// The idempotency scope of a report: keys are unique per API client, and per web channel.
    pub fn idempotency_scope(client_id: Option<i64>) -> String {
        match client_id {
            Some(c) => format!("api:{c}"),
            None => "web".to_string(),
        }
    }

    /// A tally row: the grouped region code and two counts.
    pub fn tally(region: &str, tps: i64, voters: i64) -> StoreResult<super::Tally> {
        Ok(super::Tally {
            region: RegionCode::parse(region)
                .map_err(|e| StoreError::Corrupt(format!("wilayah '{region}': {e}")))?,
            tps: tps.max(0) as u64,
            voters: voters.max(0) as u64,
        })
    }
}
