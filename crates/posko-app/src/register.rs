//! Importing a TPS register from the files offices keep: CSV (comma, semicolon or tab; UTF-8 or
//! Latin-1) or XLSX (the first sheet). Every row is checked before anything is stored; a file with
//! any bad row is refused whole, with each problem named by file, line and column, and a good
//! file is stored in one transaction, so a file is never half-imported.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};
use posko_core::{Atlas, Election, GeoPoint, Level, RegionCode, TpsId, TpsNumber, TpsRecord};
use posko_store::{ImportCount, Store, StoreError};

/// At most this many problems are listed per file; the rest are counted.
pub const MAX_LISTED_PROBLEMS: usize = 50;

/// One problem in an imported file: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct RowProblem {
    pub file: String,
    /// 1-based line (CSV) or row (XLSX); the header is line 1.
    pub line: usize,
    /// The column as the file names it (with its letter in XLSX), empty for a whole-row problem.
    pub column: String,
    pub message: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column.is_empty() {
            write!(f, "{}, baris {}: {}", self.file, self.line, self.message)
        } else {
            write!(
                f,
                "{}, baris {}, kolom {}: {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

/// Why a file was not imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: tidak dapat dibaca: {reason} (cannot read the file)")]
    Unreadable { file: String, reason: String },
    #[error("{file}: kolom wajib tidak ada: {missing} (missing required columns; found: {found})")]
    MissingColumns {
        file: String,
        missing: String,
        found: String,
    },
    #[error("{file}: tidak ada baris data (no data rows)")]
    Empty { file: String },
    #[error("{file}: {} masalah, tidak ada yang diimpor (problems found, nothing imported):\n{}", .total, list_problems(.problems, *.total))]
    Rows {
        file: String,
        problems: Vec<RowProblem>,
        total: usize,
    },
    #[error("pemilihan '{0}' tidak dikenal (unknown election)")]
    UnknownElection(String),
    /// The very same bytes were imported before: importing again would record everything twice.
    #[error("{file}: berkas yang sama persis sudah diimpor pada {at} sebagai '{earlier}', {rows} baris; tidak ada yang diimpor lagi (the very same file was already imported at {at} as '{earlier}', {rows} rows; nothing imported again)")]
    AlreadyImported {
        file: String,
        earlier: String,
        rows: u64,
        at: String,
    },
    #[error("{file}: basis data menolak impor, tidak ada yang diimpor (the database refused the import; nothing imported)")]
    Store {
        file: String,
        #[source]
        source: StoreError,
    },
}

fn list_problems(problems: &[RowProblem], total: usize) -> String {
    let mut out: Vec<String> = problems.iter().map(|p| format!("  - {p}")).collect();
    if total > problems.len() {
        out.push(format!(
            "  … dan {} masalah lain (and more)",
            total - problems.len()
        ));
    }
    out.join("\n")
}

/// A register that passed every check, with warnings that do not stop it.
#[derive(Debug, Clone)]
pub struct CheckedRegister {
    pub rows: Vec<TpsRecord>,
    pub warnings: Vec<RowProblem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Field {
    Village,
    Number,
    Address,
    Lat,
    Lon,
    Voters,
}

impl Field {
    /// Header names offices use, normalised (lower case, separators as `_`).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Village => &[
                "kode_desa",
                "kode_kelurahan",
                "kode_desa_kelurahan",
                "kode_kel_desa",
                "kd_desa",
                "kode_wilayah",
                "village_code",
                "kode_desa_kel",
            ],
            Field::Number => &[
                "nomor_tps",
                "no_tps",
                "tps",
                "tps_number",
                "number",
                "nomor",
            ],
            Field::Address => &["alamat", "alamat_tps", "lokasi", "address", "lokasi_tps"],
            Field::Lat => &["lat", "latitude", "lintang"],
            Field::Lon => &["lon", "lng", "long", "longitude", "bujur"],
            Field::Voters => &[
                "dpt",
                "jumlah_dpt",
                "jml_dpt",
                "pemilih",
                "jumlah_pemilih",
                "voters",
            ],
        }
    }

    fn label(self) -> &'static str {
        match self {
            Field::Village => "kode_desa",
            Field::Number => "nomor_tps",
            Field::Address => "alamat",
            Field::Lat => "lat",
            Field::Lon => "lon",
            Field::Voters => "dpt",
        }
    }

    const REQUIRED: [Field; 4] = [Field::Village, Field::Number, Field::Address, Field::Voters];
    const ALL: [Field; 6] = [
        Field::Village,
        Field::Number,
        Field::Address,
        Field::Lat,
        Field::Lon,
        Field::Voters,
    ];
}

