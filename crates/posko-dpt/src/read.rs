//! Readers: CSV (any of `,` `;` TAB `|`, UTF-8 or Windows-1252/Latin-1, quoted fields) and
//! XLSX/XLS/ODS (the first sheet). Both yield rows as byte records with their line numbers, in
//! batches, so that memory does not depend on the file's size; only the header is decoded here.
//! A file that cannot be read at all is a `ReadError` naming the file (and line and column where
//! there is one); a bad row is the checks' business, not the reader's.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use calamine::{Data, Reader};
use csv::ByteRecord;

use crate::check::{decode_field, ColumnMap, Field, HeaderError};
use crate::date::Ymd;

/// The longest row a CSV may have before the reader gives up on the file: a quote left open
/// turns the rest of the file into one field, and that must not take all the memory.
pub const MAX_ROW_BYTES: u64 = 16 << 20;

/// Why a file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path}: berkas tidak ditemukan (file not found)")]
    NotFound { path: PathBuf },
    #[error("{path}: berkas tidak dapat dibaca (cannot read file): {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}: berkas kosong, tidak ada baris judul (empty file, no header row)")]
    Empty { path: PathBuf },
    #[error(
        "{path}: berkas berkode UTF-16; simpan ulang sebagai CSV UTF-8 \
         (file is UTF-16; save it again as CSV UTF-8)"
    )]
    Utf16 { path: PathBuf },
    #[error("{path}, baris {line}: {source}")]
    Header {
        path: PathBuf,
        line: u64,
        source: HeaderError,
    },
    #[error("{path}: lembar kerja tidak dapat dibaca (spreadsheet unreadable): {message}")]
    Sheet { path: PathBuf, message: String },
    #[error(
        "{path}, baris {line}, kolom {column}: satu baris lebih dari {limit} MiB — kutip (\") \
         tidak tertutup? Berkas berhenti dibaca di sini (a row over {limit} MiB: unclosed quote?)",
        limit = MAX_ROW_BYTES >> 20
    )]
    RowTooLarge {
        path: PathBuf,
        line: u64,
        column: usize,
    },
    #[error("{path}, baris {line}: {message}")]
    Csv {
        path: PathBuf,
        line: u64,
        message: String,
    },
}

/// One row: its line (1-based, the header is line 1) and its fields.
pub type Row = (u64, ByteRecord);

/// A counter the reader advances as bytes are consumed, for progress bars.
pub type BytesRead = Arc<AtomicU64>;

/// Reads through to the inner reader, counting bytes and refusing to read more than
/// `MAX_ROW_BYTES` past the end of the last complete row.
struct Guarded<R> {
    inner: R,
    total: u64,
    row_end: Rc<Cell<u64>>,
    counter: BytesRead,
}

impl<R: Read> Read for Guarded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.total.saturating_sub(self.row_end.get()) > MAX_ROW_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                RowTooLargeMarker,
            ));
        }
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[derive(Debug)]
struct RowTooLargeMarker;
impl std::fmt::Display for RowTooLargeMarker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("row too large")
    }
}
impl std::error::Error for RowTooLargeMarker {}

enum Source {
    Csv {
        reader: Box<csv::Reader<Guarded<Box<dyn Read>>>>,
        row_end: Rc<Cell<u64>>,
        /// The line where the next row starts, for errors inside a row.
        next_line: u64,
    },
    Sheet {
        rows: std::vec::IntoIter<Row>,
    },
}

/// An open input file with its header mapped.
pub struct Opened {
    pub path: PathBuf,
    pub map: ColumnMap,
    pub format: &'static str,
    source: Source,
    done: bool,
    /// An error met after some rows of a batch: those rows are returned first.
    pending: Option<ReadError>,
}

/// Picks the delimiter that splits the header line into the most fields.
fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|b| *b == b'\n').next().unwrap_or(head);
    let mut best = (b',', 0usize);
    for d in [b',', b';', b'\t', b'|'] {
        let mut quoted = false;
        let mut n = 0;
        for &b in line {
            if b == b'"' {
                quoted = !quoted;
            } else if b == d && !quoted {
                n += 1;
            }
        }
        if n > best.1 {
            best = (d, n);
        }
    }
    best.0
}

fn is_sheet(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref(),
        Some("xlsx" | "xlsm" | "xls" | "ods")
    )
}

