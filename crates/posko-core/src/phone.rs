//! Indonesian phone numbers of reporters, witnesses and reported parties (DOMAIN.md §4: the report
//! form records phones). `PhoneNumber::parse` accepts the ways people write them — `0812-3456-7890`,
//! `62812…`, `+62 812 …`, `0062…`, `(021) 555-1234` — and keeps one form, E.164 (`+6281234567890`),
//! so that the same person's number is always the same text. Only Indonesian numbers are taken:
//! a Posko serves Indonesian elections, and a foreign number is almost always a typing slip.
//!
//! What counts as valid, by the national significant number (NSN, the digits after `+62` or the
//! trunk `0`):
//! - **mobile**: `8` then a digit 1–9 (`81x` Telkomsel, `85x`/`81[4-6]` Indosat, `87x`/`81[7-9]` XL,
//!   `83x` Axis, `89x` Tri, `88x` Smartfren …), 9 to 12 digits in all (`0812-345-678` to
//!   `0812-3456-78901`);
//! - **landline**: an area code of 2–3 digits starting with 2–7 or 9 (`21` Jakarta, `291` Kudus and
//!   Jepara, `967` Jayapura), then the subscriber number: 8 to 11 digits in all;
//! - `0800` (toll-free) and `0809` (premium) numbers are services, not people, and are refused.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A validated Indonesian phone number, held in E.164 form (`+6281234567890`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PhoneNumber(String);

/// Why a text is not an Indonesian phone number. Indonesian first, English second; the input is
/// echoed (shortened) so that the person can see what was read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("nomor telepon kosong (empty phone number)")]
    Empty,
    #[error(
        "'{0}' bukan nomor telepon Indonesia: hanya angka, spasi, +, -, titik dan tanda kurung \
         yang boleh dipakai ('{0}' is not an Indonesian phone number: only digits, spaces, +, -, \
         dots and parentheses are allowed)"
    )]
    Characters(String),
    #[error(
        "'{0}' bukan nomor telepon Indonesia: kode negaranya bukan +62 ('{0}' is not an \
         Indonesian phone number: its country code is not +62)"
    )]
    Foreign(String),
    #[error(
        "'{0}' bukan nomor telepon Indonesia: jumlah angkanya salah; nomor ponsel 08… berisi \
         10–13 angka, telepon rumah/kantor berisi kode wilayah dan 9–12 angka ('{0}' is not an \
         Indonesian phone number: wrong number of digits; mobiles 08… have 10–13 digits, \
         landlines an area code and 9–12 digits in all)"
    )]
    Length(String),
    #[error(
        "'{0}' bukan nomor telepon Indonesia: awali dengan 08 (ponsel), kode wilayah seperti 021, \
         atau +62 ('{0}' is not an Indonesian phone number: start with 08 for a mobile, an area \
         code such as 021, or +62)"
    )]
    Shape(String),
    #[error(
        "'{0}' adalah nomor layanan (bebas pulsa atau premium), bukan nomor telepon pribadi di \
         Indonesia ('{0}' is a toll-free or premium service number, not a personal Indonesian \
         phone number)"
    )]
    Service(String),
}

impl PhoneError {
    /// Stable code for the API and the message catalogues.
    pub fn code(&self) -> &'static str {
        match self {
            PhoneError::Empty => "phone_empty",
            PhoneError::Characters(_) => "phone_characters",
            PhoneError::Foreign(_) => "phone_foreign",
            PhoneError::Length(_) => "phone_length",
            PhoneError::Shape(_) => "phone_shape",
            PhoneError::Service(_) => "phone_service",
        }
    }
}

/// The input as echoed in an error: at most 40 characters, so that a pasted paragraph does not
/// end up whole in a message.
fn shown(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(MAX).collect();
        s.push('…');
        s
    }
}

/// Mobile NSN lengths (after `+62`): `812-345-678` to `812-3456-78901`.
const MOBILE_NSN: std::ops::RangeInclusive<usize> = 9..=12;
/// Landline NSN lengths: a 2–3 digit area code and a 5–8 digit subscriber number.
const LANDLINE_NSN: std::ops::RangeInclusive<usize> = 8..=11;

