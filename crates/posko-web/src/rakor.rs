//! Rakor pages (issue 9, part 3): the region's meetings and the form to record one (`/rakor`), a
//! meeting with its agenda, attendance, decisions and follow-up actions and the forms to add them
//! (`/rakor/{id}`), the printable minutes (`/rakor/{id}/notulen`), and the agency's console of
//! follow-up actions (`/tindak-lanjut`), where an agency's officers see only what is assigned to
//! their agency and mark it in progress or done. Handlers call `posko_app::rakor`, which decides
//! who may do what.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use jiff::Timestamp;
use posko_app::rakor::{self as app, ActionRequest, RakorError};
use posko_core::rakor::{ActionMove, ActionState, Attendance, FollowUp, MeetingDraft};
use posko_core::{Agency, RegionCode, Role, Zone};
use posko_store::{FollowUpEvent, User};
use serde::Deserialize;

use crate::error::AppError;
use crate::i18n::Lang;
use crate::pages::Page;
use crate::visitor::Visitor;
use crate::AppState;

fn render(tpl: &impl Template) -> Result<Response, AppError> {
    Ok(Html(tpl.render().map_err(AppError::internal)?).into_response())
}

fn zone_of(state: &AppState, region: &RegionCode) -> Zone {
    state.posko.atlas.zone(region).unwrap_or(Zone::Wib)
}

/// `2024-02-01 09:00 WIB`.
fn local(state: &AppState, region: &RegionCode, t: Timestamp) -> String {
    let z = zone_of(state, region);
    format!(
        "{} {}",
        t.to_zoned(z.tz()).strftime("%Y-%m-%d %H:%M"),
        z.abbreviation()
    )
}

/// A refusal the user can act on becomes a message on the page; the rest are HTTP errors.
fn shown(e: RakorError, lang: Lang) -> Result<String, AppError> {
    match e {
        RakorError::Forbidden => Err(AppError::Forbidden),
        RakorError::NotFound => Err(AppError::NotFound),
        RakorError::Store(s) => Err(AppError::from_store(s)),
        other => Ok(lang.pick(&other.to_string())),
    }
}

fn region_name(state: &AppState, r: &RegionCode) -> String {
    state
        .posko
        .atlas
        .get(r)
        .map(|x| x.name.clone())
        .unwrap_or_else(|| r.to_string())
}

fn state_label(s: ActionState, lang: Lang) -> &'static str {
    let (id, en) = s.label();
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}

fn move_label(m: &str, lang: Lang) -> &'static str {
    let msgs = lang.messages();
    match m {
        "mulai" => msgs.get("rakor.move_mulai"),
        "selesai" => msgs.get("rakor.move_selesai"),
        _ => msgs.get("rakor.move_batalkan"),
    }
}

fn agencies() -> Vec<(&'static str, &'static str)> {
    Agency::ALL
        .iter()
        .map(|a| (a.as_str(), a.label()))
        .collect()
}

// ── the list of meetings ──────────────────────────────────────────────────────────────────────

#[derive(Deserialize, Default)]
pub struct ListQuery {
    wilayah: Option<String>,
}

struct MeetingRow {
    id: i64,
    when: String,
    region: String,
    place: String,
    chair: String,
    decisions: u32,
    actions: u32,
    open: u32,
}

#[derive(Template)]
#[template(path = "rakor.html")]
struct ListTemplate {
    page: Page,
    region: String,
    region_name: String,
    zone: String,
    meetings: Vec<MeetingRow>,
    agencies: Vec<(&'static str, &'static str)>,
    error: String,
    today: String,
}

/// The region a coordinator works on: the one asked for, else their own (an admin without a
/// region must ask).
fn region_for(state: &AppState, me: &User, asked: Option<&str>) -> Result<RegionCode, AppError> {
    let r = match asked.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => RegionCode::parse(s).map_err(|_| AppError::RegionNotFound)?,
        None => me
            .region
            .or(state.posko.post_region())
            .ok_or(AppError::BadRequest)?,
    };
    if !state.posko.atlas.contains(&r) {
        return Err(AppError::RegionNotFound);
    }
    Ok(r)
}

