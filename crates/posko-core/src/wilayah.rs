//! The atlas of Indonesian administrative areas shipped with Posko (`data/wilayah`, from
//! idn-area-data under ODbL 1.0), compiled into the binary so nothing is downloaded at run time.
//! It answers: does this code exist, what is it called, what are its parents and children, and
//! which regions match a name. Region codes themselves are parsed in `region.rs`.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

use crate::region::{Level, RegionCode};
use crate::zone::Zone;

include!(concat!(env!("OUT_DIR"), "/village_files.rs"));
const PROVINCES: &str = include_str!("../../../data/wilayah/provinces.csv");
const REGENCIES: &str = include_str!("../../../data/wilayah/regencies.csv");
const DISTRICTS: &str = include_str!("../../../data/wilayah/districts.csv");
/// Which release of idn-area-data the shipped files come from.
pub const DATA_VERSION: &str = include_str!("../../../data/wilayah/VERSION");

/// One administrative area.
#[derive(Debug, Clone, Serialize)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
}

impl Region {
    pub fn level(&self) -> Level {
        self.code.level()
    }
}

/// Counts of regions per level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LevelCounts {
    pub provinces: usize,
    pub regencies: usize,
    pub districts: usize,
    pub villages: usize,
}

impl LevelCounts {
    pub fn get(&self, level: Level) -> usize {
        match level {
            Level::Province => self.provinces,
            Level::Regency => self.regencies,
            Level::District => self.districts,
            Level::Village => self.villages,
        }
    }
}

/// A problem in atlas data: the file (by level), the line and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("data wilayah {file}, baris {line}: {problem} (region data {file}, line {line})")]
pub struct AtlasError {
    pub file: String,
    pub line: usize,
    pub problem: String,
}

/// All regions, in code order (which is also depth-first order: every region is followed by
/// all of its descendants).
#[derive(Debug)]
pub struct Atlas {
    regions: Vec<Region>,
    folded: Vec<String>,
    index: HashMap<RegionCode, usize>,
    counts: LevelCounts,
}

