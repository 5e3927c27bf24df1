//! Election logistics at the post (issue 7): hand-overs recorded down the chain with the rules
//! of `posko_core::logistics`, and a status board that compares, per TPS and rolled up per
//! village, what each TPS needs by law with what arrived, in what condition and on time.

use std::collections::BTreeMap;

use jiff::civil::Date;
use posko_core::election::BallotType;
use posko_core::logistics::{self, Node, Rounding, Stage, TpsStatus};
use posko_core::{Level, RegionCode, TpsId};
use posko_store::{
    LogisticsHandover, NewAuditEntry, NewLogisticsHandover, StoreError, TpsBallotAccount,
};

use crate::Posko;

/// The item name for ballot papers.
pub const BALLOTS: &str = "surat_suara";

#[derive(Debug, thiserror::Error)]
pub enum LogisticsError {
    #[error("{0}")]
    Refused(String),
    #[error("tempat '{place}' bukan {stage} yang sah (not a valid place for this stage)")]
    BadPlace { stage: &'static str, place: String },
    #[error(transparent)]
    Store(StoreError),
}

pub mod alerts;
pub mod import;

/// Checks that a place fits its stage: KPU a regency, PPK a district, PPS a village, KPPS a
/// TPS (`village/number`) — and that it exists.
pub fn check_place(posko: &Posko, node: &Node) -> Result<(), LogisticsError> {
    check_place_in(posko.atlas, node)
}

/// `check_place` against an atlas.
pub fn check_place_in(atlas: &posko_core::Atlas, node: &Node) -> Result<(), LogisticsError> {
    check_place_code(atlas, node, place_region(node))
}

/// The region a node's place names (a TPS's village), if its place reads as one.
pub fn place_region(node: &Node) -> Option<RegionCode> {
    match node.stage {
        Stage::Kpps => TpsId::parse(&node.place).ok().map(|t| t.village),
        _ => RegionCode::parse(&node.place).ok(),
    }
}

/// `check_place_in` for a place already read: `code` is its region (`place_region`).
pub fn check_place_code(
    atlas: &posko_core::Atlas,
    node: &Node,
    code: Option<RegionCode>,
) -> Result<(), LogisticsError> {
    let level = match node.stage {
        Stage::Kpu => Level::Regency,
        Stage::Ppk => Level::District,
        Stage::Pps | Stage::Kpps => Level::Village,
    };
    match code {
        Some(code) if code.level() == level && atlas.contains(&code) => Ok(()),
        _ => Err(LogisticsError::BadPlace {
            stage: node.stage.label(),
            place: node.place.clone(),
        }),
    }
}

/// Reads a place written for `stage` once: the node with the place spelled canonically (as
/// written when it cannot be read) and the region it names.
pub fn read_place(stage: Stage, text: &str) -> (Node, Option<RegionCode>) {
    let (place, region) = match stage {
        Stage::Kpps => match TpsId::parse_canonical(text) {
            Some(t) => (text.to_string(), Some(t.village)),
            None => match TpsId::parse(text) {
                Ok(t) => (t.to_string(), Some(t.village)),
                Err(_) => (text.to_string(), None),
            },
        },
        _ => match RegionCode::parse_noting_canonical(text) {
            Ok((code, true)) => (text.to_string(), Some(code)),
            Ok((code, false)) => (code.to_string(), Some(code)),
            Err(_) => (text.to_string(), None),
        },
    };
    (Node { stage, place }, region)
}

/// Checks that a hand-over goes down the chain one stage, to a place inside the sender's area
/// (a village of the district, a TPS of the village, …).
pub fn check_route(from: &Node, to: &Node) -> Result<(), String> {
    if from.stage.next() != Some(to.stage) {
        return Err(logistics::Refusal::WrongStage {
            from: from.stage,
            to: to.stage,
        }
        .to_string());
    }
    let inside = to
        .place
        .strip_prefix(from.place.as_str())
        .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('/'));
    if !inside {
        return Err(format!(
            "{} {} tidak berada di wilayah {} {} (the receiver is outside the sender's area)",
            to.stage.label(),
            to.place,
            from.stage.label(),
            from.place
        ));
    }
    Ok(())
}

