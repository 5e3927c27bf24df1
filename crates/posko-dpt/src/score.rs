//! Scoring a pair of voter rows as possibly the same person under different NIKs. Pure: the
//! features are the normalised names (name.rs), the stated birth dates and their usual slips
//! (day and month swapped, one digit mistyped, a day off), sex, how near the two villages are,
//! the birthplace and the family card (NKK). The score is a weighted sum in 0..=1; the reasons
//! say in Bahasa Indonesia why the pair was flagged, for the camat who must check it.

use crate::date::Ymd;
use crate::nik::Sex;

/// What the scorer needs of a row.
#[derive(Debug, Clone, Copy)]
pub struct Person<'a> {
    pub name: &'a str,
    pub sorted_name: &'a str,
    pub born: Option<Ymd>,
    pub sex: Option<Sex>,
    pub village: u64,
    pub birthplace: &'a str,
    pub nkk: u64,
    /// How many rows of the partition (about a regency) carry this normalised name: agreement
    /// on a common name is weaker evidence than on a rare one.
    pub name_count: u32,
    /// Which letters A–Z occur in the name (`letter_mask`): a cheap first test.
    pub letters: u32,
}

/// One bit per letter A–Z that occurs in `name`.
pub fn letter_mask(name: &str) -> u32 {
    name.bytes()
        .filter(u8::is_ascii_uppercase)
        .fold(0, |m, b| m | 1 << (b - b'A'))
}

/// How two birth dates relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateRelation {
    Same,
    /// Day and month swapped (`03-05` vs `05-03`).
    Swapped,
    /// One digit of `ddmmyyyy` differs.
    OneDigit,
    /// One day apart.
    OneDay,
    /// Transposed adjacent digits within the day, month or year (`1985` vs `1958`).
    Transposed,
    Different,
    Unknown,
}

fn digits(d: Ymd) -> [u8; 8] {
    let y = d.y.rem_euclid(10_000) as u32;
    [
        d.d / 10,
        d.d % 10,
        d.m / 10,
        d.m % 10,
        (y / 1000) as u8,
        (y / 100 % 10) as u8,
        (y / 10 % 10) as u8,
        (y % 10) as u8,
    ]
}

pub fn date_relation(a: Option<Ymd>, b: Option<Ymd>) -> DateRelation {
    let (Some(a), Some(b)) = (a, b) else {
        return DateRelation::Unknown;
    };
    if a == b {
        return DateRelation::Same;
    }
    if a.y == b.y && a.d == b.m && a.m == b.d {
        return DateRelation::Swapped;
    }
    let (da, db) = (digits(a), digits(b));
    // The positions that differ: how many, and the first two.
    let (mut n, mut first, mut second) = (0, 0, 0);
    for i in 0..8 {
        if da[i] != db[i] {
            match n {
                0 => first = i,
                1 => second = i,
                _ => {}
            }
            n += 1;
        }
    }
    if n == 1 {
        return DateRelation::OneDigit;
    }
    if (a.days() - b.days()).abs() == 1 {
        return DateRelation::OneDay;
    }
    if n == 2 && second == first + 1 && da[first] == db[second] {
        return DateRelation::Transposed;
    }
    DateRelation::Different
}

/// Why a pair was flagged; kept as flags so that a finding can name them all.
pub mod reason {
    pub const NAME_SAME: u16 = 1;
    pub const NAME_SIMILAR: u16 = 1 << 1;
    pub const DOB_SAME: u16 = 1 << 2;
    pub const DOB_SWAPPED: u16 = 1 << 3;
    pub const DOB_ONE_DIGIT: u16 = 1 << 4;
    pub const DOB_ONE_DAY: u16 = 1 << 5;
    pub const DOB_TRANSPOSED: u16 = 1 << 6;
    pub const SAME_VILLAGE: u16 = 1 << 7;
    pub const SAME_DISTRICT: u16 = 1 << 8;
    pub const SAME_REGENCY: u16 = 1 << 9;
    pub const BIRTHPLACE_SAME: u16 = 1 << 10;
    pub const NKK_SAME: u16 = 1 << 11;
    pub const SEX_DIFFERS: u16 = 1 << 12;
}

