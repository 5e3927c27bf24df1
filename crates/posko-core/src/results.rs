//! TPS result forms (C.Hasil) and turnout (DOMAIN.md §10, §2, §3; issue 8).
//!
//! A form is one ballot type at one TPS: voters on the lists (DPT, DPTb, DPK), voters who used
//! their right per list, ballot papers received / used / unused / damaged-or-returned, valid
//! votes per candidate or party, and invalid votes. This module holds the form, the plausibility
//! checks with stable codes (`H01`…), turnout as DOMAIN.md defines it, and the roll-up from
//! villages to the country. It does no I/O: reading files is `posko-hasil`'s business, storing
//! forms the store's.
//!
//! Checks on one form are in [`check_form`]; checks that compare forms with each other (a TPS
//! against its neighbours, identical forms at different TPS) work on [`FormDigest`]s, a few bytes
//! per form, so that a national set of 4.1 million forms fits in memory after reading.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use crate::election::{BallotType, Election};
use crate::logistics::{holds, reserve, Rounding};
use crate::region::{Level, RegionCode};
use crate::tps::TpsId;

/// The three voter lists of a TPS (DOMAIN.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoterList {
    /// The fixed list.
    Dpt,
    /// Moved here with a transfer letter.
    Dptb,
    /// On no list, voting with a KTP-el.
    Dpk,
}

impl VoterList {
    pub const ALL: [VoterList; 3] = [VoterList::Dpt, VoterList::Dptb, VoterList::Dpk];

    pub fn label(self) -> &'static str {
        match self {
            VoterList::Dpt => "DPT",
            VoterList::Dptb => "DPTb",
            VoterList::Dpk => "DPK",
        }
    }
}

/// A count per voter list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ByList {
    pub dpt: u32,
    pub dptb: u32,
    pub dpk: u32,
}

impl ByList {
    pub fn total(&self) -> u64 {
        u64::from(self.dpt) + u64::from(self.dptb) + u64::from(self.dpk)
    }

    pub fn get(&self, list: VoterList) -> u32 {
        match list {
            VoterList::Dpt => self.dpt,
            VoterList::Dptb => self.dptb,
            VoterList::Dpk => self.dpk,
        }
    }
}

/// Ballot papers at the TPS for one ballot type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Papers {
    pub received: u32,
    pub used: u32,
    pub unused: u32,
    /// Damaged or wrongly marked and returned (rusak/keliru coblos dikembalikan).
    pub damaged: u32,
}

/// One result form: one ballot type at one TPS.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ResultForm {
    pub tps: TpsId,
    pub ballot: BallotType,
    /// Voters on the lists at this TPS (DPK: those who came with a KTP-el).
    pub registered: ByList,
    /// Voters who used their right, per list.
    pub voted: ByList,
    pub papers: Papers,
    /// Valid votes per candidate or party, in ballot order (candidate or party number 1, 2, …).
    pub votes: Vec<u32>,
    pub valid: u32,
    pub invalid: u32,
}

/// Voters who used their right over voters on the lists (DOMAIN.md §10): DPT + DPTb + DPK users
/// over DPT + DPTb + DPK — never valid votes over the DPT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Turnout {
    pub voted: u64,
    pub registered: u64,
}

impl Turnout {
    pub fn of(registered: &ByList, voted: &ByList) -> Turnout {
        Turnout {
            voted: voted.total(),
            registered: registered.total(),
        }
    }

    /// The share as a fraction (0.8178), `None` where nobody is on the lists.
    pub fn fraction(&self) -> Option<f64> {
        (self.registered > 0).then(|| self.voted as f64 / self.registered as f64)
    }

    /// Percent, rounded to two decimals as KPU publishes it (81.78).
    pub fn percent(&self) -> Option<f64> {
        self.fraction().map(|f| (f * 10_000.0).round() / 100.0)
    }

    /// Basis points (8178 = 81.78 %), rounded to nearest, in integers only.
    pub fn bp(&self) -> Option<u32> {
        (self.registered > 0)
            .then(|| ((self.voted * 20_000 + self.registered) / (2 * self.registered)) as u32)
    }
}

impl ResultForm {
    pub fn turnout(&self) -> Turnout {
        Turnout::of(&self.registered, &self.voted)
    }

    /// The digest used by the checks that compare forms (see [`FormDigest`]).
    pub fn digest(&self) -> FormDigest {
        // Everything on the form but the TPS, as little-endian bytes, hashed in one pass with
        // SipHash (64 bits), beside a position-weighted sum of the same numbers (64 bits): two
        // different forms share both by accident about once in 1e25 pairs. One pass over a
        // buffer, since a national set digests 4 million forms.
        let counts = [
            self.ballot as u32,
            self.registered.dpt,
            self.registered.dptb,
            self.registered.dpk,
            self.voted.dpt,
            self.voted.dptb,
            self.voted.dpk,
            self.papers.received,
            self.papers.used,
            self.papers.unused,
            self.papers.damaged,
            self.valid,
            self.invalid,
            self.votes.len() as u32,
        ];
        let mut h = std::hash::DefaultHasher::new();
        let mut buf = [0u8; 256];
        let mut n = 0;
        let mut weighted = 0u64;
        for (i, x) in counts.iter().chain(self.votes.iter()).enumerate() {
            weighted = weighted.wrapping_add(
                (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
                    ^ u64::from(*x).wrapping_mul(0xD6E8_FEB8_6659_FD93),
            );
            if n == buf.len() {
                h.write(&buf);
                n = 0;
            }
            buf[n..n + 4].copy_from_slice(&x.to_le_bytes());
            n += 4;
        }
        h.write(&buf[..n]);
        FormDigest {
            tps: self.tps,
            ballot: self.ballot,
            turnout: self.turnout(),
            fingerprint: (u128::from(h.finish()) << 64) | u128::from(weighted),
        }
    }
}

/// What the cross-form checks need of a form: where it is, its turnout, and a fingerprint of
/// everything on it except the TPS (equal fingerprints = identical forms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormDigest {
    pub tps: TpsId,
    pub ballot: BallotType,
    pub turnout: Turnout,
    pub fingerprint: u128,
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The form cannot be right: an identity fails or a count is impossible.
    Error,
    /// Possible but unlikely; someone should look at the form.
    Warning,
    /// Worth knowing, not a fault.
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// Bahasa Indonesia.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "galat",
            Severity::Warning => "peringatan",
            Severity::Info => "info",
        }
    }
}

