//! Configuration, in layers: defaults in code, then `posko.toml`, then `POSKO_` environment
//! variables (then command-line flags, applied by posko-cli). Secrets (the key, a database
//! password) are never printed: `Config`'s `Debug` and [`Config::to_redacted_toml`] hide them.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use posko_core::election::ElectionSpec;
use serde::{Deserialize, Serialize};

/// The data folder used when none is given; the only one created without `posko init`.
pub const DEFAULT_DATA_DIR: &str = "./posko-data";

/// Everything an operator can set.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Config {
    /// Address the web server listens on.
    pub listen: SocketAddr,
    /// Folder for the SQLite database, the secret key file and (later) evidence files.
    pub data_dir: PathBuf,
    /// A `postgres://` URL selects PostgreSQL; `sqlite://PATH` another SQLite file; empty means
    /// `<data_dir>/posko.sqlite3`.
    pub database_url: String,
    /// Hex of 32 random bytes. Empty: read (or, in a new data folder, make) `<data_dir>/secret.key`.
    /// Several app servers sharing one PostgreSQL must all be given the same key.
    pub secret_key: String,
    /// The election pages show first.
    pub default_election: String,
    /// How long a login lasts, in hours.
    pub session_hours: u32,
    /// Mark cookies `Secure`. Turn on whenever Posko is served over HTTPS (behind a proxy).
    pub secure_cookies: bool,
    /// Log lines as `text` or `json`.
    pub log_format: String,
    /// The region this post serves (a regency code such as `33.20`); empty for a national post.
    /// The report page's region picker starts there.
    pub wilayah_posko: String,
    /// Most evidence files per report.
    pub evidence_max_files: u32,
    /// Largest evidence file, in megabytes.
    pub evidence_max_mb: u32,
    /// Reports accepted per minute from one client address (page and API).
    pub rate_limit_per_minute: u32,
    /// Reports accepted per minute from one API token.
    pub api_rate_limit_per_minute: u32,
    /// Elections besides the built-in Pemilu 2024 and Pilkada 2024.
    pub pemilihan: Vec<ElectionSpec>,
    /// Hours before a legal deadline that its alert is raised.
    pub alert_lead_hours: u32,
    /// Attempts at one delivery (a webhook call or an e-mail) before it is given up.
    pub delivery_max_attempts: u32,
    /// Partner systems told of events by signed webhooks.
    pub webhook: Vec<WebhookConfig>,
    /// Outgoing mail for notifications; none = no e-mail.
    pub smtp: Option<SmtpConfig>,
    /// Early warning: the Poisson test's window, baseline and thresholds.
    pub peringatan_dini: posko_core::warning::Method,
    /// How TPS rawan indicators become a category.
    pub tps_rawan: posko_core::deploy::RawanRule,
    /// The command's deployment pattern per TPS category (default: the 2019 national one).
    pub pola_pengamanan: posko_core::deploy::Pattern,
}

/// A partner system's webhook: events are POSTed to `url` as JSON, signed with `secret`
/// (`X-Posko-Signature: sha256=<hex HMAC-SHA256 over "{timestamp}.{body}">`).
#[derive(Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
pub struct WebhookConfig {
    pub url: String,
    pub secret: String,
    /// Event kinds to send (`laporan_baru`, `kasus_dirujuk`, `hasil_tindak_lanjut`,
    /// `tenggat_dekat`, `tenggat_terlewat`); empty = all.
    pub events: Vec<String>,
}

/// The SMTP server notifications are sent through.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub username: String,
    pub password: String,
    /// The sender, e.g. `Posko Jepara <posko@bawaslu-jepara.example>`.
    pub from: String,
    /// `starttls` (port 587), `tls` (implicit TLS, port 465) or `none` (plain, a local relay).
    pub tls: String,
}

impl Default for SmtpConfig {
    fn default() -> SmtpConfig {
        SmtpConfig {
            host: String::new(),
            port: 587,
            username: String::new(),
            password: String::new(),
            from: String::new(),
            tls: "starttls".into(),
        }
    }
}

/// The event kinds a webhook may subscribe to.
pub const EVENT_KINDS: [&str; 5] = [
    "laporan_baru",
    "kasus_dirujuk",
    "hasil_tindak_lanjut",
    "tenggat_dekat",
    "tenggat_terlewat",
];

