//! The engine without the rest of posko, for profiling it alone (a release build of this crate
//! takes a fraction of the whole program's):
//!
//! ```sh
//! cargo run --release -p posko-hasil --example periksa -- demo 820000 hasil.csv kebenaran.csv
//! cargo run --release -p posko-hasil --example periksa -- check hasil.csv out/
//! ```
//!
//! `posko demo hasil` and `posko hasil check` do the same through the CLI.

use std::path::PathBuf;

use posko_hasil::generate::{generate, Rates};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let election = posko_core::Election::pemilu_2024();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["demo", tps, out, truth] => {
            let tps: u64 = tps.parse().unwrap_or(820_000);
            std::fs::File::create(out)
                .and_then(|o| Ok((o, std::fs::File::create(truth)?)))
                .and_then(|(o, t)| generate(tps, 2024, &election, None, o, t, &Rates::default()))
                .map(|s| format!("{s:?}"))
                .map_err(|e| e.to_string())
        }
        ["check", file, out] => posko_hasil::run(
            &[PathBuf::from(file)],
            &election,
            &posko_hasil::Options::default(),
            &PathBuf::from(out),
            &posko_hasil::Quiet,
        )
        .map(|s| serde_json::to_string_pretty(&s).unwrap_or_default())
        .map_err(|e| e.to_string()),
        _ => Err("usage: periksa demo TPS OUT TRUTH | periksa check FILE OUT".into()),
    };
    match result {
        Ok(s) => println!("{s}"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    }
}