macro_rules! codes {
    ($( $v:ident = $code:literal, $sev:ident, $id:literal, $en:literal; )*) => {
        /// The stable codes of result-form findings. A code never changes meaning; new checks
        /// get new numbers.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Code { $( #[doc = $en] $v, )* }

        impl Code {
            pub const ALL: &'static [Code] = &[$( Code::$v, )*];

            /// `H01` …
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$v => $code, )* }
            }

            pub fn severity(self) -> Severity {
                match self { $( Code::$v => Severity::$sev, )* }
            }

            /// Short title in Bahasa Indonesia.
            pub fn title(self) -> &'static str {
                match self { $( Code::$v => $id, )* }
            }

            /// Short title in English.
            pub fn title_en(self) -> &'static str {
                match self { $( Code::$v => $en, )* }
            }

            pub fn parse(s: &str) -> Option<Code> {
                Code::ALL.iter().copied().find(|c| c.as_str() == s.trim())
            }
        }
    };
}

codes! {
    ValidInvalidNotUsed = "H01", Error,
        "suara sah + tidak sah ≠ surat suara digunakan",
        "valid + invalid votes ≠ ballot papers used";
    UsedNotVoters = "H02", Error,
        "surat suara digunakan ≠ pengguna hak pilih",
        "ballot papers used ≠ voters who voted";
    PapersDoNotAddUp = "H03", Error,
        "digunakan + tidak digunakan + rusak ≠ surat suara diterima",
        "used + unused + damaged ≠ ballot papers received";
    UsedBeyondReceived = "H04", Error,
        "surat suara digunakan melebihi yang diterima",
        "more ballot papers used than received";
    ListOverrun = "H05", Error,
        "pengguna hak pilih melebihi pemilih di daftarnya",
        "more voters of a list voted than are on it";
    TurnoutOver100 = "H06", Error,
        "partisipasi lebih dari 100 %",
        "turnout over 100 %";
    CandidateSumNotValid = "H07", Error,
        "jumlah suara calon/partai ≠ suara sah",
        "sum of candidate or party votes ≠ valid votes";
    VotesBeyondVoters = "H08", Error,
        "jumlah suara melebihi pemilih TPS",
        "more votes than voters at the TPS";
    OneCandidateAll = "H09", Warning,
        "satu calon/partai meraih semua suara sah",
        "one candidate or party has every valid vote";
    TurnoutOutlier = "H10", Warning,
        "partisipasi jauh dari TPS tetangga",
        "turnout far from the neighbouring TPS";
    IdenticalForms = "H11", Warning,
        "formulir identik dengan TPS lain",
        "form identical to another TPS's";
    OverCapacity = "H12", Warning,
        "pemilih melebihi kapasitas TPS",
        "more voters than the TPS capacity";
    PapersNotNeed = "H13", Info,
        "surat suara diterima tidak sama dengan kebutuhan (DPT + DPTb + cadangan)",
        "ballot papers received differ from the legal need (DPT + DPTb + reserve)";
    BallotNotHere = "H14", Error,
        "jenis surat suara tidak ada di wilayah ini",
        "this ballot type is not held in this region";
    DuplicateForm = "H15", Error,
        "formulir TPS dan jenis surat suara yang sama lebih dari sekali",
        "the same TPS and ballot type entered more than once";
    BadRow = "H20", Error,
        "baris tidak dapat dibaca atau nilai tidak sah",
        "row unreadable or a value is invalid";
    UnknownRegion = "H21", Error,
        "kode desa/kelurahan tidak ada di data wilayah",
        "village code not in the shipped regions";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding on a form. `found` and `expected` are the two sides of the failed comparison
/// (for H10, turnout and the neighbours' median in basis points); `other` names the other TPS
/// (H11, H15); `list` the voter list (H05).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub tps: TpsId,
    pub ballot: BallotType,
    pub found: u64,
    pub expected: u64,
    pub other: Option<TpsId>,
    pub list: Option<VoterList>,
}

fn pct(bp: u64) -> String {
    format!("{}.{:02} %", bp / 100, bp % 100)
}

