//! Legal deadlines, black-box through posko-core's public API (issue 4, "Deadlines"): both regimes
//! (Pemilu counts working days, Pilkada calendar days), in WIB, WITA and WIT, across weekends,
//! national holidays, cuti bersama, the quiet periods and polling days (round-the-clock service),
//! and the extensions. Every expected value was worked out by hand from DOMAIN.md §4 and the
//! shipped calendar `data/kalender/hari-libur-2024-2026.csv`; the comment above each row says how.
//!
//! Conventions under test (calendar.rs's module doc): the day a step began is day 0 and never
//! counts; the deadline is the end of the last counted day in the region's zone, i.e. local
//! 23:59:59.999999999, which is 16:59:59.999999999Z in WIB (UTC+7), 15:59:59.999999999Z in WITA
//! (UTC+8) and 14:59:59.999999999Z in WIT (UTC+9) on the same date.

// Helpers outside #[test] functions panic on purpose: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use jiff::civil::{date, Date, Weekday};
use jiff::{SignedDuration, Timestamp};
use posko_core::calendar::{end_of_day, Holidays};
use posko_core::case::{apply, step_deadline, step_period, Action, Case, Decision};
use posko_core::election::{Period, RuleSet};
use posko_core::report::ReportKind;
use posko_core::{Atlas, Election, RegionCode, Zone};
use proptest::prelude::*;

/// The step a case is in, and so which clock runs.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// Kajian awal (state `KajianAwal`).
    InitialReview,
    /// The reporter completes an incomplete report (`MenungguKelengkapan`).
    Completion,
    /// Handling after registration (`Teregistrasi`).
    Handling,
    /// Decided an election crime (`Diputus` with `Pidana`): referral to Polri within 1×24 hours.
    CrimeReferral,
}

/// A laporan moved into `step` through the state machine (only legal moves).
fn case_in(step: Step) -> Case {
    let actions: &[Action] = match step {
        Step::InitialReview => &[Action::StartReview],
        Step::Completion => &[Action::StartReview, Action::RequestCompletion],
        Step::Handling => &[Action::StartReview, Action::Register],
        Step::CrimeReferral => &[
            Action::StartReview,
            Action::Register,
            Action::Examine,
            Action::Decide {
                decision: Decision::Pidana,
            },
        ],
    };
    let mut c = Case::new(ReportKind::Laporan);
    for a in actions {
        c = apply(&c, a).unwrap();
    }
    c
}

#[derive(Debug, Clone, Copy)]
enum Regime {
    Pemilu,
    Pilkada,
}

impl Regime {
    fn election(self) -> Election {
        match self {
            Regime::Pemilu => Election::pemilu_2024(),
            Regime::Pilkada => Election::pilkada_2024(),
        }
    }
}

/// A real region and its zone, checked against the shipped atlas: the code must exist with the
/// expected name, and the atlas must put it in the zone DOMAIN.md §1 gives for its province.
fn zone_of(code: &str, name: &str, expected: Zone) -> Zone {
    let atlas = Atlas::embedded();
    let code = RegionCode::parse(code).unwrap();
    let region = atlas
        .get(&code)
        .unwrap_or_else(|| panic!("{code} is shipped"));
    assert_eq!(region.name, name, "{code}");
    let zone = atlas.zone(&code).unwrap();
    assert_eq!(zone, expected, "{code} {name}");
    zone
}

struct Row {
    regime: Regime,
    step: Step,
    extended: bool,
    began: Date,
    /// Region code, its name in the atlas, and its zone by DOMAIN.md §1.
    region: (&'static str, &'static str, Zone),
    /// The period the rule set must give (DOMAIN.md §4's table).
    period: Period,
    last_day: Date,
    /// The deadline instant in UTC.
    utc: &'static str,
}

