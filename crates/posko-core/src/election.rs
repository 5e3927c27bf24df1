//! Elections and their rule sets (DOMAIN.md §2, §4, §9). A rule that changes between elections
//! lives in the election's `RuleSet`, never in code that uses it. Pemilu 2024 and Pilkada serentak
//! 2024 are built in; an operator adds others (a re-vote, Pilkada 2029) in configuration as an
//! `ElectionSpec`, which starts from its kind's rules and overrides what it names.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Pemilu (general election) or Pilkada (regional head election): the two legal regimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElectionKind {
    Pemilu,
    Pilkada,
}

/// How a legal period of days is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayCount {
    /// Every day counts.
    Calendar,
    /// Saturdays, Sundays, national holidays and cuti bersama are skipped.
    Working,
}

/// The ballot types of Indonesian elections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BallotType {
    /// President and vice-president (grey ballot).
    Ppwp,
    /// DPR (yellow).
    Dpr,
    /// DPD (red).
    Dpd,
    /// DPRD provinsi (blue).
    DprdProvinsi,
    /// DPRD kabupaten/kota (green).
    DprdKabKota,
    /// Governor.
    Gubernur,
    /// Regent or mayor.
    BupatiWalikota,
}

impl BallotType {
    pub const ALL: [BallotType; 7] = [
        BallotType::Ppwp,
        BallotType::Dpr,
        BallotType::Dpd,
        BallotType::DprdProvinsi,
        BallotType::DprdKabKota,
        BallotType::Gubernur,
        BallotType::BupatiWalikota,
    ];

    /// The type named by its stable name (`as_str`).
    pub fn parse(s: &str) -> Option<BallotType> {
        BallotType::ALL.into_iter().find(|b| b.as_str() == s.trim())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BallotType::Ppwp => "ppwp",
            BallotType::Dpr => "dpr",
            BallotType::Dpd => "dpd",
            BallotType::DprdProvinsi => "dprd_provinsi",
            BallotType::DprdKabKota => "dprd_kab_kota",
            BallotType::Gubernur => "gubernur",
            BallotType::BupatiWalikota => "bupati_walikota",
        }
    }

    /// The name people use, in Bahasa Indonesia.
    pub fn label(self) -> &'static str {
        match self {
            BallotType::Ppwp => "Presiden dan Wakil Presiden (PPWP)",
            BallotType::Dpr => "DPR",
            BallotType::Dpd => "DPD",
            BallotType::DprdProvinsi => "DPRD Provinsi",
            BallotType::DprdKabKota => "DPRD Kabupaten/Kota",
            BallotType::Gubernur => "Gubernur dan Wakil Gubernur",
            BallotType::BupatiWalikota => "Bupati/Wali Kota dan Wakilnya",
        }
    }
}

/// A number of days and how they are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub days: u32,
    pub count: DayCount,
}

impl Period {
    pub const fn calendar(days: u32) -> Period {
        Period {
            days,
            count: DayCount::Calendar,
        }
    }
    pub const fn working(days: u32) -> Period {
        Period {
            days,
            count: DayCount::Working,
        }
    }
}

/// The rules of one election that Posko applies. Tags in comments are DOMAIN.md's:
/// [V] read in the law, [R] reported, [U] unverified (so configurable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleSet {
    /// Time to file a laporan after the violation became known.
    pub report_window: Period,
    /// Time for a supervisor to declare a temuan after discovery.
    pub finding_window: Period,
    /// Initial review (kajian awal) after receipt.
    pub initial_review: Period,
    /// Time the reporter has to complete an incomplete report.
    pub completion: Period,
    /// Handling after registration.
    pub handling: Period,
    /// The extension of handling that the law allows when more information is needed.
    pub handling_extension: Period,
    /// Most voters one TPS may serve.
    pub max_voters_per_tps: u32,
    /// Ballot reserve per TPS, in basis points of the DPT (200 = 2 %).
    pub ballot_reserve_bp: u32,
    /// Re-vote ballots printed per electoral district and ballot type.
    pub revote_ballots: u32,
    /// Turnout target, in basis points (8200 = 82 %), when one is set.
    pub turnout_target_bp: Option<u32>,
}

