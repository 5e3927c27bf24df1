//! Writers for a run's results: per village and per district counts by finding
//! (`ringkasan-desa.csv`, `ringkasan-kecamatan.csv`), one CSV and one XLSX of findings per
//! district for its camat (`kecamatan/33.20.01-kedung.csv|.xlsx`, NIK masked unless asked),
//! and `summary.json` for machines. Findings are read back one spill partition at a time.

use std::collections::BTreeMap;

use foldhash::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::time::Instant;

use posko_core::Election;
use rayon::prelude::*;
use rust_xlsxwriter::{Format, Workbook};
use serde::Serialize;

use crate::engine::{EngineError, FindingSpill};
use crate::finding::{mask_nik, Code, Finding, ALL_CODES};
use crate::region::{district_of, district_text, village_text, RegionIndex};

/// Rows and findings per village (0 = no known village).
#[derive(Debug, Default)]
pub struct Counts {
    pub(crate) villages: HashMap<u64, ([u64; 12], u64)>,
    totals: [u64; 12],
}

impl Counts {
    /// Counts `n` rows listed in `village`.
    pub fn add_rows(&mut self, village: u64, n: u64) {
        self.villages.entry(village).or_default().1 += n;
    }

    pub fn add_finding(&mut self, f: &Finding) {
        self.villages.entry(f.village).or_default().0[f.code.index()] += 1;
        self.totals[f.code.index()] += 1;
    }

    pub fn total(&self, code: Code) -> u64 {
        self.totals[code.index()]
    }

    /// Adds another thread's counts.
    pub fn merge(&mut self, other: Counts) {
        for (v, (c, n)) in other.villages {
            let e = self.villages.entry(v).or_default();
            for (sum, x) in e.0.iter_mut().zip(c) {
                *sum += x;
            }
            e.1 += n;
        }
        for (sum, x) in self.totals.iter_mut().zip(other.totals) {
            *sum += x;
        }
    }
}

/// One input file in the summary.
#[derive(Debug, Clone, Serialize)]
pub struct FileSummary {
    pub path: String,
    pub format: String,
    pub rows: u64,
}

/// Counts for one region in the summary.
#[derive(Debug, Clone, Serialize)]
pub struct RegionSummary {
    pub code: String,
    pub name: String,
    pub voters: u64,
    pub findings: BTreeMap<String, u64>,
}

/// `summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub election: String,
    pub polling_day: String,
    pub max_voters_per_tps: u32,
    /// What was checked: `semua` (everything), `dasar` (the basic tasks) or `ganda` (the
    /// duplicate search); a code not checked counts 0.
    pub tasks: &'static str,
    pub files: Vec<FileSummary>,
    pub rows: u64,
    pub seconds: f64,
    pub rows_per_second: f64,
    pub findings: BTreeMap<String, u64>,
    pub probable_duplicate_pairs: u64,
    pub tps: u64,
    pub tps_over_capacity: u64,
    pub nik_masked: bool,
    pub read_errors: Vec<String>,
    pub districts: Vec<RegionSummary>,
    pub villages: Vec<RegionSummary>,
    pub outputs: Vec<String>,
}

pub(crate) struct Inputs<'a> {
    pub out_dir: &'a Path,
    pub findings: &'a FindingSpill,
    pub counts: &'a Counts,
    pub regions: &'a RegionIndex,
    pub files: &'a [String],
    pub formats: &'a [&'static str],
    pub file_rows: &'a [u64],
    pub election: &'a Election,
    pub full_nik: bool,
    /// The camat's findings as CSV only, no XLSX (a run of the basic tasks or the duplicates).
    pub csv_only: bool,
    /// `Summary::tasks`.
    pub tasks: &'static str,
    pub rows: u64,
    pub tps_count: u64,
    pub tps_over: u64,
    pub pairs: u64,
    pub read_errors: &'a [String],
    pub started: Instant,
}

