//! Turnout and result forms (issue 8): a region's turnout per ballot type against the target and
//! the previous election, a bar chart (SVG made here) and a table of its child regions for the
//! drill-down, the flagged forms by severity, the XLSX export, the upload of result forms or of
//! a previous election's forms, and `POST /api/v1/results` for partner systems.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use jiff::Timestamp;
use posko_app::results::{self as res, ResultsError, TurnoutView};
use posko_core::results::{ByList, Papers, ResultForm, Severity};
use posko_core::{BallotType, RegionCode, Role, TpsId};
use posko_store::User;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::i18n::Lang;
use crate::pages::Page;
use crate::visitor::Visitor;
use crate::AppState;

fn may_import(u: &User) -> bool {
    matches!(
        u.role,
        Role::Admin | Role::Koordinator | Role::OperatorWilayah
    )
}

/// A percentage from basis points, with the language's decimal mark.
fn pct(lang: Lang, bp: Option<u32>) -> String {
    match bp {
        None => "–".into(),
        Some(b) => {
            let s = format!("{}.{:02}", b / 100, b % 100);
            match lang {
                Lang::Id => s.replace('.', ","),
                Lang::En => s,
            }
        }
    }
}

/// A difference in percentage points from basis points, signed.
fn diff(lang: Lang, bp: Option<i64>) -> String {
    match bp {
        None => "–".into(),
        Some(d) => {
            let sign = if d < 0 { "−" } else { "+" };
            let a = d.unsigned_abs();
            let s = format!("{sign}{}.{:02}", a / 100, a % 100);
            match lang {
                Lang::Id => s.replace('.', ","),
                Lang::En => s,
            }
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Horizontal bars of turnout, 0–100 %, with the target as a dashed line: the same picture on
/// screen, in print and in a briefing.
pub fn chart(bars: &[(String, Option<u32>)], target: Option<u32>, lang: Lang) -> String {
    const LABEL: u32 = 190;
    const WIDTH: u32 = 420;
    const ROW: u32 = 22;
    let height = ROW * bars.len() as u32 + 24;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {height}\" width=\"100%\" \
         role=\"img\" aria-label=\"{label}\" class=\"chart\" id=\"grafik-partisipasi\">",
        w = LABEL + WIDTH + 70,
        label = match lang {
            Lang::Id => "Partisipasi per wilayah",
            Lang::En => "Turnout per region",
        }
    );
    for (i, (name, bp)) in bars.iter().enumerate() {
        let y = i as u32 * ROW + 4;
        let w = bp.map_or(0, |b| b.min(10_000) * WIDTH / 10_000);
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text>\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{w}\" height=\"{}\" fill=\"#2f6f9f\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
            LABEL - 6,
            y + 13,
            escape(name),
            ROW - 6,
            LABEL + w + 4,
            y + 13,
            pct(lang, *bp),
        ));
    }
    if let Some(t) = target {
        let x = LABEL + t.min(10_000) * WIDTH / 10_000;
        s.push_str(&format!(
            "<line x1=\"{x}\" y1=\"0\" x2=\"{x}\" y2=\"{}\" stroke=\"#b22\" stroke-dasharray=\"4 3\"/>\
             <text x=\"{x}\" y=\"{}\" font-size=\"11\" fill=\"#b22\">{} {}</text>",
            height - 16,
            height - 4,
            match lang {
                Lang::Id => "target",
                Lang::En => "target",
            },
            pct(lang, Some(t))
        ));
    }
    s.push_str("</svg>");
    s
}

#[derive(Deserialize, Default)]
pub struct ViewQuery {
    pemilihan: Option<String>,
    jenis: Option<String>,
    format: Option<String>,
}

struct BallotRow {
    label: String,
    forms: u64,
    registered: u64,
    voted: u64,
    valid: u64,
    invalid: u64,
    turnout: String,
    target: String,
    vs_target: String,
    previous: String,
    vs_previous: String,
}

struct ChildRow {
    code: String,
    name: String,
    cells: Vec<String>,
}

struct FlagRow {
    code: &'static str,
    severity: &'static str,
    tps: String,
    ballot: &'static str,
    message: String,
}

struct FlagGroup {
    title_key: &'static str,
    id: &'static str,
    total: usize,
    /// The first 500; the XLSX has them all.
    rows: Vec<FlagRow>,
}

