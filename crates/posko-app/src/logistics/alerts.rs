//! Logistics alerts (issue 7) through the case-handling channels (in-app, e-mail, webhooks):
//! damage or loss on arrival as soon as it is recorded, and, per district and stage, places still
//! short of what they need as the stage's deadline nears and after it has passed. A deadline is
//! the end of its day in the district's own zone (WIB, WITA or WIT): H-14 for the PPK, H-7 for the
//! PPS, H-1 for the KPPS (`Stage::due`).

use std::collections::{BTreeMap, BTreeSet};

use jiff::{SignedDuration, Timestamp};
use posko_core::election::BallotType;
use posko_core::logistics::Stage;
use posko_core::{Agency, Level, RegionCode, Zone};
use posko_store::StoreError;

use crate::notify::{raise_all, Audience, Notice, NoticeKind};
use crate::Posko;

use super::BALLOTS;

fn district_name(posko: &Posko, d: &RegionCode) -> String {
    posko
        .atlas
        .get(d)
        .map(|r| r.name.clone())
        .unwrap_or_else(|| d.to_string())
}

/// The two notices about a district: to its coordinators and to its KPU handlers.
fn notices_for(
    district: RegionCode,
    kind: NoticeKind,
    message_id: String,
    message_en: String,
    dedupe: Option<String>,
) -> [Notice; 2] {
    [
        ("koordinator", Audience::Coordinators(district)),
        ("kpu", Audience::Handlers(Agency::Kpu, district)),
    ]
    .map(|(suffix, audience)| Notice {
        kind,
        audience,
        case: None,
        message_id: message_id.clone(),
        message_en: message_en.clone(),
        dedupe_key: dedupe.as_ref().map(|k| format!("{k}:{suffix}")),
    })
}

/// Damage and loss on arrival, per district of the receivers: `(damaged, missing)` items, from
/// `source` (an imported file, or one hand-over).
pub async fn on_arrival(
    posko: &Posko,
    election: &str,
    trouble: &BTreeMap<RegionCode, (u64, u64)>,
    source: &str,
    now: Timestamp,
) -> Result<usize, StoreError> {
    // All in one write: a national file can bring trouble to thousands of districts, and a
    // commit per notice had cost its import seconds of disk flushes.
    let mut notices = Vec::new();
    for (district, (damaged, missing)) in trouble {
        if damaged + missing == 0 {
            continue;
        }
        let name = district_name(posko, district);
        notices.extend(notices_for(
            *district,
            NoticeKind::LogistikBermasalah,
            format!(
                "Logistik bermasalah ({election}): {damaged} rusak dan {missing} hilang saat \
                 diterima di {name} ({district}), dari {source}."
            ),
            format!(
                "Logistics trouble ({election}): {damaged} damaged and {missing} missing on \
                 arrival in {name} ({district}), from {source}."
            ),
            None,
        ));
    }
    let raised = raise_all(posko.store.as_ref(), &notices, now).await?;
    Ok(raised.into_iter().filter(|&r| r).count())
}

/// The instant a stage's deadline ends for a place in `zone`: the end of its due day there.
pub fn deadline(stage: Stage, polling_day: jiff::civil::Date, zone: Zone) -> Option<Timestamp> {
    let due = stage.due(polling_day)?;
    let next = due.tomorrow().ok()?;
    next.to_zoned(zone.tz()).ok().map(|z| z.timestamp())
}

/// What one scan raised.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanReport {
    pub near: usize,
    pub late: usize,
}

/// Places short of their need per district and stage, for one region and election.
async fn shortfalls(
    posko: &Posko,
    election_id: &str,
    within: &RegionCode,
    now: Timestamp,
) -> Result<BTreeMap<(RegionCode, Stage), Vec<String>>, StoreError> {
    let zone = posko.atlas.zone(within).unwrap_or(Zone::Wib);
    let today = now.to_zoned(zone.tz()).date();
    let (boards, _) = super::status(posko, election_id, within, today).await?;
    let need = super::needs_by_place(&boards);
    let mut short: BTreeMap<(RegionCode, Stage), BTreeSet<String>> = BTreeMap::new();
    for b in &boards {
        let Some(d) = b.tps.village.ancestor_at(Level::District) else {
            continue;
        };
        for (_, s) in &b.ballots {
            if s.short > 0 {
                short
                    .entry((d, Stage::Kpps))
                    .or_default()
                    .insert(b.tps.to_string());
            }
        }
    }
    for stage in [Stage::Ppk, Stage::Pps] {
        let held: BTreeMap<(String, BallotType), u64> = posko
            .store
            .holdings(election_id, stage, &within.to_string())
            .await?
            .into_iter()
            .filter(|h| h.item.kind == BALLOTS)
            .filter_map(|h| Some(((h.node.place, h.item.ballot?), u64::from(h.good_in))))
            .collect();
        for ((st, place, ballot), n) in need.range((stage, String::new(), BallotType::Ppwp)..) {
            if *st != stage {
                break;
            }
            let got = held.get(&(place.clone(), *ballot)).copied().unwrap_or(0);
            if got < *n {
                if let Some(d) = RegionCode::parse(place)
                    .ok()
                    .and_then(|c| c.ancestor_at(Level::District))
                {
                    short.entry((d, stage)).or_default().insert(place.clone());
                }
            }
        }
    }
    Ok(short
        .into_iter()
        .map(|(k, v)| (k, v.into_iter().collect()))
        .collect())
}

