//! The checks on one row, pure: which columns mean what (the usual KPU header names, or the
//! operator's), and what is wrong with a row (NIK structure and agreement, eligibility on
//! polling day, required fields, region). The row's compact `Voter` goes on to the duplicate
//! stages (dup.rs). Rows arrive as byte records so that only the mapped columns are decoded.

use std::borrow::Cow;

use crate::date::{parse_date, Ymd};
use crate::finding::{Code, Finding};
use crate::name::{fnv, normalize, normalize_remembered};
use crate::nik::{self, NikError, Prefixes, Sex};
use crate::region::{parse_village, RegionIndex};

/// The columns the engine understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Nik,
    Nkk,
    Nama,
    TempatLahir,
    TanggalLahir,
    JenisKelamin,
    StatusKawin,
    KodeDesa,
    KodeProv,
    KodeKab,
    KodeKec,
    Tps,
}

const FIELDS: [Field; 12] = [
    Field::Nik,
    Field::Nkk,
    Field::Nama,
    Field::TempatLahir,
    Field::TanggalLahir,
    Field::JenisKelamin,
    Field::StatusKawin,
    Field::KodeDesa,
    Field::KodeProv,
    Field::KodeKab,
    Field::KodeKec,
    Field::Tps,
];

impl Field {
    /// The header names this field is known by, compared without case, spaces or punctuation.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Nik => &["NIK", "NOMORINDUKKEPENDUDUKAN", "NOINDUK", "NONIK"],
            Field::Nkk => &["NKK", "NOKK", "NOMORKK", "NOMORKARTUKELUARGA"],
            Field::Nama => &["NAMA", "NAMALENGKAP", "NAMAPEMILIH"],
            Field::TempatLahir => &["TEMPATLAHIR", "TMPTLAHIR", "TPTLAHIR"],
            Field::TanggalLahir => &["TANGGALLAHIR", "TGLLAHIR", "TGLLHR", "TANGGALLHR"],
            Field::JenisKelamin => &["JENISKELAMIN", "JK", "KELAMIN", "LP", "SEX"],
            Field::StatusKawin => &[
                "STATUSKAWIN",
                "STATUSPERKAWINAN",
                "KAWIN",
                "STSKAWIN",
                "STATUS",
            ],
            Field::KodeDesa => &[
                "KODEDESA",
                "KODEKEL",
                "KODEKELURAHAN",
                "KODEDESAKELURAHAN",
                "KDKEL",
                "KDDESA",
                "KODEWILAYAH",
            ],
            Field::KodeProv => &["KODEPROV", "KDPROV", "KODEPROVINSI"],
            Field::KodeKab => &["KODEKAB", "KDKAB", "KODEKABUPATEN", "KODEKABKOTA"],
            Field::KodeKec => &["KODEKEC", "KDKEC", "KODEKECAMATAN"],
            Field::Tps => &["TPS", "NOTPS", "NOMORTPS", "KODETPS"],
        }
    }

    /// The name used in messages.
    pub fn label(self) -> &'static str {
        match self {
            Field::Nik => "NIK",
            Field::Nkk => "NKK",
            Field::Nama => "NAMA",
            Field::TempatLahir => "TEMPAT_LAHIR",
            Field::TanggalLahir => "TANGGAL_LAHIR",
            Field::JenisKelamin => "JENIS_KELAMIN",
            Field::StatusKawin => "STATUS_KAWIN",
            Field::KodeDesa => "KODE_DESA",
            Field::KodeProv => "KODE_PROV",
            Field::KodeKab => "KODE_KAB",
            Field::KodeKec => "KODE_KEC",
            Field::Tps => "TPS",
        }
    }

    /// Parses a field name as the operator writes it in `--kolom NIK=NOMOR_INDUK`.
    pub fn parse(text: &str) -> Option<Field> {
        let k = fold_header(text);
        FIELDS
            .iter()
            .copied()
            .find(|f| fold_header(f.label()) == k || f.aliases().first() == Some(&k.as_str()))
    }
}

