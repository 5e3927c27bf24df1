//! Golden tests on small hand-made lists: every check fires on the row where it should and
//! nowhere else, across a semicolon CSV in Latin-1 and an XLSX with real date cells and a NIK
//! typed as a number; counts per district and village; masking; hostile inputs end with a
//! message naming the file, line and column.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use posko_core::Election;
use posko_dpt::{run, Options, Quiet};

/// Village codes: Kedung (33.20.01), Jepara district; 2001 and 2002 are real villages.
const CSV: &str = "\
NO;NKK;NIK;NAMA;TEMPAT_LAHIR;TGL_LAHIR;JK;STATUS_KAWIN;ALAMAT;KODE_DESA;TPS
1;3320010101100001;3320015708900003;SITI AMINAH;JEPARA;17-08-1990;P;S;DUKUH KRAJAN;33.20.01.2001;TPS 001
2;3320010101100002;332001170890001;BUDI SANTOSO;JEPARA;17/08/1990;L;S;DUKUH KRAJAN;33.20.01.2001;1
3;3320010101100003;9920011708900001;AGUS SALIM;JEPARA;1990-08-17;L;S;DUKUH KRAJAN;33.20.01.2001;2
4;3320010101100004;3320013213900001;DEDI KURNIAWAN;JEPARA;17-08-1990;L;K;DUKUH KRAJAN;33.20.01.2001;2
5;3320010101100005;3320011708900002;RINA LESTARI;JEPARA;17-08-1990;P;S;DUKUH KRAJAN;33.20.01.2001;2
6;3320010101100006;3320010103080001;ANDI PRATAMA;JEPARA;01-03-2008;L;B;DUKUH KRAJAN;33.20.01.2001;3
7;3320010101100007;3320014103080002;DEWI PUSPITA;JEPARA;01-03-2008;P;S;DUKUH KRAJAN;33.20.01.2001;3
8;3320010101100008;3320011402070001;FAJAR RAMADHAN;JEPARA;14-02-2007;L;B;DUKUH KRAJAN;33.20.01.2001;3
9;3320010101100001;3320015708900003;SITI AMINAH;JEPARA;17-08-1990;P;S;DUKUH KRAJAN;33.20.01.2002;1
10;3320010101100010;3320010305800001;Drs. Moh. Soedjono;JEPARA;03-05-1980;L;S;DUKUH WETAN;33.20.01.2001;4
11;3320010101100011;3320010503800007;MUHAMMAD SUJONO, S.Pd;JEPARA;05-03-1980;L;S;DUKUH KULON;33.20.01.2002;2
12;3320010101100012;3320011012850004;;JEPARA;10-12-1985;L;S;DUKUH KRAJAN;33.20.01.2001;4
13;3320010101100013;3320011012850005;HENDRA;JEPARA;17 Agustus 1985;L;S;DUKUH KRAJAN;33.20.01.2001;4
14;3320010101100014;3320011012850006;IMAM;JEPARA;10-12-1985;L;S;DUKUH KRAJAN;33.20.01.2999;4
15;3320010101100015;3320011012850007;JOKO
16;3320010101100016;9101011012850008;YOHANES WENDA;JAYAPURA;10-12-1985;L;S;DUKUH KRAJAN;33.20.01.2001;5
17;3320010101100017;3320011012850009;REN\u{e9} KUSUMA;JEPARA;10-12-1985;L;P;DUKUH KRAJAN;33.20.01.2001;5
18;3320010101100018;3320011012850010;SLAMET;JEPARA;10-12-1985;L;S;DUKUH KRAJAN;33.20.01.2001;5
19;3320010101100019;3320011012850011;SUGENG;JEPARA;10-12-1985;L;S;DUKUH KRAJAN;33.20.01.2001;5
";

/// Pemilu 2024 with a TPS capacity of 3, so that a small file can overfill one TPS (005).
fn election() -> Election {
    let mut e = Election::pemilu_2024();
    e.rules.max_voters_per_tps = 3;
    e
}

fn latin1(s: &str) -> Vec<u8> {
    s.chars().map(|c| c as u32 as u8).collect()
}

