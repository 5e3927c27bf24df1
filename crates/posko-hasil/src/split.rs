//! The fast path for plain CSV: a chunk without quotes (and without a lone carriage return) is cut
//! into lines and fields with `memchr`, the fields left in place as byte ranges of the line, so
//! nothing is copied. It reads what the `csv` crate reads from such a chunk — the same fields,
//! empty lines skipped, each with its true line number — which a property test checks; any chunk
//! it cannot take goes to the `csv` crate instead.

use csv::ByteRecord;
use memchr::{memchr, memchr_iter};

/// One row's cells, however it was read.
pub trait Row {
    /// Cell `i`, or empty when the row is shorter.
    fn cell(&self, i: usize) -> &[u8];
    /// Every cell blank (whitespace only): a blank line is no row.
    fn is_blank(&self) -> bool;
}

impl Row for ByteRecord {
    fn cell(&self, i: usize) -> &[u8] {
        self.get(i).unwrap_or(b"")
    }
    fn is_blank(&self) -> bool {
        self.iter().all(|f| f.iter().all(u8::is_ascii_whitespace))
    }
}

/// A line of a plain chunk with the byte ranges of its cells.
#[derive(Debug, Default)]
pub struct SplitRow<'a> {
    line: &'a [u8],
    bounds: Vec<(u32, u32)>,
}

impl<'a> SplitRow<'a> {
    fn set(&mut self, line: &'a [u8], delimiter: u8) {
        self.line = line;
        self.bounds.clear();
        let mut start = 0usize;
        for d in memchr_iter(delimiter, line) {
            self.bounds.push((start as u32, d as u32));
            start = d + 1;
        }
        self.bounds.push((start as u32, line.len() as u32));
    }
}

impl Row for SplitRow<'_> {
    fn cell(&self, i: usize) -> &[u8] {
        match self.bounds.get(i) {
            Some(&(s, e)) => &self.line[s as usize..e as usize],
            None => b"",
        }
    }
    fn is_blank(&self) -> bool {
        self.bounds.iter().all(|&(s, e)| {
            self.line[s as usize..e as usize]
                .iter()
                .all(u8::is_ascii_whitespace)
        })
    }
}

/// Whether `chunk` can be read by [`Lines`]: no quote (a quoted field may hold a delimiter or a
/// line end) and no carriage return that does not end a line (the `csv` crate ends a record there).
pub fn is_plain(chunk: &[u8]) -> bool {
    memchr(b'"', chunk).is_none()
        && memchr_iter(b'\r', chunk).all(|i| chunk.get(i + 1) == Some(&b'\n'))
}

/// The rows of a plain chunk, each with its 1-based line within the chunk.
pub struct Lines<'a> {
    data: &'a [u8],
    pos: usize,
    line: u64,
    delimiter: u8,
}

