//! A report becomes a case that moves through the legal steps (DOMAIN.md §4–§5): received,
//! initial review (kajian awal), completion of requirements, registered or not, examination
//! (klarifikasi, kajian), decision, referral to the competent body, its follow-up, outcome and
//! sanction, closed. An *informasi awal* can be taken up as a *temuan*. `apply` is the only way a
//! case changes state; it refuses an illegal move with a message naming the moves allowed.
//! `competent_body` routes a decision (§5), `step_deadline` gives each step's legal clock.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::access::Agency;
use crate::calendar::Holidays;
use crate::election::{Election, Period};
use crate::report::{ReportKind, SubjectCategory};

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// Received, not yet reviewed.
    Diterima,
    /// Initial review (kajian awal) of formal and material requirements.
    KajianAwal,
    /// The reporter was asked to complete the report.
    MenungguKelengkapan,
    /// Registered: handling runs.
    Teregistrasi,
    /// Examination: klarifikasi of the parties and kajian.
    Pemeriksaan,
    /// Decided; `Diputus` with no violation is closed directly.
    Diputus,
    /// Referred to the competent body, awaiting its follow-up.
    Diteruskan,
    /// The competent body is handling it.
    Ditindaklanjuti,
    /// The competent body recorded its outcome and any sanction.
    Selesai,
    /// Closed (also: not registered, with its reason).
    Ditutup,
}

impl CaseState {
    pub const ALL: [CaseState; 10] = [
        CaseState::Diterima,
        CaseState::KajianAwal,
        CaseState::MenungguKelengkapan,
        CaseState::Teregistrasi,
        CaseState::Pemeriksaan,
        CaseState::Diputus,
        CaseState::Diteruskan,
        CaseState::Ditindaklanjuti,
        CaseState::Selesai,
        CaseState::Ditutup,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Diterima => "diterima",
            CaseState::KajianAwal => "kajian_awal",
            CaseState::MenungguKelengkapan => "menunggu_kelengkapan",
            CaseState::Teregistrasi => "teregistrasi",
            CaseState::Pemeriksaan => "pemeriksaan",
            CaseState::Diputus => "diputus",
            CaseState::Diteruskan => "diteruskan",
            CaseState::Ditindaklanjuti => "ditindaklanjuti",
            CaseState::Selesai => "selesai",
            CaseState::Ditutup => "ditutup",
        }
    }
}

/// What the decision found (GLOSSARY: pelanggaran administratif / kode etik / pidana / hukum
/// lainnya), or that there was no violation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Administratif,
    KodeEtik,
    /// Other law, such as ASN, TNI, Polri or village-head neutrality.
    HukumLainnya,
    Pidana,
    BukanPelanggaran,
}

/// What an officer does to a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum Action {
    StartReview,
    RequestCompletion,
    Completed,
    Register,
    /// Not registered (out of time, formal requirements unmet, …), with the reason.
    RejectRegistration {
        reason: String,
    },
    /// An informasi awal taken up by supervisors as their own finding (temuan).
    TakeUpAsTemuan,
    Examine,
    Decide {
        decision: Decision,
    },
    Refer {
        to: Agency,
    },
    StartFollowUp,
    RecordOutcome {
        sanction: String,
    },
    Close,
}

impl Action {
    /// The stable name of the action, as the API and the messages use it.
    pub fn name(&self) -> &'static str {
        match self {
            Action::StartReview => "start_review",
            Action::RequestCompletion => "request_completion",
            Action::Completed => "completed",
            Action::Register => "register",
            Action::RejectRegistration { .. } => "reject_registration",
            Action::TakeUpAsTemuan => "take_up_as_temuan",
            Action::Examine => "examine",
            Action::Decide { .. } => "decide",
            Action::Refer { .. } => "refer",
            Action::StartFollowUp => "start_follow_up",
            Action::RecordOutcome { .. } => "record_outcome",
            Action::Close => "close",
        }
    }
}

