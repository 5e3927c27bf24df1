//! The duty roster (piket harian): which officer of which agency is on duty when, who is on
//! duty now, and the note each shift leaves for the next. Times are entered and shown in the
//! post's own zone (its region's WIB, WITA or WIT); shifts may run past midnight.

use jiff::civil::{Date, Time, Weekday};
use jiff::{Timestamp, ToSpan};
use posko_core::{Agency, Role, Zone};
use posko_store::{Handover, NewAuditEntry, NewHandover, NewShift, Shift, Store, StoreError, User};

/// The longest shift the roster accepts.
const MAX_SHIFT_HOURS: i64 = 24;

#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error("hanya admin atau koordinator yang menyusun jadwal piket (only an admin or coordinator plans the roster)")]
    Forbidden,
    #[error("petugas tidak ditemukan atau bukan petugas posko yang aktif (no such active officer of the post)")]
    NoSuchOfficer,
    #[error("petugas {officer} berasal dari {their}, bukan {asked} (the officer belongs to another agency)")]
    WrongAgency {
        officer: String,
        their: &'static str,
        asked: &'static str,
    },
    #[error("jam tidak valid: gunakan JJ:MM, mis. 08:00 (time must be HH:MM)")]
    BadTime,
    #[error("sif piket paling lama 24 jam (a shift lasts at most 24 hours)")]
    TooLong,
    #[error("catatan serah terima kosong atau lebih dari 4000 karakter (the handover note is empty or too long)")]
    BadNote,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn plans(u: &User) -> bool {
    matches!(u.role, Role::Admin | Role::Koordinator)
}

fn post_officer(u: &User) -> bool {
    matches!(u.role, Role::Admin | Role::Koordinator | Role::PetugasPiket)
}

/// Parses `HH:MM`.
pub fn parse_time(text: &str) -> Result<Time, RosterError> {
    let (h, m) = text.trim().split_once(':').ok_or(RosterError::BadTime)?;
    let h: i8 = h.parse().map_err(|_| RosterError::BadTime)?;
    let m: i8 = m.parse().map_err(|_| RosterError::BadTime)?;
    Time::new(h, m, 0, 0).map_err(|_| RosterError::BadTime)
}

/// The instants of a shift on `day` from `start` to `end` in `zone`; an end at or before the
/// start is on the next day (a night shift).
pub fn shift_span(
    day: Date,
    start: Time,
    end: Time,
    zone: Zone,
) -> Result<(Timestamp, Timestamp), RosterError> {
    let from = day
        .to_datetime(start)
        .to_zoned(zone.tz())
        .map_err(|_| RosterError::BadTime)?;
    let end_day = if end <= start {
        day.tomorrow().map_err(|_| RosterError::BadTime)?
    } else {
        day
    };
    let to = end_day
        .to_datetime(end)
        .to_zoned(zone.tz())
        .map_err(|_| RosterError::BadTime)?;
    let (from, to) = (from.timestamp(), to.timestamp());
    if to.duration_since(from).as_hours() > MAX_SHIFT_HOURS {
        return Err(RosterError::TooLong);
    }
    Ok((from, to))
}

/// Adds a shift for an officer of the post. The officer must be active, and when their account
/// names an agency it must be the shift's.
pub async fn add_shift(
    store: &dyn Store,
    planner: &User,
    agency: Agency,
    officer_id: i64,
    (starts_at, ends_at): (Timestamp, Timestamp),
) -> Result<i64, RosterError> {
    if !plans(planner) {
        return Err(RosterError::Forbidden);
    }
    let officer = store
        .list_users()
        .await?
        .into_iter()
        .find(|u| u.id == officer_id && u.active && post_officer(u))
        .ok_or(RosterError::NoSuchOfficer)?;
    if let Some(theirs) = officer.agency {
        if theirs != agency {
            return Err(RosterError::WrongAgency {
                officer: officer.display_name,
                their: theirs.label(),
                asked: agency.label(),
            });
        }
    }
    let now = Timestamp::now();
    let id = store
        .add_shift(&NewShift {
            agency,
            user_id: officer.id,
            starts_at,
            ends_at,
            created_by: planner.id,
            created_at: now,
        })
        .await?;
    store
        .append_audit(&NewAuditEntry {
            at: now,
            actor: Some(planner.id),
            action: "roster_add".into(),
            subject: format!("shift:{id}"),
            detail: format!(
                "{} user:{} {starts_at}..{ends_at}",
                agency.as_str(),
                officer.id
            ),
        })
        .await?;
    Ok(id)
}

