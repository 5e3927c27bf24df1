//! Region codes as compact numbers for the hot path: a village `33.20.01.2001` is 3320012001, a
//! district `33.20.01` is 332001, a regency 3320. The atlas (posko-core) says which exist and
//! what they are called; this module indexes it once per run.

use foldhash::{HashMap, HashMapExt};

use posko_core::{Atlas, Level, RegionCode};

/// Digits of a region code as a number, whatever its level.
pub fn code_number(code: &RegionCode) -> u64 {
    code.to_string()
        .bytes()
        .filter(u8::is_ascii_digit)
        .fold(0u64, |a, b| a * 10 + (b - b'0') as u64)
}

/// `PPKKCC` of a district code.
pub fn district_number(code: &RegionCode) -> Option<u32> {
    (code.level() == Level::District).then(|| code_number(code) as u32)
}

/// Reads a village code as lists carry it: dotted (`33.20.01.2001`) or ten digits.
pub fn parse_village(text: &str) -> Option<u64> {
    let mut v = 0u64;
    let mut n = 0;
    for b in crate::check::trim(text).trim_start_matches('\'').bytes() {
        match b {
            b'0'..=b'9' => {
                n += 1;
                if n > 10 {
                    return None;
                }
                v = v * 10 + (b - b'0') as u64;
            }
            b'.' => {}
            _ => return None,
        }
    }
    (n == 10).then_some(v)
}

/// Shows a village number dotted.
pub fn village_text(v: u64) -> String {
    format!(
        "{:02}.{:02}.{:02}.{:04}",
        v / 100_000_000,
        v / 1_000_000 % 100,
        v / 10_000 % 100,
        v % 10_000
    )
}

/// Shows a district number dotted.
pub fn district_text(d: u32) -> String {
    format!("{:02}.{:02}.{:02}", d / 10_000, d / 100 % 100, d % 100)
}

/// The district of a village number.
pub fn district_of(village: u64) -> u32 {
    (village / 10_000) as u32
}

/// Names of villages and districts, looked up by number.
#[derive(Debug)]
pub struct RegionIndex {
    villages: HashMap<u64, String>,
    districts: HashMap<u32, String>,
    regencies: HashMap<u32, String>,
}

impl RegionIndex {
    pub fn from_atlas(atlas: &Atlas) -> RegionIndex {
        let mut villages = HashMap::with_capacity(90_000);
        let mut districts = HashMap::with_capacity(8_000);
        let mut regencies = HashMap::with_capacity(600);
        for r in atlas.all() {
            let n = code_number(&r.code);
            match r.level() {
                Level::Village => {
                    villages.insert(n, r.name.clone());
                }
                Level::District => {
                    districts.insert(n as u32, r.name.clone());
                }
                Level::Regency => {
                    regencies.insert(n as u32, r.name.clone());
                }
                Level::Province => {}
            }
        }
        RegionIndex {
            villages,
            districts,
            regencies,
        }
    }

    pub fn village(&self, v: u64) -> Option<&str> {
        self.villages.get(&v).map(String::as_str)
    }

    pub fn district(&self, d: u32) -> Option<&str> {
        self.districts.get(&d).map(String::as_str)
    }

    pub fn regency(&self, r: u32) -> Option<&str> {
        self.regencies.get(&r).map(String::as_str)
    }

    /// Every village number, in code order.
    pub fn village_numbers(&self) -> Vec<u64> {
        let mut v: Vec<u64> = self.villages.keys().copied().collect();
        v.sort_unstable();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_text() {
        assert_eq!(parse_village("33.20.01.2001"), Some(3_320_012_001));
        assert_eq!(parse_village("3320012001"), Some(3_320_012_001));
        assert_eq!(parse_village("33.20.01"), None);
        assert_eq!(parse_village("33.20.01.2001x"), None);
        assert_eq!(village_text(3_320_012_001), "33.20.01.2001");
        assert_eq!(district_text(332_001), "33.20.01");
        assert_eq!(district_of(3_320_012_001), 332_001);
        let idx = RegionIndex::from_atlas(Atlas::embedded());
        assert!(idx.village(3_320_012_001).is_some());
        assert!(idx.district(332_001).is_some());
        assert_eq!(idx.village_numbers().len(), 83_763);
    }
}
