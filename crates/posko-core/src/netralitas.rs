//! Neutrality briefings and integrity pledges (issue 9, part 4): who was briefed on neutrality
//! and who signed a pakta integritas netralitas, and the coverage arithmetic behind "312 of 340
//! village heads briefed; 7,902 of 8,114 ASN signed". No I/O: the app hands in the records and
//! the administrative areas, and gets the coverage per unit, per district and for the region.
//!
//! Four kinds of official are covered (DOMAIN.md §5–6): ASN (counted per unit — an OPD or a
//! kecamatan office — against the unit's recorded headcount), camat (one per kecamatan), kepala
//! desa (one per *desa*: a kelurahan is headed by a lurah, an ASN, and has no kepala desa — see
//! `region::VillageKind`) and perangkat desa (against a recorded headcount per district, when
//! one is recorded). A pledge identifies its official exactly as the register of reported
//! officials does (`official::identity_key`): the store keeps only keyed hashes, never a clear
//! NIP, so a pledge can be matched to a case about the same official.
//!
//! Counting rules (assumptions, stated in docs/operator.md): a numerator never exceeds its
//! denominator — attendance beyond a unit's headcount (repeat sessions) and pledges beyond it are
//! capped at the headcount and the excess is reported apart; ASN attendance of several briefings
//! of one unit adds up (attendees are counted, not named); a village head is briefed when a
//! briefing lists their village with a village head present; a camat when a briefing in their
//! kecamatan had a camat present.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use serde::Serialize;

use crate::access::Agency;
use crate::official::normalise_words;
use crate::region::{Level, RegionCode, VillageKind};

/// Longest unit name, officer line or note.
pub const MAX_LINE: usize = 200;
/// Most villages one briefing may list.
pub const MAX_VILLAGES: usize = 500;
/// Most attendees of one kind one briefing may count.
pub const MAX_ATTENDEES: u32 = 100_000;

/// The kinds of official a briefing reaches and a pledge binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OfficialKind {
    Asn,
    Camat,
    KepalaDesa,
    PerangkatDesa,
}

impl OfficialKind {
    pub const ALL: [OfficialKind; 4] = [
        OfficialKind::Asn,
        OfficialKind::Camat,
        OfficialKind::KepalaDesa,
        OfficialKind::PerangkatDesa,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OfficialKind::Asn => "asn",
            OfficialKind::Camat => "camat",
            OfficialKind::KepalaDesa => "kepala_desa",
            OfficialKind::PerangkatDesa => "perangkat_desa",
        }
    }

    /// Accepts the machine name and the words people write in spreadsheets.
    pub fn parse(s: &str) -> Option<OfficialKind> {
        let t = normalise_words(s).replace(' ', "_").to_ascii_lowercase();
        match t.as_str() {
            "asn" | "pns" | "pppk" => Some(OfficialKind::Asn),
            "camat" => Some(OfficialKind::Camat),
            "kepala_desa" | "kades" | "kepaladesa" => Some(OfficialKind::KepalaDesa),
            "perangkat_desa" | "perangkat" | "perangkatdesa" => Some(OfficialKind::PerangkatDesa),
            _ => None,
        }
    }

    /// (Bahasa Indonesia, English), plural, as the coverage table heads them.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            OfficialKind::Asn => ("ASN", "civil servants"),
            OfficialKind::Camat => ("Camat", "district heads"),
            OfficialKind::KepalaDesa => ("Kepala desa", "village heads"),
            OfficialKind::PerangkatDesa => ("Perangkat desa", "village officials"),
        }
    }

    /// Where a pledge of this kind is placed: a camat in a kecamatan, village heads and
    /// officials in a desa, an ASN in the regency, province or kecamatan of their unit.
    pub fn place_level_ok(self, region: &RegionCode) -> bool {
        match self {
            OfficialKind::Asn => region.level() <= Level::District,
            OfficialKind::Camat => region.level() == Level::District,
            OfficialKind::KepalaDesa | OfficialKind::PerangkatDesa => {
                region.level() == Level::Village
                    && matches!(
                        region.village_kind(),
                        Some(VillageKind::Desa | VillageKind::DesaAdat)
                    )
            }
        }
    }
}

