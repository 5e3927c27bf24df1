//! What the logistics capability keeps: stock delivered to a KPU warehouse and every hand-over
//! down the chain, with each node's running account (what arrived, in what state, what went on).

use std::collections::HashMap;

use jiff::Timestamp;
use posko_core::election::BallotType;
use posko_core::logistics::{
    check_hand_over, check_size, Counts, Holding, Item, Node, Refusal, Stage,
};
use posko_core::TpsId;

use crate::{StoreError, StoreResult};

/// The maps an import keys by place: millions of look-ups, hashed with foldhash rather than
/// SipHash (the keys come from an officer's file, and foldhash's seeds are per process).
pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A chunk's changes to the accounts, per account (`BatchPlanner::chunk`).
pub type Deltas<'c> = FastMap<HoldingKey<'c>, HoldingDelta>;

/// A hand-over to record (or a delivery of stock to the warehouse when `from` is `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewLogisticsHandover {
    pub election: String,
    pub from: Option<Node>,
    pub to: Node,
    pub item: Item,
    pub sent: u32,
    pub good: u32,
    pub damaged: u32,
    pub missing: u32,
    pub at: Timestamp,
    /// Names as signed on the berita acara (officials of the post, not private persons).
    pub handed_by: String,
    pub received_by: String,
    pub recorded_by: Option<i64>,
}

/// An imported hand-over file, remembered by the SHA-256 of its bytes (lower-case hex) so that
/// the same file is not recorded twice.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedFile {
    pub election: String,
    pub sha256: String,
    /// The file's name as the officer knew it.
    pub name: String,
    /// Hand-overs recorded from it (filled in by the store when it lands).
    pub rows: u64,
    pub at: Timestamp,
    pub imported_by: Option<i64>,
}

/// A recorded hand-over.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticsHandover {
    pub id: i64,
    pub record: NewLogisticsHandover,
}

/// One node's account of one item.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeHolding {
    pub node: Node,
    pub item: Item,
    pub good_in: u32,
    pub damaged_in: u32,
    pub missing_in: u32,
    pub sent_out: u32,
    /// The last arrival.
    pub last_at: Option<Timestamp>,
}

/// A TPS's (KPPS) account of one ballot type, as lean as the status board needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TpsBallotAccount {
    pub tps: TpsId,
    pub ballot: BallotType,
    pub holding: Holding,
}

impl TpsBallotAccount {
    /// Reads one stored KPPS account (`place`, `ballot` and the four counts as stored); `None`
    /// when the place is not a canonical TPS key or the account has no ballot type. Shared by
    /// the back ends so both skip and refuse alike.
    pub fn decode(
        place: &str,
        ballot: &str,
        counts: [i64; 4],
    ) -> StoreResult<Option<TpsBallotAccount>> {
        TpsBallotAccount::decode_at(TpsId::parse_canonical(place), ballot, counts)
    }

    /// As `decode`, for a place already read with `TpsId::parse_canonical` (a back end that
    /// gets one TPS's accounts together reads its place once).
    pub fn decode_at(
        tps: Option<TpsId>,
        ballot: &str,
        [good_in, damaged_in, missing_in, sent_out]: [i64; 4],
    ) -> StoreResult<Option<TpsBallotAccount>> {
        if ballot.is_empty() {
            return Ok(None);
        }
        let ballot = BallotType::parse(ballot)
            .ok_or_else(|| StoreError::Corrupt(format!("jenis surat suara '{ballot}'")))?;
        let Some(tps) = tps else {
            return Ok(None);
        };
        let count = |v: i64| u32::try_from(v.max(0)).unwrap_or(u32::MAX);
        Ok(Some(TpsBallotAccount {
            tps,
            ballot,
            holding: Holding {
                good_in: count(good_in),
                damaged_in: count(damaged_in),
                missing_in: count(missing_in),
                sent_out: count(sent_out),
            },
        }))
    }
}

