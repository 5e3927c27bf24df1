//! Kemendagri region codes: `33` (province), `33.20` (regency/city), `33.20.01` (district),
//! `33.20.01.2001` (village). `RegionCode::parse` is the only way in; everything else in Posko
//! takes a parsed code. Whether a code *exists* is the atlas's business (`wilayah.rs`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The four administrative levels, from the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Province,
    Regency,
    District,
    Village,
}

impl Level {
    pub const ALL: [Level; 4] = [
        Level::Province,
        Level::Regency,
        Level::District,
        Level::Village,
    ];

    /// Number of dotted parts a code of this level has.
    pub fn depth(self) -> usize {
        match self {
            Level::Province => 1,
            Level::Regency => 2,
            Level::District => 3,
            Level::Village => 4,
        }
    }

    pub fn child(self) -> Option<Level> {
        match self {
            Level::Province => Some(Level::Regency),
            Level::Regency => Some(Level::District),
            Level::District => Some(Level::Village),
            Level::Village => None,
        }
    }

    /// Stable machine name, also the key of the level's label in the message catalogues.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::Regency => "regency",
            Level::District => "district",
            Level::Village => "village",
        }
    }

    /// Length of the dotted code at this level (`33` = 2 … `33.20.01.2001` = 13).
    pub fn code_len(self) -> usize {
        match self {
            Level::Province => 2,
            Level::Regency => 5,
            Level::District => 8,
            Level::Village => 13,
        }
    }
}

/// What a village is, read from the first digit of its four-digit part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VillageKind {
    /// `1xxx`: an urban village headed by a lurah (a civil servant).
    Kelurahan,
    /// `2xxx`: a village headed by an elected kepala desa.
    Desa,
    /// `3xxx`: a customary village (Papua).
    DesaAdat,
}

/// A validated Kemendagri region code at any level.
///
/// Held as numbers so that comparisons and prefixes are cheap; shown dotted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode {
    parts: [u16; 4],
    level: Level,
}

/// Why a text is not a region code. Messages are Indonesian first, English second.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error("kode wilayah kosong (empty region code)")]
    Empty,
    #[error(
        "kode wilayah '{0}' tidak sah: gunakan bentuk 33, 33.20, 33.20.01 atau 33.20.01.2001 \
         (invalid region code: use 33, 33.20, 33.20.01 or 33.20.01.2001)"
    )]
    Shape(String),
    #[error(
        "kode wilayah '{0}' tidak sah: bagian bernilai nol (invalid region code: a part is zero)"
    )]
    Zero(String),
}

impl RegionCodeError {
    /// Stable code for the API and the message catalogues.
    pub fn code(&self) -> &'static str {
        match self {
            RegionCodeError::Empty => "region_code_empty",
            RegionCodeError::Shape(_) => "region_code_shape",
            RegionCodeError::Zero(_) => "region_code_zero",
        }
    }
}

const PART_WIDTHS: [usize; 4] = [2, 2, 2, 4];

impl RegionCode {
    /// Parses a code and says whether `text` is already spelled as `Display` writes it, so a
    /// reader of millions of codes keeps the text it has instead of writing the code again.
    pub fn parse_noting_canonical(text: &str) -> Result<(RegionCode, bool), RegionCodeError> {
        let code = RegionCode::parse(text)?;
        // Dotted pieces must have exactly the widths `Display` pads to, so a dotted text without
        // surrounding space is canonical; so is a province's two digits.
        let canonical = text.len() == text.trim().len() && (text.contains('.') || text.len() == 2);
        Ok((code, canonical))
    }

    /// Parses a dotted code (`33.20.01.2001`) or the same digits without dots (`3320012001`),
    /// as spreadsheets often carry them. Surrounding white space is ignored.
    pub fn parse(text: &str) -> Result<RegionCode, RegionCodeError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(RegionCodeError::Empty);
        }
        let shape = || RegionCodeError::Shape(t.to_string());
        let pieces: Vec<&str> = if t.contains('.') {
            t.split('.').collect()
        } else {
            // Undotted: cut by the fixed widths 2, 2, 2, 4.
            let mut out = Vec::new();
            let mut rest = t;
            for w in PART_WIDTHS {
                if rest.is_empty() {
                    break;
                }
                if rest.len() < w || !rest.is_char_boundary(w) {
                    return Err(shape());
                }
                let (head, tail) = rest.split_at(w);
                out.push(head);
                rest = tail;
            }
            if !rest.is_empty() {
                return Err(shape());
            }
            out
        };
        if pieces.is_empty() || pieces.len() > 4 {
            return Err(shape());
        }
        let mut parts = [0u16; 4];
        for (i, piece) in pieces.iter().enumerate() {
            if piece.len() != PART_WIDTHS[i] || !piece.bytes().all(|b| b.is_ascii_digit()) {
                return Err(shape());
            }
            let n: u16 = piece.parse().map_err(|_| shape())?;
            if n == 0 {
                return Err(RegionCodeError::Zero(t.to_string()));
            }
            parts[i] = n;
        }
        let level = Level::ALL[pieces.len() - 1];
        Ok(RegionCode { parts, level })
    }

    pub fn level(&self) -> Level {
        self.level
    }

    /// The two-digit province number (`33` for Jawa Tengah).
    pub fn province_number(&self) -> u16 {
        self.parts[0]
    }

    /// The code one level up, or `None` for a province.
    pub fn parent(&self) -> Option<RegionCode> {
        let depth = self.level.depth();
        if depth == 1 {
            return None;
        }
        let mut parts = self.parts;
        parts[depth - 1] = 0;
        Some(RegionCode {
            parts,
            level: Level::ALL[depth - 2],
        })
    }

    /// The chain from the province down to (and including) this code.
    pub fn lineage(&self) -> Vec<RegionCode> {
        let mut chain = vec![*self];
        let mut cur = *self;
        while let Some(p) = cur.parent() {
            chain.push(p);
            cur = p;
        }
        chain.reverse();
        chain
    }

    /// The ancestor of this code at `level`, if this code is at or below it.
    pub fn ancestor_at(&self, level: Level) -> Option<RegionCode> {
        if level > self.level {
            return None;
        }
        let mut parts = self.parts;
        for p in parts.iter_mut().skip(level.depth()) {
            *p = 0;
        }
        Some(RegionCode { parts, level })
    }

    /// True when `other` is this region or lies inside it.
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.ancestor_at(self.level) == Some(*self)
    }

    /// For a village code: kelurahan, desa or desa adat.
    pub fn village_kind(&self) -> Option<VillageKind> {
        if self.level != Level::Village {
            return None;
        }
        match self.parts[3] / 1000 {
            1 => Some(VillageKind::Kelurahan),
            2 => Some(VillageKind::Desa),
            3 => Some(VillageKind::DesaAdat),
            _ => None,
        }
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.parts[0])?;
        if self.level >= Level::Regency {
            write!(f, ".{:02}", self.parts[1])?;
        }
        if self.level >= Level::District {
            write!(f, ".{:02}", self.parts[2])?;
        }
        if self.level >= Level::Village {
            write!(f, ".{:04}", self.parts[3])?;
        }
        Ok(())
    }
}

