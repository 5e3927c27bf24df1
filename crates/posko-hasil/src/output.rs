//! The outputs of `posko hasil check`: `temuan.csv` and `temuan.xlsx` (every finding with its
//! file, line, column, code, severity and message in Bahasa Indonesia and English, errors
//! first), `partisipasi.csv` (turnout per ballot type for the country and every province,
//! regency, district and village with forms, against the election's target and a previous
//! election when given), `partisipasi.xlsx` (the same down to regencies: a spreadsheet of 90,000
//! villages helps nobody), and `summary.json`.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::Instant;

use posko_core::results::{Area, Comparison, Severity, Tally, Turnout};
use posko_core::{Atlas, BallotType, Election, Level, RegionCode};
use rust_xlsxwriter::{Format, Workbook};
use serde::Serialize;

use crate::engine::{EngineError, FileRead, Outcome};
use crate::read::{decode, normalise_header, parse_ballot, sniff_delimiter};

/// The most rows a sheet holds (1,048,576 with the header).
const XLSX_MAX_ROWS: usize = 1_048_575;

/// Turnout of one ballot type for the whole set.
#[derive(Debug, Clone, Serialize)]
pub struct BallotTurnout {
    pub ballot: BallotType,
    pub forms: u64,
    pub registered: u64,
    pub voted: u64,
    pub valid: u64,
    pub invalid: u64,
    pub turnout_percent: Option<f64>,
    pub target_percent: Option<f64>,
    pub previous_percent: Option<f64>,
}

/// `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub election: String,
    pub files: Vec<FileRead>,
    pub rows: u64,
    pub forms: u64,
    pub seconds: f64,
    pub forms_per_second: f64,
    /// Findings per code (`H01` …).
    pub findings: BTreeMap<String, u64>,
    pub by_severity: BTreeMap<String, u64>,
    /// Forms with at least one finding of severity error.
    pub forms_with_errors: u64,
    /// Country-wide turnout per ballot type.
    pub turnout: Vec<BallotTurnout>,
    /// Rows of `partisipasi.csv` (areas × ballot types).
    pub turnout_rows: u64,
    pub timings: BTreeMap<String, f64>,
    pub outputs: Vec<String>,
}

fn percent(bp: Option<u32>) -> Option<f64> {
    bp.map(|b| f64::from(b) / 100.0)
}

fn fmt_pct(p: Option<f64>) -> String {
    p.map(|v| format!("{v:.2}")).unwrap_or_default()
}

fn fmt_diff(bp: Option<i64>) -> String {
    bp.map(|v| format!("{:.2}", v as f64 / 100.0))
        .unwrap_or_default()
}

fn level_name(area: Area) -> &'static str {
    match area {
        Area::Country => "nasional",
        Area::Region(c) => match c.level() {
            Level::Province => "provinsi",
            Level::Regency => "kabupaten_kota",
            Level::District => "kecamatan",
            Level::Village => "desa_kelurahan",
        },
    }
}

fn area_name(atlas: &Atlas, area: Area) -> String {
    match area {
        Area::Country => "INDONESIA".into(),
        Area::Region(c) => atlas.get(&c).map(|r| r.name.clone()).unwrap_or_default(),
    }
}

const TURNOUT_HEADER: [&str; 19] = [
    "tingkat",
    "kode",
    "nama",
    "jenis",
    "formulir",
    "dpt",
    "dptb",
    "dpk",
    "pengguna_dpt",
    "pengguna_dptb",
    "pengguna_dpk",
    "suara_sah",
    "suara_tidak_sah",
    "surat_diterima",
    "partisipasi_persen",
    "target_persen",
    "selisih_target",
    "sebelumnya_persen",
    "selisih_sebelumnya",
];

