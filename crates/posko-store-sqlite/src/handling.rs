//! Case handling at the post on SQLite: the inbox query, assignment, the extension, merged
//! duplicates, the duty roster, handover notes and the register of reported officials.

use jiff::civil::Date;
use jiff::Timestamp;
use posko_core::case::Case;
use posko_core::{Agency, RegionCode};
use posko_store::{
    code_range, decode, CaseEvent, CaseFilter, CaseRow, DedupFacts, Handover, NewHandover,
    NewShift, OfficialEntry, Shift, StoreError, StoreResult, StoredCase,
};
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::{QueryBuilder, Row, Sqlite, Transaction};

use crate::reports::{be, summary, SUMMARY_COLUMNS};

/// The columns `stored_case` reads, aliased so they sit beside `SUMMARY_COLUMNS`.
pub(crate) const CASE_COLUMNS: &str =
    "r.id AS case_id, r.status AS case_status, r.kind AS case_kind,
    r.temuan, r.decision, r.referred_to, r.subject_category AS case_category,
    coalesce(r.state_since, r.received_at) AS since, r.election AS case_election,
    r.region_code AS case_region, r.registered_at, r.extended, r.assigned_to, r.merged_into";

pub(crate) fn stored_case(r: &SqliteRow) -> StoreResult<StoredCase> {
    let referred: Option<String> = r.try_get("referred_to").map_err(be)?;
    Ok(StoredCase {
        report_id: r.try_get("case_id").map_err(be)?,
        case: Case {
            state: decode::case_state(r.try_get("case_status").map_err(be)?)?,
            kind: decode::kind(r.try_get("case_kind").map_err(be)?)?,
            temuan: r.try_get::<i64, _>("temuan").map_err(be)? != 0,
            decision: decode::decision(r.try_get::<Option<&str>, _>("decision").map_err(be)?)?,
            referred_to: referred.and_then(|a| a.parse().ok()),
        },
        subject_category: decode::category(r.try_get("case_category").map_err(be)?)?,
        state_since: decode::timestamp(r.try_get("since").map_err(be)?)?,
        election: r.try_get("case_election").map_err(be)?,
        region: decode::region(r.try_get("case_region").map_err(be)?)?,
        registered_at: r
            .try_get::<Option<i64>, _>("registered_at")
            .map_err(be)?
            .map(decode::timestamp)
            .transpose()?,
        extended: r.try_get::<i64, _>("extended").map_err(be)? != 0,
        assigned_to: r.try_get("assigned_to").map_err(be)?,
        merged_into: r.try_get("merged_into").map_err(be)?,
    })
}

pub async fn list_cases(pool: &SqlitePool, f: &CaseFilter) -> StoreResult<Vec<CaseRow>> {
    let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
        "SELECT {SUMMARY_COLUMNS}, {CASE_COLUMNS} FROM reports r WHERE 1 = 1"
    ));
    if let Some(a) = f.referred_to {
        q.push(" AND r.referred_to = ").push_bind(a.as_str());
    }
    if let Some(c) = f.category {
        q.push(" AND r.subject_category = ").push_bind(c.as_str());
    }
    if let Some(region) = &f.region {
        let (lo, hi) = code_range(region);
        q.push(" AND r.region_code >= ").push_bind(lo);
        q.push(" AND r.region_code < ").push_bind(hi);
    }
    if let Some(s) = f.state {
        q.push(" AND r.status = ").push_bind(s.as_str());
    }
    if let Some(u) = f.assigned_to {
        q.push(" AND r.assigned_to = ").push_bind(u);
    }
    if f.unassigned {
        q.push(" AND r.assigned_to IS NULL");
    }
    if !f.include_merged {
        q.push(" AND r.merged_into IS NULL");
    }
    if let Some(t) = f.received_since {
        q.push(" AND r.received_at >= ")
            .push_bind(decode::micros(t));
    }
    q.push(" ORDER BY r.received_at DESC, r.id DESC LIMIT ")
        .push_bind(i64::from(f.limit.max(1)));
    let rows = q.build().fetch_all(pool).await.map_err(be)?;
    rows.iter()
        .map(|r| {
            Ok(CaseRow {
                summary: summary(r)?,
                case: stored_case(r)?,
            })
        })
        .collect()
}

async fn insert_event(tx: &mut Transaction<'_, Sqlite>, e: &CaseEvent) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO case_events (report_id, at, actor, action, from_state, to_state, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(e.report_id)
    .bind(decode::micros(e.at))
    .bind(e.actor)
    .bind(&e.action)
    .bind(&e.from_state)
    .bind(&e.to_state)
    .bind(&e.detail)
    .execute(&mut **tx)
    .await
    .map_err(be)?;
    Ok(())
}

fn conflict(id: i64, what: &str) -> StoreError {
    StoreError::Conflict(format!("laporan {id}: {what}"))
}

pub async fn assign_case(
    pool: &SqlitePool,
    assignee: Option<i64>,
    e: &CaseEvent,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(be)?;
    let done = sqlx::query("UPDATE reports SET assigned_to = $2 WHERE id = $1")
        .bind(e.report_id)
        .bind(assignee)
        .execute(&mut *tx)
        .await
        .map_err(be)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!("laporan {}", e.report_id)));
    }
    insert_event(&mut tx, e).await?;
    tx.commit().await.map_err(be)
}

