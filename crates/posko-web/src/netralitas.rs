//! Neutrality pages (issue 9, part 4) and the public accountability page (part 5).
//!
//! `/netralitas` shows a region's coverage — per kind, per kecamatan and per unit, with bars made
//! on the server (inline SVG, no script, no inline style so the CSP holds) — the recent
//! briefings, and the forms to record a briefing, a pledge, a unit's headcount and to import a
//! pledge file (CSV/XLSX, all or nothing, every bad row named). `posko_app::netralitas` decides
//! who may do what.
//!
//! `/akuntabilitas` (no login) and `/api/v1/akuntabilitas` publish the anonymised counts of
//! `posko_core::akuntabilitas`: no name, phone, NIK, text or tracking code ever reaches them, and
//! counts under five are shown as "<5". The figures are recomputed at most every 30 seconds per
//! region (a small in-process cache), so the page follows the cases live.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};
use jiff::Timestamp;
use posko_app::netralitas::{self as app, NetralitasError};
use posko_app::register::ImportError;
use posko_core::akuntabilitas::{Cell, Median, PublicFigures};
use posko_core::netralitas::{
    BriefingDraft, Headcount, KindCoverage, OfficialKind, PledgeDraft, Ratio,
};
use posko_core::{Agency, Level, RegionCode, Zone};
use posko_store::User;
use serde::Deserialize;

use crate::error::AppError;
use crate::i18n::Lang;
use crate::lapor::ClientAddr;
use crate::pages::Page;
use crate::visitor::Visitor;
use crate::AppState;

fn render(tpl: &impl Template) -> Result<Response, AppError> {
    Ok(Html(tpl.render().map_err(AppError::internal)?).into_response())
}

fn region_name(state: &AppState, r: &RegionCode) -> String {
    state
        .posko
        .atlas
        .get(r)
        .map(|x| x.name.clone())
        .unwrap_or_else(|| r.to_string())
}

fn kind_label(k: OfficialKind, lang: Lang) -> &'static str {
    let (id, en) = k.label();
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}

/// A ratio as the page shows it: "312 / 340", "91,8 %" and a bar width out of 100.
struct Shown {
    of: String,
    percent: String,
    bar: u64,
    empty: bool,
}

fn shown(r: Ratio, lang: Lang) -> Shown {
    Shown {
        of: format!(
            "{} / {}",
            lang.number(r.numerator),
            lang.number(r.denominator)
        ),
        percent: match lang {
            Lang::Id => r.percent_id(),
            Lang::En => r.percent_en(),
        },
        bar: r.permille().map(|p| p / 10).unwrap_or(0),
        empty: r.denominator == 0,
    }
}

struct KindRow {
    label: &'static str,
    briefed: Shown,
    pledged: Shown,
}

fn kind_rows(
    kinds: &std::collections::BTreeMap<OfficialKind, KindCoverage>,
    lang: Lang,
) -> Vec<KindRow> {
    OfficialKind::ALL
        .iter()
        .map(|k| {
            let c = kinds.get(k).copied().unwrap_or_default();
            KindRow {
                label: kind_label(*k, lang),
                briefed: shown(c.briefed, lang),
                pledged: shown(c.pledged, lang),
            }
        })
        .collect()
}

struct DistrictRow {
    code: String,
    name: String,
    kinds: Vec<KindRow>,
}

struct UnitRow {
    region: String,
    unit: String,
    briefed: Shown,
    pledged: Shown,
}

struct BriefingRow {
    held_on: String,
    region: String,
    agency: &'static str,
    held_by: String,
    unit: String,
    villages: usize,
    attendees: String,
}

#[derive(Template)]
#[template(path = "netralitas.html")]
struct CoverageTemplate {
    page: Page,
    region: String,
    region_name: String,
    totals: Vec<KindRow>,
    kinds: Vec<&'static str>,
    districts: Vec<DistrictRow>,
    units: Vec<UnitRow>,
    uncounted: String,
    briefings: Vec<BriefingRow>,
    agencies: Vec<(&'static str, &'static str)>,
    kind_options: Vec<(&'static str, &'static str)>,
    notice: String,
    error: String,
    problems: Vec<String>,
    today: String,
}

#[derive(Deserialize, Default)]
pub struct RegionQuery {
    wilayah: Option<String>,
    ok: Option<String>,
}

/// The region asked for, else the officer's own, else the post's.
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

