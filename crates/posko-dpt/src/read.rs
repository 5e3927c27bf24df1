//! Readers: CSV (any of `,` `;` TAB `|`, UTF-8 or Windows-1252/Latin-1, quoted fields) and
//! XLSX/XLS/ODS (the first sheet). A CSV is cut into chunks of whole records by one thread
//! (`CsvChunks`) and each chunk is parsed on any thread (`Records`), so that reading uses every
//! core; `next_batch` gives the same rows one batch at a time, and a spreadsheet is read whole
//! (at most 1,048,576 rows). Only the header is decoded here. A file that cannot be read at
//! all is a `ReadError` naming the file (and line and column where there is one); a bad row is
//! the checks' business, not the reader's.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
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
        chunks: CsvChunks,
        /// Rows of the last chunk not yet handed out by `next_batch`.
        rows: std::vec::IntoIter<Row>,
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
        row_end,
        counter: Arc::new(AtomicU64::new(0)),
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
    let data_start = reader.position().byte();
    let data_line = reader.position().line();
    let headers: Vec<String> = header
        .iter()
        .map(|f| decode_field(f).trim().to_string())
        .collect();
    let map = ColumnMap::from_header(&headers, overrides).map_err(|source| ReadError::Header {
        path: path.to_path_buf(),
        line: 1,
        source,
    })?;
    drop(reader);
    let mut file = File::open(path).map_err(io_err)?;
    file.seek(SeekFrom::Start(data_start)).map_err(io_err)?;
    counter.fetch_add(data_start, Ordering::Relaxed);
    let chunks = CsvChunks {
        path: path.to_path_buf(),
        file,
        buf: Vec::new(),
        scan: 0,
        in_quote: false,
        boundary: 0,
        line: data_line,
        eof: false,
        failed: false,
        delimiter,
        counter,
        target: CHUNK_BYTES,
    };
    Ok(Opened {
        path: path.to_path_buf(),
        map,
        format: "csv",
        source: Source::Csv {
            chunks,
            rows: Vec::new().into_iter(),
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
    let range = posko_core::workbook::guarded(|| {
        let mut book = calamine::open_workbook_auto(path).map_err(|e| e.to_string())?;
        book.worksheet_range_at(0)
            .ok_or_else(|| "tidak ada lembar kerja (no worksheet)".to_string())?
            .map_err(|e| e.to_string())
    })
    .map_err(sheet_err)?;
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

/// Bytes of CSV handed to a checking thread at a time: about 30,000 rows of a KPU list.
pub const CHUNK_BYTES: usize = 4 << 20;

/// A piece of a CSV file that starts and ends at a record boundary, so that any thread can
/// parse it alone. `first_line` is the line of its first byte.
#[derive(Debug)]
pub struct Chunk {
    pub data: Vec<u8>,
    pub first_line: u64,
}

/// Cuts a CSV file (after its header) into chunks of whole records. It only looks for quotes
/// and line ends (`memchr`), following the quoting rules of csv-core exactly — a quote opens a
/// quoted field only at the start of a field, `""` inside one is a quote — so that a line end
/// inside a quoted field is never taken for the end of a record. The parsing itself (csv-core)
/// then runs on every core; a single thread only reads and cuts, at several GB/s.
pub struct CsvChunks {
    path: PathBuf,
    file: File,
    /// Bytes read and not yet handed out; `buf[0]` starts a record.
    buf: Vec<u8>,
    /// How far `buf` has been scanned for quotes.
    scan: usize,
    in_quote: bool,
    /// Just after the last record end found in `buf[..scan]`; 0 for none.
    boundary: usize,
    /// The line of `buf[0]`.
    line: u64,
    eof: bool,
    failed: bool,
    delimiter: u8,
    counter: BytesRead,
    target: usize,
}

impl std::fmt::Debug for CsvChunks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvChunks")
            .field("path", &self.path)
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

impl CsvChunks {
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// Sets how many bytes a chunk should hold (at least one record; tests use small ones).
    pub fn set_target(&mut self, bytes: usize) {
        self.target = bytes.max(1);
    }

    fn io_error(&self, source: io::Error) -> ReadError {
        ReadError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Scans `buf[scan..]`, keeping the quote state and the last record end outside quotes.
    fn scan(&mut self) {
        let buf = &self.buf;
        let end = buf.len();
        let mut i = self.scan;
        let term = |b: u8| b == b'\n' || b == b'\r';
        while i < end {
            if !self.in_quote {
                let q = memchr::memchr(b'"', &buf[i..end]).map_or(end, |p| i + p);
                if let Some(p) = memchr::memrchr2(b'\n', b'\r', &buf[i..q]) {
                    self.boundary = i + p + 1;
                }
                if q == end {
                    i = end;
                    break;
                }
                // csv-core opens a quoted field only at the start of a field.
                if q == 0 || buf[q - 1] == self.delimiter || term(buf[q - 1]) {
                    self.in_quote = true;
                }
                i = q + 1;
            } else {
                let Some(p) = memchr::memchr(b'"', &buf[i..end]) else {
                    i = end;
                    break;
                };
                let q = i + p;
                if q + 1 == end && !self.eof {
                    // `""` or the closing quote: the next byte tells, and it is not read yet.
                    i = q;
                    break;
                }
                if buf.get(q + 1) == Some(&b'"') {
                    i = q + 2;
                } else {
                    self.in_quote = false;
                    i = q + 1;
                }
            }
        }
        self.scan = i.min(end);
    }

    /// Reads until `buf` holds `target` more bytes than were scanned (and at least one byte
    /// more than it holds now when `more`), or the file ends.
    fn fill(&mut self, more: bool) -> Result<(), ReadError> {
        let mut want = self.scan + self.target;
        if more {
            want = want.max(self.buf.len() + self.target);
        }
        while self.buf.len() < want && !self.eof {
            let old = self.buf.len();
            let ask = (want.max(old + 64 * 1024) - old) as u64;
            self.buf.reserve(ask as usize);
            // `read_to_end` on a `Take` reads into the spare capacity without zeroing it
            // first (zeroing was 3 % of a basic run); it retries on `Interrupted` itself.
            match (&mut self.file).take(ask).read_to_end(&mut self.buf) {
                Ok(n) => {
                    self.counter.fetch_add(n as u64, Ordering::Relaxed);
                    // It stops short of `ask` only at the end of the file.
                    self.eof = (n as u64) < ask;
                }
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(self.io_error(e));
                }
            }
        }
        Ok(())
    }

    /// The next chunk of whole records, `None` at the end. After an error, nothing more.
    pub fn next_chunk(&mut self) -> Result<Option<Chunk>, ReadError> {
        if self.failed {
            return Ok(None);
        }
        let mut more = false;
        loop {
            if let Err(e) = self.fill(more) {
                self.failed = true;
                return Err(e);
            }
            // Whatever is not cut below needs more bytes before it can be.
            more = true;
            self.scan();
            let pending = self.buf.len() - self.boundary;
            if pending as u64 > MAX_ROW_BYTES && self.boundary == 0 {
                self.failed = true;
                return Err(ReadError::RowTooLarge {
                    path: self.path.clone(),
                    line: self.line,
                    column: 1,
                });
            }
            if self.eof && self.scan >= self.buf.len() && pending as u64 <= MAX_ROW_BYTES {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                // The rest of the file, even inside an unclosed quote: csv-core reads it as
                // it would have, and the row checks report the broken row.
                let data = std::mem::take(&mut self.buf);
                self.scan = 0;
                self.boundary = 0;
                return Ok(Some(Chunk {
                    data,
                    first_line: self.line,
                }));
            }
            if self.boundary > 0 {
                let rest = self.buf[self.boundary..].to_vec();
                let mut data = std::mem::replace(&mut self.buf, rest);
                data.truncate(self.boundary);
                self.scan -= self.boundary;
                self.boundary = 0;
                let chunk = Chunk {
                    data,
                    first_line: self.line,
                };
                // SIMD count: the byte-by-byte loop was 7 % of a basic run's CPU.
                self.line += bytecount::count(&chunk.data, b'\n') as u64;
                return Ok(Some(chunk));
            }
        }
    }
}

/// A parsed chunk as text (see `Records::text`).
#[derive(Debug, Clone, Copy)]
pub struct ChunkText<'a> {
    input: &'a str,
    out: &'a str,
}

/// The records of one chunk: where each field is and each record's line. A record with no
/// quote in it (nearly all of a KPU list) is split at its delimiters where it lies, by
/// `memchr`, with no copy; a record with a quote goes to csv-core, which unescapes its fields
/// into a second buffer. Both give the same fields as csv-core on the whole record (tested
/// below on random input). Reused from chunk to chunk, so that parsing allocates nothing per
/// row.
#[derive(Debug, Default)]
pub struct Records {
    input: Vec<u8>,
    out: Vec<u8>,
    /// (start, end, in `out` rather than `input`) of every field.
    spans: Vec<(u32, u32, bool)>,
    /// (line, first span, number of fields) of every record.
    recs: Vec<(u64, usize, usize)>,
    ends: Vec<usize>,
}

impl Records {
    /// Parses `chunk` with `delimiter`. A record that is one blank field is no row.
    pub fn parse(&mut self, chunk: Chunk, delimiter: u8) {
        self.input = chunk.data;
        self.recs.clear();
        self.spans.clear();
        self.out.clear();
        if self.ends.len() < 1024 {
            self.ends.resize(1024, 0);
        }
        let input = std::mem::take(&mut self.input);
        self.parse_input(&input, chunk.first_line, delimiter);
        self.input = input;
    }

    fn parse_input(&mut self, input: &[u8], first_line: u64, delimiter: u8) {
        // Primed so that a chunk starting with the bytes of a BOM keeps them, as a record in
        // the middle of a file does.
        let mut rdr = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
        let _ = rdr.read_record(b"\n", &mut [0u8; 1], &mut [0usize; 1]);
        let mut line = first_line;
        let mut pos = 0;
        loop {
            // Blank lines are no records.
            while pos < input.len() && (input[pos] == b'\n' || input[pos] == b'\r') {
                line += u64::from(input[pos] == b'\n');
                pos += 1;
            }
            if pos >= input.len() {
                break;
            }
            let first = self.spans.len();
            let stop = memchr::memchr3(b'\n', b'\r', b'"', &input[pos..]).map(|p| pos + p);
            if stop.is_none_or(|q| input[q] != b'"') {
                // No quote before the end of the record: split it where it lies.
                let end = stop.unwrap_or(input.len());
                let mut from = pos;
                for d in memchr::memchr_iter(delimiter, &input[pos..end]) {
                    self.spans.push((from as u32, (pos + d) as u32, false));
                    from = pos + d + 1;
                }
                self.spans.push((from as u32, end as u32, false));
                self.push_record(input, line, first);
                pos = end;
                if pos < input.len() {
                    // The terminator: \n, \r\n or a lone \r.
                    if input[pos] == b'\r' && input.get(pos + 1) == Some(&b'\n') {
                        pos += 1;
                    }
                    line += u64::from(input[pos] == b'\n');
                    pos += 1;
                }
                continue;
            }
            // A quote: csv-core reads this record.
            let lines_before = rdr.line();
            let rec_out = self.out.len();
            let rec_e = 0;
            let mut eidx = rec_e;
            let mut grow = 256;
            loop {
                if eidx == self.ends.len() {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                let o = self.out.len();
                self.out.resize(o + grow, 0);
                let (res, nin, nout, nend) =
                    rdr.read_record(&input[pos..], &mut self.out[o..], &mut self.ends[eidx..]);
                self.out.truncate(o + nout);
                pos += nin;
                eidx += nend;
                match res {
                    csv_core::ReadRecordResult::OutputFull => grow *= 2,
                    csv_core::ReadRecordResult::InputEmpty
                    | csv_core::ReadRecordResult::OutputEndsFull => {}
                    csv_core::ReadRecordResult::Record => break,
                    csv_core::ReadRecordResult::End => break,
                }
            }
            let mut from = rec_out;
            for e in &self.ends[rec_e..eidx] {
                let to = rec_out + e;
                self.spans.push((from as u32, to as u32, true));
                from = to;
            }
            if self.spans.len() > first {
                self.push_record(input, line, first);
            }
            line += rdr.line() - lines_before;
        }
    }

    /// Keeps the record whose fields start at span `first`, unless it is one blank field.
    fn push_record(&mut self, input: &[u8], line: u64, first: usize) {
        let n = self.spans.len() - first;
        let (a, b, out) = self.spans[first];
        let src = if out { &self.out[..] } else { input };
        if n == 1
            && src[a as usize..b as usize]
                .iter()
                .all(u8::is_ascii_whitespace)
        {
            self.spans.truncate(first);
            return;
        }
        self.recs.push((line, first, n));
    }

    fn field(&self, span: usize) -> &[u8] {
        let (a, b, out) = self.spans[span];
        let src = if out { &self.out } else { &self.input };
        &src[a as usize..b as usize]
    }

    pub fn len(&self) -> usize {
        self.recs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.recs.is_empty()
    }

    /// The line of record `i` (the header is line 1).
    pub fn line(&self, i: usize) -> u64 {
        self.recs[i].0
    }

    /// The chunk's bytes and its unescaped quoted fields as text, when both are UTF-8 (one
    /// SIMD pass per chunk); `None` for a chunk with other bytes (Latin-1), whose fields are
    /// then decoded one by one.
    pub fn text(&self) -> Option<ChunkText<'_>> {
        Some(ChunkText {
            input: simdutf8::basic::from_utf8(&self.input).ok()?,
            out: simdutf8::basic::from_utf8(&self.out).ok()?,
        })
    }

    /// Puts the fields of record `i` into `out` (cleared first) as text cut from `text`;
    /// false if a field does not start and end on a character boundary (which cannot happen
    /// when fields are cut at ASCII delimiters, but then the caller reads bytes instead).
    pub fn texts_into<'r>(&self, i: usize, text: ChunkText<'r>, out: &mut Vec<&'r str>) -> bool {
        out.clear();
        let (_, first, n) = self.recs[i];
        for &(a, b, in_out) in &self.spans[first..first + n] {
            let src = if in_out { text.out } else { text.input };
            match src.get(a as usize..b as usize) {
                Some(f) => out.push(f),
                None => return false,
            }
        }
        true
    }

    /// Puts the fields of record `i` into `out` (cleared first).
    pub fn fields_into<'r>(&'r self, i: usize, out: &mut Vec<&'r [u8]>) {
        out.clear();
        let (_, first, n) = self.recs[i];
        for &(a, b, in_out) in &self.spans[first..first + n] {
            let src = if in_out {
                &self.out[..]
            } else {
                &self.input[..]
            };
            out.push(&src[a as usize..b as usize]);
        }
    }

    /// The fields of record `i`.
    pub fn fields(&self, i: usize) -> impl Iterator<Item = &[u8]> + '_ {
        let (_, first, n) = self.recs[i];
        (first..first + n).map(move |k| self.field(k))
    }
}