impl RuleSet {
    /// Pemilu under UU 7/2017 and Perbawaslu 7/2022.
    pub fn pemilu() -> RuleSet {
        RuleSet {
            report_window: Period::working(7),      // Pasal 454(6) [V]
            finding_window: Period::working(7),     // 454(5) [V]; "hari" read as working days [R]
            initial_review: Period::working(2),     // Perbawaslu 7/2022 Pasal 15(1) [R]
            completion: Period::working(2),         // [U]
            handling: Period::working(7),           // 454(7) [V]
            handling_extension: Period::working(7), // up to 14 working days in all, 454(8) [V]
            max_voters_per_tps: 300,                // [R]
            ballot_reserve_bp: 200,                 // Pasal 350(3) [R]
            revote_ballots: 1_000,                  // Pasal 344 [V]
            turnout_target_bp: None,                // none found for 2024 [U]
        }
    }

    /// Pilkada under UU 1/2015 as amended and Perbawaslu 8/2020 as amended by 9/2024.
    pub fn pilkada() -> RuleSet {
        RuleSet {
            report_window: Period::calendar(7),      // Pasal 134 [V]
            finding_window: Period::calendar(7),     // [V]
            initial_review: Period::calendar(2),     // [U]
            completion: Period::calendar(2),         // [V]
            handling: Period::calendar(3),           // [V]
            handling_extension: Period::calendar(2), // [V]
            max_voters_per_tps: 600,                 // PKPU 7/2024 [R]
            ballot_reserve_bp: 250,                  // Pasal 87(4) [V]
            revote_ballots: 2_000,                   // [V]
            turnout_target_bp: Some(8_200),          // [R]
        }
    }

    pub fn for_kind(kind: ElectionKind) -> RuleSet {
        match kind {
            ElectionKind::Pemilu => RuleSet::pemilu(),
            ElectionKind::Pilkada => RuleSet::pilkada(),
        }
    }
}

/// An inclusive span of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    pub start: Date,
    pub end: Date,
}

impl DateRange {
    pub fn contains(&self, d: Date) -> bool {
        self.start <= d && d <= self.end
    }
}

/// One election that the post works on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Election {
    /// Stable identifier used in URLs, files and the CLI (`pemilu-2024`).
    pub id: String,
    pub name: String,
    pub kind: ElectionKind,
    pub polling_day: Date,
    pub ballots: Vec<BallotType>,
    pub campaign: Option<DateRange>,
    pub quiet_period: Option<DateRange>,
    pub rules: RuleSet,
}

fn date(y: i16, m: i8, d: i8) -> Date {
    Date::constant(y, m, d)
}

impl Election {
    /// Pemilu 2024: 14 February 2024, five ballots.
    pub fn pemilu_2024() -> Election {
        Election {
            id: "pemilu-2024".into(),
            name: "Pemilu 2024".into(),
            kind: ElectionKind::Pemilu,
            polling_day: date(2024, 2, 14),
            ballots: vec![
                BallotType::Ppwp,
                BallotType::Dpr,
                BallotType::Dpd,
                BallotType::DprdProvinsi,
                BallotType::DprdKabKota,
            ],
            campaign: Some(DateRange {
                start: date(2023, 11, 28),
                end: date(2024, 2, 10),
            }),
            quiet_period: Some(DateRange {
                start: date(2024, 2, 11),
                end: date(2024, 2, 13),
            }),
            rules: RuleSet::pemilu(),
        }
    }

    /// Pilkada serentak 2024: 27 November 2024, governor and regent/mayor.
    pub fn pilkada_2024() -> Election {
        Election {
            id: "pilkada-2024".into(),
            name: "Pilkada Serentak 2024".into(),
            kind: ElectionKind::Pilkada,
            polling_day: date(2024, 11, 27),
            ballots: vec![BallotType::Gubernur, BallotType::BupatiWalikota],
            campaign: Some(DateRange {
                start: date(2024, 9, 25),
                end: date(2024, 11, 23),
            }),
            quiet_period: Some(DateRange {
                start: date(2024, 11, 24),
                end: date(2024, 11, 26),
            }),
            rules: RuleSet::pilkada(),
        }
    }

    /// True when Bawaslu serves round the clock on `d` for this election: a day of its quiet
    /// period (masa tenang) or its polling day (DOMAIN.md §4, service hours [R]). A working-day
    /// clock of this election counts such a day even when it is a weekend day or a holiday (see
    /// `calendar`'s module doc).
    ///
    /// [U] Counting days: for Pemilu, DOMAIN.md also names "counting days" (Perbawaslu 7/2022
    /// Pasal 11(4)) but gives no dates for them — counting at the TPS begins on polling day, and
    /// nothing in DOMAIN.md says it runs into the next day or how long recapitulation lasts — so
    /// the day after polling day is *not* modelled as a round-the-clock day; only the quiet period
    /// and polling day are. A caller that knows the counting days can add them through
    /// `Holidays::last_day_serving`'s `open`.
    pub fn round_the_clock(&self, d: Date) -> bool {
        d == self.polling_day || self.quiet_period.is_some_and(|q| q.contains(d))
    }

