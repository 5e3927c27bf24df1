//! Taking in a citizen's report, from the public page or the intake API: validate it (one gate
//! for every channel), check each evidence file by its content, seal the reporter's identity,
//! and store it. A report is acknowledged only after its transaction is durably committed.
//!
//! Durability without one fsync per report: a single writer task takes every report waiting in
//! its queue and commits them in one transaction (group commit), then answers each submitter.
//! If a batch fails, its reports are retried one by one, so one bad report never sinks others.

use jiff::Timestamp;
use posko_core::calendar::Holidays;
use posko_core::evidence::{display_copy, sha256_hex, sniff};
use posko_core::report::{validate, FieldError, ReportInput, ReportKind, Taxonomy, ValidReport};
use posko_core::tracking::TrackingCode;
use posko_core::{Atlas, Election, Zone};
use posko_store::{InsertOutcome, NewEvidence, NewReport, Store, StoreError};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

use crate::accounts::SecretKey;
use crate::seal;

/// Limits on evidence files, from the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvidenceLimits {
    pub max_files: usize,
    pub max_bytes: usize,
}

/// An uploaded file, as received.
#[derive(Debug, Clone)]
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// Where a report came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Channel {
    Web,
    Api { client_id: i64 },
}

/// What the reporter gets back.
#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    pub tracking_code: String,
    pub kind: ReportKind,
    pub late: bool,
    /// The last day of the legal window to file a laporan (DOMAIN.md §4).
    pub filing_deadline: jiff::civil::Date,
    pub received_at: Timestamp,
    /// File names and SHA-256 of the evidence, as stored.
    pub evidence: Vec<(String, String)>,
    /// True when this was a resubmission of a report already stored.
    pub duplicate: bool,
}

/// Why a report was not taken.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error("laporan belum lengkap atau tidak sah (the report has invalid fields)")]
    Invalid(Vec<FieldError>),
    #[error("gagal menyimpan laporan (could not store the report)")]
    Store(#[source] StoreError),
    #[error("penyimpan laporan tidak berjalan (the report writer has stopped)")]
    WriterGone,
    #[error("identitas tidak dapat disegel (cannot seal the identity)")]
    Seal,
}

type Job = (NewReport, oneshot::Sender<Result<InsertOutcome, String>>);

/// A handle to the single report writer.
#[derive(Clone)]
pub struct Intake {
    tx: mpsc::Sender<Job>,
}

/// Most reports committed in one transaction.
const MAX_BATCH: usize = 256;

impl Intake {
    /// Starts the writer task on the current tokio runtime.
    pub fn start(store: Arc<dyn Store>) -> Intake {
        let (tx, rx) = mpsc::channel::<Job>(4_096);
        tokio::spawn(writer(store, rx));
        Intake { tx }
    }

    async fn store(&self, report: NewReport) -> Result<InsertOutcome, SubmitError> {
        let (done, wait) = oneshot::channel();
        self.tx
            .send((report, done))
            .await
            .map_err(|_| SubmitError::WriterGone)?;
        match wait.await {
            Ok(Ok(outcome)) => Ok(outcome),
            Ok(Err(msg)) => Err(SubmitError::Store(StoreError::Rejected(msg))),
            Err(_) => Err(SubmitError::WriterGone),
        }
    }
}

async fn writer(store: Arc<dyn Store>, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        // Reports and their answer channels apart, so the batch is not copied (evidence
        // included) on its way to the store.
        let (batch, senders): (Vec<NewReport>, Vec<_>) = jobs.into_iter().unzip();
        match store.insert_reports(&batch).await {
            Ok(outcomes) => {
                let fresh = crate::notify::stored_reports(&outcomes);
                for (done, outcome) in senders.into_iter().zip(outcomes) {
                    let _ = done.send(Ok(outcome));
                }
                let store = store.clone();
                tokio::spawn(async move {
                    crate::notify::reports_received(store.as_ref(), &fresh).await
                });
            }
            Err(batch_err) => {
                tracing::warn!(size = batch.len(), error = %batch_err, "report batch failed; retrying one by one");
                for (report, done) in batch.iter().zip(senders) {
                    let r = store.insert_reports(std::slice::from_ref(report)).await;
                    let answer = match r {
                        Ok(mut o) if !o.is_empty() => Ok(o.remove(0)),
                        Ok(_) => Err("tidak ada hasil".to_string()),
                        Err(e) => {
                            tracing::error!(error = %e, "report not stored");
                            Err(e.to_string())
                        }
                    };
                    let _ = done.send(answer);
                }
            }
        }
    }
}

