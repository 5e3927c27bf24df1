//! Importing hand-overs from the files offices keep (issue 7): CSV (comma, semicolon or tab;
//! UTF-8 or Latin-1), read as a stream so a national file of millions of rows never sits in
//! memory, or XLSX (the first sheet). Like the TPS register, a file is checked whole first and any
//! bad row refuses it, each problem named by file, line and column; a good file then lands in one
//! transaction in the store, which applies the same rules as a single hand-over in the file's
//! order (a district cannot hand on ballots it receives only further down the file).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use jiff::civil::DateTime;
use jiff::{SignedDuration, Timestamp};
use posko_core::election::{BallotType, Election};
use posko_core::lines::{Counted, LineLog};
use posko_core::logistics::{Item, Node, Stage};
use posko_core::{Atlas, Level, RegionCode, Zone};
use posko_store::{ImportedFile, NewAuditEntry, NewLogisticsHandover};

use crate::register::{
    column_letter, normalise_header, read_table, ImportError, RowProblem, MAX_LISTED_PROBLEMS,
};
use crate::Posko;

use super::{canonical_place, check_place_in, check_route, BALLOTS};

/// The columns of a hand-over file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    FromStage,
    FromPlace,
    ToStage,
    ToPlace,
    Item,
    Ballot,
    Sent,
    Good,
    Damaged,
    Missing,
    At,
    HandedBy,
    ReceivedBy,
}

impl Col {
    const ALL: [Col; 13] = [
        Col::FromStage,
        Col::FromPlace,
        Col::ToStage,
        Col::ToPlace,
        Col::Item,
        Col::Ballot,
        Col::Sent,
        Col::Good,
        Col::Damaged,
        Col::Missing,
        Col::At,
        Col::HandedBy,
        Col::ReceivedBy,
    ];
    const REQUIRED: [Col; 7] = [
        Col::ToStage,
        Col::ToPlace,
        Col::Sent,
        Col::Good,
        Col::At,
        Col::HandedBy,
        Col::ReceivedBy,
    ];

    /// Header names, normalised (lower case, separators as `_`); the first is the one we write.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Col::FromStage => &["dari_tahap", "tahap_asal", "tahap_pengirim", "from_stage"],
            Col::FromPlace => &[
                "dari_tempat",
                "tempat_asal",
                "asal",
                "pengirim",
                "from_place",
            ],
            Col::ToStage => &["ke_tahap", "tahap_tujuan", "tahap_penerima", "to_stage"],
            Col::ToPlace => &[
                "ke_tempat",
                "tempat_tujuan",
                "tujuan",
                "penerima",
                "to_place",
            ],
            Col::Item => &["barang", "jenis_barang", "logistik", "item"],
            Col::Ballot => &["jenis", "jenis_surat_suara", "jenis_pemilihan", "ballot"],
            Col::Sent => &["dikirim", "jumlah_dikirim", "jumlah", "sent"],
            Col::Good => &["baik", "diterima_baik", "kondisi_baik", "good"],
            Col::Damaged => &["rusak", "diterima_rusak", "damaged"],
            Col::Missing => &["hilang", "kurang", "missing"],
            Col::At => &["waktu", "waktu_serah_terima", "tanggal", "at"],
            Col::HandedBy => &["diserahkan_oleh", "yang_menyerahkan", "handed_by"],
            Col::ReceivedBy => &["diterima_oleh", "yang_menerima", "received_by"],
        }
    }

    fn label(self) -> &'static str {
        self.aliases()[0]
    }
}

/// The header of the file this module writes and reads (`posko demo logistik`, the template).
pub fn header() -> String {
    Col::ALL.map(Col::label).join(",")
}

/// Where each column is, and how to name it in a message.
struct Columns {
    at: [Option<usize>; 13],
    names: Vec<String>,
    letters: bool,
}

