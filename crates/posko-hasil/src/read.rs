//! Reading result forms: the header of a CSV (any of `,` `;` TAB `|`, UTF-8 or Latin-1) or of the
//! first sheet of an XLSX is mapped to the form's fields by the names offices use, and each row
//! is parsed into a `ResultForm`. A row that cannot be parsed is a [`RowError`] naming the column;
//! a header without a required column is a [`HeaderError`]. Neither stops the run.
//!
//! Candidate or party votes come either as one column per candidate (`suara_1`, `suara_2`, … or
//! `calon_1`, `partai_1`, `paslon_1`) or as one column holding them all (`suara_calon`:
//! `60|120|20`).

use std::path::Path;

use calamine::{Data, Reader};
use csv::ByteRecord;
use posko_core::results::{ByList, Papers, ResultForm};
use posko_core::workbook::guarded;
use posko_core::{BallotType, RegionCode, TpsId, TpsNumber};

use crate::split::Row;

/// The fields of a form, each with the header names accepted for it (normalised: lower case,
/// separators as `_`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Tps,
    Village,
    Number,
    Ballot,
    Dpt,
    Dptb,
    Dpk,
    VotedDpt,
    VotedDptb,
    VotedDpk,
    Received,
    Used,
    Unused,
    Damaged,
    Valid,
    Invalid,
    VoteList,
}

impl Field {
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Tps => &["kode_tps", "tps_id", "id_tps"],
            Field::Village => &[
                "kode_desa",
                "kode_kelurahan",
                "kode_desa_kelurahan",
                "kode_wilayah",
            ],
            Field::Number => &["nomor_tps", "no_tps", "tps"],
            Field::Ballot => &[
                "jenis",
                "jenis_surat_suara",
                "surat_suara",
                "jenis_pemilihan",
                "ballot",
            ],
            Field::Dpt => &["dpt", "pemilih_dpt", "jumlah_dpt"],
            Field::Dptb => &["dptb", "pemilih_dptb", "jumlah_dptb"],
            Field::Dpk => &["dpk", "pemilih_dpk", "jumlah_dpk"],
            Field::VotedDpt => &["pengguna_dpt", "pengguna_hak_pilih_dpt", "memilih_dpt"],
            Field::VotedDptb => &["pengguna_dptb", "pengguna_hak_pilih_dptb", "memilih_dptb"],
            Field::VotedDpk => &["pengguna_dpk", "pengguna_hak_pilih_dpk", "memilih_dpk"],
            Field::Received => &["surat_diterima", "surat_suara_diterima", "diterima"],
            Field::Used => &["surat_digunakan", "surat_suara_digunakan", "digunakan"],
            Field::Unused => &[
                "surat_tidak_digunakan",
                "surat_suara_tidak_digunakan",
                "tidak_digunakan",
            ],
            Field::Damaged => &[
                "surat_rusak",
                "surat_suara_rusak",
                "rusak",
                "surat_dikembalikan",
            ],
            Field::Valid => &["suara_sah", "jumlah_suara_sah", "sah"],
            Field::Invalid => &["suara_tidak_sah", "jumlah_suara_tidak_sah", "tidak_sah"],
            Field::VoteList => &["suara_calon", "suara_partai", "perolehan_suara"],
        }
    }

    /// The name written in outputs and error messages.
    pub fn label(self) -> &'static str {
        self.aliases()[0]
    }

    const COUNTS: [Field; 12] = [
        Field::Dpt,
        Field::Dptb,
        Field::Dpk,
        Field::VotedDpt,
        Field::VotedDptb,
        Field::VotedDpk,
        Field::Received,
        Field::Used,
        Field::Unused,
        Field::Damaged,
        Field::Valid,
        Field::Invalid,
    ];
}

/// The header names a results file is written with (the generator's and the template's).
pub fn standard_header(candidates: usize) -> Vec<String> {
    let mut h: Vec<String> = [Field::Tps, Field::Ballot]
        .into_iter()
        .chain(Field::COUNTS)
        .map(|f| f.label().to_string())
        .collect();
    h.extend((1..=candidates).map(|i| format!("suara_{i}")));
    h
}

