//! The public accountability figures (issue 9, part 5): anonymised counts of reports and cases
//! by district and category, by agency and outcome, the decisions reached, and the median time
//! to resolution — with small counts suppressed so no one can be identified. No I/O: the app
//! hands in one fact per case (no name, no phone, no NIK, no text — only codes and instants) and
//! publishes what this module returns.
//!
//! Suppression: a count from 1 to 4 is shown as "<5" (primary suppression). Then every line of
//! a table — a row with its row total, a column with its column total, the totals row and the
//! totals column with the grand total — must not hold exactly one hidden entry, or that entry
//! would be the line's total minus its visible entries; where it does, the smallest other
//! non-zero visible entry of that line is hidden too (complementary suppression, shown as "•"),
//! until no such line is left. A zero is shown: it identifies no one. A median time is shown only
//! from five resolved cases up. The district × category table and the category × decision table
//! share margins (the count per category and the grand total): a margin hidden in one is hidden
//! in the other. Not handled: differences between pages of nested regions (a regency's page and
//! its province's page may hide different cells of the same kecamatan row).

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use crate::access::Agency;
use crate::case::{CaseState, Decision};
use crate::region::RegionCode;
use crate::report::SubjectCategory;

/// Counts below this are never shown.
pub const THRESHOLD: u64 = 5;

/// What the public figures know of one case: codes and instants only.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFact {
    /// The village (or other region) where it happened.
    pub region: RegionCode,
    pub category: SubjectCategory,
    pub state: CaseState,
    pub decision: Option<Decision>,
    pub referred_to: Option<Agency>,
    pub received_at: Timestamp,
    /// When it reached `selesai` or `ditutup`, if it has.
    pub resolved_at: Option<Timestamp>,
}

/// A published cell: a number, "<5" (primary) or "•" (hidden so a "<5" cannot be worked out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "shown", content = "value", rename_all = "snake_case")]
pub enum Cell {
    Count(u64),
    Small,
    Withheld,
}

impl Cell {
    pub fn text(&self) -> String {
        match self {
            Cell::Count(n) => n.to_string(),
            Cell::Small => "<5".into(),
            Cell::Withheld => "•".into(),
        }
    }

    pub fn is_hidden(&self) -> bool {
        !matches!(self, Cell::Count(_))
    }
}

/// A two-way table of counts with its margins, suppressed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub rows: Vec<String>,
    pub columns: Vec<String>,
    /// `cells[r][c]`.
    pub cells: Vec<Vec<Cell>>,
    pub row_totals: Vec<Cell>,
    pub column_totals: Vec<Cell>,
    pub total: Cell,
}

/// Suppresses a table of counts `values[r][c]` (all rows the same length): see the module
/// comment. Returns the cells, row totals, column totals and grand total as shown.
pub fn suppress(rows: Vec<String>, columns: Vec<String>, values: &[Vec<u64>]) -> Table {
    suppress_forced(rows, columns, values, &[])
}

