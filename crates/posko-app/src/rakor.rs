//! Rakor Forkopimda and its follow-up actions (issue 9, part 3), over any store: the region's
//! coordinators (koordinator; admin) record meetings, decisions and actions and see them all; an
//! agency's officers (penindak, petugas piket of that agency) see only the actions assigned to
//! their agency in their region, and mark them in progress or done; the deadline alerts tell the
//! agency when an action's due day nears and when it has passed; the digest tells the next
//! briefing what was done since the previous meeting, what is still open and what is late.
//! The rules themselves (states, lateness, checks) are in `posko_core::rakor`; every change is in
//! the audit chain, without the representatives' names.

use jiff::{SignedDuration, Timestamp};
use posko_core::rakor::{
    self as core_rakor, ActionMove, ActionState, DueAlert, FollowUp, FollowUpDigest, MeetingDraft,
    MoveError, RecordError,
};
use posko_core::{Agency, RegionCode, Role, Zone};
use posko_store::{
    FollowUpEvent, FollowUpFilter, FollowUpMove, Meeting, MeetingSummary, NewAuditEntry,
    NewFollowUp, NewMeeting, StoreError, User,
};

use crate::notify::{raise, Audience, Notice, NoticeKind};
use crate::Posko;

/// Most meetings a list shows.
pub const MEETINGS_LISTED: u32 = 200;

