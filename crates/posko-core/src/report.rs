//! Citizens' reports (DOMAIN.md §4, §6): who is reported, for what, where and when, and who
//! reports. `validate` is the one gate every channel passes (the public page, the intake API):
//! it turns what a person typed into a `ValidReport` or a list of `FieldError`s, each naming its
//! field with a message in Bahasa Indonesia and English. Whether a report is a formal *laporan*
//! or *informasi awal* is decided here too, from the identity the reporter chose to give.

use std::sync::OnceLock;

use jiff::civil::{Date, Time};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::phone::PhoneNumber;
use crate::region::{Level, RegionCode};
use crate::tps::{GeoPoint, TpsNumber};
use crate::wilayah::Atlas;
use crate::zone::Zone;

/// Who is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectCategory {
    Asn,
    Polri,
    Tni,
    CamatLurah,
    KepalaDesa,
    PenyelenggaraAdHoc,
    PesertaKampanye,
    Lainnya,
}

impl SubjectCategory {
    pub const ALL: [SubjectCategory; 8] = [
        SubjectCategory::Asn,
        SubjectCategory::Polri,
        SubjectCategory::Tni,
        SubjectCategory::CamatLurah,
        SubjectCategory::KepalaDesa,
        SubjectCategory::PenyelenggaraAdHoc,
        SubjectCategory::PesertaKampanye,
        SubjectCategory::Lainnya,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubjectCategory::Asn => "asn",
            SubjectCategory::Polri => "polri",
            SubjectCategory::Tni => "tni",
            SubjectCategory::CamatLurah => "camat_lurah",
            SubjectCategory::KepalaDesa => "kepala_desa",
            SubjectCategory::PenyelenggaraAdHoc => "penyelenggara_ad_hoc",
            SubjectCategory::PesertaKampanye => "peserta_kampanye",
            SubjectCategory::Lainnya => "lainnya",
        }
    }

    pub fn parse(s: &str) -> Option<SubjectCategory> {
        SubjectCategory::ALL
            .into_iter()
            .find(|c| c.as_str() == s.trim())
    }
}

/// One kind of violation a report can name, from `data/pelanggaran/jenis.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViolationType {
    pub kode: String,
    pub kategori: Vec<SubjectCategory>,
    pub id: String,
    pub en: String,
    pub dasar: String,
    pub sanksi: String,
}

/// The violation taxonomy.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    types: Vec<ViolationType>,
}

#[derive(Deserialize)]
struct TaxonomyFile {
    jenis: Vec<ViolationType>,
}

const SHIPPED_TAXONOMY: &str = include_str!("../../../data/pelanggaran/jenis.toml");

impl Taxonomy {
    /// Parses a taxonomy file; every code must be unique and name at least one category.
    pub fn parse(text: &str) -> Result<Taxonomy, String> {
        let file: TaxonomyFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut seen = std::collections::HashSet::new();
        for t in &file.jenis {
            if !seen.insert(t.kode.clone()) {
                return Err(format!("kode jenis pelanggaran ganda: {}", t.kode));
            }
            if t.kategori.is_empty() {
                return Err(format!("jenis {} tanpa kategori", t.kode));
            }
        }
        Ok(Taxonomy { types: file.jenis })
    }

    /// The taxonomy shipped in the binary (checked by the tests of this module).
    pub fn shipped() -> &'static Taxonomy {
        static T: OnceLock<Taxonomy> = OnceLock::new();
        T.get_or_init(|| {
            #[allow(clippy::expect_used)]
            Taxonomy::parse(SHIPPED_TAXONOMY).expect("the shipped taxonomy is valid (see tests)")
        })
    }

    pub fn get(&self, code: &str) -> Option<&ViolationType> {
        self.types.iter().find(|t| t.kode == code)
    }

    pub fn all(&self) -> &[ViolationType] {
        &self.types
    }

    pub fn for_category(&self, c: SubjectCategory) -> impl Iterator<Item = &ViolationType> {
        self.types.iter().filter(move |t| t.kategori.contains(&c))
    }
}