const JEPARA: (&str, &str, Zone) = ("33.20", "KABUPATEN JEPARA", Zone::Wib);
const SOLO: (&str, &str, Zone) = ("33.72", "KOTA SURAKARTA", Zone::Wib);
const KOTA_JAMBI: (&str, &str, Zone) = ("15.71", "KOTA JAMBI", Zone::Wib);
const DENPASAR: (&str, &str, Zone) = ("51.71", "KOTA DENPASAR", Zone::Wita);
const BADUNG: (&str, &str, Zone) = ("51.03", "KABUPATEN BADUNG", Zone::Wita);
const MAKASSAR: (&str, &str, Zone) = ("73.71", "KOTA MAKASSAR", Zone::Wita);
const SAMARINDA: (&str, &str, Zone) = ("64.72", "KOTA SAMARINDA", Zone::Wita);
const JAYAPURA: (&str, &str, Zone) = ("91.71", "KOTA JAYAPURA", Zone::Wit);
const NABIRE: (&str, &str, Zone) = ("94.01", "KABUPATEN NABIRE", Zone::Wit);
const TERNATE: (&str, &str, Zone) = ("82.71", "KOTA TERNATE", Zone::Wit);

fn rows() -> Vec<Row> {
    use Regime::*;
    use Step::*;
    vec![
        // ---- Pemilu 2024: working days ----
        // Initial review, 2 working days (Perbawaslu 7/2022 Pasal 15(1)), across a plain weekend:
        // day 0 Fri 12 Jan 2024; Sat 13, Sun 14 skipped; Mon 15 = 1, Tue 16 = 2.
        Row {
            regime: Pemilu,
            step: InitialReview,
            extended: false,
            began: date(2024, 1, 12),
            region: JEPARA,
            period: Period::working(2),
            last_day: date(2024, 1, 16),
            utc: "2024-01-16T16:59:59.999999999Z",
        },
        // Initial review across a national holiday and cuti bersama just before the quiet
        // period: day 0 Wed 7 Feb 2024; Thu 8 (Isra Mikraj, libur), Fri 9 (cuti Imlek), Sat 10
        // (Imlek, a Saturday, still campaign) skipped; Sun 11 is in the quiet period (11–13 Feb),
        // served round the clock, so it counts = 1; Mon 12 = 2. (Pure calendar: Tue 13.)
        Row {
            regime: Pemilu,
            step: InitialReview,
            extended: false,
            began: date(2024, 2, 7),
            region: DENPASAR,
            period: Period::working(2),
            last_day: date(2024, 2, 12),
            utc: "2024-02-12T15:59:59.999999999Z",
        },
        // Initial review starting on polling day: day 0 Wed 14 Feb 2024 never counts, even
        // though it is a round-the-clock day; Thu 15 = 1, Fri 16 = 2.
        Row {
            regime: Pemilu,
            step: InitialReview,
            extended: false,
            began: date(2024, 2, 14),
            region: TERNATE,
            period: Period::working(2),
            last_day: date(2024, 2, 16),
            utc: "2024-02-16T14:59:59.999999999Z",
        },
        // Initial review across Nyepi 2024 in Bali: day 0 Fri 8 Mar; Sat 9, Sun 10, Mon 11
        // (Nyepi, libur), Tue 12 (cuti Nyepi) skipped; Wed 13 = 1, Thu 14 = 2.
        Row {
            regime: Pemilu,
            step: InitialReview,
            extended: false,
            began: date(2024, 3, 8),
            region: BADUNG,
            period: Period::working(2),
            last_day: date(2024, 3, 14),
            utc: "2024-03-14T15:59:59.999999999Z",
        },
        // Completion, 2 working days ([U], configurable), over polling day: day 0 Tue 13 Feb 2024
        // (quiet period); Wed 14 is polling day — a national holiday, but served round the clock,
        // so it counts = 1; Thu 15 = 2. (Pure calendar: Fri 16.)
        Row {
            regime: Pemilu,
            step: Completion,
            extended: false,
            began: date(2024, 2, 13),
            region: JAYAPURA,
            period: Period::working(2),
            last_day: date(2024, 2, 15),
            utc: "2024-02-15T14:59:59.999999999Z",
        },
        // Handling, 7 (working) days (UU 7/2017 Pasal 454(7)), over the whole quiet period and
        // polling day: day 0 Fri 9 Feb 2024 (cuti Imlek); Sat 10 skipped; Sun 11 = 1 (quiet),
        // Mon 12 = 2, Tue 13 = 3, Wed 14 = 4 (polling day), Thu 15 = 5, Fri 16 = 6; Sat 17, Sun 18
        // skipped; Mon 19 = 7. (Pure calendar: Wed 21.)
        Row {
            regime: Pemilu,
            step: Handling,
            extended: false,
            began: date(2024, 2, 9),
            region: JEPARA,
            period: Period::working(7),
            last_day: date(2024, 2, 19),
            utc: "2024-02-19T16:59:59.999999999Z",
        },
        // Handling with the extension: up to 14 working days in all (454(8)); RuleSet adds 7 to
        // the 7. Continuing the row above: Tue 20 = 8, Wed 21 = 9, Thu 22 = 10, Fri 23 = 11;
        // Sat 24, Sun 25 skipped; Mon 26 = 12, Tue 27 = 13, Wed 28 = 14 (no holiday 15–28 Feb).
        Row {
            regime: Pemilu,
            step: Handling,
            extended: true,
            began: date(2024, 2, 9),
            region: DENPASAR,
            period: Period::working(14),
            last_day: date(2024, 2, 28),
            utc: "2024-02-28T15:59:59.999999999Z",
        },
        // Handling across Idul Fitri 2024: day 0 Fri 5 Apr; Sat 6, Sun 7, Mon 8 (cuti), Tue 9
        // (cuti), Wed 10 and Thu 11 (Idul Fitri, libur), Fri 12 (cuti), Sat 13, Sun 14, Mon 15
        // (cuti) all skipped; Tue 16 = 1, Wed 17 = 2, Thu 18 = 3, Fri 19 = 4, Mon 22 = 5,
        // Tue 23 = 6, Wed 24 = 7 (next holiday 1 May).
        Row {
            regime: Pemilu,
            step: Handling,
            extended: false,
            began: date(2024, 4, 5),
            region: NABIRE,
            period: Period::working(7),
            last_day: date(2024, 4, 24),
            utc: "2024-04-24T14:59:59.999999999Z",
        },
        // Handling across Nyepi and Idul Fitri 2025: day 0 Thu 27 Mar 2025; Fri 28 (cuti Nyepi),
        // Sat 29 (Nyepi), Sun 30, Mon 31 and Tue 1 Apr (Idul Fitri), Wed 2, Thu 3, Fri 4 (cuti),
        // Sat 5, Sun 6, Mon 7 (cuti) skipped; Tue 8 = 1, Wed 9 = 2, Thu 10 = 3, Fri 11 = 4,
        // Mon 14 = 5, Tue 15 = 6, Wed 16 = 7 (Good Friday is 18 Apr, after).
        Row {
            regime: Pemilu,
            step: Handling,
            extended: false,
            began: date(2025, 3, 27),
            region: MAKASSAR,
            period: Period::working(7),
            last_day: date(2025, 4, 16),
            utc: "2025-04-16T15:59:59.999999999Z",
        },
        // Extended handling across Christmas and New Year: day 0 Fri 20 Dec 2024; Sat 21, Sun 22
        // skipped; Mon 23 = 1, Tue 24 = 2; Wed 25 (Natal, libur), Thu 26 (cuti) skipped; Fri 27
        // = 3; Mon 30 = 4, Tue 31 = 5; Wed 1 Jan 2025 (libur) skipped; Thu 2 = 6, Fri 3 = 7,
        // Mon 6 = 8, Tue 7 = 9, Wed 8 = 10, Thu 9 = 11, Fri 10 = 12, Mon 13 = 13, Tue 14 = 14.
        Row {
            regime: Pemilu,
            step: Handling,
            extended: true,
            began: date(2024, 12, 20),
            region: JEPARA,
            period: Period::working(14),
            last_day: date(2025, 1, 14),
            utc: "2025-01-14T16:59:59.999999999Z",
        },
        // Another election's round-the-clock days are not this one's: a Pemilu clock from Fri
        // 22 Nov 2024 skips Sat 23 and Sun 24 (Pilkada's quiet period) and Wed 27 (Pilkada's
        // polling day, a national holiday): Mon 25 = 1, Tue 26 = 2, Thu 28 = 3, Fri 29 = 4,
        // Mon 2 Dec = 5, Tue 3 = 6, Wed 4 = 7.
        Row {
            regime: Pemilu,
            step: Handling,
            extended: false,
            began: date(2024, 11, 22),
            region: SAMARINDA,
            period: Period::working(7),
            last_day: date(2024, 12, 4),
            utc: "2024-12-04T15:59:59.999999999Z",
        },
        // Referral of an election crime to Polri, 1×24 hours (UU 7/2017 Pasal 476), modelled as
        // one calendar day: day 0 Tue 13 Feb 2024 → Wed 14 (polling day; calendar days ignore
        // holidays anyway).
        Row {
            regime: Pemilu,
            step: CrimeReferral,
            extended: false,
            began: date(2024, 2, 13),
            region: JAYAPURA,
            period: Period::calendar(1),
            last_day: date(2024, 2, 14),
            utc: "2024-02-14T14:59:59.999999999Z",
        },
        // The same referral over a weekend: day 0 Fri 9 Feb 2024 → Sat 10, not Monday.
        Row {
            regime: Pemilu,
            step: CrimeReferral,
            extended: false,
            began: date(2024, 2, 9),
            region: JEPARA,
            period: Period::calendar(1),
            last_day: date(2024, 2, 10),
            utc: "2024-02-10T16:59:59.999999999Z",
        },
        // ---- Pilkada 2024: calendar days ----
        // Initial review, 2 days ([U], configurable), over a weekend that runs into the quiet
        // period: day 0 Fri 22 Nov 2024; Sat 23 = 1, Sun 24 = 2.
        Row {
            regime: Pilkada,
            step: InitialReview,
            extended: false,
            began: date(2024, 11, 22),
            region: JEPARA,
            period: Period::calendar(2),
            last_day: date(2024, 11, 24),
            utc: "2024-11-24T16:59:59.999999999Z",
        },
        // Completion, 2 days ([V] in DOMAIN.md's table), onto polling day: day 0 Mon 25 Nov
        // (quiet period); Tue 26 = 1, Wed 27 (polling day, libur) = 2.
        Row {
            regime: Pilkada,
            step: Completion,
            extended: false,
            began: date(2024, 11, 25),
            region: DENPASAR,
            period: Period::calendar(2),
            last_day: date(2024, 11, 27),
            utc: "2024-11-27T15:59:59.999999999Z",
        },
        // Handling, 3 days: day 0 Tue 26 Nov; Wed 27 = 1, Thu 28 = 2, Fri 29 = 3.
        Row {
            regime: Pilkada,
            step: Handling,
            extended: false,
            began: date(2024, 11, 26),
            region: NABIRE,
            period: Period::calendar(3),
            last_day: date(2024, 11, 29),
            utc: "2024-11-29T14:59:59.999999999Z",
        },
        // Handling + 2 days for additional information = 5: Sat 30 = 4, Sun 1 Dec = 5.
        Row {
            regime: Pilkada,
            step: Handling,
            extended: true,
            began: date(2024, 11, 26),
            region: JAYAPURA,
            period: Period::calendar(5),
            last_day: date(2024, 12, 1),
            utc: "2024-12-01T14:59:59.999999999Z",
        },
        // Handling across Christmas: day 0 Tue 24 Dec 2024; Wed 25 (Natal) = 1, Thu 26 (cuti)
        // = 2, Fri 27 = 3.
        Row {
            regime: Pilkada,
            step: Handling,
            extended: false,
            began: date(2024, 12, 24),
            region: SAMARINDA,
            period: Period::calendar(3),
            last_day: date(2024, 12, 27),
            utc: "2024-12-27T15:59:59.999999999Z",
        },
        // …extended: Sat 28 = 4, Sun 29 = 5.
        Row {
            regime: Pilkada,
            step: Handling,
            extended: true,
            began: date(2024, 12, 24),
            region: JEPARA,
            period: Period::calendar(5),
            last_day: date(2024, 12, 29),
            utc: "2024-12-29T16:59:59.999999999Z",
        },
        // Handling across Idul Fitri 2025: day 0 Sun 30 Mar; Mon 31 (libur) = 1, Tue 1 Apr
        // (libur) = 2, Wed 2 (cuti) = 3.
        Row {
            regime: Pilkada,
            step: Handling,
            extended: false,
            began: date(2025, 3, 30),
            region: KOTA_JAMBI,
            period: Period::calendar(3),
            last_day: date(2025, 4, 2),
            utc: "2025-04-02T16:59:59.999999999Z",
        },
        // Referral of an election crime, one calendar day ([R]: Pilkada crimes count calendar
        // days): day 0 Tue 26 Nov → Wed 27 (polling day).
        Row {
            regime: Pilkada,
            step: CrimeReferral,
            extended: false,
            began: date(2024, 11, 26),
            region: MAKASSAR,
            period: Period::calendar(1),
            last_day: date(2024, 11, 27),
            utc: "2024-11-27T15:59:59.999999999Z",
        },
    ]
}