/// Keeps only characters safe in a file name shown to officers.
fn safe_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '))
        .take(100)
        .collect();
    if cleaned.trim().is_empty() {
        "berkas".into()
    } else {
        cleaned.trim().to_string()
    }
}

/// Checks each upload by its content and size; errors name the file.
pub fn check_evidence(
    uploads: &[Upload],
    limits: EvidenceLimits,
) -> Result<Vec<NewEvidence>, Vec<FieldError>> {
    let mut errs = Vec::new();
    if uploads.len() > limits.max_files {
        errs.push(FieldError {
            field: "evidence",
            code: "too_many",
            message_id: format!("paling banyak {} berkas bukti", limits.max_files),
            message_en: format!("at most {} evidence files", limits.max_files),
        });
    }
    let mut out = Vec::new();
    for u in uploads {
        let name = safe_filename(&u.filename);
        if u.bytes.len() > limits.max_bytes {
            let mb = limits.max_bytes as f64 / 1_048_576.0;
            errs.push(FieldError {
                field: "evidence",
                code: "too_large",
                message_id: format!("berkas {name} terlalu besar: paling besar {mb:.0} MB"),
                message_en: format!("file {name} is too large: at most {mb:.0} MB"),
            });
            continue;
        }
        match sniff(&u.bytes) {
            Ok(kind) => {
                // Only kinds whose metadata we can strip get a display copy; others (HEIC, GIF,
                // video) are offered to officers as downloads of the original, never inline.
                let display = if kind.is_displayable() {
                    display_copy(kind, &u.bytes).ok().filter(|c| *c != u.bytes)
                } else {
                    None
                };
                out.push(NewEvidence {
                    sha256: sha256_hex(&u.bytes),
                    mime: kind.mime().to_string(),
                    bytes: u.bytes.clone(),
                    display,
                    filename: name,
                });
            }
            Err(e) => errs.push(FieldError {
                field: "evidence",
                code: "type",
                message_id: format!(
                    "berkas {name}: isi berkas bukan foto, video, suara atau PDF yang diterima"
                ),
                message_en: format!("file {name}: {e}"),
            }),
        }
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(errs)
    }
}

/// What intake needs from the running application.
pub struct IntakeContext<'a> {
    pub intake: &'a Intake,
    pub atlas: &'a Atlas,
    pub taxonomy: &'a Taxonomy,
    pub holidays: &'a Holidays,
    pub election: &'a Election,
    pub key: &'a SecretKey,
    pub limits: EvidenceLimits,
}

/// The last day to file a laporan about something learned on `learned_on` (day 0), under the
/// election's rules; a report after it is daluwarsa (DOMAIN.md §4).
pub fn filing_deadline(
    holidays: &Holidays,
    election: &Election,
    learned_on: jiff::civil::Date,
) -> jiff::civil::Date {
    holidays.last_day(learned_on, election.rules.report_window)
}

