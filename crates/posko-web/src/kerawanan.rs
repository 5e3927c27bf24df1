//! The coordinator's vulnerability and security pages (issue 6): regions by IKP category (list
//! and grid, computed beside published), a region's score explained with an SVG chart made here,
//! early-warning alerts, TPS rawan entry per village, the deployment table per district with its
//! what-if and exports, and the assignment list per Polsek.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use posko_app::vulnerability as vul;
use posko_core::deploy::{TpsCategory, RAWAN_INDICATORS};
use posko_core::ikp::{Category, Model};
use posko_core::{Level, RegionCode, Role, TpsId};
use posko_store::User;
use serde::Deserialize;

use crate::error::AppError;
use crate::pages::Page;
use crate::visitor::Visitor;
use crate::AppState;

fn region_of(state: &AppState, text: &str) -> Result<RegionCode, AppError> {
    RegionCode::parse(text)
        .ok()
        .filter(|c| state.posko.atlas.contains(c))
        .ok_or(AppError::RegionNotFound)
}

fn cat_class(c: Category) -> &'static str {
    match c {
        Category::Rendah => "kat-rendah",
        Category::Sedang => "kat-sedang",
        Category::Tinggi => "kat-tinggi",
    }
}

struct RegionRow {
    code: String,
    name: String,
    score: String,
    rank: String,
    category: String,
    class: &'static str,
    published: String,
    problem: String,
}

#[derive(Deserialize, Default)]
pub struct RegionQuery {
    wilayah: Option<String>,
    pemilihan: Option<String>,
}

#[derive(Template)]
#[template(path = "kerawanan.html")]
struct OverviewTemplate {
    page: Page,
    code: String,
    name: String,
    level_key: String,
    rows: Vec<RegionRow>,
    alerts: Vec<String>,
    /// (district, name, kurang rawan, rawan, sangat rawan)
    rawan: Vec<(String, String, u32, u32, u32)>,
    election: String,
    tps_level: bool,
    /// An SVG map from imported outlines, or empty.
    map: String,
}

/// `/kerawanan`: the officer's own region by default.
pub async fn overview(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<RegionQuery>,
) -> Result<Response, AppError> {
    let me = v.require_user("/kerawanan")?;
    let code = match q.wilayah.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(t) => region_of(&state, t.trim())?,
        None => me
            .region
            .or_else(|| state.posko.post_region())
            .ok_or(AppError::RegionNotFound)
            .or_else(|_| region_of(&state, "33"))?,
    };
    v.require_user_in("/kerawanan", &code)?;
    let election = state.election_id(q.pemilihan.as_deref());
    let region = state
        .posko
        .atlas
        .get(&code)
        .ok_or(AppError::RegionNotFound)?;
    // IKP is computed for provinces and for regencies and cities: show the level below a
    // province, or the region itself.
    let level = match code.level() {
        Level::Province => Level::Regency,
        other => other,
    };
    let list = vul::vulnerability_list(&state.posko, Some(&code), level)
        .await
        .map_err(AppError::from_store)?;
    let rows: Vec<RegionRow> = list
        .into_iter()
        .filter(|r| code.contains(&r.region))
        .map(|r| {
            let (score, rank, category, class) = match &r.computed {
                Some((s, rank, c)) => (
                    format!("{:.2}", s.index),
                    rank.to_string(),
                    c.label().to_string(),
                    cat_class(*c),
                ),
                None => (String::new(), String::new(), String::new(), "kat-none"),
            };
            let published = r
                .published
                .iter()
                .map(|p| format!("{:.2} {} ({})", p.score, p.category.as_str(), p.index))
                .collect::<Vec<_>>()
                .join("; ");
            RegionRow {
                code: r.region.to_string(),
                name: r.name,
                score,
                rank,
                category,
                class,
                published,
                problem: r.problem.unwrap_or_default(),
            }
        })
        .collect();
    // The map, when outlines of these regions were imported (`posko ikp peta`).
    let map_regions: Vec<(RegionCode, String, String, String)> = rows
        .iter()
        .filter_map(|r: &RegionRow| {
            let code = RegionCode::parse(&r.code).ok()?;
            Some((
                code,
                r.class.to_string(),
                format!("/kerawanan/penjelasan/{}", r.code),
                format!("{} {}", r.name, r.score),
            ))
        })
        .collect();
    let map = vul::map_svg(&state.posko, &code, &map_regions)
        .await
        .map_err(AppError::from_store)?;
    let alerts = vul::early_warning(
        &state.posko,
        &code,
        &state.posko.config.peringatan_dini,
        jiff::Timestamp::now(),
    )
    .await
    .map_err(AppError::from_store)?
    .into_iter()
    .map(|a| a.explanation)
    .collect();
    // TPS rawan counts per district, for a regency or a district (a province is too wide to
    // walk TPS by TPS on a page).
    let tps_level = matches!(code.level(), Level::Regency | Level::District);
    let mut rawan = Vec::new();
    if tps_level {
        let tps = vul::categorised_tps(&state.posko, &election, &code, &HashMap::new())
            .await
            .map_err(AppError::from_store)?;
        for d in state
            .posko
            .atlas
            .subtree(&code)
            .iter()
            .filter(|r| r.level() == Level::District)
        {
            let mut c = [0u32; 3];
            for (id, k) in &tps {
                if d.code.contains(&id.village) {
                    c[*k as usize] += 1;
                }
            }
            if c.iter().sum::<u32>() > 0 {
                rawan.push((d.code.to_string(), d.name.clone(), c[0], c[1], c[2]));
            }
        }
    }
    let tpl = OverviewTemplate {
        page: Page::new(&state, &v, "kerawanan.title", "/kerawanan"),
        code: code.to_string(),
        name: region.name.clone(),
        level_key: format!("level.{}", level_key(level)),
        rows,
        alerts,
        rawan,
        election,
        tps_level,
        map,
    };
    Ok(Html(tpl.render().map_err(AppError::internal)?).into_response())
}