#[derive(Default)]
struct Feedback {
    notice: String,
    error: String,
    problems: Vec<String>,
}

async fn coverage_page(
    state: &AppState,
    v: &Visitor,
    asked: Option<&str>,
    fb: Feedback,
) -> Result<Response, AppError> {
    let me = v.require_user("/netralitas")?.clone();
    let region = region_for(state, &me, asked)?;
    let lang = v.lang;
    let c = match app::coverage_for(&state.posko, &me, &region).await {
        Ok(c) => c,
        Err(NetralitasError::Forbidden) => return Err(AppError::Forbidden),
        Err(NetralitasError::Store(e)) => return Err(AppError::from_store(e)),
        Err(_) => return Err(AppError::RegionNotFound),
    };
    let briefings = app::briefings_for(&state.posko, &me, &region)
        .await
        .map_err(|_| AppError::Forbidden)?;
    let msgs = lang.messages();
    let zone = state.posko.atlas.zone(&region).unwrap_or(Zone::Wib);
    let tpl = CoverageTemplate {
        page: Page::new(state, v, "netralitas.title", "/netralitas"),
        region: region.to_string(),
        region_name: region_name(state, &region),
        totals: kind_rows(&c.totals, lang),
        kinds: OfficialKind::ALL
            .iter()
            .map(|k| kind_label(*k, lang))
            .collect(),
        districts: c
            .districts
            .iter()
            .map(|d| DistrictRow {
                code: d.district.map(|x| x.to_string()).unwrap_or_default(),
                name: match d.district {
                    Some(_) => d.name.clone(),
                    None => msgs.get("netralitas.above_district").to_string(),
                },
                kinds: kind_rows(&d.kinds, lang),
            })
            .collect(),
        units: c
            .units
            .iter()
            .map(|u| UnitRow {
                region: u.region.to_string(),
                unit: u.unit.clone(),
                briefed: shown(u.briefed, lang),
                pledged: shown(u.pledged, lang),
            })
            .collect(),
        uncounted: c
            .uncounted
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| format!("{}: {}", kind_label(*k, lang), lang.number(*n)))
            .collect::<Vec<_>>()
            .join(", "),
        briefings: briefings
            .iter()
            .map(|b| {
                let x = &b.briefing;
                let counts = [
                    (OfficialKind::Asn, x.asn),
                    (OfficialKind::Camat, x.camat),
                    (OfficialKind::KepalaDesa, x.kepala_desa),
                    (OfficialKind::PerangkatDesa, x.perangkat_desa),
                ];
                BriefingRow {
                    held_on: x.held_on.to_string(),
                    region: x.region.to_string(),
                    agency: x.held_by_agency.label(),
                    held_by: x.held_by.clone(),
                    unit: x.unit.clone(),
                    villages: x.villages.len(),
                    attendees: counts
                        .iter()
                        .filter(|(_, n)| *n > 0)
                        .map(|(k, n)| format!("{} {}", kind_label(*k, lang), n))
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            })
            .collect(),
        agencies: [
            Agency::Kesbangpol,
            Agency::Pemda,
            Agency::Bkn,
            Agency::Bawaslu,
            Agency::Kpu,
        ]
        .iter()
        .map(|a| (a.as_str(), a.label()))
        .collect(),
        kind_options: OfficialKind::ALL
            .iter()
            .map(|k| (k.as_str(), kind_label(*k, lang)))
            .collect(),
        notice: fb.notice,
        error: fb.error,
        problems: fb.problems,
        today: Timestamp::now().to_zoned(zone.tz()).date().to_string(),
    };
    render(&tpl)
}