/// Why a rakor request was refused.
#[derive(Debug, thiserror::Error)]
pub enum RakorError {
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error(transparent)]
    Move(#[from] MoveError),
    #[error("tidak berwenang untuk rapat atau tindak lanjut ini (not allowed for this meeting or action)")]
    Forbidden,
    #[error("rapat, keputusan atau tindak lanjut tidak ditemukan (meeting, decision or action not found)")]
    NotFound,
    #[error("wilayah '{0}' tidak dikenal (unknown region)")]
    Region(String),
    #[error("tindak lanjut baru saja diubah orang lain; muat ulang halaman (the action was just changed by someone else; reload the page)")]
    Raced,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for RakorError {
    fn from(e: StoreError) -> RakorError {
        match e {
            StoreError::NotFound(_) => RakorError::NotFound,
            other => RakorError::Store(other),
        }
    }
}

/// The region's coordinators: an admin, or a koordinator whose region holds it.
pub fn organises(u: &User, region: &RegionCode) -> bool {
    u.active
        && matches!(u.role, Role::Admin | Role::Koordinator)
        && u.region.is_none_or(|r| r.contains(region))
}

/// An officer of the agency an action is assigned to, in a region that holds the action's.
pub fn acts_for(u: &User, agency: Agency, region: &RegionCode) -> bool {
    u.active
        && matches!(u.role, Role::Penindak | Role::PetugasPiket)
        && u.agency == Some(agency)
        && u.region.is_none_or(|r| r.contains(region))
}

/// Whether `u` may see this action (and so the console lists it).
pub fn sees(u: &User, a: &FollowUp) -> bool {
    organises(u, &a.region) || acts_for(u, a.agency, &a.region)
}

fn zone(posko: &Posko, region: &RegionCode) -> Zone {
    posko.atlas.zone(region).unwrap_or(Zone::Wib)
}

async fn audit(
    posko: &Posko,
    at: Timestamp,
    actor: i64,
    action: &str,
    subject: String,
    detail: String,
) -> Result<(), RakorError> {
    posko
        .store
        .append_audit(&NewAuditEntry {
            at,
            actor: Some(actor),
            action: action.into(),
            subject,
            detail,
        })
        .await?;
    Ok(())
}

/// Records a meeting for a region the officer coordinates.
pub async fn create_meeting(
    posko: &Posko,
    me: &User,
    draft: &MeetingDraft,
    now: Timestamp,
) -> Result<i64, RakorError> {
    if !posko.atlas.contains(&draft.region) {
        return Err(RakorError::Region(draft.region.to_string()));
    }
    if !organises(me, &draft.region) {
        return Err(RakorError::Forbidden);
    }
    let d = draft.checked()?;
    let held_at = d
        .held_at(zone(posko, &d.region))
        .ok_or(RecordError::Required {
            field: "tanggal dan jam",
            field_en: "date and time",
        })?;
    let id = posko
        .store
        .create_meeting(&NewMeeting {
            region: d.region,
            held_at,
            place: d.place,
            chair: d.chair,
            agenda: d.agenda,
            attendance: d.attendance.clone(),
            created_by: Some(me.id),
            created_at: now,
        })
        .await?;
    let agencies: Vec<&str> = d.attendance.iter().map(|a| a.agency.as_str()).collect();
    audit(
        posko,
        now,
        me.id,
        "rakor_meeting_created",
        format!("rakor:{id}"),
        format!("{} hadir: {}", d.region, agencies.join(",")),
    )
    .await?;
    Ok(id)
}

/// The meetings of regions inside `within`, newest first, for its coordinators.
pub async fn meetings(
    posko: &Posko,
    me: &User,
    within: &RegionCode,
) -> Result<Vec<MeetingSummary>, RakorError> {
    if !organises(me, within) {
        return Err(RakorError::Forbidden);
    }
    Ok(posko.store.meetings(within, MEETINGS_LISTED).await?)
}

/// A meeting whole, with its actions, for the region's coordinators.
pub async fn meeting(
    posko: &Posko,
    me: &User,
    id: i64,
) -> Result<(Meeting, Vec<FollowUp>), RakorError> {
    let m = posko.store.meeting(id).await?.ok_or(RakorError::NotFound)?;
    if !organises(me, &m.region) {
        return Err(RakorError::Forbidden);
    }
    let actions = posko
        .store
        .follow_ups(&FollowUpFilter {
            meeting: Some(id),
            ..FollowUpFilter::default()
        })
        .await?;
    Ok((m, actions))
}

/// Adds the meeting's next decision; returns its number.
pub async fn add_decision(
    posko: &Posko,
    me: &User,
    meeting_id: i64,
    text: &str,
    now: Timestamp,
) -> Result<u32, RakorError> {
    let m = posko
        .store
        .meeting(meeting_id)
        .await?
        .ok_or(RakorError::NotFound)?;
    if !organises(me, &m.region) {
        return Err(RakorError::Forbidden);
    }
    let text = core_rakor::check_decision(text)?;
    let n = posko.store.add_decision(meeting_id, &text, now).await?;
    audit(
        posko,
        now,
        me.id,
        "rakor_decision_added",
        format!("rakor:{meeting_id}"),
        format!("keputusan {n}"),
    )
    .await?;
    Ok(n)
}

/// What a coordinator assigns under a decision.
#[derive(Debug, Clone)]
pub struct ActionRequest {
    pub meeting_id: i64,
    pub decision: u32,
    pub agency: Agency,
    pub description: String,
    pub due: jiff::civil::Date,
}

/// Assigns a follow-up action to an agency under one of the meeting's decisions; its due date is
/// not before the meeting's day in the region's zone.
pub async fn add_action(
    posko: &Posko,
    me: &User,
    req: &ActionRequest,
    now: Timestamp,
) -> Result<i64, RakorError> {
    let m = posko
        .store
        .meeting(req.meeting_id)
        .await?
        .ok_or(RakorError::NotFound)?;
    if !organises(me, &m.region) {
        return Err(RakorError::Forbidden);
    }
    let held = m.held_at.to_zoned(zone(posko, &m.region).tz()).date();
    let description = core_rakor::check_action(&req.description, req.due, held)?;
    let id = posko
        .store
        .add_follow_up(&NewFollowUp {
            meeting_id: req.meeting_id,
            decision: req.decision,
            agency: req.agency,
            description,
            due: req.due,
            created_by: Some(me.id),
            created_at: now,
        })
        .await?;
    audit(
        posko,
        now,
        me.id,
        "rakor_action_assigned",
        format!("tindak_lanjut:{id}"),
        format!(
            "rakor:{} keputusan {} -> {} tenggat {}",
            req.meeting_id,
            req.decision,
            req.agency.as_str(),
            req.due
        ),
    )
    .await?;
    Ok(id)
}

/// The actions an officer sees: a coordinator, all of the region's; an agency's officer, only
/// those assigned to the agency in the officer's region; anyone else, nothing (refused).
pub async fn console(
    posko: &Posko,
    me: &User,
    open_only: bool,
) -> Result<Vec<FollowUp>, RakorError> {
    let filter = match me.role {
        Role::Admin | Role::Koordinator => FollowUpFilter {
            within: me.region,
            open_only,
            ..FollowUpFilter::default()
        },
        Role::Penindak | Role::PetugasPiket => FollowUpFilter {
            within: me.region,
            agency: Some(me.agency.ok_or(RakorError::Forbidden)?),
            open_only,
            ..FollowUpFilter::default()
        },
        _ => return Err(RakorError::Forbidden),
    };
    let all = posko.store.follow_ups(&filter).await?;
    // The filter already narrows; `sees` is the rule, checked row by row all the same.
    Ok(all.into_iter().filter(|a| sees(me, a)).collect())
}

/// One action and its history, for those who see it.
pub async fn action(
    posko: &Posko,
    me: &User,
    id: i64,
) -> Result<(FollowUp, Vec<FollowUpEvent>), RakorError> {
    let a = posko
        .store
        .follow_up(id)
        .await?
        .ok_or(RakorError::NotFound)?;
    if !sees(me, &a) {
        return Err(RakorError::Forbidden);
    }
    let events = posko.store.follow_up_events(id).await?;
    Ok((a, events))
}

/// Moves an action: its agency's officers (and the coordinators) start it and mark it done with
/// a note; only the coordinators cancel it, with a reason. Returns the new state.
pub async fn move_action(
    posko: &Posko,
    me: &User,
    id: i64,
    mv: &ActionMove,
    note: &str,
    now: Timestamp,
) -> Result<ActionState, RakorError> {
    let a = posko
        .store
        .follow_up(id)
        .await?
        .ok_or(RakorError::NotFound)?;
    let coordinator = organises(me, &a.region);
    let allowed = match mv {
        ActionMove::Batalkan { .. } => coordinator,
        ActionMove::Mulai | ActionMove::Selesai => coordinator || acts_for(me, a.agency, &a.region),
    };
    if !allowed {
        return Err(RakorError::Forbidden);
    }
    let next = core_rakor::apply(a.state, mv)?;
    let note = note.trim();
    if next == ActionState::Selesai && note.is_empty() {
        return Err(RecordError::Required {
            field: "catatan",
            field_en: "note",
        }
        .into());
    }
    if note.chars().count() > core_rakor::MAX_TEXT {
        return Err(RecordError::TooLong {
            field: "catatan",
            field_en: "note",
            max: core_rakor::MAX_TEXT,
        }
        .into());
    }
    let moved = posko
        .store
        .move_follow_up(&FollowUpMove {
            action_id: id,
            from: a.state,
            to: next,
            note: note.to_string(),
            by: Some(me.id),
            at: now,
        })
        .await?;
    if !moved {
        return Err(RakorError::Raced);
    }
    audit(
        posko,
        now,
        me.id,
        "rakor_action_moved",
        format!("tindak_lanjut:{id}"),
        format!("{} -> {}", a.state.as_str(), next.as_str()),
    )
    .await?;
    Ok(next)
}

/// The follow-up digest of a region for a briefing at `now`: done (and cancelled) since `since`,
/// still open, and late. No authorisation here: the briefing's caller checks its reader.
pub async fn follow_up_digest(
    posko: &Posko,
    region: &RegionCode,
    since: Option<Timestamp>,
    now: Timestamp,
) -> Result<FollowUpDigest, StoreError> {
    let actions = posko
        .store
        .follow_ups(&FollowUpFilter {
            within: Some(*region),
            ..FollowUpFilter::default()
        })
        .await?;
    Ok(core_rakor::digest(&actions, since, now, |r| zone(posko, r)))
}

/// When the region's last meeting held at or before `now` took place: the `since` of the next
/// briefing's digest.
pub async fn previous_meeting(
    posko: &Posko,
    region: &RegionCode,
    now: Timestamp,
) -> Result<Option<Timestamp>, StoreError> {
    let list = posko.store.meetings(region, MEETINGS_LISTED).await?;
    Ok(list.iter().map(|m| m.held_at).filter(|t| *t <= now).max())
}

impl Posko {
    /// The follow-up digest for the next briefing of `region`: since the previous meeting held
    /// at or before `now` (everything when there was none).
    pub async fn follow_up_digest(
        &self,
        region: &RegionCode,
        now: Timestamp,
    ) -> Result<FollowUpDigest, StoreError> {
        let since = previous_meeting(self, region, now).await?;
        follow_up_digest(self, region, since, now).await
    }
}

/// What one alert scan raised.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanReport {
    pub near: usize,
    pub late: usize,
}

