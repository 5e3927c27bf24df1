//! TPS rawan and the security deployment planner (DOMAIN.md §7–8, issue 6 items 2 and 4).
//!
//! A TPS's vulnerability is a set of yes/no indicators, not a score; a configurable rule turns
//! them into a category (aman → kurang rawan, rawan, sangat rawan). Police plan by patterns:
//! per category, one unit of `police` officers (and `linmas`) covers `tps` polling stations, so
//! police needed = ceil(TPS of the category / tps per unit) × police per unit, summed over the
//! categories of a district. The 2019 national pattern is the default; commands set their own.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A TPS's security category, in the police's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TpsCategory {
    KurangRawan,
    Rawan,
    SangatRawan,
}

impl TpsCategory {
    pub const ALL: [TpsCategory; 3] = [
        TpsCategory::KurangRawan,
        TpsCategory::Rawan,
        TpsCategory::SangatRawan,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TpsCategory::KurangRawan => "kurang_rawan",
            TpsCategory::Rawan => "rawan",
            TpsCategory::SangatRawan => "sangat_rawan",
        }
    }

    pub fn parse(s: &str) -> Option<TpsCategory> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '-'], "_")
            .as_str()
        {
            "kurang_rawan" | "aman" => Some(TpsCategory::KurangRawan),
            "rawan" => Some(TpsCategory::Rawan),
            "sangat_rawan" => Some(TpsCategory::SangatRawan),
            _ => None,
        }
    }
}

/// One TPS rawan indicator of the Bawaslu mapping.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RawanIndicator {
    pub id: &'static str,
    pub variable: &'static str,
    pub name: &'static str,
    /// TPS where Bawaslu found it in 2024 (DOMAIN.md §7), for reference; `None` for the
    /// Pilkada additions without a published count.
    pub national_2024: Option<u32>,
    /// Only in the Pilkada 2024 mapping.
    pub pilkada_only: bool,
}

macro_rules! ind {
    // The Pilkada-only arm first: `pilkada` would otherwise match as an expression.
    ($id:literal, $var:literal, $name:literal, pilkada) => {
        RawanIndicator {
            id: $id,
            variable: $var,
            name: $name,
            national_2024: None,
            pilkada_only: true,
        }
    };
    ($id:literal, $var:literal, $name:literal, $n:expr) => {
        RawanIndicator {
            id: $id,
            variable: $var,
            name: $name,
            national_2024: $n,
            pilkada_only: false,
        }
    };
}