/// Why a briefing or pledge cannot be recorded, naming the field (Indonesian, then English).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetralError {
    #[error("{field} wajib diisi ({field_en} is required)")]
    Required {
        field: &'static str,
        field_en: &'static str,
    },
    #[error("{field} terlalu panjang, paling banyak {max} karakter ({field_en} is too long)")]
    TooLong {
        field: &'static str,
        field_en: &'static str,
        max: usize,
    },
    #[error("jenis pejabat '{0}' tidak dikenal: asn, camat, kepala_desa, perangkat_desa (unknown kind of official)")]
    Kind(String),
    #[error("wilayah {region} tidak cocok untuk {kind}: camat di kecamatan, kepala/perangkat desa di desa (bukan kelurahan), ASN di kabupaten/kota atau kecamatan (the region does not fit this kind of official)")]
    Place { kind: &'static str, region: String },
    #[error("desa {0} tidak berada di wilayah penyuluhan atau bukan desa (village outside the briefing's region, or a kelurahan)")]
    Village(String),
    #[error("NIP atau nama dan unit kerja wajib diisi agar pejabat dapat dikenali (NIP, or name and unit, are needed to identify the official)")]
    Identity,
    #[error("jumlah peserta tidak sah (attendee count not valid)")]
    Count,
    #[error("tanggal {0} setelah hari ini (date in the future)")]
    Future(Date),
}

fn line(
    text: &str,
    field: &'static str,
    field_en: &'static str,
    required: bool,
) -> Result<String, NetralError> {
    let t = text.trim();
    if required && t.is_empty() {
        return Err(NetralError::Required { field, field_en });
    }
    if t.chars().count() > MAX_LINE {
        return Err(NetralError::TooLong {
            field,
            field_en,
            max: MAX_LINE,
        });
    }
    Ok(t.to_string())
}

/// A neutrality briefing as entered.
#[derive(Debug, Clone, PartialEq)]
pub struct BriefingDraft {
    /// Where it was held for: a regency (an OPD's briefing) or a kecamatan (its villages).
    pub region: RegionCode,
    pub held_on: Date,
    /// The agency that held it (Kesbangpol, Bawaslu, the regional government, …).
    pub held_by_agency: Agency,
    /// The officer who led it, as on the attendance list (an official acting in office).
    pub held_by: String,
    /// The unit briefed (an OPD or a kecamatan office), if it was a unit's briefing.
    pub unit: String,
    /// The villages whose heads and officials were briefed.
    pub villages: Vec<RegionCode>,
    /// Attendees counted by kind.
    pub attendees: Vec<(OfficialKind, u32)>,
}

/// A briefing that passed the checks: names trimmed, villages unique desa inside the region,
/// one count per kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Briefing {
    pub region: RegionCode,
    pub held_on: Date,
    pub held_by_agency: Agency,
    pub held_by: String,
    pub unit: String,
    pub villages: Vec<RegionCode>,
    pub attendees: BTreeMap<OfficialKind, u32>,
}

impl Briefing {
    pub fn count(&self, kind: OfficialKind) -> u32 {
        self.attendees.get(&kind).copied().unwrap_or(0)
    }
}

impl BriefingDraft {
    pub fn checked(&self, today: Date) -> Result<Briefing, NetralError> {
        if self.held_on > today {
            return Err(NetralError::Future(self.held_on));
        }
        let held_by = line(&self.held_by, "pemateri", "held by", true)?;
        let unit = line(&self.unit, "unit kerja", "unit", false)?;
        if self.region.level() > Level::District {
            return Err(NetralError::Place {
                kind: "penyuluhan",
                region: self.region.to_string(),
            });
        }
        let mut villages = BTreeSet::new();
        for v in &self.villages {
            let desa = matches!(
                v.village_kind(),
                Some(VillageKind::Desa | VillageKind::DesaAdat)
            );
            if !desa || !self.region.contains(v) {
                return Err(NetralError::Village(v.to_string()));
            }
            villages.insert(*v);
        }
        if villages.len() > MAX_VILLAGES {
            return Err(NetralError::Count);
        }
        let mut attendees = BTreeMap::new();
        for (k, n) in &self.attendees {
            if *n > MAX_ATTENDEES {
                return Err(NetralError::Count);
            }
            if *n > 0 {
                *attendees.entry(*k).or_insert(0u32) += n;
            }
        }
        if attendees.values().any(|n| *n > MAX_ATTENDEES) {
            return Err(NetralError::Count);
        }
        if attendees.is_empty() {
            return Err(NetralError::Required {
                field: "jumlah peserta",
                field_en: "attendees",
            });
        }
        if unit.is_empty() && villages.is_empty() {
            return Err(NetralError::Required {
                field: "unit kerja atau desa",
                field_en: "unit or villages",
            });
        }
        Ok(Briefing {
            region: self.region,
            held_on: self.held_on,
            held_by_agency: self.held_by_agency,
            held_by,
            unit,
            villages: villages.into_iter().collect(),
            attendees,
        })
    }
}

