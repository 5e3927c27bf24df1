//! Election logistics (DOMAIN.md §9, issue 7): what every TPS needs by law, and the ledger of
//! hand-overs along the chain KPU kabupaten/kota → PPK (district) → PPS (village) → KPPS (TPS).
//!
//! The ledger keeps, for every item and node, what arrived (good, damaged, missing on arrival)
//! and what was handed on. Its invariant — for every hand-over, sent = received good + received
//! damaged + missing, and no node hands on more good items than it received — never drifts: a
//! hand-over that would break it is refused with a message that says by how much.

use std::collections::BTreeMap;
use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::election::{BallotType, Election};
use crate::region::RegionCode;

/// How the 2 % (Pemilu) or 2.5 % (Pilkada) reserve is rounded: up is the reported practice
/// [U], so it is configurable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    #[default]
    Up,
    Nearest,
    Down,
}

/// The reserve for `dpt` voters at `bp` basis points (200 = 2 %), rounded as configured.
/// Integer arithmetic: no float can make 2 % of 250 voters 4.999….
pub fn reserve(dpt: u32, bp: u32, rounding: Rounding) -> u32 {
    let num = u64::from(dpt) * u64::from(bp);
    let r = match rounding {
        Rounding::Up => num.div_ceil(10_000),
        Rounding::Nearest => (num + 5_000) / 10_000,
        Rounding::Down => num / 10_000,
    };
    r as u32
}

/// The ballot types a TPS receives: every type of the election except where a region has no
/// such body — DKI Jakarta (31) elects no DPRD kabupaten/kota and no regent or mayor; DIY (34)
/// elects no governor [U].
pub fn ballots_at(election: &Election, village: &RegionCode) -> Vec<BallotType> {
    election
        .ballots
        .iter()
        .copied()
        .filter(|b| holds(election, village, *b))
        .collect()
}

/// Whether the region of `village` elects `ballot` in this election (see `ballots_at`); no
/// allocation, since the result-form checks ask it of every form.
pub fn holds(election: &Election, village: &RegionCode, ballot: BallotType) -> bool {
    election.ballots.contains(&ballot)
        && !matches!(
            (village.province_number(), ballot),
            (31, BallotType::DprdKabKota)
                | (31, BallotType::BupatiWalikota)
                | (34, BallotType::Gubernur)
        )
}

/// What one TPS needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TpsNeeds {
    /// Ballot papers per type: DPT + DPTb + reserve.
    pub ballots: Vec<(BallotType, u32)>,
    /// One box per ballot type.
    pub boxes: u32,
    /// Voting booths (bilik suara) [U]: 4 per TPS.
    pub booths: u32,
    /// Bottles of indelible ink [U]: 2 per TPS.
    pub ink: u32,
    /// Result-form sets (C.Hasil) per ballot type, one each.
    pub forms: u32,
}

pub const BOOTHS_PER_TPS: u32 = 4;
pub const INK_PER_TPS: u32 = 2;

/// The needs of one TPS with `dpt` and `dptb` voters, under the election's reserve rule.
pub fn tps_needs(
    election: &Election,
    village: &RegionCode,
    dpt: u32,
    dptb: u32,
    rounding: Rounding,
) -> TpsNeeds {
    let types = ballots_at(election, village);
    let per_type = dpt + dptb + reserve(dpt, election.rules.ballot_reserve_bp, rounding);
    TpsNeeds {
        ballots: types.iter().map(|b| (*b, per_type)).collect(),
        boxes: types.len() as u32,
        booths: BOOTHS_PER_TPS,
        ink: INK_PER_TPS,
        forms: types.len() as u32,
    }
}

/// A stage of the chain, from the warehouse to the TPS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// KPU kabupaten/kota warehouse.
    Kpu,
    /// PPK, at the district.
    Ppk,
    /// PPS, at the village.
    Pps,
    /// KPPS, at the TPS.
    Kpps,
}

impl Stage {
    pub const ALL: [Stage; 4] = [Stage::Kpu, Stage::Ppk, Stage::Pps, Stage::Kpps];

