//! Notifications: a [`Notice`] about a case goes to its audience (one officer, the post's
//! officers on duty, or the handlers of an agency) as in-app notifications, and to partner
//! systems and officers' mailboxes through the outbox, which the delivery worker ([`Deliveries`])
//! empties: signed webhooks (HMAC-SHA256 over `"{timestamp}.{body}"`) with retries and
//! back-off, and e-mail through SMTP when it is configured.
//!
//! A notice is recorded with one `event` row in the outbox; the worker, which knows the
//! configured webhooks and SMTP server, fans it out to one row per webhook and per recipient
//! with an e-mail address. So `cases::act`, intake and the deadline scan (`alerts`) need only
//! the store to notify. Messages carry the tracking code, the case's state and deadline, never
//! a reporter's personal data; logs never carry a secret, a URL's credentials or an address.

use std::collections::BTreeSet;
use std::time::Duration;

use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use posko_core::case::CaseState;
use posko_core::{Agency, Role};
use posko_store::{
    NewNotice, NewNotification, NewOutbox, OutboxChannel, OutboxItem, Store, StoreError, User,
};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::config::{Config, SmtpConfig, WebhookConfig};
use crate::Posko;

/// What a notice is about; its stable code is the webhook's `event`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// A citizen's report was received.
    LaporanBaru,
    /// A case was referred to an agency.
    KasusDirujuk,
    /// The agency recorded its follow-up and any sanction.
    HasilTindakLanjut,
    /// A legal deadline is near.
    TenggatDekat,
    /// A legal deadline was missed.
    TenggatTerlewat,
    /// Early warning: a region's reports rose beyond what its history explains.
    PeringatanDini,
    /// Logistics arrived damaged or short of what was sent.
    LogistikBermasalah,
    /// Logistics still short as a stage's deadline nears.
    LogistikKurang,
    /// Logistics still short after a stage's deadline.
    LogistikTerlambat,
    /// A rakor follow-up action's due day ends within the lead time.
    TindakLanjutJatuhTempo,
    /// A rakor follow-up action is still open after its due day.
    TindakLanjutTerlambat,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::LaporanBaru => "laporan_baru",
            NoticeKind::KasusDirujuk => "kasus_dirujuk",
            NoticeKind::HasilTindakLanjut => "hasil_tindak_lanjut",
            NoticeKind::TenggatDekat => "tenggat_dekat",
            NoticeKind::TenggatTerlewat => "tenggat_terlewat",
            NoticeKind::PeringatanDini => "peringatan_dini",
            NoticeKind::LogistikBermasalah => "logistik_bermasalah",
            NoticeKind::LogistikKurang => "logistik_kurang",
            NoticeKind::LogistikTerlambat => "logistik_terlambat",
            NoticeKind::TindakLanjutJatuhTempo => "tindak_lanjut_jatuh_tempo",
            NoticeKind::TindakLanjutTerlambat => "tindak_lanjut_terlambat",
        }
    }
}

/// Who a notice is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// One officer (an assigned case's officer).
    User(i64),
    /// The post's officers on duty now (from the roster); when nobody is on duty, every active
    /// admin, koordinator and petugas piket.
    OnDuty,
    /// The handlers (role penindak) of an agency whose region holds this one (every role but
    /// admin works within a region: a handler elsewhere could not open the case anyway).
    Handlers(Agency, posko_core::RegionCode),
    /// The coordinators (and admins) whose region contains this one.
    Coordinators(posko_core::RegionCode),
    /// An agency's officers — handlers and duty officers (penindak, petugas piket) of that
    /// agency — whose region holds this one: those who see a rakor action assigned to it.
    AgencyOfficers(Agency, posko_core::RegionCode),
}

