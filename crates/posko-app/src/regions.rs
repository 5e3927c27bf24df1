//! The region browser: Indonesia → province → regency/city → district → village → TPS, each
//! level with its children, how many regions lie below them and how many TPS and DPT voters the
//! election's register has there. Names come from the shipped atlas, counts from the store.

use std::collections::HashMap;

use posko_core::wilayah::LevelCounts;
use posko_core::{Atlas, Level, Region, RegionCode, TpsRecord, Zone};
use posko_store::{Store, StoreError};
use serde::Serialize;

/// One child row of the browser.
#[derive(Debug, Clone, Serialize)]
pub struct ChildRow {
    pub code: RegionCode,
    pub name: String,
    /// How many regions one level below this child.
    pub children: usize,
    pub tps: u64,
    pub voters: u64,
}

/// Everything the browser shows for one place (the whole country when `region` is `None`).
#[derive(Debug, Clone, Serialize)]
pub struct RegionView {
    pub region: Option<Region>,
    pub lineage: Vec<Region>,
    pub zone: Option<Zone>,
    pub below: LevelCounts,
    pub child_level: Option<Level>,
    pub children: Vec<ChildRow>,
    /// The TPS of a village (empty above village level).
    pub tps: Vec<TpsRecord>,
    pub total_tps: u64,
    pub total_voters: u64,
}

/// Why a region cannot be shown.
#[derive(Debug, thiserror::Error)]
pub enum BrowseError {
    #[error("wilayah {0} tidak ada (no such region)")]
    Unknown(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Builds the browser's view of `code` (or of Indonesia) for `election`.
pub async fn view(
    store: &dyn Store,
    atlas: &Atlas,
    election: &str,
    code: Option<&RegionCode>,
) -> Result<RegionView, BrowseError> {
    let (region, children, child_level, below) = match code {
        Some(c) => {
            let r = atlas
                .get(c)
                .ok_or_else(|| BrowseError::Unknown(c.to_string()))?;
            (
                Some(r.clone()),
                atlas.children(c),
                c.level().child(),
                atlas.descendant_counts(c),
            )
        }
        None => (
            None,
            atlas.provinces(),
            Some(Level::Province),
            atlas.counts(),
        ),
    };
    let tallies = match child_level {
        Some(level) => store.tps_tally(election, code, level).await?,
        None => Vec::new(),
    };
    let by_code: HashMap<RegionCode, (u64, u64)> = tallies
        .iter()
        .map(|t| (t.region, (t.tps, t.voters)))
        .collect();
    let rows: Vec<ChildRow> = children
        .iter()
        .map(|c| {
            let (tps, voters) = by_code.get(&c.code).copied().unwrap_or((0, 0));
            ChildRow {
                code: c.code,
                name: c.name.clone(),
                children: atlas.children(&c.code).len(),
                tps,
                voters,
            }
        })
        .collect();
    let tps = match code {
        Some(c) if c.level() == Level::Village => store.tps_in_village(election, c).await?,
        _ => Vec::new(),
    };
    let (total_tps, total_voters) = if tps.is_empty() {
        (
            rows.iter().map(|r| r.tps).sum(),
            rows.iter().map(|r| r.voters).sum(),
        )
    } else {
        (
            tps.len() as u64,
            tps.iter().map(|t| u64::from(t.voters)).sum(),
        )
    };
    Ok(RegionView {
        zone: code.and_then(|c| atlas.zone(c)),
        lineage: code
            .map(|c| atlas.lineage(c).into_iter().cloned().collect())
            .unwrap_or_default(),
        region,
        below,
        child_level,
        children: rows,
        tps,
        total_tps,
        total_voters,
    })
}
