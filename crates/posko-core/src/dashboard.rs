//! The coordinator's dashboard (issue 9, part 1): the figures of one region at a glance — cases
//! by status, agency and category with the deadlines at risk, early-warning alerts, vulnerability
//! by district, voter-list findings by district, logistics against H-1, the deployment
//! shortfall and turnout against its target.
//!
//! Every figure is *additive*: a region's [`Figures`] are the sum of its children's, so the app
//! computes districts and [`roll_up`] makes the regency, province and country. A tile whose
//! source holds no data yet is `None` (shown as "belum ada data / no data yet"), which is not
//! the same as zero; `None + Some(x) = Some(x)`.
//!
//! "Cases that need a decision" (the briefing's list) are, by definition here: open cases past
//! their legal deadline, open cases whose deadline falls within 24 hours, and cases awaiting a
//! decision or its forwarding (state `pemeriksaan`, or `diputus` with a violation not yet
//! referred). See [`needs_decision`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::access::Agency;
use crate::case::{CaseState, Decision};
use crate::report::SubjectCategory;
use crate::RegionCode;

/// Where a case stands against its legal deadline, as the app's clock judged it at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// No deadline runs, or it is more than 24 hours away.
    None,
    /// The deadline is within 24 hours and not yet past.
    Within24h,
    /// Past the deadline.
    Overdue,
}

/// One case, as the dashboard counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub region: RegionCode,
    pub state: CaseState,
    pub decision: Option<Decision>,
    pub agency: Option<Agency>,
    pub category: SubjectCategory,
    pub risk: Risk,
}

/// The key of cases not referred to any agency yet.
pub const NO_AGENCY: &str = "belum_diteruskan";

/// True for a case that waits on a decision (examined, not decided) or on the forwarding of a
/// decided violation. Closed and finished cases never need one.
pub fn awaiting_decision(state: CaseState, decision: Option<Decision>) -> bool {
    match state {
        CaseState::Pemeriksaan => true,
        CaseState::Diputus => !matches!(decision, Some(Decision::BukanPelanggaran) | None),
        _ => false,
    }
}

/// The briefing's definition of a case that needs the meeting's attention.
pub fn needs_decision(r: &CaseRecord) -> bool {
    open(r.state) && (r.risk != Risk::None || awaiting_decision(r.state, r.decision))
}

/// Not finished and not closed.
pub fn open(state: CaseState) -> bool {
    !matches!(state, CaseState::Selesai | CaseState::Ditutup)
}

/// The figures of the cases of one region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFigures {
    pub total: u64,
    pub open: u64,
    /// By `CaseState::as_str`.
    pub by_state: BTreeMap<String, u64>,
    /// By `Agency::as_str` of the body a case was referred to, or [`NO_AGENCY`].
    pub by_agency: BTreeMap<String, u64>,
    /// By `SubjectCategory::as_str`.
    pub by_category: BTreeMap<String, u64>,
    pub overdue: u64,
    pub due_24h: u64,
    pub awaiting_decision: u64,
    pub needs_decision: u64,
}

impl CaseFigures {
    /// Counts one case in.
    pub fn count(&mut self, r: &CaseRecord) {
        self.total += 1;
        if open(r.state) {
            self.open += 1;
        }
        *self.by_state.entry(r.state.as_str().into()).or_default() += 1;
        let agency = r.agency.map(Agency::as_str).unwrap_or(NO_AGENCY);
        *self.by_agency.entry(agency.into()).or_default() += 1;
        *self
            .by_category
            .entry(r.category.as_str().into())
            .or_default() += 1;
        if open(r.state) {
            match r.risk {
                Risk::Overdue => self.overdue += 1,
                Risk::Within24h => self.due_24h += 1,
                Risk::None => {}
            }
        }
        if awaiting_decision(r.state, r.decision) {
            self.awaiting_decision += 1;
        }
        if needs_decision(r) {
            self.needs_decision += 1;
        }
    }

    pub fn add(&mut self, o: &CaseFigures) {
        self.total += o.total;
        self.open += o.open;
        add_map(&mut self.by_state, &o.by_state);
        add_map(&mut self.by_agency, &o.by_agency);
        add_map(&mut self.by_category, &o.by_category);
        self.overdue += o.overdue;
        self.due_24h += o.due_24h;
        self.awaiting_decision += o.awaiting_decision;
        self.needs_decision += o.needs_decision;
    }
}