#[derive(Template)]
#[template(path = "partisipasi.html")]
struct TurnoutTemplate {
    page: Page,
    code: String,
    name: String,
    parent: Option<String>,
    election: String,
    forms: usize,
    previous_label: String,
    ballots: Vec<BallotRow>,
    ballot_choices: Vec<(String, String, bool)>,
    child_heads: Vec<String>,
    children: Vec<ChildRow>,
    chart: String,
    groups: Vec<FlagGroup>,
    may_import: bool,
    notice: String,
}

fn ballot_rows(lang: Lang, view: &TurnoutView) -> Vec<BallotRow> {
    view.ballots
        .iter()
        .map(|l| BallotRow {
            label: l.ballot.label().to_string(),
            forms: l.tally.forms,
            registered: l.tally.registered(),
            voted: l.tally.voted(),
            valid: l.tally.valid,
            invalid: l.tally.invalid,
            turnout: pct(lang, l.comparison.turnout_bp),
            target: pct(lang, l.comparison.target_bp),
            vs_target: diff(lang, l.comparison.against_target()),
            previous: pct(lang, l.comparison.previous_bp),
            vs_previous: diff(lang, l.comparison.against_previous()),
        })
        .collect()
}

fn region_of(state: &AppState, code: &str) -> Result<RegionCode, AppError> {
    RegionCode::parse(code)
        .ok()
        .filter(|c| state.posko.atlas.contains(c))
        .ok_or(AppError::RegionNotFound)
}

fn from_results(e: ResultsError) -> AppError {
    match e {
        ResultsError::Store(s) => AppError::from_store(s),
        ResultsError::UnknownElection(_) => AppError::NotFound,
        _ => AppError::BadRequest,
    }
}

async fn render(
    state: &AppState,
    v: &Visitor,
    code: &str,
    q: &ViewQuery,
    notice: String,
) -> Result<Response, AppError> {
    let region = region_of(state, code)?;
    let path = format!("/partisipasi/{region}");
    let me = v.require_user_in(&path, &region)?.clone();
    let election_id = state.election_id(q.pemilihan.as_deref());
    let election = state
        .posko
        .elections
        .get(&election_id)
        .ok_or(AppError::NotFound)?
        .clone();
    let view = res::turnout(&state.posko, &election_id, &region)
        .await
        .map_err(from_results)?;
    if q.format.as_deref() == Some("xlsx") {
        return xlsx(&view);
    }
    let lang = v.lang;
    let chosen = q
        .jenis
        .as_deref()
        .and_then(BallotType::parse)
        .filter(|b| election.ballots.contains(b))
        .or_else(|| election.ballots.first().copied())
        .unwrap_or(BallotType::Ppwp);
    let bars: Vec<(String, Option<u32>)> = view
        .children
        .iter()
        .map(|c| {
            let bp = c
                .lines
                .iter()
                .find(|l| l.ballot == chosen)
                .and_then(|l| l.comparison.turnout_bp);
            (c.name.clone(), bp)
        })
        .collect();
    let children = view
        .children
        .iter()
        .map(|c| ChildRow {
            code: c.code.to_string(),
            name: c.name.clone(),
            cells: election
                .ballots
                .iter()
                .map(|b| {
                    pct(
                        lang,
                        c.lines
                            .iter()
                            .find(|l| l.ballot == *b)
                            .and_then(|l| l.comparison.turnout_bp),
                    )
                })
                .collect(),
        })
        .collect();
    let flag = |f: &posko_core::results::Finding| FlagRow {
        code: f.code.as_str(),
        severity: f.severity().as_str(),
        tps: f.tps.to_string(),
        ballot: f.ballot.as_str(),
        message: match lang {
            Lang::Id => f.message(),
            Lang::En => f.message_en(),
        },
    };
    let group = |s: Severity, title_key: &'static str, id: &'static str| FlagGroup {
        title_key,
        id,
        total: view.findings.iter().filter(|f| f.severity() == s).count(),
        rows: view
            .findings
            .iter()
            .filter(|f| f.severity() == s)
            .take(500)
            .map(flag)
            .collect(),
    };
    let tpl = TurnoutTemplate {
        page: Page::new(state, v, "partisipasi.title", &path),
        code: region.to_string(),
        name: state
            .posko
            .atlas
            .get(&region)
            .map(|r| r.name.clone())
            .unwrap_or_default(),
        parent: region.parent().map(|p| p.to_string()),
        election: election_id.clone(),
        forms: view.forms,
        previous_label: view.previous_label.clone().unwrap_or_default(),
        ballots: ballot_rows(lang, &view),
        ballot_choices: election
            .ballots
            .iter()
            .map(|b| (b.as_str().to_string(), b.label().to_string(), *b == chosen))
            .collect(),
        child_heads: election
            .ballots
            .iter()
            .map(|b| b.as_str().to_uppercase())
            .collect(),
        children,
        chart: if bars.is_empty() {
            String::new()
        } else {
            chart(&bars, election.rules.turnout_target_bp, lang)
        },
        groups: vec![
            group(Severity::Error, "partisipasi.errors", "galat"),
            group(Severity::Warning, "partisipasi.warnings", "peringatan"),
            group(Severity::Info, "partisipasi.infos", "info"),
        ],
        may_import: may_import(&me),
        notice,
    };
    Ok(Html(tpl.render().map_err(AppError::internal)?).into_response())
}