/// Records a hand-over (or stock for a warehouse when `from` is `None`): the chain's order, the
/// places, the counts and what the sender holds are all checked; the move is audited.
pub async fn record(posko: &Posko, h: &NewLogisticsHandover) -> Result<i64, LogisticsError> {
    check_place(posko, &h.to)?;
    if let Some(from) = &h.from {
        check_place(posko, from)?;
    }
    // One spelling per place, or "…/1" and "…/001" would keep two accounts of one TPS.
    let mut h = h.clone();
    for node in std::iter::once(&mut h.to).chain(h.from.as_mut()) {
        if let Some(place) = canonical_place(node) {
            node.place = place;
        }
    }
    let h = &h;
    if let Some(from) = &h.from {
        check_route(from, &h.to).map_err(LogisticsError::Refused)?;
    } else if h.to.stage != Stage::Kpu {
        return Err(LogisticsError::Refused(
            "stok hanya masuk ke gudang KPU (stock is delivered to a KPU warehouse)".into(),
        ));
    }
    let id = posko.store.record_handover(h).await.map_err(|e| match e {
        StoreError::Rejected(m) => LogisticsError::Refused(m),
        other => LogisticsError::Store(other),
    })?;
    posko
        .store
        .append_audit(&NewAuditEntry {
            at: h.at,
            actor: h.recorded_by,
            action: "logistics_handover".into(),
            subject: format!("handover:{id}"),
            detail: format!(
                "{} -> {} {} {}",
                h.from
                    .as_ref()
                    .map(|n| format!("{}:{}", n.stage.as_str(), n.place))
                    .unwrap_or_else(|| "stok".into()),
                format_args!("{}:{}", h.to.stage.as_str(), h.to.place),
                h.item.kind,
                h.sent
            ),
        })
        .await
        .map_err(LogisticsError::Store)?;
    if h.damaged + h.missing > 0 {
        if let Some(d) = RegionCode::parse(h.to.place.split('/').next().unwrap_or(""))
            .ok()
            .and_then(|c| c.ancestor_at(Level::District))
        {
            let trouble = BTreeMap::from([(d, (u64::from(h.damaged), u64::from(h.missing)))]);
            alerts::on_arrival(
                posko,
                &h.election,
                &trouble,
                &format!("serah terima #{id}"),
                h.at,
            )
            .await
            .map_err(LogisticsError::Store)?;
        }
    }
    Ok(id)
}

/// The place as the store keys it: a region code or `village/TPS` written the one canonical way
/// ("33.20.01.2001/1" and "33.20.01.2001/001" are the same TPS).
pub fn canonical_place(node: &Node) -> Option<String> {
    match node.stage {
        Stage::Kpps => TpsId::parse(&node.place).ok().map(|t| t.to_string()),
        _ => RegionCode::parse(&node.place).ok().map(|c| c.to_string()),
    }
}

/// One TPS on the status board: its ballot need per type and where it stands.
#[derive(Debug, Clone)]
pub struct TpsBoard {
    pub tps: TpsId,
    pub ballots: Vec<(BallotType, TpsStatus)>,
}

impl TpsBoard {
    pub fn short(&self) -> u32 {
        self.ballots.iter().map(|(_, s)| s.short).sum()
    }
    pub fn damaged(&self) -> u32 {
        self.ballots.iter().map(|(_, s)| s.damaged).sum()
    }
    pub fn late(&self) -> bool {
        self.ballots.iter().any(|(_, s)| s.late)
    }
}

/// A village's roll-up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VillageBoard {
    pub tps: u32,
    pub needed: u64,
    pub good: u64,
    pub damaged: u64,
    pub short: u64,
    pub late_tps: u32,
    pub complete_tps: u32,
    /// Equipment the TPS need by law: ballot boxes, booths, ink bottles, result-form sets.
    pub boxes: u64,
    pub booths: u64,
    pub ink: u64,
    pub forms: u64,
}

