//! The coordinator's dashboard (issue 9, part 1) and the rakor briefing (part 2).
//!
//! `/dasbor` (the user's region, or `?wilayah=`) and `/dasbor/{code}` (`nasional` for the whole
//! country) show one screen of tiles read from the region's precomputed snapshot only — no
//! record is aggregated on a page request. Each tile has a chart drawn here as SVG (no script)
//! and a link down to its own page. `/dasbor/{code}/briefing?tanggal=YYYY-MM-DD` is the
//! printable briefing, `.pdf` and `.xlsx` the same content as an A4 PDF and as tables.
//!
//! The tiles are [`Section`]s: one list of labelled figures per subject, so the page's charts,
//! the PDF's bars and the workbook's sheets all show the same numbers. A tile whose source has
//! no data says so instead of showing zeros.
//!
//! Neutrality briefings and integrity pledges (issue 9, part 4) are built elsewhere: their tile
//! is [`neutrality_section`], the one function to replace when they land.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiff::civil::Date;
use jiff::Timestamp;
use posko_app::dashboard::{self as app, Briefing, DashboardError, Snapshot};
use posko_core::case::CaseState;
use posko_core::dashboard::{Figures, NO_AGENCY};
use posko_core::report::SubjectCategory;
use posko_core::{Agency, RegionCode};
use posko_store::NATIONAL;
use serde::Deserialize;

use crate::error::AppError;
use crate::i18n::Lang;
use crate::pages::Page;
use crate::visitor::Visitor;
use crate::AppState;

// ── the tiles' content ───────────────────────────────────────────────────────────────────────

/// One figure of a tile.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub label: String,
    pub value: u64,
    /// A colour for its bar (`#rrggbb`).
    pub color: &'static str,
}

/// One tile: its figures, a line of facts, and where it drills down to.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// The element id on the page (`tile-kasus`).
    pub id: &'static str,
    pub title: String,
    pub rows: Vec<Row>,
    /// Sentences with figures that are not bars ("77,50 % dari target 82,00 %").
    pub facts: Vec<String>,
    /// Set when the source holds no data yet: says so plainly.
    pub empty: Option<String>,
    pub link: String,
    pub link_label: String,
}

impl Section {
    /// Whether the rows are shares in basis points (turnout, neutrality coverage), not counts.
    pub fn is_percent(&self) -> bool {
        matches!(self.id, "tile-partisipasi" | "tile-netralitas")
    }

    /// A row's value as a reader sees it: "81,50 %" or "1.234".
    pub fn shown(&self, lang: Lang, value: u64) -> String {
        if self.is_percent() {
            percent(lang, value)
        } else {
            lang.number(value)
        }
    }
}

const BLUE: &str = "#1f5fa8";
const RED: &str = "#b3261e";
const AMBER: &str = "#b26a00";
const GREEN: &str = "#2e7d32";
const GREY: &str = "#6b7280";

fn t(lang: Lang, key: &str) -> String {
    lang.messages().get(key).to_string()
}

fn pick(lang: Lang, id: &str, en: &str) -> String {
    match lang {
        Lang::Id => id.to_string(),
        Lang::En => en.to_string(),
    }
}

fn state_name(lang: Lang, s: &str) -> String {
    CaseState::ALL
        .iter()
        .find(|c| c.as_str() == s)
        .map(|c| {
            let (id, en) = posko_app::notify::state_label(*c);
            pick(lang, id, en)
        })
        .unwrap_or_else(|| s.to_string())
}

fn agency_name(lang: Lang, a: &str) -> String {
    if a == NO_AGENCY {
        return t(lang, "dasbor.no_agency");
    }
    a.parse::<Agency>()
        .map(|x| x.label().to_string())
        .unwrap_or_else(|_| a.to_string())
}

fn category_name(lang: Lang, c: &str) -> String {
    SubjectCategory::ALL
        .iter()
        .find(|k| k.as_str() == c)
        .map(|k| t(lang, &format!("kategori.{}", k.as_str())))
        .unwrap_or_else(|| c.to_string())
}

/// `7.750` → "77,50 %" (Indonesian) or "77.50 %".
fn percent(lang: Lang, bp: u64) -> String {
    let s = format!("{}.{:02} %", bp / 100, bp % 100);
    match lang {
        Lang::Id => s.replace('.', ","),
        Lang::En => s,
    }
}

/// The dashboard address of a region.
pub fn dasbor_path(region: Option<&RegionCode>) -> String {
    format!("/dasbor/{}", app::key(region))
}

