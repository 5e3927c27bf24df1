//! The run: each CSV is read whole and cut at line ends into chunks that are parsed and checked
//! in parallel (rayon), each chunk keeping its findings, a digest per form and a partial roll-up
//! per village; XLSX sheets are one chunk. Then the checks that compare forms run per ballot type
//! (identical and repeated forms) and per ballot type and province (turnout against the
//! neighbours), the villages are rolled up to the country, and the outputs are written
//! (`output.rs`). A bad row or a bad header is a finding with its file, line and column; only an
//! unreadable file or an unwritable output folder stops the run.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use csv::ByteRecord;
use posko_core::results::{
    check_form, cross_form_duplicates, neighbour_outliers, Area, ByList, CheckRules, Code, Finding,
    FormDigest, Papers, ResultForm, RollUp, RolledUp, Severity, Turnout,
};
use posko_core::{Atlas, BallotType, Election, RegionCode, TpsId};
use rayon::prelude::*;

use crate::output::{self, Summary};
use crate::read::{decode, is_sheet, read_sheet, sniff_delimiter, Layout};
use crate::split::{self, Row};

/// What the operator chose for a run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Bytes of CSV per parallel chunk.
    pub chunk_bytes: usize,
    /// A turnout table (`partisipasi.csv`) of a previous election to compare with.
    pub previous: Option<PathBuf>,
    /// Thresholds; `None` takes the election's.
    pub rules: Option<CheckRules>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            chunk_bytes: 4 << 20,
            previous: None,
            rules: None,
        }
    }
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("tidak ada berkas untuk diperiksa (no input files)")]
    NoFiles,
    #[error("{path}: berkas tidak dapat dibaca: {reason} (cannot read the file)")]
    Unreadable { path: PathBuf, reason: String },
    #[error("folder keluaran {path}: {source} (cannot write the output folder)")]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("menulis XLSX {path}: {message} (writing XLSX)")]
    Xlsx { path: PathBuf, message: String },
    #[error(
        "{path}, baris {line}: tabel partisipasi pembanding tidak sah: {message} \
         (the previous turnout table is invalid)"
    )]
    Previous {
        path: PathBuf,
        line: u64,
        message: String,
    },
}

/// Progress as the run goes.
pub trait Progress: Sync {
    fn bytes(&self, done: u64);
    fn stage(&self, name: &str);
}

/// No progress shown (scripts, tests).
pub struct Quiet;
impl Progress for Quiet {
    fn bytes(&self, _: u64) {}
    fn stage(&self, _: &str) {}
}

/// What a finding is about: a form's check, or a row that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum What {
    Form(Finding),
    Row {
        code: Code,
        message: String,
        message_en: String,
    },
}

/// One finding with where it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    /// Index into the run's files.
    pub file: u32,
    /// 1-based line (CSV) or row (XLSX); the header is line 1.
    pub line: u64,
    /// The column as the file names it, empty for a whole-form finding.
    pub column: String,
    pub tps: Option<TpsId>,
    pub ballot: Option<BallotType>,
    pub what: What,
}

impl Flag {
    pub fn code(&self) -> Code {
        match &self.what {
            What::Form(f) => f.code,
            What::Row { code, .. } => *code,
        }
    }
    pub fn severity(&self) -> Severity {
        self.code().severity()
    }
    pub fn message(&self) -> String {
        match &self.what {
            What::Form(f) => f.message(),
            What::Row { message, .. } => message.clone(),
        }
    }
    pub fn message_en(&self) -> String {
        match &self.what {
            What::Form(f) => f.message_en(),
            What::Row { message_en, .. } => message_en.clone(),
        }
    }
}

/// Everything a run found, before it is written.
#[derive(Debug)]
pub struct Outcome {
    pub files: Vec<FileRead>,
    pub flags: Vec<Flag>,
    pub rolled: RolledUp,
    pub previous: HashMap<(Area, BallotType), Turnout>,
    pub forms: u64,
    pub rows: u64,
    pub timings: BTreeMap<String, f64>,
}