/// Lower case, runs of anything but letters and digits as one `_`, no BOM.
pub fn normalise_header(h: &str) -> String {
    let lower = h.trim().trim_start_matches('\u{feff}').to_lowercase();
    let mut out = String::with_capacity(lower.len());
    for ch in lower.chars() {
        if ch.is_alphanumeric() {
            out.push(ch);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// Why a header cannot be read as a results file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error(
        "kolom wajib tidak ada: {missing}; kolom yang ada: {found} \
         (required columns missing; found columns listed)"
    )]
    Missing { missing: String, found: String },
    #[error(
        "tidak ada kolom suara calon/partai: tambahkan suara_1, suara_2, … atau suara_calon \
         (no candidate vote columns: add suara_1, suara_2, … or suara_calon)"
    )]
    NoVotes,
}

/// Where the TPS is named.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TpsColumns {
    Whole(usize),
    Split { village: usize, number: usize },
}

/// Where the votes are.
#[derive(Debug, Clone, PartialEq, Eq)]
enum VoteColumns {
    /// One column per candidate, in candidate order.
    Wide(Vec<usize>),
    /// One column, `|`-separated (also `;` or space).
    List(usize),
}

/// A header mapped to the form's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    names: Vec<String>,
    tps: TpsColumns,
    ballot: usize,
    counts: [usize; 12],
    votes: VoteColumns,
}

/// A row that could not be read: the column (as the file names it) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub column: String,
    pub message: String,
    pub message_en: String,
}

/// The number of a `suara_7` / `calon_7` / `partai_7` / `paslon_7` / `7` header.
fn candidate_number(h: &str) -> Option<u32> {
    let digits = [
        "suara_",
        "calon_",
        "partai_",
        "paslon_",
        "suara_calon_",
        "suara_partai_",
    ]
    .iter()
    .find_map(|p| h.strip_prefix(p))
    .unwrap_or(h);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n >= 1)
}

impl Layout {
    pub fn from_header(headers: &[String]) -> Result<Layout, HeaderError> {
        let norm: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
        let find = |f: Field| {
            f.aliases()
                .iter()
                .find_map(|a| norm.iter().position(|h| h == a))
        };
        let mut missing = Vec::new();
        let tps = match (find(Field::Tps), find(Field::Village), find(Field::Number)) {
            (Some(t), _, _) => TpsColumns::Whole(t),
            (None, Some(v), Some(n)) => TpsColumns::Split {
                village: v,
                number: n,
            },
            _ => {
                missing.push("kode_tps (atau kode_desa + nomor_tps)");
                TpsColumns::Whole(0)
            }
        };
        let ballot = find(Field::Ballot).unwrap_or_else(|| {
            missing.push(Field::Ballot.label());
            0
        });
        let mut counts = [0usize; 12];
        for (slot, f) in counts.iter_mut().zip(Field::COUNTS) {
            match find(f) {
                Some(i) => *slot = i,
                None => missing.push(f.label()),
            }
        }
        if !missing.is_empty() {
            return Err(HeaderError::Missing {
                missing: missing.join(", "),
                found: headers.join(", "),
            });
        }
        let votes = if let Some(i) = find(Field::VoteList) {
            VoteColumns::List(i)
        } else {
            let mut wide: Vec<(u32, usize)> = norm
                .iter()
                .enumerate()
                .filter_map(|(i, h)| candidate_number(h).map(|n| (n, i)))
                .collect();
            if wide.is_empty() {
                return Err(HeaderError::NoVotes);
            }
            wide.sort();
            VoteColumns::Wide(wide.into_iter().map(|(_, i)| i).collect())
        };
        Ok(Layout {
            names: headers.iter().map(|h| h.trim().to_string()).collect(),
            tps,
            ballot,
            counts,
            votes,
        })
    }

    fn name(&self, i: usize) -> String {
        self.names.get(i).cloned().unwrap_or_default()
    }

