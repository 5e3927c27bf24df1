//! `posko hasil check` and `posko demo hasil`: the result-form engine (posko-hasil) from the
//! command line, for offices that work offline. Arguments and wiring only; a progress bar on a
//! terminal, none in scripts. Messages are Bahasa Indonesia first, English second.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use posko_core::results::Code;
use posko_core::{Election, Elections};
use posko_hasil::generate::{generate, Rates};
use posko_hasil::{Options, Progress, Quiet};

/// Arguments of `posko hasil check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Berkas formulir hasil: CSV (pemisah , ; TAB |) atau XLSX (result-form files).
    #[arg(required = true, value_name = "FILES")]
    pub files: Vec<PathBuf>,
    /// Pemilihan yang aturannya dipakai (election whose rules apply).
    #[arg(long, default_value = "pemilu-2024")]
    pub pemilihan: String,
    /// Folder keluaran (output folder).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Cetak summary.json ke stdout (print summary.json to stdout).
    #[arg(long)]
    pub json: bool,
    /// partisipasi.csv pemilihan sebelumnya untuk pembanding (a previous election's turnout
    /// table, as this command writes it).
    #[arg(long, value_name = "FILE")]
    pub sebelumnya: Option<PathBuf>,
}

/// Arguments of `posko demo hasil`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Jumlah TPS; tiap TPS mendapat semua jenis surat suara wilayahnya (number of TPS).
    #[arg(long, default_value_t = 820_000)]
    pub tps: u64,
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
    /// Berkas CSV formulir yang dibuat (the forms file to write).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Berkas kebenaran (cacat yang ditanam); bawaan NAMA-kebenaran.csv di samping --out.
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
    /// Bagian formulir per jenis cacat (share of forms per planted defect).
    #[arg(long, default_value_t = 0.001)]
    pub cacat: f64,
    #[arg(long, default_value = "pemilu-2024")]
    pub pemilihan: String,
    /// Hanya desa di wilayah ini, mis. 33.20 (only the villages of this region).
    #[arg(long, value_name = "CODE")]
    pub wilayah: Option<posko_core::RegionCode>,
}

fn election(config: Option<&PathBuf>, id: &str) -> Result<Election> {
    let cfg = posko_app::Config::load(config.map(|p| p.as_path()))?;
    let all = Elections::new(cfg.pemilihan)?;
    match all.get(id) {
        Some(e) => Ok(e.clone()),
        None => bail!(
            "pemilihan '{id}' tidak dikenal; yang ada: {} (unknown election)",
            all.ids().join(", ")
        ),
    }
}

/// The bar on a terminal: bytes read of all inputs.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn bytes(&self, done: u64) {
        self.0.set_position(done);
    }
    fn stage(&self, name: &str) {
        self.0.set_message(name.to_string());
    }
}

pub fn check(args: CheckArgs, config: Option<&PathBuf>) -> Result<ExitCode> {
    let election = election(config, &args.pemilihan)?;
    for f in &args.files {
        if !f.exists() {
            bail!("{}: berkas tidak ditemukan (file not found)", f.display());
        }
    }
    let opts = Options {
        previous: args.sebelumnya.clone(),
        ..Options::default()
    };
    let total: u64 = args
        .files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();
    let summary = if std::io::stderr().is_terminal() {
        let pb = ProgressBar::new(total);
        pb.set_style(
            ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} · {msg} · sisa {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        pb.enable_steady_tick(Duration::from_millis(250));
        let bar = Bar(pb);
        let r = posko_hasil::run(&args.files, &election, &opts, &args.out, &bar);
        bar.0.finish_and_clear();
        r?
    } else {
        posko_hasil::run(&args.files, &election, &opts, &args.out, &Quiet)?
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "{} formulir dari {} baris diperiksa dalam {:.1} detik untuk {} (forms checked).",
            summary.forms, summary.rows, summary.seconds, election.name
        );
        for code in Code::ALL {
            if let Some(n) = summary.findings.get(code.as_str()) {
                println!(
                    "  {} {:<10} {n:>9}  {}",
                    code.as_str(),
                    code.severity().label(),
                    code.title()
                );
            }
        }
        if summary.findings.is_empty() {
            println!("  tidak ada temuan (no findings)");
        }
        for t in &summary.turnout {
            println!(
                "  partisipasi {:<16} {:>6} %  ({} dari {} pemilih)",
                t.ballot.as_str(),
                t.turnout_percent
                    .map(|p| format!("{p:.2}"))
                    .unwrap_or_else(|| "-".into()),
                t.voted,
                t.registered
            );
        }
        println!(
            "Hasil di {} (results): temuan.csv/.xlsx, partisipasi.csv/.xlsx, summary.json",
            args.out.display()
        );
    }
    for f in &summary.files {
        if let Some(e) = &f.error {
            eprintln!("posko: peringatan (warning): {}: {e}", f.path);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn default_truth(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "hasil".into());
    out.with_file_name(format!("{stem}-kebenaran.csv"))
}

pub fn demo(args: DemoArgs, config: Option<&PathBuf>) -> Result<ExitCode> {
    let election = election(config, &args.pemilihan)?;
    if !(0.0..=0.07).contains(&args.cacat) {
        bail!("--cacat harus 0–0,07 (the defect share must be 0–0.07)");
    }
    let truth_path = args
        .truth
        .clone()
        .unwrap_or_else(|| default_truth(&args.out));
    let create = |p: &Path| {
        std::fs::File::create(p)
            .with_context(|| format!("{}: tidak dapat dibuat (cannot create)", p.display()))
    };
    let stats = generate(
        args.tps,
        args.seed,
        &election,
        args.wilayah,
        create(&args.out)?,
        create(&truth_path)?,
        &Rates {
            per_defect: args.cacat,
        },
    )?;
    eprintln!(
        "{} TPS di {} desa, {} formulir ({} baris) → {}; cacat yang ditanam → {} (demo forms written)",
        stats.tps,
        stats.villages,
        stats.forms,
        stats.rows,
        args.out.display(),
        truth_path.display()
    );
    for (k, v) in &stats.planted {
        eprintln!("  {k:<28} {v:>8}");
    }
    Ok(ExitCode::SUCCESS)
}

/// `posko hasil import`: each file is read whole and refused whole when a row cannot be read;
/// with `previous`, all files together are rolled up and kept as the previous election's turnout.
pub async fn import(
    posko: &posko_app::Posko,
    files: &[PathBuf],
    election: &str,
    previous: Option<&str>,
) -> Result<ExitCode> {
    use posko_app::results as res;
    let mut all = Vec::new();
    for f in files {
        let bytes = std::fs::read(f)
            .with_context(|| format!("{}: tidak dapat dibaca (cannot read)", f.display()))?;
        let name = f.display().to_string();
        let forms = res::read_upload(&name, &bytes)?;
        match previous {
            Some(_) => all.extend(forms),
            None => {
                let n = res::import_forms(
                    posko,
                    election,
                    &forms,
                    &name,
                    None,
                    None,
                    jiff::Timestamp::now(),
                )
                .await?;
                println!("{name}: {n} formulir tersimpan (forms stored)");
            }
        }
    }
    if let Some(label) = previous {
        let n = res::import_previous(posko, election, label, &all).await?;
        println!(
            "{label}: {} formulir dijumlahkan ke {n} wilayah × jenis surat suara sebagai pembanding {election} (previous turnout stored)",
            all.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