pub async fn delete_shift(store: &dyn Store, planner: &User, id: i64) -> Result<(), RosterError> {
    if !plans(planner) {
        return Err(RosterError::Forbidden);
    }
    store.delete_shift(id).await?;
    store
        .append_audit(&NewAuditEntry {
            at: Timestamp::now(),
            actor: Some(planner.id),
            action: "roster_delete".into(),
            subject: format!("shift:{id}"),
            detail: String::new(),
        })
        .await?;
    Ok(())
}

/// Who is on duty at `now`.
pub async fn on_duty(store: &dyn Store, now: Timestamp) -> Result<Vec<Shift>, StoreError> {
    store.shifts_between(now, now + 1.second()).await
}

/// The Monday that starts the week of `day`.
pub fn week_start(day: Date) -> Date {
    let back = i64::from(day.weekday().to_monday_zero_offset());
    day.checked_sub(back.days()).unwrap_or(day)
}

/// The seven days of the week starting `monday`, each with the shifts that begin on it (in
/// `zone`), in order.
pub async fn week(
    store: &dyn Store,
    monday: Date,
    zone: Zone,
) -> Result<Vec<(Date, Vec<Shift>)>, StoreError> {
    let start = monday
        .to_zoned(zone.tz())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let end = start + (7 * 24).hours();
    let shifts = store.shifts_between(start, end).await?;
    let mut days: Vec<(Date, Vec<Shift>)> = (0..7)
        .filter_map(|i| monday.checked_add(i.days()).ok())
        .map(|d| (d, Vec::new()))
        .collect();
    for s in shifts {
        let d = s.starts_at.to_zoned(zone.tz()).date();
        // A night shift from the Sunday before shows on no day of this week but is on duty
        // Monday morning: put it on Monday.
        let d = if d < monday { monday } else { d };
        if let Some((_, list)) = days.iter_mut().find(|(day, _)| *day == d) {
            list.push(s);
        }
    }
    debug_assert!(days
        .first()
        .is_none_or(|(d, _)| d.weekday() == Weekday::Monday));
    Ok(days)
}

/// Leaves a handover note for the next shift, linked to the author's current shift if any.
pub async fn hand_over(
    store: &dyn Store,
    officer: &User,
    note: &str,
    now: Timestamp,
) -> Result<i64, RosterError> {
    if !post_officer(officer) {
        return Err(RosterError::Forbidden);
    }
    let note = note.trim();
    if note.is_empty() || note.chars().count() > 4000 {
        return Err(RosterError::BadNote);
    }
    let shift_id = on_duty(store, now)
        .await?
        .into_iter()
        .find(|s| s.user_id == officer.id)
        .map(|s| s.id);
    Ok(store
        .add_handover(&NewHandover {
            shift_id,
            author: officer.id,
            at: now,
            note: note.to_string(),
        })
        .await?)
}

/// The latest handover notes, newest first.
pub async fn handovers(store: &dyn Store, limit: u32) -> Result<Vec<Handover>, StoreError> {
    store.recent_handovers(limit).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    #[test]
    fn a_night_shift_ends_the_next_morning() {
        let (from, to) = shift_span(
            date(2024, 2, 13),
            time(22, 0, 0, 0),
            time(6, 0, 0, 0),
            Zone::Wib,
        )
        .unwrap();
        assert_eq!(to.duration_since(from).as_hours(), 8);
        assert_eq!(
            from.to_string(),
            "2024-02-13T15:00:00Z",
            "22:00 WIB is 15:00 UTC"
        );
    }

    #[test]
    fn the_zone_moves_the_instant() {
        let wita = shift_span(
            date(2024, 2, 13),
            time(8, 0, 0, 0),
            time(16, 0, 0, 0),
            Zone::Wita,
        )
        .unwrap();
        assert_eq!(wita.0.to_string(), "2024-02-13T00:00:00Z");
    }

    #[test]
    fn times_are_hours_and_minutes() {
        assert_eq!(parse_time("08:30").unwrap(), time(8, 30, 0, 0));
        assert!(parse_time("8").is_err());
        assert!(parse_time("25:00").is_err());
    }

    #[test]
    fn a_week_starts_on_monday() {
        assert_eq!(week_start(date(2024, 2, 14)), date(2024, 2, 12));
        assert_eq!(week_start(date(2024, 2, 12)), date(2024, 2, 12));
        assert_eq!(week_start(date(2024, 2, 18)), date(2024, 2, 12));
    }
}
