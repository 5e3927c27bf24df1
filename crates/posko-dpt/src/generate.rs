//! Synthetic voter lists with planted defects and a truth file, for tests and benchmarks
//! (`posko demo dpt`). Real village codes (consecutive villages of the atlas from a seeded
//! start, about 2,445 voters each as in DOMAIN.md §2), Zipf-skewed Indonesian names with
//! regional variety, NIKs built to the real layout, TPS filled below capacity except a few
//! planted over it. Planted: exact duplicate NIKs; the same person again under another NIK with
//! a name variant and/or a birth-date slip in a nearby village; invalid NIKs of each kind;
//! under-17s of whom half are married; empty required fields; unknown villages.
//!
//! Streaming and deterministic for a seed: memory is a ring of recent persons plus two hash
//! sets: NIKs used, and per regency the normalised name with the birth year and with the
//! birthday, so that no two distinct people of one regency share a name and a birth year or a
//! birthday. Such natural look-alikes cannot be told from a planted slip by any tool; without
//! this rule the truth file would not be the whole truth about duplicates. (Real lists do have
//! them: there a pair like that is a question for the PPS, and the engine flags it.)

use std::collections::HashSet;
use std::io::{self, Write};

use posko_core::{Atlas, Election};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::date::Ymd;
use crate::name::{fnv, normalize};
use crate::region::{district_of, village_text, RegionIndex};

const MALE: &[&str] = &[
    "AHMAD",
    "BUDI",
    "AGUS",
    "MUHAMMAD",
    "ANDI",
    "RIZKI",
    "DEDI",
    "HENDRA",
    "EKO",
    "JOKO",
    "SLAMET",
    "BAMBANG",
    "SUPRIYADI",
    "YUSUF",
    "IRFAN",
    "FAJAR",
    "ARIF",
    "RUDI",
    "HERU",
    "WAHYU",
    "DWI",
    "ADI",
    "TEGUH",
    "SUGENG",
    "SUTRISNO",
    "HARIYANTO",
    "SUPARMAN",
    "SUKARNO",
    "NUR",
    "ABDUL",
    "ROHMAN",
    "HASAN",
    "HUSEIN",
    "ILHAM",
    "IMAM",
    "KHOIRUL",
    "LUKMAN",
    "MAHMUD",
    "NANANG",
    "PURNOMO",
    "RAHMAT",
    "SAIFUL",
    "TAUFIK",
    "UMAR",
    "WAWAN",
    "YOGI",
    "ZAINAL",
    "ASEP",
    "DADANG",
    "UJANG",
    "CECEP",
    "ENDANG",
    "KOMARUDIN",
    "AGUNG",
    "BAYU",
    "DIMAS",
    "GALIH",
    "INDRA",
    "KURNIAWAN",
    "PRASETYO",
    "SETIAWAN",
    "SANTOSO",
    "HIDAYAT",
    "FIRMANSYAH",
    "SAPUTRA",
    "PRATAMA",
    "RAMADHAN",
    "SYAHRUL",
    "JUNAEDI",
    "MULYADI",
    "SUHERMAN",
    "DARMAWAN",
    "FAUZI",
    "GUNAWAN",
    "HAMZAH",
    "ISMAIL",
    "JAMALUDIN",
    "KASIM",
    "LATIF",
    "MARZUKI",
    "NASRUDIN",
    "OKTAVIANUS",
    "PAULUS",
    "YOHANES",
    "YOSEF",
    "ROBERT",
    "STEFANUS",
    "TONI",
    "VINCENT",
    "WILLIAM",
    "HENDRIK",
    "FRANS",
    "MARTINUS",
    "BENEDIKTUS",
    "GEDE",
    "KOMANG",
    "PUTU",
    "ALI",
    "SALIM",
    "SYAMSUL",
    "BAHRUL",
    "CHAIRUL",
    "DJUNAIDI",
    "SOEPARDI",
    "TJAHJONO",
];

