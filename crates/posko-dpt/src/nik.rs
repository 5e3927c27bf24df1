//! The NIK layout (DOMAIN.md §3, UU 23/2006 Pasal 13): 16 digits `PP KK CC DDMMYY NNNN` — the
//! province, regency and district where the number was first issued, the birth date with 40
//! added to the day for women, a two-digit year, and a serial from 0001. Decoding is pure; which
//! prefixes exist comes from the atlas (`Prefixes`), with the pre-2022 Papua codes kept beside it.

use foldhash::HashSet;

use posko_core::{Atlas, Level};

use crate::date::Ymd;

/// Sex as the NIK and the list write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Sex {
    /// L: laki-laki.
    Male,
    /// P: perempuan.
    Female,
}

impl Sex {
    /// Reads `L`/`P` and the words (`LAKI-LAKI`, `PEREMPUAN`, `PRIA`, `WANITA`).
    pub fn parse(text: &str) -> Option<Sex> {
        let t = crate::check::trim(text);
        let up = |w: &str| t.eq_ignore_ascii_case(w);
        if up("L") || up("LK") || up("LAKI-LAKI") || up("LAKI LAKI") || up("LAKI") || up("PRIA") {
            Some(Sex::Male)
        } else if up("P") || up("PR") || up("PEREMPUAN") || up("WANITA") {
            Some(Sex::Female)
        } else {
            None
        }
    }

    pub fn letter(self) -> &'static str {
        match self {
            Sex::Male => "L",
            Sex::Female => "P",
        }
    }
}

/// Why a text is not a well-formed NIK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NikError {
    /// Not exactly 16 digits (after removing spaces, dots and dashes), or serial 0000.
    Format,
    /// The encoded day/month is not a real date in either century.
    Date,
}

/// The parts of a well-formed NIK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NikParts {
    /// The NIK as a number (16 digits fit in a u64): the compact key for duplicate search.
    pub value: u64,
    /// `PPKKCC` as a number, e.g. 332001.
    pub district: u32,
    pub day: u8,
    pub month: u8,
    /// Two-digit year.
    pub yy: u8,
    pub sex: Sex,
    pub serial: u16,
}

/// Strips the separators people type into NIKs (spaces, dots, dashes, a leading apostrophe
/// that spreadsheets use to keep leading zeros) and returns the 16 digits as a number.
pub fn nik_value(text: &str) -> Option<u64> {
    let mut v: u64 = 0;
    let mut n = 0;
    for b in crate::check::trim(text).trim_start_matches('\'').bytes() {
        match b {
            b'0'..=b'9' => {
                n += 1;
                if n > 16 {
                    return None;
                }
                v = v * 10 + (b - b'0') as u64;
            }
            b' ' | b'.' | b'-' => {}
            _ => return None,
        }
    }
    (n == 16).then_some(v)
}

/// Decodes a NIK. The birth year's century is left open: see `NikParts::birth_date`.
pub fn decode(text: &str) -> Result<NikParts, NikError> {
    let value = nik_value(text).ok_or(NikError::Format)?;
    let digits = |from: u32, len: u32| (value / 10u64.pow(16 - from - len)) % 10u64.pow(len);
    let district = digits(0, 6) as u32;
    let mut day = digits(6, 2) as u8;
    let month = digits(8, 2) as u8;
    let yy = digits(10, 2) as u8;
    let serial = digits(12, 4) as u16;
    if serial == 0 {
        return Err(NikError::Format);
    }
    let sex = if day > 40 {
        day -= 40;
        Sex::Female
    } else {
        Sex::Male
    };
    // 29 February is real in a leap year of either century, so test 2000+yy and 1900+yy.
    if Ymd::new(2000 + yy as i32, month, day).is_none()
        && Ymd::new(1900 + yy as i32, month, day).is_none()
    {
        return Err(NikError::Date);
    }
    Ok(NikParts {
        value,
        district,
        day,
        month,
        yy,
        sex,
        serial,
    })
}

impl NikParts {
    /// The birth date, with the century chosen as the later one that is not after `today`
    /// (a NIK year of 05 read in 2024 is 2005, one of 30 is 1930). A person cannot be born in
    /// the future, and nobody on a voter list is over 100 often enough to prefer that reading.
    pub fn birth_date(&self, today: Ymd) -> Option<Ymd> {
        let later = Ymd::new(2000 + self.yy as i32, self.month, self.day);
        match later {
            Some(d) if d <= today => Some(d),
            _ => Ymd::new(1900 + self.yy as i32, self.month, self.day),
        }
    }

    /// Does the NIK's date agree with a stated birth date? Only day, month and the last two
    /// digits of the year are encoded, so that is what is compared.
    pub fn agrees_with(&self, stated: Ymd) -> bool {
        self.day == stated.d && self.month == stated.m && self.yy as i32 == stated.y.rem_euclid(100)
    }

    pub fn province(&self) -> u32 {
        self.district / 10_000
    }

    pub fn regency(&self) -> u32 {
        self.district / 100
    }
}

/// Pre-2022 regencies of Papua (91) and Papua Barat (92): NIKs first issued there keep these
/// prefixes after the split into 93–96. No historical district list is shipped, so for these
/// only the regency part is checked **[U]**: Papua had 28 regencies and Kota Jayapura (91.71),
/// Papua Barat 12 regencies and Kota Sorong (92.71).
fn historical_regency(regency: u32) -> bool {
    matches!(regency, 9101..=9128 | 9171 | 9201..=9212 | 9271)
}

