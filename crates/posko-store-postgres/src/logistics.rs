//! Logistics on PostgreSQL: hand-overs recorded atomically against each node's running account.

use posko_core::election::BallotType;
use posko_core::logistics::{Item, Node, Stage};

use posko_core::RegionCode;
use posko_store::{
    decode, sender_of, too_large, BatchPlanner, BatchRefusal, FastMap, HoldingDelta, ImportedFile,
    LogisticsHandover, NewLogisticsHandover, NodeHolding, StoreError, StoreResult,
    TpsBallotAccount,
};
use sqlx::postgres::{PgPool, PgRow};
use sqlx::Row;

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

pub async fn record_handover(pool: &PgPool, h: &NewLogisticsHandover) -> StoreResult<i64> {
    h.check_stored_form().map_err(StoreError::Rejected)?;
    if h.good + h.damaged + h.missing != h.sent {
        return Err(StoreError::Rejected(format!(
            "dikirim {} tetapi baik + rusak + hilang = {} (counts do not add up)",
            h.sent,
            h.good + h.damaged + h.missing
        )));
    }
    let ballot = ballot_name(h.item.ballot);
    let mut tx = pool.begin().await.map_err(be)?;
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
                last_at = GREATEST(logistics_holdings.last_at, excluded.last_at)",
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

fn handover_row(r: &PgRow) -> StoreResult<LogisticsHandover> {
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
            sent: count(r.try_get::<i32, _>("sent").map_err(be)?.into()),
            good: count(r.try_get::<i32, _>("good").map_err(be)?.into()),
            damaged: count(r.try_get::<i32, _>("damaged").map_err(be)?.into()),
            missing: count(r.try_get::<i32, _>("missing").map_err(be)?.into()),
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
    pool: &PgPool,
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

pub async fn handover(pool: &PgPool, id: i64) -> StoreResult<Option<LogisticsHandover>> {
    let sql = format!("SELECT {HANDOVER_COLUMNS} FROM logistics_handovers WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(be)?;
    row.as_ref().map(handover_row).transpose()
}

fn holding_row(r: &PgRow) -> StoreResult<NodeHolding> {
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
    pool: &PgPool,
    election: &str,
    stage: Stage,
    place: &str,
) -> StoreResult<Vec<NodeHolding>> {
    let (lo, hi) = place_range(place);
    let sql = if stage == Stage::Kpps {
        // A TPS's account: the sum of what it received (it hands nothing on).
        "SELECT to_stage AS stage, to_place AS place, item_kind, ballot,
                SUM(good)::BIGINT AS good_in, SUM(damaged)::BIGINT AS damaged_in,
                SUM(missing)::BIGINT AS missing_in, 0::BIGINT AS sent_out, MAX(at) AS last_at
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

/// The KPPS accounts of one item per ballot type under `within`, decoded lean. A TPS's account
/// is the sum of what it received: its hand-overs are read as they lie, through the place index,
/// and summed here. They come as COPY text lines, not rows: decoding 4.3 million rows one by one
/// in the driver bound a national roll-up to the app's core; grouped and ordered by the server,
/// a province's hand-overs went through a sort that spilled to disk.
pub async fn tps_ballot_accounts(
    pool: &PgPool,
    election: &str,
    within: &RegionCode,
    item_kind: &str,
) -> StoreResult<Vec<TpsBallotAccount>> {
    use futures_util::StreamExt;
    let (lo, hi) = place_range(&within.to_string());
    // COPY takes no bound parameters: the values go in as escaped literals.
    let sql = format!(
        "COPY (SELECT to_place, ballot, good, damaged, missing FROM logistics_handovers
               WHERE election = {} AND to_stage = 'kpps' AND to_place >= {} AND to_place < {}
                 AND item_kind = {}) TO STDOUT",
        literal(election)?,
        literal(&lo)?,
        literal(&hi)?,
        literal(item_kind)?
    );
    let mut conn = pool.acquire().await.map_err(be)?;
    let mut lines = conn.copy_out_raw(&sql).await.map_err(be)?;
    let mut arrivals = Vec::new();
    // The server sends a line per message; a line split across messages is joined here.
    let mut partial: Vec<u8> = Vec::new();
    while let Some(chunk) = lines.next().await {
        let chunk = chunk.map_err(be)?;
        partial.extend_from_slice(&chunk);
        let mut start = 0;
        while let Some(end) = partial[start..].iter().position(|b| *b == b'\n') {
            if let Some(a) = copied_arrival(&partial[start..start + end])? {
                arrivals.push(a);
            }
            start += end + 1;
        }
        partial.drain(..start);
    }
    if !partial.is_empty() {
        return Err(StoreError::Corrupt(
            "baris COPY terpotong (a COPY line was cut short)".into(),
        ));
    }
    Ok(posko_store::sum_tps_accounts(arrivals))
}

/// A value as an SQL string literal, in the escape form (`E'…'`) so it reads the same whatever
/// the server's `standard_conforming_strings`; a NUL, which no literal can hold, is refused.
fn literal(value: &str) -> StoreResult<String> {
    if value.contains('\0') {
        return Err(StoreError::Rejected(
            "nilai berisi karakter NUL (a value holds a NUL character)".into(),
        ));
    }
    Ok(format!(
        "E'{}'",
        value.replace('\\', "\\\\").replace('\'', "\\'")
    ))
}

/// One hand-over of `tps_ballot_accounts`' COPY: `place ballot good damaged missing`, tab
/// separated. Places and ballot codes hold nothing COPY escapes; a line that does is refused.
fn copied_arrival(line: &[u8]) -> StoreResult<Option<TpsBallotAccount>> {
    let corrupt = || {
        StoreError::Corrupt(format!(
            "akun logistik: '{}'",
            String::from_utf8_lossy(line)
        ))
    };
    let text = std::str::from_utf8(line).map_err(|_| corrupt())?;
    if text.contains('\\') {
        return Err(corrupt());
    }
    let mut field = text.split('\t');
    let (Some(place), Some(ballot)) = (field.next(), field.next()) else {
        return Err(corrupt());
    };
    let mut counts = [0i64; 4];
    for c in &mut counts[..3] {
        *c = field
            .next()
            .and_then(|f| f.parse().ok())
            .ok_or_else(corrupt)?;
    }
    if field.next().is_some() {
        return Err(corrupt());
    }
    TpsBallotAccount::decode(place, ballot, counts)
}

/// Rows of a batch sent per statement (as arrays, one per column).
const BATCH_ROWS: usize = 10_000;

pub async fn import_handovers(
    pool: &PgPool,
    file: Option<&ImportedFile>,
    rows: &mut (dyn Iterator<Item = Result<NewLogisticsHandover, String>> + Send),
) -> StoreResult<Result<u64, BatchRefusal>> {
    let mut tx = pool.begin().await.map_err(be)?;
    // Readers go on; other writers of accounts wait, so what the planner read stays true.
    sqlx::query("LOCK TABLE logistics_holdings IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await
        .map_err(be)?;
    // Under the lock, so two imports of one file cannot both pass.
    if let Some(f) = file {
        if let Some(earlier) = imported_in(&mut tx, &f.election, &f.sha256).await? {
            return Err(StoreError::Conflict(format!(
                "berkas yang sama dengan '{}' yang sudah diimpor",
                earlier.name
            )));
        }
    }
    // One COPY carries every hand-over of the file: rows are checked by the planner and sent in
    // pieces while the server writes the ones before (the socket's buffer is the only wait), and
    // the accounts, summed over the whole file, are written once after it. Nothing is visible
    // before the commit, and a refused row aborts the COPY and the transaction.
    let mut chunk: Vec<NewLogisticsHandover> = Vec::with_capacity(BATCH_ROWS);
    if let Err(refusal) = BatchPlanner::fill(None, rows, &mut chunk, BATCH_ROWS) {
        return Ok(Err(refusal));
    }
    let mut total = 0u64;
    if let Some(first) = chunk.first() {
        let election = first.election.clone();
        let seed = sending_accounts(&mut tx, &election).await?;
        // What the accounts held before: under the lock, nobody else changes them, so the
        // import can write each account's new totals outright.
        let before: FastMap<OwnedKey, HoldingDelta> = seed
            .iter()
            .map(|h| {
                (
                    (
                        h.node.stage,
                        h.node.place.clone(),
                        h.item.kind.clone(),
                        h.item.ballot,
                    ),
                    HoldingDelta {
                        good_in: h.good_in,
                        damaged_in: h.damaged_in,
                        missing_in: h.missing_in,
                        sent_out: h.sent_out,
                        last_at: h.last_at,
                    },
                )
            })
            .collect();
        let mut planner = BatchPlanner::new(&election, seed);
        let mut accounts: FastMap<OwnedKey, HoldingDelta> = FastMap::default();
        let mut copy = tx.copy_in_raw(COPY_HANDOVERS).await.map_err(be)?;
        let mut data = Vec::with_capacity(BATCH_ROWS * 160);
        loop {
            let deltas = match planner.chunk(&chunk) {
                Ok(d) => d,
                Err(refusal) => {
                    copy.abort("serah terima ditolak").await.ok();
                    return Ok(Err(refusal));
                }
            };
            for (k, d) in deltas {
                let sum = accounts
                    .entry((k.stage, k.place.to_string(), k.kind.to_string(), k.ballot))
                    .or_default();
                let Some(total) = sum.checked_add(&d) else {
                    copy.abort("serah terima ditolak").await.ok();
                    return Err(StoreError::Rejected(too_large(k.place)));
                };
                *sum = total;
            }
            data.clear();
            for h in &chunk {
                copy_row(&mut data, h);
            }
            if let Err(e) = copy.send(data.as_slice()).await {
                copy.abort(e.to_string()).await.ok();
                return Err(be(e));
            }
            total += chunk.len() as u64;
            if chunk.len() < BATCH_ROWS {
                break;
            }
            if let Err(refusal) = BatchPlanner::fill(Some(&planner), rows, &mut chunk, BATCH_ROWS) {
                copy.abort("serah terima ditolak").await.ok();
                return Ok(Err(refusal));
            }
            if chunk.is_empty() {
                break;
            }
        }
        copy.finish()
            .await
            .map_err(crate::map_err("serah terima logistik"))?;
        // Each account touched is written once, with its new totals: the new ones (all of them
        // in a first import) in one COPY, those that held something before through an upsert
        // that must find them. The planner let nobody hand on more than it held, so every row
        // meets the table's CHECK as written.
        let mut fresh = Vec::with_capacity(BATCH_ROWS * 16);
        let mut changed: Vec<(&OwnedKey, HoldingDelta)> = Vec::new();
        // In the order of the accounts' key: the new rows go into its index one after another
        // rather than all over it (half a million accounts in a national import).
        let mut accounts: Vec<(&OwnedKey, &HoldingDelta)> = accounts.iter().collect();
        accounts.sort_unstable_by(|(a, _), (b, _)| {
            (a.0.as_str(), &a.1, &a.2, ballot_name(a.3)).cmp(&(
                b.0.as_str(),
                &b.1,
                &b.2,
                ballot_name(b.3),
            ))
        });
        for (key, d) in accounts {
            match before.get(key) {
                None => holding_copy_row(&mut fresh, &election, key, d),
                Some(b) => match b.checked_add(d) {
                    Some(total) => changed.push((key, total)),
                    None => return Err(StoreError::Rejected(too_large(&key.1))),
                },
            }
        }
        if !fresh.is_empty() {
            let mut copy = tx.copy_in_raw(COPY_HOLDINGS).await.map_err(be)?;
            for part in fresh.chunks(1 << 20) {
                if let Err(e) = copy.send(part).await {
                    copy.abort(e.to_string()).await.ok();
                    return Err(be(e));
                }
            }
            copy.finish()
                .await
                .map_err(crate::map_err("akun logistik"))?;
        }
        for part in changed.chunks(BATCH_ROWS) {
            write_totals(&mut tx, &election, part).await?;
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
    pool: &PgPool,
    election: &str,
    sha256: &str,
) -> StoreResult<Option<ImportedFile>> {
    let mut tx = pool.begin().await.map_err(be)?;
    let found = imported_in(&mut tx, election, sha256).await?;
    tx.commit().await.map_err(be)?;
    Ok(found)
}

async fn imported_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
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

async fn sending_accounts(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
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

/// The COPY that carries an import's hand-overs, one `copy_row` per line.
const COPY_HANDOVERS: &str = "COPY logistics_handovers (election, from_stage, to_stage, to_place,
    item_kind, ballot, sent, good, damaged, missing, at, handed_by, received_by, recorded_by)
    FROM STDIN";

/// An account's key, owned (the sums of a whole import outlive its chunks).
type OwnedKey = (Stage, String, String, Option<BallotType>);

/// A text field in COPY's text format, with the characters the format gives meaning to escaped.
fn copy_text(out: &mut Vec<u8>, t: &str) {
    // Almost every name is plain: copied whole, not byte by byte.
    if !t
        .bytes()
        .any(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r'))
    {
        out.extend_from_slice(t.as_bytes());
        return;
    }
    for &b in t.as_bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

/// One hand-over as a line of COPY's text format: tab between fields, `\N` for NULL, and the
/// characters the format gives meaning to escaped.
fn copy_row(out: &mut Vec<u8>, h: &NewLogisticsHandover) {
    fn opt(out: &mut Vec<u8>, t: Option<&str>) {
        match t {
            Some(t) => copy_text(out, t),
            None => out.extend_from_slice(b"\\N"),
        }
    }
    copy_text(out, &h.election);
    out.push(b'\t');
    opt(out, h.from.as_ref().map(|n| n.stage.as_str()));
    out.push(b'\t');
    copy_text(out, h.to.stage.as_str());
    out.push(b'\t');
    copy_text(out, &h.to.place);
    out.push(b'\t');
    copy_text(out, &h.item.kind);
    out.push(b'\t');
    copy_text(out, ballot_name(h.item.ballot));
    // Numbers through itoa: `write!` cost a national import several seconds of formatting.
    let mut digits = itoa::Buffer::new();
    for n in [h.sent, h.good, h.damaged, h.missing] {
        out.push(b'\t');
        out.extend_from_slice(digits.format(n).as_bytes());
    }
    out.push(b'\t');
    out.extend_from_slice(digits.format(decode::micros(h.at)).as_bytes());
    out.push(b'\t');
    copy_text(out, &h.handed_by);
    out.push(b'\t');
    copy_text(out, &h.received_by);
    out.push(b'\t');
    match h.recorded_by {
        Some(id) => out.extend_from_slice(digits.format(id).as_bytes()),
        None => out.extend_from_slice(b"\\N"),
    }
    out.push(b'\n');
}

/// The COPY that writes the accounts an import creates, one `holding_copy_row` per line.
const COPY_HOLDINGS: &str = "COPY logistics_holdings (election, stage, place, item_kind, ballot,
    good_in, damaged_in, missing_in, sent_out, last_at) FROM STDIN";

/// One new account, with its totals, as a line of COPY's text format.
fn holding_copy_row(out: &mut Vec<u8>, election: &str, key: &OwnedKey, d: &HoldingDelta) {
    use std::io::Write;
    let (stage, place, kind, ballot) = key;
    for t in [election, stage.as_str(), place, kind, ballot_name(*ballot)] {
        copy_text(out, t);
        out.push(b'\t');
    }
    // Writing digits into a Vec cannot fail.
    let _ = write!(
        out,
        "{}\t{}\t{}\t{}\t",
        d.good_in, d.damaged_in, d.missing_in, d.sent_out
    );
    match d.last_at {
        Some(at) => {
            let _ = write!(out, "{}", decode::micros(at));
        }
        None => out.extend_from_slice(b"\\N"),
    }
    out.push(b'\n');
}

/// Writes the new totals of accounts that exist (`totals` holds whole values, not changes).
async fn write_totals(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    election: &str,
    totals: &[(&OwnedKey, HoldingDelta)],
) -> StoreResult<()> {
    // An upsert, so that every key is found through the key's own index: as an UPDATE joined to
    // the keys, the planner (whose statistics lag behind an import) scanned every account. The
    // accounts exist; a row that would be new (`xmax = 0`) means one does not, and the import
    // is refused before its commit.
    let done: (i64, i64) = sqlx::query_as(
        "WITH up AS (
            INSERT INTO logistics_holdings AS h (election, stage, place, item_kind, ballot,
                good_in, damaged_in, missing_in, sent_out, last_at)
            SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[],
                $6::int8[], $7::int8[], $8::int8[], $9::int8[], $10::int8[])
            ON CONFLICT (election, stage, place, item_kind, ballot) DO UPDATE SET
                good_in = excluded.good_in, damaged_in = excluded.damaged_in,
                missing_in = excluded.missing_in, sent_out = excluded.sent_out,
                last_at = excluded.last_at
            RETURNING xmax = 0 AS inserted
         )
         SELECT count(*), count(*) FILTER (WHERE inserted) FROM up",
    )
    .bind(election)
    .bind(totals.iter().map(|(k, _)| k.0.as_str()).collect::<Vec<_>>())
    .bind(totals.iter().map(|(k, _)| k.1.as_str()).collect::<Vec<_>>())
    .bind(totals.iter().map(|(k, _)| k.2.as_str()).collect::<Vec<_>>())
    .bind(
        totals
            .iter()
            .map(|(k, _)| ballot_name(k.3))
            .collect::<Vec<_>>(),
    )
    .bind(
        totals
            .iter()
            .map(|(_, d)| i64::from(d.good_in))
            .collect::<Vec<_>>(),
    )
    .bind(
        totals
            .iter()
            .map(|(_, d)| i64::from(d.damaged_in))
            .collect::<Vec<_>>(),
    )
    .bind(
        totals
            .iter()
            .map(|(_, d)| i64::from(d.missing_in))
            .collect::<Vec<_>>(),
    )
    .bind(
        totals
            .iter()
            .map(|(_, d)| i64::from(d.sent_out))
            .collect::<Vec<_>>(),
    )
    .bind(
        totals
            .iter()
            .map(|(_, d)| d.last_at.map(decode::micros))
            .collect::<Vec<_>>(),
    )
    .fetch_one(&mut **tx)
    .await
    .map_err(be)?;
    if done != (totals.len() as i64, 0) {
        return Err(StoreError::Corrupt(
            "akun logistik yang diubah tidak ditemukan (an account being changed is missing)"
                .into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_what_sql_gives_meaning_to() {
        assert_eq!(literal("pemilu-2024").unwrap(), "E'pemilu-2024'");
        assert_eq!(literal("o'brien").unwrap(), r"E'o\'brien'");
        assert_eq!(literal(r"a\'; DROP").unwrap(), r"E'a\\\'; DROP'");
        assert!(literal("a\0b").is_err());
    }

    #[test]
    fn copied_arrivals_read_back_or_are_refused() {
        let a = copied_arrival(b"33.20.01.2001/002\tdpr\t290\t3\t2")
            .unwrap()
            .unwrap();
        assert_eq!(a.tps.to_string(), "33.20.01.2001/002");
        assert_eq!(
            (a.ballot, a.holding.good_in, a.holding.damaged_in),
            (BallotType::Dpr, 290, 3)
        );
        assert_eq!((a.holding.missing_in, a.holding.sent_out), (2, 0));
        // No ballot type, or a place that is not a canonical TPS: no TPS's ballot account.
        assert!(copied_arrival(b"33.20.01.2001/002\t\t1\t0\t0")
            .unwrap()
            .is_none());
        assert!(copied_arrival(b"33.20.01.2001/2\tdpr\t1\t0\t0")
            .unwrap()
            .is_none());
        for bad in [
            &b"33.20.01.2001/002\tdpr\t1\t0"[..],
            b"33.20.01.2001/002\tdpr\t1\t0\t0\t9",
            b"33.20.01.2001/002\tdpr\tx\t0\t0",
            b"33.20.01.2001/002\tkursi\t1\t0\t0",
            b"33.20.01.2001\\t/002\tdpr\t1\t0\t0",
            b"",
        ] {
            assert!(
                matches!(copied_arrival(bad), Err(StoreError::Corrupt(_))),
                "{bad:?}"
            );
        }
    }
}
