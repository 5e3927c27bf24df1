//! `posko rakor periksa|ringkasan`: runs the follow-up alert scan at a chosen instant (what
//! `serve` does every minute), and prints a region's follow-up digest for the next briefing.

use anyhow::{Context as _, Result};
use clap::Subcommand;
use jiff::Timestamp;
use posko_core::RegionCode;

use crate::open::{self, Mode};
use crate::{load_config, StoreArgs};

#[derive(Subcommand, Debug)]
pub enum RakorCmd {
    /// Memeriksa tenggat tindak lanjut rakor dan mengirim peringatan sekali saja
    /// (scan rakor follow-up deadlines and raise each alert once).
    Periksa {
        #[command(flatten)]
        store: StoreArgs,
        /// Waktu pemeriksaan, RFC 3339; bawaan: sekarang (the scan's instant; default now).
        #[arg(long)]
        pada: Option<Timestamp>,
    },
    /// Ringkasan tindak lanjut sejak rapat sebelumnya, JSON (follow-up digest since the
    /// previous meeting, as JSON).
    Ringkasan {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        wilayah: RegionCode,
        #[arg(long)]
        pada: Option<Timestamp>,
    },
}

pub async fn run(cmd: RakorCmd, file: Option<&std::path::PathBuf>) -> Result<()> {
    match cmd {
        RakorCmd::Periksa { store, pada } => {
            let cfg = load_config(file, &store)?;
            let posko = open::open(&cfg, Mode::Use).await?;
            let r = posko_app::rakor::scan(&posko, pada.unwrap_or_else(Timestamp::now))
                .await
                .context("pemeriksaan tindak lanjut gagal (follow-up scan failed)")?;
            println!(
                "{} peringatan jatuh tempo, {} peringatan terlambat \
                 ({} due alerts, {} late alerts)",
                r.near, r.late, r.near, r.late
            );
        }
        RakorCmd::Ringkasan {
            store,
            wilayah,
            pada,
        } => {
            let cfg = load_config(file, &store)?;
            let posko = open::open(&cfg, Mode::Use).await?;
            let d = posko
                .follow_up_digest(&wilayah, pada.unwrap_or_else(Timestamp::now))
                .await
                .context("ringkasan tindak lanjut gagal (follow-up digest failed)")?;
            println!("{}", serde_json::to_string_pretty(&d)?);
        }
    }
    Ok(())
}