impl VillageBoard {
    /// Adds another region's figures (a roll-up is the sum of its parts).
    pub fn add(&mut self, o: &VillageBoard) {
        self.tps += o.tps;
        self.needed += o.needed;
        self.good += o.good;
        self.damaged += o.damaged;
        self.short += o.short;
        self.late_tps += o.late_tps;
        self.complete_tps += o.complete_tps;
        self.boxes += o.boxes;
        self.booths += o.booths;
        self.ink += o.ink;
        self.forms += o.forms;
    }
}

/// Rolls village figures up to the regions of `level` that hold them.
pub fn roll_up(
    villages: &BTreeMap<RegionCode, VillageBoard>,
    level: Level,
) -> BTreeMap<RegionCode, VillageBoard> {
    let mut out: BTreeMap<RegionCode, VillageBoard> = BTreeMap::new();
    for (v, b) in villages {
        if let Some(r) = v.ancestor_at(level) {
            out.entry(r).or_default().add(b);
        }
    }
    out
}

/// The status of every TPS in a region (a district or a village) for ballot papers, and the
/// roll-up per village. The need counts DPT voters (the register) with the reserve; DPTb is
/// added when the register carries it.
pub async fn status(
    posko: &Posko,
    election_id: &str,
    within: &RegionCode,
    today: Date,
) -> Result<(Vec<TpsBoard>, BTreeMap<RegionCode, VillageBoard>), StoreError> {
    let mut boards = Vec::new();
    let villages = walk(posko, election_id, within, today, |b| boards.push(b)).await?;
    Ok((boards, villages))
}

/// The roll-up per village of `status` without the per-TPS boards, for callers that only sum
/// (the national status, the dashboard): the same figures, nothing kept per TPS.
pub async fn rollup_villages(
    posko: &Posko,
    election_id: &str,
    within: &RegionCode,
    today: Date,
) -> Result<BTreeMap<RegionCode, VillageBoard>, StoreError> {
    walk(posko, election_id, within, today, |_| ()).await
}

/// The ballot accounts of a region's TPS, sorted by TPS so one TPS's accounts sit together and
/// are found by a binary search: no place string is built or compared per TPS.
struct Arrivals(Vec<TpsBallotAccount>);

impl Arrivals {
    fn new(mut accounts: Vec<TpsBallotAccount>) -> Arrivals {
        // The store gives them in TPS order already: sorting sorted input is one pass, and the
        // search stays right whatever order a back end keeps inside one TPS.
        accounts.sort_by_key(|a| a.tps);
        Arrivals(accounts)
    }

    /// The accounts of one TPS (one search per TPS, not per ballot type).
    fn of(&self, tps: TpsId) -> &[TpsBallotAccount] {
        let from = self.0.partition_point(|a| a.tps < tps);
        let rest = &self.0[from..];
        let n = rest.partition_point(|a| a.tps == tps);
        &rest[..n]
    }
}

/// Walks the TPS of a region once: each TPS's board goes to `each`, the village roll-up is
/// returned.
async fn walk(
    posko: &Posko,
    election_id: &str,
    within: &RegionCode,
    today: Date,
    mut each: impl FnMut(TpsBoard),
) -> Result<BTreeMap<RegionCode, VillageBoard>, StoreError> {
    let Some(election) = posko.elections.get(election_id) else {
        return Ok(BTreeMap::new());
    };
    // The two reads are independent: on two connections at once.
    let (accounts, register) = tokio::try_join!(
        posko
            .store
            .tps_ballot_accounts(election_id, within, BALLOTS),
        posko.store.tps_voters_in_region(election_id, within),
    )?;
    let arrived = Arrivals::new(accounts);
    let mut villages: BTreeMap<RegionCode, VillageBoard> = BTreeMap::new();
    for (tps, voters) in register {
        let v = tps.village;
        let needs = logistics::tps_needs(election, &v, voters, 0, Rounding::Up);
        let accounts = arrived.of(tps);
        let ballots: Vec<(BallotType, TpsStatus)> = needs
            .ballots
            .iter()
            .map(|(b, need)| {
                let h = accounts
                    .iter()
                    .find(|a| a.ballot == *b)
                    .map(|a| a.holding)
                    .unwrap_or_default();
                (
                    *b,
                    logistics::tps_status(*need, &h, today, election.polling_day),
                )
            })
            .collect();
        let board = TpsBoard { tps, ballots };
        let vb = villages.entry(v).or_default();
        vb.tps += 1;
        vb.boxes += u64::from(needs.boxes);
        vb.booths += u64::from(needs.booths);
        vb.ink += u64::from(needs.ink);
        vb.forms += u64::from(needs.forms);
        for (_, s) in &board.ballots {
            vb.needed += u64::from(s.needed);
            vb.good += u64::from(s.good);
            vb.damaged += u64::from(s.damaged);
            vb.short += u64::from(s.short);
        }
        if board.late() {
            vb.late_tps += 1;
        }
        if board.short() == 0 {
            vb.complete_tps += 1;
        }
        each(board);
    }
    Ok(villages)
}