fn add_map(into: &mut BTreeMap<String, u64>, from: &BTreeMap<String, u64>) {
    for (k, v) in from {
        *into.entry(k.clone()).or_default() += v;
    }
}

/// TPS by vulnerability category (pattern of the deployment plan) in one district.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TpsRisk {
    pub kurang_rawan: u64,
    pub rawan: u64,
    pub sangat_rawan: u64,
}

impl TpsRisk {
    pub fn total(&self) -> u64 {
        self.kurang_rawan + self.rawan + self.sangat_rawan
    }
    fn add(&mut self, o: &TpsRisk) {
        self.kurang_rawan += o.kurang_rawan;
        self.rawan += o.rawan;
        self.sangat_rawan += o.sangat_rawan;
    }
}

/// Ballot logistics against H-1: TPS whose ballots are all there, those still short, those late.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Logistics {
    pub tps: u64,
    pub complete: u64,
    pub short: u64,
    pub late: u64,
    pub ballots_needed: u64,
    pub ballots_short: u64,
}

impl Logistics {
    fn add(&mut self, o: &Logistics) {
        self.tps += o.tps;
        self.complete += o.complete;
        self.short += o.short;
        self.late += o.late;
        self.ballots_needed += o.ballots_needed;
        self.ballots_short += o.ballots_short;
    }
}

/// Police needed by the deployment pattern against the personnel the units have. `shortfall` is
/// summed per district (a surplus in one district does not cover another's gap).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    pub police_needed: u64,
    pub police_available: u64,
    pub linmas_needed: u64,
    pub shortfall: u64,
    pub districts_short: u64,
}

impl Deployment {
    /// One district's plan.
    pub fn district(police_needed: u64, police_available: u64, linmas_needed: u64) -> Deployment {
        let shortfall = police_needed.saturating_sub(police_available);
        Deployment {
            police_needed,
            police_available,
            linmas_needed,
            shortfall,
            districts_short: u64::from(shortfall > 0),
        }
    }
    fn add(&mut self, o: &Deployment) {
        self.police_needed += o.police_needed;
        self.police_available += o.police_available;
        self.linmas_needed += o.linmas_needed;
        self.shortfall += o.shortfall;
        self.districts_short += o.districts_short;
    }
}

/// Voters on the result forms and those who voted (the first ballot type of the election, the
/// one every voter receives), against the election's target in basis points.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turnout {
    pub forms: u64,
    pub voters: u64,
    pub voted: u64,
    pub target_bp: u32,
}

impl Turnout {
    /// Turnout in basis points (0 with no voters).
    pub fn bp(&self) -> u64 {
        (self.voted * 10_000).checked_div(self.voters).unwrap_or(0)
    }
    fn add(&mut self, o: &Turnout) {
        self.forms += o.forms;
        self.voters += o.voters;
        self.voted += o.voted;
        self.target_bp = self.target_bp.max(o.target_bp);
    }
}

/// Neutrality briefings and integrity pledges of one kind of official (`asn`, `camat`,
/// `kepala_desa`, `perangkat_desa`): how many were briefed and how many signed, each against the
/// count of that kind (villages for village heads, districts for camat, recorded headcounts for
/// the rest), as `posko_core::netralitas::coverage` counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeutralityKind {
    pub briefed: u64,
    pub briefed_of: u64,
    pub pledged: u64,
    pub pledged_of: u64,
}

/// Neutrality coverage per kind of official. Not summed up from districts: a regency's own
/// offices (OPD) sit above every district, so the app takes each regency's coverage whole.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Neutrality {
    pub kinds: BTreeMap<String, NeutralityKind>,
}

impl Neutrality {
    /// Adds a disjoint region's coverage (a province is the sum of its regencies).
    pub fn add(&mut self, o: &Neutrality) {
        for (k, v) in &o.kinds {
            let e = self.kinds.entry(k.clone()).or_default();
            e.briefed += v.briefed;
            e.briefed_of += v.briefed_of;
            e.pledged += v.pledged;
            e.pledged_of += v.pledged_of;
        }
    }
}