const FEMALE: &[&str] = &[
    "SITI",
    "SRI",
    "DEWI",
    "NUR",
    "AMINAH",
    "FITRI",
    "RINA",
    "YULI",
    "ENDANG",
    "SUSANTI",
    "WATI",
    "LESTARI",
    "RAHAYU",
    "WULANDARI",
    "PUSPITA",
    "ANI",
    "ERNA",
    "TITIN",
    "NENG",
    "IMAS",
    "EUIS",
    "AISYAH",
    "FATIMAH",
    "KHADIJAH",
    "ZAHRA",
    "NURUL",
    "HIDAYAH",
    "ROHMAH",
    "MUSLIMAH",
    "MARYAM",
    "INDAH",
    "PERMATA",
    "AYU",
    "PUTRI",
    "RATNA",
    "SARI",
    "WIDYA",
    "NINGSIH",
    "SUMARNI",
    "SUPARTI",
    "SUGIARTI",
    "TRI",
    "YANTI",
    "LINDA",
    "MARIA",
    "MAGDALENA",
    "THERESIA",
    "AGNES",
    "KATARINA",
    "ELISABET",
    "YOHANA",
    "LUH",
    "KADEK",
    "NOVITA",
    "OKTAVIA",
    "DIAN",
    "MEGA",
    "NOVI",
    "EKA",
    "DWI",
    "ASIH",
    "KARTINI",
    "MURNI",
    "PARTINI",
    "SUMIATI",
    "UMI",
    "KULSUM",
    "HALIMAH",
    "SALMAH",
    "JUBAEDAH",
    "NAFISAH",
    "ROSIDAH",
    "SAODAH",
    "SOEMARNI",
    "DJUMIATI",
    "TJITJIH",
];

const SECOND: &[&str] = &[
    "SAPUTRA",
    "SAPUTRI",
    "WIBOWO",
    "SETIAWAN",
    "HIDAYAT",
    "NUGROHO",
    "SANTOSO",
    "PRATAMA",
    "KURNIAWAN",
    "LESTARI",
    "RAHAYU",
    "WATI",
    "NINGSIH",
    "SUSANTO",
    "HARAHAP",
    "NASUTION",
    "SIREGAR",
    "LUBIS",
    "SIMANJUNTAK",
    "SITUMORANG",
    "PANJAITAN",
    "HUTAPEA",
    "SINAGA",
    "TAMBUNAN",
    "GINTING",
    "TARIGAN",
    "SEMBIRING",
    "MANURUNG",
    "PANGARIBUAN",
    "SIHOMBING",
    "WIJAYA",
    "GUNAWAN",
    "HALIM",
    "TANOTO",
    "SALIM",
    "KUSUMA",
    "PERMANA",
    "SURYADI",
    "SURYANA",
    "SUTANTO",
    "HARTONO",
    "SUHARTO",
    "SUPRAPTO",
    "MAULANA",
    "FIRDAUS",
    "RAHMAN",
    "HAKIM",
    "ALAMSYAH",
    "ANWAR",
    "EFENDI",
    "RIDWAN",
    "ARIFIN",
    "BAHARUDIN",
    "FAHMI",
    "HASIBUAN",
    "BATUBARA",
    "DAULAY",
    "POHAN",
    "RANGKUTI",
    "MATONDANG",
    "PURBA",
    "SARAGIH",
    "DAMANIK",
    "SILALAHI",
    "SITORUS",
    "MANIK",
    "PASARIBU",
    "SIAGIAN",
    "TOBING",
    "SIMATUPANG",
    "PUTRA",
    "PUTRI",
    "ANGGRAINI",
    "OKTAVIANI",
    "FEBRIANTI",
    "RAMADHANI",
    "SYAHPUTRA",
    "KARTIKA",
    "PERTIWI",
    "UTAMI",
    "ASTUTI",
    "HANDAYANI",
    "SULISTYOWATI",
    "PURWANTI",
    "MARLINA",
    "YULIANTI",
    "SETIAWATI",
    "KURNIASIH",
    "MULYANI",
    "SUPRIATNA",
    "SUDRAJAT",
    "RUSTANDI",
    "SUHENDAR",
    "SOPIAN",
    "HERMAWAN",
    "KOSASIH",
    "SOEHARDJO",
    "DJAJADI",
    "TJOKRO",
    "SOEDARMO",
];

const BALI_ORDER: &[&str] = &["WAYAN", "MADE", "NYOMAN", "KETUT", "GEDE", "PUTU", "KADEK"];
const STREETS: &[&str] = &[
    "DUKUH KRAJAN",
    "JL. MERDEKA",
    "JL. DIPONEGORO",
    "DUSUN I",
    "DUSUN II",
    "KAMPUNG BARU",
    "JL. SUDIRMAN",
    "PERUM GRIYA ASRI",
    "DUKUH WETAN",
    "DUKUH KULON",
    "JL. AHMAD YANI",
];
const TITLES_BEFORE: &[&str] = &["H.", "HJ.", "DRS.", "DR.", "IR."];
const TITLES_AFTER: &[&str] = &[", S.PD", ", S.E.", ", S.H.", ", A.MD", ", S.KOM", ", M.PD"];