impl Finding {
    fn new(code: Code, form: &ResultForm, found: u64, expected: u64) -> Finding {
        Finding {
            code,
            tps: form.tps,
            ballot: form.ballot,
            found,
            expected,
            other: None,
            list: None,
        }
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// The message in Bahasa Indonesia, with the numbers that failed.
    pub fn message(&self) -> String {
        let (f, e) = (self.found, self.expected);
        let other = self.other.map(|o| o.to_string()).unwrap_or_default();
        let list = self.list.map(VoterList::label).unwrap_or("");
        match self.code {
            Code::ValidInvalidNotUsed => {
                format!("suara sah + tidak sah = {f}, surat suara digunakan = {e}")
            }
            Code::UsedNotVoters => format!("surat suara digunakan = {f}, pengguna hak pilih = {e}"),
            Code::PapersDoNotAddUp => {
                format!("digunakan + tidak digunakan + rusak = {f}, diterima = {e}")
            }
            Code::UsedBeyondReceived => format!("digunakan {f} > diterima {e}"),
            Code::ListOverrun => format!("pengguna {list} = {f} > pemilih {list} = {e}"),
            Code::TurnoutOver100 => format!("pengguna hak pilih {f} > pemilih terdaftar {e}"),
            Code::CandidateSumNotValid => format!("jumlah suara calon = {f}, suara sah = {e}"),
            Code::VotesBeyondVoters => format!("suara sah + tidak sah {f} > pemilih TPS {e}"),
            Code::OneCandidateAll => format!("satu calon meraih {f} dari {e} suara sah"),
            Code::TurnoutOutlier => format!(
                "partisipasi {} sedangkan median TPS tetangga {}",
                pct(f),
                pct(e)
            ),
            Code::IdenticalForms => format!("isi formulir sama persis dengan TPS {other}"),
            Code::OverCapacity => format!("pemilih DPT {f} > kapasitas TPS {e}"),
            Code::PapersNotNeed => format!("diterima {f}, kebutuhan {e}"),
            Code::BallotNotHere => "wilayah ini tidak memilih jenis ini".to_string(),
            Code::DuplicateForm => format!("formulir ini sudah ada ({f} kali)"),
            Code::BadRow | Code::UnknownRegion => self.code.title().to_string(),
        }
    }

    /// The message in English.
    pub fn message_en(&self) -> String {
        let (f, e) = (self.found, self.expected);
        let other = self.other.map(|o| o.to_string()).unwrap_or_default();
        let list = self.list.map(VoterList::label).unwrap_or("");
        match self.code {
            Code::ValidInvalidNotUsed => {
                format!("valid + invalid votes = {f}, ballot papers used = {e}")
            }
            Code::UsedNotVoters => format!("ballot papers used = {f}, voters who voted = {e}"),
            Code::PapersDoNotAddUp => format!("used + unused + damaged = {f}, received = {e}"),
            Code::UsedBeyondReceived => format!("used {f} > received {e}"),
            Code::ListOverrun => format!("{list} voters who voted = {f} > on the {list} = {e}"),
            Code::TurnoutOver100 => format!("voters who voted {f} > voters on the lists {e}"),
            Code::CandidateSumNotValid => format!("sum of candidate votes = {f}, valid = {e}"),
            Code::VotesBeyondVoters => format!("valid + invalid {f} > voters at the TPS {e}"),
            Code::OneCandidateAll => format!("one candidate has {f} of {e} valid votes"),
            Code::TurnoutOutlier => format!(
                "turnout {} while the neighbouring TPS' median is {}",
                pct(f),
                pct(e)
            ),
            Code::IdenticalForms => format!("the form is identical to TPS {other}'s"),
            Code::OverCapacity => format!("DPT voters {f} > TPS capacity {e}"),
            Code::PapersNotNeed => format!("received {f}, legal need {e}"),
            Code::BallotNotHere => "this region does not elect this body".to_string(),
            Code::DuplicateForm => format!("this form appears {f} times"),
            Code::BadRow | Code::UnknownRegion => self.code.title_en().to_string(),
        }
    }
}

/// The thresholds of the checks. Those marked [U] are choices, not law: configurable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRules {
    /// Most voters one TPS may serve (the election's rule set).
    pub max_voters_per_tps: u32,
    /// Ballot reserve in basis points of the DPT (the election's rule set).
    pub ballot_reserve_bp: u32,
    pub reserve_rounding: Rounding,
    /// H09 fires only from this many valid votes up, and only with two or more candidates [U]:
    /// a tiny TPS where all five voters chose one party is not remarkable.
    pub unanimity_min_votes: u32,
    pub neighbours: NeighbourRule,
}

/// The H10 rule [U]. A TPS's turnout is compared with the other TPS of its village for the same
/// ballot type (or of its district when the village has fewer than `min_group` forms with
/// voters): with m the median and MAD the median absolute deviation from m, the TPS is flagged
/// when |turnout − m| > `threshold` × max(1.4826 × MAD, `min_spread`). This is Iglewicz and
/// Hoaglin's modified z-score (3.5 is their cut-off); 1.4826 × MAD estimates a standard deviation
/// that a few bad forms cannot drag, and the floor keeps a village of near-identical turnouts from
/// flagging a TPS one point away.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeighbourRule {
    pub min_group: usize,
    pub threshold: f64,
    /// As a fraction (0.03 = 3 percentage points).
    pub min_spread: f64,
}

impl Default for NeighbourRule {
    fn default() -> Self {
        NeighbourRule {
            min_group: 5,
            threshold: 3.5,
            min_spread: 0.03,
        }
    }
}

impl CheckRules {
    pub fn for_election(election: &Election) -> CheckRules {
        CheckRules {
            max_voters_per_tps: election.rules.max_voters_per_tps,
            ballot_reserve_bp: election.rules.ballot_reserve_bp,
            reserve_rounding: Rounding::Up,
            unanimity_min_votes: 20,
            neighbours: NeighbourRule::default(),
        }
    }
}