/// The reasons in Bahasa Indonesia, joined for a findings file.
pub fn reason_text(flags: u16) -> String {
    use reason::*;
    let names: [(u16, &str); 13] = [
        (NAME_SAME, "nama sama setelah normalisasi"),
        (NAME_SIMILAR, "nama mirip"),
        (DOB_SAME, "tanggal lahir sama"),
        (DOB_SWAPPED, "tanggal dan bulan lahir tertukar"),
        (DOB_ONE_DIGIT, "satu angka tanggal lahir berbeda"),
        (DOB_ONE_DAY, "tanggal lahir selisih satu hari"),
        (DOB_TRANSPOSED, "dua angka tanggal lahir tertukar"),
        (SAME_VILLAGE, "desa/kelurahan sama"),
        (SAME_DISTRICT, "kecamatan sama"),
        (SAME_REGENCY, "kabupaten/kota sama"),
        (BIRTHPLACE_SAME, "tempat lahir sama"),
        (NKK_SAME, "NKK sama"),
        (SEX_DIFFERS, "jenis kelamin berbeda"),
    ];
    names
        .iter()
        .filter(|(f, _)| flags & f != 0)
        .map(|(_, t)| *t)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The score above which a pair is reported.
pub const THRESHOLD: f32 = 0.80;

/// Name similarity in 0..=1, by levels rather than one string metric, because Jaro-Winkler
/// rates two different people who share "MUHAMMAD" or "NUR" and a similar second word too
/// high: the same normalised name (1.0); the same words in another order (0.97); one name's
/// words in order with one left out, keeping at least two (0.88: a dropped middle name); one typing
/// slip — one letter changed, dropped, added or two swapped — (0.92), two in a long name
/// (0.85); otherwise a very close Jaro-Winkler (0.8), else nothing.
pub fn name_similarity(a: &Person, b: &Person) -> f32 {
    if a.name == b.name {
        return 1.0;
    }
    if a.name.is_empty() || b.name.is_empty() {
        return 0.0;
    }
    if a.sorted_name == b.sorted_name {
        return 0.97;
    }
    let (short, long) = if a.name.len() <= b.name.len() {
        (a.name, b.name)
    } else {
        (b.name, a.name)
    };
    let longer_by = long.len() - short.len();
    let words = |s: &str| s.bytes().filter(|b| *b == b' ').count();
    if longer_by >= 2 && words(long) == words(short) + 1 && dropped_one_word(short, long) {
        return 0.88;
    }
    // Two edits change at most four letters' presence, and a Jaro-Winkler of 0.97 leaves no
    // room for five letters missing on one side: most pairs in a birth-date block end here,
    // before the string metrics that took two thirds of a run's time (measured with perf).
    if (a.letters ^ b.letters).count_ones() > 4 || longer_by > 2 {
        return 0.0;
    }
    let edits = strsim::osa_distance(a.name, b.name);
    if edits <= 1 {
        return 0.92;
    }
    if edits == 2 && short.len() >= 12 {
        return 0.85;
    }
    if strsim::jaro_winkler(a.sorted_name, b.sorted_name) >= 0.97 {
        return 0.8;
    }
    0.0
}

/// Is `short` the words of `long`, in order, with exactly one word left out, and at least two
/// words kept? ("SITI NUR AMINAH" and "SITI AMINAH".)
fn dropped_one_word(short: &str, long: &str) -> bool {
    let s: Vec<&str> = short.split(' ').collect();
    let l: Vec<&str> = long.split(' ').collect();
    if s.len() < 2 || l.len() != s.len() + 1 {
        return false;
    }
    (0..l.len()).any(|skip| {
        l.iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, w)| *w)
            .eq(s.iter().copied())
    })
}