fn fold_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A file's header could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error(
        "kolom {field} tidak ditemukan di baris judul; nama yang dikenal: {known} — \
         atau sebutkan dengan --kolom {field}=NAMA_KOLOM (column not found in the header)"
    )]
    Missing { field: &'static str, known: String },
    #[error(
        "kolom wilayah tidak ditemukan: perlu KODE_DESA (10 angka) atau KODE_PROV, KODE_KAB, \
         KODE_KEC dan KODE_DESA (region columns not found)"
    )]
    NoRegion,
    #[error("kolom '{0}' yang disebut dengan --kolom tidak ada di baris judul (named column not in the header)")]
    Override(String),
}

/// Which column index holds which field in one file.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    idx: [Option<usize>; 12],
    pub headers: Vec<String>,
}

impl ColumnMap {
    /// Maps a header row. `overrides` are the operator's (field, header name) pairs.
    pub fn from_header(
        headers: &[String],
        overrides: &[(Field, String)],
    ) -> Result<ColumnMap, HeaderError> {
        let folded: Vec<String> = headers.iter().map(|h| fold_header(h)).collect();
        let mut idx = [None; 12];
        for (i, f) in FIELDS.iter().enumerate() {
            if let Some((_, name)) = overrides.iter().find(|(g, _)| g == f) {
                let k = fold_header(name);
                let at = folded
                    .iter()
                    .position(|h| *h == k)
                    .ok_or_else(|| HeaderError::Override(name.clone()))?;
                idx[i] = Some(at);
                continue;
            }
            idx[i] = f
                .aliases()
                .iter()
                .find_map(|a| folded.iter().position(|h| h == a));
        }
        let map = ColumnMap {
            idx,
            headers: headers.to_vec(),
        };
        for f in [
            Field::Nik,
            Field::Nama,
            Field::TanggalLahir,
            Field::JenisKelamin,
            Field::Tps,
        ] {
            if map.get(f).is_none() {
                return Err(HeaderError::Missing {
                    field: f.label(),
                    known: f.aliases().join(", "),
                });
            }
        }
        if map.get(Field::KodeDesa).is_none() {
            return Err(HeaderError::NoRegion);
        }
        Ok(map)
    }

    pub fn get(&self, f: Field) -> Option<usize> {
        // FIELDS lists the fields in their declaration order (tested below).
        self.idx[f as usize]
    }

    /// The header text of a column, for messages.
    pub fn header(&self, f: Field) -> String {
        self.get(f)
            .and_then(|i| self.headers.get(i).cloned())
            .unwrap_or_else(|| f.label().to_string())
    }
}

/// Marital status (DOMAIN.md §3): B belum kawin, S sudah kawin, P pernah kawin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marital {
    Single,
    Married,
    Formerly,
}

impl Marital {
    /// Reads the letters and the words; `extra` holds the operator's own codes.
    pub fn parse(text: &str, extra: &[(String, Marital)]) -> Option<Marital> {
        let t = trim(text);
        if let Some((_, m)) = extra.iter().find(|(k, _)| k.eq_ignore_ascii_case(t)) {
            return Some(*m);
        }
        const WORDS: [(&str, Marital); 22] = [
            ("B", Marital::Single),
            ("S", Marital::Married),
            ("P", Marital::Formerly),
            ("BK", Marital::Single),
            ("BELUM KAWIN", Marital::Single),
            ("BELUM MENIKAH", Marital::Single),
            ("BELUM", Marital::Single),
            ("LAJANG", Marital::Single),
            ("K", Marital::Married),
            ("SK", Marital::Married),
            ("KAWIN", Marital::Married),
            ("SUDAH KAWIN", Marital::Married),
            ("MENIKAH", Marital::Married),
            ("SUDAH MENIKAH", Marital::Married),
            ("PK", Marital::Formerly),
            ("PERNAH KAWIN", Marital::Formerly),
            ("PERNAH MENIKAH", Marital::Formerly),
            ("CERAI", Marital::Formerly),
            ("CERAI HIDUP", Marital::Formerly),
            ("CERAI MATI", Marital::Formerly),
            ("JANDA", Marital::Formerly),
            ("DUDA", Marital::Formerly),
        ];
        WORDS
            .iter()
            .find(|(w, _)| w.eq_ignore_ascii_case(t))
            .map(|(_, m)| *m)
    }
}

