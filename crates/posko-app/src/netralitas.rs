//! Neutrality briefings and integrity pledges (issue 9, part 4) and the public accountability
//! figures (part 5), over any store. Who records: an admin, the region's coordinators
//! (koordinator: Pj Bupati, Kesbangpol, Forkopimda), officers of Kesbangpol, the regional
//! government (Pemda) and BKN for their region, and a camat (operator wilayah of a kecamatan)
//! for their own villages — village heads' and officials' pledges and briefings there. Who reads
//! coverage: any active officer whose region holds the one asked for. The public figures need no
//! login and carry no personal field.
//!
//! A pledge is identified as the register of reported officials identifies an official
//! (`posko_core::official::identity_key`, hashed by `seal::subject_mac`): by NIP, and by name and
//! unit, both hashes kept when both are known so a case naming the official either way finds
//! the pledge. No NIP and no name is stored. Every recording is in the audit chain (counts and
//! codes only).

use std::collections::BTreeMap;
use std::path::Path;

use jiff::civil::Date;
use jiff::Timestamp;
use posko_core::akuntabilitas::{self, PublicFigures};
use posko_core::netralitas::{
    self as core, BriefingDraft, BriefingFact, DistrictArea, Headcount, NetralError, OfficialKind,
    PledgeDraft, RegionCoverage,
};
use posko_core::official::normalise_words;
use posko_core::{Agency, Level, RegionCode, Role, Zone};
use posko_store::{
    NewAuditEntry, NewBriefing, NewPledge, PledgeCount, PledgeMark, ReportDetail, StoreError,
    StoredBriefing, User,
};

use crate::register::{column_letter, normalise_header, read_table, ImportError, RowProblem};
use crate::{seal, Posko};

/// Most briefings a page lists.
pub const BRIEFINGS_LISTED: u32 = 200;
/// Most rows one pledge file may hold.
pub const MAX_PLEDGE_ROWS: usize = 200_000;