/// The indicators of the 2024 TPS rawan mapping: 7 variables and 22 indicators for Pemilu, with
/// Pilkada's additions (DOMAIN.md §7).
pub const RAWAN_INDICATORS: &[RawanIndicator] = &[
    ind!(
        "dpt_tms",
        "hak_pilih",
        "Pemilih DPT yang sudah tidak memenuhi syarat",
        Some(125_224)
    ),
    ind!(
        "dptb",
        "hak_pilih",
        "Pemilih pindahan (DPTb)",
        Some(119_796)
    ),
    ind!(
        "kpps_memilih_di_tps_lain",
        "hak_pilih",
        "KPPS memilih di TPS lain",
        Some(38_595)
    ),
    ind!(
        "potensi_dpk",
        "hak_pilih",
        "Potensi pemilih tambahan (DPK)",
        Some(18_656)
    ),
    ind!(
        "riwayat_kekerasan",
        "keamanan",
        "Riwayat kekerasan di TPS",
        Some(2_299)
    ),
    ind!(
        "intimidasi_penyelenggara",
        "keamanan",
        "Riwayat intimidasi kepada penyelenggara",
        Some(2_209)
    ),
    ind!(
        "politik_uang",
        "kampanye",
        "Riwayat pemberian uang atau barang",
        Some(3_875)
    ),
    ind!(
        "sara",
        "kampanye",
        "Riwayat penghinaan atau hasutan SARA",
        Some(814)
    ),
    ind!(
        "netralitas_aparat",
        "netralitas",
        "ASN/TNI/Polri/perangkat desa tidak netral",
        Some(1_205)
    ),
    ind!(
        "kpps_berkampanye",
        "netralitas",
        "Anggota KPPS berkampanye",
        Some(1_031)
    ),
    ind!(
        "logistik_rusak",
        "logistik",
        "Riwayat logistik rusak",
        Some(1_582)
    ),
    ind!(
        "logistik_kurang_lebih",
        "logistik",
        "Riwayat logistik kurang atau lebih",
        Some(1_989)
    ),
    ind!(
        "surat_suara_tertukar",
        "logistik",
        "Riwayat surat suara tertukar",
        Some(1_396)
    ),
    ind!(
        "logistik_terlambat",
        "logistik",
        "Riwayat logistik terlambat (lewat H-1)",
        Some(1_587)
    ),
    ind!("sulit_dijangkau", "lokasi", "Sulit dijangkau", Some(4_211)),
    ind!("rawan_bencana", "lokasi", "Rawan bencana", Some(10_794)),
    ind!(
        "dekat_sekolah",
        "lokasi",
        "Dekat lembaga pendidikan dengan pemilih siswa",
        Some(4_862)
    ),
    ind!(
        "dekat_tambang_pabrik",
        "lokasi",
        "Dekat wilayah kerja tambang atau pabrik",
        Some(2_021)
    ),
    ind!(
        "dekat_posko_calon",
        "lokasi",
        "Dekat posko atau rumah peserta/calon",
        Some(21_947)
    ),
    ind!(
        "lokasi_khusus",
        "lokasi",
        "TPS di lokasi khusus",
        Some(1_184)
    ),
    ind!(
        "listrik",
        "listrik_internet",
        "Kendala aliran listrik",
        Some(8_099)
    ),
    ind!(
        "internet",
        "listrik_internet",
        "Kendala jaringan internet",
        Some(36_236)
    ),
    ind!(
        "pemilih_disabilitas",
        "hak_pilih",
        "Pemilih disabilitas",
        pilkada
    ),
    ind!(
        "riwayat_psu",
        "penyelenggaraan",
        "Riwayat pemungutan suara ulang (PSU)",
        pilkada
    ),
    ind!(
        "rawan_konflik",
        "keamanan",
        "Wilayah rawan konflik",
        pilkada
    ),
];

/// How indicators become a category (configurable [U]; Bawaslu publishes counts, not a rule):
/// sangat rawan with `sangat_rawan_min` indicators or any of `always_sangat_rawan`; rawan with
/// `rawan_min`; kurang rawan otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RawanRule {
    pub rawan_min: usize,
    pub sangat_rawan_min: usize,
    pub always_sangat_rawan: Vec<String>,
}

impl Default for RawanRule {
    fn default() -> RawanRule {
        RawanRule {
            rawan_min: 1,
            sangat_rawan_min: 3,
            // A history of violence or intimidation is what the police plan hardest for.
            always_sangat_rawan: vec![
                "riwayat_kekerasan".into(),
                "intimidasi_penyelenggara".into(),
                "rawan_konflik".into(),
            ],
        }
    }
}

impl RawanRule {
    pub fn categorise<'a>(&self, present: impl IntoIterator<Item = &'a str>) -> TpsCategory {
        let mut n = 0;
        for id in present {
            if self.always_sangat_rawan.iter().any(|a| a == id) {
                return TpsCategory::SangatRawan;
            }
            n += 1;
        }
        if n >= self.sangat_rawan_min {
            TpsCategory::SangatRawan
        } else if n >= self.rawan_min {
            TpsCategory::Rawan
        } else {
            TpsCategory::KurangRawan
        }
    }
}

/// One unit of a pattern: `police` officers and `linmas` cover `tps` polling stations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub police: u32,
    pub tps: u32,
    pub linmas: u32,
}

/// A command's deployment pattern: a unit per category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Pattern {
    pub name: String,
    pub kurang_rawan: Unit,
    pub rawan: Unit,
    pub sangat_rawan: Unit,
}

impl Default for Pattern {
    fn default() -> Pattern {
        Pattern::national_2019()
    }
}