/// The tiles of a snapshot, in screen order.
pub fn sections(s: &Snapshot, lang: Lang) -> Vec<Section> {
    let f = &s.figures;
    let code = s.region.map(|r| r.to_string());
    let wilayah_q = code
        .as_ref()
        .map(|c| format!("?wilayah={c}"))
        .unwrap_or_default();
    let scoped = |base: &str| match &code {
        Some(c) => format!("{base}/{c}"),
        None => base.to_string(),
    };
    let n = |x: u64| lang.number(x);
    // The per-area tiles list the regions one level below (districts of a regency).
    let per = t(
        lang,
        match s.region.map(|r| r.level()) {
            None => "dasbor.per_province",
            Some(posko_core::Level::Province) => "dasbor.per_regency",
            Some(_) => "dasbor.per_district",
        },
    );
    let mut out = Vec::new();

    // Cases by status.
    let c = &f.cases;
    let no_cases = (c.total == 0).then(|| t(lang, "dasbor.no_cases"));
    out.push(Section {
        id: "tile-kasus",
        title: t(lang, "dasbor.cases_by_state"),
        rows: CaseState::ALL
            .iter()
            .filter_map(|st| {
                let v = c.by_state.get(st.as_str()).copied().unwrap_or(0);
                (v > 0).then(|| Row {
                    label: state_name(lang, st.as_str()),
                    value: v,
                    color: BLUE,
                })
            })
            .collect(),
        facts: vec![format!(
            "{}: {} · {}: {}",
            t(lang, "dasbor.total"),
            n(c.total),
            t(lang, "dasbor.open"),
            n(c.open)
        )],
        empty: no_cases.clone(),
        link: format!("/petugas/laporan{wilayah_q}"),
        link_label: t(lang, "dasbor.to_cases"),
    });

    // Deadlines at risk.
    out.push(Section {
        id: "tile-tenggat",
        title: t(lang, "dasbor.deadlines"),
        rows: vec![
            Row {
                label: t(lang, "dasbor.overdue"),
                value: c.overdue,
                color: RED,
            },
            Row {
                label: t(lang, "dasbor.due_24h"),
                value: c.due_24h,
                color: AMBER,
            },
            Row {
                label: t(lang, "dasbor.awaiting_decision"),
                value: c.awaiting_decision,
                color: BLUE,
            },
        ],
        facts: vec![format!(
            "{}: {}",
            t(lang, "dasbor.needs_decision"),
            n(c.needs_decision)
        )],
        empty: no_cases.clone(),
        link: match &code {
            Some(cd) => format!("/petugas/laporan?wilayah={cd}&tenggat=1"),
            None => "/petugas/laporan?tenggat=1".into(),
        },
        link_label: t(lang, "dasbor.to_deadlines"),
    });

    // By agency and by category.
    let mut agencies: Vec<(&String, &u64)> = c.by_agency.iter().collect();
    agencies.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    out.push(Section {
        id: "tile-instansi",
        title: t(lang, "dasbor.cases_by_agency"),
        rows: agencies
            .into_iter()
            .map(|(a, v)| Row {
                label: agency_name(lang, a),
                value: *v,
                color: if a == NO_AGENCY { GREY } else { BLUE },
            })
            .collect(),
        facts: Vec::new(),
        empty: no_cases.clone(),
        link: format!("/petugas/laporan{wilayah_q}"),
        link_label: t(lang, "dasbor.to_cases"),
    });
    let mut cats: Vec<(&String, &u64)> = c.by_category.iter().collect();
    cats.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    out.push(Section {
        id: "tile-kategori",
        title: t(lang, "dasbor.cases_by_category"),
        rows: cats
            .into_iter()
            .map(|(k, v)| Row {
                label: category_name(lang, k),
                value: *v,
                color: BLUE,
            })
            .collect(),
        facts: Vec::new(),
        empty: no_cases,
        link: format!("/petugas/terlapor{wilayah_q}"),
        link_label: t(lang, "dasbor.to_officials"),
    });

    // Early warning.
    let mut alert_rows: Vec<Row> = f
        .districts
        .values()
        .filter(|d| d.alerts > 0)
        .map(|d| Row {
            label: d.name.clone(),
            value: d.alerts,
            color: RED,
        })
        .collect();
    alert_rows.sort_by_key(|r| std::cmp::Reverse(r.value));
    out.push(Section {
        id: "tile-peringatan",
        title: t(lang, "dasbor.alerts"),
        rows: alert_rows,
        facts: vec![format!("{}: {}", t(lang, "dasbor.alerts_now"), n(f.alerts))],
        empty: None,
        link: format!("/kerawanan{wilayah_q}"),
        link_label: t(lang, "dasbor.to_vulnerability"),
    });

    // Vulnerability by district.
    let mut tps_rows = Vec::new();
    for d in f.districts.values() {
        if let Some(r) = d.tps {
            if r.rawan + r.sangat_rawan > 0 {
                tps_rows.push(Row {
                    label: d.name.clone(),
                    value: r.rawan + r.sangat_rawan,
                    color: AMBER,
                });
            }
        }
    }
    tps_rows.sort_by_key(|r| std::cmp::Reverse(r.value));
    out.push(Section {
        id: "tile-kerawanan",
        title: format!("{} {per}", t(lang, "dasbor.vulnerability")),
        rows: tps_rows,
        facts: f
            .tps
            .map(|r| {
                vec![format!(
                    "{}: {} · {}: {} · {}: {}",
                    t(lang, "tpskat.sangat_rawan"),
                    n(r.sangat_rawan),
                    t(lang, "tpskat.rawan"),
                    n(r.rawan),
                    t(lang, "tpskat.kurang_rawan"),
                    n(r.kurang_rawan)
                )]
            })
            .unwrap_or_default(),
        empty: f.tps.is_none().then(|| t(lang, "dasbor.no_register")),
        link: format!("/kerawanan{wilayah_q}"),
        link_label: t(lang, "dasbor.to_vulnerability"),
    });

    // Voter-list findings by district.
    out.push(Section {
        id: "tile-dpt",
        title: format!("{} {per}", t(lang, "dasbor.dpt")),
        rows: f
            .districts
            .values()
            .filter_map(|d| {
                d.dpt_findings.map(|v| Row {
                    label: d.name.clone(),
                    value: v,
                    color: AMBER,
                })
            })
            .collect(),
        facts: f
            .dpt_findings
            .map(|v| vec![format!("{}: {}", t(lang, "dasbor.total"), n(v))])
            .unwrap_or_default(),
        empty: f.dpt_findings.is_none().then(|| t(lang, "dasbor.no_dpt")),
        link: "/dasbor/bantuan#dpt".into(),
        link_label: t(lang, "dasbor.to_dpt"),
    });

    // Logistics against H-1.
    out.push(Section {
        id: "tile-logistik",
        title: t(lang, "dasbor.logistics"),
        rows: f
            .logistics
            .map(|l| {
                vec![
                    Row {
                        label: t(lang, "dasbor.tps_complete"),
                        value: l.complete,
                        color: GREEN,
                    },
                    Row {
                        label: t(lang, "dasbor.tps_short"),
                        value: l.short,
                        color: AMBER,
                    },
                    Row {
                        label: t(lang, "dasbor.tps_late"),
                        value: l.late,
                        color: RED,
                    },
                ]
            })
            .unwrap_or_default(),
        facts: f
            .logistics
            .map(|l| {
                vec![format!(
                    "{}: {} · {}: {}",
                    t(lang, "dasbor.tps"),
                    n(l.tps),
                    t(lang, "dasbor.ballots_short"),
                    n(l.ballots_short)
                )]
            })
            .unwrap_or_default(),
        empty: f
            .logistics
            .is_none()
            .then(|| t(lang, "dasbor.no_logistics")),
        link: match &code {
            Some(_) => scoped("/logistik"),
            None => "/logistik".into(),
        },
        link_label: t(lang, "dasbor.to_logistics"),
    });

    // Deployment shortfall.
    out.push(Section {
        id: "tile-pengamanan",
        title: t(lang, "dasbor.deployment"),
        rows: f
            .deployment
            .map(|d| {
                vec![
                    Row {
                        label: t(lang, "dasbor.police_needed"),
                        value: d.police_needed,
                        color: BLUE,
                    },
                    Row {
                        label: t(lang, "dasbor.police_available"),
                        value: d.police_available,
                        color: GREEN,
                    },
                    Row {
                        label: t(lang, "dasbor.shortfall"),
                        value: d.shortfall,
                        color: RED,
                    },
                ]
            })
            .unwrap_or_default(),
        facts: f
            .deployment
            .map(|d| {
                vec![format!(
                    "{}: {} · {}: {}",
                    t(lang, "dasbor.districts_short"),
                    n(d.districts_short),
                    t(lang, "dasbor.linmas_needed"),
                    n(d.linmas_needed)
                )]
            })
            .unwrap_or_default(),
        empty: f
            .deployment
            .is_none()
            .then(|| t(lang, "dasbor.no_personnel")),
        link: scoped("/pengamanan"),
        link_label: t(lang, "dasbor.to_deployment"),
    });

    // Turnout against target.
    out.push(Section {
        id: "tile-partisipasi",
        title: t(lang, "dasbor.turnout"),
        rows: f
            .turnout
            .map(|x| {
                let mut v = vec![Row {
                    label: t(lang, "dasbor.turnout_now"),
                    value: x.bp(),
                    color: BLUE,
                }];
                if x.target_bp > 0 {
                    v.push(Row {
                        label: t(lang, "dasbor.turnout_target"),
                        value: u64::from(x.target_bp),
                        color: GREY,
                    });
                }
                v
            })
            .unwrap_or_default(),
        facts: f
            .turnout
            .map(|x| {
                let mut v = vec![format!(
                    "{}: {} · {}: {} / {}",
                    t(lang, "dasbor.turnout_now"),
                    percent(lang, x.bp()),
                    t(lang, "dasbor.voted"),
                    n(x.voted),
                    n(x.voters)
                )];
                v.push(if x.target_bp > 0 {
                    format!(
                        "{}: {}",
                        t(lang, "dasbor.turnout_target"),
                        percent(lang, u64::from(x.target_bp))
                    )
                } else {
                    t(lang, "dasbor.no_target")
                });
                v
            })
            .unwrap_or_default(),
        empty: f.turnout.is_none().then(|| t(lang, "dasbor.no_results")),
        link: scoped("/partisipasi"),
        link_label: t(lang, "dasbor.to_turnout"),
    });

    out.push(neutrality_section(s, lang));
    out
}

