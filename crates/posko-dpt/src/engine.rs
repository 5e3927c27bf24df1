//! The run: one thread per file reads it and cuts it into chunks of whole records (read.rs);
//! every core parses and checks the chunks (rayon) and files what each chunk leaves — compact
//! records spilled to two sets of partition files (by NIK hash, and by regency for the
//! probable-duplicate stage), findings spilled by district, counts — under one lock per
//! partition, so that no single writer thread stands between the cores and the disk. Then
//! the exact and probable duplicate stages run partition by partition in parallel, TPS loads
//! are counted, and the outputs are written (output.rs), districts in parallel. Memory is
//! bounded by the chunks in flight, the number of villages and TPS, and the largest partition
//! — not by the number of rows or columns. `Options::basic_only` runs only exact duplicates,
//! eligibility and the counts (no regency spill, no probable duplicates, no XLSX);
//! `Options::duplicates_only` only exact and probable duplicates (no XLSX).

use foldhash::{HashMap, HashMapExt};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Instant;

use posko_core::{Atlas, Election};
use rayon::prelude::*;

use crate::check::{check_row_with, ColumnMap, Field, FieldText, Marital, Rules};
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
    /// Only the basic tasks: exact duplicate NIKs, eligibility and the counts per district
    /// and village (and broken rows, which are never dropped silently); no other row
    /// findings, no probable duplicates, no TPS loads, CSV files only (no XLSX).
    pub basic_only: bool,
    /// Only the duplicate search: exact duplicate NIKs and probable duplicates (and broken
    /// rows); no other row findings, no TPS loads, CSV files only (no XLSX). For a quick look
    /// at the duplicates of a list, and like for like with a record-linkage tool (benches/dpt).
    /// `basic_only` takes precedence when both are set.
    pub duplicates_only: bool,
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
            basic_only: false,
            duplicates_only: false,
        }
    }
}

/// Wall and CPU seconds per stage on standard error, when `POSKO_DPT_WAKTU` is set: for
/// profiling (benches/dpt). CPU time is the process's, read from /proc on Linux.
struct Timer {
    on: bool,
    wall: Instant,
    cpu: f64,
}

fn process_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(0.0)
}

impl Timer {
    fn new() -> Timer {
        Timer {
            on: std::env::var_os("POSKO_DPT_WAKTU").is_some(),
            wall: Instant::now(),
            cpu: process_cpu_seconds(),
        }
    }

