//! `posko`: the command post's one binary. This file is arguments and wiring only: it reads the
//! layered configuration, opens the store once (`open.rs`) and calls posko-app or posko-web.
//! Messages are Bahasa Indonesia first, English second; progress and results go to stderr and
//! stdout, personal data to neither.

/// mimalloc rather than glibc's allocator: the DPT engine allocates and frees buffers of many
/// megabytes per partition, which glibc maps and unmaps each time (page faults were 5 % of a
/// full run); 5 M rows took 13 % less wall time (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// dashboard (issue 9)
mod dasbor;
mod dpt;
mod hasil;
mod kerawanan;
mod logistik;
mod open;
mod rakor;
// neutrality briefings and integrity pledges (issue 9, part 4)
mod netralitas;
mod wilayah;

use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use posko_app::accounts::{self, AccountRequest};
use posko_app::register;
use posko_app::{Config, Posko};
use posko_core::demo::{demo_register, DEFAULT_DEMO_REGENCIES};
use posko_core::{Agency, Atlas, RegionCode, Role};

use crate::open::Mode;

/// Posko: posko netralitas dan pengamanan pemilu/pilkada (election integrity command post).
#[derive(Parser, Debug)]
#[command(name = "posko", version, about, long_about = None)]
struct Cli {
    /// Berkas konfigurasi (configuration file); bawaan: ./posko.toml bila ada.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// Where the data is; shared by every command that touches the store.
#[derive(Args, Debug, Clone, Default)]
struct StoreArgs {
    /// Folder data (data folder); bawaan ./posko-data.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// URL basis data: postgres://… atau sqlite://PATH (database URL).
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Menjalankan posko di web (run the command post's web server).
    Serve {
        #[command(flatten)]
        store: StoreArgs,
        /// Alamat (listen address), mis. 127.0.0.1:8080.
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Isi data demo bila kosong: TPS Kab. Jepara dan Kota Jambi, dan akun demo.
        #[arg(long)]
        demo: bool,
    },
    /// Membuat folder data dan basis data baru (create a data folder and database).
    Init {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Data wilayah administrasi (administrative areas).
    Wilayah {
        #[command(subcommand)]
        cmd: WilayahCmd,
    },
    /// Akun petugas (officer accounts).
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Daftar TPS (the TPS register).
    Tps {
        #[command(subcommand)]
        cmd: TpsCmd,
    },
    /// Token API untuk gateway SMS/WhatsApp dan sistem mitra (API tokens for machine clients).
    Token {
        #[command(subcommand)]
        cmd: TokenCmd,
    },
    /// Log audit (the audit log).
    Audit {
        #[command(subcommand)]
        cmd: AuditCmd,
    },
    /// Indeks Kerawanan Pemilu: impor nilai indikator (election vulnerability index).
    Ikp {
        #[command(subcommand)]
        cmd: kerawanan::IkpCmd,
    },
    /// Personel pengamanan per satuan (security personnel per unit).
    Personel {
        #[command(subcommand)]
        cmd: kerawanan::PersonelCmd,
    },
    /// Daftar pemilih (DPT): pemeriksaan NIK, umur, ganda (voter-list checks).
    Dpt {
        #[command(subcommand)]
        cmd: DptCmd,
    },
    /// Logistik pemilu: impor serah terima dan status per wilayah (election logistics).
    Logistik {
        #[command(subcommand)]
        cmd: logistik::LogistikCmd,
    },
    /// Formulir hasil TPS (C.Hasil): pemeriksaan kewajaran dan partisipasi (result forms).
    Hasil {
        #[command(subcommand)]
        cmd: HasilCmd,
    },
    /// Data demo (demo data).
    Demo {
        #[command(subcommand)]
        cmd: DemoCmd,
    },
    /// Konfigurasi (configuration).
    Config {
        #[command(subcommand)]
        cmd: ConfigCmd,
    },
    /// Rakor Forkopimda: peringatan tindak lanjut dan ringkasan untuk briefing (rakor follow-ups).
    Rakor {
        #[command(subcommand)]
        cmd: rakor::RakorCmd,
    },
    /// Netralitas: impor pakta integritas dan cakupan (neutrality pledges and coverage).
    Netralitas {
        #[command(subcommand)]
        cmd: netralitas::NetralitasCmd,
    },
    // dashboard (issue 9)
    /// Bahan rakor bertanggal: halaman cetak, PDF A4 dan XLSX (the dated rakor briefing of a
    /// region as a printable page, an A4 PDF and a workbook).
    Briefing(dasbor::BriefingArgs),
    /// Dasbor koordinator: hitung ulang atau lihat ringkasan (the coordinator's dashboard).
    Dasbor {
        #[command(subcommand)]
        cmd: dasbor::DasborCmd,
    },
}

#[derive(Subcommand, Debug)]
enum WilayahCmd {
    /// Menampilkan satu wilayah (show one region): nama, tingkat, induk, zona, jumlah anak.
    Show {
        code: String,
        #[arg(long)]
        json: bool,
    },
    /// Mencari wilayah menurut nama (search by name, ignoring case and accents).
    Search {
        text: Vec<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Jumlah wilayah per tingkat (counts per level).
    Stats {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
enum UserCmd {
    /// Menambah akun; kata sandi dibaca dari terminal atau baris pertama stdin.
    Add {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        username: String,
        /// Nama tampilan (display name); bawaan: nama pengguna.
        #[arg(long)]
        name: Option<String>,
        /// admin, koordinator, petugas-piket, penindak, operator-wilayah, pemantau
        #[arg(long)]
        role: Role,
        /// bawaslu, kpu, polri, propam, tni, pom, kesbangpol, bkn, pemda, dkpp, gakkumdu, kejaksaan
        #[arg(long)]
        agency: Option<Agency>,
        /// Wilayah tugas (region scope), mis. 33.20.
        #[arg(long)]
        region: Option<RegionCode>,
        /// Alamat surel untuk pemberitahuan (e-mail address for notifications).
        #[arg(long)]
        email: Option<String>,
    },
    /// Daftar akun (list accounts).
    List {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
enum TpsCmd {
    /// Impor daftar TPS dari CSV/XLSX; satu berkas = satu transaksi (import TPS registers).
    Import {
        #[command(flatten)]
        store: StoreArgs,
        files: Vec<PathBuf>,
        /// Pemilihan (election id), mis. pemilu-2024.
        #[arg(long)]
        pemilihan: String,
    },
}

#[derive(Subcommand, Debug)]
enum AuditCmd {
    /// Memeriksa seluruh rantai hash log audit; keluar dengan kode bukan nol pada entri pertama
    /// yang diubah atau dihapus (verify the whole hash chain; non-zero exit at the first break).
    Verify {
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand, Debug)]
enum TokenCmd {
    /// Membuat token baru; token dicetak sekali saja (make a token; printed once).
    Add {
        #[command(flatten)]
        store: StoreArgs,
        /// Nama klien, mis. gateway-wa (client name).
        #[arg(long)]
        name: String,
        /// Sistem milik instansi ini: hanya melihat dan menangani kasus yang diteruskan ke
        /// instansi tsb. (an agency's own system: sees only the cases routed to it).
        #[arg(long = "instansi", value_name = "AGENCY")]
        agency: Option<Agency>,
    },
}

#[derive(Subcommand, Debug)]
enum DptCmd {
    /// Memeriksa berkas DPT dan menulis temuan per kecamatan (check voter lists).
    Check(dpt::CheckArgs),
    /// Menyimpan temuan per kecamatan dari summary.json untuk dasbor (store a check's findings
    /// per district from its summary.json, for the dashboard).
    ImporRingkasan(dasbor::DptSummaryArgs),
}

#[derive(Subcommand, Debug)]
enum HasilCmd {
    /// Memeriksa formulir hasil TPS dan menghitung partisipasi per wilayah (check result forms).
    Check(hasil::CheckArgs),
    /// Impor formulir hasil ke basis data; dengan --sebelumnya, formulir pemilihan sebelumnya
    /// sebagai pembanding partisipasi (import result forms, or a previous election's forms).
    Import {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Pemilihan (election id), mis. pemilu-2024.
        #[arg(long)]
        pemilihan: String,
        /// Nama pemilihan sebelumnya, mis. "Pemilu 2019": berkas dijumlahkan per wilayah dan
        /// disimpan sebagai pembanding (a previous election's label: its forms are rolled up).
        #[arg(long, value_name = "LABEL")]
        sebelumnya: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum DemoCmd {
    /// Membuat DPT sintetis dengan cacat yang ditanam dan berkas kebenaran (synthetic voter list).
    Dpt(dpt::DemoArgs),
    /// Membuat rantai serah terima surat suara untuk daftar TPS di basis data
    /// (generate the ballot hand-over chain for the stored TPS register).
    Logistik(logistik::DemoArgs),
    /// Membuat formulir hasil TPS nasional dengan cacat yang ditanam (synthetic result forms).
    Hasil(hasil::DemoArgs),
    /// Membuat daftar TPS demo untuk kabupaten/kota (generate demo TPS registers).
    Tps {
        #[command(flatten)]
        store: StoreArgs,
        /// Kabupaten/kota (regency codes); bawaan 33.20 dan 15.71.
        #[arg(long = "regency", value_name = "CODE")]
        regencies: Vec<RegionCode>,
        #[arg(long, default_value_t = 2024)]
        seed: u64,
        /// Tulis CSV berformat impor alih-alih ke basis data (write an importable CSV instead).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Pemilihan untuk --out (election for --out).
        #[arg(long, default_value = "pemilu-2024")]
        pemilihan: String,
    },
}

#[derive(Subcommand, Debug)]
enum ConfigCmd {
    /// Mencetak contoh posko.toml berkomentar (print a documented example).
    Default,
    /// Mencetak konfigurasi yang berlaku, rahasia disembunyikan (effective config, secrets hidden).
    Show,
}

fn load_config(cli_file: Option<&PathBuf>, store: &StoreArgs) -> Result<Config> {
    let mut cfg = Config::load(cli_file.map(|p| p.as_path()))?;
    if let Some(d) = &store.data_dir {
        cfg.data_dir = d.clone();
    }
    if let Some(u) = &store.database_url {
        cfg.database_url = u.clone();
    }
    Ok(cfg)
}

fn init_logging(cfg: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    if cfg.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("posko: runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("posko: galat (error): {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<std::process::ExitCode> {
    let ok = std::process::ExitCode::SUCCESS;
    let file = cli.config.as_ref();
    match cli.command {
        Command::Serve {
            store,
            listen,
            demo,
        } => {
            let mut cfg = load_config(file, &store)?;
            if let Some(l) = listen {
                cfg.listen = l;
            }
            init_logging(&cfg);
            let posko = open::open(&cfg, Mode::Use).await?;
            if demo {
                seed_demo(&posko).await?;
            }
            serve(posko, cfg.listen).await?;
        }
        Command::Init { store } => {
            let cfg = load_config(file, &store)?;
            let posko = open::open(&cfg, Mode::Init).await?;
            println!(
                "Siap: basis data {} di {} (ready).",
                posko.store.backend().as_str(),
                cfg.data_dir.display()
            );
        }
        Command::Wilayah { cmd } => return wilayah::run(cmd),
        Command::User { cmd } => match cmd {
            UserCmd::Add {
                store,
                username,
                name,
                role,
                agency,
                region,
                email,
            } => {
                let email = email
                    .as_deref()
                    .map(posko_app::notify::check_email)
                    .transpose()
                    .map_err(anyhow::Error::msg)?;
                let cfg = load_config(file, &store)?;
                let posko = open::open(&cfg, Mode::Use).await?;
                let password = read_password()?;
                let user = accounts::add_user(
                    posko.store.as_ref(),
                    AccountRequest {
                        display_name: name.unwrap_or_else(|| username.clone()),
                        username,
                        password,
                        role,
                        agency,
                        region,
                    },
                )
                .await?;
                if let Some(email) = &email {
                    posko.store.set_user_email(user.id, Some(email)).await?;
                }
                println!(
                    "Akun {} dibuat, peran {} (account created).",
                    user.username, user.role
                );
            }
            UserCmd::List { store, json } => {
                let cfg = load_config(file, &store)?;
                let posko = open::open(&cfg, Mode::Use).await?;
                let users = posko.store.list_users().await?;
                if json {
                    let rows: Vec<_> = users
                        .iter()
                        .map(|u| {
                            serde_json::json!({
                                "username": u.username, "display_name": u.display_name,
                                "role": u.role, "agency": u.agency, "region": u.region,
                                "active": u.active,
                            })
                        })
                        .collect();
                    println!("{}", serde_json::to_string_pretty(&rows)?);
                } else {
                    for u in users {
                        println!(
                            "{:<24} {:<18} {:<12} {}",
                            u.username,
                            u.role.as_str(),
                            u.agency.map(|a| a.as_str()).unwrap_or("-"),
                            u.region
                                .map(|r| r.to_string())
                                .unwrap_or_else(|| "-".into())
                        );
                    }
                }
            }
        },
        Command::Tps {
            cmd:
                TpsCmd::Import {
                    store,
                    files,
                    pemilihan,
                },
        } => {
            let cfg = load_config(file, &store)?;
            let posko = open::open(&cfg, Mode::Use).await?;
            return import_tps(&posko, &files, &pemilihan).await;
        }
        Command::Audit {
            cmd: AuditCmd::Verify { store },
        } => {
            let cfg = load_config(file, &store)?;
            let posko = open::open(&cfg, Mode::Use).await?;
            let entries = posko.store.audit_entries().await?;
            let head = posko.store.audit_head().await?;
            return Ok(match posko_store::verify_chain(&entries, head) {
                Ok(n) => {
                    println!("Rantai audit utuh: {n} entri (audit chain intact: {n} entries).");
                    std::process::ExitCode::SUCCESS
                }
                Err(broken) => {
                    eprintln!("RANTAI AUDIT RUSAK (audit chain broken): {broken}");
                    std::process::ExitCode::from(3)
                }
            });
        }
        Command::Token {
            cmd:
                TokenCmd::Add {
                    store,
                    name,
                    agency,
                },
        } => {
            let cfg = load_config(file, &store)?;
            let posko = open::open(&cfg, Mode::Use).await?;
            let (id, token) =
                accounts::create_api_token(posko.store.as_ref(), &name, agency).await?;
            // The only time the token is shown: the store keeps its hash.
            println!("{token}");
            eprintln!(
                "Token API #{id} '{name}' dibuat; simpan sekarang, tidak dapat ditampilkan lagi (shown once)."
            );
        }
        Command::Ikp { cmd } => kerawanan::ikp(cmd, file).await?,
        Command::Personel { cmd } => kerawanan::personel(cmd, file).await?,
        Command::Dpt {
            cmd: DptCmd::Check(args),
        } => return dpt::check(args, file),
        Command::Demo {
            cmd: DemoCmd::Dpt(args),
        } => return dpt::demo(args, file),
        Command::Logistik { cmd } => return logistik::run(cmd, file).await,
        Command::Rakor { cmd } => rakor::run(cmd, file).await?,
        Command::Netralitas { cmd } => netralitas::run(cmd, file).await?,
        Command::Briefing(args) => dasbor::briefing(args, file).await?,
        Command::Dasbor { cmd } => dasbor::run(cmd, file).await?,
        Command::Dpt {
            cmd: DptCmd::ImporRingkasan(args),
        } => dasbor::import_dpt_summary(args, file).await?,
        Command::Demo {
            cmd: DemoCmd::Logistik(args),
        } => logistik::demo(args, file).await?,
        Command::Hasil {
            cmd: HasilCmd::Check(args),
        } => return hasil::check(args, file),
        Command::Hasil {
            cmd:
                HasilCmd::Import {
                    store,
                    files,
                    pemilihan,
                    sebelumnya,
                },
        } => {
            let cfg = load_config(file, &store)?;
            let posko = open::open(&cfg, Mode::Use).await?;
            return hasil::import(&posko, &files, &pemilihan, sebelumnya.as_deref()).await;
        }
        Command::Demo {
            cmd: DemoCmd::Hasil(args),
        } => return hasil::demo(args, file),
        Command::Demo {
            cmd:
                DemoCmd::Tps {
                    store,
                    regencies,
                    seed,
                    out,
                    pemilihan,
                },
        } => {
            let regencies = if regencies.is_empty() {
                default_regencies()?
            } else {
                regencies
            };
            match out {
                Some(path) => write_demo_csv(&path, &regencies, seed, &pemilihan, file, &store)?,
                None => {
                    let cfg = load_config(file, &store)?;
                    let posko = open::open(&cfg, Mode::Use).await?;
                    for (election, regency, n) in posko.load_demo(&regencies, seed).await? {
                        println!(
                            "{election} {regency}: {} TPS baru, {} diganti",
                            n.added, n.replaced
                        );
                    }
                }
            }
        }
        Command::Config { cmd } => match cmd {
            ConfigCmd::Default => print!("{}", posko_app::config::DEFAULT_TOML),
            ConfigCmd::Show => {
                let cfg = load_config(file, &StoreArgs::default())?;
                print!("{}", cfg.to_redacted_toml());
            }
        },
    }
    Ok(ok)
}

fn default_regencies() -> Result<Vec<RegionCode>> {
    DEFAULT_DEMO_REGENCIES
        .iter()
        .map(|c| Ok(RegionCode::parse(c)?))
        .collect()
}

/// Reads a password from the terminal (asked twice) or from the first line of stdin.
fn read_password() -> Result<String> {
    if std::io::stdin().is_terminal() {
        let a = rpassword::prompt_password("Kata sandi (password): ")?;
        let b = rpassword::prompt_password("Ulangi (again): ")?;
        if a != b {
            bail!("kata sandi tidak sama (passwords differ)");
        }
        Ok(a)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

async fn import_tps(
    posko: &Posko,
    files: &[PathBuf],
    election_id: &str,
) -> Result<std::process::ExitCode> {
    let Some(election) = posko.elections.get(election_id) else {
        bail!(
            "pemilihan '{election_id}' tidak dikenal; pilihan: {} (unknown election)",
            posko.elections.ids().join(", ")
        );
    };
    if files.is_empty() {
        bail!("sebutkan berkas CSV/XLSX (name at least one file)");
    }
    let mut failed = 0;
    for f in files {
        match register::import_file(posko.store.as_ref(), f, posko.atlas, election).await {
            Ok((n, checked)) => {
                println!(
                    "{}: {} TPS diimpor ke {} (baru {}, diganti {}) / imported",
                    f.display(),
                    checked.rows.len(),
                    election.id,
                    n.added,
                    n.replaced
                );
                for w in &checked.warnings {
                    eprintln!("peringatan (warning): {w}");
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("{e}");
            }
        }
    }
    Ok(if failed > 0 {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    })
}

fn write_demo_csv(
    path: &PathBuf,
    regencies: &[RegionCode],
    seed: u64,
    election_id: &str,
    file: Option<&PathBuf>,
    store: &StoreArgs,
) -> Result<()> {
    let cfg = load_config(file, store)?;
    let elections = posko_core::Elections::new(cfg.pemilihan)?;
    let election = elections
        .get(election_id)
        .with_context(|| format!("pemilihan '{election_id}' tidak dikenal (unknown election)"))?;
    let mut w = csv::Writer::from_path(path).with_context(|| path.display().to_string())?;
    w.write_record(["kode_desa", "nomor_tps", "alamat", "lat", "lon", "dpt"])?;
    let mut n = 0usize;
    for r in regencies {
        for t in demo_register(Atlas::embedded(), r, election, seed)? {
            let (lat, lon) = t
                .location
                .map(|p| (p.lat.to_string(), p.lon.to_string()))
                .unwrap_or_default();
            w.write_record([
                t.id.village.to_string(),
                t.id.number.to_string(),
                t.address,
                lat,
                lon,
                t.voters.to_string(),
            ])?;
            n += 1;
        }
    }
    w.flush()?;
    println!(
        "{}: {n} TPS demo untuk {} (written)",
        path.display(),
        election.id
    );
    Ok(())
}

/// Fills an empty post with demo TPS and a demo admin account, so every page has content.
async fn seed_demo(posko: &Posko) -> Result<()> {
    let regencies = default_regencies()?;
    let existing = posko
        .store
        .tps_tally(
            &posko.default_election().id,
            Some(&regencies[0]),
            posko_core::Level::Regency,
        )
        .await?;
    if existing.is_empty() {
        for (election, regency, n) in posko.load_demo(&regencies, 2024).await? {
            tracing::info!(%election, %regency, added = n.added, "demo TPS loaded");
        }
    }
    if posko.store.list_users().await?.is_empty() {
        let password = accounts::random_token()[..16].to_string();
        accounts::add_user(
            posko.store.as_ref(),
            AccountRequest {
                username: "demo-admin".into(),
                display_name: "Admin Demo".into(),
                password: password.clone(),
                role: Role::Admin,
                agency: None,
                region: None,
            },
        )
        .await?;
        // Shown once, on the operator's own terminal: a demo account has no other way in.
        let mut err = std::io::stderr().lock();
        writeln!(
            err,
            "Akun demo dibuat (demo account): demo-admin / {password}"
        )?;
    }
    Ok(())
}

async fn serve(posko: Posko, addr: SocketAddr) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("tidak dapat mendengarkan di {addr} (cannot listen)"))?;
    let local = listener.local_addr()?;
    // The one line scripts and tests read to find the port.
    println!("posko: mendengarkan di http://{local} (listening)");
    std::io::stdout().flush()?;
    // Background work that stops with the server: outbox deliveries and the deadline scan.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let deliveries = posko_app::notify::Deliveries::new(posko.store.clone(), &posko.config)
        .map_err(anyhow::Error::msg)?;
    let workers = [
        tokio::spawn(deliveries.run(std::time::Duration::from_secs(2), stopped.clone())),
        tokio::spawn(posko_app::alerts::run(
            posko.clone(),
            std::time::Duration::from_secs(60),
            stopped.clone(),
        )),
        // dashboard (issue 9): recompute the snapshots when the data changed or 5 min passed
        tokio::spawn(posko_app::dashboard::run(
            posko.clone(),
            posko_app::dashboard::REFRESH_EVERY,
            stopped,
        )),
    ];
    let store = posko.store.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            match store.purge_sessions(jiff::Timestamp::now()).await {
                Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions removed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "session purge failed"),
            }
        }
    });
    posko_web::serve(posko, listener, shutdown_signal()).await?;
    let _ = stop.send(true);
    for w in workers {
        // A delivery in flight is given its own timeout to finish; a row left leased is tried
        // again by the next server after its lease.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(25), w).await;
    }
    tracing::info!("berhenti dengan rapi (shut down cleanly)");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("sinyal berhenti diterima (shutdown signal)");
}