/// The latest hand-overs touching a place.
pub async fn recent(
    posko: &Posko,
    election: &str,
    place: &str,
) -> Result<Vec<LogisticsHandover>, StoreError> {
    posko.store.handovers(election, place, 100).await
}

/// A hand-over read back for its berita acara.
pub async fn receipt(posko: &Posko, id: i64) -> Result<Option<LogisticsHandover>, StoreError> {
    posko.store.handover(id).await
}

/// One stage of the chain inside a region: its places' need, what arrived and how, what went
/// on, how many places are short, and its deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageRow {
    pub stage: Stage,
    pub places: u32,
    pub needed: u64,
    pub good: u64,
    pub damaged: u64,
    pub missing: u64,
    pub handed_on: u64,
    pub short_places: u32,
    pub due: Option<Date>,
    pub late: bool,
}

/// The reconciliation of a region's chain: what came in at its top stage equals what is on hand
/// at every stage + damaged + missing on the way. `holds()` is false only if the accounts drifted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reconciliation {
    pub top: Option<Stage>,
    pub came_in: u64,
    pub on_hand: u64,
    pub damaged: u64,
    pub missing: u64,
}

impl Reconciliation {
    pub fn holds(&self) -> bool {
        self.came_in == self.on_hand + self.damaged + self.missing
    }
}

/// What each place of the chain needs per ballot type — every TPS, village (PPS), district
/// (PPK) and regency (KPU) holding the boards' TPS — summed from the TPS's needs.
pub fn needs_by_place(boards: &[TpsBoard]) -> BTreeMap<(Stage, String, BallotType), u64> {
    let mut need: BTreeMap<(Stage, String, BallotType), u64> = BTreeMap::new();
    for b in boards {
        let v = b.tps.village;
        for (ballot, st) in &b.ballots {
            let n = u64::from(st.needed);
            *need
                .entry((Stage::Kpps, b.tps.to_string(), *ballot))
                .or_default() += n;
            *need
                .entry((Stage::Pps, v.to_string(), *ballot))
                .or_default() += n;
            for (stage, level) in [(Stage::Ppk, Level::District), (Stage::Kpu, Level::Regency)] {
                if let Some(c) = v.ancestor_at(level) {
                    *need.entry((stage, c.to_string(), *ballot)).or_default() += n;
                }
            }
        }
    }
    need
}