fn turnout_cells(
    atlas: &Atlas,
    area: Area,
    ballot: BallotType,
    t: &Tally,
    c: &Comparison,
) -> [String; 19] {
    [
        level_name(area).into(),
        area.to_string(),
        area_name(atlas, area),
        ballot.as_str().into(),
        t.forms.to_string(),
        t.registered_dpt.to_string(),
        t.registered_dptb.to_string(),
        t.registered_dpk.to_string(),
        t.voted_dpt.to_string(),
        t.voted_dptb.to_string(),
        t.voted_dpk.to_string(),
        t.valid.to_string(),
        t.invalid.to_string(),
        t.papers_received.to_string(),
        fmt_pct(percent(c.turnout_bp)),
        fmt_pct(percent(c.target_bp)),
        fmt_diff(c.against_target()),
        fmt_pct(percent(c.previous_bp)),
        fmt_diff(c.against_previous()),
    ]
}

const FINDING_HEADER: [&str; 9] = [
    "berkas", "baris", "kolom", "kode", "tingkat", "kode_tps", "jenis", "pesan", "message",
];

/// Writes every output and returns the summary.
pub fn write(
    o: &Outcome,
    election: &Election,
    dir: &Path,
    start: Instant,
) -> Result<Summary, EngineError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| EngineError::Output { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let t = Instant::now();
    let atlas = Atlas::embedded();
    let mut outputs = Vec::new();

    // Findings, errors first, then warnings and infos, each in file and line order.
    let mut order: Vec<usize> = (0..o.flags.len()).collect();
    order.sort_by_key(|&i| o.flags[i].severity());
    let file_names: Vec<String> = o
        .files
        .iter()
        .map(|f| {
            Path::new(&f.path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| f.path.clone())
        })
        .collect();
    let row = |i: usize| -> [String; 9] {
        let f = &o.flags[i];
        [
            file_names.get(f.file as usize).cloned().unwrap_or_default(),
            f.line.to_string(),
            f.column.clone(),
            f.code().as_str().into(),
            f.severity().as_str().into(),
            f.tps.map(|t| t.to_string()).unwrap_or_default(),
            f.ballot.map(|b| b.as_str().to_string()).unwrap_or_default(),
            f.message(),
            f.message_en(),
        ]
    };
    // Turnout per area and ballot type.
    let target = election.rules.turnout_target_bp;
    let comparison = |area: Area, ballot: BallotType, t: &Tally| {
        Comparison::new(
            t.turnout(),
            target,
            o.previous.get(&(area, ballot)).copied(),
        )
    };
    let csv_path = dir.join("temuan.csv");
    let xlsx_path = dir.join("temuan.xlsx");
    let turnout_csv = dir.join("partisipasi.csv");
    let turnout_xlsx = dir.join("partisipasi.xlsx");
    // The four files are independent: written side by side.
    let findings_csv = || -> Result<(), EngineError> {
        let mut w = csv::Writer::from_writer(BufWriter::with_capacity(
            1 << 20,
            File::create(&csv_path).map_err(io(&csv_path))?,
        ));
        let cerr = |e: csv::Error| EngineError::Output {
            path: csv_path.clone(),
            source: e.into(),
        };
        w.write_record(FINDING_HEADER).map_err(cerr)?;
        for &i in &order {
            w.write_record(row(i)).map_err(cerr)?;
        }
        w.flush().map_err(io(&csv_path))
    };
    let findings_xlsx = || {
        write_xlsx(
            &xlsx_path,
            "Temuan",
            &FINDING_HEADER,
            |c| c == 1,
            order.iter().take(XLSX_MAX_ROWS).map(|&i| row(i)),
        )
    };
    let turnout_table = || -> Result<u64, EngineError> {
        let mut rows = 0u64;
        let mut w = csv::Writer::from_writer(BufWriter::with_capacity(
            1 << 20,
            File::create(&turnout_csv).map_err(io(&turnout_csv))?,
        ));
        let cerr = |e: csv::Error| EngineError::Output {
            path: turnout_csv.clone(),
            source: e.into(),
        };
        w.write_record(TURNOUT_HEADER).map_err(cerr)?;
        for ((area, ballot), t) in o.rolled.iter() {
            let c = comparison(*area, *ballot, t);
            w.write_record(turnout_cells(atlas, *area, *ballot, t, &c))
                .map_err(cerr)?;
            rows += 1;
        }
        w.flush().map_err(io(&turnout_csv))?;
        Ok(rows)
    };
    // The spreadsheet stops at regencies (2,800 rows nationally); districts and villages are in
    // the CSV.
    let turnout_sheet = || {
        write_xlsx(
            &turnout_xlsx,
            "Partisipasi",
            &TURNOUT_HEADER,
            |c| c >= 4,
            o.rolled
                .iter()
                .filter(|((a, _), _)| !matches!(a, Area::Region(c) if c.level() > Level::Regency))
                .map(|((area, ballot), t)| {
                    let c = comparison(*area, *ballot, t);
                    turnout_cells(atlas, *area, *ballot, t, &c)
                }),
        )
    };
    let ((r1, r2), (r3, r4)) = rayon::join(
        || rayon::join(findings_csv, findings_xlsx),
        || rayon::join(turnout_table, turnout_sheet),
    );
    r1?;
    r2?;
    let turnout_rows = r3?;
    r4?;
    for p in [&csv_path, &xlsx_path, &turnout_csv, &turnout_xlsx] {
        outputs.push(p.display().to_string());
    }

    let mut findings: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_severity: BTreeMap<String, u64> = BTreeMap::new();
    let mut error_forms = std::collections::HashSet::new();
    for f in &o.flags {
        *findings.entry(f.code().as_str().to_string()).or_default() += 1;
        *by_severity
            .entry(f.severity().as_str().to_string())
            .or_default() += 1;
        if f.severity() == Severity::Error {
            error_forms.insert((f.file, f.line));
        }
    }
    let turnout = BallotType::ALL
        .iter()
        .filter_map(|b| {
            let t = o.rolled.get(Area::Country, *b)?;
            let c = comparison(Area::Country, *b, t);
            Some(BallotTurnout {
                ballot: *b,
                forms: t.forms,
                registered: t.registered(),
                voted: t.voted(),
                valid: t.valid,
                invalid: t.invalid,
                turnout_percent: percent(c.turnout_bp),
                target_percent: percent(c.target_bp),
                previous_percent: percent(c.previous_bp),
            })
        })
        .collect();
    let mut timings = o.timings.clone();
    timings.insert("write".into(), t.elapsed().as_secs_f64());
    let seconds = start.elapsed().as_secs_f64();
    let summary = Summary {
        election: election.id.clone(),
        files: o.files.clone(),
        rows: o.rows,
        forms: o.forms,
        seconds,
        forms_per_second: o.forms as f64 / seconds.max(1e-9),
        findings,
        by_severity,
        forms_with_errors: error_forms.len() as u64,
        turnout,
        turnout_rows,
        timings,
        outputs: {
            outputs.push(dir.join("summary.json").display().to_string());
            outputs
        },
    };
    let summary_path = dir.join("summary.json");
    let json = serde_json::to_vec_pretty(&summary).map_err(|e| EngineError::Output {
        path: summary_path.clone(),
        source: e.into(),
    })?;
    std::fs::write(&summary_path, json).map_err(io(&summary_path))?;
    Ok(summary)
}

