//! Rakor meetings and follow-up actions on PostgreSQL.

use jiff::Timestamp;
use posko_core::rakor::{Attendance, FollowUp};
use posko_core::RegionCode;
use posko_store::{
    code_range, decode, FollowUpEvent, FollowUpFilter, FollowUpMove, Meeting, MeetingDecision,
    MeetingSummary, NewFollowUp, NewMeeting, StoreError, StoreResult, FOLLOW_UP_COLUMNS,
};
use sqlx::postgres::{PgPool, PgRow};
use sqlx::{QueryBuilder, Row};

use crate::map_err;
use crate::reports::be;

pub async fn create_meeting(pool: &PgPool, m: &NewMeeting) -> StoreResult<i64> {
    let mut tx = pool.begin().await.map_err(be)?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO rakor_meetings (region, held_at, place, chair, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(m.region.to_string())
    .bind(m.held_at.as_microsecond())
    .bind(&m.place)
    .bind(&m.chair)
    .bind(m.created_by)
    .bind(m.created_at.as_microsecond())
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err("rapat"))?;
    for (i, item) in m.agenda.iter().enumerate() {
        sqlx::query("INSERT INTO rakor_agenda (meeting_id, position, item) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(i as i64 + 1)
            .bind(item)
            .execute(&mut *tx)
            .await
            .map_err(map_err("agenda"))?;
    }
    for a in &m.attendance {
        sqlx::query(
            "INSERT INTO rakor_attendance (meeting_id, agency, representative, position)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(a.agency.as_str())
        .bind(&a.representative)
        .bind(&a.position)
        .execute(&mut *tx)
        .await
        .map_err(map_err("kehadiran instansi"))?;
    }
    tx.commit().await.map_err(be)?;
    Ok(id)
}

pub async fn meetings(
    pool: &PgPool,
    within: &RegionCode,
    limit: u32,
) -> StoreResult<Vec<MeetingSummary>> {
    let (low, high) = code_range(within);
    let rows = sqlx::query(
        "SELECT m.id, m.region, m.held_at, m.place, m.chair,
                (SELECT COUNT(*) FROM rakor_decisions d WHERE d.meeting_id = m.id) AS decisions,
                (SELECT COUNT(*) FROM rakor_actions a WHERE a.meeting_id = m.id) AS actions,
                (SELECT COUNT(*) FROM rakor_actions a WHERE a.meeting_id = m.id
                   AND a.state IN ('terbuka', 'dikerjakan')) AS open_actions
         FROM rakor_meetings m
         WHERE m.region >= $1 AND m.region < $2
         ORDER BY m.held_at DESC, m.id DESC LIMIT $3",
    )
    .bind(low)
    .bind(high)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(be)?;
    rows.iter()
        .map(|r| {
            let n = |c: &str| -> StoreResult<u32> {
                Ok(u32::try_from(r.try_get::<i64, _>(c).map_err(be)?).unwrap_or(0))
            };
            Ok(MeetingSummary {
                id: r.try_get("id").map_err(be)?,
                region: decode::region(r.try_get::<&str, _>("region").map_err(be)?)?,
                held_at: decode::timestamp(r.try_get("held_at").map_err(be)?)?,
                place: r.try_get("place").map_err(be)?,
                chair: r.try_get("chair").map_err(be)?,
                decisions: n("decisions")?,
                actions: n("actions")?,
                open_actions: n("open_actions")?,
            })
        })
        .collect()
}

pub async fn meeting(pool: &PgPool, id: i64) -> StoreResult<Option<Meeting>> {
    let Some(r) = sqlx::query(
        "SELECT id, region, held_at, place, chair, created_at FROM rakor_meetings WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(be)?
    else {
        return Ok(None);
    };
    let agenda =
        sqlx::query_scalar("SELECT item FROM rakor_agenda WHERE meeting_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(pool)
            .await
            .map_err(be)?;
    let attendance = sqlx::query(
        "SELECT agency, representative, position FROM rakor_attendance WHERE meeting_id = $1
         ORDER BY agency",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .map_err(be)?
    .iter()
    .map(|a| {
        Ok(Attendance {
            agency: posko_store::agency(a.try_get::<&str, _>("agency").map_err(be)?)?,
            representative: a.try_get("representative").map_err(be)?,
            position: a.try_get("position").map_err(be)?,
        })
    })
    .collect::<StoreResult<Vec<_>>>()?;
    let decisions = sqlx::query(
        "SELECT number, text FROM rakor_decisions WHERE meeting_id = $1 ORDER BY number",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .map_err(be)?
    .iter()
    .map(|d| {
        Ok(MeetingDecision {
            number: u32::try_from(d.try_get::<i64, _>("number").map_err(be)?).unwrap_or(0),
            text: d.try_get("text").map_err(be)?,
        })
    })
    .collect::<StoreResult<Vec<_>>>()?;
    Ok(Some(Meeting {
        id: r.try_get("id").map_err(be)?,
        region: decode::region(r.try_get::<&str, _>("region").map_err(be)?)?,
        held_at: decode::timestamp(r.try_get("held_at").map_err(be)?)?,
        place: r.try_get("place").map_err(be)?,
        chair: r.try_get("chair").map_err(be)?,
        agenda,
        attendance,
        decisions,
        created_at: decode::timestamp(r.try_get("created_at").map_err(be)?)?,
    }))
}

pub async fn add_decision(
    pool: &PgPool,
    meeting_id: i64,
    text: &str,
    at: Timestamp,
) -> StoreResult<u32> {
    // Locking the meeting row makes the next number this transaction's alone.
    let mut tx = pool.begin().await.map_err(be)?;
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT id FROM rakor_meetings WHERE id = $1 FOR UPDATE")
            .bind(meeting_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(be)?;
    if exists.is_none() {
        return Err(StoreError::NotFound(format!("rapat {meeting_id}")));
    }
    let number: i64 = sqlx::query_scalar(
        "INSERT INTO rakor_decisions (meeting_id, number, text, created_at)
         SELECT $1, COALESCE(MAX(number), 0) + 1, $2, $3 FROM rakor_decisions WHERE meeting_id = $1
         RETURNING number",
    )
    .bind(meeting_id)
    .bind(text)
    .bind(at.as_microsecond())
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err("keputusan"))?;
    tx.commit().await.map_err(be)?;
    Ok(u32::try_from(number).unwrap_or(0))
}

pub async fn add_follow_up(pool: &PgPool, a: &NewFollowUp) -> StoreResult<i64> {
    let mut tx = pool.begin().await.map_err(be)?;
    let exists: Option<i64> = sqlx::query_scalar(
        "SELECT number FROM rakor_decisions WHERE meeting_id = $1 AND number = $2",
    )
    .bind(a.meeting_id)
    .bind(i64::from(a.decision))
    .fetch_optional(&mut *tx)
    .await
    .map_err(be)?;
    if exists.is_none() {
        return Err(StoreError::NotFound(format!(
            "keputusan {} rapat {}",
            a.decision, a.meeting_id
        )));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO rakor_actions
           (meeting_id, decision, agency, description, due_date, state, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, 'terbuka', $6, $7) RETURNING id",
    )
    .bind(a.meeting_id)
    .bind(i64::from(a.decision))
    .bind(a.agency.as_str())
    .bind(&a.description)
    .bind(a.due.to_string())
    .bind(a.created_by)
    .bind(a.created_at.as_microsecond())
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err("tindak lanjut"))?;
    tx.commit().await.map_err(be)?;
    Ok(id)
}

fn follow_up_row(r: &PgRow) -> StoreResult<FollowUp> {
    posko_store::follow_up(
        r.try_get(0).map_err(be)?,
        r.try_get(1).map_err(be)?,
        r.try_get(2).map_err(be)?,
        r.try_get::<&str, _>(3).map_err(be)?,
        r.try_get::<&str, _>(4).map_err(be)?,
        r.try_get(5).map_err(be)?,
        r.try_get::<&str, _>(6).map_err(be)?,
        r.try_get::<&str, _>(7).map_err(be)?,
        r.try_get(8).map_err(be)?,
        r.try_get(9).map_err(be)?,
    )
}

pub async fn follow_ups(pool: &PgPool, f: &FollowUpFilter) -> StoreResult<Vec<FollowUp>> {
    let mut qb = QueryBuilder::new(format!(
        "SELECT {FOLLOW_UP_COLUMNS} FROM rakor_actions a
         JOIN rakor_meetings m ON m.id = a.meeting_id WHERE 1 = 1"
    ));
    if let Some(r) = &f.within {
        let (low, high) = code_range(r);
        qb.push(" AND m.region >= ")
            .push_bind(low)
            .push(" AND m.region < ")
            .push_bind(high);
    }
    if let Some(a) = f.agency {
        qb.push(" AND a.agency = ").push_bind(a.as_str());
    }
    if let Some(m) = f.meeting {
        qb.push(" AND a.meeting_id = ").push_bind(m);
    }
    if f.open_only {
        qb.push(" AND a.state IN ('terbuka', 'dikerjakan')");
    }
    qb.push(" ORDER BY a.due_date, a.id");
    let rows = qb.build().fetch_all(pool).await.map_err(be)?;
    rows.iter().map(follow_up_row).collect()
}

pub async fn follow_up(pool: &PgPool, id: i64) -> StoreResult<Option<FollowUp>> {
    let row = sqlx::query(&format!(
        "SELECT {FOLLOW_UP_COLUMNS} FROM rakor_actions a
         JOIN rakor_meetings m ON m.id = a.meeting_id WHERE a.id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(be)?;
    row.as_ref().map(follow_up_row).transpose()
}

pub async fn move_follow_up(pool: &PgPool, mv: &FollowUpMove) -> StoreResult<bool> {
    let mut tx = pool.begin().await.map_err(be)?;
    let closed = (!mv.to.is_open()).then_some(mv.at.as_microsecond());
    let changed = sqlx::query(
        "UPDATE rakor_actions SET state = $1, closed_at = $2 WHERE id = $3 AND state = $4",
    )
    .bind(mv.to.as_str())
    .bind(closed)
    .bind(mv.action_id)
    .bind(mv.from.as_str())
    .execute(&mut *tx)
    .await
    .map_err(map_err("tindak lanjut"))?
    .rows_affected();
    if changed == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO rakor_action_events (action_id, from_state, to_state, note, by_user, at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(mv.action_id)
    .bind(mv.from.as_str())
    .bind(mv.to.as_str())
    .bind(&mv.note)
    .bind(mv.by)
    .bind(mv.at.as_microsecond())
    .execute(&mut *tx)
    .await
    .map_err(map_err("riwayat tindak lanjut"))?;
    tx.commit().await.map_err(be)?;
    Ok(true)
}

pub async fn follow_up_events(pool: &PgPool, id: i64) -> StoreResult<Vec<FollowUpEvent>> {
    let rows = sqlx::query(
        "SELECT e.from_state, e.to_state, e.note, e.by_user, u.display_name, e.at
         FROM rakor_action_events e LEFT JOIN users u ON u.id = e.by_user
         WHERE e.action_id = $1 ORDER BY e.id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .map_err(be)?;
    rows.iter()
        .map(|r| {
            Ok(FollowUpEvent {
                from: posko_store::action_state(r.try_get::<&str, _>(0).map_err(be)?)?,
                to: posko_store::action_state(r.try_get::<&str, _>(1).map_err(be)?)?,
                note: r.try_get(2).map_err(be)?,
                by: r.try_get(3).map_err(be)?,
                by_name: r.try_get(4).map_err(be)?,
                at: decode::timestamp(r.try_get(5).map_err(be)?)?,
            })
        })
        .collect()
}
