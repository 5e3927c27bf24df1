//! What the rakor capability keeps: coordination meetings of a region (agenda, attendance by
//! agency, numbered decisions) and the follow-up actions assigned to agencies, each with the
//! history of its moves (who, when, from what to what, with a note).

use jiff::Timestamp;
use posko_core::rakor::{ActionState, Attendance, FollowUp};
use posko_core::{Agency, RegionCode};

use crate::{StoreError, StoreResult};

/// A meeting to record, already checked by `posko_core::rakor::MeetingDraft::checked`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMeeting {
    pub region: RegionCode,
    pub held_at: Timestamp,
    pub place: String,
    pub chair: String,
    pub agenda: Vec<String>,
    pub attendance: Vec<Attendance>,
    pub created_by: Option<i64>,
    pub created_at: Timestamp,
}

/// A meeting in a list.
#[derive(Debug, Clone, PartialEq)]
pub struct MeetingSummary {
    pub id: i64,
    pub region: RegionCode,
    pub held_at: Timestamp,
    pub place: String,
    pub chair: String,
    pub decisions: u32,
    pub actions: u32,
    pub open_actions: u32,
}

/// A decision of a meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct MeetingDecision {
    pub number: u32,
    pub text: String,
}

/// A whole meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct Meeting {
    pub id: i64,
    pub region: RegionCode,
    pub held_at: Timestamp,
    pub place: String,
    pub chair: String,
    pub agenda: Vec<String>,
    pub attendance: Vec<Attendance>,
    pub decisions: Vec<MeetingDecision>,
    pub created_at: Timestamp,
}

/// A follow-up action to record under a meeting's decision.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFollowUp {
    pub meeting_id: i64,
    pub decision: u32,
    pub agency: Agency,
    pub description: String,
    pub due: jiff::civil::Date,
    pub created_by: Option<i64>,
    pub created_at: Timestamp,
}

/// Which follow-up actions to list: each field narrows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FollowUpFilter {
    /// Actions of meetings whose region lies inside this one.
    pub within: Option<RegionCode>,
    pub agency: Option<Agency>,
    pub meeting: Option<i64>,
    /// Only `terbuka` and `dikerjakan`.
    pub open_only: bool,
}

/// A move of a follow-up action to record: applied only if the action is still in `from`.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpMove {
    pub action_id: i64,
    pub from: ActionState,
    pub to: ActionState,
    pub note: String,
    pub by: Option<i64>,
    pub at: Timestamp,
}

/// One recorded move, with the officer's display name.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpEvent {
    pub from: ActionState,
    pub to: ActionState,
    pub note: String,
    pub by: Option<i64>,
    pub by_name: Option<String>,
    pub at: Timestamp,
}

pub fn action_state(s: &str) -> StoreResult<ActionState> {
    ActionState::parse(s).ok_or_else(|| StoreError::Corrupt(format!("status tindak lanjut '{s}'")))
}

pub fn agency(s: &str) -> StoreResult<Agency> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("instansi '{s}'")))
}

/// A follow-up row back into the domain type.
#[allow(clippy::too_many_arguments)]
pub fn follow_up(
    id: i64,
    meeting_id: i64,
    decision: i64,
    region: &str,
    agency_text: &str,
    description: String,
    due: &str,
    state: &str,
    created_at: i64,
    closed_at: Option<i64>,
) -> StoreResult<FollowUp> {
    Ok(FollowUp {
        id,
        meeting_id,
        decision: u32::try_from(decision)
            .map_err(|_| StoreError::Corrupt(format!("keputusan nomor {decision}")))?,
        region: crate::decode::region(region)?,
        agency: agency(agency_text)?,
        description,
        due: crate::decode::date(due)?,
        state: action_state(state)?,
        created_at: crate::decode::timestamp(created_at)?,
        closed_at: closed_at.map(crate::decode::timestamp).transpose()?,
    })
}

/// The columns `follow_up` reads, in its order.
pub const FOLLOW_UP_COLUMNS: &str = "a.id, a.meeting_id, a.decision, m.region, a.agency, \
     a.description, a.due_date, a.state, a.created_at, a.closed_at";
