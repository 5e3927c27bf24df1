//! The engine on files: generated sets with planted defects, hand-written CSVs with broken rows,
//! XLSX, and the outputs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use posko_core::results::{Area, Code};
use posko_core::{BallotType, Election, RegionCode};
use posko_hasil::generate::{generate, Rates};
use posko_hasil::{analyse, run, Options, Quiet};

fn generated(dir: &Path, tps: u64, rate: f64, within: &str) -> (PathBuf, PathBuf) {
    let forms = dir.join("hasil.csv");
    let truth = dir.join("kebenaran.csv");
    generate(
        tps,
        7,
        &Election::pemilu_2024(),
        RegionCode::parse(within).ok(),
        std::fs::File::create(&forms).unwrap(),
        std::fs::File::create(&truth).unwrap(),
        &Rates { per_defect: rate },
    )
    .unwrap();
    (forms, truth)
}

#[test]
fn every_planted_defect_is_found_on_its_line_and_clean_forms_stay_quiet() {
    let dir = tempfile::tempdir().unwrap();
    // Jepara's 195 villages, about ten TPS each, as in the country.
    let (forms, truth) = generated(dir.path(), 2_000, 0.004, "33.20");
    let o = analyse(
        &[forms],
        &Election::pemilu_2024(),
        &Options {
            chunk_bytes: 64 << 10,
            ..Options::default()
        },
        &Quiet,
    )
    .unwrap();
    let mut found: HashMap<u64, HashSet<Code>> = HashMap::new();
    for f in &o.flags {
        found.entry(f.line).or_default().insert(f.code());
    }
    let text = std::fs::read_to_string(&truth).unwrap();
    let mut planted_lines = HashSet::new();
    let mut kinds = HashSet::new();
    for row in text.lines().skip(1) {
        let cells: Vec<&str> = row.split(',').collect();
        let (kind, code, line) = (cells[2], cells[3], cells[4].parse::<u64>().unwrap());
        let code = Code::parse(code).unwrap();
        assert!(
            found.get(&line).is_some_and(|c| c.contains(&code)),
            "{kind} on line {line}: expected {code}, got {:?}",
            found.get(&line)
        );
        planted_lines.insert(line);
        kinds.insert(kind.to_string());
    }
    assert_eq!(kinds.len(), 13, "every kind planted: {kinds:?}");
    // Away from planted lines, nothing but the odd H10 (a TPS that is far from its neighbours by
    // chance) or an H11 copy's source line.
    let stray: Vec<(u64, &HashSet<Code>)> = found
        .iter()
        .filter(|(l, _)| !planted_lines.contains(l))
        .map(|(l, c)| (*l, c))
        .collect();
    assert!(
        stray.len() * 1000 <= o.forms as usize,
        "more than 0.1 % stray findings: {} of {} forms, e.g. {:?}",
        stray.len(),
        o.forms,
        stray.iter().take(5).collect::<Vec<_>>()
    );
}

#[test]
fn jakarta_holds_four_ballot_types_and_the_rest_five() {
    let dir = tempfile::tempdir().unwrap();
    let (forms, _) = generated(dir.path(), 3_000, 0.0, "");
    let o = analyse(
        &[forms],
        &Election::pemilu_2024(),
        &Options::default(),
        &Quiet,
    )
    .unwrap();
    assert!(o.flags.iter().all(|f| f.code() != Code::BallotNotHere));
    let dki = Area::Region(RegionCode::parse("31").unwrap());
    assert!(o
        .rolled
        .get(dki, BallotType::Ppwp)
        .is_some_and(|t| t.forms > 0));
    assert!(o.rolled.get(dki, BallotType::DprdKabKota).is_none());
    let ppwp = o.rolled.get(Area::Country, BallotType::Ppwp).unwrap();
    let kab = o
        .rolled
        .get(Area::Country, BallotType::DprdKabKota)
        .unwrap();
    let dki_ppwp = o.rolled.get(dki, BallotType::Ppwp).unwrap();
    assert_eq!(kab.forms + dki_ppwp.forms, ppwp.forms);
    assert_eq!(o.forms, 4 * ppwp.forms + kab.forms);
}