fn out_err(path: &Path) -> impl Fn(std::io::Error) -> EngineError + '_ {
    move |source| EngineError::Output {
        path: path.to_path_buf(),
        source,
    }
}

fn csv_err(path: &Path) -> impl Fn(csv::Error) -> EngineError + '_ {
    move |e| EngineError::Output {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    }
}

fn by_code(c: &[u64; 12]) -> BTreeMap<String, u64> {
    ALL_CODES
        .iter()
        .filter(|k| c[k.index()] > 0)
        .map(|k| (k.as_str().to_string(), c[k.index()]))
        .collect()
}

/// A file-name-safe form of a region name.
fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in deunicode::deunicode(name).chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    s.trim_end_matches('-').to_string()
}

const FINDING_HEADER: [&str; 15] = [
    "kode",
    "temuan",
    "berkas",
    "baris",
    "kolom",
    "kode_desa",
    "desa",
    "tps",
    "nik",
    "nama",
    "keterangan",
    "skor",
    "berkas_lain",
    "baris_lain",
    "klaster",
];

fn finding_row(f: &Finding, inp: &Inputs) -> [String; 15] {
    let file = |i: u16| inp.files.get(i as usize).cloned().unwrap_or_default();
    let nik = if inp.full_nik {
        f.nik.clone()
    } else {
        mask_nik(&f.nik)
    };
    [
        f.code.as_str().to_string(),
        f.code.title().to_string(),
        if f.line == 0 {
            String::new()
        } else {
            file(f.file)
        },
        if f.line == 0 {
            String::new()
        } else {
            f.line.to_string()
        },
        f.column.clone().unwrap_or_default(),
        if f.village == 0 {
            String::new()
        } else {
            village_text(f.village)
        },
        inp.regions.village(f.village).unwrap_or("").to_string(),
        if f.tps == 0 {
            String::new()
        } else {
            format!("{:03}", f.tps)
        },
        nik,
        f.name.clone(),
        f.detail.clone(),
        f.score.map(|s| format!("{s:.3}")).unwrap_or_default(),
        f.other.map(|(fi, _)| file(fi)).unwrap_or_default(),
        f.other.map(|(_, l)| l.to_string()).unwrap_or_default(),
        f.cluster.map(|c| c.to_string()).unwrap_or_default(),
    ]
}

