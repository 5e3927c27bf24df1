//! Reports, evidence, unseal requests, API clients and the audit chain on SQLite. The trait
//! methods in `lib.rs` call these functions.

use jiff::Timestamp;
use posko_core::case::{Case, CaseState};
use posko_core::Agency;
use posko_store::{
    audit_hash, decode, ApiClient, AuditEntry, CaseEvent, CustodyEvent, EvidenceInfo,
    InsertOutcome, NewAuditEntry, NewCustodyEvent, NewReport, NewUnsealRequest, ReportDetail,
    ReportStatus, ReportSummary, StoreError, StoreResult, StoredCase, UnsealRequest, AUDIT_GENESIS,
};
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::{Row, Sqlite, Transaction};

use crate::map_err;

pub(crate) fn be(e: sqlx::Error) -> StoreError {
    StoreError::backend(e)
}

async fn insert_one(tx: &mut Transaction<'_, Sqlite>, r: &NewReport) -> StoreResult<InsertOutcome> {
    let scope = r
        .idempotency_key
        .as_ref()
        .map(|_| decode::idempotency_scope(r.client_id));
    if let (Some(scope), Some(key)) = (&scope, &r.idempotency_key) {
        let existing = sqlx::query(
            "SELECT id, tracking_code FROM reports WHERE idempotency_scope = $1 AND idempotency_key = $2",
        )
        .bind(scope)
        .bind(key)
        .fetch_optional(&mut **tx)
        .await
        .map_err(be)?;
        if let Some(row) = existing {
            return Ok(InsertOutcome::Duplicate {
                id: row.try_get("id").map_err(be)?,
                tracking_code: row.try_get("tracking_code").map_err(be)?,
            });
        }
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO reports (tracking_code, election, kind, channel, client_id, idempotency_scope,
            idempotency_key, subject_category, subject_name, subject_position, subject_unit,
            subject_mac, violation, description, region_code, tps_number, place, lat, lon,
            happened_on, happened_time, learned_on, late, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
            $19, $20, $21, $22, $23, $24)
         RETURNING id",
    )
    .bind(&r.tracking_code)
    .bind(&r.election)
    .bind(r.kind.as_str())
    .bind(&r.channel)
    .bind(r.client_id)
    .bind(scope)
    .bind(&r.idempotency_key)
    .bind(r.subject_category.as_str())
    .bind(&r.subject_name)
    .bind(&r.subject_position)
    .bind(&r.subject_unit)
    .bind(&r.subject_mac)
    .bind(&r.violation)
    .bind(&r.description)
    .bind(r.region.to_string())
    .bind(r.tps.map(|t| i64::from(t.get())))
    .bind(&r.place)
    .bind(r.location.map(|p| p.lat))
    .bind(r.location.map(|p| p.lon))
    .bind(r.happened_on.to_string())
    .bind(r.happened_time.map(|t| t.to_string()))
    .bind(r.learned_on.to_string())
    .bind(i64::from(r.late))
    .bind(decode::micros(r.received_at))
    .fetch_one(&mut **tx)
    .await
    .map_err(map_err("laporan"))?;
    if let Some(idn) = &r.identity {
        sqlx::query(
            "INSERT INTO reporter_identities (report_id, sealed, nik_mac, phone_mac, email_mac)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(&idn.ciphertext)
        .bind(&idn.nik_mac)
        .bind(&idn.phone_mac)
        .bind(&idn.email_mac)
        .execute(&mut **tx)
        .await
        .map_err(be)?;
    }
    for (pos, ev) in r.evidence.iter().enumerate() {
        sqlx::query(
            "INSERT INTO evidence_blobs (sha256, mime, size, bytes, display) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&ev.sha256)
        .bind(&ev.mime)
        .bind(ev.bytes.len() as i64)
        .bind(&ev.bytes)
        .bind(&ev.display)
        .execute(&mut **tx)
        .await
        .map_err(map_err("bukti"))?;
        sqlx::query("INSERT INTO report_evidence (report_id, sha256, position, filename) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(&ev.sha256)
            .bind(pos as i64)
            .bind(&ev.filename)
            .execute(&mut **tx)
            .await
            .map_err(be)?;
        sqlx::query(
            "INSERT INTO custody_events (sha256, report_id, at, actor, action, note)
             VALUES ($1, $2, $3, NULL, 'received', $4)",
        )
        .bind(&ev.sha256)
        .bind(id)
        .bind(decode::micros(r.received_at))
        .bind(format!("diterima dari pelapor melalui {}", r.channel))
        .execute(&mut **tx)
        .await
        .map_err(be)?;
    }
    Ok(InsertOutcome::Stored {
        id,
        tracking_code: r.tracking_code.clone(),
    })
}

pub async fn insert_reports(
    pool: &SqlitePool,
    batch: &[NewReport],
) -> StoreResult<Vec<InsertOutcome>> {
    // IMMEDIATE: the idempotency look-up reads before the insert writes, and a deferred
    // transaction whose read is overtaken by another writer (a notification, an officer's step)
    // fails with SQLITE_BUSY instead of waiting; taking the writer lock first makes it wait.
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(be)?;
    let mut out = Vec::with_capacity(batch.len());
    for r in batch {
        out.push(insert_one(&mut tx, r).await?);
    }
    tx.commit().await.map_err(be)?;
    Ok(out)
}

async fn evidence_of(pool: &SqlitePool, report_id: i64) -> StoreResult<Vec<EvidenceInfo>> {
    let rows = sqlx::query(
        "SELECT e.sha256, b.mime, b.size, e.filename FROM report_evidence e
         JOIN evidence_blobs b ON b.sha256 = e.sha256 WHERE e.report_id = $1 ORDER BY e.position",
    )
    .bind(report_id)
    .fetch_all(pool)
    .await
    .map_err(be)?;
    rows.iter()
        .map(|r| {
            Ok(EvidenceInfo {
                sha256: r.try_get("sha256").map_err(be)?,
                mime: r.try_get("mime").map_err(be)?,
                size: r.try_get::<i64, _>("size").map_err(be)?.max(0) as u64,
                filename: r.try_get("filename").map_err(be)?,
            })
        })
        .collect()
}

pub(crate) const SUMMARY_COLUMNS: &str = "r.id, r.tracking_code, r.election AS summary_election, r.kind, r.status, r.subject_category, r.violation,
    r.region_code, r.received_at, (SELECT count(*) FROM reporter_identities i WHERE i.report_id = r.id) AS has_identity";

pub(crate) fn summary(row: &SqliteRow) -> StoreResult<ReportSummary> {
    Ok(ReportSummary {
        id: row.try_get("id").map_err(be)?,
        tracking_code: row.try_get("tracking_code").map_err(be)?,
        election: row.try_get("summary_election").map_err(be)?,
        kind: decode::kind(row.try_get("kind").map_err(be)?)?,
        status: row.try_get("status").map_err(be)?,
        subject_category: decode::category(row.try_get("subject_category").map_err(be)?)?,
        violation: row.try_get("violation").map_err(be)?,
        region: decode::region(row.try_get("region_code").map_err(be)?)?,
        received_at: decode::timestamp(row.try_get("received_at").map_err(be)?)?,
        has_identity: row.try_get::<i64, _>("has_identity").map_err(be)? > 0,
    })
}

pub async fn report_status(pool: &SqlitePool, code: &str) -> StoreResult<Option<ReportStatus>> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS}, r.election, r.late FROM reports r WHERE r.tracking_code = $1"
    );
    let Some(row) = sqlx::query(&sql)
        .bind(code)
        .fetch_optional(pool)
        .await
        .map_err(be)?
    else {
        return Ok(None);
    };
    let s = summary(&row)?;
    Ok(Some(ReportStatus {
        evidence: evidence_of(pool, s.id).await?,
        tracking_code: s.tracking_code,
        election: row.try_get("election").map_err(be)?,
        kind: s.kind,
        status: s.status,
        subject_category: s.subject_category,
        violation: s.violation,
        region: s.region,
        received_at: s.received_at,
        late: row.try_get::<i64, _>("late").map_err(be)? != 0,
    }))
}