impl Columns {
    fn find(header: &[String], letters: bool, file: &str) -> Result<Columns, ImportError> {
        let normal: Vec<String> = header.iter().map(|h| normalise_header(h)).collect();
        let mut at = [None; 13];
        for (i, c) in Col::ALL.iter().enumerate() {
            at[i] = c
                .aliases()
                .iter()
                .find_map(|a| normal.iter().position(|h| h == a));
        }
        let missing: Vec<&str> = Col::REQUIRED
            .iter()
            .filter(|c| at[Col::ALL.iter().position(|x| x == *c).unwrap_or(0)].is_none())
            .map(|c| c.label())
            .collect();
        if !missing.is_empty() {
            return Err(ImportError::MissingColumns {
                file: file.into(),
                missing: missing.join(", "),
                found: header.join(", "),
            });
        }
        Ok(Columns {
            at,
            names: header.to_vec(),
            letters,
        })
    }

    fn index(&self, c: Col) -> Option<usize> {
        self.at[Col::ALL.iter().position(|x| *x == c).unwrap_or(0)]
    }

    fn cell<'a>(&self, cells: &'a [String], c: Col) -> &'a str {
        self.index(c)
            .and_then(|i| cells.get(i))
            .map(|s| s.trim())
            .unwrap_or("")
    }

    fn name(&self, c: Col) -> String {
        match self.index(c) {
            Some(i) if self.letters => format!(
                "{} ({})",
                self.names.get(i).map(String::as_str).unwrap_or(""),
                column_letter(i)
            ),
            Some(i) => self.names.get(i).cloned().unwrap_or_default(),
            None => c.label().to_string(),
        }
    }
}

/// Rows as they come from the file, with their line numbers.
enum Source {
    Csv(
        csv::Reader<Counted<BufReader<File>>>,
        csv::ByteRecord,
        LineLog,
    ),
    Table(std::vec::IntoIter<(usize, Vec<String>)>),
}

impl Source {
    /// Opens a file: its header, its rows and whether cells are named by column letter.
    fn open(path: &Path, file: &str) -> Result<(Vec<String>, Source, bool), ImportError> {
        let unreadable = |reason: String| ImportError::Unreadable {
            file: file.into(),
            reason,
        };
        let is_csv = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "csv" | "txt" | "tsv"));
        if !is_csv {
            let table = read_table(path, file)?;
            return Ok((
                table.header,
                Source::Table(table.rows.into_iter()),
                table.letters,
            ));
        }
        let mut reader = BufReader::new(File::open(path).map_err(|e| unreadable(e.to_string()))?);
        // The delimiter is the one the header line uses most.
        let first = reader
            .fill_buf()
            .map_err(|e| unreadable(e.to_string()))?
            .split(|b| *b == b'\n')
            .next()
            .unwrap_or(&[])
            .to_vec();
        let delimiter = [b',', b';', b'\t']
            .into_iter()
            .max_by_key(|d| first.iter().filter(|b| *b == d).count())
            .unwrap_or(b',');
        let (reader, lines) = Counted::new(reader);
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(reader);
        let mut record = csv::ByteRecord::new();
        let mut header = Vec::new();
        loop {
            match rdr.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let cells = decode(&record);
                    if cells.iter().all(|c| c.is_empty()) {
                        continue;
                    }
                    header = cells;
                    break;
                }
                Err(e) => return Err(unreadable(e.to_string())),
            }
        }
        Ok((header, Source::Csv(rdr, record, lines), false))
    }

    fn next_row(&mut self) -> Option<Result<(usize, Vec<String>), String>> {
        match self {
            Source::Table(rows) => rows.next().map(Ok),
            Source::Csv(rdr, record, lines) => loop {
                match rdr.read_byte_record(record) {
                    Ok(false) => return None,
                    Ok(true) => {
                        let line = lines.line_ending_at(rdr.position().byte()) as usize;
                        let cells = decode(record);
                        if cells.iter().all(|c| c.is_empty()) {
                            continue;
                        }
                        return Some(Ok((line, cells)));
                    }
                    Err(e) => {
                        let line = e.position().map(|p| p.line()).unwrap_or(0);
                        return Some(Err(format!("baris {line}: {e} (unreadable row)")));
                    }
                }
            },
        }
    }
}

/// A CSV record's cells as text: UTF-8 when it is, otherwise Latin-1 (which every byte is).
fn decode(record: &csv::ByteRecord) -> Vec<String> {
    record
        .iter()
        .map(|b| match std::str::from_utf8(b) {
            Ok(t) => t.trim().trim_start_matches('\u{feff}').to_string(),
            Err(_) => b
                .iter()
                .map(|&c| c as char)
                .collect::<String>()
                .trim()
                .to_string(),
        })
        .collect()
}