/// An integrity pledge as entered on the form or read from a file row.
#[derive(Debug, Clone, PartialEq)]
pub struct PledgeDraft {
    pub kind: OfficialKind,
    /// NIP (ASN) when known; never stored in clear.
    pub id_number: String,
    /// The official's name: only used to build the keyed hash, never stored.
    pub name: String,
    /// The unit as written (OPD, kecamatan office, village government).
    pub unit: String,
    /// Where the official serves: the unit's regency or kecamatan, the camat's kecamatan, the
    /// village of a kepala or perangkat desa.
    pub region: RegionCode,
    pub signed_on: Date,
}

/// A checked pledge: the identity keys to hash, its place, its unit normalised for matching.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedPledge {
    pub kind: OfficialKind,
    /// The key by NIP, if one was given.
    pub number_key: Option<crate::official::OfficialKey>,
    /// The key by name and unit, if both were given.
    pub name_key: Option<crate::official::OfficialKey>,
    pub unit: String,
    pub region: RegionCode,
    pub signed_on: Date,
}

impl PledgeDraft {
    pub fn checked(&self, today: Date) -> Result<CheckedPledge, NetralError> {
        use crate::official::identity_key;
        if self.signed_on > today {
            return Err(NetralError::Future(self.signed_on));
        }
        let name = line(&self.name, "nama", "name", false)?;
        let unit = line(&self.unit, "unit kerja", "unit", true)?;
        let number = line(&self.id_number, "NIP", "NIP", false)?;
        if !self.kind.place_level_ok(&self.region) {
            return Err(NetralError::Place {
                kind: self.kind.as_str(),
                region: self.region.to_string(),
            });
        }
        let number_key = if number.is_empty() {
            None
        } else {
            identity_key(Some(&number), "", "")
        };
        let name_key = identity_key(None, &name, &unit);
        if number_key.is_none() && name_key.is_none() {
            return Err(NetralError::Identity);
        }
        Ok(CheckedPledge {
            kind: self.kind,
            number_key,
            name_key,
            unit: normalise_words(&unit),
            region: self.region,
            signed_on: self.signed_on,
        })
    }
}

// ── coverage ──────────────────────────────────────────────────────────────────────────────────

/// A unit's recorded headcount of one kind (ASN of an OPD; perangkat desa of a kecamatan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Headcount {
    /// The unit's regency/province (an OPD) or kecamatan.
    pub region: RegionCode,
    /// Normalised unit name (`official::normalise_words`).
    pub unit: String,
    pub kind: OfficialKind,
    pub headcount: u64,
}

/// What coverage needs of a briefing.
#[derive(Debug, Clone, PartialEq)]
pub struct BriefingFact {
    pub region: RegionCode,
    /// Normalised unit name, empty when the briefing was for villages.
    pub unit: String,
    pub villages: Vec<RegionCode>,
    pub attendees: BTreeMap<OfficialKind, u32>,
}

/// What coverage needs of a pledge: one per official (the store keeps one per identity).
#[derive(Debug, Clone, PartialEq)]
pub struct PledgeFact {
    pub kind: OfficialKind,
    pub region: RegionCode,
    /// Normalised unit name.
    pub unit: String,
}

/// A district of the region with its desa (kelurahan left out).
#[derive(Debug, Clone, PartialEq)]
pub struct DistrictArea {
    pub code: RegionCode,
    pub name: String,
    pub desa: Vec<RegionCode>,
}

/// `numerator` of `denominator`, with `numerator <= denominator` always.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Ratio {
    pub numerator: u64,
    pub denominator: u64,
}

impl Ratio {
    /// Capped at the denominator.
    pub fn capped(numerator: u64, denominator: u64) -> Ratio {
        Ratio {
            numerator: numerator.min(denominator),
            denominator,
        }
    }

    /// The share in tenths of a percent, rounded half up; `None` without a denominator.
    pub fn permille(&self) -> Option<u64> {
        (self.denominator > 0)
            .then(|| (self.numerator * 1000 + self.denominator / 2) / self.denominator)
    }

    /// "91,8 %" (Indonesian decimal comma) or "—" without a denominator.
    pub fn percent_id(&self) -> String {
        match self.permille() {
            Some(p) => format!("{},{} %", p / 10, p % 10),
            None => "—".into(),
        }
    }

    /// "91.8 %" or "—".
    pub fn percent_en(&self) -> String {
        match self.permille() {
            Some(p) => format!("{}.{} %", p / 10, p % 10),
            None => "—".into(),
        }
    }

    fn add(&mut self, o: Ratio) {
        self.numerator += o.numerator;
        self.denominator += o.denominator;
    }
}

/// Briefed and pledged of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct KindCoverage {
    pub briefed: Ratio,
    pub pledged: Ratio,
}