/// As [`suppress`], with some entries of the extended matrix hidden from the start (`(r, c)`,
/// where row `values.len()` is the column totals and column `columns.len()` the row totals):
/// how two tables that share margins are kept consistent.
pub fn suppress_forced(
    rows: Vec<String>,
    columns: Vec<String>,
    values: &[Vec<u64>],
    forced: &[(usize, usize)],
) -> Table {
    let nr = values.len();
    let nc = columns.len();
    // The extended matrix: row `nr` holds the column totals, column `nc` the row totals.
    let mut m = vec![vec![0u64; nc + 1]; nr + 1];
    for (r, row) in values.iter().enumerate() {
        for (c, v) in row.iter().take(nc).enumerate() {
            m[r][c] = *v;
            m[r][nc] += v;
            m[nr][c] += v;
            m[nr][nc] += v;
        }
    }
    let mut hidden = vec![vec![false; nc + 1]; nr + 1];
    for r in 0..=nr {
        for c in 0..=nc {
            hidden[r][c] = (1..THRESHOLD).contains(&m[r][c]);
        }
    }
    let primary = hidden.clone();
    for (r, c) in forced {
        if *r <= nr && *c <= nc {
            hidden[*r][*c] = true;
        }
    }
    // Lines: each row (all nc + 1 entries) and each column (all nr + 1 entries).
    let lines: Vec<Vec<(usize, usize)>> = (0..=nr)
        .map(|r| (0..=nc).map(|c| (r, c)).collect())
        .chain((0..=nc).map(|c| (0..=nr).map(|r| (r, c)).collect()))
        .collect();
    loop {
        let mut changed = false;
        for line in &lines {
            let n_hidden = line.iter().filter(|(r, c)| hidden[*r][*c]).count();
            if n_hidden != 1 {
                continue;
            }
            // The smallest non-zero visible entry; a zero only if nothing else is left.
            let pick = line
                .iter()
                .filter(|(r, c)| !hidden[*r][*c])
                .min_by_key(|(r, c)| (m[*r][*c] == 0, m[*r][*c], *r, *c));
            if let Some((r, c)) = pick {
                hidden[*r][*c] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let cell = |r: usize, c: usize| {
        if primary[r][c] {
            Cell::Small
        } else if hidden[r][c] {
            Cell::Withheld
        } else {
            Cell::Count(m[r][c])
        }
    };
    Table {
        rows,
        cells: (0..nr)
            .map(|r| (0..nc).map(|c| cell(r, c)).collect())
            .collect(),
        row_totals: (0..nr).map(|r| cell(r, nc)).collect(),
        column_totals: (0..nc).map(|c| cell(nr, c)).collect(),
        total: cell(nr, nc),
        columns,
    }
}

/// A median duration in hours, or why none is shown.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "shown", content = "hours", rename_all = "snake_case")]
pub enum Median {
    Hours(f64),
    /// Fewer than five resolved cases.
    Small,
}

impl Median {
    /// "36 jam" / "2,5 hari" style text, in days from 48 hours up.
    pub fn text(&self, english: bool) -> String {
        match self {
            Median::Small => "<5".into(),
            Median::Hours(h) if *h >= 48.0 => {
                let s = format!("{:.1}", h / 24.0);
                if english {
                    format!("{s} days")
                } else {
                    format!("{} hari", s.replace('.', ","))
                }
            }
            Median::Hours(h) => {
                let s = format!("{h:.0}");
                if english {
                    format!("{s} hours")
                } else {
                    format!("{s} jam")
                }
            }
        }
    }
}

/// The median of durations in hours; `Small` below the threshold.
pub fn median_hours(mut hours: Vec<f64>) -> Median {
    if (hours.len() as u64) < THRESHOLD {
        return Median::Small;
    }
    hours.sort_by(f64::total_cmp);
    let n = hours.len();
    let m = if n % 2 == 1 {
        hours[n / 2]
    } else {
        (hours[n / 2 - 1] + hours[n / 2]) / 2.0
    };
    Median::Hours(m)
}

/// Where a case stands, in three words the public understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Received, under review or waiting for completion.
    Diterima,
    /// Registered and being examined, decided or referred and being followed up.
    Diproses,
    /// Finished or closed.
    Selesai,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::Diterima, Stage::Diproses, Stage::Selesai];

    pub fn of(s: CaseState) -> Stage {
        match s {
            CaseState::Diterima | CaseState::KajianAwal | CaseState::MenungguKelengkapan => {
                Stage::Diterima
            }
            CaseState::Selesai | CaseState::Ditutup => Stage::Selesai,
            _ => Stage::Diproses,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Diterima => "diterima",
            Stage::Diproses => "diproses",
            Stage::Selesai => "selesai",
        }
    }
}

/// Decisions in publishing order, with "not yet decided" last.
pub const DECISIONS: [Option<Decision>; 6] = [
    Some(Decision::Administratif),
    Some(Decision::KodeEtik),
    Some(Decision::HukumLainnya),
    Some(Decision::Pidana),
    Some(Decision::BukanPelanggaran),
    None,
];

/// The machine name of a decision column.
pub fn decision_key(d: Option<Decision>) -> &'static str {
    match d {
        Some(Decision::Administratif) => "administratif",
        Some(Decision::KodeEtik) => "kode_etik",
        Some(Decision::HukumLainnya) => "hukum_lainnya",
        Some(Decision::Pidana) => "pidana",
        Some(Decision::BukanPelanggaran) => "bukan_pelanggaran",
        None => "belum_diputus",
    }
}