// Syllables for composed Javanese-style names (Su-par-man, Sri-yan-ti): thousands of forms.
const SYL_A: &[&str] = &[
    "SU", "SRI", "WI", "PUR", "SUR", "HAR", "MAR", "SAR", "SUB", "SUK", "SUP", "SUG", "SUD", "SUM",
    "PAR", "KAR", "TAR", "WAR", "DAR", "JU", "MU", "RU", "YU", "NUR", "SAM", "RAH", "HID", "TU",
    "KUS", "WAH", "BAM", "SLA", "GU", "PRA", "SE", "TRI", "DWI", "RA", "NING",
];
const SYL_B: &[&str] = &[
    "YAN", "MAN", "JA", "DI", "TO", "NO", "WAN", "NA", "RI", "MI", "LA", "GI", "YA", "HAR", "SIH",
    "PAR", "RAT", "LAS", "MIN", "KAM", "BAR", "TI", "",
];
const SUF_M: &[&str] = &[
    "TO", "NO", "MAN", "DI", "YANTO", "WANTO", "JO", "ADI", "RJO", "SO",
];
const SUF_F: &[&str] = &[
    "WATI", "NINGSIH", "YATI", "ARTI", "ANI", "SIH", "TUN", "INAH", "YANTI", "MI",
];

fn composed(r: &mut ChaCha8Rng, female: bool) -> String {
    let suf = if female { SUF_F } else { SUF_M };
    format!(
        "{}{}{}",
        SYL_A[r.random_range(0..SYL_A.len())],
        SYL_B[r.random_range(0..SYL_B.len())],
        suf[r.random_range(0..suf.len())]
    )
}

/// A Zipf draw over `n` items with exponent 0.8 (the first items are the common ones; with
/// exponent 1 over a hundred names the first would be a fifth of everyone, far more
/// concentrated than Indonesian names are). Inverse CDF of the continuous approximation.
fn zipf(rng: &mut ChaCha8Rng, n: usize) -> usize {
    const S: f64 = 0.8;
    let total = ((n as f64 + 1.0).powf(1.0 - S) - 1.0) / (1.0 - S);
    let u: f64 = rng.random::<f64>() * total;
    let x = (u * (1.0 - S) + 1.0).powf(1.0 / (1.0 - S)) - 1.0;
    (x.floor() as usize).min(n - 1)
}

/// What the generator writes about a planted defect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Truth {
    pub code: &'static str,
    pub line: u64,
    pub other: u64,
    pub variant: String,
}

/// Rates of planted defects, per row.
#[derive(Debug, Clone)]
pub struct Rates {
    pub exact_duplicate: f64,
    pub probable_duplicate: f64,
    pub invalid_nik: f64,
    pub under_17: f64,
    pub empty_field: f64,
    pub unknown_village: f64,
    pub tps_over: f64,
}

impl Default for Rates {
    fn default() -> Self {
        Rates {
            exact_duplicate: 0.005,
            probable_duplicate: 0.01,
            invalid_nik: 0.004,
            under_17: 0.004,
            empty_field: 0.0005,
            unknown_village: 0.0005,
            tps_over: 0.01,
        }
    }
}

/// Counts of what was written.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct GenStats {
    pub rows: u64,
    pub villages: u64,
    pub tps: u64,
    pub planted: std::collections::BTreeMap<String, u64>,
}

#[derive(Debug, Clone)]
struct Person {
    line: u64,
    nik: u64,
    nkk: u64,
    name: String,
    born: Ymd,
    female: bool,
    village: u64,
    birthplace: String,
    married: char,
}

#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error("menulis berkas (writing): {0}")]
    Io(#[from] io::Error),
    #[error("menulis CSV (writing CSV): {0}")]
    Csv(#[from] csv::Error),
    #[error("jumlah baris harus lebih dari 0 (rows must be > 0)")]
    NoRows,
}

struct Gen<'a> {
    rng: ChaCha8Rng,
    poll: Ymd,
    capacity: u32,
    regions: &'a RegionIndex,
    districts_of_regency: std::collections::HashMap<u32, Vec<u32>>,
    niks: HashSet<u64>,
    keys: HashSet<u64>,
    recent: Vec<Person>,
    line: u64,
    truth: Vec<Truth>,
    stats: GenStats,
}