/// The NIK prefixes (`PPKKCC`) that exist: every district of the atlas, plus the historical
/// Papua regencies.
#[derive(Debug, Clone)]
pub struct Prefixes {
    districts: HashSet<u32>,
}

impl Prefixes {
    pub fn from_atlas(atlas: &Atlas) -> Prefixes {
        let districts = atlas
            .all()
            .iter()
            .filter(|r| r.level() == Level::District)
            .filter_map(|r| crate::region::district_number(&r.code))
            .collect();
        Prefixes { districts }
    }

    /// Is `PPKKCC` a district code, current or historical?
    pub fn known(&self, district: u32) -> bool {
        self.districts.contains(&district)
            || (historical_regency(district / 100) && !district.is_multiple_of(100))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_the_layout() {
        let p = decode("3320015708900003").unwrap();
        assert_eq!(p.district, 332001);
        assert_eq!((p.day, p.month, p.yy), (17, 8, 90));
        assert_eq!(p.sex, Sex::Female);
        assert_eq!(p.serial, 3);
        let today = Ymd::new(2024, 2, 14).unwrap();
        assert_eq!(p.birth_date(today), Ymd::new(1990, 8, 17));
        let m = decode("33 2001 170805 0001").unwrap();
        assert_eq!(m.sex, Sex::Male);
        assert_eq!(m.birth_date(today), Ymd::new(2005, 8, 17));
        assert_eq!(decode("'3320011708050001").unwrap().value, 3320011708050001);
    }

    #[test]
    fn malformed_and_impossible() {
        assert_eq!(decode("332001170805000"), Err(NikError::Format));
        assert_eq!(decode("33200117080500011"), Err(NikError::Format));
        assert_eq!(decode("33200117O8050001"), Err(NikError::Format));
        assert_eq!(decode(""), Err(NikError::Format));
        assert_eq!(
            decode("3320011708050000"),
            Err(NikError::Format),
            "serial 0000"
        );
        assert_eq!(decode("3320013208050001"), Err(NikError::Date), "day 32");
        assert_eq!(
            decode("3320017208050001"),
            Err(NikError::Date),
            "day 72 = 32 + 40"
        );
        assert_eq!(
            decode("3320010013050001"),
            Err(NikError::Date),
            "day 00, month 13"
        );
        assert_eq!(
            decode("3320013102900001"),
            Err(NikError::Date),
            "31 February"
        );
        assert!(decode("3320012902000001").is_ok(), "29 Feb 2000");
        assert!(decode("3320016902000001").is_ok(), "29 Feb 2000, a woman");
        assert_eq!(decode("3320012902010001"), Err(NikError::Date), "29 Feb 01");
    }

    #[test]
    fn century_from_age() {
        let today = Ymd::new(2024, 2, 14).unwrap();
        let p = decode("3320011402070001").unwrap();
        assert_eq!(p.birth_date(today), Ymd::new(2007, 2, 14));
        let p = decode("3320011502240001").unwrap();
        assert_eq!(
            p.birth_date(today),
            Ymd::new(1924, 2, 15),
            "not in the future"
        );
        let p = decode("3320011402240001").unwrap();
        assert_eq!(p.birth_date(today), Ymd::new(2024, 2, 14));
    }

    #[test]
    fn prefixes_current_and_historical() {
        let px = Prefixes::from_atlas(Atlas::embedded());
        assert!(px.known(332001), "Jepara, Kedung");
        assert!(!px.known(332099));
        assert!(!px.known(990101));
        assert!(px.known(930101) || px.known(930102), "Merauke today");
        assert!(px.known(910101), "Merauke before 2022 (91.01)");
        assert!(px.known(921001), "Papua Barat before 2022");
        assert!(!px.known(912901), "no 29th regency in old Papua");
        assert!(!px.known(910100));
    }

    proptest! {
        #[test]
        fn encode_decode(y in 1925i32..2023, m in 1u8..=12, d in 1u8..=28, female: bool,
                         serial in 1u16..=9999, district in 110101u32..=999999) {
            let day = if female { d + 40 } else { d };
            let text = format!("{district:06}{day:02}{m:02}{:02}{serial:04}", y % 100);
            let p = decode(&text).unwrap();
            prop_assert_eq!(p.district, district);
            prop_assert_eq!(p.sex, if female { Sex::Female } else { Sex::Male });
            prop_assert_eq!(p.serial, serial);
            let born = Ymd::new(y, m, d).unwrap();
            prop_assert!(p.agrees_with(born));
            prop_assert_eq!(p.birth_date(Ymd::new(2024, 2, 14).unwrap()), Some(born));
            prop_assert_eq!(p.value, text.parse::<u64>().unwrap());
        }

        #[test]
        fn decode_never_panics(s in "\\PC{0,24}") {
            let _ = decode(&s);
        }

        #[test]
        fn wrong_length_is_format(n in 0usize..40) {
            prop_assume!(n != 16);
            prop_assert_eq!(decode(&"3".repeat(n)), Err(NikError::Format));
        }
    }
}