#[test]
fn deadline_table() {
    let h = Holidays::shipped();
    let rows = rows();
    assert_eq!(rows.len(), 21);
    for (i, r) in rows.iter().enumerate() {
        let e = r.regime.election();
        let case = case_in(r.step);
        let what = format!(
            "row {i}: {:?} {:?} ext={} from {} in {}",
            r.regime, r.step, r.extended, r.began, r.region.0
        );
        assert_eq!(step_period(&e, &case, r.extended), Some(r.period), "{what}");
        let last = step_deadline(&e, &h, &case, r.began, r.extended);
        assert_eq!(last, Some(r.last_day), "{what}");
        let zone = zone_of(r.region.0, r.region.1, r.region.2);
        let at = end_of_day(r.last_day, zone);
        assert_eq!(at.to_string(), r.utc, "{what}");
        // The instant is the last one of the local day: one nanosecond later is local midnight.
        let local = at.to_zoned(zone.tz());
        assert_eq!(
            (local.date(), local.hour(), local.minute(), local.second()),
            (r.last_day, 23, 59, 59),
            "{what}"
        );
        let after = at
            .checked_add(SignedDuration::from_nanos(1))
            .unwrap()
            .to_zoned(zone.tz());
        assert_eq!(
            (after.date(), after.hour(), after.minute()),
            (r.last_day.tomorrow().unwrap(), 0, 0),
            "{what}"
        );
    }
}