const HIDDEN: &str = "[disembunyikan / hidden]";

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &redact_url(&self.url))
            .field("secret", &HIDDEN)
            .field("events", &self.events)
            .finish()
    }
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &HIDDEN)
            .field("from", &self.from)
            .field("tls", &self.tls)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            database_url: String::new(),
            secret_key: String::new(),
            default_election: "pemilu-2024".into(),
            session_hours: 12,
            secure_cookies: false,
            log_format: "text".into(),
            wilayah_posko: String::new(),
            evidence_max_files: 5,
            evidence_max_mb: 10,
            rate_limit_per_minute: 120,
            api_rate_limit_per_minute: 600,
            pemilihan: Vec::new(),
            alert_lead_hours: 24,
            delivery_max_attempts: 8,
            webhook: Vec::new(),
            smtp: None,
            peringatan_dini: posko_core::warning::Method::default(),
            tps_rawan: posko_core::deploy::RawanRule::default(),
            pola_pengamanan: posko_core::deploy::Pattern::national_2019(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(&self.database_url))
            .field(
                "secret_key",
                &if self.secret_key.is_empty() {
                    ""
                } else {
                    "[disembunyikan]"
                },
            )
            .field("default_election", &self.default_election)
            .field("session_hours", &self.session_hours)
            .field("secure_cookies", &self.secure_cookies)
            .field("log_format", &self.log_format)
            .field("wilayah_posko", &self.wilayah_posko)
            .field("evidence_max_files", &self.evidence_max_files)
            .field("evidence_max_mb", &self.evidence_max_mb)
            .field("rate_limit_per_minute", &self.rate_limit_per_minute)
            .field("api_rate_limit_per_minute", &self.api_rate_limit_per_minute)
            .field("pemilihan", &self.pemilihan)
            .field("alert_lead_hours", &self.alert_lead_hours)
            .field("delivery_max_attempts", &self.delivery_max_attempts)
            .field("webhook", &self.webhook)
            .field("smtp", &self.smtp)
            .finish()
    }
}

/// A configuration that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("konfigurasi tidak dapat dibaca: {0} (configuration error)")]
pub struct ConfigError(String);