impl Gen<'_> {
    fn plant(&mut self, code: &'static str, line: u64, other: u64, variant: impl Into<String>) {
        let variant = variant.into();
        *self.stats.planted.entry(code.to_string()).or_insert(0) += 1;
        self.truth.push(Truth {
            code,
            line,
            other,
            variant,
        });
    }

    fn name(&mut self, female: bool, province: u32, old: bool) -> String {
        let r = &mut self.rng;
        let mut parts: Vec<&str> = Vec::new();
        if province == 51 && r.random_bool(0.7) {
            parts.push(if female { "NI" } else { "I" });
            parts.push(BALI_ORDER[r.random_range(0..BALI_ORDER.len())]);
        } else if !female && r.random_bool(0.12) {
            parts.push("MUHAMMAD");
        } else if female && r.random_bool(0.1) {
            parts.push(if r.random_bool(0.6) { "SITI" } else { "NUR" });
        }
        let list = if female { FEMALE } else { MALE };
        let first = if r.random_bool(0.5) {
            composed(r, female)
        } else {
            list[zipf(r, list.len())].to_string()
        };
        let mut parts: Vec<String> = parts.into_iter().map(String::from).collect();
        parts.push(first);
        if r.random_bool(0.85) {
            parts.push(if r.random_bool(0.4) {
                composed(r, female)
            } else {
                SECOND[zipf(r, SECOND.len())].to_string()
            });
        }
        if r.random_bool(0.35) {
            let l2 = if r.random_bool(0.5) { SECOND } else { list };
            parts.push(l2[r.random_range(0..l2.len())].to_string());
        }
        parts.dedup();
        let mut name = parts.join(" ");
        if old {
            name = name
                .replace('U', "OE")
                .replace('J', "DJ")
                .replace('C', "TJ");
        }
        name
    }

    fn birth(&mut self, min_age: f64, max_age: f64) -> Ymd {
        let age = self.rng.random_range(min_age..max_age);
        let days = self.poll.days() - (age * 365.2425) as i32;
        Ymd::from_days(days)
    }

    fn nik(&mut self, district: u32, born: Ymd, female: bool) -> u64 {
        let day = born.d as u64 + if female { 40 } else { 0 };
        let base = district as u64 * 10_000_000_000
            + day * 100_000_000
            + born.m as u64 * 1_000_000
            + (born.y.rem_euclid(100) as u64) * 10_000;
        loop {
            let serial = self.rng.random_range(1..=9_999u64);
            let n = base + serial;
            if self.niks.insert(n) {
                return n;
            }
        }
    }

    /// Keys that two distinct people of one regency may not share: the normalised name with
    /// the birth year, and with the birthday. Such a pair cannot be told from a planted birth
    /// date slip by any tool, and the truth file would be wrong about it.
    fn keys(village: u64, norm: &str, born: Ymd) -> [u64; 2] {
        let h = fnv(norm.as_bytes()) ^ ((village / 1_000_000) << 40);
        [
            h ^ (born.y as u64) << 1,
            h ^ ((born.m as u64 * 32 + born.d as u64) << 20) ^ 1,
        ]
    }

    /// A new person in `village`, distinct from everyone in its regency by name and birth date.
    fn person(&mut self, village: u64, min_age: f64, max_age: f64) -> Person {
        let province = (village / 100_000_000) as u32;
        let female = self.rng.random_bool(0.5);
        let mut tries = 0;
        loop {
            let born = self.birth(min_age, max_age);
            let old = born.y < 1965 && self.rng.random_bool(0.3);
            let name = self.name(female, province, old);
            let ks = Self::keys(village, &normalize(&name), born);
            tries += 1;
            if ks.iter().any(|k| self.keys.contains(k)) && tries < 50 {
                continue;
            }
            self.keys.extend(ks);
            let district = if self.rng.random_bool(0.9) {
                district_of(village)
            } else {
                let regency = (village / 1_000_000) as u32;
                let ds = &self.districts_of_regency[&regency];
                ds[self.rng.random_range(0..ds.len())]
            };
            let nik = self.nik(district, born, female);
            let nkk = district as u64 * 10_000_000_000
                + self.rng.random_range(10_100_000..31_129_999u64) * 100
                + self.rng.random_range(1..99u64);
            let birthplace = self
                .regions
                .regency(district / 100)
                .unwrap_or("")
                .trim_start_matches("KABUPATEN ")
                .trim_start_matches("KOTA ")
                .to_string();
            let age = born.age_on(self.poll);
            let married = if age < 20 {
                'B'
            } else if age < 30 {
                if self.rng.random_bool(0.5) {
                    'S'
                } else {
                    'B'
                }
            } else if self.rng.random_bool(0.12) {
                'P'
            } else {
                'S'
            };
            return Person {
                line: 0,
                nik,
                nkk,
                name,
                born,
                female,
                village,
                birthplace,
                married,
            };
        }
    }

    /// A corrupted but 16-digit NIK that no other row carries (else it would be a planted
    /// duplicate too): the serial moves on until the number is free.
    fn unique(&mut self, text: String) -> String {
        let Ok(mut v) = text.parse::<u64>() else {
            return text;
        };
        while !self.niks.insert(v) {
            v = v - v % 10_000 + v % 10_000 % 9_999 + 1;
        }
        format!("{v:016}")
    }

    /// A spelling variant that normalisation undoes (Muhammad forms, old spelling, titles).
    fn normal_variant(&mut self, name: &str) -> String {
        if name.contains("MUHAMMAD") {
            let forms = ["MOH.", "M.", "MUHAMAD", "MOCH.", "MOCHAMMAD", "MUH."];
            return name.replacen("MUHAMMAD", forms[self.rng.random_range(0..forms.len())], 1);
        }
        if name.contains("OE") || name.contains("DJ") || name.contains("TJ") {
            return name
                .replace("OE", "U")
                .replace("DJ", "J")
                .replace("TJ", "C");
        }
        match self.rng.random_range(0..3) {
            0 if name.contains('U') => name.replacen('U', "OE", 1),
            1 => format!(
                "{} {name}",
                TITLES_BEFORE[self.rng.random_range(0..TITLES_BEFORE.len())]
            ),
            _ => format!(
                "{name}{}",
                TITLES_AFTER[self.rng.random_range(0..TITLES_AFTER.len())]
            ),
        }
    }

    /// A typing slip: one letter changed, dropped or doubled (not normalised away).
    fn typo(&mut self, name: &str) -> String {
        let b: Vec<char> = name.chars().collect();
        let letters: Vec<usize> = (0..b.len())
            .filter(|&i| b[i].is_ascii_alphabetic())
            .collect();
        if letters.len() < 6 {
            return format!("{name}A");
        }
        let i = letters[self.rng.random_range(1..letters.len())];
        let mut out = b.clone();
        match self.rng.random_range(0..3) {
            0 => {
                let vowels = ['A', 'I', 'U', 'E', 'O'];
                let c = vowels[self.rng.random_range(0..5)];
                out[i] = if c == b[i] { 'Y' } else { c };
            }
            1 if out.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic()) => {
                out.swap(i, i + 1);
                if out == b {
                    out.remove(i);
                }
            }
            _ => {
                out.remove(i);
            }
        }
        out.into_iter().collect()
    }

    /// A birth-date slip that keeps the date real and the person 17 or older.
    fn date_slip(&mut self, born: Ymd) -> Option<(Ymd, &'static str)> {
        for _ in 0..10 {
            let (d, kind) = match self.rng.random_range(0..4) {
                0 => (Ymd::new(born.y, born.d, born.m), "tukar_hari_bulan"),
                1 => {
                    let unit = born.d % 10;
                    let nd = born.d - unit + (unit + self.rng.random_range(1..9)) % 10;
                    (Ymd::new(born.y, born.m, nd), "angka_hari")
                }
                2 => {
                    let unit = born.y % 10;
                    let ny = born.y - unit + (unit + self.rng.random_range(1..9)) % 10;
                    (Ymd::new(ny, born.m, born.d), "angka_tahun")
                }
                _ => (
                    Some(Ymd::from_days(
                        born.days() + if self.rng.random_bool(0.5) { 1 } else { -1 },
                    )),
                    "selisih_sehari",
                ),
            };
            if let Some(d) = d {
                if d != born && d.age_on(self.poll) >= 18 {
                    return Some((d, kind));
                }
            }
        }
        None
    }
}

