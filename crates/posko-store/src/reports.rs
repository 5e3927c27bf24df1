//! The types reports, evidence, unseal requests, API clients and the audit log cross the store
//! boundary with. The reporter's identity arrives already sealed (ciphertext plus keyed hashes):
//! no back end ever sees it in clear.

use jiff::civil::{Date, Time};
use jiff::Timestamp;
use posko_core::report::{ReportKind, SubjectCategory};
use posko_core::{GeoPoint, RegionCode, TpsNumber};

/// The sealed identity of a reporter.
#[derive(Debug, Clone, PartialEq)]
pub struct SealedIdentity {
    /// Nonce and AEAD ciphertext of the identity.
    pub ciphertext: Vec<u8>,
    /// Keyed hashes (HMAC) for finding the same reporter again without decrypting.
    pub nik_mac: Option<Vec<u8>>,
    pub phone_mac: Option<Vec<u8>>,
    pub email_mac: Option<Vec<u8>>,
}

/// An evidence file to store with a report.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvidence {
    pub sha256: String,
    pub mime: String,
    pub bytes: Vec<u8>,
    /// A copy safe to show in pages (location metadata removed), when it differs.
    pub display: Option<Vec<u8>>,
    /// The file name as uploaded, reduced to safe characters.
    pub filename: String,
}

/// A report to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReport {
    pub tracking_code: String,
    pub election: String,
    pub kind: ReportKind,
    /// `web` or `api`.
    pub channel: String,
    /// The API client that sent it, if any.
    pub client_id: Option<i64>,
    /// With `client_id` (or the web channel), identifies a resubmission of the same report.
    pub idempotency_key: Option<String>,
    pub subject_category: SubjectCategory,
    pub subject_name: String,
    pub subject_position: String,
    pub subject_unit: String,
    /// Keyed hash of the reported official's NIP/NRP: the same official across reports.
    pub subject_mac: Option<Vec<u8>>,
    pub violation: String,
    pub description: String,
    pub region: RegionCode,
    pub tps: Option<TpsNumber>,
    pub place: String,
    pub location: Option<GeoPoint>,
    pub happened_on: Date,
    pub happened_time: Option<Time>,
    pub learned_on: Date,
    /// Filed after the legal window (daluwarsa).
    pub late: bool,
    pub received_at: Timestamp,
    pub identity: Option<SealedIdentity>,
    pub evidence: Vec<NewEvidence>,
}

/// What became of one report of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsertOutcome {
    Stored {
        id: i64,
        tracking_code: String,
    },
    /// The idempotency key was seen before: this is the report stored then.
    Duplicate {
        id: i64,
        tracking_code: String,
    },
}

impl InsertOutcome {
    pub fn tracking_code(&self) -> &str {
        match self {
            InsertOutcome::Stored { tracking_code, .. }
            | InsertOutcome::Duplicate { tracking_code, .. } => tracking_code,
        }
    }
}

/// An evidence file as listed with a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceInfo {
    pub sha256: String,
    pub mime: String,
    pub size: u64,
    pub filename: String,
}

/// What the reporter sees by tracking code: no personal data.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportStatus {
    pub tracking_code: String,
    pub election: String,
    pub kind: ReportKind,
    pub status: String,
    pub subject_category: SubjectCategory,
    pub violation: String,
    pub region: RegionCode,
    pub received_at: Timestamp,
    pub late: bool,
    pub evidence: Vec<EvidenceInfo>,
}

/// A line of the officers' report list.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSummary {
    pub id: i64,
    pub tracking_code: String,
    pub election: String,
    pub kind: ReportKind,
    pub status: String,
    pub subject_category: SubjectCategory,
    pub violation: String,
    pub region: RegionCode,
    pub received_at: Timestamp,
    pub has_identity: bool,
}

/// A report for officers, without the reporter's identity.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportDetail {
    pub summary: ReportSummary,
    pub election: String,
    pub channel: String,
    pub subject_name: String,
    pub subject_position: String,
    pub subject_unit: String,
    pub subject_mac: Option<Vec<u8>>,
    pub description: String,
    pub tps: Option<TpsNumber>,
    pub place: String,
    pub location: Option<GeoPoint>,
    pub happened_on: Date,
    pub happened_time: Option<Time>,
    pub learned_on: Date,
    pub late: bool,
    pub evidence: Vec<EvidenceInfo>,
}