    /// Parses one row into `form` (whose vote vector is reused). `cache` keeps the last village
    /// parsed, since files list a village's TPS together.
    pub fn parse_row(
        &self,
        rec: &impl Row,
        form: &mut ResultForm,
        cache: &mut Option<(Vec<u8>, RegionCode)>,
    ) -> Result<(), RowError> {
        let field = |i: usize| trim(rec.cell(i));
        let err = |i: usize, id: String, en: String| RowError {
            column: self.name(i),
            message: id,
            message_en: en,
        };
        let (village_col, village_bytes, number_col, number_bytes) = match &self.tps {
            TpsColumns::Whole(i) => {
                let t = field(*i);
                let Some(slash) = t.iter().position(|b| *b == b'/') else {
                    return Err(err(
                        *i,
                        format!(
                            "kode TPS '{}' tidak sah: gunakan bentuk 33.20.01.2001/001",
                            lossy(t)
                        ),
                        "invalid TPS code: use 33.20.01.2001/001".into(),
                    ));
                };
                (*i, &t[..slash], *i, &t[slash + 1..])
            }
            TpsColumns::Split { village, number } => {
                (*village, field(*village), *number, field(*number))
            }
        };
        let village = match cache {
            Some((bytes, code)) if bytes.as_slice() == village_bytes => *code,
            _ => {
                let text = std::str::from_utf8(village_bytes).unwrap_or("");
                let code = RegionCode::parse(text)
                    .map_err(|e| err(village_col, e.to_string(), "invalid village code".into()))?;
                *cache = Some((village_bytes.to_vec(), code));
                code
            }
        };
        let number = TpsNumber::parse(std::str::from_utf8(number_bytes).unwrap_or(""))
            .map_err(|e| err(number_col, e.to_string(), "invalid TPS number".into()))?;
        form.tps = TpsId::new(village, number)
            .map_err(|e| err(village_col, e.to_string(), "not a village code".into()))?;
        let b = field(self.ballot);
        form.ballot = parse_ballot(b).ok_or_else(|| {
            err(
                self.ballot,
                format!(
                    "jenis surat suara '{}' tidak dikenal; gunakan ppwp, dpr, dpd, dprd_provinsi, \
                     dprd_kab_kota, gubernur atau bupati_walikota",
                    lossy(b)
                ),
                "unknown ballot type".into(),
            )
        })?;
        let mut n = [0u32; 12];
        for (slot, &i) in n.iter_mut().zip(&self.counts) {
            *slot = count(field(i)).map_err(|why| {
                err(
                    i,
                    format!("'{}': {}", lossy(field(i)), why.0),
                    why.1.to_string(),
                )
            })?;
        }
        form.registered = ByList {
            dpt: n[0],
            dptb: n[1],
            dpk: n[2],
        };
        form.voted = ByList {
            dpt: n[3],
            dptb: n[4],
            dpk: n[5],
        };
        form.papers = Papers {
            received: n[6],
            used: n[7],
            unused: n[8],
            damaged: n[9],
        };
        form.valid = n[10];
        form.invalid = n[11];
        form.votes.clear();
        match &self.votes {
            VoteColumns::Wide(cols) => {
                // Blank cells after the last candidate are how shorter ballots end; a blank
                // between two counts is a zero.
                let last = cols.iter().rposition(|&i| !field(i).is_empty());
                if let Some(last) = last {
                    for &i in &cols[..=last] {
                        let f = field(i);
                        let v = if f.is_empty() {
                            0
                        } else {
                            count(f).map_err(|why| {
                                err(i, format!("'{}': {}", lossy(f), why.0), why.1.to_string())
                            })?
                        };
                        form.votes.push(v);
                    }
                }
            }
            VoteColumns::List(i) => {
                let f = field(*i);
                for part in f
                    .split(|b| matches!(b, b'|' | b';' | b' '))
                    .filter(|p| !p.is_empty())
                {
                    let v = count(part).map_err(|why| {
                        err(
                            *i,
                            format!("'{}': {}", lossy(part), why.0),
                            why.1.to_string(),
                        )
                    })?;
                    form.votes.push(v);
                }
            }
        }
        Ok(())
    }
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end]
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).chars().take(40).collect()
}