/// A case's state and what the machine needs to remember to decide the next move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub state: CaseState,
    pub kind: ReportKind,
    /// A supervisors' finding (temuan), taken up from informasi awal or their own.
    pub temuan: bool,
    pub decision: Option<Decision>,
    pub referred_to: Option<Agency>,
}

impl Case {
    pub fn new(kind: ReportKind) -> Case {
        Case {
            state: CaseState::Diterima,
            kind,
            temuan: false,
            decision: None,
            referred_to: None,
        }
    }

    /// The actions allowed now, by name.
    pub fn allowed(&self) -> Vec<&'static str> {
        use CaseState::*;
        let mut a: Vec<&'static str> = match self.state {
            Diterima => vec!["start_review"],
            KajianAwal => vec!["request_completion", "register", "reject_registration"],
            MenungguKelengkapan => vec!["completed", "reject_registration"],
            Teregistrasi => vec!["examine"],
            Pemeriksaan => vec!["decide"],
            Diputus => match self.decision {
                Some(Decision::BukanPelanggaran) | None => vec!["close"],
                Some(_) => vec!["refer"],
            },
            Diteruskan => vec!["start_follow_up"],
            Ditindaklanjuti => vec!["record_outcome"],
            Selesai => vec!["close"],
            Ditutup => vec![],
        };
        // Informasi awal is never registered as a laporan: supervisors take it up as a temuan.
        if self.kind == ReportKind::InformasiAwal && !self.temuan && self.state == KajianAwal {
            a = vec!["take_up_as_temuan", "reject_registration"];
        }
        a
    }
}

/// A refused move, naming the moves allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IllegalTransition {
    pub from: CaseState,
    pub action: &'static str,
    pub allowed: Vec<&'static str>,
}

impl fmt::Display for IllegalTransition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let allowed = if self.allowed.is_empty() {
            "tidak ada (none)".to_string()
        } else {
            self.allowed.join(", ")
        };
        write!(
            f,
            "langkah '{}' tidak boleh dari status '{}'; yang boleh: {allowed} \
             (action '{}' is not allowed from '{}'; allowed: {allowed})",
            self.action,
            self.from.as_str(),
            self.action,
            self.from.as_str()
        )
    }
}

impl std::error::Error for IllegalTransition {}

/// Applies an action to a case, or refuses it.
pub fn apply(case: &Case, action: &Action) -> Result<Case, IllegalTransition> {
    let refuse = || IllegalTransition {
        from: case.state,
        action: action.name(),
        allowed: case.allowed(),
    };
    if !case.allowed().contains(&action.name()) {
        return Err(refuse());
    }
    let mut next = case.clone();
    use CaseState::*;
    next.state = match action {
        Action::StartReview => KajianAwal,
        Action::RequestCompletion => MenungguKelengkapan,
        Action::Completed => KajianAwal,
        Action::Register => Teregistrasi,
        Action::RejectRegistration { reason } => {
            if reason.trim().is_empty() {
                return Err(refuse());
            }
            Ditutup
        }
        Action::TakeUpAsTemuan => {
            next.temuan = true;
            Teregistrasi
        }
        Action::Examine => Pemeriksaan,
        Action::Decide { decision } => {
            next.decision = Some(*decision);
            Diputus
        }
        Action::Refer { to } => {
            next.referred_to = Some(*to);
            Diteruskan
        }
        Action::StartFollowUp => Ditindaklanjuti,
        Action::RecordOutcome { sanction } => {
            if sanction.trim().is_empty() {
                return Err(refuse());
            }
            Selesai
        }
        Action::Close => Ditutup,
    };
    Ok(next)
}

