//! Any bytes as a CSV or an XLSX voter list: opening, reading every batch and checking every
//! row must end in rows, findings or a `ReadError`, never a panic. The first byte picks the
//! form (even: CSV, odd: XLSX), so one corpus covers both readers.
#![no_main]

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use posko_core::Atlas;
use posko_dpt::check::{check_row, Rules};
use posko_dpt::date::Ymd;
use posko_dpt::nik::Prefixes;
use posko_dpt::read;
use posko_dpt::region::RegionIndex;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join(if pick % 2 == 0 { "dpt.csv" } else { "dpt.xlsx" });
    if std::fs::write(&path, body).is_err() {
        return;
    }
    let Ok(mut opened) = read::open(&path, &[], Arc::new(AtomicU64::new(0))) else {
        return;
    };
    // Built once per process: rebuilding the atlas's indexes for every input had held the
    // target to a few dozen runs a second.
    static INDEXES: OnceLock<(Prefixes, RegionIndex)> = OnceLock::new();
    let (prefixes, regions) = INDEXES.get_or_init(|| {
        let atlas = Atlas::embedded();
        (Prefixes::from_atlas(atlas), RegionIndex::from_atlas(atlas))
    });
    let rules = Rules {
        prefixes,
        regions,
        polling_day: Ymd { y: 2024, m: 2, d: 14 },
        marital_codes: &[],
    };
    while let Ok(batch) = opened.next_batch(64) {
        if batch.is_empty() {
            break;
        }
        for (line, rec) in &batch {
            let fields: Vec<&[u8]> = rec.iter().collect();
            let _ = check_row(&rules, &opened.map, 0, *line, &fields);
        }
    }
});