/// One row of the coverage table: a kecamatan, or (`district: None`) the units above
/// kecamatan level (the regency's OPD).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DistrictCoverage {
    pub district: Option<RegionCode>,
    pub name: String,
    pub kinds: BTreeMap<OfficialKind, KindCoverage>,
}

/// One unit with a recorded headcount.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitCoverage {
    pub region: RegionCode,
    pub unit: String,
    pub kind: OfficialKind,
    pub briefed: Ratio,
    pub pledged: Ratio,
}

/// Coverage of a region: totals per kind, rows per district, rows per unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionCoverage {
    pub region: RegionCode,
    pub totals: BTreeMap<OfficialKind, KindCoverage>,
    pub districts: Vec<DistrictCoverage>,
    pub units: Vec<UnitCoverage>,
    /// Attendance and pledges that fell beyond a headcount or outside any recorded unit
    /// (counted apart so the numerators stay honest), by kind.
    pub uncounted: BTreeMap<OfficialKind, u64>,
}

impl RegionCoverage {
    pub fn total(&self, kind: OfficialKind) -> KindCoverage {
        self.totals.get(&kind).copied().unwrap_or_default()
    }
}

fn empty_kinds() -> BTreeMap<OfficialKind, KindCoverage> {
    OfficialKind::ALL
        .iter()
        .map(|k| (*k, KindCoverage::default()))
        .collect()
}