/// A step in an evidence file's chain of custody.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCustodyEvent {
    pub sha256: String,
    pub report_id: i64,
    pub at: Timestamp,
    /// The officer's user id; `None` for the reporter or the system.
    pub actor: Option<i64>,
    /// `received`, `viewed`, `downloaded`, `handed_over`.
    pub action: String,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CustodyEvent {
    pub id: i64,
    pub event: NewCustodyEvent,
    pub actor_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewUnsealRequest {
    pub report_id: i64,
    pub requested_by: i64,
    pub reason: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnsealRequest {
    pub id: i64,
    pub report_id: i64,
    pub requested_by: i64,
    pub requester_agency: Option<posko_core::Agency>,
    pub reason: String,
    pub requested_at: Timestamp,
    pub approved_by: Option<i64>,
    pub approved_at: Option<Timestamp>,
}

/// A machine client of the intake API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiClient {
    pub id: i64,
    pub name: String,
    pub active: bool,
    /// An agency's own system: it sees and acts on the cases routed to that agency only.
    pub agency: Option<posko_core::Agency>,
}

/// An audit entry to append. The store adds the link to the previous entry.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEntry {
    pub at: Timestamp,
    pub actor: Option<i64>,
    /// Stable action name: `unseal_requested`, `unseal_approved`, `identity_read`, …
    pub action: String,
    /// What it was done to, e.g. `report:12`.
    pub subject: String,
    pub detail: String,
}

/// A stored audit entry with its place in the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub seq: i64,
    pub entry: NewAuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash that links an audit entry to the one before it: SHA-256 over the previous hash and
/// every field, length-prefixed so no two different entries hash alike.
pub fn audit_hash(prev_hash: &str, seq: i64, e: &NewAuditEntry) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let actor = e.actor.map(|a| a.to_string()).unwrap_or_default();
    let at = e.at.as_microsecond().to_string();
    let seq = seq.to_string();
    for part in [
        prev_hash,
        seq.as_str(),
        at.as_str(),
        actor.as_str(),
        &e.action,
        &e.subject,
        &e.detail,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex_lower(&h.finalize())
}

fn hex_lower(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

/// The `prev_hash` of the first entry.
pub const AUDIT_GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Where an audit chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("entri {seq} diubah: hash tidak cocok (entry {seq} was altered)")]
    Altered { seq: i64 },
    #[error("entri {expected} hilang atau urutan diubah: ditemukan entri {found} (entry {expected} removed or reordered)")]
    Missing { expected: i64, found: i64 },
    #[error("tautan entri {seq} ke entri sebelumnya putus: entri sebelumnya diubah atau dihapus (entry {seq} no longer links to the one before)")]
    Unlinked { seq: i64 },
    #[error("kepala rantai mencatat {head_seq} entri, tetapi rantai berakhir di entri {last} (the chain's head records {head_seq} entries; entries after {last} were removed)")]
    Truncated { head_seq: i64, last: i64 },
    #[error("kepala rantai tidak cocok dengan entri terakhir {seq} (the chain's head does not match entry {seq})")]
    HeadMismatch { seq: i64 },
}

