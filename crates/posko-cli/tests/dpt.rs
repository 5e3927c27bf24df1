//! End to end on the real binary: `posko demo dpt` writes a list and its truth file
//! deterministically; `posko dpt check` reads it, writes the per-district files and
//! summary.json, prints the summary (or JSON), keeps NIKs and names out of its messages, and
//! refuses bad arguments and missing files with a message in Bahasa Indonesia and English.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

fn posko(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_posko"))
        .args(args)
        .current_dir(dir)
        .env_remove("POSKO_DATABASE_URL")
        .output()
        .expect("run posko")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn demo_then_check() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let gen = |name: &str| {
        let o = posko(
            d,
            &[
                "demo",
                "dpt",
                "--rows",
                "20000",
                "--seed",
                "7",
                "--out",
                name,
                "--truth",
                &format!("{name}.truth"),
            ],
        );
        assert!(o.status.success(), "{}", text(&o.stderr));
        o
    };
    let o = gen("a.csv");
    assert!(text(&o.stderr).contains("KEMUNGKINAN_GANDA"));
    gen("b.csv");
    let a = std::fs::read(d.join("a.csv")).unwrap();
    assert_eq!(
        a,
        std::fs::read(d.join("b.csv")).unwrap(),
        "deterministic for a seed"
    );
    assert_eq!(
        std::fs::read(d.join("a.csv.truth")).unwrap(),
        std::fs::read(d.join("b.csv.truth")).unwrap()
    );
    assert_eq!(text(&a).lines().count(), 20_001);

    let o = posko(
        d,
        &[
            "dpt",
            "check",
            "a.csv",
            "--pemilihan",
            "pemilu-2024",
            "--out",
            "hasil",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["rows"], 20_000);
    assert_eq!(json["election"], "pemilu-2024");
    assert_eq!(json["nik_masked"], true);
    assert!(json["findings"]["NIK_GANDA"].as_u64().unwrap() > 0);
    assert!(json["findings"]["KEMUNGKINAN_GANDA"].as_u64().unwrap() > 0);
    assert!(json["findings"]["BELUM_17"].as_u64().unwrap() > 0);
    assert!(!json["districts"].as_array().unwrap().is_empty());
    for f in [
        "summary.json",
        "ringkasan-kecamatan.csv",
        "ringkasan-desa.csv",
    ] {
        assert!(d.join("hasil").join(f).exists(), "{f}");
    }
    let per_district: Vec<_> = std::fs::read_dir(d.join("hasil/kecamatan"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(per_district.iter().any(|f| f.ends_with(".xlsx")));
    assert!(per_district.iter().any(|f| f.ends_with(".csv")));
    // Not a terminal: no progress bar, and nothing personal on stderr.
    let err = text(&o.stderr);
    assert!(!err.contains("baris/detik"), "{err}");
    let second_row = text(&a).lines().nth(1).unwrap().to_string();
    let nik = second_row.split(',').nth(2).unwrap();
    let name = second_row.split(',').nth(3).unwrap();
    assert!(!err.contains(nik) && !text(&o.stdout).contains(nik));
    assert!(!err.contains(name));
    // Masked NIKs in the camat's files.
    let some_csv = per_district.iter().find(|f| f.ends_with(".csv")).unwrap();
    let body = std::fs::read_to_string(d.join("hasil/kecamatan").join(some_csv)).unwrap();
    assert!(body.contains("********"));

    // Human summary with the stable codes and their Indonesian titles.
    let o = posko(
        d,
        &["dpt", "check", "a.csv", "--out", "hasil2", "--nik-lengkap"],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("20000 baris diperiksa"), "{out}");
    assert!(
        out.contains("NIK_GANDA") && out.contains("NIK ganda"),
        "{out}"
    );
}

#[test]
fn refusals_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = posko(d, &["dpt", "check", "tidak-ada.csv", "--out", "hasil"]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(
        err.contains("tidak-ada.csv: berkas tidak ditemukan (file not found)"),
        "{err}"
    );

    std::fs::write(d.join("a.csv"), "NIK,NAMA\n1,2\n").unwrap();
    let o = posko(
        d,
        &[
            "dpt",
            "check",
            "a.csv",
            "--out",
            "hasil",
            "--pemilihan",
            "pemilu-2099",
        ],
    );
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("pemilihan 'pemilu-2099' tidak dikenal"));

    let o = posko(d, &["dpt", "check", "a.csv", "--out", "hasil"]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(
        err.contains("a.csv, baris 1") && err.contains("TANGGAL_LAHIR"),
        "{err}"
    );

    let o = posko(
        d,
        &[
            "dpt", "check", "a.csv", "--out", "hasil", "--kolom", "FOO=BAR",
        ],
    );
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("--kolom 'FOO=BAR' tidak dikenal"));

    std::fs::write(d.join("kosong.csv"), "").unwrap();
    let o = posko(d, &["dpt", "check", "kosong.csv", "--out", "hasil"]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("kosong.csv: berkas kosong"));

    let o = posko(
        d,
        &[
            "demo", "dpt", "--rows", "0", "--out", "x.csv", "--truth", "t.csv",
        ],
    );
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("jumlah baris harus lebih dari 0"));
}

#[test]
fn operator_names_columns() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("lain.csv"),
        "NOMOR_INDUK|NAMA|LAHIR|JK|KAWIN|DESA|NO_TPS\n\
         3320015708900003|SITI|17-08-1990|P|K|33.20.01.2001|1\n\
         3320010103080001|ANDI|01-03-2008|L|X|33.20.01.2001|1\n",
    )
    .unwrap();
    let o = posko(
        d,
        &[
            "dpt",
            "check",
            "lain.csv",
            "--out",
            "hasil",
            "--json",
            "--kolom",
            "NIK=NOMOR_INDUK",
            "--kolom",
            "TANGGAL_LAHIR=LAHIR",
            "--kolom",
            "KODE_DESA=DESA",
            "--kode-kawin",
            "X=S",
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["rows"], 2);
    // ANDI is 15 but "X" is mapped to married: eligible. "K" is read as kawin.
    assert_eq!(json["findings"], serde_json::json!({}));
}