/// Every check that needs only the form itself, appended to `out`. `election` decides which
/// ballot types a region holds (H14).
pub fn check_form(
    form: &ResultForm,
    election: &Election,
    rules: &CheckRules,
    out: &mut Vec<Finding>,
) {
    let used = u64::from(form.papers.used);
    let voted = form.voted.total();
    let registered = form.registered.total();
    let cast = u64::from(form.valid) + u64::from(form.invalid);
    let mut push = |code, found, expected| out.push(Finding::new(code, form, found, expected));

    if !holds(election, &form.tps.village, form.ballot) {
        push(Code::BallotNotHere, 0, 0);
    }
    if cast != used {
        push(Code::ValidInvalidNotUsed, cast, used);
    }
    if used != voted {
        push(Code::UsedNotVoters, used, voted);
    }
    let accounted = used + u64::from(form.papers.unused) + u64::from(form.papers.damaged);
    if accounted != u64::from(form.papers.received) {
        push(
            Code::PapersDoNotAddUp,
            accounted,
            u64::from(form.papers.received),
        );
    }
    if form.papers.used > form.papers.received {
        push(
            Code::UsedBeyondReceived,
            used,
            u64::from(form.papers.received),
        );
    }
    if voted > registered {
        push(Code::TurnoutOver100, voted, registered);
    }
    if cast > registered {
        push(Code::VotesBeyondVoters, cast, registered);
    }
    let sum: u64 = form.votes.iter().map(|&v| u64::from(v)).sum();
    if sum != u64::from(form.valid) {
        push(Code::CandidateSumNotValid, sum, u64::from(form.valid));
    }
    let top = form.votes.iter().copied().max().unwrap_or(0);
    if form.votes.len() >= 2 && form.valid >= rules.unanimity_min_votes && top == form.valid {
        push(Code::OneCandidateAll, u64::from(top), u64::from(form.valid));
    }
    if form.registered.dpt > rules.max_voters_per_tps {
        push(
            Code::OverCapacity,
            u64::from(form.registered.dpt),
            u64::from(rules.max_voters_per_tps),
        );
    }
    let need = u64::from(form.registered.dpt)
        + u64::from(form.registered.dptb)
        + u64::from(reserve(
            form.registered.dpt,
            rules.ballot_reserve_bp,
            rules.reserve_rounding,
        ));
    if u64::from(form.papers.received) != need {
        push(Code::PapersNotNeed, u64::from(form.papers.received), need);
    }
    for list in VoterList::ALL {
        let (v, r) = (form.voted.get(list), form.registered.get(list));
        if v > r {
            out.push(Finding {
                list: Some(list),
                ..Finding::new(Code::ListOverrun, form, u64::from(v), u64::from(r))
            });
        }
    }
}

/// The median of a non-empty slice (sorted in place).
fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// Median and scaled spread (1.4826 × MAD, at least the rule's floor) of a group's turnouts.
pub fn robust_centre(turnouts: &[f64], rule: &NeighbourRule) -> Option<(f64, f64)> {
    if turnouts.is_empty() {
        return None;
    }
    let mut xs = turnouts.to_vec();
    let m = median(&mut xs);
    let mut dev: Vec<f64> = xs.iter().map(|x| (x - m).abs()).collect();
    let mad = median(&mut dev);
    Some((m, (1.4826 * mad).max(rule.min_spread)))
}

/// H10 over any set of digests (the rule is in [`NeighbourRule`]), each finding with the index
/// of its digest. Forms with nobody on the lists have no turnout and take no part. Groups never
/// cross a province or a ballot type, so a caller may split a national set by both and run this
/// on each part in parallel.
pub fn neighbour_outliers(digests: &[FormDigest], rule: &NeighbourRule) -> Vec<(usize, Finding)> {
    // Sorted by ballot type and village, a district's villages lie next to each other: one sort,
    // then runs, instead of maps of lists (a national set has 400,000 village groups).
    let mut items: Vec<(BallotType, RegionCode, f64, usize)> = digests
        .iter()
        .enumerate()
        .filter_map(|(i, d)| Some((d.ballot, d.tps.village, d.turnout.fraction()?, i)))
        .collect();
    items.sort_unstable_by_key(|a| (a.0, a.1, a.3));
    let district_of = |v: &RegionCode| v.ancestor_at(Level::District);
    let mut out = Vec::new();
    let mut judge = |members: &[(BallotType, RegionCode, f64, usize)], m: f64, spread: f64| {
        for &(_, _, t, i) in members {
            if (t - m).abs() > rule.threshold * spread {
                let d = &digests[i];
                out.push((
                    i,
                    Finding {
                        code: Code::TurnoutOutlier,
                        tps: d.tps,
                        ballot: d.ballot,
                        found: u64::from(d.turnout.bp().unwrap_or(0)),
                        expected: (m * 10_000.0).round() as u64,
                        other: None,
                        list: None,
                    },
                ));
            }
        }
    };
    let mut ts: Vec<f64> = Vec::new();
    let mut start = 0;
    while start < items.len() {
        // One district (of one ballot type).
        let key = (items[start].0, district_of(&items[start].1));
        let end = start
            + items[start..]
                .iter()
                .take_while(|x| (x.0, district_of(&x.1)) == key)
                .count();
        let district = &items[start..end];
        let mut district_centre: Option<Option<(f64, f64)>> = None;
        let mut v = 0;
        while v < district.len() {
            let village = district[v].1;
            let w = v + district[v..].iter().take_while(|x| x.1 == village).count();
            let members = &district[v..w];
            let centre = if members.len() >= rule.min_group {
                ts.clear();
                ts.extend(members.iter().map(|x| x.2));
                robust_centre(&ts, rule)
            } else {
                // Small villages are judged against their whole district.
                *district_centre.get_or_insert_with(|| {
                    if district.len() < rule.min_group {
                        return None;
                    }
                    let all: Vec<f64> = district.iter().map(|x| x.2).collect();
                    robust_centre(&all, rule)
                })
            };
            if let Some((m, spread)) = centre {
                judge(members, m, spread);
            }
            v = w;
        }
        start = end;
    }
    out.sort_by_key(|(i, _)| *i);
    out
}