pub async fn list_reports(pool: &SqlitePool, limit: u32) -> StoreResult<Vec<ReportSummary>> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM reports r ORDER BY r.received_at DESC, r.id DESC LIMIT $1"
    );
    let rows = sqlx::query(&sql)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(be)?;
    rows.iter().map(summary).collect()
}

pub async fn report_detail(pool: &SqlitePool, id: i64) -> StoreResult<Option<ReportDetail>> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS}, r.election, r.channel, r.subject_name, r.subject_position,
            r.subject_unit, r.subject_mac, r.description, r.tps_number, r.place, r.lat, r.lon,
            r.happened_on, r.happened_time, r.learned_on, r.late
         FROM reports r WHERE r.id = $1"
    );
    let Some(row) = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(be)?
    else {
        return Ok(None);
    };
    Ok(Some(ReportDetail {
        summary: summary(&row)?,
        election: row.try_get("election").map_err(be)?,
        channel: row.try_get("channel").map_err(be)?,
        subject_name: row.try_get("subject_name").map_err(be)?,
        subject_position: row.try_get("subject_position").map_err(be)?,
        subject_unit: row.try_get("subject_unit").map_err(be)?,
        subject_mac: row.try_get("subject_mac").map_err(be)?,
        description: row.try_get("description").map_err(be)?,
        tps: decode::tps_number(row.try_get("tps_number").map_err(be)?)?,
        place: row.try_get("place").map_err(be)?,
        location: decode::location(
            row.try_get("lat").map_err(be)?,
            row.try_get("lon").map_err(be)?,
        )?,
        happened_on: decode::date(row.try_get("happened_on").map_err(be)?)?,
        happened_time: decode::time(
            row.try_get::<Option<&str>, _>("happened_time")
                .map_err(be)?,
        )?,
        learned_on: decode::date(row.try_get("learned_on").map_err(be)?)?,
        late: row.try_get::<i64, _>("late").map_err(be)? != 0,
        evidence: evidence_of(pool, id).await?,
    }))
}