/// Facts about the case a notice concerns: what partner systems receive. No personal data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseFacts {
    pub report_id: i64,
    pub tracking_code: String,
    pub state: String,
    /// The current step's legal deadline (unix seconds), when one runs.
    #[serde(with = "jiff::fmt::serde::timestamp::second::optional")]
    pub deadline: Option<Timestamp>,
    /// The agency the case is routed to.
    pub agency: Option<String>,
}

/// A notice to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub audience: Audience,
    pub case: Option<CaseFacts>,
    pub message_id: String,
    pub message_en: String,
    /// With a key, the notice goes out once however often (and on however many servers) it
    /// is raised.
    pub dedupe_key: Option<String>,
}

/// The event as partner systems receive it (the webhook's JSON body).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Unique per notice: a receiver that gets a retry twice can tell.
    pub id: String,
    pub event: String,
    /// Unix seconds.
    #[serde(with = "jiff::fmt::serde::timestamp::second::required")]
    pub occurred_at: Timestamp,
    pub case: Option<CaseFacts>,
    pub message: Messages,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Messages {
    pub id: String,
    pub en: String,
}

/// What an `event` row in the outbox holds: the event and the officers it was for.
#[derive(Debug, Serialize, Deserialize)]
struct Queued {
    event: Event,
    recipients: Vec<i64>,
}

/// An e-mail in the outbox.
#[derive(Debug, Serialize, Deserialize)]
struct Mail {
    subject: String,
    body: String,
}

/// The post's own officers, who are told when nobody is on duty.
fn is_post_officer(u: &User) -> bool {
    matches!(u.role, Role::Admin | Role::Koordinator | Role::PetugasPiket)
}

/// The officers an audience is at `now`: active accounts only, each once.
pub async fn recipients(
    store: &dyn Store,
    audience: &Audience,
    now: Timestamp,
) -> Result<Vec<i64>, StoreError> {
    let roster = Roster::read(store, std::slice::from_ref(audience), now).await?;
    Ok(roster.recipients(audience))
}

/// The accounts and who is on duty at one moment, read once for a batch of notices: an import
/// that tells thousands of districts had read every account again for each of its notices.
struct Roster {
    users: Vec<User>,
    /// Active officers on a shift at that moment; read only when an audience may need them.
    on_duty: BTreeSet<i64>,
}

impl Roster {
    async fn read(
        store: &dyn Store,
        audiences: &[Audience],
        now: Timestamp,
    ) -> Result<Roster, StoreError> {
        let users = store.list_users().await?;
        // A user's notice falls back to those on duty when the account was closed.
        let needs_shifts = audiences
            .iter()
            .any(|a| matches!(a, Audience::OnDuty | Audience::User(_)));
        let mut on_duty = BTreeSet::new();
        if needs_shifts {
            let shifts = store
                .shifts_between(now, now + SignedDuration::from_micros(1))
                .await?;
            on_duty = shifts
                .iter()
                .filter(|s| s.starts_at <= now && now < s.ends_at)
                .map(|s| s.user_id)
                .filter(|id| users.iter().any(|u| u.id == *id && u.active))
                .collect();
        }
        Ok(Roster { users, on_duty })
    }

    fn recipients(&self, audience: &Audience) -> Vec<i64> {
        let users = &self.users;
        let active = |id: i64| users.iter().any(|u| u.id == id && u.active);
        let ids: BTreeSet<i64> = match audience {
            Audience::User(id) => [*id].into_iter().filter(|id| active(*id)).collect(),
            Audience::Handlers(agency, region) => users
                .iter()
                .filter(|u| {
                    u.active
                        && u.role == Role::Penindak
                        && u.agency == Some(*agency)
                        && u.region.is_none_or(|r| r.contains(region))
                })
                .map(|u| u.id)
                .collect(),
            Audience::AgencyOfficers(agency, region) => users
                .iter()
                .filter(|u| {
                    u.active
                        && matches!(u.role, Role::Penindak | Role::PetugasPiket)
                        && u.agency == Some(*agency)
                        && u.region.is_none_or(|r| r.contains(region))
                })
                .map(|u| u.id)
                .collect(),
            Audience::Coordinators(region) => users
                .iter()
                .filter(|u| {
                    u.active
                        && matches!(u.role, Role::Koordinator | Role::Admin)
                        && u.region.is_none_or(|r| r.contains(region))
                })
                .map(|u| u.id)
                .collect(),
            Audience::OnDuty => {
                if self.on_duty.is_empty() {
                    users
                        .iter()
                        .filter(|u| u.active && is_post_officer(u))
                        .map(|u| u.id)
                        .collect()
                } else {
                    self.on_duty.clone()
                }
            }
        };
        ids.into_iter().collect()
    }
}

