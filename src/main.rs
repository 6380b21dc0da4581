//! The `zhijian` binary: parse the command line, run, report a failure in one line.

use clap::Parser;

// Allocation was a fifth of the audit's CPU under glibc malloc; the output does not depend on it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use zhijian::cli::{Cli, Command, LexiconCommand};
use zhijian::error::{for_terminal, EXIT_FAILURE, EXIT_OK};

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Audit(args) => zhijian::config::AuditConfig::from_args(*args)
            .and_then(|config| zhijian::run::audit(&config).map(|summary| summary.finish(&config))),
        Command::Map(args) => zhijian::run::map(*args).map(|()| EXIT_OK),
        Command::Combine(args) => zhijian::run::combine(&args).map(|()| EXIT_OK),
        Command::Render(args) => {
            zhijian::config::AuditConfig::from_args(*args).and_then(|config| {
                zhijian::run::render(&config).map(|summary| summary.finish(&config))
            })
        }
        Command::Explain(args) => zhijian::tools::explain(&args).map(|()| EXIT_OK),
        Command::Lexicon(LexiconCommand::Check(args)) => {
            zhijian::tools::lexicon_check(&args).map(|()| EXIT_OK)
        }
        Command::Lexicon(LexiconCommand::Stats(args)) => {
            zhijian::stats::run(&args).map(|()| EXIT_OK)
        }
        Command::Lexicon(LexiconCommand::Test(args)) => {
            zhijian::cases::run(&args).map(|()| EXIT_OK)
        }
        Command::Synth(args) => zhijian::tools::synth(&args).map(|()| EXIT_OK),
        Command::Diff(args) => zhijian::diff::run(&args),
        Command::Calibrate(args) => zhijian::calibrate::run(&args).map(|()| EXIT_OK),
    };
    match result {
        Ok(code) => std::process::exit(code),
        // A reader that stopped early (`zhijian synth | head`) is not a failure.
        Err(err) if err.is_closed_pipe() => std::process::exit(EXIT_OK),
        Err(err) => {
            eprintln!("zhijian: {}", for_terminal(&err.to_string()));
            std::process::exit(EXIT_FAILURE);
        }
    }
}