#[test]
fn solo_completion_window_from_domain() {
    // DOMAIN.md §4: a 2-day completion window ran Fri 12 Jan 2024 → Tue 16 Jan 2024 16:00 in
    // Solo (Kota Surakarta, WIB). Day 0 Fri 12; Sat 13, Sun 14 skipped; Mon 15 = 1, Tue 16 = 2.
    // DOMAIN.md says 16:00 (the office's closing hour); Posko's deadline is the end of the day,
    // 23:59:59.999999999 WIB — a known, documented choice (calendar.rs's module doc), kept.
    let h = Holidays::shipped();
    let e = Election::pemilu_2024();
    let case = case_in(Step::Completion);
    let zone = zone_of(SOLO.0, SOLO.1, SOLO.2);
    let last = step_deadline(&e, &h, &case, date(2024, 1, 12), false).unwrap();
    assert_eq!(last, date(2024, 1, 16));
    assert_eq!(last.weekday(), Weekday::Tuesday);
    let at = end_of_day(last, zone);
    assert_eq!(at.to_string(), "2024-01-16T16:59:59.999999999Z");
    // The pure calendar agrees here: no round-the-clock day lies in the window.
    assert_eq!(
        h.deadline(date(2024, 1, 12), RuleSet::pemilu().completion, zone),
        at
    );
    // 16:00 WIB on Tue 16 Jan is 09:00 UTC; Posko's deadline is 8 hours (less 1 ns) later.
    let sixteen: Timestamp = "2024-01-16T09:00:00Z".parse().unwrap();
    assert_eq!(
        at.duration_since(sixteen),
        SignedDuration::from_hours(8) - SignedDuration::from_nanos(1)
    );
}