pub async fn sealed_identity(pool: &SqlitePool, report_id: i64) -> StoreResult<Option<Vec<u8>>> {
    sqlx::query_scalar("SELECT sealed FROM reporter_identities WHERE report_id = $1")
        .bind(report_id)
        .fetch_optional(pool)
        .await
        .map_err(be)
}

pub async fn reports_by_identity_mac(pool: &SqlitePool, mac: &[u8]) -> StoreResult<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT report_id FROM reporter_identities
         WHERE nik_mac = $1 OR phone_mac = $1 OR email_mac = $1 ORDER BY report_id",
    )
    .bind(mac)
    .fetch_all(pool)
    .await
    .map_err(be)
}

pub async fn evidence_bytes(
    pool: &SqlitePool,
    sha256: &str,
    display: bool,
) -> StoreResult<Option<(String, Vec<u8>)>> {
    let sql = if display {
        "SELECT mime, coalesce(display, bytes) AS b FROM evidence_blobs WHERE sha256 = $1"
    } else {
        "SELECT mime, bytes AS b FROM evidence_blobs WHERE sha256 = $1"
    };
    let row = sqlx::query(sql)
        .bind(sha256)
        .fetch_optional(pool)
        .await
        .map_err(be)?;
    row.map(|r| Ok((r.try_get("mime").map_err(be)?, r.try_get("b").map_err(be)?)))
        .transpose()
}

pub async fn add_custody_event(pool: &SqlitePool, e: &NewCustodyEvent) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO custody_events (sha256, report_id, at, actor, action, note) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&e.sha256)
    .bind(e.report_id)
    .bind(decode::micros(e.at))
    .bind(e.actor)
    .bind(&e.action)
    .bind(&e.note)
    .execute(pool)
    .await
    .map_err(map_err("rantai bukti"))?;
    Ok(())
}

pub async fn custody_events(pool: &SqlitePool, sha256: &str) -> StoreResult<Vec<CustodyEvent>> {
    let rows = sqlx::query(
        "SELECT c.id, c.sha256, c.report_id, c.at, c.actor, c.action, c.note, u.display_name
         FROM custody_events c LEFT JOIN users u ON u.id = c.actor WHERE c.sha256 = $1 ORDER BY c.id",
    )
    .bind(sha256)
    .fetch_all(pool)
    .await
    .map_err(be)?;
    rows.iter()
        .map(|r| {
            Ok(CustodyEvent {
                id: r.try_get("id").map_err(be)?,
                event: NewCustodyEvent {
                    sha256: r.try_get("sha256").map_err(be)?,
                    report_id: r.try_get("report_id").map_err(be)?,
                    at: decode::timestamp(r.try_get("at").map_err(be)?)?,
                    actor: r.try_get("actor").map_err(be)?,
                    action: r.try_get("action").map_err(be)?,
                    note: r.try_get("note").map_err(be)?,
                },
                actor_name: r.try_get("display_name").map_err(be)?,
            })
        })
        .collect()
}

pub async fn create_unseal_request(pool: &SqlitePool, req: &NewUnsealRequest) -> StoreResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO unseal_requests (report_id, requested_by, reason, requested_at) VALUES ($1, $2, $3, $4)
         RETURNING id",
    )
    .bind(req.report_id)
    .bind(req.requested_by)
    .bind(&req.reason)
    .bind(decode::micros(req.at))
    .fetch_one(pool)
    .await
    .map_err(map_err("permintaan buka segel"))
}