    /// This stage's office above a receiver's place, written as the stores key places: the
    /// regency (KPU), district (PPK) or village (PPS) that `receiver` ("33.20.01.2001/004",
    /// "33.20.01", …) lies in; `None` for a KPPS (it hands nothing on) or a place not that deep.
    /// A hand-over goes one stage down into the sender's own area, so its sender is this office
    /// of the receiver's place, and the stores keep only the receiver's.
    pub fn office_above(self, receiver: &str) -> Option<&str> {
        let segments = match self {
            Stage::Kpu => 2,
            Stage::Ppk => 3,
            Stage::Pps => 4,
            Stage::Kpps => return None,
        };
        let region = receiver.split('/').next().unwrap_or("");
        let mut end = 0;
        for (i, part) in region.split('.').enumerate() {
            if part.is_empty() {
                return None;
            }
            end += part.len() + usize::from(i > 0);
            if i + 1 == segments {
                // Strictly above: the receiver's place goes on below it.
                return (end < receiver.len()).then(|| &receiver[..end]);
            }
        }
        None
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Kpu => "kpu",
            Stage::Ppk => "ppk",
            Stage::Pps => "pps",
            Stage::Kpps => "kpps",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL
            .into_iter()
            .find(|x| x.as_str() == s.trim().to_ascii_lowercase())
    }

    /// The name on a berita acara.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Kpu => "KPU Kabupaten/Kota",
            Stage::Ppk => "PPK",
            Stage::Pps => "PPS",
            Stage::Kpps => "KPPS",
        }
    }

    pub fn next(self) -> Option<Stage> {
        match self {
            Stage::Kpu => Some(Stage::Ppk),
            Stage::Ppk => Some(Stage::Pps),
            Stage::Pps => Some(Stage::Kpps),
            Stage::Kpps => None,
        }
    }

    /// The day by which this stage should have received everything: the typical rhythm
    /// (PPK two weeks before polling, PPS one week before [R]) and the legal deadline for the
    /// KPPS, the day before polling (H-1) [V].
    pub fn due(self, polling_day: Date) -> Option<Date> {
        let back = match self {
            Stage::Kpu => return None,
            Stage::Ppk => 14,
            Stage::Pps => 7,
            Stage::Kpps => 1,
        };
        polling_day.checked_sub(jiff::Span::new().days(back)).ok()
    }
}

/// A place in the chain: a stage and where it is (the regency for KPU, district for PPK,
/// village for PPS, village and TPS number for KPPS).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Node {
    pub stage: Stage,
    pub place: String,
}

/// What is handed over.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Item {
    /// `surat_suara`, `kotak`, `bilik`, `tinta`, `formulir`…
    pub kind: String,
    pub ballot: Option<BallotType>,
}

/// One hand-over as recorded: how many were sent and in what state they arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandOver {
    pub from: Node,
    pub to: Node,
    pub item: Item,
    pub sent: u32,
    pub good: u32,
    pub damaged: u32,
    pub missing: u32,
}

/// Why a hand-over was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The counts on arrival do not add up to what was sent.
    CountsDisagree { sent: u32, accounted: u32 },
    /// The sender would hand on more good items than it has.
    MoreThanHeld { held: u32, sent: u32 },
    /// Not the next stage of the chain.
    WrongStage { from: Stage, to: Stage },
    /// More items than one hand-over can record (`MAX_HANDOVER_COUNT`).
    TooLarge { count: u32 },
    /// The sender is not the office one stage above the receiver's place.
    NotTheSender { from: String, to: String },
}

/// The most items one hand-over may record: the stores keep a hand-over's counts as 32-bit
/// integers (PostgreSQL's INTEGER), which is far above any one office's delivery.
pub const MAX_HANDOVER_COUNT: u32 = i32::MAX as u32;

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::CountsDisagree { sent, accounted } => write!(
                f,
                "dikirim {sent} tetapi baik + rusak + hilang = {accounted} \
                 (sent {sent} but good + damaged + missing = {accounted})"
            ),
            Refusal::MoreThanHeld { held, sent } => write!(
                f,
                "pengirim hanya memegang {held} dalam keadaan baik, tidak dapat menyerahkan {sent} \
                 (the sender holds only {held} in good condition, cannot hand over {sent})"
            ),
            Refusal::TooLarge { count } => write!(
                f,
                "jumlah {count} terlalu besar untuk satu serah terima, paling banyak \
                 {MAX_HANDOVER_COUNT} (a count too large for one hand-over)"
            ),
            Refusal::NotTheSender { from, to } => write!(
                f,
                "{from} bukan kantor satu tingkat di atas {to} (the sender is not the office one \
                 stage above the receiver)"
            ),
            Refusal::WrongStage { from, to } => write!(
                f,
                "serah terima harus ke tahap berikutnya, bukan {} → {} \
                 (a hand-over goes to the next stage)",
                from.label(),
                to.label()
            ),
        }
    }
}

/// The counts of one hand-over: sent, and how they arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub sent: u32,
    pub good: u32,
    pub damaged: u32,
    pub missing: u32,
}