/// The neutrality briefings and integrity pledges tile: per kind of official, the share briefed
/// and the share who signed the pledge, with the counts behind them ("312 dari 340").
pub fn neutrality_section(s: &Snapshot, lang: Lang) -> Section {
    use posko_core::netralitas::OfficialKind;
    let n = |x: u64| lang.number(x);
    // Basis points rounded half up, as /netralitas rounds its percentages.
    let share = |a: u64, of: u64| (a * 20_000 + of).checked_div(2 * of).unwrap_or(0);
    let mut rows = Vec::new();
    let mut facts = Vec::new();
    for kind in OfficialKind::ALL {
        let Some(v) = s
            .figures
            .neutrality
            .as_ref()
            .and_then(|x| x.kinds.get(kind.as_str()))
        else {
            continue;
        };
        if v.briefed_of == 0 && v.pledged_of == 0 {
            continue;
        }
        let (id, en) = kind.label();
        let name = pick(lang, id, en);
        rows.push(Row {
            label: format!("{name} · {}", t(lang, "dasbor.briefed_short")),
            value: share(v.briefed, v.briefed_of),
            color: BLUE,
        });
        rows.push(Row {
            label: format!("{name} · {}", t(lang, "dasbor.pledged_short")),
            value: share(v.pledged, v.pledged_of),
            color: GREEN,
        });
        facts.push(format!(
            "{name}: {} {} {} {} · {} {} {} {}",
            t(lang, "dasbor.briefed_short"),
            n(v.briefed),
            t(lang, "dasbor.of"),
            n(v.briefed_of),
            t(lang, "dasbor.pledged_short"),
            n(v.pledged),
            t(lang, "dasbor.of"),
            n(v.pledged_of)
        ));
    }
    Section {
        id: "tile-netralitas",
        title: t(lang, "dasbor.neutrality"),
        empty: rows.is_empty().then(|| t(lang, "dasbor.no_neutrality")),
        rows,
        facts,
        link: match s.region {
            Some(r) => format!("/netralitas?wilayah={r}"),
            None => "/netralitas".into(),
        },
        link_label: t(lang, "dasbor.to_neutrality"),
    }
}