/// The body competent for a decision about a category of official (DOMAIN.md §5). `None` when
/// nothing is to be referred (no violation).
pub fn competent_body(decision: Decision, subject: SubjectCategory) -> Option<Agency> {
    use SubjectCategory::*;
    match decision {
        Decision::BukanPelanggaran => None,
        // Bawaslu decides; its recommendation goes to KPU.
        Decision::Administratif => Some(Agency::Kpu),
        // Ethics of election organisers: DKPP (ad-hoc supervisors are Bawaslu kab/kota's own).
        Decision::KodeEtik => Some(Agency::Dkpp),
        // Election crimes: Sentra Gakkumdu, then Polri within 1×24 hours.
        Decision::Pidana => Some(Agency::Gakkumdu),
        Decision::HukumLainnya => Some(match subject {
            // BKN since 24 Aug 2024 (KASN dissolved); sanctions by the staffing authority.
            Asn | CamatLurah => Agency::Bkn,
            Polri => Agency::Propam,
            Tni => Agency::Pom,
            // The regent or mayor under UU Desa.
            KepalaDesa => Agency::Pemda,
            PenyelenggaraAdHoc => Agency::Dkpp,
            PesertaKampanye | Lainnya => Agency::Bawaslu,
        }),
    }
}

/// The legal periods that run in each state, from the election's rule set.
pub fn step_period(election: &Election, case: &Case, extended: bool) -> Option<Period> {
    let r = &election.rules;
    match case.state {
        CaseState::Diterima | CaseState::KajianAwal => Some(r.initial_review),
        CaseState::MenungguKelengkapan => Some(r.completion),
        CaseState::Teregistrasi | CaseState::Pemeriksaan => {
            let mut p = r.handling;
            if extended {
                p.days += r.handling_extension.days;
            }
            Some(p)
        }
        // Referral of an election crime to Polri: 1×24 hours (one calendar day).
        CaseState::Diputus if case.decision == Some(Decision::Pidana) => Some(Period::calendar(1)),
        _ => None,
    }
}