    fn lap(&mut self, what: &str) {
        if !self.on {
            return;
        }
        let cpu = process_cpu_seconds();
        eprintln!(
            "posko-dpt: {what}: {:.2} s wall, {:.2} s CPU",
            self.wall.elapsed().as_secs_f64(),
            cpu - self.cpu
        );
        self.wall = Instant::now();
        self.cpu = cpu;
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

fn spill_err(path: PathBuf) -> impl FnOnce(io::Error) -> EngineError {
    move |source| EngineError::Spill { path, source }
}

/// Partition files written by every checking thread at once: one lock per partition, and each
/// thread hands over a whole chunk's records for a partition in one write, so that no single
/// writer thread stands between the cores and the disk.
struct Spill {
    dir: PathBuf,
    writers: Vec<Mutex<BufWriter<File>>>,
    prefix: &'static str,
}

impl Spill {
    fn new(dir: &Path, prefix: &'static str, n: usize) -> Result<Spill, EngineError> {
        let mut writers = Vec::with_capacity(n);
        for i in 0..n {
            let path = dir.join(format!("{prefix}-{i}.bin"));
            let f = File::create(&path).map_err(spill_err(path))?;
            writers.push(Mutex::new(BufWriter::with_capacity(256 * 1024, f)));
        }
        Ok(Spill {
            dir: dir.to_path_buf(),
            writers,
            prefix,
        })
    }

    fn parts(&self) -> usize {
        self.writers.len()
    }

    fn path(&self, i: usize) -> PathBuf {
        self.dir.join(format!("{}-{i}.bin", self.prefix))
    }

    fn write(&self, part: usize, bytes: &[u8]) -> Result<(), EngineError> {
        if bytes.is_empty() {
            return Ok(());
        }
        let mut w = self.writers[part]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        w.write_all(bytes).map_err(spill_err(self.path(part)))
    }

    fn finish(&self) -> Result<(), EngineError> {
        for (i, w) in self.writers.iter().enumerate() {
            w.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .flush()
                .map_err(spill_err(self.path(i)))?;
        }
        Ok(())
    }

    fn read(&self, part: usize) -> Result<Vec<u8>, EngineError> {
        let path = self.path(part);
        std::fs::read(&path).map_err(spill_err(path))
    }

    fn remove(&self, part: usize) {
        let _ = std::fs::remove_file(self.path(part));
    }
}

/// Findings spilled to partitions by district; JSON lines (findings are few per row).
pub(crate) struct FindingSpill {
    pub(crate) dir: PathBuf,
    writers: Vec<Mutex<BufWriter<File>>>,
}

impl FindingSpill {
    fn new(dir: &Path, n: usize) -> Result<FindingSpill, EngineError> {
        let mut writers = Vec::with_capacity(n);
        for i in 0..n {
            let path = dir.join(format!("temuan-{i}.jsonl"));
            let f = File::create(&path).map_err(spill_err(path))?;
            writers.push(Mutex::new(BufWriter::new(f)));
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

    /// Counts the findings and appends them to their district's partition.
    fn push_all(&self, fs: &[Finding], counts: &Mutex<Counts>) -> Result<(), EngineError> {
        if fs.is_empty() {
            return Ok(());
        }
        let n = self.writers.len();
        let mut bufs: Vec<Vec<u8>> = vec![Vec::new(); n];
        for f in fs {
            let part = (fnv(&district_of(f.village).to_le_bytes()) % n as u64) as usize;
            let b = &mut bufs[part];
            serde_json::to_writer(&mut *b, f)
                .map_err(io::Error::from)
                .map_err(spill_err(self.path(part)))?;
            b.push(b'\n');
        }
        {
            let mut c = counts
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for f in fs {
                c.add_finding(f);
            }
        }
        for (part, b) in bufs.iter().enumerate() {
            if b.is_empty() {
                continue;
            }
            let mut w = self.writers[part]
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            w.write_all(b).map_err(spill_err(self.path(part)))?;
        }
        Ok(())
    }

    fn finish(&self) -> Result<(), EngineError> {
        for (i, w) in self.writers.iter().enumerate() {
            w.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .flush()
                .map_err(spill_err(self.path(i)))?;
        }
        Ok(())
    }
}

/// What the checking threads share during the row stage.
struct RowStage<'a> {
    rules: &'a Rules<'a>,
    basic: bool,
    duplicates_only: bool,
    by_nik: &'a Spill,
    by_regency: Option<&'a Spill>,
    findings: &'a FindingSpill,
    counts: &'a Mutex<Counts>,
    tps_load: &'a Mutex<HashMap<(u64, u16), u32>>,
    rows: &'a AtomicU64,
    bytes_read: &'a AtomicU64,
    progress: &'a dyn Progress,
}

/// What one chunk of rows leaves behind before it is handed to the shared state.
struct Local {
    nik: Vec<Vec<u8>>,
    regency: Vec<Vec<u8>>,
    findings: Vec<Finding>,
    counts: Counts,
    tps_load: HashMap<(u64, u16), u32>,
    /// Rows of the current run of one village and TPS, counted before they reach the maps:
    /// lists are sorted by village and TPS, so a lookup per run instead of per row.
    run: ((u64, u16), u32),
    rows: u64,
}

impl Local {
    fn new(nik_parts: usize, regency_parts: usize) -> Local {
        Local {
            nik: vec![Vec::new(); nik_parts],
            regency: vec![Vec::new(); regency_parts],
            findings: Vec::new(),
            counts: Counts::default(),
            tps_load: HashMap::new(),
            run: ((0, 0), 0),
            rows: 0,
        }
    }

    /// Counts a row listed in `village` at `tps`.
    fn count(&mut self, village: u64, tps: u16) {
        if self.run.0 != (village, tps) {
            self.end_run();
            self.run.0 = (village, tps);
        }
        self.run.1 += 1;
    }

    fn end_run(&mut self) {
        let ((village, tps), n) = std::mem::take(&mut self.run);
        if n == 0 {
            return;
        }
        self.counts.add_rows(village, u64::from(n));
        if village != 0 && tps != 0 {
            *self.tps_load.entry((village, tps)).or_insert(0) += n;
        }
    }
}

impl RowStage<'_> {
    fn local(&self) -> Local {
        Local::new(self.by_nik.parts(), self.by_regency.map_or(0, Spill::parts))
    }

    /// Checks one row and files what it leaves: findings, counts, spill records.
    fn row<F: FieldText>(
        &self,
        local: &mut Local,
        map: &ColumnMap,
        file: u16,
        line: u64,
        fields: &[F],
    ) {
        local.rows += 1;
        let mut out = check_row_with(self.rules, map, file, line, fields, !self.basic);
        if self.basic {
            out.findings
                .retain(|f| matches!(f.code, Code::Belum17 | Code::BarisRusak));
        } else if self.duplicates_only {
            out.findings.retain(|f| f.code == Code::BarisRusak);
        }
        local.findings.append(&mut out.findings);
        let Some(v) = out.voter else { return };
        local.count(v.village, v.tps);
        if v.nik != 0 {
            let p = (v.nik_hash() % local.nik.len() as u64) as usize;
            v.encode_nik(&out.name, &mut local.nik[p]);
        }
        if !local.regency.is_empty() && !v.norm.is_empty() && v.born.is_some() {
            let p = (fnv(&v.regency().to_le_bytes()) % local.regency.len() as u64) as usize;
            v.encode(&mut local.regency[p]);
        }
    }

    /// Hands a chunk's results to the shared state.
    fn flush(&self, mut local: Local) -> Result<(), EngineError> {
        local.end_run();
        for (p, b) in local.nik.iter().enumerate() {
            self.by_nik.write(p, b)?;
        }
        if let Some(spill) = self.by_regency {
            for (p, b) in local.regency.iter().enumerate() {
                spill.write(p, b)?;
            }
        }
        self.findings.push_all(&local.findings, self.counts)?;
        self.counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .merge(local.counts);
        {
            let mut t = self
                .tps_load
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for (k, n) in local.tps_load {
                *t.entry(k).or_insert(0) += n;
            }
        }
        let rows = self.rows.fetch_add(local.rows, Ordering::Relaxed) + local.rows;
        self.progress
            .rows(self.bytes_read.load(Ordering::Relaxed), rows);
        Ok(())
    }
}

/// Work for a checking thread: a CSV chunk, or a batch of spreadsheet rows.
enum Work {
    Chunk(read::Chunk, u8),
    Rows(Vec<read::Row>),
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
    let mut timer = Timer::new();
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
    let by_nik = Spill::new(temp.path(), "nik", parts)?;
    let by_regency = if opts.basic_only {
        None
    } else {
        Some(Spill::new(temp.path(), "wilayah", parts)?)
    };
    let findings = FindingSpill::new(temp.path(), 32)?;
    let counts = Mutex::new(Counts::default());
    let tps_load: Mutex<HashMap<(u64, u16), u32>> = Mutex::new(HashMap::new());
    let bytes_read = Arc::new(AtomicU64::new(0));
    let rows_done = AtomicU64::new(0);
    let mut file_rows = vec![0u64; files.len()];
    let read_errors: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let stage = RowStage {
        rules: &rules,
        basic: opts.basic_only,
        duplicates_only: opts.duplicates_only,
        by_nik: &by_nik,
        by_regency: by_regency.as_ref(),
        findings: &findings,
        counts: &counts,
        tps_load: &tps_load,
        rows: &rows_done,
        bytes_read: &bytes_read,
        progress,
    };

    timer.lap("persiapan (setup)");
    progress.stage("memeriksa baris (checking rows)");
    for (fi, path) in files.iter().enumerate() {
        // One thread reads and cuts the file; every core parses and checks the pieces.
        let (tx, rx) = mpsc::sync_channel::<Result<Work, ReadError>>(4);
        let counter = bytes_read.clone();
        let columns = opts.columns.clone();
        let batch_rows = opts.batch_rows.max(1);
        let path_c = path.clone();
        let reader = std::thread::spawn(move || {
            let opened = match read::open(&path_c, &columns, counter) {
                Ok(o) => o,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            };
            match opened.into_chunks() {
                Ok(mut chunks) => loop {
                    let delimiter = chunks.delimiter();
                    match chunks.next_chunk() {
                        Ok(Some(c)) => {
                            if tx.send(Ok(Work::Chunk(c, delimiter))).is_err() {
                                return;
                            }
                        }
                        Ok(None) => return,
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return;
                        }
                    }
                },
                Err(mut opened) => loop {
                    match opened.next_batch(batch_rows) {
                        Ok(b) if b.is_empty() => return,
                        Ok(b) => {
                            if tx.send(Ok(Work::Rows(b))).is_err() {
                                return;
                            }
                        }
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return;
                        }
                    }
                },
            }
        });
        let map = &maps[fi];
        let file = fi as u16;
        let before = rows_done.load(Ordering::Relaxed);
        let result = rx.into_iter().par_bridge().try_for_each_init(
            // Each thread keeps its parse buffers from chunk to chunk.
            read::Records::default,
            |records, work| {
                let mut local = stage.local();
                match work {
                    Ok(Work::Chunk(chunk, delimiter)) => {
                        records.parse(chunk, delimiter);
                        let width = map.headers.len() + 1;
                        let mut fields: Vec<&[u8]> = Vec::with_capacity(width);
                        let mut texts: Vec<&str> = Vec::with_capacity(width);
                        let whole = records.text();
                        for i in 0..records.len() {
                            let line = records.line(i);
                            if whole.is_some_and(|t| records.texts_into(i, t, &mut texts)) {
                                stage.row(&mut local, map, file, line, &texts);
                            } else {
                                records.fields_into(i, &mut fields);
                                stage.row(&mut local, map, file, line, &fields);
                            }
                        }
                    }
                    Ok(Work::Rows(rows)) => {
                        let mut fields: Vec<&[u8]> = Vec::with_capacity(map.headers.len() + 1);
                        for (line, rec) in &rows {
                            fields.clear();
                            fields.extend(rec.iter());
                            stage.row(&mut local, map, file, *line, &fields);
                        }
                    }
                    Err(e) => {
                        // The file cannot be read on from here: a finding at the line, and on.
                        let (line, column) = match &e {
                            ReadError::RowTooLarge { line, column, .. } => (*line, Some(*column)),
                            ReadError::Csv { line, .. } => (*line, None),
                            _ => (0, None),
                        };
                        read_errors
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .push(e.to_string());
                        let mut f = Finding::at(Code::BarisRusak, file, line, e.to_string());
                        f.column = column.map(|c| format!("kolom ke-{c}"));
                        local.findings.push(f);
                    }
                }
                stage.flush(local)
            },
        );
        // A failed spill ends the run; the reader stops when its channel closes.
        let _ = reader.join();
        result?;
        file_rows[fi] = rows_done.load(Ordering::Relaxed) - before;
    }
    by_nik.finish()?;
    if let Some(s) = &by_regency {
        s.finish()?;
    }
    let rows_total = rows_done.load(Ordering::Relaxed);
    progress.rows(
        total_bytes.max(bytes_read.load(Ordering::Relaxed)),
        rows_total,
    );

