//! # posko-core
//!
//! The domain of Posko, an election-integrity command post, with no I/O: region codes and the
//! shipped atlas of Indonesian areas, time zones, elections and their legal rule sets, the TPS
//! register's identities, officer roles and agencies, and demo data. Every other crate builds on
//! these validated types; the rules and their sources are in `shared/DOMAIN.md`.

pub mod access;
pub mod akuntabilitas;
pub mod calendar;
pub mod case;
pub mod dashboard;
pub mod dedup;
pub mod demo;
pub mod deploy;
pub mod election;
pub mod evidence;
pub mod geo;
pub mod ikp;
pub mod lines;
pub mod logistics;
pub mod netralitas;
pub mod official;
pub mod phone;
pub mod rakor;
pub mod region;
pub mod report;
pub mod results;
pub mod tps;
pub mod tracking;
pub mod warning;
pub mod wilayah;
pub mod workbook;
pub mod zone;

pub use access::{Agency, Role};
pub use election::{BallotType, Election, ElectionKind, Elections};
pub use region::{Level, RegionCode, RegionCodeError};
pub use tps::{GeoPoint, TpsId, TpsNumber, TpsRecord};
pub use wilayah::{Atlas, Region};
pub use zone::Zone;