/// Everything the public page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicFigures {
    /// The region, or `None` for the whole country.
    pub region: Option<RegionCode>,
    /// Rows: the areas (the region's districts, or the provinces); columns: subject categories.
    pub by_district: Table,
    /// Rows: agencies a case was referred to; columns: stages.
    pub by_agency: Table,
    /// Rows: subject categories; columns: decisions (and "not yet decided").
    pub outcomes: Table,
    /// Median hours from receipt to resolution, per category, then for all.
    pub time_to_resolution: Vec<(String, Median)>,
    pub time_overall: Median,
}

/// Builds the public figures of `region` (`None`: the whole country) from its facts; `districts`
/// are the rows of the first table in display order — the region's districts, or the provinces
/// (facts in none of them are counted under an "other" row only when there are any).
pub fn figures(
    region: Option<RegionCode>,
    districts: &[RegionCode],
    facts: &[CaseFact],
) -> PublicFigures {
    let facts: Vec<&CaseFact> = facts
        .iter()
        .filter(|f| region.is_none_or(|r| r.contains(&f.region)))
        .collect();
    let cats = SubjectCategory::ALL;
    let cat_index = |c: SubjectCategory| cats.iter().position(|x| *x == c).unwrap_or(0);
    let cat_names: Vec<String> = cats.iter().map(|c| c.as_str().to_string()).collect();

    // District × category.
    let mut drows: Vec<String> = districts.iter().map(|d| d.to_string()).collect();
    let mut dvals = vec![vec![0u64; cats.len()]; districts.len()];
    let mut other = vec![0u64; cats.len()];
    for f in &facts {
        let i = districts.iter().position(|d| d.contains(&f.region));
        match i {
            Some(i) => dvals[i][cat_index(f.category)] += 1,
            None => other[cat_index(f.category)] += 1,
        }
    }
    if other.iter().any(|v| *v > 0) {
        drows.push("lainnya".into());
        dvals.push(other);
    }

    // Agency × stage, for referred cases.
    let agencies: Vec<Agency> = Agency::ALL
        .iter()
        .copied()
        .filter(|a| facts.iter().any(|f| f.referred_to == Some(*a)))
        .collect();
    let mut avals = vec![vec![0u64; Stage::ALL.len()]; agencies.len()];
    for f in &facts {
        if let Some(i) = agencies.iter().position(|a| Some(*a) == f.referred_to) {
            let s = Stage::ALL
                .iter()
                .position(|s| *s == Stage::of(f.state))
                .unwrap_or(0);
            avals[i][s] += 1;
        }
    }
    let by_agency = suppress(
        agencies.iter().map(|a| a.as_str().to_string()).collect(),
        Stage::ALL.iter().map(|s| s.as_str().to_string()).collect(),
        &avals,
    );

    // Category × decision.
    let mut ovals = vec![vec![0u64; DECISIONS.len()]; cats.len()];
    for f in &facts {
        let d = DECISIONS.iter().position(|d| *d == f.decision).unwrap_or(0);
        ovals[cat_index(f.category)][d] += 1;
    }
    // The two tables share margins: the count per category (column totals of the first, row
    // totals of the second) and the grand total. A margin hidden in one is hidden in the other,
    // and both are suppressed again until neither hides more.
    let dec_names: Vec<String> = DECISIONS
        .iter()
        .map(|d| decision_key(*d).to_string())
        .collect();
    let (nd, nk) = (dvals.len(), cats.len());
    let mut shared: Vec<bool> = vec![false; nk + 1];
    let (by_district, outcomes) = loop {
        let forced_a: Vec<(usize, usize)> =
            (0..=nk).filter(|i| shared[*i]).map(|i| (nd, i)).collect();
        let forced_o: Vec<(usize, usize)> = (0..=nk)
            .filter(|i| shared[*i])
            .map(|i| (i, DECISIONS.len()))
            .collect();
        let a = suppress_forced(drows.clone(), cat_names.clone(), &dvals, &forced_a);
        let o = suppress_forced(cat_names.clone(), dec_names.clone(), &ovals, &forced_o);
        let next: Vec<bool> = (0..=nk)
            .map(|i| {
                let in_a = if i < nk { a.column_totals[i] } else { a.total };
                let in_o = if i < nk { o.row_totals[i] } else { o.total };
                in_a.is_hidden() || in_o.is_hidden()
            })
            .collect();
        if next == shared {
            break (a, o);
        }
        shared = next;
    };

    let hours = |f: &&CaseFact| {
        f.resolved_at
            .map(|r| r.duration_since(f.received_at).as_secs_f64() / 3600.0)
            .filter(|h| *h >= 0.0)
    };
    let mut per_cat: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    let mut all = Vec::new();
    for f in &facts {
        if let Some(h) = hours(f) {
            per_cat.entry(cat_index(f.category)).or_default().push(h);
            all.push(h);
        }
    }
    let time_to_resolution = cats
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                c.as_str().to_string(),
                median_hours(per_cat.remove(&i).unwrap_or_default()),
            )
        })
        .collect();
    PublicFigures {
        region,
        by_district,
        by_agency,
        outcomes,
        time_to_resolution,
        time_overall: median_hours(all),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| i.to_string()).collect()
    }

    /// All entries of a table's extended matrix, as (value shown, is hidden) with the true value.
    fn lines_of(t: &Table, values: &[Vec<u64>]) -> Vec<Vec<(Cell, u64)>> {
        let nr = values.len();
        let nc = t.columns.len();
        let row_sum = |r: usize| values[r].iter().sum::<u64>();
        let col_sum = |c: usize| values.iter().map(|row| row[c]).sum::<u64>();
        let grand: u64 = values.iter().flatten().sum();
        let entry = |r: usize, c: usize| -> (Cell, u64) {
            match (r == nr, c == nc) {
                (false, false) => (t.cells[r][c], values[r][c]),
                (false, true) => (t.row_totals[r], row_sum(r)),
                (true, false) => (t.column_totals[c], col_sum(c)),
                (true, true) => (t.total, grand),
            }
        };
        (0..=nr)
            .map(|r| (0..=nc).map(|c| entry(r, c)).collect())
            .chain((0..=nc).map(|c| (0..=nr).map(|r| entry(r, c)).collect()))
            .collect()
    }

    #[test]
    fn a_lone_small_cell_takes_a_partner() {
        let values = vec![vec![3, 10, 20], vec![7, 8, 9]];
        let t = suppress(names(2), names(3), &values);
        assert_eq!(t.cells[0][0], Cell::Small);
        // Row 0 would give 3 = 33 - 10 - 20: the 10 is withheld; column 0 would give 3 = 10 -
        // 7: the 7 is withheld; and so on until every line has two or none hidden.
        assert_eq!(t.cells[0][1], Cell::Withheld);
        assert_eq!(t.cells[1][0], Cell::Withheld);
        for line in lines_of(&t, &values) {
            assert_ne!(line.iter().filter(|(c, _)| c.is_hidden()).count(), 1);
        }
        assert_eq!(t.total, Cell::Count(57));
    }

    #[test]
    fn zeros_and_large_counts_show() {
        let values = vec![vec![0, 12], vec![5, 0]];
        let t = suppress(names(2), names(2), &values);
        assert_eq!(t.cells[0][0], Cell::Count(0));
        assert_eq!(t.cells[1][0], Cell::Count(5));
        assert_eq!(t.total, Cell::Count(17));
        assert_eq!(Cell::Small.text(), "<5");
    }

    #[test]
    fn medians_need_five() {
        assert_eq!(median_hours(vec![1.0, 2.0, 3.0, 4.0]), Median::Small);
        assert_eq!(
            median_hours(vec![5.0, 1.0, 3.0, 2.0, 4.0]),
            Median::Hours(3.0)
        );
        assert_eq!(
            median_hours(vec![1.0, 2.0, 3.0, 4.0, 5.0, 100.0]),
            Median::Hours(3.5)
        );
        assert_eq!(Median::Hours(60.0).text(false), "2,5 hari");
        assert_eq!(Median::Hours(36.0).text(true), "36 hours");
    }

    fn arb_facts() -> impl Strategy<Value = Vec<CaseFact>> {
        let t0: Timestamp = "2024-11-01T00:00:00Z".parse().unwrap();
        prop::collection::vec(
            (
                1u16..=4,
                prop::sample::select(SubjectCategory::ALL.to_vec()),
                prop::sample::select(DECISIONS.to_vec()),
                prop::option::of(prop::sample::select(vec![Agency::Bkn, Agency::Polri])),
                0i64..500,
            ),
            0..60,
        )
        .prop_map(move |rows| {
            rows.into_iter()
                .map(|(d, category, decision, referred_to, h)| CaseFact {
                    region: RegionCode::parse(&format!("33.20.{d:02}.2001")).unwrap(),
                    category,
                    state: if h % 3 == 0 {
                        CaseState::Selesai
                    } else {
                        CaseState::Pemeriksaan
                    },
                    decision,
                    referred_to,
                    received_at: t0,
                    resolved_at: (h % 3 == 0).then(|| t0 + jiff::SignedDuration::from_hours(h)),
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn tables_sharing_margins_hide_them_alike(facts in arb_facts()) {
            let districts: Vec<RegionCode> = (1..=3)
                .map(|d| RegionCode::parse(&format!("33.20.{d:02}")).unwrap())
                .collect();
            let f = figures(RegionCode::parse("33.20").ok(), &districts, &facts);
            let (a, o) = (&f.by_district, &f.outcomes);
            for (i, c) in a.column_totals.iter().enumerate() {
                prop_assert_eq!(c.is_hidden(), o.row_totals[i].is_hidden());
                if let (Cell::Count(x), Cell::Count(y)) = (c, o.row_totals[i]) {
                    prop_assert_eq!(*x, y);
                }
            }
            prop_assert_eq!(a.total.is_hidden(), o.total.is_hidden());
            for t in [a, o, &f.by_agency] {
                // Every line of every table: never exactly one hidden entry.
                let nr = t.rows.len();
                let nc = t.columns.len();
                let entry = |r: usize, c: usize| match (r == nr, c == nc) {
                    (false, false) => t.cells[r][c],
                    (false, true) => t.row_totals[r],
                    (true, false) => t.column_totals[c],
                    (true, true) => t.total,
                };
                for r in 0..=nr {
                    let n = (0..=nc).filter(|c| entry(r, *c).is_hidden()).count();
                    prop_assert_ne!(n, 1);
                }
                for c in 0..=nc {
                    let n = (0..=nr).filter(|r| entry(*r, c).is_hidden()).count();
                    prop_assert_ne!(n, 1);
                }
                for r in 0..=nr {
                    for c in 0..=nc {
                        if let Cell::Count(n) = entry(r, c) {
                            prop_assert!(n == 0 || n >= THRESHOLD);
                        }
                    }
                }
            }
            // The medians: shown only from five resolved cases.
            let resolved = facts.iter().filter(|x| x.resolved_at.is_some()).count();
            prop_assert_eq!(matches!(f.time_overall, Median::Small), resolved < 5);
        }

        #[test]
        fn no_small_count_shows_and_none_is_recoverable(
            values in (1usize..6, 1usize..6).prop_flat_map(|(r, c)| {
                prop::collection::vec(prop::collection::vec(
                    prop_oneof![3 => 0u64..6, 1 => 0u64..40], c), r)
            })
        ) {
            let nc = values[0].len();
            let t = suppress(names(values.len()), names(nc), &values);
            for line in lines_of(&t, &values) {
                for (cell, v) in &line {
                    // No visible count from 1 to 4, and a visible count is the true one.
                    match cell {
                        Cell::Count(n) => {
                            prop_assert_eq!(n, v);
                            prop_assert!(*n == 0 || *n >= THRESHOLD);
                        }
                        Cell::Small => prop_assert!((1..THRESHOLD).contains(v)),
                        Cell::Withheld => {}
                    }
                }
                // No line holds exactly one hidden entry: none is its total minus the rest.
                prop_assert_ne!(line.iter().filter(|(c, _)| c.is_hidden()).count(), 1);
            }
        }
    }
}