/// One input file as read.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileRead {
    pub path: String,
    pub format: &'static str,
    pub rows: u64,
    pub forms: u64,
    /// Why the file was not read (a header without a required column), if so.
    pub error: Option<String>,
}

/// A chunk's results.
#[derive(Default)]
struct Part {
    digests: Vec<FormDigest>,
    lines: Vec<u64>,
    flags: Vec<Flag>,
    rollup: RollUp,
    rows: u64,
    forms: u64,
    /// Line ends in the chunk (CSV), to turn chunk-relative lines into file lines.
    newlines: u64,
}

struct Ctx<'a> {
    election: &'a Election,
    rules: &'a CheckRules,
    atlas: &'a Atlas,
}

/// The form that each row is parsed into (its vote vector is reused).
fn blank_form() -> Option<ResultForm> {
    Some(ResultForm {
        tps: TpsId::parse("11.01.01.2001/001").ok()?,
        ballot: BallotType::Ppwp,
        registered: ByList::default(),
        voted: ByList::default(),
        papers: Papers::default(),
        votes: Vec::with_capacity(32),
        valid: 0,
        invalid: 0,
    })
}

/// Parses and checks rows; `next` fills the record and gives its line (chunk-relative for CSV
/// chunks), `None` at the end. One record is reused for every row.
fn process<R: Row>(
    mut next: impl FnMut(&mut R) -> Option<u64>,
    mut rec: R,
    file: u32,
    layout: &Layout,
    ctx: &Ctx,
) -> Part {
    let mut part = Part::default();
    let Some(mut form) = blank_form() else {
        return part;
    };
    let mut cache = None;
    let mut last_known: Option<RegionCode> = None;
    let mut found = Vec::new();
    while let Some(line) = next(&mut rec) {
        // A blank line is no row.
        if rec.is_blank() {
            continue;
        }
        part.rows += 1;
        if let Err(e) = layout.parse_row(&rec, &mut form, &mut cache) {
            part.flags.push(Flag {
                file,
                line,
                column: e.column,
                tps: None,
                ballot: None,
                what: What::Row {
                    code: Code::BadRow,
                    message: e.message,
                    message_en: e.message_en,
                },
            });
            continue;
        }
        let village = form.tps.village;
        if last_known != Some(village) {
            if !ctx.atlas.contains(&village) {
                part.flags.push(Flag {
                    file,
                    line,
                    column: String::new(),
                    tps: Some(form.tps),
                    ballot: Some(form.ballot),
                    what: What::Row {
                        code: Code::UnknownRegion,
                        message: format!(
                            "desa/kelurahan {village} tidak ada di data wilayah; periksa kodenya"
                        ),
                        message_en: format!(
                            "village {village} is not in the shipped regions; check the code"
                        ),
                    },
                });
                continue;
            }
            last_known = Some(village);
        }
        part.forms += 1;
        check_form(&form, ctx.election, ctx.rules, &mut found);
        for f in found.drain(..) {
            part.flags.push(Flag {
                file,
                line,
                column: String::new(),
                tps: Some(f.tps),
                ballot: Some(f.ballot),
                what: What::Form(f),
            });
        }
        part.digests.push(form.digest());
        part.lines.push(line);
        part.rollup.add(&form);
    }
    part
}

/// The forms of one uploaded file, each with its line, and the rows that could not be read (with
/// file, line and column). Plausibility is not judged here: a stored form is checked when shown.
#[derive(Debug, Default)]
pub struct Parsed {
    pub forms: Vec<(u64, ResultForm)>,
    pub problems: Vec<Flag>,
}