impl PhoneNumber {
    /// Parses a phone number as people write it: `08…`, `628…`, `+62 8…`, `0062…`, a landline with
    /// its area code (`021 555 1234`, `(0291) 591234`), or a mobile without its leading zero
    /// (`812…`, as typed into a field that shows `+62` before it). Spaces, dashes, dots and
    /// parentheses are ignored; a `0` right after the country code (`+62 (0)812…`) is tolerated.
    pub fn parse(text: &str) -> Result<PhoneNumber, PhoneError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(PhoneError::Empty);
        }
        let mut digits = String::with_capacity(16);
        let mut plus = false;
        for c in t.chars() {
            match c {
                '0'..='9' => digits.push(c),
                // A plus only before the first digit, once.
                '+' if digits.is_empty() && !plus => plus = true,
                '-' | '.' | '(' | ')' => {}
                c if c.is_whitespace() => {}
                _ => return Err(PhoneError::Characters(shown(t))),
            }
            if digits.len() > 20 {
                return Err(PhoneError::Length(shown(t)));
            }
        }
        if digits.is_empty() {
            return Err(PhoneError::Shape(shown(t)));
        }

        let after_country = |rest: &str| -> String {
            // "+62 0812…" and "+62 (0)21…": a trunk zero written out of habit.
            rest.strip_prefix('0').unwrap_or(rest).to_string()
        };
        let nsn: String = if plus {
            match digits.strip_prefix("62") {
                Some(rest) => after_country(rest),
                None => return Err(PhoneError::Foreign(shown(t))),
            }
        } else if let Some(rest) = digits.strip_prefix("0062") {
            after_country(rest)
        } else if digits.starts_with("00") {
            // An international call prefix (00, 001, 007, 008 …) to another country.
            return Err(PhoneError::Foreign(shown(t)));
        } else if let Some(rest) = digits.strip_prefix("62") {
            after_country(rest)
        } else if let Some(rest) = digits.strip_prefix('0') {
            rest.to_string()
        } else if digits.starts_with('8') {
            digits.clone()
        } else {
            return Err(PhoneError::Shape(shown(t)));
        };

        let first = nsn.as_bytes().first().copied();
        let second = nsn.as_bytes().get(1).copied();
        match first {
            Some(b'8') => {
                if second == Some(b'0') {
                    return Err(PhoneError::Service(shown(t)));
                }
                if !MOBILE_NSN.contains(&nsn.len()) {
                    return Err(PhoneError::Length(shown(t)));
                }
            }
            Some(b'2'..=b'7' | b'9') => {
                if !LANDLINE_NSN.contains(&nsn.len()) {
                    return Err(PhoneError::Length(shown(t)));
                }
            }
            None => return Err(PhoneError::Length(shown(t))),
            _ => return Err(PhoneError::Shape(shown(t))),
        }
        Ok(PhoneNumber(format!("+62{nsn}")))
    }

    /// The E.164 form, `+6281234567890`.
    pub fn as_e164(&self) -> &str {
        &self.0
    }

    /// The digits after `+62`.
    fn nsn(&self) -> &str {
        self.0.get(3..).unwrap_or("")
    }

    /// True for a mobile number (`+628…`), which can receive SMS and WhatsApp messages.
    pub fn is_mobile(&self) -> bool {
        self.nsn().starts_with('8')
    }

    /// The number with all but the country code, the first three and the last three digits hidden,
    /// for lists and logs: `+62 812*****890`.
    pub fn masked(&self) -> String {
        let nsn = self.nsn();
        let n = nsn.len();
        let mut out = String::with_capacity(4 + n);
        out.push_str("+62 ");
        for (i, c) in nsn.chars().enumerate() {
            if i < 3 || i + 3 >= n {
                out.push(c);
            } else {
                out.push('*');
            }
        }
        out
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for PhoneNumber {
    type Err = PhoneError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PhoneNumber::parse(s)
    }
}