impl Pattern {
    /// Pemilu 2019, national: kurang rawan 2 police for 4 TPS with 6 Linmas; rawan 4 for 2 with
    /// 8; sangat rawan 6 for 2 with 8 (DOMAIN.md §8).
    pub fn national_2019() -> Pattern {
        Pattern {
            name: "Pola nasional Pemilu 2019".into(),
            kurang_rawan: Unit {
                police: 2,
                tps: 4,
                linmas: 6,
            },
            rawan: Unit {
                police: 4,
                tps: 2,
                linmas: 8,
            },
            sangat_rawan: Unit {
                police: 6,
                tps: 2,
                linmas: 8,
            },
        }
    }

    pub fn unit(&self, c: TpsCategory) -> Unit {
        match c {
            TpsCategory::KurangRawan => self.kurang_rawan,
            TpsCategory::Rawan => self.rawan,
            TpsCategory::SangatRawan => self.sangat_rawan,
        }
    }

    /// Refuses a pattern a plan cannot be made from.
    pub fn validate(&self) -> Result<(), String> {
        for c in TpsCategory::ALL {
            if self.unit(c).tps == 0 {
                return Err(format!(
                    "pola '{}': satuan {} harus mencakup paling sedikit 1 TPS (a unit covers at least one TPS)",
                    self.name,
                    c.as_str()
                ));
            }
        }
        Ok(())
    }
}

/// Personnel needed for some TPS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Need {
    pub units: u32,
    pub police: u32,
    pub linmas: u32,
}

impl std::ops::Add for Need {
    type Output = Need;
    fn add(self, o: Need) -> Need {
        Need {
            units: self.units + o.units,
            police: self.police + o.police,
            linmas: self.linmas + o.linmas,
        }
    }
}

/// The need for `count` TPS of one category: whole units, rounded up.
pub fn need_for(pattern: &Pattern, category: TpsCategory, count: u32) -> Need {
    let u = pattern.unit(category);
    let units = count.div_ceil(u.tps.max(1));
    Need {
        units,
        police: units * u.police,
        linmas: units * u.linmas,
    }
}

/// The need of a district from its TPS counts by category.
pub fn district_need(pattern: &Pattern, counts: &BTreeMap<TpsCategory, u32>) -> Need {
    counts
        .iter()
        .map(|(c, n)| need_for(pattern, *c, *n))
        .fold(Need::default(), |a, b| a + b)
}

/// Need against what a unit (Polsek, Koramil…) has: the shortfall, never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Balance {
    pub need: u32,
    pub available: u32,
    pub shortfall: u32,
    pub spare: u32,
}

pub fn balance(need: u32, available: u32) -> Balance {
    Balance {
        need,
        available,
        shortfall: need.saturating_sub(available),
        spare: available.saturating_sub(need),
    }
}

/// One post of an assignment list: the TPS it covers and the officers it gets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Post<T> {
    pub category: TpsCategory,
    pub tps: Vec<T>,
    pub police_needed: u32,
    pub police_assigned: u32,
}

