//! A case's legal clock, in one place for the console, the case page, the API and the deadline
//! alerts: the last day of the step it is in, counted under its election's regime from the day the
//! step began (day 0), and that day's end in the zone of the region where it happened.
//!
//! Handling runs from registration through the examination (UU 7/2017 Pasal 454(7)): its clock
//! starts when the case was registered, not when the examination began, and the extension that
//! the rule allows lengthens it once.

use jiff::civil::Date;
use jiff::Timestamp;
use posko_core::case::CaseState;
use posko_core::Zone;
use posko_store::StoredCase;

use crate::Posko;

/// Where a case stands against its current deadline.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseClock {
    /// Day 0 of the step, in the region's zone.
    pub began: Date,
    /// The last counted day.
    pub last_day: Date,
    /// The end of the last day: the deadline instant.
    pub deadline: Timestamp,
    pub zone: Zone,
    pub extended: bool,
}

impl CaseClock {
    /// Past the deadline at `now`.
    pub fn overdue(&self, now: Timestamp) -> bool {
        now > self.deadline
    }

    /// The deadline falls on today's date in the region's zone.
    pub fn due_today(&self, now: Timestamp) -> bool {
        now.to_zoned(self.zone.tz()).date() == self.last_day && !self.overdue(now)
    }

    /// The deadline is within `lead` of `now` and not yet past.
    pub fn due_within(&self, now: Timestamp, lead: jiff::SignedDuration) -> bool {
        !self.overdue(now) && self.deadline.duration_since(now) <= lead
    }

    /// The last day and the zone, as people read it: `16-01-2024 (WIB)`.
    pub fn shown(&self) -> String {
        format!(
            "{} ({})",
            self.last_day.strftime("%d-%m-%Y"),
            self.zone.abbreviation()
        )
    }
}

/// The clock of a case's current step; `None` when no legal period runs in it (decided and not
/// an election crime, referred, closed) or its election is unknown.
pub fn case_clock(posko: &Posko, c: &StoredCase) -> Option<CaseClock> {
    let zone = posko.atlas.zone(&c.region).unwrap_or(Zone::Wib);
    let election = posko.elections.get(&c.election)?;
    let since = match c.case.state {
        CaseState::Teregistrasi | CaseState::Pemeriksaan => {
            c.registered_at.unwrap_or(c.state_since)
        }
        _ => c.state_since,
    };
    let began = since.to_zoned(zone.tz()).date();
    let last_day =
        posko_core::case::step_deadline(election, &posko.holidays, &c.case, began, c.extended)?;
    Some(CaseClock {
        began,
        last_day,
        deadline: posko_core::calendar::end_of_day(last_day, zone),
        zone,
        extended: c.extended,
    })
}