impl Config {
    /// Defaults, then the TOML file (if it exists; a file named explicitly must exist), then
    /// `POSKO_*` variables.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => {
                if !path.is_file() {
                    return Err(ConfigError(format!(
                        "berkas {} tidak ada (file does not exist)",
                        path.display()
                    )));
                }
                fig = fig.merge(Toml::file(path));
            }
            None => {
                if Path::new("posko.toml").is_file() {
                    fig = fig.merge(Toml::file("posko.toml"));
                }
            }
        }
        // Only the keys Posko knows are taken from the environment, so unrelated POSKO_*
        // variables (such as POSKO_TEST_POSTGRES_URL) do not leak in. Typed settings go through
        // figment; text settings are taken verbatim below, because figment would read
        // POSKO_WILAYAH_POSKO=33.20 as the number 33.2, or an all-digit key as an integer.
        let typed = [
            "LISTEN",
            "SESSION_HOURS",
            "SECURE_COOKIES",
            "EVIDENCE_MAX_FILES",
            "EVIDENCE_MAX_MB",
            "RATE_LIMIT_PER_MINUTE",
            "API_RATE_LIMIT_PER_MINUTE",
            "ALERT_LEAD_HOURS",
            "DELIVERY_MAX_ATTEMPTS",
        ];
        fig = fig.merge(
            Env::prefixed("POSKO_")
                .filter(move |k| typed.iter().any(|x| k.as_str().eq_ignore_ascii_case(x))),
        );
        let mut cfg: Config = fig.extract().map_err(|e| ConfigError(e.to_string()))?;
        let text = |name: &str| std::env::var(format!("POSKO_{name}")).ok();
        if let Some(v) = text("DATA_DIR") {
            cfg.data_dir = PathBuf::from(v);
        }
        for (name, slot) in [
            ("DATABASE_URL", &mut cfg.database_url),
            ("SECRET_KEY", &mut cfg.secret_key),
            ("DEFAULT_ELECTION", &mut cfg.default_election),
            ("LOG_FORMAT", &mut cfg.log_format),
            ("WILAYAH_POSKO", &mut cfg.wilayah_posko),
        ] {
            if let Some(v) = text(name) {
                *slot = v;
            }
        }
        // The SMTP password may come from the environment rather than the file.
        if let (Some(smtp), Some(pw)) = (cfg.smtp.as_mut(), text("SMTP_PASSWORD")) {
            smtp.password = pw;
        }
        cfg.check()?;
        Ok(cfg)
    }

    fn check(&self) -> Result<(), ConfigError> {
        if !(1..=24 * 30).contains(&self.session_hours) {
            return Err(ConfigError(
                "session_hours harus 1–720 (must be 1–720)".into(),
            ));
        }
        if !(1..=20).contains(&self.evidence_max_files)
            || !(1..=100).contains(&self.evidence_max_mb)
        {
            return Err(ConfigError(
                "evidence_max_files 1–20, evidence_max_mb 1–100".into(),
            ));
        }
        if self.rate_limit_per_minute == 0 || self.api_rate_limit_per_minute == 0 {
            return Err(ConfigError(
                "batas laju harus lebih dari 0 (rate limits must be above 0)".into(),
            ));
        }
        if !self.wilayah_posko.is_empty()
            && posko_core::RegionCode::parse(&self.wilayah_posko).is_err()
        {
            return Err(ConfigError(format!(
                "wilayah_posko '{}' bukan kode wilayah",
                self.wilayah_posko
            )));
        }
        if !matches!(self.log_format.as_str(), "text" | "json") {
            return Err(ConfigError("log_format harus 'text' atau 'json'".into()));
        }
        if !(1..=24 * 7).contains(&self.alert_lead_hours) {
            return Err(ConfigError(
                "alert_lead_hours harus 1–168 (must be 1–168)".into(),
            ));
        }
        if !(1..=50).contains(&self.delivery_max_attempts) {
            return Err(ConfigError(
                "delivery_max_attempts harus 1–50 (must be 1–50)".into(),
            ));
        }
        for w in &self.webhook {
            if !(w.url.starts_with("https://") || w.url.starts_with("http://")) {
                return Err(ConfigError(format!(
                    "webhook '{}': url harus http(s):// (must be an http(s) URL)",
                    redact_url(&w.url)
                )));
            }
            if w.secret.len() < 16 {
                return Err(ConfigError(format!(
                    "webhook '{}': secret minimal 16 karakter (at least 16 characters)",
                    redact_url(&w.url)
                )));
            }
            if let Some(e) = w.events.iter().find(|e| !EVENT_KINDS.contains(&e.as_str())) {
                return Err(ConfigError(format!(
                    "webhook '{}': peristiwa '{e}' tidak dikenal; pilih dari {} (unknown event)",
                    redact_url(&w.url),
                    EVENT_KINDS.join(", ")
                )));
            }
        }
        if let Some(smtp) = &self.smtp {
            if smtp.host.is_empty() || !smtp.from.contains('@') {
                return Err(ConfigError(
                    "[smtp] perlu host dan from (needs host and from)".into(),
                ));
            }
            if !matches!(smtp.tls.as_str(), "starttls" | "tls" | "none") {
                return Err(ConfigError(
                    "[smtp] tls harus 'starttls', 'tls' atau 'none'".into(),
                ));
            }
        }
        Ok(())
    }

    /// The effective configuration as TOML, with secrets hidden.
    pub fn to_redacted_toml(&self) -> String {
        let mut shown = self.clone();
        shown.database_url = redact_url(&self.database_url);
        if !shown.secret_key.is_empty() {
            shown.secret_key = "[disembunyikan / hidden]".into();
        }
        for w in &mut shown.webhook {
            w.url = redact_url(&w.url);
            w.secret = HIDDEN.into();
        }
        if let Some(smtp) = shown.smtp.as_mut() {
            if !smtp.password.is_empty() {
                smtp.password = HIDDEN.into();
            }
        }
        toml::to_string_pretty(&shown).unwrap_or_default()
    }
}

/// A URL with its password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

/// A documented `posko.toml` with every setting at its default (`posko config default`).
pub const DEFAULT_TOML: &str = r#"# posko.toml — konfigurasi Posko (Posko configuration).
# Urutan: nilai bawaan, lalu berkas ini, lalu variabel lingkungan POSKO_* (mis. POSKO_LISTEN),
# lalu opsi baris perintah. / Order: defaults, this file, POSKO_* variables, command-line flags.

# Alamat server web. / Address the web server listens on.
listen = "127.0.0.1:8080"

# Folder data: basis data SQLite, berkas kunci rahasia. Hanya folder bawaan ini yang dibuat
# otomatis; folder lain dibuat dengan `posko init`.
# Data folder: SQLite database, secret key file. Only this default folder is created on first
# run; any other is made with `posko init`.
data_dir = "./posko-data"

# Kosong = SQLite di data_dir. `postgres://user:pass@host/db` memakai PostgreSQL.
# Empty = SQLite in data_dir. A postgres:// URL selects PostgreSQL; sqlite://PATH another file.
database_url = ""

# Kunci rahasia: hex 32 bita. Kosong = dibaca dari data_dir/secret.key. Beberapa server
# aplikasi yang berbagi satu PostgreSQL harus diberi kunci yang sama (POSKO_SECRET_KEY).
# Secret key, hex of 32 bytes; empty = data_dir/secret.key. Never printed.
secret_key = ""