/// Parses an upload (XLSX when `name` ends so, CSV otherwise) into forms. A header without a
/// required column is one problem on its line.
pub fn parse_upload(name: &str, bytes: &[u8]) -> Result<Parsed, EngineError> {
    let unreadable = |reason: String| EngineError::Unreadable {
        path: PathBuf::from(name),
        reason,
    };
    let rows: Vec<(u64, ByteRecord)> = if is_sheet(Path::new(name)) {
        crate::read::read_sheet_bytes(bytes).map_err(unreadable)?
    } else {
        if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
            return Err(unreadable(
                "berkas berkode UTF-16; simpan ulang sebagai CSV UTF-8 (file is UTF-16)".into(),
            ));
        }
        let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        let mut next = split::csv_rows(body, sniff_delimiter(body));
        let mut out = Vec::new();
        let mut rec = ByteRecord::new();
        while let Some(line) = next(&mut rec) {
            out.push((line, rec.clone()));
        }
        out
    };
    let mut parsed = Parsed::default();
    let mut rows = rows.into_iter();
    let Some((hline, header)) = rows.next() else {
        return Err(unreadable("tidak ada baris judul (no header row)".into()));
    };
    let names: Vec<String> = header.iter().map(decode).collect();
    let layout = match Layout::from_header(&names) {
        Ok(l) => l,
        Err(e) => {
            parsed.problems.push(Flag {
                file: 0,
                line: hline,
                column: String::new(),
                tps: None,
                ballot: None,
                what: What::Row {
                    code: Code::BadRow,
                    message: e.to_string(),
                    message_en: e.to_string(),
                },
            });
            return Ok(parsed);
        }
    };
    let atlas = Atlas::embedded();
    let mut cache = None;
    for (line, rec) in rows {
        if rec.is_blank() {
            continue;
        }
        let Some(mut form) = blank_form() else {
            break;
        };
        match layout.parse_row(&rec, &mut form, &mut cache) {
            Err(e) => parsed.problems.push(Flag {
                file: 0,
                line,
                column: e.column,
                tps: None,
                ballot: None,
                what: What::Row {
                    code: Code::BadRow,
                    message: e.message,
                    message_en: e.message_en,
                },
            }),
            Ok(()) if !atlas.contains(&form.tps.village) => parsed.problems.push(Flag {
                file: 0,
                line,
                column: String::new(),
                tps: Some(form.tps),
                ballot: Some(form.ballot),
                what: What::Row {
                    code: Code::UnknownRegion,
                    message: format!(
                        "desa/kelurahan {} tidak ada di data wilayah",
                        form.tps.village
                    ),
                    message_en: format!(
                        "village {} is not in the shipped regions",
                        form.tps.village
                    ),
                },
            }),
            Ok(()) => parsed.forms.push((line, form)),
        }
    }
    Ok(parsed)
}

/// Cuts `data` into pieces of about `target` bytes that end at a line end.
fn cut(data: &[u8], target: usize) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < data.len() {
        let mut end = (start + target.max(1)).min(data.len());
        if end < data.len() {
            end = data[end..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(data.len(), |p| end + p + 1);
        }
        out.push(&data[start..end]);
        start = end;
    }
    out
}