    pub fn builtin() -> Vec<Election> {
        vec![Election::pemilu_2024(), Election::pilkada_2024()]
    }
}

/// An election as an operator writes it in `posko.toml` under `[[pemilihan]]`. Rules not named
/// are those of its kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElectionSpec {
    pub id: String,
    pub name: String,
    pub kind: ElectionKind,
    pub polling_day: Date,
    pub ballots: Vec<BallotType>,
    #[serde(default)]
    pub campaign: Option<DateRange>,
    #[serde(default)]
    pub quiet_period: Option<DateRange>,
    #[serde(default)]
    pub max_voters_per_tps: Option<u32>,
    #[serde(default)]
    pub turnout_target_percent: Option<f64>,
}

/// Why an election from configuration was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ElectionError {
    #[error("pemilihan '{0}': id hanya huruf kecil, angka dan '-' (id: lower-case letters, digits and '-')")]
    BadId(String),
    #[error("pemilihan '{0}' sudah ada (election id already defined)")]
    Duplicate(String),
    #[error("pemilihan '{0}': daftar surat suara kosong (no ballot types)")]
    NoBallots(String),
    #[error("pemilihan '{id}': {what} berakhir sebelum dimulai (a period ends before it starts)")]
    BadRange { id: String, what: &'static str },
    #[error("pemilihan '{0}': kapasitas TPS harus 1–1000 pemilih (TPS capacity must be 1–1000)")]
    BadCapacity(String),
    #[error("pemilihan '{0}': target partisipasi harus 0–100 % (turnout target must be 0–100 %)")]
    BadTarget(String),
}

impl ElectionSpec {
    pub fn into_election(self) -> Result<Election, ElectionError> {
        let id_ok = !self.id.is_empty()
            && self.id.len() <= 64
            && self
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !id_ok {
            return Err(ElectionError::BadId(self.id));
        }
        if self.ballots.is_empty() {
            return Err(ElectionError::NoBallots(self.id));
        }
        for (what, range) in [
            ("masa kampanye", self.campaign),
            ("masa tenang", self.quiet_period),
        ] {
            if let Some(r) = range {
                if r.end < r.start {
                    return Err(ElectionError::BadRange { id: self.id, what });
                }
            }
        }
        let mut rules = RuleSet::for_kind(self.kind);
        if let Some(cap) = self.max_voters_per_tps {
            if !(1..=1000).contains(&cap) {
                return Err(ElectionError::BadCapacity(self.id));
            }
            rules.max_voters_per_tps = cap;
        }
        if let Some(t) = self.turnout_target_percent {
            if !(0.0..=100.0).contains(&t) {
                return Err(ElectionError::BadTarget(self.id));
            }
            rules.turnout_target_bp = Some((t * 100.0).round() as u32);
        }
        let mut ballots = self.ballots;
        ballots.sort();
        ballots.dedup();
        Ok(Election {
            id: self.id,
            name: self.name,
            kind: self.kind,
            polling_day: self.polling_day,
            ballots,
            campaign: self.campaign,
            quiet_period: self.quiet_period,
            rules,
        })
    }
}

/// The elections a post knows: the built-in ones plus those from configuration.
#[derive(Debug, Clone)]
pub struct Elections {
    list: Vec<Election>,
}

impl Elections {
    pub fn new(extra: Vec<ElectionSpec>) -> Result<Elections, ElectionError> {
        let mut list = Election::builtin();
        for spec in extra {
            let e = spec.into_election()?;
            if list.iter().any(|x| x.id == e.id) {
                return Err(ElectionError::Duplicate(e.id));
            }
            list.push(e);
        }
        Ok(Elections { list })
    }

    pub fn get(&self, id: &str) -> Option<&Election> {
        self.list.iter().find(|e| e.id == id)
    }

    pub fn all(&self) -> &[Election] {
        &self.list
    }