# Pemilihan yang tampil pertama. / The election pages show first.
default_election = "pemilu-2024"

# Lama sesi masuk, jam. / How long a login lasts, in hours (1–720).
session_hours = 12

# Aktifkan bila Posko dilayani lewat HTTPS. / Turn on when served over HTTPS.
secure_cookies = false

# Format log: "text" atau "json". / Log format.
log_format = "text"

# Wilayah posko (kode kabupaten/kota, mis. "33.20"); kosong = nasional. Pemilih wilayah di
# halaman lapor dimulai dari sini. / The post's region; the report page's picker starts there.
wilayah_posko = ""

# Bukti per laporan: jumlah berkas dan ukuran terbesar (MB). / Evidence files per report, max size.
evidence_max_files = 5
evidence_max_mb = 10

# Batas laju laporan per menit: per alamat klien, dan per token API. Lebih dari itu dijawab 429
# dengan Retry-After. / Reports per minute per client address and per API token.
rate_limit_per_minute = 120
api_rate_limit_per_minute = 600

# Pemberitahuan tenggat: berapa jam sebelum tenggat hukum peringatan dikirim (1–168); peringatan
# "tenggat terlewat" dikirim saat tenggat lewat. / Hours before a legal deadline its alert is
# raised; another alert when it is missed.
alert_lead_hours = 24

# Percobaan kirim (webhook, surel) sebelum menyerah; jeda bertambah tiap kali.
# Attempts at one delivery (webhook, e-mail) before giving up, with growing pauses.
delivery_max_attempts = 8

# Webhook untuk sistem mitra (boleh lebih dari satu). Isi dikirim sebagai JSON dengan kepala
# X-Posko-Timestamp (detik unix) dan X-Posko-Signature: sha256=<hex HMAC-SHA256 atas
# "{timestamp}.{isi}"> dengan secret. events kosong = semua peristiwa.
# Partner webhooks (any number), JSON bodies signed with the secret; empty events = all.
#   [[webhook]]
#   url = "https://mitra.example/posko"
#   secret = "rahasia-bersama-minimal-16"
#   events = ["laporan_baru", "kasus_dirujuk", "hasil_tindak_lanjut", "tenggat_dekat", "tenggat_terlewat"]

# Surel pemberitahuan lewat SMTP (tanpa bagian ini: tidak ada surel). tls: "starttls" (587),
# "tls" (465) atau "none" (relai lokal). Kata sandi juga dapat lewat POSKO_SMTP_PASSWORD.
# E-mail through SMTP (none without this section); the password may come from POSKO_SMTP_PASSWORD.
#   [smtp]
#   host = "smtp.example"
#   port = 587
#   username = "posko"
#   password = ""
#   from = "Posko <posko@example.org>"
#   tls = "starttls"

# Peringatan dini: uji Poisson satu sisi atas laporan per kecamatan dan kategori.
# Early warning: a one-sided Poisson test of reports per district and category.
[peringatan_dini]
window_days = 1
baseline_days = 28
floor_per_day = 0.2
min_count = 3
alpha = 0.001

# Kategori TPS rawan dari indikatornya / TPS rawan categories from their indicators.
[tps_rawan]
rawan_min = 1
sangat_rawan_min = 3
always_sangat_rawan = ["riwayat_kekerasan", "intimidasi_penyelenggara", "rawan_konflik"]

# Pola pengamanan per kategori TPS: satu satuan = `police` personel Polri dan `linmas` Linmas
# untuk `tps` TPS. Bawaan: pola nasional Pemilu 2019. / Deployment pattern per TPS category.
[pola_pengamanan]
name = "Pola nasional Pemilu 2019"
kurang_rawan = { police = 2, tps = 4, linmas = 6 }
rawan = { police = 4, tps = 2, linmas = 8 }
sangat_rawan = { police = 6, tps = 2, linmas = 8 }

