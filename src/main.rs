//! The `guidebook` command: parse arguments, run one command, print its problems once.

mod cli;
mod cmd;

use std::process::ExitCode;

use clap::Parser;
use guidebook::diagnostics::{self, Error};

use crate::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = cli.message_format();
    // A panic inside a dependency must never reach the user as a stack trace.
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(|| cmd::run(&cli)).unwrap_or_else(|payload| {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(Error::msg(format!(
            "internal error: {detail} (please report this with the input that caused it)"
        )))
    });
    match outcome {
        Ok(warnings) => {
            diagnostics::emit(&warnings, format);
            ExitCode::SUCCESS
        }
        Err(error) => {
            diagnostics::emit(&error.diagnostics, format);
            ExitCode::from(1)
        }
    }
}
