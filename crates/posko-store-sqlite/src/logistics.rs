//! Logistics on SQLite: hand-overs recorded atomically against each node's running account.

use posko_core::election::BallotType;
use posko_core::logistics::{Item, Node, Stage};

use posko_core::RegionCode;
use posko_store::{
    decode, sender_of, BatchPlanner, BatchRefusal, Deltas, HoldingDelta, HoldingKey, ImportedFile,
    LogisticsHandover, NewLogisticsHandover, NodeHolding, StoreError, StoreResult,
    TpsBallotAccount,
};
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::reports::be;

fn ballot_name(b: Option<BallotType>) -> &'static str {
    b.map(|b| b.as_str()).unwrap_or("")
}

fn ballot_of(s: &str) -> StoreResult<Option<BallotType>> {
    if s.is_empty() {
        return Ok(None);
    }
    BallotType::parse(s)
        .map(Some)
        .ok_or_else(|| StoreError::Corrupt(format!("jenis surat suara '{s}'")))
}

fn stage_of(s: &str) -> StoreResult<Stage> {
    Stage::parse(s).ok_or_else(|| StoreError::Corrupt(format!("tahap logistik '{s}'")))
}

fn count(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

/// The range of places under `prefix` (itself, its children by '.', its TPS by '/').
fn place_range(prefix: &str) -> (String, String) {
    (prefix.to_string(), format!("{prefix}0"))
}

pub async fn record_handover(pool: &SqlitePool, h: &NewLogisticsHandover) -> StoreResult<i64> {
    h.check_stored_form().map_err(StoreError::Rejected)?;
    if h.good + h.damaged + h.missing != h.sent {
        return Err(StoreError::Rejected(format!(
            "dikirim {} tetapi baik + rusak + hilang = {} (counts do not add up)",
            h.sent,
            h.good + h.damaged + h.missing
        )));
    }
    let ballot = ballot_name(h.item.ballot);
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(be)?;
    if let Some(from) = &h.from {
        // Take from the sender only what it holds in good condition, in one conditional update:
        // two hand-overs at once cannot both spend the same stock.
        let taken = sqlx::query(
            "UPDATE logistics_holdings SET sent_out = sent_out + $6
             WHERE election = $1 AND stage = $2 AND place = $3 AND item_kind = $4 AND ballot = $5
               AND good_in - sent_out >= $6",
        )
        .bind(&h.election)
        .bind(from.stage.as_str())
        .bind(&from.place)
        .bind(&h.item.kind)
        .bind(ballot)
        .bind(i64::from(h.sent))
        .execute(&mut *tx)
        .await
        .map_err(be)?;
        if taken.rows_affected() == 0 {
            let held: Option<i64> = sqlx::query_scalar(
                "SELECT good_in - sent_out FROM logistics_holdings
                 WHERE election = $1 AND stage = $2 AND place = $3 AND item_kind = $4 AND ballot = $5",
            )
            .bind(&h.election)
            .bind(from.stage.as_str())
            .bind(&from.place)
            .bind(&h.item.kind)
            .bind(ballot)
            .fetch_optional(&mut *tx)
            .await
            .map_err(be)?;
            return Err(StoreError::Rejected(format!(
                "{} {} hanya memegang {} dalam keadaan baik, tidak dapat menyerahkan {} \
                 (the sender holds only {} in good condition)",
                from.stage.label(),
                from.place,
                held.unwrap_or(0),
                h.sent,
                held.unwrap_or(0)
            )));
        }
    }
    // A TPS's account is read from the hand-overs it received (it hands nothing on), so only
    // the chain's other stages keep one.
    if h.to.stage != Stage::Kpps {
        sqlx::query(
            "INSERT INTO logistics_holdings
                (election, stage, place, item_kind, ballot, good_in, damaged_in, missing_in, last_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (election, stage, place, item_kind, ballot) DO UPDATE SET
                good_in = logistics_holdings.good_in + excluded.good_in,
                damaged_in = logistics_holdings.damaged_in + excluded.damaged_in,
                missing_in = logistics_holdings.missing_in + excluded.missing_in,
                last_at = max(coalesce(logistics_holdings.last_at, excluded.last_at),
                              excluded.last_at)",
        )
        .bind(&h.election)
        .bind(h.to.stage.as_str())
        .bind(&h.to.place)
        .bind(&h.item.kind)
        .bind(ballot)
        .bind(i64::from(h.good))
        .bind(i64::from(h.damaged))
        .bind(i64::from(h.missing))
        .bind(decode::micros(h.at))
        .execute(&mut *tx)
        .await
        .map_err(be)?;
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO logistics_handovers (election, from_stage, to_stage, to_place,
            item_kind, ballot, sent, good, damaged, missing, at, handed_by, received_by, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(&h.election)
    .bind(h.from.as_ref().map(|n| n.stage.as_str()))
    .bind(h.to.stage.as_str())
    .bind(&h.to.place)
    .bind(&h.item.kind)
    .bind(ballot)
    .bind(i64::from(h.sent))
    .bind(i64::from(h.good))
    .bind(i64::from(h.damaged))
    .bind(i64::from(h.missing))
    .bind(decode::micros(h.at))
    .bind(&h.handed_by)
    .bind(&h.received_by)
    .bind(h.recorded_by)
    .fetch_one(&mut *tx)
    .await
    .map_err(crate::map_err("serah terima logistik"))?;
    tx.commit().await.map_err(be)?;
    Ok(id)
}

const HANDOVER_COLUMNS: &str = "id, election, from_stage, to_stage, to_place,
    item_kind, ballot, sent, good, damaged, missing, at, handed_by, received_by, recorded_by";

fn handover_row(r: &SqliteRow) -> StoreResult<LogisticsHandover> {
    let from_stage: Option<String> = r.try_get("from_stage").map_err(be)?;
    let to_place: String = r.try_get("to_place").map_err(be)?;
    let from = sender_of(from_stage.as_deref().map(stage_of).transpose()?, &to_place)?;
    Ok(LogisticsHandover {
        id: r.try_get("id").map_err(be)?,
        record: NewLogisticsHandover {
            election: r.try_get("election").map_err(be)?,
            from,
            to: Node {
                stage: stage_of(r.try_get("to_stage").map_err(be)?)?,
                place: to_place,
            },
            item: Item {
                kind: r.try_get("item_kind").map_err(be)?,
                ballot: ballot_of(r.try_get("ballot").map_err(be)?)?,
            },
            sent: count(r.try_get("sent").map_err(be)?),
            good: count(r.try_get("good").map_err(be)?),
            damaged: count(r.try_get("damaged").map_err(be)?),
            missing: count(r.try_get("missing").map_err(be)?),
            at: decode::timestamp(r.try_get("at").map_err(be)?)?,
            handed_by: r.try_get("handed_by").map_err(be)?,
            received_by: r.try_get("received_by").map_err(be)?,
            recorded_by: r.try_get("recorded_by").map_err(be)?,
        },
    })
}

/// The latest hand-overs into or out of `place` and the places under it. One sent from inside a
/// region is received inside it too (the chain goes down into the sender's area), so the
/// receiver's place finds both.
pub async fn handovers(
    pool: &SqlitePool,
    election: &str,
    place: &str,
    limit: u32,
) -> StoreResult<Vec<LogisticsHandover>> {
    let (lo, hi) = place_range(place);
    let sql = format!(
        "SELECT {HANDOVER_COLUMNS} FROM logistics_handovers
         WHERE election = $1 AND to_place >= $2 AND to_place < $3
         ORDER BY at DESC, id DESC LIMIT $4"
    );
    let rows = sqlx::query(&sql)
        .bind(election)
        .bind(lo)
        .bind(hi)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(be)?;
    rows.iter().map(handover_row).collect()
}

pub async fn handover(pool: &SqlitePool, id: i64) -> StoreResult<Option<LogisticsHandover>> {
    let sql = format!("SELECT {HANDOVER_COLUMNS} FROM logistics_handovers WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(be)?;
    row.as_ref().map(handover_row).transpose()
}

fn holding_row(r: &SqliteRow) -> StoreResult<NodeHolding> {
    Ok(NodeHolding {
        node: Node {
            stage: stage_of(r.try_get("stage").map_err(be)?)?,
            place: r.try_get("place").map_err(be)?,
        },
        item: Item {
            kind: r.try_get("item_kind").map_err(be)?,
            ballot: ballot_of(r.try_get("ballot").map_err(be)?)?,
        },
        good_in: count(r.try_get("good_in").map_err(be)?),
        damaged_in: count(r.try_get("damaged_in").map_err(be)?),
        missing_in: count(r.try_get("missing_in").map_err(be)?),
        sent_out: count(r.try_get("sent_out").map_err(be)?),
        last_at: r
            .try_get::<Option<i64>, _>("last_at")
            .map_err(be)?
            .map(decode::timestamp)
            .transpose()?,
    })
}

pub async fn holdings(
    pool: &SqlitePool,
    election: &str,
    stage: Stage,
    place: &str,
) -> StoreResult<Vec<NodeHolding>> {
    let (lo, hi) = place_range(place);
    let sql = if stage == Stage::Kpps {
        // A TPS's account: the sum of what it received (it hands nothing on).
        "SELECT to_stage AS stage, to_place AS place, item_kind, ballot,
                SUM(good) AS good_in, SUM(damaged) AS damaged_in,
                SUM(missing) AS missing_in, 0 AS sent_out, MAX(at) AS last_at
         FROM logistics_handovers
         WHERE election = $1 AND to_stage = $2 AND to_place >= $3 AND to_place < $4
         GROUP BY to_stage, to_place, item_kind, ballot
         ORDER BY to_place, item_kind, ballot"
    } else {
        "SELECT stage, place, item_kind, ballot, good_in, damaged_in, missing_in, sent_out, last_at
         FROM logistics_holdings
         WHERE election = $1 AND stage = $2 AND place >= $3 AND place < $4
         ORDER BY place, item_kind, ballot"
    };
    let rows = sqlx::query(sql)
        .bind(election)
        .bind(stage.as_str())
        .bind(lo)
        .bind(hi)
        .fetch_all(pool)
        .await
        .map_err(be)?;
    rows.iter().map(holding_row).collect()
}

/// The KPPS accounts of one item per ballot type under `within`, decoded lean, with the same
/// range scan of the primary key as `holdings` (grouping by place follows it, no sort). One
/// TPS's accounts come as one row, `ballot good damaged missing sent` joined by ',': the driver
/// hands every row from its worker thread to ours, and at 450,000 accounts (Jawa Tengah) that
/// hand-off cost several times what reading the text costs.
pub async fn tps_ballot_accounts(
    pool: &SqlitePool,
    election: &str,
    within: &RegionCode,
    item_kind: &str,
) -> StoreResult<Vec<TpsBallotAccount>> {
    let (lo, hi) = place_range(&within.to_string());
    let per_tps = sqlx::query(
        // A TPS's account is the sum of what it received: its hand-overs, packed as they come
        // along the receiver's index (grouping by place follows it, no sort) and summed per
        // ballot type below.
        "SELECT to_place, group_concat(printf('%s %d %d %d 0',
                    ballot, good, damaged, missing), ',')
         FROM logistics_handovers
         WHERE election = $1 AND to_stage = 'kpps' AND to_place >= $2 AND to_place < $3
           AND item_kind = $4
         GROUP BY to_place
         ORDER BY to_place",
    )
    .bind(election)
    .bind(lo)
    .bind(hi)
    .bind(item_kind)
    .try_map(|r: SqliteRow| {
        Ok(packed_accounts(
            r.try_get::<&str, _>(0)?,
            r.try_get::<&str, _>(1)?,
        ))
    })
    .fetch_all(pool)
    .await
    .map_err(be)?;
    let mut out = Vec::with_capacity(per_tps.len() * 5);
    for accounts in per_tps {
        out.extend(accounts?);
    }
    Ok(out)
}

/// Reads one TPS's hand-overs as `tps_ballot_accounts` packs them, summed per ballot type, in the
/// order of the ballot type's code (as the accounts' key orders them).
fn packed_accounts(place: &str, packed: &str) -> StoreResult<Vec<TpsBallotAccount>> {
    let corrupt = || StoreError::Corrupt(format!("akun logistik {place}: '{packed}'"));
    let tps = posko_core::TpsId::parse_canonical(place);
    let mut sums: Vec<(&str, [i64; 4])> = Vec::new();
    for entry in packed.split(',') {
        let mut field = entry.split(' ');
        let ballot = field.next().ok_or_else(corrupt)?;
        let mut counts = [0i64; 4];
        for c in &mut counts {
            *c = field
                .next()
                .and_then(|f| f.parse().ok())
                .ok_or_else(corrupt)?;
        }
        if field.next().is_some() {
            return Err(corrupt());
        }
        match sums.iter_mut().find(|(b, _)| *b == ballot) {
            Some((_, sum)) => {
                for (s, c) in sum.iter_mut().zip(counts) {
                    *s += c;
                }
            }
            None => sums.push((ballot, counts)),
        }
    }
    sums.sort_unstable_by_key(|(b, _)| *b);
    let mut out = Vec::with_capacity(sums.len());
    for (ballot, counts) in sums {
        out.extend(TpsBallotAccount::decode_at(tps, ballot, counts)?);
    }
    Ok(out)
}

/// Rows of a batch written per statement: 14 values each, under SQLite's 32,766 bound values.
const BATCH_ROWS: usize = 2_000;

/// The page cache an import works with, in KiB (SQLite's default is 2 MiB): a national file
/// writes millions of rows into three indexes in one transaction, and with the default cache the
/// transaction's dirty pages spill to the log and are read back again and again.
const IMPORT_CACHE_KIB: i64 = 1024 * 1024;

pub async fn import_handovers(
    pool: &SqlitePool,
    file: Option<&ImportedFile>,
    rows: &mut (dyn Iterator<Item = Result<NewLogisticsHandover, String>> + Send),
) -> StoreResult<Result<u64, BatchRefusal>> {
    let mut conn = pool.acquire().await.map_err(be)?;
    let before: i64 = sqlx::query_scalar("PRAGMA cache_size")
        .fetch_one(&mut *conn)
        .await
        .map_err(be)?;
    sqlx::query(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}"))
        .execute(&mut *conn)
        .await
        .map_err(be)?;
    let outcome = import_on(&mut conn, file, rows).await;
    // Back to the pool's usual cache whatever happened (pages are freed with it).
    let reset = sqlx::query(&format!("PRAGMA cache_size = {before}"))
        .execute(&mut *conn)
        .await
        .map_err(be);
    let outcome = outcome?;
    reset?;
    Ok(outcome)
}

async fn import_on(
    conn: &mut sqlx::SqliteConnection,
    file: Option<&ImportedFile>,
    rows: &mut (dyn Iterator<Item = Result<NewLogisticsHandover, String>> + Send),
) -> StoreResult<Result<u64, BatchRefusal>> {
    use sqlx::Connection;
    // The write lock from the start: what the planner reads stays true until the commit.
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(be)?;
    // Under the lock, so two imports of one file cannot both pass.
    if let Some(f) = file {
        if let Some(earlier) = imported_in(&mut tx, &f.election, &f.sha256).await? {
            return Err(StoreError::Conflict(format!(
                "berkas yang sama dengan '{}' yang sudah diimpor",
                earlier.name
            )));
        }
    }
    // The statements for a chunk are built (checked by the planner, values bound) while the
    // statements of the chunk before run on the driver's thread: built one after the other, the
    // two had waited on each other for a fifth of a national import.
    let mut chunk: Vec<NewLogisticsHandover> = Vec::with_capacity(BATCH_ROWS);
    if let Err(refusal) = BatchPlanner::fill(None, rows, &mut chunk, BATCH_ROWS) {
        return Ok(Err(refusal));
    }
    let mut total = 0u64;
    if let Some(first) = chunk.first() {
        let election = first.election.clone();
        let seed = sending_accounts(&mut tx, &election).await?;
        let mut planner = BatchPlanner::new(&election, seed);
        let mut pending = match plan_chunk(&mut planner, &election, &mut chunk) {
            Ok(p) => p,
            Err(refusal) => return Ok(Err(refusal)),
        };
        loop {
            let last = pending.rows < BATCH_ROWS;
            let next = async {
                if last {
                    return Ok(None);
                }
                BatchPlanner::fill(Some(&planner), rows, &mut chunk, BATCH_ROWS)?;
                if chunk.is_empty() {
                    return Ok(None);
                }
                plan_chunk(&mut planner, &election, &mut chunk).map(Some)
            };
            let (written, next) = tokio::join!(pending.run(&mut tx), next);
            written?;
            total += pending.rows as u64;
            match next {
                Ok(Some(p)) => pending = p,
                Ok(None) => break,
                Err(refusal) => return Ok(Err(refusal)),
            }
        }
    }
    if let Some(f) = file {
        sqlx::query(
            "INSERT INTO logistics_imports (election, sha256, name, rows, at, imported_by)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&f.election)
        .bind(&f.sha256)
        .bind(&f.name)
        .bind(total as i64)
        .bind(decode::micros(f.at))
        .bind(f.imported_by)
        .execute(&mut *tx)
        .await
        .map_err(be)?;
    }
    tx.commit().await.map_err(be)?;
    Ok(Ok(total))
}

pub async fn imported_file(
    pool: &SqlitePool,
    election: &str,
    sha256: &str,
) -> StoreResult<Option<ImportedFile>> {
    let mut tx = pool.begin().await.map_err(be)?;
    let found = imported_in(&mut tx, election, sha256).await?;
    tx.commit().await.map_err(be)?;
    Ok(found)
}

async fn imported_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    election: &str,
    sha256: &str,
) -> StoreResult<Option<ImportedFile>> {
    let row = sqlx::query(
        "SELECT name, rows, at, imported_by FROM logistics_imports
         WHERE election = $1 AND sha256 = $2",
    )
    .bind(election)
    .bind(sha256)
    .fetch_optional(&mut **tx)
    .await
    .map_err(be)?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(ImportedFile {
        election: election.to_string(),
        sha256: sha256.to_string(),
        name: r.try_get("name").map_err(be)?,
        rows: u64::try_from(r.try_get::<i64, _>("rows").map_err(be)?).unwrap_or(0),
        at: decode::timestamp(r.try_get("at").map_err(be)?)?,
        imported_by: r.try_get("imported_by").map_err(be)?,
    }))
}

/// The accounts of the stages that hand on (KPU, PPK, PPS) for one election.
async fn sending_accounts(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    election: &str,
) -> StoreResult<Vec<NodeHolding>> {
    let rows = sqlx::query(
        "SELECT stage, place, item_kind, ballot, good_in, damaged_in, missing_in, sent_out,
                last_at
         FROM logistics_holdings WHERE election = $1 AND stage <> 'kpps'",
    )
    .bind(election)
    .fetch_all(&mut **tx)
    .await
    .map_err(be)?;
    rows.iter().map(holding_row).collect()
}

/// A chunk's statements, built and ready to run: its hand-overs, then its changes to the
/// accounts. Values are bound owned, so the statements outlive the chunk they came from.
struct Planned {
    rows: usize,
    statements: Vec<(QueryBuilder<'static, Sqlite>, Option<u64>)>,
}

impl Planned {
    /// Runs the statements in order; one with an expected row count must touch that many.
    async fn run(&mut self, conn: &mut sqlx::SqliteConnection) -> StoreResult<()> {
        for (qb, expected) in &mut self.statements {
            let done = qb
                .build()
                .execute(&mut *conn)
                .await
                .map_err(crate::map_err("serah terima logistik"))?;
            if expected.is_some_and(|n| n != done.rows_affected()) {
                // The planner only lets a sender hand on what it holds, so its account exists.
                return Err(StoreError::Corrupt(
                    "akun logistik pengirim tidak ditemukan (a sender's account is missing)".into(),
                ));
            }
        }
        Ok(())
    }
}

/// Checks a chunk with the planner and builds its statements; the chunk's rows are moved into
/// them (the chunk is left empty).
fn plan_chunk(
    planner: &mut BatchPlanner,
    election: &str,
    chunk: &mut Vec<NewLogisticsHandover>,
) -> Result<Planned, BatchRefusal> {
    let deltas = planner.chunk(chunk)?;
    let accounts = delta_statements(election, &deltas);
    drop(deltas);
    let rows = chunk.len();
    let mut statements = vec![(handover_statement(chunk.drain(..)), None)];
    statements.extend(accounts);
    Ok(Planned { rows, statements })
}

fn handover_statement(
    chunk: impl Iterator<Item = NewLogisticsHandover>,
) -> QueryBuilder<'static, Sqlite> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "INSERT INTO logistics_handovers (election, from_stage, to_stage, to_place, item_kind,
            ballot, sent, good, damaged, missing, at, handed_by, received_by, recorded_by) ",
    );
    qb.push_values(chunk, |mut b, h| {
        b.push_bind(h.election)
            .push_bind(h.from.map(|n| n.stage.as_str()))
            .push_bind(h.to.stage.as_str())
            .push_bind(h.to.place)
            .push_bind(h.item.kind)
            .push_bind(ballot_name(h.item.ballot))
            .push_bind(i64::from(h.sent))
            .push_bind(i64::from(h.good))
            .push_bind(i64::from(h.damaged))
            .push_bind(i64::from(h.missing))
            .push_bind(decode::micros(h.at))
            .push_bind(h.handed_by)
            .push_bind(h.received_by)
            .push_bind(h.recorded_by);
    });
    qb
}