impl Opened {
    /// The CSV chunk reader, for reading on several threads; `None` for spreadsheets.
    pub fn into_chunks(self) -> Result<CsvChunks, Box<Opened>> {
        let Opened {
            path,
            map,
            format,
            source,
            done,
            pending,
        } = self;
        match source {
            Source::Csv { chunks, rows } if rows.len() == 0 && !done && pending.is_none() => {
                Ok(chunks)
            }
            source => Err(Box::new(Opened {
                path,
                map,
                format,
                source,
                done,
                pending,
            })),
        }
    }
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
            Source::Csv { chunks, rows } => {
                let mut records = Records::default();
                while out.len() < n {
                    if let Some(row) = rows.next() {
                        out.push(row);
                        continue;
                    }
                    match chunks.next_chunk() {
                        Ok(Some(chunk)) => {
                            records.parse(chunk, chunks.delimiter());
                            let parsed: Vec<Row> = (0..records.len())
                                .map(|i| {
                                    let mut rec = ByteRecord::new();
                                    for f in records.fields(i) {
                                        rec.push_field(f);
                                    }
                                    (records.line(i), rec)
                                })
                                .collect();
                            *rows = parsed.into_iter();
                        }
                        Ok(None) => break,
                        Err(err) => {
                            self.done = true;
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

    /// Every record of `body` (after a header) with its line, read in chunks of about
    /// `target` bytes.
    fn chunked(body: &[u8], target: usize) -> Vec<(u64, Vec<Vec<u8>>)> {
        let dir = tempfile::tempdir().unwrap();
        let mut all = b"NIK,NAMA,TANGGAL_LAHIR,JENIS_KELAMIN,KODE_DESA,TPS\n".to_vec();
        all.extend_from_slice(body);
        let p = write(&dir, "c.csv", &all);
        let o = open(&p, &[], counter()).unwrap_or_else(|e| panic!("{e}"));
        let mut chunks = o.into_chunks().unwrap();
        chunks.set_target(target);
        let mut records = Records::default();
        let mut out = Vec::new();
        while let Some(c) = chunks.next_chunk().unwrap() {
            records.parse(c, chunks.delimiter());
            let text = records.text();
            assert_eq!(
                text.is_some(),
                std::str::from_utf8(&all).is_ok(),
                "a UTF-8 file gives text chunks, another gives bytes"
            );
            let mut texts = Vec::new();
            for i in 0..records.len() {
                let fields: Vec<Vec<u8>> = records.fields(i).map(<[u8]>::to_vec).collect();
                if let Some(t) = text {
                    // The text path cuts the same fields as the byte path.
                    assert!(records.texts_into(i, t, &mut texts));
                    let as_bytes: Vec<Vec<u8>> =
                        texts.iter().map(|f| f.as_bytes().to_vec()).collect();
                    assert_eq!(as_bytes, fields);
                }
                out.push((records.line(i), fields));
            }
        }
        out
    }

    #[test]
    fn chunks_keep_quoted_line_ends_and_line_numbers() {
        let body = b"\"x\ny\",1,2\n\n3,4,5\r\n6,\"7\"\"\n8\",9\n10,a\"b,c\n\"q\"z,11,12";
        for target in [1, 2, 3, 5, 8, 13, 64, 1 << 20] {
            let got = chunked(body, target);
            let lines: Vec<u64> = got.iter().map(|r| r.0).collect();
            assert_eq!(lines, [2, 5, 6, 8, 9], "target {target}");
            assert_eq!(got[0].1[0], b"x\ny");
            assert_eq!(got[2].1[1], b"7\"\n8");
            assert_eq!(
                got[3].1[1], b"a\"b",
                "a quote inside a field is a character"
            );
            assert_eq!(got[4].1, [b"qz".to_vec(), b"11".to_vec(), b"12".to_vec()]);
        }
    }

    proptest::proptest! {
        /// Cut anywhere, the chunks give exactly the records the csv crate reads from the whole
        /// file (blank one-field records aside, which are no rows).
        #[test]
        fn chunks_agree_with_csv(body in "[a\",\n\r é]{0,120}", target in 1usize..40) {
            let mut all = b"NIK,NAMA,TANGGAL_LAHIR,JENIS_KELAMIN,KODE_DESA,TPS\n".to_vec();
            all.extend_from_slice(body.as_bytes());
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(&all[..]);
            let want: Vec<Vec<Vec<u8>>> = r
                .byte_records()
                .skip(1)
                .map(|rec| rec.unwrap().iter().map(<[u8]>::to_vec).collect::<Vec<_>>())
                .filter(|f: &Vec<Vec<u8>>| !(f.len() == 1 && f[0].iter().all(u8::is_ascii_whitespace)))
                .collect();
            let got: Vec<Vec<Vec<u8>>> = chunked(body.as_bytes(), target).into_iter().map(|r| r.1).collect();
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn latin1_chunks_are_read_as_bytes() {
        // "René" in Latin-1: no text path for the chunk, the fields come as bytes.
        let got = chunked(
            b"1,Ren\xe9,\"a\"\"b\",P,3320012001,1\n2,Ani,x,P,3320012001,1\n",
            1 << 20,
        );
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].1[1], b"Ren\xe9");
        assert_eq!(got[0].1[2], b"a\"b");
        assert_eq!(decode_field(&got[0].1[1]), "René");
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
