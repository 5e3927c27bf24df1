//! True line numbers for the rows a streaming CSV reader gives. The `csv` crate's
//! `Position::line` is the line where it *began* reading a record: in a file with CRLF line ends
//! (every Excel export) that is the line before the record, and blank lines it skipped shift it
//! too — so an error would name the wrong line. [`Counted`] wraps the byte source, notes where
//! every `\n` passes, and [`LineLog::line_ending_at`] turns the reader's byte position after a
//! record into the line the record ends on (its line, for a record on one line).

use std::collections::VecDeque;
use std::io::Read;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Debug, Default)]
struct Log {
    /// Offsets of the `\n`s not yet passed by a query.
    ahead: VecDeque<u64>,
    /// How many `\n`s were passed.
    behind: u64,
    /// Bytes read so far.
    read: u64,
}

/// The line ends seen by a [`Counted`] reader; cheap to clone (shared).
#[derive(Debug, Clone, Default)]
pub struct LineLog(Arc<Mutex<Log>>);

/// A byte source whose line ends are noted in a [`LineLog`].
#[derive(Debug)]
pub struct Counted<R> {
    inner: R,
    log: LineLog,
}

impl<R> Counted<R> {
    pub fn new(inner: R) -> (Counted<R>, LineLog) {
        let log = LineLog::default();
        (
            Counted {
                inner,
                log: log.clone(),
            },
            log,
        )
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut log = self.log.0.lock().unwrap_or_else(PoisonError::into_inner);
        let start = log.read;
        for (i, _) in buf[..n].iter().enumerate().filter(|(_, b)| **b == b'\n') {
            log.ahead.push_back(start + i as u64);
        }
        log.read += n as u64;
        Ok(n)
    }
}

impl LineLog {
    /// The 1-based line of a record that ends just before byte `end` (the reader's position
    /// after reading it, which is past its `\n` with LF ends and past its `\r` with CRLF ends).
    /// Queries must come in the order of reading (`end` never decreasing).
    pub fn line_ending_at(&self, end: u64) -> u64 {
        let mut log = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        // The record's own line end (at end - 1, if any) does not count.
        let limit = end.saturating_sub(1);
        while log.ahead.front().is_some_and(|&o| o < limit) {
            log.ahead.pop_front();
            log.behind += 1;
        }
        log.behind + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `data` with the csv crate in small pieces; (line, first cell) per record.
    fn lines(data: &[u8]) -> Vec<(u64, String)> {
        let (counted, log) = Counted::new(std::io::BufReader::with_capacity(3, data));
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(4)
            .from_reader(counted);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while r.read_byte_record(&mut rec).unwrap() {
            let line = log.line_ending_at(r.position().byte());
            out.push((line, String::from_utf8_lossy(&rec[0]).into_owned()));
        }
        out
    }

    fn want(v: &[(u64, &str)]) -> Vec<(u64, String)> {
        v.iter().map(|(l, s)| (*l, s.to_string())).collect()
    }

    #[test]
    fn crlf_lf_blank_lines_and_a_missing_last_line_end() {
        let expected = want(&[(1, "h"), (2, "a"), (4, "b"), (5, "c")]);
        assert_eq!(lines(b"h,1\r\na,2\r\n\r\nb,3\r\nc,4\r\n"), expected);
        assert_eq!(lines(b"h,1\na,2\n\nb,3\nc,4"), expected);
        assert_eq!(lines(b"h,1\na,2\r\n\nb,3\r\nc,4\n\n"), expected);
        assert_eq!(
            lines(b"\n\nh,1\n"),
            want(&[(3, "h")]),
            "leading blank lines"
        );
    }

    proptest::proptest! {
        #[test]
        fn every_record_gets_the_line_it_is_on(
            rows in proptest::collection::vec((0usize..3, proptest::bool::ANY), 1..40),
        ) {
            // Row i is "r{i},x", preceded by `blank` empty lines, ended by CRLF or LF.
            let mut data = Vec::new();
            let mut expected = Vec::new();
            let mut line = 0u64;
            for (i, (blank, crlf)) in rows.iter().enumerate() {
                let end: &[u8] = if *crlf { b"\r\n" } else { b"\n" };
                for _ in 0..*blank {
                    data.extend_from_slice(end);
                    line += 1;
                }
                line += 1;
                data.extend_from_slice(format!("r{i},x").as_bytes());
                data.extend_from_slice(end);
                expected.push((line, format!("r{i}")));
            }
            proptest::prop_assert_eq!(lines(&data), expected);
        }
    }
}