/// A chunk's changes to the accounts: arrivals first (creating accounts), then what was handed
/// on, so the CHECK that nobody hands on more than arrived holds after each statement. The
/// second kind must find every sender's account (its expected row count).
fn delta_statements(
    election: &str,
    deltas: &Deltas<'_>,
) -> Vec<(QueryBuilder<'static, Sqlite>, Option<u64>)> {
    let arrived: Vec<(&HoldingKey<'_>, &HoldingDelta)> =
        deltas.iter().filter(|(_, d)| d.last_at.is_some()).collect();
    let sent: Vec<(&HoldingKey<'_>, &HoldingDelta)> =
        deltas.iter().filter(|(_, d)| d.sent_out > 0).collect();
    let mut out = Vec::new();
    for part in arrived.chunks(BATCH_ROWS) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "INSERT INTO logistics_holdings (election, stage, place, item_kind, ballot, good_in,
                damaged_in, missing_in, last_at) ",
        );
        qb.push_values(part, |mut b, (k, d)| {
            b.push_bind(election.to_string())
                .push_bind(k.stage.as_str())
                .push_bind(k.place.to_string())
                .push_bind(k.kind.to_string())
                .push_bind(ballot_name(k.ballot))
                .push_bind(i64::from(d.good_in))
                .push_bind(i64::from(d.damaged_in))
                .push_bind(i64::from(d.missing_in))
                .push_bind(d.last_at.map(decode::micros));
        });
        qb.push(
            " ON CONFLICT (election, stage, place, item_kind, ballot) DO UPDATE SET
                good_in = logistics_holdings.good_in + excluded.good_in,
                damaged_in = logistics_holdings.damaged_in + excluded.damaged_in,
                missing_in = logistics_holdings.missing_in + excluded.missing_in,
                last_at = max(coalesce(logistics_holdings.last_at, excluded.last_at),
                              coalesce(excluded.last_at, logistics_holdings.last_at))",
        );
        out.push((qb, None));
    }
    for part in sent.chunks(BATCH_ROWS) {
        let mut qb = QueryBuilder::<Sqlite>::new("WITH v (stage, place, kind, ballot, n) AS (");
        qb.push_values(part, |mut b, (k, d)| {
            b.push_bind(k.stage.as_str())
                .push_bind(k.place.to_string())
                .push_bind(k.kind.to_string())
                .push_bind(ballot_name(k.ballot))
                .push_bind(i64::from(d.sent_out));
        });
        qb.push(
            ") UPDATE logistics_holdings SET sent_out = sent_out + v.n FROM v
             WHERE logistics_holdings.election = ",
        );
        qb.push_bind(election.to_string());
        qb.push(
            " AND logistics_holdings.stage = v.stage AND logistics_holdings.place = v.place
               AND logistics_holdings.item_kind = v.kind AND logistics_holdings.ballot = v.ballot",
        );
        out.push((qb, Some(part.len() as u64)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_accounts_read_back_or_are_refused() {
        let a =
            packed_accounts("33.20.01.2001/002", "dpr 290 3 2 0, 7 0 0 0,ppwp 5 0 0 1").unwrap();
        assert_eq!(a.len(), 2, "the account without a ballot type is left out");
        assert_eq!(a[0].tps.to_string(), "33.20.01.2001/002");
        assert_eq!(
            (a[0].ballot, a[0].holding.good_in, a[0].holding.damaged_in),
            (BallotType::Dpr, 290, 3)
        );
        assert_eq!((a[1].ballot, a[1].holding.sent_out), (BallotType::Ppwp, 1));
        // A key that is not a canonical TPS is no TPS's account.
        assert!(packed_accounts("33.20.01.2001/2", "dpr 1 0 0 0")
            .unwrap()
            .is_empty());
        for bad in [
            "dpr 1 0 0",
            "dpr 1 0 0 0 9",
            "dpr x 0 0 0",
            "kursi 1 0 0 0",
            "",
        ] {
            assert!(
                matches!(
                    packed_accounts("33.20.01.2001/002", bad),
                    Err(StoreError::Corrupt(_))
                ),
                "{bad:?}"
            );
        }
    }
}
