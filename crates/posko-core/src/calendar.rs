//! Working days and legal deadlines (DOMAIN.md §4). Election law counts some periods in calendar
//! days and others in working days; a working day is not a Saturday, not a Sunday, not a national
//! holiday (libur) and not a day of collective leave (cuti bersama, which closes Bawaslu's offices
//! like every civil service). The official calendars for 2024–2026 are compiled in from
//! `data/kalender/hari-libur-2024-2026.csv`; operators add later years or extra days in
//! configuration (`Holidays::with_extra`). No substitute day is given when a holiday falls on a
//! weekend.
//!
//! **Counting** — the common reading [U], kept here and nowhere else: the day the violation became
//! known (or the report was received) is day 0 and never counts, even when it is a working day;
//! with calendar days the last counted day is day 0 plus the number of days; with working days it
//! is the n-th working day after day 0. The deadline is the end of that last day — the instant just
//! before the next local midnight — in the zone of the region concerned.
//!
//! **Round-the-clock days** — Bawaslu serves round the clock in an election's quiet period (masa
//! tenang) and on its polling day (DOMAIN.md §4, service hours [R]). When a working-day clock of
//! that election's legal step runs over such a day, the day counts as a working day even when it is
//! a Saturday, a Sunday or a holiday (14 Feb 2024 and 27 Nov 2024 are both national holidays).
//! That the open service makes the day a *working* day for the clock is Posko's reading [U]. Which
//! days are open is the election's to say (`Election::round_the_clock`); the counting itself lives
//! here, in `Holidays::last_day_serving`. `Holidays::last_day` is the pure calendar (no day is
//! open), for clocks that no election's service hours touch. Calendar-day clocks are unaffected:
//! every day counts there anyway.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use jiff::civil::{Date, Weekday};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::election::{DayCount, Period};
use crate::zone::Zone;

/// The shipped calendar: SKB 855/2023 with Keppres 10/2024 and 33/2024 (2024), SKB 1017/2024 as
/// amended by SKB 933/2025 (2025), SKB 1497/2025 (2026).
const SHIPPED: &str = include_str!("../../../data/kalender/hari-libur-2024-2026.csv");
const HEADER: &str = "date,weekday,kind,name,status";

/// What kind of day off a listed day is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayKind {
    /// A national holiday (hari libur nasional).
    Libur,
    /// Collective leave (cuti bersama), binding for civil servants.
    Cuti,
    /// A day an operator added in configuration.
    Extra,
}

impl HolidayKind {
    /// Stable machine name, as in the CSV's `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            HolidayKind::Libur => "libur",
            HolidayKind::Cuti => "cuti",
            HolidayKind::Extra => "extra",
        }
    }

    /// The name people use, in Bahasa Indonesia.
    pub fn label(self) -> &'static str {
        match self {
            HolidayKind::Libur => "Hari libur nasional",
            HolidayKind::Cuti => "Cuti bersama",
            HolidayKind::Extra => "Hari libur tambahan",
        }
    }
}

/// One day that is not a working day although it is not a weekend day (or also a weekend day:
/// holidays on Saturdays and Sundays are listed too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holiday {
    pub date: Date,
    pub kind: HolidayKind,
    pub name: String,
}

/// Why a holiday calendar in CSV was refused. Indonesian first, English second.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error(
        "kalender libur: baris judul harus '{h}' (holiday calendar: the header line must be \
         '{h}')",
        h = HEADER
    )]
    Header,
    #[error(
        "kalender libur, baris {line}: harus berisi kolom date,weekday,kind,name,status \
         (holiday calendar, line {line}: needs the columns date,weekday,kind,name,status)"
    )]
    Shape { line: usize },
    #[error(
        "kalender libur, baris {line}: tanggal '{text}' tidak sah, gunakan YYYY-MM-DD \
         (holiday calendar, line {line}: invalid date, use YYYY-MM-DD)"
    )]
    Date { line: usize, text: String },
    #[error(
        "kalender libur, baris {line}: {date} jatuh pada {actual}, bukan {stated} \
         (holiday calendar, line {line}: {date} is a {actual}, not a {stated})"
    )]
    Weekday {
        line: usize,
        date: Date,
        stated: String,
        actual: &'static str,
    },
    #[error(
        "kalender libur, baris {line}: jenis '{text}' harus libur atau cuti \
         (holiday calendar, line {line}: the kind must be libur or cuti)"
    )]
    Kind { line: usize, text: String },
    #[error(
        "kalender libur, baris {line}: tanggal {date} sudah tercantum \
         (holiday calendar, line {line}: {date} is listed twice)"
    )]
    Duplicate { line: usize, date: Date },
}