pub(crate) fn normalise_header(h: &str) -> String {
    let lower = h.trim().trim_start_matches('\u{feff}').to_lowercase();
    let mut out = String::new();
    for ch in lower.chars() {
        if ch.is_alphanumeric() {
            out.push(ch);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// A table read from a file: header cells and rows of text cells, each with its line number.
pub(crate) struct Table {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<(usize, Vec<String>)>,
    /// XLSX shows column letters; CSV does not.
    pub(crate) letters: bool,
}

pub(crate) fn column_letter(i: usize) -> String {
    let mut n = i + 1;
    let mut s = String::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.insert(0, (b'A' + r as u8) as char);
        n = (n - 1) / 26;
    }
    s
}

fn read_csv(bytes: &[u8], file: &str) -> Result<Table, ImportError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    // UTF-8 when it is; otherwise Latin-1, which every byte sequence is.
    let text: String = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    };
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let (counted, lines) = posko_core::lines::Counted::new(text.as_bytes());
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(counted);
    let mut header = None;
    let mut rows = Vec::new();
    let mut rec = csv::StringRecord::new();
    loop {
        let more = rdr.read_record(&mut rec).map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            ImportError::Unreadable {
                file: file.into(),
                reason: format!("baris {line}: {e}"),
            }
        })?;
        if !more {
            break;
        }
        let line = lines.line_ending_at(rdr.position().byte()) as usize;
        let cells: Vec<String> = rec.iter().map(|c| c.trim().to_string()).collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        if header.is_none() {
            header = Some(cells);
        } else {
            rows.push((line, cells));
        }
    }
    Ok(Table {
        header: header.unwrap_or_default(),
        rows,
        letters: false,
    })
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

fn read_xlsx(path: &Path, file: &str) -> Result<Table, ImportError> {
    let unreadable = |reason: String| ImportError::Unreadable {
        file: file.into(),
        reason,
    };
    let range = posko_core::workbook::guarded(|| {
        let mut wb = open_workbook_auto(path).map_err(|e| e.to_string())?;
        let sheet = wb
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| "tidak ada lembar kerja (no worksheet)".to_string())?;
        wb.worksheet_range(&sheet).map_err(|e| e.to_string())
    })
    .map_err(unreadable)?;
    let (start_row, start_col) = range.start().unwrap_or((0, 0));
    let mut header = None;
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let mut cells: Vec<String> = vec![String::new(); start_col as usize];
        cells.extend(row.iter().map(cell_text));
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        let line = start_row as usize + i + 1;
        if header.is_none() {
            header = Some(cells);
        } else {
            rows.push((line, cells));
        }
    }
    Ok(Table {
        header: header.unwrap_or_default(),
        rows,
        letters: true,
    })
}

fn parse_count(text: &str) -> Result<u32, String> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if t.is_empty() {
        return Err("kosong (empty)".into());
    }
    t.parse::<u32>()
        .map_err(|_| format!("'{text}' bukan bilangan bulat 0 atau lebih (not a whole number)"))
}

pub(crate) fn parse_coord(text: &str) -> Result<f64, String> {
    let t = text.trim();
    // Indonesian spreadsheets often write a decimal comma.
    let t = if t.contains(',') && !t.contains('.') {
        t.replace(',', ".")
    } else {
        t.to_string()
    };
    t.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("'{text}' bukan angka desimal (not a decimal number)"))
}

/// Reads and checks a register file without storing anything.
pub fn check_file(
    path: &Path,
    atlas: &Atlas,
    election: &Election,
) -> Result<CheckedRegister, ImportError> {
    let file = path.display().to_string();
    let table = read_table(path, &file)?;
    check_table(&table, &file, atlas, election)
}