/// Why a neutrality request was refused.
#[derive(Debug, thiserror::Error)]
pub enum NetralitasError {
    #[error(transparent)]
    Record(#[from] NetralError),
    #[error("tidak berwenang mencatat atau melihat netralitas wilayah ini (not allowed for this region's neutrality records)")]
    Forbidden,
    #[error("wilayah '{0}' tidak dikenal (unknown region)")]
    Region(String),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn inside(u: &User, region: &RegionCode) -> bool {
    u.active && u.region.is_none_or(|r| r.contains(region))
}

/// Whether `u` may record briefings and pledges of `kind` placed in `region` (`None`: a
/// briefing, whatever its attendees).
pub fn records(u: &User, region: &RegionCode, kind: Option<OfficialKind>) -> bool {
    if !inside(u, region) {
        return false;
    }
    match u.role {
        Role::Admin | Role::Koordinator => true,
        Role::Penindak | Role::PetugasPiket => matches!(
            u.agency,
            Some(Agency::Kesbangpol | Agency::Pemda | Agency::Bkn)
        ),
        // A camat: their kecamatan's villages, their heads and officials.
        Role::OperatorWilayah => {
            u.region.is_some_and(|r| r.level() >= Level::District)
                && kind.is_none_or(|k| {
                    matches!(k, OfficialKind::KepalaDesa | OfficialKind::PerangkatDesa)
                })
        }
        Role::Pemantau => false,
    }
}

/// Whether `u` may read the coverage of `region`.
pub fn reads(u: &User, region: &RegionCode) -> bool {
    inside(u, region)
}

fn zone(posko: &Posko, region: &RegionCode) -> Zone {
    posko.atlas.zone(region).unwrap_or(Zone::Wib)
}

/// Today in the region's own zone.
pub fn today(posko: &Posko, region: &RegionCode, now: Timestamp) -> Date {
    now.to_zoned(zone(posko, region).tz()).date()
}

async fn audit(
    posko: &Posko,
    at: Timestamp,
    actor: Option<i64>,
    action: &str,
    subject: String,
    detail: String,
) -> Result<(), StoreError> {
    posko
        .store
        .append_audit(&NewAuditEntry {
            at,
            actor,
            action: action.into(),
            subject,
            detail,
        })
        .await
}

fn known(posko: &Posko, region: &RegionCode) -> Result<(), NetralitasError> {
    if posko.atlas.contains(region) {
        Ok(())
    } else {
        Err(NetralitasError::Region(region.to_string()))
    }
}

/// Records a briefing; returns its id.
pub async fn record_briefing(
    posko: &Posko,
    me: &User,
    draft: &BriefingDraft,
    now: Timestamp,
) -> Result<i64, NetralitasError> {
    known(posko, &draft.region)?;
    // Every kind of attendee must be one this officer may record (a camat: village heads and
    // officials, not ASN or camat).
    let may = records(me, &draft.region, None)
        && draft
            .attendees
            .iter()
            .all(|(k, n)| *n == 0 || records(me, &draft.region, Some(*k)));
    if !may {
        return Err(NetralitasError::Forbidden);
    }
    let b = draft.checked(today(posko, &draft.region, now))?;
    if let Some(v) = b.villages.iter().find(|v| !posko.atlas.contains(v)) {
        return Err(NetralitasError::Region(v.to_string()));
    }
    let id = posko
        .store
        .add_briefing(&NewBriefing {
            region: b.region,
            held_on: b.held_on,
            held_by_agency: b.held_by_agency,
            held_by: b.held_by.clone(),
            unit_key: normalise_words(&b.unit),
            unit: b.unit.clone(),
            villages: b.villages.clone(),
            asn: b.count(OfficialKind::Asn),
            camat: b.count(OfficialKind::Camat),
            kepala_desa: b.count(OfficialKind::KepalaDesa),
            perangkat_desa: b.count(OfficialKind::PerangkatDesa),
            created_by: Some(me.id),
            created_at: now,
        })
        .await?;
    let counts: Vec<String> = b
        .attendees
        .iter()
        .map(|(k, n)| format!("{}={n}", k.as_str()))
        .collect();
    audit(
        posko,
        now,
        Some(me.id),
        "neutrality_briefing_recorded",
        format!("penyuluhan:{id}"),
        format!(
            "{} {} desa:{} {}",
            b.region,
            b.held_on,
            b.villages.len(),
            counts.join(",")
        ),
    )
    .await?;
    Ok(id)
}

/// The keyed hashes of a checked pledge, as a store row.
fn pledge_row(
    posko: &Posko,
    p: &core::CheckedPledge,
    source: &str,
    me: Option<&User>,
    now: Timestamp,
) -> Option<NewPledge> {
    let number_mac = p
        .number_key
        .as_ref()
        .map(|k| seal::subject_mac(&posko.key, k));
    let name_mac = p
        .name_key
        .as_ref()
        .map(|k| seal::subject_mac(&posko.key, k));
    let identity_mac = number_mac.clone().or_else(|| name_mac.clone())?;
    Some(NewPledge {
        kind: p.kind,
        identity_mac,
        number_mac,
        name_mac,
        region: p.region,
        unit: p.unit.clone(),
        signed_on: p.signed_on,
        source: source.into(),
        created_by: me.map(|u| u.id),
        created_at: now,
    })
}

/// Records one pledge from the form; `already` is 1 when the official had signed before.
pub async fn record_pledge(
    posko: &Posko,
    me: &User,
    draft: &PledgeDraft,
    now: Timestamp,
) -> Result<PledgeCount, NetralitasError> {
    known(posko, &draft.region)?;
    if !records(me, &draft.region, Some(draft.kind)) {
        return Err(NetralitasError::Forbidden);
    }
    let p = draft.checked(today(posko, &draft.region, now))?;
    let row = pledge_row(posko, &p, "form", Some(me), now).ok_or(NetralError::Identity)?;
    let count = posko.store.add_pledges(&[row]).await?;
    audit(
        posko,
        now,
        Some(me.id),
        "integrity_pledge_recorded",
        format!("pakta:{}", p.region),
        format!(
            "{} {} baru:{} sudah:{}",
            p.kind.as_str(),
            p.signed_on,
            count.added,
            count.already
        ),
    )
    .await?;
    Ok(count)
}

/// Records or replaces a unit's headcount (ASN of an OPD or kecamatan office; perangkat desa of
/// a kecamatan).
pub async fn record_headcount(
    posko: &Posko,
    me: &User,
    row: &Headcount,
    now: Timestamp,
) -> Result<(), NetralitasError> {
    known(posko, &row.region)?;
    if !records(me, &row.region, Some(row.kind)) {
        return Err(NetralitasError::Forbidden);
    }
    let unit = normalise_words(&row.unit);
    if unit.is_empty() {
        return Err(NetralError::Required {
            field: "unit kerja",
            field_en: "unit",
        }
        .into());
    }
    let ok_kind = matches!(row.kind, OfficialKind::Asn | OfficialKind::PerangkatDesa)
        && row.region.level() <= Level::District;
    if !ok_kind {
        return Err(NetralError::Place {
            kind: row.kind.as_str(),
            region: row.region.to_string(),
        }
        .into());
    }
    posko
        .store
        .set_headcounts(
            &[Headcount {
                unit,
                ..row.clone()
            }],
            now,
        )
        .await?;
    audit(
        posko,
        now,
        Some(me.id),
        "neutrality_headcount_set",
        format!("unit:{}", row.region),
        format!("{} {}", row.kind.as_str(), row.headcount),
    )
    .await?;
    Ok(())
}

/// The columns of a pledge file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Kind,
    Nip,
    Name,
    Unit,
    Region,
    Date,
}

impl Col {
    const ALL: [Col; 6] = [
        Col::Kind,
        Col::Nip,
        Col::Name,
        Col::Unit,
        Col::Region,
        Col::Date,
    ];