impl CalendarError {
    /// Stable code for the API and the message catalogues.
    pub fn code(&self) -> &'static str {
        match self {
            CalendarError::Header => "calendar_header",
            CalendarError::Shape { .. } => "calendar_shape",
            CalendarError::Date { .. } => "calendar_date",
            CalendarError::Weekday { .. } => "calendar_weekday",
            CalendarError::Kind { .. } => "calendar_kind",
            CalendarError::Duplicate { .. } => "calendar_duplicate",
        }
    }
}

/// The three-letter English weekday of the CSV's `weekday` column.
fn weekday_abbr(w: Weekday) -> &'static str {
    match w {
        Weekday::Monday => "Mon",
        Weekday::Tuesday => "Tue",
        Weekday::Wednesday => "Wed",
        Weekday::Thursday => "Thu",
        Weekday::Friday => "Fri",
        Weekday::Saturday => "Sat",
        Weekday::Sunday => "Sun",
    }
}

/// The day after `d`; the last representable date (31 Dec 9999) stays put.
fn next_day(d: Date) -> Date {
    d.tomorrow().unwrap_or(d)
}

/// The days off that stop working-day clocks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Holidays {
    days: BTreeMap<Date, Holiday>,
}

impl Holidays {
    /// The official holidays and cuti bersama of 2024–2026 compiled into this binary.
    pub fn shipped() -> Holidays {
        static SHIPPED_HOLIDAYS: OnceLock<Holidays> = OnceLock::new();
        SHIPPED_HOLIDAYS
            .get_or_init(|| {
                // The shipped file is checked by the tests of this module (82 rows, every weekday
                // right); a failure here is a broken build, not a user error.
                #[allow(clippy::expect_used)]
                Holidays::from_csv(SHIPPED)
                    .expect("the embedded holiday calendar is valid (see calendar tests)")
            })
            .clone()
    }

