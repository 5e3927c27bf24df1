//! The officers' side of reports, as far as intake goes: the list of incoming reports, a report's
//! page with its evidence and chain of custody, and the two-officer unseal of a reporter's
//! identity. Handlers of a competent agency (penindak) see nothing here: they will see only the
//! cases routed to them once case handling exists, never the whole inbox.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use jiff::Timestamp;
use posko_app::cases::{self, CaseError};
use posko_app::seal::OpenIdentity;
use posko_app::unseal::{self, UnsealError};
use posko_core::case::Action;
use posko_core::Role;
use posko_store::{
    CustodyEvent, NewCustodyEvent, ReportDetail, ReportSummary, UnsealRequest, User,
};
use serde::Deserialize;

use crate::error::AppError;
use crate::i18n::Lang;
use crate::pages::Page;
use crate::visitor::Visitor;
use crate::AppState;

/// Who may read the inbox: the post's own officers, not handlers of other agencies and not
/// read-only observers or regional operators.
fn may_read_inbox(u: &User) -> bool {
    matches!(u.role, Role::Admin | Role::Koordinator | Role::PetugasPiket)
}

fn officer<'a>(v: &'a Visitor, path: &str) -> Result<&'a User, AppError> {
    let u = v.require_user(path)?;
    if may_read_inbox(u) {
        Ok(u)
    } else {
        Err(AppError::Forbidden)
    }
}

fn fmt_time(t: Timestamp) -> String {
    t.to_zoned(posko_core::Zone::Wib.tz())
        .strftime("%d-%m-%Y %H:%M WIB")
        .to_string()
}

struct Row {
    s: ReportSummary,
    received: String,
    kind_key: String,
    category_key: String,
    state_key: String,
    deadline: String,
    overdue: bool,
    due_today: bool,
}

#[derive(Deserialize)]
pub struct ListQuery {
    /// `1`: only cases whose deadline is today or already past.
    tenggat: Option<String>,
}

#[derive(Template)]
#[template(path = "petugas_laporan.html")]
struct ListTemplate {
    page: Page,
    rows: Vec<Row>,
    due_only: bool,
}

pub async fn list(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let me = v.require_user("/petugas/laporan")?;
    let store = state.posko.store.as_ref();
    let reports = match (me.role, me.agency) {
        // A handler of a competent agency sees only the cases routed to it.
        (Role::Penindak, Some(agency)) => store.reports_referred_to(agency, 200).await,
        _ if may_read_inbox(me) => store.list_reports(200).await,
        _ => return Err(AppError::Forbidden),
    }
    .map_err(AppError::from_store)?;
    let due_only = q.tenggat.as_deref() == Some("1");
    let mut rows = Vec::with_capacity(reports.len());
    for s in reports {
        // One look-up per row: the inbox shows at most 200 cases.
        let stored = store.case_of(s.id).await.map_err(AppError::from_store)?;
        let clock = stored
            .as_ref()
            .and_then(|c| clock_of(&state, &s.region, &s.election, c));
        let (overdue, due_today) = clock
            .as_ref()
            .map(|c| (c.overdue, c.due_today))
            .unwrap_or((false, false));
        if due_only && !(overdue || due_today) {
            continue;
        }
        rows.push(Row {
            received: fmt_time(s.received_at),
            kind_key: format!("lapor.kind_{}", s.kind.as_str()),
            category_key: format!("kategori.{}", s.subject_category.as_str()),
            state_key: format!("lapor.status_{}", s.status),
            deadline: clock.as_ref().map(Clock::shown).unwrap_or_default(),
            overdue,
            due_today,
            s,
        });
    }
    let tpl = ListTemplate {
        page: Page::new(&state, &v, "petugas.list_title", "/petugas/laporan"),
        rows,
        due_only,
    };
    Ok(Html(tpl.render().map_err(AppError::internal)?).into_response())
}

struct RequestRow {
    r: UnsealRequest,
    agency: String,
    mine: bool,
    may_approve: bool,
}