/// What every row is checked against.
struct Context<'a> {
    atlas: &'a Atlas,
    election: &'a Election,
    file: String,
    recorded_by: Option<i64>,
    /// The officer's region: every receiver must lie inside it.
    scope: Option<RegionCode>,
    now: Timestamp,
}

fn parse_stage(text: &str) -> Option<Stage> {
    let n = normalise_header(text);
    if n.starts_with("kpps") || n == "tps" {
        Some(Stage::Kpps)
    } else if n.starts_with("kpu") || n == "gudang" {
        Some(Stage::Kpu)
    } else if n.starts_with("ppk") || n == "kecamatan" {
        Some(Stage::Ppk)
    } else if n.starts_with("pps") || n == "desa" || n == "kelurahan" {
        Some(Stage::Pps)
    } else {
        None
    }
}

/// A ballot type by its code or by the names offices write ("DPR RI", "Presiden", "Bupati").
pub fn parse_ballot(text: &str) -> Option<BallotType> {
    let n = normalise_header(text);
    let b = match n.as_str() {
        "ppwp" | "presiden" | "pilpres" | "presiden_dan_wakil_presiden" | "pwp" => BallotType::Ppwp,
        "dpr" | "dpr_ri" => BallotType::Dpr,
        "dpd" | "dpd_ri" => BallotType::Dpd,
        "dprd_provinsi" | "dprd_prov" | "dprd_i" => BallotType::DprdProvinsi,
        "dprd_kab_kota" | "dprd_kabupaten_kota" | "dprd_kabupaten" | "dprd_kota" | "dprd_ii" => {
            BallotType::DprdKabKota
        }
        "gubernur" | "pilgub" => BallotType::Gubernur,
        "bupati_walikota" | "bupati" | "walikota" | "wali_kota" | "bupati_wali_kota" => {
            BallotType::BupatiWalikota
        }
        other => return BallotType::parse(other),
    };
    Some(b)
}

fn parse_count(text: &str) -> Result<u32, String> {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .collect();
    if t.is_empty() {
        return Err("kosong (empty)".into());
    }
    t.parse::<u32>()
        .map_err(|_| format!("'{text}' bukan bilangan bulat 0 atau lebih (not a whole number)"))
}

/// A time as offices write it: RFC 3339 with an offset, or a local date and time (in the
/// receiver's zone) as `yyyy-mm-dd hh:mm`, `dd-mm-yyyy hh:mm` or `dd/mm/yyyy hh:mm`, seconds
/// optional, or an XLSX serial date-time.
pub fn parse_time(text: &str, zone: Zone) -> Result<Timestamp, String> {
    let t = text.trim();
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts);
    }
    let local = |dt: DateTime| {
        dt.to_zoned(zone.tz())
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string())
    };
    for fmt in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%d-%m-%Y %H:%M:%S",
        "%d-%m-%Y %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
    ] {
        if let Ok(dt) = DateTime::strptime(fmt, t) {
            return local(dt);
        }
    }
    // An XLSX serial: days since 1899-12-30, the fraction being the time of day.
    if let Ok(serial) = t.parse::<f64>() {
        if (1.0..2_958_466.0).contains(&serial) {
            let secs = (serial * 86_400.0).round() as i64;
            let base = DateTime::constant(1899, 12, 30, 0, 0, 0, 0);
            if let Ok(dt) = base.checked_add(SignedDuration::from_secs(secs)) {
                return local(dt);
            }
        }
    }
    Err(format!(
        "'{t}' bukan waktu yang dikenal; tulis misalnya 2024-02-10 09:30 (not a known time; \
         write e.g. 2024-02-10 09:30, local time of the receiver)"
    ))
}

/// The region a place of the chain lies in (the TPS's village for a KPPS).
fn region_of(node: &Node) -> Option<RegionCode> {
    let code = node.place.split('/').next().unwrap_or("");
    RegionCode::parse(code).ok()
}