fn event_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// Records a notice for its audience at `now`: in-app notifications and one outbox event, in
/// one transaction. `false` when its dedupe key was raised before (nothing is recorded).
pub async fn raise(store: &dyn Store, notice: &Notice, now: Timestamp) -> Result<bool, StoreError> {
    let roster = Roster::read(store, std::slice::from_ref(&notice.audience), now).await?;
    let record = prepare(&roster, notice, now)?;
    store.raise_notice(&record).await
}

/// Raises several notices in one write (as `raise` does each); says of each whether it was
/// raised (`false`: its dedupe key was raised before).
pub async fn raise_all(
    store: &dyn Store,
    notices: &[Notice],
    now: Timestamp,
) -> Result<Vec<bool>, StoreError> {
    if notices.is_empty() {
        return Ok(Vec::new());
    }
    let audiences: Vec<Audience> = notices.iter().map(|n| n.audience.clone()).collect();
    let roster = Roster::read(store, &audiences, now).await?;
    let records = notices
        .iter()
        .map(|notice| prepare(&roster, notice, now))
        .collect::<Result<Vec<_>, _>>()?;
    store.raise_notices(&records).await
}

/// A notice as the store records it: its recipients found, its event written for the outbox.
fn prepare(roster: &Roster, notice: &Notice, now: Timestamp) -> Result<NewNotice, StoreError> {
    let mut to = roster.recipients(&notice.audience);
    // A case's officer whose account was closed: the post on duty is told instead.
    if to.is_empty() && matches!(notice.audience, Audience::User(_)) {
        to = roster.recipients(&Audience::OnDuty);
    }
    let report_id = notice.case.as_ref().map(|c| c.report_id);
    let queued = Queued {
        event: Event {
            id: event_id(),
            event: notice.kind.as_str().into(),
            occurred_at: now,
            case: notice.case.clone(),
            message: Messages {
                id: notice.message_id.clone(),
                en: notice.message_en.clone(),
            },
        },
        recipients: to.clone(),
    };
    let payload = serde_json::to_string(&queued)
        .map_err(|e| StoreError::Rejected(format!("pemberitahuan: {e}")))?;
    Ok(NewNotice {
        dedupe_key: notice.dedupe_key.clone(),
        at: now,
        notifications: to
            .iter()
            .map(|&user_id| NewNotification {
                user_id,
                report_id,
                kind: notice.kind.as_str().into(),
                message_id: notice.message_id.clone(),
                message_en: notice.message_en.clone(),
            })
            .collect(),
        outbox: vec![NewOutbox {
            channel: OutboxChannel::Event,
            target: String::new(),
            payload,
        }],
    })
}

/// Sends a notice now.
pub async fn notify(posko: &Posko, notice: Notice) -> Result<bool, StoreError> {
    raise(posko.store.as_ref(), &notice, Timestamp::now()).await
}

