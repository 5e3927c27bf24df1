//! What the results capability keeps: TPS result forms as imported (one per election, TPS and
//! ballot type; a later import replaces a form), and a previous election's turnout per area,
//! rolled up from its own TPS forms, to compare with.

use posko_core::results::{Area, ByList, Papers, ResultForm, Turnout};
use posko_core::{BallotType, RegionCode, TpsId, TpsNumber};

use crate::{StoreError, StoreResult};

/// Rows per INSERT when importing forms (20 parameters each, under both back ends' limits).
pub const FORMS_CHUNK: usize = 1_000;

/// A previous election's turnout for one area and ballot type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreviousTurnout {
    pub area: Area,
    pub ballot: BallotType,
    pub turnout: Turnout,
}

/// Candidate votes as stored: `60|120|20`.
pub fn votes_text(votes: &[u32]) -> String {
    let parts: Vec<String> = votes.iter().map(u32::to_string).collect();
    parts.join("|")
}

/// The stored area text: `ID` for the country, else the region code.
pub fn area_text(area: Area) -> String {
    area.to_string()
}

pub fn area_of(s: &str) -> StoreResult<Area> {
    if s == "ID" {
        return Ok(Area::Country);
    }
    RegionCode::parse(s)
        .map(Area::Region)
        .map_err(|e| StoreError::Corrupt(format!("wilayah '{s}': {e}")))
}

pub fn ballot_of(s: &str) -> StoreResult<BallotType> {
    BallotType::parse(s).ok_or_else(|| StoreError::Corrupt(format!("jenis surat suara '{s}'")))
}

fn count(v: i64) -> StoreResult<u32> {
    u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("jumlah {v} di luar batas")))
}

/// A form from its stored columns, in the order of `FORM_COLUMNS`.
pub fn form_of(
    village: &str,
    tps: i64,
    ballot: &str,
    n: [i64; 12],
    votes: &str,
) -> StoreResult<ResultForm> {
    let village = RegionCode::parse(village)
        .map_err(|e| StoreError::Corrupt(format!("desa '{village}': {e}")))?;
    let number = TpsNumber::new(count(tps)?).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let tps = TpsId::new(village, number).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let c = |i: usize| count(n[i]);
    let votes = if votes.is_empty() {
        Vec::new()
    } else {
        votes
            .split('|')
            .map(|v| {
                v.parse::<u32>()
                    .map_err(|_| StoreError::Corrupt(format!("suara '{v}'")))
            })
            .collect::<StoreResult<Vec<u32>>>()?
    };
    Ok(ResultForm {
        tps,
        ballot: ballot_of(ballot)?,
        registered: ByList {
            dpt: c(0)?,
            dptb: c(1)?,
            dpk: c(2)?,
        },
        voted: ByList {
            dpt: c(3)?,
            dptb: c(4)?,
            dpk: c(5)?,
        },
        papers: Papers {
            received: c(6)?,
            used: c(7)?,
            unused: c(8)?,
            damaged: c(9)?,
        },
        votes,
        valid: c(10)?,
        invalid: c(11)?,
    })
}

/// The twelve counts of a form in column order.
pub fn form_counts(f: &ResultForm) -> [i64; 12] {
    [
        f.registered.dpt,
        f.registered.dptb,
        f.registered.dpk,
        f.voted.dpt,
        f.voted.dptb,
        f.voted.dpk,
        f.papers.received,
        f.papers.used,
        f.papers.unused,
        f.papers.damaged,
        f.valid,
        f.invalid,
    ]
    .map(i64::from)
}

/// The count columns, in the order of `form_counts` and `form_of`.
pub const FORM_COLUMNS: &str = "dpt, dptb, dpk, voted_dpt, voted_dptb, voted_dpk, received, \
    used, unused, damaged, valid, invalid";
