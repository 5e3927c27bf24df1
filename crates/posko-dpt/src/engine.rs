//! The run: read every file in batches (a reader thread per file feeding a bounded channel),
//! check the rows in parallel (rayon), spill each row's compact record to two sets of partition
//! files (by NIK hash and by regency) and each finding to partitions by district; then run the
//! exact and probable duplicate stages partition by partition in parallel, count TPS loads, and
//! write the outputs (output.rs). Memory is bounded by the batch size, the number of villages
//! and TPS, and the largest partition — not by the number of rows or columns.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Instant;

use posko_core::{Atlas, Election};
use rayon::prelude::*;

use crate::check::{check_row, ColumnMap, Field, Marital, Rules, Voter};
use crate::date::Ymd;
use crate::dup;
use crate::finding::{Code, Finding, ALL_CODES};
use crate::name::fnv;
use crate::nik::Prefixes;
use crate::output::{self, Counts, Summary};
use crate::read::{self, ReadError};
use crate::region::{district_of, RegionIndex};

/// What the operator chose for a run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The operator's column names: `(field, header)`.
    pub columns: Vec<(Field, String)>,
    /// The operator's marital-status codes.
    pub marital_codes: Vec<(String, Marital)>,
    /// Show whole NIKs in the camat's files (masked by default).
    pub full_nik: bool,
    /// Where spill files go (a temporary folder inside it); the output folder by default.
    pub temp_dir: Option<PathBuf>,
    /// Rows per batch handed to the checking threads.
    pub batch_rows: usize,
    /// Number of spill partitions for each duplicate stage; 0 chooses from the input size
    /// (one per 256 MB of input, 64 to 256), so that a partition stays a few million rows.
    pub partitions: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            columns: Vec::new(),
            marital_codes: Vec::new(),
            full_nik: false,
            temp_dir: None,
            batch_rows: 8_192,
            partitions: 0,
        }
    }
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("tidak ada berkas untuk diperiksa (no input files)")]
    NoFiles,
    #[error("terlalu banyak berkas: paling banyak 65.535 (too many files)")]
    TooManyFiles,
    #[error("folder keluaran {path}: {source} (output folder)")]
    Output { path: PathBuf, source: io::Error },
    #[error("berkas sementara di {path}: {source} (temporary spill file)")]
    Spill { path: PathBuf, source: io::Error },
    #[error("menulis XLSX {path}: {message} (writing XLSX)")]
    Xlsx { path: PathBuf, message: String },
}

/// Progress as the run goes: bytes read of all inputs, rows checked, and the stage.
pub trait Progress: Sync {
    fn rows(&self, bytes_read: u64, rows: u64);
    fn stage(&self, name: &str);
}

/// No progress shown (scripts, tests).
pub struct Quiet;
impl Progress for Quiet {
    fn rows(&self, _: u64, _: u64) {}
    fn stage(&self, _: &str) {}
}

/// Flushes every partition writer, naming the file that failed.
fn flush_all(
    writers: &mut [BufWriter<File>],
    path: impl Fn(usize) -> PathBuf,
) -> Result<(), EngineError> {
    for (i, w) in writers.iter_mut().enumerate() {
        w.flush().map_err(|source| EngineError::Spill {
            path: path(i),
            source,
        })?;
    }
    Ok(())
}

/// Partition files written during the first stage.
struct Spill {
    dir: PathBuf,
    writers: Vec<BufWriter<File>>,
    prefix: &'static str,
}

impl Spill {
    fn new(dir: &Path, prefix: &'static str, n: usize) -> Result<Spill, EngineError> {
        let mut writers = Vec::with_capacity(n);
        for i in 0..n {
            let path = dir.join(format!("{prefix}-{i}.bin"));
            let f = File::create(&path).map_err(|source| EngineError::Spill { path, source })?;
            writers.push(BufWriter::with_capacity(64 * 1024, f));
        }
        Ok(Spill {
            dir: dir.to_path_buf(),
            writers,
            prefix,
        })
    }

    fn path(&self, i: usize) -> PathBuf {
        self.dir.join(format!("{}-{i}.bin", self.prefix))
    }

    fn write(&mut self, part: usize, bytes: &[u8]) -> Result<(), EngineError> {
        let path = self.path(part);
        self.writers[part]
            .write_all(bytes)
            .map_err(|source| EngineError::Spill { path, source })
    }

    fn finish(&mut self) -> Result<(), EngineError> {
        let dir = self.dir.clone();
        let prefix = self.prefix;
        flush_all(&mut self.writers, |i| dir.join(format!("{prefix}-{i}.bin")))
    }

    fn read_voters(&self, part: usize) -> Result<Vec<Voter>, EngineError> {
        let path = self.path(part);
        let mut buf = Vec::new();
        File::open(&path)
            .and_then(|f| BufReader::new(f).read_to_end(&mut buf))
            .map_err(|source| EngineError::Spill {
                path: path.clone(),
                source,
            })?;
        let mut pos = 0;
        let mut out = Vec::new();
        while let Some(v) = Voter::decode(&buf, &mut pos) {
            out.push(v);
        }
        Ok(out)
    }
}