/// Sums a TPS's hand-overs per ballot type into its accounts: one per TPS and ballot type, in
/// TPS order and, within a TPS, in the order of the ballot type's code (as a grouped query would
/// give them). A count past what `u32` holds stays at its maximum.
pub fn sum_tps_accounts(mut arrivals: Vec<TpsBallotAccount>) -> Vec<TpsBallotAccount> {
    arrivals.sort_unstable_by(|a, b| (a.tps, a.ballot.as_str()).cmp(&(b.tps, b.ballot.as_str())));
    let mut out: Vec<TpsBallotAccount> = Vec::with_capacity(arrivals.len());
    for a in arrivals {
        match out.last_mut() {
            Some(last) if last.tps == a.tps && last.ballot == a.ballot => {
                let (h, more) = (&mut last.holding, a.holding);
                h.good_in = h.good_in.saturating_add(more.good_in);
                h.damaged_in = h.damaged_in.saturating_add(more.damaged_in);
                h.missing_in = h.missing_in.saturating_add(more.missing_in);
                h.sent_out = h.sent_out.saturating_add(more.sent_out);
            }
            _ => out.push(a),
        }
    }
    out
}

impl NewLogisticsHandover {
    /// What every store checks before keeping a hand-over, besides what the sender holds: counts
    /// that fit a stored hand-over, and a sender that is the office one stage above the
    /// receiver's place. The stores keep only the receiver's place and read the sender's back
    /// from it (`sender_of`).
    pub fn check_stored_form(&self) -> Result<(), String> {
        check_size(Counts {
            sent: self.sent,
            good: self.good,
            damaged: self.damaged,
            missing: self.missing,
        })
        .map_err(|r| r.to_string())?;
        if let Some(from) = &self.from {
            if from.stage.office_above(&self.to.place) != Some(from.place.as_str())
                || from.stage.next() != Some(self.to.stage)
            {
                return Err(Refusal::NotTheSender {
                    from: format!("{} {}", from.stage.label(), from.place),
                    to: format!("{} {}", self.to.stage.label(), self.to.place),
                }
                .to_string());
            }
        }
        Ok(())
    }
}

/// The sender of a stored hand-over, read back from its stage and the receiver's place (see
/// `NewLogisticsHandover::check_stored_form`); `None` for stock delivered to a warehouse.
pub fn sender_of(stage: Option<Stage>, receiver: &str) -> StoreResult<Option<Node>> {
    let Some(stage) = stage else {
        return Ok(None);
    };
    let place = stage.office_above(receiver).ok_or_else(|| {
        StoreError::Corrupt(format!("pengirim {} untuk {receiver}", stage.as_str()))
    })?;
    Ok(Some(Node {
        stage,
        place: place.to_string(),
    }))
}

/// Why a batch of hand-overs was refused: the row (0-based, in the order given) and the reason.
/// Nothing of the batch is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRefusal {
    pub index: usize,
    pub message: String,
}

/// The key of one node's account of one item, borrowed from the hand-overs of a chunk (a
/// national import makes millions of them; none is copied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HoldingKey<'a> {
    pub stage: Stage,
    pub place: &'a str,
    pub kind: &'a str,
    pub ballot: Option<BallotType>,
}

/// One sending place's good items on hand, per stage and item.
type OnHand = Vec<(Stage, String, Option<BallotType>, u32)>;

/// What a batch adds to one account (of a KPU, PPK or PPS: a TPS's account is read from the
/// hand-overs it received).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HoldingDelta {
    pub good_in: u32,
    pub damaged_in: u32,
    pub missing_in: u32,
    pub sent_out: u32,
    pub last_at: Option<Timestamp>,
}

/// The refusal of a row that would take an account past what a count can hold.
pub fn too_large(place: &str) -> String {
    format!(
        "jumlah pada akun {place} melampaui {} (a count of this account would be too large)",
        u32::MAX
    )
}

impl HoldingDelta {
    /// `self + more`, or `None` when a count would not fit.
    pub fn checked_add(&self, more: &HoldingDelta) -> Option<HoldingDelta> {
        Some(HoldingDelta {
            good_in: self.good_in.checked_add(more.good_in)?,
            damaged_in: self.damaged_in.checked_add(more.damaged_in)?,
            missing_in: self.missing_in.checked_add(more.missing_in)?,
            sent_out: self.sent_out.checked_add(more.sent_out)?,
            last_at: self.last_at.max(more.last_at),
        })
    }
}

