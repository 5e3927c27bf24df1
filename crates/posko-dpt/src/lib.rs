//! # posko-dpt
//!
//! The voter-list (DPT) engine: it reads voter lists as CSV or XLSX, checks every row (NIK
//! structure and region, the NIK's date and sex against the stated ones, eligibility on polling
//! day, required fields, the region), finds exact duplicate NIKs and probable duplicate persons
//! across all files, counts TPS loads against the election's capacity, and writes per-district
//! findings for the camat and a `summary.json`. Depends on posko-core only.
//!
//! The domain logic (`nik`, `date`, `name`, `score`, `check`, `finding`) is pure; `read`,
//! `engine`, `dup` and `output` do the I/O. `generate` makes synthetic lists with planted
//! defects and a truth file. Rules and sources: shared/DOMAIN.md §3.

pub mod check;
pub mod date;
pub mod dup;
pub mod engine;
pub mod finding;
pub mod generate;
pub mod name;
pub mod nik;
pub mod output;
pub mod read;
pub mod region;
pub mod score;

pub use engine::{run, EngineError, Options, Progress, Quiet};
pub use finding::{Code, Finding};
pub use output::Summary;