/// Findings spilled to partitions by district; JSON lines (findings are few per row).
pub(crate) struct FindingSpill {
    pub(crate) dir: PathBuf,
    writers: Vec<BufWriter<File>>,
}

impl FindingSpill {
    fn new(dir: &Path, n: usize) -> Result<FindingSpill, EngineError> {
        let mut writers = Vec::with_capacity(n);
        for i in 0..n {
            let path = dir.join(format!("temuan-{i}.jsonl"));
            let f = File::create(&path).map_err(|source| EngineError::Spill { path, source })?;
            writers.push(BufWriter::new(f));
        }
        Ok(FindingSpill {
            dir: dir.to_path_buf(),
            writers,
        })
    }

    pub(crate) fn path(&self, i: usize) -> PathBuf {
        self.dir.join(format!("temuan-{i}.jsonl"))
    }

    pub(crate) fn parts(&self) -> usize {
        self.writers.len()
    }

    fn push(&mut self, f: &Finding, counts: &mut Counts) -> Result<(), EngineError> {
        counts.add_finding(f);
        let part =
            (fnv(&district_of(f.village).to_le_bytes()) % self.writers.len() as u64) as usize;
        let path = self.path(part);
        let w = &mut self.writers[part];
        serde_json::to_writer(&mut *w, f)
            .map_err(io::Error::from)
            .and_then(|_| w.write_all(b"\n"))
            .map_err(|source| EngineError::Spill { path, source })
    }

    fn finish(&mut self) -> Result<(), EngineError> {
        let dir = self.dir.clone();
        flush_all(&mut self.writers, |i| dir.join(format!("temuan-{i}.jsonl")))
    }
}

