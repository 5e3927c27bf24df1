//! `posko logistik import|status` and `posko demo logistik`: hand-overs loaded from an office's
//! files, the status rolled up for a region, and a synthetic hand-over chain for a register.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context as _, Result};
use clap::{Args, Subcommand};
use jiff::{SignedDuration, Timestamp};
use posko_app::logistics::{self as logi, VillageBoard};
use posko_core::logistics::{self, Rounding};
use posko_core::{Level, RegionCode, TpsRecord};

use crate::open::{self, Mode};
use crate::{load_config, StoreArgs};

#[derive(Subcommand, Debug)]
pub enum LogistikCmd {
    /// Mengimpor serah terima dari CSV/XLSX; satu berkas utuh atau tidak sama sekali
    /// (import hand-overs from CSV/XLSX, all or nothing per file).
    Import {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long, default_value = "pemilu-2024")]
        pemilihan: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Status logistik surat suara per wilayah: kebutuhan, diterima, rusak, kurang
    /// (ballot logistics status rolled up per region).
    Status {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long, default_value = "pemilu-2024")]
        pemilihan: String,
        /// Wilayah (region); tanpa ini, seluruh Indonesia per provinsi (the whole country).
        #[arg(long)]
        wilayah: Option<RegionCode>,
        /// Keluaran JSON (JSON output).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    #[command(flatten)]
    store: StoreArgs,
    #[arg(long, default_value = "pemilu-2024")]
    pemilihan: String,
    /// Wilayah (region); tanpa ini, seluruh daftar TPS (the whole register).
    #[arg(long)]
    wilayah: Option<RegionCode>,
    #[arg(long, default_value_t = 2024)]
    seed: u64,
    /// Berkas CSV keluaran (output CSV).
    #[arg(long)]
    out: PathBuf,
}

/// The regions to walk: the one asked for, or the post's (every province when it has none).
fn regions(posko: &posko_app::Posko, wilayah: Option<RegionCode>) -> Vec<RegionCode> {
    wilayah.map_or_else(|| posko.scan_regions(), |r| vec![r])
}

pub async fn run(cmd: LogistikCmd, file: Option<&PathBuf>) -> Result<std::process::ExitCode> {
    match cmd {
        LogistikCmd::Import {
            store,
            pemilihan,
            files,
        } => {
            let cfg = load_config(file, &store)?;
            let posko = open::open(&cfg, Mode::Use).await?;
            let mut failed = false;
            for path in files {
                match logi::import::import_file(
                    &posko,
                    &path,
                    None,
                    &pemilihan,
                    logi::import::Importer::default(),
                    Timestamp::now(),
                )
                .await
                {
                    Ok(s) => println!(
                        "{}: {} serah terima diimpor, {} di antaranya stok gudang \
                         ({} hand-overs imported, {} of them warehouse stock)",
                        path.display(),
                        s.rows,
                        s.stock,
                        s.rows,
                        s.stock
                    ),
                    Err(e) => {
                        eprintln!("{e}");
                        failed = true;
                    }
                }
            }
            Ok(if failed {
                std::process::ExitCode::FAILURE
            } else {
                std::process::ExitCode::SUCCESS
            })
        }
        LogistikCmd::Status {
            store,
            pemilihan,
            wilayah,
            json,
        } => {
            let cfg = load_config(file, &store)?;
            let posko = open::open(&cfg, Mode::Use).await?;
            if posko.elections.get(&pemilihan).is_none() {
                bail!("pemilihan '{pemilihan}' tidak dikenal (unknown election)");
            }
            let now = Timestamp::now();
            // Two regions at a time on the runtime's threads: reading one region's accounts
            // (the store's work) overlaps with summing another's (ours), in region order.
            let mut pending = std::collections::VecDeque::new();
            let mut rows: Vec<(RegionCode, VillageBoard)> = Vec::new();
            for region in regions(&posko, wilayah) {
                let (posko, pemilihan) = (posko.clone(), pemilihan.clone());
                pending.push_back(tokio::spawn(async move {
                    let zone = posko.atlas.zone(&region).unwrap_or(posko_core::Zone::Wib);
                    let today = now.to_zoned(zone.tz()).date();
                    let villages =
                        logi::rollup_villages(&posko, &pemilihan, &region, today).await?;
                    let level = match region.level() {
                        Level::Province => Level::Regency,
                        Level::Regency => Level::District,
                        _ => Level::Village,
                    };
                    Ok::<_, posko_store::StoreError>(logi::roll_up(&villages, level))
                }));
                if pending.len() == 2 {
                    if let Some(first) = pending.pop_front() {
                        rows.extend(first.await??);
                    }
                }
            }
            for task in pending {
                rows.extend(task.await??);
            }
            let total = rows.iter().fold(VillageBoard::default(), |mut t, (_, b)| {
                t.add(b);
                t
            });
            if json {
                let out = serde_json::json!({
                    "pemilihan": pemilihan,
                    "total": board_json(&total),
                    "wilayah": rows.iter().map(|(c, b)| {
                        let mut j = board_json(b);
                        j["kode"] = c.to_string().into();
                        j
                    }).collect::<Vec<_>>(),
                });
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                println!(
                    "wilayah\tTPS\tkebutuhan\tbaik\trusak\tkurang\tTPS lengkap\tTPS terlambat"
                );
                let line = |c: &str, b: &VillageBoard| {
                    println!(
                        "{c}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        b.tps, b.needed, b.good, b.damaged, b.short, b.complete_tps, b.late_tps
                    )
                };
                for (c, b) in &rows {
                    line(&c.to_string(), b);
                }
                line("JUMLAH", &total);
            }
            Ok(std::process::ExitCode::SUCCESS)
        }
    }
}