pub async fn extend_handling(pool: &SqlitePool, e: &CaseEvent) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(be)?;
    let done = sqlx::query(
        "UPDATE reports SET extended = 1
         WHERE id = $1 AND extended = 0 AND status IN ('teregistrasi', 'pemeriksaan')",
    )
    .bind(e.report_id)
    .execute(&mut *tx)
    .await
    .map_err(be)?;
    if done.rows_affected() == 0 {
        return Err(conflict(
            e.report_id,
            "penanganan sudah diperpanjang atau tidak sedang berjalan \
             (handling already extended or not running)",
        ));
    }
    insert_event(&mut tx, e).await?;
    tx.commit().await.map_err(be)
}

pub async fn merge_case(pool: &SqlitePool, dup: &CaseEvent, into: &CaseEvent) -> StoreResult<()> {
    // IMMEDIATE: this transaction reads before it writes; a deferred one would fail at once
    // (SQLITE_BUSY) if another writer came in between, instead of waiting its turn.
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(be)?;
    // The target must itself be a case of its own, not a merged report.
    let target_free: Option<i64> =
        sqlx::query_scalar("SELECT id FROM reports WHERE id = $1 AND merged_into IS NULL")
            .bind(into.report_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(be)?;
    if target_free.is_none() || dup.report_id == into.report_id {
        return Err(conflict(
            into.report_id,
            "tidak dapat menjadi kasus induk (cannot be the main case)",
        ));
    }
    let done =
        sqlx::query("UPDATE reports SET merged_into = $2 WHERE id = $1 AND merged_into IS NULL")
            .bind(dup.report_id)
            .bind(into.report_id)
            .execute(&mut *tx)
            .await
            .map_err(be)?;
    if done.rows_affected() == 0 {
        return Err(conflict(
            dup.report_id,
            "sudah digabung ke kasus lain (already merged)",
        ));
    }
    // Reports merged into the duplicate follow it: no chains of merges.
    sqlx::query("UPDATE reports SET merged_into = $2 WHERE merged_into = $1")
        .bind(dup.report_id)
        .bind(into.report_id)
        .execute(&mut *tx)
        .await
        .map_err(be)?;
    insert_event(&mut tx, dup).await?;
    insert_event(&mut tx, into).await?;
    tx.commit().await.map_err(be)
}

pub async fn merged_reports(pool: &SqlitePool, report_id: i64) -> StoreResult<Vec<i64>> {
    sqlx::query_scalar("SELECT id FROM reports WHERE merged_into = $1 ORDER BY id")
        .bind(report_id)
        .fetch_all(pool)
        .await
        .map_err(be)
}

const DEDUP_COLUMNS: &str = "id, tracking_code, status, region_code, happened_on,
    subject_category, subject_mac, subject_name, violation, description, merged_into";

fn dedup_row(r: &SqliteRow) -> StoreResult<DedupFacts> {
    Ok(DedupFacts {
        id: r.try_get("id").map_err(be)?,
        tracking_code: r.try_get("tracking_code").map_err(be)?,
        status: r.try_get("status").map_err(be)?,
        region: decode::region(r.try_get("region_code").map_err(be)?)?,
        happened_on: decode::date(r.try_get("happened_on").map_err(be)?)?,
        subject_category: decode::category(r.try_get("subject_category").map_err(be)?)?,
        subject_mac: r.try_get("subject_mac").map_err(be)?,
        subject_name: r.try_get("subject_name").map_err(be)?,
        violation: r.try_get("violation").map_err(be)?,
        description: r.try_get("description").map_err(be)?,
        merged_into: r.try_get("merged_into").map_err(be)?,
    })
}

pub async fn dedup_facts(
    pool: &SqlitePool,
    region: &RegionCode,
    from: Date,
    to: Date,
    limit: u32,
) -> StoreResult<Vec<DedupFacts>> {
    let (lo, hi) = code_range(region);
    let sql = format!(
        "SELECT {DEDUP_COLUMNS} FROM reports
         WHERE region_code >= $1 AND region_code < $2 AND happened_on >= $3 AND happened_on <= $4
         ORDER BY received_at DESC, id DESC LIMIT $5"
    );
    let rows = sqlx::query(&sql)
        .bind(lo)
        .bind(hi)
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(be)?;
    rows.iter().map(dedup_row).collect()
}

pub async fn dedup_facts_of(pool: &SqlitePool, id: i64) -> StoreResult<Option<DedupFacts>> {
    let sql = format!("SELECT {DEDUP_COLUMNS} FROM reports WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(be)?;
    row.as_ref().map(dedup_row).transpose()
}

pub async fn add_shift(pool: &SqlitePool, s: &NewShift) -> StoreResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO duty_shifts (agency, user_id, starts_at, ends_at, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(s.agency.as_str())
    .bind(s.user_id)
    .bind(decode::micros(s.starts_at))
    .bind(decode::micros(s.ends_at))
    .bind(s.created_by)
    .bind(decode::micros(s.created_at))
    .fetch_one(pool)
    .await
    .map_err(crate::map_err("jadwal piket"))
}

pub async fn delete_shift(pool: &SqlitePool, id: i64) -> StoreResult<()> {
    // A shift with handover notes stays: the notes refer to it.
    let done = sqlx::query(
        "DELETE FROM duty_shifts WHERE id = $1
         AND NOT EXISTS (SELECT 1 FROM handover_notes h WHERE h.shift_id = $1)",
    )
    .bind(id)
    .execute(pool)
    .await
    .map_err(be)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!(
            "jadwal piket {id} tidak ada atau sudah berisi catatan serah terima \
             (no such shift, or it has handover notes)"
        )));
    }
    Ok(())
}