/// A report as typed, before any check: every field is text, as a form or JSON sends it. Field
/// names are the stable names the API and the error messages use.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportInput {
    pub subject_category: String,
    pub subject_name: String,
    pub subject_position: String,
    pub subject_unit: String,
    pub subject_id_number: String,
    pub violation: String,
    pub description: String,
    pub region: String,
    pub tps: String,
    pub place: String,
    pub lat: String,
    pub lon: String,
    pub happened_on: String,
    pub happened_time: String,
    pub learned_on: String,
    pub reporter_name: String,
    pub reporter_address: String,
    pub reporter_nik: String,
    pub reporter_phone: String,
    pub reporter_email: String,
}

/// A formal laporan, or informasi awal that officers may take up as a temuan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    Laporan,
    InformasiAwal,
}

impl ReportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Laporan => "laporan",
            ReportKind::InformasiAwal => "informasi_awal",
        }
    }
}

/// The reported person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subject {
    pub category: SubjectCategory,
    pub name: String,
    pub position: String,
    pub unit: String,
    /// NIP or NRP as given (digits only); stored only as a keyed hash.
    pub id_number: Option<String>,
}

/// A NIK: 16 digits whose structure is plausible (UU 23/2006 Pasal 13, DOMAIN.md §3). The full
/// decoding and checks against a voter list belong to the voter-list engine.
#[derive(Clone, PartialEq, Eq)]
pub struct Nik(String);

impl std::fmt::Debug for Nik {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A NIK is personal data: debug output never shows it.
        f.write_str("Nik(***)")
    }
}

impl Nik {
    pub fn parse(text: &str) -> Result<Nik, &'static str> {
        let digits: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '.' && *c != '-')
            .collect();
        if digits.len() != 16 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err("nik_shape");
        }
        let n = |a: usize, b: usize| digits[a..b].parse::<u32>().unwrap_or(0);
        if Zone::of_province(n(0, 2) as u16).is_none() {
            return Err("nik_province");
        }
        let (day, month) = (n(6, 8), n(8, 10));
        let day_ok = (1..=31).contains(&day) || (41..=71).contains(&day);
        if !day_ok || !(1..=12).contains(&month) || n(12, 16) == 0 {
            return Err("nik_birth_date");
        }
        Ok(Nik(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the reporter chose to tell about themselves; all optional. Sealed before storage.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReporterIdentity {
    pub name: Option<String>,
    pub address: Option<String>,
    pub nik: Option<Nik>,
    pub phone: Option<PhoneNumber>,
    pub email: Option<String>,
}

impl ReporterIdentity {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.address.is_none()
            && self.nik.is_none()
            && self.phone.is_none()
            && self.email.is_none()
    }

    /// A laporan needs the reporter's name and address (UU 7/2017 Pasal 454(4); Perbawaslu
    /// 7/2022 Pasal 15(3)) and a way to reach them, since an incomplete report must be notified
    /// within a day (§4). Anything less is informasi awal.
    pub fn kind(&self) -> ReportKind {
        if self.name.is_some()
            && self.address.is_some()
            && (self.phone.is_some() || self.email.is_some())
        {
            ReportKind::Laporan
        } else {
            ReportKind::InformasiAwal
        }
    }
}

/// A report that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidReport {
    pub subject: Subject,
    pub violation: String,
    pub description: String,
    pub region: RegionCode,
    pub tps: Option<TpsNumber>,
    pub place: String,
    pub location: Option<GeoPoint>,
    pub happened_on: Date,
    pub happened_time: Option<Time>,
    pub learned_on: Date,
    pub reporter: ReporterIdentity,
    pub kind: ReportKind,
}

/// One problem with one field: the field's stable name, a code, and the message in both
/// languages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
    pub message_id: String,
    pub message_en: String,
}

fn fe(
    field: &'static str,
    code: &'static str,
    id: impl Into<String>,
    en: impl Into<String>,
) -> FieldError {
    FieldError {
        field,
        code,
        message_id: id.into(),
        message_en: en.into(),
    }
}