/// The last day of the current step's clock, counted from the day the step began (day 0), under
/// the election's regime. A working-day clock also counts the election's round-the-clock days
/// (quiet period and polling day, `Election::round_the_clock`) even when they are weekends or
/// holidays; the counting convention is in `calendar`'s module doc. The deadline instant is
/// `calendar::end_of_day` of this day in the region's zone.
pub fn step_deadline(
    election: &Election,
    holidays: &Holidays,
    case: &Case,
    began: Date,
    extended: bool,
) -> Option<Date> {
    step_period(election, case, extended)
        .map(|p| holidays.last_day_serving(began, p, |d| election.round_the_clock(d)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn run(kind: ReportKind, actions: &[Action]) -> Result<Case, IllegalTransition> {
        let mut c = Case::new(kind);
        for a in actions {
            c = apply(&c, a)?;
        }
        Ok(c)
    }

    #[test]
    fn the_full_path_of_a_laporan_about_a_police_officer() {
        let c = run(
            ReportKind::Laporan,
            &[
                Action::StartReview,
                Action::RequestCompletion,
                Action::Completed,
                Action::Register,
                Action::Examine,
                Action::Decide {
                    decision: Decision::HukumLainnya,
                },
                Action::Refer {
                    to: competent_body(Decision::HukumLainnya, SubjectCategory::Polri).unwrap(),
                },
                Action::StartFollowUp,
                Action::RecordOutcome {
                    sanction: "teguran tertulis".into(),
                },
                Action::Close,
            ],
        )
        .unwrap();
        assert_eq!(c.state, CaseState::Ditutup);
        assert_eq!(c.referred_to, Some(Agency::Propam));
    }

    #[test]
    fn informasi_awal_becomes_a_temuan_not_a_laporan() {
        let mut c = run(ReportKind::InformasiAwal, &[Action::StartReview]).unwrap();
        let err = apply(&c, &Action::Register).unwrap_err();
        assert_eq!(err.allowed, ["take_up_as_temuan", "reject_registration"]);
        assert!(err.to_string().contains("take_up_as_temuan"), "{err}");
        c = apply(&c, &Action::TakeUpAsTemuan).unwrap();
        assert!(c.temuan);
        assert_eq!(c.state, CaseState::Teregistrasi);
    }

    #[test]
    fn every_allowed_transition_and_every_refusal() {
        // Walk every state reachable by allowed actions; from each, every action not allowed is
        // refused with the allowed list, and every allowed one succeeds.
        let samples = [
            Action::StartReview,
            Action::RequestCompletion,
            Action::Completed,
            Action::Register,
            Action::RejectRegistration {
                reason: "daluwarsa".into(),
            },
            Action::TakeUpAsTemuan,
            Action::Examine,
            Action::Decide {
                decision: Decision::Pidana,
            },
            Action::Decide {
                decision: Decision::BukanPelanggaran,
            },
            Action::Refer {
                to: Agency::Gakkumdu,
            },
            Action::StartFollowUp,
            Action::RecordOutcome {
                sanction: "pidana penjara".into(),
            },
            Action::Close,
        ];
        let mut seen = std::collections::HashSet::new();
        let mut states = std::collections::HashSet::new();
        let mut todo = vec![
            Case::new(ReportKind::Laporan),
            Case::new(ReportKind::InformasiAwal),
        ];
        while let Some(c) = todo.pop() {
            if !seen.insert(format!("{c:?}")) {
                continue;
            }
            states.insert(c.state);
            for a in &samples {
                match apply(&c, a) {
                    Ok(next) => {
                        assert!(c.allowed().contains(&a.name()));
                        todo.push(next);
                    }
                    Err(e) => {
                        assert!(
                            !c.allowed().contains(&a.name()),
                            "{:?} refused {}",
                            c.state,
                            a.name()
                        );
                        assert_eq!(e.allowed, c.allowed());
                    }
                }
            }
        }
        assert_eq!(
            states.len(),
            CaseState::ALL.len(),
            "every state is reachable: {states:?}"
        );
        // Empty reasons and sanctions are refused.
        let c = run(ReportKind::Laporan, &[Action::StartReview]).unwrap();
        assert!(apply(&c, &Action::RejectRegistration { reason: " ".into() }).is_err());
    }

    #[test]
    fn competent_bodies_follow_domain() {
        use SubjectCategory::*;
        assert_eq!(
            competent_body(Decision::HukumLainnya, Asn),
            Some(Agency::Bkn)
        );
        assert_eq!(
            competent_body(Decision::HukumLainnya, CamatLurah),
            Some(Agency::Bkn)
        );
        assert_eq!(
            competent_body(Decision::HukumLainnya, Tni),
            Some(Agency::Pom)
        );
        assert_eq!(
            competent_body(Decision::HukumLainnya, KepalaDesa),
            Some(Agency::Pemda)
        );
        assert_eq!(
            competent_body(Decision::Pidana, KepalaDesa),
            Some(Agency::Gakkumdu)
        );
        assert_eq!(
            competent_body(Decision::KodeEtik, PenyelenggaraAdHoc),
            Some(Agency::Dkpp)
        );
        assert_eq!(competent_body(Decision::BukanPelanggaran, Polri), None);
    }

    #[test]
    fn step_clocks_follow_each_regime() {
        let h = Holidays::shipped();
        let reg = run(
            ReportKind::Laporan,
            &[Action::StartReview, Action::Register],
        )
        .unwrap();
        // Pemilu: 7 working days of handling from Fri 9 Feb 2024. Sat 10 (Imlek, still campaign)
        // is skipped; Sun 11 (quiet period) and Wed 14 (polling day, a national holiday) are
        // round-the-clock days and count: Sun 11, Mon 12, Tue 13, Wed 14, Thu 15, Fri 16, Mon 19.
        let pemilu = Election::pemilu_2024();
        let began = Date::constant(2024, 2, 9);
        assert_eq!(
            step_deadline(&pemilu, &h, &reg, began, false),
            Some(Date::constant(2024, 2, 19))
        );
        // The pure calendar would skip Sun 11 and Wed 14 and end on Wed 21.
        assert_eq!(
            h.last_day(began, Period::working(7)),
            Date::constant(2024, 2, 21)
        );
        // …up to 14 working days with the extension: Tue 20 … Wed 28 (no holiday in between).
        assert_eq!(
            step_deadline(&pemilu, &h, &reg, began, true),
            Some(Date::constant(2024, 2, 28))
        );
        // Pilkada: 3 calendar days, +2 extension; holidays do not stop the clock.
        let pilkada = Election::pilkada_2024();
        let began = Date::constant(2024, 11, 25);
        assert_eq!(
            step_deadline(&pilkada, &h, &reg, began, false),
            Some(Date::constant(2024, 11, 28))
        );
        assert_eq!(
            step_deadline(&pilkada, &h, &reg, began, true),
            Some(Date::constant(2024, 11, 30))
        );
        // An election crime goes to Polri within one day.
        let crime = run(
            ReportKind::Laporan,
            &[
                Action::StartReview,
                Action::Register,
                Action::Examine,
                Action::Decide {
                    decision: Decision::Pidana,
                },
            ],
        )
        .unwrap();
        assert_eq!(
            step_deadline(&pilkada, &h, &crime, began, false),
            Some(Date::constant(2024, 11, 26))
        );
        let closed = run(
            ReportKind::Laporan,
            &[
                Action::StartReview,
                Action::RejectRegistration { reason: "x".into() },
            ],
        )
        .unwrap();
        assert_eq!(step_deadline(&pilkada, &h, &closed, began, false), None);
    }

    fn any_action() -> impl Strategy<Value = Action> {
        prop_oneof![
            Just(Action::StartReview),
            Just(Action::RequestCompletion),
            Just(Action::Completed),
            Just(Action::Register),
            Just(Action::RejectRegistration {
                reason: "alasan".into()
            }),
            Just(Action::TakeUpAsTemuan),
            Just(Action::Examine),
            prop_oneof![
                Just(Decision::Administratif),
                Just(Decision::KodeEtik),
                Just(Decision::HukumLainnya),
                Just(Decision::Pidana),
                Just(Decision::BukanPelanggaran)
            ]
            .prop_map(|decision| Action::Decide { decision }),
            Just(Action::Refer { to: Agency::Bkn }),
            Just(Action::StartFollowUp),
            Just(Action::RecordOutcome {
                sanction: "teguran".into()
            }),
            Just(Action::Close),
        ]
    }

    proptest! {
        /// No sequence of actions reaches an illegal state: refused actions change nothing, and
        /// what every reachable case holds is consistent with its state.
        #[test]
        fn no_sequence_reaches_an_illegal_state(laporan in any::<bool>(), actions in proptest::collection::vec(any_action(), 0..40)) {
            let kind = if laporan { ReportKind::Laporan } else { ReportKind::InformasiAwal };
            let mut c = Case::new(kind);
            for a in &actions {
                match apply(&c, a) {
                    Ok(next) => c = next,
                    Err(e) => prop_assert_eq!(e.from, c.state),
                }
                use CaseState::*;
                // A decision exists exactly from Diputus on (unless closed before registration).
                let decided = matches!(c.state, Diputus | Diteruskan | Ditindaklanjuti | Selesai);
                prop_assert_eq!(c.decision.is_some() || !decided, true);
                // Only a case with a violation is ever referred.
                if c.referred_to.is_some() {
                    prop_assert!(c.decision.is_some() && c.decision != Some(Decision::BukanPelanggaran));
                }
                // Informasi awal past review is always a temuan.
                if kind == ReportKind::InformasiAwal && matches!(c.state, Teregistrasi | Pemeriksaan | Diputus | Diteruskan | Ditindaklanjuti | Selesai) {
                    prop_assert!(c.temuan);
                }
                // Nothing leaves Ditutup.
                if c.state == Ditutup {
                    prop_assert!(c.allowed().is_empty());
                }
            }
        }
    }
}
