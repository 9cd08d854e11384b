use clap::Parser;

fn main() {
    std::process::exit(hunyin::cli::run(hunyin::cli::Cli::parse()));
}