/// What one district contributes to the per-district tiles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct District {
    pub name: String,
    pub cases: u64,
    pub alerts: u64,
    pub tps: Option<TpsRisk>,
    /// Voter-list findings (posko-dpt summary), when a summary was stored.
    pub dpt_findings: Option<u64>,
}

impl District {
    /// Adds another region's line (disjoint from this one's).
    pub fn add(&mut self, o: &District) {
        if self.name.is_empty() {
            self.name = o.name.clone();
        }
        self.cases += o.cases;
        self.alerts += o.alerts;
        add_opt(&mut self.tps, &o.tps, TpsRisk::add);
        self.dpt_findings = match (self.dpt_findings, o.dpt_findings) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        };
    }
}

/// The dashboard of one region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub cases: CaseFigures,
    /// Early-warning alerts firing now.
    pub alerts: u64,
    /// Per district code (`33.20.01`).
    pub districts: BTreeMap<String, District>,
    pub tps: Option<TpsRisk>,
    pub dpt_findings: Option<u64>,
    pub logistics: Option<Logistics>,
    pub deployment: Option<Deployment>,
    pub turnout: Option<Turnout>,
    /// Set by the app per regency, district and (summed) province and country; `None` until a
    /// briefing, pledge or headcount is recorded.
    #[serde(default)]
    pub neutrality: Option<Neutrality>,
}

fn add_opt<T: Default + Clone>(into: &mut Option<T>, from: &Option<T>, add: fn(&mut T, &T)) {
    if let Some(f) = from {
        add(into.get_or_insert_with(T::default), f);
    }
}

impl Figures {
    /// Adds another region's figures (disjoint from this one's).
    pub fn add(&mut self, o: &Figures) {
        self.cases.add(&o.cases);
        self.alerts += o.alerts;
        for (code, d) in &o.districts {
            self.districts.entry(code.clone()).or_default().add(d);
        }
        add_opt(&mut self.tps, &o.tps, TpsRisk::add);
        self.dpt_findings = match (self.dpt_findings, o.dpt_findings) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        };
        add_opt(&mut self.logistics, &o.logistics, Logistics::add);
        add_opt(&mut self.deployment, &o.deployment, Deployment::add);
        add_opt(&mut self.turnout, &o.turnout, Turnout::add);
        add_opt(&mut self.neutrality, &o.neutrality, Neutrality::add);
    }

    /// Counts one case in, including its district's line.
    pub fn count_case(&mut self, r: &CaseRecord) {
        self.cases.count(r);
        let key = district_key(&r.region);
        self.districts.entry(key).or_default().cases += 1;
    }

    /// Counts in `n` cases of one region, state, decision, referral and category, as the store
    /// groups them, with no deadline risk: the risks come per case through [`Figures::count_risk`].
    pub fn count_group(&mut self, r: &CaseRecord, n: u64) {
        let c = &mut self.cases;
        c.total += n;
        if open(r.state) {
            c.open += n;
        }
        *c.by_state.entry(r.state.as_str().into()).or_default() += n;
        let agency = r.agency.map(Agency::as_str).unwrap_or(NO_AGENCY);
        *c.by_agency.entry(agency.into()).or_default() += n;
        *c.by_category.entry(r.category.as_str().into()).or_default() += n;
        if awaiting_decision(r.state, r.decision) {
            c.awaiting_decision += n;
            c.needs_decision += n;
        }
        self.districts
            .entry(district_key(&r.region))
            .or_default()
            .cases += n;
    }

    /// Adds one case's deadline risk to figures that already counted it by
    /// [`Figures::count_group`].
    pub fn count_risk(&mut self, state: CaseState, decision: Option<Decision>, risk: Risk) {
        if !open(state) || risk == Risk::None {
            return;
        }
        let c = &mut self.cases;
        match risk {
            Risk::Overdue => c.overdue += 1,
            Risk::Within24h => c.due_24h += 1,
            Risk::None => {}
        }
        if !awaiting_decision(state, decision) {
            c.needs_decision += 1;
        }
    }

    /// The figures of a list of cases.
    pub fn from_cases<'a>(records: impl IntoIterator<Item = &'a CaseRecord>) -> Figures {
        let mut f = Figures::default();
        for r in records {
            f.count_case(r);
        }
        f
    }
}