pub async fn approve_unseal_request(
    pool: &SqlitePool,
    id: i64,
    approver: i64,
    at: Timestamp,
) -> StoreResult<()> {
    let r = sqlx::query(
        "UPDATE unseal_requests SET approved_by = $2, approved_at = $3 WHERE id = $1 AND approved_by IS NULL",
    )
    .bind(id)
    .bind(approver)
    .bind(decode::micros(at))
    .execute(pool)
    .await
    .map_err(be)?;
    if r.rows_affected() == 0 {
        return Err(StoreError::NotFound(format!(
            "permintaan buka segel {id} yang menunggu"
        )));
    }
    Ok(())
}

pub async fn unseal_requests(pool: &SqlitePool, report_id: i64) -> StoreResult<Vec<UnsealRequest>> {
    let rows = sqlx::query(
        "SELECT q.id, q.report_id, q.requested_by, u.agency, q.reason, q.requested_at, q.approved_by, q.approved_at
         FROM unseal_requests q JOIN users u ON u.id = q.requested_by WHERE q.report_id = $1 ORDER BY q.id",
    )
    .bind(report_id)
    .fetch_all(pool)
    .await
    .map_err(be)?;
    rows.iter()
        .map(|r| {
            let agency: Option<String> = r.try_get("agency").map_err(be)?;
            Ok(UnsealRequest {
                id: r.try_get("id").map_err(be)?,
                report_id: r.try_get("report_id").map_err(be)?,
                requested_by: r.try_get("requested_by").map_err(be)?,
                requester_agency: agency.and_then(|a| a.parse().ok()),
                reason: r.try_get("reason").map_err(be)?,
                requested_at: decode::timestamp(r.try_get("requested_at").map_err(be)?)?,
                approved_by: r.try_get("approved_by").map_err(be)?,
                approved_at: r
                    .try_get::<Option<i64>, _>("approved_at")
                    .map_err(be)?
                    .map(decode::timestamp)
                    .transpose()?,
            })
        })
        .collect()
}

pub async fn create_api_token(
    pool: &SqlitePool,
    name: &str,
    hash: &[u8],
    agency: Option<Agency>,
    at: Timestamp,
) -> StoreResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO api_clients (name, token_hash, created_at, agency) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(name)
    .bind(hash)
    .bind(decode::micros(at))
    .bind(agency.map(|a| a.as_str()))
    .fetch_one(pool)
    .await
    .map_err(map_err("token API"))
}

pub async fn api_token(pool: &SqlitePool, hash: &[u8]) -> StoreResult<Option<ApiClient>> {
    let row = sqlx::query("SELECT id, name, active, agency FROM api_clients WHERE token_hash = $1")
        .bind(hash)
        .fetch_optional(pool)
        .await
        .map_err(be)?;
    row.map(|r| {
        Ok(ApiClient {
            id: r.try_get("id").map_err(be)?,
            name: r.try_get("name").map_err(be)?,
            active: r.try_get::<i64, _>("active").map_err(be)? != 0,
            agency: r
                .try_get::<Option<&str>, _>("agency")
                .map_err(be)?
                .map(|a| {
                    a.parse()
                        .map_err(|_| StoreError::Corrupt(format!("instansi token API '{a}'")))
                })
                .transpose()?,
        })
    })
    .transpose()
}

pub async fn append_audit(pool: &SqlitePool, e: &NewAuditEntry) -> StoreResult<()> {
    // BEGIN IMMEDIATE would be ideal; a write first takes SQLite's single writer lock, so two
    // appends cannot read the same last entry.
    let mut tx = pool.begin().await.map_err(be)?;
    sqlx::query("UPDATE audit_log SET seq = seq WHERE 0")
        .execute(&mut *tx)
        .await
        .map_err(be)?;
    let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *tx)
        .await
        .map_err(be)?;
    let (seq, prev) = match last {
        Some(r) => (
            r.try_get::<i64, _>("seq").map_err(be)? + 1,
            r.try_get::<String, _>("hash").map_err(be)?,
        ),
        None => (1, AUDIT_GENESIS.to_string()),
    };
    let hash = audit_hash(&prev, seq, e);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(seq)
    .bind(decode::micros(e.at))
    .bind(e.actor)
    .bind(&e.action)
    .bind(&e.subject)
    .bind(&e.detail)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *tx)
    .await
    .map_err(be)?;
    sqlx::query(
        "INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $2)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
    )
    .bind(seq)
    .bind(&hash)
    .execute(&mut *tx)
    .await
    .map_err(be)?;
    tx.commit().await.map_err(be)?;
    Ok(())
}