/// A count on a form: digits only, at most 9 of them (no TPS has a billion voters).
fn count(b: &[u8]) -> Result<u32, (&'static str, &'static str)> {
    if b.is_empty() {
        return Err((
            "kosong, isi dengan angka (empty: write a number)",
            "empty: write a number",
        ));
    }
    if b.len() > 9 || !b.iter().all(u8::is_ascii_digit) {
        return Err((
            "bukan bilangan bulat tak negatif",
            "not a whole non-negative number",
        ));
    }
    Ok(b.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
}

/// A ballot type by its stable name or a common spelling (`PPWP`, `DPRD Prov`, `DPRD Kab/Kota`).
pub fn parse_ballot(b: &[u8]) -> Option<BallotType> {
    let s = normalise_header(std::str::from_utf8(b).ok()?);
    if let Some(t) = BallotType::parse(&s) {
        return Some(t);
    }
    Some(match s.as_str() {
        "presiden" | "pilpres" | "pres" => BallotType::Ppwp,
        "dpr_ri" => BallotType::Dpr,
        "dpd_ri" => BallotType::Dpd,
        "dprd_prov" | "dprd_i" | "dprd_provinsi_" => BallotType::DprdProvinsi,
        "dprd_kab"
        | "dprd_kota"
        | "dprd_kabupaten"
        | "dprd_kabupaten_kota"
        | "dprd_kab_kot"
        | "dprd_ii" => BallotType::DprdKabKota,
        "pilgub" | "gubernur_wakil_gubernur" => BallotType::Gubernur,
        "bupati" | "walikota" | "wali_kota" | "pilbup" | "pilwalkot" | "bupati_wali_kota" => {
            BallotType::BupatiWalikota
        }
        _ => return None,
    })
}

/// Picks the delimiter that splits the header line into the most fields.
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    let line = head.split(|b| *b == b'\n').next().unwrap_or(head);
    [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| line.iter().filter(|b| *b == d).count())
        .unwrap_or(b',')
}

/// Header cells from raw bytes: UTF-8 when it is, Latin-1 otherwise.
pub fn decode(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => b.iter().map(|&c| c as char).collect(),
    }
}

pub fn is_sheet(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref(),
        Some("xlsx" | "xlsm" | "xls" | "ods")
    )
}

/// The first sheet of a workbook as rows of text cells with their row numbers (1-based).
pub fn read_sheet(path: &Path) -> Result<Vec<(u64, ByteRecord)>, String> {
    guarded(|| sheet_rows(calamine::open_workbook_auto(path).map_err(|e| e.to_string())?))
}

/// The same for a workbook held in memory (an upload).
pub fn read_sheet_bytes(bytes: &[u8]) -> Result<Vec<(u64, ByteRecord)>, String> {
    guarded(|| {
        let book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
            .map_err(|e| e.to_string())?;
        sheet_rows(book)
    })
}

fn sheet_rows<RS: std::io::Read + std::io::Seek>(
    mut book: calamine::Sheets<RS>,
) -> Result<Vec<(u64, ByteRecord)>, String> {
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| "tidak ada lembar kerja (no worksheet)".to_string())?
        .map_err(|e| e.to_string())?;
    let first = range.start().map(|(r, _)| u64::from(r) + 1).unwrap_or(1);
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut rec = ByteRecord::new();
            for c in cells {
                rec.push_field(cell_text(c).as_bytes());
            }
            (first + i as u64, rec)
        })
        .filter(|(_, r)| r.iter().any(|f| !f.is_empty()))
        .collect())
}

