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
use posko_core::logistics::{self, Item, Node, Stage};
use posko_core::{Atlas, Level, RegionCode, Zone};
use posko_store::{ImportedFile, NewAuditEntry, NewLogisticsHandover};

use crate::register::{
    column_letter, normalise_header, read_table, ImportError, RowProblem, MAX_LISTED_PROBLEMS,
};
use crate::Posko;

use super::{check_place_code, check_route, read_place, BALLOTS};

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
                    let mut cells = Vec::new();
                    decode_into(&record, &mut cells);
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

    /// The next row with any text, its cells put in `cells` (whose strings are reused from row to
    /// row, so a national file does not allocate per cell), and its line.
    fn next_row(&mut self, cells: &mut Vec<String>) -> Option<Result<usize, String>> {
        match self {
            Source::Table(rows) => rows.next().map(|(line, row)| {
                *cells = row;
                Ok(line)
            }),
            Source::Csv(rdr, record, lines) => loop {
                match rdr.read_byte_record(record) {
                    Ok(false) => return None,
                    Ok(true) => {
                        let line = lines.line_ending_at(rdr.position().byte()) as usize;
                        decode_into(record, cells);
                        if cells.iter().all(|c| c.is_empty()) {
                            continue;
                        }
                        return Some(Ok(line));
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

/// A CSV record's cells as text, trimmed, into `out`: UTF-8 when it is, otherwise Latin-1 (which
/// every byte is). `out`'s strings are cleared and refilled, keeping their memory.
fn decode_into(record: &csv::ByteRecord, out: &mut Vec<String>) {
    out.resize_with(record.len(), String::new);
    for (cell, bytes) in out.iter_mut().zip(record.iter()) {
        cell.clear();
        match std::str::from_utf8(bytes) {
            Ok(t) => cell.push_str(t.trim().trim_start_matches('\u{feff}')),
            Err(_) => {
                let latin1: String = bytes.iter().map(|&c| c as char).collect();
                cell.push_str(latin1.trim());
            }
        }
    }
}

/// What every row is checked against.
struct Context {
    atlas: &'static Atlas,
    election: Election,
    file: String,
    recorded_by: Option<i64>,
    /// The officer's region: every receiver must lie inside it.
    scope: Option<RegionCode>,
    now: Timestamp,
    /// WIB, WITA and WIT, looked up once.
    zones: [jiff::tz::TimeZone; 3],
}

impl Context {
    fn tz(&self, zone: Zone) -> &jiff::tz::TimeZone {
        match zone {
            Zone::Wib => &self.zones[0],
            Zone::Wita => &self.zones[1],
            Zone::Wit => &self.zones[2],
        }
    }
}

fn parse_stage(text: &str) -> Option<Stage> {
    // The names files use, compared without allocating (this runs for millions of rows); any
    // other spelling goes through the general normaliser below.
    let t = text.trim().as_bytes();
    let starts = |p: &str| t.len() >= p.len() && t[..p.len()].eq_ignore_ascii_case(p.as_bytes());
    for (prefix, stage) in [
        ("kpps", Stage::Kpps),
        ("kpu", Stage::Kpu),
        ("ppk", Stage::Ppk),
        ("pps", Stage::Pps),
    ] {
        if starts(prefix) {
            return Some(stage);
        }
    }
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
    // A ballot's own code (what Posko writes) needs no normalising.
    if let Some(b) = BallotType::parse(text) {
        return Some(b);
    }
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
    let fits = |n: u32| {
        if n > logistics::MAX_HANDOVER_COUNT {
            Err(logistics::Refusal::TooLarge { count: n }.to_string())
        } else {
            Ok(n)
        }
    };
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = text.parse::<u32>() {
            return fits(n);
        }
    }
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .collect();
    if t.is_empty() {
        return Err("kosong (empty)".into());
    }
    t.parse::<u32>()
        .map_err(|_| format!("'{text}' bukan bilangan bulat 0 atau lebih (not a whole number)"))
        .and_then(fits)
}

/// A time as offices write it: RFC 3339 with an offset, or a local date and time (in the
/// receiver's zone) as `yyyy-mm-dd hh:mm`, `dd-mm-yyyy hh:mm` or `dd/mm/yyyy hh:mm`, seconds
/// optional, or an XLSX serial date-time.
pub fn parse_time(text: &str, zone: Zone) -> Result<Timestamp, String> {
    parse_time_in(text, &zone.tz())
}

/// `parse_time` in a time zone already looked up (an import does it once per zone, not per row).
fn parse_time_in(text: &str, tz: &jiff::tz::TimeZone) -> Result<Timestamp, String> {
    let t = text.trim();
    let local = |dt: DateTime| {
        dt.to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string())
    };
    // The form Posko writes and most offices use, read directly: yyyy-mm-dd hh:mm[:ss].
    if let Some(dt) = iso_local(t) {
        return local(dt);
    }
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts);
    }
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

/// `yyyy-mm-dd hh:mm` or `yyyy-mm-dd hh:mm:ss` (a space or `T` between), if `t` is exactly that
/// and a real date and time; anything else is left to the general parsers.
fn iso_local(t: &str) -> Option<DateTime> {
    let b = t.as_bytes();
    if !(b.len() == 16 || b.len() == 19) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i16> {
        b[r].iter().try_fold(0i16, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + i16::from(d - b'0'))
        })
    };
    let seps = b[4] == b'-' && b[7] == b'-' && (b[10] == b' ' || b[10] == b'T') && b[13] == b':';
    if !seps || (b.len() == 19 && b[16] != b':') {
        return None;
    }
    let second = if b.len() == 19 { num(17..19)? } else { 0 };
    DateTime::new(
        num(0..4)?,
        i8::try_from(num(5..7)?).ok()?,
        i8::try_from(num(8..10)?).ok()?,
        i8::try_from(num(11..13)?).ok()?,
        i8::try_from(num(14..16)?).ok()?,
        i8::try_from(second).ok()?,
        0,
    )
    .ok()
}