/// Checks a batch of hand-overs chunk by chunk, for a back end that holds its write lock for the
/// whole batch: it knows what every sender holds (seeded from the store, then moved by each
/// accepted row, in order), applies `posko_core::logistics::check_hand_over` to every row, and
/// gives back each chunk's changes to the accounts, summed per account so one statement can write
/// them. Shared by both back ends so a batch obeys exactly the rules a single hand-over does.
#[derive(Debug, Default)]
pub struct BatchPlanner {
    election: String,
    /// Good items on hand per sending account (KPU, PPK, PPS; a TPS hands nothing on), by place
    /// so a row's place finds them without building a key.
    on_hand: FastMap<String, OnHand>,
    seen: usize,
}

impl BatchPlanner {
    /// Starts from the store's accounts, of one election, of the stages that send.
    pub fn new(election: &str, accounts: impl IntoIterator<Item = NodeHolding>) -> BatchPlanner {
        let mut planner = BatchPlanner {
            election: election.to_string(),
            on_hand: FastMap::default(),
            seen: 0,
        };
        for h in accounts {
            if h.node.stage.next().is_some() {
                let key = HoldingKey {
                    stage: h.node.stage,
                    place: &h.node.place,
                    kind: &h.item.kind,
                    ballot: h.item.ballot,
                };
                *planner.held(key) = h.good_in.saturating_sub(h.sent_out);
            }
        }
        planner
    }

    /// The good items a sending account holds, made (as 0) if it has none yet.
    fn held(&mut self, key: HoldingKey<'_>) -> &mut u32 {
        if !self.on_hand.contains_key(key.place) {
            self.on_hand.insert(key.place.to_string(), Vec::new());
        }
        let Some(list) = self.on_hand.get_mut(key.place) else {
            unreachable!("inserted above")
        };
        let at = match list
            .iter()
            .position(|(s, k, b, _)| *s == key.stage && k == key.kind && *b == key.ballot)
        {
            Some(at) => at,
            None => {
                list.push((key.stage, key.kind.to_string(), key.ballot, 0));
                list.len() - 1
            }
        };
        &mut list[at].3
    }

    fn holds(&self, key: HoldingKey<'_>) -> u32 {
        self.on_hand
            .get(key.place)
            .and_then(|list| {
                list.iter()
                    .find(|(s, k, b, _)| *s == key.stage && k == key.kind && *b == key.ballot)
            })
            .map_or(0, |(_, _, _, n)| *n)
    }

    /// Rows seen so far.
    pub fn rows(&self) -> usize {
        self.seen
    }

    /// Fills `chunk` with up to `n` next rows of a batch (fewer at its end); an `Err` row refuses
    /// the batch, named by its index. `planner` is `None` before the first chunk.
    pub fn fill(
        planner: Option<&BatchPlanner>,
        rows: &mut (dyn Iterator<Item = Result<NewLogisticsHandover, String>> + Send),
        chunk: &mut Vec<NewLogisticsHandover>,
        n: usize,
    ) -> Result<(), BatchRefusal> {
        chunk.clear();
        for row in &mut *rows {
            match row {
                Ok(h) => chunk.push(h),
                Err(message) => {
                    let index = planner.map_or(0, BatchPlanner::rows) + chunk.len();
                    return Err(BatchRefusal { index, message });
                }
            }
            if chunk.len() == n {
                break;
            }
        }
        Ok(())
    }