    pub fn ids(&self) -> Vec<&str> {
        self.list.iter().map(|e| e.id.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_elections_follow_domain() {
        let p = Election::pemilu_2024();
        assert_eq!(p.polling_day.to_string(), "2024-02-14");
        assert_eq!(p.ballots.len(), 5);
        assert_eq!(p.rules.max_voters_per_tps, 300);
        assert_eq!(p.rules.report_window, Period::working(7));
        let k = Election::pilkada_2024();
        assert_eq!(k.polling_day.to_string(), "2024-11-27");
        assert_eq!(
            k.ballots,
            [BallotType::Gubernur, BallotType::BupatiWalikota]
        );
        assert_eq!(k.rules.max_voters_per_tps, 600);
        assert_eq!(k.rules.report_window, Period::calendar(7));
        assert_eq!(k.rules.handling, Period::calendar(3));
        assert!(k.quiet_period.unwrap().contains(date(2024, 11, 25)));
        assert!(!k.quiet_period.unwrap().contains(date(2024, 11, 27)));
    }

    #[test]
    fn round_the_clock_is_the_quiet_period_and_polling_day() {
        let p = Election::pemilu_2024();
        // Campaign ends Sat 10 Feb; quiet period Sun 11 – Tue 13; polling Wed 14.
        assert!(!p.round_the_clock(date(2024, 2, 10)));
        for day in 11..=14 {
            assert!(p.round_the_clock(date(2024, 2, day)), "{day} Feb 2024");
        }
        // The day after polling day is not modelled as a counting day ([U], see the doc).
        assert!(!p.round_the_clock(date(2024, 2, 15)));
        // Another election's days are not this one's.
        assert!(!p.round_the_clock(date(2024, 11, 27)));
        let k = Election::pilkada_2024();
        assert!(!k.round_the_clock(date(2024, 11, 23)));
        for day in 24..=27 {
            assert!(k.round_the_clock(date(2024, 11, day)), "{day} Nov 2024");
        }
        assert!(!k.round_the_clock(date(2024, 11, 28)));
        assert!(!k.round_the_clock(date(2024, 2, 14)));
        // Without a quiet period, only polling day.
        let psu = Election {
            quiet_period: None,
            ..Election::pilkada_2024()
        };
        assert!(psu.round_the_clock(date(2024, 11, 27)));
        assert!(!psu.round_the_clock(date(2024, 11, 26)));
    }

    #[test]
    fn operator_adds_an_election() {
        let spec: ElectionSpec = serde_json::from_value(serde_json::json!({
            "id": "psu-jepara-2024", "name": "PSU Bupati Jepara", "kind": "pilkada",
            "polling_day": "2024-12-14", "ballots": ["bupati_walikota"], "max_voters_per_tps": 500
        }))
        .unwrap();
        let all = Elections::new(vec![spec]).unwrap();
        let e = all.get("psu-jepara-2024").unwrap();
        assert_eq!(e.rules.max_voters_per_tps, 500);
        assert_eq!(
            e.rules.ballot_reserve_bp, 250,
            "other rules come from the kind"
        );
        assert_eq!(
            all.ids(),
            ["pemilu-2024", "pilkada-2024", "psu-jepara-2024"]
        );
    }

    #[test]
    fn bad_specs_are_refused() {
        let base = ElectionSpec {
            id: "x".into(),
            name: "X".into(),
            kind: ElectionKind::Pemilu,
            polling_day: date(2029, 2, 14),
            ballots: vec![BallotType::Dpr],
            campaign: None,
            quiet_period: None,
            max_voters_per_tps: None,
            turnout_target_percent: None,
        };
        let with = |f: &dyn Fn(&mut ElectionSpec)| {
            let mut s = base.clone();
            f(&mut s);
            s.into_election().unwrap_err()
        };
        assert!(matches!(
            with(&|s| s.id = "Pemilu 2029".into()),
            ElectionError::BadId(_)
        ));
        assert!(matches!(
            with(&|s| s.ballots.clear()),
            ElectionError::NoBallots(_)
        ));
        assert!(matches!(
            with(&|s| s.max_voters_per_tps = Some(0)),
            ElectionError::BadCapacity(_)
        ));
        assert!(matches!(
            with(&|s| s.turnout_target_percent = Some(101.0)),
            ElectionError::BadTarget(_)
        ));
        assert!(matches!(
            with(&|s| s.campaign = Some(DateRange {
                start: date(2029, 2, 1),
                end: date(2029, 1, 1)
            })),
            ElectionError::BadRange { .. }
        ));
        let dup = ElectionSpec {
            id: "pemilu-2024".into(),
            ..base.clone()
        };
        assert!(matches!(
            Elections::new(vec![dup]),
            Err(ElectionError::Duplicate(_))
        ));
    }
}