impl Atlas {
    /// The atlas compiled into this binary.
    pub fn embedded() -> &'static Atlas {
        static ATLAS: OnceLock<Atlas> = OnceLock::new();
        ATLAS.get_or_init(|| {
            let villages: Vec<(String, &str)> = VILLAGE_FILES
                .iter()
                .enumerate()
                .map(|(i, text)| (format!("villages/{i}.csv"), *text))
                .collect();
            // The shipped data is checked by the tests of this module (every code parses, every
            // parent exists); a failure here is a broken build, not a user error.
            #[allow(clippy::expect_used)]
            Atlas::from_csv(PROVINCES, REGENCIES, DISTRICTS, &villages)
                .expect("the embedded region data is valid (see wilayah tests)")
        })
    }

    /// Builds an atlas from the four CSV layouts of `data/wilayah` (`code,name` for provinces,
    /// `code,parent_code,name` for the others). Every code must parse, sit at the file's level,
    /// name its real parent, and that parent must exist.
    pub fn from_csv(
        provinces: &str,
        regencies: &str,
        districts: &str,
        villages: &[(String, &str)],
    ) -> Result<Atlas, AtlasError> {
        let mut regions = Vec::with_capacity(92_000);
        read_level(&mut regions, "provinces.csv", provinces, Level::Province)?;
        read_level(&mut regions, "regencies.csv", regencies, Level::Regency)?;
        read_level(&mut regions, "districts.csv", districts, Level::District)?;
        for (name, text) in villages {
            read_level(&mut regions, name, text, Level::Village)?;
        }
        regions.sort_by_key(|r| r.code);
        let mut index = HashMap::with_capacity(regions.len());
        for (i, r) in regions.iter().enumerate() {
            if index.insert(r.code, i).is_some() {
                return Err(AtlasError {
                    file: r.level().as_str().to_string(),
                    line: 0,
                    problem: format!("kode {} ganda (duplicate code)", r.code),
                });
            }
        }
        for r in &regions {
            if let Some(p) = r.code.parent() {
                if !index.contains_key(&p) {
                    return Err(AtlasError {
                        file: r.level().as_str().to_string(),
                        line: 0,
                        problem: format!("induk {p} dari {} tidak ada (parent missing)", r.code),
                    });
                }
            }
        }
        let count = |l: Level| regions.iter().filter(|r| r.level() == l).count();
        let counts = LevelCounts {
            provinces: count(Level::Province),
            regencies: count(Level::Regency),
            districts: count(Level::District),
            villages: count(Level::Village),
        };
        let folded = regions.iter().map(|r| fold(&r.name)).collect();
        Ok(Atlas {
            regions,
            folded,
            index,
            counts,
        })
    }

    pub fn counts(&self) -> LevelCounts {
        self.counts
    }

    pub fn get(&self, code: &RegionCode) -> Option<&Region> {
        self.index.get(code).map(|&i| &self.regions[i])
    }

    pub fn contains(&self, code: &RegionCode) -> bool {
        self.index.contains_key(code)
    }

    /// All regions in code order.
    pub fn all(&self) -> &[Region] {
        &self.regions
    }

    /// The region and all of its descendants, as one contiguous slice.
    pub fn subtree(&self, code: &RegionCode) -> &[Region] {
        let Some(&start) = self.index.get(code) else {
            return &[];
        };
        let len = self.regions[start + 1..]
            .iter()
            .take_while(|r| code.contains(&r.code))
            .count();
        &self.regions[start..=start + len]
    }

    /// The direct children of a region, in code order.
    pub fn children(&self, code: &RegionCode) -> Vec<&Region> {
        let Some(child_level) = code.level().child() else {
            return Vec::new();
        };
        self.subtree(code)
            .iter()
            .filter(|r| r.level() == child_level)
            .collect()
    }

    /// The provinces, in code order.
    pub fn provinces(&self) -> Vec<&Region> {
        self.regions
            .iter()
            .filter(|r| r.level() == Level::Province)
            .collect()
    }

    /// The regions from the province down to `code`, inclusive.
    pub fn lineage(&self, code: &RegionCode) -> Vec<&Region> {
        code.lineage().iter().filter_map(|c| self.get(c)).collect()
    }

    /// How many regions of each level lie below `code`.
    pub fn descendant_counts(&self, code: &RegionCode) -> LevelCounts {
        let mut c = LevelCounts {
            provinces: 0,
            regencies: 0,
            districts: 0,
            villages: 0,
        };
        for r in self.subtree(code).iter().skip(1) {
            match r.level() {
                Level::Province => c.provinces += 1,
                Level::Regency => c.regencies += 1,
                Level::District => c.districts += 1,
                Level::Village => c.villages += 1,
            }
        }
        c
    }

    /// The time zone of any region (all regions of a province share one).
    pub fn zone(&self, code: &RegionCode) -> Option<Zone> {
        Zone::of_province(code.province_number())
    }

    /// Regions whose name matches `query`, ignoring case, accents and punctuation; every word of
    /// the query must appear. Best matches first: the whole name (without "KABUPATEN"/"KOTA"),
    /// then whole words, then a name that starts with the query, then a word that does, then
    /// anywhere; within each, higher levels before lower ones.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Region> {
        let q = fold(query);
        let words: Vec<&str> = q.split(' ').filter(|w| !w.is_empty()).collect();
        if words.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(u8, Level, usize)> = Vec::new();
        for (i, name) in self.folded.iter().enumerate() {
            if !words.iter().all(|w| name.contains(w)) {
                continue;
            }
            // "KABUPATEN JEPARA" and "KOTA JAMBI" are called "Jepara" and "Jambi" by people.
            let bare = name
                .strip_prefix("kabupaten ")
                .or_else(|| name.strip_prefix("kota "))
                .or_else(|| name.strip_prefix("provinsi "))
                .unwrap_or(name);
            let rank = if *name == q || bare == q {
                0
            } else if words.iter().all(|w| name.split(' ').any(|nw| nw == *w)) {
                1
            } else if name.starts_with(q.as_str()) {
                2
            } else if name.split(' ').any(|w| w.starts_with(words[0])) {
                3
            } else {
                4
            };
            hits.push((rank, self.regions[i].level(), i));
        }
        hits.sort();
        hits.into_iter()
            .take(limit)
            .map(|(_, _, i)| &self.regions[i])
            .collect()
    }
}

/// Lower-case ASCII with accents removed and punctuation turned into single spaces, so that
/// "Ngúter", "NGUTER" and "nguter" compare equal.
pub fn fold(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_lowercase();
    let mut out = String::with_capacity(ascii.len());
    for ch in ascii.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch);
        } else if ch == '\'' || ch == '`' {
            // Apostrophes join a word (Soka'an = sokaan) rather than split it.
        } else if !out.ends_with(' ') && !out.is_empty() {
            out.push(' ');
        }
    }
    while out.ends_with(' ') {
        out.pop();
    }
    out
}