/// A case state as people read it, in Indonesian and English.
pub fn state_label(state: CaseState) -> (&'static str, &'static str) {
    match state {
        CaseState::Diterima => ("diterima", "received"),
        CaseState::KajianAwal => ("kajian awal", "initial review"),
        CaseState::MenungguKelengkapan => ("menunggu kelengkapan", "awaiting completion"),
        CaseState::Teregistrasi => ("teregistrasi", "registered"),
        CaseState::Pemeriksaan => ("pemeriksaan", "examination"),
        CaseState::Diputus => ("diputus", "decided"),
        CaseState::Diteruskan => ("diteruskan", "referred"),
        CaseState::Ditindaklanjuti => ("ditindaklanjuti", "in follow-up"),
        CaseState::Selesai => ("selesai", "outcome recorded"),
        CaseState::Ditutup => ("ditutup", "closed"),
    }
}

/// Notifies after an officer's move of a case, from `cases::act`: the agency's handlers when
/// it is referred to them, the post (the assigned officer, or those on duty) when the agency
/// records its outcome. Other moves notify nobody. A failure is logged, never undoes the move.
pub async fn after_case_action(
    store: &dyn Store,
    report_id: i64,
    before: &posko_store::StoredCase,
    next: &posko_core::case::Case,
) {
    let (kind, audience) = match (before.case.state, next.state, next.referred_to) {
        (from, CaseState::Diteruskan, Some(agency)) if from != CaseState::Diteruskan => (
            NoticeKind::KasusDirujuk,
            Audience::Handlers(agency, before.region),
        ),
        (CaseState::Ditindaklanjuti | CaseState::Diteruskan, CaseState::Selesai, _) => (
            NoticeKind::HasilTindakLanjut,
            before
                .assigned_to
                .map(Audience::User)
                .unwrap_or(Audience::OnDuty),
        ),
        _ => return,
    };
    let code = match store.report_detail(report_id).await {
        Ok(Some(d)) => d.summary.tracking_code,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(report_id, error = %e, "notice not sent: report not read");
            return;
        }
    };
    let agency = next.referred_to;
    let name = agency.map(|a| a.label()).unwrap_or("-");
    let (message_id, message_en) = match kind {
        NoticeKind::KasusDirujuk => (
            format!("Kasus {code} diteruskan kepada {name} untuk ditindaklanjuti."),
            format!("Case {code} was referred to {name} for follow-up."),
        ),
        _ => (
            format!("{name} mencatat hasil tindak lanjut dan sanksi kasus {code}."),
            format!("{name} recorded the follow-up outcome and sanction of case {code}."),
        ),
    };
    let notice = Notice {
        kind,
        audience,
        case: Some(CaseFacts {
            report_id,
            tracking_code: code,
            state: next.state.as_str().into(),
            deadline: None,
            agency: agency.map(|a| a.as_str().to_string()),
        }),
        message_id,
        message_en,
        dedupe_key: None,
    };
    if let Err(e) = raise(store, &notice, Timestamp::now()).await {
        tracing::warn!(report_id, error = %e, kind = kind.as_str(), "notice not recorded");
    }
}

/// The reports of a batch that were stored now (not resubmissions), for [`reports_received`].
pub fn stored_reports(outcomes: &[posko_store::InsertOutcome]) -> Vec<(i64, String)> {
    outcomes
        .iter()
        .filter_map(|o| match o {
            posko_store::InsertOutcome::Stored { id, tracking_code } => {
                Some((*id, tracking_code.clone()))
            }
            posko_store::InsertOutcome::Duplicate { .. } => None,
        })
        .collect()
}