/// Eligibility on polling day (DOMAIN.md §3): 17 or older on the day (a 17th birthday on the
/// day counts), or younger but married or formerly married.
pub fn eligible(born: Ymd, polling_day: Ymd, marital: Option<Marital>) -> bool {
    born.age_on(polling_day) >= 17 || matches!(marital, Some(Marital::Married | Marital::Formerly))
}

/// What the row checks need besides the row.
#[derive(Debug)]
pub struct Rules<'a> {
    pub prefixes: &'a Prefixes,
    pub regions: &'a RegionIndex,
    pub polling_day: Ymd,
    pub marital_codes: &'a [(String, Marital)],
}

/// A row reduced to what the duplicate stages need.
#[derive(Debug, Clone, PartialEq)]
pub struct Voter {
    pub file: u16,
    pub line: u64,
    /// The NIK as a number, 0 when it is not 16 digits.
    pub nik: u64,
    pub nkk: u64,
    pub village: u64,
    pub tps: u16,
    pub born: Option<Ymd>,
    pub sex: Option<Sex>,
    pub name: String,
    pub norm: String,
    pub birthplace: String,
}

/// The longest field accepted; anything longer is a broken row (an unclosed quote swallows
/// the lines after it into one field).
pub const MAX_FIELD: usize = 4_096;

/// `str::trim`, without looking at characters when the text starts and ends with a visible
/// ASCII character, as nearly every field of a list does.
pub fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// Decodes a field: UTF-8 when it is, otherwise Windows-1252 (a superset of Latin-1), which
/// never fails. Spreadsheets on Indonesian office PCs save CSV in either.
pub fn decode_field(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(b).0,
    }
}

/// A field as a reader hands it to the checks: raw bytes, decoded by `decode_field`, or text
/// already known to be UTF-8 (a CSV chunk is validated once as a whole, which is much cheaper
/// than validating each of its fields: per-field validation was 7 % of a basic run).
pub trait FieldText {
    fn text(&self) -> Cow<'_, str>;
    fn byte_len(&self) -> usize;
}

impl FieldText for &[u8] {
    fn text(&self) -> Cow<'_, str> {
        decode_field(self)
    }
    fn byte_len(&self) -> usize {
        self.len()
    }
}

impl FieldText for &str {
    fn text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
    fn byte_len(&self) -> usize {
        self.len()
    }
}

fn parse_tps(text: &str) -> Option<u16> {
    let t = trim(text);
    let t = t
        .strip_prefix("TPS")
        .or_else(|| t.strip_prefix("tps"))
        .unwrap_or(t)
        .trim();
    // A TPS id `33.20.01.2001/001` names the village too: its number is after the slash.
    let t = t.rsplit('/').next().unwrap_or(t);
    let n: u32 = t.parse().ok()?;
    (1..=999).contains(&n).then_some(n as u16)
}

/// Result of checking one row.
#[derive(Debug, Default)]
pub struct RowOut<'f> {
    pub voter: Option<Voter>,
    pub findings: Vec<Finding>,
    /// The name as listed (trimmed), borrowed from the row where it can be: the exact-duplicate
    /// spill copies it from here, so that a basic run allocates nothing per row for it.
    pub name: Cow<'f, str>,
}

/// Checks one row. `fields` are its raw bytes; `expected` is the header's width.
pub fn check_row<'f>(
    rules: &Rules,
    map: &ColumnMap,
    file: u16,
    line: u64,
    fields: &'f [&'f [u8]],
) -> RowOut<'f> {
    check_row_with(rules, map, file, line, fields, true)
}