/// Checks the voter lists `files` for `election` and writes the results into `out_dir`.
pub fn run(
    files: &[PathBuf],
    election: &Election,
    opts: &Options,
    out_dir: &Path,
    progress: &dyn Progress,
) -> Result<Summary, EngineError> {
    let started = Instant::now();
    if files.is_empty() {
        return Err(EngineError::NoFiles);
    }
    if files.len() > u16::MAX as usize {
        return Err(EngineError::TooManyFiles);
    }
    let polling_day = Ymd::new(
        election.polling_day.year() as i32,
        election.polling_day.month() as u8,
        election.polling_day.day() as u8,
    )
    .unwrap_or(Ymd {
        y: 2024,
        m: 2,
        d: 14,
    });
    let capacity = election.rules.max_voters_per_tps;

    // Every header is checked before any work, so a wrong file fails in a second, not an hour.
    let mut maps: Vec<ColumnMap> = Vec::with_capacity(files.len());
    let mut formats = Vec::with_capacity(files.len());
    for f in files {
        let o = read::open(f, &opts.columns, Arc::new(AtomicU64::new(0)))?;
        formats.push(o.format);
        maps.push(o.map);
    }
    let total_bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();
    let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();

    std::fs::create_dir_all(out_dir).map_err(|source| EngineError::Output {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let temp_parent = opts
        .temp_dir
        .clone()
        .unwrap_or_else(|| out_dir.to_path_buf());
    let temp = tempfile::Builder::new()
        .prefix(".posko-dpt-")
        .tempdir_in(&temp_parent)
        .map_err(|source| EngineError::Spill {
            path: temp_parent.clone(),
            source,
        })?;

    let atlas = Atlas::embedded();
    let prefixes = Prefixes::from_atlas(atlas);
    let regions = RegionIndex::from_atlas(atlas);
    let rules = Rules {
        prefixes: &prefixes,
        regions: &regions,
        polling_day,
        marital_codes: &opts.marital_codes,
    };
    let parts = if opts.partitions == 0 {
        ((total_bytes >> 28) as usize).clamp(64, 256)
    } else {
        opts.partitions
    };
    let mut by_nik = Spill::new(temp.path(), "nik", parts)?;
    let mut by_regency = Spill::new(temp.path(), "wilayah", parts)?;
    let mut findings = FindingSpill::new(temp.path(), 32)?;
    let mut counts = Counts::default();
    let mut tps_load: HashMap<(u64, u16), u32> = HashMap::new();
    let bytes_read = Arc::new(AtomicU64::new(0));
    let mut rows_total = 0u64;
    let mut file_rows = vec![0u64; files.len()];
    let mut read_errors: Vec<String> = Vec::new();

    progress.stage("memeriksa baris (checking rows)");
    for (fi, path) in files.iter().enumerate() {
        let (tx, rx) = mpsc::sync_channel::<Result<Vec<read::Row>, ReadError>>(4);
        let counter = bytes_read.clone();
        let columns = opts.columns.clone();
        let batch_rows = opts.batch_rows.max(1);
        let path_c = path.clone();
        let reader = std::thread::spawn(move || {
            let mut opened = match read::open(&path_c, &columns, counter) {
                Ok(o) => o,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            loop {
                let batch = opened.next_batch(batch_rows);
                let stop = !matches!(&batch, Ok(b) if !b.is_empty());
                if tx.send(batch).is_err() || stop {
                    return;
                }
            }
        });
        let map = &maps[fi];
        for batch in rx {
            let batch = match batch {
                Ok(b) if b.is_empty() => break,
                Ok(b) => b,
                Err(e) => {
                    // The file cannot be read on from here: a finding at the line, and on.
                    let (line, column) = match &e {
                        ReadError::RowTooLarge { line, column, .. } => (*line, Some(*column)),
                        ReadError::Csv { line, .. } => (*line, None),
                        _ => (0, None),
                    };
                    read_errors.push(e.to_string());
                    let mut f = Finding::at(Code::BarisRusak, fi as u16, line, e.to_string());
                    f.column = column.map(|c| format!("kolom ke-{c}"));
                    findings.push(&f, &mut counts)?;
                    break;
                }
            };
            // Checking, encoding and serialising run on every core; this thread only writes.
            let outs: Vec<_> = batch
                .par_iter()
                .map(|(line, rec)| {
                    let fields: Vec<&[u8]> = rec.iter().collect();
                    let out = check_row(&rules, map, fi as u16, *line, &fields);
                    let encoded = out.voter.as_ref().map(|v| {
                        let mut buf = Vec::with_capacity(128);
                        v.encode(&mut buf);
                        let nik_part = (v.nik != 0).then(|| (v.nik_hash() % parts as u64) as usize);
                        let regency_part = (!v.norm.is_empty() && v.born.is_some())
                            .then(|| (fnv(&v.regency().to_le_bytes()) % parts as u64) as usize);
                        (buf, nik_part, regency_part)
                    });
                    (out, encoded)
                })
                .collect();
            for (out, encoded) in outs {
                for f in &out.findings {
                    findings.push(f, &mut counts)?;
                }
                let Some(v) = out.voter else { continue };
                counts.add_row(v.village);
                if v.village != 0 && v.tps != 0 {
                    *tps_load.entry((v.village, v.tps)).or_insert(0) += 1;
                }
                if let Some((buf, nik_part, regency_part)) = encoded {
                    if let Some(p) = nik_part {
                        by_nik.write(p, &buf)?;
                    }
                    if let Some(p) = regency_part {
                        by_regency.write(p, &buf)?;
                    }
                }
            }
            rows_total += batch.len() as u64;
            file_rows[fi] += batch.len() as u64;
            progress.rows(bytes_read.load(Ordering::Relaxed), rows_total);
        }
        let _ = reader.join();
    }
    by_nik.finish()?;
    by_regency.finish()?;
    progress.rows(
        total_bytes.max(bytes_read.load(Ordering::Relaxed)),
        rows_total,
    );

    progress.stage("mencari NIK ganda (exact duplicates)");
    let exact: Vec<Vec<Finding>> = (0..parts)
        .into_par_iter()
        .map(|p| {
            by_nik
                .read_voters(p)
                .map(|v| dup::exact_duplicates(v, &names))
        })
        .collect::<Result<_, _>>()?;
    for f in exact.iter().flatten() {
        findings.push(f, &mut counts)?;
    }
    drop(exact);

    progress.stage("mencari kemungkinan ganda (probable duplicates)");
    let mut pair_count = 0u64;
    let probable: Vec<(usize, Vec<Finding>)> = (0..parts)
        .into_par_iter()
        .map(|p| {
            let voters = by_regency.read_voters(p)?;
            let pairs = dup::probable_pairs(&voters);
            Ok((pairs.len(), dup::probable_findings(&voters, &pairs, &names)))
        })
        .collect::<Result<_, EngineError>>()?;
    for (n, fs) in &probable {
        pair_count += *n as u64;
        for f in fs {
            findings.push(f, &mut counts)?;
        }
    }
    drop(probable);

    let mut over: Vec<_> = tps_load
        .iter()
        .filter(|(_, n)| **n > capacity)
        .map(|(k, n)| (*k, *n))
        .collect();
    over.sort_unstable();
    for ((village, tps), n) in &over {
        let detail = format!(
            "TPS {tps:03} di {}: {n} pemilih, batas {capacity} untuk {}",
            crate::region::village_text(*village),
            election.name
        );
        let mut f = Finding::at(Code::TpsMelebihiKapasitas, 0, 0, detail);
        f.column = Some("TPS".into());
        f.village = *village;
        f.tps = *tps;
        findings.push(&f, &mut counts)?;
    }
    findings.finish()?;

    progress.stage("menulis hasil (writing results)");
    let summary = output::write_all(&output::Inputs {
        out_dir,
        findings: &findings,
        counts: &counts,
        regions: &regions,
        files: &names,
        formats: &formats,
        file_rows: &file_rows,
        election,
        full_nik: opts.full_nik,
        rows: rows_total,
        tps_count: tps_load.len() as u64,
        tps_over: over.len() as u64,
        pairs: pair_count,
        read_errors: &read_errors,
        started,
    })?;
    debug_assert_eq!(ALL_CODES.len(), 12);
    Ok(summary)
}
