//! `posko netralitas impor-pakta FILE --wilayah CODE` imports integrity pledges from a CSV or XLSX
//! file (all or nothing, every bad row named by file, line and column); `posko netralitas cakupan
//! --wilayah CODE` prints a region's neutrality coverage as JSON.

use std::path::PathBuf;

use anyhow::{bail, Context as _, Result};
use clap::Subcommand;
use jiff::Timestamp;
use posko_core::RegionCode;

use crate::open::{self, Mode};
use crate::{load_config, StoreArgs};

#[derive(Subcommand, Debug)]
pub enum NetralitasCmd {
    /// Mengimpor pakta integritas netralitas dari CSV/XLSX, semua atau tidak sama sekali
    /// (import integrity pledges from a CSV/XLSX file, all or nothing).
    ImporPakta {
        #[command(flatten)]
        store: StoreArgs,
        /// Berkas CSV atau XLSX (kolom: jenis, nip, nama, unit_kerja, kode_wilayah, tanggal).
        file: PathBuf,
        /// Wilayah yang dicakup berkas (the region the file covers), e.g. 33.20.
        #[arg(long)]
        wilayah: RegionCode,
    },
    /// Cakupan penyuluhan dan pakta suatu wilayah, JSON (a region's coverage, as JSON).
    Cakupan {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        wilayah: RegionCode,
    },
}

pub async fn run(cmd: NetralitasCmd, file: Option<&PathBuf>) -> Result<()> {
    match cmd {
        NetralitasCmd::ImporPakta {
            store,
            file: path,
            wilayah,
        } => {
            let cfg = load_config(file, &store)?;
            let posko = open::open(&cfg, Mode::Use).await?;
            let shown = path.display().to_string();
            match posko_app::netralitas::import_pledges(
                &posko,
                None,
                &wilayah,
                &path,
                &shown,
                Timestamp::now(),
            )
            .await
            {
                Ok(r) => println!(
                    "{shown}: {} baris, {} pakta baru, {} sudah tercatat \
                     ({} rows, {} new pledges, {} already recorded)",
                    r.rows, r.count.added, r.count.already, r.rows, r.count.added, r.count.already
                ),
                Err(e) => bail!("{e}"),
            }
        }
        NetralitasCmd::Cakupan { store, wilayah } => {
            let cfg = load_config(file, &store)?;
            let posko = open::open(&cfg, Mode::Use).await?;
            let c = posko
                .neutrality_coverage(&wilayah)
                .await
                .context("cakupan netralitas gagal (coverage failed)")?;
            println!("{}", serde_json::to_string_pretty(&c)?);
        }
    }
    Ok(())
}
