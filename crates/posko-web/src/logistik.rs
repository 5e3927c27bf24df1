//! Logistics pages (issue 7): the status board of a district or village with drill-down to the
//! TPS, the phone-friendly hand-over form, the printable berita acara of a hand-over, and the
//! XLSX export of the board.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use jiff::Timestamp;
use posko_app::logistics::{self as logi, LogisticsError};
use posko_app::register::ImportError;
use posko_core::election::BallotType;
use posko_core::logistics::{Item, Node, Stage};
use posko_core::{Level, RegionCode, Role, TpsId};
use posko_store::{NewLogisticsHandover, User};
use serde::Deserialize;

use crate::error::AppError;
use crate::i18n::Lang;
use crate::pages::Page;
use crate::visitor::Visitor;
use crate::AppState;

fn may_record(u: &User) -> bool {
    matches!(
        u.role,
        Role::Admin | Role::Koordinator | Role::OperatorWilayah | Role::PetugasPiket
    )
}

#[derive(Deserialize, Default)]
pub struct BoardQuery {
    pemilihan: Option<String>,
    format: Option<String>,
}

struct VillageRow {
    code: String,
    name: String,
    tps: u32,
    needed: u64,
    good: u64,
    damaged: u64,
    short: u64,
    late: u32,
    complete: u32,
}

struct TpsRow {
    id: String,
    /// `33.20.01.2001-001`, for the row's id attribute.
    anchor: String,
    needed: u32,
    good: u32,
    damaged: u32,
    short: u32,
    late: bool,
}

#[derive(Template)]
#[template(path = "logistik.html")]
struct BoardTemplate {
    page: Page,
    code: String,
    name: String,
    election: String,
    deadline: String,
    villages: Vec<VillageRow>,
    tps: Vec<TpsRow>,
    recent: Vec<(i64, String, String, String, String)>,
    may_record: bool,
    ballots: Vec<(String, String)>,
    error: String,
    notice: String,
    problems: Vec<String>,
    stages: Vec<StageLine>,
    reconciliation: String,
    reconciles: bool,
    equipment: String,
}

struct StageLine {
    label: &'static str,
    places: u32,
    needed: u64,
    good: u64,
    damaged: u64,
    missing: u64,
    handed_on: u64,
    short_places: u32,
    due: String,
    late: bool,
}

/// What the board says after a form: an error, a notice, or an import's problems.
#[derive(Default)]
struct Feedback {
    error: String,
    notice: String,
    problems: Vec<String>,
}

impl From<String> for Feedback {
    fn from(error: String) -> Feedback {
        Feedback {
            error,
            ..Feedback::default()
        }
    }
}