/// `/partisipasi`: the officer's own region.
pub async fn root(v: Visitor) -> Result<Response, AppError> {
    let me = v.require_user("/partisipasi")?;
    let code = me
        .region
        .map(|r| r.to_string())
        .unwrap_or_else(|| "33.20".into());
    Ok(Redirect::to(&format!("/partisipasi/{code}")).into_response())
}

/// `/partisipasi/{code}`: a region's turnout, drill-down, chart and flagged forms.
pub async fn show(
    State(state): State<AppState>,
    v: Visitor,
    Path(code): Path<String>,
    Query(q): Query<ViewQuery>,
) -> Result<Response, AppError> {
    render(&state, &v, &code, &q, String::new()).await
}

fn xlsx(view: &TurnoutView) -> Result<Response, AppError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Partisipasi").map_err(AppError::internal)?;
    let head = [
        "kode",
        "wilayah",
        "jenis",
        "formulir",
        "terdaftar",
        "pengguna_hak_pilih",
        "suara_sah",
        "suara_tidak_sah",
        "partisipasi_persen",
        "target_persen",
        "sebelumnya_persen",
    ];
    for (c, h) in head.iter().enumerate() {
        sheet
            .write_string(0, c as u16, *h)
            .map_err(AppError::internal)?;
    }
    let mut row = 1u32;
    let mut put = |code: &str, name: &str, l: &res::BallotLine| -> Result<(), AppError> {
        sheet
            .write_string(row, 0, code)
            .map_err(AppError::internal)?;
        sheet
            .write_string(row, 1, name)
            .map_err(AppError::internal)?;
        sheet
            .write_string(row, 2, l.ballot.as_str())
            .map_err(AppError::internal)?;
        let nums = [
            Some(l.tally.forms as f64),
            Some(l.tally.registered() as f64),
            Some(l.tally.voted() as f64),
            Some(l.tally.valid as f64),
            Some(l.tally.invalid as f64),
            l.comparison.turnout_bp.map(|b| f64::from(b) / 100.0),
            l.comparison.target_bp.map(|b| f64::from(b) / 100.0),
            l.comparison.previous_bp.map(|b| f64::from(b) / 100.0),
        ];
        for (i, n) in nums.iter().enumerate() {
            if let Some(n) = n {
                sheet
                    .write_number(row, 3 + i as u16, *n)
                    .map_err(AppError::internal)?;
            }
        }
        row += 1;
        Ok(())
    };
    for l in &view.ballots {
        put(&view.region.to_string(), "", l)?;
    }
    for c in &view.children {
        for l in &c.lines {
            put(&c.code.to_string(), &c.name, l)?;
        }
    }
    let flags = book.add_worksheet();
    flags.set_name("Temuan").map_err(AppError::internal)?;
    for (c, h) in ["kode", "tingkat", "tps", "jenis", "pesan", "message"]
        .iter()
        .enumerate()
    {
        flags
            .write_string(0, c as u16, *h)
            .map_err(AppError::internal)?;
    }
    for (r, f) in view.findings.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, text) in [
            f.code.as_str().to_string(),
            f.severity().as_str().to_string(),
            f.tps.to_string(),
            f.ballot.as_str().to_string(),
            f.message(),
            f.message_en(),
        ]
        .iter()
        .enumerate()
        {
            flags
                .write_string(r, c as u16, text)
                .map_err(AppError::internal)?;
        }
    }
    let bytes = book.save_to_buffer().map_err(AppError::internal)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"partisipasi-{}.xlsx\"", view.region),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `POST /partisipasi/impor` (multipart): result forms, or a previous election's forms
