//! The coordinator's dashboard (issue 9, parts 1 and 2): [`compute`] builds the figures of every
//! district in the post's regions from the stores' grouped counts and the other capabilities
//! (cases and their legal clocks, early warning, TPS vulnerability, deployment, logistics,
//! result forms, voter-list findings), rolls them up district → regency → province → country
//! and writes one snapshot per region. [`run`] is the refresher `posko serve` starts: every
//! 15 s it compares the store's data fingerprint and recomputes when it changed or five minutes
//! passed (deadline risks move with the clock alone). Pages read only [`snapshot`].
//!
//! The briefing ([`briefing`]) adds what a snapshot cannot hold: the cases that need a decision
//! (as `posko_core::dashboard::needs_decision` defines them) and the rakor follow-up digest.
//!
//! Who sees it ([`may_view`]): an admin, or a koordinator (Pj Bupati / Wali Kota, Kesbangpol,
//! Forkopimda) whose region holds the one asked for. An agency's officers (penindak, petugas
//! piket), operators and observers do not: the dashboard sums every agency's cases and the
//! security plan, while their rule is to see only the cases routed to them (their console).

use std::collections::{BTreeMap, HashMap};

use jiff::{SignedDuration, Timestamp};
use posko_core::case::CaseState;
use posko_core::dashboard::{
    self as core_dash, CaseRecord, Deployment, District, Figures, Logistics, Neutrality,
    NeutralityKind, Risk, TpsRisk, Turnout,
};
use posko_core::deploy::TpsCategory;
use posko_core::rakor::FollowUpDigest;
use posko_core::{Level, RegionCode, Role, Zone};
use posko_store::{CaseFilter, DashboardSnapshot, StoreError, User, NATIONAL};
use serde::{Deserialize, Serialize};

use crate::clock::case_clock;
use crate::Posko;

/// How often the refresher looks at the data version.
pub const REFRESH_EVERY: std::time::Duration = std::time::Duration::from_secs(15);
/// The longest a snapshot is kept without recomputing (deadline risks move with the clock).
pub const MAX_AGE: SignedDuration = SignedDuration::from_secs(300);
/// Most cases of one state the deadline count reads per region.
const PER_STATE: u32 = 100_000;

/// A child region's line on its parent's dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Child {
    pub code: String,
    pub name: String,
    pub cases: u64,
    pub open: u64,
    pub overdue: u64,
    pub due_24h: u64,
    pub alerts: u64,
}

/// What a snapshot row holds as JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    pub election: String,
    pub figures: Figures,
    pub children: Vec<Child>,
}

/// A region's precomputed dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// `None` for the whole country.
    pub region: Option<RegionCode>,
    pub name: String,
    pub computed_at: Timestamp,
    pub fingerprint: String,
    pub election: String,
    pub figures: Figures,
    pub children: Vec<Child>,
}

impl Snapshot {
    /// The dashboard's address key: a region code or `nasional`.
    pub fn key(&self) -> String {
        key(self.region.as_ref())
    }
}

/// The snapshot key of a region (`None`: the country).
pub fn key(region: Option<&RegionCode>) -> String {
    region.map_or_else(|| NATIONAL.to_string(), RegionCode::to_string)
}