#[test]
fn chunking_does_not_change_the_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let (forms, _) = generated(dir.path(), 1_000, 0.004, "33.20");
    let e = Election::pemilu_2024();
    let whole = analyse(
        std::slice::from_ref(&forms),
        &e,
        &Options {
            chunk_bytes: 1 << 30,
            ..Options::default()
        },
        &Quiet,
    )
    .unwrap();
    let small = analyse(
        &[forms],
        &e,
        &Options {
            chunk_bytes: 4 << 10,
            ..Options::default()
        },
        &Quiet,
    )
    .unwrap();
    assert_eq!(whole.flags, small.flags);
    assert_eq!(whole.rolled, small.rolled);
    assert_eq!(whole.forms, small.forms);
}

const HEADER: &str = "kode_tps;jenis;dpt;dptb;dpk;pengguna_dpt;pengguna_dptb;pengguna_dpk;\
surat_diterima;surat_digunakan;surat_tidak_digunakan;surat_rusak;suara_sah;suara_tidak_sah;\
suara_1;suara_2;suara_3";

/// (line, column, code) of every finding of `text` written as one file.
fn finding_places(text: &str) -> Vec<(u64, String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hasil.csv");
    std::fs::write(&path, text).unwrap();
    let o = analyse(
        &[path],
        &Election::pemilu_2024(),
        &Options::default(),
        &Quiet,
    )
    .unwrap();
    let mut v: Vec<_> = o
        .flags
        .iter()
        .map(|f| (f.line, f.column.clone(), f.code().as_str().to_string()))
        .collect();
    v.sort();
    v
}

#[test]
fn lines_are_named_right_with_crlf_blank_lines_and_quotes() {
    let rows = [
        HEADER,
        "33.20.01.2001/001;ppwp;250;4;2;200;4;2;259;206;52;1;200;6;60;120;20",
        "",
        "",
        "33.20.01.2001/002;ppwp;250;4;2;2OO;4;2;259;206;52;1;200;6;60;120;20",
        "33.20.01.2001/003;ppwp;250;4;2;200;4;2;259;206;52;1;200;6;60;120;21",
    ];
    // The bad count is on line 5 and the sum that does not add up on line 6, however the file
    // ends its lines and whether it goes through the splitter (plain) or the csv crate (quoted).
    let plain = finding_places(&rows.join("\n"));
    assert!(
        plain.contains(&(5, "pengguna_dpt".into(), "H20".into())),
        "{plain:?}"
    );
    assert!(plain.iter().any(|f| f.0 == 6 && f.2 == "H07"), "{plain:?}");
    assert_eq!(finding_places(&rows.join("\r\n")), plain);
    let quoted = rows.join("\r\n").replace("/003;ppwp", "/003;\"ppwp\"");
    assert_eq!(finding_places(&quoted), plain);
}

#[test]
fn broken_rows_are_findings_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kecamatan-kedung.csv");
    let rows = [
        HEADER,
        "33.20.01.2001/001;ppwp;250;4;2;200;4;2;259;206;52;1;200;6;60;120;20",
        "33.20.01.2001/002;ppwp;250;4;2;2OO;4;2;259;206;52;1;200;6;60;120;20",
        "",
        "33.20.01.2001/003;presiden;250;4;2;200;4;2;259;206;52;1;200;6;60;120;20",
        "33.20.01.9999/001;ppwp;250;4;2;200;4;2;259;206;52;1;200;6;60;120;20",
        "33.20.01.2001/004;ppwp;250;4;2;200;4;2;259;206;52;1;200;6;60;120;21",
        "33.20.01.2001;ppwp;250",
        "33.20.01.2001/005;ppwp",
    ];
    std::fs::write(&path, rows.join("\n")).unwrap();
    let out = dir.path().join("out");
    let s = run(
        std::slice::from_ref(&path),
        &Election::pemilu_2024(),
        &Options::default(),
        &out,
        &Quiet,
    )
    .unwrap();
    assert_eq!(s.forms, 3);
    assert_eq!(s.rows, 7);
    let text = std::fs::read_to_string(out.join("temuan.csv")).unwrap();
    let got: Vec<Vec<String>> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let key: HashSet<(String, String, String)> = got
        .iter()
        .map(|r| (r[1].clone(), r[2].clone(), r[3].clone()))
        .collect();
    for (line, column, code) in [
        ("3", "pengguna_dpt", "H20"),
        ("6", "", "H21"),
        ("7", "", "H07"),
        ("8", "kode_tps", "H20"),
        ("9", "dpt", "H20"),
    ] {
        assert!(
            key.contains(&(line.into(), column.into(), code.into())),
            "line {line} {column} {code} in {got:?}"
        );
    }
    assert!(got.iter().all(|r| r[0] == "kecamatan-kedung.csv"));
    // Errors come first.
    assert!(got.first().is_some_and(|r| r[4] == "error"));
    for f in [
        "temuan.xlsx",
        "partisipasi.csv",
        "partisipasi.xlsx",
        "summary.json",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let turnout = std::fs::read_to_string(out.join("partisipasi.csv")).unwrap();
    // Three forms of 206 voters out of 256 on the lists: 80.47 % at every level.
    let national = turnout
        .lines()
        .find(|l| l.starts_with("nasional,ID,INDONESIA,ppwp,3,"))
        .unwrap();
    assert!(national.contains(",80.47,"), "{national}");
    assert!(turnout.contains("kecamatan,33.20.01,"), "{turnout}");
}