fn level_key(l: Level) -> &'static str {
    match l {
        Level::Province => "province",
        Level::Regency => "regency",
        Level::District => "district",
        Level::Village => "village",
    }
}

/// A horizontal bar chart as SVG: one bar per (label, value 0–100).
fn bars_svg(title: &str, bars: &[(String, f64)]) -> String {
    let row = 26.0;
    let height = row * bars.len() as f64 + 10.0;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 {height}\" width=\"100%\" role=\"img\" aria-label=\"{}\">",
        escape(title)
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = 5.0 + row * i as f64;
        let w = (value.clamp(0.0, 100.0) / 100.0) * 380.0;
        out.push_str(&format!(
            "<text x=\"0\" y=\"{:.1}\" font-size=\"13\">{}</text><rect x=\"230\" y=\"{:.1}\" width=\"{w:.1}\" height=\"16\" fill=\"#1d4ed8\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\">{value:.2}</text>",
            y + 13.0,
            escape(label),
            y + 1.0,
            236.0 + w,
            y + 13.0
        ));
    }
    out.push_str("</svg>");
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[derive(Template)]
#[template(path = "kerawanan_penjelasan.html")]
struct ExplainTemplate {
    page: Page,
    code: String,
    name: String,
    score: String,
    category: String,
    chart: String,
    drivers: Vec<(String, String, String)>,
    published: Vec<(String, String, String, String)>,
    problem: String,
}

/// `/kerawanan/penjelasan/{code}`: which dimensions and indicators drove a region's score.
pub async fn explain(
    State(state): State<AppState>,
    v: Visitor,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let region = region_of(&state, &code)?;
    let path = format!("/kerawanan/penjelasan/{region}");
    v.require_user_in(&path, &region)?;
    let level = region.level();
    let list = vul::vulnerability_list(&state.posko, Some(&region), level)
        .await
        .map_err(AppError::from_store)?;
    let r = list
        .into_iter()
        .find(|r| r.region == region)
        .ok_or(AppError::NotFound)?;
    let model = Model::shipped();
    let (score, category, chart, drivers) = match &r.computed {
        Some((s, rank, c)) => {
            let names: HashMap<&str, &str> = model
                .dimensions
                .iter()
                .map(|d| (d.id.as_str(), d.name.as_str()))
                .collect();
            let bars: Vec<(String, f64)> = s
                .dimensions
                .iter()
                .map(|(id, v)| {
                    (
                        names.get(id.as_str()).unwrap_or(&id.as_str()).to_string(),
                        *v,
                    )
                })
                .collect();
            (
                format!("{:.2} (#{rank})", s.index),
                c.label().to_string(),
                bars_svg(&r.name, &bars),
                s.drivers(0.8, 8)
                    .iter()
                    .map(|d| {
                        (
                            d.name.clone(),
                            format!("{:.2}", d.value),
                            format!("{:.2}", d.points),
                        )
                    })
                    .collect(),
            )
        }
        None => (String::new(), String::new(), String::new(), Vec::new()),
    };
    let tpl = ExplainTemplate {
        page: Page::new(&state, &v, "kerawanan.explain_title", &path),
        code: region.to_string(),
        name: r.name.clone(),
        score,
        category,
        chart,
        drivers,
        published: r
            .published
            .iter()
            .map(|p| {
                (
                    p.index.clone(),
                    format!("{:.2}", p.score),
                    p.category.label().to_string(),
                    p.note.clone(),
                )
            })
            .collect(),
        problem: r.problem.unwrap_or_default(),
    };
    Ok(Html(tpl.render().map_err(AppError::internal)?).into_response())
}

