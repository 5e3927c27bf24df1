//! Calendar dates as voter lists write them: `dd-mm-yyyy`, `dd/mm/yyyy`, `dd.mm.yyyy`,
//! `yyyy-mm-dd`, and XLSX serial numbers. Held as a plain year/month/day so that the hot path
//! (hundreds of millions of rows) does no allocation and no time-zone work; `days()` gives a
//! day number for arithmetic. posko-core's `report::parse_date` serves forms, this serves lists.

use std::fmt;

/// A valid Gregorian date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ymd {
    pub y: i32,
    pub m: u8,
    pub d: u8,
}

pub fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Ymd {
    /// A date if it exists (years 1800–2200 only: anything else in a voter list is a typo).
    pub fn new(y: i32, m: u8, d: u8) -> Option<Ymd> {
        if !(1800..=2200).contains(&y) || !(1..=12).contains(&m) {
            return None;
        }
        if d == 0 || d > days_in_month(y, m) {
            return None;
        }
        Some(Ymd { y, m, d })
    }

    /// Days since 1970-01-01 (negative before), by the civil-from-days algorithm.
    pub fn days(self) -> i32 {
        let y = if self.m <= 2 { self.y - 1 } else { self.y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.m as i32;
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + self.d as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The inverse of `days`.
    pub fn from_days(z: i32) -> Ymd {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
        Ymd { y, m, d }
    }

    /// Whole years of age on `on` (a birthday on `on` counts: 17 exactly on polling day is 17).
    pub fn age_on(self, on: Ymd) -> i32 {
        let mut age = on.y - self.y;
        if (on.m, on.d) < (self.m, self.d) {
            age -= 1;
        }
        age
    }

    /// An XLSX serial date (1900 system: 1 = 1900-01-01, with Lotus's phantom 29 Feb 1900).
    /// Fractions (times of day) are dropped.
    pub fn from_excel_serial(serial: f64) -> Option<Ymd> {
        if !serial.is_finite() || !(1.0..3_000_000.0).contains(&serial) {
            return None;
        }
        let mut n = serial.floor() as i32;
        if n == 60 {
            return None; // 1900-02-29 never existed
        }
        if n > 60 {
            n -= 1;
        }
        // Serial 1 is 1900-01-01, which is day -25_567 from 1970.
        let d = Ymd::from_days(n - 25_568);
        Ymd::new(d.y, d.m, d.d)
    }
}

impl fmt::Display for Ymd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.y, self.m, self.d)
    }
}

fn num(s: &[u8]) -> Option<i32> {
    if s.is_empty() || s.len() > 4 || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0, |a, b| a * 10 + (b - b'0') as i32))
}

/// Parses the date forms offices use. `yyyy-mm-dd` is told from `dd-mm-yyyy` by where the
/// four-digit part stands; a time after the date (`1990-05-01 00:00:00`) is ignored. A bare
/// number of up to 6 digits is read as an XLSX serial date (a spreadsheet exported as text).
pub fn parse_date(text: &str) -> Option<Ymd> {
    let t = crate::check::trim(text);
    let b = t.as_bytes();
    // The usual forms, `dd-mm-yyyy` and `yyyy-mm-dd` (any of - / .), read directly; anything
    // else takes the general path below, which gives the same answer for these.
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let sep = |c: u8| matches!(c, b'-' | b'/' | b'.');
    if b.len() == 10 && sep(b[2]) && b[5] == b[2] && digits(0..2) && digits(3..5) && digits(6..10) {
        return Ymd::new(num(&b[6..10])?, num(&b[3..5])? as u8, num(&b[0..2])? as u8);
    }
    if b.len() == 10 && sep(b[4]) && b[7] == b[4] && digits(0..4) && digits(5..7) && digits(8..10) {
        return Ymd::new(num(&b[0..4])?, num(&b[5..7])? as u8, num(&b[8..10])? as u8);
    }
    parse_date_general(t)
}