fn xlsx(path: &Path) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (c, h) in [
        "NIK",
        "NAMA",
        "TANGGAL_LAHIR",
        "JENIS_KELAMIN",
        "STATUS_KAWIN",
        "KODE_DESA",
        "TPS",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    // Row 2: the NIK of CSV line 4 (an exact duplicate across files), typed as a number.
    sheet.write_number(1, 0, 3320013213900001.0).unwrap();
    sheet.write_string(1, 1, "DEDI KURNIAWAN").unwrap();
    let d = ExcelDateTime::from_ymd(1990, 8, 17).unwrap();
    sheet.write_datetime_with_format(1, 2, &d, &date).unwrap();
    sheet.write_string(1, 3, "L").unwrap();
    sheet.write_string(1, 4, "S").unwrap();
    sheet.write_string(1, 5, "3320012002").unwrap();
    sheet.write_number(1, 6, 3.0).unwrap();
    // Row 3: clean, date as a real date cell.
    sheet.write_string(2, 0, "3320015712880001").unwrap();
    sheet.write_string(2, 1, "WULAN SARI").unwrap();
    let d = ExcelDateTime::from_ymd(1988, 12, 17).unwrap();
    sheet.write_datetime_with_format(2, 2, &d, &date).unwrap();
    sheet.write_string(2, 3, "P").unwrap();
    sheet.write_string(2, 4, "B").unwrap();
    sheet.write_string(2, 5, "33.20.01.2002").unwrap();
    sheet.write_string(2, 6, "3").unwrap();
    book.save(path).unwrap();
}

type Got = BTreeMap<(String, u64), Vec<String>>;

fn findings(out: &Path) -> (Got, Vec<Vec<String>>) {
    let mut got: Got = BTreeMap::new();
    let mut all = Vec::new();
    for e in std::fs::read_dir(out.join("kecamatan")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) != Some("csv") {
            continue;
        }
        let mut r = csv::Reader::from_path(&p).unwrap();
        for rec in r.records() {
            let rec = rec.unwrap();
            let file = Path::new(&rec[2])
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            let line: u64 = rec[3].parse().unwrap_or(0);
            got.entry((file, line))
                .or_default()
                .push(rec[0].to_string());
            all.push(rec.iter().map(String::from).collect());
        }
    }
    for v in got.values_mut() {
        v.sort();
    }
    (got, all)
}

fn setup(dir: &Path) -> (PathBuf, PathBuf) {
    let a = dir.join("dpt-kedung.csv");
    std::fs::write(&a, latin1(CSV)).unwrap();
    let b = dir.join("dpt-tambahan.xlsx");
    xlsx(&b);
    (a, b)
}