    /// Reads a calendar in the layout of the shipped file: a header `date,weekday,kind,name,status`,
    /// then one day a line (`2024-02-14,Wed,libur,Hari Pemungutan Suara Pemilu 2024,V`). The
    /// weekday must be that of the date (a typo in a date is caught this way), the kind `libur` or
    /// `cuti`; a name may contain commas; each date may appear once.
    pub fn from_csv(text: &str) -> Result<Holidays, CalendarError> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
            .filter(|(_, l)| !l.trim().is_empty());
        match lines.next() {
            Some((_, header)) if header.trim_start_matches('\u{feff}').trim() == HEADER => {}
            _ => return Err(CalendarError::Header),
        }
        let mut days = BTreeMap::new();
        for (line, row) in lines {
            let mut cols = row.splitn(4, ',');
            let (Some(date_text), Some(weekday), Some(kind_text), Some(rest)) =
                (cols.next(), cols.next(), cols.next(), cols.next())
            else {
                return Err(CalendarError::Shape { line });
            };
            let Some((name, status)) = rest.rsplit_once(',') else {
                return Err(CalendarError::Shape { line });
            };
            let name = name.trim();
            if name.is_empty() || status.trim().is_empty() {
                return Err(CalendarError::Shape { line });
            }
            let date_text = date_text.trim();
            let date: Date = date_text.parse().map_err(|_| CalendarError::Date {
                line,
                text: date_text.to_string(),
            })?;
            let actual = weekday_abbr(date.weekday());
            if !weekday.trim().eq_ignore_ascii_case(actual) {
                return Err(CalendarError::Weekday {
                    line,
                    date,
                    stated: weekday.trim().to_string(),
                    actual,
                });
            }
            let kind = match kind_text.trim() {
                "libur" => HolidayKind::Libur,
                "cuti" => HolidayKind::Cuti,
                other => {
                    return Err(CalendarError::Kind {
                        line,
                        text: other.to_string(),
                    })
                }
            };
            let holiday = Holiday {
                date,
                kind,
                name: name.to_string(),
            };
            if days.insert(date, holiday).is_some() {
                return Err(CalendarError::Duplicate { line, date });
            }
        }
        Ok(Holidays { days })
    }

    /// Adds days an operator configured (a later year's calendar, a regional closure). A day that
    /// is already listed takes the operator's name and becomes `Extra`: the operator's word is
    /// the latest; either way it is not a working day.
    pub fn with_extra(mut self, extra: impl IntoIterator<Item = (Date, String)>) -> Holidays {
        for (date, name) in extra {
            self.days.insert(
                date,
                Holiday {
                    date,
                    kind: HolidayKind::Extra,
                    name,
                },
            );
        }
        self
    }

    /// The listed day off on `date`, if any (weekends are not listed unless a holiday falls on
    /// them).
    pub fn holiday(&self, date: Date) -> Option<&Holiday> {
        self.days.get(&date)
    }

    /// Not a Saturday, not a Sunday, not a holiday or cuti bersama.
    pub fn is_working_day(&self, date: Date) -> bool {
        !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
            && !self.days.contains_key(&date)
    }

    /// True when the calendar lists days for the year of `date`. Past the last listed year only
    /// weekends are skipped, so a caller should warn that the calendar needs the new year's days.
    pub fn covers(&self, date: Date) -> bool {
        self.days.keys().any(|d| d.year() == date.year())
    }

    /// The number of listed days.
    pub fn len(&self) -> usize {
        self.days.len()
    }

    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    /// The listed days in date order.
    pub fn iter(&self) -> impl Iterator<Item = &Holiday> {
        self.days.values()
    }

    /// The last counted day of `period` from `start` (day 0). Calendar days: `start + days`.
    /// Working days: the `days`-th working day after `start`; `start` itself never counts. With
    /// zero days it is `start`. Saturates at the last date jiff can represent (year 9999).
    pub fn last_day(&self, start: Date, period: Period) -> Date {
        self.last_day_serving(start, period, |_| false)
    }

    /// Like `last_day`, but with working days a day for which `open` is true counts as a working
    /// day even when it is a weekend day or a holiday — the round-the-clock days of an election
    /// (see the module doc; `case::step_deadline` passes `Election::round_the_clock`). Day 0
    /// still never counts. Calendar days ignore `open`.
    pub fn last_day_serving(
        &self,
        start: Date,
        period: Period,
        open: impl Fn(Date) -> bool,
    ) -> Date {
        match period.count {
            DayCount::Calendar => {
                let span = SignedDuration::from_hours(i64::from(period.days) * 24);
                start.checked_add(span).unwrap_or(Date::MAX)
            }
            DayCount::Working => {
                let mut day = start;
                let mut counted = 0;
                while counted < period.days {
                    let next = next_day(day);
                    if next == day {
                        break;
                    }
                    day = next;
                    if open(day) || self.is_working_day(day) {
                        counted += 1;
                    }
                }
                day
            }
        }
    }

    /// The deadline of `period` from `start`: the end of the last counted day — the instant just
    /// before the next midnight — in `zone`, as a UTC timestamp.
    pub fn deadline(&self, start: Date, period: Period, zone: Zone) -> Timestamp {
        end_of_day(self.last_day(start, period), zone)
    }

    /// The deadline of `period` from `start` with the round-the-clock days `open` (see
    /// `last_day_serving`): the end of the last counted day in `zone`, as a UTC timestamp.
    pub fn deadline_serving(
        &self,
        start: Date,
        period: Period,
        zone: Zone,
        open: impl Fn(Date) -> bool,
    ) -> Timestamp {
        end_of_day(self.last_day_serving(start, period, open), zone)
    }
}

