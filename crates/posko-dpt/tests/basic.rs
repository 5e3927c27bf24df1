//! The basic-tasks mode (`Options::basic_only`, `posko dpt check --hanya-dasar`) against the
//! full run on the same generated list: the same exact duplicates and under-17s, row for row,
//! and the same voters per district and village; nothing else reported, no XLSX. The same for
//! the duplicate search alone (`Options::duplicates_only`, `--hanya-ganda`): the same exact and
//! probable duplicates, record for record. And a full run is the same from run to run although
//! rows are checked on several threads.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use posko_core::Election;
use posko_dpt::generate::{generate, Rates};
use posko_dpt::{run, Options, Quiet};

/// (code, file name, line) of every finding in the camat's CSV files.
fn rows(dir: &Path) -> BTreeSet<(String, u64)> {
    let mut out = BTreeSet::new();
    for e in std::fs::read_dir(dir.join("kecamatan")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) != Some("csv") {
            continue;
        }
        let mut r = csv::Reader::from_path(&p).unwrap();
        for rec in r.records() {
            let rec = rec.unwrap();
            let line = rec[3].parse().unwrap_or(0);
            out.insert((rec[0].to_string(), line));
        }
    }
    out
}

/// Every record of the camat's CSV files whose code is one of `codes`, whole.
fn records(dir: &Path, codes: &[&str]) -> BTreeSet<Vec<String>> {
    let mut out = BTreeSet::new();
    for e in std::fs::read_dir(dir.join("kecamatan")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) != Some("csv") {
            continue;
        }
        for rec in csv::Reader::from_path(&p).unwrap().records() {
            let rec: Vec<String> = rec.unwrap().iter().map(String::from).collect();
            if codes.contains(&rec[0].as_str()) {
                out.insert(rec);
            }
        }
    }
    out
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir.join("kecamatan")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) == Some("csv") {
            out.insert(
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            );
        }
    }
    for name in ["ringkasan-kecamatan.csv", "ringkasan-desa.csv"] {
        out.insert(name.into(), std::fs::read(dir.join(name)).unwrap());
    }
    out
}

#[test]
fn basic_tasks_agree_with_the_full_run() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("dpt.csv");
    let election = Election::pemilu_2024();
    generate(
        60_000,
        7,
        &election,
        std::fs::File::create(&list).unwrap(),
        std::fs::File::create(dir.path().join("truth.csv")).unwrap(),
        &Rates::default(),
    )
    .unwrap();
    let check = |opts: Options, out: &Path| {
        run(std::slice::from_ref(&list), &election, &opts, out, &Quiet).unwrap()
    };
    let full_dir = dir.path().join("full");
    let basic_dir = dir.path().join("basic");
    let full = check(Options::default(), &full_dir);
    let basic = check(
        Options {
            basic_only: true,
            ..Options::default()
        },
        &basic_dir,
    );

    assert_eq!(basic.rows, full.rows);
    for code in ["NIK_GANDA", "BELUM_17"] {
        assert!(full.findings.get(code).copied().unwrap_or(0) > 0, "{code}");
        assert_eq!(basic.findings.get(code), full.findings.get(code), "{code}");
    }
    let only: BTreeSet<&str> = basic.findings.keys().map(String::as_str).collect();
    assert!(
        only.is_subset(&["NIK_GANDA", "BELUM_17", "BARIS_RUSAK"].into()),
        "{only:?}"
    );
    assert!(full.findings.contains_key("KEMUNGKINAN_GANDA"));
    let voters = |s: &posko_dpt::Summary| -> Vec<(String, u64)> {
        s.districts
            .iter()
            .chain(&s.villages)
            .map(|r| (r.code.clone(), r.voters))
            .collect()
    };
    assert_eq!(voters(&basic), voters(&full));

    let keep = |set: BTreeSet<(String, u64)>| -> BTreeSet<(String, u64)> {
        set.into_iter()
            .filter(|(c, _)| c == "NIK_GANDA" || c == "BELUM_17")
            .collect()
    };
    assert_eq!(keep(rows(&basic_dir)), keep(rows(&full_dir)));
    let xlsx = |d: &Path| {
        std::fs::read_dir(d.join("kecamatan"))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .and_then(|x| x.to_str())
                    == Some("xlsx")
            })
            .count()
    };
    assert_eq!(xlsx(&basic_dir), 0);
    assert!(xlsx(&full_dir) > 0);

    // The duplicate search alone.
    let dup_dir = dir.path().join("ganda");
    let dups = check(
        Options {
            duplicates_only: true,
            ..Options::default()
        },
        &dup_dir,
    );
    let both = ["NIK_GANDA", "KEMUNGKINAN_GANDA"];
    for code in both {
        assert_eq!(dups.findings.get(code), full.findings.get(code), "{code}");
    }
    let only: BTreeSet<&str> = dups.findings.keys().map(String::as_str).collect();
    assert!(
        only.is_subset(&["NIK_GANDA", "KEMUNGKINAN_GANDA", "BARIS_RUSAK"].into()),
        "{only:?}"
    );
    assert_eq!(dups.probable_duplicate_pairs, full.probable_duplicate_pairs);
    assert!(dups.probable_duplicate_pairs > 0);
    let in_full = records(&full_dir, &both);
    assert!(!in_full.is_empty());
    assert_eq!(records(&dup_dir, &both), in_full);
    assert_eq!(voters(&dups), voters(&full));
    assert_eq!(xlsx(&dup_dir), 0);
    let tasks = [&full, &basic, &dups].map(|s| s.tasks);
    assert_eq!(tasks, ["semua", "dasar", "ganda"]);

    // Run again: the same files, byte for byte.
    let again = dir.path().join("again");
    check(Options::default(), &again);
    assert_eq!(files(&again), files(&full_dir));
}