/// Opens a file, reads and maps its header. `overrides` are the operator's column names.
pub fn open(
    path: &Path,
    overrides: &[(Field, String)],
    counter: BytesRead,
) -> Result<Opened, ReadError> {
    let io_err = |e: io::Error| {
        if e.kind() == io::ErrorKind::NotFound {
            ReadError::NotFound {
                path: path.to_path_buf(),
            }
        } else {
            ReadError::Io {
                path: path.to_path_buf(),
                source: e,
            }
        }
    };
    if is_sheet(path) {
        return open_sheet(path, overrides, counter);
    }
    let mut file = File::open(path).map_err(io_err)?;
    let mut head = vec![0u8; 64 * 1024];
    let mut got = 0;
    while got < head.len() {
        let n = file.read(&mut head[got..]).map_err(io_err)?;
        if n == 0 {
            break;
        }
        got += n;
    }
    head.truncate(got);
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(ReadError::Utf16 {
            path: path.to_path_buf(),
        });
    }
    if head.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ReadError::Empty {
            path: path.to_path_buf(),
        });
    }
    let delimiter = sniff_delimiter(&head);
    let chained: Box<dyn Read> = Box::new(io::Cursor::new(head).chain(file));
    let row_end = Rc::new(Cell::new(0));
    let guarded = Guarded {
        inner: chained,
        total: 0,
        row_end: row_end.clone(),
        counter,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(256 * 1024)
        .from_reader(guarded);
    let mut header = ByteRecord::new();
    let got = reader
        .read_byte_record(&mut header)
        .map_err(|e| csv_error(path, &reader, e))?;
    if !got {
        return Err(ReadError::Empty {
            path: path.to_path_buf(),
        });
    }
    row_end.set(reader.position().byte());
    let next_line = reader.position().line();
    let headers: Vec<String> = header
        .iter()
        .map(|f| decode_field(f).trim().to_string())
        .collect();
    let map = ColumnMap::from_header(&headers, overrides).map_err(|source| ReadError::Header {
        path: path.to_path_buf(),
        line: 1,
        source,
    })?;
    Ok(Opened {
        path: path.to_path_buf(),
        map,
        format: "csv",
        source: Source::Csv {
            reader: Box::new(reader),
            row_end,
            next_line,
        },
        done: false,
        pending: None,
    })
}

fn csv_error<R: Read>(path: &Path, reader: &csv::Reader<R>, e: csv::Error) -> ReadError {
    let line = e
        .position()
        .map(|p| p.line())
        .unwrap_or_else(|| reader.position().line());
    if let csv::ErrorKind::Io(io) = e.kind() {
        if io
            .get_ref()
            .is_some_and(|inner| inner.is::<RowTooLargeMarker>())
        {
            return ReadError::RowTooLarge {
                path: path.to_path_buf(),
                line,
                column: 1,
            };
        }
    }
    ReadError::Csv {
        path: path.to_path_buf(),
        line,
        message: e.to_string(),
    }
}

/// Turns a cell into the text a CSV would carry: dates as `yyyy-mm-dd`, whole numbers without
/// a decimal point (a NIK typed as a number), errors as empty.
fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e17 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => Ymd::from_excel_serial(d.as_f64())
            .map(|d| d.to_string())
            .unwrap_or_default(),
    }
}

