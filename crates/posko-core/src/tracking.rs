//! Tracking codes: what a citizen gets when filing a report, to follow it later without an
//! account — `PSK-GE4D-Z07C-JY7T`. The twelve characters are Crockford base32 (digits and capital
//! letters without I, L, O and U), read aloud or copied from a paper slip, so parsing forgives
//! case, missing dashes and the confusable letters (O is 0, I and L are 1). Eleven characters carry
//! 55 random bits; the twelfth is a check symbol, so that a typo finds no report instead of
//! somebody else's.
//!
//! **The check symbol.** Crockford's own scheme (value mod 37) needs five extra symbols
//! (`*~$=U`) that are not in the code alphabet, and a plain weighted sum mod 32 cannot catch
//! swapped neighbours (every weight must be odd to catch every substitution, and then the
//! difference of two neighbouring weights is even). So the check is a weighted sum over the
//! field of 32 elements GF(2⁵), built on the polynomial x⁵ + x² + 1 with α = x:
//!
//! `check = v₀·α¹ ⊕ v₁·α² ⊕ … ⊕ v₁₀·α¹¹`
//!
//! where vᵢ is the value (0–31) of the i-th character, ⊕ is XOR and · is multiplication in the
//! field. Because α has order 31, the weights α¹ … α¹¹ and the check's own implicit weight 1 are
//! distinct and non-zero; hence every single wrong character and every swap of two different
//! characters, anywhere in the code, changes the check and is refused.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Crockford's base32 alphabet: value → symbol.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// The fixed prefix of every code.
const PREFIX: &str = "PSK";
/// Characters that carry data; the twelfth is the check symbol.
const DATA_LEN: usize = 11;
const CODE_LEN: usize = 12;

/// A validated tracking code, held in its canonical form `PSK-XXXX-XXXX-XXXX`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TrackingCode(String);

/// Why a text is not a tracking code. Indonesian first, English second.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrackingError {
    #[error("kode pelacakan kosong (empty tracking code)")]
    Empty,
    #[error(
        "kode pelacakan '{0}' tidak sah: gunakan bentuk PSK-XXXX-XXXX-XXXX \
         (invalid tracking code: use the form PSK-XXXX-XXXX-XXXX)"
    )]
    Shape(String),
    #[error(
        "kode pelacakan '{code}' memuat '{ch}', yang tidak pernah dipakai dalam kode \
         (the tracking code contains '{ch}', which codes never use)"
    )]
    Character { code: String, ch: char },
    #[error(
        "kode pelacakan '{0}' tidak cocok dengan huruf pemeriksanya: mungkin salah ketik, periksa \
         lagi setiap huruf dan angka (the tracking code fails its check symbol: probably a typo, \
         check every letter and digit)"
    )]
    Check(String),
}

impl TrackingError {
    /// Stable code for the API and the message catalogues.
    pub fn code(&self) -> &'static str {
        match self {
            TrackingError::Empty => "tracking_code_empty",
            TrackingError::Shape(_) => "tracking_code_shape",
            TrackingError::Character { .. } => "tracking_code_character",
            TrackingError::Check(_) => "tracking_code_check",
        }
    }
}

/// Multiplication in GF(2⁵) modulo x⁵ + x² + 1.
const fn gf32_mul(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            product ^= a;
        }
        b >>= 1;
        a <<= 1;
        if a & 0x20 != 0 {
            a ^= 0x25;
        }
    }
    product
}

/// The weights α¹ … α¹¹.
const WEIGHTS: [u8; DATA_LEN] = {
    let mut w = [0u8; DATA_LEN];
    let mut power = 2u8; // α¹ = x
    let mut i = 0;
    while i < DATA_LEN {
        w[i] = power;
        power = gf32_mul(power, 2);
        i += 1;
    }
    w
};

/// The check value (0–31) of eleven data values (each 0–31).
fn check_value(data: &[u8; DATA_LEN]) -> u8 {
    data.iter()
        .zip(WEIGHTS)
        .fold(0u8, |acc, (&v, w)| acc ^ gf32_mul(v & 0x1f, w))
}

/// The value of one symbol as typed, with Crockford's confusables; `None` for anything else
/// (including U, which Crockford leaves out).
fn symbol_value(c: u8) -> Option<u8> {
    let c = c.to_ascii_uppercase();
    let c = match c {
        b'O' => b'0',
        b'I' | b'L' => b'1',
        other => other,
    };
    ALPHABET.iter().position(|&s| s == c).map(|p| p as u8)
}

fn symbol(value: u8) -> char {
    char::from(ALPHABET[usize::from(value & 0x1f)])
}

fn canonical(values: &[u8; CODE_LEN]) -> String {
    let mut s = String::with_capacity(18);
    s.push_str(PREFIX);
    for (i, &v) in values.iter().enumerate() {
        if i % 4 == 0 {
            s.push('-');
        }
        s.push(symbol(v));
    }
    s
}