// ── charts ───────────────────────────────────────────────────────────────────────────────────

fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// A horizontal bar chart of the rows, drawn on the server: each bar is labelled with its text
/// and its number, so the chart reads without colour. `shown` formats the numbers.
pub fn bar_chart(rows: &[Row], title: &str, shown: impl Fn(u64) -> String) -> String {
    const W: u32 = 320;
    const LABEL: u32 = 130;
    const BAR: u32 = 18;
    const GAP: u32 = 6;
    let rows = &rows[..rows.len().min(12)];
    let h = (rows.len() as u32 * (BAR + GAP)).max(BAR + GAP);
    let max = rows.iter().map(|r| r.value).max().unwrap_or(0).max(1);
    let span = W - LABEL - 50;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bars\" viewBox=\"0 0 {W} {h}\" \
         width=\"{W}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">",
        xml_escape(title)
    );
    for (i, r) in rows.iter().enumerate() {
        let y = i as u32 * (BAR + GAP);
        let w = ((r.value as f64 / max as f64) * span as f64).round() as u32;
        let w = if r.value > 0 { w.max(2) } else { 0 };
        let label: String = if r.label.chars().count() > 21 {
            r.label.chars().take(20).chain(['…']).collect()
        } else {
            r.label.clone()
        };
        s.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"11\" fill=\"#111\">{}</text>\
             <rect x=\"{LABEL}\" y=\"{y}\" width=\"{w}\" height=\"{BAR}\" fill=\"{}\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#111\">{}</text>",
            y + 13,
            xml_escape(&label),
            r.color,
            LABEL + w + 4,
            y + 13,
            xml_escape(&shown(r.value))
        ));
    }
    s.push_str("</svg>");
    s
}

/// The chart of a section (turnout shows percentages).
pub fn section_chart(sec: &Section, lang: Lang) -> String {
    if sec.rows.is_empty() {
        return String::new();
    }
    bar_chart(&sec.rows, &sec.title, |v| sec.shown(lang, v))
}

