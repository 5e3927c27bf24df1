//! What notifications keep: an officer's in-app notifications, the keys that make an alert
//! raised once across every app server, and the outbox of deliveries (signed webhooks, e-mail)
//! that a worker claims under a lease, so two app servers never send the same row at once.
//!
//! A notice first enters the outbox as one `event` row; the worker, which knows the configured
//! webhooks and whether SMTP is set up, replaces it by one `webhook` row per subscribed webhook
//! and one `email` row per recipient with an address (`outbox_fan_out`, atomically). Neither a
//! reporter's identity nor any other personal data of a reporter is ever in these rows.

use jiff::Timestamp;

/// An in-app notification to record for one officer.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNotification {
    pub user_id: i64,
    pub report_id: Option<i64>,
    /// A stable code (`laporan_baru`, `kasus_dirujuk`, `tenggat_dekat`, …).
    pub kind: String,
    pub message_id: String,
    pub message_en: String,
}

/// An officer's notification.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: i64,
    pub user_id: i64,
    pub report_id: Option<i64>,
    pub kind: String,
    pub message_id: String,
    pub message_en: String,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
}

/// How an outbox row is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxChannel {
    /// A notice not yet fanned out to its webhooks and e-mail recipients.
    Event,
    Webhook,
    Email,
}

impl OutboxChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxChannel::Event => "event",
            OutboxChannel::Webhook => "webhook",
            OutboxChannel::Email => "email",
        }
    }

    pub fn parse(s: &str) -> Option<OutboxChannel> {
        match s {
            "event" => Some(OutboxChannel::Event),
            "webhook" => Some(OutboxChannel::Webhook),
            "email" => Some(OutboxChannel::Email),
            _ => None,
        }
    }
}

/// A delivery to enqueue: due at once.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutbox {
    pub channel: OutboxChannel,
    /// The webhook's URL or the recipient's address; empty for an event.
    pub target: String,
    /// JSON.
    pub payload: String,
}

/// A delivery in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxItem {
    pub id: i64,
    pub channel: OutboxChannel,
    pub target: String,
    pub payload: String,
    pub created_at: Timestamp,
    /// Attempts so far, this one included once claimed.
    pub attempts: u32,
    /// When it may be tried (again); `None` once delivered or given up.
    pub next_attempt_at: Option<Timestamp>,
    pub delivered_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

/// A notice to record: its in-app rows and its outbox rows, all or none.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNotice {
    /// With a key, the notice is recorded only the first time the key is raised.
    pub dedupe_key: Option<String>,
    pub at: Timestamp,
    pub notifications: Vec<NewNotification>,
    pub outbox: Vec<NewOutbox>,
}

/// An outbox row as stored, read back the same way by both back ends.
#[allow(clippy::too_many_arguments)]
pub fn decode_outbox_item(
    id: i64,
    channel: &str,
    target: String,
    payload: String,
    created_at: i64,
    attempts: i64,
    next_attempt_at: Option<i64>,
    delivered_at: Option<i64>,
    last_error: Option<String>,
) -> crate::StoreResult<OutboxItem> {
    use crate::decode::timestamp;
    Ok(OutboxItem {
        id,
        channel: OutboxChannel::parse(channel).ok_or_else(|| {
            crate::StoreError::Corrupt(format!("kanal kiriman {id}: '{channel}'"))
        })?,
        target,
        payload,
        created_at: timestamp(created_at)?,
        attempts: u32::try_from(attempts.max(0)).unwrap_or(u32::MAX),
        next_attempt_at: next_attempt_at.map(timestamp).transpose()?,
        delivered_at: delivered_at.map(timestamp).transpose()?,
        last_error,
    })
}

/// Columns in the order `decode_outbox_item` takes them.
pub const OUTBOX_COLUMNS: &str =
    "id, channel, target, payload, created_at, attempts, next_attempt_at, delivered_at, last_error";

/// Columns of a notification, in `Notification`'s order.
pub const NOTIFICATION_COLUMNS: &str =
    "id, user_id, report_id, kind, message_id, message_en, created_at, read_at";