impl TrackingCode {
    /// A fresh code with 55 random bits. Uniqueness against codes already issued is the store's
    /// business (a collision among 3.6·10¹⁶ codes is unlikely but must not be assumed away).
    pub fn generate<R: rand::RngCore + ?Sized>(rng: &mut R) -> TrackingCode {
        let bits = rng.next_u64() & ((1u64 << 55) - 1);
        let mut data = [0u8; DATA_LEN];
        for (i, d) in data.iter_mut().enumerate() {
            // Most significant five bits first.
            let shift = 5 * (DATA_LEN - 1 - i);
            *d = ((bits >> shift) & 0x1f) as u8;
        }
        TrackingCode::from_data(data)
    }

    fn from_data(data: [u8; DATA_LEN]) -> TrackingCode {
        let mut values = [0u8; CODE_LEN];
        values[..DATA_LEN].copy_from_slice(&data);
        values[DATA_LEN] = check_value(&data);
        TrackingCode(canonical(&values))
    }

    /// Parses a code as a person types it: any case, with or without the `PSK` prefix, with or
    /// without dashes and spaces, O for 0 and I or L for 1. A wrong check symbol — a typo — is
    /// refused.
    pub fn parse(text: &str) -> Result<TrackingCode, TrackingError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(TrackingError::Empty);
        }
        let shown = || t.chars().take(40).collect::<String>();
        let mut chars: Vec<u8> = Vec::with_capacity(15);
        for c in t.chars() {
            if c == '-' || c.is_whitespace() {
                continue;
            }
            if !c.is_ascii_alphanumeric() {
                return Err(TrackingError::Character {
                    code: shown(),
                    ch: c,
                });
            }
            chars.push(c.to_ascii_uppercase() as u8);
            if chars.len() > PREFIX.len() + CODE_LEN {
                return Err(TrackingError::Shape(shown()));
            }
        }
        let body: &[u8] = match chars.len() {
            CODE_LEN => &chars,
            15 if chars.starts_with(PREFIX.as_bytes()) => &chars[PREFIX.len()..],
            _ => return Err(TrackingError::Shape(shown())),
        };
        let mut values = [0u8; CODE_LEN];
        for (v, &c) in values.iter_mut().zip(body) {
            *v = symbol_value(c).ok_or(TrackingError::Character {
                code: shown(),
                ch: char::from(c),
            })?;
        }
        let mut data = [0u8; DATA_LEN];
        data.copy_from_slice(&values[..DATA_LEN]);
        if check_value(&data) != values[DATA_LEN] {
            return Err(TrackingError::Check(shown()));
        }
        Ok(TrackingCode(canonical(&values)))
    }

    /// The canonical form, `PSK-XXXX-XXXX-XXXX`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for TrackingCode {
    type Err = TrackingError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TrackingCode::parse(s)
    }
}