/// Reads one file into parts. A header problem is a flag on line 1, not an error.
fn read_file(
    path: &Path,
    file: u32,
    ctx: &Ctx,
    opts: &Options,
    done: &AtomicU64,
    progress: &dyn Progress,
) -> Result<(FileRead, Vec<Part>), EngineError> {
    let unreadable = |reason: String| EngineError::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    let mut info = FileRead {
        path: path.display().to_string(),
        format: "csv",
        rows: 0,
        forms: 0,
        error: None,
    };
    let header_flag = |info: &mut FileRead, line: u64, message: String| {
        info.error = Some(message.clone());
        Flag {
            file,
            line,
            column: String::new(),
            tps: None,
            ballot: None,
            what: What::Row {
                code: Code::BadRow,
                message_en: message.clone(),
                message,
            },
        }
    };
    if is_sheet(path) {
        info.format = "xlsx";
        let mut rows = read_sheet(path).map_err(unreadable)?.into_iter();
        let Some((hline, header)) = rows.next() else {
            let f = header_flag(&mut info, 1, "lembar kerja kosong (empty sheet)".into());
            return Ok((
                info,
                vec![Part {
                    flags: vec![f],
                    ..Part::default()
                }],
            ));
        };
        let names: Vec<String> = header.iter().map(decode).collect();
        let layout = match Layout::from_header(&names) {
            Ok(l) => l,
            Err(e) => {
                let f = header_flag(&mut info, hline, e.to_string());
                return Ok((
                    info,
                    vec![Part {
                        flags: vec![f],
                        ..Part::default()
                    }],
                ));
            }
        };
        let part = process(
            |rec| {
                let (line, r) = rows.next()?;
                *rec = r;
                Some(line)
            },
            ByteRecord::new(),
            file,
            &layout,
            ctx,
        );
        done.fetch_add(
            std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
            Ordering::Relaxed,
        );
        progress.bytes(done.load(Ordering::Relaxed));
        info.rows = part.rows;
        info.forms = part.forms;
        return Ok((info, vec![part]));
    }
    let data = std::fs::read(path).map_err(|e| unreadable(e.to_string()))?;
    if data.starts_with(&[0xFF, 0xFE]) || data.starts_with(&[0xFE, 0xFF]) {
        return Err(unreadable(
            "berkas berkode UTF-16; simpan ulang sebagai CSV UTF-8 (file is UTF-16)".into(),
        ));
    }
    let body = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&data);
    let header_end = body
        .iter()
        .position(|b| *b == b'\n')
        .map_or(body.len(), |p| p + 1);
    let delimiter = sniff_delimiter(&body[..header_end]);
    let names: Vec<String> = {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(&body[..header_end]);
        let mut rec = ByteRecord::new();
        let _ = r.read_byte_record(&mut rec);
        rec.iter().map(decode).collect()
    };
    let layout = match Layout::from_header(&names) {
        Ok(l) => l,
        Err(e) => {
            let f = header_flag(&mut info, 1, e.to_string());
            return Ok((
                info,
                vec![Part {
                    flags: vec![f],
                    ..Part::default()
                }],
            ));
        }
    };
    let rest = &body[header_end..];
    // A quoted field may hold a line end, so a file with quotes is read in one piece.
    let chunks = if rest.contains(&b'"') {
        vec![rest]
    } else {
        cut(rest, opts.chunk_bytes)
    };
    let mut parts: Vec<Part> = chunks
        .par_iter()
        .map(|chunk| {
            // Plain chunks (the usual export) go through the splitter, the rest through csv.
            let mut part = if split::is_plain(chunk) {
                let mut lines = split::Lines::new(chunk, delimiter);
                process(
                    |row| lines.next_into(row),
                    split::SplitRow::default(),
                    file,
                    &layout,
                    ctx,
                )
            } else {
                process(
                    split::csv_rows(chunk, delimiter),
                    ByteRecord::new(),
                    file,
                    &layout,
                    ctx,
                )
            };
            part.newlines = chunk.iter().filter(|b| **b == b'\n').count() as u64;
            let d = done.fetch_add(chunk.len() as u64, Ordering::Relaxed) + chunk.len() as u64;
            progress.bytes(d);
            part
        })
        .collect();
    // Chunk-relative lines to file lines: the header is line 1.
    let mut base = 1u64;
    for p in &mut parts {
        for l in &mut p.lines {
            *l += base;
        }
        for f in &mut p.flags {
            f.line += base;
        }
        base += p.newlines;
        info.rows += p.rows;
        info.forms += p.forms;
    }
    Ok((info, parts))
}

fn ballot_index(b: BallotType) -> usize {
    BallotType::ALL.iter().position(|x| *x == b).unwrap_or(0)
}

