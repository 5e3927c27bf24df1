//! # posko-hasil
//!
//! The result-form (C.Hasil) engine behind `posko hasil check` and `posko demo hasil`: reads TPS
//! result forms from CSV and XLSX files (`read`, plain CSV through the fast splitter `split`), checks and rolls them up in parallel with the
//! rules of `posko_core::results` (`engine`), writes the findings and turnout tables (`output`),
//! and generates a national demo set with planted defects (`generate`). Depends on posko-core
//! only; the web import uses `read` for uploads.

pub mod engine;
pub mod generate;
pub mod output;
pub mod read;
pub mod split;

pub use engine::{
    analyse, parse_upload, run, EngineError, Flag, Options, Outcome, Parsed, Progress, Quiet, What,
};
pub use output::Summary;
