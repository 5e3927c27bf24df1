//! Result forms and turnout at the post (issue 8): importing TPS result forms (an uploaded CSV or
//! XLSX, or the JSON API), importing a previous election's TPS forms as the turnout to compare
//! with, and the turnout view of a region: per ballot type against the election's target and the
//! previous election, per child region for the drill-down, and the flagged forms by severity.
//! The rules are `posko_core::results`; reading files is `posko_hasil`'s.

use std::collections::HashMap;

use jiff::Timestamp;
use posko_core::results::{
    check_form, cross_form_duplicates, neighbour_outliers, Area, CheckRules, Comparison, Finding,
    FormDigest, ResultForm, RollUp, Tally, Turnout,
};
use posko_core::{BallotType, Election, Level, RegionCode};
use posko_store::{NewAuditEntry, PreviousTurnout, StoreError};

use crate::Posko;

/// At most this many problems of a refused file are listed; the rest are counted.
pub const MAX_LISTED: usize = 50;

#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    #[error("pemilihan '{0}' tidak dikenal (unknown election)")]
    UnknownElection(String),
    #[error("{0}")]
    Unreadable(String),
    #[error("{file}: {total} baris bermasalah, tidak ada yang diimpor (rows with problems, nothing imported):\n{}", .problems.join("\n"))]
    Rows {
        file: String,
        problems: Vec<String>,
        total: usize,
    },
    #[error("{0}: tidak ada formulir (no forms)")]
    Empty(String),
    #[error("formulir {tps} ({ballot}) di luar wilayah tugas Anda (outside your region)")]
    OutsideRegion { tps: String, ballot: String },
    #[error(transparent)]
    Store(StoreError),
}

fn election<'a>(posko: &'a Posko, id: &str) -> Result<&'a Election, ResultsError> {
    posko
        .elections
        .get(id)
        .ok_or_else(|| ResultsError::UnknownElection(id.to_string()))
}

/// Reads an uploaded file into forms; a file with any unreadable row is refused whole, each
/// problem named by line and column, as the TPS register import does.
pub fn read_upload(name: &str, bytes: &[u8]) -> Result<Vec<ResultForm>, ResultsError> {
    let parsed = posko_hasil::parse_upload(name, bytes)
        .map_err(|e| ResultsError::Unreadable(e.to_string()))?;
    if !parsed.problems.is_empty() {
        let total = parsed.problems.len();
        let problems = parsed
            .problems
            .iter()
            .take(MAX_LISTED)
            .map(|p| {
                if p.column.is_empty() {
                    format!("  - baris {}: {}", p.line, p.message())
                } else {
                    format!("  - baris {}, kolom {}: {}", p.line, p.column, p.message())
                }
            })
            .collect();
        return Err(ResultsError::Rows {
            file: name.to_string(),
            problems,
            total,
        });
    }
    if parsed.forms.is_empty() {
        return Err(ResultsError::Empty(name.to_string()));
    }
    Ok(parsed.forms.into_iter().map(|(_, f)| f).collect())
}

/// Stores forms (a form of the same TPS and ballot replaces the earlier one). With `scope`, every
/// form must lie inside it. Audited with the source's name and the count.
pub async fn import_forms(
    posko: &Posko,
    election_id: &str,
    forms: &[ResultForm],
    source: &str,
    actor: Option<i64>,
    scope: Option<&RegionCode>,
    at: Timestamp,
) -> Result<u64, ResultsError> {
    election(posko, election_id)?;
    if let Some(scope) = scope {
        if let Some(f) = forms.iter().find(|f| !scope.contains(&f.tps.village)) {
            return Err(ResultsError::OutsideRegion {
                tps: f.tps.to_string(),
                ballot: f.ballot.as_str().to_string(),
            });
        }
    }
    let n = posko
        .store
        .import_result_forms(election_id, forms, source, at)
        .await
        .map_err(ResultsError::Store)?;
    posko
        .store
        .append_audit(&NewAuditEntry {
            at,
            actor,
            action: "result_forms_imported".into(),
            subject: format!("results:{election_id}"),
            detail: format!("{n} formulir dari {source}"),
        })
        .await
        .map_err(ResultsError::Store)?;
    Ok(n)
}

/// Rolls a previous election's TPS forms up to every area and keeps that turnout for
/// `election_id` under `label` (replacing what was kept). Returns how many areas.
pub async fn import_previous(
    posko: &Posko,
    election_id: &str,
    label: &str,
    forms: &[ResultForm],
) -> Result<u64, ResultsError> {
    election(posko, election_id)?;
    let rows = previous_rows(forms);
    posko
        .store
        .set_previous_turnout(election_id, label, &rows)
        .await
        .map_err(ResultsError::Store)
}