/// Computes coverage of `region` (a regency or province, or a kecamatan) from its districts
/// (each with its desa), the headcount roster and the briefings and pledges recorded inside it.
/// Records outside `region` are ignored. Totals are the sums of the district rows.
pub fn coverage(
    region: RegionCode,
    districts: &[DistrictArea],
    roster: &[Headcount],
    briefings: &[BriefingFact],
    pledges: &[PledgeFact],
) -> RegionCoverage {
    let mut uncounted: BTreeMap<OfficialKind, u64> = BTreeMap::new();
    let district_of = |r: &RegionCode| r.ancestor_at(Level::District);

    // Units with a headcount, keyed by (kind, region, unit).
    let mut unit_heads: BTreeMap<(OfficialKind, RegionCode, String), u64> = BTreeMap::new();
    for h in roster.iter().filter(|h| region.contains(&h.region)) {
        *unit_heads
            .entry((h.kind, h.region, h.unit.clone()))
            .or_insert(0) += h.headcount;
    }
    // ASN: attendance and pledges per unit.
    let mut unit_briefed: BTreeMap<(OfficialKind, RegionCode, String), u64> = BTreeMap::new();
    let mut unit_pledged: BTreeMap<(OfficialKind, RegionCode, String), u64> = BTreeMap::new();
    // Camat and kepala desa: places reached.
    let mut camat_briefed: BTreeSet<RegionCode> = BTreeSet::new();
    let mut camat_pledged: BTreeSet<RegionCode> = BTreeSet::new();
    let mut kades_briefed: BTreeSet<RegionCode> = BTreeSet::new();
    let mut kades_pledged: BTreeSet<RegionCode> = BTreeSet::new();
    // Perangkat desa: counted per kecamatan.
    let mut perangkat_briefed: BTreeMap<RegionCode, u64> = BTreeMap::new();
    let mut perangkat_pledged: BTreeMap<RegionCode, u64> = BTreeMap::new();

    for b in briefings.iter().filter(|b| region.contains(&b.region)) {
        let n = |k: OfficialKind| u64::from(b.attendees.get(&k).copied().unwrap_or(0));
        if n(OfficialKind::Asn) > 0 {
            let key = (OfficialKind::Asn, b.region, b.unit.clone());
            if !b.unit.is_empty() && unit_heads.contains_key(&key) {
                *unit_briefed.entry(key).or_insert(0) += n(OfficialKind::Asn);
            } else {
                *uncounted.entry(OfficialKind::Asn).or_insert(0) += n(OfficialKind::Asn);
            }
        }
        if n(OfficialKind::Camat) > 0 {
            match district_of(&b.region) {
                Some(d) => {
                    camat_briefed.insert(d);
                }
                None => {
                    // A regency-wide briefing with camat present: the camat of the villages it
                    // lists are briefed; otherwise we cannot tell which camat came.
                    let ds: BTreeSet<RegionCode> =
                        b.villages.iter().filter_map(district_of).collect();
                    if ds.is_empty() {
                        *uncounted.entry(OfficialKind::Camat).or_insert(0) +=
                            n(OfficialKind::Camat);
                    }
                    camat_briefed.extend(ds);
                }
            }
        }
        if n(OfficialKind::KepalaDesa) > 0 {
            kades_briefed.extend(b.villages.iter().copied());
            if b.villages.is_empty() {
                *uncounted.entry(OfficialKind::KepalaDesa).or_insert(0) +=
                    n(OfficialKind::KepalaDesa);
            }
        }
        if n(OfficialKind::PerangkatDesa) > 0 {
            let d = district_of(&b.region).or_else(|| b.villages.first().and_then(district_of));
            match d {
                Some(d) => {
                    *perangkat_briefed.entry(d).or_insert(0) += n(OfficialKind::PerangkatDesa)
                }
                None => {
                    *uncounted.entry(OfficialKind::PerangkatDesa).or_insert(0) +=
                        n(OfficialKind::PerangkatDesa)
                }
            }
        }
    }
    for p in pledges.iter().filter(|p| region.contains(&p.region)) {
        match p.kind {
            OfficialKind::Asn => {
                let key = (OfficialKind::Asn, p.region, p.unit.clone());
                if unit_heads.contains_key(&key) {
                    *unit_pledged.entry(key).or_insert(0) += 1;
                } else {
                    *uncounted.entry(OfficialKind::Asn).or_insert(0) += 1;
                }
            }
            OfficialKind::Camat => {
                if !camat_pledged.insert(p.region) {
                    *uncounted.entry(OfficialKind::Camat).or_insert(0) += 1;
                }
            }
            OfficialKind::KepalaDesa => {
                if !kades_pledged.insert(p.region) {
                    *uncounted.entry(OfficialKind::KepalaDesa).or_insert(0) += 1;
                }
            }
            OfficialKind::PerangkatDesa => match district_of(&p.region) {
                Some(d) => *perangkat_pledged.entry(d).or_insert(0) += 1,
                None => *uncounted.entry(OfficialKind::PerangkatDesa).or_insert(0) += 1,
            },
        }
    }

    // Unit rows (ASN, and perangkat desa headcounts recorded per unit).
    let mut units = Vec::new();
    let mut perangkat_heads: BTreeMap<RegionCode, u64> = BTreeMap::new();
    let mut rows: BTreeMap<Option<RegionCode>, BTreeMap<OfficialKind, KindCoverage>> =
        BTreeMap::new();
    for d in districts.iter().filter(|d| region.contains(&d.code)) {
        rows.insert(Some(d.code), empty_kinds());
    }
    for ((kind, r, unit), heads) in &unit_heads {
        let key = (*kind, *r, unit.clone());
        let row_key = district_of(r);
        match kind {
            OfficialKind::PerangkatDesa => {
                if let Some(d) = row_key {
                    *perangkat_heads.entry(d).or_insert(0) += heads;
                }
                continue;
            }
            OfficialKind::Asn => {}
            // Camat and kepala desa are counted from the areas, not a roster.
            _ => continue,
        }
        let b = unit_briefed.get(&key).copied().unwrap_or(0);
        let p = unit_pledged.get(&key).copied().unwrap_or(0);
        let over = b.saturating_sub(*heads) + p.saturating_sub(*heads);
        if over > 0 {
            *uncounted.entry(*kind).or_insert(0) += over;
        }
        let u = UnitCoverage {
            region: *r,
            unit: unit.clone(),
            kind: *kind,
            briefed: Ratio::capped(b, *heads),
            pledged: Ratio::capped(p, *heads),
        };
        let row = rows.entry(row_key).or_insert_with(empty_kinds);
        if let Some(c) = row.get_mut(kind) {
            c.briefed.add(u.briefed);
            c.pledged.add(u.pledged);
        }
        units.push(u);
    }
    for d in districts.iter().filter(|d| region.contains(&d.code)) {
        let Some(row) = rows.get_mut(&Some(d.code)) else {
            continue;
        };
        let one = |set: &BTreeSet<RegionCode>| Ratio::capped(u64::from(set.contains(&d.code)), 1);
        row.insert(
            OfficialKind::Camat,
            KindCoverage {
                briefed: one(&camat_briefed),
                pledged: one(&camat_pledged),
            },
        );
        let reached = |set: &BTreeSet<RegionCode>| {
            let n = d.desa.iter().filter(|v| set.contains(v)).count() as u64;
            Ratio::capped(n, d.desa.len() as u64)
        };
        row.insert(
            OfficialKind::KepalaDesa,
            KindCoverage {
                briefed: reached(&kades_briefed),
                pledged: reached(&kades_pledged),
            },
        );
        let heads = perangkat_heads.get(&d.code).copied().unwrap_or(0);
        let b = perangkat_briefed.get(&d.code).copied().unwrap_or(0);
        let p = perangkat_pledged.get(&d.code).copied().unwrap_or(0);
        let over = b.saturating_sub(heads) + p.saturating_sub(heads);
        if over > 0 {
            *uncounted.entry(OfficialKind::PerangkatDesa).or_insert(0) += over;
        }
        row.insert(
            OfficialKind::PerangkatDesa,
            KindCoverage {
                briefed: Ratio::capped(b, heads),
                pledged: Ratio::capped(p, heads),
            },
        );
    }
    // Places reached that are not desa of the listed districts (a kelurahan, or a village the
    // atlas does not know) are counted apart.
    let known: BTreeSet<RegionCode> = districts
        .iter()
        .flat_map(|d| d.desa.iter().copied())
        .collect();
    let stray = kades_briefed.difference(&known).count() + kades_pledged.difference(&known).count();
    if stray > 0 {
        *uncounted.entry(OfficialKind::KepalaDesa).or_insert(0) += stray as u64;
    }

    let names: BTreeMap<RegionCode, &str> = districts
        .iter()
        .map(|d| (d.code, d.name.as_str()))
        .collect();
    let mut totals = empty_kinds();
    let districts_out: Vec<DistrictCoverage> = rows
        .into_iter()
        .map(|(district, kinds)| {
            for (k, c) in &kinds {
                if let Some(t) = totals.get_mut(k) {
                    t.briefed.add(c.briefed);
                    t.pledged.add(c.pledged);
                }
            }
            DistrictCoverage {
                name: district
                    .and_then(|d| names.get(&d).map(|s| s.to_string()))
                    .unwrap_or_default(),
                district,
                kinds,
            }
        })
        .collect();
    RegionCoverage {
        region,
        totals,
        districts: districts_out,
        units,
        uncounted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rc(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    fn d(y: i16, m: i8, day: i8) -> Date {
        Date::new(y, m, day).unwrap()
    }

    #[test]
    fn kinds_parse_as_people_write_them() {
        assert_eq!(
            OfficialKind::parse("Kepala Desa"),
            Some(OfficialKind::KepalaDesa)
        );
        assert_eq!(OfficialKind::parse("kades"), Some(OfficialKind::KepalaDesa));
        assert_eq!(OfficialKind::parse("PNS"), Some(OfficialKind::Asn));
        assert_eq!(
            OfficialKind::parse("perangkat-desa"),
            Some(OfficialKind::PerangkatDesa)
        );
        assert_eq!(OfficialKind::parse("lurah"), None);
        for k in OfficialKind::ALL {
            assert_eq!(OfficialKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn a_kelurahan_has_no_kepala_desa() {
        let p = PledgeDraft {
            kind: OfficialKind::KepalaDesa,
            id_number: String::new(),
            name: "Budi".into(),
            unit: "Pemdes Kauman".into(),
            region: rc("33.20.01.1001"),
            signed_on: d(2024, 1, 2),
        };
        assert!(matches!(
            p.checked(d(2024, 2, 1)),
            Err(NetralError::Place { .. })
        ));
        let ok = PledgeDraft {
            region: rc("33.20.01.2001"),
            ..p
        };
        assert!(ok.checked(d(2024, 2, 1)).is_ok());
    }

    #[test]
    fn a_pledge_needs_an_identity_and_a_past_date() {
        let p = PledgeDraft {
            kind: OfficialKind::Asn,
            id_number: " ".into(),
            name: "Dr.".into(),
            unit: "Dinas Pendidikan".into(),
            region: rc("33.20"),
            signed_on: d(2024, 1, 2),
        };
        assert_eq!(p.checked(d(2024, 2, 1)), Err(NetralError::Identity));
        let with_nip = PledgeDraft {
            id_number: "19800101 200501 1 001".into(),
            ..p.clone()
        };
        let c = with_nip.checked(d(2024, 2, 1)).unwrap();
        assert_eq!(
            c.number_key,
            Some(crate::official::OfficialKey::Number(
                "198001012005011001".into()
            ))
        );
        assert_eq!(c.unit, "DINAS PENDIDIKAN");
        assert!(matches!(
            with_nip.checked(d(2024, 1, 1)),
            Err(NetralError::Future(_))
        ));
    }

    #[test]
    fn briefing_villages_must_be_desa_inside_the_region() {
        let b = BriefingDraft {
            region: rc("33.20.01"),
            held_on: d(2024, 1, 5),
            held_by_agency: Agency::Kesbangpol,
            held_by: "Kepala Kesbangpol".into(),
            unit: String::new(),
            villages: vec![
                rc("33.20.01.2001"),
                rc("33.20.01.2001"),
                rc("33.20.01.2002"),
            ],
            attendees: vec![
                (OfficialKind::KepalaDesa, 2),
                (OfficialKind::PerangkatDesa, 0),
            ],
        };
        let c = b.checked(d(2024, 2, 1)).unwrap();
        assert_eq!(c.villages.len(), 2);
        assert_eq!(c.count(OfficialKind::KepalaDesa), 2);
        assert_eq!(c.count(OfficialKind::PerangkatDesa), 0);
        let kel = BriefingDraft {
            villages: vec![rc("33.20.01.1001")],
            ..b.clone()
        };
        assert!(matches!(
            kel.checked(d(2024, 2, 1)),
            Err(NetralError::Village(_))
        ));
        let outside = BriefingDraft {
            villages: vec![rc("33.20.02.2001")],
            ..b
        };
        assert!(matches!(
            outside.checked(d(2024, 2, 1)),
            Err(NetralError::Village(_))
        ));
    }

    #[test]
    fn the_example_of_the_issue() {
        // Two kecamatan, 3 + 2 desa (a kelurahan left out by the caller), one OPD of 10 ASN.
        let districts = vec![
            DistrictArea {
                code: rc("33.20.01"),
                name: "Kedung".into(),
                desa: vec![
                    rc("33.20.01.2001"),
                    rc("33.20.01.2002"),
                    rc("33.20.01.2003"),
                ],
            },
            DistrictArea {
                code: rc("33.20.02"),
                name: "Pecangaan".into(),
                desa: vec![rc("33.20.02.2001"), rc("33.20.02.2002")],
            },
        ];
        let roster = vec![Headcount {
            region: rc("33.20"),
            unit: "DINAS PENDIDIKAN".into(),
            kind: OfficialKind::Asn,
            headcount: 10,
        }];
        let briefings = vec![
            BriefingFact {
                region: rc("33.20.01"),
                unit: String::new(),
                villages: vec![rc("33.20.01.2001"), rc("33.20.01.2002")],
                attendees: [(OfficialKind::KepalaDesa, 2), (OfficialKind::Camat, 1)].into(),
            },
            BriefingFact {
                region: rc("33.20"),
                unit: "DINAS PENDIDIKAN".into(),
                villages: vec![],
                attendees: [(OfficialKind::Asn, 12)].into(),
            },
        ];
        let pledges = vec![
            PledgeFact {
                kind: OfficialKind::Asn,
                region: rc("33.20"),
                unit: "DINAS PENDIDIKAN".into(),
            },
            PledgeFact {
                kind: OfficialKind::KepalaDesa,
                region: rc("33.20.02.2002"),
                unit: "PEMDES".into(),
            },
        ];
        let c = coverage(rc("33.20"), &districts, &roster, &briefings, &pledges);
        let kades = c.total(OfficialKind::KepalaDesa);
        assert_eq!(
            kades.briefed,
            Ratio {
                numerator: 2,
                denominator: 5
            }
        );
        assert_eq!(
            kades.pledged,
            Ratio {
                numerator: 1,
                denominator: 5
            }
        );
        let asn = c.total(OfficialKind::Asn);
        assert_eq!(
            asn.briefed,
            Ratio {
                numerator: 10,
                denominator: 10
            }
        );
        assert_eq!(
            asn.pledged,
            Ratio {
                numerator: 1,
                denominator: 10
            }
        );
        assert_eq!(c.uncounted.get(&OfficialKind::Asn), Some(&2));
        let camat = c.total(OfficialKind::Camat);
        assert_eq!(
            camat.briefed,
            Ratio {
                numerator: 1,
                denominator: 2
            }
        );
        assert_eq!(
            c.districts.len(),
            3,
            "two kecamatan and the regency's units"
        );
        assert_eq!(kades.briefed.percent_id(), "40,0 %");
        assert_eq!(Ratio::capped(2, 3).percent_en(), "66.7 %");
        assert_eq!(Ratio::default().percent_id(), "—");
    }

    fn arb_input() -> impl Strategy<
        Value = (
            Vec<DistrictArea>,
            Vec<Headcount>,
            Vec<BriefingFact>,
            Vec<PledgeFact>,
        ),
    > {
        let kinds = prop::sample::select(OfficialKind::ALL.to_vec());
        let district = 1u16..=4;
        let village = (
            1u16..=4,
            prop::sample::select(vec![1001u16, 2001, 2002, 2003, 2004]),
        );
        let units = prop::sample::select(vec!["A", "B", "C"]);
        let place = prop_oneof![Just(None), district.clone().prop_map(Some),];
        let roster = prop::collection::vec(
            (place.clone(), units.clone(), kinds.clone(), 0u64..50),
            0..8,
        );
        let briefings = prop::collection::vec(
            (
                place.clone(),
                prop::option::of(units.clone()),
                prop::collection::vec(village.clone(), 0..5),
                prop::collection::vec((kinds.clone(), 0u32..40), 0..4),
            ),
            0..10,
        );
        let pledges = prop::collection::vec((kinds, place, village, units), 0..60);
        (roster, briefings, pledges).prop_map(|(roster, briefings, pledges)| {
            let code = |d: Option<u16>| match d {
                None => rc("33.20"),
                Some(n) => rc(&format!("33.20.{n:02}")),
            };
            let districts = (1..=4u16)
                .map(|n| DistrictArea {
                    code: rc(&format!("33.20.{n:02}")),
                    name: format!("K{n}"),
                    desa: (2001..=2003)
                        .map(|v| rc(&format!("33.20.{n:02}.{v}")))
                        .collect(),
                })
                .collect();
            let roster = roster
                .into_iter()
                .map(|(p, u, k, h)| Headcount {
                    region: code(p),
                    unit: u.into(),
                    kind: k,
                    headcount: h,
                })
                .collect();
            let briefings = briefings
                .into_iter()
                .map(|(p, u, vs, att)| BriefingFact {
                    region: code(p),
                    unit: u.unwrap_or("").into(),
                    villages: vs
                        .into_iter()
                        .map(|(dn, v)| rc(&format!("33.20.{dn:02}.{v}")))
                        .filter(|v| code(p).contains(v))
                        .collect(),
                    attendees: att.into_iter().collect(),
                })
                .collect();
            let pledges = pledges
                .into_iter()
                .map(|(k, p, (dn, v), u)| PledgeFact {
                    kind: k,
                    region: match k {
                        OfficialKind::KepalaDesa | OfficialKind::PerangkatDesa => {
                            rc(&format!("33.20.{dn:02}.{v}"))
                        }
                        OfficialKind::Camat => rc(&format!("33.20.{dn:02}")),
                        OfficialKind::Asn => code(p),
                    },
                    unit: u.into(),
                })
                .collect();
            (districts, roster, briefings, pledges)
        })
    }

    proptest! {
        #[test]
        fn coverage_arithmetic_holds((districts, roster, briefings, pledges) in arb_input()) {
            let c = coverage(rc("33.20"), &districts, &roster, &briefings, &pledges);
            // Numerators never exceed denominators, anywhere.
            for row in &c.districts {
                for k in row.kinds.values() {
                    prop_assert!(k.briefed.numerator <= k.briefed.denominator);
                    prop_assert!(k.pledged.numerator <= k.pledged.denominator);
                }
            }
            for u in &c.units {
                prop_assert!(u.briefed.numerator <= u.briefed.denominator);
                prop_assert!(u.pledged.numerator <= u.pledged.denominator);
            }
            // District rows add up to the region's totals.
            for kind in OfficialKind::ALL {
                let mut sum = KindCoverage::default();
                for row in &c.districts {
                    let k = row.kinds[&kind];
                    sum.briefed.add(k.briefed);
                    sum.pledged.add(k.pledged);
                }
                prop_assert_eq!(sum, c.total(kind));
            }
            // Denominators come from the areas: one camat per kecamatan, one head per desa;
            // ASN from the roster.
            prop_assert_eq!(c.total(OfficialKind::Camat).briefed.denominator, 4);
            prop_assert_eq!(c.total(OfficialKind::KepalaDesa).pledged.denominator, 12);
            let asn_heads: u64 = roster.iter().filter(|h| h.kind == OfficialKind::Asn).map(|h| h.headcount).sum();
            prop_assert_eq!(c.total(OfficialKind::Asn).pledged.denominator, asn_heads);
            // Village heads who signed: distinct desa of the atlas, counted independently.
            let desa: BTreeSet<RegionCode> = districts.iter().flat_map(|d| d.desa.iter().copied()).collect();
            let signed: BTreeSet<RegionCode> = pledges.iter()
                .filter(|p| p.kind == OfficialKind::KepalaDesa && desa.contains(&p.region))
                .map(|p| p.region).collect();
            prop_assert_eq!(c.total(OfficialKind::KepalaDesa).pledged.numerator, signed.len() as u64);
            // Percentages: the same rounding everywhere, never above 100 %, and within half a
            // tenth of a percent of the exact share.
            for kind in OfficialKind::ALL {
                for r in [c.total(kind).briefed, c.total(kind).pledged] {
                    if let Some(p) = r.permille() {
                        prop_assert!(p <= 1000);
                        let exact = r.numerator as f64 * 1000.0 / r.denominator as f64;
                        prop_assert!((p as f64 - exact).abs() <= 0.5 + 1e-9);
                        prop_assert_eq!(r.percent_id().replace(',', "."), r.percent_en());
                    } else {
                        prop_assert_eq!(r.denominator, 0);
                    }
                }
            }
        }
    }
}
