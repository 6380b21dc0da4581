//! The `zhijian` binary: parse the command line, run, report a failure in one line.

use clap::Parser;

use zhijian::cli::{Cli, Command, LexiconCommand};
use zhijian::error::{EXIT_FAILURE, EXIT_OK};

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Audit(args) => zhijian::config::AuditConfig::from_args(*args)
            .and_then(|config| zhijian::run::audit(&config).map(|summary| summary.print(&config))),
        Command::Explain(args) => zhijian::tools::explain(&args),
        Command::Lexicon(LexiconCommand::Check(args)) => zhijian::tools::lexicon_check(&args),
        Command::Synth(args) => zhijian::tools::synth(&args),
        Command::Calibrate(args) => zhijian::calibrate::run(&args),
    };
    match result {
        Ok(()) => std::process::exit(EXIT_OK),
        Err(err) => {
            eprintln!("zhijian: {err}");
            std::process::exit(EXIT_FAILURE);
        }
    }
}