/// The rules every hand-over obeys, wherever it is recorded (the ledger here, a batch import in
/// the store): to the next stage only, arrivals that add up to what was sent, and never more
/// than the sender holds in good condition (`held`).
pub fn check_hand_over(from: Stage, to: Stage, c: Counts, held: u32) -> Result<(), Refusal> {
    if from.next() != Some(to) {
        return Err(Refusal::WrongStage { from, to });
    }
    check_size(c)?;
    let accounted = u64::from(c.good) + u64::from(c.damaged) + u64::from(c.missing);
    if accounted != u64::from(c.sent) {
        return Err(Refusal::CountsDisagree {
            sent: c.sent,
            accounted: u32::try_from(accounted).unwrap_or(u32::MAX),
        });
    }
    if c.sent > held {
        return Err(Refusal::MoreThanHeld { held, sent: c.sent });
    }
    Ok(())
}

/// Refuses counts past what one hand-over can record (`MAX_HANDOVER_COUNT`).
pub fn check_size(c: Counts) -> Result<(), Refusal> {
    match [c.sent, c.good, c.damaged, c.missing]
        .into_iter()
        .find(|n| *n > MAX_HANDOVER_COUNT)
    {
        Some(count) => Err(Refusal::TooLarge { count }),
        None => Ok(()),
    }
}

/// The ledger: per node and item, what arrived and what was handed on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ledger {
    held: BTreeMap<(Node, Item), Holding>,
}

/// One node's account of one item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Holding {
    /// Received in good condition (for the warehouse: stocked).
    pub good_in: u32,
    pub damaged_in: u32,
    pub missing_in: u32,
    /// Handed on to the next stage.
    pub sent_out: u32,
}

impl Holding {
    /// Good items on hand: received good, not yet handed on.
    pub fn on_hand(&self) -> u32 {
        self.good_in - self.sent_out
    }
}

impl Ledger {
    /// Stocks the warehouse (printing delivered to the KPU).
    pub fn stock(&mut self, warehouse: Node, item: Item, count: u32) {
        self.held.entry((warehouse, item)).or_default().good_in += count;
    }

    /// Records a hand-over, or refuses it leaving the ledger unchanged.
    pub fn hand_over(&mut self, h: &HandOver) -> Result<(), Refusal> {
        let held = self
            .held
            .get(&(h.from.clone(), h.item.clone()))
            .map(Holding::on_hand)
            .unwrap_or(0);
        check_hand_over(
            h.from.stage,
            h.to.stage,
            Counts {
                sent: h.sent,
                good: h.good,
                damaged: h.damaged,
                missing: h.missing,
            },
            held,
        )?;
        self.held
            .entry((h.from.clone(), h.item.clone()))
            .or_default()
            .sent_out += h.sent;
        let to = self.held.entry((h.to.clone(), h.item.clone())).or_default();
        to.good_in += h.good;
        to.damaged_in += h.damaged;
        to.missing_in += h.missing;
        Ok(())
    }

    pub fn holding(&self, node: &Node, item: &Item) -> Holding {
        self.held
            .get(&(node.clone(), item.clone()))
            .copied()
            .unwrap_or_default()
    }

    /// Everything the ledger holds.
    pub fn iter(&self) -> impl Iterator<Item = (&(Node, Item), &Holding)> {
        self.held.iter()
    }

    /// The reconciliation over the whole chain for one item: what was stocked equals what is
    /// on hand anywhere (good) + damaged + missing on the way. Never false for a ledger built
    /// only through `stock` and `hand_over`.
    pub fn reconciles(&self, item: &Item, stocked: u32) -> bool {
        let mut on_hand = 0u64;
        let mut damaged = 0u64;
        let mut missing = 0u64;
        for ((_, i), h) in &self.held {
            if i == item {
                on_hand += u64::from(h.on_hand());
                damaged += u64::from(h.damaged_in);
                missing += u64::from(h.missing_in);
            }
        }
        on_hand + damaged + missing == u64::from(stocked)
    }
}

/// Where a TPS stands for one item against its need and the H-1 deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TpsStatus {
    pub needed: u32,
    pub good: u32,
    pub damaged: u32,
    pub short: u32,
    pub late: bool,
}