fn date_text(rng: &mut ChaCha8Rng, d: Ymd) -> String {
    match rng.random_range(0..10) {
        0..=6 => format!("{:02}-{:02}-{:04}", d.d, d.m, d.y),
        7 | 8 => format!("{:02}/{:02}/{:04}", d.d, d.m, d.y),
        _ => d.to_string(),
    }
}

pub const HEADER: [&str; 16] = [
    "NO",
    "NKK",
    "NIK",
    "NAMA",
    "TEMPAT_LAHIR",
    "TANGGAL_LAHIR",
    "JENIS_KELAMIN",
    "STATUS_KAWIN",
    "ALAMAT",
    "RT",
    "RW",
    "DISABILITAS",
    "KODE_DESA",
    "KECAMATAN",
    "DESA",
    "TPS",
];

/// Writes `rows` voter rows to `out` (CSV) and the planted defects to `truth` (CSV:
/// `kode,baris,baris_lain,varian`).
pub fn generate(
    rows: u64,
    seed: u64,
    election: &Election,
    out: impl Write,
    truth: impl Write,
    rates: &Rates,
) -> Result<GenStats, GenError> {
    if rows == 0 {
        return Err(GenError::NoRows);
    }
    let atlas = Atlas::embedded();
    let regions = RegionIndex::from_atlas(atlas);
    let villages = regions.village_numbers();
    let mut districts_of_regency: std::collections::HashMap<u32, Vec<u32>> = Default::default();
    for v in &villages {
        let d = district_of(*v);
        let e = districts_of_regency.entry(d / 100).or_default();
        if e.last() != Some(&d) {
            e.push(d);
        }
    }
    let pd = election.polling_day;
    let poll = Ymd::new(pd.year() as i32, pd.month() as u8, pd.day() as u8).unwrap_or(Ymd {
        y: 2024,
        m: 2,
        d: 14,
    });
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(seed),
        poll,
        capacity: election.rules.max_voters_per_tps,
        regions: &regions,
        districts_of_regency,
        niks: HashSet::new(),
        keys: HashSet::new(),
        recent: Vec::new(),
        line: 1,
        truth: Vec::new(),
        stats: GenStats::default(),
    };
    let mut w = csv::Writer::from_writer(io::BufWriter::with_capacity(1 << 20, out));
    let mut t = csv::Writer::from_writer(io::BufWriter::new(truth));
    w.write_record(HEADER)?;
    t.write_record(["kode", "baris", "baris_lain", "varian"])?;
    let mut vi = g.rng.random_range(0..villages.len());
    let mut written = 0u64;
    const RING: usize = 20_000;
    while written < rows {
        let village = villages[vi % villages.len()];
        vi += 1;
        g.stats.villages += 1;
        let spread: f64 = g.rng.random_range(0.7..1.3);
        let mut left_in_village = ((2_445.0 * spread) as u64).min(rows - written).max(1);
        let mut tps_no = 0u16;
        while left_in_village > 0 {
            tps_no += 1;
            g.stats.tps += 1;
            let cap = g.capacity as u64;
            let over = g.rng.random_bool(rates.tps_over) && tps_no < 999;
            let size = if over {
                cap + g.rng.random_range(1..=20)
            } else {
                g.rng.random_range(cap * 2 / 3..=cap * 95 / 100)
            }
            .min(left_in_village)
            .min(rows - written);
            if size == 0 {
                break;
            }
            if over && size > cap {
                let id = format!("{}/{tps_no:03}", village_text(village));
                g.plant("TPS_MELEBIHI_KAPASITAS", 0, 0, id);
            }
            let over_tps = over && size > cap;
            for _ in 0..size {
                g.line += 1;
                let line = g.line;
                let x: f64 = g.rng.random();
                let mut cut = rates.exact_duplicate;
                let mut rec: Person;
                let mut kind_name_override: Option<String> = None;
                let mut blank: Option<usize> = None;
                let mut unknown_village = false;
                let mut keep = true;
                if x < cut && !g.recent.is_empty() {
                    let i = g.rng.random_range(0..g.recent.len());
                    let orig = g.recent.swap_remove(i);
                    g.plant("NIK_GANDA", orig.line, line, "");
                    rec = orig;
                    rec.village = village;
                    keep = false;
                } else if x < {
                    cut += rates.probable_duplicate;
                    cut
                } && !g.recent.is_empty()
                {
                    let i = g.rng.random_range(0..g.recent.len());
                    let same_regency = g.recent[i].village / 1_000_000 == village / 1_000_000;
                    if same_regency {
                        let orig = g.recent.swap_remove(i);
                        rec = orig.clone();
                        rec.village = village;
                        if g.rng.random_bool(0.5) {
                            // Registered again under another family card.
                            rec.nkk += 1_000;
                        }
                        let variant = match g.rng.random_range(0..3) {
                            0 => {
                                rec.name = if g.rng.random_bool(0.5) {
                                    g.normal_variant(&orig.name)
                                } else {
                                    g.typo(&orig.name)
                                };
                                "nama"
                            }
                            1 => match g.date_slip(orig.born) {
                                Some((d, _)) => {
                                    rec.born = d;
                                    "tanggal"
                                }
                                None => {
                                    rec.name = g.normal_variant(&orig.name);
                                    "nama"
                                }
                            },
                            _ => {
                                rec.name = g.normal_variant(&orig.name);
                                match g.date_slip(orig.born) {
                                    Some((d, _)) => {
                                        rec.born = d;
                                        "keduanya"
                                    }
                                    None => "nama",
                                }
                            }
                        };
                        let district = (orig.nik / 10_000_000_000) as u32;
                        rec.nik = g.nik(district, rec.born, rec.female);
                        // Nobody drawn later may look like this copy either.
                        let ks = Gen::keys(village, &normalize(&rec.name), rec.born);
                        g.keys.extend(ks);
                        g.plant("KEMUNGKINAN_GANDA", orig.line, line, variant);
                        keep = false;
                    } else {
                        rec = g.person(village, 18.0, 85.0);
                    }
                } else if x < {
                    cut += rates.invalid_nik;
                    cut
                } {
                    rec = g.person(village, 18.0, 85.0);
                    keep = false;
                    let s = rec.nik.to_string();
                    match g.rng.random_range(0..5) {
                        0 => {
                            kind_name_override = Some(s[..15].to_string());
                            g.plant("NIK_FORMAT", line, 0, "15_angka");
                        }
                        1 => {
                            kind_name_override = Some(g.unique(format!("99{}", &s[2..])));
                            g.plant("NIK_WILAYAH", line, 0, "");
                        }
                        2 => {
                            let bad = if g.rng.random_bool(0.5) { "32" } else { "00" };
                            let bad = if rec.female && bad == "32" { "72" } else { bad };
                            kind_name_override =
                                Some(g.unique(format!("{}{bad}{}", &s[..6], &s[8..])));
                            g.plant("NIK_TANGGAL", line, 0, "");
                        }
                        3 => {
                            // Sex flipped in the NIK (day ± 40).
                            let day: u32 = s[6..8].parse().unwrap_or(1);
                            let flipped = if day > 40 { day - 40 } else { day + 40 };
                            kind_name_override =
                                Some(g.unique(format!("{}{flipped:02}{}", &s[..6], &s[8..])));
                            g.plant("NIK_TIDAK_SESUAI", line, 0, "jenis_kelamin");
                        }
                        _ => {
                            // The NIK's year four off from the stated year (four keeps a
                            // 29 February real).
                            let yy: u32 = s[10..12].parse().unwrap_or(0);
                            kind_name_override = Some(g.unique(format!(
                                "{}{:02}{}",
                                &s[..10],
                                (yy + 4) % 100,
                                &s[12..]
                            )));
                            g.plant("NIK_TIDAK_SESUAI", line, 0, "tanggal");
                        }
                    }
                } else if x < {
                    cut += rates.under_17;
                    cut
                } {
                    rec = g.person(village, 15.0, 16.95);
                    keep = false;
                    if g.rng.random_bool(0.5) {
                        rec.married = 'S';
                        g.plant("MUDA_KAWIN", line, 0, "");
                    } else {
                        rec.married = 'B';
                        g.plant("BELUM_17", line, 0, "");
                    }
                } else if x < {
                    cut += rates.empty_field;
                    cut
                } && !over_tps
                {
                    rec = g.person(village, 18.0, 85.0);
                    keep = false;
                    blank = Some(3);
                    g.plant("KOLOM_WAJIB_KOSONG", line, 0, "NAMA");
                } else if x < {
                    cut += rates.unknown_village;
                    cut
                } && !over_tps
                {
                    rec = g.person(village, 18.0, 85.0);
                    keep = false;
                    unknown_village = true;
                    g.plant("WILAYAH_TIDAK_ADA", line, 0, "");
                } else {
                    rec = g.person(village, 18.0, 85.0);
                }
                rec.line = line;
                let nik_text = kind_name_override.unwrap_or_else(|| format!("{:016}", rec.nik));
                let village_code = if unknown_village {
                    // The village part 9xxx does not exist anywhere.
                    village_text(village / 10_000 * 10_000 + 9_000 + g.rng.random_range(100..999))
                } else {
                    village_text(village)
                };
                let born = date_text(&mut g.rng, rec.born);
                let rt = format!("{:03}", g.rng.random_range(1..20));
                let rw = format!("{:03}", g.rng.random_range(1..10));
                let street = STREETS[g.rng.random_range(0..STREETS.len())];
                let disab = if g.rng.random_bool(0.01) { "1" } else { "0" };
                let district_name = regions.district(district_of(village)).unwrap_or("");
                let village_name = regions.village(village).unwrap_or("");
                let mut fields = [
                    (line - 1).to_string(),
                    format!("{:016}", rec.nkk),
                    nik_text,
                    rec.name.clone(),
                    rec.birthplace.clone(),
                    born,
                    if rec.female { "P" } else { "L" }.to_string(),
                    rec.married.to_string(),
                    street.to_string(),
                    rt,
                    rw,
                    disab.to_string(),
                    village_code,
                    district_name.to_string(),
                    village_name.to_string(),
                    format!("{tps_no:03}"),
                ];
                if let Some(b) = blank {
                    fields[b].clear();
                }
                w.write_record(&fields)?;
                if keep {
                    if g.recent.len() >= RING {
                        let i = g.rng.random_range(0..g.recent.len());
                        g.recent.swap_remove(i);
                    }
                    g.recent.push(rec);
                }
                written += 1;
            }
            left_in_village = left_in_village.saturating_sub(size);
        }
    }
    for tr in &g.truth {
        t.write_record([
            tr.code,
            &tr.line.to_string(),
            &tr.other.to_string(),
            &tr.variant,
        ])?;
    }
    w.flush()?;
    t.flush()?;
    g.stats.rows = written;
    Ok(g.stats)
}