/// Text fields and their limits, in characters.
const LIMITS: &[(&str, usize)] = &[
    ("subject_name", 200),
    ("subject_position", 200),
    ("subject_unit", 200),
    ("description", 5_000),
    ("place", 300),
    ("reporter_name", 200),
    ("reporter_address", 500),
    ("reporter_email", 254),
];

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Reads a date as forms and offices write it: 2024-02-14, 14-02-2024 or 14/02/2024.
pub fn parse_date(text: &str) -> Option<Date> {
    let t = text.trim();
    if let Ok(d) = t.parse::<Date>() {
        return Some(d);
    }
    let parts: Vec<&str> = t.split(['-', '/', '.']).collect();
    if let [d, m, y] = parts[..] {
        if y.len() == 4 {
            return Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok();
        }
    }
    None
}

fn parse_time(text: &str) -> Option<Time> {
    let t = text.trim().replace('.', ":");
    let (h, m) = t.split_once(':')?;
    Time::new(h.parse().ok()?, m.get(..2).unwrap_or(m).parse().ok()?, 0, 0).ok()
}

fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.chars().any(char::is_whitespace)
        && !domain.contains('@')
}

/// Checks a report. `now` decides what "today" is, in the zone of the reported region.
pub fn validate(
    input: &ReportInput,
    atlas: &Atlas,
    taxonomy: &Taxonomy,
    now: Timestamp,
) -> Result<ValidReport, Vec<FieldError>> {
    let mut errs = Vec::new();
    for (field, max) in LIMITS {
        let value = match *field {
            "subject_name" => &input.subject_name,
            "subject_position" => &input.subject_position,
            "subject_unit" => &input.subject_unit,
            "description" => &input.description,
            "place" => &input.place,
            "reporter_name" => &input.reporter_name,
            "reporter_address" => &input.reporter_address,
            _ => &input.reporter_email,
        };
        if value.trim().chars().count() > *max {
            errs.push(fe(
                field,
                "too_long",
                format!("terlalu panjang: paling banyak {max} karakter"),
                format!("too long: at most {max} characters"),
            ));
        }
    }

    let category = SubjectCategory::parse(&input.subject_category);
    if category.is_none() {
        errs.push(fe(
            "subject_category",
            "required",
            "pilih siapa yang dilaporkan",
            "choose who is reported",
        ));
    }
    let violation = taxonomy.get(input.violation.trim());
    match (violation, category) {
        (None, _) => errs.push(fe(
            "violation",
            "unknown",
            "pilih jenis pelanggaran dari daftar",
            "choose a violation type from the list",
        )),
        (Some(v), Some(c)) if !v.kategori.contains(&c) => errs.push(fe(
            "violation",
            "not_for_category",
            "jenis pelanggaran ini tidak berlaku untuk kategori terlapor yang dipilih",
            "this violation type does not apply to the chosen category",
        )),
        _ => {}
    }
    let id_number = opt(&input.subject_id_number)
        .map(|s| s.chars().filter(|c| !c.is_whitespace()).collect::<String>());
    if let Some(n) = &id_number {
        if !(5..=30).contains(&n.len()) || !n.bytes().all(|b| b.is_ascii_digit()) {
            errs.push(fe(
                "subject_id_number",
                "shape",
                "NIP/NRP hanya angka, 5–30 digit",
                "NIP/NRP: digits only, 5–30 of them",
            ));
        }
    }
    let description = input.description.trim().to_string();
    if description.chars().count() < 10 {
        errs.push(fe(
            "description",
            "too_short",
            "ceritakan kejadiannya, minimal 10 karakter",
            "describe what happened, at least 10 characters",
        ));
    }

    let region = match RegionCode::parse(&input.region) {
        Ok(c) if !atlas.contains(&c) => {
            errs.push(fe(
                "region",
                "unknown",
                format!("wilayah {c} tidak ada"),
                format!("region {c} does not exist"),
            ));
            None
        }
        Ok(c) if c.level() < Level::Regency => {
            errs.push(fe(
                "region",
                "too_wide",
                "pilih setidaknya kabupaten/kota, sebaiknya sampai desa/kelurahan",
                "choose at least a regency or city, ideally the village",
            ));
            None
        }
        Ok(c) => Some(c),
        Err(_) => {
            errs.push(fe(
                "region",
                "required",
                "pilih wilayah kejadian",
                "choose where it happened",
            ));
            None
        }
    };
    let tps = match opt(&input.tps) {
        None => None,
        Some(t) => match (TpsNumber::parse(&t), region) {
            (Ok(n), Some(r)) if r.level() == Level::Village => Some(n),
            (Ok(_), _) => {
                errs.push(fe(
                    "tps",
                    "needs_village",
                    "nomor TPS hanya bila desa/kelurahan dipilih",
                    "a TPS number needs a village",
                ));
                None
            }
            (Err(_), _) => {
                errs.push(fe(
                    "tps",
                    "shape",
                    "nomor TPS harus angka 1–999",
                    "TPS number must be 1–999",
                ));
                None
            }
        },
    };
    let location = match (opt(&input.lat), opt(&input.lon)) {
        (None, None) => None,
        (Some(a), Some(b)) => match (
            a.replace(',', ".").parse::<f64>(),
            b.replace(',', ".").parse::<f64>(),
        ) {
            (Ok(lat), Ok(lon)) => match GeoPoint::new(lat, lon) {
                Ok(p) => Some(p),
                Err(_) => {
                    errs.push(fe(
                        "lat",
                        "outside",
                        "koordinat di luar Indonesia",
                        "position outside Indonesia",
                    ));
                    None
                }
            },
            _ => {
                errs.push(fe(
                    "lat",
                    "shape",
                    "koordinat harus angka desimal",
                    "coordinates must be decimal numbers",
                ));
                None
            }
        },
        _ => {
            errs.push(fe(
                "lat",
                "pair",
                "isi lintang dan bujur bersama",
                "give latitude and longitude together",
            ));
            None
        }
    };

    let zone = region
        .and_then(|r| Zone::of_province(r.province_number()))
        .unwrap_or(Zone::Wib);
    let today = now.to_zoned(zone.tz()).date();
    let happened_on = parse_date(&input.happened_on);
    let learned_on = parse_date(&input.learned_on);
    if happened_on.is_none() {
        errs.push(fe(
            "happened_on",
            "required",
            "isi tanggal kejadian (hh-bb-tttt)",
            "give the date it happened",
        ));
    }
    if learned_on.is_none() {
        errs.push(fe(
            "learned_on",
            "required",
            "isi tanggal Anda mengetahui kejadian",
            "give the date you learned of it",
        ));
    }
    let happened_time = match opt(&input.happened_time) {
        None => None,
        Some(t) => {
            let parsed = parse_time(&t);
            if parsed.is_none() {
                errs.push(fe(
                    "happened_time",
                    "shape",
                    "jam harus berbentuk JJ:MM",
                    "time must be HH:MM",
                ));
            }
            parsed
        }
    };
    let earliest = Date::constant(2000, 1, 1);
    if let Some(h) = happened_on {
        if h > today {
            errs.push(fe(
                "happened_on",
                "future",
                "tanggal kejadian belum terjadi",
                "the date is in the future",
            ));
        } else if h < earliest {
            errs.push(fe(
                "happened_on",
                "too_old",
                "tanggal kejadian terlalu lampau",
                "the date is too long ago",
            ));
        }
    }
    if let Some(l) = learned_on {
        if l > today {
            errs.push(fe(
                "learned_on",
                "future",
                "tanggal diketahui belum terjadi",
                "the date is in the future",
            ));
        }
        if let Some(h) = happened_on {
            if l < h {
                errs.push(fe(
                    "learned_on",
                    "before_event",
                    "tanggal diketahui tidak boleh sebelum tanggal kejadian",
                    "you cannot learn of it before it happened",
                ));
            }
        }
    }

    let nik = match opt(&input.reporter_nik) {
        None => None,
        Some(t) => match Nik::parse(&t) {
            Ok(n) => Some(n),
            Err(code) => {
                errs.push(fe(
                    "reporter_nik",
                    code,
                    "NIK harus 16 angka sesuai KTP-el",
                    "NIK must be the 16 digits on the ID card",
                ));
                None
            }
        },
    };
    let phone = match opt(&input.reporter_phone) {
        None => None,
        Some(t) => match PhoneNumber::parse(&t) {
            Ok(p) => Some(p),
            Err(_) => {
                errs.push(fe("reporter_phone", "not_indonesian",
                    "nomor telepon bukan nomor Indonesia (contoh: 0812 3456 7890 atau +62 812 3456 7890)",
                    "not an Indonesian phone number (e.g. 0812 3456 7890 or +62 812 3456 7890)"));
                None
            }
        },
    };
    let email = opt(&input.reporter_email);
    if let Some(e) = &email {
        if !valid_email(e) {
            errs.push(fe(
                "reporter_email",
                "shape",
                "alamat surel tidak sah",
                "not a valid e-mail address",
            ));
        }
    }

    if !errs.is_empty() {
        return Err(errs);
    }
    // Every Option below is Some: a None pushed an error above.
    let (Some(category), Some(violation), Some(region), Some(happened_on), Some(learned_on)) =
        (category, violation, region, happened_on, learned_on)
    else {
        return Err(vec![fe(
            "report",
            "internal",
            "laporan tidak lengkap",
            "incomplete report",
        )]);
    };
    let reporter = ReporterIdentity {
        name: opt(&input.reporter_name),
        address: opt(&input.reporter_address),
        nik,
        phone,
        email,
    };
    Ok(ValidReport {
        subject: Subject {
            category,
            name: input.subject_name.trim().to_string(),
            position: input.subject_position.trim().to_string(),
            unit: input.subject_unit.trim().to_string(),
            id_number,
        },
        violation: violation.kode.clone(),
        description,
        region,
        tps,
        place: input.place.trim().to_string(),
        location,
        happened_on,
        happened_time,
        learned_on,
        kind: reporter.kind(),
        reporter,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2024-11-20T03:00:00Z".parse().unwrap()
    }

    fn good() -> ReportInput {
        ReportInput {
            subject_category: "asn".into(),
            subject_name: "Budi".into(),
            subject_position: "Kepala Seksi".into(),
            subject_unit: "Dinas X".into(),
            violation: "asn_media_sosial".into(),
            description: "Membagikan unggahan kampanye pasangan calon di grup kantor.".into(),
            region: "33.20.01.2001".into(),
            tps: "3".into(),
            happened_on: "2024-11-18".into(),
            learned_on: "19-11-2024".into(),
            ..ReportInput::default()
        }
    }

    fn fields(input: &ReportInput) -> Vec<&'static str> {
        match validate(input, Atlas::embedded(), Taxonomy::shipped(), now()) {
            Ok(_) => vec![],
            Err(e) => e.iter().map(|x| x.field).collect(),
        }
    }

    #[test]
    fn shipped_taxonomy_covers_every_category() {
        let t = Taxonomy::shipped();
        for c in SubjectCategory::ALL {
            assert!(t.for_category(c).count() >= 1, "{c:?}");
        }
        for v in t.all() {
            assert!(
                ["sedang", "berat", "etik", "u"].contains(&v.sanksi.as_str()),
                "{}",
                v.kode
            );
        }
        assert!(Taxonomy::parse(
            "[[jenis]]\nkode='a'\nkategori=[]\nid=''\nen=''\ndasar=''\nsanksi='u'"
        )
        .is_err());
    }

    #[test]
    fn anonymous_report_is_informasi_awal() {
        let r = validate(&good(), Atlas::embedded(), Taxonomy::shipped(), now()).unwrap();
        assert_eq!(r.kind, ReportKind::InformasiAwal);
        assert!(r.reporter.is_empty());
        assert_eq!(r.learned_on, Date::constant(2024, 11, 19));
        assert_eq!(r.tps.unwrap().get(), 3);
    }

    #[test]
    fn identified_report_is_laporan() {
        let mut i = good();
        i.reporter_name = "Siti".into();
        i.reporter_address = "Jl. Kartini 1, Jepara".into();
        i.reporter_phone = "0812-3456-7890".into();
        i.reporter_nik = "3320014507900001".into();
        let r = validate(&i, Atlas::embedded(), Taxonomy::shipped(), now()).unwrap();
        assert_eq!(r.kind, ReportKind::Laporan);
        assert_eq!(r.reporter.phone.unwrap().as_e164(), "+6281234567890");
        assert!(!format!("{:?}", r.reporter.nik).contains("3320014507900001"));
        // Name and address without any contact stay informasi awal.
        i.reporter_phone.clear();
        let r = validate(&i, Atlas::embedded(), Taxonomy::shipped(), now()).unwrap();
        assert_eq!(r.kind, ReportKind::InformasiAwal);
    }

    #[test]
    fn every_bad_field_is_named() {
        type Change = Box<dyn Fn(&mut ReportInput)>;
        let cases: Vec<(&str, Change)> = vec![
            (
                "subject_category",
                Box::new(|i| i.subject_category = "presiden".into()),
            ),
            ("violation", Box::new(|i| i.violation = "x".into())),
            (
                "violation",
                Box::new(|i| i.violation = "desa_pengurus_partai".into()),
            ),
            (
                "subject_id_number",
                Box::new(|i| i.subject_id_number = "12ab".into()),
            ),
            ("description", Box::new(|i| i.description = "pendek".into())),
            (
                "description",
                Box::new(|i| i.description = "x".repeat(5001)),
            ),
            ("region", Box::new(|i| i.region = "33.99".into())),
            ("region", Box::new(|i| i.region = "33".into())),
            ("region", Box::new(|i| i.region = String::new())),
            ("tps", Box::new(|i| i.tps = "0".into())),
            (
                "tps",
                Box::new(|i| {
                    i.region = "33.20.01".into();
                }),
            ),
            (
                "lat",
                Box::new(|i| {
                    i.lat = "110.6".into();
                    i.lon = "-6.5".into();
                }),
            ),
            ("lat", Box::new(|i| i.lat = "-6.5".into())),
            (
                "happened_on",
                Box::new(|i| i.happened_on = "kemarin".into()),
            ),
            (
                "happened_on",
                Box::new(|i| {
                    i.happened_on = "2024-12-01".into();
                    i.learned_on = "2024-12-01".into();
                }),
            ),
            (
                "learned_on",
                Box::new(|i| i.learned_on = "2024-11-17".into()),
            ),
            (
                "happened_time",
                Box::new(|i| i.happened_time = "25:99".into()),
            ),
            (
                "reporter_nik",
                Box::new(|i| i.reporter_nik = "12345".into()),
            ),
            (
                "reporter_nik",
                Box::new(|i| i.reporter_nik = "3320019907900001".into()),
            ),
            (
                "reporter_phone",
                Box::new(|i| i.reporter_phone = "+1 202 555 0100".into()),
            ),
            (
                "reporter_email",
                Box::new(|i| i.reporter_email = "siti@".into()),
            ),
            (
                "reporter_name",
                Box::new(|i| i.reporter_name = "x".repeat(201)),
            ),
        ];
        for (field, change) in cases {
            let mut i = good();
            change(&mut i);
            let f = fields(&i);
            assert!(
                f.contains(&field),
                "expected an error on {field}, got {f:?}"
            );
        }
        assert!(fields(&good()).is_empty());
        let errs = validate(
            &ReportInput::default(),
            Atlas::embedded(),
            Taxonomy::shipped(),
            now(),
        )
        .unwrap_err();
        assert!(errs
            .iter()
            .all(|e| !e.message_id.is_empty() && !e.message_en.is_empty()));
        assert!(errs.len() >= 5);
    }

    #[test]
    fn today_is_the_region_zone_today() {
        // 2024-11-20 16:30 UTC is already 21 Nov in Jayapura (WIT) but still 20 Nov in Jepara.
        let late = "2024-11-20T16:30:00Z".parse().unwrap();
        let mut i = good();
        i.happened_on = "2024-11-21".into();
        i.learned_on = "2024-11-21".into();
        assert!(validate(&i, Atlas::embedded(), Taxonomy::shipped(), late).is_err());
        i.region = "91.71".into();
        i.tps.clear();
        assert!(validate(&i, Atlas::embedded(), Taxonomy::shipped(), late).is_ok());
    }

    #[test]
    fn dates_in_office_forms() {
        assert_eq!(parse_date("14/02/2024"), Some(Date::constant(2024, 2, 14)));
        assert_eq!(parse_date("2024-02-14"), Some(Date::constant(2024, 2, 14)));
        assert_eq!(parse_date("31-02-2024"), None);
        assert_eq!(parse_time("07.30"), Time::new(7, 30, 0, 0).ok());
    }
}
