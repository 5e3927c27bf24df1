//! Result forms and a previous election's turnout on PostgreSQL.

use jiff::Timestamp;
use posko_core::results::ResultForm;
use posko_core::results::Turnout;
use posko_core::RegionCode;
use posko_store::{
    area_of, area_text, ballot_of, code_range, form_counts, form_of, votes_text, PreviousTurnout,
    StoreResult, FORMS_CHUNK, FORM_COLUMNS,
};
use sqlx::postgres::PgPool;
use sqlx::{QueryBuilder, Row};

use crate::map_err;
use crate::reports::be;

pub async fn import_result_forms(
    pool: &PgPool,
    election: &str,
    forms: &[ResultForm],
    source: &str,
    at: Timestamp,
) -> StoreResult<u64> {
    let mut tx = pool.begin().await.map_err(be)?;
    for chunk in forms.chunks(FORMS_CHUNK) {
        let mut qb = QueryBuilder::new(format!(
            "INSERT INTO result_forms (election, village, tps, ballot, {FORM_COLUMNS}, votes, \
             source, imported_at) "
        ));
        qb.push_values(chunk, |mut b, f| {
            b.push_bind(election)
                .push_bind(f.tps.village.to_string())
                .push_bind(i64::from(f.tps.number.get()))
                .push_bind(f.ballot.as_str());
            for n in form_counts(f) {
                b.push_bind(n);
            }
            b.push_bind(votes_text(&f.votes))
                .push_bind(source)
                .push_bind(at.as_microsecond());
        });
        qb.push(
            " ON CONFLICT (election, village, tps, ballot) DO UPDATE SET
              dpt = excluded.dpt, dptb = excluded.dptb, dpk = excluded.dpk,
              voted_dpt = excluded.voted_dpt, voted_dptb = excluded.voted_dptb,
              voted_dpk = excluded.voted_dpk, received = excluded.received, used = excluded.used,
              unused = excluded.unused, damaged = excluded.damaged, valid = excluded.valid,
              invalid = excluded.invalid, votes = excluded.votes, source = excluded.source,
              imported_at = excluded.imported_at",
        );
        qb.build()
            .execute(&mut *tx)
            .await
            .map_err(map_err("formulir hasil"))?;
    }
    tx.commit().await.map_err(be)?;
    Ok(forms.len() as u64)
}

pub async fn result_forms(
    pool: &PgPool,
    election: &str,
    within: &RegionCode,
) -> StoreResult<Vec<ResultForm>> {
    let (low, high) = code_range(within);
    let rows = sqlx::query(&format!(
        "SELECT village, tps, ballot, {FORM_COLUMNS}, votes FROM result_forms
         WHERE election = $1 AND village >= $2 AND village < $3
         ORDER BY village, tps, ballot"
    ))
    .bind(election)
    .bind(low)
    .bind(high)
    .fetch_all(pool)
    .await
    .map_err(be)?;
    let mut forms = rows
        .iter()
        .map(|r| {
            let mut n = [0i64; 12];
            for (i, slot) in n.iter_mut().enumerate() {
                *slot = r.try_get(3 + i).map_err(be)?;
            }
            form_of(
                r.try_get::<String, _>(0).map_err(be)?.as_str(),
                r.try_get(1).map_err(be)?,
                r.try_get::<String, _>(2).map_err(be)?.as_str(),
                n,
                r.try_get::<String, _>(15).map_err(be)?.as_str(),
            )
        })
        .collect::<StoreResult<Vec<_>>>()?;
    // Ballot types in their own order (PPWP first), not the text's.
    forms.sort_by_key(|f| (f.tps, f.ballot));
    Ok(forms)
}

pub async fn set_previous_turnout(
    pool: &PgPool,
    election: &str,
    label: &str,
    rows: &[PreviousTurnout],
) -> StoreResult<u64> {
    let mut tx = pool.begin().await.map_err(be)?;
    sqlx::query("DELETE FROM previous_turnout WHERE election = $1")
        .bind(election)
        .execute(&mut *tx)
        .await
        .map_err(be)?;
    for chunk in rows.chunks(FORMS_CHUNK) {
        let mut qb = QueryBuilder::new(
            "INSERT INTO previous_turnout (election, label, area, ballot, registered, voted) ",
        );
        qb.push_values(chunk, |mut b, p| {
            b.push_bind(election)
                .push_bind(label)
                .push_bind(area_text(p.area))
                .push_bind(p.ballot.as_str())
                .push_bind(i64::try_from(p.turnout.registered).unwrap_or(i64::MAX))
                .push_bind(i64::try_from(p.turnout.voted).unwrap_or(i64::MAX));
        });
        qb.build()
            .execute(&mut *tx)
            .await
            .map_err(map_err("partisipasi sebelumnya"))?;
    }
    tx.commit().await.map_err(be)?;
    Ok(rows.len() as u64)
}

pub async fn previous_turnout(
    pool: &PgPool,
    election: &str,
) -> StoreResult<Option<(String, Vec<PreviousTurnout>)>> {
    let rows = sqlx::query(
        "SELECT label, area, ballot, registered, voted FROM previous_turnout
         WHERE election = $1 ORDER BY area, ballot",
    )
    .bind(election)
    .fetch_all(pool)
    .await
    .map_err(be)?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let label: String = first.try_get(0).map_err(be)?;
    let list = rows
        .iter()
        .map(|r| {
            Ok(PreviousTurnout {
                area: area_of(r.try_get::<String, _>(1).map_err(be)?.as_str())?,
                ballot: ballot_of(r.try_get::<String, _>(2).map_err(be)?.as_str())?,
                turnout: Turnout {
                    registered: r.try_get::<i64, _>(3).map_err(be)?.max(0) as u64,
                    voted: r.try_get::<i64, _>(4).map_err(be)?.max(0) as u64,
                },
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Some((label, list)))
}
