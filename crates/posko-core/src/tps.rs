//! Polling stations (TPS). A TPS is a village code plus a number: `33.20.01.2001/001`. The
//! register of TPS belongs to an election (Pemilu 2024 had 820,161 in-country TPS, Pilkada 2024
//! about 435,000), so every record names its election.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::region::{Level, RegionCode, RegionCodeError};

/// A TPS number within its village, 1 to 999, shown with three digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TpsNumber(u16);

/// Why a TPS field was refused. Indonesian first, English second.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TpsError {
    #[error("nomor TPS '{0}' tidak sah: harus angka 1–999 (TPS number must be 1–999)")]
    Number(String),
    #[error("{0}")]
    Region(#[from] RegionCodeError),
    #[error("kode '{0}' bukan kode desa/kelurahan (not a village code)")]
    NotVillage(String),
    #[error("TPS '{0}' tidak sah: gunakan bentuk 33.20.01.2001/001 (use 33.20.01.2001/001)")]
    Shape(String),
    #[error("koordinat {lat}, {lon} di luar Indonesia (outside Indonesia; latitude and longitude swapped?)")]
    OutsideIndonesia { lat: f64, lon: f64 },
}

impl TpsNumber {
    pub fn new(n: u32) -> Result<TpsNumber, TpsError> {
        if (1..=999).contains(&n) {
            Ok(TpsNumber(n as u16))
        } else {
            Err(TpsError::Number(n.to_string()))
        }
    }

    /// Accepts `1`, `001`, `TPS 001`, `TPS-01`.
    pub fn parse(text: &str) -> Result<TpsNumber, TpsError> {
        let t = text.trim();
        // Separators are allowed only after a "TPS" prefix, so "-1" stays an error.
        let digits = match t.strip_prefix("TPS").or_else(|| t.strip_prefix("tps")) {
            Some(rest) => rest.trim_start_matches([' ', '-', '.']).trim(),
            None => t,
        };
        if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TpsError::Number(t.to_string()));
        }
        let n: u32 = digits
            .parse()
            .map_err(|_| TpsError::Number(t.to_string()))?;
        TpsNumber::new(n).map_err(|_| TpsError::Number(t.to_string()))
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

impl fmt::Display for TpsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}

/// A TPS's identity: its village and number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TpsId {
    pub village: RegionCode,
    pub number: TpsNumber,
}

impl TpsId {
    pub fn new(village: RegionCode, number: TpsNumber) -> Result<TpsId, TpsError> {
        if village.level() != Level::Village {
            return Err(TpsError::NotVillage(village.to_string()));
        }
        Ok(TpsId { village, number })
    }

    pub fn parse(text: &str) -> Result<TpsId, TpsError> {
        let (v, n) = text
            .trim()
            .split_once('/')
            .ok_or_else(|| TpsError::Shape(text.to_string()))?;
        TpsId::new(RegionCode::parse(v)?, TpsNumber::parse(n)?)
    }

    /// Reads only the one spelling that `Display` writes (`33.20.01.2001/001`), for keys a store
    /// wrote itself: anything else is `None`, so "…/1" or " …/001" is never taken for "…/001".
    pub fn parse_canonical(text: &str) -> Option<TpsId> {
        // "DD.DD.DD.DDDD" is 13 bytes, then '/' and three digits.
        let (v, n) = (text.get(..13)?, text.get(13..)?);
        let digits = n.strip_prefix('/')?;
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // A 13-byte text that parses as a village is dotted with widths 2, 2, 2, 4: canonical.
        let village = RegionCode::parse(v).ok()?;
        let number = TpsNumber::new(digits.parse().ok()?).ok()?;
        TpsId::new(village, number).ok()
    }
}

impl fmt::Display for TpsId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.village, self.number)
    }
}

/// A position, checked to lie in (a generous box around) Indonesia: a swapped latitude and
/// longitude, the commonest spreadsheet slip, is caught here.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    pub fn new(lat: f64, lon: f64) -> Result<GeoPoint, TpsError> {
        let inside = (-11.5..=6.5).contains(&lat) && (94.5..=141.5).contains(&lon);
        if inside {
            Ok(GeoPoint { lat, lon })
        } else {
            Err(TpsError::OutsideIndonesia { lat, lon })
        }
    }
}

/// One TPS in an election's register.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TpsRecord {
    pub id: TpsId,
    pub address: String,
    pub location: Option<GeoPoint>,
    /// Voters on the fixed list (DPT) at this TPS.
    pub voters: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_tps_ids_and_numbers() {
        let id = TpsId::parse("33.20.01.2001/001").unwrap();
        assert_eq!(id.to_string(), "33.20.01.2001/001");
        assert_eq!(TpsNumber::parse("TPS 07").unwrap().get(), 7);
        assert_eq!(TpsNumber::parse("tps-12").unwrap().to_string(), "012");
        for bad in ["0", "1000", "", "x1", "-1", "1.5", "TPS"] {
            assert!(TpsNumber::parse(bad).is_err(), "{bad}");
        }
        assert!(matches!(
            TpsId::parse("33.20.01/001"),
            Err(TpsError::NotVillage(_))
        ));
        assert!(matches!(
            TpsId::parse("33.20.01.2001"),
            Err(TpsError::Shape(_))
        ));
        // The canonical reading takes exactly what Display writes, and nothing else.
        assert_eq!(TpsId::parse_canonical("33.20.01.2001/001"), Some(id));
        assert_eq!(
            TpsId::parse_canonical("33.20.01.2001/999").map(|t| t.number.get()),
            Some(999)
        );
        for other in [
            "33.20.01.2001/1",
            "33.20.01.2001/0001",
            "33.20.01.2001/000",
            "33.20.01.2001/TPS",
            " 33.20.01.2001/001",
            "33.20.01.2001/001 ",
            "3320012001/001",
            "33.20.01.200/001",
            "33.20.01.2001-001",
            "33.20.01/001",
            "",
        ] {
            assert_eq!(TpsId::parse_canonical(other), None, "{other:?}");
        }
    }

    #[test]
    fn positions_must_be_in_indonesia() {
        assert!(GeoPoint::new(-6.59, 110.67).is_ok()); // Jepara
        assert!(GeoPoint::new(-2.53, 140.71).is_ok()); // Jayapura
        assert!(matches!(
            GeoPoint::new(110.67, -6.59),
            Err(TpsError::OutsideIndonesia { .. })
        ));
    }

    proptest! {
        #[test]
        fn numbers_round_trip(n in 1u32..=999) {
            let t = TpsNumber::new(n).unwrap();
            prop_assert_eq!(TpsNumber::parse(&t.to_string()).unwrap(), t);
        }

        #[test]
        fn canonical_ids_read_back(
            p in 1u16..=99, r in 1u16..=99, d in 1u16..=99, v in 1u16..=9999, n in 1u32..=999
        ) {
            let text = format!("{p:02}.{r:02}.{d:02}.{v:04}/{n:03}");
            let id = TpsId::parse(&text).unwrap();
            prop_assert_eq!(id.to_string(), text.clone());
            prop_assert_eq!(TpsId::parse_canonical(&text), Some(id));
            // Any other spelling of the number is not the canonical key.
            let loose = format!("{p:02}.{r:02}.{d:02}.{v:04}/{n}");
            prop_assert_eq!(TpsId::parse_canonical(&loose).is_some(), n >= 100);
        }
    }
}
