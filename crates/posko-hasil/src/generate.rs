//! `posko demo hasil`: a synthetic national set of result forms with planted defects and a truth
//! file, deterministic for a seed. TPS are spread over the real villages of the shipped atlas
//! (83,763), each village with its own turnout level and each TPS close to it; a TPS holds the
//! ballot types its region elects (DKI Jakarta has no DPRD kabupaten/kota). Clean forms satisfy
//! every identity of DOMAIN.md §10 and receive exactly DPT + DPTb + the reserve; the planted
//! defects each break one thing, and the truth file names the TPS, the ballot type, the line and
//! the code the checks should give.

use std::fmt::Write as _;
use std::io::{self, Write};

use posko_core::logistics::{ballots_at, reserve, Rounding};
use posko_core::results::Code;
use posko_core::{Atlas, BallotType, Election, Level, RegionCode};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::read::standard_header;

/// The most candidate or party columns a generated file has (Aceh: 18 national + 6 local
/// parties for its DPRD).
pub const MAX_CANDIDATES: usize = 24;

/// The kinds of planted defect, each with the code it must produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Defect {
    ValidInvalid,
    VotersNotUsed,
    PapersOff,
    UsedOverReceived,
    Over100,
    CandidateSum,
    OneCandidate,
    OutlierTurnout,
    IdenticalCopy,
    OverCapacity,
    BadCell,
    UnknownVillage,
    Repeated,
}

impl Defect {
    pub const ALL: [Defect; 13] = [
        Defect::ValidInvalid,
        Defect::VotersNotUsed,
        Defect::PapersOff,
        Defect::UsedOverReceived,
        Defect::Over100,
        Defect::CandidateSum,
        Defect::OneCandidate,
        Defect::OutlierTurnout,
        Defect::IdenticalCopy,
        Defect::OverCapacity,
        Defect::BadCell,
        Defect::UnknownVillage,
        Defect::Repeated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Defect::ValidInvalid => "sah_tidak_sah",
            Defect::VotersNotUsed => "pengguna_hak_pilih",
            Defect::PapersOff => "surat_suara_tidak_cocok",
            Defect::UsedOverReceived => "digunakan_melebihi_diterima",
            Defect::Over100 => "partisipasi_lebih_100",
            Defect::CandidateSum => "suara_calon_salah_baca",
            Defect::OneCandidate => "satu_calon_semua_suara",
            Defect::OutlierTurnout => "partisipasi_menyimpang",
            Defect::IdenticalCopy => "formulir_identik",
            Defect::OverCapacity => "melebihi_kapasitas",
            Defect::BadCell => "sel_rusak",
            Defect::UnknownVillage => "desa_tidak_ada",
            Defect::Repeated => "formulir_ganda",
        }
    }

    /// The code the checks must give for this defect.
    pub fn code(self) -> Code {
        match self {
            Defect::ValidInvalid => Code::ValidInvalidNotUsed,
            Defect::VotersNotUsed => Code::UsedNotVoters,
            Defect::PapersOff => Code::PapersDoNotAddUp,
            Defect::UsedOverReceived => Code::UsedBeyondReceived,
            Defect::Over100 => Code::TurnoutOver100,
            Defect::CandidateSum => Code::CandidateSumNotValid,
            Defect::OneCandidate => Code::OneCandidateAll,
            Defect::OutlierTurnout => Code::TurnoutOutlier,
            Defect::IdenticalCopy => Code::IdenticalForms,
            Defect::OverCapacity => Code::OverCapacity,
            Defect::BadCell => Code::BadRow,
            Defect::UnknownVillage => Code::UnknownRegion,
            Defect::Repeated => Code::DuplicateForm,
        }
    }
}

/// Share of forms with each defect.
#[derive(Debug, Clone, Copy)]
pub struct Rates {
    pub per_defect: f64,
}

