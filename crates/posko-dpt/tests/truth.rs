//! The generator's truth file against what the engine finds: every planted exact duplicate,
//! invalid NIK, under-17 and TPS over capacity is found and nothing else of those kinds;
//! probable duplicates are found with recall and precision above 0.95. The million-row run is
//! the one the issue asks for; a smaller one always runs too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use posko_core::Election;
use posko_dpt::generate::{generate, read_truth, Rates};
use posko_dpt::{run, Options, Quiet};

#[derive(Default, Debug)]
struct Found {
    rows: BTreeMap<String, HashSet<u64>>,
    pairs: HashSet<(u64, u64)>,
    details: BTreeMap<(u64, u64), String>,
    tps: HashSet<String>,
}

fn read_findings(dir: &Path) -> Found {
    let mut found = Found::default();
    for e in std::fs::read_dir(dir.join("kecamatan")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) != Some("csv") {
            continue;
        }
        let mut r = csv::Reader::from_path(&p).unwrap();
        for rec in r.records() {
            let rec = rec.unwrap();
            let code = rec[0].to_string();
            if code == "TPS_MELEBIHI_KAPASITAS" {
                found.tps.insert(format!("{}/{}", &rec[5], &rec[7]));
                continue;
            }
            let line: u64 = rec[3].parse().unwrap();
            if code == "KEMUNGKINAN_GANDA" {
                let other: u64 = rec[13].parse().unwrap();
                found.pairs.insert((line.min(other), line.max(other)));
                found.details.insert(
                    (line.min(other), line.max(other)),
                    format!("{} | {}", &rec[9], &rec[10]),
                );
            }
            found.rows.entry(code).or_default().insert(line);
        }
    }
    found
}

fn check(rows: u64, seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("dpt.csv");
    let truth_path = dir.path().join("truth.csv");
    let election = Election::pemilu_2024();
    generate(
        rows,
        seed,
        &election,
        std::fs::File::create(&list).unwrap(),
        std::fs::File::create(&truth_path).unwrap(),
        &Rates::default(),
    )
    .unwrap();
    let out = dir.path().join("out");
    let opts = Options {
        full_nik: true,
        ..Options::default()
    };
    let summary = run(&[list], &election, &opts, &out, &Quiet).unwrap();
    assert_eq!(summary.rows, rows);
    let truth = read_truth(&std::fs::read_to_string(&truth_path).unwrap());
    let found = read_findings(&out);
    let empty = HashSet::new();
    let rows_of = |code: &str| found.rows.get(code).unwrap_or(&empty);

    // Row-level checks: exactly the planted rows.
    for code in [
        "NIK_FORMAT",
        "NIK_WILAYAH",
        "NIK_TANGGAL",
        "NIK_TIDAK_SESUAI",
        "BELUM_17",
        "KOLOM_WAJIB_KOSONG",
        "WILAYAH_TIDAK_ADA",
    ] {
        let want: HashSet<u64> = truth
            .iter()
            .filter(|t| t.code == code)
            .map(|t| t.line)
            .collect();
        assert!(!want.is_empty(), "{code} planted");
        assert_eq!(rows_of(code), &want, "{code}");
    }
    let young_married: HashSet<u64> = truth
        .iter()
        .filter(|t| t.code == "MUDA_KAWIN")
        .map(|t| t.line)
        .collect();
    assert!(!young_married.is_empty());
    assert!(young_married.is_disjoint(rows_of("BELUM_17")));

    let want: HashSet<u64> = truth
        .iter()
        .filter(|t| t.code == "NIK_GANDA")
        .flat_map(|t| [t.line, t.other])
        .collect();
    let got = rows_of("NIK_GANDA");
    assert!(
        got == &want,
        "NIK_GANDA: {} found, {} planted, missing {:?}, extra {:?}",
        got.len(),
        want.len(),
        want.difference(got).take(5).collect::<Vec<_>>(),
        got.difference(&want).take(5).collect::<Vec<_>>()
    );
    let want: HashSet<String> = truth
        .iter()
        .filter(|t| t.code == "TPS_MELEBIHI_KAPASITAS")
        .map(|t| t.variant.clone())
        .collect();
    assert!(!want.is_empty());
    assert_eq!(found.tps, want, "TPS_MELEBIHI_KAPASITAS");

    // Probable duplicates: pairs.
    let planted: HashSet<(u64, u64)> = truth
        .iter()
        .filter(|t| t.code == "KEMUNGKINAN_GANDA")
        .map(|t| (t.line.min(t.other), t.line.max(t.other)))
        .collect();
    let hit = planted.intersection(&found.pairs).count() as f64;
    let recall = hit / planted.len() as f64;
    let precision = hit / found.pairs.len().max(1) as f64;
    eprintln!(
        "{rows} rows: {} planted pairs, {} found, recall {recall:.4}, precision {precision:.4}",
        planted.len(),
        found.pairs.len()
    );
    for variant in ["nama", "tanggal", "keduanya"] {
        let of: Vec<_> = truth
            .iter()
            .filter(|t| t.code == "KEMUNGKINAN_GANDA" && t.variant == variant)
            .map(|t| (t.line.min(t.other), t.line.max(t.other)))
            .collect();
        let h = of.iter().filter(|p| found.pairs.contains(p)).count();
        eprintln!("  {variant}: {h}/{}", of.len());
    }
    if std::env::var("DPT_DEBUG").is_ok() {
        let text = std::fs::read_to_string(dir.path().join("dpt.csv")).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (p, d) in found
            .details
            .iter()
            .filter(|(p, _)| !planted.contains(p))
            .take(15)
        {
            eprintln!(
                "FP {p:?} {d}\n   {}\n   {}",
                lines[p.0 as usize - 1],
                lines[p.1 as usize - 1]
            );
        }
        for t in truth
            .iter()
            .filter(|t| t.code == "KEMUNGKINAN_GANDA")
            .filter(|t| {
                !found
                    .pairs
                    .contains(&(t.line.min(t.other), t.line.max(t.other)))
            })
            .take(25)
        {
            eprintln!(
                "MISS {}\n   {}\n   {}",
                t.variant,
                lines[t.line as usize - 1],
                lines[t.other as usize - 1]
            );
        }
    }
    assert!(recall > 0.95, "recall {recall}");
    assert!(precision > 0.95, "precision {precision}");
}

#[test]
fn truth_agrees_on_a_small_list() {
    check(60_000, 11);
}

#[test]
fn truth_agrees_on_two_hundred_thousand_rows() {
    check(200_000, 5);
}

/// The test: a million rows (seed 2024: recall 0.975, precision 0.969). It runs in the
/// suite: 15 s in a debug build on 2 cores, with posko-dpt and the crates it spends its time in
/// optimised even there (root Cargo.toml); without them it took about 70 s.
#[test]
fn truth_agrees_on_a_million_rows() {
    check(1_000_000, 2024);
}
