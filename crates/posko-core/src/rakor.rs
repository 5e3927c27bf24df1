//! Rakor Forkopimda (issue 9, part 3): the coordination meeting of a region's leaders — agenda,
//! attendance by agency, numbered decisions — and the follow-up actions (tindak lanjut) each
//! decision assigns to an agency with a due date. This module holds the rules with no I/O: what a
//! meeting record must contain, the follow-up state machine (`terbuka` → `dikerjakan` → `selesai`,
//! or `dibatalkan` with a reason), when an action is late (after the end of its due day in the
//! region's own zone, as logistics deadlines are), and the digest the next briefing shows.
//!
//! The representatives in the attendance list are officials acting in office (a Kapolres, a
//! Dandim), recorded by name and position as on the signed minutes; they are not citizens'
//! personal data, but they are still never written to a log.

use std::fmt;

use jiff::civil::{Date, Time};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::access::Agency;
use crate::region::RegionCode;
use crate::zone::Zone;

/// Longest free text of one agenda item, decision or action.
pub const MAX_TEXT: usize = 2_000;
/// Longest place, chair, name or position.
pub const MAX_LINE: usize = 200;
/// Most agenda items, attendees or decisions of one meeting.
pub const MAX_ITEMS: usize = 100;

/// Where a follow-up action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionState {
    /// Assigned, not yet started.
    Terbuka,
    /// The agency is working on it.
    Dikerjakan,
    /// Done.
    Selesai,
    /// Withdrawn by the coordinators, with a reason.
    Dibatalkan,
}

impl ActionState {
    pub const ALL: [ActionState; 4] = [
        ActionState::Terbuka,
        ActionState::Dikerjakan,
        ActionState::Selesai,
        ActionState::Dibatalkan,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionState::Terbuka => "terbuka",
            ActionState::Dikerjakan => "dikerjakan",
            ActionState::Selesai => "selesai",
            ActionState::Dibatalkan => "dibatalkan",
        }
    }

    pub fn parse(s: &str) -> Option<ActionState> {
        let t = s.trim().to_ascii_lowercase();
        ActionState::ALL.into_iter().find(|x| x.as_str() == t)
    }

    /// The state as people read it, Indonesian and English.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            ActionState::Terbuka => ("terbuka", "open"),
            ActionState::Dikerjakan => ("sedang dikerjakan", "in progress"),
            ActionState::Selesai => ("selesai", "done"),
            ActionState::Dibatalkan => ("dibatalkan", "cancelled"),
        }
    }

    /// Still to be done: open or in progress.
    pub fn is_open(self) -> bool {
        matches!(self, ActionState::Terbuka | ActionState::Dikerjakan)
    }

    /// The moves allowed from this state, by name.
    pub fn allowed(self) -> Vec<&'static str> {
        match self {
            ActionState::Terbuka => vec!["mulai", "selesai", "batalkan"],
            ActionState::Dikerjakan => vec!["selesai", "batalkan"],
            ActionState::Selesai | ActionState::Dibatalkan => vec![],
        }
    }
}

impl fmt::Display for ActionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A move of a follow-up action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionMove {
    /// The agency starts work (`terbuka` → `dikerjakan`).
    Mulai,
    /// The agency reports it done (from `terbuka` or `dikerjakan`).
    Selesai,
    /// The coordinators withdraw it; a reason is required.
    Batalkan { reason: String },
}

impl ActionMove {
    pub fn name(&self) -> &'static str {
        match self {
            ActionMove::Mulai => "mulai",
            ActionMove::Selesai => "selesai",
            ActionMove::Batalkan { .. } => "batalkan",
        }
    }

    /// Parses a move by name; `batalkan` takes its reason from `note`.
    pub fn parse(name: &str, note: &str) -> Option<ActionMove> {
        match name.trim() {
            "mulai" => Some(ActionMove::Mulai),
            "selesai" => Some(ActionMove::Selesai),
            "batalkan" => Some(ActionMove::Batalkan {
                reason: note.trim().to_string(),
            }),
            _ => None,
        }
    }
}