#[test]
fn every_check_fires_where_it_should_and_nowhere_else() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = setup(dir.path());
    let out = dir.path().join("hasil");
    let summary = run(&[a, b], &election(), &Options::default(), &out, &Quiet).unwrap();
    assert_eq!(summary.rows, 21);
    let (got, all) = findings(&out);
    let csv = |line: u64| ("dpt-kedung.csv".to_string(), line);
    let xl = |line: u64| ("dpt-tambahan.xlsx".to_string(), line);
    let mut want: Got = BTreeMap::new();
    let mut put = |k: (String, u64), codes: &[&str]| {
        want.insert(k, codes.iter().map(|s| s.to_string()).collect());
    };
    put(csv(2), &["NIK_GANDA"]);
    put(csv(3), &["NIK_FORMAT"]);
    put(csv(4), &["NIK_WILAYAH"]);
    put(csv(5), &["NIK_GANDA", "NIK_TANGGAL"]);
    put(csv(6), &["NIK_TIDAK_SESUAI"]);
    put(csv(7), &["BELUM_17"]);
    // csv(8): under 17 but married (S): eligible. csv(9): 17 exactly on polling day: eligible.
    put(csv(10), &["NIK_GANDA"]);
    put(csv(11), &["KEMUNGKINAN_GANDA"]);
    put(csv(12), &["KEMUNGKINAN_GANDA"]);
    put(csv(13), &["KOLOM_WAJIB_KOSONG"]);
    put(csv(14), &["NILAI_TIDAK_SAH"]);
    put(csv(15), &["WILAYAH_TIDAK_ADA"]);
    put(csv(16), &["BARIS_RUSAK"]);
    // csv(17): a pre-2022 Papua NIK (91.01, Merauke before the split) is known. csv(18): Latin-1 name is fine.
    put(xl(2), &["NIK_GANDA", "NIK_TANGGAL"]);
    // The TPS finding is about a TPS, not a row: no file, line 0.
    put((String::new(), 0), &["TPS_MELEBIHI_KAPASITAS"]);
    assert_eq!(got, want);

    let tps: Vec<&Vec<String>> = all
        .iter()
        .filter(|r| r[0] == "TPS_MELEBIHI_KAPASITAS")
        .collect();
    assert_eq!(
        (tps[0][5].as_str(), tps[0][7].as_str()),
        ("33.20.01.2001", "005")
    );
    // NIKs are masked: first 6 and last 2 digits.
    let dup = all
        .iter()
        .find(|r| r[0] == "NIK_GANDA" && r[3] == "2")
        .unwrap();
    assert_eq!(dup[8], "332001********03");
    let pair = all.iter().find(|r| r[0] == "KEMUNGKINAN_GANDA").unwrap();
    assert!(
        pair[10].contains("tanggal dan bulan lahir tertukar"),
        "{}",
        pair[10]
    );
    assert!(
        !pair[11].is_empty() && !pair[14].is_empty(),
        "score and cluster"
    );
    let latin = all.iter().any(|r| r[9] == "RENÉ KUSUMA");
    assert!(!latin, "a clean row has no finding");

    // Counts per district and village.
    let district = std::fs::read_to_string(out.join("ringkasan-kecamatan.csv")).unwrap();
    assert!(district.starts_with("kode_kecamatan,kecamatan,pemilih,NIK_FORMAT"));
    let kedung = district
        .lines()
        .find(|l| l.starts_with("33.20.01,"))
        .unwrap();
    // 19 rows with a known village (the broken row and the unknown village are not counted).
    assert!(
        kedung.starts_with("33.20.01,Kedung,19,1,1,2,1,1,4,2,1,1,1,0,0"),
        "{kedung}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(json["findings"]["NIK_GANDA"], 4);
    assert_eq!(json["tps_over_capacity"], 1);
    camat_xlsx_holds_the_csv(&out.join("kecamatan"), "33.20.01-kedung");
    assert!(out.join("kecamatan/tanpa-wilayah.csv").exists());
    // No spill files left behind.
    assert!(std::fs::read_dir(&out).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with(".posko-dpt")));
}

/// A district's XLSX holds the same rows as its CSV, cell for cell: line numbers, scores and
/// clusters as numbers (so that a spreadsheet sorts them as numbers), NIK and TPS as text.
fn camat_xlsx_holds_the_csv(dir: &Path, stem: &str) {
    use calamine::{Data, Reader};
    let csv: Vec<Vec<String>> = csv::Reader::from_path(dir.join(format!("{stem}.csv")))
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let mut book = calamine::open_workbook_auto(dir.join(format!("{stem}.xlsx"))).unwrap();
    let sheet = book.worksheet_range("Temuan").unwrap();
    let rows: Vec<&[Data]> = sheet.rows().skip(1).collect();
    assert_eq!(rows.len(), csv.len());
    let (mut numbers, mut scores) = (0, 0);
    for (x, c) in rows.iter().zip(&csv) {
        for (col, want) in c.iter().enumerate() {
            let got = x.get(col).cloned().unwrap_or(Data::Empty);
            match (col, &got) {
                (3 | 13 | 14, Data::Float(n)) => {
                    numbers += 1;
                    assert_eq!(n.to_string(), *want, "column {col}");
                }
                (11, Data::Float(n)) => {
                    scores += 1;
                    assert_eq!(format!("{n:.3}"), *want, "score");
                }
                (_, Data::String(t)) => assert_eq!(t, want, "column {col}"),
                (_, Data::Empty) => assert!(want.is_empty(), "column {col}: {want}"),
                _ => panic!("column {col}: {got:?} for {want}"),
            }
        }
    }
    assert!(
        numbers > csv.len() && scores > 0,
        "{numbers} numbers, {scores} scores"
    );
}