async fn board(
    state: &AppState,
    v: &Visitor,
    code: &str,
    q: &BoardQuery,
    fb: Feedback,
) -> Result<Response, AppError> {
    let region = RegionCode::parse(code)
        .ok()
        .filter(|c| state.posko.atlas.contains(c))
        .ok_or(AppError::RegionNotFound)?;
    let path = format!("/logistik/{region}");
    let me = v.require_user_in(&path, &region)?.clone();
    if region.level() == Level::Province {
        return Err(AppError::BadRequest);
    }
    let election_id = state.election_id(q.pemilihan.as_deref());
    let election = state
        .posko
        .elections
        .get(&election_id)
        .ok_or(AppError::NotFound)?;
    let zone = state
        .posko
        .atlas
        .zone(&region)
        .unwrap_or(posko_core::Zone::Wib);
    let today = Timestamp::now().to_zoned(zone.tz()).date();
    let (tps, villages) = logi::status(&state.posko, &election_id, &region, today)
        .await
        .map_err(AppError::from_store)?;
    let village_rows: Vec<VillageRow> = villages
        .iter()
        .map(|(c, b)| VillageRow {
            code: c.to_string(),
            name: state
                .posko
                .atlas
                .get(c)
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            tps: b.tps,
            needed: b.needed,
            good: b.good,
            damaged: b.damaged,
            short: b.short,
            late: b.late_tps,
            complete: b.complete_tps,
        })
        .collect();
    let (stage_rows, rec) = logi::stages(&state.posko, &election_id, &region, &tps, today)
        .await
        .map_err(AppError::from_store)?;
    let total = villages
        .values()
        .fold(logi::VillageBoard::default(), |mut t, b| {
            t.add(b);
            t
        });
    let n = |x: u64| v.lang.number(x);
    let equipment = match v.lang {
        Lang::Id => format!(
            "{} kotak suara, {} bilik, {} botol tinta, {} set formulir",
            n(total.boxes),
            n(total.booths),
            n(total.ink),
            n(total.forms)
        ),
        Lang::En => format!(
            "{} ballot boxes, {} booths, {} bottles of ink, {} result-form sets",
            n(total.boxes),
            n(total.booths),
            n(total.ink),
            n(total.forms)
        ),
    };
    let top = rec.top.map(|s| s.label()).unwrap_or("");
    let reconciliation = match v.lang {
        Lang::Id => format!(
            "masuk di {top} {} = di tangan {} + rusak {} + hilang {}",
            n(rec.came_in),
            n(rec.on_hand),
            n(rec.damaged),
            n(rec.missing)
        ),
        Lang::En => format!(
            "came in at {top} {} = on hand {} + damaged {} + missing {}",
            n(rec.came_in),
            n(rec.on_hand),
            n(rec.damaged),
            n(rec.missing)
        ),
    };
    let stages: Vec<StageLine> = stage_rows
        .iter()
        .map(|r| StageLine {
            label: r.stage.label(),
            places: r.places,
            needed: r.needed,
            good: r.good,
            damaged: r.damaged,
            missing: r.missing,
            handed_on: r.handed_on,
            short_places: r.short_places,
            due: r
                .due
                .map(|d| d.strftime("%d-%m-%Y").to_string())
                .unwrap_or_default(),
            late: r.late,
        })
        .collect();
    if q.format.as_deref() == Some("xlsx") {
        return xlsx(&region, &village_rows, &tps);
    }
    let tps_rows = if region.level() == Level::Village {
        tps.iter()
            .map(|b| TpsRow {
                id: b.tps.to_string(),
                anchor: b.tps.to_string().replace('/', "-"),
                needed: b.ballots.iter().map(|(_, s)| s.needed).sum(),
                good: b.ballots.iter().map(|(_, s)| s.good).sum(),
                damaged: b.damaged(),
                short: b.short(),
                late: b.late(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let recent = logi::recent(&state.posko, &election_id, &region.to_string())
        .await
        .map_err(AppError::from_store)?
        .into_iter()
        .take(20)
        .map(|h| {
            let r = h.record;
            (
                h.id,
                r.at.to_zoned(zone.tz())
                    .strftime("%d-%m-%Y %H:%M")
                    .to_string(),
                r.from
                    .map(|n| format!("{} {}", n.stage.label(), n.place))
                    .unwrap_or_else(|| "stok".into()),
                format!("{} {}", r.to.stage.label(), r.to.place),
                format!(
                    "{}{} · {} ({} baik, {} rusak, {} hilang)",
                    r.item.kind,
                    r.item
                        .ballot
                        .map(|b| format!(" {}", b.as_str()))
                        .unwrap_or_default(),
                    r.sent,
                    r.good,
                    r.damaged,
                    r.missing
                ),
            )
        })
        .collect();
    let tpl = BoardTemplate {
        page: Page::new(state, v, "logistik.title", &path),
        code: region.to_string(),
        name: state
            .posko
            .atlas
            .get(&region)
            .map(|r| r.name.clone())
            .unwrap_or_default(),
        deadline: Stage::Kpps
            .due(election.polling_day)
            .map(|d| d.strftime("%d-%m-%Y").to_string())
            .unwrap_or_default(),
        election: election_id,
        villages: village_rows,
        tps: tps_rows,
        recent,
        may_record: may_record(&me),
        ballots: election
            .ballots
            .iter()
            .map(|b| (b.as_str().to_string(), b.label().to_string()))
            .collect(),
        error: fb.error,
        notice: fb.notice,
        problems: fb.problems,
        stages,
        reconciles: rec.holds(),
        reconciliation,
        equipment,
    };
    Ok(Html(tpl.render().map_err(AppError::internal)?).into_response())
}

/// `/logistik/{code}`: a district's or village's status board.
pub async fn show(
    State(state): State<AppState>,
    v: Visitor,
    Path(code): Path<String>,
    Query(q): Query<BoardQuery>,
) -> Result<Response, AppError> {
    board(&state, &v, &code, &q, Feedback::default()).await
}

fn xlsx(
    region: &RegionCode,
    villages: &[VillageRow],
    tps: &[logi::TpsBoard],
) -> Result<Response, AppError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let head = [
        "kode_desa",
        "desa",
        "tps",
        "surat_suara_dibutuhkan",
        "baik",
        "rusak",
        "kurang",
        "tps_terlambat",
        "tps_lengkap",
    ];
    for (c, h) in head.iter().enumerate() {
        sheet
            .write_string(0, c as u16, *h)
            .map_err(AppError::internal)?;
    }
    for (r, v) in villages.iter().enumerate() {
        let row = r as u32 + 1;
        sheet
            .write_string(row, 0, &v.code)
            .map_err(AppError::internal)?;
        sheet
            .write_string(row, 1, &v.name)
            .map_err(AppError::internal)?;
        for (c, n) in [
            f64::from(v.tps),
            v.needed as f64,
            v.good as f64,
            v.damaged as f64,
            v.short as f64,
            f64::from(v.late),
            f64::from(v.complete),
        ]
        .iter()
        .enumerate()
        {
            sheet
                .write_number(row, c as u16 + 2, *n)
                .map_err(AppError::internal)?;
        }
    }
    let per_tps = book.add_worksheet();
    let head = [
        "tps",
        "jenis",
        "dibutuhkan",
        "baik",
        "rusak",
        "kurang",
        "terlambat",
    ];
    for (c, h) in head.iter().enumerate() {
        per_tps
            .write_string(0, c as u16, *h)
            .map_err(AppError::internal)?;
    }
    let mut row = 1u32;
    for b in tps {
        for (t, s) in &b.ballots {
            per_tps
                .write_string(row, 0, b.tps.to_string())
                .map_err(AppError::internal)?;
            per_tps
                .write_string(row, 1, t.as_str())
                .map_err(AppError::internal)?;
            for (c, n) in [s.needed, s.good, s.damaged, s.short].iter().enumerate() {
                per_tps
                    .write_number(row, c as u16 + 2, f64::from(*n))
                    .map_err(AppError::internal)?;
            }
            per_tps
                .write_string(row, 6, if s.late { "ya" } else { "tidak" })
                .map_err(AppError::internal)?;
            row += 1;
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
                format!("attachment; filename=\"logistik-{region}.xlsx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct HandoverForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pemilihan: String,
    /// The board to return to on a refusal.
    #[serde(default)]
    kembali: String,
    #[serde(default)]
    dari_tahap: String,
    #[serde(default)]
    dari_tempat: String,
    #[serde(default)]
    ke_tahap: String,
    #[serde(default)]
    ke_tempat: String,
    #[serde(default)]
    jenis: String,
    #[serde(default)]
    dikirim: String,
    #[serde(default)]
    baik: String,
    #[serde(default)]
    rusak: String,
    #[serde(default)]
    hilang: String,
    #[serde(default)]
    diserahkan_oleh: String,
    #[serde(default)]
    diterima_oleh: String,
}

fn count(s: &str) -> Option<u32> {
    let t = s.trim();
    if t.is_empty() {
        return Some(0);
    }
    t.parse().ok()
}

/// `POST /logistik/serah-terima`: records a hand-over; a refusal shows its reason on the board.
pub async fn record(
    State(state): State<AppState>,
    v: Visitor,
    Form(f): Form<HandoverForm>,
) -> Result<Response, AppError> {
    v.check_csrf(&state, &f.csrf)?;
    let back = if f.kembali.trim().is_empty() {
        f.ke_tempat
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string()
    } else {
        f.kembali.trim().to_string()
    };
    let me = v.require_user("/logistik")?.clone();
    if !may_record(&me) {
        return Err(AppError::Forbidden);
    }
    let to_stage = Stage::parse(&f.ke_tahap).ok_or(AppError::BadRequest)?;
    let to = Node {
        stage: to_stage,
        place: f.ke_tempat.trim().to_string(),
    };
    // The receiver's region must be inside the officer's own.
    let to_region = match to_stage {
        Stage::Kpps => TpsId::parse(&to.place).ok().map(|t| t.village),
        _ => RegionCode::parse(&to.place).ok(),
    };
    if let (Some(r), Some(mine)) = (to_region, me.region) {
        if !mine.contains(&r) {
            return Err(AppError::Forbidden);
        }
    }
    let from = match f.dari_tahap.trim() {
        "" | "stok" => None,
        s => Some(Node {
            stage: Stage::parse(s).ok_or(AppError::BadRequest)?,
            place: f.dari_tempat.trim().to_string(),
        }),
    };
    let ballot = match f.jenis.trim() {
        "" => None,
        b => Some(BallotType::parse(b).ok_or(AppError::BadRequest)?),
    };
    let (Some(sent), Some(good), Some(damaged), Some(missing)) = (
        count(&f.dikirim),
        count(&f.baik),
        count(&f.rusak),
        count(&f.hilang),
    ) else {
        let msg = match v.lang {
            Lang::Id => "jumlah harus bilangan bulat 0 atau lebih",
            Lang::En => "counts must be whole numbers, 0 or more",
        };
        return board(
            &state,
            &v,
            &back,
            &BoardQuery::default(),
            msg.to_string().into(),
        )
        .await;
    };
    let h = NewLogisticsHandover {
        election: state.election_id(Some(&f.pemilihan)),
        from,
        to,
        item: Item {
            kind: logi::BALLOTS.into(),
            ballot,
        },
        sent,
        good,
        damaged,
        missing,
        at: Timestamp::now(),
        handed_by: f.diserahkan_oleh.trim().to_string(),
        received_by: f.diterima_oleh.trim().to_string(),
        recorded_by: Some(me.id),
    };
    match logi::record(&state.posko, &h).await {
        Ok(id) => Ok(Redirect::to(&format!("/logistik/serah-terima/{id}")).into_response()),
        Err(LogisticsError::Store(e)) => Err(AppError::from_store(e)),
        Err(e) => {
            let text = e.to_string();
            let msg = v.lang.pick(&text);
            let q = BoardQuery {
                pemilihan: Some(h.election),
                format: None,
            };
            board(&state, &v, &back, &q, msg.into()).await
        }
    }
}

#[derive(Template)]
#[template(path = "berita_acara.html")]
struct ReceiptTemplate {
    page: Page,
    id: i64,
    at: String,
    election: String,
    from: String,
    to: String,
    item: String,
    sent: u32,
    good: u32,
    damaged: u32,
    missing: u32,
    handed_by: String,
    received_by: String,
    back: String,
}

/// `/logistik/serah-terima/{id}`: the printable berita acara of one hand-over.
pub async fn receipt(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let path = format!("/logistik/serah-terima/{id}");
    let me = v.require_user(&path)?.clone();
    let h = logi::receipt(&state.posko, id)
        .await
        .map_err(AppError::from_store)?
        .ok_or(AppError::NotFound)?;
    let r = h.record;
    let region = match r.to.stage {
        Stage::Kpps => TpsId::parse(&r.to.place).ok().map(|t| t.village),
        _ => RegionCode::parse(&r.to.place).ok(),
    };
    if let (Some(reg), Some(mine)) = (region, me.region) {
        if !mine.contains(&reg) {
            return Err(AppError::NotFound);
        }
    }
    let zone = region
        .and_then(|c| state.posko.atlas.zone(&c))
        .unwrap_or(posko_core::Zone::Wib);
    let tpl = ReceiptTemplate {
        page: Page::new(&state, &v, "logistik.receipt_title", &path),
        id,
        at: format!(
            "{} {}",
            r.at.to_zoned(zone.tz()).strftime("%d-%m-%Y %H:%M"),
            zone.abbreviation()
        ),
        election: r.election.clone(),
        from: r
            .from
            .as_ref()
            .map(|n| format!("{} {}", n.stage.label(), n.place))
            .unwrap_or_else(|| "Percetakan / stok".into()),
        to: format!("{} {}", r.to.stage.label(), r.to.place),
        item: format!(
            "Surat suara{}",
            r.item
                .ballot
                .map(|b| format!(" {}", b.label()))
                .unwrap_or_default()
        ),
        sent: r.sent,
        good: r.good,
        damaged: r.damaged,
        missing: r.missing,
        handed_by: r.handed_by,
        received_by: r.received_by,
        back: region.map(|c| c.to_string()).unwrap_or_default(),
    };
    Ok(Html(tpl.render().map_err(AppError::internal)?).into_response())
}

/// `GET /logistik/contoh.csv`: an example file with the columns an import reads.
pub async fn example() -> Response {
    let body = format!(
        "{}\n\
         ,,kpu,33.20,surat_suara,dpr,1000,1000,0,0,2024-01-20 09:00,Percetakan,Ketua KPU\n\
         kpu,33.20,ppk,33.20.01,surat_suara,dpr,600,600,0,0,2024-01-30 10:00,Ketua KPU,Ketua PPK\n\
         ppk,33.20.01,pps,33.20.01.2001,surat_suara,dpr,600,598,2,0,2024-02-07 10:00,Ketua PPK,Ketua PPS\n\
         pps,33.20.01.2001,kpps,33.20.01.2001/001,surat_suara,dpr,293,293,0,0,2024-02-11 08:00,Ketua PPS,Ketua KPPS\n",
        logi::import::header()
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"contoh-serah-terima.csv\"",
            ),
        ],
        body,
    )
        .into_response()
}

/// `POST /logistik/impor`: a hand-over file uploaded from the board, imported whole or not at
/// all; the board then shows how many landed or every problem by line and column.
pub async fn import(
    State(state): State<AppState>,
    v: Visitor,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let (mut csrf, mut election, mut back) = (String::new(), String::new(), String::new());
    let mut upload: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest)?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "berkas" {
            let filename = field.file_name().unwrap_or("berkas.csv").to_string();
            let bytes = field.bytes().await.map_err(|_| AppError::BadRequest)?;
            upload = Some((filename, bytes.to_vec()));
            continue;
        }
        let value = field.text().await.map_err(|_| AppError::BadRequest)?;
        match name.as_str() {
            "csrf" => csrf = value,
            "pemilihan" => election = value,
            "kembali" => back = value,
            _ => {}
        }
    }
    v.check_csrf(&state, &csrf)?;
    let me = v.require_user("/logistik")?.clone();
    if !may_record(&me) {
        return Err(AppError::Forbidden);
    }
    let q = BoardQuery {
        pemilihan: Some(election.clone()),
        format: None,
    };
    let Some((filename, bytes)) = upload.filter(|(_, b)| !b.is_empty()) else {
        let msg = v
            .lang
            .pick("pilih berkas CSV atau XLSX (choose a CSV or XLSX file)");
        return board(&state, &v, back.trim(), &q, msg.into()).await;
    };
    // Keep the extension: it says whether the file is a spreadsheet.
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
    let by = logi::import::Importer {
        user: Some(me.id),
        scope: me.region,
    };
    let election_id = state.election_id(Some(&election));
    let outcome = logi::import::import_file(
        &state.posko,
        tmp.path(),
        Some(&filename),
        &election_id,
        by,
        Timestamp::now(),
    )
    .await;
    let fb = match outcome {
        Ok(s) => Feedback {
            notice: format!(
                "{filename}: {} {}",
                s.rows,
                v.lang.messages().get("logistik.imported")
            ),
            ..Feedback::default()
        },
        Err(ImportError::Rows {
            problems, total, ..
        }) => {
            let mut lines: Vec<String> = problems
                .iter()
                .map(|p| v.lang.pick(&p.to_string()))
                .collect();
            if total > problems.len() {
                lines.push(format!("… +{}", total - problems.len()));
            }
            Feedback {
                error: v.lang.pick(&format!(
                    "{filename}: {total} masalah, tidak ada yang diimpor (problems found, nothing imported)"
                )),
                problems: lines,
                ..Feedback::default()
            }
        }
        Err(ImportError::Store { source, .. })
            if !matches!(source, posko_store::StoreError::Rejected(_)) =>
        {
            return Err(AppError::from_store(source))
        }
        Err(e) => v.lang.pick(&e.to_string()).into(),
    };
    board(&state, &v, back.trim(), &q, fb).await
}