/// Reads a CSV (any delimiter, UTF-8 or Latin-1) or a spreadsheet's first sheet.
pub(crate) fn read_table(path: &Path, file: &str) -> Result<Table, ImportError> {
    let is_xlsx = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "xlsx" | "xlsm" | "xls" | "ods"
        )
    });
    if is_xlsx {
        read_xlsx(path, file)
    } else {
        let bytes = std::fs::read(path).map_err(|e| ImportError::Unreadable {
            file: file.to_string(),
            reason: e.to_string(),
        })?;
        read_csv(&bytes, file)
    }
}

fn check_table(
    table: &Table,
    file: &str,
    atlas: &Atlas,
    election: &Election,
) -> Result<CheckedRegister, ImportError> {
    let mut columns: HashMap<Field, usize> = HashMap::new();
    for (i, h) in table.header.iter().enumerate() {
        let norm = normalise_header(h);
        for f in Field::ALL {
            if !columns.contains_key(&f) && f.aliases().contains(&norm.as_str()) {
                columns.insert(f, i);
            }
        }
    }
    let missing: Vec<&str> = Field::REQUIRED
        .iter()
        .filter(|f| !columns.contains_key(f))
        .map(|f| f.label())
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns {
            file: file.into(),
            missing: missing.join(", "),
            found: table.header.join(", "),
        });
    }
    if table.rows.is_empty() {
        return Err(ImportError::Empty { file: file.into() });
    }
    let col_name = |f: Field| -> String {
        let i = columns.get(&f).copied().unwrap_or(0);
        let name = table
            .header
            .get(i)
            .cloned()
            .unwrap_or_else(|| f.label().into());
        if table.letters {
            format!("{} ({name})", column_letter(i))
        } else {
            name
        }
    };
    let mut problems = Vec::new();
    let mut total = 0usize;
    let mut warnings = Vec::new();
    let mut rows = Vec::with_capacity(table.rows.len());
    let mut seen: HashMap<TpsId, usize> = HashMap::new();
    let cap = election.rules.max_voters_per_tps;

    for (line, cells) in &table.rows {
        let get = |f: Field| -> &str {
            columns
                .get(&f)
                .and_then(|&i| cells.get(i))
                .map(String::as_str)
                .unwrap_or("")
        };
        let mut row_problems: Vec<RowProblem> = Vec::new();
        let mut bad = |f: Field, message: String| {
            row_problems.push(RowProblem {
                file: file.into(),
                line: *line,
                column: col_name(f),
                message,
            })
        };
        let village = match RegionCode::parse(get(Field::Village)) {
            Ok(c) if c.level() != Level::Village => {
                bad(
                    Field::Village,
                    format!("{c} bukan kode desa/kelurahan (not a village code)"),
                );
                None
            }
            Ok(c) if !atlas.contains(&c) => {
                bad(
                    Field::Village,
                    format!("desa {c} tidak ada di data wilayah (unknown village)"),
                );
                None
            }
            Ok(c) => Some(c),
            Err(e) => {
                bad(Field::Village, e.to_string());
                None
            }
        };
        let number = TpsNumber::parse(get(Field::Number))
            .map_err(|e| bad(Field::Number, e.to_string()))
            .ok();
        let voters = parse_count(get(Field::Voters))
            .map_err(|e| bad(Field::Voters, e))
            .ok();
        let address = get(Field::Address).to_string();
        if address.chars().count() > 500 {
            bad(
                Field::Address,
                "lebih dari 500 karakter (longer than 500 characters)".into(),
            );
        }
        let (lat_text, lon_text) = (get(Field::Lat), get(Field::Lon));
        let location = match (lat_text.is_empty(), lon_text.is_empty()) {
            (true, true) => None,
            (false, true) => {
                bad(
                    Field::Lon,
                    "kosong padahal lat diisi (lon missing while lat is given)".into(),
                );
                None
            }
            (true, false) => {
                bad(
                    Field::Lat,
                    "kosong padahal lon diisi (lat missing while lon is given)".into(),
                );
                None
            }
            (false, false) => match (parse_coord(lat_text), parse_coord(lon_text)) {
                (Ok(lat), Ok(lon)) => GeoPoint::new(lat, lon)
                    .map_err(|e| bad(Field::Lat, e.to_string()))
                    .ok(),
                (Err(e), _) => {
                    bad(Field::Lat, e);
                    None
                }
                (_, Err(e)) => {
                    bad(Field::Lon, e);
                    None
                }
            },
        };
        if let (Some(v), Some(n), Some(voters)) = (village, number, voters) {
            if let Ok(id) = TpsId::new(v, n) {
                if let Some(first) = seen.insert(id, *line) {
                    row_problems.push(RowProblem {
                        file: file.into(),
                        line: *line,
                        column: String::new(),
                        message: format!(
                            "TPS {id} ganda, sudah ada di baris {first} (duplicate TPS)"
                        ),
                    });
                } else if row_problems.is_empty() {
                    if voters > cap {
                        warnings.push(RowProblem {
                            file: file.into(),
                            line: *line,
                            column: col_name(Field::Voters),
                            message: format!(
                                "{voters} pemilih melebihi kapasitas TPS {cap} untuk {} (over capacity)",
                                election.name
                            ),
                        });
                    }
                    rows.push(TpsRecord {
                        id,
                        address,
                        location,
                        voters,
                    });
                }
            }
        }
        total += row_problems.len();
        for p in row_problems {
            if problems.len() < MAX_LISTED_PROBLEMS {
                problems.push(p);
            }
        }
    }
    if total > 0 {
        return Err(ImportError::Rows {
            file: file.into(),
            problems,
            total,
        });
    }
    Ok(CheckedRegister { rows, warnings })
}