fn write_district(
    dir: &Path,
    district: u32,
    findings: &[Finding],
    inp: &Inputs,
) -> Result<Vec<PathBuf>, EngineError> {
    let stem = if district == 0 {
        "tanpa-wilayah".to_string()
    } else {
        format!(
            "{}-{}",
            district_text(district),
            slug(inp.regions.district(district).unwrap_or(""))
        )
    };
    let csv_path = dir.join(format!("{stem}.csv"));
    let mut w = csv::Writer::from_writer(BufWriter::new(
        File::create(&csv_path).map_err(out_err(&csv_path))?,
    ));
    w.write_record(FINDING_HEADER).map_err(csv_err(&csv_path))?;
    let rows: Vec<[String; 15]> = findings.iter().map(|f| finding_row(f, inp)).collect();
    for row in &rows {
        w.write_record(row).map_err(csv_err(&csv_path))?;
    }
    w.flush().map_err(out_err(&csv_path))?;
    if inp.csv_only {
        return Ok(vec![csv_path]);
    }
    let xlsx_path = dir.join(format!("{stem}.xlsx"));
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let xerr = |e: rust_xlsxwriter::XlsxError| EngineError::Xlsx {
        path: xlsx_path.clone(),
        message: e.to_string(),
    };
    let bold = Format::new().set_bold();
    sheet.set_name("Temuan").map_err(xerr)?;
    for (c, h) in FINDING_HEADER.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(xerr)?;
    }
    // A sheet holds 1,048,576 rows; beyond that the CSV has them all.
    const SHEET_MAX: usize = 1_048_575;
    let score = Format::new().set_num_format("0.000");
    for (r, (row, f)) in rows.iter().zip(findings).take(SHEET_MAX).enumerate() {
        let r = (r + 1) as u32;
        for (c, v) in row.iter().enumerate() {
            // Line numbers, scores and clusters are numbers, so that the camat can sort and
            // filter them as numbers (and they stay out of the shared string table, where
            // every line number was a string of its own). NIK and TPS stay text: a NIK has
            // more digits than a spreadsheet number keeps, and TPS 001 keeps its zeros.
            let number = match c {
                3 if f.line != 0 => Some(f.line as f64),
                // The CSV's rounded text, so that both files show the same score.
                11 => v.parse().ok(),
                13 => f.other.map(|(_, line)| line as f64),
                14 => f.cluster.map(|k| k as f64),
                _ => None,
            };
            match number {
                Some(n) if c == 11 => sheet.write_number_with_format(r, c as u16, n, &score),
                Some(n) => sheet.write_number(r, c as u16, n),
                None => sheet.write_string(r, c as u16, v),
            }
            .map_err(xerr)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(xerr)?;
    sheet
        .autofilter(0, 0, findings.len().min(SHEET_MAX) as u32, 14)
        .map_err(xerr)?;
    book.save(&xlsx_path).map_err(xerr)?;
    Ok(vec![csv_path, xlsx_path])
}

fn write_counts(
    path: &Path,
    rows: &[(String, String, u64, [u64; 12])],
    first: &[&str; 2],
) -> Result<(), EngineError> {
    let mut w =
        csv::Writer::from_writer(BufWriter::new(File::create(path).map_err(out_err(path))?));
    let mut head: Vec<&str> = vec![first[0], first[1], "pemilih"];
    head.extend(ALL_CODES.iter().map(|c| c.as_str()));
    w.write_record(&head).map_err(csv_err(path))?;
    for (code, name, voters, c) in rows {
        let mut rec = vec![code.clone(), name.clone(), voters.to_string()];
        rec.extend(c.iter().map(|n| n.to_string()));
        w.write_record(&rec).map_err(csv_err(path))?;
    }
    w.flush().map_err(out_err(path))
}

pub(crate) fn write_all(inp: &Inputs) -> Result<Summary, EngineError> {
    let dir = inp.out_dir.join("kecamatan");
    std::fs::create_dir_all(&dir).map_err(out_err(&dir))?;
    let mut outputs = Vec::new();

    // Partitions in parallel, and the districts of a partition too: the XLSX files are
    // compressed one by one, and there are up to 7,277 of them.
    let written: Vec<Vec<PathBuf>> = (0..inp.findings.parts())
        .into_par_iter()
        .map(|part| -> Result<Vec<PathBuf>, EngineError> {
            let path = inp.findings.path(part);
            let file = File::open(&path).map_err(|source| EngineError::Spill {
                path: path.clone(),
                source,
            })?;
            let mut by_district: BTreeMap<u32, Vec<Finding>> = BTreeMap::new();
            for line in BufReader::new(file).lines() {
                let line = line.map_err(|source| EngineError::Spill {
                    path: path.clone(),
                    source,
                })?;
                let f: Finding = serde_json::from_str(&line).map_err(|e| EngineError::Spill {
                    path: path.clone(),
                    source: std::io::Error::other(e.to_string()),
                })?;
                by_district
                    .entry(district_of(f.village))
                    .or_default()
                    .push(f);
            }
            let districts: Vec<(u32, Vec<Finding>)> = by_district.into_iter().collect();
            let files: Vec<Vec<PathBuf>> = districts
                .into_par_iter()
                .map(|(district, mut fs)| {
                    // Rows are checked on several threads at once: sort on everything, so
                    // that the files are the same from run to run.
                    fs.sort_by(|a, b| {
                        (a.file, a.line, a.code, a.village, a.tps, a.other, &a.column)
                            .cmp(&(b.file, b.line, b.code, b.village, b.tps, b.other, &b.column))
                            .then_with(|| a.detail.cmp(&b.detail))
                    });
                    write_district(&dir, district, &fs, inp)
                })
                .collect::<Result<_, _>>()?;
            Ok(files.into_iter().flatten().collect())
        })
        .collect::<Result<_, _>>()?;
    outputs.extend(written.into_iter().flatten());
    outputs.sort();

    // Counts per village and district, in code order.
    let mut villages: Vec<(&u64, &([u64; 12], u64))> = inp.counts.villages.iter().collect();
    villages.sort_by_key(|(v, _)| **v);
    let mut district_rows: BTreeMap<u32, ([u64; 12], u64)> = BTreeMap::new();
    let mut village_rows = Vec::with_capacity(villages.len());
    for (v, (c, n)) in &villages {
        let d = district_rows.entry(district_of(**v)).or_default();
        for (sum, n) in d.0.iter_mut().zip(c.iter()) {
            *sum += n;
        }
        d.1 += n;
        let (code, name) = if **v == 0 {
            (String::new(), "(tanpa wilayah yang dikenal)".to_string())
        } else {
            (
                village_text(**v),
                inp.regions.village(**v).unwrap_or("").to_string(),
            )
        };
        village_rows.push((code, name, *n, *c));
    }
    let district_list: Vec<(String, String, u64, [u64; 12])> = district_rows
        .iter()
        .map(|(d, (c, n))| {
            if *d == 0 {
                (String::new(), "(tanpa wilayah yang dikenal)".into(), *n, *c)
            } else {
                (
                    district_text(*d),
                    inp.regions.district(*d).unwrap_or("").to_string(),
                    *n,
                    *c,
                )
            }
        })
        .collect();
    let p = inp.out_dir.join("ringkasan-kecamatan.csv");
    write_counts(&p, &district_list, &["kode_kecamatan", "kecamatan"])?;
    outputs.insert(0, p);
    let p = inp.out_dir.join("ringkasan-desa.csv");
    write_counts(&p, &village_rows, &["kode_desa", "desa"])?;
    outputs.insert(1, p);

    let seconds = inp.started.elapsed().as_secs_f64();
    let region = |(code, name, voters, c): &(String, String, u64, [u64; 12])| RegionSummary {
        code: code.clone(),
        name: name.clone(),
        voters: *voters,
        findings: by_code(c),
    };
    let summary_path = inp.out_dir.join("summary.json");
    outputs.insert(0, summary_path.clone());
    let summary = Summary {
        election: inp.election.id.clone(),
        polling_day: inp.election.polling_day.to_string(),
        max_voters_per_tps: inp.election.rules.max_voters_per_tps,
        files: inp
            .files
            .iter()
            .zip(inp.formats)
            .zip(inp.file_rows)
            .map(|((p, f), r)| FileSummary {
                path: p.clone(),
                format: f.to_string(),
                rows: *r,
            })
            .collect(),
        rows: inp.rows,
        seconds,
        rows_per_second: if seconds > 0.0 {
            inp.rows as f64 / seconds
        } else {
            0.0
        },
        findings: by_code(&inp.counts.totals),
        probable_duplicate_pairs: inp.pairs,
        tps: inp.tps_count,
        tps_over_capacity: inp.tps_over,
        nik_masked: !inp.full_nik,
        tasks: inp.tasks,
        read_errors: inp.read_errors.to_vec(),
        districts: district_list.iter().map(region).collect(),
        villages: village_rows.iter().map(region).collect(),
        outputs: outputs
            .iter()
            .map(|p| {
                p.strip_prefix(inp.out_dir)
                    .unwrap_or(p)
                    .display()
                    .to_string()
            })
            .collect(),
    };
    let f = File::create(&summary_path).map_err(out_err(&summary_path))?;
    serde_json::to_writer_pretty(BufWriter::new(f), &summary)
        .map_err(|e| std::io::Error::other(e.to_string()))
        .map_err(out_err(&summary_path))?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Kedung"), "kedung");
        assert_eq!(slug("Kota Baru (Utara)"), "kota-baru-utara");
        assert_eq!(slug(""), "");
    }
}