/// The district a record counts under: its district, or the region itself when the report was
/// filed above district level.
pub fn district_key(region: &RegionCode) -> String {
    region
        .ancestor_at(crate::Level::District)
        .unwrap_or(*region)
        .to_string()
}

/// The parent's figures: the sum of its children's.
pub fn roll_up<'a>(children: impl IntoIterator<Item = &'a Figures>) -> Figures {
    let mut f = Figures::default();
    for c in children {
        f.add(c);
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn region(n: u8) -> RegionCode {
        // Four districts in two regencies, and one record at regency level.
        let code = match n % 5 {
            0 => "33.20.01",
            1 => "33.20.02",
            2 => "33.21.01",
            3 => "33.21.02.2001",
            _ => "33.20",
        };
        RegionCode::parse(code).unwrap_or_else(|e| panic!("{e}"))
    }

    fn record() -> impl Strategy<Value = CaseRecord> {
        (
            any::<u8>(),
            0..CaseState::ALL.len(),
            0..6usize,
            0..=Agency::ALL.len(),
            0..SubjectCategory::ALL.len(),
            0..3u8,
        )
            .prop_map(|(reg, s, d, a, c, risk)| CaseRecord {
                region: region(reg),
                state: CaseState::ALL[s],
                decision: [
                    None,
                    Some(Decision::Administratif),
                    Some(Decision::KodeEtik),
                    Some(Decision::HukumLainnya),
                    Some(Decision::Pidana),
                    Some(Decision::BukanPelanggaran),
                ][d],
                agency: Agency::ALL.get(a).copied(),
                category: SubjectCategory::ALL[c],
                risk: [Risk::None, Risk::Within24h, Risk::Overdue][usize::from(risk)],
            })
    }

    proptest! {
        /// Dashboard figures equal the sums of the underlying records, and rolling up districts
        /// gives the same figures as counting the region's records at once.
        #[test]
        fn figures_equal_sums_of_records(records in proptest::collection::vec(record(), 0..200)) {
            let f = Figures::from_cases(&records);
            let c = &f.cases;
            prop_assert_eq!(c.total, records.len() as u64);
            prop_assert_eq!(c.open, records.iter().filter(|r| open(r.state)).count() as u64);
            for s in CaseState::ALL {
                let n = records.iter().filter(|r| r.state == s).count() as u64;
                prop_assert_eq!(c.by_state.get(s.as_str()).copied().unwrap_or(0), n);
            }
            for a in Agency::ALL {
                let n = records.iter().filter(|r| r.agency == Some(a)).count() as u64;
                prop_assert_eq!(c.by_agency.get(a.as_str()).copied().unwrap_or(0), n);
            }
            let unreferred = records.iter().filter(|r| r.agency.is_none()).count() as u64;
            prop_assert_eq!(c.by_agency.get(NO_AGENCY).copied().unwrap_or(0), unreferred);
            for k in SubjectCategory::ALL {
                let n = records.iter().filter(|r| r.category == k).count() as u64;
                prop_assert_eq!(c.by_category.get(k.as_str()).copied().unwrap_or(0), n);
            }
            let overdue = records.iter().filter(|r| open(r.state) && r.risk == Risk::Overdue).count();
            let soon = records.iter().filter(|r| open(r.state) && r.risk == Risk::Within24h).count();
            prop_assert_eq!(c.overdue, overdue as u64);
            prop_assert_eq!(c.due_24h, soon as u64);
            let waiting = records.iter().filter(|r| matches!(r.state, CaseState::Pemeriksaan)
                || (r.state == CaseState::Diputus
                    && r.decision.is_some()
                    && r.decision != Some(Decision::BukanPelanggaran))).count();
            prop_assert_eq!(c.awaiting_decision, waiting as u64);
            // Each map sums to the total.
            for m in [&c.by_state, &c.by_agency, &c.by_category] {
                prop_assert_eq!(m.values().sum::<u64>(), c.total);
            }
            prop_assert_eq!(f.districts.values().map(|d| d.cases).sum::<u64>(), c.total);

            // Roll-up: districts → regencies → province equals counting everything at once.
            let mut by_district: BTreeMap<String, Vec<CaseRecord>> = BTreeMap::new();
            for r in &records {
                by_district.entry(district_key(&r.region)).or_default().push(r.clone());
            }
            let district_figures: Vec<Figures> =
                by_district.values().map(Figures::from_cases).collect();
            prop_assert_eq!(&roll_up(&district_figures), &f);
            let mut by_regency: BTreeMap<String, Figures> = BTreeMap::new();
            for (code, df) in by_district.keys().zip(&district_figures) {
                let regency = code[..5].to_string();
                by_regency.entry(regency).or_default().add(df);
            }
            prop_assert_eq!(&roll_up(by_regency.values()), &f);

            // The store's path: GROUP BY counts without risk, then each case's risk, gives the
            // same figures as counting the records one by one.
            let mut groups: BTreeMap<String, (CaseRecord, u64)> = BTreeMap::new();
            for r in &records {
                let key = format!("{}|{:?}|{:?}|{:?}|{:?}", r.region, r.state, r.decision, r.agency, r.category);
                groups.entry(key).or_insert_with(|| (r.clone(), 0)).1 += 1;
            }
            let mut grouped = Figures::default();
            for (r, n) in groups.values() {
                grouped.count_group(r, *n);
            }
            for r in &records {
                grouped.count_risk(r.state, r.decision, r.risk);
            }
            prop_assert_eq!(&grouped, &f);
        }

        /// The optional tiles add as sums, and a missing source stays missing.
        #[test]
        fn optional_tiles_add(a in proptest::collection::vec((0..50u64, 0..50u64, 0..50u64), 0..8)) {
            let parts: Vec<Figures> = a.iter().map(|(x, y, z)| Figures {
                tps: Some(TpsRisk { kurang_rawan: *x, rawan: *y, sangat_rawan: *z }),
                deployment: Some(Deployment::district(*x, *y, *z)),
                logistics: Some(Logistics { tps: x + y, complete: *x, short: *y, late: *z, ..Logistics::default() }),
                ..Figures::default()
            }).collect();
            let total = roll_up(&parts);
            if a.is_empty() {
                prop_assert_eq!(total.tps, None);
                prop_assert_eq!(total.logistics, None);
            } else {
                let tps = total.tps.unwrap_or_default();
                prop_assert_eq!(tps.total(), a.iter().map(|(x, y, z)| x + y + z).sum::<u64>());
                let d = total.deployment.unwrap_or_default();
                prop_assert_eq!(d.shortfall, a.iter().map(|(x, y, _)| x.saturating_sub(*y)).sum::<u64>());
                prop_assert_eq!(d.districts_short, a.iter().filter(|(x, y, _)| x > y).count() as u64);
                let l = total.logistics.unwrap_or_default();
                prop_assert_eq!(l.complete + l.short, l.tps);
            }
            prop_assert_eq!(total.turnout, None);
            prop_assert_eq!(total.dpt_findings, None);
        }
    }

    #[test]
    fn needs_decision_definition() {
        let r = |state, decision, risk| CaseRecord {
            region: region(0),
            state,
            decision,
            agency: None,
            category: SubjectCategory::Asn,
            risk,
        };
        assert!(needs_decision(&r(CaseState::Pemeriksaan, None, Risk::None)));
        assert!(needs_decision(&r(
            CaseState::Diputus,
            Some(Decision::Pidana),
            Risk::None
        )));
        assert!(!needs_decision(&r(
            CaseState::Diputus,
            Some(Decision::BukanPelanggaran),
            Risk::None
        )));
        assert!(needs_decision(&r(
            CaseState::KajianAwal,
            None,
            Risk::Overdue
        )));
        assert!(!needs_decision(&r(CaseState::Ditutup, None, Risk::Overdue)));
        assert!(!needs_decision(&r(
            CaseState::Teregistrasi,
            None,
            Risk::None
        )));
        let t = Turnout {
            forms: 1,
            voters: 200,
            voted: 150,
            target_bp: 7700,
        };
        assert_eq!(t.bp(), 7500);
        assert_eq!(Turnout::default().bp(), 0);
    }
}
