//! Findings: what the engine reports about a voter list, each with a stable code (used in files,
//! `summary.json` and by anyone who translates them) and a message in Bahasa Indonesia. The
//! codes are documented here and in the README's DPT section; never rename one.

use serde::{Deserialize, Serialize};

/// The stable codes of findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Code {
    /// NIK is not 16 digits (or its serial is 0000).
    NikFormat,
    /// NIK's `PPKKCC` prefix is no district, current or pre-2022 Papua.
    NikWilayah,
    /// NIK's encoded birth date (day, +40 for women) is not a real date.
    NikTanggal,
    /// NIK's date or sex disagrees with the stated birth date or sex.
    NikTidakSesuai,
    /// Under 17 on polling day and not (ever) married: not eligible.
    Belum17,
    /// The same NIK on another row (in this or another file).
    NikGanda,
    /// Probably the same person as another row under a different NIK or spelling.
    KemungkinanGanda,
    /// A TPS has more voters than the election allows.
    TpsMelebihiKapasitas,
    /// A required field is empty.
    KolomWajibKosong,
    /// A field's value cannot be read (date, sex, marital status, TPS number).
    NilaiTidakSah,
    /// The village code is no village of the atlas.
    WilayahTidakAda,
    /// The row itself is broken (wrong number of fields, an unclosed quote, a huge field).
    BarisRusak,
}

pub const ALL_CODES: [Code; 12] = [
    Code::NikFormat,
    Code::NikWilayah,
    Code::NikTanggal,
    Code::NikTidakSesuai,
    Code::Belum17,
    Code::NikGanda,
    Code::KemungkinanGanda,
    Code::TpsMelebihiKapasitas,
    Code::KolomWajibKosong,
    Code::NilaiTidakSah,
    Code::WilayahTidakAda,
    Code::BarisRusak,
];

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::NikFormat => "NIK_FORMAT",
            Code::NikWilayah => "NIK_WILAYAH",
            Code::NikTanggal => "NIK_TANGGAL",
            Code::NikTidakSesuai => "NIK_TIDAK_SESUAI",
            Code::Belum17 => "BELUM_17",
            Code::NikGanda => "NIK_GANDA",
            Code::KemungkinanGanda => "KEMUNGKINAN_GANDA",
            Code::TpsMelebihiKapasitas => "TPS_MELEBIHI_KAPASITAS",
            Code::KolomWajibKosong => "KOLOM_WAJIB_KOSONG",
            Code::NilaiTidakSah => "NILAI_TIDAK_SAH",
            Code::WilayahTidakAda => "WILAYAH_TIDAK_ADA",
            Code::BarisRusak => "BARIS_RUSAK",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// What the finding means, for the camat (Bahasa Indonesia).
    pub fn title(self) -> &'static str {
        match self {
            Code::NikFormat => "NIK tidak 16 angka",
            Code::NikWilayah => "kode wilayah NIK tidak dikenal",
            Code::NikTanggal => "tanggal lahir dalam NIK tidak sah",
            Code::NikTidakSesuai => "NIK tidak sesuai tanggal lahir atau jenis kelamin",
            Code::Belum17 => "belum 17 tahun dan belum pernah kawin pada hari pemungutan suara",
            Code::NikGanda => "NIK ganda",
            Code::KemungkinanGanda => "kemungkinan pemilih ganda dengan NIK/ejaan lain",
            Code::TpsMelebihiKapasitas => "jumlah pemilih TPS melebihi batas",
            Code::KolomWajibKosong => "kolom wajib kosong",
            Code::NilaiTidakSah => "nilai kolom tidak dapat dibaca",
            Code::WilayahTidakAda => "kode desa/kelurahan tidak ada",
            Code::BarisRusak => "baris rusak",
        }
    }
}

/// One finding about one row (or, for TPS capacity, about one TPS: then `line` is 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub code: Code,
    /// Index into the run's list of input files.
    pub file: u16,
    /// 1-based line in the file (the header is line 1 in a CSV), 0 when not about a row.
    pub line: u64,
    /// The column concerned, by its header name, when there is one.
    pub column: Option<String>,
    /// Village number (3320012001) or 0 when unknown.
    pub village: u64,
    pub tps: u16,
    /// The NIK as written (masked on output unless the operator asks otherwise).
    pub nik: String,
    pub name: String,
    /// What exactly is wrong, in Bahasa Indonesia.
    pub detail: String,
    /// For probable duplicates: the score, the other row and the cluster.
    pub score: Option<f32>,
    pub other: Option<(u16, u64)>,
    pub cluster: Option<u64>,
}

impl Finding {
    /// A finding with only its code, place in the input and detail; the rest empty.
    pub fn at(code: Code, file: u16, line: u64, detail: String) -> Finding {
        Finding {
            code,
            file,
            line,
            column: None,
            village: 0,
            tps: 0,
            nik: String::new(),
            name: String::new(),
            detail,
            score: None,
            other: None,
            cluster: None,
        }
    }
}

/// Masks a NIK for people: the first 6 and last 2 characters stay, the rest become `*`.
pub fn mask_nik(nik: &str) -> String {
    let chars: Vec<char> = nik.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < 6 || i >= chars.len() - 2 {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for (i, c) in ALL_CODES.iter().enumerate() {
            assert_eq!(c.index(), i);
            assert!(seen.insert(c.as_str()));
            assert!(c
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b == b'_' || b.is_ascii_digit()));
        }
    }

    #[test]
    fn masking() {
        assert_eq!(mask_nik("3320015708900003"), "332001********03");
        assert_eq!(mask_nik("12345"), "*****");
        assert_eq!(mask_nik("332001570890000"), "332001*******00");
    }
}