# Pemilihan tambahan (PSU, Pilkada 2029, ...). Aturan yang tidak disebut mengikuti jenisnya.
# More elections; rules not named follow the kind (pemilu or pilkada).
# [[pemilihan]]
# id = "psu-jepara-2024"
# name = "PSU Bupati Jepara"
# kind = "pilkada"
# polling_day = "2024-12-14"
# ballots = ["bupati_walikota"]
# max_voters_per_tps = 600
# turnout_target_percent = 82.0
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_sets_its_own_pattern_rule_and_warning() {
        let c: Config = toml::from_str(
            "[pola_pengamanan]\nname = \"Polda Lampung\"\nkurang_rawan = { police = 2, tps = 20, linmas = 40 }\n\
             [tps_rawan]\nsangat_rawan_min = 2\n[peringatan_dini]\nalpha = 0.01\n",
        )
        .unwrap();
        assert_eq!(c.pola_pengamanan.kurang_rawan.tps, 20);
        assert_eq!(
            c.pola_pengamanan.rawan,
            posko_core::deploy::Pattern::national_2019().rawan
        );
        assert_eq!(c.tps_rawan.sangat_rawan_min, 2);
        assert_eq!(c.tps_rawan.rawan_min, 1, "the rest stays as shipped");
        assert_eq!(c.peringatan_dini.alpha, 0.01);
        assert_eq!(c.peringatan_dini.baseline_days, 28);
    }

    #[test]
    fn the_documented_example_is_the_default() {
        let parsed: Config = toml::from_str(DEFAULT_TOML).unwrap();
        assert_eq!(parsed, Config::default());
        // The commented election parses too once uncommented.
        let uncommented: String = DEFAULT_TOML
            .lines()
            .map(|l| {
                if l.starts_with("# [[")
                    || l.starts_with("# id")
                    || l.starts_with("# name")
                    || l.starts_with("# kind")
                    || l.starts_with("# polling")
                    || l.starts_with("# ballots")
                    || l.starts_with("# max_")
                    || l.starts_with("# turnout")
                {
                    &l[2..]
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let with_election: Config = toml::from_str(&uncommented).unwrap();
        assert_eq!(with_election.pemilihan.len(), 1);
    }

    #[test]
    fn secrets_are_never_shown() {
        let cfg = Config {
            database_url: "postgres://posko:s3cr3t-pw@db.local/posko".into(),
            secret_key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff".into(),
            ..Config::default()
        };
        for text in [format!("{cfg:?}"), cfg.to_redacted_toml()] {
            assert!(!text.contains("s3cr3t-pw"), "{text}");
            assert!(!text.contains("00112233445566778899"), "{text}");
            assert!(text.contains("posko:***@db.local"), "{text}");
        }
    }

    #[test]
    fn layers_apply_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("posko.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:9000\"\nsession_hours = 4\n").unwrap();
        let cfg = Config::load(Some(&file)).unwrap();
        assert_eq!(cfg.listen.port(), 9000);
        assert_eq!(cfg.session_hours, 4);
        assert_eq!(
            cfg.default_election, "pemilu-2024",
            "untouched keys keep defaults"
        );
        let missing = Config::load(Some(&dir.path().join("nope.toml"))).unwrap_err();
        assert!(missing.to_string().contains("tidak ada"));
        std::fs::write(&file, "session_hours = 0\n").unwrap();
        assert!(Config::load(Some(&file)).is_err());
    }

    #[test]
    fn notification_settings_parse_check_and_stay_hidden() {
        // The commented examples in the documented file parse once uncommented.
        let uncommented: String = DEFAULT_TOML
            .lines()
            .map(|l| l.strip_prefix("#   ").unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        let cfg: Config = toml::from_str(&uncommented).unwrap();
        assert_eq!(cfg.alert_lead_hours, 24);
        assert_eq!(cfg.webhook.len(), 1);
        assert_eq!(cfg.webhook[0].events.len(), 5);
        let smtp = cfg.smtp.clone().unwrap();
        assert_eq!((smtp.port, smtp.tls.as_str()), (587, "starttls"));
        cfg.check().unwrap();

        let mut secret = cfg.clone();
        secret.webhook[0].secret = "s3cr3t-webhook-key".into();
        secret.smtp.as_mut().unwrap().password = "s3cr3t-smtp-pw".into();
        for text in [format!("{secret:?}"), secret.to_redacted_toml()] {
            assert!(!text.contains("s3cr3t"), "{text}");
        }

        let mut bad = cfg.clone();
        bad.webhook[0].events = vec!["semua".into()];
        assert!(bad.check().unwrap_err().to_string().contains("semua"));
        let mut bad = cfg.clone();
        bad.webhook[0].secret = "pendek".into();
        assert!(bad.check().is_err());
        let mut bad = cfg.clone();
        bad.smtp.as_mut().unwrap().tls = "ssl".into();
        assert!(bad.check().is_err());
        let mut bad = cfg;
        bad.alert_lead_hours = 0;
        assert!(bad.check().is_err());
    }

    #[test]
    fn redaction_keeps_urls_without_password() {
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("sqlite://./x.db"), "sqlite://./x.db");
        assert_eq!(
            redact_url("postgres://u:p@ss@h/db"),
            "postgres://u:***@h/db"
        );
    }
}