/// H11 and H15 over any set of digests, each finding with the index of its digest: forms with
/// the same content at different TPS (the second and later ones are flagged, each naming the
/// first), and the same TPS and ballot type more than once. Forms with no voter are not
/// compared: an empty form is not a copy. Neither check crosses a ballot type, so a caller may
/// split a set by ballot type and run this on each part in parallel.
pub fn cross_form_duplicates(digests: &[FormDigest]) -> Vec<(usize, Finding)> {
    let mut out = Vec::new();
    // The same TPS and ballot: sorted by (TPS, ballot, position), every later one of a run.
    let mut order: Vec<usize> = (0..digests.len()).collect();
    order.sort_unstable_by_key(|&i| (digests[i].tps, digests[i].ballot, i));
    let mut repeated = vec![false; digests.len()];
    for w in 0..order.len() {
        let i = order[w];
        let run_start = order[..w]
            .iter()
            .rev()
            .take_while(|&&j| {
                digests[j].tps == digests[i].tps && digests[j].ballot == digests[i].ballot
            })
            .count();
        if run_start > 0 {
            repeated[i] = true;
            out.push((
                i,
                Finding {
                    code: Code::DuplicateForm,
                    tps: digests[i].tps,
                    ballot: digests[i].ballot,
                    found: run_start as u64 + 1,
                    expected: 1,
                    other: None,
                    list: None,
                },
            ));
        }
    }
    // Identical content: sorted by (fingerprint, position), each later one at another TPS names
    // the first.
    let mut by_content: Vec<usize> = (0..digests.len())
        .filter(|&i| !repeated[i] && digests[i].turnout.voted > 0)
        .collect();
    by_content.sort_unstable_by_key(|&i| (digests[i].fingerprint, i));
    let mut k = 0;
    while k < by_content.len() {
        let first = by_content[k];
        let fp = digests[first].fingerprint;
        let mut j = k + 1;
        while j < by_content.len() && digests[by_content[j]].fingerprint == fp {
            let i = by_content[j];
            if digests[i].tps != digests[first].tps {
                out.push((
                    i,
                    Finding {
                        code: Code::IdenticalForms,
                        tps: digests[i].tps,
                        ballot: digests[i].ballot,
                        found: 0,
                        expected: 0,
                        other: Some(digests[first].tps),
                        list: None,
                    },
                ));
            }
            j += 1;
        }
        k = j;
    }
    out.sort_by_key(|(i, f)| (*i, f.code));
    out
}

/// Sums of a set of forms: what a region's row in the turnout table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Tally {
    pub forms: u64,
    pub registered_dpt: u64,
    pub registered_dptb: u64,
    pub registered_dpk: u64,
    pub voted_dpt: u64,
    pub voted_dptb: u64,
    pub voted_dpk: u64,
    pub valid: u64,
    pub invalid: u64,
    pub papers_received: u64,
    pub papers_used: u64,
    pub papers_unused: u64,
    pub papers_damaged: u64,
}

impl Tally {
    pub fn add_form(&mut self, f: &ResultForm) {
        self.forms += 1;
        self.registered_dpt += u64::from(f.registered.dpt);
        self.registered_dptb += u64::from(f.registered.dptb);
        self.registered_dpk += u64::from(f.registered.dpk);
        self.voted_dpt += u64::from(f.voted.dpt);
        self.voted_dptb += u64::from(f.voted.dptb);
        self.voted_dpk += u64::from(f.voted.dpk);
        self.valid += u64::from(f.valid);
        self.invalid += u64::from(f.invalid);
        self.papers_received += u64::from(f.papers.received);
        self.papers_used += u64::from(f.papers.used);
        self.papers_unused += u64::from(f.papers.unused);
        self.papers_damaged += u64::from(f.papers.damaged);
    }

    pub fn merge(&mut self, o: &Tally) {
        self.forms += o.forms;
        self.registered_dpt += o.registered_dpt;
        self.registered_dptb += o.registered_dptb;
        self.registered_dpk += o.registered_dpk;
        self.voted_dpt += o.voted_dpt;
        self.voted_dptb += o.voted_dptb;
        self.voted_dpk += o.voted_dpk;
        self.valid += o.valid;
        self.invalid += o.invalid;
        self.papers_received += o.papers_received;
        self.papers_used += o.papers_used;
        self.papers_unused += o.papers_unused;
        self.papers_damaged += o.papers_damaged;
    }

    pub fn registered(&self) -> u64 {
        self.registered_dpt + self.registered_dptb + self.registered_dpk
    }

    pub fn voted(&self) -> u64 {
        self.voted_dpt + self.voted_dptb + self.voted_dpk
    }

    pub fn turnout(&self) -> Turnout {
        Turnout {
            voted: self.voted(),
            registered: self.registered(),
        }
    }
}

/// Where a tally belongs: the whole country or one region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    Country,
    Region(RegionCode),
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Area::Country => f.write_str("ID"),
            Area::Region(c) => write!(f, "{c}"),
        }
    }
}

/// Tallies per area and ballot type, from villages up to the country. Forms are added per
/// village ([`RollUp::add`], or merged from parts built in parallel); [`RollUp::finish`] then
/// sums each level from the one below, so every region equals the sum of its children.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RollUp {
    villages: HashMap<(RegionCode, BallotType), Tally>,
}

impl RollUp {
    pub fn add(&mut self, form: &ResultForm) {
        self.villages
            .entry((form.tps.village, form.ballot))
            .or_default()
            .add_form(form);
    }

    /// Adds a village's tally that was summed elsewhere.
    pub fn add_village(&mut self, village: RegionCode, ballot: BallotType, t: &Tally) {
        self.villages.entry((village, ballot)).or_default().merge(t);
    }

