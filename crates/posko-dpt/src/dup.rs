//! The two stages that need state across rows, each run on one partition at a time so that
//! memory is bounded by the largest partition, not by the list:
//! - exact duplicate NIK: rows are spilled to partitions by a hash of the NIK, each partition is
//!   sorted by NIK and equal runs are duplicates, within and across files;
//! - probable duplicates: rows are spilled to partitions by regency (so that nearby villages
//!   meet), then compared within blocks — the same normalised name and birth year, the same
//!   name and birth day-and-month, the same birth date —
//!   so that a person with one slip in the name or the date still meets their other row.
//!   Pairs above the threshold are grouped into clusters (union-find).
//!
//! Memory, measured and projected (see BENCHMARKS.md): a decoded row is about 150 bytes; the
//! whole run peaked at 352 MiB for 1 M rows and 515 MiB for 5 M (measured). With 64–256
//! partitions chosen from the input size, a partition at national scale (204.8 M rows) holds a
//! few million rows, under 2 GB decoded, and two are in memory at once on two cores; the spill
//! files take about 2 × 100 bytes per row on disk (projected, not measured).

use std::collections::HashMap;

use crate::check::Voter;
use crate::finding::{Code, Finding};
use crate::name::{fnv, sorted_tokens};
use crate::score::{letter_mask, reason_text, score, Person};

fn finding(v: &Voter, code: Code, detail: String, other: &Voter) -> Finding {
    Finding {
        code,
        file: v.file,
        line: v.line,
        column: Some("NIK".into()),
        village: v.village,
        tps: v.tps,
        nik: format!("{:016}", v.nik),
        name: v.name.clone(),
        detail,
        score: None,
        other: Some((other.file, other.line)),
        cluster: None,
    }
}

