//! What the coordinator's dashboard reads and keeps: case counts grouped in the database, the
//! precomputed snapshots the pages read, the voter-list findings per district, and the cheap
//! data version the refresher compares to know whether to recompute.

use jiff::Timestamp;
use posko_core::case::{CaseState, Decision};
use posko_core::report::SubjectCategory;
use posko_core::{Agency, RegionCode};

/// Cases of one region with one state, decision, referral and category, counted by the
/// database (merged duplicates are not counted: they live on in the case they joined).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseCount {
    pub region: RegionCode,
    pub state: CaseState,
    pub decision: Option<Decision>,
    pub referred_to: Option<Agency>,
    pub category: SubjectCategory,
    pub count: u64,
}

/// The precomputed figures of one region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardSnapshot {
    /// A region code, or [`NATIONAL`].
    pub region: String,
    pub computed_at: Timestamp,
    /// The data version the figures were computed from.
    pub fingerprint: String,
    /// `posko_core::dashboard::Figures` (and its children lines) as JSON.
    pub figures: String,
}

/// The snapshot key of the whole country.
pub const NATIONAL: &str = "nasional";

/// Voter-list findings of one district, from a posko-dpt summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DptFindings {
    pub election: String,
    pub district: RegionCode,
    pub findings: u64,
    pub imported_at: Timestamp,
}
