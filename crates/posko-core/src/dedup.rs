//! Suggesting that two reports tell of the same incident (issue 4, item 5). Several citizens
//! often report one event; the post merges their reports into one case, but only when an officer
//! confirms, so this module suggests and explains, it never decides.
//!
//! The score adds evidence from four sides, each capped: the same official (the keyed hash of
//! NIP/NRP or name and unit) or a similar subject name; the same place (village, else district);
//! close in time (the day it happened); the same kind of violation and similar wording. Weights
//! are round numbers chosen so that two reports about the same official, in the same district,
//! within a day, reach the suggestion threshold without the text, and two reports about different
//! people need a near-identical story in the same village on the same day.

use std::collections::HashSet;

use deunicode::deunicode;
use jiff::civil::Date;
use serde::Serialize;

use crate::official::normalise_name;
use crate::region::{Level, RegionCode};

/// What the score compares of one report.
#[derive(Debug, Clone, Copy)]
pub struct DupFacts<'a> {
    pub happened_on: Date,
    pub region: &'a RegionCode,
    pub subject_mac: Option<&'a [u8]>,
    pub subject_name: &'a str,
    pub violation: &'a str,
    pub description: &'a str,
}

/// One piece of evidence that two reports are the same incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum Reason {
    SameOfficial,
    SimilarName,
    SameVillage,
    SameDistrict,
    SameDay,
    DaysApart { days: i32 },
    SameViolation,
    SimilarText { percent: u8 },
}

impl Reason {
    /// Bahasa Indonesia first, English second.
    pub fn explain(&self) -> String {
        match self {
            Reason::SameOfficial => "terlapor yang sama (same official)".into(),
            Reason::SimilarName => "nama terlapor mirip (similar name)".into(),
            Reason::SameVillage => "desa/kelurahan sama (same village)".into(),
            Reason::SameDistrict => "kecamatan sama (same district)".into(),
            Reason::SameDay => "hari kejadian sama (same day)".into(),
            Reason::DaysApart { days } => format!("selisih {days} hari ({days} days apart)"),
            Reason::SameViolation => "jenis pelanggaran sama (same violation)".into(),
            Reason::SimilarText { percent } => {
                format!("uraian {percent}% mirip (description {percent}% similar)")
            }
        }
    }
}

/// A scored pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Similarity {
    /// 0 to 100.
    pub score: u8,
    pub reasons: Vec<Reason>,
}

/// At or above this score a pair is suggested to officers.
pub const SUGGEST_AT: u8 = 50;

/// Days apart beyond which two reports are never the same incident.
pub const MAX_DAYS_APART: i32 = 3;

/// Scores how likely two reports describe the same incident.
pub fn similarity(a: &DupFacts<'_>, b: &DupFacts<'_>) -> Similarity {
    let mut score = 0u32;
    let mut reasons = Vec::new();

    match (a.subject_mac, b.subject_mac) {
        (Some(x), Some(y)) if x == y => {
            score += 40;
            reasons.push(Reason::SameOfficial);
        }
        _ => {
            let overlap = jaccard(&name_tokens(a.subject_name), &name_tokens(b.subject_name));
            if overlap >= 0.5 {
                score += 20;
                reasons.push(Reason::SimilarName);
            }
        }
    }

    if a.region == b.region {
        score += 20;
        reasons.push(Reason::SameVillage);
    } else if a.region.ancestor_at(Level::District).is_some()
        && a.region.ancestor_at(Level::District) == b.region.ancestor_at(Level::District)
    {
        score += 10;
        reasons.push(Reason::SameDistrict);
    }

    let days = (a.happened_on - b.happened_on).get_days().abs();
    if days == 0 {
        score += 15;
        reasons.push(Reason::SameDay);
    } else if days <= MAX_DAYS_APART {
        score += if days == 1 { 10 } else { 5 };
        reasons.push(Reason::DaysApart { days });
    } else {
        // Too far apart: never the same incident, whatever else agrees.
        return Similarity { score: 0, reasons };
    }

    if a.violation == b.violation {
        score += 10;
        reasons.push(Reason::SameViolation);
    }

    let text = jaccard(&word_tokens(a.description), &word_tokens(b.description));
    let percent = (text * 100.0).round() as u8;
    if percent >= 20 {
        score += (text * 15.0).round() as u32;
        reasons.push(Reason::SimilarText { percent });
    }

    Similarity {
        score: score.min(100) as u8,
        reasons,
    }
}