/// Scores a pair; `None` when it is below `THRESHOLD`. The weights favour what people rarely
/// get wrong twice: a name and a birth date that both agree after allowing for one slip each.
pub fn score(a: &Person, b: &Person) -> Option<(f32, u16)> {
    use reason::*;
    let mut flags = 0u16;
    let name = name_similarity(a, b);
    if name < 0.8 {
        return None;
    }
    flags |= if name >= 1.0 { NAME_SAME } else { NAME_SIMILAR };
    let dob = match date_relation(a.born, b.born) {
        DateRelation::Same => {
            flags |= DOB_SAME;
            1.0
        }
        DateRelation::Swapped => {
            flags |= DOB_SWAPPED;
            0.85
        }
        DateRelation::OneDigit => {
            flags |= DOB_ONE_DIGIT;
            0.8
        }
        DateRelation::OneDay => {
            flags |= DOB_ONE_DAY;
            0.8
        }
        DateRelation::Transposed => {
            flags |= DOB_TRANSPOSED;
            0.75
        }
        DateRelation::Unknown => 0.3,
        DateRelation::Different => return None,
    };
    let place = if a.village == b.village && a.village != 0 {
        flags |= SAME_VILLAGE;
        1.0
    } else if a.village / 10_000 == b.village / 10_000 {
        flags |= SAME_DISTRICT;
        0.8
    } else if a.village / 1_000_000 == b.village / 1_000_000 {
        flags |= SAME_REGENCY;
        0.5
    } else {
        0.0
    };
    let mut extra = 0.0;
    if !a.birthplace.is_empty() && a.birthplace == b.birthplace {
        flags |= BIRTHPLACE_SAME;
        extra += 0.03;
    }
    if a.nkk != 0 && a.nkk == b.nkk {
        flags |= NKK_SAME;
        extra += 0.05;
    }
    // Term-frequency adjustment: "BUDI" born on nearly the same day as another "BUDI" in a
    // regency of a million is not news; a rare name is.
    let common = a.name_count.max(b.name_count).max(1) as f32;
    let rarity = if flags & DOB_SAME != 0 { 0.015 } else { 0.025 } * common.log2();
    let mut s = 0.5 * name + 0.4 * dob + 0.07 * place + extra - rarity;
    if let (Some(x), Some(y)) = (a.sex, b.sex) {
        if x != y {
            flags |= SEX_DIFFERS;
            s -= 0.15;
        }
    }
    let s = s.clamp(0.0, 1.0);
    (s >= THRESHOLD).then_some((s, flags))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::{normalize, sorted_tokens};
    use proptest::prelude::*;

    fn with<T>(name: &str, born: &str, village: u64, f: impl FnOnce(&Person) -> T) -> T {
        let n = normalize(name);
        let s = sorted_tokens(&n);
        let p = Person {
            name: &n,
            sorted_name: &s,
            born: crate::date::parse_date(born),
            sex: Some(Sex::Male),
            village,
            birthplace: "JEPARA",
            nkk: 0,
            name_count: 1,
            letters: letter_mask(&n),
        };
        f(&p)
    }

    fn pair(a: (&str, &str, u64), b: (&str, &str, u64)) -> Option<(f32, u16)> {
        with(a.0, a.1, a.2, |pa| {
            with(b.0, b.1, b.2, |pb| {
                let s1 = score(pa, pb);
                let s2 = score(pb, pa);
                assert_eq!(s1, s2, "symmetric");
                s1
            })
        })
    }

    #[test]
    fn date_relations() {
        let d = |t| crate::date::parse_date(t);
        use DateRelation::*;
        assert_eq!(date_relation(d("03-05-1980"), d("03-05-1980")), Same);
        assert_eq!(date_relation(d("03-05-1980"), d("05-03-1980")), Swapped);
        assert_eq!(date_relation(d("03-05-1980"), d("08-05-1980")), OneDigit);
        assert_eq!(date_relation(d("03-05-1980"), d("03-05-1981")), OneDigit);
        assert_eq!(date_relation(d("31-05-1980"), d("01-06-1980")), OneDay);
        assert_eq!(date_relation(d("03-05-1985"), d("03-05-1958")), Transposed);
        assert_eq!(date_relation(d("03-05-1985"), d("17-11-1962")), Different);
        assert_eq!(date_relation(None, d("17-11-1962")), Unknown);
    }

    #[test]
    fn same_person_variants_score_high() {
        let v = 3_320_012_001;
        let base = ("Muhammad Soedjono", "03-05-1980", v);
        for other in [
            ("Moh. Sujono", "03-05-1980", v),
            ("H. M. Sujono, S.Pd.", "05-03-1980", v),
            ("MUHAMAD SUJONO", "03-05-1981", v + 1),
            ("Muhammad Sujana", "03-05-1980", v),
            ("Sujono Muhammad", "04-05-1980", v),
            ("Muhammad Adi Sujono", "03-05-1980", v),
        ] {
            let got = pair(base, other);
            assert!(got.is_some(), "{other:?}");
        }
        let (s, flags) = pair(base, ("Moh. Sujono", "03-05-1980", v)).unwrap();
        assert!(s > 0.95);
        assert_eq!(flags & reason::NAME_SAME, reason::NAME_SAME);
        assert!(reason_text(flags).contains("tanggal lahir sama"));
    }

    #[test]
    fn different_people_stay_apart() {
        let v = 3_320_012_001;
        let base = ("Muhammad Sujono", "03-05-1980", v);
        for other in [
            ("Siti Aminah", "03-05-1980", v),
            ("Muhammad Sujono", "17-11-1962", v),
            ("Ahmad Fauzi", "05-03-1980", v),
        ] {
            assert_eq!(pair(base, other), None, "{other:?}");
        }
    }

    proptest! {
        #[test]
        fn score_is_symmetric_and_bounded(a in "[A-Z]{2,8} [A-Z]{2,8}", b in "[A-Z]{2,8} [A-Z]{2,8}",
                                           da in 1u8..=28, db in 1u8..=28) {
            let r = pair((&a, &format!("{da:02}-01-1980"), 1), (&b, &format!("{db:02}-01-1980"), 1));
            if let Some((s, _)) = r {
                prop_assert!((THRESHOLD..=1.0).contains(&s));
            }
        }

        #[test]
        fn identical_rows_always_match(a in "[A-Z]{2,8} [A-Z]{2,8}", d in 1u8..=28) {
            let born = format!("{d:02}-01-1980");
            prop_assert!(pair((&a, &born, 7), (&a, &born, 7)).is_some());
        }
    }
}