/// One row as a hand-over, or every problem it has.
fn parse_row(
    ctx: &Context<'_>,
    cols: &Columns,
    line: usize,
    cells: &[String],
) -> Result<NewLogisticsHandover, Vec<RowProblem>> {
    // A RefCell: the closure records problems while the checks below ask whether any exist.
    let problems = std::cell::RefCell::new(Vec::new());
    let problem = |c: Option<Col>, message: String| {
        problems.borrow_mut().push(RowProblem {
            file: ctx.file.clone(),
            line,
            column: c.map(|c| cols.name(c)).unwrap_or_default(),
            message,
        })
    };
    let cell = |c: Col| cols.cell(cells, c);
    let to_stage = parse_stage(cell(Col::ToStage));
    if to_stage.is_none() {
        problem(
            Some(Col::ToStage),
            format!(
                "'{}' bukan tahap (KPU, PPK, PPS, KPPS) (not a stage)",
                cell(Col::ToStage)
            ),
        );
    }
    let from = match (cell(Col::FromStage), cell(Col::FromPlace)) {
        ("", "") => None,
        (s, p) => match parse_stage(s) {
            Some(stage) => Some(Node {
                stage,
                place: p.to_string(),
            }),
            None => {
                problem(
                    Some(Col::FromStage),
                    format!("'{s}' bukan tahap (KPU, PPK, PPS, KPPS) (not a stage)"),
                );
                None
            }
        },
    };
    let kind = match normalise_header(cell(Col::Item)).as_str() {
        "" | "surat_suara" | "ss" => BALLOTS.to_string(),
        other => other.to_string(),
    };
    let ballot = match cell(Col::Ballot) {
        "" if kind == BALLOTS => {
            problem(
                Some(Col::Ballot),
                "jenis surat suara wajib diisi (the ballot type is required for ballot papers)"
                    .into(),
            );
            None
        }
        "" => None,
        text => match parse_ballot(text) {
            Some(b) if ctx.election.ballots.contains(&b) => Some(b),
            Some(b) => {
                problem(
                    Some(Col::Ballot),
                    format!(
                        "surat suara {} tidak ada pada pemilihan ini (not a ballot of this election)",
                        b.as_str()
                    ),
                );
                None
            }
            None => {
                problem(
                    Some(Col::Ballot),
                    format!("'{text}' bukan jenis surat suara (not a ballot type)"),
                );
                None
            }
        },
    };
    let mut counts = [0u32; 4];
    for (i, c) in [Col::Sent, Col::Good, Col::Damaged, Col::Missing]
        .into_iter()
        .enumerate()
    {
        let text = cell(c);
        if text.is_empty() && matches!(c, Col::Damaged | Col::Missing) {
            continue;
        }
        match parse_count(text) {
            Ok(n) => counts[i] = n,
            Err(m) => problem(Some(c), m),
        }
    }
    let [sent, good, damaged, missing] = counts;
    if u64::from(good) + u64::from(damaged) + u64::from(missing) != u64::from(sent)
        && problems.borrow().is_empty()
    {
        problem(
            None,
            format!(
                "dikirim {sent} tetapi baik + rusak + hilang = {} (counts do not add up)",
                u64::from(good) + u64::from(damaged) + u64::from(missing)
            ),
        );
    }
    let to = to_stage.map(|stage| {
        let mut n = Node {
            stage,
            place: cell(Col::ToPlace).to_string(),
        };
        n.place = canonical_place(&n).unwrap_or(n.place);
        n
    });
    let from = from.map(|mut n| {
        n.place = canonical_place(&n).unwrap_or(n.place);
        n
    });
    if let Some(to) = &to {
        if let Err(e) = check_place_in(ctx.atlas, to) {
            problem(Some(Col::ToPlace), e.to_string());
        }
    }
    if let (Some(scope), Some(r)) = (ctx.scope, to.as_ref().and_then(region_of)) {
        if !scope.contains(&r) {
            problem(
                Some(Col::ToPlace),
                format!(
                    "{} berada di luar wilayah Anda {scope} (outside your region)",
                    r
                ),
            );
        }
    }
    if let Some(f) = &from {
        if let Err(e) = check_place_in(ctx.atlas, f) {
            problem(Some(Col::FromPlace), e.to_string());
        }
    }
    let clean = problems.borrow().is_empty();
    if let (Some(to), true) = (&to, clean) {
        let route = match &from {
            Some(f) => check_route(f, to),
            None if to.stage != Stage::Kpu => Err(
                "tanpa pengirim, baris ini stok masuk gudang KPU; isi dari_tahap dan dari_tempat \
                 (without a sender a row is stock into a KPU warehouse)"
                    .into(),
            ),
            None => Ok(()),
        };
        if let Err(m) = route {
            problem(None, m);
        }
    }
    let zone = to
        .as_ref()
        .and_then(region_of)
        .and_then(|r| ctx.atlas.zone(&r))
        .unwrap_or(Zone::Wib);
    let at = match parse_time(cell(Col::At), zone) {
        Ok(at) if at > ctx.now + SignedDuration::from_hours(1) => {
            problem(
                Some(Col::At),
                format!("waktu {at} di masa depan (a time in the future)"),
            );
            None
        }
        Ok(at) => Some(at),
        Err(m) => {
            problem(Some(Col::At), m);
            None
        }
    };
    for c in [Col::HandedBy, Col::ReceivedBy] {
        let n = cell(c).chars().count();
        if n == 0 || n > 120 {
            problem(
                Some(c),
                "nama penandatangan berita acara wajib, paling panjang 120 huruf \
                 (the signatory's name is required, at most 120 characters)"
                    .into(),
            );
        }
    }
    match (to, at) {
        (Some(to), Some(at)) if problems.borrow().is_empty() => Ok(NewLogisticsHandover {
            election: ctx.election.id.clone(),
            from,
            to,
            item: Item { kind, ballot },
            sent,
            good,
            damaged,
            missing,
            at,
            handed_by: cell(Col::HandedBy).to_string(),
            received_by: cell(Col::ReceivedBy).to_string(),
            recorded_by: ctx.recorded_by,
        }),
        _ => Err(problems.into_inner()),
    }
}