fn write_xlsx<const N: usize>(
    path: &Path,
    sheet: &str,
    header: &[&str; N],
    numeric: impl Fn(usize) -> bool,
    rows: impl Iterator<Item = [String; N]>,
) -> Result<(), EngineError> {
    let xerr = |e: rust_xlsxwriter::XlsxError| EngineError::Xlsx {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).map_err(xerr)?;
    let bold = Format::new().set_bold();
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)
            .map_err(xerr)?;
    }
    for (r, cells) in rows.enumerate() {
        let r = r as u32 + 1;
        for (c, v) in cells.iter().enumerate() {
            // Counts as numbers so that the sheet can sum them; codes stay text.
            match v.parse::<f64>() {
                Ok(n) if numeric(c) => ws.write_number(r, c as u16, n).map_err(xerr)?,
                _ => ws.write_string(r, c as u16, v).map_err(xerr)?,
            };
        }
    }
    book.save(path).map_err(xerr)?;
    Ok(())
}

/// Reads a `partisipasi.csv` written by an earlier run (of a previous election): area code,
/// ballot type, and the counts per list. Other columns are ignored.
pub fn read_previous(path: &Path) -> Result<HashMap<(Area, BallotType), Turnout>, EngineError> {
    let bad = |line: u64, message: String| EngineError::Previous {
        path: path.to_path_buf(),
        line,
        message,
    };
    let data = std::fs::read(path).map_err(|e| EngineError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let body = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&data);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_delimiter(body))
        .from_reader(body);
    let mut recs = r.byte_records();
    let header: Vec<String> = match recs.next() {
        Some(Ok(h)) => h.iter().map(|f| normalise_header(&decode(f))).collect(),
        _ => return Err(bad(1, "tidak ada baris judul (no header)".into())),
    };
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(1, format!("kolom '{name}' tidak ada (column missing)")))
    };
    let code = col("kode")?;
    let ballot = col("jenis")?;
    let counts: Vec<usize> = [
        "dpt",
        "dptb",
        "dpk",
        "pengguna_dpt",
        "pengguna_dptb",
        "pengguna_dpk",
    ]
    .iter()
    .map(|n| col(n))
    .collect::<Result<_, _>>()?;
    let mut out = HashMap::new();
    for (i, rec) in recs.enumerate() {
        let line = i as u64 + 2;
        let rec = rec.map_err(|e| bad(line, e.to_string()))?;
        let text = |c: usize| decode(rec.get(c).unwrap_or(b"")).trim().to_string();
        let area = match text(code).as_str() {
            "ID" | "" => Area::Country,
            c => Area::Region(RegionCode::parse(c).map_err(|e| bad(line, e.to_string()))?),
        };
        let b = parse_ballot(rec.get(ballot).unwrap_or(b""))
            .ok_or_else(|| bad(line, format!("jenis '{}' tidak dikenal", text(ballot))))?;
        let mut n = [0u64; 6];
        for (slot, &c) in n.iter_mut().zip(&counts) {
            *slot = text(c)
                .parse()
                .map_err(|_| bad(line, format!("'{}' bukan angka (not a number)", text(c))))?;
        }
        out.insert(
            (area, b),
            Turnout {
                registered: n[0] + n[1] + n[2],
                voted: n[3] + n[4] + n[5],
            },
        );
    }
    Ok(out)
}