/// Raises the follow-up alerts due at `now`, for the post's region (every province when it has
/// none): to the agency's officers once when the end of the due day is within the lead time
/// (`alert_lead_hours`), and once when it has passed (then also to the coordinators). Each alert
/// carries a key naming the action and its due day, so it is raised once however often the scan
/// runs and on however many servers.
pub async fn scan(posko: &Posko, now: Timestamp) -> Result<ScanReport, StoreError> {
    let lead = SignedDuration::from_hours(i64::from(posko.config.alert_lead_hours));
    let mut report = ScanReport::default();
    for region in posko.scan_regions() {
        let open = posko
            .store
            .follow_ups(&FollowUpFilter {
                within: Some(region),
                open_only: true,
                ..FollowUpFilter::default()
            })
            .await?;
        for a in open {
            let z = zone(posko, &a.region);
            let Some(alert) = core_rakor::due_alert(a.state, a.due, z, lead, now) else {
                continue;
            };
            let due = format!("{} 24:00 {}", a.due, z.abbreviation());
            let (kind, key, id, en) = match alert {
                DueAlert::Near => (
                    NoticeKind::TindakLanjutJatuhTempo,
                    "rakor-tenggat",
                    format!(
                        "Tindak lanjut rakor jatuh tempo: \"{}\" ({}) harus selesai paling lambat {due}.",
                        a.description,
                        a.agency.label()
                    ),
                    format!(
                        "Rakor follow-up due: \"{}\" ({}) must be done by {due}.",
                        a.description,
                        a.agency.label()
                    ),
                ),
                DueAlert::Late => (
                    NoticeKind::TindakLanjutTerlambat,
                    "rakor-terlambat",
                    format!(
                        "Tindak lanjut rakor terlambat: \"{}\" ({}) belum selesai; tenggat {due}.",
                        a.description,
                        a.agency.label()
                    ),
                    format!(
                        "Rakor follow-up late: \"{}\" ({}) is not done; it was due {due}.",
                        a.description,
                        a.agency.label()
                    ),
                ),
            };
            let mut audiences = vec![("instansi", Audience::AgencyOfficers(a.agency, a.region))];
            if alert == DueAlert::Late {
                audiences.push(("koordinator", Audience::Coordinators(a.region)));
            }
            let mut raised = false;
            for (suffix, audience) in audiences {
                let notice = Notice {
                    kind,
                    audience,
                    case: None,
                    message_id: id.clone(),
                    message_en: en.clone(),
                    dedupe_key: Some(format!("{key}:{}:{}:{suffix}", a.id, a.due)),
                };
                raised |= raise(posko.store.as_ref(), &notice, now).await?;
            }
            if raised {
                match alert {
                    DueAlert::Near => report.near += 1,
                    DueAlert::Late => report.late += 1,
                }
            }
        }
    }
    Ok(report)
}