#[test]
fn full_nik_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = setup(dir.path());
    let out = dir.path().join("hasil");
    let opts = Options {
        full_nik: true,
        ..Options::default()
    };
    run(&[a], &election(), &opts, &out, &Quiet).unwrap();
    let (_, all) = findings(&out);
    assert!(all.iter().any(|r| r[8] == "3320015708900003"));
}

#[test]
fn hostile_inputs_end_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hasil");
    let e = election();
    let try_file = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        run(&[p], &e, &Options::default(), &out, &Quiet)
    };
    let msg = try_file("kosong.csv", b"").unwrap_err().to_string();
    assert!(
        msg.contains("kosong.csv") && msg.contains("berkas kosong"),
        "{msg}"
    );
    let msg = try_file("utf16.csv", b"\xff\xfeN\0I\0K\0")
        .unwrap_err()
        .to_string();
    assert!(msg.contains("UTF-16"), "{msg}");
    let msg = try_file("acak.csv", &[0x00, 0x9f, 0x92, 0x96, b'\n', 0xff])
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("acak.csv, baris 1") && msg.contains("kolom NIK"),
        "{msg}"
    );
    let msg = try_file("rusak.xlsx", b"PK\x03\x04 not really a zip")
        .unwrap_err()
        .to_string();
    assert!(msg.contains("rusak.xlsx"), "{msg}");
    // Found by the fuzz target: a cell naming a shared string past the table made calamine
    // panic, which ended the whole run.
    let msg = try_file(
        "string-bersama.xlsx",
        include_bytes!("data/shared-string-out-of-range.xlsx"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        msg.contains("string-bersama.xlsx") && msg.contains("XLSX rusak"),
        "{msg}"
    );

    // A huge field and an unclosed quote: findings with line and column, and the run ends.
    let mut body = b"NIK,NAMA,TANGGAL_LAHIR,JENIS_KELAMIN,KODE_DESA,TPS\n".to_vec();
    body.extend_from_slice(b"3320015708900003,SITI,17-08-1990,P,3320012001,1\n");
    body.extend_from_slice(b"3320015708900004,");
    body.extend(std::iter::repeat_n(b'X', 100_000));
    body.extend_from_slice(b",17-08-1990,P,3320012001,1\n");
    body.extend_from_slice(b"3320015708900005,\"BUDI,17-08-1990,L,3320012001,1\n");
    for _ in 0..20_000 {
        body.extend_from_slice(&[b'y'; 999]);
        body.push(b'\n');
    }
    let s = try_file("kutip.csv", &body).unwrap();
    assert_eq!(s.findings.get("BARIS_RUSAK"), Some(&2));
    assert_eq!(s.read_errors.len(), 1);
    assert!(
        s.read_errors[0].contains("kutip.csv, baris 4, kolom 1"),
        "{}",
        s.read_errors[0]
    );
    let (got, _) = findings(&out);
    assert!(got.contains_key(&("kutip.csv".to_string(), 3)), "{got:?}");
    assert!(got.contains_key(&("kutip.csv".to_string(), 4)));

    let msg = run(&[], &e, &Options::default(), &out, &Quiet)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("tidak ada berkas"));
}

#[test]
fn crlf_line_ends_and_blank_lines_keep_every_finding_on_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("dpt-kedung.csv");
    std::fs::write(&plain, latin1(CSV)).unwrap();
    let out = dir.path().join("lf");
    run(&[plain], &election(), &Options::default(), &out, &Quiet).unwrap();
    let (lf, _) = findings(&out);
    // As Excel saves it (CRLF), with a blank line after the header: one line further down.
    let other = tempfile::tempdir().unwrap();
    let crlf = other.path().join("dpt-kedung.csv");
    let text = CSV.replacen('\n', "\n\n", 1).replace('\n', "\r\n");
    std::fs::write(&crlf, latin1(&text)).unwrap();
    let out = other.path().join("crlf");
    run(&[crlf], &election(), &Options::default(), &out, &Quiet).unwrap();
    let (got, _) = findings(&out);
    let want: Got = lf
        .into_iter()
        .map(|((f, l), v)| ((f, if l > 0 { l + 1 } else { 0 }), v))
        .collect();
    assert_eq!(got, want);
}