/// `parse_date` on trimmed text, every form.
fn parse_date_general(t: &str) -> Option<Ymd> {
    // A time after the date ("1990-05-01 00:00:00", "1990-05-01T00:00") is dropped.
    let t = match t.find([' ', 'T']) {
        Some(i) if t[i..].contains(':') => &t[..i],
        _ => t,
    };
    let b = t.as_bytes();
    if b.is_empty() {
        return None;
    }
    if b.iter().all(u8::is_ascii_digit) {
        if b.len() <= 6 {
            let n = b.iter().fold(0u32, |a, c| a * 10 + (c - b'0') as u32);
            return Ymd::from_excel_serial(n as f64);
        }
        if b.len() == 8 {
            // yyyymmdd, as some exports write it.
            return Ymd::new(num(&b[0..4])?, num(&b[4..6])? as u8, num(&b[6..8])? as u8);
        }
        return None;
    }
    let sep = *b.iter().find(|c| matches!(c, b'-' | b'/' | b'.'))?;
    let mut parts = t.as_bytes().split(|c| *c == sep);
    let (a, m, c) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || m.is_empty() || m.len() > 2 {
        return None;
    }
    let m = num(m)? as u8;
    if a.len() == 4 && c.len() <= 2 && !c.is_empty() {
        Ymd::new(num(a)?, m, num(c)? as u8)
    } else if c.len() == 4 && a.len() <= 2 && !a.is_empty() {
        Ymd::new(num(c)?, m, num(a)? as u8)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn forms_offices_use() {
        let d = Ymd::new(1990, 5, 1).unwrap();
        for t in [
            "01-05-1990",
            "1-5-1990",
            "01/05/1990",
            "01.05.1990",
            "1990-05-01",
            "1990-05-01 00:00:00",
            "19900501",
            " 01/05/1990 ",
        ] {
            assert_eq!(parse_date(t), Some(d), "{t}");
        }
        for t in [
            "",
            "31-02-2001",
            "00-01-2000",
            "01-13-2000",
            "1990-5",
            "01/05/90",
            "abc",
            "17 Agustus 1990",
            "1-1-1-1",
        ] {
            assert_eq!(parse_date(t), None, "{t:?}");
        }
        assert_eq!(parse_date("29-02-2000"), Ymd::new(2000, 2, 29));
        assert_eq!(parse_date("29-02-1900"), None);
    }

    #[test]
    fn xlsx_serials() {
        assert_eq!(Ymd::from_excel_serial(1.0), Ymd::new(1900, 1, 1));
        assert_eq!(Ymd::from_excel_serial(59.0), Ymd::new(1900, 2, 28));
        assert_eq!(Ymd::from_excel_serial(60.0), None);
        assert_eq!(Ymd::from_excel_serial(61.0), Ymd::new(1900, 3, 1));
        assert_eq!(Ymd::from_excel_serial(32_994.0), Ymd::new(1990, 5, 1));
        assert_eq!(Ymd::from_excel_serial(45_336.75), Ymd::new(2024, 2, 14));
        assert_eq!(parse_date("45336"), Ymd::new(2024, 2, 14));
        assert_eq!(Ymd::from_excel_serial(-3.0), None);
        assert_eq!(Ymd::from_excel_serial(f64::NAN), None);
    }

    #[test]
    fn seventeen_on_polling_day_counts() {
        let poll = Ymd::new(2024, 2, 14).unwrap();
        assert_eq!(Ymd::new(2007, 2, 14).unwrap().age_on(poll), 17);
        assert_eq!(Ymd::new(2007, 2, 15).unwrap().age_on(poll), 16);
        assert_eq!(Ymd::new(2008, 2, 29).unwrap().age_on(poll), 15);
    }

    proptest! {
        #[test]
        fn fast_forms_agree_with_the_general_path(t in "[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}|[0-9/.-]{10}") {
            prop_assert_eq!(parse_date(&t), parse_date_general(&t));
        }

        #[test]
        fn days_round_trip(z in -60_000i32..80_000) {
            let d = Ymd::from_days(z);
            prop_assert_eq!(d.days(), z);
            prop_assert!(Ymd::new(d.y, d.m, d.d).is_some());
        }

        #[test]
        fn every_written_form_parses_back(z in -50_000i32..60_000) {
            let d = Ymd::from_days(z);
            let forms = [
                format!("{:02}-{:02}-{:04}", d.d, d.m, d.y),
                format!("{:02}/{:02}/{:04}", d.d, d.m, d.y),
                format!("{}/{}/{:04}", d.d, d.m, d.y),
                format!("{:04}-{:02}-{:02}", d.y, d.m, d.d),
                d.to_string(),
            ];
            for f in forms {
                prop_assert_eq!(parse_date(&f), Some(d));
            }
        }

        #[test]
        fn serials_are_consecutive_days(n in 61u32..100_000) {
            let a = Ymd::from_excel_serial(n as f64).unwrap();
            let b = Ymd::from_excel_serial(n as f64 + 1.0).unwrap();
            prop_assert_eq!(b.days() - a.days(), 1);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = parse_date(&s);
        }
    }
}