/// Why a dashboard request failed.
#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    #[error(
        "tidak berwenang melihat dasbor wilayah ini (not allowed to see this region's dashboard)"
    )]
    Forbidden,
    #[error("wilayah '{0}' tidak dikenal (unknown region)")]
    Region(String),
    #[error("ringkasan tersimpan rusak: {0} (stored snapshot unreadable)")]
    Corrupt(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Whether `u` may see the dashboard of `region` (`None`: the country). See the module notes.
pub fn may_view(u: &User, region: Option<&RegionCode>) -> bool {
    if !u.active {
        return false;
    }
    match u.role {
        Role::Admin => true,
        Role::Koordinator => match (u.region, region) {
            (None, _) => true,
            (Some(mine), Some(r)) => mine.contains(r),
            (Some(_), None) => false,
        },
        _ => false,
    }
}

/// The region a user's `/dasbor` opens on: their own region, else the post's, else the country.
pub fn home_region(posko: &Posko, u: &User) -> Option<RegionCode> {
    u.region.or_else(|| posko.post_region())
}

/// The name of a region as people write it ("KAB. JEPARA" → "Kab. Jepara").
pub fn region_name(posko: &Posko, region: Option<&RegionCode>) -> String {
    match region {
        None => "Indonesia".to_string(),
        Some(r) => posko
            .atlas
            .get(r)
            .map(|x| title_case(&x.name))
            .unwrap_or_else(|| r.to_string()),
    }
}

fn title_case(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f
                    .to_uppercase()
                    .chain(c.flat_map(|x| x.to_lowercase()))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

fn zone(posko: &Posko, region: &RegionCode) -> Zone {
    posko.atlas.zone(region).unwrap_or(Zone::Wib)
}

/// The district a figure counts under (a report filed at regency level counts for the regency).
fn district_of(code: &RegionCode) -> RegionCode {
    code.ancestor_at(Level::District).unwrap_or(*code)
}

/// The deadline risk of a stored case at `now`.
pub fn risk(posko: &Posko, c: &posko_store::StoredCase, now: Timestamp) -> Risk {
    match case_clock(posko, c) {
        Some(clock) if clock.overdue(now) => Risk::Overdue,
        Some(clock) if clock.due_within(now, SignedDuration::from_hours(24)) => Risk::Within24h,
        _ => Risk::None,
    }
}

/// The figures of every district (or regency, for reports filed at regency level) inside
/// `root`, from every source the dashboard reads.
pub async fn district_figures(
    posko: &Posko,
    root: &RegionCode,
    now: Timestamp,
) -> Result<BTreeMap<RegionCode, Figures>, StoreError> {
    let store = posko.store.as_ref();
    let mut out: BTreeMap<RegionCode, Figures> = BTreeMap::new();
    let name = |code: &RegionCode| region_name(posko, Some(code));

    // Cases, grouped by the database; then each open case's legal clock.
    for row in store.case_counts(Some(root)).await? {
        let r = CaseRecord {
            region: row.region,
            state: row.state,
            decision: row.decision,
            agency: row.referred_to,
            category: row.category,
            risk: Risk::None,
        };
        out.entry(district_of(&row.region))
            .or_default()
            .count_group(&r, row.count);
    }
    for state in crate::alerts::RUNNING {
        let rows = store
            .list_cases(&CaseFilter {
                region: Some(*root),
                state: Some(state),
                limit: PER_STATE,
                ..CaseFilter::default()
            })
            .await?;
        for row in rows {
            let c = &row.case;
            let rk = risk(posko, c, now);
            if rk != Risk::None {
                out.entry(district_of(&c.region)).or_default().count_risk(
                    c.case.state,
                    c.case.decision,
                    rk,
                );
            }
        }
    }

    // Early-warning alerts firing now.
    let alerts =
        crate::vulnerability::early_warning(posko, root, &posko.config.peringatan_dini, now)
            .await?;
    for a in alerts {
        let f = out.entry(district_of(&a.district)).or_default();
        f.alerts += 1;
        f.districts
            .entry(district_of(&a.district).to_string())
            .or_default()
            .alerts += 1;
    }

    let election = posko.default_election();
    let eid = election.id.as_str();

    // TPS by vulnerability category (a TPS without recorded indicators is kurang rawan).
    let tps = crate::vulnerability::categorised_tps(posko, eid, root, &HashMap::new()).await?;
    let mut risks: BTreeMap<RegionCode, TpsRisk> = BTreeMap::new();
    for (id, cat) in &tps {
        let Some(d) = id.village.ancestor_at(Level::District) else {
            continue;
        };
        let r = risks.entry(d).or_default();
        match cat {
            TpsCategory::KurangRawan => r.kurang_rawan += 1,
            TpsCategory::Rawan => r.rawan += 1,
            TpsCategory::SangatRawan => r.sangat_rawan += 1,
        }
    }
    for (d, r) in risks {
        let f = out.entry(d).or_default();
        f.tps = Some(r);
        f.districts.entry(d.to_string()).or_default().tps = Some(r);
    }

    // Deployment: the police the pattern needs against the Polsek personnel recorded.
    if !store.personnel_pools(root).await?.is_empty() {
        let plans = crate::vulnerability::deployment(
            posko,
            eid,
            root,
            &posko.config.pola_pengamanan,
            &HashMap::new(),
        )
        .await?;
        for p in plans {
            out.entry(p.district).or_default().deployment = Some(Deployment::district(
                u64::from(p.need.police),
                u64::from(p.police.available),
                u64::from(p.need.linmas),
            ));
        }
    }

    // Ballot logistics at the TPS against H-1, once anything has arrived anywhere inside.
    let today = now.to_zoned(zone(posko, root).tz()).date();
    let villages = crate::logistics::rollup_villages(posko, eid, root, today).await?;
    if villages.values().any(|v| v.good + v.damaged > 0) {
        for (v, b) in villages {
            let Some(d) = v.ancestor_at(Level::District) else {
                continue;
            };
            let l = out
                .entry(d)
                .or_default()
                .logistics
                .get_or_insert_with(Logistics::default);
            l.tps += u64::from(b.tps);
            l.complete += u64::from(b.complete_tps);
            l.short += u64::from(b.tps - b.complete_tps.min(b.tps));
            l.late += u64::from(b.late_tps);
            l.ballots_needed += b.needed;
            l.ballots_short += b.short;
        }
    }

    // Turnout from the result forms of the ballot every voter receives (the first listed).
    if let Some(first) = election.ballots.first() {
        let target = election.rules.turnout_target_bp.unwrap_or(0);
        for form in store.result_forms(eid, root).await? {
            if form.ballot != *first {
                continue;
            }
            let Some(d) = form.tps.village.ancestor_at(Level::District) else {
                continue;
            };
            let t = out
                .entry(d)
                .or_default()
                .turnout
                .get_or_insert_with(Turnout::default);
            t.forms += 1;
            t.voters += form.registered.total();
            t.voted += form.voted.total();
            t.target_bp = target;
        }
    }

    // Voter-list findings stored from posko-dpt's summary.
    for row in store.dpt_findings(eid, Some(root)).await? {
        let f = out.entry(row.district).or_default();
        f.dpt_findings = Some(f.dpt_findings.unwrap_or(0) + row.findings);
        let line = f.districts.entry(row.district.to_string()).or_default();
        line.dpt_findings = Some(line.dpt_findings.unwrap_or(0) + row.findings);
    }

    // Neutrality coverage is not additive over districts (a regency's own offices sit above
    // them): `compute` sets it per regency, district, province and country.

    for (code, f) in out.iter_mut() {
        f.districts.entry(code.to_string()).or_default().name = name(code);
        for d in f.districts.values_mut() {
            if d.name.is_empty() {
                d.name = name(code);
            }
        }
    }
    Ok(out)
}

/// The dashboard's form of a coverage table (kinds by their stable names).
fn neutrality(
    kinds: &BTreeMap<posko_core::netralitas::OfficialKind, posko_core::netralitas::KindCoverage>,
) -> Neutrality {
    Neutrality {
        kinds: kinds
            .iter()
            .map(|(k, c)| {
                let v = NeutralityKind {
                    briefed: c.briefed.numerator,
                    briefed_of: c.briefed.denominator,
                    pledged: c.pledged.numerator,
                    pledged_of: c.pledged.denominator,
                };
                (k.as_str().to_string(), v)
            })
            .collect(),
    }
}

/// Whether anything was recorded: a briefing, a pledge or a headcount (the village and district
/// counts come from the atlas, so they alone say nothing).
fn recorded(n: &Neutrality) -> bool {
    n.kinds.iter().any(|(k, v)| {
        v.briefed > 0
            || v.pledged > 0
            || (matches!(k.as_str(), "asn" | "perangkat_desa") && v.pledged_of > 0)
    })
}

/// Every region's snapshot for the post: its districts, and their roll-up to the regency,
/// province and country.
pub async fn compute(
    posko: &Posko,
    now: Timestamp,
    fingerprint: &str,
) -> Result<Vec<Snapshot>, StoreError> {
    let mut districts: BTreeMap<RegionCode, Figures> = BTreeMap::new();
    for root in posko.scan_regions() {
        districts.extend(district_figures(posko, &root, now).await?);
    }
    let mut by_region: BTreeMap<RegionCode, Figures> = BTreeMap::new();
    for level in [Level::District, Level::Regency, Level::Province] {
        for (code, f) in &districts {
            if let Some(r) = code.ancestor_at(level) {
                by_region.entry(r).or_default().add(f);
            }
        }
    }
    // The post's own regions and their lineage appear even when empty.
    for root in posko.scan_regions() {
        for r in root.lineage() {
            by_region.entry(r).or_default();
        }
        if root.level() < Level::District {
            for child in posko.atlas.children(&root) {
                by_region.entry(child.code).or_default();
            }
        }
    }
    // Neutrality coverage is read whole per regency (its own offices sit above every district),
    // with its district rows for the districts, and whole per province (the province's own
    // offices, and the denominators of every regency in it, recorded or not); the country is
    // the sum of the provinces.
    let areas: Vec<RegionCode> = by_region
        .keys()
        .filter(|c| matches!(c.level(), Level::Regency | Level::Province))
        .copied()
        .collect();
    let mut country = Neutrality::default();
    for code in areas {
        let cov = crate::netralitas::coverage(posko, &code).await?;
        let n = neutrality(&cov.totals);
        if code.level() == Level::Province {
            country.add(&n);
        }
        if !recorded(&n) {
            continue;
        }
        if code.level() == Level::Regency {
            for row in &cov.districts {
                if let Some(f) = row.district.and_then(|d| by_region.get_mut(&d)) {
                    f.neutrality = Some(neutrality(&row.kinds));
                }
            }
        }
        if let Some(f) = by_region.get_mut(&code) {
            f.neutrality = Some(n);
        }
    }
    let mut national = core_dash::roll_up(districts.values());
    national.neutrality = recorded(&country).then_some(country);
    let election = posko.default_election().id.clone();
    let children_of = |parent: Option<&RegionCode>| -> Vec<Child> {
        let kids: Vec<RegionCode> = match parent {
            None => posko.atlas.provinces().iter().map(|r| r.code).collect(),
            Some(p) if p.level() < Level::District => {
                posko.atlas.children(p).iter().map(|r| r.code).collect()
            }
            Some(_) => Vec::new(),
        };
        kids.iter()
            .filter_map(|k| by_region.get(k).map(|f| (k, f)))
            .map(|(k, f)| Child {
                code: k.to_string(),
                name: region_name(posko, Some(k)),
                cases: f.cases.total,
                open: f.cases.open,
                overdue: f.cases.overdue,
                due_24h: f.cases.due_24h,
                alerts: f.alerts,
            })
            .collect()
    };
    let mut out = Vec::with_capacity(by_region.len() + 1);
    out.push(Snapshot {
        region: None,
        name: region_name(posko, None),
        computed_at: now,
        fingerprint: fingerprint.to_string(),
        election: election.clone(),
        children: children_of(None),
        figures: lines_by_child(posko, national, None),
    });
    for (code, f) in &by_region {
        out.push(Snapshot {
            region: Some(*code),
            name: region_name(posko, Some(code)),
            computed_at: now,
            fingerprint: fingerprint.to_string(),
            election: election.clone(),
            children: children_of(Some(code)),
            figures: lines_by_child(posko, f.clone(), Some(code)),
        });
    }
    Ok(out)
}

/// Above a regency, the per-district lines are summed into the regions one level below (a
/// province's regencies, the country's provinces): the tiles show those, and a national snapshot
/// stays small (38 lines, not 7,277). Totals are untouched.
fn lines_by_child(posko: &Posko, mut f: Figures, region: Option<&RegionCode>) -> Figures {
    let level = match region.map(RegionCode::level) {
        None => Level::Province,
        Some(Level::Province) => Level::Regency,
        Some(_) => return f,
    };
    let mut lines: BTreeMap<String, District> = BTreeMap::new();
    for (code, d) in std::mem::take(&mut f.districts) {
        let key = RegionCode::parse(&code)
            .ok()
            .and_then(|c| c.ancestor_at(level))
            .map_or(code, |c| c.to_string());
        let line = lines.entry(key.clone()).or_default();
        let mut d = d;
        d.name = RegionCode::parse(&key)
            .map(|c| region_name(posko, Some(&c)))
            .unwrap_or(key);
        line.add(&d);
    }
    f.districts = lines;
    f
}

/// Computes and stores every snapshot; returns how many were written.
pub async fn refresh(posko: &Posko, now: Timestamp) -> Result<usize, StoreError> {
    let fingerprint = posko.store.data_fingerprint().await?;
    let snaps = compute(posko, now, &fingerprint).await?;
    let rows = snaps
        .iter()
        .map(|s| {
            let stored = Stored {
                election: s.election.clone(),
                figures: s.figures.clone(),
                children: s.children.clone(),
            };
            Ok(DashboardSnapshot {
                region: s.key(),
                computed_at: s.computed_at,
                fingerprint: s.fingerprint.clone(),
                figures: serde_json::to_string(&stored)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    posko.store.put_dashboard_snapshots(&rows).await?;
    Ok(rows.len())
}

/// Recomputes when the data changed since `last` or it is older than [`MAX_AGE`]; returns
/// whether it did. `last` is the fingerprint and instant of the previous computation.
pub async fn refresh_if_stale(
    posko: &Posko,
    now: Timestamp,
    last: &mut Option<(String, Timestamp)>,
) -> Result<bool, StoreError> {
    let fp = posko.store.data_fingerprint().await?;
    let stale = match last {
        None => true,
        Some((f, at)) => *f != fp || now.duration_since(*at) >= MAX_AGE,
    };
    if stale {
        refresh(posko, now).await?;
        *last = Some((fp, now));
    }
    Ok(stale)
}

/// The refresher `posko serve` runs until `stop` turns true.
pub async fn run(
    posko: Posko,
    every: std::time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut last = None;
    loop {
        if *stop.borrow() {
            break;
        }
        let started = std::time::Instant::now();
        match refresh_if_stale(&posko, Timestamp::now(), &mut last).await {
            Ok(true) => tracing::info!(
                ms = started.elapsed().as_millis() as u64,
                "dashboard snapshots recomputed"
            ),
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "dashboard refresh failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => {}
        }
    }
}

/// A region's stored snapshot, for a reader allowed to see it. `Ok(None)` when none was
/// computed yet.
pub async fn snapshot(
    posko: &Posko,
    me: &User,
    region: Option<&RegionCode>,
) -> Result<Option<Snapshot>, DashboardError> {
    if let Some(r) = region {
        if !posko.atlas.contains(r) {
            return Err(DashboardError::Region(r.to_string()));
        }
    }
    if !may_view(me, region) {
        return Err(DashboardError::Forbidden);
    }
    read_snapshot(posko, region).await
}

/// A stored snapshot, with no authorisation (the CLI and the briefing's caller check theirs).
pub async fn read_snapshot(
    posko: &Posko,
    region: Option<&RegionCode>,
) -> Result<Option<Snapshot>, DashboardError> {
    let Some(row) = posko.store.dashboard_snapshot(&key(region)).await? else {
        return Ok(None);
    };
    let stored: Stored =
        serde_json::from_str(&row.figures).map_err(|e| DashboardError::Corrupt(e.to_string()))?;
    Ok(Some(Snapshot {
        region: region.copied(),
        name: region_name(posko, region),
        computed_at: row.computed_at,
        fingerprint: row.fingerprint,
        election: stored.election,
        figures: stored.figures,
        children: stored.children,
    }))
}

/// One case the rakor should look at, without any personal data.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionCase {
    pub report_id: i64,
    pub tracking_code: String,
    pub state: CaseState,
    pub category: String,
    pub violation: String,
    pub region: RegionCode,
    pub agency: Option<String>,
    pub risk: Risk,
    /// The last day of its current step, as shown (`16-01-2024 (WIB)`).
    pub deadline: Option<String>,
}

impl DecisionCase {
    /// Why it is listed: "lewat tenggat", "tenggat < 24 jam" or "menunggu putusan/penerusan".
    pub fn reason(&self) -> (&'static str, &'static str) {
        match self.risk {
            Risk::Overdue => ("lewat tenggat", "past deadline"),
            Risk::Within24h => ("tenggat < 24 jam", "deadline < 24 h"),
            Risk::None if self.state == CaseState::Pemeriksaan => {
                ("menunggu putusan", "awaiting decision")
            }
            Risk::None => ("menunggu penerusan", "awaiting referral"),
        }
    }
}

/// The cases of `region` that need a decision at `now` (overdue first, then near deadline, then
/// awaiting a decision or its forwarding), by `posko_core::dashboard::needs_decision`.
pub async fn cases_needing_decision(
    posko: &Posko,
    region: Option<&RegionCode>,
    now: Timestamp,
) -> Result<Vec<DecisionCase>, StoreError> {
    let mut out = Vec::new();
    for state in crate::alerts::RUNNING {
        let rows = posko
            .store
            .list_cases(&CaseFilter {
                region: region.copied(),
                state: Some(state),
                limit: PER_STATE,
                ..CaseFilter::default()
            })
            .await?;
        for row in rows {
            let c = &row.case;
            let rk = risk(posko, c, now);
            let rec = CaseRecord {
                region: c.region,
                state: c.case.state,
                decision: c.case.decision,
                agency: c.case.referred_to,
                category: c.subject_category,
                risk: rk,
            };
            if !core_dash::needs_decision(&rec) {
                continue;
            }
            out.push(DecisionCase {
                report_id: c.report_id,
                tracking_code: row.summary.tracking_code.clone(),
                state: c.case.state,
                category: c.subject_category.as_str().to_string(),
                violation: row.summary.violation.clone(),
                region: c.region,
                agency: c.case.referred_to.map(|a| a.label().to_string()),
                risk: rk,
                deadline: case_clock(posko, c).map(|k| k.shown()),
            });
        }
    }
    let order = |r: Risk| match r {
        Risk::Overdue => 0,
        Risk::Within24h => 1,
        Risk::None => 2,
    };
    out.sort_by(|a, b| {
        order(a.risk)
            .cmp(&order(b.risk))
            .then_with(|| a.tracking_code.cmp(&b.tracking_code))
    });
    Ok(out)
}

/// A dated rakor briefing of a region.
#[derive(Debug, Clone)]
pub struct Briefing {
    pub date: jiff::civil::Date,
    /// The instant the case list and the digest are taken at.
    pub at: Timestamp,
    pub snapshot: Snapshot,
    pub cases: Vec<DecisionCase>,
    pub digest: FollowUpDigest,
}

/// The briefing of `region` for `date`: figures from the latest snapshot (computed now when
/// there is none yet), the cases needing a decision and the follow-up digest since the previous
/// meeting, both taken at `now` for today or a later date and at the end of `date` for a past one.
/// No authorisation here: callers check the reader with [`may_view`].
pub async fn briefing(
    posko: &Posko,
    region: Option<&RegionCode>,
    date: jiff::civil::Date,
    now: Timestamp,
) -> Result<Briefing, DashboardError> {
    if let Some(r) = region {
        if !posko.atlas.contains(r) {
            return Err(DashboardError::Region(r.to_string()));
        }
    }
    let z = region.map_or(Zone::Wib, |r| zone(posko, r));
    let today = now.to_zoned(z.tz()).date();
    let at = if date >= today {
        now
    } else {
        posko_core::calendar::end_of_day(date, z)
    };
    let snapshot = match read_snapshot(posko, region).await? {
        Some(s) => s,
        None => {
            refresh(posko, now).await?;
            match read_snapshot(posko, region).await? {
                Some(s) => s,
                None => Snapshot {
                    region: region.copied(),
                    name: region_name(posko, region),
                    computed_at: now,
                    fingerprint: String::new(),
                    election: posko.default_election().id.clone(),
                    figures: Figures::default(),
                    children: Vec::new(),
                },
            }
        }
    };
    let cases = cases_needing_decision(posko, region, at).await?;
    let digest = match region {
        Some(r) => posko.follow_up_digest(r, at).await?,
        None => {
            // The whole country: every action, since the last meeting anywhere.
            let actions = posko
                .store
                .follow_ups(&posko_store::FollowUpFilter::default())
                .await?;
            posko_core::rakor::digest(&actions, None, at, |r| zone(posko, r))
        }
    };
    Ok(Briefing {
        date,
        at,
        snapshot,
        cases,
        digest,
    })
}

/// The districts of a snapshot, for the per-district tiles, in code order.
pub fn district_lines(f: &Figures) -> Vec<(&String, &District)> {
    f.districts.iter().collect()
}

/// Why a voter-list summary could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum DptSummaryError {
    #[error("ringkasan DPT tidak terbaca: {0} (voter-list summary unreadable)")]
    Unreadable(String),
    #[error("kode kecamatan '{0}' tidak dikenal (unknown district code)")]
    District(String),
    #[error(
        "ringkasan ini dari pemeriksaan sebagian ({0}); dasbor memerlukan ringkasan pemeriksaan \
         lengkap, tanpa --hanya-dasar atau --hanya-ganda (this summary is from a partial check; \
         the dashboard needs a full check's summary)"
    )]
    Partial(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Stores the findings per district of a posko-dpt `summary.json` (its `election` and each
/// `districts[].findings`, summed over the finding codes); returns the election and how many
/// districts were stored. Names and NIK are not in the summary, so none is stored. A summary
/// of a partial check (`tasks` other than `semua`) is refused: its zeros are codes not checked,
/// and the tile would show a list cleaner than it is.
pub async fn import_dpt_summary(
    posko: &Posko,
    json: &[u8],
    now: Timestamp,
) -> Result<(String, usize), DptSummaryError> {
    let v: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| DptSummaryError::Unreadable(e.to_string()))?;
    let election = v
        .get("election")
        .and_then(|e| e.as_str())
        .ok_or_else(|| DptSummaryError::Unreadable("election".into()))?
        .to_string();
    // Summaries written before `tasks` existed came from full checks or basic ones, which the
    // file does not tell apart; they are taken as they were before.
    match v.get("tasks").and_then(|t| t.as_str()) {
        None | Some("semua") => {}
        Some(partial) => return Err(DptSummaryError::Partial(partial.to_string())),
    }
    let districts = v
        .get("districts")
        .and_then(|d| d.as_array())
        .ok_or_else(|| DptSummaryError::Unreadable("districts".into()))?;
    let mut rows = Vec::with_capacity(districts.len());
    for d in districts {
        let code = d.get("code").and_then(|c| c.as_str()).unwrap_or_default();
        let district = RegionCode::parse(code)
            .ok()
            .filter(|c| c.level() == Level::District && posko.atlas.contains(c))
            .ok_or_else(|| DptSummaryError::District(code.to_string()))?;
        let findings: u64 = d
            .get("findings")
            .and_then(|f| f.as_object())
            .map(|m| m.values().filter_map(|x| x.as_u64()).sum())
            .unwrap_or(0);
        rows.push(posko_store::DptFindings {
            election: election.clone(),
            district,
            findings,
            imported_at: now,
        });
    }
    posko.store.set_dpt_findings(&rows).await?;
    Ok((election, rows.len()))
}