/// Tells the officers on duty of reports just stored (from the intake writer, once per batch:
/// one transaction for the whole batch, so notices keep pace with group-committed intake).
pub async fn reports_received(store: &dyn Store, reports: &[(i64, String)]) {
    if reports.is_empty() {
        return;
    }
    let now = Timestamp::now();
    let to = match recipients(store, &Audience::OnDuty, now).await {
        Ok(to) => to,
        Err(e) => {
            tracing::warn!(error = %e, "new-report notices not recorded");
            return;
        }
    };
    let mut notice = NewNotice {
        dedupe_key: None,
        at: now,
        notifications: Vec::new(),
        outbox: Vec::new(),
    };
    for (report_id, code) in reports {
        let (message_id, message_en) = (
            format!("Laporan baru {code} masuk; kajian awal menunggu."),
            format!("New report {code} received; awaiting initial review."),
        );
        notice
            .notifications
            .extend(to.iter().map(|&user_id| NewNotification {
                user_id,
                report_id: Some(*report_id),
                kind: NoticeKind::LaporanBaru.as_str().into(),
                message_id: message_id.clone(),
                message_en: message_en.clone(),
            }));
        let queued = Queued {
            event: Event {
                id: event_id(),
                event: NoticeKind::LaporanBaru.as_str().into(),
                occurred_at: now,
                case: Some(CaseFacts {
                    report_id: *report_id,
                    tracking_code: code.clone(),
                    state: CaseState::Diterima.as_str().into(),
                    deadline: None,
                    agency: None,
                }),
                message: Messages {
                    id: message_id,
                    en: message_en,
                },
            },
            recipients: to.clone(),
        };
        match serde_json::to_string(&queued) {
            Ok(payload) => notice.outbox.push(NewOutbox {
                channel: OutboxChannel::Event,
                target: String::new(),
                payload,
            }),
            Err(e) => tracing::warn!(error = %e, "new-report event not queued"),
        }
    }
    if let Err(e) = store.raise_notice(&notice).await {
        tracing::warn!(error = %e, reports = reports.len(), "new-report notices not recorded");
    }
}

/// An officer's e-mail address, checked: `Err` names what is wrong.
pub fn check_email(address: &str) -> Result<String, String> {
    let address = address.trim();
    match address.parse::<lettre::Address>() {
        Ok(a) if address.len() <= 254 => Ok(a.to_string()),
        Ok(_) => Err("alamat surel terlalu panjang (e-mail address too long)".into()),
        Err(e) => Err(format!(
            "alamat surel tidak sah: {e} (invalid e-mail address)"
        )),
    }
}

// ── delivery ────────────────────────────────────────────────────────────────────────────────

/// How long a claimed row is someone's before another worker may try it.
const LEASE: SignedDuration = SignedDuration::from_secs(300);
/// Rows claimed at once.
const BATCH: u32 = 32;
/// How long one webhook call or one SMTP conversation may take.
const SEND_TIMEOUT: Duration = Duration::from_secs(20);

/// The pause before attempt `attempts + 1`: 30 s, doubling, at most an hour.
pub fn backoff(attempts: u32) -> SignedDuration {
    let secs = 30u64.saturating_mul(1u64 << attempts.saturating_sub(1).min(10));
    SignedDuration::from_secs(secs.min(3_600) as i64)
}

/// The signature of a webhook body: `sha256=<hex HMAC-SHA256(secret, "{timestamp}.{body}")>`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes a key of any length.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The host of a URL, for logs (never its path, query or credentials).
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    host.rsplit_once('@').map_or(host, |(_, h)| h)
}

/// Why one delivery failed.
#[derive(Debug, thiserror::Error)]
enum SendError {
    /// Worth trying again.
    #[error("{0}")]
    Retry(String),
    /// Will never work (the webhook or SMTP is no longer configured, a bad address).
    #[error("{0}")]
    Fatal(String),
}

/// The delivery worker: claims due outbox rows and sends them.
pub struct Deliveries {
    store: std::sync::Arc<dyn Store>,
    webhooks: Vec<WebhookConfig>,
    smtp: Option<SmtpConfig>,
    max_attempts: u32,
    http: reqwest::Client,
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    pub fanned_out: usize,
    pub delivered: usize,
    pub failed: usize,
}