/// `check_row`, with `full` false for a run of the basic tasks (exact duplicates, eligibility,
/// counts): it leaves out what only the probable-duplicate stage needs (the normalised name
/// and birthplace, the owned name) and the checks whose findings that run does not report
/// (the NIK's region, its agreement with the stated date and sex).
pub fn check_row_with<'f, F: FieldText>(
    rules: &Rules,
    map: &ColumnMap,
    file: u16,
    line: u64,
    fields: &'f [F],
    full: bool,
) -> RowOut<'f> {
    let mut out = RowOut::default();
    let get = |f: Field| -> Cow<'_, str> {
        match map.get(f).and_then(|i| fields.get(i)) {
            Some(b) => b.text(),
            None => Cow::Borrowed(""),
        }
    };
    let nik_cow = get(Field::Nik);
    let nik_text = trim(&nik_cow);
    let name_cow = get(Field::Nama);
    let name = trim(&name_cow);
    let mut finding = |code: Code, column: Option<Field>, detail: String, village: u64| {
        out.findings.push(Finding {
            code,
            file,
            line,
            column: column.map(|f| map.header(f)),
            village,
            tps: 0,
            nik: nik_text.to_string(),
            name: name.to_string(),
            detail,
            score: None,
            other: None,
            cluster: None,
        });
    };

    if fields.len() != map.headers.len() {
        let detail = format!(
            "baris berisi {} kolom, baris judul {} kolom (kutip tidak tertutup atau pemisah salah?)",
            fields.len(),
            map.headers.len()
        );
        finding(Code::BarisRusak, None, detail, 0);
        return out;
    }
    if let Some(i) = fields.iter().position(|f| f.byte_len() > MAX_FIELD) {
        let detail = format!(
            "kolom ke-{} berisi {} bita, batas {MAX_FIELD} (kutip tidak tertutup?)",
            i + 1,
            fields[i].byte_len()
        );
        // The content of a broken row is not trusted enough to show.
        let mut f = Finding::at(Code::BarisRusak, file, line, detail);
        f.column = map.headers.get(i).cloned();
        out.findings.push(f);
        return out;
    }

    // Region first: every other finding is filed under the row's village.
    let village_text = get(Field::KodeDesa);
    let village_raw = trim(&village_text);
    let mut village = 0u64;
    let mut region_finding: Option<(Code, String)> = None;
    if village_raw.is_empty() {
        region_finding = Some((Code::KolomWajibKosong, "kode desa/kelurahan kosong".into()));
    } else {
        let parsed = parse_village(village_raw).or_else(|| {
            // Split columns: province, regency, district and a 4-digit village part.
            let part = |f: Field| trim(&get(f)).parse::<u64>().ok();
            let d = part(Field::KodeDesa)?;
            let (p, k, c) = (
                part(Field::KodeProv)?,
                part(Field::KodeKab)?,
                part(Field::KodeKec)?,
            );
            let k = k % 100;
            let c = c % 100;
            (p < 100 && d < 10_000).then_some(((p * 100 + k) * 100 + c) * 10_000 + d)
        });
        match parsed {
            Some(v) if rules.regions.village(v).is_some() => village = v,
            Some(v) => {
                region_finding = Some((
                    Code::WilayahTidakAda,
                    format!(
                        "desa/kelurahan {} tidak ada di data wilayah",
                        crate::region::village_text(v)
                    ),
                ));
            }
            None => {
                region_finding = Some((
                    Code::NilaiTidakSah,
                    "kode desa/kelurahan harus 10 angka, mis. 33.20.01.2001".into(),
                ));
            }
        }
    }
    if let Some((code, detail)) = region_finding {
        finding(code, Some(Field::KodeDesa), detail, 0);
    }

    // Stated birth date and sex.
    let born_text = get(Field::TanggalLahir);
    let born = parse_date(&born_text);
    if trim(&born_text).is_empty() {
        finding(
            Code::KolomWajibKosong,
            Some(Field::TanggalLahir),
            "tanggal lahir kosong".into(),
            village,
        );
    } else if born.is_none() {
        finding(
            Code::NilaiTidakSah,
            Some(Field::TanggalLahir),
            "tanggal lahir tidak dapat dibaca (pakai hh-bb-tttt, hh/bb/tttt atau tttt-bb-hh)"
                .into(),
            village,
        );
    }
    let sex_text = if full {
        get(Field::JenisKelamin)
    } else {
        Cow::Borrowed("")
    };
    let sex = Sex::parse(&sex_text);
    if !full {
        // Not reported by a basic run.
    } else if trim(&sex_text).is_empty() {
        finding(
            Code::KolomWajibKosong,
            Some(Field::JenisKelamin),
            "jenis kelamin kosong".into(),
            village,
        );
    } else if sex.is_none() {
        finding(
            Code::NilaiTidakSah,
            Some(Field::JenisKelamin),
            "jenis kelamin harus L atau P".into(),
            village,
        );
    }
    if name.is_empty() {
        finding(
            Code::KolomWajibKosong,
            Some(Field::Nama),
            "nama kosong".into(),
            village,
        );
    }
    let tps_text = get(Field::Tps);
    let tps = parse_tps(&tps_text);
    if trim(&tps_text).is_empty() {
        finding(
            Code::KolomWajibKosong,
            Some(Field::Tps),
            "nomor TPS kosong".into(),
            village,
        );
    } else if tps.is_none() {
        finding(
            Code::NilaiTidakSah,
            Some(Field::Tps),
            "nomor TPS harus 1–999".into(),
            village,
        );
    }
    let marital_text = get(Field::StatusKawin);
    let marital = Marital::parse(&marital_text, rules.marital_codes);
    if !trim(&marital_text).is_empty() && marital.is_none() {
        finding(
            Code::NilaiTidakSah,
            Some(Field::StatusKawin),
            "status kawin harus B, S atau P (belum, sudah, pernah kawin)".into(),
            village,
        );
    }

    // NIK structure, prefix, and agreement with the stated date and sex.
    let mut nik_value = 0u64;
    let mut nik_born = None;
    if nik_text.is_empty() {
        finding(
            Code::KolomWajibKosong,
            Some(Field::Nik),
            "NIK kosong".into(),
            village,
        );
    } else {
        match nik::decode(nik_text) {
            Err(NikError::Format) => finding(
                Code::NikFormat,
                Some(Field::Nik),
                "NIK harus 16 angka dengan nomor urut bukan 0000".into(),
                village,
            ),
            Err(NikError::Date) => {
                // Still a NIK for duplicate search: the number itself is what is listed twice.
                nik_value = nik::nik_value(nik_text).unwrap_or(0);
                finding(
                    Code::NikTanggal,
                    Some(Field::Nik),
                    "angka tanggal lahir dalam NIK (digit 7–12) bukan tanggal yang sah".into(),
                    village,
                );
            }
            Ok(p) => {
                nik_value = p.value;
                nik_born = p.birth_date(rules.polling_day);
                if full && !rules.prefixes.known(p.district) {
                    finding(
                        Code::NikWilayah,
                        Some(Field::Nik),
                        format!(
                            "kode wilayah NIK {} bukan kecamatan yang dikenal",
                            crate::region::district_text(p.district)
                        ),
                        village,
                    );
                }
                let mut why = Vec::new();
                if !full {
                    // Not reported by a basic run.
                } else if let Some(b) = born {
                    if !p.agrees_with(b) {
                        why.push(format!(
                            "tanggal dalam NIK {:02}-{:02}-{:02}, tanggal lahir {}",
                            p.day, p.month, p.yy, b
                        ));
                    }
                }
                if let Some(s) = sex {
                    if s != p.sex {
                        why.push(format!(
                            "NIK menunjukkan jenis kelamin {}, tertulis {}",
                            p.sex.letter(),
                            s.letter()
                        ));
                    }
                }
                if !why.is_empty() {
                    finding(
                        Code::NikTidakSesuai,
                        Some(Field::Nik),
                        why.join("; "),
                        village,
                    );
                }
            }
        }
    }

    // Eligibility on polling day, from the stated date or else the NIK's.
    if let Some(b) = born.or(nik_born) {
        if !eligible(b, rules.polling_day, marital) {
            let age = b.age_on(rules.polling_day);
            finding(
                Code::Belum17,
                Some(Field::TanggalLahir),
                format!(
                    "umur {age} tahun pada hari pemungutan suara {} dan status kawin {}",
                    rules.polling_day,
                    if trim(&marital_text).is_empty() {
                        "kosong"
                    } else {
                        "belum kawin"
                    }
                ),
                village,
            );
        }
    }

    let (nkk, birthplace, norm) = if full {
        (
            nik::nik_value(&get(Field::Nkk)).unwrap_or(0),
            normalize_remembered(&get(Field::TempatLahir)),
            normalize(name),
        )
    } else {
        (0, String::new(), String::new())
    };
    for f in &mut out.findings {
        f.tps = tps.unwrap_or(0);
    }
    out.voter = Some(Voter {
        file,
        line,
        nik: nik_value,
        nkk,
        village,
        tps: tps.unwrap_or(0),
        born,
        sex,
        norm,
        name: if full {
            name.to_string()
        } else {
            String::new()
        },
        birthplace,
    });
    out.name = match name_cow {
        Cow::Borrowed(s) => Cow::Borrowed(trim(s)),
        Cow::Owned(s) => Cow::Owned(trim(&s).to_string()),
    };
    out
}