/// Exact duplicates in one NIK partition: every row whose NIK appears more than once gets a
/// finding naming another row with the same NIK (the first names the second, the others the
/// first).
pub fn exact_duplicates(mut voters: Vec<Voter>, files: &[String]) -> Vec<Finding> {
    voters.retain(|v| v.nik != 0);
    voters.sort_unstable_by_key(|v| (v.nik, v.file, v.line));
    let mut out = Vec::new();
    let mut i = 0;
    while i < voters.len() {
        let mut j = i + 1;
        while j < voters.len() && voters[j].nik == voters[i].nik {
            j += 1;
        }
        if j - i > 1 {
            for k in i..j {
                let other = if k == i { &voters[i + 1] } else { &voters[i] };
                let where_ = files
                    .get(other.file as usize)
                    .map(String::as_str)
                    .unwrap_or("?");
                let detail = format!(
                    "NIK yang sama ada {} kali; mis. di {where_} baris {}",
                    j - i,
                    other.line
                );
                out.push(finding(&voters[k], Code::NikGanda, detail, other));
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

struct Prepared {
    sorted: Vec<String>,
    counts: Vec<u32>,
    letters: Vec<u32>,
}

fn person<'a>(v: &'a Voter, p: &'a Prepared, i: usize) -> Person<'a> {
    Person {
        name: &v.norm,
        sorted_name: &p.sorted[i],
        born: v.born,
        sex: v.sex,
        village: v.village,
        birthplace: &v.birthplace,
        nkk: v.nkk,
        name_count: p.counts[i],
        letters: p.letters[i],
    }
}

/// A pair found in a partition: indices into the partition, score and reasons.
#[derive(Debug, Clone, Copy)]
pub struct Pair {
    pub a: usize,
    pub b: usize,
    pub score: f32,
    pub reasons: u16,
}

/// Finds the probable-duplicate pairs among `voters` (one partition).
pub fn probable_pairs(voters: &[Voter]) -> Vec<Pair> {
    let mut freq: HashMap<(u32, &str), u32> = HashMap::new();
    for v in voters {
        *freq.entry((v.regency(), v.norm.as_str())).or_insert(0) += 1;
    }
    let prepared = Prepared {
        sorted: voters.iter().map(|v| sorted_tokens(&v.norm)).collect(),
        letters: voters.iter().map(|v| letter_mask(&v.norm)).collect(),
        counts: voters
            .iter()
            .map(|v| {
                freq.get(&(v.regency(), v.norm.as_str()))
                    .copied()
                    .unwrap_or(1)
            })
            .collect(),
    };
    let usable: Vec<usize> = (0..voters.len())
        .filter(|&i| !voters[i].norm.is_empty() && voters[i].born.is_some())
        .collect();
    let mut pairs: HashMap<(usize, usize), (f32, u16)> = HashMap::new();
    type KeyFn<'k> = Box<dyn Fn(&Voter, &str) -> u64 + 'k>;
    let keys: [KeyFn; 3] = [
        // Same name and birth year: catches day/month slips and swaps.
        Box::new(|v, _| {
            let b = v.born.map(|d| d.y).unwrap_or(0) as u64;
            fnv(v.norm.as_bytes()) ^ (b << 20) ^ v.regency() as u64
        }),
        // Same name, day and month: catches a slip in the year.
        Box::new(|v, _| {
            let b = v.born.map(|d| d.m as u64 * 32 + d.d as u64).unwrap_or(0);
            fnv(v.norm.as_bytes()).rotate_left(7) ^ (b << 40) ^ v.regency() as u64
        }),
        // Same date of birth in the regency: catches any spelling slip, even in the first
        // letters. Blocks stay small (a regency of a million has about 40 people a day).
        Box::new(|v, _| {
            let b = v.born.map(|d| d.days() as u64).unwrap_or(0);
            0x9e37_79b9_7f4a_7c15 ^ (b << 24) ^ v.regency() as u64
        }),
    ];
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(usable.len());
    for key in &keys {
        keyed.clear();
        keyed.extend(
            usable
                .iter()
                .map(|&i| (key(&voters[i], &prepared.sorted[i]), i as u32)),
        );
        keyed.sort_unstable();
        let mut s = 0;
        while s < keyed.len() {
            let mut e = s + 1;
            while e < keyed.len() && keyed[e].0 == keyed[s].0 {
                e += 1;
            }
            let block = &keyed[s..e];
            let window = if block.len() > MAX_BLOCK {
                WINDOW
            } else {
                block.len()
            };
            for x in 0..block.len() {
                for y in x + 1..block.len().min(x + window) {
                    let (i, j) = (block[x].1 as usize, block[y].1 as usize);
                    let (i, j) = (i.min(j), i.max(j));
                    let (vi, vj) = (&voters[i], &voters[j]);
                    if vi.nik != 0 && vi.nik == vj.nik {
                        continue; // an exact duplicate, reported as NIK_GANDA
                    }
                    if vi.regency() != vj.regency() || pairs.contains_key(&(i, j)) {
                        continue;
                    }
                    let (pi, pj) = (person(vi, &prepared, i), person(vj, &prepared, j));
                    if let Some(found) = score(&pi, &pj) {
                        pairs.insert((i, j), found);
                    }
                }
            }
            s = e;
        }
    }
    let mut out: Vec<Pair> = pairs
        .into_iter()
        .map(|((a, b), (score, reasons))| Pair {
            a,
            b,
            score,
            reasons,
        })
        .collect();
    out.sort_unstable_by_key(|p| (p.a, p.b));
    out
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
pub fn probable_findings(voters: &[Voter], pairs: &[Pair], files: &[String]) -> Vec<Finding> {
    let mut parent: Vec<usize> = (0..voters.len()).collect();
    for p in pairs {
        let (ra, rb) = (find(&mut parent, p.a), find(&mut parent, p.b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let id = |v: &Voter| ((v.file as u64) << 40) | v.line;
    let mut cluster_id: HashMap<usize, u64> = HashMap::new();
    for p in pairs {
        for i in [p.a, p.b] {
            let r = find(&mut parent, i);
            let e = cluster_id.entry(r).or_insert(u64::MAX);
            *e = (*e).min(id(&voters[i]));
        }
    }
    let mut out = Vec::with_capacity(pairs.len() * 2);
    for p in pairs {
        let cluster = cluster_id.get(&find(&mut parent, p.a)).copied();
        for (me, other) in [(p.a, p.b), (p.b, p.a)] {
            let (v, o) = (&voters[me], &voters[other]);
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
            let mut f = finding(v, Code::KemungkinanGanda, detail, o);
            f.column = Some("NAMA".into());
            if v.nik == 0 {
                f.nik.clear();
            }
            f.score = Some(p.score);
            f.cluster = cluster;
            out.push(f);
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
        let f = exact_duplicates(v, &["x.csv".into()]);
        let mut lines: Vec<u64> = f.iter().map(|f| f.line).collect();
        lines.sort();
        assert_eq!(
            lines,
            [2, 4, 5],
            "invalid NIKs (0) are not duplicates of each other"
        );
        assert!(f[0].detail.contains("3 kali"));
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
        let pairs = probable_pairs(&voters);
        let got: Vec<(usize, usize)> = pairs.iter().map(|p| (p.a, p.b)).collect();
        assert_eq!(got, [(0, 1), (0, 2), (1, 2), (1, 5), (2, 5)]);
        let f = probable_findings(&voters, &pairs, &["x.csv".into()]);
        assert_eq!(f.len(), 10);
        assert!(f.iter().all(|f| f.cluster == Some(2)));
        assert!(
            f[0].detail.contains("tanggal dan bulan lahir tertukar"),
            "{}",
            f[0].detail
        );
    }
}