#[test]
fn one_local_day_is_three_utc_instants() {
    // Pemilu handling from Fri 9 Feb 2024 ends Mon 19 Feb in every zone (see the table); the
    // instants are an hour apart, WIT first.
    let h = Holidays::shipped();
    let e = Election::pemilu_2024();
    let case = case_in(Step::Handling);
    let last = step_deadline(&e, &h, &case, date(2024, 2, 9), false).unwrap();
    assert_eq!(last, date(2024, 2, 19));
    let wib = end_of_day(last, zone_of(JEPARA.0, JEPARA.1, JEPARA.2));
    let wita = end_of_day(last, zone_of(DENPASAR.0, DENPASAR.1, DENPASAR.2));
    let wit = end_of_day(last, zone_of(JAYAPURA.0, JAYAPURA.1, JAYAPURA.2));
    assert_eq!(wib.to_string(), "2024-02-19T16:59:59.999999999Z");
    assert_eq!(wita.to_string(), "2024-02-19T15:59:59.999999999Z");
    assert_eq!(wit.to_string(), "2024-02-19T14:59:59.999999999Z");
    assert_eq!(wib.duration_since(wita), SignedDuration::from_hours(1));
    assert_eq!(wita.duration_since(wit), SignedDuration::from_hours(1));
    // Holidays::deadline with the same zones gives the pure-calendar day (Wed 21 Feb: Sun 11 and
    // Wed 14 not counted) — the round-the-clock days belong to the election, not the calendar.
    assert_eq!(
        h.deadline(date(2024, 2, 9), Period::working(7), Zone::Wita)
            .to_string(),
        "2024-02-21T15:59:59.999999999Z"
    );
}