/// `GET /netralitas`: coverage of the officer's region (or `?wilayah=`), and the forms.
pub async fn show(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<RegionQuery>,
) -> Result<Response, AppError> {
    let fb = Feedback {
        notice: match q.ok.as_deref() {
            Some("penyuluhan") => v.lang.messages().get("netralitas.briefing_saved").into(),
            _ => String::new(),
        },
        ..Feedback::default()
    };
    coverage_page(&state, &v, q.wilayah.as_deref(), fb).await
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn bad(lang: Lang, id: &str, en: &str) -> Feedback {
    Feedback {
        error: match lang {
            Lang::Id => format!("{id}: isian tidak sah"),
            Lang::En => format!("{en}: not valid"),
        },
        ..Feedback::default()
    }
}

/// A refusal the user can act on becomes a message; the rest are HTTP errors.
fn refusal(e: NetralitasError, lang: Lang) -> Result<Feedback, AppError> {
    match e {
        NetralitasError::Forbidden => Err(AppError::Forbidden),
        NetralitasError::Store(s) => Err(AppError::from_store(s)),
        NetralitasError::Import(ImportError::Rows {
            file,
            problems,
            total,
        }) => {
            let mut lines: Vec<String> =
                problems.iter().map(|p| lang.pick(&p.to_string())).collect();
            if total > problems.len() {
                lines.push(format!("… +{}", total - problems.len()));
            }
            Ok(Feedback {
                error: lang.pick(&format!(
                    "{file}: {total} masalah, tidak ada yang diimpor (problems found, nothing imported)"
                )),
                problems: lines,
                ..Feedback::default()
            })
        }
        other => Ok(Feedback {
            error: lang.pick(&other.to_string()),
            ..Feedback::default()
        }),
    }
}

/// The region the page came from (a hidden field), checked: only a valid code goes back into a
/// URL or a page.
fn back_region(form: &[(String, String)]) -> String {
    parse_region(field(form, "kembali"))
        .map(|r| r.to_string())
        .unwrap_or_default()
}

fn parse_region(text: &str) -> Option<RegionCode> {
    RegionCode::parse(text).ok()
}

fn count(form: &[(String, String)], name: &str) -> Option<u32> {
    let t = field(form, name).trim();
    if t.is_empty() {
        Some(0)
    } else {
        t.parse().ok()
    }
}

/// `POST /netralitas/penyuluhan`: records a briefing.
pub async fn record_briefing(
    State(state): State<AppState>,
    v: Visitor,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    v.check_csrf(&state, field(&form, "csrf"))?;
    let me = v.require_user("/netralitas")?.clone();
    let back = back_region(&form);
    let fb = 'fb: {
        let Some(region) = parse_region(field(&form, "wilayah")) else {
            break 'fb bad(v.lang, "wilayah", "region");
        };
        let Ok(held_on) = field(&form, "tanggal").trim().parse() else {
            break 'fb bad(v.lang, "tanggal", "date");
        };
        let Ok(agency) = field(&form, "instansi").parse::<Agency>() else {
            break 'fb bad(v.lang, "instansi", "agency");
        };
        let mut villages = Vec::new();
        for t in field(&form, "desa")
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .filter(|t| !t.is_empty())
        {
            match parse_region(t) {
                Some(r) => villages.push(r),
                None => break 'fb bad(v.lang, "desa", "villages"),
            }
        }
        let mut attendees = Vec::new();
        for k in OfficialKind::ALL {
            match count(&form, &format!("jumlah_{}", k.as_str())) {
                Some(n) => attendees.push((k, n)),
                None => break 'fb bad(v.lang, "jumlah peserta", "attendees"),
            }
        }
        let draft = BriefingDraft {
            region,
            held_on,
            held_by_agency: agency,
            held_by: field(&form, "pemateri").into(),
            unit: field(&form, "unit").into(),
            villages,
            attendees,
        };
        match app::record_briefing(&state.posko, &me, &draft, Timestamp::now()).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/netralitas?wilayah={back}&ok=penyuluhan"))
                        .into_response(),
                )
            }
            Err(e) => refusal(e, v.lang)?,
        }
    };
    coverage_page(&state, &v, Some(&back), fb).await
}

/// `POST /netralitas/pakta`: records one pledge.
pub async fn record_pledge(
    State(state): State<AppState>,
    v: Visitor,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    v.check_csrf(&state, field(&form, "csrf"))?;
    let me = v.require_user("/netralitas")?.clone();
    let back = back_region(&form);
    let fb = 'fb: {
        let Some(kind) = OfficialKind::parse(field(&form, "jenis")) else {
            break 'fb bad(v.lang, "jenis", "kind");
        };
        let Some(region) = parse_region(field(&form, "wilayah")) else {
            break 'fb bad(v.lang, "wilayah", "region");
        };
        let Ok(signed_on) = app::parse_date(field(&form, "tanggal")) else {
            break 'fb bad(v.lang, "tanggal", "date");
        };
        let draft = PledgeDraft {
            kind,
            id_number: field(&form, "nip").into(),
            name: field(&form, "nama").into(),
            unit: field(&form, "unit").into(),
            region,
            signed_on,
        };
        match app::record_pledge(&state.posko, &me, &draft, Timestamp::now()).await {
            Ok(c) => Feedback {
                notice: format!(
                    "{} {}, {} {}",
                    c.added,
                    v.lang.messages().get("netralitas.pledges_added"),
                    c.already,
                    v.lang.messages().get("netralitas.pledges_already")
                ),
                ..Feedback::default()
            },
            Err(e) => refusal(e, v.lang)?,
        }
    };
    coverage_page(&state, &v, Some(&back), fb).await
}