impl Deliveries {
    pub fn new(store: std::sync::Arc<dyn Store>, config: &Config) -> Result<Deliveries, String> {
        let http = reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("posko/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("klien HTTP: {e}"))?;
        Ok(Deliveries {
            store,
            webhooks: config.webhook.clone(),
            smtp: config.smtp.clone(),
            max_attempts: config.delivery_max_attempts.max(1),
            http,
        })
    }

    /// Runs until `stop` turns true: a pass whenever one may have work, at least every
    /// `every`.
    pub async fn run(self, every: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                break;
            }
            // Keep going while there was work: a fan-out makes more rows due at once.
            loop {
                match self.pass(Timestamp::now()).await {
                    Ok(r) if r.fanned_out + r.delivered + r.failed > 0 => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "outbox pass failed");
                        break;
                    }
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.changed() => {}
            }
        }
        tracing::info!("pengiriman pemberitahuan berhenti (delivery worker stopped)");
    }

    /// One pass at `now`: claims due rows and handles each.
    pub async fn pass(&self, now: Timestamp) -> Result<PassReport, StoreError> {
        let items = self.store.claim_outbox(now, now + LEASE, BATCH).await?;
        let mut report = PassReport::default();
        for item in items {
            if item.channel == OutboxChannel::Event {
                self.fan_out(&item, now).await?;
                report.fanned_out += 1;
                continue;
            }
            let sent = match item.channel {
                OutboxChannel::Webhook => self.send_webhook(&item).await,
                _ => self.send_mail(&item).await,
            };
            match sent {
                Ok(()) => {
                    self.store
                        .outbox_delivered(item.id, Timestamp::now())
                        .await?;
                    report.delivered += 1;
                }
                Err(e) => {
                    let give_up =
                        matches!(e, SendError::Fatal(_)) || item.attempts >= self.max_attempts;
                    let retry_at = (!give_up).then(|| Timestamp::now() + backoff(item.attempts));
                    tracing::warn!(
                        outbox = item.id,
                        channel = item.channel.as_str(),
                        attempts = item.attempts,
                        gave_up = give_up,
                        error = %e,
                        "delivery failed"
                    );
                    self.store
                        .outbox_failed(item.id, &e.to_string(), retry_at)
                        .await?;
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }

    /// Replaces an event row by one row per subscribed webhook and per recipient's address.
    async fn fan_out(&self, item: &OutboxItem, now: Timestamp) -> Result<(), StoreError> {
        let queued: Queued = match serde_json::from_str(&item.payload) {
            Ok(q) => q,
            Err(e) => {
                return self
                    .store
                    .outbox_failed(item.id, &format!("isi rusak: {e}"), None)
                    .await
            }
        };
        let body = serde_json::to_string(&queued.event)
            .map_err(|e| StoreError::Rejected(format!("peristiwa: {e}")))?;
        let mut rows: Vec<NewOutbox> = self
            .webhooks
            .iter()
            .filter(|w| w.events.is_empty() || w.events.contains(&queued.event.event))
            .map(|w| NewOutbox {
                channel: OutboxChannel::Webhook,
                target: w.url.clone(),
                payload: body.clone(),
            })
            .collect();
        if self.smtp.is_some() && !queued.recipients.is_empty() {
            let mail = Mail {
                subject: format!("[Posko] {}", queued.event.message.id),
                body: mail_body(&queued.event),
            };
            let mail = serde_json::to_string(&mail)
                .map_err(|e| StoreError::Rejected(format!("surel: {e}")))?;
            for (_, address) in self.store.user_emails(&queued.recipients).await? {
                rows.push(NewOutbox {
                    channel: OutboxChannel::Email,
                    target: address,
                    payload: mail.clone(),
                });
            }
        }
        self.store.outbox_fan_out(item.id, &rows, now).await
    }

    async fn send_webhook(&self, item: &OutboxItem) -> Result<(), SendError> {
        let hook = self
            .webhooks
            .iter()
            .find(|w| w.url == item.target)
            .ok_or_else(|| SendError::Fatal("webhook tidak lagi dikonfigurasi".into()))?;
        let ts = Timestamp::now().as_second();
        let response = self
            .http
            .post(&hook.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Posko-Timestamp", ts.to_string())
            .header(
                "X-Posko-Signature",
                signature(&hook.secret, ts, &item.payload),
            )
            .body(item.payload.clone())
            .send()
            .await
            // Without the URL: it may carry a token.
            .map_err(|e| {
                SendError::Retry(format!("{}: {}", host_of(&hook.url), e.without_url()))
            })?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(SendError::Retry(format!(
                "{}: HTTP {}",
                host_of(&hook.url),
                status.as_u16()
            )))
        }
    }

    async fn send_mail(&self, item: &OutboxItem) -> Result<(), SendError> {
        use lettre::message::{header::ContentType, Mailbox};
        use lettre::transport::smtp::authentication::Credentials;
        use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

        let smtp = self
            .smtp
            .as_ref()
            .ok_or_else(|| SendError::Fatal("SMTP tidak dikonfigurasi".into()))?;
        let mail: Mail = serde_json::from_str(&item.payload)
            .map_err(|e| SendError::Fatal(format!("isi rusak: {e}")))?;
        let from: Mailbox = smtp
            .from
            .parse()
            .map_err(|e| SendError::Fatal(format!("pengirim tidak sah: {e}")))?;
        let to: Mailbox = item
            .target
            .parse()
            .map_err(|e| SendError::Fatal(format!("alamat penerima tidak sah: {e}")))?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body)
            .map_err(|e| SendError::Fatal(format!("surel: {e}")))?;
        let builder = match smtp.tls.as_str() {
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host),
            "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host),
            _ => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                &smtp.host,
            )),
        }
        .map_err(|e| SendError::Fatal(format!("SMTP {}: {e}", smtp.host)))?;
        let mut builder = builder.port(smtp.port).timeout(Some(SEND_TIMEOUT));
        if !smtp.username.is_empty() {
            builder = builder.credentials(Credentials::new(
                smtp.username.clone(),
                smtp.password.clone(),
            ));
        }
        builder
            .build()
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| {
                let permanent = e.is_permanent();
                let text = format!("SMTP {}: {e}", smtp.host);
                if permanent {
                    SendError::Fatal(text)
                } else {
                    SendError::Retry(text)
                }
            })
    }
}