async fn list_page(
    state: &AppState,
    v: &Visitor,
    asked: Option<&str>,
    error: String,
) -> Result<Response, AppError> {
    let me = v.require_user("/rakor")?.clone();
    let region = region_for(state, &me, asked)?;
    let list = app::meetings(&state.posko, &me, &region)
        .await
        .map_err(|e| shown(e, v.lang).err().unwrap_or(AppError::BadRequest))?;
    let z = zone_of(state, &region);
    let tpl = ListTemplate {
        page: Page::new(state, v, "rakor.title", "/rakor"),
        region: region.to_string(),
        region_name: region_name(state, &region),
        zone: z.abbreviation().into(),
        meetings: list
            .iter()
            .map(|m| MeetingRow {
                id: m.id,
                when: local(state, &m.region, m.held_at),
                region: m.region.to_string(),
                place: m.place.clone(),
                chair: m.chair.clone(),
                decisions: m.decisions,
                actions: m.actions,
                open: m.open_actions,
            })
            .collect(),
        agencies: agencies(),
        error,
        today: Timestamp::now().to_zoned(z.tz()).date().to_string(),
    };
    render(&tpl)
}

/// `GET /rakor`: the meetings of the coordinator's region and the form to record one.
pub async fn list(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    list_page(&state, &v, q.wilayah.as_deref(), String::new()).await
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn bad_field(lang: Lang, id: &str, en: &str) -> String {
    match lang {
        Lang::Id => format!("{id}: isian tidak sah"),
        Lang::En => format!("{en}: not valid"),
    }
}

/// `POST /rakor`: records a meeting. Attendance comes as `nama_{agency}` and `jabatan_{agency}`:
/// an agency with a name is present.
pub async fn create(
    State(state): State<AppState>,
    v: Visitor,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    v.check_csrf(&state, field(&form, "csrf"))?;
    let me = v.require_user("/rakor")?.clone();
    let asked = field(&form, "wilayah");
    let region = region_for(&state, &me, Some(asked))?;
    let back = Some(region.to_string());
    let Ok(date) = field(&form, "tanggal").trim().parse::<jiff::civil::Date>() else {
        let e = bad_field(v.lang, "tanggal", "date");
        return list_page(&state, &v, back.as_deref(), e).await;
    };
    let Ok(time) = field(&form, "jam").trim().parse::<jiff::civil::Time>() else {
        let e = bad_field(v.lang, "jam", "time");
        return list_page(&state, &v, back.as_deref(), e).await;
    };
    let attendance = Agency::ALL
        .iter()
        .filter_map(|a| {
            let name = field(&form, &format!("nama_{}", a.as_str()));
            (!name.trim().is_empty()).then(|| Attendance {
                agency: *a,
                representative: name.to_string(),
                position: field(&form, &format!("jabatan_{}", a.as_str())).to_string(),
            })
        })
        .collect();
    let draft = MeetingDraft {
        region,
        date,
        time,
        place: field(&form, "tempat").into(),
        chair: field(&form, "pimpinan").into(),
        agenda: field(&form, "agenda").lines().map(str::to_string).collect(),
        attendance,
    };
    match app::create_meeting(&state.posko, &me, &draft, Timestamp::now()).await {
        Ok(id) => Ok(Redirect::to(&format!("/rakor/{id}")).into_response()),
        Err(e) => {
            let msg = shown(e, v.lang)?;
            list_page(&state, &v, back.as_deref(), msg).await
        }
    }
}

// ── one meeting ───────────────────────────────────────────────────────────────────────────────

struct ActionRow {
    id: i64,
    decision: u32,
    agency: &'static str,
    description: String,
    due: String,
    state: &'static str,
    state_code: &'static str,
    late: bool,
}

fn action_row(state: &AppState, a: &FollowUp, lang: Lang, now: Timestamp) -> ActionRow {
    ActionRow {
        id: a.id,
        decision: a.decision,
        agency: a.agency.label(),
        description: a.description.clone(),
        due: a.due.to_string(),
        state: state_label(a.state, lang),
        state_code: a.state.as_str(),
        late: posko_core::rakor::is_late(a.state, a.due, zone_of(state, &a.region), now),
    }
}

#[derive(Template)]
#[template(path = "rakor_rapat.html")]
struct MeetingTemplate {
    page: Page,
    id: i64,
    region: String,
    region_name: String,
    when: String,
    place: String,
    chair: String,
    agenda: Vec<String>,
    attendance: Vec<(&'static str, String, String)>,
    decisions: Vec<(u32, String)>,
    actions: Vec<ActionRow>,
    agencies: Vec<(&'static str, &'static str)>,
    error: String,
    due_default: String,
}

async fn meeting_page(
    state: &AppState,
    v: &Visitor,
    id: i64,
    error: String,
    print: bool,
) -> Result<Response, AppError> {
    let path = format!("/rakor/{id}");
    let me = v.require_user(&path)?.clone();
    let (m, actions) = match app::meeting(&state.posko, &me, id).await {
        Ok(x) => x,
        Err(e) => return Err(shown(e, v.lang).err().unwrap_or(AppError::BadRequest)),
    };
    let now = Timestamp::now();
    let z = zone_of(state, &m.region);
    let tpl = MeetingTemplate {
        page: Page::new(
            state,
            v,
            if print {
                "rakor.minutes"
            } else {
                "rakor.meeting"
            },
            &path,
        ),
        id: m.id,
        region: m.region.to_string(),
        region_name: region_name(state, &m.region),
        when: local(state, &m.region, m.held_at),
        place: m.place.clone(),
        chair: m.chair.clone(),
        agenda: m.agenda.clone(),
        attendance: m
            .attendance
            .iter()
            .map(|a| {
                (
                    a.agency.label(),
                    a.representative.clone(),
                    a.position.clone(),
                )
            })
            .collect(),
        decisions: m
            .decisions
            .iter()
            .map(|d| (d.number, d.text.clone()))
            .collect(),
        actions: actions
            .iter()
            .map(|a| action_row(state, a, v.lang, now))
            .collect(),
        agencies: agencies(),
        error,
        due_default: m.held_at.to_zoned(z.tz()).date().to_string(),
    };
    if print {
        render(&MinutesTemplate { m: tpl })
    } else {
        render(&tpl)
    }
}

#[derive(Template)]
#[template(path = "rakor_notulen.html")]
struct MinutesTemplate {
    m: MeetingTemplate,
}

/// `GET /rakor/{id}`.
pub async fn show(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    meeting_page(&state, &v, id, String::new(), false).await
}

/// `GET /rakor/{id}/notulen`: the minutes on one printable page.
pub async fn minutes(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    meeting_page(&state, &v, id, String::new(), true).await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    keputusan: String,
}

/// `POST /rakor/{id}/keputusan`: adds the next numbered decision.
pub async fn add_decision(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, AppError> {
    v.check_csrf(&state, &f.csrf)?;
    let me = v.require_user(&format!("/rakor/{id}"))?.clone();
    match app::add_decision(&state.posko, &me, id, &f.keputusan, Timestamp::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/rakor/{id}#keputusan")).into_response()),
        Err(e) => {
            let msg = shown(e, v.lang)?;
            meeting_page(&state, &v, id, msg, false).await
        }
    }
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    keputusan: String,
    #[serde(default)]
    instansi: String,
    #[serde(default)]
    uraian: String,
    #[serde(default)]
    tenggat: String,
}

/// `POST /rakor/{id}/tindak-lanjut`: assigns an action under a decision to an agency.
pub async fn add_action(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    Form(f): Form<ActionForm>,
) -> Result<Response, AppError> {
    v.check_csrf(&state, &f.csrf)?;
    let me = v.require_user(&format!("/rakor/{id}"))?.clone();
    let Ok(decision) = f.keputusan.trim().parse::<u32>() else {
        let e = bad_field(v.lang, "keputusan", "decision");
        return meeting_page(&state, &v, id, e, false).await;
    };
    let Ok(agency) = f.instansi.parse::<Agency>() else {
        let e = bad_field(v.lang, "instansi", "agency");
        return meeting_page(&state, &v, id, e, false).await;
    };
    let Ok(due) = f.tenggat.trim().parse::<jiff::civil::Date>() else {
        let e = bad_field(v.lang, "tenggat", "due date");
        return meeting_page(&state, &v, id, e, false).await;
    };
    let req = ActionRequest {
        meeting_id: id,
        decision,
        agency,
        description: f.uraian.clone(),
        due,
    };
    match app::add_action(&state.posko, &me, &req, Timestamp::now()).await {
        Ok(_) => Ok(Redirect::to(&format!("/rakor/{id}#tindak-lanjut")).into_response()),
        Err(RakorError::NotFound) => {
            let e = bad_field(v.lang, "keputusan", "decision");
            meeting_page(&state, &v, id, e, false).await
        }
        Err(e) => {
            let msg = shown(e, v.lang)?;
            meeting_page(&state, &v, id, msg, false).await
        }
    }
}

// ── the agency's console ──────────────────────────────────────────────────────────────────────

struct ConsoleRow {
    row: ActionRow,
    meeting_id: i64,
    region: String,
    /// Allowed moves: value and label.
    moves: Vec<(&'static str, &'static str)>,
    history: Vec<String>,
}

#[derive(Template)]
#[template(path = "tindak_lanjut.html")]
struct ConsoleTemplate {
    page: Page,
    rows: Vec<ConsoleRow>,
    coordinator: bool,
    agency: String,
    all: bool,
    error: String,
    notice: String,
}

#[derive(Deserialize, Default)]
pub struct ConsoleQuery {
    semua: Option<String>,
}

fn history_line(state: &AppState, a: &FollowUp, e: &FollowUpEvent, lang: Lang) -> String {
    let who = e.by_name.clone().unwrap_or_else(|| "-".into());
    let mut s = format!(
        "{} · {} → {} · {who}",
        local(state, &a.region, e.at),
        state_label(e.from, lang),
        state_label(e.to, lang)
    );
    if !e.note.is_empty() {
        s.push_str(": ");
        s.push_str(&e.note);
    }
    s
}

async fn console_page(
    state: &AppState,
    v: &Visitor,
    all: bool,
    error: String,
    notice: String,
) -> Result<Response, AppError> {
    let me = v.require_user("/tindak-lanjut")?.clone();
    let list = match app::console(&state.posko, &me, !all).await {
        Ok(l) => l,
        Err(e) => return Err(shown(e, v.lang).err().unwrap_or(AppError::BadRequest)),
    };
    let now = Timestamp::now();
    let mut rows = Vec::with_capacity(list.len());
    for a in &list {
        let events = state
            .posko
            .store
            .follow_up_events(a.id)
            .await
            .map_err(AppError::from_store)?;
        let coordinator = app::organises(&me, &a.region);
        let moves = a
            .state
            .allowed()
            .into_iter()
            .filter(|m| *m != "batalkan" || coordinator)
            .map(|m| (m, move_label(m, v.lang)))
            .collect();
        rows.push(ConsoleRow {
            row: action_row(state, a, v.lang, now),
            meeting_id: a.meeting_id,
            region: a.region.to_string(),
            moves,
            history: events
                .iter()
                .map(|e| history_line(state, a, e, v.lang))
                .collect(),
        });
    }
    let tpl = ConsoleTemplate {
        page: Page::new(state, v, "rakor.console", "/tindak-lanjut"),
        rows,
        coordinator: matches!(me.role, Role::Admin | Role::Koordinator),
        agency: me.agency.map(|a| a.label().to_string()).unwrap_or_default(),
        all,
        error,
        notice,
    };
    render(&tpl)
}

/// `GET /tindak-lanjut`: the actions this officer sees (open ones; `?semua=1` for all).
pub async fn console(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<ConsoleQuery>,
) -> Result<Response, AppError> {
    console_page(&state, &v, q.semua.is_some(), String::new(), String::new()).await
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    aksi: String,
    #[serde(default)]
    catatan: String,
}

/// `POST /tindak-lanjut/{id}/langkah`: starts, finishes or (coordinators) cancels an action.
pub async fn step(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    Form(f): Form<MoveForm>,
) -> Result<Response, AppError> {
    v.check_csrf(&state, &f.csrf)?;
    let me = v.require_user("/tindak-lanjut")?.clone();
    let Some(mv) = ActionMove::parse(&f.aksi, &f.catatan) else {
        let e = bad_field(v.lang, "aksi", "action");
        return console_page(&state, &v, false, e, String::new()).await;
    };
    match app::move_action(&state.posko, &me, id, &mv, &f.catatan, Timestamp::now()).await {
        Ok(next) => {
            let done = match v.lang {
                Lang::Id => format!("Tindak lanjut #{id}: {}", state_label(next, v.lang)),
                Lang::En => format!("Follow-up #{id}: {}", state_label(next, v.lang)),
            };
            console_page(&state, &v, false, String::new(), done).await
        }
        Err(e) => {
            let msg = shown(e, v.lang)?;
            console_page(&state, &v, false, msg, String::new()).await
        }
    }
}