/// (`jenis_impor=sebelumnya` with a `label`), from a CSV or XLSX.
pub async fn upload(
    State(state): State<AppState>,
    v: Visitor,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let (mut csrf, mut election, mut kind, mut label, mut back) = (
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    );
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest)?
    {
        let name = field.name().unwrap_or_default().to_string();
        if name == "berkas" {
            let fname = field.file_name().unwrap_or("hasil.csv").to_string();
            let bytes = field.bytes().await.map_err(|_| AppError::BadRequest)?;
            file = Some((fname, bytes.to_vec()));
        } else {
            let text = field.text().await.map_err(|_| AppError::BadRequest)?;
            match name.as_str() {
                "csrf" => csrf = text,
                "pemilihan" => election = text,
                "jenis_impor" => kind = text,
                "label" => label = text,
                "kembali" => back = text,
                _ => {}
            }
        }
    }
    v.check_csrf(&state, &csrf)?;
    let me = v.require_user("/partisipasi")?.clone();
    if !may_import(&me) {
        return Err(AppError::Forbidden);
    }
    let back = RegionCode::parse(back.trim())
        .ok()
        .or(me.region)
        .map(|r| r.to_string())
        .unwrap_or_else(|| "33.20".into());
    let q = ViewQuery {
        pemilihan: Some(election.clone()),
        ..ViewQuery::default()
    };
    let Some((fname, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let msg = v.lang.messages().get("partisipasi.no_file").to_string();
        return render(&state, &v, &back, &q, msg).await;
    };
    let forms = match res::read_upload(&fname, &bytes) {
        Ok(f) => f,
        Err(e) => return render(&state, &v, &back, &q, e.to_string()).await,
    };
    let outcome = if kind == "sebelumnya" {
        let label = if label.trim().is_empty() {
            "Pemilihan sebelumnya".to_string()
        } else {
            label.trim().chars().take(80).collect()
        };
        res::import_previous(&state.posko, &election, &label, &forms).await
    } else {
        res::import_forms(
            &state.posko,
            &election,
            &forms,
            &fname,
            Some(me.id),
            me.region.as_ref(),
            Timestamp::now(),
        )
        .await
    };
    let notice = match outcome {
        Ok(n) => format!(
            "{} {n} ({fname})",
            v.lang.messages().get("partisipasi.imported")
        ),
        Err(e @ (ResultsError::Store(_) | ResultsError::UnknownElection(_))) => {
            return Err(from_results(e))
        }
        Err(e) => v.lang.pick(&e.to_string()),
    };
    render(&state, &v, &back, &q, notice).await
}

/// One form as partner systems send it: the CSV's column names.
#[derive(Deserialize)]
pub struct FormJson {
    kode_tps: String,
    jenis: String,
    dpt: u32,
    dptb: u32,
    dpk: u32,
    pengguna_dpt: u32,
    pengguna_dptb: u32,
    pengguna_dpk: u32,
    surat_diterima: u32,
    surat_digunakan: u32,
    surat_tidak_digunakan: u32,
    surat_rusak: u32,
    suara_sah: u32,
    suara_tidak_sah: u32,
    suara: Vec<u32>,
}

#[derive(Deserialize)]
pub struct ResultsRequest {
    pemilihan: String,
    formulir: Vec<FormJson>,
}