#[derive(Deserialize, Default)]
pub struct PlanQuery {
    pemilihan: Option<String>,
    /// `csv` or `xlsx` for a download.
    format: Option<String>,
    /// What-if: lines of `village/number=category`.
    andaikan: Option<String>,
}

fn what_if(text: &str) -> (HashMap<TpsId, TpsCategory>, Vec<String>) {
    let mut out = HashMap::new();
    let mut bad = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parsed = line
            .split_once('=')
            .and_then(|(tps, cat)| Some((TpsId::parse(tps).ok()?, TpsCategory::parse(cat)?)));
        match parsed {
            Some((id, c)) => {
                out.insert(id, c);
            }
            None => bad.push(line.to_string()),
        }
    }
    (out, bad)
}

struct PlanRow {
    code: String,
    name: String,
    counts: [u32; 3],
    police: u32,
    linmas: u32,
    available: u32,
    shortfall: u32,
}

#[derive(Template)]
#[template(path = "pengamanan.html")]
struct PlanTemplate {
    page: Page,
    code: String,
    name: String,
    election: String,
    pattern: String,
    rows: Vec<PlanRow>,
    totals: PlanRow,
    andaikan: String,
    bad_lines: Vec<String>,
}

/// `/pengamanan/{code}`: the deployment table per district, with what-if and exports.
pub async fn plan(
    State(state): State<AppState>,
    v: Visitor,
    Path(code): Path<String>,
    Query(q): Query<PlanQuery>,
) -> Result<Response, AppError> {
    let region = region_of(&state, &code)?;
    let path = format!("/pengamanan/{region}");
    v.require_user_in(&path, &region)?;
    if !matches!(region.level(), Level::Regency | Level::District) {
        return Err(AppError::BadRequest);
    }
    let election = state.election_id(q.pemilihan.as_deref());
    let pattern = state.posko.config.pola_pengamanan.clone();
    let andaikan = q.andaikan.clone().unwrap_or_default();
    let (overrides, bad_lines) = what_if(&andaikan);
    let plans = vul::deployment(&state.posko, &election, &region, &pattern, &overrides)
        .await
        .map_err(AppError::from_store)?;
    let rows: Vec<PlanRow> = plans
        .iter()
        .map(|p| PlanRow {
            code: p.district.to_string(),
            name: p.name.clone(),
            counts: [
                p.counts
                    .get(&TpsCategory::KurangRawan)
                    .copied()
                    .unwrap_or(0),
                p.counts.get(&TpsCategory::Rawan).copied().unwrap_or(0),
                p.counts
                    .get(&TpsCategory::SangatRawan)
                    .copied()
                    .unwrap_or(0),
            ],
            police: p.need.police,
            linmas: p.need.linmas,
            available: p.police.available,
            shortfall: p.police.shortfall,
        })
        .collect();
    let mut totals = PlanRow {
        code: String::new(),
        name: "Jumlah".into(),
        counts: [0; 3],
        police: 0,
        linmas: 0,
        available: 0,
        shortfall: 0,
    };
    for r in &rows {
        for i in 0..3 {
            totals.counts[i] += r.counts[i];
        }
        totals.police += r.police;
        totals.linmas += r.linmas;
        totals.available += r.available;
        totals.shortfall += r.shortfall;
    }
    let header = [
        "kode_kecamatan",
        "kecamatan",
        "tps_kurang_rawan",
        "tps_rawan",
        "tps_sangat_rawan",
        "kebutuhan_polri",
        "kebutuhan_linmas",
        "personel_polsek",
        "kekurangan",
    ];
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.code.clone(),
                r.name.clone(),
                r.counts[0].to_string(),
                r.counts[1].to_string(),
                r.counts[2].to_string(),
                r.police.to_string(),
                r.linmas.to_string(),
                r.available.to_string(),
                r.shortfall.to_string(),
            ]
        })
        .collect();
    if let Some(f) = q.format.as_deref() {
        return export(f, &format!("pengamanan-{region}"), &header, &table);
    }
    let name = state
        .posko
        .atlas
        .get(&region)
        .map(|r| r.name.clone())
        .unwrap_or_default();
    let tpl = PlanTemplate {
        page: Page::new(&state, &v, "pengamanan.title", &path),
        code: region.to_string(),
        name,
        election,
        pattern: pattern.name,
        rows,
        totals,
        andaikan,
        bad_lines,
    };
    Ok(Html(tpl.render().map_err(AppError::internal)?).into_response())
}