fn board_json(b: &VillageBoard) -> serde_json::Value {
    serde_json::json!({
        "tps": b.tps,
        "kebutuhan": b.needed,
        "baik": b.good,
        "rusak": b.damaged,
        "kurang": b.short,
        "tps_lengkap": b.complete_tps,
        "tps_terlambat": b.late_tps,
    })
}

/// A small deterministic mixer (SplitMix64): the same seed gives the same file.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Writes the chain of hand-overs that supplies every TPS of the register with ballot papers
/// of each type: stock into each KPU warehouse, KPU → PPK per district, PPK → PPS per village,
/// PPS → KPPS per TPS — four hand-overs on the way to each TPS and ballot type. Planted: about
/// 1 % of TPS deliveries arrive with damaged papers, 0.5 % with a missing bundle, and 0.5 % of
/// TPS get nothing yet.
pub async fn demo(args: DemoArgs, file: Option<&PathBuf>) -> Result<()> {
    let cfg = load_config(file, &args.store)?;
    let posko = open::open(&cfg, Mode::Use).await?;
    let Some(election) = posko.elections.get(&args.pemilihan) else {
        bail!(
            "pemilihan '{}' tidak dikenal (unknown election)",
            args.pemilihan
        );
    };
    let out = std::fs::File::create(&args.out)
        .with_context(|| format!("{}: tidak dapat ditulis (cannot write)", args.out.display()))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, out);
    writeln!(w, "{}", logi::import::header())?;
    let start = election.polling_day.at(8, 0, 0, 0);
    let when = |days_before: i64, i: u64| -> String {
        let t = start - SignedDuration::from_hours(24 * days_before)
            + SignedDuration::from_mins((i % 480) as i64);
        t.strftime("%Y-%m-%d %H:%M").to_string()
    };
    let (mut rows, mut tps_count, mut draws) = (0u64, 0u64, 0u64);
    for region in regions(&posko, args.wilayah) {
        let tps: Vec<TpsRecord> = posko.store.tps_in_region(&election.id, &region).await?;
        // Group by regency, district and village, in register order.
        let mut by_regency: std::collections::BTreeMap<RegionCode, Vec<&TpsRecord>> =
            Default::default();
        for t in &tps {
            if let Some(r) = t.id.village.ancestor_at(Level::Regency) {
                by_regency.entry(r).or_default().push(t);
            }
        }
        for (regency, list) in by_regency {
            for ballot in logistics::ballots_at(election, &list[0].id.village) {
                let b = ballot.as_str();
                // Each TPS's need, computed once and summed for its village, district, regency.
                let needs: std::collections::HashMap<posko_core::TpsId, u32> = list
                    .iter()
                    .map(|t| {
                        let n = logistics::tps_needs(
                            election,
                            &t.id.village,
                            t.voters,
                            0,
                            Rounding::Up,
                        )
                        .ballots
                        .iter()
                        .find(|(x, _)| *x == ballot)
                        .map_or(0, |(_, n)| *n);
                        (t.id, n)
                    })
                    .collect();
                let need = |t: &TpsRecord| needs.get(&t.id).copied().unwrap_or(0);
                let total: u64 = list.iter().map(|t| u64::from(need(t))).sum();
                writeln!(
                    w,
                    ",,kpu,{regency},surat_suara,{b},{total},{total},0,0,{},Percetakan,Ketua KPU",
                    when(30, rows)
                )?;
                rows += 1;
                let mut i = 0;
                while i < list.len() {
                    let district = list[i].id.village.ancestor_at(Level::District);
                    let j = list[i..]
                        .iter()
                        .position(|t| t.id.village.ancestor_at(Level::District) != district)
                        .map_or(list.len(), |k| i + k);
                    let Some(district) = district else {
                        i = j;
                        continue;
                    };
                    let sum: u64 = list[i..j].iter().map(|t| u64::from(need(t))).sum();
                    writeln!(
                        w,
                        "kpu,{regency},ppk,{district},surat_suara,{b},{sum},{sum},0,0,{},Ketua KPU,Ketua PPK",
                        when(16, rows)
                    )?;
                    rows += 1;
                    let mut k = i;
                    while k < j {
                        let village = list[k].id.village;
                        let m = list[k..j]
                            .iter()
                            .position(|t| t.id.village != village)
                            .map_or(j, |x| k + x);
                        let vsum: u64 = list[k..m].iter().map(|t| u64::from(need(t))).sum();
                        writeln!(
                            w,
                            "ppk,{district},pps,{village},surat_suara,{b},{vsum},{vsum},0,0,{},Ketua PPK,Ketua PPS",
                            when(9, rows)
                        )?;
                        rows += 1;
                        for t in &list[k..m] {
                            let n = need(t);
                            draws += 1;
                            let r = mix(args.seed ^ mix(draws)) % 1000;
                            if r < 5 {
                                continue; // not delivered yet
                            }
                            let (good, damaged, missing) = if r < 15 {
                                (n.saturating_sub(3), n.min(3), 0)
                            } else if r < 20 {
                                (n.saturating_sub(10), 0, n.min(10))
                            } else {
                                (n, 0, 0)
                            };
                            writeln!(
                                w,
                                "pps,{village},kpps,{},surat_suara,{b},{n},{good},{damaged},{missing},{},Ketua PPS,Ketua KPPS",
                                t.id,
                                when(2, rows)
                            )?;
                            rows += 1;
                        }
                        k = m;
                    }
                    i = j;
                }
            }
            tps_count += list.len() as u64;
        }
    }
    w.flush()?;
    eprintln!(
        "{}: {rows} serah terima untuk {tps_count} TPS ({rows} hand-overs for {tps_count} TPS)",
        args.out.display()
    );
    Ok(())
}