pub async fn audit_head(pool: &SqlitePool) -> StoreResult<Option<(i64, String)>> {
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_optional(pool)
        .await
        .map_err(be)?;
    row.map(|r| {
        Ok((
            r.try_get("seq").map_err(be)?,
            r.try_get("hash").map_err(be)?,
        ))
    })
    .transpose()
}

pub async fn audit_entries(pool: &SqlitePool) -> StoreResult<Vec<AuditEntry>> {
    let rows = sqlx::query("SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY seq")
        .fetch_all(pool)
        .await
        .map_err(be)?;
    rows.iter()
        .map(|r| {
            Ok(AuditEntry {
                seq: r.try_get("seq").map_err(be)?,
                entry: NewAuditEntry {
                    at: decode::timestamp(r.try_get("at").map_err(be)?)?,
                    actor: r.try_get("actor").map_err(be)?,
                    action: r.try_get("action").map_err(be)?,
                    subject: r.try_get("subject").map_err(be)?,
                    detail: r.try_get("detail").map_err(be)?,
                },
                prev_hash: r.try_get("prev_hash").map_err(be)?,
                hash: r.try_get("hash").map_err(be)?,
            })
        })
        .collect()
}

pub async fn case_of(pool: &SqlitePool, report_id: i64) -> StoreResult<Option<StoredCase>> {
    let sql = format!(
        "SELECT {} FROM reports r WHERE r.id = $1",
        crate::handling::CASE_COLUMNS
    );
    let row = sqlx::query(&sql)
        .bind(report_id)
        .fetch_optional(pool)
        .await
        .map_err(be)?;
    row.as_ref().map(crate::handling::stored_case).transpose()
}

pub async fn transition_case(
    pool: &SqlitePool,
    from: CaseState,
    next: &Case,
    e: &CaseEvent,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(be)?;
    let moved = sqlx::query(
        "UPDATE reports SET status = $2, temuan = $3, decision = $4, referred_to = $5, state_since = $6,
                registered_at = CASE WHEN $2 = 'teregistrasi' THEN $6 ELSE registered_at END
         WHERE id = $1 AND status = $7",
    )
    .bind(e.report_id)
    .bind(next.state.as_str())
    .bind(i64::from(next.temuan))
    .bind(next.decision.map(decode::decision_name))
    .bind(next.referred_to.map(|a| a.as_str()))
    .bind(decode::micros(e.at))
    .bind(from.as_str())
    .execute(&mut *tx)
    .await
    .map_err(be)?;
    if moved.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!(
            "status kasus laporan {} sudah berubah (the case moved meanwhile)",
            e.report_id
        )));
    }
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
    .execute(&mut *tx)
    .await
    .map_err(be)?;
    tx.commit().await.map_err(be)?;
    Ok(())
}

pub async fn case_events(pool: &SqlitePool, report_id: i64) -> StoreResult<Vec<CaseEvent>> {
    let rows = sqlx::query(
        "SELECT report_id, at, actor, action, from_state, to_state, detail FROM case_events
         WHERE report_id = $1 ORDER BY id",
    )
    .bind(report_id)
    .fetch_all(pool)
    .await
    .map_err(be)?;
    rows.iter()
        .map(|r| {
            Ok(CaseEvent {
                report_id: r.try_get("report_id").map_err(be)?,
                at: decode::timestamp(r.try_get("at").map_err(be)?)?,
                actor: r.try_get("actor").map_err(be)?,
                action: r.try_get("action").map_err(be)?,
                from_state: r.try_get("from_state").map_err(be)?,
                to_state: r.try_get("to_state").map_err(be)?,
                detail: r.try_get("detail").map_err(be)?,
            })
        })
        .collect()
}

pub async fn reports_referred_to(
    pool: &SqlitePool,
    agency: Agency,
    limit: u32,
) -> StoreResult<Vec<ReportSummary>> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM reports r WHERE r.referred_to = $1
         ORDER BY r.received_at DESC, r.id DESC LIMIT $2"
    );
    let rows = sqlx::query(&sql)
        .bind(agency.as_str())
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(be)?;
    rows.iter().map(summary).collect()
}

pub async fn reports_by_subject_mac(pool: &SqlitePool, mac: &[u8]) -> StoreResult<Vec<i64>> {
    sqlx::query_scalar("SELECT id FROM reports WHERE subject_mac = $1 ORDER BY id")
        .bind(mac)
        .fetch_all(pool)
        .await
        .map_err(be)
}