/// `POST /netralitas/unit`: records or replaces a unit's headcount.
pub async fn record_headcount(
    State(state): State<AppState>,
    v: Visitor,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    v.check_csrf(&state, field(&form, "csrf"))?;
    let me = v.require_user("/netralitas")?.clone();
    let back = back_region(&form);
    let fb = 'fb: {
        let Some(region) = parse_region(field(&form, "wilayah")) else {
            break 'fb bad(v.lang, "wilayah", "region");
        };
        let Some(kind) = OfficialKind::parse(field(&form, "jenis")) else {
            break 'fb bad(v.lang, "jenis", "kind");
        };
        let Ok(headcount) = field(&form, "jumlah").trim().parse::<u64>() else {
            break 'fb bad(v.lang, "jumlah", "headcount");
        };
        let row = Headcount {
            region,
            unit: field(&form, "unit").into(),
            kind,
            headcount,
        };
        match app::record_headcount(&state.posko, &me, &row, Timestamp::now()).await {
            Ok(()) => Feedback {
                notice: v.lang.messages().get("netralitas.headcount_saved").into(),
                ..Feedback::default()
            },
            Err(e) => refusal(e, v.lang)?,
        }
    };
    coverage_page(&state, &v, Some(&back), fb).await
}

/// `POST /netralitas/impor`: a pledge file (CSV or XLSX), imported whole or not at all.
pub async fn import(
    State(state): State<AppState>,
    v: Visitor,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let (mut csrf, mut region_text) = (String::new(), String::new());
    let mut upload: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest)?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "berkas" {
            let filename = field.file_name().unwrap_or("pakta.csv").to_string();
            let bytes = field.bytes().await.map_err(|_| AppError::BadRequest)?;
            upload = Some((filename, bytes.to_vec()));
            continue;
        }
        let value = field.text().await.map_err(|_| AppError::BadRequest)?;
        match name.as_str() {
            "csrf" => csrf = value,
            "wilayah" => region_text = value,
            _ => {}
        }
    }
    v.check_csrf(&state, &csrf)?;
    let me = v.require_user("/netralitas")?.clone();
    let Some(region) = parse_region(&region_text) else {
        let fb = bad(v.lang, "wilayah", "region");
        return coverage_page(&state, &v, None, fb).await;
    };
    let Some((filename, bytes)) = upload.filter(|(_, b)| !b.is_empty()) else {
        let fb = Feedback {
            error: v
                .lang
                .pick("pilih berkas CSV atau XLSX (choose a CSV or XLSX file)"),
            ..Feedback::default()
        };
        return coverage_page(&state, &v, Some(&region_text), fb).await;
    };
    let filename: String = filename
        .chars()
        .filter(|c| c.is_alphanumeric() || "._- ".contains(*c))
        .take(100)
        .collect();
    let ext = std::path::Path::new(&filename)
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .filter(|e| matches!(e.as_str(), "csv" | "txt" | "tsv" | "xlsx" | "xls" | "ods"))
        .unwrap_or_else(|| "csv".into());
    let tmp = tempfile::Builder::new()
        .suffix(&format!(".{ext}"))
        .tempfile()
        .map_err(AppError::internal)?;
    std::fs::write(tmp.path(), &bytes).map_err(AppError::internal)?;
    let fb = match app::import_pledges(
        &state.posko,
        Some(&me),
        &region,
        tmp.path(),
        &filename,
        Timestamp::now(),
    )
    .await
    {
        Ok(r) => Feedback {
            notice: format!(
                "{filename}: {} {}, {} {}",
                r.count.added,
                v.lang.messages().get("netralitas.pledges_added"),
                r.count.already,
                v.lang.messages().get("netralitas.pledges_already")
            ),
            ..Feedback::default()
        },
        Err(e) => refusal(e, v.lang)?,
    };
    coverage_page(&state, &v, Some(&region_text), fb).await
}

// ── the public accountability page ────────────────────────────────────────────────────────────

/// How long published figures are reused.
const CACHE_FOR: Duration = Duration::from_secs(30);

