//! The coordinator's dashboard on PostgreSQL: grouped case counts, snapshots, DPT findings and the
//! data fingerprint.

use posko_core::Agency;
use posko_core::RegionCode;
use posko_store::{
    code_range, decode, CaseCount, DashboardSnapshot, DptFindings, StoreError, StoreResult,
};
use sqlx::postgres::PgPool;
use sqlx::{QueryBuilder, Row};

use crate::map_err;
use crate::reports::be;

pub async fn case_counts(
    pool: &PgPool,
    within: Option<&RegionCode>,
) -> StoreResult<Vec<CaseCount>> {
    let mut q = QueryBuilder::new(
        "SELECT region_code, status, decision, referred_to, subject_category, COUNT(*) AS n
         FROM reports WHERE merged_into IS NULL",
    );
    if let Some(r) = within {
        let (lo, hi) = code_range(r);
        q.push(" AND region_code >= ").push_bind(lo);
        q.push(" AND region_code < ").push_bind(hi);
    }
    q.push(" GROUP BY region_code, status, decision, referred_to, subject_category");
    let rows = q.build().fetch_all(pool).await.map_err(be)?;
    rows.iter()
        .map(|r| {
            let agency: Option<String> = r.try_get("referred_to").map_err(be)?;
            Ok(CaseCount {
                region: decode::region(r.try_get("region_code").map_err(be)?)?,
                state: decode::case_state(r.try_get("status").map_err(be)?)?,
                decision: decode::decision(r.try_get("decision").map_err(be)?)?,
                referred_to: agency
                    .map(|a| {
                        a.parse::<Agency>()
                            .map_err(|e| StoreError::Corrupt(e.to_string()))
                    })
                    .transpose()?,
                category: decode::category(r.try_get("subject_category").map_err(be)?)?,
                count: u64::try_from(r.try_get::<i64, _>("n").map_err(be)?).unwrap_or(0),
            })
        })
        .collect()
}

/// One scalar per source the dashboard reads; primary-key maxima and small-table counts.
pub const FINGERPRINT_SQL: &str = "SELECT
    (SELECT COALESCE(MAX(id), 0) FROM reports),
    (SELECT COALESCE(MAX(id), 0) FROM case_events),
    (SELECT COALESCE(MAX(id), 0) FROM logistics_handovers),
    (SELECT COUNT(*) FROM tps),
    (SELECT COUNT(*) FROM tps_rawan),
    (SELECT COALESCE(MAX(updated_at), 0) FROM tps_rawan),
    (SELECT COUNT(*) FROM personnel_pools),
    (SELECT CAST(COALESCE(SUM(personnel), 0) AS BIGINT) FROM personnel_pools),
    (SELECT COUNT(*) FROM result_forms),
    (SELECT COALESCE(MAX(imported_at), 0) FROM result_forms),
    (SELECT COUNT(*) FROM ikp_values),
    (SELECT COALESCE(MAX(id), 0) FROM rakor_actions),
    (SELECT COALESCE(MAX(id), 0) FROM rakor_action_events),
    (SELECT COUNT(*) FROM dpt_findings),
    (SELECT COALESCE(MAX(imported_at), 0) FROM dpt_findings),
    (SELECT COUNT(*) FROM neutrality_units),
    (SELECT COALESCE(MAX(updated_at), 0) FROM neutrality_units),
    (SELECT COALESCE(MAX(id), 0) FROM neutrality_briefings),
    (SELECT COALESCE(MAX(id), 0) FROM integrity_pledges)";

pub async fn data_fingerprint(pool: &PgPool) -> StoreResult<String> {
    let row = sqlx::query(FINGERPRINT_SQL)
        .fetch_one(pool)
        .await
        .map_err(be)?;
    let mut parts = Vec::with_capacity(15);
    for i in 0..row.len() {
        parts.push(row.try_get::<i64, _>(i).map_err(be)?.to_string());
    }
    Ok(parts.join("-"))
}

pub async fn put_snapshots(pool: &PgPool, snaps: &[DashboardSnapshot]) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(be)?;
    for s in snaps {
        sqlx::query(
            "INSERT INTO dashboard_snapshots (region, computed_at, fingerprint, figures)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (region) DO UPDATE SET computed_at = excluded.computed_at,
                 fingerprint = excluded.fingerprint, figures = excluded.figures",
        )
        .bind(&s.region)
        .bind(s.computed_at.as_microsecond())
        .bind(&s.fingerprint)
        .bind(&s.figures)
        .execute(&mut *tx)
        .await
        .map_err(map_err("ringkasan dasbor"))?;
    }
    tx.commit().await.map_err(be)?;
    Ok(())
}

pub async fn snapshot(pool: &PgPool, region: &str) -> StoreResult<Option<DashboardSnapshot>> {
    let row = sqlx::query(
        "SELECT region, computed_at, fingerprint, figures FROM dashboard_snapshots
         WHERE region = $1",
    )
    .bind(region)
    .fetch_optional(pool)
    .await
    .map_err(be)?;
    row.map(|r| {
        Ok(DashboardSnapshot {
            region: r.try_get("region").map_err(be)?,
            computed_at: decode::timestamp(r.try_get("computed_at").map_err(be)?)?,
            fingerprint: r.try_get("fingerprint").map_err(be)?,
            figures: r.try_get("figures").map_err(be)?,
        })
    })
    .transpose()
}

pub async fn set_dpt_findings(pool: &PgPool, rows: &[DptFindings]) -> StoreResult<u64> {
    let mut tx = pool.begin().await.map_err(be)?;
    let mut n = 0;
    for f in rows {
        n += sqlx::query(
            "INSERT INTO dpt_findings (election, district_code, findings, imported_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (election, district_code) DO UPDATE SET findings = excluded.findings,
                 imported_at = excluded.imported_at",
        )
        .bind(&f.election)
        .bind(f.district.to_string())
        .bind(i64::try_from(f.findings).unwrap_or(i64::MAX))
        .bind(f.imported_at.as_microsecond())
        .execute(&mut *tx)
        .await
        .map_err(map_err("temuan DPT"))?
        .rows_affected();
    }
    tx.commit().await.map_err(be)?;
    Ok(n)
}

pub async fn dpt_findings(
    pool: &PgPool,
    election: &str,
    within: Option<&RegionCode>,
) -> StoreResult<Vec<DptFindings>> {
    let mut q = QueryBuilder::new(
        "SELECT election, district_code, findings, imported_at FROM dpt_findings
         WHERE election = ",
    );
    q.push_bind(election);
    if let Some(r) = within {
        let (lo, hi) = code_range(r);
        q.push(" AND district_code >= ").push_bind(lo);
        q.push(" AND district_code < ").push_bind(hi);
    }
    q.push(" ORDER BY district_code");
    let rows = q.build().fetch_all(pool).await.map_err(be)?;
    rows.iter()
        .map(|r| {
            Ok(DptFindings {
                election: r.try_get("election").map_err(be)?,
                district: decode::region(r.try_get("district_code").map_err(be)?)?,
                findings: u64::try_from(r.try_get::<i64, _>("findings").map_err(be)?).unwrap_or(0),
                imported_at: decode::timestamp(r.try_get("imported_at").map_err(be)?)?,
            })
        })
        .collect()
}