impl Default for Rates {
    fn default() -> Self {
        Rates { per_defect: 0.001 }
    }
}

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub tps: u64,
    pub forms: u64,
    pub rows: u64,
    pub villages: u64,
    pub planted: Vec<(&'static str, u64)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Counts {
    dpt: u32,
    dptb: u32,
    dpk: u32,
    v_dpt: u32,
    v_dptb: u32,
    v_dpk: u32,
    received: u32,
    used: u32,
    unused: u32,
    damaged: u32,
    valid: u32,
    invalid: u32,
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box–Muller: two uniforms to one standard normal.
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Candidates or parties on a ballot in a region.
fn candidates(ballot: BallotType, village: &RegionCode) -> usize {
    let province = usize::from(village.province_number());
    match ballot {
        BallotType::Ppwp => 3,
        BallotType::Dpr => 18,
        BallotType::Dpd => 10 + province % 11,
        BallotType::DprdProvinsi | BallotType::DprdKabKota if province == 11 => 24,
        BallotType::DprdProvinsi | BallotType::DprdKabKota => 18,
        BallotType::Gubernur => 2 + province % 3,
        BallotType::BupatiWalikota => 2 + village.to_string().len() % 4,
    }
}

/// Invalid-vote share by ballot type: the legislative ballots run higher.
fn invalid_share(ballot: BallotType) -> f64 {
    match ballot {
        BallotType::Ppwp | BallotType::Gubernur | BallotType::BupatiWalikota => 0.02,
        BallotType::Dpr | BallotType::DprdProvinsi | BallotType::DprdKabKota => 0.08,
        BallotType::Dpd => 0.12,
    }
}

/// What a clean form is made from.
#[derive(Debug, Clone, Copy)]
struct Shape {
    dpt: u32,
    dptb: u32,
    dpk_max: u32,
    turnout: f64,
    ballot: BallotType,
    reserve_bp: u32,
    k: usize,
}

/// A clean form: every identity holds, papers received are the legal need.
fn consistent(rng: &mut ChaCha8Rng, s: Shape, votes: &mut Vec<u32>) -> Counts {
    let Shape {
        dpt,
        dptb,
        dpk_max,
        turnout,
        ballot,
        reserve_bp,
        k,
    } = s;
    let received = dpt + dptb + reserve(dpt, reserve_bp, Rounding::Up);
    let v_dpt = ((f64::from(dpt) * turnout).round() as u32).min(dpt);
    let v_dptb = ((f64::from(dptb) * rng.random_range(0.6..=1.0)).round() as u32).min(dptb);
    let room = received.saturating_sub(v_dpt + v_dptb);
    let v_dpk = rng.random_range(0..=dpk_max).min(room);
    let used = v_dpt + v_dptb + v_dpk;
    let damaged = if rng.random_bool(0.3) {
        rng.random_range(1..=3u32).min(received - used)
    } else {
        0
    };
    let inv = (f64::from(used) * invalid_share(ballot) * rng.random_range(0.5..1.5)).round() as u32;
    let invalid = inv.min(used);
    let valid = used - invalid;
    split_votes(rng, valid, k, votes);
    Counts {
        dpt,
        dptb,
        dpk: v_dpk,
        v_dpt,
        v_dptb,
        v_dpk,
        received,
        used,
        unused: received - used - damaged,
        damaged,
        valid,
        invalid,
    }
}

/// Splits `valid` votes over `k` candidates by random weights; the rest of the rounding goes to
/// the first.
fn split_votes(rng: &mut ChaCha8Rng, valid: u32, k: usize, votes: &mut Vec<u32>) {
    votes.clear();
    let weights: Vec<f64> = (0..k).map(|_| rng.random::<f64>().powi(2) + 0.02).collect();
    let total: f64 = weights.iter().sum();
    let mut given = 0;
    for w in &weights {
        let v = (f64::from(valid) * w / total).floor() as u32;
        votes.push(v);
        given += v;
    }
    if let Some(first) = votes.first_mut() {
        *first += valid - given;
    }
}

struct Writer<W: Write> {
    out: io::BufWriter<W>,
    truth: io::BufWriter<W>,
    line: u64,
    buf: String,
}

impl<W: Write> Writer<W> {
    fn row(
        &mut self,
        tps: &str,
        ballot: BallotType,
        c: &Counts,
        votes: &[u32],
        bad_cell: bool,
    ) -> io::Result<()> {
        self.buf.clear();
        let _ = write!(self.buf, "{tps},{}", ballot.as_str());
        let nums = [
            c.dpt, c.dptb, c.dpk, c.v_dpt, c.v_dptb, c.v_dpk, c.received, c.used, c.unused,
            c.damaged, c.valid, c.invalid,
        ];
        for (i, n) in nums.iter().enumerate() {
            if bad_cell && i == 3 {
                // A misread digit: the letter O for a zero.
                let _ = write!(self.buf, ",{}O", n / 10);
            } else {
                let _ = write!(self.buf, ",{n}");
            }
        }
        for i in 0..MAX_CANDIDATES {
            match votes.get(i) {
                Some(v) => {
                    let _ = write!(self.buf, ",{v}");
                }
                None => self.buf.push(','),
            }
        }
        self.buf.push('\n');
        self.out.write_all(self.buf.as_bytes())?;
        self.line += 1;
        Ok(())
    }

    /// Records a defect on the row about to be written.
    fn truth(&mut self, tps: &str, ballot: BallotType, d: Defect) -> io::Result<()> {
        writeln!(
            self.truth,
            "{tps},{},{},{},{}",
            ballot.as_str(),
            d.as_str(),
            d.code().as_str(),
            self.line + 1
        )
    }
}

/// Writes `tps` TPS (each with its ballot types) to `out` and the planted defects to `truth`,
/// over the villages of `within` (a region at any level) or of the whole country.
pub fn generate<W: Write>(
    tps: u64,
    seed: u64,
    election: &Election,
    within: Option<RegionCode>,
    out: W,
    truth: W,
    rates: &Rates,
) -> io::Result<Stats> {
    let atlas = Atlas::embedded();
    let villages: Vec<RegionCode> = atlas
        .all()
        .iter()
        .filter(|r| r.level() == Level::Village)
        .filter(|r| within.is_none_or(|w| w.contains(&r.code)))
        .map(|r| r.code)
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Village sizes: a log-normal spread around the national mean (820,161 TPS over 83,763
    // villages, about 9.8 each).
    let weights: Vec<f64> = villages
        .iter()
        .map(|_| (0.5 * normal(&mut rng)).exp())
        .collect();
    let total_w: f64 = weights.iter().sum();
    let mut w = Writer {
        out: io::BufWriter::with_capacity(1 << 20, out),
        truth: io::BufWriter::new(truth),
        line: 1,
        buf: String::with_capacity(256),
    };
    w.out
        .write_all(standard_header(MAX_CANDIDATES).join(",").as_bytes())?;
    w.out.write_all(b"\n")?;
    writeln!(w.truth, "kode_tps,jenis,cacat,kode,baris")?;
    let cap = election.rules.max_voters_per_tps;
    let reserve_bp = election.rules.ballot_reserve_bp;
    let mut stats = Stats::default();
    let mut planted = [0u64; Defect::ALL.len()];
    let mut cum = 0.0;
    let mut made = 0u64;
    let mut votes = Vec::with_capacity(MAX_CANDIDATES);
    // The previous TPS's clean form per ballot type, for planted copies.
    let mut previous: Vec<Option<(Counts, Vec<u32>)>> = vec![None; BallotType::ALL.len()];
    for (vi, village) in villages.iter().enumerate() {
        cum += weights[vi] / total_w * tps as f64;
        let want = (cum.round() as u64).min(tps);
        let n = (want - made).min(999);
        made = want;
        if n == 0 {
            continue;
        }
        stats.villages += 1;
        let base = (0.815 + 0.04 * normal(&mut rng)).clamp(0.55, 0.97);
        let ballots = ballots_at(election, village);
        previous.iter_mut().for_each(|p| *p = None);
        for number in 1..=n {
            stats.tps += 1;
            let tps_id = format!("{village}/{number:03}");
            let spread = f64::from(cap) * 0.15;
            let dpt = (f64::from(cap) - (spread * normal(&mut rng)).abs()).max(60.0) as u32;
            let dptb = if rng.random_bool(0.4) {
                rng.random_range(1..=6)
            } else {
                0
            };
            let dpk_max = if rng.random_bool(0.3) {
                rng.random_range(1..=4)
            } else {
                0
            };
            let turnout = (base + 0.015 * normal(&mut rng)).clamp(0.4, 0.995);
            for &ballot in &ballots {
                let bi = BallotType::ALL
                    .iter()
                    .position(|b| *b == ballot)
                    .unwrap_or(0);
                let k = candidates(ballot, village);
                stats.forms += 1;
                let defect = if rng.random_bool(rates.per_defect * Defect::ALL.len() as f64) {
                    Some(Defect::ALL[rng.random_range(0..Defect::ALL.len())])
                } else {
                    None
                };
                let shape = Shape {
                    dpt,
                    dptb,
                    dpk_max,
                    turnout,
                    ballot,
                    reserve_bp,
                    k,
                };
                let mut c = consistent(&mut rng, shape, &mut votes);
                let mut id = tps_id.clone();
                let mut bad_cell = false;
                let mut applied = defect;
                match defect {
                    None => {}
                    Some(Defect::ValidInvalid) => c.invalid += rng.random_range(1..=5),
                    Some(Defect::VotersNotUsed) if c.v_dpt >= 5 => {
                        c.v_dpt -= rng.random_range(1..=5)
                    }
                    Some(Defect::PapersOff) => c.unused += rng.random_range(1..=10),
                    Some(Defect::UsedOverReceived) => {
                        c.received = c.used.saturating_sub(rng.random_range(1..=10));
                        c.unused = 0;
                        c.damaged = 0;
                    }
                    Some(Defect::Over100) => {
                        let over = c.dpt + rng.random_range(5..=30);
                        let full = Shape {
                            dpk_max: 0,
                            turnout: 1.0,
                            ..shape
                        };
                        c = consistent(&mut rng, full, &mut votes);
                        c.v_dpt = over;
                        c.used = c.v_dpt + c.v_dptb + c.v_dpk;
                        c.invalid = c.used - c.valid;
                        c.received = c.used;
                        c.unused = 0;
                        c.damaged = 0;
                    }
                    Some(Defect::CandidateSum) if !votes.is_empty() => {
                        let j = rng.random_range(0..votes.len());
                        votes[j] = votes[j] * 10 + 1;
                    }
                    Some(Defect::OneCandidate) if k >= 2 && c.valid >= 20 => {
                        let j = rng.random_range(0..k);
                        votes.iter_mut().for_each(|v| *v = 0);
                        votes[j] = c.valid;
                    }
                    Some(Defect::OutlierTurnout) if n >= 5 => {
                        let t = if base > 0.7 { 0.35 } else { 0.995 };
                        let odd = Shape {
                            dpk_max: 0,
                            turnout: t,
                            ..shape
                        };
                        c = consistent(&mut rng, odd, &mut votes);
                    }
                    Some(Defect::IdenticalCopy) => match &previous[bi] {
                        Some((pc, pv)) if pc.used > 0 => {
                            c = *pc;
                            votes.clone_from(pv);
                        }
                        _ => applied = None,
                    },
                    Some(Defect::OverCapacity) => {
                        let big = cap + rng.random_range(10..=80);
                        c = consistent(&mut rng, Shape { dpt: big, ..shape }, &mut votes);
                    }
                    Some(Defect::BadCell) => bad_cell = true,
                    Some(Defect::UnknownVillage) => {
                        // The same district, a village number the atlas does not have.
                        let district = village.ancestor_at(Level::District);
                        let fake = district.and_then(|d| {
                            (9_001..9_999)
                                .map(|x| RegionCode::parse(&format!("{d}.{x}")))
                                .filter_map(Result::ok)
                                .find(|c| !atlas.contains(c))
                        });
                        match fake {
                            Some(f) => id = format!("{f}/{number:03}"),
                            None => applied = None,
                        }
                    }
                    Some(Defect::Repeated) => {}
                    Some(_) => applied = None,
                }
                if let Some(d) = applied.filter(|d| *d != Defect::Repeated) {
                    w.truth(&id, ballot, d)?;
                }
                if let Some(d) = applied {
                    planted[Defect::ALL.iter().position(|x| *x == d).unwrap_or(0)] += 1;
                    previous[bi] = None;
                } else {
                    previous[bi] = Some((c, votes.clone()));
                }
                w.row(&id, ballot, &c, &votes, bad_cell)?;
                stats.rows += 1;
                if applied == Some(Defect::Repeated) {
                    // The same form typed in twice: the second line is the finding.
                    w.truth(&id, ballot, Defect::Repeated)?;
                    w.row(&id, ballot, &c, &votes, false)?;
                    stats.rows += 1;
                }
            }
        }
    }
    w.out.flush()?;
    w.truth.flush()?;
    stats.planted = Defect::ALL
        .iter()
        .zip(planted)
        .map(|(d, n)| (d.as_str(), n))
        .collect();
    Ok(stats)
}

/// Clean forms for every village of `region` whose roll-up gives exactly the turnout `targets`
/// (basis points per ballot type) at `region`: how a previous election's published figures
/// (DOMAIN.md §2, Jepara 2019) are reproduced from TPS data. About `tps` TPS in all; no DPK
/// voters, so that the lists do not change from one ballot type to the next.
pub fn seeded(
    region: &RegionCode,
    election: &Election,
    targets: &[(BallotType, u32)],
    tps: u64,
    seed: u64,
) -> Vec<posko_core::results::ResultForm> {
    use posko_core::results::{ByList, Papers, ResultForm};
    use posko_core::{TpsId, TpsNumber};
    let atlas = Atlas::embedded();
    let villages: Vec<RegionCode> = atlas
        .subtree(region)
        .iter()
        .filter(|r| r.level() == Level::Village)
        .map(|r| r.code)
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let per_village = (tps / villages.len().max(1) as u64).max(1);
    let cap = election.rules.max_voters_per_tps;
    let mut stations: Vec<(TpsId, u32, u32)> = Vec::new();
    for v in &villages {
        for n in 1..=per_village.min(999) {
            let Ok(number) = TpsNumber::new(n as u32) else {
                continue;
            };
            let Ok(id) = TpsId::new(*v, number) else {
                continue;
            };
            let dpt = rng.random_range(cap * 2 / 3..=cap);
            let dptb = rng.random_range(0..=4);
            stations.push((id, dpt, dptb));
        }
    }
    let registered: u64 = stations
        .iter()
        .map(|(_, a, b)| u64::from(*a) + u64::from(*b))
        .sum();
    let mut forms = Vec::new();
    for &(ballot, bp) in targets {
        // Voters who voted in all, then shared out in proportion to each TPS's lists, the
        // rounding remainder one by one.
        let want = (registered * u64::from(bp) + 5_000) / 10_000;
        let mut voted: Vec<u32> = stations
            .iter()
            .map(|(_, a, b)| ((u64::from(a + b) * want) / registered.max(1)) as u32)
            .collect();
        let mut rest = want - voted.iter().map(|v| u64::from(*v)).sum::<u64>();
        let mut i = 0;
        while rest > 0 && !stations.is_empty() {
            let (_, a, b) = stations[i % stations.len()];
            if voted[i % stations.len()] < a + b {
                voted[i % stations.len()] += 1;
                rest -= 1;
            }
            i += 1;
        }
        let k = candidates(ballot, region);
        let mut votes = Vec::new();
        for (&(id, dpt, dptb), &v) in stations.iter().zip(&voted) {
            let v_dptb = v.min(dptb);
            let v_dpt = v - v_dptb;
            let received =
                dpt + dptb + reserve(dpt, election.rules.ballot_reserve_bp, Rounding::Up);
            let invalid = (f64::from(v) * invalid_share(ballot)).round() as u32;
            let valid = v - invalid.min(v);
            split_votes(&mut rng, valid, k, &mut votes);
            forms.push(ResultForm {
                tps: id,
                ballot,
                registered: ByList { dpt, dptb, dpk: 0 },
                voted: ByList {
                    dpt: v_dpt,
                    dptb: v_dptb,
                    dpk: 0,
                },
                papers: Papers {
                    received,
                    used: v,
                    unused: received - v,
                    damaged: 0,
                },
                votes: votes.clone(),
                valid,
                invalid: v - valid,
            });
        }
    }
    forms
}

/// Jepara 2019 turnout as KPU Jepara published it (DOMAIN.md §2): Pilpres 83 %, DPD 82.94 %,
/// DPR RI 82.90 %, DPRD provinsi 82.91 %, DPRD kabupaten 82.81 %.
pub const JEPARA_2019: [(BallotType, u32); 5] = [
    (BallotType::Ppwp, 8_300),
    (BallotType::Dpd, 8_294),
    (BallotType::Dpr, 8_290),
    (BallotType::DprdProvinsi, 8_291),
    (BallotType::DprdKabKota, 8_281),
];

#[cfg(test)]
mod tests {
    use super::*;
    use posko_core::results::{check_form, Area, CheckRules, RollUp};

    #[test]
    fn jepara_2019_comes_out_of_the_roll_up_of_clean_forms() {
        let e = Election::pemilu_2024();
        let jepara = RegionCode::parse("33.20").unwrap();
        let forms = seeded(&jepara, &e, &JEPARA_2019, 2_800, 2019);
        let mut roll = RollUp::default();
        let rules = CheckRules::for_election(&e);
        let mut found = Vec::new();
        for f in &forms {
            roll.add(f);
            check_form(f, &e, &rules, &mut found);
        }
        assert!(found.is_empty(), "{:?}", &found[..found.len().min(3)]);
        let r = roll.finish();
        for (b, bp) in JEPARA_2019 {
            let t = r.get(Area::Region(jepara), b).unwrap();
            assert_eq!(t.turnout().bp(), Some(bp), "{b:?}");
            assert_eq!(t.turnout().percent(), Some(f64::from(bp) / 100.0));
        }
    }
}