/// The paths `write` creates in `dir`.
pub fn output_paths(dir: &Path) -> Vec<PathBuf> {
    [
        "temuan.csv",
        "temuan.xlsx",
        "partisipasi.csv",
        "partisipasi.xlsx",
        "summary.json",
    ]
    .iter()
    .map(|n| dir.join(n))
    .collect()
}

/// Writes forms as a results CSV in the standard layout (`posko hasil check` and the imports
/// read it back).
pub fn write_forms<W: std::io::Write>(
    forms: &[posko_core::results::ResultForm],
    out: W,
) -> Result<(), csv::Error> {
    let width = forms
        .iter()
        .map(|f| f.votes.len())
        .max()
        .unwrap_or(1)
        .max(1);
    let mut w = csv::Writer::from_writer(out);
    w.write_record(crate::read::standard_header(width))?;
    for f in forms {
        let mut row = vec![f.tps.to_string(), f.ballot.as_str().to_string()];
        row.extend(
            [
                f.registered.dpt,
                f.registered.dptb,
                f.registered.dpk,
                f.voted.dpt,
                f.voted.dptb,
                f.voted.dpk,
                f.papers.received,
                f.papers.used,
                f.papers.unused,
                f.papers.damaged,
                f.valid,
                f.invalid,
            ]
            .iter()
            .map(u32::to_string),
        );
        row.extend((0..width).map(|i| f.votes.get(i).map(u32::to_string).unwrap_or_default()));
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}