/// The region a place of the chain lies in (the TPS's village for a KPPS).
fn region_of(node: &Node) -> Option<RegionCode> {
    let code = node.place.split('/').next().unwrap_or("");
    RegionCode::parse(code).ok()
}

/// One row as a hand-over, or every problem it has.
fn parse_row(
    ctx: &Context,
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
            Some(stage) => Some(read_place(stage, p)),
            None => {
                problem(
                    Some(Col::FromStage),
                    format!("'{s}' bukan tahap (KPU, PPK, PPS, KPPS) (not a stage)"),
                );
                None
            }
        },
    };
    let kind = match cell(Col::Item) {
        "" => BALLOTS.to_string(),
        t if t == BALLOTS => BALLOTS.to_string(),
        t => match normalise_header(t).as_str() {
            "" | "surat_suara" | "ss" => BALLOTS.to_string(),
            other => other.to_string(),
        },
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
    // Each place is read once: its canonical spelling and the region it names serve every
    // check below.
    let (to, to_region) = match to_stage.map(|stage| read_place(stage, cell(Col::ToPlace))) {
        Some((node, region)) => (Some(node), region),
        None => (None, None),
    };
    if let Some(to) = &to {
        if let Err(e) = check_place_code(ctx.atlas, to, to_region) {
            problem(Some(Col::ToPlace), e.to_string());
        }
    }
    if let (Some(scope), Some(r)) = (ctx.scope, to_region) {
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
    if let Some((f, region)) = &from {
        if let Err(e) = check_place_code(ctx.atlas, f, *region) {
            problem(Some(Col::FromPlace), e.to_string());
        }
    }
    let from = from.map(|(node, _)| node);
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
    let zone = to_region
        .and_then(|r| ctx.atlas.zone(&r))
        .unwrap_or(Zone::Wib);
    let at = match parse_time_in(cell(Col::At), ctx.tz(zone)) {
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

/// The file's rows, read once: each good row goes to the store as a hand-over while the file is
/// clean. The first bad row stops the flow to the store, but reading goes on so every problem of
/// the file is listed; at the end a file with problems (or none of its rows) yields one `Err`,
/// which makes the store refuse the whole batch, so nothing of a bad file is kept.
struct Rows {
    ctx: Context,
    cols: Columns,
    source: Source,
    cells: Vec<String>,
    /// The line of each row given to the store, so a refusal by the store can name it.
    lines: Vec<u32>,
    summary: ImportSummary,
    /// The first problems, and how many there were in all.
    problems: Vec<RowProblem>,
    total: usize,
    /// Why the file could not be read on (a broken CSV record).
    unreadable: Option<String>,
    ended: bool,
}

impl Rows {
    fn new(ctx: Context, cols: Columns, source: Source) -> Rows {
        Rows {
            ctx,
            cols,
            source,
            cells: Vec::new(),
            lines: Vec::new(),
            summary: ImportSummary::default(),
            problems: Vec::new(),
            total: 0,
            unreadable: None,
            ended: false,
        }
    }

    fn clean(&self) -> bool {
        self.total == 0 && self.unreadable.is_none()
    }

    /// Reads the rest of the file for its problems, storing nothing.
    fn finish(&mut self) {
        for _ in self.by_ref() {}
    }

    /// What was wrong with the file, if anything: the first problem found wins over the store's
    /// refusal, as if the file had been checked whole before storing.
    fn error(&self) -> Option<ImportError> {
        let file = || self.ctx.file.clone();
        if let Some(reason) = &self.unreadable {
            return Some(ImportError::Unreadable {
                file: file(),
                reason: reason.clone(),
            });
        }
        if self.total > 0 {
            return Some(ImportError::Rows {
                file: file(),
                problems: self.problems.clone(),
                total: self.total,
            });
        }
        (self.summary.rows == 0).then(|| ImportError::Empty { file: file() })
    }
}

impl Iterator for Rows {
    type Item = Result<NewLogisticsHandover, String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.ended {
            return None;
        }
        loop {
            let line = match self.source.next_row(&mut self.cells) {
                Some(Ok(line)) => line,
                Some(Err(reason)) => {
                    self.unreadable = Some(reason);
                    break;
                }
                None => break,
            };
            match parse_row(&self.ctx, &self.cols, line, &self.cells) {
                Ok(h) => {
                    let s = &mut self.summary;
                    s.rows += 1;
                    if h.from.is_none() {
                        s.stock += 1;
                    }
                    if h.damaged + h.missing > 0 {
                        if let Some(d) =
                            region_of(&h.to).and_then(|r| r.ancestor_at(Level::District))
                        {
                            let t = s.trouble.entry(d).or_default();
                            t.0 += u64::from(h.damaged);
                            t.1 += u64::from(h.missing);
                        }
                    }
                    if self.clean() {
                        self.lines.push(u32::try_from(line).unwrap_or(u32::MAX));
                        return Some(Ok(h));
                    }
                }
                Err(p) => {
                    self.total += p.len();
                    let room = MAX_LISTED_PROBLEMS.saturating_sub(self.problems.len());
                    self.problems.extend(p.into_iter().take(room));
                }
            }
        }
        self.ended = true;
        // The store commits when the rows run out; a bad or empty file must not get that far.
        (!self.clean() || self.summary.rows == 0)
            .then(|| Err("berkas ditolak (file refused)".into()))
    }
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
        election: election.clone(),
        file: file.clone(),
        recorded_by,
        scope: by.scope,
        now,
        zones: [Zone::Wib.tz(), Zone::Wita.tz(), Zone::Wit.tz()],
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
    let (header, source, letters) = Source::open(path, &file)?;
    let cols = Columns::find(&header, letters, &file)?;
    let mut rows = Rows::new(ctx, cols, source);
    if let Some(earlier) = posko
        .store
        .imported_file(election_id, &fingerprint.sha256)
        .await
        .map_err(store_error)?
    {
        // The file's own problems first (an officer outside its region hears that), then that
        // it was imported before.
        rows.finish();
        if let Some(e) = rows.error() {
            return Err(e);
        }
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
    // One pass: rows are checked as they are read and stored in one transaction. The file is
    // read and checked on a thread of its own, so reading the next rows overlaps with the store
    // writing the last ones.
    // Rows cross in batches: one hand-off per row had the two threads waking each other for
    // every row, a fifth of the import's CPU.
    const BATCH: usize = 1_024;
    let (send, feed) = std::sync::mpsc::sync_channel::<Vec<_>>(16);
    let reader = std::thread::spawn(move || {
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            batch.extend(rows.by_ref().take(BATCH));
            let last = batch.len() < BATCH;
            if batch.is_empty() {
                break;
            }
            if send
                .send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                .is_err()
            {
                // The store stopped taking rows (it refused one): read on for the file's own
                // problems, which come first.
                rows.finish();
                break;
            }
            if last {
                break;
            }
        }
        rows
    });
    let mut feed = feed.into_iter().flatten();
    let outcome = posko
        .store
        .import_handovers(Some(&fingerprint), &mut feed)
        .await;
    drop(feed);
    let rows = tokio::task::spawn_blocking(move || reader.join())
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or_else(|| ImportError::Unreadable {
            file: file.clone(),
            reason: "pembaca berkas berhenti tiba-tiba (the file reader stopped)".into(),
        })?;
    if outcome.is_err() || matches!(outcome, Ok(Err(_))) {
        if let Some(e) = rows.error() {
            return Err(e);
        }
    }
    if let Err(refusal) = outcome.map_err(store_error)? {
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
    let summary = rows.summary;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_time_reader_agrees_with_the_general_one() {
        let tz = Zone::Wita.tz();
        for text in [
            "2024-02-10 09:30",
            "2024-02-10T09:30",
            "2024-02-10 09:30:59",
            "2024-02-29 23:59:00",
        ] {
            let general = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]
                .iter()
                .find_map(|f| DateTime::strptime(f, text).ok())
                .unwrap();
            assert_eq!(iso_local(text), Some(general), "{text}");
            assert_eq!(
                parse_time_in(text, &tz).unwrap(),
                general.to_zoned(tz.clone()).unwrap().timestamp()
            );
        }
        // Not real dates or not this form: left to the general readers, which refuse or read them.
        for text in [
            "2023-02-29 10:00",
            "2024-13-01 10:00",
            "2024-02-10 24:00",
            "2024-02-10 9:30",
            "2024/02/10 09:30",
            "2024-02-10 09:30:5x",
            "2024-02-10T09:30:00Z",
        ] {
            assert_eq!(iso_local(text), None, "{text}");
        }
        assert_eq!(
            parse_time_in("10/02/2024 09:30", &tz).unwrap(),
            parse_time_in("2024-02-10 09:30", &tz).unwrap()
        );
        assert!(parse_time_in("2023-02-29 10:00", &tz).is_err());
    }

    #[test]
    fn stages_are_read_in_the_spellings_offices_use() {
        for (text, stage) in [
            ("KPPS", Some(Stage::Kpps)),
            (" kpps 001 ", Some(Stage::Kpps)),
            ("TPS", Some(Stage::Kpps)),
            ("KPU Kabupaten", Some(Stage::Kpu)),
            ("Gudang", Some(Stage::Kpu)),
            ("ppk", Some(Stage::Ppk)),
            ("Kecamatan", Some(Stage::Ppk)),
            ("PPS", Some(Stage::Pps)),
            ("Kelurahan", Some(Stage::Pps)),
            ("-PPS-", Some(Stage::Pps)),
            ("bawaslu", None),
            ("", None),
        ] {
            assert_eq!(parse_stage(text), stage, "{text:?}");
        }
        assert_eq!(parse_ballot("DPR RI"), Some(BallotType::Dpr));
        assert_eq!(parse_ballot("dprd_kab_kota"), Some(BallotType::DprdKabKota));
        assert_eq!(parse_count("1.250"), Ok(1250));
        assert_eq!(parse_count("1250"), Ok(1250));
        assert!(parse_count("99999999999").is_err());
        // What a stored hand-over can hold, and one more (named as too large).
        assert_eq!(parse_count("2147483647"), Ok(2_147_483_647));
        assert!(parse_count("2147483648")
            .unwrap_err()
            .contains("terlalu besar"));
        assert!(parse_count("2.147.483.648")
            .unwrap_err()
            .contains("terlalu besar"));
    }
}