/// Spreadsheets are at most 1,048,576 rows, so the first sheet is read whole.
fn open_sheet(
    path: &Path,
    overrides: &[(Field, String)],
    counter: BytesRead,
) -> Result<Opened, ReadError> {
    if !path.exists() {
        return Err(ReadError::NotFound {
            path: path.to_path_buf(),
        });
    }
    let sheet_err = |m: String| ReadError::Sheet {
        path: path.to_path_buf(),
        message: m,
    };
    let mut book = calamine::open_workbook_auto(path).map_err(|e| sheet_err(e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| sheet_err("tidak ada lembar kerja (no worksheet)".into()))?
        .map_err(|e| sheet_err(e.to_string()))?;
    counter.fetch_add(
        std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
        Ordering::Relaxed,
    );
    let first_row = range.start().map(|(r, _)| r as u64 + 1).unwrap_or(1);
    let mut rows = range.rows().enumerate().map(|(i, cells)| {
        let mut rec = ByteRecord::new();
        for c in cells {
            rec.push_field(cell_text(c).as_bytes());
        }
        // Trailing empty cells are how spreadsheets end rows; they are not fields.
        (first_row + i as u64, rec)
    });
    let Some((header_line, header)) = rows.next() else {
        return Err(ReadError::Empty {
            path: path.to_path_buf(),
        });
    };
    let headers: Vec<String> = header
        .iter()
        .map(|f| decode_field(f).trim().to_string())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(ReadError::Empty {
            path: path.to_path_buf(),
        });
    }
    let map = ColumnMap::from_header(&headers, overrides).map_err(|source| ReadError::Header {
        path: path.to_path_buf(),
        line: header_line,
        source,
    })?;
    let rows: Vec<Row> = rows
        .filter(|(_, r)| r.iter().any(|f| !f.is_empty()))
        .collect();
    Ok(Opened {
        path: path.to_path_buf(),
        map,
        format: "xlsx",
        source: Source::Sheet {
            rows: rows.into_iter(),
        },
        done: false,
        pending: None,
    })
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opened")
            .field("path", &self.path)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl Opened {
    /// Up to `n` more rows; an empty batch means the end. After an error the file yields no
    /// more rows.
    pub fn next_batch(&mut self, n: usize) -> Result<Vec<Row>, ReadError> {
        let mut out = Vec::with_capacity(n);
        if let Some(e) = self.pending.take() {
            return Err(e);
        }
        if self.done {
            return Ok(out);
        }
        match &mut self.source {
            Source::Sheet { rows } => {
                out.extend(rows.by_ref().take(n));
            }
            Source::Csv {
                reader,
                row_end,
                next_line,
            } => {
                while out.len() < n {
                    let mut rec = ByteRecord::new();
                    match reader.read_byte_record(&mut rec) {
                        Ok(true) => {
                            row_end.set(reader.position().byte());
                            *next_line = reader.position().line();
                            // A blank line is no row.
                            if rec.len() == 1 && rec[0].iter().all(u8::is_ascii_whitespace) {
                                continue;
                            }
                            // csv does not count the blank lines it skips in a record's
                            // position, but does in the reader's: count back from the end.
                            let inner: u64 = rec
                                .iter()
                                .map(|f| f.iter().filter(|b| **b == b'\n').count() as u64)
                                .sum();
                            let start = rec.position().map(|p| p.line()).unwrap_or(0);
                            let line = start.max(next_line.saturating_sub(1 + inner));
                            out.push((line, rec));
                        }
                        Ok(false) => break,
                        Err(e) => {
                            self.done = true;
                            let mut err = csv_error(&self.path, reader, e);
                            if let ReadError::RowTooLarge { line, column, .. } = &mut err {
                                // The row began where the last one ended.
                                *line = *next_line;
                                *column = 1;
                            }
                            if out.is_empty() {
                                return Err(err);
                            }
                            self.pending = Some(err);
                            return Ok(out);
                        }
                    }
                }
            }
        }
        if out.is_empty() {
            self.done = true;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.path().join(name);
        let mut f = File::create(&p).unwrap();
        f.write_all(bytes).unwrap();
        p
    }

    fn counter() -> BytesRead {
        Arc::new(AtomicU64::new(0))
    }

    const HEAD: &str = "NIK;NAMA;TANGGAL_LAHIR;JENIS_KELAMIN;KODE_DESA;TPS\n";

    #[test]
    fn semicolons_latin1_and_quotes() {
        let dir = tempfile::tempdir().unwrap();
        let mut body = HEAD.as_bytes().to_vec();
        body.extend_from_slice(b"3320015708900003;\"Ren\xe9; S\";17-08-1990;P;3320012001;1\n\n");
        body.extend_from_slice(b"3320015708900004;Budi;17-08-1990;L;3320012001;1\n");
        let p = write(&dir, "a.csv", &body);
        let mut o = open(&p, &[], counter()).unwrap();
        let rows = o.next_batch(10).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, 2);
        assert_eq!(rows[1].0, 4, "blank line 3 skipped, numbering kept");
        assert_eq!(decode_field(&rows[0].1[1]), "René; S");
        assert!(o.next_batch(10).unwrap().is_empty());
    }

    #[test]
    fn empty_utf16_and_bad_header() {
        let dir = tempfile::tempdir().unwrap();
        let e = open(&write(&dir, "e.csv", b""), &[], counter()).unwrap_err();
        assert!(matches!(e, ReadError::Empty { .. }), "{e}");
        assert!(e.to_string().contains("e.csv"));
        let e = open(&write(&dir, "w.csv", b"  \n\n"), &[], counter()).unwrap_err();
        assert!(matches!(e, ReadError::Empty { .. }));
        let e = open(&write(&dir, "u.csv", b"\xff\xfeN\0I\0K\0"), &[], counter()).unwrap_err();
        assert!(matches!(e, ReadError::Utf16 { .. }));
        let e = open(&write(&dir, "h.csv", b"A,B,C\n1,2,3\n"), &[], counter()).unwrap_err();
        assert!(e.to_string().contains("h.csv, baris 1"), "{e}");
        let e = open(&dir.path().join("none.csv"), &[], counter()).unwrap_err();
        assert!(e.to_string().contains("berkas tidak ditemukan"));
    }

    #[test]
    fn unclosed_quote_stops_with_line() {
        let dir = tempfile::tempdir().unwrap();
        let mut body = HEAD.replace(';', ",").into_bytes();
        body.extend_from_slice(b"3320015708900003,Siti,17-08-1990,P,3320012001,1\n");
        body.extend_from_slice(b"3320015708900004,\"Budi,17-08-1990,L,3320012001,1\n");
        let filler = "x".repeat(1000) + "\n";
        for _ in 0..(MAX_ROW_BYTES as usize / 1000 + 100) {
            body.extend_from_slice(filler.as_bytes());
        }
        let p = write(&dir, "q.csv", &body);
        let mut o = open(&p, &[], counter()).unwrap();
        let mut rows = 0;
        let err = loop {
            match o.next_batch(1) {
                Ok(b) if b.is_empty() => panic!("should fail"),
                Ok(b) => rows += b.len(),
                Err(e) => break e,
            }
        };
        assert_eq!(rows, 1);
        let msg = err.to_string();
        assert!(msg.contains("q.csv, baris 3, kolom 1"), "{msg}");
    }
}