/// A refused move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoveError {
    #[error(
        "langkah '{action}' tidak boleh dari status '{from}'; yang boleh: {} \
         (action '{action}' is not allowed from '{from}'; allowed: {})",
        allowed_text(.allowed), allowed_text(.allowed)
    )]
    Illegal {
        from: ActionState,
        action: &'static str,
        allowed: Vec<&'static str>,
    },
    #[error("alasan pembatalan wajib diisi (a reason is required to cancel)")]
    ReasonRequired,
}

fn allowed_text(allowed: &[&'static str]) -> String {
    if allowed.is_empty() {
        "tidak ada (none)".into()
    } else {
        allowed.join(", ")
    }
}

/// Applies a move to an action's state, or refuses it.
pub fn apply(from: ActionState, mv: &ActionMove) -> Result<ActionState, MoveError> {
    if !from.allowed().contains(&mv.name()) {
        return Err(MoveError::Illegal {
            from,
            action: mv.name(),
            allowed: from.allowed(),
        });
    }
    Ok(match mv {
        ActionMove::Mulai => ActionState::Dikerjakan,
        ActionMove::Selesai => ActionState::Selesai,
        ActionMove::Batalkan { reason } => {
            if reason.trim().is_empty() {
                return Err(MoveError::ReasonRequired);
            }
            ActionState::Dibatalkan
        }
    })
}

/// The instant a due day ends in `zone`: midnight at its start of the next day there.
pub fn due_end(due: Date, zone: Zone) -> Option<Timestamp> {
    let next = due.tomorrow().ok()?;
    next.to_zoned(zone.tz()).ok().map(|z| z.timestamp())
}

/// Late: still open after the end of its due day in the region's zone.
pub fn is_late(state: ActionState, due: Date, zone: Zone, now: Timestamp) -> bool {
    state.is_open() && due_end(due, zone).is_some_and(|end| now >= end)
}

/// Which alert an open action calls for at `now`, given the lead time (`alert_lead_hours`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueAlert {
    /// The end of the due day is within the lead time.
    Near,
    /// The due day has ended.
    Late,
}

pub fn due_alert(
    state: ActionState,
    due: Date,
    zone: Zone,
    lead: SignedDuration,
    now: Timestamp,
) -> Option<DueAlert> {
    if !state.is_open() {
        return None;
    }
    let end = due_end(due, zone)?;
    if now >= end {
        Some(DueAlert::Late)
    } else if now >= end - lead {
        Some(DueAlert::Near)
    } else {
        None
    }
}

/// An agency's representative at a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    pub agency: Agency,
    /// As signed on the attendance list.
    pub representative: String,
    pub position: String,
}

/// A meeting as entered, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingDraft {
    pub region: RegionCode,
    /// Local date and time in the region's zone.
    pub date: Date,
    pub time: Time,
    pub place: String,
    pub chair: String,
    pub agenda: Vec<String>,
    pub attendance: Vec<Attendance>,
}

/// Why a meeting, decision or action cannot be recorded: the field and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("{field}: wajib diisi ({field_en}: required)")]
    Required {
        field: &'static str,
        field_en: &'static str,
    },
    #[error("{field}: paling banyak {max} karakter ({field_en}: at most {max} characters)")]
    TooLong {
        field: &'static str,
        field_en: &'static str,
        max: usize,
    },
    #[error("{field}: paling banyak {max} butir ({field_en}: at most {max} items)")]
    TooMany {
        field: &'static str,
        field_en: &'static str,
        max: usize,
    },
    #[error("kehadiran: instansi {0} tercatat dua kali (attendance: agency listed twice)")]
    AgencyTwice(&'static str),
    #[error("tenggat {due} sebelum tanggal rapat {held} (due date is before the meeting's date)")]
    DueBeforeMeeting { due: Date, held: Date },
}