pub async fn shifts_between(
    pool: &SqlitePool,
    from: Timestamp,
    to: Timestamp,
) -> StoreResult<Vec<Shift>> {
    let rows = sqlx::query(
        "SELECT s.id, s.agency, s.user_id, u.display_name, s.starts_at, s.ends_at
         FROM duty_shifts s JOIN users u ON u.id = s.user_id
         WHERE s.starts_at < $2 AND s.ends_at > $1
         ORDER BY s.starts_at, s.agency, u.display_name",
    )
    .bind(decode::micros(from))
    .bind(decode::micros(to))
    .fetch_all(pool)
    .await
    .map_err(be)?;
    rows.iter()
        .map(|r| {
            let agency: &str = r.try_get("agency").map_err(be)?;
            Ok(Shift {
                id: r.try_get("id").map_err(be)?,
                agency: agency
                    .parse::<Agency>()
                    .map_err(|_| StoreError::Corrupt(format!("instansi piket '{agency}'")))?,
                user_id: r.try_get("user_id").map_err(be)?,
                officer: r.try_get("display_name").map_err(be)?,
                starts_at: decode::timestamp(r.try_get("starts_at").map_err(be)?)?,
                ends_at: decode::timestamp(r.try_get("ends_at").map_err(be)?)?,
            })
        })
        .collect()
}

pub async fn add_handover(pool: &SqlitePool, h: &NewHandover) -> StoreResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO handover_notes (shift_id, author, at, note) VALUES ($1, $2, $3, $4)
         RETURNING id",
    )
    .bind(h.shift_id)
    .bind(h.author)
    .bind(decode::micros(h.at))
    .bind(&h.note)
    .fetch_one(pool)
    .await
    .map_err(crate::map_err("catatan serah terima"))
}

pub async fn recent_handovers(pool: &SqlitePool, limit: u32) -> StoreResult<Vec<Handover>> {
    let rows = sqlx::query(
        "SELECT h.id, h.shift_id, h.author, u.display_name, h.at, h.note
         FROM handover_notes h JOIN users u ON u.id = h.author
         ORDER BY h.at DESC, h.id DESC LIMIT $1",
    )
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(be)?;
    rows.iter()
        .map(|r| {
            Ok(Handover {
                id: r.try_get("id").map_err(be)?,
                shift_id: r.try_get("shift_id").map_err(be)?,
                author: r.try_get("author").map_err(be)?,
                author_name: r.try_get("display_name").map_err(be)?,
                at: decode::timestamp(r.try_get("at").map_err(be)?)?,
                note: r.try_get("note").map_err(be)?,
            })
        })
        .collect()
}

pub async fn official_register(pool: &SqlitePool, limit: u32) -> StoreResult<Vec<OfficialEntry>> {
    let rows = sqlx::query(
        "WITH g AS (
             SELECT subject_mac, count(*) AS n,
                    sum(CASE WHEN status IN ('selesai', 'ditutup') THEN 0 ELSE 1 END) AS open_n,
                    min(received_at) AS first_at, max(received_at) AS last_at, max(id) AS last_id
             FROM reports WHERE subject_mac IS NOT NULL AND merged_into IS NULL
             GROUP BY subject_mac)
         SELECT g.subject_mac, g.n, g.open_n, g.first_at, g.last_at, x.subject_name,
                x.subject_position, x.subject_unit, x.subject_category
         FROM g JOIN reports x ON x.id = g.last_id
         ORDER BY g.n DESC, g.last_at DESC LIMIT $1",
    )
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(be)?;
    rows.iter()
        .map(|r| {
            Ok(OfficialEntry {
                subject_mac: r.try_get("subject_mac").map_err(be)?,
                name: r.try_get("subject_name").map_err(be)?,
                position: r.try_get("subject_position").map_err(be)?,
                unit: r.try_get("subject_unit").map_err(be)?,
                category: decode::category(r.try_get("subject_category").map_err(be)?)?,
                reports: r.try_get::<i64, _>("n").map_err(be)?.max(0) as u32,
                open: r.try_get::<i64, _>("open_n").map_err(be)?.max(0) as u32,
                first_at: decode::timestamp(r.try_get("first_at").map_err(be)?)?,
                last_at: decode::timestamp(r.try_get("last_at").map_err(be)?)?,
            })
        })
        .collect()
}