// ── the dashboard page ──────────────────────────────────────────────────────────────────────

struct TileView {
    sec: Section,
    svg: String,
    values: Vec<(String, String)>,
}

struct ChildView {
    link: String,
    code: String,
    name: String,
    cases: String,
    open: String,
    overdue: String,
    due: String,
    alerts: String,
}

#[derive(Template)]
#[template(path = "dasbor.html")]
struct DasborTemplate {
    page: Page,
    key: String,
    name: String,
    computed: String,
    parent: Option<(String, String)>,
    tiles: Vec<TileView>,
    children: Vec<ChildView>,
    missing: bool,
    today: String,
}

fn tile_views(s: &Snapshot, lang: Lang) -> Vec<TileView> {
    sections(s, lang)
        .into_iter()
        .map(|sec| {
            let svg = section_chart(&sec, lang);
            let values = sec
                .rows
                .iter()
                .map(|r| (r.label.clone(), sec.shown(lang, r.value)))
                .collect();
            TileView { sec, svg, values }
        })
        .collect()
}

fn child_views(s: &Snapshot, lang: Lang) -> Vec<ChildView> {
    s.children
        .iter()
        .map(|c| ChildView {
            link: format!("/dasbor/{}", c.code),
            code: c.code.clone(),
            name: c.name.clone(),
            cases: lang.number(c.cases),
            open: lang.number(c.open),
            overdue: lang.number(c.overdue),
            due: lang.number(c.due_24h),
            alerts: lang.number(c.alerts),
        })
        .collect()
}

fn parse_key(code: &str) -> Result<Option<RegionCode>, AppError> {
    let code = code.trim();
    if code.eq_ignore_ascii_case(NATIONAL) {
        return Ok(None);
    }
    RegionCode::parse(code)
        .map(Some)
        .map_err(|_| AppError::RegionNotFound)
}

fn dash_err(e: DashboardError) -> AppError {
    match e {
        DashboardError::Forbidden => AppError::Forbidden,
        DashboardError::Region(_) => AppError::RegionNotFound,
        DashboardError::Store(s) => AppError::from_store(s),
        DashboardError::Corrupt(m) => AppError::internal(std::io::Error::other(m)),
    }
}

fn local_time(state: &AppState, region: Option<&RegionCode>, t: Timestamp) -> String {
    let z = region
        .and_then(|r| state.posko.atlas.zone(r))
        .unwrap_or(posko_core::Zone::Wib);
    format!(
        "{} {}",
        t.to_zoned(z.tz()).strftime("%Y-%m-%d %H:%M"),
        z.abbreviation()
    )
}

#[derive(Deserialize, Default)]
pub struct HomeQuery {
    wilayah: Option<String>,
}

/// `GET /dasbor`: the user's region (or `?wilayah=`).
pub async fn home(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<HomeQuery>,
) -> Result<Response, AppError> {
    let me = v.require_user("/dasbor")?;
    let region = match q
        .wilayah
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(w) => parse_key(w)?,
        None => app::home_region(&state.posko, me),
    };
    Ok(Redirect::to(&dasbor_path(region.as_ref())).into_response())
}

/// `GET /dasbor/{code}`: the dashboard of a region from its snapshot.
pub async fn show(
    State(state): State<AppState>,
    v: Visitor,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let path = format!("/dasbor/{code}");
    let me = v.require_user(&path)?.clone();
    let region = parse_key(&code)?;
    let snap = app::snapshot(&state.posko, &me, region.as_ref())
        .await
        .map_err(dash_err)?;
    let missing = snap.is_none();
    let snap = snap.unwrap_or_else(|| Snapshot {
        region,
        name: app::region_name(&state.posko, region.as_ref()),
        computed_at: Timestamp::UNIX_EPOCH,
        fingerprint: String::new(),
        election: state.posko.default_election().id.clone(),
        figures: Figures::default(),
        children: Vec::new(),
    });
    let parent = match region {
        None => None,
        Some(r) => {
            let p = r.parent();
            if app::may_view(&me, p.as_ref()) {
                Some((
                    dasbor_path(p.as_ref()),
                    app::region_name(&state.posko, p.as_ref()),
                ))
            } else {
                None
            }
        }
    };
    let z = region
        .and_then(|r| state.posko.atlas.zone(&r))
        .unwrap_or(posko_core::Zone::Wib);
    let tpl = DasborTemplate {
        key: app::key(region.as_ref()),
        name: snap.name.clone(),
        computed: if missing {
            String::new()
        } else {
            local_time(&state, region.as_ref(), snap.computed_at)
        },
        parent,
        tiles: tile_views(&snap, v.lang),
        children: child_views(&snap, v.lang),
        missing,
        today: Timestamp::now().to_zoned(z.tz()).date().to_string(),
        page: Page::new(&state, &v, "dasbor.title", &path),
    };
    Ok(Html(tpl.render().map_err(AppError::internal)?).into_response())
}

