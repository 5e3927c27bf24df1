//! `posko dpt check` and `posko demo dpt`: the voter-list engine (posko-dpt) from the command
//! line. Arguments and wiring only; a progress bar on a terminal, none in scripts. Messages are
//! Bahasa Indonesia first, English second, and never contain a NIK or a name.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use posko_core::{Election, Elections};
use posko_dpt::check::{Field, Marital};
use posko_dpt::finding::ALL_CODES;
use posko_dpt::generate::{generate, Rates};
use posko_dpt::{Options, Progress, Quiet};

/// Arguments of `posko dpt check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Berkas DPT: CSV (pemisah , ; TAB |; UTF-8 atau Latin-1) atau XLSX (voter-list files).
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
    /// Tampilkan NIK lengkap di berkas camat; bawaan disamarkan (show full NIKs; masked by default).
    #[arg(long)]
    pub nik_lengkap: bool,
    /// Nama kolom lain, mis. --kolom NIK=NOMOR_INDUK (map a field to another header name).
    #[arg(long = "kolom", value_name = "FIELD=HEADER")]
    pub columns: Vec<String>,
    /// Kode status kawin lain, mis. --kode-kawin K=S (extra marital-status code → B, S or P).
    #[arg(long = "kode-kawin", value_name = "CODE=B|S|P")]
    pub marital: Vec<String>,
    /// Folder untuk berkas sementara (spill); bawaan folder keluaran (temporary files).
    #[arg(long, value_name = "DIR")]
    pub tmp: Option<PathBuf>,
    /// Hanya tugas dasar: NIK ganda, belum 17 tahun, jumlah per kecamatan dan desa (dan baris
    /// rusak); tanpa pemeriksaan lain, tanpa kemungkinan ganda, tanpa beban TPS, tanpa XLSX
    /// (basic tasks only: exact duplicate NIKs, eligibility, counts per district and village).
    #[arg(long, conflicts_with = "hanya_ganda")]
    pub hanya_dasar: bool,
    /// Hanya pencarian ganda: NIK ganda dan kemungkinan ganda (dan baris rusak); tanpa
    /// pemeriksaan lain, tanpa beban TPS, tanpa XLSX (duplicate search only: exact duplicate
    /// NIKs and probable duplicates).
    #[arg(long)]
    pub hanya_ganda: bool,
}

/// Arguments of `posko demo dpt`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Jumlah baris (rows).
    #[arg(long, default_value_t = 100_000)]
    pub rows: u64,
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
    /// Berkas CSV DPT yang dibuat (the list to write).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Berkas kebenaran: cacat yang ditanam (the truth file of planted defects).
    #[arg(long, value_name = "FILE")]
    pub truth: PathBuf,
    #[arg(long, default_value = "pemilu-2024")]
    pub pemilihan: String,
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

fn parse_pairs<T>(
    items: &[String],
    what: &str,
    f: impl Fn(&str, &str) -> Option<T>,
) -> Result<Vec<T>> {
    items
        .iter()
        .map(|s| {
            let (k, v) = s
                .split_once('=')
                .with_context(|| format!("--{what} '{s}': tulis KUNCI=NILAI (write KEY=VALUE)"))?;
            f(k.trim(), v.trim())
                .with_context(|| format!("--{what} '{s}' tidak dikenal (not understood)"))
        })
        .collect()
}

/// The bar on a terminal: bytes of input read, rows checked per second, time left.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn rows(&self, bytes_read: u64, rows: u64) {
        self.0.set_position(bytes_read);
        let secs = self.0.elapsed().as_secs_f64().max(0.001);
        self.0.set_message(format!(
            "{rows} baris, {:.0} baris/detik",
            rows as f64 / secs
        ));
    }
    fn stage(&self, name: &str) {
        self.0.println(format!("· {name}"));
    }
}

pub fn check(args: CheckArgs, config: Option<&PathBuf>) -> Result<ExitCode> {
    let election = election(config, &args.pemilihan)?;
    for f in &args.files {
        if !f.exists() {
            bail!("{}: berkas tidak ditemukan (file not found)", f.display());
        }
    }
    let columns = parse_pairs(&args.columns, "kolom", |k, v| {
        Field::parse(k).map(|f| (f, v.to_string()))
    })?;
    let marital_codes = parse_pairs(&args.marital, "kode-kawin", |k, v| {
        let m = match v.to_ascii_uppercase().as_str() {
            "B" => Marital::Single,
            "S" => Marital::Married,
            "P" => Marital::Formerly,
            _ => return None,
        };
        Some((k.to_string(), m))
    })?;
    let opts = Options {
        columns,
        marital_codes,
        full_nik: args.nik_lengkap,
        temp_dir: args.tmp.clone(),
        basic_only: args.hanya_dasar,
        duplicates_only: args.hanya_ganda,
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
            ProgressStyle::with_template(
                "{bar:30} {bytes}/{total_bytes} · {msg} · sisa {eta} (ETA)",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        pb.enable_steady_tick(Duration::from_millis(250));
        let bar = Bar(pb);
        let r = posko_dpt::run(&args.files, &election, &opts, &args.out, &bar);
        bar.0.finish_and_clear();
        r?
    } else {
        posko_dpt::run(&args.files, &election, &opts, &args.out, &Quiet)?
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "{} baris diperiksa dalam {:.1} detik ({:.0} baris/detik) untuk {} (rows checked).",
            summary.rows, summary.seconds, summary.rows_per_second, election.name
        );
        for code in ALL_CODES {
            if let Some(n) = summary.findings.get(code.as_str()) {
                println!("  {:<24} {n:>10}  {}", code.as_str(), code.title());
            }
        }
        if summary.findings.is_empty() {
            println!("  tidak ada temuan (no findings)");
        }
        println!(
            "Hasil di {} (results): summary.json, ringkasan-kecamatan.csv, ringkasan-desa.csv, kecamatan/",
            args.out.display()
        );
    }
    for e in &summary.read_errors {
        eprintln!("posko: peringatan (warning): {e}");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn demo(args: DemoArgs, config: Option<&PathBuf>) -> Result<ExitCode> {
    let election = election(config, &args.pemilihan)?;
    let out = std::fs::File::create(&args.out)
        .with_context(|| format!("{}: tidak dapat dibuat (cannot create)", args.out.display()))?;
    let truth = std::fs::File::create(&args.truth).with_context(|| {
        format!(
            "{}: tidak dapat dibuat (cannot create)",
            args.truth.display()
        )
    })?;
    let stats = generate(
        args.rows,
        args.seed,
        &election,
        out,
        truth,
        &Rates::default(),
    )?;
    eprintln!(
        "{} baris DPT demo di {} desa, {} TPS → {}; cacat yang ditanam → {} (demo list written)",
        stats.rows,
        stats.villages,
        stats.tps,
        args.out.display(),
        args.truth.display()
    );
    for (k, v) in &stats.planted {
        eprintln!("  {k:<24} {v:>8}");
    }
    Ok(ExitCode::SUCCESS)
}