    pub fn merge(&mut self, other: RollUp) {
        for ((v, b), t) in other.villages {
            self.add_village(v, b, &t);
        }
    }

    /// Sums villages into districts, districts into regencies, and so on up to the country:
    /// each level from the one below, so a national roll-up touches each village once.
    pub fn finish(self) -> RolledUp {
        let mut all: Vec<((Area, BallotType), Tally)> =
            Vec::with_capacity(self.villages.len() * 11 / 10);
        let mut level: HashMap<(RegionCode, BallotType), Tally> = self.villages;
        loop {
            let mut up: HashMap<(RegionCode, BallotType), Tally> = HashMap::new();
            let mut country: BTreeMap<BallotType, Tally> = BTreeMap::new();
            for ((code, b), t) in &level {
                match code.parent() {
                    Some(p) => up.entry((p, *b)).or_default().merge(t),
                    None => country.entry(*b).or_default().merge(t),
                }
            }
            all.extend(
                level
                    .into_iter()
                    .map(|((c, b), t)| ((Area::Region(c), b), t)),
            );
            if up.is_empty() {
                all.extend(country.into_iter().map(|(b, t)| ((Area::Country, b), t)));
                break;
            }
            level = up;
        }
        // Built from a sorted list in one pass.
        all.sort_unstable_by_key(|(k, _)| *k);
        RolledUp {
            tallies: all.into_iter().collect(),
        }
    }
}

/// The finished roll-up: every area with forms, per ballot type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RolledUp {
    tallies: BTreeMap<(Area, BallotType), Tally>,
}

impl RolledUp {
    pub fn get(&self, area: Area, ballot: BallotType) -> Option<&Tally> {
        self.tallies.get(&(area, ballot))
    }

    /// Every (area, ballot type) in order: the country first, then regions in code order
    /// (which is depth-first: a region before its children).
    pub fn iter(&self) -> impl Iterator<Item = (&(Area, BallotType), &Tally)> {
        self.tallies.iter()
    }

    pub fn len(&self) -> usize {
        self.tallies.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tallies.is_empty()
    }

    /// The direct children of `area` that have forms, for `ballot`, in code order.
    pub fn children(&self, area: Area, ballot: BallotType) -> Vec<(RegionCode, &Tally)> {
        self.tallies
            .iter()
            .filter_map(|((a, b), t)| match a {
                Area::Region(c) if *b == ballot => {
                    let parent = c.parent().map(Area::Region).unwrap_or(Area::Country);
                    (parent == area).then_some((*c, t))
                }
                _ => None,
            })
            .collect()
    }
}

/// Turnout beside the election's target and a previous election's turnout, in basis points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Comparison {
    pub turnout_bp: Option<u32>,
    pub target_bp: Option<u32>,
    pub previous_bp: Option<u32>,
}

impl Comparison {
    pub fn new(current: Turnout, target_bp: Option<u32>, previous: Option<Turnout>) -> Self {
        Comparison {
            turnout_bp: current.bp(),
            target_bp,
            previous_bp: previous.and_then(|p| p.bp()),
        }
    }

    /// Percentage points over (+) or under (−) the target, in basis points.
    pub fn against_target(&self) -> Option<i64> {
        Some(i64::from(self.turnout_bp?) - i64::from(self.target_bp?))
    }

