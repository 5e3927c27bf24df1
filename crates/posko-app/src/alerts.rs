//! Deadline alerts: [`scan`] looks at every open case whose legal clock runs (received, initial
//! review, awaiting completion, registered, examination, and a decided election crime awaiting
//! its forwarding) and raises "deadline near" once when the deadline is within the configured
//! lead (`alert_lead_hours`, 24 by default), and "deadline missed" once when it has passed — to
//! the officer the case is assigned to, or else to the officers on duty. Each alert carries a
//! key naming the case, its step and the deadline instant, so it is raised once however often
//! the scan runs and on however many app servers; an extended deadline is a new deadline and
//! alerts again. `serve` runs the scan every minute; `now` is a parameter so tests choose it.

use jiff::{SignedDuration, Timestamp};
use posko_core::case::CaseState;
use posko_store::{CaseFilter, StoreError};

use crate::clock::case_clock;
use crate::notify::{raise, state_label, Audience, CaseFacts, Notice, NoticeKind};
use crate::Posko;

/// The states in which a legal clock may run.
pub const RUNNING: [CaseState; 6] = [
    CaseState::Diterima,
    CaseState::KajianAwal,
    CaseState::MenungguKelengkapan,
    CaseState::Teregistrasi,
    CaseState::Pemeriksaan,
    CaseState::Diputus,
];

/// Most cases of one state looked at per scan.
const PER_STATE: u32 = 10_000;

/// What one scan raised.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanReport {
    pub near: usize,
    pub missed: usize,
}

/// Raises the alerts due at `now`.
pub async fn scan(posko: &Posko, now: Timestamp) -> Result<ScanReport, StoreError> {
    let lead = SignedDuration::from_hours(i64::from(posko.config.alert_lead_hours));
    let store = posko.store.as_ref();
    let mut report = ScanReport::default();
    for state in RUNNING {
        let rows = store
            .list_cases(&CaseFilter {
                state: Some(state),
                limit: PER_STATE,
                ..CaseFilter::default()
            })
            .await?;
        for row in rows {
            let c = &row.case;
            let Some(clock) = case_clock(posko, c) else {
                continue;
            };
            let kind = if clock.overdue(now) {
                NoticeKind::TenggatTerlewat
            } else if clock.due_within(now, lead) {
                NoticeKind::TenggatDekat
            } else {
                continue;
            };
            let code = &row.summary.tracking_code;
            let (step_id, step_en) = state_label(c.case.state);
            let shown = clock.shown();
            let (prefix, message_id, message_en) = match kind {
                NoticeKind::TenggatTerlewat => (
                    "tenggat-lewat",
                    format!("Tenggat terlewat: kasus {code} ({step_id}) melewati tenggat {shown}."),
                    format!(
                        "Deadline missed: case {code} ({step_en}) passed its deadline {shown}."
                    ),
                ),
                _ => (
                    "tenggat-24j",
                    format!(
                        "Tenggat dalam {} jam: kasus {code} ({step_id}) berakhir {shown}.",
                        posko.config.alert_lead_hours
                    ),
                    format!(
                        "Deadline within {} hours: case {code} ({step_en}) ends {shown}.",
                        posko.config.alert_lead_hours
                    ),
                ),
            };
            let notice = Notice {
                kind,
                audience: c
                    .assigned_to
                    .map(Audience::User)
                    .unwrap_or(Audience::OnDuty),
                case: Some(CaseFacts {
                    report_id: c.report_id,
                    tracking_code: code.clone(),
                    state: c.case.state.as_str().into(),
                    deadline: Some(clock.deadline),
                    agency: c.case.referred_to.map(|a| a.as_str().to_string()),
                }),
                message_id,
                message_en,
                dedupe_key: Some(format!(
                    "{prefix}:{}:{}:{}",
                    c.report_id,
                    c.case.state.as_str(),
                    clock.deadline.as_second()
                )),
            };
            if raise(store, &notice, now).await? {
                match kind {
                    NoticeKind::TenggatTerlewat => report.missed += 1,
                    _ => report.near += 1,
                }
            }
        }
    }
    Ok(report)
}

/// Scans every `every` until `stop` turns true.
pub async fn run(
    posko: Posko,
    every: std::time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    // The logistics scan rolls up every TPS of the region, so it runs hourly, not every pass.
    let mut logistics_at: Option<Timestamp> = None;
    loop {
        if *stop.borrow() {
            break;
        }
        let now = Timestamp::now();
        if logistics_at.is_none_or(|t| now.duration_since(t) >= SignedDuration::from_hours(1)) {
            logistics_at = Some(now);
            match crate::logistics::alerts::scan(&posko, now).await {
                Ok(r) if r.near + r.late > 0 => {
                    tracing::info!(near = r.near, late = r.late, "logistics alerts raised")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "logistics scan failed"),
            }
        }
        match early_warning(&posko, Timestamp::now()).await {
            Ok(n) if n > 0 => tracing::info!(alerts = n, "early-warning alerts raised"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "early-warning scan failed"),
        }
        match scan(&posko, Timestamp::now()).await {
            Ok(r) if r.near + r.missed > 0 => {
                tracing::info!(near = r.near, missed = r.missed, "deadline alerts raised")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "deadline scan failed"),
        }
        match crate::rakor::scan(&posko, Timestamp::now()).await {
            Ok(r) if r.near + r.late > 0 => {
                tracing::info!(
                    near = r.near,
                    late = r.late,
                    "rakor follow-up alerts raised"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "rakor follow-up scan failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Raises the early-warning alerts at `now` for the post's region (every province when the post
/// has none), to its coordinators, once per district, category and day.
pub async fn early_warning(posko: &Posko, now: Timestamp) -> Result<usize, StoreError> {
    let regions = posko.scan_regions();
    let method = posko.config.peringatan_dini;
    let mut raised = 0;
    for region in regions {
        for a in crate::vulnerability::early_warning(posko, &region, &method, now).await? {
            let zone = posko
                .atlas
                .zone(&a.district)
                .unwrap_or(posko_core::Zone::Wib);
            let day = now.to_zoned(zone.tz()).date();
            let (id, en) = a
                .explanation
                .split_once(" (")
                .map(|(id, en)| (id.to_string(), en.trim_end_matches(')').to_string()))
                .unwrap_or_else(|| (a.explanation.clone(), a.explanation.clone()));
            let notice = Notice {
                kind: NoticeKind::PeringatanDini,
                audience: Audience::Coordinators(a.district),
                case: None,
                message_id: format!("Peringatan dini: {id}."),
                message_en: format!("Early warning: {en}."),
                dedupe_key: Some(format!(
                    "peringatan:{}:{}:{day}",
                    a.district,
                    a.category.as_str()
                )),
            };
            if raise(posko.store.as_ref(), &notice, now).await? {
                raised += 1;
            }
        }
    }
    Ok(raised)
}
