//! `posko ikp import` and `posko personel set`: the data the vulnerability pages need, loaded
//! from an office's files.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Subcommand;
use posko_core::RegionCode;
use posko_store::PersonnelPool;

use crate::open::{self, Mode};
use crate::{load_config, StoreArgs};

#[derive(Subcommand, Debug)]
pub enum IkpCmd {
    /// Mengimpor nilai indikator IKP per wilayah dari CSV/XLSX: kolom kode_wilayah lalu satu
    /// kolom per indikator (import IKP indicator values per region).
    Import {
        #[command(flatten)]
        store: StoreArgs,
        file: PathBuf,
    },
    /// Mengimpor batas wilayah (GeoJSON, properti `kode`) untuk peta kerawanan
    /// (import region outlines for the vulnerability map).
    Peta {
        #[command(flatten)]
        store: StoreArgs,
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum PersonelCmd {
    /// Mencatat jumlah personel satuan (record a unit's personnel), mis. Polsek per kecamatan.
    Set {
        #[command(flatten)]
        store: StoreArgs,
        /// polres, polsek, kodim, koramil, satpol_pp, linmas
        #[arg(long = "jenis")]
        kind: String,
        /// Nama satuan, mis. "Polsek Kedung".
        #[arg(long = "nama")]
        name: String,
        /// Wilayah tugas satuan (kecamatan untuk Polsek/Koramil), mis. 33.20.01.
        #[arg(long = "wilayah")]
        region: RegionCode,
        #[arg(long = "jumlah")]
        personnel: u32,
    },
}

const KINDS: [&str; 6] = [
    "polres",
    "polsek",
    "kodim",
    "koramil",
    "satpol_pp",
    "linmas",
];

pub async fn ikp(cmd: IkpCmd, file: Option<&PathBuf>) -> Result<()> {
    match cmd {
        IkpCmd::Import { store, file: path } => {
            let cfg = load_config(file, &store)?;
            let posko = open::open(&cfg, Mode::Use).await?;
            let n = posko_app::vulnerability::import_ikp(&posko, &path).await?;
            println!("{n} nilai indikator IKP diimpor ({n} indicator values imported).");
        }
        IkpCmd::Peta { store, file: path } => {
            let cfg = load_config(file, &store)?;
            let posko = open::open(&cfg, Mode::Use).await?;
            let n = posko_app::vulnerability::import_boundaries(&posko, &path).await?;
            println!("{n} batas wilayah diimpor ({n} region outlines imported).");
        }
    }
    Ok(())
}

pub async fn personel(cmd: PersonelCmd, file: Option<&PathBuf>) -> Result<()> {
    let PersonelCmd::Set {
        store,
        kind,
        name,
        region,
        personnel,
    } = cmd;
    if !KINDS.contains(&kind.as_str()) {
        bail!(
            "jenis satuan '{kind}' tidak dikenal; gunakan {} (unknown unit kind)",
            KINDS.join(", ")
        );
    }
    let cfg = load_config(file, &store)?;
    let posko = open::open(&cfg, Mode::Use).await?;
    if !posko.atlas.contains(&region) {
        bail!("wilayah {region} tidak ada (no such region)");
    }
    posko
        .store
        .set_personnel_pool(&PersonnelPool {
            kind,
            name: name.clone(),
            region,
            personnel,
        })
        .await?;
    println!("{name}: {personnel} personel di {region} (recorded).");
    Ok(())
}