/// The status of a TPS's item from its holding: short is need minus good arrivals; late when
/// anything is short after the KPPS deadline (H-1).
pub fn tps_status(needed: u32, h: &Holding, today: Date, polling_day: Date) -> TpsStatus {
    let short = needed.saturating_sub(h.good_in);
    let late = short > 0 && Stage::Kpps.due(polling_day).is_some_and(|d| today > d);
    TpsStatus {
        needed,
        good: h.good_in,
        damaged: h.damaged_in,
        short,
        late,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn the_sender_is_the_office_one_stage_above_the_receiver() {
        assert_eq!(
            Stage::Pps.office_above("33.20.01.2001/004"),
            Some("33.20.01.2001")
        );
        assert_eq!(Stage::Ppk.office_above("33.20.01.2001"), Some("33.20.01"));
        assert_eq!(Stage::Kpu.office_above("33.20.01"), Some("33.20"));
        // Further up than one stage still names the office the place lies in.
        assert_eq!(Stage::Kpu.office_above("33.20.01.2001/004"), Some("33.20"));
        // Not below the office: the place itself, a shallower one, or a KPPS as sender.
        assert_eq!(Stage::Pps.office_above("33.20.01.2001"), None);
        assert_eq!(Stage::Ppk.office_above("33.20"), None);
        assert_eq!(Stage::Kpps.office_above("33.20.01.2001/004"), None);
        assert_eq!(Stage::Kpu.office_above("33..01"), None);
        assert_eq!(Stage::Kpu.office_above(""), None);
    }

    #[test]
    fn a_count_past_what_a_hand_over_records_is_refused() {
        let c = |sent, good, damaged, missing| Counts {
            sent,
            good,
            damaged,
            missing,
        };
        assert_eq!(
            check_size(c(MAX_HANDOVER_COUNT, MAX_HANDOVER_COUNT, 0, 0)),
            Ok(())
        );
        let over = MAX_HANDOVER_COUNT + 1;
        assert_eq!(
            check_size(c(over, over, 0, 0)),
            Err(Refusal::TooLarge { count: over })
        );
        assert_eq!(
            check_hand_over(Stage::Kpu, Stage::Ppk, c(5, 0, over, 0), u32::MAX),
            Err(Refusal::TooLarge { count: over })
        );
    }

    #[test]
    fn the_reserve_rounds_as_configured() {
        // 2 % of 250 = 5 exactly; of 251 = 5.02.
        assert_eq!(reserve(250, 200, Rounding::Up), 5);
        assert_eq!(reserve(251, 200, Rounding::Up), 6);
        assert_eq!(reserve(251, 200, Rounding::Nearest), 5);
        assert_eq!(reserve(251, 200, Rounding::Down), 5);
        // 2.5 % of 300 = 7.5: up 8, nearest 8, down 7.
        assert_eq!(reserve(300, 250, Rounding::Up), 8);
        assert_eq!(reserve(300, 250, Rounding::Nearest), 8);
        assert_eq!(reserve(300, 250, Rounding::Down), 7);
        assert_eq!(reserve(0, 250, Rounding::Up), 0);
    }

    #[test]
    fn hand_worked_needs_for_each_ballot_type() {
        let pemilu = Election::pemilu_2024();
        // Jepara TPS: 287 on the DPT, 3 on the DPTb: 287 + 3 + ceil(5.74) = 296 per type.
        let n = tps_needs(&pemilu, &code("33.20.01.2001"), 287, 3, Rounding::Up);
        assert_eq!(n.ballots.len(), 5);
        assert!(n.ballots.iter().all(|(_, c)| *c == 296));
        assert_eq!(n.boxes, 5);
        // Jakarta: no DPRD kabupaten/kota, 4 boxes.
        let dki = tps_needs(&pemilu, &code("31.71.01.1001"), 287, 3, Rounding::Up);
        assert_eq!(dki.boxes, 4);
        assert!(!dki
            .ballots
            .iter()
            .any(|(b, _)| *b == BallotType::DprdKabKota));
        // Pilkada, 2.5 %: 560 + 0 + ceil(14) = 574 for governor and regent.
        let pilkada = Election::pilkada_2024();
        let p = tps_needs(&pilkada, &code("33.20.01.2001"), 560, 0, Rounding::Up);
        assert_eq!(
            p.ballots,
            vec![
                (BallotType::Gubernur, 574),
                (BallotType::BupatiWalikota, 574)
            ]
        );
        // DIY elects no governor in 2024: one box.
        assert_eq!(
            tps_needs(&pilkada, &code("34.71.01.1001"), 560, 0, Rounding::Up).boxes,
            1
        );
    }

    fn node(stage: Stage, place: &str) -> Node {
        Node {
            stage,
            place: place.into(),
        }
    }

    fn ballots() -> Item {
        Item {
            kind: "surat_suara".into(),
            ballot: Some(BallotType::Dpr),
        }
    }

    #[test]
    fn impossible_hand_overs_are_refused_and_change_nothing() {
        let mut l = Ledger::default();
        let kpu = node(Stage::Kpu, "33.20");
        let ppk = node(Stage::Ppk, "33.20.01");
        l.stock(kpu.clone(), ballots(), 1_000);
        let h = |sent, good, damaged, missing| HandOver {
            from: kpu.clone(),
            to: ppk.clone(),
            item: ballots(),
            sent,
            good,
            damaged,
            missing,
        };
        let before = l.clone();
        assert_eq!(
            l.hand_over(&h(1_200, 1_200, 0, 0)),
            Err(Refusal::MoreThanHeld {
                held: 1_000,
                sent: 1_200
            })
        );
        assert_eq!(
            l.hand_over(&h(100, 90, 5, 0)),
            Err(Refusal::CountsDisagree {
                sent: 100,
                accounted: 95
            })
        );
        let skip = HandOver {
            to: node(Stage::Kpps, "33.20.01.2001/001"),
            ..h(10, 10, 0, 0)
        };
        assert!(matches!(
            l.hand_over(&skip),
            Err(Refusal::WrongStage { .. })
        ));
        assert_eq!(l, before, "a refused hand-over leaves no trace");
        l.hand_over(&h(600, 590, 8, 2)).unwrap();
        assert_eq!(l.holding(&kpu, &ballots()).on_hand(), 400);
        assert_eq!(l.holding(&ppk, &ballots()).on_hand(), 590);
        // Damaged items cannot be handed on as good.
        let onward = HandOver {
            from: ppk.clone(),
            to: node(Stage::Pps, "33.20.01.2001"),
            item: ballots(),
            sent: 595,
            good: 595,
            damaged: 0,
            missing: 0,
        };
        assert!(matches!(
            l.hand_over(&onward),
            Err(Refusal::MoreThanHeld { held: 590, .. })
        ));
        assert!(l.reconciles(&ballots(), 1_000));
    }

    #[test]
    fn a_tps_is_late_only_after_h_minus_1() {
        let polling = jiff::civil::date(2024, 2, 14);
        assert_eq!(
            Stage::Kpps.due(polling),
            Some(jiff::civil::date(2024, 2, 13))
        );
        assert_eq!(
            Stage::Ppk.due(polling),
            Some(jiff::civil::date(2024, 1, 31))
        );
        let h = Holding {
            good_in: 290,
            damaged_in: 6,
            ..Holding::default()
        };
        let on_time = tps_status(296, &h, jiff::civil::date(2024, 2, 13), polling);
        assert_eq!((on_time.short, on_time.late), (6, false));
        let late = tps_status(296, &h, jiff::civil::date(2024, 2, 14), polling);
        assert!(late.late);
        let full = Holding {
            good_in: 296,
            ..Holding::default()
        };
        assert!(!tps_status(296, &full, jiff::civil::date(2024, 2, 14), polling).late);
    }

    proptest! {
        /// Whatever sequence of hand-overs is attempted — valid or not — the ledger reconciles:
        /// stocked = on hand everywhere + damaged + missing.
        #[test]
        fn the_reconciliation_never_drifts(
            stocked in 0u32..5_000,
            steps in prop::collection::vec((0usize..3, 0usize..3, 0u32..2_000, 0u32..100, 0u32..100, any::<bool>()), 0..60),
        ) {
            let places = [
                vec![node(Stage::Kpu, "33.20")],
                vec![node(Stage::Ppk, "33.20.01"), node(Stage::Ppk, "33.20.02")],
                vec![node(Stage::Pps, "33.20.01.2001"), node(Stage::Pps, "33.20.02.2001")],
                vec![node(Stage::Kpps, "33.20.01.2001/001"), node(Stage::Kpps, "33.20.02.2001/001")],
            ];
            let mut l = Ledger::default();
            l.stock(places[0][0].clone(), ballots(), stocked);
            for (stage, which, sent, damaged, missing, consistent) in steps {
                let from = places[stage][which % places[stage].len()].clone();
                let to = places[stage + 1][which % places[stage + 1].len()].clone();
                let (damaged, missing) = (damaged.min(sent), missing.min(sent - damaged.min(sent)));
                let good = if consistent { sent - damaged - missing } else { sent };
                let _ = l.hand_over(&HandOver { from, to, item: ballots(), sent, good, damaged, missing });
                prop_assert!(l.reconciles(&ballots(), stocked));
                for (_, h) in l.iter() {
                    prop_assert!(h.sent_out <= h.good_in);
                }
            }
        }
    }
}