/// Groups a district's TPS into posts by the pattern and hands out `available` police, the most
/// vulnerable first (sangat rawan, then rawan, then kurang rawan; within a category in the
/// order given). Posts that get fewer than they need show it.
pub fn assign<T: Clone>(
    pattern: &Pattern,
    tps: &[(T, TpsCategory)],
    available: u32,
) -> Vec<Post<T>> {
    let mut posts = Vec::new();
    let mut left = available;
    for c in [
        TpsCategory::SangatRawan,
        TpsCategory::Rawan,
        TpsCategory::KurangRawan,
    ] {
        let u = pattern.unit(c);
        let of_c: Vec<T> = tps
            .iter()
            .filter(|(_, k)| *k == c)
            .map(|(t, _)| t.clone())
            .collect();
        for chunk in of_c.chunks(u.tps.max(1) as usize) {
            let given = u.police.min(left);
            left -= given;
            posts.push(Post {
                category: c,
                tps: chunk.to_vec(),
                police_needed: u.police,
                police_assigned: given,
            });
        }
    }
    posts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_2024_mapping_has_seven_variables_and_22_indicators_for_pemilu() {
        let pemilu: Vec<_> = RAWAN_INDICATORS
            .iter()
            .filter(|i| !i.pilkada_only)
            .collect();
        assert_eq!(pemilu.len(), 22);
        let mut vars: Vec<_> = pemilu.iter().map(|i| i.variable).collect();
        vars.sort();
        vars.dedup();
        assert_eq!(vars.len(), 7);
        assert_eq!(RAWAN_INDICATORS.len(), 25, "Pilkada: 25 indicators");
    }

    #[test]
    fn the_rule_counts_and_knows_what_is_always_serious() {
        let r = RawanRule::default();
        assert_eq!(r.categorise([]), TpsCategory::KurangRawan);
        assert_eq!(r.categorise(["internet"]), TpsCategory::Rawan);
        assert_eq!(r.categorise(["internet", "listrik"]), TpsCategory::Rawan);
        assert_eq!(
            r.categorise(["internet", "listrik", "dptb"]),
            TpsCategory::SangatRawan
        );
        assert_eq!(
            r.categorise(["riwayat_kekerasan"]),
            TpsCategory::SangatRawan
        );
    }

    #[test]
    fn needs_round_up_to_whole_units() {
        let p = Pattern::national_2019();
        // 9 kurang rawan TPS at 4 per unit: 3 units, 6 police, 18 Linmas.
        assert_eq!(
            need_for(&p, TpsCategory::KurangRawan, 9),
            Need {
                units: 3,
                police: 6,
                linmas: 18
            }
        );
        // 8 exactly: 2 units.
        assert_eq!(need_for(&p, TpsCategory::KurangRawan, 8).units, 2);
        // 3 sangat rawan at 2 per unit: 2 units of 6 police.
        assert_eq!(need_for(&p, TpsCategory::SangatRawan, 3).police, 12);
        assert_eq!(need_for(&p, TpsCategory::Rawan, 0), Need::default());
        // A district: 9 + 3 rawan (2 units × 4 = 8) + 3 sangat rawan (12) = 26 police.
        let counts: BTreeMap<_, _> = [
            (TpsCategory::KurangRawan, 9),
            (TpsCategory::Rawan, 3),
            (TpsCategory::SangatRawan, 3),
        ]
        .into();
        assert_eq!(district_need(&p, &counts).police, 26);
    }

    #[test]
    fn a_unit_with_nobody_is_all_shortfall() {
        assert_eq!(
            balance(26, 0),
            Balance {
                need: 26,
                available: 0,
                shortfall: 26,
                spare: 0
            }
        );
        assert_eq!(balance(26, 30).spare, 4);
    }

    #[test]
    fn what_if_a_tps_becomes_sangat_rawan() {
        let p = Pattern::national_2019();
        let mut counts: BTreeMap<_, _> = [(TpsCategory::KurangRawan, 8)].into();
        let before = district_need(&p, &counts).police;
        assert_eq!(before, 4);
        // One TPS moves to sangat rawan: 7 kurang rawan (2 units, 4 police) + 1 sangat rawan
        // (1 unit, 6 police).
        counts.insert(TpsCategory::KurangRawan, 7);
        counts.insert(TpsCategory::SangatRawan, 1);
        assert_eq!(district_need(&p, &counts).police, 10);
    }

    #[test]
    fn assignment_serves_the_most_vulnerable_first() {
        let p = Pattern::national_2019();
        let tps = vec![
            (1, TpsCategory::KurangRawan),
            (2, TpsCategory::SangatRawan),
            (3, TpsCategory::KurangRawan),
            (4, TpsCategory::Rawan),
        ];
        let posts = assign(&p, &tps, 8);
        assert_eq!(posts[0].tps, vec![2]);
        assert_eq!(posts[0].police_assigned, 6);
        assert_eq!(posts[1].tps, vec![4]);
        assert_eq!((posts[1].police_needed, posts[1].police_assigned), (4, 2));
        assert_eq!(posts[2].tps, vec![1, 3]);
        assert_eq!(posts[2].police_assigned, 0, "nobody left");
        let pattern_zero = Pattern {
            kurang_rawan: Unit {
                police: 2,
                tps: 0,
                linmas: 0,
            },
            ..p
        };
        assert!(pattern_zero.validate().is_err());
    }
}
