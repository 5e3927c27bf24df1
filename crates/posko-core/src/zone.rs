//! Indonesia's three time zones and which province lies in which (DOMAIN.md §1). Every shown time
//! and every legal deadline is computed in the region's own zone; instants are stored in UTC.

use serde::Serialize;

/// WIB (UTC+7), WITA (UTC+8) or WIT (UTC+9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Zone {
    #[serde(rename = "WIB")]
    Wib,
    #[serde(rename = "WITA")]
    Wita,
    #[serde(rename = "WIT")]
    Wit,
}

impl Zone {
    /// The zone of a province, by its two-digit Kemendagri number; `None` for a number that is
    /// not an Indonesian province.
    pub fn of_province(province: u16) -> Option<Zone> {
        match province {
            // Sumatra (11–19, 21), Java and Banten (31–36), West and Central Kalimantan (61, 62).
            11..=19 | 21 | 31..=36 | 61 | 62 => Some(Zone::Wib),
            // Bali, NTB, NTT (51–53), South, East, North Kalimantan (63–65), Sulawesi (71–76).
            51..=53 | 63..=65 | 71..=76 => Some(Zone::Wita),
            // Maluku, Maluku Utara (81, 82), every Papua province (91–97).
            81 | 82 | 91..=97 => Some(Zone::Wit),
            _ => None,
        }
    }

    /// The short name users know: WIB, WITA, WIT.
    pub fn abbreviation(self) -> &'static str {
        match self {
            Zone::Wib => "WIB",
            Zone::Wita => "WITA",
            Zone::Wit => "WIT",
        }
    }

    /// The IANA zone behind it.
    pub fn iana(self) -> &'static str {
        match self {
            Zone::Wib => "Asia/Jakarta",
            Zone::Wita => "Asia/Makassar",
            Zone::Wit => "Asia/Jayapura",
        }
    }

    pub fn utc_offset_hours(self) -> i8 {
        match self {
            Zone::Wib => 7,
            Zone::Wita => 8,
            Zone::Wit => 9,
        }
    }

    /// The zone as a jiff time zone, from the tz database bundled into the binary.
    pub fn tz(self) -> jiff::tz::TimeZone {
        // The bundled database always has these names; the fixed offset is exact for any date
        // since 1988 (Indonesia keeps no summer time), so it is a safe fallback.
        jiff::tz::TimeZone::get(self.iana()).unwrap_or_else(|_| {
            jiff::tz::TimeZone::fixed(jiff::tz::offset(self.utc_offset_hours()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provinces_by_zone() {
        assert_eq!(Zone::of_province(33), Some(Zone::Wib)); // Jawa Tengah
        assert_eq!(Zone::of_province(15), Some(Zone::Wib)); // Jambi
        assert_eq!(Zone::of_province(62), Some(Zone::Wib)); // Kalimantan Tengah
        assert_eq!(Zone::of_province(64), Some(Zone::Wita)); // Kalimantan Timur
        assert_eq!(Zone::of_province(51), Some(Zone::Wita)); // Bali
        assert_eq!(Zone::of_province(73), Some(Zone::Wita)); // Sulawesi Selatan
        assert_eq!(Zone::of_province(81), Some(Zone::Wit)); // Maluku
        assert_eq!(Zone::of_province(94), Some(Zone::Wit)); // Papua split
        assert_eq!(Zone::of_province(20), None);
        assert_eq!(Zone::of_province(99), None);
    }

    #[test]
    fn tz_offsets_match() {
        let instant: jiff::Timestamp = "2024-02-14T00:00:00Z".parse().unwrap();
        for z in [Zone::Wib, Zone::Wita, Zone::Wit] {
            let zoned = instant.to_zoned(z.tz());
            assert_eq!(zoned.hour(), z.utc_offset_hours(), "{z:?}");
        }
    }
}
