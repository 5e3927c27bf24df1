//! A quick driver for profiling the engine without building the whole `posko` binary:
//!   cargo run --release -p posko-dpt --example dpt_bench -- gen ROWS LIST TRUTH
//!   cargo run --release -p posko-dpt --example dpt_bench -- check LIST OUT [dasar]
//! The benchmark of record is benches/dpt/run.sh on the real binary.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use posko_core::Election;
use posko_dpt::generate::{generate, Rates};
use posko_dpt::{run, Options, Quiet};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let election = Election::pemilu_2024();
    match args.first().map(String::as_str) {
        Some("gen") => {
            let rows: u64 = args[1].parse().unwrap();
            let out = std::fs::File::create(&args[2]).unwrap();
            let truth = std::fs::File::create(&args[3]).unwrap();
            generate(rows, 2024, &election, out, truth, &Rates::default()).unwrap();
        }
        Some("check") => {
            let opts = Options {
                full_nik: true,
                basic_only: args.get(3).map(String::as_str) == Some("dasar"),
                ..Options::default()
            };
            let s = run(
                &[PathBuf::from(&args[1])],
                &election,
                &opts,
                &PathBuf::from(&args[2]),
                &Quiet,
            )
            .unwrap();
            eprintln!("{} rows in {:.2} s: {:?}", s.rows, s.seconds, s.findings);
        }
        _ => eprintln!("gen ROWS LIST TRUTH | check LIST OUT"),
    }
}
