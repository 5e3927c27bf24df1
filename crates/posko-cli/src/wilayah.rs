//! `posko wilayah show|search|stats`: the shipped atlas from the command line. Needs no
//! database: the areas are compiled into the binary.

use std::process::ExitCode;

use anyhow::{bail, Result};
use posko_core::{Atlas, Level, Region, RegionCode};
use serde_json::json;

use crate::WilayahCmd;

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Province => "provinsi (province)",
        Level::Regency => "kabupaten/kota (regency/city)",
        Level::District => "kecamatan (district)",
        Level::Village => "desa/kelurahan (village)",
    }
}

fn region_json(atlas: &Atlas, r: &Region) -> serde_json::Value {
    let zone = atlas.zone(&r.code);
    let below = atlas.descendant_counts(&r.code);
    json!({
        "code": r.code,
        "name": r.name,
        "level": r.level(),
        "village_kind": r.code.village_kind(),
        "parents": atlas.lineage(&r.code).iter().rev().skip(1).rev()
            .map(|p| json!({"code": p.code, "name": p.name, "level": p.level()}))
            .collect::<Vec<_>>(),
        "zone": zone.map(|z| json!({
            "abbreviation": z.abbreviation(), "iana": z.iana(), "utc_offset_hours": z.utc_offset_hours()
        })),
        "children": atlas.children(&r.code).len(),
        "below": below,
    })
}

pub fn run(cmd: WilayahCmd) -> Result<ExitCode> {
    let atlas = Atlas::embedded();
    match cmd {
        WilayahCmd::Show { code, json } => {
            let code = RegionCode::parse(&code)?;
            let Some(r) = atlas.get(&code) else {
                bail!("wilayah {code} tidak ada di data wilayah (no such region)");
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&region_json(atlas, r))?);
                return Ok(ExitCode::SUCCESS);
            }
            println!("{}  {}", r.code, r.name);
            println!("tingkat (level):      {}", level_name(r.level()));
            for p in atlas.lineage(&code).iter().take(code.level().depth() - 1) {
                println!("induk (parent):       {}  {}", p.code, p.name);
            }
            if let Some(z) = atlas.zone(&code) {
                println!(
                    "zona waktu (zone):    {} ({}, UTC+{})",
                    z.abbreviation(),
                    z.iana(),
                    z.utc_offset_hours()
                );
            }
            let b = atlas.descendant_counts(&code);
            let mut parts = Vec::new();
            for (n, label) in [
                (b.regencies, "kabupaten/kota"),
                (b.districts, "kecamatan"),
                (b.villages, "desa/kelurahan"),
            ] {
                if n > 0 {
                    parts.push(format!("{n} {label}"));
                }
            }
            if !parts.is_empty() {
                println!("di bawahnya (below):  {}", parts.join(", "));
            }
        }
        WilayahCmd::Search { text, limit, json } => {
            let query = text.join(" ");
            let hits = atlas.search(&query, limit);
            if json {
                let rows: Vec<_> = hits.iter().map(|r| region_json(atlas, r)).collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else if hits.is_empty() {
                eprintln!("tidak ada wilayah bernama '{query}' (no match)");
                return Ok(ExitCode::FAILURE);
            } else {
                for r in hits {
                    let parents: Vec<String> = atlas
                        .lineage(&r.code)
                        .iter()
                        .rev()
                        .skip(1)
                        .map(|p| p.name.clone())
                        .collect();
                    println!(
                        "{:<14} {}  [{}{}{}]",
                        r.code.to_string(),
                        r.name,
                        level_name(r.level()),
                        if parents.is_empty() { "" } else { "; " },
                        parents.join(", ")
                    );
                }
            }
        }
        WilayahCmd::Stats { json } => {
            let c = atlas.counts();
            let source = posko_core::wilayah::DATA_VERSION.trim();
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&json!({
                        "provinces": c.provinces, "regencies": c.regencies,
                        "districts": c.districts, "villages": c.villages, "source": source,
                    }))?
                );
            } else {
                println!("provinsi (provinces):             {}", c.provinces);
                println!("kabupaten/kota (regencies/cities): {}", c.regencies);
                println!("kecamatan (districts):            {}", c.districts);
                println!("desa/kelurahan (villages):        {}", c.villages);
                println!("sumber (source):                  {source}, ODbL 1.0");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