/// Figures with when they were computed.
type Computed = (Timestamp, Arc<PublicFigures>);
type Cache = Mutex<HashMap<(usize, Option<RegionCode>), (Instant, Computed)>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The figures of `region` and when they were computed, recomputed when older than 30 seconds.
/// The public figures of `region`, from the cache while fresh. Only a computation (a miss)
/// counts against the client's allowance: reading cached figures is cheap, working through
/// region after region is not.
async fn figures(
    state: &AppState,
    region: Option<RegionCode>,
    client: std::net::IpAddr,
) -> Result<Computed, AppError> {
    // One cache per store, so two apps in one process never share figures.
    let key = (
        Arc::as_ptr(&state.posko.store) as *const () as usize,
        region,
    );
    if let Ok(c) = cache().lock() {
        if let Some((at, f)) = c.get(&key) {
            if at.elapsed() < CACHE_FOR {
                return Ok(f.clone());
            }
        }
    }
    state
        .limits
        .check_address(client)
        .map_err(AppError::RateLimited)?;
    let f = (
        Timestamp::now(),
        Arc::new(
            app::public_figures(&state.posko, region.as_ref())
                .await
                .map_err(AppError::from_store)?,
        ),
    );
    if let Ok(mut c) = cache().lock() {
        c.retain(|_, (at, _)| at.elapsed() < CACHE_FOR);
        c.insert(key, (Instant::now(), f.clone()));
    }
    Ok(f)
}

/// The region of the public page: the one asked for, else the post's, else (`None`) the
/// whole country. Figures are published for the country, provinces and regencies only: a
/// district or village gets its regency's page. Pages of every nested level would each hide
/// their own small cells, and a visible count on one minus the visible ones on another could
/// give a hidden one back; fixed levels keep that to the rows of one page.
fn public_region(state: &AppState, asked: Option<&str>) -> Result<Option<RegionCode>, AppError> {
    let region = match asked.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => {
            let r = RegionCode::parse(s).map_err(|_| AppError::RegionNotFound)?;
            if !state.posko.atlas.contains(&r) {
                return Err(AppError::RegionNotFound);
            }
            Some(r)
        }
        None => state.posko.post_region(),
    };
    Ok(region.map(|r| r.ancestor_at(Level::Regency).unwrap_or(r)))
}

struct TableView {
    id: &'static str,
    caption: String,
    corner: String,
    columns: Vec<String>,
    rows: Vec<(String, Vec<String>, String)>,
    totals: Vec<String>,
    total: String,
}

fn view(
    id: &'static str,
    caption: String,
    corner: String,
    t: &posko_core::akuntabilitas::Table,
    row_label: impl Fn(&str) -> String,
    col_label: impl Fn(&str) -> String,
) -> TableView {
    TableView {
        id,
        caption,
        corner,
        columns: t.columns.iter().map(|c| col_label(c)).collect(),
        rows: t
            .rows
            .iter()
            .zip(&t.cells)
            .zip(&t.row_totals)
            .map(|((r, cells), total)| {
                (
                    row_label(r),
                    cells.iter().map(Cell::text).collect(),
                    total.text(),
                )
            })
            .collect(),
        totals: t.column_totals.iter().map(Cell::text).collect(),
        total: t.total.text(),
    }
}

#[derive(Template)]
#[template(path = "akuntabilitas.html")]
struct PublicTemplate {
    page: Page,
    region: String,
    region_name: String,
    tables: Vec<TableView>,
    medians: Vec<(String, String)>,
    overall: String,
    updated: String,
}

