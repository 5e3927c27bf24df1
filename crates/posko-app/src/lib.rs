//! # posko-app
//!
//! The use cases of Posko over any [`Store`]: officer accounts and sessions (`accounts`), the
//! TPS register import (`register`), demo data, the region browser (`regions`) and the layered
//! configuration (`config`). It knows nothing of HTTP (posko-web) or of which database is behind
//! the store (posko-cli picks it). Handlers call these functions; they never reach the store
//! directly for anything with a rule in it.

pub mod accounts;
pub mod alerts;
pub mod cases;
pub mod clock;
pub mod config;
pub mod dashboard;
pub mod intake;
pub mod logistics;
pub mod netralitas;
pub mod notify;
pub mod rakor;
pub mod regions;
pub mod register;
pub mod results;
pub mod roster;
pub mod seal;
pub mod unseal;
pub mod vulnerability;

use std::sync::Arc;

use posko_core::calendar::Holidays;
use posko_core::demo::demo_register;
use posko_core::report::Taxonomy;
use posko_core::{Atlas, Election, Elections, RegionCode};
use posko_store::{ImportCount, Store, StoreError};

pub use accounts::SecretKey;
pub use config::Config;

/// The running application: its store, the atlas, the elections and the configuration.
#[derive(Clone)]
pub struct Posko {
    pub store: Arc<dyn Store>,
    pub atlas: &'static Atlas,
    pub elections: Arc<Elections>,
    pub config: Arc<Config>,
    pub key: SecretKey,
    pub taxonomy: &'static Taxonomy,
    pub holidays: Arc<Holidays>,
    pub intake: intake::Intake,
}

impl Posko {
    /// Builds the application and starts its report writer: call it inside a tokio runtime.
    pub fn new(
        store: Arc<dyn Store>,
        elections: Elections,
        config: Config,
        key: SecretKey,
    ) -> Posko {
        Posko {
            intake: intake::Intake::start(store.clone()),
            store,
            atlas: Atlas::embedded(),
            elections: Arc::new(elections),
            config: Arc::new(config),
            key,
            taxonomy: Taxonomy::shipped(),
            holidays: Arc::new(Holidays::shipped()),
        }
    }

    /// The region this post serves, if configured.
    pub fn post_region(&self) -> Option<RegionCode> {
        RegionCode::parse(&self.config.wilayah_posko)
            .ok()
            .filter(|c| self.atlas.contains(c))
    }

    /// The regions a scan walks: the post's region, or every province when the post has none.
    pub fn scan_regions(&self) -> Vec<RegionCode> {
        match self.post_region() {
            Some(r) => vec![r],
            None => self
                .atlas
                .all()
                .iter()
                .filter(|r| r.level() == posko_core::Level::Province)
                .map(|r| r.code)
                .collect(),
        }
    }

    /// What intake needs, for the election reports are filed under.
    pub fn intake_context(&self) -> intake::IntakeContext<'_> {
        intake::IntakeContext {
            intake: &self.intake,
            atlas: self.atlas,
            taxonomy: self.taxonomy,
            holidays: &self.holidays,
            election: self.default_election(),
            key: &self.key,
            limits: intake::EvidenceLimits {
                max_files: self.config.evidence_max_files as usize,
                max_bytes: self.config.evidence_max_mb as usize * 1_048_576,
            },
        }
    }

    /// The election pages show when none is chosen: the configured one if it exists.
    pub fn default_election(&self) -> &Election {
        let all = self.elections.all();
        self.elections
            .get(&self.config.default_election)
            .unwrap_or(&all[0])
    }

    /// Loads a generated TPS register for each regency into every built-in election.
    pub async fn load_demo(
        &self,
        regencies: &[RegionCode],
        seed: u64,
    ) -> Result<Vec<(String, RegionCode, ImportCount)>, DemoLoadError> {
        let mut out = Vec::new();
        for election in Election::builtin() {
            for r in regencies {
                let rows = demo_register(self.atlas, r, &election, seed)?;
                let n = self.store.import_tps(&election.id, &rows).await?;
                out.push((election.id.clone(), *r, n));
            }
        }
        Ok(out)
    }
}

/// Why demo data could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoLoadError {
    #[error(transparent)]
    Region(#[from] posko_core::demo::DemoError),
    #[error(transparent)]
    Store(#[from] StoreError),
}