/// `GET /dasbor/bantuan`: what each tile's source is and how to fill the empty ones.
pub async fn help(State(state): State<AppState>, v: Visitor) -> Result<Response, AppError> {
    v.require_user("/dasbor/bantuan")?;
    #[derive(Template)]
    #[template(path = "dasbor_bantuan.html")]
    struct HelpTemplate {
        page: Page,
    }
    let tpl = HelpTemplate {
        page: Page::new(&state, &v, "dasbor.help_title", "/dasbor/bantuan"),
    };
    Ok(Html(tpl.render().map_err(AppError::internal)?).into_response())
}

// ── the briefing ────────────────────────────────────────────────────────────────────────────

#[derive(Deserialize, Default)]
pub struct BriefingQuery {
    tanggal: Option<String>,
}

/// A line of the briefing's list of cases that need a decision.
pub struct CaseLine {
    pub code: String,
    pub state: String,
    pub category: String,
    pub region: String,
    pub agency: String,
    pub deadline: String,
    pub reason: String,
}

/// A line of the follow-up section.
pub struct ActionLine {
    pub decision: u32,
    pub agency: String,
    pub description: String,
    pub due: String,
    pub state: String,
}

/// Everything a briefing shows, in the reader's language: the HTML, PDF and XLSX take it.
pub struct BriefingView {
    pub lang: Lang,
    pub title: String,
    pub name: String,
    pub key: String,
    pub date: String,
    pub computed: String,
    pub sections: Vec<Section>,
    pub cases: Vec<CaseLine>,
    /// Done, late, open and cancelled, in that order.
    pub follow_ups: Vec<FollowGroup>,
    pub since: String,
}

/// One group of the "Tindak lanjut rakor" section.
pub struct FollowGroup {
    pub id: &'static str,
    pub label: String,
    pub lines: Vec<ActionLine>,
}

fn action_lines(list: &[posko_core::rakor::FollowUp], lang: Lang) -> Vec<ActionLine> {
    list.iter()
        .map(|a| {
            let (id, en) = a.state.label();
            ActionLine {
                decision: a.decision,
                agency: a.agency.label().to_string(),
                description: a.description.clone(),
                due: a.due.to_string(),
                state: pick(lang, id, en),
            }
        })
        .collect()
}

/// The view of a briefing. `zone_time` formats instants for its region.
pub fn briefing_view(posko: &posko_app::Posko, b: &Briefing, lang: Lang) -> BriefingView {
    let region = b.snapshot.region;
    let z = region
        .and_then(|r| posko.atlas.zone(&r))
        .unwrap_or(posko_core::Zone::Wib);
    let when = |t: Timestamp| {
        format!(
            "{} {}",
            t.to_zoned(z.tz()).strftime("%Y-%m-%d %H:%M"),
            z.abbreviation()
        )
    };
    BriefingView {
        lang,
        title: t(lang, "dasbor.briefing_title"),
        name: b.snapshot.name.clone(),
        key: b.snapshot.key(),
        date: b.date.to_string(),
        computed: when(b.snapshot.computed_at),
        sections: sections(&b.snapshot, lang),
        cases: b
            .cases
            .iter()
            .map(|c| {
                let (id, en) = c.reason();
                let (sid, sen) = posko_app::notify::state_label(c.state);
                CaseLine {
                    // The case number officers use, not the tracking code: that is the
                    // reporter's own key to follow the report, and the briefing is printed
                    // and handed round at the meeting.
                    code: format!("#{}", c.report_id),
                    state: pick(lang, sid, sen),
                    category: category_name(lang, &c.category),
                    region: c.region.to_string(),
                    agency: c.agency.clone().unwrap_or_else(|| "–".into()),
                    deadline: c.deadline.clone().unwrap_or_else(|| "–".into()),
                    reason: pick(lang, id, en),
                }
            })
            .collect(),
        follow_ups: vec![
            FollowGroup {
                id: "fu-selesai",
                label: t(lang, "dasbor.fu_done"),
                lines: action_lines(&b.digest.done, lang),
            },
            FollowGroup {
                id: "fu-terlambat",
                label: t(lang, "dasbor.fu_late"),
                lines: action_lines(&b.digest.late, lang),
            },
            FollowGroup {
                id: "fu-terbuka",
                label: t(lang, "dasbor.fu_open"),
                lines: action_lines(&b.digest.open, lang),
            },
            FollowGroup {
                id: "fu-batal",
                label: t(lang, "dasbor.fu_cancelled"),
                lines: action_lines(&b.digest.cancelled, lang),
            },
        ],
        since: b
            .digest
            .since
            .map(when)
            .unwrap_or_else(|| t(lang, "dasbor.no_previous_meeting")),
    }
}