/// Checks a file and, when every row is good, stores it in one transaction.
pub async fn import_file(
    store: &dyn Store,
    path: &Path,
    atlas: &'static Atlas,
    election: &Election,
) -> Result<(ImportCount, CheckedRegister), ImportError> {
    let p = path.to_path_buf();
    let e = election.clone();
    let checked = tokio::task::spawn_blocking(move || check_file(&p, atlas, &e))
        .await
        .map_err(|err| ImportError::Unreadable {
            file: path.display().to_string(),
            reason: err.to_string(),
        })??;
    let count = store
        .import_tps(&election.id, &checked.rows)
        .await
        .map_err(|source| ImportError::Store {
            file: path.display().to_string(),
            source,
        })?;
    Ok((count, checked))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workbook calamine panics on (found by the DPT fuzz target) is an unreadable file, for
    /// the TPS register and the logistics import alike.
    #[test]
    fn a_workbook_the_reader_panics_on_is_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tps.xlsx");
        std::fs::write(
            &path,
            include_bytes!("../../posko-dpt/tests/data/shared-string-out-of-range.xlsx"),
        )
        .unwrap();
        let msg = read_table(&path, "tps.xlsx").err().unwrap().to_string();
        assert!(
            msg.contains("tps.xlsx") && msg.contains("XLSX rusak"),
            "{msg}"
        );
    }

    fn check(text: &str) -> Result<CheckedRegister, ImportError> {
        let t = read_csv(text.as_bytes(), "tps.csv").unwrap();
        check_table(&t, "tps.csv", Atlas::embedded(), &Election::pemilu_2024())
    }

    #[test]
    fn reads_a_good_file_in_any_delimiter() {
        for sep in [",", ";", "\t"] {
            let text = "kode_desa,nomor_tps,alamat,lat,lon,dpt\n\
                33.20.01.2001,1,Balai Desa,-6.59,110.67,250\n\
                3320012001,TPS 002,\"RT 1, RW 2\",,,240\n"
                .replace(',', sep)
                .replace(&format!("RT 1{sep} RW 2"), "RT 1, RW 2");
            let r = check(&text).unwrap_or_else(|e| panic!("{sep:?}: {e}"));
            assert_eq!(r.rows.len(), 2);
            assert_eq!(r.rows[1].id.to_string(), "33.20.01.2001/002");
            assert_eq!(r.rows[0].location.unwrap().lat, -6.59);
        }
    }

    #[test]
    fn every_problem_names_line_and_column() {
        let text = "Kode Desa;No TPS;Alamat;Lat;Lon;Jumlah DPT\n\
            33.20.01.2001;1;A;;;250\n\
            33.20.01.9999;2;B;;;250\n\
            33.20.01;3;C;;;250\n\
            33.20.01.2001;0;D;;;250\n\
            33.20.01.2001;4;E;;;dua ratus\n\
            33.20.01.2001;5;F;110,67;-6,59;250\n\
            33.20.01.2001;1;G;;;250\n\
            33.20.01.2001;6;H;-6,59;;250\n";
        let Err(ImportError::Rows {
            problems, total, ..
        }) = check(text)
        else {
            panic!()
        };
        assert_eq!(total, 7);
        let at: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.line, p.column.as_str()))
            .collect();
        assert_eq!(
            at,
            [
                (3, "Kode Desa"),
                (4, "Kode Desa"),
                (5, "No TPS"),
                (6, "Jumlah DPT"),
                (7, "Lat"),
                (8, ""),
                (9, "Lon")
            ]
        );
        assert!(problems[0].message.contains("tidak ada"));
        assert!(problems[4].message.contains("di luar Indonesia"));
        assert!(problems[5].message.contains("baris 2"));
        assert!(problems[0]
            .to_string()
            .starts_with("tps.csv, baris 3, kolom Kode Desa:"));
        // Saved by Excel (CRLF) with a blank line after the header: the same problems, each on
        // its own line one further down.
        let crlf = text.replacen('\n', "\n\n", 1).replace('\n', "\r\n");
        let Err(ImportError::Rows { problems, .. }) = check(&crlf) else {
            panic!()
        };
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [4, 5, 6, 7, 8, 9, 10]);
    }

    #[test]
    fn missing_columns_and_empty_files_are_named() {
        let e = check("kode_desa,alamat\n33.20.01.2001,x\n").unwrap_err();
        assert!(
            matches!(&e, ImportError::MissingColumns { missing, .. } if missing == "nomor_tps, dpt"),
            "{e}"
        );
        assert!(matches!(
            check("kode_desa,nomor_tps,alamat,dpt\n"),
            Err(ImportError::Empty { .. })
        ));
    }

    #[test]
    fn over_capacity_is_a_warning_not_an_error() {
        let r = check("kode_desa,nomor_tps,alamat,dpt\n33.20.01.2001,1,A,301\n").unwrap();
        assert_eq!(r.rows.len(), 1);
        assert_eq!(r.warnings.len(), 1);
        assert!(r.warnings[0].message.contains("kapasitas"));
    }

    #[test]
    fn latin1_and_bom_are_read() {
        let mut bytes = b"\xef\xbb\xbfkode_desa,nomor_tps,alamat,dpt\n".to_vec();
        bytes.extend_from_slice(b"33.20.01.2001,1,Jl. Pem\xe9da,10\n");
        let t = read_csv(&bytes, "x.csv").unwrap();
        let r = check_table(&t, "x.csv", Atlas::embedded(), &Election::pemilu_2024()).unwrap();
        assert_eq!(r.rows[0].address, "Jl. Peméda");
    }

    #[test]
    fn problem_list_is_capped() {
        let mut text = String::from("kode_desa,nomor_tps,alamat,dpt\n");
        for i in 1..=120 {
            text.push_str(&format!("33.20.01.2001,{i},A,x\n"));
        }
        let Err(ImportError::Rows {
            problems, total, ..
        }) = check(&text)
        else {
            panic!()
        };
        assert_eq!((problems.len(), total), (MAX_LISTED_PROBLEMS, 120));
    }

    #[test]
    fn xlsx_rows_and_columns_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tps.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["kode_desa", "nomor_tps", "alamat", "dpt"]
            .iter()
            .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, "33.20.01.2001").unwrap();
        ws.write_number(1, 1, 1.0).unwrap();
        ws.write_string(1, 2, "Balai").unwrap();
        ws.write_number(1, 3, 250.0).unwrap();
        ws.write_string(2, 0, "33.20.01.2001").unwrap();
        ws.write_number(2, 1, 2.0).unwrap();
        ws.write_string(2, 2, "Masjid").unwrap();
        ws.write_string(2, 3, "banyak").unwrap();
        wb.save(&path).unwrap();
        let e = check_file(&path, Atlas::embedded(), &Election::pemilu_2024()).unwrap_err();
        let ImportError::Rows { problems, .. } = e else {
            panic!("{e}")
        };
        assert_eq!(problems[0].line, 3);
        assert_eq!(problems[0].column, "D (dpt)");
    }
}