impl FromStr for RegionCode {
    type Err = RegionCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionCode::parse(s)
    }
}

impl Serialize for RegionCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RegionCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_each_level() {
        for (text, level) in [
            ("33", Level::Province),
            ("33.20", Level::Regency),
            ("33.20.01", Level::District),
            ("33.20.01.2001", Level::Village),
        ] {
            let c = RegionCode::parse(text).unwrap();
            assert_eq!(c.level(), level);
            assert_eq!(c.to_string(), text);
        }
    }

    #[test]
    fn accepts_undotted_digits() {
        assert_eq!(
            RegionCode::parse("3320012001").unwrap().to_string(),
            "33.20.01.2001"
        );
        assert_eq!(RegionCode::parse(" 3320 ").unwrap().to_string(), "33.20");
    }

    #[test]
    fn rejects_malformed_codes_with_a_message() {
        for bad in [
            "",
            "3",
            "333",
            "33.2",
            "33.20.1",
            "33.20.01.201",
            "33.20.01.20011",
            "ab",
            "33..20",
            "33.20.01.2001.1",
            "33-20",
            "٣٣",
            "33.20.01.0000",
            "00",
        ] {
            let err = RegionCode::parse(bad).unwrap_err();
            let msg = err.to_string();
            assert!(msg.contains("kode wilayah"), "{bad:?}: {msg}");
        }
    }

    #[test]
    fn parent_chain_and_containment() {
        let v = RegionCode::parse("33.20.01.2001").unwrap();
        let chain: Vec<String> = v.lineage().iter().map(|c| c.to_string()).collect();
        assert_eq!(chain, ["33", "33.20", "33.20.01", "33.20.01.2001"]);
        let jepara = RegionCode::parse("33.20").unwrap();
        assert!(jepara.contains(&v));
        assert!(!RegionCode::parse("33.21").unwrap().contains(&v));
        assert!(!v.contains(&jepara));
        assert_eq!(v.village_kind(), Some(VillageKind::Desa));
        assert_eq!(
            RegionCode::parse("15.71.01.1001").unwrap().village_kind(),
            Some(VillageKind::Kelurahan)
        );
    }

    proptest! {
        #[test]
        fn display_round_trips(p in 1u16..100, r in 1u16..100, d in 1u16..100, v in 1u16..10000, depth in 1usize..=4) {
            let text = [format!("{p:02}"), format!("{r:02}"), format!("{d:02}"), format!("{v:04}")][..depth].join(".");
            let code = RegionCode::parse(&text).unwrap();
            prop_assert_eq!(code.to_string(), text.clone());
            prop_assert_eq!(RegionCode::parse(&text.replace('.', "")).unwrap(), code);
            if let Some(parent) = code.parent() {
                prop_assert!(parent.contains(&code));
                prop_assert_eq!(parent.level().child(), Some(code.level()));
            }
        }

        /// The flag that spares a reader from writing a code again is true exactly when the
        /// text is what `Display` writes: for canonical, undotted and padded spellings, and any
        /// text that reads as a code.
        #[test]
        fn canonical_flag_matches_display(
            p in 1u16..100, r in 1u16..100, d in 1u16..100, v in 1u16..10000, depth in 1usize..=4,
            dotted in any::<bool>(), pad in prop::sample::select(vec!["", " ", "\t", "  "]),
            noise in "[0-9. ]{0,14}",
        ) {
            let canonical = [format!("{p:02}"), format!("{r:02}"), format!("{d:02}"), format!("{v:04}")][..depth].join(".");
            let spelled = if dotted { canonical.clone() } else { canonical.replace('.', "") };
            for text in [format!("{pad}{spelled}"), format!("{spelled}{pad}"), noise] {
                if let Ok((code, flag)) = RegionCode::parse_noting_canonical(&text) {
                    prop_assert_eq!(code, RegionCode::parse(&text).unwrap());
                    prop_assert_eq!(flag, code.to_string() == text, "{:?}", text);
                }
            }
        }

        #[test]
        fn never_panics_on_any_text(s in ".{0,20}") {
            let _ = RegionCode::parse(&s);
        }
    }
}