    /// Checks the next rows; on refusal names the row by its index in the whole batch.
    pub fn chunk<'c>(
        &mut self,
        rows: &'c [NewLogisticsHandover],
    ) -> Result<Deltas<'c>, BatchRefusal> {
        let mut deltas =
            Deltas::with_capacity_and_hasher(rows.len(), foldhash::fast::RandomState::default());
        for h in rows {
            let index = self.seen;
            self.seen += 1;
            let refuse = |message: String| BatchRefusal { index, message };
            h.check_stored_form().map_err(refuse)?;
            if h.election != self.election {
                return Err(refuse(format!(
                    "satu impor untuk satu pemilihan: '{}' bukan '{}' (one election per import)",
                    h.election, self.election
                )));
            }
            let counts = Counts {
                sent: h.sent,
                good: h.good,
                damaged: h.damaged,
                missing: h.missing,
            };
            if let Some(from) = &h.from {
                let key = HoldingKey {
                    stage: from.stage,
                    place: &from.place,
                    kind: &h.item.kind,
                    ballot: h.item.ballot,
                };
                let held = self.holds(key);
                check_hand_over(from.stage, h.to.stage, counts, held)
                    .map_err(|r| refuse(format!("{} {}: {r}", from.stage.label(), from.place)))?;
                *self.held(key) = held - h.sent;
                let d = deltas.entry(key).or_default();
                d.sent_out = d
                    .sent_out
                    .checked_add(h.sent)
                    .ok_or_else(|| refuse(too_large(&from.place)))?;
            } else {
                // Stock delivered to a warehouse: only the counts must agree.
                if h.to.stage != Stage::Kpu {
                    return Err(refuse(
                        "stok hanya masuk ke gudang KPU (stock is delivered to a KPU warehouse)"
                            .into(),
                    ));
                }
                let accounted = u64::from(h.good) + u64::from(h.damaged) + u64::from(h.missing);
                if accounted != u64::from(h.sent) {
                    return Err(refuse(
                        posko_core::logistics::Refusal::CountsDisagree {
                            sent: h.sent,
                            accounted: u32::try_from(accounted).unwrap_or(u32::MAX),
                        }
                        .to_string(),
                    ));
                }
            }
            // A TPS hands nothing on: its account is the sum of its arrivals, which the store
            // reads from the hand-overs themselves rather than keeping a copy per TPS.
            if h.to.stage == Stage::Kpps {
                continue;
            }
            let key = HoldingKey {
                stage: h.to.stage,
                place: &h.to.place,
                kind: &h.item.kind,
                ballot: h.item.ballot,
            };
            // Counts are u32 (a regency needs millions of ballots, not billions): a file that
            // would overflow an account is refused rather than wrapped.
            let held = self.held(key);
            *held = held
                .checked_add(h.good)
                .ok_or_else(|| refuse(too_large(&h.to.place)))?;
            let d = deltas.entry(key).or_default();
            let sums = (
                d.good_in.checked_add(h.good),
                d.damaged_in.checked_add(h.damaged),
                d.missing_in.checked_add(h.missing),
            );
            let (Some(good), Some(damaged), Some(missing)) = sums else {
                return Err(refuse(too_large(&h.to.place)));
            };
            (d.good_in, d.damaged_in, d.missing_in) = (good, damaged, missing);
            d.last_at = d.last_at.max(Some(h.at));
        }
        Ok(deltas)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arrival(tps: &str, ballot: &str, good: i64, damaged: i64, missing: i64) -> TpsBallotAccount {
        TpsBallotAccount::decode(tps, ballot, [good, damaged, missing, 0])
            .unwrap()
            .unwrap()
    }

    #[test]
    fn a_tps_account_is_the_sum_of_its_arrivals_per_ballot_type() {
        let summed = sum_tps_accounts(vec![
            arrival("33.20.01.2001/002", "ppwp", 100, 0, 0),
            arrival("33.20.01.2001/001", "ppwp", 290, 3, 2),
            arrival("33.20.01.2001/002", "dpr", 7, 1, 0),
            arrival("33.20.01.2001/002", "ppwp", 50, 2, 1),
            arrival("33.20.01.2001/001", "dpd", u32::MAX.into(), 0, 0),
            arrival("33.20.01.2001/001", "dpd", 5, 0, 0),
        ]);
        let seen: Vec<(String, &str, u32, u32, u32)> = summed
            .iter()
            .map(|a| {
                let h = a.holding;
                (
                    a.tps.to_string(),
                    a.ballot.as_str(),
                    h.good_in,
                    h.damaged_in,
                    h.missing_in,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("33.20.01.2001/001".to_string(), "dpd", u32::MAX, 0, 0),
                ("33.20.01.2001/001".to_string(), "ppwp", 290, 3, 2),
                ("33.20.01.2001/002".to_string(), "dpr", 7, 1, 0),
                ("33.20.01.2001/002".to_string(), "ppwp", 150, 2, 1),
            ]
        );
        assert!(sum_tps_accounts(Vec::new()).is_empty());
    }
}