#[test]
fn round_the_clock_days_only_change_working_day_clocks() {
    let h = Holidays::shipped();
    // Pilkada counts calendar days, so its quiet period and polling day change nothing: 3 days
    // from Sat 23 Nov 2024 is Tue 26 with or without them (24, 25, 26).
    let k = Election::pilkada_2024();
    let case = case_in(Step::Handling);
    assert_eq!(
        step_deadline(&k, &h, &case, date(2024, 11, 23), false),
        Some(date(2024, 11, 26))
    );
    // A Pilkada counted in working days (an operator's rule set): then its round-the-clock days
    // count. Day 0 Fri 22 Nov; Sat 23 skipped (campaign's last day); Sun 24 (quiet) = 1, Mon 25
    // = 2, Tue 26 = 3. Pure calendar: Mon 25, Tue 26, Thu 28.
    let working = Election {
        rules: RuleSet {
            handling: Period::working(3),
            ..RuleSet::pilkada()
        },
        ..Election::pilkada_2024()
    };
    assert_eq!(
        step_deadline(&working, &h, &case, date(2024, 11, 22), false),
        Some(date(2024, 11, 26))
    );
    assert_eq!(
        h.deadline(date(2024, 11, 22), Period::working(3), Zone::Wib)
            .to_string(),
        "2024-11-28T16:59:59.999999999Z"
    );
    // …and 4 working days take in polling day (Wed 27, a national holiday) = 4.
    let four = Election {
        rules: RuleSet {
            handling: Period::working(4),
            ..RuleSet::pilkada()
        },
        ..Election::pilkada_2024()
    };
    assert_eq!(
        step_deadline(&four, &h, &case, date(2024, 11, 22), false),
        Some(date(2024, 11, 27))
    );
    // No clock in a state without a legal period (closed after registration was refused).
    let closed = apply(
        &case_in(Step::InitialReview),
        &Action::RejectRegistration {
            reason: "daluwarsa".into(),
        },
    )
    .unwrap();
    assert_eq!(
        step_deadline(&k, &h, &closed, date(2024, 11, 22), false),
        None
    );
}

