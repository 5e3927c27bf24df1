//! Neutrality briefings, integrity pledges and the public case facts on PostgreSQL.

use jiff::Timestamp;
use posko_core::akuntabilitas::CaseFact;
use posko_core::netralitas::{Headcount, OfficialKind, PledgeFact};
use posko_core::RegionCode;
use posko_store::{
    code_range, decode, official_kind, NewBriefing, NewPledge, PledgeCount, PledgeMark,
    StoreResult, StoredBriefing,
};
use sqlx::postgres::PgPool;
use sqlx::Row;

use crate::map_err;
use crate::reports::be;

pub async fn set_headcounts(pool: &PgPool, rows: &[Headcount], at: Timestamp) -> StoreResult<u64> {
    let mut tx = pool.begin().await.map_err(be)?;
    for h in rows {
        sqlx::query(
            "INSERT INTO neutrality_units (region_code, unit, kind, headcount, updated_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (region_code, unit, kind)
             DO UPDATE SET headcount = excluded.headcount, updated_at = excluded.updated_at",
        )
        .bind(h.region.to_string())
        .bind(&h.unit)
        .bind(h.kind.as_str())
        .bind(i64::try_from(h.headcount).unwrap_or(i64::MAX))
        .bind(at.as_microsecond())
        .execute(&mut *tx)
        .await
        .map_err(map_err("jumlah pegawai unit"))?;
    }
    tx.commit().await.map_err(be)?;
    Ok(rows.len() as u64)
}

pub async fn headcounts(pool: &PgPool, within: &RegionCode) -> StoreResult<Vec<Headcount>> {
    let (low, high) = code_range(within);
    let rows = sqlx::query(
        "SELECT region_code, unit, kind, headcount FROM neutrality_units
         WHERE region_code >= $1 AND region_code < $2 ORDER BY region_code, unit, kind",
    )
    .bind(low)
    .bind(high)
    .fetch_all(pool)
    .await
    .map_err(be)?;
    rows.iter()
        .map(|r| {
            Ok(Headcount {
                region: decode::region(r.try_get::<&str, _>("region_code").map_err(be)?)?,
                unit: r.try_get("unit").map_err(be)?,
                kind: official_kind(r.try_get::<&str, _>("kind").map_err(be)?)?,
                headcount: u64::try_from(r.try_get::<i64, _>("headcount").map_err(be)?)
                    .unwrap_or(0),
            })
        })
        .collect()
}

pub async fn add_briefing(pool: &PgPool, b: &NewBriefing) -> StoreResult<i64> {
    let mut tx = pool.begin().await.map_err(be)?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO neutrality_briefings (region_code, held_on, held_by_agency, held_by, unit,
             unit_key, asn, camat, kepala_desa, perangkat_desa, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(b.region.to_string())
    .bind(b.held_on.to_string())
    .bind(b.held_by_agency.as_str())
    .bind(&b.held_by)
    .bind(&b.unit)
    .bind(&b.unit_key)
    .bind(i64::from(b.asn))
    .bind(i64::from(b.camat))
    .bind(i64::from(b.kepala_desa))
    .bind(i64::from(b.perangkat_desa))
    .bind(b.created_by)
    .bind(b.created_at.as_microsecond())
    .fetch_one(&mut *tx)
    .await
    .map_err(map_err("penyuluhan netralitas"))?;
    for v in &b.villages {
        sqlx::query(
            "INSERT INTO neutrality_briefing_villages (briefing_id, village_code) VALUES ($1, $2)
             ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(v.to_string())
        .execute(&mut *tx)
        .await
        .map_err(map_err("desa penyuluhan"))?;
    }
    tx.commit().await.map_err(be)?;
    Ok(id)
}

pub async fn briefings(
    pool: &PgPool,
    within: &RegionCode,
    limit: u32,
) -> StoreResult<Vec<StoredBriefing>> {
    let (low, high) = code_range(within);
    let rows = sqlx::query(
        "SELECT id, region_code, held_on, held_by_agency, held_by, unit, unit_key, asn, camat,
                kepala_desa, perangkat_desa, created_by, created_at,
                (SELECT string_agg(village_code, ' ' ORDER BY village_code)
                   FROM neutrality_briefing_villages v WHERE v.briefing_id = b.id) AS villages
         FROM neutrality_briefings b
         WHERE region_code >= $1 AND region_code < $2
         ORDER BY held_on DESC, id DESC LIMIT $3",
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
            let villages: Option<String> = r.try_get("villages").map_err(be)?;
            Ok(StoredBriefing {
                id: r.try_get("id").map_err(be)?,
                briefing: NewBriefing {
                    region: decode::region(r.try_get::<&str, _>("region_code").map_err(be)?)?,
                    held_on: decode::date(r.try_get::<&str, _>("held_on").map_err(be)?)?,
                    held_by_agency: posko_store::agency(
                        r.try_get::<&str, _>("held_by_agency").map_err(be)?,
                    )?,
                    held_by: r.try_get("held_by").map_err(be)?,
                    unit: r.try_get("unit").map_err(be)?,
                    unit_key: r.try_get("unit_key").map_err(be)?,
                    villages: villages
                        .unwrap_or_default()
                        .split_whitespace()
                        .map(decode::region)
                        .collect::<StoreResult<_>>()?,
                    asn: n("asn")?,
                    camat: n("camat")?,
                    kepala_desa: n("kepala_desa")?,
                    perangkat_desa: n("perangkat_desa")?,
                    created_by: r.try_get("created_by").map_err(be)?,
                    created_at: decode::timestamp(r.try_get("created_at").map_err(be)?)?,
                },
            })
        })
        .collect()
}

pub async fn add_pledges(pool: &PgPool, rows: &[NewPledge]) -> StoreResult<PledgeCount> {
    let mut tx = pool.begin().await.map_err(be)?;
    // One importer at a time: the check for an earlier pledge of the same official and the insert
    // must not interleave with another batch's.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('integrity_pledges'))")
        .execute(&mut *tx)
        .await
        .map_err(be)?;
    let mut count = PledgeCount::default();
    for p in rows {
        // The same official signed before: by the same identity, by NIP, or by name and unit
        // when one of the two pledges has no NIP (two NIPs that differ are two people, even with
        // one name in one unit).
        let earlier: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM integrity_pledges
             WHERE identity_mac = $1
                OR ($2 IS NOT NULL AND number_mac = $2)
                OR ($3 IS NOT NULL AND name_mac = $3 AND ($2 IS NULL OR number_mac IS NULL))
             LIMIT 1",
        )
        .bind(&p.identity_mac)
        .bind(&p.number_mac)
        .bind(&p.name_mac)
        .fetch_optional(&mut *tx)
        .await
        .map_err(be)?;
        if earlier.is_some() {
            count.already += 1;
            continue;
        }
        let done = sqlx::query(
            "INSERT INTO integrity_pledges (kind, identity_mac, number_mac, name_mac, region_code,
                 unit, signed_on, source, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (identity_mac) DO NOTHING",
        )
        .bind(p.kind.as_str())
        .bind(&p.identity_mac)
        .bind(&p.number_mac)
        .bind(&p.name_mac)
        .bind(p.region.to_string())
        .bind(&p.unit)
        .bind(p.signed_on.to_string())
        .bind(&p.source)
        .bind(p.created_by)
        .bind(p.created_at.as_microsecond())
        .execute(&mut *tx)
        .await
        .map_err(map_err("pakta integritas"))?;
        if done.rows_affected() == 1 {
            count.added += 1;
        } else {
            count.already += 1;
        }
    }
    tx.commit().await.map_err(be)?;
    Ok(count)
}