    fn aliases(self) -> &'static [&'static str] {
        match self {
            Col::Kind => &["jenis", "jenis_pejabat", "kategori", "kind"],
            Col::Nip => &["nip", "nip_nrp", "nomor_induk", "id_number"],
            Col::Name => &["nama", "nama_lengkap", "name"],
            Col::Unit => &["unit_kerja", "unit", "opd", "instansi", "satuan_kerja"],
            Col::Region => &["kode_wilayah", "wilayah", "kode_desa", "region"],
            Col::Date => &[
                "tanggal",
                "tanggal_tanda_tangan",
                "tanggal_pakta",
                "signed_on",
                "date",
            ],
        }
    }

    fn name(self) -> &'static str {
        self.aliases()[0]
    }
}

/// `2024-01-31`, `31/01/2024`, `31-01-2024`.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let t = text.trim();
    if let Ok(d) = t.parse::<Date>() {
        return Ok(d);
    }
    let parts: Vec<&str> = t.split(['/', '-', '.']).collect();
    if let [d, m, y] = parts.as_slice() {
        if let (Ok(d), Ok(m), Ok(y)) = (d.parse::<i8>(), m.parse::<i8>(), y.parse::<i16>()) {
            if let Ok(date) = Date::new(y, m, d) {
                return Ok(date);
            }
        }
    }
    Err(format!(
        "'{text}' bukan tanggal (YYYY-MM-DD atau DD/MM/YYYY) (not a date)"
    ))
}

/// How an import went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PledgeImport {
    pub rows: u64,
    pub count: PledgeCount,
}

