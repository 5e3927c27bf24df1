//! The duty roster pages: the week's shifts, who is on duty now, the planner's form, the handover
//! notes, and a printable week. Times are in the post's own zone.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use jiff::civil::Date;
use jiff::Timestamp;
use posko_app::roster::{self, RosterError};
use posko_core::{Agency, Role, Zone};
use posko_store::{Shift, User};
use serde::Deserialize;

use crate::error::AppError;
use crate::i18n::Lang;
use crate::pages::Page;
use crate::visitor::Visitor;
use crate::AppState;

fn post_officer(u: &User) -> bool {
    matches!(u.role, Role::Admin | Role::Koordinator | Role::PetugasPiket)
}

fn zone(state: &AppState) -> Zone {
    state
        .posko
        .post_region()
        .and_then(|r| state.posko.atlas.zone(&r))
        .unwrap_or(Zone::Wib)
}

struct ShiftRow {
    id: i64,
    agency: String,
    officer: String,
    hours: String,
}

fn row(s: &Shift, zone: Zone) -> ShiftRow {
    let tz = zone.tz();
    ShiftRow {
        id: s.id,
        agency: s.agency.label().to_string(),
        officer: s.officer.clone(),
        hours: format!(
            "{}–{}",
            s.starts_at.to_zoned(tz.clone()).strftime("%H:%M"),
            s.ends_at.to_zoned(tz).strftime("%H:%M")
        ),
    }
}

#[derive(Deserialize, Default)]
pub struct WeekQuery {
    /// Any day of the week to show, `YYYY-MM-DD`; this week by default.
    minggu: Option<String>,
    ok: Option<String>,
}

#[derive(Template)]
#[template(path = "piket.html")]
struct RosterTemplate {
    page: Page,
    zone: String,
    monday: String,
    prev: String,
    next: String,
    days: Vec<(String, Vec<ShiftRow>)>,
    now: Vec<ShiftRow>,
    may_plan: bool,
    agencies: Vec<(String, String)>,
    officers: Vec<(i64, String)>,
    notes: Vec<(String, String, String)>,
    notice: String,
    error: String,
}

#[derive(Template)]
#[template(path = "piket_cetak.html")]
struct PrintTemplate {
    page: Page,
    zone: String,
    monday: String,
    sunday: String,
    days: Vec<(String, Vec<ShiftRow>)>,
}

fn day_label(lang: Lang, d: Date) -> String {
    let names_id = [
        "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu",
    ];
    let names_en = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let i = d.weekday().to_monday_zero_offset() as usize;
    let name = if lang == Lang::En {
        names_en[i]
    } else {
        names_id[i]
    };
    format!("{name} {}", d.strftime("%d-%m-%Y"))
}

fn monday_of(q: &WeekQuery, zone: Zone) -> Date {
    let today = Timestamp::now().to_zoned(zone.tz()).date();
    let day = q
        .minggu
        .as_deref()
        .and_then(|s| s.parse::<Date>().ok())
        .unwrap_or(today);
    roster::week_start(day)
}

async fn week_rows(
    state: &AppState,
    lang: Lang,
    monday: Date,
    zone: Zone,
) -> Result<Vec<(String, Vec<ShiftRow>)>, AppError> {
    Ok(roster::week(state.posko.store.as_ref(), monday, zone)
        .await
        .map_err(AppError::from_store)?
        .into_iter()
        .map(|(d, shifts)| {
            (
                day_label(lang, d),
                shifts.iter().map(|s| row(s, zone)).collect(),
            )
        })
        .collect())
}