/// What an import brought in, for the officer and for the alerts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub rows: u64,
    /// Rows that stock a warehouse.
    pub stock: u64,
    /// Damaged and missing items on arrival, per district of the receiver.
    pub trouble: BTreeMap<RegionCode, (u64, u64)>,
}

/// The rows of a checked file, read again for the store, remembering each row's line so a
/// refusal by the store can name it.
struct Rows<'a> {
    ctx: &'a Context<'a>,
    cols: &'a Columns,
    source: Source,
    lines: Vec<u32>,
}

impl Iterator for Rows<'_> {
    type Item = Result<NewLogisticsHandover, String>;

    fn next(&mut self) -> Option<Self::Item> {
        let row = self.source.next_row()?;
        Some(match row {
            Ok((line, cells)) => {
                self.lines.push(u32::try_from(line).unwrap_or(u32::MAX));
                parse_row(self.ctx, self.cols, line, &cells).map_err(|p| {
                    p.first()
                        .map(ToString::to_string)
                        .unwrap_or_else(|| format!("baris {line}"))
                })
            }
            Err(m) => {
                self.lines.push(0);
                Err(m)
            }
        })
    }
}

/// Checks a hand-over file without storing anything: every problem, or what it holds.
fn check(path: &Path, ctx: &Context<'_>) -> Result<(Columns, ImportSummary), ImportError> {
    let (header, mut source, letters) = Source::open(path, &ctx.file)?;
    let cols = Columns::find(&header, letters, &ctx.file)?;
    let mut summary = ImportSummary::default();
    let mut problems = Vec::new();
    let mut total = 0usize;
    while let Some(row) = source.next_row() {
        let parsed = match row {
            Ok((line, cells)) => parse_row(ctx, &cols, line, &cells),
            Err(reason) => {
                return Err(ImportError::Unreadable {
                    file: ctx.file.clone(),
                    reason,
                })
            }
        };
        match parsed {
            Ok(h) => {
                summary.rows += 1;
                if h.from.is_none() {
                    summary.stock += 1;
                }
                if h.damaged + h.missing > 0 {
                    if let Some(d) = region_of(&h.to).and_then(|r| r.ancestor_at(Level::District)) {
                        let t = summary.trouble.entry(d).or_default();
                        t.0 += u64::from(h.damaged);
                        t.1 += u64::from(h.missing);
                    }
                }
            }
            Err(p) => {
                total += p.len();
                for one in p {
                    if problems.len() < MAX_LISTED_PROBLEMS {
                        problems.push(one);
                    }
                }
            }
        }
    }
    if total > 0 {
        return Err(ImportError::Rows {
            file: ctx.file.clone(),
            problems,
            total,
        });
    }
    if summary.rows == 0 {
        return Err(ImportError::Empty {
            file: ctx.file.clone(),
        });
    }
    Ok((cols, summary))
}