/// Checks a whole audit chain, in `seq` order, against its recorded head (`None` when nothing
/// was ever appended). Returns the number of entries, or the first break.
pub fn verify_chain(
    entries: &[AuditEntry],
    head: Option<(i64, String)>,
) -> Result<usize, ChainBreak> {
    let mut prev = AUDIT_GENESIS.to_string();
    for (i, e) in entries.iter().enumerate() {
        let expected = i as i64 + 1;
        if e.seq != expected {
            return Err(ChainBreak::Missing {
                expected,
                found: e.seq,
            });
        }
        if e.prev_hash != prev {
            return Err(ChainBreak::Unlinked { seq: e.seq });
        }
        if audit_hash(&prev, e.seq, &e.entry) != e.hash {
            return Err(ChainBreak::Altered { seq: e.seq });
        }
        prev = e.hash.clone();
    }
    let last = entries.len() as i64;
    match head {
        None if last == 0 => Ok(0),
        None => Err(ChainBreak::HeadMismatch { seq: last }),
        Some((seq, _)) if seq > last => Err(ChainBreak::Truncated {
            head_seq: seq,
            last,
        }),
        Some((seq, hash)) if seq != last || hash != prev => {
            Err(ChainBreak::HeadMismatch { seq: last })
        }
        Some(_) => Ok(entries.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> (Vec<AuditEntry>, Option<(i64, String)>) {
        let mut prev = AUDIT_GENESIS.to_string();
        let mut out = Vec::new();
        for seq in 1..=n {
            let entry = NewAuditEntry {
                at: Timestamp::from_second(1_700_000_000 + seq).unwrap(),
                actor: Some(seq),
                action: "identity_read".into(),
                subject: format!("report:{seq}"),
                detail: String::new(),
            };
            let hash = audit_hash(&prev, seq, &entry);
            out.push(AuditEntry {
                seq,
                entry,
                prev_hash: prev.clone(),
                hash: hash.clone(),
            });
            prev = hash;
        }
        let head = out.last().map(|e| (e.seq, e.hash.clone()));
        (out, head)
    }

    #[test]
    fn an_intact_chain_verifies() {
        let (c, head) = chain(5);
        assert_eq!(verify_chain(&c, head), Ok(5));
        assert_eq!(verify_chain(&[], None), Ok(0));
    }

    #[test]
    fn every_kind_of_tampering_is_named() {
        let (c, head) = chain(5);
        let mut altered = c.clone();
        altered[2].entry.detail = "dihapus".into();
        assert_eq!(
            verify_chain(&altered, head.clone()),
            Err(ChainBreak::Altered { seq: 3 })
        );
        let mut rehashed = altered.clone();
        rehashed[2].hash = audit_hash(&rehashed[2].prev_hash, 3, &rehashed[2].entry);
        assert_eq!(
            verify_chain(&rehashed, head.clone()),
            Err(ChainBreak::Unlinked { seq: 4 }),
            "re-hashing one entry breaks the next link"
        );
        let mut removed = c.clone();
        removed.remove(1);
        assert_eq!(
            verify_chain(&removed, head.clone()),
            Err(ChainBreak::Missing {
                expected: 2,
                found: 3
            })
        );
        let mut swapped = c.clone();
        swapped.swap(1, 2);
        assert!(matches!(
            verify_chain(&swapped, head.clone()),
            Err(ChainBreak::Missing { expected: 2, .. })
        ));
        let mut renumbered = c.clone();
        let (a, b) = (renumbered[1].entry.clone(), renumbered[2].entry.clone());
        renumbered[1].entry = b;
        renumbered[2].entry = a;
        assert_eq!(
            verify_chain(&renumbered, head.clone()),
            Err(ChainBreak::Altered { seq: 2 }),
            "contents reordered"
        );
        let truncated = &c[..4];
        assert_eq!(
            verify_chain(truncated, head.clone()),
            Err(ChainBreak::Truncated {
                head_seq: 5,
                last: 4
            })
        );
        assert_eq!(
            verify_chain(&c, None),
            Err(ChainBreak::HeadMismatch { seq: 5 }),
            "head removed"
        );
        assert_eq!(
            verify_chain(&[], head),
            Err(ChainBreak::Truncated {
                head_seq: 5,
                last: 0
            }),
            "everything removed"
        );
    }
}

/// A case as stored: the state machine's memory, and since when it is in its state.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCase {
    pub report_id: i64,
    pub case: posko_core::case::Case,
    pub subject_category: SubjectCategory,
    pub state_since: Timestamp,
    /// The election the report was filed under (its rules set the deadlines).
    pub election: String,
    /// Where it happened: the zone of its deadlines, and its place in region filters.
    pub region: RegionCode,
    /// When it was registered: the handling clock runs from here through the examination.
    pub registered_at: Option<Timestamp>,
    /// Whether handling was extended because more information was needed.
    pub extended: bool,
    /// The officer the case is assigned to.
    pub assigned_to: Option<i64>,
    /// The case this report was merged into as a duplicate.
    pub merged_into: Option<i64>,
}

/// One move of a case, for its timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseEvent {
    pub report_id: i64,
    pub at: Timestamp,
    pub actor: i64,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub detail: String,
}