/// The last instant of `day` in `zone`: one nanosecond before the next local midnight.
pub fn end_of_day(day: Date, zone: Zone) -> Timestamp {
    day.tomorrow()
        .and_then(|next| next.to_zoned(zone.tz()))
        .and_then(|midnight| {
            midnight
                .timestamp()
                .checked_sub(SignedDuration::from_nanos(1))
        })
        .unwrap_or(Timestamp::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn d(y: i16, m: i8, day: i8) -> Date {
        date(y, m, day)
    }

    #[test]
    fn shipped_file_has_82_rows_with_right_weekdays() {
        let h = Holidays::shipped();
        assert_eq!(h.len(), 82);
        // Independently of from_csv: every row's weekday column is the real weekday of its date.
        let mut rows = 0;
        for line in SHIPPED.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let cols: Vec<&str> = line.split(',').collect();
            let date: Date = cols[0].parse().unwrap();
            assert_eq!(cols[1], weekday_abbr(date.weekday()), "{line}");
            assert!(h.holiday(date).is_some(), "{line}");
            rows += 1;
        }
        assert_eq!(rows, 82);
        let libur = h.iter().filter(|x| x.kind == HolidayKind::Libur).count();
        let cuti = h.iter().filter(|x| x.kind == HolidayKind::Cuti).count();
        assert_eq!((libur, cuti), (53, 29));
        // The days DOMAIN.md names.
        for (day, kind) in [
            (d(2024, 2, 14), HolidayKind::Libur),
            (d(2024, 11, 27), HolidayKind::Libur),
            (d(2025, 8, 18), HolidayKind::Cuti),
            (d(2024, 2, 9), HolidayKind::Cuti),
        ] {
            assert_eq!(h.holiday(day).map(|x| x.kind), Some(kind), "{day}");
        }
        assert!(h.covers(d(2026, 7, 1)));
        assert!(!h.covers(d(2027, 1, 4)));
    }

    #[test]
    fn working_days() {
        let h = Holidays::shipped();
        assert!(h.is_working_day(d(2024, 1, 12))); // Friday
        assert!(!h.is_working_day(d(2024, 1, 13))); // Saturday
        assert!(!h.is_working_day(d(2024, 1, 14))); // Sunday
        assert!(!h.is_working_day(d(2024, 2, 14))); // Pemilu
        assert!(!h.is_working_day(d(2024, 2, 9))); // cuti Imlek
                                                   // No substitute day: 17 Aug 2024 is a Saturday, Monday 19 Aug is a working day.
        assert!(h.holiday(d(2024, 8, 17)).is_some());
        assert!(h.is_working_day(d(2024, 8, 19)));
    }

    #[test]
    fn solo_example_friday_plus_two_working_days_is_tuesday() {
        // DOMAIN.md §4: a 2-day completion window ran Fri 12 Jan 2024 → Tue 16 Jan 2024.
        let h = Holidays::shipped();
        assert_eq!(
            h.last_day(d(2024, 1, 12), Period::working(2)),
            d(2024, 1, 16)
        );
        let deadline = h.deadline(d(2024, 1, 12), Period::working(2), Zone::Wib);
        assert_eq!(deadline.to_string(), "2024-01-16T16:59:59.999999999Z");
        let local = deadline.to_zoned(Zone::Wib.tz());
        assert_eq!((local.day(), local.hour(), local.minute()), (16, 23, 59));
    }

    #[test]
    fn working_days_skip_isra_mikraj_cuti_imlek_and_the_weekend() {
        let h = Holidays::shipped();
        // Known Wed 7 Feb 2024: Thu 8 (Isra Mikraj), Fri 9 (cuti Imlek), Sat 10, Sun 11 are
        // skipped; Mon 12 is day 1, Tue 13 day 2.
        assert_eq!(
            h.last_day(d(2024, 2, 7), Period::working(1)),
            d(2024, 2, 12)
        );
        assert_eq!(
            h.last_day(d(2024, 2, 7), Period::working(2)),
            d(2024, 2, 13)
        );
        // Known on the holiday itself: day 0 is Thu 8 Feb, day 1 Mon 12.
        assert_eq!(
            h.last_day(d(2024, 2, 8), Period::working(1)),
            d(2024, 2, 12)
        );
    }

    #[test]
    fn working_days_skip_polling_day() {
        let h = Holidays::shipped();
        // Tue 13 Feb 2024 + 1 working day: Wed 14 is Pemilu, so Thu 15.
        assert_eq!(
            h.last_day(d(2024, 2, 13), Period::working(1)),
            d(2024, 2, 15)
        );
        // The Pemilu report window (7 working days) from Mon 12 Feb 2024: 13, 15, 16, 19, 20,
        // 21, 22.
        assert_eq!(
            h.last_day(d(2024, 2, 12), Period::working(7)),
            d(2024, 2, 22)
        );
        // Day 0 is never counted, even when it is a working day.
        assert_eq!(
            h.last_day(d(2024, 2, 12), Period::working(0)),
            d(2024, 2, 12)
        );
        // Eid 2024: known Fri 5 Apr; 8–12 and 15 Apr are cuti or libur → Tue 16 Apr.
        assert_eq!(
            h.last_day(d(2024, 4, 5), Period::working(1)),
            d(2024, 4, 16)
        );
    }

    #[test]
    fn pilkada_calendar_days_ignore_holidays() {
        let h = Holidays::shipped();
        // Tue 26 Nov 2024 + 3 calendar days runs over polling day (27 Nov) to Fri 29 Nov.
        assert_eq!(
            h.last_day(d(2024, 11, 26), Period::calendar(3)),
            d(2024, 11, 29)
        );
        // The Pilkada report window over Christmas and a weekend.
        assert_eq!(
            h.last_day(d(2024, 12, 22), Period::calendar(7)),
            d(2024, 12, 29)
        );
        assert_eq!(
            h.last_day(d(2024, 12, 22), Period::calendar(0)),
            d(2024, 12, 22)
        );
        // The same as with no holidays at all.
        let none = Holidays::default();
        assert_eq!(
            none.last_day(d(2024, 12, 22), Period::calendar(7)),
            h.last_day(d(2024, 12, 22), Period::calendar(7))
        );
        // Saturates instead of overflowing.
        assert_eq!(h.last_day(d(9999, 12, 30), Period::calendar(5)), Date::MAX);
        assert_eq!(h.last_day(d(9999, 12, 30), Period::working(5)), Date::MAX);
    }

    #[test]
    fn the_same_deadline_in_three_zones_is_an_hour_apart() {
        let h = Holidays::shipped();
        let start = d(2024, 11, 26);
        let p = Period::calendar(3);
        let wib = h.deadline(start, p, Zone::Wib);
        let wita = h.deadline(start, p, Zone::Wita);
        let wit = h.deadline(start, p, Zone::Wit);
        assert_eq!(wib.to_string(), "2024-11-29T16:59:59.999999999Z");
        assert_eq!(wib.duration_since(wita), SignedDuration::from_hours(1));
        assert_eq!(wita.duration_since(wit), SignedDuration::from_hours(1));
        for (ts, z) in [(wib, Zone::Wib), (wita, Zone::Wita), (wit, Zone::Wit)] {
            let local = ts.to_zoned(z.tz());
            assert_eq!(local.date(), d(2024, 11, 29));
            // One nanosecond later it is the next local day.
            let after = ts
                .checked_add(SignedDuration::from_nanos(1))
                .unwrap()
                .to_zoned(z.tz());
            assert_eq!((after.date(), after.hour()), (d(2024, 11, 30), 0));
        }
    }

    #[test]
    fn open_days_count_as_working_days_only_for_working_day_clocks() {
        let h = Holidays::shipped();
        // Open on Sat 13 and Sun 14 Jan 2024 only: from Fri 12 Jan, 2 working days are Sat 13,
        // Sun 14 (instead of Mon 15, Tue 16).
        let weekend = |x: Date| x == d(2024, 1, 13) || x == d(2024, 1, 14);
        assert_eq!(
            h.last_day_serving(d(2024, 1, 12), Period::working(2), weekend),
            d(2024, 1, 14)
        );
        // Day 0 never counts, open or not: from Sat 13, 1 working day is Sun 14.
        assert_eq!(
            h.last_day_serving(d(2024, 1, 13), Period::working(1), weekend),
            d(2024, 1, 14)
        );
        // An open holiday counts: Wed 14 Feb 2024 (Pemilu) open, from Tue 13 + 1 is Wed 14.
        assert_eq!(
            h.last_day_serving(d(2024, 2, 13), Period::working(1), |x| x == d(2024, 2, 14)),
            d(2024, 2, 14)
        );
        // Nothing open: the pure calendar.
        assert_eq!(
            h.last_day_serving(d(2024, 1, 12), Period::working(2), |_| false),
            d(2024, 1, 16)
        );
        // Calendar days ignore `open`.
        assert_eq!(
            h.last_day_serving(d(2024, 1, 12), Period::calendar(2), |_| true),
            d(2024, 1, 14)
        );
        // The instant: end of Sun 14 Jan 2024 in WITA is 15:59:59.999999999 UTC.
        assert_eq!(
            h.deadline_serving(d(2024, 1, 12), Period::working(2), Zone::Wita, weekend)
                .to_string(),
            "2024-01-14T15:59:59.999999999Z"
        );
    }

    #[test]
    fn operators_add_days() {
        let h = Holidays::shipped().with_extra([
            (d(2027, 1, 1), "Tahun Baru 2027 Masehi".to_string()),
            (d(2024, 1, 15), "Libur daerah".to_string()),
        ]);
        assert_eq!(h.len(), 84);
        assert!(!h.is_working_day(d(2027, 1, 1)));
        assert_eq!(h.holiday(d(2024, 1, 15)).unwrap().kind, HolidayKind::Extra);
        // Fri 12 Jan 2024 + 2 working days now skips Mon 15 too.
        assert_eq!(
            h.last_day(d(2024, 1, 12), Period::working(2)),
            d(2024, 1, 17)
        );
        // Replacing a shipped day keeps the count.
        let h2 = Holidays::shipped().with_extra([(d(2024, 2, 14), "Pemilu".to_string())]);
        assert_eq!(h2.len(), 82);
        assert_eq!(h2.holiday(d(2024, 2, 14)).unwrap().name, "Pemilu");
    }

    #[test]
    fn bad_csv_is_refused_with_line_numbers() {
        let head = "date,weekday,kind,name,status\n";
        let cases = [
            ("date,name\n", "calendar_header"),
            ("", "calendar_header"),
            ("date,weekday,kind,name,status\n2024-01-01,Mon,libur\n", "calendar_shape"),
            ("date,weekday,kind,name,status\n2024-13-01,Mon,libur,X,V\n", "calendar_date"),
            ("date,weekday,kind,name,status\n2024-01-01,Tue,libur,X,V\n", "calendar_weekday"),
            ("date,weekday,kind,name,status\n2024-01-01,Mon,bebas,X,V\n", "calendar_kind"),
            (
                "date,weekday,kind,name,status\n2024-01-01,Mon,libur,X,V\n2024-01-01,Mon,cuti,Y,V\n",
                "calendar_duplicate",
            ),
        ];
        for (text, code) in cases {
            let err = Holidays::from_csv(text).unwrap_err();
            assert_eq!(err.code(), code, "{text:?}: {err}");
            assert!(err.to_string().contains("kalender libur"), "{err}");
        }
        let err = Holidays::from_csv(&format!("{head}\n2024-01-01,Tue,libur,X,V\n")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "kalender libur, baris 3: 2024-01-01 jatuh pada Mon, bukan Tue \
             (holiday calendar, line 3: 2024-01-01 is a Mon, not a Tue)"
        );
        // Names may contain commas; CRLF line ends and a BOM are tolerated.
        let ok = Holidays::from_csv(
            "\u{feff}date,weekday,kind,name,status\r\n2024-01-01,Mon,libur,Tahun Baru, Masehi,V\r\n",
        )
        .unwrap();
        assert_eq!(
            ok.holiday(d(2024, 1, 1)).unwrap().name,
            "Tahun Baru, Masehi"
        );
    }

    proptest! {
        #[test]
        fn working_last_day_is_a_working_day_at_least_n_calendar_days_on(
            offset in 0i64..(5 * 366),
            days in 1u32..=30,
        ) {
            let h = Holidays::shipped();
            let start = d(2023, 6, 1)
                .checked_add(SignedDuration::from_hours(offset * 24))
                .unwrap();
            let last = h.last_day(start, Period::working(days));
            prop_assert!(h.is_working_day(last), "{} + {} → {}", start, days, last);
            prop_assert!(!matches!(last.weekday(), Weekday::Saturday | Weekday::Sunday));
            prop_assert!(h.holiday(last).is_none());
            prop_assert!(last >= h.last_day(start, Period::calendar(days)));
            // Exactly `days` working days lie in (start, last].
            let mut n = 0;
            let mut cur = start;
            while cur < last {
                cur = cur.tomorrow().unwrap();
                if h.is_working_day(cur) {
                    n += 1;
                }
            }
            prop_assert_eq!(n, days);
        }
    }
}