/// Imports pledges from a CSV or XLSX file for `region`, all or nothing: every bad row is named
/// by file, line and column and nothing is stored. Columns: `jenis` (asn, camat, kepala_desa,
/// perangkat_desa), `nip`, `nama`, `unit_kerja`, `kode_wilayah` (optional for ASN: the region
/// given), `tanggal`. `display` is the file's name as shown in messages. `me` is the officer
/// importing from a page; `None` is the operator at the command line, who may import anywhere.
pub async fn import_pledges(
    posko: &Posko,
    me: Option<&User>,
    region: &RegionCode,
    path: &Path,
    display: &str,
    now: Timestamp,
) -> Result<PledgeImport, NetralitasError> {
    known(posko, region)?;
    if me.is_some_and(|u| !records(u, region, None)) {
        return Err(NetralitasError::Forbidden);
    }
    let table = read_table(path, display)?;
    let mut cols: BTreeMap<usize, usize> = BTreeMap::new();
    for (i, h) in table.header.iter().enumerate() {
        let norm = normalise_header(h);
        for (ci, c) in Col::ALL.iter().enumerate() {
            if !cols.contains_key(&ci) && c.aliases().contains(&norm.as_str()) {
                cols.insert(ci, i);
            }
        }
    }
    let required = [Col::Kind, Col::Unit, Col::Date];
    let missing: Vec<&str> = required
        .iter()
        .filter(|c| !cols.contains_key(&(**c as usize)))
        .map(|c| c.name())
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns {
            file: display.into(),
            missing: missing.join(", "),
            found: table.header.join(", "),
        }
        .into());
    }
    if table.rows.is_empty() {
        return Err(ImportError::Empty {
            file: display.into(),
        }
        .into());
    }
    if table.rows.len() > MAX_PLEDGE_ROWS {
        return Err(ImportError::Unreadable {
            file: display.into(),
            reason: format!("lebih dari {MAX_PLEDGE_ROWS} baris (too many rows)"),
        }
        .into());
    }
    let today = today(posko, region, now);
    let col_name = |c: Col| -> String {
        let i = cols.get(&(c as usize)).copied().unwrap_or(0);
        let h = table
            .header
            .get(i)
            .cloned()
            .unwrap_or_else(|| c.name().into());
        if table.letters {
            format!("{} ({h})", column_letter(i))
        } else {
            h
        }
    };
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    let source = format!("file:{}", display.chars().take(200).collect::<String>());
    for (line, cells) in &table.rows {
        let get = |c: Col| -> &str {
            cols.get(&(c as usize))
                .and_then(|i| cells.get(*i))
                .map(String::as_str)
                .unwrap_or("")
        };
        let mut problem = |c: Col, message: String| {
            problems.push(RowProblem {
                file: display.into(),
                line: *line,
                column: col_name(c),
                message,
            })
        };
        let Some(kind) = OfficialKind::parse(get(Col::Kind)) else {
            problem(
                Col::Kind,
                NetralError::Kind(get(Col::Kind).into()).to_string(),
            );
            continue;
        };
        let place = match get(Col::Region).trim() {
            "" if kind == OfficialKind::Asn => *region,
            "" => {
                problem(
                    Col::Region,
                    "kosong: kode desa atau kecamatan wajib untuk camat dan pejabat desa (empty)"
                        .into(),
                );
                continue;
            }
            t => match RegionCode::parse(t) {
                Ok(r) if region.contains(&r) && posko.atlas.contains(&r) => r,
                Ok(r) => {
                    problem(
                        Col::Region,
                        format!("{r} tidak dikenal atau di luar wilayah {region} (unknown or outside the region)"),
                    );
                    continue;
                }
                Err(e) => {
                    problem(Col::Region, e.to_string());
                    continue;
                }
            },
        };
        if me.is_some_and(|u| !records(u, &place, Some(kind))) {
            problem(Col::Kind, NetralitasError::Forbidden.to_string());
            continue;
        }
        let signed_on = match parse_date(get(Col::Date)) {
            Ok(d) => d,
            Err(m) => {
                problem(Col::Date, m);
                continue;
            }
        };
        let draft = PledgeDraft {
            kind,
            id_number: get(Col::Nip).into(),
            name: get(Col::Name).into(),
            unit: get(Col::Unit).into(),
            region: place,
            signed_on,
        };
        match draft.checked(today) {
            Ok(p) => match pledge_row(posko, &p, &source, me, now) {
                Some(r) => rows.push(r),
                None => problem(Col::Nip, NetralError::Identity.to_string()),
            },
            Err(e) => {
                let c = match &e {
                    NetralError::Future(_) => Col::Date,
                    NetralError::Place { .. } => Col::Region,
                    NetralError::Identity => Col::Nip,
                    NetralError::TooLong { field, .. } if *field == "nama" => Col::Name,
                    _ => Col::Unit,
                };
                problem(c, e.to_string());
            }
        }
    }
    if !problems.is_empty() {
        let total = problems.len();
        problems.truncate(crate::register::MAX_LISTED_PROBLEMS);
        return Err(ImportError::Rows {
            file: display.into(),
            problems,
            total,
        }
        .into());
    }
    let count = posko.store.add_pledges(&rows).await?;
    audit(
        posko,
        now,
        me.map(|u| u.id),
        "integrity_pledges_imported",
        format!("pakta:{region}"),
        format!(
            "baris:{} baru:{} sudah:{}",
            rows.len(),
            count.added,
            count.already
        ),
    )
    .await?;
    Ok(PledgeImport {
        rows: rows.len() as u64,
        count,
    })
}