/// Reads, checks and rolls up `files`; nothing is written.
pub fn analyse(
    files: &[PathBuf],
    election: &Election,
    opts: &Options,
    progress: &dyn Progress,
) -> Result<Outcome, EngineError> {
    if files.is_empty() {
        return Err(EngineError::NoFiles);
    }
    let rules = opts
        .rules
        .clone()
        .unwrap_or_else(|| CheckRules::for_election(election));
    let ctx = Ctx {
        election,
        rules: &rules,
        atlas: Atlas::embedded(),
    };
    let mut timings = BTreeMap::new();
    let t0 = Instant::now();
    progress.stage("membaca dan memeriksa formulir (reading and checking forms)");
    let done = AtomicU64::new(0);
    let mut infos = Vec::new();
    let mut digests: Vec<FormDigest> = Vec::new();
    let mut places: Vec<(u32, u64)> = Vec::new();
    let mut flags = Vec::new();
    let mut rollup = RollUp::default();
    let (mut rows, mut forms) = (0, 0);
    for (i, path) in files.iter().enumerate() {
        let file = u32::try_from(i).unwrap_or(u32::MAX);
        let (info, parts) = read_file(path, file, &ctx, opts, &done, progress)?;
        rows += info.rows;
        forms += info.forms;
        infos.push(info);
        for p in parts {
            places.extend(p.lines.iter().map(|l| (file, *l)));
            digests.extend(p.digests);
            flags.extend(p.flags);
            rollup.merge(p.rollup);
        }
    }
    timings.insert("read_and_form_checks".into(), t0.elapsed().as_secs_f64());

    let t1 = Instant::now();
    progress.stage("membandingkan formulir (comparing forms)");
    let rule = &rules.neighbours;
    let mut by_ballot: Vec<Vec<usize>> = vec![Vec::new(); BallotType::ALL.len()];
    let mut by_area: HashMap<(usize, u16), Vec<usize>> = HashMap::new();
    for (i, d) in digests.iter().enumerate() {
        let b = ballot_index(d.ballot);
        by_ballot[b].push(i);
        by_area
            .entry((b, d.tps.village.province_number()))
            .or_default()
            .push(i);
    }
    let groups: Vec<(bool, Vec<usize>)> = by_ballot
        .into_iter()
        .filter(|g| !g.is_empty())
        .map(|g| (true, g))
        .chain(by_area.into_values().map(|g| (false, g)))
        .collect();
    let cross: Vec<(usize, Finding)> = groups
        .par_iter()
        .flat_map_iter(|(dups, idx)| {
            let ds: Vec<FormDigest> = idx.iter().map(|&i| digests[i]).collect();
            let found = if *dups {
                cross_form_duplicates(&ds)
            } else {
                neighbour_outliers(&ds, rule)
            };
            found.into_iter().map(|(j, f)| (idx[j], f))
        })
        .collect();
    for (i, f) in cross {
        let (file, line) = places[i];
        flags.push(Flag {
            file,
            line,
            column: String::new(),
            tps: Some(f.tps),
            ballot: Some(f.ballot),
            what: What::Form(f),
        });
    }
    drop(digests);
    timings.insert("cross_form_checks".into(), t1.elapsed().as_secs_f64());

    let t2 = Instant::now();
    progress.stage("menjumlahkan ke semua tingkat wilayah (rolling up)");
    let rolled = rollup.finish();
    let previous = match &opts.previous {
        Some(p) => output::read_previous(p)?,
        None => HashMap::new(),
    };
    timings.insert("roll_up".into(), t2.elapsed().as_secs_f64());
    flags.par_sort_by(|a, b| {
        (a.file, a.line, a.code(), a.ballot).cmp(&(b.file, b.line, b.code(), b.ballot))
    });
    Ok(Outcome {
        files: infos,
        flags,
        rolled,
        previous,
        forms,
        rows,
        timings,
    })
}

/// Reads, checks, rolls up and writes the outputs into `out`.
pub fn run(
    files: &[PathBuf],
    election: &Election,
    opts: &Options,
    out: &Path,
    progress: &dyn Progress,
) -> Result<Summary, EngineError> {
    let start = Instant::now();
    let outcome = analyse(files, election, opts, progress)?;
    progress.stage("menulis hasil (writing outputs)");
    output::write(&outcome, election, out, start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_blank_form_literals_are_valid() {
        assert_eq!(blank_form().unwrap().tps.to_string(), "11.01.01.2001/001");
    }

    #[test]
    fn chunks_end_at_line_ends_and_cover_everything() {
        let data = b"a,1\nbb,2\nccc,3\nd,4\n";
        for target in [1, 3, 5, 100] {
            let parts = cut(data, target);
            assert_eq!(parts.concat(), data.to_vec());
            assert!(parts.iter().all(|p| p.ends_with(b"\n")));
        }
    }
}
