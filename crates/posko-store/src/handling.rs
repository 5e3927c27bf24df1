//! What the post's case handling keeps beside the cases: the inbox query, the duty roster and its
//! handover notes, the register of reported officials and the facts duplicate suggestions need.

use jiff::civil::Date;
use jiff::Timestamp;
use posko_core::case::CaseState;
use posko_core::report::SubjectCategory;
use posko_core::{Agency, RegionCode};

use crate::{ReportSummary, StoredCase};

/// Which cases an inbox shows. Every field narrows; `None` leaves it open.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseFilter {
    /// Only cases routed to this agency (a handler's view is always narrowed to its own).
    pub referred_to: Option<Agency>,
    pub category: Option<SubjectCategory>,
    /// Only cases inside this region (any level).
    pub region: Option<RegionCode>,
    pub state: Option<CaseState>,
    /// Only cases assigned to this officer ("my cases").
    pub assigned_to: Option<i64>,
    /// Only cases nobody is assigned to.
    pub unassigned: bool,
    /// Whether to list reports merged into another case (hidden by default).
    pub include_merged: bool,
    /// Only cases received at or after this instant.
    pub received_since: Option<Timestamp>,
    pub limit: u32,
}

/// One line of an inbox: the report and its case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    pub summary: ReportSummary,
    pub case: StoredCase,
}

/// A shift to add to the roster.
#[derive(Debug, Clone, PartialEq)]
pub struct NewShift {
    pub agency: Agency,
    pub user_id: i64,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub created_by: i64,
    pub created_at: Timestamp,
}

/// A shift on the roster, with the officer's name.
#[derive(Debug, Clone, PartialEq)]
pub struct Shift {
    pub id: i64,
    pub agency: Agency,
    pub user_id: i64,
    pub officer: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
}

/// A handover note written at the end of a shift.
#[derive(Debug, Clone, PartialEq)]
pub struct NewHandover {
    pub shift_id: Option<i64>,
    pub author: i64,
    pub at: Timestamp,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Handover {
    pub id: i64,
    pub shift_id: Option<i64>,
    pub author: i64,
    pub author_name: String,
    pub at: Timestamp,
    pub note: String,
}

/// One reported official in the register: the keyed hash that identifies them and what the
/// reports say of them (the latest report's name, position and unit).
#[derive(Debug, Clone, PartialEq)]
pub struct OfficialEntry {
    pub subject_mac: Vec<u8>,
    pub name: String,
    pub position: String,
    pub unit: String,
    pub category: SubjectCategory,
    /// Reports about them (merged duplicates not counted twice).
    pub reports: u32,
    /// Of those, cases not yet closed or finished.
    pub open: u32,
    pub first_at: Timestamp,
    pub last_at: Timestamp,
}

/// What duplicate suggestions compare: a report's time, place, subject and text.
#[derive(Debug, Clone, PartialEq)]
pub struct DedupFacts {
    pub id: i64,
    pub tracking_code: String,
    pub status: String,
    pub region: RegionCode,
    pub happened_on: Date,
    pub subject_category: SubjectCategory,
    pub subject_mac: Option<Vec<u8>>,
    pub subject_name: String,
    pub violation: String,
    pub description: String,
    pub merged_into: Option<i64>,
}
