//! Notifications on SQLite: in-app rows, alert keys raised once, and the outbox. SQLite has one
//! writer at a time, so claiming due rows is one `UPDATE … RETURNING` that leases them (pushes
//! `next_attempt_at` forward) while it holds the write lock: two claimers never get one row.

use jiff::Timestamp;
use posko_store::{
    decode, decode_outbox_item, NewNotice, NewOutbox, Notification, OutboxItem, StoreResult,
    NOTIFICATION_COLUMNS, OUTBOX_COLUMNS,
};
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::map_err;
use crate::reports::be;

fn notification(r: &SqliteRow) -> StoreResult<Notification> {
    Ok(Notification {
        id: r.try_get("id").map_err(be)?,
        user_id: r.try_get("user_id").map_err(be)?,
        report_id: r.try_get("report_id").map_err(be)?,
        kind: r.try_get("kind").map_err(be)?,
        message_id: r.try_get("message_id").map_err(be)?,
        message_en: r.try_get("message_en").map_err(be)?,
        created_at: decode::timestamp(r.try_get("created_at").map_err(be)?)?,
        read_at: r
            .try_get::<Option<i64>, _>("read_at")
            .map_err(be)?
            .map(decode::timestamp)
            .transpose()?,
    })
}

fn outbox_item(r: &SqliteRow) -> StoreResult<OutboxItem> {
    decode_outbox_item(
        r.try_get("id").map_err(be)?,
        r.try_get::<&str, _>("channel").map_err(be)?,
        r.try_get("target").map_err(be)?,
        r.try_get("payload").map_err(be)?,
        r.try_get("created_at").map_err(be)?,
        r.try_get("attempts").map_err(be)?,
        r.try_get("next_attempt_at").map_err(be)?,
        r.try_get("delivered_at").map_err(be)?,
        r.try_get("last_error").map_err(be)?,
    )
}