impl Serialize for PhoneNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PhoneNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn e164(text: &str) -> String {
        PhoneNumber::parse(text).unwrap().as_e164().to_string()
    }

    #[test]
    fn common_mobile_forms_agree() {
        for text in [
            "081234567890",
            "0812-3456-7890",
            "0812 3456 7890",
            "0812.3456.7890",
            "(0812) 3456-7890",
            "6281234567890",
            "+6281234567890",
            "+62 812-3456-7890",
            "+62 (0)812 3456 7890",
            "+62 0812 3456 7890",
            "0062 812 3456 7890",
            "81234567890",
            "  +62\u{a0}812 3456 7890 ",
        ] {
            assert_eq!(e164(text), "+6281234567890", "{text:?}");
        }
        let p = PhoneNumber::parse("0812-3456-7890").unwrap();
        assert!(p.is_mobile());
        assert_eq!(p.to_string(), "+6281234567890");
    }

    #[test]
    fn mobile_lengths() {
        // Shortest and longest real mobile numbers.
        assert_eq!(e164("0811-123-456"), "+62811123456");
        assert_eq!(e164("0812-3456-78901"), "+62812345678901");
        assert_eq!(e164("0895 1234 5678"), "+6289512345678");
        for bad in ["0812-345-67", "0812-3456-789012", "+62 812", "08"] {
            let err = PhoneNumber::parse(bad).unwrap_err();
            assert_eq!(err.code(), "phone_length", "{bad:?}");
        }
    }

    #[test]
    fn landlines() {
        let jakarta = PhoneNumber::parse("(021) 5555-1234").unwrap();
        assert_eq!(jakarta.as_e164(), "+622155551234");
        assert!(!jakarta.is_mobile());
        assert_eq!(e164("0291 591234"), "+62291591234"); // Jepara
        assert_eq!(e164("+62 22 7654321"), "+62227654321"); // Bandung
        assert_eq!(e164("(0967) 533123"), "+62967533123"); // Jayapura
        assert_eq!(e164("0361-23456"), "+6236123456"); // shortest: 8-digit NSN
        for bad in ["021-1234", "021-1234567890"] {
            assert_eq!(PhoneNumber::parse(bad).unwrap_err().code(), "phone_length");
        }
    }

    #[test]
    fn refuses_what_is_not_indonesian_with_a_message() {
        for (bad, code) in [
            ("+1 202 555 0143", "phone_foreign"),
            ("+60 12-345 6789", "phone_foreign"),
            ("001 202 555 0143", "phone_foreign"),
            ("0060123456789", "phone_foreign"),
            ("0812-3456-789O", "phone_characters"),
            ("telp 0812345678", "phone_characters"),
            ("0812/3456/7890", "phone_characters"),
            ("08123+4567890", "phone_characters"),
            ("0800-1-234567", "phone_service"),
            ("0809 1234 5678", "phone_service"),
            ("112", "phone_shape"),
            ("0123456789", "phone_shape"),
            ("21 5551234", "phone_shape"),
            ("+", "phone_shape"),
            ("---", "phone_shape"),
            ("", "phone_empty"),
            ("   ", "phone_empty"),
        ] {
            let err = PhoneNumber::parse(bad).unwrap_err();
            assert_eq!(err.code(), code, "{bad:?}: {err}");
            if code != "phone_empty" {
                let msg = err.to_string();
                assert!(
                    msg.contains("bukan nomor telepon") && msg.contains("Indonesia"),
                    "{msg}"
                );
                assert!(msg.contains("not"), "{msg}");
            }
        }
        let long = "0812".repeat(30);
        let msg = PhoneNumber::parse(&long).unwrap_err().to_string();
        assert!(msg.contains('…') && msg.len() < 400, "{msg}");
    }

    #[test]
    fn masking_hides_the_middle() {
        assert_eq!(
            PhoneNumber::parse("081234567890").unwrap().masked(),
            "+62 812*****890"
        );
        assert_eq!(
            PhoneNumber::parse("0361-23456").unwrap().masked(),
            "+62 361**456"
        );
    }

    #[test]
    fn serde_is_the_e164_string() {
        let p = PhoneNumber::parse("0812 3456 7890").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"+6281234567890\"");
        let back: PhoneNumber = serde_json::from_str("\"0812-3456-7890\"").unwrap();
        assert_eq!(back, p);
        let err = serde_json::from_str::<PhoneNumber>("\"+1 202 555 0143\"").unwrap_err();
        assert!(err.to_string().contains("bukan nomor telepon Indonesia"));
    }

    /// Writes `digits` with a separator from `seps` (chosen by `picks`) after some digits.
    fn sprinkle(digits: &str, picks: &[u8]) -> String {
        const SEPS: [&str; 7] = ["", "", " ", "-", ".", " (", ") "];
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            out.push(c);
            let pick = picks.get(i).copied().unwrap_or(0) as usize % SEPS.len();
            if i + 1 < digits.len() {
                out.push_str(SEPS[pick]);
            }
        }
        out
    }

    proptest! {
        #[test]
        fn a_mobile_in_any_common_form_is_the_same_number(
            second in 1u8..=9,
            rest in proptest::collection::vec(0u8..=9, 7..=10),
            picks in proptest::collection::vec(any::<u8>(), 12),
        ) {
            let nsn: String = std::iter::once('8')
                .chain(std::iter::once(char::from(b'0' + second)))
                .chain(rest.iter().map(|d| char::from(b'0' + d)))
                .collect();
            let expected = format!("+62{nsn}");
            let body = sprinkle(&nsn, &picks);
            for text in [
                format!("0{body}"),
                format!("62{body}"),
                format!("+62 {body}"),
                format!("0062-{body}"),
            ] {
                let p = PhoneNumber::parse(&text).unwrap();
                prop_assert_eq!(p.as_e164(), expected.as_str(), "{}", text);
                prop_assert!(p.is_mobile());
                // E.164 parses back to itself.
                prop_assert_eq!(PhoneNumber::parse(p.as_e164()).unwrap(), p.clone());
                prop_assert_eq!(p.masked().chars().filter(|c| c.is_ascii_digit()).count(), 8);
            }
        }

        #[test]
        fn never_panics_on_any_text(s in ".{0,40}") {
            let _ = PhoneNumber::parse(&s);
        }

        #[test]
        fn never_panics_on_phone_like_text(s in "[0-9+ ().-]{0,24}") {
            if let Ok(p) = PhoneNumber::parse(&s) {
                prop_assert!(p.as_e164().starts_with("+62"));
                prop_assert_eq!(PhoneNumber::parse(p.as_e164()).unwrap(), p);
            }
        }
    }
}