/// A table as a CSV or XLSX download.
fn export(
    format: &str,
    stem: &str,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<Response, AppError> {
    match format {
        "csv" => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(header).map_err(AppError::internal)?;
            for r in rows {
                w.write_record(r).map_err(AppError::internal)?;
            }
            let bytes = w
                .into_inner()
                .map_err(|e| AppError::internal(e.into_error()))?;
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{stem}.csv\""),
                    ),
                ],
                bytes,
            )
                .into_response())
        }
        "xlsx" => {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            for (c, h) in header.iter().enumerate() {
                sheet
                    .write_string(0, c as u16, *h)
                    .map_err(AppError::internal)?;
            }
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    let (rr, cc) = (r as u32 + 1, c as u16);
                    // Counts are numbers in the sheet, so planners can sum them.
                    match cell.parse::<f64>() {
                        Ok(n) if c >= 2 => sheet.write_number(rr, cc, n),
                        _ => sheet.write_string(rr, cc, cell),
                    }
                    .map_err(AppError::internal)?;
                }
            }
            let bytes = book.save_to_buffer().map_err(AppError::internal)?;
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            .to_string(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{stem}.xlsx\""),
                    ),
                ],
                bytes,
            )
                .into_response())
        }
        _ => Err(AppError::BadRequest),
    }
}

#[derive(Template)]
#[template(path = "penugasan.html")]
struct AssignTemplate {
    page: Page,
    code: String,
    name: String,
    election: String,
    /// (post number, category key, TPS list, needed, assigned)
    posts: Vec<(usize, String, String, u32, u32)>,
}

/// `/pengamanan/{district}/penugasan`: the Polsek's assignment list (page, CSV, XLSX, print).
pub async fn assignment(
    State(state): State<AppState>,
    v: Visitor,
    Path(code): Path<String>,
    Query(q): Query<PlanQuery>,
) -> Result<Response, AppError> {
    let district = region_of(&state, &code)?;
    let path = format!("/pengamanan/{district}/penugasan");
    v.require_user_in(&path, &district)?;
    if district.level() != Level::District {
        return Err(AppError::BadRequest);
    }
    let election = state.election_id(q.pemilihan.as_deref());
    let posts = vul::assignment(
        &state.posko,
        &election,
        &district,
        &state.posko.config.pola_pengamanan.clone(),
    )
    .await
    .map_err(AppError::from_store)?;
    let rows: Vec<(usize, String, String, u32, u32)> = posts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                i + 1,
                format!("tpskat.{}", p.category.as_str()),
                p.tps
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                p.police_needed,
                p.police_assigned,
            )
        })
        .collect();
    if let Some(f) = q.format.as_deref() {
        let table: Vec<Vec<String>> = posts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                vec![
                    (i + 1).to_string(),
                    p.category.as_str().to_string(),
                    p.tps
                        .iter()
                        .map(|t| t.to_string())
                        .collect::<Vec<_>>()
                        .join(" "),
                    p.police_needed.to_string(),
                    p.police_assigned.to_string(),
                ]
            })
            .collect();
        return export(
            f,
            &format!("penugasan-{district}"),
            &[
                "pos",
                "kategori",
                "tps",
                "polri_dibutuhkan",
                "polri_ditugaskan",
            ],
            &table,
        );
    }
    let tpl = AssignTemplate {
        page: Page::new(&state, &v, "pengamanan.assign_title", &path),
        code: district.to_string(),
        name: state
            .posko
            .atlas
            .get(&district)
            .map(|r| r.name.clone())
            .unwrap_or_default(),
        election,
        posts: rows,
    };
    Ok(Html(tpl.render().map_err(AppError::internal)?).into_response())
}