impl<'a> Lines<'a> {
    /// `data` must be plain ([`is_plain`]).
    pub fn new(data: &'a [u8], delimiter: u8) -> Lines<'a> {
        Lines {
            data,
            pos: 0,
            line: 0,
            delimiter,
        }
    }

    /// Fills `row` with the next non-empty line and gives its line number; `None` at the end.
    pub fn next_into(&mut self, row: &mut SplitRow<'a>) -> Option<u64> {
        while self.pos < self.data.len() {
            let rest = &self.data[self.pos..];
            let (mut line, used) = match memchr(b'\n', rest) {
                Some(n) => (&rest[..n], n + 1),
                None => (rest, rest.len()),
            };
            self.pos += used;
            self.line += 1;
            if let Some(l) = line.strip_suffix(b"\r") {
                line = l;
            }
            if line.is_empty() {
                continue;
            }
            row.set(line, self.delimiter);
            return Some(self.line);
        }
        None
    }
}

/// The rows of any CSV chunk through the `csv` crate, each with its 1-based line within the chunk.
/// The line is counted from the record's byte offset: the crate's own line count leaves out
/// blank lines, which named the wrong line in findings.
pub fn csv_rows(chunk: &[u8], delimiter: u8) -> impl FnMut(&mut ByteRecord) -> Option<u64> + '_ {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(chunk);
    let (mut counted_to, mut line) = (0usize, 1u64);
    // Reading byte records from memory fails only on an I/O error, which a slice cannot give.
    move |rec| match reader.read_byte_record(rec) {
        Ok(true) => {
            let at = rec
                .position()
                .map_or(counted_to, |p| {
                    usize::try_from(p.byte()).unwrap_or(counted_to)
                })
                .clamp(counted_to, chunk.len());
            // The offset is where reading began, before the blank lines the crate skipped.
            let at = at
                + chunk[at..]
                    .iter()
                    .take_while(|b| matches!(b, b'\r' | b'\n'))
                    .count();
            line += memchr_iter(b'\n', &chunk[counted_to..at]).count() as u64;
            counted_to = at;
            Some(line)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The rows as a person counts them: lines split at `\n`, a trailing `\r` dropped, empty
    /// lines skipped, cells split at the delimiter.
    fn by_hand(data: &[u8], delimiter: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut out = Vec::new();
        for (i, line) in data.split(|b| *b == b'\n').enumerate() {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if !line.is_empty() {
                let cells = line
                    .split(|b| *b == delimiter)
                    .map(<[u8]>::to_vec)
                    .collect();
                out.push((i as u64 + 1, cells));
            }
        }
        out
    }

    fn by_csv(data: &[u8], delimiter: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut next = csv_rows(data, delimiter);
        let mut rec = ByteRecord::new();
        let mut out = Vec::new();
        while let Some(line) = next(&mut rec) {
            out.push((line, rec.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    fn by_split(data: &[u8], delimiter: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut lines = Lines::new(data, delimiter);
        let mut row = SplitRow::default();
        let mut out = Vec::new();
        while let Some(line) = lines.next_into(&mut row) {
            let cells = (0..row.bounds.len())
                .map(|i| row.cell(i).to_vec())
                .collect();
            out.push((line, cells));
        }
        out
    }

    #[test]
    fn reads_crlf_blank_lines_and_short_rows_as_csv_does() {
        let data = b"a,b,c\r\n\r\n1,,3\n\n x ,y\nlast";
        assert!(is_plain(data));
        assert_eq!(by_split(data, b','), by_hand(data, b','));
        assert_eq!(by_csv(data, b','), by_hand(data, b','));
        let lines: Vec<u64> = by_split(data, b',').iter().map(|r| r.0).collect();
        assert_eq!(lines, [1, 3, 5, 6]);
    }

    #[test]
    fn quotes_and_lone_carriage_returns_are_not_plain() {
        assert!(!is_plain(b"a,\"b,c\"\n"));
        assert!(!is_plain(b"a,b\rc\n"));
        assert!(!is_plain(b"a,b\r"));
        assert!(is_plain(b"a,b\r\nc\n"));
    }

    proptest! {
        #[test]
        fn plain_chunks_read_the_same_by_the_splitter_and_by_csv(
            pieces in proptest::collection::vec(
                prop_oneof![
                    Just(&b"a"[..]), Just(&b"12"[..]), Just(&b" "[..]), Just(&b","[..]),
                    Just(&b";"[..]), Just(&b"\n"[..]), Just(&b"\r\n"[..]), Just(&b"\t"[..]),
                    Just(&b"\xe9"[..]),
                ],
                0..80,
            ),
            delimiter in prop_oneof![Just(b','), Just(b';'), Just(b'\t')],
        ) {
            let data: Vec<u8> = pieces.concat();
            prop_assert!(is_plain(&data));
            let expected = by_hand(&data, delimiter);
            prop_assert_eq!(by_split(&data, delimiter), expected.clone());
            prop_assert_eq!(by_csv(&data, delimiter), expected);
        }
    }
}