impl Voter {
    /// Partition for the probable-duplicate stage: the regency (so that nearby villages meet),
    /// or the NIK's regency when the village is unknown.
    pub fn regency(&self) -> u32 {
        if self.village != 0 {
            (self.village / 1_000_000) as u32
        } else {
            (self.nik / 1_000_000_000_000) as u32
        }
    }

    /// Serialises for a spill file: fixed fields, then three length-prefixed strings.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.file.to_le_bytes());
        out.extend_from_slice(&self.line.to_le_bytes());
        out.extend_from_slice(&self.nik.to_le_bytes());
        out.extend_from_slice(&self.nkk.to_le_bytes());
        out.extend_from_slice(&self.village.to_le_bytes());
        out.extend_from_slice(&self.tps.to_le_bytes());
        let days = self.born.map(|d| d.days()).unwrap_or(i32::MIN);
        out.extend_from_slice(&days.to_le_bytes());
        out.push(match self.sex {
            None => 0,
            Some(Sex::Male) => 1,
            Some(Sex::Female) => 2,
        });
        for s in [&self.name, &self.norm, &self.birthplace] {
            let b = s.as_bytes();
            let n = b.len().min(MAX_FIELD);
            out.extend_from_slice(&(n as u16).to_le_bytes());
            out.extend_from_slice(&b[..n]);
        }
    }

    /// Serialises what the exact-duplicate stage needs: the NIK, the row's place and name.
    pub fn encode_nik(&self, name: &str, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.nik.to_le_bytes());
        out.extend_from_slice(&self.file.to_le_bytes());
        out.extend_from_slice(&self.line.to_le_bytes());
        out.extend_from_slice(&self.village.to_le_bytes());
        out.extend_from_slice(&self.tps.to_le_bytes());
        let b = name.as_bytes();
        let n = b.len().min(MAX_FIELD);
        out.extend_from_slice(&(n as u16).to_le_bytes());
        out.extend_from_slice(&b[..n]);
    }

    /// Reads one record written by `encode`; `None` at the end or on a short record.
    pub fn decode(buf: &[u8], pos: &mut usize) -> Option<Voter> {
        fn take<'b>(buf: &'b [u8], pos: &mut usize, n: usize) -> Option<&'b [u8]> {
            let s = buf.get(*pos..*pos + n)?;
            *pos += n;
            Some(s)
        }
        fn arr<const N: usize>(buf: &[u8], pos: &mut usize) -> Option<[u8; N]> {
            take(buf, pos, N)?.try_into().ok()
        }
        let file = u16::from_le_bytes(arr(buf, pos)?);
        let line = u64::from_le_bytes(arr(buf, pos)?);
        let nik = u64::from_le_bytes(arr(buf, pos)?);
        let nkk = u64::from_le_bytes(arr(buf, pos)?);
        let village = u64::from_le_bytes(arr(buf, pos)?);
        let tps = u16::from_le_bytes(arr(buf, pos)?);
        let days = i32::from_le_bytes(arr(buf, pos)?);
        let sex = match take(buf, pos, 1)?[0] {
            1 => Some(Sex::Male),
            2 => Some(Sex::Female),
            _ => None,
        };
        let mut strings = [String::new(), String::new(), String::new()];
        for s in &mut strings {
            let n = u16::from_le_bytes(arr(buf, pos)?) as usize;
            *s = String::from_utf8_lossy(take(buf, pos, n)?).into_owned();
        }
        let [name, norm, birthplace] = strings;
        Some(Voter {
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
            birthplace,
        })
    }

    /// Hash of the NIK for partitioning the exact-duplicate stage.
    pub fn nik_hash(&self) -> u64 {
        fnv(&self.nik.to_le_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use posko_core::Atlas;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn kpu_headers_map() {
        let m = ColumnMap::from_header(
            &headers(&[
                "\u{feff}No",
                "NKK",
                "NIK",
                "Nama",
                "Tempat Lahir",
                "Tgl_Lahir",
                "JK",
                "Status Kawin",
                "Alamat",
                "RT",
                "RW",
                "Disabilitas",
                "Kode Desa",
                "TPS",
            ]),
            &[],
        )
        .unwrap();
        assert_eq!(m.get(Field::Nik), Some(2));
        assert_eq!(m.get(Field::TanggalLahir), Some(5));
        assert_eq!(m.get(Field::JenisKelamin), Some(6));
        assert_eq!(m.get(Field::KodeDesa), Some(12));
        let e = ColumnMap::from_header(&headers(&["NAMA", "TPS"]), &[]).unwrap_err();
        assert!(e.to_string().contains("kolom NIK tidak ditemukan"));
        let m = ColumnMap::from_header(
            &headers(&["NOMOR_INDUK", "NAMA", "LAHIR", "JK", "DESA", "TPS"]),
            &[
                (Field::Nik, "nomor_induk".into()),
                (Field::TanggalLahir, "LAHIR".into()),
                (Field::KodeDesa, "DESA".into()),
            ],
        )
        .unwrap();
        assert_eq!(m.get(Field::Nik), Some(0));
        assert_eq!(Field::parse("tanggal_lahir"), Some(Field::TanggalLahir));
    }

    #[test]
    fn fields_in_declaration_order() {
        for (i, f) in FIELDS.iter().enumerate() {
            assert_eq!(*f as usize, i, "{f:?}");
        }
        for t in ["", " ", "a", " a ", "\u{a0}b\u{a0}", "x y", "\tz"] {
            assert_eq!(trim(t), t.trim(), "{t:?}");
        }
    }

    #[test]
    fn eligibility_rule() {
        let poll = Ymd::new(2024, 2, 14).unwrap();
        let d = |y, m, dd| Ymd::new(y, m, dd).unwrap();
        assert!(eligible(d(2007, 2, 14), poll, Some(Marital::Single)));
        assert!(!eligible(d(2007, 2, 15), poll, Some(Marital::Single)));
        assert!(!eligible(d(2007, 2, 15), poll, None));
        assert!(eligible(d(2008, 1, 1), poll, Some(Marital::Married)));
        assert!(eligible(d(2008, 1, 1), poll, Some(Marital::Formerly)));
        assert_eq!(Marital::parse("s", &[]), Some(Marital::Married));
        assert_eq!(Marital::parse("Cerai Mati", &[]), Some(Marital::Formerly));
        assert_eq!(Marital::parse("belum kawin", &[]), Some(Marital::Single));
        assert_eq!(
            Marital::parse("X", &[("x".into(), Marital::Married)]),
            Some(Marital::Married)
        );
        assert_eq!(Marital::parse("?", &[]), None);
    }

    #[test]
    fn voter_round_trips() {
        let v = Voter {
            file: 3,
            line: 12_345_678_901,
            nik: 3_320_015_708_900_003,
            nkk: 3_320_010_101_100_001,
            village: 3_320_012_001,
            tps: 7,
            born: Ymd::new(1990, 8, 17),
            sex: Some(Sex::Female),
            name: "Siti Aminah".into(),
            norm: "SITI AMINAH".into(),
            birthplace: "JEPARA".into(),
        };
        let mut buf = Vec::new();
        v.encode(&mut buf);
        v.encode(&mut buf);
        let mut pos = 0;
        assert_eq!(Voter::decode(&buf, &mut pos), Some(v.clone()));
        assert_eq!(Voter::decode(&buf, &mut pos), Some(v));
        assert_eq!(Voter::decode(&buf, &mut pos), None);
    }

    #[test]
    fn row_checks() {
        let atlas = Atlas::embedded();
        let prefixes = Prefixes::from_atlas(atlas);
        let regions = RegionIndex::from_atlas(atlas);
        let rules = Rules {
            prefixes: &prefixes,
            regions: &regions,
            polling_day: Ymd::new(2024, 2, 14).unwrap(),
            marital_codes: &[],
        };
        let map = ColumnMap::from_header(
            &headers(&[
                "NIK",
                "NAMA",
                "TANGGAL_LAHIR",
                "JENIS_KELAMIN",
                "STATUS_KAWIN",
                "KODE_DESA",
                "TPS",
            ]),
            &[],
        )
        .unwrap();
        let run = |row: [&str; 7]| {
            let f: Vec<&[u8]> = row.iter().map(|s| s.as_bytes()).collect();
            let out = check_row(&rules, &map, 0, 2, &f);
            let mut codes: Vec<&str> = out.findings.iter().map(|f| f.code.as_str()).collect();
            codes.sort();
            codes
        };
        let ok = [
            "3320015708900003",
            "Siti",
            "17-08-1990",
            "P",
            "S",
            "33.20.01.2001",
            "1",
        ];
        assert!(run(ok).is_empty(), "{:?}", run(ok));
        let mut r = ok;
        r[3] = "L";
        assert_eq!(run(r), ["NIK_TIDAK_SESUAI"]);
        r = ok;
        r[2] = "18-08-1990";
        assert_eq!(run(r), ["NIK_TIDAK_SESUAI"]);
        r = ok;
        r[0] = "9920015708900003";
        assert_eq!(run(r), ["NIK_WILAYAH"]);
        r = ok;
        r[0] = "3320017308900003";
        assert_eq!(run(r), ["NIK_TANGGAL"]);
        r = ok;
        r[0] = "332001570890003";
        assert_eq!(run(r), ["NIK_FORMAT"]);
        r = [
            "3320015502080001",
            "Ani",
            "15-02-2008",
            "P",
            "B",
            "33.20.01.2001",
            "1",
        ];
        assert_eq!(run(r), ["BELUM_17"]);
        r[4] = "S";
        assert!(run(r).is_empty());
        r = [
            "3320015402070001",
            "Ani",
            "14-02-2007",
            "P",
            "B",
            "33.20.01.2001",
            "1",
        ];
        assert!(run(r).is_empty(), "17 exactly on polling day");
        r = ok;
        r[5] = "33.20.01.2999";
        assert_eq!(run(r), ["WILAYAH_TIDAK_ADA"]);
        r = ok;
        r[1] = " ";
        r[6] = "";
        assert_eq!(run(r), ["KOLOM_WAJIB_KOSONG", "KOLOM_WAJIB_KOSONG"]);
        r = ok;
        r[2] = "17 Agustus 1990";
        r[4] = "Z";
        assert_eq!(run(r), ["NILAI_TIDAK_SAH", "NILAI_TIDAK_SAH"]);
        let f: Vec<&[u8]> = vec![b"1", b"2"];
        let out = check_row(&rules, &map, 0, 9, &f);
        assert_eq!(out.findings[0].code, Code::BarisRusak);
        assert!(out.voter.is_none());
    }
}