#[derive(Template)]
#[template(path = "petugas_laporan_detail.html")]
struct DetailTemplate {
    page: Page,
    d: ReportDetail,
    region_name: String,
    violation_label: String,
    kind_key: String,
    category_key: String,
    received: String,
    custody: Vec<(String, Vec<CustodyEvent>)>,
    requests: Vec<RequestRow>,
    identity: Option<OpenIdentity>,
    notice: String,
    error: String,
    state_key: String,
    actions: Vec<(String, String)>,
    decisions: Vec<(String, String)>,
    timeline: Vec<(String, String, String)>,
    referred: String,
    may_unseal: bool,
    deadline: String,
    overdue: bool,
    /// Other reports naming the same official (same keyed NIP/NRP hash).
    repeats: usize,
}

#[derive(Deserialize)]
pub struct Notice {
    ok: Option<String>,
}

async fn detail_page(
    state: &AppState,
    v: &Visitor,
    id: i64,
    notice: String,
    error: String,
) -> Result<Response, AppError> {
    let me = v.require_user(&format!("/petugas/laporan/{id}"))?.clone();
    let store = state.posko.store.as_ref();
    let stored = visible_case(store, &me, id).await?;
    let d = store
        .report_detail(id)
        .await
        .map_err(AppError::from_store)?
        .ok_or(AppError::NotFound)?;
    let mut custody = Vec::new();
    for e in &d.evidence {
        custody.push((
            e.sha256.clone(),
            store
                .custody_events(&e.sha256)
                .await
                .map_err(AppError::from_store)?,
        ));
    }
    let requests: Vec<RequestRow> = store
        .unseal_requests(id)
        .await
        .map_err(AppError::from_store)?
        .into_iter()
        .map(|r| RequestRow {
            agency: r
                .requester_agency
                .map(|a| a.label().to_string())
                .unwrap_or_default(),
            mine: r.requested_by == me.id,
            may_approve: r.approved_by.is_none()
                && r.requested_by != me.id
                && me.agency.is_some()
                && r.requester_agency != me.agency,
            r,
        })
        .collect();
    // The identity is shown to the officer whose request was approved; the read is audited.
    let identity = if requests.iter().any(|q| q.mine && q.r.approved_by.is_some()) {
        match unseal::read_identity(store, &state.posko.key, &me, id).await {
            Ok(i) => Some(i),
            Err(UnsealError::Store(e)) => return Err(AppError::from_store(e)),
            Err(_) => None,
        }
    } else {
        None
    };
    let violation_label = state
        .posko
        .taxonomy
        .get(&d.summary.violation)
        .map(|t| {
            if v.lang == Lang::En {
                t.en.clone()
            } else {
                t.id.clone()
            }
        })
        .unwrap_or_else(|| d.summary.violation.clone());
    let t = v.lang.messages();
    let actions = stored
        .case
        .allowed()
        .into_iter()
        .filter(|a| {
            let theirs = matches!(*a, "start_follow_up" | "record_outcome");
            if me.role == Role::Penindak {
                theirs
            } else {
                !theirs && may_read_inbox(&me)
            }
        })
        .map(|a| (a.to_string(), t.get(&format!("kasus.{a}")).to_string()))
        .collect();
    let decisions = [
        "administratif",
        "kode_etik",
        "hukum_lainnya",
        "pidana",
        "bukan_pelanggaran",
    ]
    .iter()
    .map(|d| (d.to_string(), t.get(&format!("kasus.d_{d}")).to_string()))
    .collect();
    let timeline = store
        .case_events(id)
        .await
        .map_err(AppError::from_store)?
        .into_iter()
        .map(|e| {
            (
                fmt_time(e.at),
                t.get(&format!("kasus.{}", e.action)).to_string(),
                e.detail,
            )
        })
        .collect();
    let clock = clock_of(state, &d.summary.region, &d.election, &stored);
    let repeats = match &d.subject_mac {
        Some(mac) => store
            .reports_by_subject_mac(mac)
            .await
            .map_err(AppError::from_store)?
            .len()
            .saturating_sub(1),
        None => 0,
    };
    let tpl = DetailTemplate {
        repeats,
        deadline: clock.as_ref().map(Clock::shown).unwrap_or_default(),
        overdue: clock.as_ref().is_some_and(|c| c.overdue),
        state_key: format!("lapor.status_{}", stored.case.state.as_str()),
        actions,
        decisions,
        timeline,
        referred: stored
            .case
            .referred_to
            .map(|a| a.label().to_string())
            .unwrap_or_default(),
        may_unseal: may_read_inbox(&me),
        page: Page::new(
            state,
            v,
            "petugas.detail_title",
            &format!("/petugas/laporan/{id}"),
        ),
        region_name: state
            .posko
            .atlas
            .get(&d.summary.region)
            .map(|r| r.name.clone())
            .unwrap_or_default(),
        kind_key: format!("lapor.kind_{}", d.summary.kind.as_str()),
        category_key: format!("kategori.{}", d.summary.subject_category.as_str()),
        received: fmt_time(d.summary.received_at),
        violation_label,
        custody,
        requests,
        identity,
        notice,
        error,
        d,
    };
    Ok(Html(tpl.render().map_err(AppError::internal)?).into_response())
}