    pub fn against_previous(&self) -> Option<i64> {
        Some(i64::from(self.turnout_bp?) - i64::from(self.previous_bp?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tps::TpsNumber;
    use proptest::prelude::*;

    fn tps(v: &str, n: u32) -> TpsId {
        TpsId::new(RegionCode::parse(v).unwrap(), TpsNumber::new(n).unwrap()).unwrap()
    }

    /// A clean PPWP form at a Jepara TPS: 250 on the DPT, 4 DPTb, 2 DPK; 200 + 4 + 2 voted;
    /// 254 + 5 reserve papers received.
    fn clean() -> ResultForm {
        ResultForm {
            tps: tps("33.20.01.2001", 1),
            ballot: BallotType::Ppwp,
            registered: ByList {
                dpt: 250,
                dptb: 4,
                dpk: 2,
            },
            voted: ByList {
                dpt: 200,
                dptb: 4,
                dpk: 2,
            },
            papers: Papers {
                received: 259,
                used: 206,
                unused: 52,
                damaged: 1,
            },
            votes: vec![60, 120, 20],
            valid: 200,
            invalid: 6,
        }
    }

    fn codes_of(form: &ResultForm) -> Vec<Code> {
        let e = Election::pemilu_2024();
        let mut out = Vec::new();
        check_form(form, &e, &CheckRules::for_election(&e), &mut out);
        out.iter().map(|f| f.code).collect()
    }

    #[test]
    fn a_clean_form_has_no_finding() {
        assert_eq!(codes_of(&clean()), Vec::<Code>::new());
    }

    type Change = Box<dyn Fn(&mut ResultForm)>;

    #[test]
    fn each_form_check_fires_on_a_hand_made_form() {
        let cases: Vec<(Code, Change)> = vec![
            (Code::ValidInvalidNotUsed, Box::new(|f| f.invalid = 9)),
            (
                Code::UsedNotVoters,
                Box::new(|f| {
                    // Voted count says 207, papers and votes say 206.
                    f.voted.dpt = 201;
                }),
            ),
            (Code::PapersDoNotAddUp, Box::new(|f| f.papers.unused = 40)),
            (
                Code::UsedBeyondReceived,
                Box::new(|f| {
                    f.papers.received = 200;
                    f.papers.unused = 0;
                    f.papers.damaged = 0;
                }),
            ),
            (Code::ListOverrun, Box::new(|f| f.voted.dpk = 3)),
            (
                Code::TurnoutOver100,
                Box::new(|f| {
                    f.registered = ByList {
                        dpt: 150,
                        dptb: 4,
                        dpk: 2,
                    };
                }),
            ),
            (Code::CandidateSumNotValid, Box::new(|f| f.votes[1] = 119)),
            (
                Code::VotesBeyondVoters,
                Box::new(|f| {
                    f.registered = ByList {
                        dpt: 150,
                        dptb: 4,
                        dpk: 2,
                    };
                }),
            ),
            (
                Code::OneCandidateAll,
                Box::new(|f| f.votes = vec![0, 200, 0]),
            ),
            (
                Code::OverCapacity,
                Box::new(|f| {
                    f.registered.dpt = 320;
                }),
            ),
            (Code::PapersNotNeed, Box::new(|f| f.papers.received = 260)),
            (
                Code::BallotNotHere,
                Box::new(|f| {
                    f.tps = tps("31.71.01.1001", 1);
                    f.ballot = BallotType::DprdKabKota;
                }),
            ),
        ];
        for (code, change) in cases {
            let mut f = clean();
            change(&mut f);
            let got = codes_of(&f);
            assert!(got.contains(&code), "{code}: got {got:?}");
            let e = Election::pemilu_2024();
            let mut out = Vec::new();
            check_form(&f, &e, &CheckRules::for_election(&e), &mut out);
            for finding in out {
                assert!(!finding.message().is_empty() && !finding.message_en().is_empty());
            }
        }
    }

    #[test]
    fn messages_carry_the_numbers() {
        let mut f = clean();
        f.invalid = 9;
        let e = Election::pemilu_2024();
        let mut out = Vec::new();
        check_form(&f, &e, &CheckRules::for_election(&e), &mut out);
        let h01 = out
            .iter()
            .find(|x| x.code == Code::ValidInvalidNotUsed)
            .unwrap();
        assert_eq!(
            h01.message(),
            "suara sah + tidak sah = 209, surat suara digunakan = 206"
        );
        assert_eq!(
            h01.message_en(),
            "valid + invalid votes = 209, ballot papers used = 206"
        );
        assert_eq!(h01.severity(), Severity::Error);
    }

    #[test]
    fn unanimity_needs_enough_votes_and_a_choice() {
        let mut f = clean();
        // A single-candidate ballot (a lone pair against the empty box is its own case).
        f.votes = vec![200];
        assert!(!codes_of(&f).contains(&Code::OneCandidateAll));
        // Ten votes all for one party: not remarkable at this size.
        let mut small = clean();
        small.votes = vec![0, 10, 0];
        small.valid = 10;
        assert!(!codes_of(&small).contains(&Code::OneCandidateAll));
    }

    #[test]
    fn codes_are_stable_and_unique() {
        let names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        assert_eq!(Code::parse("H10"), Some(Code::TurnoutOutlier));
        assert_eq!(Code::TurnoutOutlier.severity(), Severity::Warning);
        assert_eq!(Code::PapersNotNeed.severity(), Severity::Info);
    }

    #[test]
    fn turnout_counts_dptb_and_dpk_users_over_all_lists() {
        // 200 of 250 DPT, 4 DPTb, 2 DPK: (200 + 4 + 2) / (250 + 4 + 2) = 80.47 %, not valid
        // votes over DPT (200 / 250 = 80 %) and not DPT users over DPT alone.
        let f = clean();
        let t = f.turnout();
        assert_eq!((t.voted, t.registered), (206, 256));
        assert_eq!(t.bp(), Some(8047));
        assert_eq!(t.percent(), Some(80.47));
        assert_ne!(t.bp(), Some(8000));
        // DPK voters count on both sides: they are on the form's list only because they voted.
        let mut g = clean();
        g.registered.dpk = 30;
        g.voted.dpk = 30;
        assert_eq!(
            g.turnout().bp(),
            Some(((234.0 / 284.0) * 10_000.0_f64).round() as u32)
        );
        assert_eq!(Turnout::default().bp(), None);
    }

    #[test]
    fn national_2024_is_not_valid_over_dpt() {
        // DOMAIN §10: 164.2 M valid ÷ 204.4 M ≠ 81.78 %; the tally keeps them apart.
        let t = Tally {
            registered_dpt: 204_400_000,
            voted_dpt: 167_158_320,
            valid: 164_200_000,
            ..Tally::default()
        };
        assert_eq!(t.turnout().bp(), Some(8178));
        assert_ne!(
            Turnout {
                voted: t.valid,
                registered: t.registered_dpt
            }
            .bp(),
            Some(8178)
        );
    }

    fn digest_at(v: &str, n: u32, voted: u64, registered: u64) -> FormDigest {
        FormDigest {
            tps: tps(v, n),
            ballot: BallotType::Ppwp,
            turnout: Turnout { voted, registered },
            fingerprint: u128::from(n) + (u128::from(voted) << 32),
        }
    }

    #[test]
    fn outlier_turnout_is_flagged_against_its_village() {
        let v = "33.20.01.2001";
        let mut ds: Vec<FormDigest> = (1..=8)
            .map(|n| digest_at(v, n, 200 + u64::from(n), 250))
            .collect();
        assert!(neighbour_outliers(&ds, &NeighbourRule::default()).is_empty());
        ds.push(digest_at(v, 9, 250, 250)); // 100 % amid ~82 %
        let found = neighbour_outliers(&ds, &NeighbourRule::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 8);
        let found: Vec<Finding> = found.into_iter().map(|(_, f)| f).collect();
        assert_eq!(found[0].tps, tps(v, 9));
        assert_eq!(found[0].found, 10_000);
        assert!(
            found[0].message().contains("100.00 %"),
            "{}",
            found[0].message()
        );
    }

    #[test]
    fn small_villages_are_judged_against_their_district() {
        // Two TPS in each of four villages of one district; one at 40 %.
        let mut ds = Vec::new();
        for (i, v) in [
            "33.20.01.2001",
            "33.20.01.2002",
            "33.20.01.2003",
            "33.20.01.2004",
        ]
        .iter()
        .enumerate()
        {
            for n in 1..=2 {
                ds.push(digest_at(v, n, 205 + i as u64, 250));
            }
        }
        assert!(neighbour_outliers(&ds, &NeighbourRule::default()).is_empty());
        ds[3].turnout.voted = 100;
        let found = neighbour_outliers(&ds, &NeighbourRule::default());
        assert_eq!(
            found.iter().map(|(_, f)| f.tps).collect::<Vec<_>>(),
            [ds[3].tps]
        );
        // Too few forms in the whole district: no judgement at all.
        let few = &ds[..3];
        assert!(neighbour_outliers(few, &NeighbourRule::default()).is_empty());
    }

    #[test]
    fn identical_and_duplicate_forms() {
        let a = clean();
        let mut b = clean();
        b.tps = tps("33.20.01.2002", 4);
        let mut c = clean();
        c.tps = tps("33.20.01.2003", 1);
        c.votes = vec![61, 119, 20];
        let digests = [a.digest(), b.digest(), c.digest(), a.digest()];
        let found = cross_form_duplicates(&digests);
        let got: Vec<(usize, Code, TpsId, Option<TpsId>)> = found
            .iter()
            .map(|(i, f)| (*i, f.code, f.tps, f.other))
            .collect();
        assert_eq!(
            got,
            [
                (1, Code::IdenticalForms, b.tps, Some(a.tps)),
                (3, Code::DuplicateForm, a.tps, None)
            ]
        );
        // The same form for two ballot types at one TPS is not a copy.
        let mut d = clean();
        d.ballot = BallotType::Dpd;
        assert!(cross_form_duplicates(&[a.digest(), d.digest()]).is_empty());
        // Empty forms are never copies.
        let mut e1 = clean();
        e1.voted = ByList::default();
        let mut e2 = e1.clone();
        e2.tps = tps("33.20.01.2002", 1);
        assert!(cross_form_duplicates(&[e1.digest(), e2.digest()]).is_empty());
    }

    #[test]
    fn comparison_against_target_and_previous() {
        let c = Comparison::new(
            Turnout {
                voted: 8300,
                registered: 10_000,
            },
            Some(7750),
            Some(Turnout {
                voted: 8000,
                registered: 10_000,
            }),
        );
        assert_eq!(c.against_target(), Some(550));
        assert_eq!(c.against_previous(), Some(300));
        assert_eq!(
            Comparison::new(Turnout::default(), None, None).against_target(),
            None
        );
    }

    fn villages() -> Vec<&'static str> {
        vec![
            "33.20.01.2001",
            "33.20.01.2002",
            "33.20.02.2001",
            "33.21.01.1001",
            "15.71.01.1001",
            "15.71.02.1003",
        ]
    }

    proptest! {
        /// Every region's tally equals the sum of its children's, and the country's equals the
        /// sum of the provinces' and of all forms, for every ballot type.
        #[test]
        fn roll_ups_equal_the_sum_of_their_parts(
            forms in prop::collection::vec(
                (0usize..6, 1u32..20, 0usize..3, 0u32..400, 0u32..20, 0u32..10, 0u32..400, 0u32..400),
                0..80,
            ),
            split in 0usize..80,
        ) {
            let vs = villages();
            let ballots = [BallotType::Ppwp, BallotType::Dpr, BallotType::Dpd];
            let built: Vec<ResultForm> = forms
                .iter()
                .map(|&(v, n, b, dpt, dptb, dpk, voted, valid)| {
                    let mut f = clean();
                    f.tps = tps(vs[v], n);
                    f.ballot = ballots[b];
                    f.registered = ByList { dpt, dptb, dpk };
                    f.voted = ByList { dpt: voted, dptb: dptb / 2, dpk };
                    f.valid = valid;
                    f
                })
                .collect();
            // Built in two parts and merged, as the engine does in parallel.
            let cut = split.min(built.len());
            let mut left = RollUp::default();
            let mut right = RollUp::default();
            for f in &built[..cut] { left.add(f); }
            for f in &built[cut..] { right.add(f); }
            left.merge(right);
            let r = left.finish();
            for b in ballots {
                let mut all = Tally::default();
                for f in built.iter().filter(|f| f.ballot == b) { all.add_form(f); }
                let country = r.get(Area::Country, b).copied().unwrap_or_default();
                prop_assert_eq!(country, all);
                let mut provinces = Tally::default();
                for (_, t) in r.children(Area::Country, b) { provinces.merge(t); }
                prop_assert_eq!(provinces, all);
                for ((area, bb), t) in r.iter() {
                    let Area::Region(code) = area else { continue };
                    if *bb != b { continue; }
                    let mut direct = Tally::default();
                    for f in built.iter().filter(|f| f.ballot == b && code.contains(&f.tps.village)) {
                        direct.add_form(f);
                    }
                    prop_assert_eq!(*t, direct);
                    if code.level() != Level::Village {
                        let mut kids = Tally::default();
                        for (_, k) in r.children(*area, b) { kids.merge(k); }
                        prop_assert_eq!(*t, kids);
                    }
                }
            }
        }
    }
}
