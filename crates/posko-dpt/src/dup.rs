//! The two stages that need state across rows, each run on one partition at a time so that
//! memory is bounded by the largest partition, not by the list:
//! - exact duplicate NIK: rows are spilled to partitions by a hash of the NIK, each partition is
//!   sorted by NIK and equal runs are duplicates, within and across files;
//! - probable duplicates: rows are spilled to partitions by regency (so that nearby villages
//!   meet), then compared within blocks — the same normalised name and birth year, the same
//!   name and birth day-and-month, the same birth date —
//!   so that a person with one slip in the name or the date still meets their other row.
//!   Names are interned per regency, blocking keys are exact integers sorted (not a hash map
//!   of strings), the blocks of a partition are compared on every core, and most pairs are
//!   ruled out by bounds on the interned names' letter counts before any string metric runs.
//!   Pairs above the threshold are grouped into clusters (union-find).
//!
//! Memory (see BENCHMARKS.md for what was measured): a partition is held as fixed rows of
//! about 80 bytes plus its spill buffer (the names point into it); partitions are chosen from
//! the input size (64–256), so that at national scale (204.8 M rows) one holds a few million
//! rows, well under 2 GB, and two are in memory at once on two cores.

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;

use crate::check::Voter;
use crate::date::Ymd;
use crate::finding::{Code, Finding};
use crate::name::{fnv, sorted_tokens};
use crate::nik::Sex;
use crate::score::{reason_text, score, Person};

/// One row of the exact-duplicate stage, as `Voter::encode_nik` wrote it; the name stays in
/// the spill buffer until a finding needs it.
#[derive(Debug, Clone, Copy)]
struct NikRow {
    nik: u64,
    file: u16,
    line: u64,
    village: u64,
    tps: u16,
    name: (usize, usize),
}

fn take<'b>(buf: &'b [u8], pos: &mut usize, n: usize) -> Option<&'b [u8]> {
    let s = buf.get(*pos..*pos + n)?;
    *pos += n;
    Some(s)
}

fn arr<const N: usize>(buf: &[u8], pos: &mut usize) -> Option<[u8; N]> {
    take(buf, pos, N)?.try_into().ok()
}

fn decode_nik_rows(buf: &[u8]) -> Vec<NikRow> {
    let mut out = Vec::with_capacity(buf.len() / 48);
    let mut pos = 0;
    let mut next = || -> Option<NikRow> {
        let nik = u64::from_le_bytes(arr(buf, &mut pos)?);
        let file = u16::from_le_bytes(arr(buf, &mut pos)?);
        let line = u64::from_le_bytes(arr(buf, &mut pos)?);
        let village = u64::from_le_bytes(arr(buf, &mut pos)?);
        let tps = u16::from_le_bytes(arr(buf, &mut pos)?);
        let n = u16::from_le_bytes(arr(buf, &mut pos)?) as usize;
        let start = pos;
        take(buf, &mut pos, n)?;
        Some(NikRow {
            nik,
            file,
            line,
            village,
            tps,
            name: (start, start + n),
        })
    };
    while let Some(r) = next() {
        out.push(r);
    }
    out
}

/// Exact duplicates in one NIK partition (records written by `Voter::encode_nik`): every row
/// whose NIK appears more than once gets a finding naming another row with the same NIK (the
/// first names the second, the others the first). The NIK is a `u64`, so the stage is a sort
/// of small fixed records and one pass; names are decoded only for the findings.
pub fn exact_duplicates(buf: &[u8], files: &[String]) -> Vec<Finding> {
    let mut rows = decode_nik_rows(buf);
    // Nearly every NIK is listed once: the repeated ones are found on a sort of the bare
    // numbers, and only their rows are sorted in full (sorting every row was 5 % of a run).
    let mut niks: Vec<u64> = rows.iter().map(|r| r.nik).filter(|n| *n != 0).collect();
    niks.sort_unstable();
    let mut repeated: Vec<u64> = niks
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    repeated.dedup();
    drop(niks);
    rows.retain(|v| v.nik != 0 && repeated.binary_search(&v.nik).is_ok());
    // One 128-bit key: the NIK, then the file and line (lines fit in 48 bits).
    rows.sort_unstable_by_key(|v| {
        (u128::from(v.nik) << 64) | (u128::from(v.file) << 48) | u128::from(v.line)
    });
    let mut out = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let mut j = i + 1;
        while j < rows.len() && rows[j].nik == rows[i].nik {
            j += 1;
        }
        if j - i > 1 {
            for k in i..j {
                let other = if k == i { &rows[i + 1] } else { &rows[i] };
                let where_ = files
                    .get(other.file as usize)
                    .map(String::as_str)
                    .unwrap_or("?");
                let me = &rows[k];
                out.push(Finding {
                    code: Code::NikGanda,
                    file: me.file,
                    line: me.line,
                    column: Some("NIK".into()),
                    village: me.village,
                    tps: me.tps,
                    nik: format!("{:016}", me.nik),
                    name: String::from_utf8_lossy(&buf[me.name.0..me.name.1]).into_owned(),
                    detail: format!(
                        "NIK yang sama ada {} kali; mis. di {where_} baris {}",
                        j - i,
                        other.line
                    ),
                    score: None,
                    other: Some((other.file, other.line)),
                    cluster: None,
                });
            }
        }
        i = j;
    }
    out
}

