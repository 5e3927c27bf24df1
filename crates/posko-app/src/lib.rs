//! # posko-app
//!
//! The use cases of Posko over any [`Store`]: officer accounts and sessions (`accounts`), the
//! TPS register import (`register`), demo data, the region browser (`regions`) and the layered
//! configuration (`config`). It knows nothing of HTTP (posko-web) or of which database is behind
//! the store (posko-cli picks it). Handlers call these functions; they never reach the store
//! directly for anything with a rule in it.

pub mod accounts;
pub mod config;
pub mod regions;
pub mod register;

use std::sync::Arc;

use posko_core::demo::demo_register;
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
}

impl Posko {
    pub fn new(
        store: Arc<dyn Store>,
        elections: Elections,
        config: Config,
        key: SecretKey,
    ) -> Posko {
        Posko {
            store,
            atlas: Atlas::embedded(),
            elections: Arc::new(elections),
            config: Arc::new(config),
            key,
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