#[derive(Template)]
#[template(path = "dasbor_briefing.html")]
struct BriefingTemplate {
    page: Page,
    b: BriefingView,
    charts: Vec<String>,
}

/// The printable briefing page as HTML (also written by `posko briefing`).
pub fn briefing_html(view: BriefingView) -> Result<String, askama::Error> {
    let lang = view.lang;
    let charts = view
        .sections
        .iter()
        .map(|s| section_chart(s, lang))
        .collect();
    let tpl = BriefingTemplate {
        page: Page::bare(lang, &view.title, &format!("/dasbor/{}/briefing", view.key)),
        b: view,
        charts,
    };
    tpl.render()
}

fn briefing_date(
    state: &AppState,
    region: Option<&RegionCode>,
    q: &BriefingQuery,
) -> Result<Date, AppError> {
    match q
        .tanggal
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(d) => d.parse::<Date>().map_err(|_| AppError::BadRequest),
        None => {
            let z = region
                .and_then(|r| state.posko.atlas.zone(r))
                .unwrap_or(posko_core::Zone::Wib);
            Ok(Timestamp::now().to_zoned(z.tz()).date())
        }
    }
}

async fn load_briefing(
    state: &AppState,
    v: &Visitor,
    code: &str,
    q: &BriefingQuery,
    path: &str,
) -> Result<BriefingView, AppError> {
    let me = v.require_user(path)?;
    let region = parse_key(code)?;
    if let Some(r) = region {
        if !state.posko.atlas.contains(&r) {
            return Err(AppError::RegionNotFound);
        }
    }
    if !app::may_view(me, region.as_ref()) {
        return Err(AppError::Forbidden);
    }
    let date = briefing_date(state, region.as_ref(), q)?;
    let b = app::briefing(&state.posko, region.as_ref(), date, Timestamp::now())
        .await
        .map_err(dash_err)?;
    Ok(briefing_view(&state.posko, &b, v.lang))
}

/// `GET /dasbor/{code}/briefing?tanggal=YYYY-MM-DD`: the printable briefing.
pub async fn briefing(
    State(state): State<AppState>,
    v: Visitor,
    Path(code): Path<String>,
    Query(q): Query<BriefingQuery>,
) -> Result<Response, AppError> {
    let path = format!("/dasbor/{code}/briefing");
    let view = load_briefing(&state, &v, &code, &q, &path).await?;
    Ok(Html(briefing_html(view).map_err(AppError::internal)?).into_response())
}