/// Blocks larger than this are compared only within a sliding window, so that a very common
/// name cannot make the stage quadratic.
const MAX_BLOCK: usize = 400;
const WINDOW: usize = 60;

/// Letters A–Z and the space, for letter counts.
const SYMBOLS: usize = 27;

/// A distinct normalised name of a partition, with what the comparisons need of it.
#[derive(Debug, Clone)]
struct NameInfo {
    /// The name: a range of the partition's buffer (upper-case ASCII and spaces).
    text: (u32, u32),
    letters: u32,
    words: u32,
    /// An order-free hash of the words: equal for names whose sorted words are equal.
    words_hash: u64,
    /// How often each letter (and the space) occurs.
    counts: [u16; SYMBOLS],
}

impl NameInfo {
    fn new(text: (u32, u32), name: &[u8]) -> NameInfo {
        let mut counts = [0u16; SYMBOLS];
        for &b in name {
            let k = if b.is_ascii_uppercase() {
                (b - b'A') as usize
            } else {
                SYMBOLS - 1
            };
            counts[k] = counts[k].saturating_add(1);
        }
        let words = name.split(|b| *b == b' ').filter(|w| !w.is_empty());
        NameInfo {
            text,
            letters: name
                .iter()
                .filter(|b| b.is_ascii_uppercase())
                .fold(0, |m, b| m | 1 << (b - b'A')),
            words: name.iter().filter(|b| **b == b' ').count() as u32,
            words_hash: words.fold(0u64, |h, w| h.wrapping_add(fnv(w))),
            counts,
        }
    }

    fn len(&self) -> u32 {
        self.text.1 - self.text.0
    }
}

/// One row of a probable-duplicate partition. Names are interned: `norm` and `place` are
/// ids into the partition's tables, so that blocking keys are exact integers and comparing
/// two names starts with comparing two numbers.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub file: u16,
    pub line: u64,
    pub nik: u64,
    pub nkk: u64,
    pub village: u64,
    pub tps: u16,
    pub born: Option<Ymd>,
    pub sex: Option<Sex>,
    /// The name as written: a range of the partition's buffer.
    name: (u32, u32),
    norm: u32,
    /// Birthplace id; 0 is empty.
    place: u32,
    /// How many rows of the partition in the same regency carry this normalised name.
    name_count: u32,
}

impl Row {
    /// The regency the row is compared within (see `Voter::regency`).
    pub fn regency(&self) -> u32 {
        Row::regency_of(self.village, self.nik)
    }

    fn regency_of(village: u64, nik: u64) -> u32 {
        if village != 0 {
            (village / 1_000_000) as u32
        } else {
            (nik / 1_000_000_000_000) as u32
        }
    }
}

/// The rows of one regency partition, in input order (file, line), with interned names.
#[derive(Debug, Default)]
pub struct Partition {
    pub rows: Vec<Row>,
    /// The spill records the rows were read from; names point into it.
    buf: Vec<u8>,
    names: Vec<NameInfo>,
    places: Vec<String>,
}