/// Every area's turnout from a set of forms, as kept for comparison.
pub fn previous_rows(forms: &[ResultForm]) -> Vec<PreviousTurnout> {
    let mut r = RollUp::default();
    for f in forms {
        r.add(f);
    }
    r.finish()
        .iter()
        .map(|((area, ballot), t)| PreviousTurnout {
            area: *area,
            ballot: *ballot,
            turnout: t.turnout(),
        })
        .collect()
}

/// One ballot type's line in a region's turnout table.
#[derive(Debug, Clone, PartialEq)]
pub struct BallotLine {
    pub ballot: BallotType,
    pub tally: Tally,
    pub comparison: Comparison,
}

/// A child region's turnout per ballot type.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildLine {
    pub code: RegionCode,
    pub name: String,
    pub lines: Vec<BallotLine>,
}

/// A region's turnout and the flagged forms inside it.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnoutView {
    pub region: RegionCode,
    pub ballots: Vec<BallotLine>,
    pub children: Vec<ChildLine>,
    pub previous_label: Option<String>,
    /// Findings on the forms inside the region, errors first.
    pub findings: Vec<Finding>,
    pub forms: usize,
}

/// The turnout view of a region. Forms are checked against their neighbours in their district
/// (so a village's page judges its TPS as the district's does).
pub async fn turnout(
    posko: &Posko,
    election_id: &str,
    region: &RegionCode,
) -> Result<TurnoutView, ResultsError> {
    let e = election(posko, election_id)?;
    let scope = region
        .ancestor_at(Level::District)
        .filter(|d| d.level() < region.level())
        .unwrap_or(*region);
    let all = posko
        .store
        .result_forms(election_id, &scope)
        .await
        .map_err(ResultsError::Store)?;
    let rules = CheckRules::for_election(e);
    let mut findings = Vec::new();
    let mut roll = RollUp::default();
    let mut forms = 0;
    for f in all.iter().filter(|f| region.contains(&f.tps.village)) {
        check_form(f, e, &rules, &mut findings);
        roll.add(f);
        forms += 1;
    }
    let digests: Vec<FormDigest> = all.iter().map(ResultForm::digest).collect();
    let inside = |f: &Finding| region.contains(&f.tps.village);
    findings.extend(
        cross_form_duplicates(&digests)
            .into_iter()
            .chain(neighbour_outliers(&digests, &rules.neighbours))
            .map(|(_, f)| f)
            .filter(inside),
    );
    findings.sort_by_key(|f| (f.severity(), f.tps, f.ballot, f.code));
    let rolled = roll.finish();
    let previous = posko
        .store
        .previous_turnout(election_id)
        .await
        .map_err(ResultsError::Store)?;
    let (previous_label, previous): (Option<String>, HashMap<(Area, BallotType), Turnout>) =
        match previous {
            Some((label, rows)) => (
                Some(label),
                rows.into_iter()
                    .map(|p| ((p.area, p.ballot), p.turnout))
                    .collect(),
            ),
            None => (None, HashMap::new()),
        };
    let target = e.rules.turnout_target_bp;
    let line = |area: Area, ballot: BallotType, tally: &Tally| BallotLine {
        ballot,
        tally: *tally,
        comparison: Comparison::new(
            tally.turnout(),
            target,
            previous.get(&(area, ballot)).copied(),
        ),
    };
    let here = Area::Region(*region);
    let ballots: Vec<BallotLine> = e
        .ballots
        .iter()
        .filter_map(|b| rolled.get(here, *b).map(|t| line(here, *b, t)))
        .collect();
    let mut children: Vec<ChildLine> = Vec::new();
    for b in &e.ballots {
        for (code, t) in rolled.children(here, *b) {
            let l = line(Area::Region(code), *b, t);
            match children.iter_mut().find(|c| c.code == code) {
                Some(c) => c.lines.push(l),
                None => children.push(ChildLine {
                    code,
                    name: posko
                        .atlas
                        .get(&code)
                        .map(|r| r.name.clone())
                        .unwrap_or_default(),
                    lines: vec![l],
                }),
            }
        }
    }
    children.sort_by_key(|c| c.code);
    Ok(TurnoutView {
        region: *region,
        ballots,
        children,
        previous_label,
        findings,
        forms,
    })
}