fn text(
    value: &str,
    field: &'static str,
    field_en: &'static str,
    max: usize,
) -> Result<String, RecordError> {
    let t = value.trim();
    if t.is_empty() {
        return Err(RecordError::Required { field, field_en });
    }
    if t.chars().count() > max {
        return Err(RecordError::TooLong {
            field,
            field_en,
            max,
        });
    }
    Ok(t.to_string())
}

impl MeetingDraft {
    /// The draft trimmed and checked: place and chair required, every agenda item and attendee
    /// filled, each agency listed once.
    pub fn checked(&self) -> Result<MeetingDraft, RecordError> {
        let place = text(&self.place, "tempat", "place", MAX_LINE)?;
        let chair = text(&self.chair, "pimpinan rapat", "chair", MAX_LINE)?;
        if self.agenda.len() > MAX_ITEMS {
            return Err(RecordError::TooMany {
                field: "agenda",
                field_en: "agenda",
                max: MAX_ITEMS,
            });
        }
        if self.attendance.len() > MAX_ITEMS {
            return Err(RecordError::TooMany {
                field: "kehadiran",
                field_en: "attendance",
                max: MAX_ITEMS,
            });
        }
        let agenda = self
            .agenda
            .iter()
            .filter(|a| !a.trim().is_empty())
            .map(|a| text(a, "agenda", "agenda", MAX_TEXT))
            .collect::<Result<Vec<_>, _>>()?;
        let mut attendance = Vec::with_capacity(self.attendance.len());
        for a in &self.attendance {
            if attendance.iter().any(|b: &Attendance| b.agency == a.agency) {
                return Err(RecordError::AgencyTwice(a.agency.label()));
            }
            attendance.push(Attendance {
                agency: a.agency,
                representative: text(
                    &a.representative,
                    "nama perwakilan",
                    "representative's name",
                    MAX_LINE,
                )?,
                position: text(&a.position, "jabatan", "position", MAX_LINE)?,
            });
        }
        Ok(MeetingDraft {
            region: self.region,
            date: self.date,
            time: self.time,
            place,
            chair,
            agenda,
            attendance,
        })
    }

    /// The meeting's instant: its local date and time in the region's zone.
    pub fn held_at(&self, zone: Zone) -> Option<Timestamp> {
        self.date
            .to_datetime(self.time)
            .to_zoned(zone.tz())
            .ok()
            .map(|z| z.timestamp())
    }
}

/// A decision's text, checked.
pub fn check_decision(text_in: &str) -> Result<String, RecordError> {
    text(text_in, "keputusan", "decision", MAX_TEXT)
}

/// An action's description and due date, checked against the meeting's date.
pub fn check_action(description: &str, due: Date, held: Date) -> Result<String, RecordError> {
    let d = text(description, "uraian tindak lanjut", "action", MAX_TEXT)?;
    if due < held {
        return Err(RecordError::DueBeforeMeeting { due, held });
    }
    Ok(d)
}

/// A follow-up action as the rules and the digest see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUp {
    pub id: i64,
    pub meeting_id: i64,
    /// The decision's number within its meeting.
    pub decision: u32,
    pub region: RegionCode,
    pub agency: Agency,
    pub description: String,
    pub due: Date,
    pub state: ActionState,
    pub created_at: Timestamp,
    /// When it was marked done or cancelled.
    pub closed_at: Option<Timestamp>,
}

/// What the next briefing says about follow-ups: done since the previous meeting, still open and
/// not yet late, and late (open after the end of the due day). `open` and `late` do not overlap;
/// both are in due-date order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowUpDigest {
    pub since: Option<Timestamp>,
    pub at: Timestamp,
    pub done: Vec<FollowUp>,
    pub open: Vec<FollowUp>,
    pub late: Vec<FollowUp>,
    /// Cancelled since the previous meeting.
    pub cancelled: Vec<FollowUp>,
    pub counts: DigestCounts,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DigestCounts {
    pub done: usize,
    pub open: usize,
    pub late: usize,
    pub cancelled: usize,
}