pub async fn pledge_facts(pool: &PgPool, within: &RegionCode) -> StoreResult<Vec<PledgeFact>> {
    let (low, high) = code_range(within);
    let rows = sqlx::query(
        "SELECT kind, region_code, unit FROM integrity_pledges
         WHERE region_code >= $1 AND region_code < $2",
    )
    .bind(low)
    .bind(high)
    .fetch_all(pool)
    .await
    .map_err(be)?;
    rows.iter()
        .map(|r| {
            Ok(PledgeFact {
                kind: official_kind(r.try_get::<&str, _>("kind").map_err(be)?)?,
                region: decode::region(r.try_get::<&str, _>("region_code").map_err(be)?)?,
                unit: r.try_get("unit").map_err(be)?,
            })
        })
        .collect()
}

pub async fn pledge_of_official(pool: &PgPool, mac: &[u8]) -> StoreResult<Option<PledgeMark>> {
    let Some(r) = sqlx::query(
        "SELECT kind, signed_on, region_code, unit FROM integrity_pledges
         WHERE number_mac = $1 OR name_mac = $1 ORDER BY signed_on, id LIMIT 1",
    )
    .bind(mac)
    .fetch_optional(pool)
    .await
    .map_err(be)?
    else {
        return Ok(None);
    };
    let kind: OfficialKind = official_kind(r.try_get::<&str, _>("kind").map_err(be)?)?;
    Ok(Some(PledgeMark {
        kind,
        signed_on: decode::date(r.try_get::<&str, _>("signed_on").map_err(be)?)?,
        region: decode::region(r.try_get::<&str, _>("region_code").map_err(be)?)?,
        unit: r.try_get("unit").map_err(be)?,
    }))
}

pub async fn public_case_facts(pool: &PgPool, within: &RegionCode) -> StoreResult<Vec<CaseFact>> {
    let (low, high) = code_range(within);
    let rows = sqlx::query(
        "SELECT region_code, subject_category, status, decision, referred_to, received_at,
                COALESCE((SELECT MIN(e.at) FROM case_events e
                          WHERE e.report_id = reports.id AND e.to_state IN ('selesai', 'ditutup')
                            AND e.from_state NOT IN ('selesai', 'ditutup')),
                         state_since) AS state_since
         FROM reports
         WHERE region_code >= $1 AND region_code < $2 AND merged_into IS NULL",
    )
    .bind(low)
    .bind(high)
    .fetch_all(pool)
    .await
    .map_err(be)?;
    rows.iter()
        .map(|r| {
            posko_store::case_fact(
                r.try_get::<&str, _>("region_code").map_err(be)?,
                r.try_get::<&str, _>("subject_category").map_err(be)?,
                r.try_get::<&str, _>("status").map_err(be)?,
                r.try_get::<Option<&str>, _>("decision").map_err(be)?,
                r.try_get::<Option<&str>, _>("referred_to").map_err(be)?,
                r.try_get("received_at").map_err(be)?,
                r.try_get("state_since").map_err(be)?,
            )
        })
        .collect()
}