/// The chain's stages inside a regency, district or village, from the TPS boards of `status`.
pub async fn stages(
    posko: &Posko,
    election_id: &str,
    within: &RegionCode,
    boards: &[TpsBoard],
    today: Date,
) -> Result<(Vec<StageRow>, Reconciliation), StoreError> {
    let Some(election) = posko.elections.get(election_id) else {
        return Ok((Vec::new(), Reconciliation::default()));
    };
    let top = match within.level() {
        Level::Regency => Stage::Kpu,
        Level::District => Stage::Ppk,
        _ => Stage::Pps,
    };
    let need = needs_by_place(boards);
    let mut rows = Vec::new();
    let mut rec = Reconciliation {
        top: Some(top),
        ..Reconciliation::default()
    };
    // The stages' accounts are independent reads: made at once, on separate connections, so a
    // district board waits for the slowest of them rather than their sum.
    let place = within.to_string();
    let read = |stage: Stage| {
        let place = &place;
        async move {
            if stage < top {
                return Ok(Vec::new());
            }
            posko.store.holdings(election_id, stage, place).await
        }
    };
    let (kpu, ppk, pps, kpps) = tokio::try_join!(
        read(Stage::Kpu),
        read(Stage::Ppk),
        read(Stage::Pps),
        read(Stage::Kpps)
    )?;
    let accounts = [
        (Stage::Kpu, kpu),
        (Stage::Ppk, ppk),
        (Stage::Pps, pps),
        (Stage::Kpps, kpps),
    ];
    for (stage, accounts) in accounts.into_iter().filter(|(s, _)| *s >= top) {
        let held: BTreeMap<(String, BallotType), posko_store::NodeHolding> = accounts
            .into_iter()
            .filter(|h| h.item.kind == BALLOTS)
            .filter_map(|h| Some(((h.node.place.clone(), h.item.ballot?), h)))
            .collect();
        let mut row = StageRow {
            stage,
            places: 0,
            needed: 0,
            good: 0,
            damaged: 0,
            missing: 0,
            handed_on: 0,
            short_places: 0,
            due: stage.due(election.polling_day),
            late: false,
        };
        let mut short_places = std::collections::BTreeSet::new();
        let mut places = std::collections::BTreeSet::new();
        for ((st, place, ballot), n) in &need {
            if *st != stage {
                continue;
            }
            places.insert(place.clone());
            row.needed += n;
            let got = held
                .get(&(place.clone(), *ballot))
                .map_or(0, |h| u64::from(h.good_in));
            if got < *n {
                short_places.insert(place.clone());
            }
        }
        for h in held.values() {
            row.good += u64::from(h.good_in);
            row.damaged += u64::from(h.damaged_in);
            row.missing += u64::from(h.missing_in);
            row.handed_on += u64::from(h.sent_out);
            rec.on_hand += u64::from(h.good_in.saturating_sub(h.sent_out));
            rec.damaged += u64::from(h.damaged_in);
            rec.missing += u64::from(h.missing_in);
            if stage == top {
                rec.came_in +=
                    u64::from(h.good_in) + u64::from(h.damaged_in) + u64::from(h.missing_in);
            }
        }
        row.places = places.len() as u32;
        row.short_places = short_places.len() as u32;
        row.late = row.short_places > 0 && row.due.is_some_and(|d| today > d);
        rows.push(row);
    }
    Ok((rows, rec))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The import's one-pass reading of a place agrees with reading it the long way
    /// (`canonical_place`, then `place_region`), for canonical and other spellings.
    #[test]
    fn read_place_agrees_with_the_long_way() {
        let cases = [
            (Stage::Kpu, "33.20"),
            (Stage::Kpu, "3320"),
            (Stage::Kpu, " 33.20 "),
            (Stage::Ppk, "33.20.01"),
            (Stage::Pps, "3320012001"),
            (Stage::Pps, "33.20.01.2001"),
            (Stage::Kpps, "33.20.01.2001/001"),
            (Stage::Kpps, "33.20.01.2001/1"),
            (Stage::Kpps, "3320012001/007"),
            (Stage::Kpps, " 33.20.01.2001/001"),
            (Stage::Kpps, "33.20.01.2001"),
            (Stage::Pps, "bukan kode"),
            (Stage::Ppk, ""),
        ];
        for (stage, text) in cases {
            let (node, region) = read_place(stage, text);
            let raw = Node {
                stage,
                place: text.to_string(),
            };
            let expected = canonical_place(&raw).unwrap_or_else(|| text.to_string());
            assert_eq!(node.place, expected, "{stage:?} {text:?}");
            assert_eq!(region, place_region(&raw), "{stage:?} {text:?}");
            assert_eq!(node.stage, stage);
        }
    }
}