/// The districts of `region` with their desa, from the atlas (a kecamatan: itself).
pub fn district_areas(posko: &Posko, region: &RegionCode) -> Vec<DistrictArea> {
    posko
        .atlas
        .subtree(region)
        .iter()
        .filter(|r| r.level() == Level::District)
        .map(|d| DistrictArea {
            code: d.code,
            name: d.name.clone(),
            desa: posko
                .atlas
                .children(&d.code)
                .iter()
                .filter(|v| {
                    matches!(
                        v.code.village_kind(),
                        Some(
                            posko_core::region::VillageKind::Desa
                                | posko_core::region::VillageKind::DesaAdat
                        )
                    )
                })
                .map(|v| v.code)
                .collect(),
        })
        .collect()
}

/// The coverage of `region`, without an authorisation check (for the dashboard's tile and the
/// CLI); pages go through [`coverage_for`].
pub async fn coverage(posko: &Posko, region: &RegionCode) -> Result<RegionCoverage, StoreError> {
    let districts = district_areas(posko, region);
    let roster = posko.store.headcounts(region).await?;
    let briefings: Vec<BriefingFact> = posko
        .store
        .briefings(region, u32::MAX)
        .await?
        .into_iter()
        .map(|b| BriefingFact {
            region: b.briefing.region,
            unit: b.briefing.unit_key,
            villages: b.briefing.villages,
            attendees: [
                (OfficialKind::Asn, b.briefing.asn),
                (OfficialKind::Camat, b.briefing.camat),
                (OfficialKind::KepalaDesa, b.briefing.kepala_desa),
                (OfficialKind::PerangkatDesa, b.briefing.perangkat_desa),
            ]
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .collect(),
        })
        .collect();
    let pledges = posko.store.pledge_facts(region).await?;
    Ok(core::coverage(
        *region, &districts, &roster, &briefings, &pledges,
    ))
}

/// The coverage of `region` for an officer who may read it.
pub async fn coverage_for(
    posko: &Posko,
    me: &User,
    region: &RegionCode,
) -> Result<RegionCoverage, NetralitasError> {
    known(posko, region)?;
    if !reads(me, region) {
        return Err(NetralitasError::Forbidden);
    }
    Ok(coverage(posko, region).await?)
}

/// The briefings of `region`, newest first, for an officer who may read it.
pub async fn briefings_for(
    posko: &Posko,
    me: &User,
    region: &RegionCode,
) -> Result<Vec<StoredBriefing>, NetralitasError> {
    if !reads(me, region) {
        return Err(NetralitasError::Forbidden);
    }
    Ok(posko.store.briefings(region, BRIEFINGS_LISTED).await?)
}

/// The pledge that marks a case: the reported official's earliest pledge, when it was signed
/// on or before the day the report was received (in the region's zone).
pub async fn case_mark(
    posko: &Posko,
    detail: &ReportDetail,
) -> Result<Option<PledgeMark>, StoreError> {
    let Some(mac) = detail.subject_mac.as_deref() else {
        return Ok(None);
    };
    let Some(mark) = posko.store.pledge_of_official(mac).await? else {
        return Ok(None);
    };
    let received = today(posko, &detail.summary.region, detail.summary.received_at);
    Ok((mark.signed_on <= received).then_some(mark))
}

/// The public figures of `region` (anonymised, suppressed), or of the whole country by
/// province with `None`: see `posko_core::akuntabilitas`.
pub async fn public_figures(
    posko: &Posko,
    region: Option<&RegionCode>,
) -> Result<PublicFigures, StoreError> {
    let (areas, facts) = match region {
        Some(r) => {
            let areas: Vec<RegionCode> = posko
                .atlas
                .subtree(r)
                .iter()
                .filter(|x| x.level() == Level::District)
                .map(|x| x.code)
                .collect();
            (areas, posko.store.public_case_facts(r).await?)
        }
        None => {
            let provinces: Vec<RegionCode> =
                posko.atlas.provinces().iter().map(|p| p.code).collect();
            let mut facts = Vec::new();
            for p in &provinces {
                facts.extend(posko.store.public_case_facts(p).await?);
            }
            (provinces, facts)
        }
    };
    Ok(akuntabilitas::figures(region.copied(), &areas, &facts))
}

impl Posko {
    /// Neutrality coverage of a region per kind (ASN, camat, kepala desa, perangkat desa):
    /// briefed and pledged, numerator of denominator, with a row per district — for the
    /// dashboard's Netralitas tile.
    pub async fn neutrality_coverage(
        &self,
        region: &RegionCode,
    ) -> Result<RegionCoverage, StoreError> {
        coverage(self, region).await
    }
}