/// Reads a truth file back.
pub fn read_truth(text: &str) -> Vec<Truth> {
    let mut out = Vec::new();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    for rec in r.records().flatten() {
        let code = match &rec[0] {
            "NIK_GANDA" => "NIK_GANDA",
            "KEMUNGKINAN_GANDA" => "KEMUNGKINAN_GANDA",
            "NIK_FORMAT" => "NIK_FORMAT",
            "NIK_WILAYAH" => "NIK_WILAYAH",
            "NIK_TANGGAL" => "NIK_TANGGAL",
            "NIK_TIDAK_SESUAI" => "NIK_TIDAK_SESUAI",
            "BELUM_17" => "BELUM_17",
            "MUDA_KAWIN" => "MUDA_KAWIN",
            "KOLOM_WAJIB_KOSONG" => "KOLOM_WAJIB_KOSONG",
            "WILAYAH_TIDAK_ADA" => "WILAYAH_TIDAK_ADA",
            "TPS_MELEBIHI_KAPASITAS" => "TPS_MELEBIHI_KAPASITAS",
            _ => continue,
        };
        out.push(Truth {
            code,
            line: rec[1].parse().unwrap_or(0),
            other: rec[2].parse().unwrap_or(0),
            variant: rec[3].to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_for_a_seed() {
        let e = Election::pemilu_2024();
        let run = |seed| {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            generate(5_000, seed, &e, &mut a, &mut b, &Rates::default()).unwrap();
            (a, b)
        };
        let x = run(7);
        assert_eq!(x, run(7));
        assert_ne!(x.0, run(8).0);
        let text = String::from_utf8(x.0).unwrap();
        assert_eq!(text.lines().count(), 5_001);
        let truth = read_truth(&String::from_utf8(x.1).unwrap());
        assert!(truth.iter().any(|t| t.code == "KEMUNGKINAN_GANDA"));
        assert!(truth.iter().any(|t| t.code == "NIK_GANDA"));
    }

    #[test]
    fn zipf_is_skewed() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut counts = [0u32; 100];
        for _ in 0..100_000 {
            counts[zipf(&mut rng, 100)] += 1;
        }
        assert!(counts[0] > counts[9] * 3, "{:?}", &counts[..10]);
        assert!(counts[0] < 20_000, "{:?}", &counts[..10]);
        assert!(counts[99] > 0);
    }
}