/// `POST /api/v1/results`: stores result forms (a form of the same TPS and ballot replaces the
/// earlier one) and answers with the checks' findings on them. All forms or none: one bad form
/// is a 422 naming its index and field.
pub async fn api_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<ResultsRequest>,
) -> Result<Response, AppError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .ok_or(AppError::Unauthorized)?;
    let hash = Sha256::digest(token.trim().as_bytes()).to_vec();
    let client = match state
        .posko
        .store
        .api_token(&hash)
        .await
        .map_err(AppError::from_store)?
    {
        Some(c) if c.active => c,
        _ => return Err(AppError::Unauthorized),
    };
    state
        .limits
        .check_token(client.id)
        .map_err(AppError::RateLimited)?;
    let Some(election) = state.posko.elections.get(&req.pemilihan).cloned() else {
        return Ok(unprocessable(vec![json!({
            "field": "pemilihan",
            "message": format!("pemilihan '{}' tidak dikenal (unknown election)", req.pemilihan)
        })]));
    };
    let mut forms = Vec::with_capacity(req.formulir.len());
    let mut errors = Vec::new();
    for (i, f) in req.formulir.iter().enumerate() {
        let tps = TpsId::parse(&f.kode_tps)
            .ok()
            .filter(|t| state.posko.atlas.contains(&t.village));
        let ballot = BallotType::parse(&f.jenis).filter(|b| election.ballots.contains(b));
        match (tps, ballot) {
            (None, _) => errors.push(json!({"index": i, "field": "kode_tps",
                "message": format!("TPS '{}' tidak sah atau desanya tidak ada (invalid TPS or unknown village)", f.kode_tps)})),
            (_, None) => errors.push(json!({"index": i, "field": "jenis",
                "message": format!("jenis '{}' bukan surat suara pemilihan ini (not a ballot type of this election)", f.jenis)})),
            (Some(tps), Some(ballot)) => forms.push(ResultForm {
                tps,
                ballot,
                registered: ByList { dpt: f.dpt, dptb: f.dptb, dpk: f.dpk },
                voted: ByList { dpt: f.pengguna_dpt, dptb: f.pengguna_dptb, dpk: f.pengguna_dpk },
                papers: Papers {
                    received: f.surat_diterima,
                    used: f.surat_digunakan,
                    unused: f.surat_tidak_digunakan,
                    damaged: f.surat_rusak,
                },
                votes: f.suara.clone(),
                valid: f.suara_sah,
                invalid: f.suara_tidak_sah,
            }),
        }
    }
    if !errors.is_empty() {
        return Ok(unprocessable(errors));
    }
    if forms.is_empty() {
        return Ok(unprocessable(vec![json!({"field": "formulir",
            "message": "tidak ada formulir (no forms)"})]));
    }
    let source = format!("api:{}", client.name);
    let n = res::import_forms(
        &state.posko,
        &election.id,
        &forms,
        &source,
        None,
        None,
        Timestamp::now(),
    )
    .await
    .map_err(from_results)?;
    let rules = posko_core::results::CheckRules::for_election(&election);
    let mut findings = Vec::new();
    for f in &forms {
        posko_core::results::check_form(f, &election, &rules, &mut findings);
    }
    let findings: Vec<_> = findings
        .iter()
        .map(|f| {
            json!({
                "code": f.code.as_str(), "severity": f.severity().as_str(),
                "kode_tps": f.tps.to_string(), "jenis": f.ballot.as_str(),
                "pesan": f.message(), "message": f.message_en(),
            })
        })
        .collect();
    Ok((
        StatusCode::CREATED,
        Json(json!({ "stored": n, "findings": findings })),
    )
        .into_response())
}

fn unprocessable(errors: Vec<serde_json::Value>) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({ "error": "invalid_forms", "errors": errors })),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_scales_bars_and_draws_the_target() {
        let svg = chart(
            &[("Kedung".into(), Some(8_300)), ("A<B".into(), None)],
            Some(7_750),
            Lang::Id,
        );
        // 83 % of 420 px = 348 px; the target at 190 + 325.5 → 515.
        assert!(svg.contains("width=\"348\""), "{svg}");
        assert!(svg.contains("x1=\"515\""), "{svg}");
        assert!(svg.contains("83,00") && svg.contains("A&lt;B"), "{svg}");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn percentages_follow_the_language() {
        assert_eq!(pct(Lang::Id, Some(8_294)), "82,94");
        assert_eq!(pct(Lang::En, Some(8_294)), "82.94");
        assert_eq!(diff(Lang::En, Some(-125)), "−1.25");
        assert_eq!(diff(Lang::Id, Some(50)), "+0,50");
        assert_eq!(pct(Lang::En, None), "–");
    }
}