fn name_tokens(name: &str) -> HashSet<String> {
    normalise_name(name)
        .split(' ')
        .filter(|w| w.len() >= 2)
        .map(str::to_string)
        .collect()
}

/// Words that say nothing about which incident it was.
const STOPWORDS: &[&str] = &[
    "yang", "dan", "di", "ke", "dari", "ini", "itu", "dengan", "untuk", "pada", "dalam", "ada",
    "tidak", "akan", "juga", "para", "oleh", "saat", "telah", "sudah", "kami", "saya", "mereka",
    "the", "and", "was",
];

fn word_tokens(text: &str) -> HashSet<String> {
    deunicode(text)
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() >= 3 && !STOPWORDS.contains(w))
        .map(str::to_string)
        .collect()
}

/// Shared words over all words (Jaccard): 1 for the same set, 0 for nothing in common.
fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    fn facts<'a>(
        region: &'a RegionCode,
        day: Date,
        mac: Option<&'a [u8]>,
        name: &'a str,
        text: &'a str,
    ) -> DupFacts<'a> {
        DupFacts {
            happened_on: day,
            region,
            subject_mac: mac,
            subject_name: name,
            violation: "asn_kampanye",
            description: text,
        }
    }

    #[test]
    fn same_official_same_district_next_day_is_suggested_without_text() {
        let (v1, v2) = (code("33.20.01.2001"), code("33.20.01.2002"));
        let mac = [7u8; 32];
        let a = facts(&v1, date(2024, 11, 18), Some(&mac), "Budi", "aaa bbb ccc");
        let b = facts(&v2, date(2024, 11, 19), Some(&mac), "Budi S", "xxx yyy zzz");
        let s = similarity(&a, &b);
        assert!(s.score >= SUGGEST_AT, "{s:?}");
        assert!(s.reasons.contains(&Reason::SameOfficial));
        assert!(s.reasons.contains(&Reason::SameDistrict));
        assert!(s.reasons.contains(&Reason::DaysApart { days: 1 }));
    }

    #[test]
    fn different_people_elsewhere_are_not_suggested() {
        let (v1, v2) = (code("33.20.01.2001"), code("33.20.05.2003"));
        let a = facts(
            &v1,
            date(2024, 11, 18),
            Some(&[1; 32]),
            "Budi",
            "kampanye di balai desa",
        );
        let b = facts(
            &v2,
            date(2024, 11, 18),
            Some(&[2; 32]),
            "Sari",
            "foto bersama calon",
        );
        let s = similarity(&a, &b);
        assert!(s.score < SUGGEST_AT, "{s:?}");
    }

    #[test]
    fn the_same_story_told_twice_in_one_village_is_suggested() {
        let v = code("33.20.01.2001");
        let text = "Kepala dinas membagikan stiker paslon nomor dua di balai desa Tahunan";
        let a = facts(&v, date(2024, 11, 18), None, "Kepala Dinas", text);
        let b = facts(
            &v,
            date(2024, 11, 18),
            None,
            "Kadis",
            "Membagikan stiker paslon nomor dua di balai desa",
        );
        let s = similarity(&a, &b);
        assert!(s.score >= SUGGEST_AT, "{s:?}");
        assert!(s
            .reasons
            .iter()
            .any(|r| matches!(r, Reason::SimilarText { .. })));
    }

    #[test]
    fn more_than_three_days_apart_is_never_the_same_incident() {
        let v = code("33.20.01.2001");
        let a = facts(&v, date(2024, 11, 10), Some(&[1; 32]), "Budi", "sama");
        let b = facts(&v, date(2024, 11, 14), Some(&[1; 32]), "Budi", "sama");
        assert_eq!(similarity(&a, &b).score, 0);
    }

    #[test]
    fn the_score_is_symmetric() {
        let (v1, v2) = (code("33.20.01.2001"), code("33.20.01.2002"));
        let a = facts(
            &v1,
            date(2024, 11, 18),
            None,
            "Drs. Budi",
            "stiker paslon di pasar",
        );
        let b = facts(
            &v2,
            date(2024, 11, 20),
            None,
            "Budi Santoso",
            "paslon stiker pasar pagi",
        );
        assert_eq!(similarity(&a, &b), similarity(&b, &a));
    }
}
