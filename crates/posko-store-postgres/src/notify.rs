//! Notifications on PostgreSQL: in-app rows, alert keys raised once (a unique key: a second app
//! server raising the same alert waits on the first and then adds nothing), and the outbox.
//! Several app servers claim due rows at once: each takes them with `FOR UPDATE SKIP LOCKED` in
//! a transaction that leases them (pushes `next_attempt_at` forward), so none is sent twice.

use jiff::Timestamp;
use posko_store::{
    decode, decode_outbox_item, NewNotice, NewOutbox, Notification, OutboxItem, StoreResult,
    NOTIFICATION_COLUMNS, OUTBOX_COLUMNS,
};
use sqlx::postgres::{PgPool, PgRow};
use sqlx::{Postgres, QueryBuilder, Row};

use crate::map_err;
use crate::reports::be;

fn notification(r: &PgRow) -> StoreResult<Notification> {
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

fn outbox_item(r: &PgRow) -> StoreResult<OutboxItem> {
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
    tx: &mut sqlx::PgConnection,
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

pub async fn raise_notice(pool: &PgPool, n: &NewNotice) -> StoreResult<bool> {
    let raised = raise_notices(pool, std::slice::from_ref(n)).await?;
    Ok(raised.first().copied().unwrap_or(false))
}

/// Several notices in one transaction (one commit, not one per notice): an import that finds
/// trouble in thousands of districts tells them all at once.
/// Written in a few statements, not three round trips per notice: a national import raises
/// notices for thousands of districts, and one statement each had cost it seconds of waiting.
pub async fn raise_notices(pool: &PgPool, notices: &[NewNotice]) -> StoreResult<Vec<bool>> {
    let mut tx = pool.begin().await.map_err(be)?;
    // Every dedupe key claimed in one statement; a notice is raised when its key is new, and
    // only the first of several notices with one key (as if they came one after another).
    let keys: Vec<(&str, i64)> = notices
        .iter()
        .filter_map(|n| Some((n.dedupe_key.as_deref()?, decode::micros(n.at))))
        .collect();
    let mut fresh: std::collections::HashSet<String> = std::collections::HashSet::new();
    if !keys.is_empty() {
        let (names, ats): (Vec<&str>, Vec<i64>) = keys.into_iter().unzip();
        fresh = sqlx::query_scalar(
            "INSERT INTO notice_keys (key, raised_at)
             SELECT * FROM UNNEST($1::text[], $2::bigint[])
             ON CONFLICT DO NOTHING RETURNING key",
        )
        .bind(&names)
        .bind(&ats)
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err("kunci pemberitahuan"))?
        .into_iter()
        .collect();
    }
    let raised: Vec<bool> = notices
        .iter()
        .map(|n| match &n.dedupe_key {
            // `remove`: a second notice with the same key finds it gone.
            Some(key) => fresh.remove(key),
            None => true,
        })
        .collect();
    let kept = || notices.iter().zip(&raised).filter(|(_, r)| **r);
    let notifications: Vec<(i64, &posko_store::NewNotification)> = kept()
        .flat_map(|(n, _)| {
            let at = decode::micros(n.at);
            n.notifications.iter().map(move |x| (at, x))
        })
        .collect();
    // Six values a row, under PostgreSQL's 65,535 bound values per statement.
    for part in notifications.chunks(10_000) {
        let mut qb = QueryBuilder::<Postgres>::new(
            "INSERT INTO notifications (user_id, report_id, kind, message_id, message_en, created_at) ",
        );
        qb.push_values(part, |mut b, (at, x)| {
            b.push_bind(x.user_id)
                .push_bind(x.report_id)
                .push_bind(&x.kind)
                .push_bind(&x.message_id)
                .push_bind(&x.message_en)
                .push_bind(*at);
        });
        qb.build()
            .execute(&mut *tx)
            .await
            .map_err(map_err("pemberitahuan"))?;
    }
    let outbox: Vec<(i64, &NewOutbox)> = kept()
        .flat_map(|(n, _)| {
            let at = decode::micros(n.at);
            n.outbox.iter().map(move |o| (at, o))
        })
        .collect();
    for part in outbox.chunks(10_000) {
        let mut qb = QueryBuilder::<Postgres>::new(
            "INSERT INTO outbox (channel, target, payload, created_at, next_attempt_at) ",
        );
        qb.push_values(part, |mut b, (at, o)| {
            b.push_bind(o.channel.as_str())
                .push_bind(&o.target)
                .push_bind(&o.payload)
                .push_bind(*at)
                .push_bind(*at);
        });
        qb.build()
            .execute(&mut *tx)
            .await
            .map_err(map_err("kiriman"))?;
    }
    tx.commit().await.map_err(be)?;
    Ok(raised)
}

pub async fn notifications(
    pool: &PgPool,
    user_id: i64,
    limit: u32,
) -> StoreResult<Vec<Notification>> {
    let rows = sqlx::query(&format!(
        "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE user_id = $1
         ORDER BY (read_at IS NOT NULL), created_at DESC, id DESC LIMIT $2"
    ))
    .bind(user_id)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(be)?;
    rows.iter().map(notification).collect()
}

pub async fn unread_notifications(pool: &PgPool, user_id: i64) -> StoreResult<u64> {
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
    pool: &PgPool,
    user_id: i64,
    id: Option<i64>,
    at: Timestamp,
) -> StoreResult<u64> {
    let mut q: QueryBuilder<Postgres> = QueryBuilder::new("UPDATE notifications SET read_at = ");
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
    pool: &PgPool,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u32,
) -> StoreResult<Vec<OutboxItem>> {
    let mut tx = pool.begin().await.map_err(be)?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM outbox
         WHERE delivered_at IS NULL AND next_attempt_at IS NOT NULL AND next_attempt_at <= $1
         ORDER BY next_attempt_at, id LIMIT $2
         FOR UPDATE SKIP LOCKED",
    )
    .bind(decode::micros(now))
    .bind(i64::from(limit))
    .fetch_all(&mut *tx)
    .await
    .map_err(be)?;
    let rows = sqlx::query(&format!(
        "UPDATE outbox SET next_attempt_at = $2, attempts = attempts + 1
         WHERE id = ANY($1) RETURNING {OUTBOX_COLUMNS}"
    ))
    .bind(&ids)
    .bind(decode::micros(lease_until))
    .fetch_all(&mut *tx)
    .await
    .map_err(be)?;
    tx.commit().await.map_err(be)?;
    let mut items = rows
        .iter()
        .map(outbox_item)
        .collect::<StoreResult<Vec<_>>>()?;
    items.sort_by_key(|i| i.id);
    Ok(items)
}

pub async fn outbox_delivered(pool: &PgPool, id: i64, at: Timestamp) -> StoreResult<()> {
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
    pool: &PgPool,
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
    pool: &PgPool,
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

pub async fn outbox_entries(pool: &PgPool, limit: u32) -> StoreResult<Vec<OutboxItem>> {
    let rows = sqlx::query(&format!(
        "SELECT {OUTBOX_COLUMNS} FROM outbox ORDER BY id DESC LIMIT $1"
    ))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(be)?;
    rows.iter().map(outbox_item).collect()
}

pub async fn set_user_email(pool: &PgPool, user_id: i64, email: Option<&str>) -> StoreResult<()> {
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

pub async fn user_emails(pool: &PgPool, user_ids: &[i64]) -> StoreResult<Vec<(i64, String)>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q: QueryBuilder<Postgres> =
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