fn read_level(
    out: &mut Vec<Region>,
    file: &str,
    text: &str,
    level: Level,
) -> Result<(), AtlasError> {
    let err = |line: usize, problem: String| AtlasError {
        file: file.to_string(),
        line,
        problem,
    };
    for (i, line) in text.lines().enumerate().skip(1) {
        let lineno = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let (code_text, parent_text, name) = if level == Level::Province {
            let (c, n) = line
                .split_once(',')
                .ok_or_else(|| err(lineno, "kolom kurang".into()))?;
            (c, None, n)
        } else {
            let mut it = line.splitn(3, ',');
            match (it.next(), it.next(), it.next()) {
                (Some(c), Some(p), Some(n)) => (c, Some(p), n),
                _ => return Err(err(lineno, "kolom kurang (missing columns)".into())),
            }
        };
        let code = RegionCode::parse(code_text).map_err(|e| err(lineno, e.to_string()))?;
        if code.level() != level {
            return Err(err(
                lineno,
                format!("kode {code} bukan tingkat {}", level.as_str()),
            ));
        }
        if let Some(p) = parent_text {
            let parent = RegionCode::parse(p).map_err(|e| err(lineno, e.to_string()))?;
            if code.parent() != Some(parent) {
                return Err(err(
                    lineno,
                    format!("induk {parent} tidak cocok dengan kode {code}"),
                ));
            }
        }
        let name = name.trim();
        if name.is_empty() {
            return Err(err(lineno, "nama kosong (empty name)".into()));
        }
        out.push(Region {
            code,
            name: name.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn shipped_counts_match_domain() {
        let a = Atlas::embedded();
        assert_eq!(
            a.counts(),
            LevelCounts {
                provinces: 38,
                regencies: 514,
                districts: 7_277,
                villages: 83_763
            }
        );
        assert!(DATA_VERSION.starts_with("idn-area-data 3.1.2"));
    }

    #[test]
    fn every_parent_exists_and_every_region_has_a_zone() {
        let a = Atlas::embedded();
        for r in a.all() {
            if let Some(p) = r.code.parent() {
                assert!(a.contains(&p), "parent of {} missing", r.code);
            }
            assert!(a.zone(&r.code).is_some(), "{} has no zone", r.code);
        }
    }

    #[test]
    fn jepara_and_jambi() {
        let a = Atlas::embedded();
        let jepara = code("33.20");
        assert_eq!(a.get(&jepara).unwrap().name, "KABUPATEN JEPARA");
        assert_eq!(a.zone(&jepara), Some(Zone::Wib));
        let c = a.descendant_counts(&jepara);
        assert_eq!((c.districts, c.villages), (16, 195));
        assert_eq!(a.children(&jepara).len(), 16);
        assert_eq!(a.get(&code("15.71")).unwrap().name, "KOTA JAMBI");
        assert_eq!(a.children(&code("15")).len(), 11);
        let lineage: Vec<&str> = a
            .lineage(&code("33.20.01.2001"))
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(lineage[..2], ["JAWA TENGAH", "KABUPATEN JEPARA"]);
    }

    #[test]
    fn zones_across_the_country() {
        let a = Atlas::embedded();
        assert_eq!(a.zone(&code("51.71")), Some(Zone::Wita)); // Kota Denpasar
        assert_eq!(a.zone(&code("91.71")), Some(Zone::Wit)); // Kota Jayapura
    }

    #[test]
    fn search_ignores_case_and_accents() {
        let a = Atlas::embedded();
        let hits = a.search("jepara", 10);
        // The regency comes first (its name without "KABUPATEN"), then the district "Jepara".
        assert_eq!(hits[0].code, code("33.20"));
        assert_eq!(hits[1].code, code("33.20.06"));
        assert_eq!(a.search("kota jambi", 1)[0].code, code("15.71"));
        assert_eq!(
            a.search("jambi", 1)[0].code,
            code("15"),
            "the province named exactly"
        );
        let accented = a.search("JÉPÀRA", 10);
        assert_eq!(hits.len(), accented.len());
        assert!(a.search("soka'an", 5).iter().any(|r| r.name == "Soka'an"));
        assert!(a.search("   ", 5).is_empty());
        assert!(a.search("zzzqqq", 5).is_empty());
        // Every word must match, in any order.
        assert!(a
            .search("kota jambi", 5)
            .iter()
            .any(|r| r.code == code("15.71")));
    }

    #[test]
    fn broken_data_names_file_and_line() {
        let err = Atlas::from_csv(
            "code,name\n33,JAWA TENGAH\n",
            "code,p,name\n33.20,34,X\n",
            "code,p,name\n",
            &[],
        )
        .unwrap_err();
        assert_eq!((err.file.as_str(), err.line), ("regencies.csv", 2));
        let err = Atlas::from_csv(
            "code,name\n33,JAWA TENGAH\n",
            "code,p,name\n33.20,33,X\n",
            "code,p,name\n33.21.01,33.21,Y\n",
            &[],
        )
        .unwrap_err();
        assert!(err.problem.contains("33.21"), "{err}");
        let err = Atlas::from_csv(
            "code,name\n3x,JAWA\n",
            "code,p,name\n",
            "code,p,name\n",
            &[],
        )
        .unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn fold_normalises() {
        assert_eq!(fold("  Ngúter,  KIDUL "), "nguter kidul");
        assert_eq!(fold("Regapu’u"), fold("regapuu"));
    }
}