impl Partition {
    /// Reads the records `Voter::encode` wrote and puts them in input order: the spill is
    /// written by several threads at once, and the results must not depend on which was first.
    pub fn decode(buf: Vec<u8>) -> Partition {
        let mut rows = Vec::with_capacity(buf.len() / 80);
        let mut names: Vec<NameInfo> = Vec::new();
        // Rows per interned name, for `Row::name_count`.
        let mut name_rows: Vec<u32> = Vec::new();
        let mut places = vec![String::new()];
        {
            // A name is interned per regency (a partition may hold several): rows are only
            // compared within their regency, and its count is then the regency's count.
            let mut name_ids: HashMap<(u32, &[u8]), u32> =
                HashMap::with_capacity(rows.capacity() / 2);
            let mut place_ids: HashMap<&[u8], u32> = HashMap::with_capacity(4096);
            let b = &buf[..];
            let mut pos = 0;
            let mut next = || -> Option<Row> {
                let file = u16::from_le_bytes(arr(b, &mut pos)?);
                let line = u64::from_le_bytes(arr(b, &mut pos)?);
                let nik = u64::from_le_bytes(arr(b, &mut pos)?);
                let nkk = u64::from_le_bytes(arr(b, &mut pos)?);
                let village = u64::from_le_bytes(arr(b, &mut pos)?);
                let tps = u16::from_le_bytes(arr(b, &mut pos)?);
                let days = i32::from_le_bytes(arr(b, &mut pos)?);
                let sex = match take(b, &mut pos, 1)?[0] {
                    1 => Some(Sex::Male),
                    2 => Some(Sex::Female),
                    _ => None,
                };
                let mut field = || -> Option<(u32, u32)> {
                    let n = u16::from_le_bytes(arr(b, &mut pos)?) as usize;
                    let start = pos;
                    take(b, &mut pos, n)?;
                    Some((start as u32, (start + n) as u32))
                };
                let (name, norm, place) = (field()?, field()?, field()?);
                let slice = |r: (u32, u32)| &b[r.0 as usize..r.1 as usize];
                let regency = Row::regency_of(village, nik);
                let next_id = names.len() as u32;
                let norm = *name_ids.entry((regency, slice(norm))).or_insert_with(|| {
                    names.push(NameInfo::new(norm, slice(norm)));
                    name_rows.push(0);
                    next_id
                });
                name_rows[norm as usize] += 1;
                let place = if place.0 == place.1 {
                    0
                } else {
                    let n = places.len() as u32;
                    *place_ids.entry(slice(place)).or_insert_with(|| {
                        places.push(String::from_utf8_lossy(slice(place)).into_owned());
                        n
                    })
                };
                Some(Row {
                    file,
                    line,
                    nik,
                    nkk,
                    village,
                    tps,
                    born: (days != i32::MIN).then(|| Ymd::from_days(days)),
                    sex,
                    name,
                    norm,
                    place,
                    name_count: 1,
                })
            };
            while let Some(r) = next() {
                rows.push(r);
            }
        }
        rows.sort_unstable_by_key(|r: &Row| (r.file, r.line));
        for r in &mut rows {
            r.name_count = name_rows[r.norm as usize];
        }
        Partition {
            rows,
            buf,
            names,
            places,
        }
    }