async fn enqueue(
    tx: &mut sqlx::SqliteConnection,
    rows: &[NewOutbox],
    at: Timestamp,
) -> StoreResult<()> {
    for o in rows {
        sqlx::query(
            "INSERT INTO outbox (channel, target, payload, created_at, next_attempt_at)
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(o.channel.as_str())
        .bind(&o.target)
        .bind(&o.payload)
        .bind(decode::micros(at))
        .execute(&mut *tx)
        .await
        .map_err(map_err("kiriman"))?;
    }
    Ok(())
}

pub async fn raise_notice(pool: &SqlitePool, n: &NewNotice) -> StoreResult<bool> {
    let mut tx = pool.begin().await.map_err(be)?;
    let raised = raise_in(&mut tx, n).await?;
    tx.commit().await.map_err(be)?;
    Ok(raised)
}

/// Several notices in one transaction (one commit, not one per notice): an import that finds
/// trouble in thousands of districts tells them all at once.
pub async fn raise_notices(pool: &SqlitePool, notices: &[NewNotice]) -> StoreResult<Vec<bool>> {
    let mut tx = pool.begin().await.map_err(be)?;
    let mut raised = Vec::with_capacity(notices.len());
    for n in notices {
        raised.push(raise_in(&mut tx, n).await?);
    }
    tx.commit().await.map_err(be)?;
    Ok(raised)
}

/// Records one notice inside a transaction; `false` (and nothing written) when its dedupe key
/// was raised before.
async fn raise_in(tx: &mut sqlx::SqliteConnection, n: &NewNotice) -> StoreResult<bool> {
    let at = decode::micros(n.at);
    if let Some(key) = &n.dedupe_key {
        let fresh = sqlx::query(
            "INSERT INTO notice_keys (key, raised_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(key)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(map_err("kunci pemberitahuan"))?
        .rows_affected()
            == 1;
        if !fresh {
            return Ok(false);
        }
    }
    for x in &n.notifications {
        sqlx::query(
            "INSERT INTO notifications (user_id, report_id, kind, message_id, message_en, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(x.user_id)
        .bind(x.report_id)
        .bind(&x.kind)
        .bind(&x.message_id)
        .bind(&x.message_en)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(map_err("pemberitahuan"))?;
    }
    enqueue(tx, &n.outbox, n.at).await?;
    Ok(true)
}

pub async fn notifications(
    pool: &SqlitePool,
    user_id: i64,
    limit: u32,
) -> StoreResult<Vec<Notification>> {
    let rows = sqlx::query(&format!(
        "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE user_id = $1
         ORDER BY read_at IS NOT NULL, created_at DESC, id DESC LIMIT $2"
    ))
    .bind(user_id)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(be)?;
    rows.iter().map(notification).collect()
}

pub async fn unread_notifications(pool: &SqlitePool, user_id: i64) -> StoreResult<u64> {
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(pool)
    .await
    .map_err(be)?;
    Ok(n.max(0) as u64)
}

pub async fn mark_read(
    pool: &SqlitePool,
    user_id: i64,
    id: Option<i64>,
    at: Timestamp,
) -> StoreResult<u64> {
    let mut q: QueryBuilder<Sqlite> = QueryBuilder::new("UPDATE notifications SET read_at = ");
    q.push_bind(decode::micros(at))
        .push(" WHERE read_at IS NULL AND user_id = ")
        .push_bind(user_id);
    if let Some(id) = id {
        q.push(" AND id = ").push_bind(id);
    }
    let done = q.build().execute(pool).await.map_err(be)?;
    Ok(done.rows_affected())
}

pub async fn claim_outbox(
    pool: &SqlitePool,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u32,
) -> StoreResult<Vec<OutboxItem>> {
    // One statement: SQLite takes the write lock before it reads, so the rows it picks are
    // leased before any other claimer can see them as due.
    let rows = sqlx::query(&format!(
        "UPDATE outbox SET next_attempt_at = $2, attempts = attempts + 1
         WHERE id IN (SELECT id FROM outbox
                      WHERE delivered_at IS NULL AND next_attempt_at IS NOT NULL
                        AND next_attempt_at <= $1
                      ORDER BY next_attempt_at, id LIMIT $3)
         RETURNING {OUTBOX_COLUMNS}"
    ))
    .bind(decode::micros(now))
    .bind(decode::micros(lease_until))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(be)?;
    let mut items = rows
        .iter()
        .map(outbox_item)
        .collect::<StoreResult<Vec<_>>>()?;
    items.sort_by_key(|i| i.id);
    Ok(items)
}

pub async fn outbox_delivered(pool: &SqlitePool, id: i64, at: Timestamp) -> StoreResult<()> {
    sqlx::query(
        "UPDATE outbox SET delivered_at = $2, next_attempt_at = NULL, last_error = NULL
         WHERE id = $1",
    )
    .bind(id)
    .bind(decode::micros(at))
    .execute(pool)
    .await
    .map_err(be)?;
    Ok(())
}

pub async fn outbox_failed(
    pool: &SqlitePool,
    id: i64,
    error: &str,
    retry_at: Option<Timestamp>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE outbox SET last_error = $2, next_attempt_at = $3
         WHERE id = $1 AND delivered_at IS NULL",
    )
    .bind(id)
    .bind(error)
    .bind(retry_at.map(decode::micros))
    .execute(pool)
    .await
    .map_err(be)?;
    Ok(())
}

pub async fn outbox_fan_out(
    pool: &SqlitePool,
    id: i64,
    rows: &[NewOutbox],
    at: Timestamp,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(be)?;
    // Only an event not fanned out yet: a second worker whose lease ran out adds nothing.
    let done = sqlx::query(
        "UPDATE outbox SET delivered_at = $2, next_attempt_at = NULL
         WHERE id = $1 AND delivered_at IS NULL",
    )
    .bind(id)
    .bind(decode::micros(at))
    .execute(&mut *tx)
    .await
    .map_err(be)?;
    if done.rows_affected() == 1 {
        enqueue(&mut tx, rows, at).await?;
    }
    tx.commit().await.map_err(be)?;
    Ok(())
}

pub async fn outbox_entries(pool: &SqlitePool, limit: u32) -> StoreResult<Vec<OutboxItem>> {
    let rows = sqlx::query(&format!(
        "SELECT {OUTBOX_COLUMNS} FROM outbox ORDER BY id DESC LIMIT $1"
    ))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(be)?;
    rows.iter().map(outbox_item).collect()
}

pub async fn set_user_email(
    pool: &SqlitePool,
    user_id: i64,
    email: Option<&str>,
) -> StoreResult<()> {
    let done = sqlx::query("UPDATE users SET email = $2 WHERE id = $1")
        .bind(user_id)
        .bind(email)
        .execute(pool)
        .await
        .map_err(map_err("surel"))?;
    if done.rows_affected() == 0 {
        return Err(posko_store::StoreError::NotFound(format!(
            "pengguna {user_id}"
        )));
    }
    Ok(())
}

pub async fn user_emails(pool: &SqlitePool, user_ids: &[i64]) -> StoreResult<Vec<(i64, String)>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q: QueryBuilder<Sqlite> =
        QueryBuilder::new("SELECT id, email FROM users WHERE email IS NOT NULL AND id IN (");
    let mut list = q.separated(", ");
    for id in user_ids {
        list.push_bind(*id);
    }
    q.push(") ORDER BY id");
    let rows = q.build().fetch_all(pool).await.map_err(be)?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id").map_err(be)?,
                r.try_get("email").map_err(be)?,
            ))
        })
        .collect()
}