/// Validates, seals and stores one report.
pub async fn submit(
    ctx: &IntakeContext<'_>,
    input: &ReportInput,
    uploads: &[Upload],
    channel: Channel,
    idempotency_key: Option<String>,
) -> Result<Receipt, SubmitError> {
    let now = Timestamp::now();
    let valid = validate(input, ctx.atlas, ctx.taxonomy, now);
    let evidence = check_evidence(uploads, ctx.limits);
    let (valid, evidence): (ValidReport, Vec<NewEvidence>) = match (valid, evidence) {
        (Ok(v), Ok(e)) => (v, e),
        (v, e) => {
            let mut all = v.err().unwrap_or_default();
            all.extend(e.err().unwrap_or_default());
            return Err(SubmitError::Invalid(all));
        }
    };
    let zone = Zone::of_province(valid.region.province_number()).unwrap_or(Zone::Wib);
    let today = now.to_zoned(zone.tz()).date();
    let deadline = filing_deadline(ctx.holidays, ctx.election, valid.learned_on);
    let late = today > deadline;
    let identity = seal::seal(ctx.key, &valid.reporter).map_err(|_| SubmitError::Seal)?;
    let (channel_name, client_id) = match channel {
        Channel::Web => ("web", None),
        Channel::Api { client_id } => ("api", Some(client_id)),
    };
    let code = TrackingCode::generate(&mut rand::rng());
    let report = NewReport {
        tracking_code: code.as_str().to_string(),
        election: ctx.election.id.clone(),
        kind: valid.kind,
        channel: channel_name.into(),
        client_id,
        idempotency_key: idempotency_key.filter(|k| !k.is_empty() && k.len() <= 128),
        subject_category: valid.subject.category,
        subject_name: valid.subject.name.clone(),
        subject_position: valid.subject.position.clone(),
        subject_unit: valid.subject.unit.clone(),
        subject_mac: posko_core::official::identity_key(
            valid.subject.id_number.as_deref(),
            &valid.subject.name,
            &valid.subject.unit,
        )
        .map(|who| seal::subject_mac(ctx.key, &who)),
        violation: valid.violation.clone(),
        description: valid.description.clone(),
        region: valid.region,
        tps: valid.tps,
        place: valid.place.clone(),
        location: valid.location,
        happened_on: valid.happened_on,
        happened_time: valid.happened_time,
        learned_on: valid.learned_on,
        late,
        received_at: now,
        identity,
        evidence: evidence.clone(),
    };
    let outcome = ctx.intake.store(report).await?;
    let duplicate = matches!(outcome, InsertOutcome::Duplicate { .. });
    tracing::info!(
        channel = channel_name,
        kind = valid.kind.as_str(),
        duplicate,
        "report received"
    );
    Ok(Receipt {
        tracking_code: outcome.tracking_code().to_string(),
        kind: valid.kind,
        late,
        filing_deadline: deadline,
        received_at: now,
        evidence: evidence
            .iter()
            .map(|e| (e.filename.clone(), e.sha256.clone()))
            .collect(),
        duplicate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(safe_filename("../../etc/passwd"), "passwd");
        assert_eq!(safe_filename("C:\\Users\\x\\foto <1>.jpg"), "foto 1.jpg");
        assert_eq!(safe_filename("<script>"), "script");
        assert_eq!(safe_filename("///"), "berkas");
    }

    #[test]
    fn disguised_and_oversize_files_are_refused() {
        let limits = EvidenceLimits {
            max_files: 2,
            max_bytes: 1_000,
        };
        let exe = Upload {
            filename: "foto.jpg".into(),
            bytes: b"MZ\x90\x00\x03\x00\x00\x00".to_vec(),
        };
        let errs = check_evidence(&[exe], limits).unwrap_err();
        assert_eq!(errs[0].code, "type");
        assert!(errs[0].message_id.contains("foto.jpg"));
        let big = Upload {
            filename: "besar.pdf".into(),
            bytes: [b"%PDF-1.4\n".as_slice(), &[b' '; 2_000]].concat(),
        };
        assert_eq!(
            check_evidence(&[big], limits).unwrap_err()[0].code,
            "too_large"
        );
        let pdf = Upload {
            filename: "surat.pdf".into(),
            bytes: b"%PDF-1.4\n%%EOF\n".to_vec(),
        };
        let many = vec![pdf.clone(), pdf.clone(), pdf.clone()];
        assert_eq!(
            check_evidence(&many, limits).unwrap_err()[0].code,
            "too_many"
        );
        let ok = check_evidence(&[pdf], limits).unwrap();
        assert_eq!(ok[0].mime, "application/pdf");
        assert_eq!(ok[0].sha256.len(), 64);
    }
}