/// A cell as a CSV would carry it: whole numbers without a decimal point.
fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.as_f64().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workbook calamine panics on (found by the DPT fuzz target) is an error, not a crash.
    #[test]
    fn a_workbook_the_reader_panics_on_is_an_error() {
        let bytes = include_bytes!("../../posko-dpt/tests/data/shared-string-out-of-range.xlsx");
        let e = read_sheet_bytes(bytes).unwrap_err();
        assert!(e.contains("XLSX rusak"), "{e}");
    }

    fn layout(h: &str) -> Layout {
        let hs: Vec<String> = h.split(',').map(String::from).collect();
        Layout::from_header(&hs).unwrap()
    }

    fn empty_form() -> ResultForm {
        ResultForm {
            tps: TpsId::parse("11.01.01.2001/001").unwrap(),
            ballot: BallotType::Ppwp,
            registered: ByList::default(),
            voted: ByList::default(),
            papers: Papers::default(),
            votes: Vec::new(),
            valid: 0,
            invalid: 0,
        }
    }

    #[test]
    fn reads_the_standard_layout_and_short_ballots() {
        let l = layout(&standard_header(4).join(","));
        let rec = ByteRecord::from(vec![
            "33.20.01.2001/001",
            "PPWP",
            "250",
            "4",
            "2",
            "200",
            "4",
            "2",
            "259",
            "206",
            "52",
            "1",
            "200",
            "6",
            "60",
            "120",
            "20",
            "",
        ]);
        let mut f = empty_form();
        l.parse_row(&rec, &mut f, &mut None).unwrap();
        assert_eq!(f.tps.to_string(), "33.20.01.2001/001");
        assert_eq!(f.ballot, BallotType::Ppwp);
        assert_eq!(f.votes, [60, 120, 20]);
        assert_eq!(
            (f.registered.dpk, f.voted.dpt, f.papers.damaged),
            (2, 200, 1)
        );
    }

    #[test]
    fn reads_split_tps_columns_and_a_vote_list_in_any_order() {
        let l = layout("Suara Sah,Kode Desa,No TPS,Jenis Surat Suara,DPT,DPTb,DPK,Pengguna DPT,Pengguna DPTb,Pengguna DPK,Surat Diterima,Surat Digunakan,Surat Tidak Digunakan,Surat Rusak,Suara Tidak Sah,Suara Calon");
        let rec = ByteRecord::from(vec![
            "200",
            "3320012001",
            "TPS 7",
            "DPRD Kab/Kota",
            "250",
            "4",
            "2",
            "200",
            "4",
            "2",
            "259",
            "206",
            "52",
            "1",
            "6",
            "60|120|20",
        ]);
        let mut f = empty_form();
        l.parse_row(&rec, &mut f, &mut None).unwrap();
        assert_eq!(f.tps.to_string(), "33.20.01.2001/007");
        assert_eq!(f.ballot, BallotType::DprdKabKota);
        assert_eq!(f.votes, [60, 120, 20]);
        assert_eq!(f.valid, 200);
    }

    #[test]
    fn a_bad_cell_names_its_column() {
        let l = layout(&standard_header(3).join(","));
        let mut f = empty_form();
        let mut row = vec![
            "33.20.01.2001/001",
            "dpr",
            "250",
            "4",
            "2",
            "2x0",
            "4",
            "2",
            "259",
            "206",
            "52",
            "1",
            "200",
            "6",
            "60",
            "120",
            "20",
        ];
        let e = l
            .parse_row(&ByteRecord::from(row.clone()), &mut f, &mut None)
            .unwrap_err();
        assert_eq!(e.column, "pengguna_dpt");
        assert!(e.message.contains("2x0"), "{}", e.message);
        row[5] = "200";
        row[1] = "DPRK";
        let e = l
            .parse_row(&ByteRecord::from(row.clone()), &mut f, &mut None)
            .unwrap_err();
        assert_eq!(e.column, "jenis");
        row[1] = "dpr";
        row[0] = "33.20.01/001";
        let e = l
            .parse_row(&ByteRecord::from(row), &mut f, &mut None)
            .unwrap_err();
        assert_eq!(e.column, "kode_tps");
    }

    #[test]
    fn a_header_without_required_columns_says_which() {
        let hs: Vec<String> = ["kode_tps", "jenis", "dpt", "suara_1"]
            .map(String::from)
            .to_vec();
        match Layout::from_header(&hs) {
            Err(HeaderError::Missing { missing, .. }) => {
                assert!(missing.contains("pengguna_dpt"), "{missing}");
                assert!(!missing.contains("kode_tps"), "{missing}");
            }
            other => panic!("{other:?}"),
        }
    }
}
