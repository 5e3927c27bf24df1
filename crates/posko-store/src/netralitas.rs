//! What the neutrality capability keeps (issue 9, part 4): units' recorded headcounts, briefings
//! with the villages they reached and their attendees by kind, and integrity pledges kept by
//! keyed hashes only (the app hashes; no back end sees a NIP or a name). Also the facts the
//! public accountability page (part 5) counts: codes and instants of each case, nothing personal.

use jiff::civil::Date;
use jiff::Timestamp;
use posko_core::netralitas::OfficialKind;
use posko_core::{Agency, RegionCode};

use crate::{StoreError, StoreResult};

/// A briefing to record, already checked by `posko_core::netralitas::BriefingDraft::checked`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewBriefing {
    pub region: RegionCode,
    pub held_on: Date,
    pub held_by_agency: Agency,
    pub held_by: String,
    /// The unit as written, and normalised for matching the roster.
    pub unit: String,
    pub unit_key: String,
    pub villages: Vec<RegionCode>,
    pub asn: u32,
    pub camat: u32,
    pub kepala_desa: u32,
    pub perangkat_desa: u32,
    pub created_by: Option<i64>,
    pub created_at: Timestamp,
}

/// A recorded briefing.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredBriefing {
    pub id: i64,
    pub briefing: NewBriefing,
}

/// A pledge to record: its identity hashes (by NIP and/or by name and unit; `identity_mac` is
/// the one that makes it unique, the NIP's when there is one).
#[derive(Debug, Clone, PartialEq)]
pub struct NewPledge {
    pub kind: OfficialKind,
    pub identity_mac: Vec<u8>,
    pub number_mac: Option<Vec<u8>>,
    pub name_mac: Option<Vec<u8>>,
    pub region: RegionCode,
    /// Normalised unit name.
    pub unit: String,
    pub signed_on: Date,
    /// `form`, or `file:<name>` for an import.
    pub source: String,
    pub created_by: Option<i64>,
    pub created_at: Timestamp,
}

/// How a batch of pledges went: new ones, and ones whose official had signed already (kept as
/// first recorded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PledgeCount {
    pub added: u64,
    pub already: u64,
}

/// The pledge that marks a case: the earliest signed by the official with this hash.
#[derive(Debug, Clone, PartialEq)]
pub struct PledgeMark {
    pub kind: OfficialKind,
    pub signed_on: Date,
    pub region: RegionCode,
    pub unit: String,
}

pub fn official_kind(s: &str) -> StoreResult<OfficialKind> {
    OfficialKind::parse(s).ok_or_else(|| StoreError::Corrupt(format!("jenis pejabat '{s}'")))
}

/// A case fact from its stored columns: the resolution instant (when the case is `selesai` or
/// `ditutup`) is the first time it reached either, which the back ends read from its events
/// (`state_since` moves on with every later step).
#[allow(clippy::too_many_arguments)]
pub fn case_fact(
    region: &str,
    category: &str,
    status: &str,
    decision: Option<&str>,
    referred_to: Option<&str>,
    received_at: i64,
    state_since: Option<i64>,
) -> StoreResult<posko_core::akuntabilitas::CaseFact> {
    use posko_core::case::CaseState;
    let state = crate::decode::case_state(status)?;
    let resolved = matches!(state, CaseState::Selesai | CaseState::Ditutup);
    Ok(posko_core::akuntabilitas::CaseFact {
        region: crate::decode::region(region)?,
        category: crate::decode::category(category)?,
        state,
        decision: crate::decode::decision(decision)?,
        referred_to: referred_to.map(crate::agency).transpose()?,
        received_at: crate::decode::timestamp(received_at)?,
        resolved_at: if resolved {
            state_since.map(crate::decode::timestamp).transpose()?
        } else {
            None
        },
    })
}