async fn page(
    state: &AppState,
    v: &Visitor,
    q: &WeekQuery,
    error: String,
) -> Result<Response, AppError> {
    let me = v.require_user("/petugas/piket")?.clone();
    if !post_officer(&me) {
        return Err(AppError::Forbidden);
    }
    let zone = zone(state);
    let monday = monday_of(q, zone);
    let store = state.posko.store.as_ref();
    let now = roster::on_duty(store, Timestamp::now())
        .await
        .map_err(AppError::from_store)?
        .iter()
        .map(|s| row(s, zone))
        .collect();
    let officers = store
        .list_users()
        .await
        .map_err(AppError::from_store)?
        .into_iter()
        .filter(|u| u.active && post_officer(u))
        .map(|u| {
            let agency = u
                .agency
                .map(|a| format!(" ({})", a.label()))
                .unwrap_or_default();
            (u.id, format!("{}{agency}", u.display_name))
        })
        .collect();
    let notes = roster::handovers(store, 10)
        .await
        .map_err(AppError::from_store)?
        .into_iter()
        .map(|h| {
            (
                h.at.to_zoned(zone.tz())
                    .strftime("%d-%m-%Y %H:%M")
                    .to_string(),
                h.author_name,
                h.note,
            )
        })
        .collect();
    let t = v.lang.messages();
    let notice = match q.ok.as_deref() {
        Some(_) => t.get("petugas.done").to_string(),
        None => String::new(),
    };
    let step = |days: i64| {
        monday
            .checked_add(jiff::Span::new().days(days))
            .unwrap_or(monday)
            .to_string()
    };
    let tpl = RosterTemplate {
        page: Page::new(state, v, "piket.title", "/petugas/piket"),
        zone: zone.abbreviation().to_string(),
        monday: monday.to_string(),
        prev: step(-7),
        next: step(7),
        days: week_rows(state, v.lang, monday, zone).await?,
        now,
        may_plan: matches!(me.role, Role::Admin | Role::Koordinator),
        agencies: Agency::ALL
            .iter()
            .map(|a| (a.as_str().to_string(), a.label().to_string()))
            .collect(),
        officers,
        notes,
        notice,
        error,
    };
    Ok(Html(tpl.render().map_err(AppError::internal)?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<WeekQuery>,
) -> Result<Response, AppError> {
    page(&state, &v, &q, String::new()).await
}

/// The week on one printable page, for the post's notice board.
pub async fn print(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<WeekQuery>,
) -> Result<Response, AppError> {
    let me = v.require_user("/petugas/piket/cetak")?;
    if !post_officer(me) {
        return Err(AppError::Forbidden);
    }
    let zone = zone(&state);
    let monday = monday_of(&q, zone);
    let sunday = monday
        .checked_add(jiff::Span::new().days(6))
        .unwrap_or(monday);
    let tpl = PrintTemplate {
        page: Page::new(&state, &v, "piket.print_title", "/petugas/piket/cetak"),
        zone: zone.abbreviation().to_string(),
        monday: monday.strftime("%d-%m-%Y").to_string(),
        sunday: sunday.strftime("%d-%m-%Y").to_string(),
        days: week_rows(&state, v.lang, monday, zone).await?,
    };
    Ok(Html(tpl.render().map_err(AppError::internal)?).into_response())
}

fn refusal(v: &Visitor, e: RosterError) -> Result<String, AppError> {
    match e {
        RosterError::Store(s) => Err(AppError::from_store(s)),
        RosterError::Forbidden => Err(AppError::Forbidden),
        other => {
            let text = other.to_string();
            Ok(v.lang.pick(&text))
        }
    }
}

#[derive(Deserialize)]
pub struct ShiftForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    instansi: String,
    #[serde(default)]
    petugas: String,
    #[serde(default)]
    tanggal: String,
    #[serde(default)]
    mulai: String,
    #[serde(default)]
    selesai: String,
}

pub async fn add(
    State(state): State<AppState>,
    v: Visitor,
    Form(f): Form<ShiftForm>,
) -> Result<Response, AppError> {
    v.check_csrf(&state, &f.csrf)?;
    let me = v.require_user("/petugas/piket")?.clone();
    let agency: Agency = f.instansi.parse().map_err(|_| AppError::BadRequest)?;
    let officer: i64 = f.petugas.trim().parse().map_err(|_| AppError::BadRequest)?;
    let day: Date = f.tanggal.trim().parse().map_err(|_| AppError::BadRequest)?;
    let zone = zone(&state);
    let result = async {
        let span = roster::shift_span(
            day,
            roster::parse_time(&f.mulai)?,
            roster::parse_time(&f.selesai)?,
            zone,
        )?;
        roster::add_shift(state.posko.store.as_ref(), &me, agency, officer, span).await
    }
    .await;
    let q = WeekQuery {
        minggu: Some(day.to_string()),
        ok: None,
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/petugas/piket?minggu={day}&ok=1")).into_response()),
        Err(e) => {
            let msg = refusal(&v, e)?;
            page(&state, &v, &q, msg).await
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn delete(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    v.check_csrf(&state, &f.csrf)?;
    let me = v.require_user("/petugas/piket")?.clone();
    match roster::delete_shift(state.posko.store.as_ref(), &me, id).await {
        Ok(()) => Ok(Redirect::to("/petugas/piket?ok=1").into_response()),
        Err(e) => {
            let msg = refusal(&v, e)?;
            page(&state, &v, &WeekQuery::default(), msg).await
        }
    }
}

#[derive(Deserialize)]
pub struct HandoverForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    catatan: String,
}

pub async fn hand_over(
    State(state): State<AppState>,
    v: Visitor,
    Form(f): Form<HandoverForm>,
) -> Result<Response, AppError> {
    v.check_csrf(&state, &f.csrf)?;
    let me = v.require_user("/petugas/piket")?.clone();
    match roster::hand_over(
        state.posko.store.as_ref(),
        &me,
        &f.catatan,
        Timestamp::now(),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/petugas/piket?ok=1").into_response()),
        Err(e) => {
            let msg = refusal(&v, e)?;
            page(&state, &v, &WeekQuery::default(), msg).await
        }
    }
}