// ---- Properties ----

/// The shipped days off, read here from the CSV independently of `Holidays::from_csv`.
fn days_off() -> BTreeSet<Date> {
    include_str!("../../../data/kalender/hari-libur-2024-2026.csv")
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect()
}

fn zone_strategy() -> impl Strategy<Value = Zone> {
    prop_oneof![Just(Zone::Wib), Just(Zone::Wita), Just(Zone::Wit)]
}

/// Pemilu 2024 or Pilkada 2024, with its handling period set to `p`.
fn election_with_handling(pemilu: bool, p: Period) -> Election {
    let base = if pemilu {
        Election::pemilu_2024()
    } else {
        Election::pilkada_2024()
    };
    Election {
        rules: RuleSet {
            handling: p,
            ..base.rules.clone()
        },
        ..base
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn deadlines_are_late_enough_monotone_and_working_is_not_shorter(
        offset in 0i64..(3 * 366 + 30),
        days in 0u32..=20,
        zone in zone_strategy(),
        pemilu in any::<bool>(),
    ) {
        let h = Holidays::shipped();
        let off = days_off();
        let case = case_in(Step::Handling);
        // Starts from 1 Dec 2023 to early 2027, across both elections' special days.
        let start = date(2023, 12, 1)
            .checked_add(SignedDuration::from_hours(offset * 24))
            .unwrap();
        let deadline = |p: Period| {
            let e = election_with_handling(pemilu, p);
            let last = step_deadline(&e, &h, &case, start, false).unwrap();
            (last, end_of_day(last, zone))
        };
        let (w_last, w) = deadline(Period::working(days));
        let (c_last, c) = deadline(Period::calendar(days));
        let (_, w_next) = deadline(Period::working(days + 1));
        let (_, c_next) = deadline(Period::calendar(days + 1));

        // Never earlier than the start: not before the end of day 0, which is after the local
        // midnight that begins it.
        let start_midnight = start.to_zoned(zone.tz()).unwrap().timestamp();
        prop_assert!(w >= end_of_day(start, zone) && w > start_midnight);
        prop_assert!(c >= end_of_day(start, zone) && c > start_midnight);
        // Strictly monotone in the number of days.
        prop_assert!(w_next > w, "{} working {} → {}", start, days, w_last);
        prop_assert!(c_next > c);
        // A working-day deadline is never earlier than the calendar-day one of the same length.
        prop_assert!(w >= c, "{} {} days: working {} < calendar {}", start, days, w_last, c_last);
        // The pure calendar (no round-the-clock days) is never earlier than the election's clock.
        prop_assert!(h.deadline(start, Period::working(days), zone) >= w);
        // Calendar days: exactly `days` days later.
        prop_assert_eq!(c_last, start.checked_add(SignedDuration::from_hours(i64::from(days) * 24)).unwrap());

        // An independent count: exactly `days` days in (start, w_last] are counted — weekdays
        // not in the CSV, or the election's quiet period and polling day — and the last is one.
        let (quiet, polling) = if pemilu {
            ((date(2024, 2, 11), date(2024, 2, 13)), date(2024, 2, 14))
        } else {
            ((date(2024, 11, 24), date(2024, 11, 26)), date(2024, 11, 27))
        };
        let counted = |x: Date| {
            (quiet.0 <= x && x <= quiet.1)
                || x == polling
                || (!matches!(x.weekday(), Weekday::Saturday | Weekday::Sunday) && !off.contains(&x))
        };
        let mut n = 0;
        let mut cur = start;
        while cur < w_last {
            cur = cur.tomorrow().unwrap();
            if counted(cur) {
                n += 1;
            }
        }
        prop_assert_eq!(n, days);
        prop_assert!(days == 0 || counted(w_last));
    }
}