    /// A partition of the given rows, as the spill would give it (tests and tools).
    pub fn from_voters(voters: &[Voter]) -> Partition {
        let mut buf = Vec::new();
        for v in voters {
            v.encode(&mut buf);
        }
        Partition::decode(buf)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn text(&self, r: (u32, u32)) -> &str {
        std::str::from_utf8(&self.buf[r.0 as usize..r.1 as usize]).unwrap_or("")
    }

    /// The name of row `i` as written.
    pub fn name(&self, i: usize) -> String {
        self.text(self.rows[i].name).to_string()
    }

    fn norm(&self, i: usize) -> &NameInfo {
        &self.names[self.rows[i].norm as usize]
    }

    fn person<'p>(&'p self, i: usize, sorted_name: &'p str) -> Person<'p> {
        let r = &self.rows[i];
        let n = self.norm(i);
        Person {
            name: self.text(n.text),
            sorted_name,
            born: r.born,
            sex: r.sex,
            village: r.village,
            birthplace: &self.places[r.place as usize],
            nkk: r.nkk,
            name_count: r.name_count,
            letters: n.letters,
        }
    }

    /// What the first tests of a pair need of row `i` (see `Probe`).
    fn probe(&self, i: usize) -> Probe {
        let r = &self.rows[i];
        let n = &self.names[r.norm as usize];
        Probe {
            nik: r.nik,
            words_hash: n.words_hash,
            norm: r.norm,
            len: n.len(),
            words: n.words,
            letters: n.letters,
        }
    }

    /// Can the names of two rows reach the scoring threshold at all? The tests
    /// `score::name_similarity` starts with, on the interned names' numbers, and then bounds
    /// from the letters: one typing slip changes at most two letter counts by one, so two
    /// slips leave at most four letters unmatched (and at most four letters present in one
    /// name only); and a Jaro-Winkler of 0.97 needs a Jaro of 0.95, which the number of
    /// letters the two names share bounds from above. Most pairs of a birth-date block end
    /// here on the probes' numbers, without reading the letter counts or any string.
    fn names_may_match(&self, a: &Probe, b: &Probe) -> bool {
        if a.norm == b.norm || a.words_hash == b.words_hash {
            return true;
        }
        let (la, lb) = (a.len, b.len);
        if la == 0 || lb == 0 {
            return false;
        }
        let (short, long) = if la <= lb { (a, b) } else { (b, a) };
        let longer_by = long.len - short.len;
        // A dropped word leaves every letter of the shorter name in the longer one.
        let dropped_word = longer_by >= 2 && long.words == short.words + 1;
        let far = (a.letters ^ b.letters).count_ones() > 4 || longer_by > 2;
        if far && !dropped_word {
            return false;
        }
        let shared: u32 = self.names[a.norm as usize]
            .counts
            .iter()
            .zip(&self.names[b.norm as usize].counts)
            .map(|(x, y)| u32::from(*x.min(y)))
            .sum();
        if dropped_word && shared == short.len {
            return true; // perhaps a dropped word: the scorer decides
        }
        if far {
            return false;
        }
        if la + lb - 2 * shared <= 4 {
            return true; // two slips or fewer are possible
        }
        let (m, la, lb) = (shared as f64, la as f64, lb as f64);
        shared > 0 && (m / la + m / lb + 1.0) / 3.0 >= 0.95 - 1e-9
    }

    /// Scores rows `i` and `j` (see `score::score`).
    fn score(&self, i: usize, j: usize) -> Option<(f32, u16)> {
        if self.rows[i].norm == self.rows[j].norm {
            // Equal names: the sorted words are never looked at.
            return score(&self.person(i, ""), &self.person(j, ""));
        }
        let si = sorted_tokens(self.text(self.norm(i).text));
        let sj = sorted_tokens(self.text(self.norm(j).text));
        score(&self.person(i, &si), &self.person(j, &sj))
    }
}

/// What the first tests of a pair read of a row: its NIK and its name's numbers, 32 bytes.
#[derive(Debug, Clone, Copy)]
struct Probe {
    nik: u64,
    words_hash: u64,
    norm: u32,
    len: u32,
    words: u32,
    letters: u32,
}

/// A pair found in a partition: indices into the partition, score and reasons.
#[derive(Debug, Clone, Copy)]
pub struct Pair {
    pub a: usize,
    pub b: usize,
    pub score: f32,
    pub reasons: u16,
}

/// Compares the rows of one block (indices sorted ascending) pairwise, or within a window
/// when the block is large.
fn block_pairs(part: &Partition, block: &[u32], probes: &mut Vec<Probe>, out: &mut Vec<Pair>) {
    // The block's rows lie anywhere in the partition: read each once into a small array,
    // rather than twice per pair from the large tables (cache misses were most of the time).
    probes.clear();
    probes.extend(block.iter().map(|&i| part.probe(i as usize)));
    let window = if block.len() > MAX_BLOCK {
        WINDOW
    } else {
        block.len()
    };
    for x in 0..block.len() {
        for y in x + 1..block.len().min(x + window) {
            let (a, b) = (&probes[x], &probes[y]);
            if a.nik != 0 && a.nik == b.nik {
                continue; // an exact duplicate, reported as NIK_GANDA
            }
            if !part.names_may_match(a, b) {
                continue;
            }
            let (i, j) = (block[x] as usize, block[y] as usize);
            let (i, j) = (i.min(j), i.max(j));
            if let Some((score, reasons)) = part.score(i, j) {
                out.push(Pair {
                    a: i,
                    b: j,
                    score,
                    reasons,
                });
            }
        }
    }
}

/// Finds the probable-duplicate pairs in one partition. Three blocking keys, each an exact
/// integer built from the interned name id or the birth date, with the regency; the rows are
/// sorted by key (a sort of integers, not a hash map of strings), and the blocks are compared
/// on every core. A pair met in several blocks is scored again and the copies dropped at the
/// end, which costs less than remembering every pair compared.
pub fn probable_pairs(part: &Partition) -> Vec<Pair> {
    let rows = &part.rows;
    let usable: Vec<u32> = (0..rows.len() as u32)
        .filter(|&i| part.norm(i as usize).len() > 0 && rows[i as usize].born.is_some())
        .collect();
    let key = |kind: u8, r: &Row| -> u64 {
        let b = r.born.unwrap_or(Ymd { y: 0, m: 0, d: 0 });
        match kind {
            // Same name and birth year: catches day/month slips and swaps.
            0 => ((r.norm as u64) << 16) | (b.y as u64 & 0xffff),
            // Same name, day and month: catches a slip in the year.
            1 => ((r.norm as u64) << 16) | (b.m as u64 * 32 + b.d as u64),
            // Same date of birth in the regency: catches any spelling slip, even in the
            // first letters. Blocks stay small (a regency of a million has about 40 people a
            // day).
            _ => b.days() as i64 as u64,
        }
    };
    let mut found: Vec<Pair> = (0..3u8)
        .into_par_iter()
        .flat_map_iter(|kind| {
            let mut keyed: Vec<(u64, u32, u32)> = usable
                .iter()
                .map(|&i| {
                    let r = &rows[i as usize];
                    (key(kind, r), r.regency(), i)
                })
                .collect();
            keyed.sort_unstable();
            let mut blocks: Vec<(usize, usize)> = Vec::new();
            let mut s = 0;
            while s < keyed.len() {
                let mut e = s + 1;
                while e < keyed.len() && keyed[e].0 == keyed[s].0 && keyed[e].1 == keyed[s].1 {
                    e += 1;
                }
                if e - s > 1 {
                    blocks.push((s, e));
                }
                s = e;
            }
            let index: Vec<u32> = keyed.iter().map(|k| k.2).collect();
            drop(keyed);
            // Blocks in groups of about 4,096 rows, each group a task.
            let mut groups: Vec<(usize, usize)> = Vec::new();
            let mut g = 0;
            while g < blocks.len() {
                let start = blocks[g].0;
                let mut h = g;
                while h < blocks.len() && blocks[h].1 - start < 4096 {
                    h += 1;
                }
                let h = h.max(g + 1);
                groups.push((g, h));
                g = h;
            }
            let pairs: Vec<Pair> = groups
                .par_iter()
                .flat_map_iter(|&(g, h)| {
                    let (mut out, mut probes) = (Vec::new(), Vec::new());
                    for &(s, e) in &blocks[g..h] {
                        block_pairs(part, &index[s..e], &mut probes, &mut out);
                    }
                    out
                })
                .collect();
            pairs
        })
        .collect();
    found.sort_unstable_by_key(|p| (p.a, p.b));
    found.dedup_by_key(|p| (p.a, p.b));
    found
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// Findings for the pairs of one partition, with clusters: every row in a pair gets a finding
/// naming the other row, the score and the reasons; rows linked through pairs share a cluster
/// id (the smallest `file << 40 | line` among them, stable across runs).
pub fn probable_findings(part: &Partition, pairs: &[Pair], files: &[String]) -> Vec<Finding> {
    let rows = &part.rows;
    let mut parent: Vec<usize> = (0..rows.len()).collect();
    for p in pairs {
        let (ra, rb) = (find(&mut parent, p.a), find(&mut parent, p.b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let id = |v: &Row| ((v.file as u64) << 40) | v.line;
    let mut cluster_id: HashMap<usize, u64> = HashMap::new();
    for p in pairs {
        for i in [p.a, p.b] {
            let r = find(&mut parent, i);
            let e = cluster_id.entry(r).or_insert(u64::MAX);
            *e = (*e).min(id(&rows[i]));
        }
    }
    let mut out = Vec::with_capacity(pairs.len() * 2);
    for p in pairs {
        let cluster = cluster_id.get(&find(&mut parent, p.a)).copied();
        for (me, other) in [(p.a, p.b), (p.b, p.a)] {
            let (v, o) = (&rows[me], &rows[other]);
            let where_ = files
                .get(o.file as usize)
                .map(String::as_str)
                .unwrap_or("?");
            let detail = format!(
                "mungkin orang yang sama dengan {where_} baris {} (skor {:.2}: {})",
                o.line,
                p.score,
                reason_text(p.reasons)
            );
            out.push(Finding {
                code: Code::KemungkinanGanda,
                file: v.file,
                line: v.line,
                column: Some("NAMA".into()),
                village: v.village,
                tps: v.tps,
                nik: if v.nik == 0 {
                    String::new()
                } else {
                    format!("{:016}", v.nik)
                },
                name: part.name(me),
                detail,
                score: Some(p.score),
                other: Some((o.file, o.line)),
                cluster,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::parse_date;
    use crate::name::normalize;
    use crate::nik::Sex;

    fn voter(line: u64, nik: u64, name: &str, born: &str, village: u64) -> Voter {
        Voter {
            file: 0,
            line,
            nik,
            nkk: 0,
            village,
            tps: 1,
            born: parse_date(born),
            sex: Some(Sex::Male),
            name: name.into(),
            norm: normalize(name),
            birthplace: String::new(),
        }
    }

    #[test]
    fn exact_runs() {
        let v = vec![
            voter(2, 5, "A", "01-01-1980", 1),
            voter(3, 6, "B", "01-01-1980", 1),
            voter(4, 5, "C", "01-01-1980", 1),
            voter(5, 5, "D", "01-01-1980", 1),
            voter(6, 0, "E", "01-01-1980", 1),
            voter(7, 0, "F", "01-01-1980", 1),
        ];
        let mut buf = Vec::new();
        for x in &v {
            x.encode_nik(&x.name, &mut buf);
        }
        let f = exact_duplicates(&buf, &["x.csv".into()]);
        let mut lines: Vec<u64> = f.iter().map(|f| f.line).collect();
        lines.sort();
        assert_eq!(
            lines,
            [2, 4, 5],
            "invalid NIKs (0) are not duplicates of each other"
        );
        assert!(f[0].detail.contains("3 kali"));
    }

    proptest::proptest! {
        /// The letter-count bounds never rule out a pair the scorer would keep: whenever
        /// `names_may_match` says no, the names are less than similar.
        #[test]
        fn name_bounds_are_sound(names in proptest::collection::vec(
            "(SITI|SRI|NUR|BUDI|ADI|ANI|AMINAH|SUJONO|WATI|RIZKI|RIZKY|[A-Z]{1,9})( (SITI|NUR|BUDI|ANI|SANTOSO|SANTOSA|[A-Z]{1,9})){0,3}",
            2..24,
        )) {
            let voters: Vec<Voter> = names
                .iter()
                .enumerate()
                .map(|(i, n)| voter(i as u64 + 2, 100 + i as u64, n, "03-05-1980", 3_320_012_001))
                .collect();
            let part = Partition::from_voters(&voters);
            for i in 0..part.len() {
                for j in i + 1..part.len() {
                    if !part.names_may_match(&part.probe(i), &part.probe(j)) {
                        let si = sorted_tokens(part.text(part.norm(i).text));
                        let sj = sorted_tokens(part.text(part.norm(j).text));
                        let sim = crate::score::name_similarity(&part.person(i, &si), &part.person(j, &sj));
                        proptest::prop_assert!(sim < 0.8, "{} / {}: {sim}", voters[i].norm, voters[j].norm);
                    }
                }
            }
        }
    }

    #[test]
    fn probable_pairs_and_clusters() {
        let v = 3_320_012_001;
        let voters = vec![
            voter(2, 11, "Muhammad Soedjono", "03-05-1980", v),
            voter(3, 12, "Moh. Sujono", "05-03-1980", v),
            voter(4, 13, "M. Sujono", "03-05-1980", v + 1),
            voter(5, 14, "Siti Aminah", "03-05-1980", v),
            voter(6, 15, "Muhammad Soedjono", "03-05-1980", 3_321_012_001),
            voter(7, 11, "Muhammad Soedjono", "03-05-1980", v),
        ];
        let part = Partition::from_voters(&voters);
        let pairs = probable_pairs(&part);
        let got: Vec<(usize, usize)> = pairs.iter().map(|p| (p.a, p.b)).collect();
        assert_eq!(got, [(0, 1), (0, 2), (1, 2), (1, 5), (2, 5)]);
        let f = probable_findings(&part, &pairs, &["x.csv".into()]);
        assert_eq!(f.len(), 10);
        assert!(f.iter().all(|f| f.cluster == Some(2)));
        assert!(
            f[0].detail.contains("tanggal dan bulan lahir tertukar"),
            "{}",
            f[0].detail
        );
    }
}