    timer.lap("baris (rows)");
    progress.stage("mencari NIK ganda (exact duplicates)");
    (0..parts).into_par_iter().try_for_each(|p| {
        let buf = by_nik.read(p)?;
        by_nik.remove(p);
        findings.push_all(&dup::exact_duplicates(&buf, &names), &counts)
    })?;

    timer.lap("NIK ganda (exact duplicates)");
    let mut pair_count = 0u64;
    if let Some(by_regency) = &by_regency {
        progress.stage("mencari kemungkinan ganda (probable duplicates)");
        let pairs = AtomicU64::new(0);
        (0..parts).into_par_iter().try_for_each(|p| {
            let buf = by_regency.read(p)?;
            by_regency.remove(p);
            let voters = dup::Partition::decode(buf);
            let found = dup::probable_pairs(&voters);
            pairs.fetch_add(found.len() as u64, Ordering::Relaxed);
            findings.push_all(&dup::probable_findings(&voters, &found, &names), &counts)
        })?;
        pair_count = pairs.load(Ordering::Relaxed);
        timer.lap("kemungkinan ganda (probable duplicates)");
    }
    let tps_load = tps_load
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let read_errors = read_errors
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);

    let mut over: Vec<((u64, u16), u32)> = if opts.basic_only || opts.duplicates_only {
        Vec::new()
    } else {
        tps_load
            .iter()
            .filter(|(_, n)| **n > capacity)
            .map(|(k, n)| (*k, *n))
            .collect()
    };
    over.sort_unstable();
    let mut tps_findings = Vec::with_capacity(over.len());
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
        tps_findings.push(f);
    }
    findings.push_all(&tps_findings, &counts)?;
    findings.finish()?;
    let counts = counts
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);

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
        csv_only: opts.basic_only || opts.duplicates_only,
        tasks: if opts.basic_only {
            "dasar"
        } else if opts.duplicates_only {
            "ganda"
        } else {
            "semua"
        },
        rows: rows_total,
        tps_count: tps_load.len() as u64,
        tps_over: over.len() as u64,
        pairs: pair_count,
        read_errors: &read_errors,
        started,
    })?;
    timer.lap("hasil (outputs)");
    debug_assert_eq!(ALL_CODES.len(), 12);
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows are counted per run of one village and TPS; a run broken and resumed, and the
    /// run left open at the end of a chunk, are all counted.
    #[test]
    fn runs_of_rows_count_like_rows() {
        let mut local = Local::new(0, 0);
        let (a, b) = (3320012001u64, 3320012002u64);
        for (village, tps) in [(a, 1), (a, 1), (b, 1), (a, 1), (a, 2), (0, 0), (a, 2)] {
            local.count(village, tps);
        }
        local.end_run();
        assert_eq!(local.counts.villages[&a].1, 5);
        assert_eq!(local.counts.villages[&b].1, 1);
        assert_eq!(local.counts.villages[&0].1, 1);
        assert_eq!(local.tps_load[&(a, 1)], 3);
        assert_eq!(local.tps_load[&(a, 2)], 2);
        assert_eq!(local.tps_load[&(b, 1)], 1);
        assert!(
            !local.tps_load.contains_key(&(0, 0)),
            "no TPS for an unknown village"
        );
    }
}