/// Who imports, and within which region (`None`: the whole country, for the operator's CLI).
#[derive(Debug, Clone, Copy, Default)]
pub struct Importer {
    pub user: Option<i64>,
    pub scope: Option<RegionCode>,
}

/// Imports a hand-over file for an election: checked whole, then stored all or nothing, audited
/// once, and damage or loss on arrival told to each district's coordinators and KPU handlers.
/// `name` is the file's name as the officer knows it (an upload's, not the temporary copy's).
pub async fn import_file(
    posko: &Posko,
    path: &Path,
    name: Option<&str>,
    election_id: &str,
    by: Importer,
    now: Timestamp,
) -> Result<ImportSummary, ImportError> {
    let recorded_by = by.user;
    let election = posko
        .elections
        .get(election_id)
        .ok_or_else(|| ImportError::UnknownElection(election_id.to_string()))?;
    let file = name.map(str::to_string).unwrap_or_else(|| {
        path.file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| path.display().to_string())
    });
    let ctx = Context {
        atlas: posko.atlas,
        election,
        file: file.clone(),
        recorded_by,
        scope: by.scope,
        now,
    };
    let fingerprint = ImportedFile {
        election: election_id.to_string(),
        sha256: sha256_of(path).map_err(|e| ImportError::Unreadable {
            file: file.clone(),
            reason: e.to_string(),
        })?,
        name: file.clone(),
        rows: 0,
        at: now,
        imported_by: recorded_by,
    };
    let store_error = |source| ImportError::Store {
        file: file.clone(),
        source,
    };
    let (cols, summary) = check(path, &ctx)?;
    // After the check, so an officer outside the file's region hears that first.
    if let Some(earlier) = posko
        .store
        .imported_file(election_id, &fingerprint.sha256)
        .await
        .map_err(store_error)?
    {
        let zone = by
            .scope
            .and_then(|r| posko.atlas.zone(&r))
            .unwrap_or(Zone::Wib);
        let at = earlier.at.to_zoned(zone.tz());
        return Err(ImportError::AlreadyImported {
            file: file.clone(),
            earlier: earlier.name,
            rows: earlier.rows,
            at: format!("{} {}", at.strftime("%d-%m-%Y %H:%M"), zone.abbreviation()),
        });
    }
    let (_, source, _) = Source::open(path, &file)?;
    let mut rows = Rows {
        ctx: &ctx,
        cols: &cols,
        source,
        lines: Vec::new(),
    };
    let outcome = posko
        .store
        .import_handovers(Some(&fingerprint), &mut rows)
        .await
        .map_err(store_error)?;
    if let Err(refusal) = outcome {
        let line = rows.lines.get(refusal.index).copied().unwrap_or(0);
        return Err(ImportError::Rows {
            file: file.clone(),
            problems: vec![RowProblem {
                file: file.clone(),
                line: line as usize,
                column: String::new(),
                message: refusal.message,
            }],
            total: 1,
        });
    }
    posko
        .store
        .append_audit(&NewAuditEntry {
            at: now,
            actor: recorded_by,
            action: "logistics_import".into(),
            subject: format!("file:{file}"),
            detail: format!(
                "{} serah terima ({} stok), pemilihan {election_id}",
                summary.rows, summary.stock
            ),
        })
        .await
        .map_err(store_error)?;
    super::alerts::on_arrival(posko, election_id, &summary.trouble, &file, now)
        .await
        .map_err(store_error)?;
    Ok(summary)
}

/// The SHA-256 of a file's bytes, in lower-case hex, read in pieces (a national file is large).
fn sha256_of(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}