impl Serialize for TrackingCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TrackingCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        TrackingCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;

    fn code_from_seed(seed: u64) -> TrackingCode {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        TrackingCode::generate(&mut rng)
    }

    /// The twelve symbols of a canonical code, without prefix and dashes.
    fn symbols(code: &TrackingCode) -> Vec<u8> {
        code.as_str()[PREFIX.len()..]
            .bytes()
            .filter(|&b| b != b'-')
            .collect()
    }

    #[test]
    fn the_weights_are_distinct_powers_of_a_primitive_element() {
        // α has order 31: α³¹ = 1 and no smaller power is 1.
        let mut p = 1u8;
        for n in 1..=31 {
            p = gf32_mul(p, 2);
            assert_eq!(p == 1, n == 31, "α^{n} = {p}");
        }
        let mut w = WEIGHTS.to_vec();
        w.push(1);
        w.sort_unstable();
        w.dedup();
        assert_eq!(w.len(), DATA_LEN + 1);
    }

    #[test]
    fn generated_codes_have_the_canonical_shape_and_round_trip() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for _ in 0..200 {
            let c = TrackingCode::generate(&mut rng);
            let s = c.as_str();
            assert_eq!(s.len(), 18);
            assert!(s.starts_with("PSK-"));
            assert_eq!(&s[8..9], "-");
            assert_eq!(&s[13..14], "-");
            assert!(s[4..].bytes().all(|b| b == b'-' || ALPHABET.contains(&b)));
            assert_eq!(TrackingCode::parse(s).unwrap(), c);
            assert_eq!(c.to_string(), s);
        }
    }

    #[test]
    fn the_documented_example_is_valid() {
        let c = TrackingCode::parse("psk-ge4d-z07c-jy7t").unwrap();
        assert_eq!(c.as_str(), "PSK-GE4D-Z07C-JY7T");
    }

    #[test]
    fn all_zero_data_and_a_known_code() {
        let zero = TrackingCode::from_data([0; DATA_LEN]);
        assert_eq!(zero.as_str(), "PSK-0000-0000-0000");
        // v₀ = 1 (weight α = 2) gives check symbol 2.
        let mut data = [0u8; DATA_LEN];
        data[0] = 1;
        assert_eq!(TrackingCode::from_data(data).as_str(), "PSK-1000-0000-0002");
    }

    #[test]
    fn forgiving_input() {
        let c = code_from_seed(42);
        let canon = c.as_str().to_string();
        let bare: String = symbols(&c).iter().map(|&b| char::from(b)).collect();
        let spaced = format!("psk {} {} {}", &bare[0..4], &bare[4..8], &bare[8..12]);
        for text in [
            canon.clone(),
            canon.to_lowercase(),
            bare.clone(),
            bare.to_lowercase(),
            spaced,
            format!("  {}  ", canon.replace('-', " ")),
            format!("PSK{bare}"),
            format!("{}-{}-{}", &bare[0..4], &bare[4..8], &bare[8..12]),
        ] {
            assert_eq!(TrackingCode::parse(&text).unwrap(), c, "{text:?}");
        }
    }

    #[test]
    fn confusables_are_read_as_digits() {
        // Find a code with a 0 and a 1 in it, then write them as O, I and L.
        let code = (0..)
            .map(code_from_seed)
            .find(|c| {
                let s = symbols(c);
                s.contains(&b'0') && s.contains(&b'1')
            })
            .unwrap();
        let text = code.as_str();
        let with_o = text[3..].replace('0', "O");
        let with_i = text[3..].replace('1', "I");
        let with_l = text[3..].replace('1', "l");
        for typed in [with_o, with_i, with_l] {
            assert_eq!(TrackingCode::parse(&typed).unwrap(), code, "{typed}");
        }
    }

    #[test]
    fn malformed_codes_are_refused_with_a_message() {
        for (bad, code) in [
            ("", "tracking_code_empty"),
            ("PSK-", "tracking_code_shape"),
            ("PSK-0000-0000-000", "tracking_code_shape"),
            ("PSK-0000-0000-00000", "tracking_code_shape"),
            ("XYZ-0000-0000-0000", "tracking_code_shape"),
            ("PSK-0000-0000-000U", "tracking_code_character"),
            ("PSK-0000-0000-000*", "tracking_code_character"),
            ("PSK_0000_0000_0000", "tracking_code_character"),
            ("PSK-0000-0000-0001", "tracking_code_check"),
            ("PSK-0000-0000-0O0I", "tracking_code_check"),
        ] {
            let err = TrackingCode::parse(bad).unwrap_err();
            assert_eq!(err.code(), code, "{bad:?}: {err}");
            assert!(err.to_string().contains("kode pelacakan"), "{err}");
        }
        let err = TrackingCode::parse("PSK-0000-0000-0001").unwrap_err();
        assert!(err.to_string().contains("salah ketik"));
        assert!(err.to_string().contains("typo"));
    }

    #[test]
    fn serde_is_the_canonical_string() {
        let c = code_from_seed(1);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, format!("\"{}\"", c.as_str()));
        let lower = format!("\"{}\"", c.as_str().to_lowercase());
        assert_eq!(serde_json::from_str::<TrackingCode>(&lower).unwrap(), c);
        assert!(serde_json::from_str::<TrackingCode>("\"PSK-0000-0000-0001\"").is_err());
    }

    proptest! {
        #[test]
        fn every_single_character_typo_is_detected(seed in any::<u64>()) {
            let code = code_from_seed(seed);
            let good = symbols(&code);
            for pos in 0..CODE_LEN {
                for &other in ALPHABET.iter().filter(|&&s| s != good[pos]) {
                    let mut typo = good.clone();
                    typo[pos] = other;
                    let text = String::from_utf8(typo).unwrap();
                    let err = TrackingCode::parse(&text).unwrap_err();
                    prop_assert_eq!(err.code(), "tracking_code_check", "{}", text);
                }
            }
        }

        #[test]
        fn every_swap_of_two_different_characters_is_detected(seed in any::<u64>()) {
            let code = code_from_seed(seed);
            let good = symbols(&code);
            for i in 0..CODE_LEN {
                for j in i + 1..CODE_LEN {
                    if good[i] == good[j] {
                        continue;
                    }
                    let mut swapped = good.clone();
                    swapped.swap(i, j);
                    let text = String::from_utf8(swapped).unwrap();
                    prop_assert!(TrackingCode::parse(&text).is_err(), "{}", text);
                }
            }
        }

        #[test]
        fn parse_of_canonical_is_identity(seed in any::<u64>()) {
            let code = code_from_seed(seed);
            prop_assert_eq!(TrackingCode::parse(code.as_str()).unwrap(), code.clone());
            prop_assert_eq!(TrackingCode::parse(&code.as_str().to_lowercase()).unwrap(), code);
        }

        #[test]
        fn never_panics_on_any_text(s in ".{0,24}") {
            let _ = TrackingCode::parse(&s);
        }
    }
}