pub async fn detail(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    Query(q): Query<Notice>,
) -> Result<Response, AppError> {
    let t = v.lang.messages();
    let notice = match q.ok.as_deref() {
        Some("minta") => t.get("petugas.request_done").to_string(),
        Some("setuju") => t.get("petugas.approve_done").to_string(),
        Some("langkah") => t.get("kasus.moved").to_string(),
        _ => String::new(),
    };
    detail_page(&state, &v, id, notice, String::new()).await
}

#[derive(Deserialize)]
pub struct UnsealForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

fn unseal_failure(state: &AppState, v: &Visitor, e: UnsealError) -> Result<String, AppError> {
    let _ = state;
    match e {
        UnsealError::Store(s) => Err(AppError::from_store(s)),
        other => Ok(match v.lang {
            // The messages are bilingual "Indonesian (English)": show the part in the page's language.
            Lang::Id => other
                .to_string()
                .split(" (")
                .next()
                .unwrap_or_default()
                .to_string(),
            Lang::En => other
                .to_string()
                .rsplit_once(" (")
                .map(|(_, en)| en.trim_end_matches(')').to_string())
                .unwrap_or_else(|| other.to_string()),
        }),
    }
}

pub async fn request_unseal(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    Form(form): Form<UnsealForm>,
) -> Result<Response, AppError> {
    v.check_csrf(&state, &form.csrf)?;
    let me = officer(&v, &format!("/petugas/laporan/{id}"))?.clone();
    match unseal::request(state.posko.store.as_ref(), &me, id, &form.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/petugas/laporan/{id}?ok=minta")).into_response()),
        Err(e) => {
            let msg = unseal_failure(&state, &v, e)?;
            detail_page(&state, &v, id, String::new(), msg).await
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

pub async fn approve_unseal(
    State(state): State<AppState>,
    v: Visitor,
    Path((id, request)): Path<(i64, i64)>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    v.check_csrf(&state, &form.csrf)?;
    let me = officer(&v, &format!("/petugas/laporan/{id}"))?.clone();
    match unseal::approve(state.posko.store.as_ref(), &me, id, request).await {
        Ok(()) => Ok(Redirect::to(&format!("/petugas/laporan/{id}?ok=setuju")).into_response()),
        Err(e) => {
            let msg = unseal_failure(&state, &v, e)?;
            detail_page(&state, &v, id, String::new(), msg).await
        }
    }
}

/// The copy of an evidence file that pages show (location metadata removed); every view is a
/// step in the file's chain of custody.
pub async fn evidence(
    State(state): State<AppState>,
    v: Visitor,
    Path((id, sha256)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let me = v.require_user(&format!("/petugas/laporan/{id}"))?.clone();
    let store = state.posko.store.as_ref();
    visible_case(store, &me, id).await?;
    let d = store
        .report_detail(id)
        .await
        .map_err(AppError::from_store)?
        .ok_or(AppError::NotFound)?;
    if !d.evidence.iter().any(|e| e.sha256 == sha256) {
        return Err(AppError::NotFound);
    }
    let (mime, bytes) = store
        .evidence_bytes(&sha256, true)
        .await
        .map_err(AppError::from_store)?
        .ok_or(AppError::NotFound)?;
    // Inline only for the kinds whose display copy has its metadata removed.
    let inline = matches!(mime.as_str(), "image/jpeg" | "image/png" | "image/webp");
    store
        .add_custody_event(&NewCustodyEvent {
            sha256: sha256.clone(),
            report_id: id,
            at: Timestamp::now(),
            actor: Some(me.id),
            action: if inline { "viewed" } else { "downloaded" }.into(),
            note: if inline {
                "salinan tanpa metadata lokasi dilihat".into()
            } else {
                "berkas asli diunduh".into()
            },
        })
        .await
        .map_err(AppError::from_store)?;
    let disposition = if inline { "inline" } else { "attachment" };
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"bukti-{}\"", &sha256[..12]),
            ),
            (
                header::HeaderName::from_static("x-content-type-options"),
                "nosniff".to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The case, if this officer may see it; otherwise "not found", so its existence is not told.
async fn visible_case(
    store: &dyn posko_store::Store,
    me: &User,
    id: i64,
) -> Result<posko_store::StoredCase, AppError> {
    cases::load(store, me, id).await.map_err(|e| match e {
        CaseError::Store(s) => AppError::from_store(s),
        _ => AppError::NotFound,
    })
}

#[derive(Deserialize)]
pub struct StepForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    aksi: String,
    #[serde(default)]
    putusan: String,
    #[serde(default)]
    alasan: String,
    #[serde(default)]
    sanksi: String,
}

fn step_action(f: &StepForm) -> Option<Action> {
    Some(match f.aksi.as_str() {
        "start_review" => Action::StartReview,
        "request_completion" => Action::RequestCompletion,
        "completed" => Action::Completed,
        "register" => Action::Register,
        "reject_registration" => Action::RejectRegistration {
            reason: f.alasan.clone(),
        },
        "take_up_as_temuan" => Action::TakeUpAsTemuan,
        "examine" => Action::Examine,
        "decide" => Action::Decide {
            decision: posko_store::decode::decision(Some(&f.putusan))
                .ok()
                .flatten()?,
        },
        // The body is chosen by law, not by the form: `cases::act` fills it in.
        "refer" => Action::Refer {
            to: posko_core::Agency::Bawaslu,
        },
        "start_follow_up" => Action::StartFollowUp,
        "record_outcome" => Action::RecordOutcome {
            sanction: f.sanksi.clone(),
        },
        "close" => Action::Close,
        _ => return None,
    })
}

/// One step of the case, from the form on its page.
pub async fn step(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Result<Response, AppError> {
    v.check_csrf(&state, &form.csrf)?;
    let me = v.require_user(&format!("/petugas/laporan/{id}"))?.clone();
    let store = state.posko.store.as_ref();
    visible_case(store, &me, id).await?;
    let Some(action) = step_action(&form) else {
        return detail_page(
            &state,
            &v,
            id,
            String::new(),
            v.lang.messages().get("error.bad_request").into(),
        )
        .await;
    };
    match cases::act(store, &me, id, action).await {
        Ok(_) => Ok(Redirect::to(&format!("/petugas/laporan/{id}?ok=langkah")).into_response()),
        Err(CaseError::Store(e)) => Err(AppError::from_store(e)),
        Err(CaseError::NotFound) => Err(AppError::NotFound),
        Err(e) => {
            let text = e.to_string();
            let msg = match v.lang {
                Lang::Id => text.split(" (").next().unwrap_or_default().to_string(),
                Lang::En => text
                    .rsplit_once(" (")
                    .map(|(_, en)| en.trim_end_matches(')').to_string())
                    .unwrap_or(text),
            };
            detail_page(&state, &v, id, String::new(), msg).await
        }
    }
}

/// A case's current legal clock: the last day of its step, counted in the region's zone from the
/// day it entered the step (day 0) under its election's regime, and whether today is past it.
struct Clock {
    last_day: jiff::civil::Date,
    zone: posko_core::Zone,
    overdue: bool,
    due_today: bool,
}

fn clock_of(
    state: &AppState,
    region: &posko_core::RegionCode,
    election: &str,
    stored: &posko_store::StoredCase,
) -> Option<Clock> {
    let zone = state
        .posko
        .atlas
        .zone(region)
        .unwrap_or(posko_core::Zone::Wib);
    let today = jiff::Timestamp::now().to_zoned(zone.tz()).date();
    let began = stored.state_since.to_zoned(zone.tz()).date();
    let e = state.posko.elections.get(election)?;
    let last_day =
        posko_core::case::step_deadline(e, &state.posko.holidays, &stored.case, began, false)?;
    Some(Clock {
        last_day,
        zone,
        overdue: today > last_day,
        due_today: today == last_day,
    })
}

impl Clock {
    fn shown(&self) -> String {
        format!(
            "{} ({})",
            self.last_day.strftime("%d-%m-%Y"),
            self.zone.abbreviation()
        )
    }
}