/// Sorts actions into the digest at `now`; `zone_of` gives each action's region its zone (a
/// national digest spans three). Done and cancelled ones count when they were closed at or after
/// `since` (all of them when there was no previous meeting) and not after `now`.
pub fn digest(
    actions: &[FollowUp],
    since: Option<Timestamp>,
    now: Timestamp,
    zone_of: impl Fn(&RegionCode) -> Zone,
) -> FollowUpDigest {
    let closed_in_window = |a: &FollowUp| {
        a.closed_at
            .is_some_and(|t| since.is_none_or(|s| t >= s) && t <= now)
    };
    let mut d = FollowUpDigest {
        since,
        at: now,
        done: Vec::new(),
        open: Vec::new(),
        late: Vec::new(),
        cancelled: Vec::new(),
        counts: DigestCounts::default(),
    };
    for a in actions {
        match a.state {
            ActionState::Selesai if closed_in_window(a) => d.done.push(a.clone()),
            ActionState::Dibatalkan if closed_in_window(a) => d.cancelled.push(a.clone()),
            s if s.is_open() => {
                if is_late(s, a.due, zone_of(&a.region), now) {
                    d.late.push(a.clone())
                } else {
                    d.open.push(a.clone())
                }
            }
            _ => {}
        }
    }
    for list in [&mut d.done, &mut d.open, &mut d.late, &mut d.cancelled] {
        list.sort_by_key(|a| (a.due, a.id));
    }
    d.counts = DigestCounts {
        done: d.done.len(),
        open: d.open.len(),
        late: d.late.len(),
        cancelled: d.cancelled.len(),
    };
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_state_machine_moves_and_refuses() {
        use ActionState::*;
        assert_eq!(apply(Terbuka, &ActionMove::Mulai), Ok(Dikerjakan));
        assert_eq!(apply(Dikerjakan, &ActionMove::Selesai), Ok(Selesai));
        assert_eq!(apply(Terbuka, &ActionMove::Selesai), Ok(Selesai));
        let cancel = |r: &str| ActionMove::Batalkan { reason: r.into() };
        assert_eq!(apply(Dikerjakan, &cancel("Digabung")), Ok(Dibatalkan));
        assert_eq!(
            apply(Terbuka, &cancel("  ")),
            Err(MoveError::ReasonRequired)
        );
        // Terminal states refuse everything, naming what is allowed (nothing).
        for s in [Selesai, Dibatalkan] {
            for mv in [ActionMove::Mulai, ActionMove::Selesai, cancel("x")] {
                let e = apply(s, &mv).unwrap_err();
                let text = e.to_string();
                assert!(
                    text.contains("tidak boleh") && text.contains("not allowed"),
                    "{text}"
                );
                assert!(text.contains("tidak ada (none)"), "{text}");
            }
        }
        let e = apply(Dikerjakan, &ActionMove::Mulai).unwrap_err();
        assert_eq!(
            e,
            MoveError::Illegal {
                from: Dikerjakan,
                action: "mulai",
                allowed: vec!["selesai", "batalkan"]
            }
        );
        for s in ActionState::ALL {
            assert_eq!(ActionState::parse(s.as_str()), Some(s));
        }
        assert_eq!(ActionMove::parse("rusak", ""), None);
    }

    #[test]
    fn late_only_after_the_end_of_the_due_day_in_each_zone() {
        let due = jiff::civil::date(2024, 2, 10);
        // The due day ends at local midnight: 17:00 UTC for WIB, 16:00 WITA, 15:00 WIT.
        for (zone, end) in [
            (Zone::Wib, "2024-02-10T17:00:00Z"),
            (Zone::Wita, "2024-02-10T16:00:00Z"),
            (Zone::Wit, "2024-02-10T15:00:00Z"),
        ] {
            let end = ts(end);
            assert_eq!(due_end(due, zone), Some(end), "{zone:?}");
            let before = end - SignedDuration::from_secs(1);
            assert!(!is_late(ActionState::Terbuka, due, zone, before));
            assert!(is_late(ActionState::Terbuka, due, zone, end));
            assert!(is_late(ActionState::Dikerjakan, due, zone, end));
            assert!(!is_late(ActionState::Selesai, due, zone, end));
            assert!(!is_late(ActionState::Dibatalkan, due, zone, end));
        }
    }

    #[test]
    fn alerts_near_within_the_lead_then_late() {
        let due = jiff::civil::date(2024, 2, 10);
        let lead = SignedDuration::from_hours(24);
        let end = ts("2024-02-10T17:00:00Z");
        let at = |t: Timestamp| due_alert(ActionState::Terbuka, due, Zone::Wib, lead, t);
        assert_eq!(at(end - lead - SignedDuration::from_mins(1)), None);
        assert_eq!(at(end - lead), Some(DueAlert::Near));
        assert_eq!(at(end - SignedDuration::from_mins(1)), Some(DueAlert::Near));
        assert_eq!(at(end), Some(DueAlert::Late));
        assert_eq!(
            due_alert(ActionState::Selesai, due, Zone::Wib, lead, end),
            None
        );
    }

    fn draft() -> MeetingDraft {
        MeetingDraft {
            region: RegionCode::parse("33.20").unwrap(),
            date: jiff::civil::date(2024, 2, 1),
            time: jiff::civil::time(9, 30, 0, 0),
            place: " Pendopo Kabupaten ".into(),
            chair: "Pj Bupati".into(),
            agenda: vec!["Kesiapan logistik".into(), "  ".into()],
            attendance: vec![Attendance {
                agency: Agency::Polri,
                representative: "AKBP Contoh".into(),
                position: "Kapolres".into(),
            }],
        }
    }

    #[test]
    fn meeting_records_are_checked_field_by_field() {
        let ok = draft().checked().unwrap();
        assert_eq!(ok.place, "Pendopo Kabupaten");
        assert_eq!(ok.agenda, vec!["Kesiapan logistik".to_string()]);
        assert_eq!(
            ok.held_at(Zone::Wib),
            Some(ts("2024-02-01T02:30:00Z")),
            "09:30 WIB"
        );
        let mut d = draft();
        d.place = " ".into();
        let e = d.checked().unwrap_err().to_string();
        assert!(
            e.starts_with("tempat: wajib diisi") && e.contains("place"),
            "{e}"
        );
        let mut d = draft();
        d.attendance.push(d.attendance[0].clone());
        assert!(matches!(d.checked(), Err(RecordError::AgencyTwice(_))));
        let mut d = draft();
        d.attendance[0].position = String::new();
        assert!(d.checked().unwrap_err().to_string().contains("jabatan"));
        let held = jiff::civil::date(2024, 2, 1);
        assert!(
            check_action("Patroli", jiff::civil::date(2024, 1, 31), held)
                .unwrap_err()
                .to_string()
                .contains("tenggat 2024-01-31")
        );
        assert_eq!(check_action(" Patroli ", held, held).unwrap(), "Patroli");
        assert!(check_decision(&"x".repeat(MAX_TEXT + 1)).is_err());
    }

    fn action(id: i64, due: Date, state: ActionState, closed: Option<&str>) -> FollowUp {
        FollowUp {
            id,
            meeting_id: 1,
            decision: 1,
            region: RegionCode::parse("33.20").unwrap(),
            agency: Agency::Polri,
            description: format!("aksi {id}"),
            due,
            state,
            created_at: ts("2024-01-01T00:00:00Z"),
            closed_at: closed.map(ts),
        }
    }

    #[test]
    fn the_digest_by_hand() {
        use ActionState::*;
        let d = |day| jiff::civil::date(2024, 2, day);
        let actions = vec![
            action(1, d(5), Selesai, Some("2024-02-04T03:00:00Z")), // done since
            action(2, d(5), Selesai, Some("2024-01-20T03:00:00Z")), // done before: not listed
            action(3, d(20), Terbuka, None),                        // open
            action(4, d(8), Dikerjakan, None),                      // late
            action(5, d(9), Dibatalkan, Some("2024-02-03T00:00:00Z")), // cancelled since
        ];
        let since = Some(ts("2024-02-01T00:00:00Z"));
        let g = digest(&actions, since, ts("2024-02-10T00:00:00Z"), |_| Zone::Wib);
        let ids = |v: &[FollowUp]| v.iter().map(|a| a.id).collect::<Vec<_>>();
        assert_eq!(ids(&g.done), vec![1]);
        assert_eq!(ids(&g.open), vec![3]);
        assert_eq!(ids(&g.late), vec![4]);
        assert_eq!(ids(&g.cancelled), vec![5]);
        assert_eq!(
            g.counts,
            DigestCounts {
                done: 1,
                open: 1,
                late: 1,
                cancelled: 1
            }
        );
        // With no previous meeting, everything done counts.
        let all = digest(&actions, None, ts("2024-02-10T00:00:00Z"), |_| Zone::Wib);
        assert_eq!(ids(&all.done), vec![1, 2]);
    }

    fn state() -> impl Strategy<Value = ActionState> {
        prop::sample::select(ActionState::ALL.to_vec())
    }

    proptest! {
        /// Any sequence of moves keeps the machine in its graph: terminal states stay terminal,
        /// nothing goes back to `terbuka`, and a refused move names only allowed moves.
        #[test]
        fn no_sequence_of_moves_escapes_the_graph(
            moves in prop::collection::vec((0u8..3, any::<bool>()), 0..12)
        ) {
            let mut s = ActionState::Terbuka;
            for (m, reason) in moves {
                let mv = match m {
                    0 => ActionMove::Mulai,
                    1 => ActionMove::Selesai,
                    _ => ActionMove::Batalkan { reason: if reason { "alasan".into() } else { String::new() } },
                };
                match apply(s, &mv) {
                    Ok(next) => {
                        prop_assert!(s.is_open());
                        prop_assert_ne!(next, ActionState::Terbuka);
                        s = next;
                    }
                    Err(MoveError::Illegal { allowed, .. }) => {
                        prop_assert_eq!(allowed, s.allowed());
                        prop_assert!(!s.allowed().contains(&mv.name()));
                    }
                    Err(MoveError::ReasonRequired) => prop_assert!(!reason),
                }
            }
        }

        /// The digest's lists partition the actions it lists: every open action is open or
        /// late (never both), the counts equal the lists' lengths, and late ones are exactly
        /// those open past the end of their due day.
        #[test]
        fn the_digest_partitions_and_counts(
            rows in prop::collection::vec((1i8..28, state(), 0i64..40), 0..40),
            now_day in 1i8..28,
        ) {
            let actions: Vec<FollowUp> = rows.iter().enumerate().map(|(i, (day, st, closed))| {
                let closed_at = (!st.is_open()).then(|| {
                    ts("2024-02-01T00:00:00Z") + SignedDuration::from_hours(*closed * 12)
                });
                FollowUp { closed_at, ..action(i as i64, jiff::civil::date(2024, 2, *day), *st, None) }
            }).collect();
            let now = jiff::civil::date(2024, 2, now_day).to_zoned(Zone::Wita.tz()).unwrap().timestamp();
            let since_at = ts("2024-02-05T00:00:00Z");
            let g = digest(&actions, Some(since_at), now, |_| Zone::Wita);
            let open = actions.iter().filter(|a| a.state.is_open()).count();
            prop_assert_eq!(g.counts.open + g.counts.late, open);
            prop_assert_eq!(g.counts.done, g.done.len());
            prop_assert_eq!(g.counts.late, g.late.len());
            for a in &g.late {
                prop_assert!(now >= due_end(a.due, Zone::Wita).unwrap());
            }
            for a in &g.open {
                prop_assert!(now < due_end(a.due, Zone::Wita).unwrap());
            }
            for a in g.done.iter().chain(&g.cancelled) {
                let t = a.closed_at.unwrap();
                prop_assert!(t >= since_at && t <= now);
            }
        }
    }
}