#[test]
fn a_file_without_required_columns_is_a_finding_and_others_are_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("salah.csv");
    std::fs::write(&bad, "kode_tps,jenis,dpt\n33.20.01.2001/001,ppwp,250\n").unwrap();
    let good = dir.path().join("baik.csv");
    std::fs::write(
        &good,
        format!(
            "{}\n33.20.01.2001/001;ppwp;250;4;2;200;4;2;259;206;52;1;200;6;60;120;20\n",
            HEADER
        ),
    )
    .unwrap();
    let o = analyse(
        &[bad, good],
        &Election::pemilu_2024(),
        &Options::default(),
        &Quiet,
    )
    .unwrap();
    assert_eq!(o.forms, 1);
    assert!(o.files[0]
        .error
        .as_deref()
        .is_some_and(|e| e.contains("pengguna_dpt")));
    assert_eq!(o.flags.len(), 1);
    assert_eq!((o.flags[0].file, o.flags[0].line), (0, 1));
}

#[test]
fn reads_xlsx_with_its_row_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hasil.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in HEADER.split(';').enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    let rows = [
        "33.20.01.2001/001;ppwp;250;4;2;200;4;2;259;206;52;1;200;6;60;120;20",
        "33.20.01.2001/002;ppwp;250;4;2;230;4;2;259;206;52;1;200;6;60;120;20",
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.split(';').enumerate() {
            match v.parse::<f64>() {
                Ok(n) => ws.write_number(r as u32 + 1, c as u16, n).unwrap(),
                Err(_) => ws.write_string(r as u32 + 1, c as u16, v).unwrap(),
            };
        }
    }
    book.save(&path).unwrap();
    let o = analyse(
        &[path],
        &Election::pemilu_2024(),
        &Options::default(),
        &Quiet,
    )
    .unwrap();
    assert_eq!(o.forms, 2);
    assert_eq!(o.files[0].format, "xlsx");
    let codes: Vec<(u64, Code)> = o.flags.iter().map(|f| (f.line, f.code())).collect();
    assert!(codes.contains(&(3, Code::UsedNotVoters)), "{codes:?}");
    assert!(codes.iter().all(|(l, _)| *l == 3), "{codes:?}");
}

#[test]
fn a_previous_turnout_table_is_compared() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.csv");
    std::fs::write(
        &path,
        format!(
            "{}\n33.20.01.2001/001;ppwp;250;4;2;200;4;2;259;206;52;1;200;6;60;120;20\n",
            HEADER
        ),
    )
    .unwrap();
    let first = dir.path().join("first");
    run(
        std::slice::from_ref(&path),
        &Election::pemilu_2024(),
        &Options::default(),
        &first,
        &Quiet,
    )
    .unwrap();
    let second = dir.path().join("second");
    let s = run(
        &[path],
        &Election::pemilu_2024(),
        &Options {
            previous: Some(first.join("partisipasi.csv")),
            ..Options::default()
        },
        &second,
        &Quiet,
    )
    .unwrap();
    assert_eq!(s.turnout[0].previous_percent, Some(80.47));
    let text = std::fs::read_to_string(second.join("partisipasi.csv")).unwrap();
    assert!(text.contains(",80.47,,,80.47,0.00"), "{text}");
}
