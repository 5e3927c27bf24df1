//! `posko briefing --wilayah CODE --tanggal YYYY-MM-DD --keluar DIR`: the rakor briefing of a
//! region as the printable page, the A4 PDF and the workbook (issue 9, part 2); and
//! `posko dpt impor-ringkasan`, which stores a voter-list check's findings per district for the
//! dashboard's DPT tile.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Args;
use jiff::civil::Date;
use jiff::Timestamp;
use posko_web::i18n::Lang;

use crate::open::{self, Mode};
use crate::{load_config, StoreArgs};

#[derive(Args, Debug)]
pub struct BriefingArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Kode wilayah, atau "nasional" (region code, or "nasional" for the country).
    #[arg(long)]
    pub wilayah: String,
    /// Tanggal rakor, YYYY-MM-DD (the meeting's date).
    #[arg(long)]
    pub tanggal: Date,
    /// Folder keluaran (output folder).
    #[arg(long)]
    pub keluar: PathBuf,
    /// Bahasa: id atau en (language); bawaan id.
    #[arg(long, default_value = "id")]
    pub bahasa: String,
}

pub async fn briefing(a: BriefingArgs, file: Option<&PathBuf>) -> Result<()> {
    let cfg = load_config(file, &a.store)?;
    let posko = open::open(&cfg, Mode::Use).await?;
    let region = if a.wilayah.trim().eq_ignore_ascii_case(posko_store::NATIONAL) {
        None
    } else {
        Some(posko_core::RegionCode::parse(a.wilayah.trim()).map_err(|e| anyhow::anyhow!("{e}"))?)
    };
    let lang = Lang::parse(&a.bahasa).unwrap_or(Lang::Id);
    let now = Timestamp::now();
    // The figures as of now: recompute the snapshots first.
    posko_app::dashboard::refresh(&posko, now)
        .await
        .context("menghitung dasbor gagal (computing the dashboard failed)")?;
    let b = posko_app::dashboard::briefing(&posko, region.as_ref(), a.tanggal, now)
        .await
        .context("menyusun bahan rakor gagal (building the briefing failed)")?;
    std::fs::create_dir_all(&a.keluar)
        .with_context(|| format!("{}: folder keluaran (output folder)", a.keluar.display()))?;
    let stem = format!("briefing-{}-{}", b.snapshot.key(), a.tanggal);
    let html = posko_web::dasbor::briefing_html(posko_web::dasbor::briefing_view(&posko, &b, lang))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let pdf = posko_web::briefing_pdf::render(&posko_web::dasbor::briefing_view(&posko, &b, lang));
    let xlsx =
        posko_web::dasbor::briefing_workbook(&posko_web::dasbor::briefing_view(&posko, &b, lang))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    for (ext, bytes) in [("html", html.into_bytes()), ("pdf", pdf), ("xlsx", xlsx)] {
        let path = a.keluar.join(format!("{stem}.{ext}"));
        std::fs::write(&path, bytes).with_context(|| path.display().to_string())?;
        println!("{}", path.display());
    }
    eprintln!(
        "Bahan rakor {} {}: {} kasus perlu keputusan, {} tindak lanjut selesai, {} terbuka, {} terlambat \
         (briefing written: cases needing a decision, follow-ups done, open, late)",
        b.snapshot.name,
        a.tanggal,
        b.cases.len(),
        b.digest.counts.done,
        b.digest.counts.open,
        b.digest.counts.late
    );
    Ok(())
}

#[derive(Args, Debug)]
pub struct DptSummaryArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// summary.json dari `posko dpt check` (the summary a voter-list check wrote).
    pub file: PathBuf,
}

pub async fn import_dpt_summary(a: DptSummaryArgs, file: Option<&PathBuf>) -> Result<()> {
    let cfg = load_config(file, &a.store)?;
    let posko = open::open(&cfg, Mode::Use).await?;
    let bytes = std::fs::read(&a.file).with_context(|| a.file.display().to_string())?;
    let (election, n) = posko_app::dashboard::import_dpt_summary(&posko, &bytes, Timestamp::now())
        .await
        .context("impor ringkasan DPT gagal (voter-list summary import failed)")?;
    println!("{n} kecamatan disimpan untuk {election} ({n} districts stored for {election})");
    Ok(())
}

#[derive(clap::Subcommand, Debug)]
pub enum DasborCmd {
    /// Menghitung ulang ringkasan dasbor sekarang (recompute the dashboard snapshots now; `serve`
    /// does it every 15 s when the data changed).
    Hitung {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Menampilkan ringkasan tersimpan satu wilayah sebagai JSON (print a region's stored
    /// snapshot as JSON).
    Lihat {
        #[command(flatten)]
        store: StoreArgs,
        /// Kode wilayah, atau "nasional".
        #[arg(long)]
        wilayah: String,
        /// Hitung langsung dari catatan, tanpa ringkasan tersimpan, dan cetak lamanya ke stderr
        /// (compute live from the records, as a page without snapshots would; the benchmark's
        /// baseline).
        #[arg(long)]
        langsung: bool,
    },
}

pub async fn run(cmd: DasborCmd, file: Option<&PathBuf>) -> Result<()> {
    match cmd {
        DasborCmd::Hitung { store } => {
            let cfg = load_config(file, &store)?;
            let posko = open::open(&cfg, Mode::Use).await?;
            let started = std::time::Instant::now();
            let n = posko_app::dashboard::refresh(&posko, Timestamp::now())
                .await
                .context("menghitung dasbor gagal (computing the dashboard failed)")?;
            println!(
                "{n} ringkasan wilayah disimpan dalam {} ms ({n} region snapshots stored)",
                started.elapsed().as_millis()
            );
        }
        DasborCmd::Lihat {
            store,
            wilayah,
            langsung: true,
        } => {
            let cfg = load_config(file, &store)?;
            let posko = open::open(&cfg, Mode::Use).await?;
            let region = posko_core::RegionCode::parse(wilayah.trim())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let started = std::time::Instant::now();
            let districts =
                posko_app::dashboard::district_figures(&posko, &region, Timestamp::now())
                    .await
                    .context("menghitung dasbor gagal (computing the dashboard failed)")?;
            let figures = posko_core::dashboard::roll_up(districts.values());
            eprintln!("live_ms {}", started.elapsed().as_secs_f64() * 1000.0);
            println!("{}", serde_json::to_string(&figures)?);
        }
        DasborCmd::Lihat { store, wilayah, .. } => {
            let cfg = load_config(file, &store)?;
            let posko = open::open(&cfg, Mode::Use).await?;
            let key = wilayah.trim().to_string();
            let row = posko
                .store
                .dashboard_snapshot(&key)
                .await
                .context("membaca dasbor gagal (reading the dashboard failed)")?
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "belum ada ringkasan untuk {key}; jalankan `posko dasbor hitung` \
                         (no snapshot yet; run `posko dasbor hitung`)"
                    )
                })?;
            println!("{}", row.figures);
        }
    }
    Ok(())
}