/// `GET /dasbor/{code}/briefing.pdf`.
pub async fn briefing_pdf(
    State(state): State<AppState>,
    v: Visitor,
    Path(code): Path<String>,
    Query(q): Query<BriefingQuery>,
) -> Result<Response, AppError> {
    let path = format!("/dasbor/{code}/briefing.pdf");
    let view = load_briefing(&state, &v, &code, &q, &path).await?;
    let name = format!("briefing-{}-{}.pdf", view.key, view.date);
    let bytes = crate::briefing_pdf::render(&view);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /dasbor/{code}/briefing.xlsx`.
pub async fn briefing_xlsx(
    State(state): State<AppState>,
    v: Visitor,
    Path(code): Path<String>,
    Query(q): Query<BriefingQuery>,
) -> Result<Response, AppError> {
    let path = format!("/dasbor/{code}/briefing.xlsx");
    let view = load_briefing(&state, &v, &code, &q, &path).await?;
    let name = format!("briefing-{}-{}.xlsx", view.key, view.date);
    let bytes = briefing_workbook(&view).map_err(AppError::internal)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The briefing's tables as a workbook: the figures, the cases needing a decision, and the
/// follow-up actions.
pub fn briefing_workbook(v: &BriefingView) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let lang = v.lang;
    let mut book = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    {
        let sheet = book
            .add_worksheet()
            .set_name(pick(lang, "Angka", "Figures"))?;
        sheet.write_string_with_format(
            0,
            0,
            format!("{} · {} · {}", v.title, v.name, v.date),
            &bold,
        )?;
        sheet.write_string_with_format(2, 0, pick(lang, "Bagian", "Tile"), &bold)?;
        sheet.write_string_with_format(2, 1, pick(lang, "Uraian", "Item"), &bold)?;
        sheet.write_string_with_format(2, 2, pick(lang, "Jumlah", "Count"), &bold)?;
        let mut r = 3u32;
        for s in &v.sections {
            if let Some(e) = &s.empty {
                sheet.write_string(r, 0, &s.title)?;
                sheet.write_string(r, 1, e)?;
                r += 1;
                continue;
            }
            for row in &s.rows {
                sheet.write_string(r, 0, &s.title)?;
                sheet.write_string(r, 1, &row.label)?;
                if s.is_percent() {
                    sheet.write_number(r, 2, row.value as f64 / 100.0)?;
                } else {
                    sheet.write_number(r, 2, row.value as f64)?;
                }
                r += 1;
            }
            for fact in &s.facts {
                sheet.write_string(r, 0, &s.title)?;
                sheet.write_string(r, 1, fact)?;
                r += 1;
            }
        }
        sheet.set_column_width(0, 34)?;
        sheet.set_column_width(1, 60)?;
    }
    {
        let sheet =
            book.add_worksheet()
                .set_name(pick(lang, "Perlu keputusan", "Needs decision"))?;
        let head = [
            pick(lang, "No. kasus", "Case no."),
            pick(lang, "Status", "State"),
            pick(lang, "Kategori", "Category"),
            pick(lang, "Wilayah", "Region"),
            pick(lang, "Instansi", "Agency"),
            pick(lang, "Tenggat", "Deadline"),
            pick(lang, "Alasan", "Reason"),
        ];
        for (i, h) in head.iter().enumerate() {
            sheet.write_string_with_format(0, i as u16, h, &bold)?;
        }
        for (i, c) in v.cases.iter().enumerate() {
            let r = i as u32 + 1;
            for (j, cell) in [
                &c.code,
                &c.state,
                &c.category,
                &c.region,
                &c.agency,
                &c.deadline,
                &c.reason,
            ]
            .iter()
            .enumerate()
            {
                sheet.write_string(r, j as u16, *cell)?;
            }
        }
    }
    {
        let sheet = book
            .add_worksheet()
            .set_name(pick(lang, "Tindak lanjut", "Follow-up"))?;
        let head = [
            pick(lang, "Kelompok", "Group"),
            pick(lang, "Keputusan no.", "Decision no."),
            pick(lang, "Instansi", "Agency"),
            pick(lang, "Uraian", "Action"),
            pick(lang, "Tenggat", "Due"),
            pick(lang, "Status", "State"),
        ];
        for (i, h) in head.iter().enumerate() {
            sheet.write_string_with_format(0, i as u16, h, &bold)?;
        }
        let mut r = 1u32;
        for g in &v.follow_ups {
            for a in &g.lines {
                sheet.write_string(r, 0, &g.label)?;
                sheet.write_number(r, 1, f64::from(a.decision))?;
                sheet.write_string(r, 2, &a.agency)?;
                sheet.write_string(r, 3, &a.description)?;
                sheet.write_string(r, 4, &a.due)?;
                sheet.write_string(r, 5, &a.state)?;
                r += 1;
            }
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use posko_core::dashboard::{Neutrality, NeutralityKind};
    use std::collections::BTreeMap;

    fn snapshot(neutrality: Option<Neutrality>) -> Snapshot {
        Snapshot {
            region: RegionCode::parse("33.20").ok(),
            name: "KABUPATEN JEPARA".into(),
            computed_at: Timestamp::UNIX_EPOCH,
            fingerprint: String::new(),
            election: "pemilu-2024".into(),
            figures: Figures {
                neutrality,
                ..Figures::default()
            },
            children: Vec::new(),
        }
    }

    #[test]
    fn the_neutrality_tile_says_how_many_of_how_many() {
        let empty = neutrality_section(&snapshot(None), Lang::Id);
        assert!(empty.rows.is_empty());
        assert!(empty.empty.unwrap().starts_with("Belum ada data"));
        let mut kinds = BTreeMap::new();
        kinds.insert(
            "kepala_desa".to_string(),
            NeutralityKind {
                briefed: 312,
                briefed_of: 340,
                pledged: 0,
                pledged_of: 340,
            },
        );
        kinds.insert(
            "asn".to_string(),
            NeutralityKind {
                briefed: 0,
                briefed_of: 8_114,
                pledged: 7_902,
                pledged_of: 8_114,
            },
        );
        let sec = neutrality_section(&snapshot(Some(Neutrality { kinds })), Lang::Id);
        assert_eq!(sec.empty, None);
        assert_eq!(sec.link, "/netralitas?wilayah=33.20");
        // Kinds in their fixed order (ASN first), the shares in basis points.
        assert_eq!(sec.rows.len(), 4);
        assert_eq!(sec.rows[1].value, 9_739, "97.387 % rounded");
        assert_eq!(sec.rows[2].value, 9_176, "91.765 % rounded");
        // Shown as a share wherever the section goes (page, PDF, workbook).
        assert!(sec.is_percent());
        assert_eq!(sec.shown(Lang::Id, sec.rows[1].value), "97,39 %");
        assert!(
            sec.facts[0].contains("pakta 7.902 dari 8.114"),
            "{}",
            sec.facts[0]
        );
        assert!(
            sec.facts[1].contains("penyuluhan 312 dari 340"),
            "{}",
            sec.facts[1]
        );
        let chart = section_chart(&sec, Lang::Id);
        assert!(
            chart.contains("<svg") && chart.contains("97,39 %"),
            "{chart}"
        );
    }
}