/// The plain-text body of a notification e-mail, Indonesian first.
fn mail_body(e: &Event) -> String {
    let mut out = format!("{}\n\n{}\n", e.message.id, e.message.en);
    if let Some(c) = &e.case {
        out.push_str(&format!(
            "\nKode pelacakan / tracking code: {}\nStatus: {}\n",
            c.tracking_code, c.state
        ));
        if let Some(d) = c.deadline {
            out.push_str(&format!("Tenggat / deadline: {d}\n"));
        }
    }
    out.push_str("\n— Posko (pesan otomatis / automatic message)\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_cover_timestamp_and_body() {
        let s = signature("rahasia-bersama-16", 1_700_000_000, "{\"a\":1}");
        assert!(s.starts_with("sha256="));
        assert_eq!(s.len(), 7 + 64);
        assert_ne!(
            s,
            signature("rahasia-bersama-16", 1_700_000_001, "{\"a\":1}")
        );
        assert_ne!(
            s,
            signature("rahasia-bersama-16", 1_700_000_000, "{\"a\":2}")
        );
        assert_ne!(
            s,
            signature("rahasia-lain-xxxxx", 1_700_000_000, "{\"a\":1}")
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), SignedDuration::from_secs(30));
        assert_eq!(backoff(2), SignedDuration::from_secs(60));
        assert_eq!(backoff(4), SignedDuration::from_secs(240));
        assert_eq!(backoff(30), SignedDuration::from_secs(3_600));
    }

    #[test]
    fn logs_name_only_the_host() {
        assert_eq!(
            host_of("https://user:pw@mitra.example:8443/hook?token=x"),
            "mitra.example:8443"
        );
        assert_eq!(host_of("http://127.0.0.1:9/h"), "127.0.0.1:9");
    }
}