/// Raises the deadline alerts due at `now`: for each election whose chain is running (from two
/// days before the PPK's deadline to polling day), for the post's region (every province when the
/// post has none), per district and stage, once "near" within the alert lead time and once
/// "late" after the deadline.
pub async fn scan(posko: &Posko, now: Timestamp) -> Result<ScanReport, StoreError> {
    let lead = SignedDuration::from_hours(i64::from(posko.config.alert_lead_hours));
    let mut report = ScanReport::default();
    let regions = posko.scan_regions();
    for election in posko.elections.all() {
        let polling = election.polling_day;
        let today = now.to_zoned(Zone::Wib.tz()).date();
        let opens = Stage::Ppk
            .due(polling)
            .and_then(|d| d.checked_sub(jiff::Span::new().days(2)).ok());
        if opens.is_none_or(|o| today < o) || today > polling {
            continue;
        }
        for region in &regions {
            let short = shortfalls(posko, &election.id, region, now).await?;
            // A region's notices are written at once (one commit, not one per notice); each
            // district's pair is counted once if either was raised.
            let mut notices = Vec::new();
            let mut lateness = Vec::new();
            for ((district, stage), places) in short {
                let zone = posko.atlas.zone(&district).unwrap_or(Zone::Wib);
                let Some(end) = deadline(stage, polling, zone) else {
                    continue;
                };
                let late = now >= end;
                if !late && now < end - lead {
                    continue;
                }
                let due = stage
                    .due(polling)
                    .map(|d| d.to_string())
                    .unwrap_or_default();
                let name = district_name(posko, &district);
                let n = places.len();
                let what = match stage {
                    Stage::Kpps => "TPS",
                    Stage::Pps => "desa/kelurahan (PPS)",
                    _ => "PPK",
                };
                let what_en = match stage {
                    Stage::Kpps => "TPS",
                    Stage::Pps => "villages (PPS)",
                    _ => "district (PPK)",
                };
                let sample = places
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ");
                let (kind, key, id, en) = if late {
                    (
                        NoticeKind::LogistikTerlambat,
                        "logistik-terlambat",
                        format!(
                            "Logistik terlambat ({}): {n} {what} di {name} ({district}) belum \
                             menerima surat suara lengkap; batas {} {due} {}. Contoh: {sample}.",
                            election.id,
                            stage.label(),
                            zone.abbreviation()
                        ),
                        format!(
                            "Logistics late ({}): {n} {what_en} in {name} ({district}) still short \
                             of ballot papers; the {} deadline was {due} {}. E.g. {sample}.",
                            election.id,
                            stage.label(),
                            zone.abbreviation()
                        ),
                    )
                } else {
                    (
                        NoticeKind::LogistikKurang,
                        "logistik-kurang",
                        format!(
                            "Logistik kurang menjelang batas ({}): {n} {what} di {name} \
                             ({district}) belum menerima surat suara lengkap; batas {} {due} {}. \
                             Contoh: {sample}.",
                            election.id,
                            stage.label(),
                            zone.abbreviation()
                        ),
                        format!(
                            "Logistics short before the deadline ({}): {n} {what_en} in {name} \
                             ({district}) still short of ballot papers; the {} deadline is {due} \
                             {}. E.g. {sample}.",
                            election.id,
                            stage.label(),
                            zone.abbreviation()
                        ),
                    )
                };
                let dedupe = format!("{key}:{}:{}:{district}", election.id, stage.as_str());
                notices.extend(notices_for(district, kind, id, en, Some(dedupe)));
                lateness.push(late);
            }
            let raised = raise_all(posko.store.as_ref(), &notices, now).await?;
            for (late, pair) in lateness.into_iter().zip(raised.chunks(2)) {
                if pair.iter().any(|&r| r) {
                    if late {
                        report.late += 1;
                    } else {
                        report.near += 1;
                    }
                }
            }
        }
    }
    Ok(report)
}