/// `GET /akuntabilitas`: the public figures, no login.
pub async fn public_page(
    State(state): State<AppState>,
    v: Visitor,
    ClientAddr(ip): ClientAddr,
    Query(q): Query<RegionQuery>,
) -> Result<Response, AppError> {
    let region = public_region(&state, q.wilayah.as_deref())?;
    let lang = v.lang;
    let msgs = lang.messages();
    let path = match &region {
        Some(r) => format!("/akuntabilitas?wilayah={r}"),
        None => "/akuntabilitas".into(),
    };
    let mut page = Page::new(&state, &v, "akuntabilitas.title", &path);
    // Nothing of the officers' console on the public page.
    page.unread = 0;
    let (computed_at, f) = figures(&state, region, ip).await?;
    let zone = region
        .and_then(|r| state.posko.atlas.zone(&r))
        .unwrap_or(Zone::Wib);
    let updated = format!(
        "{} {}",
        computed_at
            .to_zoned(zone.tz())
            .strftime("%Y-%m-%d %H:%M:%S"),
        zone.abbreviation()
    );
    // Row labels: the districts of the region, or the provinces.
    let names: HashMap<String, String> = f
        .by_district
        .rows
        .iter()
        .filter_map(|r| {
            let code = RegionCode::parse(r).ok()?;
            Some((r.clone(), state.posko.atlas.get(&code)?.name.clone()))
        })
        .collect();
    let cat = |c: &str| msgs.get(&format!("kategori.{c}")).to_string();
    let tables = vec![
        view(
            "tabel-wilayah",
            msgs.get("akuntabilitas.by_district").into(),
            msgs.get("akuntabilitas.district").into(),
            &f.by_district,
            |r| {
                names
                    .get(r)
                    .cloned()
                    .unwrap_or_else(|| msgs.get("akuntabilitas.other").into())
            },
            cat,
        ),
        view(
            "tabel-instansi",
            msgs.get("akuntabilitas.by_agency").into(),
            msgs.get("akuntabilitas.agency").into(),
            &f.by_agency,
            |r| {
                r.parse::<Agency>()
                    .map(|a| a.label().to_string())
                    .unwrap_or_else(|_| r.to_string())
            },
            |c| msgs.get(&format!("akuntabilitas.stage_{c}")).to_string(),
        ),
        view(
            "tabel-putusan",
            msgs.get("akuntabilitas.outcomes").into(),
            msgs.get("akuntabilitas.category").into(),
            &f.outcomes,
            cat,
            |c| msgs.get(&format!("akuntabilitas.d_{c}")).to_string(),
        ),
    ];
    let en = lang == Lang::En;
    let tpl = PublicTemplate {
        page,
        region: region.map(|r| r.to_string()).unwrap_or_default(),
        region_name: match region {
            Some(r) => region_name(&state, &r),
            None => "Indonesia".into(),
        },
        medians: f
            .time_to_resolution
            .iter()
            .map(|(c, m)| (cat(c), m.text(en)))
            .collect(),
        overall: f.time_overall.text(en),
        updated,
        tables,
    };
    // The page is in the visitor's language (a cookie): no shared or browser cache may keep it,
    // or a language switch would show the old page. The figures themselves are cached above.
    render(&tpl)
}

fn cell_json(c: &Cell) -> serde_json::Value {
    match c {
        Cell::Count(n) => serde_json::json!(n),
        other => serde_json::json!(other.text()),
    }
}

fn table_json(t: &posko_core::akuntabilitas::Table) -> serde_json::Value {
    serde_json::json!({
        "rows": t.rows,
        "columns": t.columns,
        "cells": t.cells.iter().map(|r| r.iter().map(cell_json).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "row_totals": t.row_totals.iter().map(cell_json).collect::<Vec<_>>(),
        "column_totals": t.column_totals.iter().map(cell_json).collect::<Vec<_>>(),
        "total": cell_json(&t.total),
    })
}

fn median_json(m: &Median) -> serde_json::Value {
    match m {
        Median::Hours(h) => serde_json::json!((h * 10.0).round() / 10.0),
        Median::Small => serde_json::json!("<5"),
    }
}

/// `GET /api/v1/akuntabilitas?wilayah=33.20`: the same figures as JSON (without `wilayah`: the
/// post's region, or the whole country by province). A count is a number, or
/// the text "<5" (fewer than five) or "•" (withheld so a "<5" cannot be worked out).
pub async fn public_json(
    State(state): State<AppState>,
    ClientAddr(ip): ClientAddr,
    Query(q): Query<RegionQuery>,
) -> Result<Response, AppError> {
    let region = public_region(&state, q.wilayah.as_deref())?;
    let (computed_at, f) = figures(&state, region, ip).await?;
    let body = serde_json::json!({
        "region": region.map(|r| r.to_string()),
        "computed_at": computed_at.to_string(),
        "by_district": table_json(&f.by_district),
        "by_agency": table_json(&f.by_agency),
        "outcomes": table_json(&f.outcomes),
        "median_hours_to_resolution": f.time_to_resolution.iter()
            .map(|(c, m)| (c.clone(), median_json(m)))
            .collect::<serde_json::Map<_, _>>(),
        "median_hours_overall": median_json(&f.time_overall),
    });
    Ok(([(header::CACHE_CONTROL, "public, max-age=30")], Json(body)).into_response())
}