#[derive(Template)]
#[template(path = "kerawanan_tps.html")]
struct TpsTemplate {
    page: Page,
    code: String,
    name: String,
    election: String,
    /// (number, indicators present, category key)
    tps: Vec<(String, Vec<String>, String)>,
    indicators: Vec<(&'static str, &'static str)>,
    may_edit: bool,
}

fn may_record(u: &User) -> bool {
    matches!(
        u.role,
        Role::Admin | Role::Koordinator | Role::OperatorWilayah | Role::PetugasPiket
    )
}

/// `/kerawanan/tps/{village}`: the TPS rawan indicators of a village's TPS, and the form PPS
/// and supervisors fill in.
pub async fn village_tps(
    State(state): State<AppState>,
    v: Visitor,
    Path(code): Path<String>,
    Query(q): Query<RegionQuery>,
) -> Result<Response, AppError> {
    let village = region_of(&state, &code)?;
    let path = format!("/kerawanan/tps/{village}");
    let me = v.require_user_in(&path, &village)?.clone();
    if village.level() != Level::Village {
        return Err(AppError::BadRequest);
    }
    let election = state.election_id(q.pemilihan.as_deref());
    let store = state.posko.store.as_ref();
    let present: HashMap<TpsId, Vec<String>> = store
        .tps_rawan(&election, &village)
        .await
        .map_err(AppError::from_store)?
        .into_iter()
        .filter_map(|r| Some((TpsId::new(r.village, r.number).ok()?, r.indicators)))
        .collect();
    let rule = state.posko.config.tps_rawan.clone();
    let tps = store
        .tps_in_village(&election, &village)
        .await
        .map_err(AppError::from_store)?
        .into_iter()
        .map(|t| {
            let ids = present.get(&t.id).cloned().unwrap_or_default();
            let cat = rule.categorise(ids.iter().map(String::as_str));
            (
                t.id.number.to_string(),
                ids,
                format!("tpskat.{}", cat.as_str()),
            )
        })
        .collect();
    let tpl = TpsTemplate {
        page: Page::new(&state, &v, "kerawanan.tps_title", &path),
        code: village.to_string(),
        name: state
            .posko
            .atlas
            .get(&village)
            .map(|r| r.name.clone())
            .unwrap_or_default(),
        election,
        tps,
        indicators: RAWAN_INDICATORS.iter().map(|i| (i.id, i.name)).collect(),
        may_edit: may_record(&me),
    };
    Ok(Html(tpl.render().map_err(AppError::internal)?).into_response())
}

/// The form posts `csrf`, `pemilihan`, `tps` and one `i` per ticked indicator; a form body can
/// repeat a field, which serde's map forms cannot, so it is read as pairs.
pub async fn record_tps(
    State(state): State<AppState>,
    v: Visitor,
    Path(code): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let field = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    v.check_csrf(&state, &field("csrf"))?;
    let village = region_of(&state, &code)?;
    let path = format!("/kerawanan/tps/{village}");
    let me = v.require_user_in(&path, &village)?.clone();
    if !may_record(&me) {
        return Err(AppError::Forbidden);
    }
    let election = state.election_id(Some(&field("pemilihan")));
    let id = vul::tps_id(&village.to_string(), &field("tps")).ok_or(AppError::BadRequest)?;
    let ids: Vec<String> = pairs
        .iter()
        .filter(|(n, _)| n == "i")
        .map(|(_, v)| v.clone())
        .collect();
    match vul::set_tps_rawan(&state.posko, me.id, &election, id, ids).await {
        Ok(_) => Ok(Redirect::to(&format!("{path}?pemilihan={election}")).into_response()),
        Err(vul::RawanError::Store(e)) => Err(AppError::from_store(e)),
        Err(_) => Err(AppError::BadRequest),
    }
}
