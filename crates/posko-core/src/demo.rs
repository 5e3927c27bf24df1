//! Plausible demo data, so every page has content before real registers are imported. No public
//! national TPS register exists; this one is generated, deterministically for a seed, from the
//! real villages of a regency and the election's TPS capacity, sized per DOMAIN.md §2:
//! Pemilu 2024 averaged about 248 voters per TPS (203.1 M over 820,161), Pilkada 2024 about
//! 466 (203 M over 435,296), and a village about 2,445 voters (204.8 M over 83,763).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::election::{Election, ElectionKind};
use crate::region::{Level, RegionCode, VillageKind};
use crate::tps::{TpsId, TpsNumber, TpsRecord};
use crate::wilayah::Atlas;

/// The regencies `posko demo` fills when none is named: Kabupaten Jepara and Kota Jambi.
pub const DEFAULT_DEMO_REGENCIES: [&str; 2] = ["33.20", "15.71"];

/// Published DPT totals used to size a regency's demo register (DOMAIN.md §2).
const KNOWN_DPT: &[(&str, u32)] = &[("33.20", 919_276)];

const VOTERS_PER_VILLAGE: f64 = 2_445.0;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DemoError {
    #[error("wilayah {0} tidak ada di data wilayah (region not in the shipped areas)")]
    Unknown(String),
    #[error("{0} bukan kabupaten/kota: demo dibuat per kabupaten/kota (not a regency/city)")]
    NotRegency(String),
}

/// Generates a TPS register for every village of `regency`.
pub fn demo_register(
    atlas: &Atlas,
    regency: &RegionCode,
    election: &Election,
    seed: u64,
) -> Result<Vec<TpsRecord>, DemoError> {
    if regency.level() != Level::Regency {
        return Err(DemoError::NotRegency(regency.to_string()));
    }
    if !atlas.contains(regency) {
        return Err(DemoError::Unknown(regency.to_string()));
    }
    let villages: Vec<_> = atlas
        .subtree(regency)
        .iter()
        .filter(|r| r.level() == Level::Village)
        .collect();
    let code_salt = regency
        .to_string()
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(131) + b as u64);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ code_salt);

    // Village sizes: log-normal spread, towns (kelurahan) larger than rural desa.
    let weights: Vec<f64> = villages
        .iter()
        .map(|v| {
            let urban = v.code.village_kind() == Some(VillageKind::Kelurahan);
            let normal = box_muller(&mut rng);
            (0.45 * normal).exp() * if urban { 1.6 } else { 1.0 }
        })
        .collect();
    let total_weight: f64 = weights.iter().sum();
    let regency_key = regency.to_string();
    let total_voters = KNOWN_DPT
        .iter()
        .find(|(c, _)| *c == regency_key)
        .map(|(_, n)| *n as f64)
        .unwrap_or(VOTERS_PER_VILLAGE * villages.len() as f64);

    let cap = election.rules.max_voters_per_tps.max(1) as f64;
    let fill = match election.kind {
        ElectionKind::Pemilu => 0.83,
        ElectionKind::Pilkada => 0.78,
    };
    let mut out = Vec::new();
    for (v, w) in villages.iter().zip(&weights) {
        let voters = ((total_voters * w / total_weight).round() as u32).max(1);
        let n_tps = ((voters as f64 / (cap * fill)).ceil() as u32).clamp(1, 999);
        let base = voters / n_tps;
        let extra = voters % n_tps;
        for i in 0..n_tps {
            let Ok(number) = TpsNumber::new(i + 1) else {
                continue;
            };
            let Ok(id) = TpsId::new(v.code, number) else {
                continue;
            };
            let rt = rng.random_range(1..=12u32);
            let rw = rng.random_range(1..=6u32);
            out.push(TpsRecord {
                id,
                address: format!("RT {rt:03} / RW {rw:03}, {}", v.name),
                location: None,
                voters: base + u32::from(i < extra),
            });
        }
    }
    Ok(out)
}

/// One standard normal draw.
fn box_muller(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jepara_register_is_plausible_and_deterministic() {
        let atlas = Atlas::embedded();
        let jepara = RegionCode::parse("33.20").unwrap();
        let pilkada = Election::pilkada_2024();
        let a = demo_register(atlas, &jepara, &pilkada, 7).unwrap();
        let b = demo_register(atlas, &jepara, &pilkada, 7).unwrap();
        assert_eq!(a, b, "same seed, same register");
        let total: u64 = a.iter().map(|t| t.voters as u64).sum();
        assert!((total as i64 - 919_276).abs() < 200, "total {total}");
        assert!(a.iter().all(|t| t.voters <= 600 && t.voters > 0));
        let avg = total as f64 / a.len() as f64;
        assert!((400.0..=600.0).contains(&avg), "average {avg}");
        let villages: std::collections::HashSet<_> = a.iter().map(|t| t.id.village).collect();
        assert_eq!(villages.len(), 195, "every village has a TPS");
        let c = demo_register(atlas, &jepara, &pilkada, 8).unwrap();
        assert_ne!(a, c, "another seed, another register");
    }

    #[test]
    fn pemilu_register_respects_its_capacity() {
        let atlas = Atlas::embedded();
        let jambi = RegionCode::parse("15.71").unwrap();
        let regs = demo_register(atlas, &jambi, &Election::pemilu_2024(), 1).unwrap();
        assert!(regs.iter().all(|t| t.voters <= 300));
        let avg = regs.iter().map(|t| t.voters as f64).sum::<f64>() / regs.len() as f64;
        assert!((200.0..=300.0).contains(&avg), "average {avg}");
    }

    #[test]
    fn refuses_non_regencies() {
        let atlas = Atlas::embedded();
        let e = Election::pemilu_2024();
        assert!(matches!(
            demo_register(atlas, &RegionCode::parse("33").unwrap(), &e, 1),
            Err(DemoError::NotRegency(_))
        ));
        assert!(matches!(
            demo_register(atlas, &RegionCode::parse("33.99").unwrap(), &e, 1),
            Err(DemoError::Unknown(_))
        ));
    }
}
