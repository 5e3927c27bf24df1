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
    assignee: String,
}

/// The inbox's filters, from the query string; every one is optional and they combine.
#[derive(Deserialize, Default)]
pub struct ListQuery {
    /// `1`: only cases whose deadline is today or already past.
    tenggat: Option<String>,
    /// Agency the case was referred to (post officers only; handlers always see their own).
    instansi: Option<String>,
    /// Category of the reported official.
    kategori: Option<String>,
    /// Region code, any level.
    wilayah: Option<String>,
    /// Case state.
    status: Option<String>,
    /// `saya`: my cases; `belum`: nobody's yet (the duty team's queue).
    petugas: Option<String>,
}

#[derive(Template)]
#[template(path = "petugas_laporan.html")]
struct ListTemplate {
    page: Page,
    rows: Vec<Row>,
    due_only: bool,
    handler: bool,
    /// (value, label, selected) for each filter's options.
    agencies: Vec<(String, String, bool)>,
    categories: Vec<(String, String, bool)>,
    states: Vec<(String, String, bool)>,
    who: Vec<(String, String, bool)>,
    region: String,
    region_error: bool,
}

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

pub async fn list(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    use posko_core::case::CaseState;
    use posko_core::report::SubjectCategory;
    use posko_core::Agency;
    let me = v.require_user("/petugas/laporan")?.clone();
    let t = v.lang.messages();
    let mut filter = posko_store::CaseFilter {
        limit: 200,
        ..Default::default()
    };
    let handler = match (me.role, me.agency) {
        // A handler of a competent agency sees only the cases routed to it, whatever it asks.
        (Role::Penindak, Some(agency)) => {
            filter.referred_to = Some(agency);
            true
        }
        _ if may_read_inbox(&me) => {
            filter.referred_to = opt(&q.instansi).and_then(|a| a.parse::<Agency>().ok());
            false
        }
        _ => return Err(AppError::Forbidden),
    };
    filter.category = opt(&q.kategori).and_then(SubjectCategory::parse);
    filter.state =
        opt(&q.status).and_then(|st| CaseState::ALL.into_iter().find(|c| c.as_str() == st));
    let region_text = opt(&q.wilayah).unwrap_or_default().to_string();
    let mut region_error = false;
    if !region_text.is_empty() {
        match posko_core::RegionCode::parse(&region_text) {
            Ok(c) if state.posko.atlas.contains(&c) => filter.region = Some(c),
            _ => region_error = true,
        }
    }
    match opt(&q.petugas) {
        Some("saya") => filter.assigned_to = Some(me.id),
        Some("belum") => filter.unassigned = true,
        _ => {}
    }
    let store = state.posko.store.as_ref();
    // Every role but admin works within its region: the list never reaches beyond it.
    let cases = match cases::narrow(&me, filter.region) {
        Ok(region) => {
            filter.region = region;
            store
                .list_cases(&filter)
                .await
                .map_err(AppError::from_store)?
        }
        Err(cases::OutOfScope) => Vec::new(),
    };
    let officers: std::collections::HashMap<i64, String> = store
        .list_users()
        .await
        .map_err(AppError::from_store)?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let due_only = q.tenggat.as_deref() == Some("1");
    let now = Timestamp::now();
    let mut rows = Vec::with_capacity(cases.len());
    for c in cases {
        let clock = posko_app::clock::case_clock(&state.posko, &c.case);
        let overdue = clock.as_ref().is_some_and(|k| k.overdue(now));
        let due_today = clock.as_ref().is_some_and(|k| k.due_today(now));
        if due_only && !(overdue || due_today) {
            continue;
        }
        let s = c.summary;
        rows.push(Row {
            received: fmt_time(s.received_at),
            kind_key: format!("lapor.kind_{}", s.kind.as_str()),
            category_key: format!("kategori.{}", s.subject_category.as_str()),
            state_key: format!("lapor.status_{}", s.status),
            deadline: clock.as_ref().map(|k| k.shown()).unwrap_or_default(),
            overdue,
            due_today,
            assignee: c
                .case
                .assigned_to
                .and_then(|id| officers.get(&id).cloned())
                .unwrap_or_default(),
            s,
        });
    }
    let agencies = Agency::ALL
        .iter()
        .map(|a| {
            (
                a.as_str().to_string(),
                a.label().to_string(),
                filter.referred_to == Some(*a),
            )
        })
        .collect();
    let categories = SubjectCategory::ALL
        .iter()
        .map(|c| {
            (
                c.as_str().to_string(),
                t.get(&format!("kategori.{}", c.as_str())).to_string(),
                filter.category == Some(*c),
            )
        })
        .collect();
    let states = CaseState::ALL
        .iter()
        .map(|st| {
            (
                st.as_str().to_string(),
                t.get(&format!("lapor.status_{}", st.as_str())).to_string(),
                filter.state == Some(*st),
            )
        })
        .collect();
    let who = [("saya", "petugas.mine"), ("belum", "petugas.unassigned")]
        .iter()
        .map(|(value, key)| {
            (
                value.to_string(),
                t.get(key).to_string(),
                opt(&q.petugas) == Some(*value),
            )
        })
        .collect();
    let tpl = ListTemplate {
        page: Page::new(&state, &v, "petugas.list_title", "/petugas/laporan"),
        rows,
        due_only,
        handler,
        agencies,
        categories,
        states,
        who,
        region: region_text,
        region_error,
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
    timeline: Vec<(String, String, String, String)>,
    referred: String,
    may_unseal: bool,
    deadline: String,
    overdue: bool,
    /// Other reports naming the same official (same keyed NIP/NRP, or name and unit, hash).
    repeats: usize,
    /// The date the reported official signed a neutrality pledge, when before the report.
    pledge_mark: Option<String>,
    /// The post's officers, for assignment: (id, name, selected).
    officers: Vec<(i64, String, bool)>,
    assignee: String,
    may_assign: bool,
    may_extend: bool,
    extended: bool,
    /// (report id, tracking code, score, reasons) of probable duplicates.
    suggestions: Vec<(i64, String, u8, String)>,
    merged_into: Option<(i64, String)>,
    merged_from: Vec<(i64, String)>,
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
    // Who did each step: every move on the timeline has an officer (or an agency's system).
    let actors: std::collections::HashMap<i64, String> = store
        .list_users()
        .await
        .map_err(AppError::from_store)?
        .into_iter()
        .map(|u| (u.id, u.display_name))
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
                actors.get(&e.actor).cloned().unwrap_or_default(),
            )
        })
        .collect();
    let clock = posko_app::clock::case_clock(&state.posko, &stored);
    let post_officer = may_read_inbox(&me);
    let users = store.list_users().await.map_err(AppError::from_store)?;
    let assignee = stored
        .assigned_to
        .and_then(|id| users.iter().find(|u| u.id == id))
        .map(|u| u.display_name.clone())
        .unwrap_or_default();
    let officers = if post_officer {
        users
            .iter()
            .filter(|u| u.active && may_read_inbox(u))
            .map(|u| {
                (
                    u.id,
                    u.display_name.clone(),
                    stored.assigned_to == Some(u.id),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let code_of = |id: i64| async move {
        store
            .dedup_facts_of(id)
            .await
            .map(|f| f.map(|f| f.tracking_code).unwrap_or_default())
    };
    let merged_into = match stored.merged_into {
        Some(id) => Some((id, code_of(id).await.map_err(AppError::from_store)?)),
        None => None,
    };
    let mut merged_from = Vec::new();
    for id in store
        .merged_reports(id)
        .await
        .map_err(AppError::from_store)?
    {
        merged_from.push((id, code_of(id).await.map_err(AppError::from_store)?));
    }
    let suggestions = if post_officer && stored.merged_into.is_none() {
        cases::duplicate_suggestions(store, &me, id)
            .await
            .map_err(|e| match e {
                CaseError::Store(s) => AppError::from_store(s),
                _ => AppError::NotFound,
            })?
            .into_iter()
            .map(|sg| {
                let reasons = sg
                    .similarity
                    .reasons
                    .iter()
                    .map(|r| v.lang.pick(&r.explain()))
                    .collect::<Vec<_>>()
                    .join(", ");
                (
                    sg.other.id,
                    sg.other.tracking_code,
                    sg.similarity.score,
                    reasons,
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let running = matches!(
        stored.case.state,
        posko_core::case::CaseState::Teregistrasi | posko_core::case::CaseState::Pemeriksaan
    );
    let repeats = match &d.subject_mac {
        Some(mac) => store
            .reports_by_subject_mac(mac)
            .await
            .map_err(AppError::from_store)?
            .len()
            .saturating_sub(1),
        None => 0,
    };
    // Neutrality (issue 9, part 4): the official signed an integrity pledge before the report.
    let pledge_mark = posko_app::netralitas::case_mark(&state.posko, &d)
        .await
        .map_err(AppError::from_store)?
        .map(|m| m.signed_on.to_string());
    let tpl = DetailTemplate {
        repeats,
        pledge_mark,
        deadline: clock.as_ref().map(|c| c.shown()).unwrap_or_default(),
        overdue: clock.as_ref().is_some_and(|c| c.overdue(Timestamp::now())),
        officers,
        assignee,
        may_assign: post_officer && stored.merged_into.is_none(),
        may_extend: post_officer && running && !stored.extended,
        extended: stored.extended,
        suggestions,
        merged_into,
        merged_from,
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
        Some("catat") => t.get("petugas.done").to_string(),
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
        other => Ok(v.lang.pick(&other.to_string())),
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
            let msg = v.lang.pick(&text);
            detail_page(&state, &v, id, String::new(), msg).await
        }
    }
}

/// What a handling form's outcome shows: a store failure is an error page, a refusal is the
/// reason on the case page.
async fn after_handling(
    state: &AppState,
    v: &Visitor,
    id: i64,
    result: Result<(), CaseError>,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/petugas/laporan/{id}?ok=catat")).into_response()),
        Err(CaseError::Store(e)) => Err(AppError::from_store(e)),
        Err(CaseError::NotFound) => Err(AppError::NotFound),
        Err(CaseError::Forbidden) => Err(AppError::Forbidden),
        Err(e) => {
            let msg = v.lang.pick(&e.to_string());
            detail_page(state, v, id, String::new(), msg).await
        }
    }
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    csrf: String,
    /// An officer's id, `saya` for oneself, or empty to release the case.
    #[serde(default)]
    petugas: String,
}

/// Assigns the case to an officer of the post, or releases it.
pub async fn assign(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    Form(form): Form<AssignForm>,
) -> Result<Response, AppError> {
    v.check_csrf(&state, &form.csrf)?;
    let me = officer(&v, &format!("/petugas/laporan/{id}"))?.clone();
    let assignee = match form.petugas.trim() {
        "" => None,
        "saya" => Some(me.id),
        other => Some(other.parse::<i64>().map_err(|_| AppError::BadRequest)?),
    };
    let r = cases::assign(state.posko.store.as_ref(), &me, id, assignee).await;
    after_handling(&state, &v, id, r).await
}

#[derive(Deserialize)]
pub struct ExtendForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    alasan: String,
}

/// Extends handling once, with the reason.
pub async fn extend(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    Form(form): Form<ExtendForm>,
) -> Result<Response, AppError> {
    v.check_csrf(&state, &form.csrf)?;
    let me = officer(&v, &format!("/petugas/laporan/{id}"))?.clone();
    let r = cases::extend(state.posko.store.as_ref(), &me, id, &form.alasan).await;
    after_handling(&state, &v, id, r).await
}

#[derive(Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    csrf: String,
    /// The report to merge into this case.
    #[serde(default)]
    duplikat: String,
}

/// Merges another report into this case, as an officer confirmed.
pub async fn merge(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    Form(form): Form<MergeForm>,
) -> Result<Response, AppError> {
    v.check_csrf(&state, &form.csrf)?;
    let me = officer(&v, &format!("/petugas/laporan/{id}"))?.clone();
    let dup = form
        .duplikat
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::BadRequest)?;
    let r = cases::merge(state.posko.store.as_ref(), &me, dup, id).await;
    after_handling(&state, &v, id, r).await
}
