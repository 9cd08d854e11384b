//! The command line.
//!
//! --bin PATH (default target/release/hunyin), --pg URL (PostgreSQL server; default
//! postgres://postgres:postgres@127.0.0.1:5432/postgres), --scale F (share of the 5-20 surge,
//! default 0.25), --ci (small scale, surge and survival only, no BENCHMARKS.md), --starvation
//! (only the public reads during a sign-in flood and a hanging partner, no BENCHMARKS.md),
//! --reads (only the read routes against the bare route, no BENCHMARKS.md), --booking (only
//! booking against its ceilings on both engines, no BENCHMARKS.md).

use std::path::PathBuf;

pub struct Opts {
    pub bin: PathBuf,
    pub pg: String,
    pub scale: f64,
    pub ci: bool,
    pub starvation: bool,
    pub reads: bool,
    pub booking: bool,
}

impl Default for Opts {
    fn default() -> Opts {
        Opts {
            bin: PathBuf::from("target/release/hunyin"),
            pg: "postgres://postgres:postgres@127.0.0.1:5432/postgres".into(),
            scale: 0.25,
            ci: false,
            starvation: false,
            reads: false,
            booking: false,
        }
    }
}

/// The options of this process; an unknown option or a missing value panics.
pub fn opts() -> Opts {
    parse(&std::env::args().skip(1).collect::<Vec<_>>())
}

fn parse(args: &[String]) -> Opts {
    let mut o = Opts::default();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--bin" => o.bin = PathBuf::from(&args[i + 1]),
            "--pg" => o.pg = args[i + 1].clone(),
            "--scale" => o.scale = args[i + 1].parse().expect("--scale F"),
            "--ci" => {
                // Small enough for CI's time; a later --scale still wins.
                o.ci = true;
                o.scale = 0.02;
                i += 1;
                continue;
            }
            "--booking" => {
                o.booking = true;
                i += 1;
                continue;
            }
            "--reads" => {
                o.reads = true;
                i += 1;
                continue;
            }
            "--starvation" => {
                o.starvation = true;
                i += 1;
                continue;
            }
            other => panic!("unknown option {other}"),
        }
        i += 2;
    }
    o
}
