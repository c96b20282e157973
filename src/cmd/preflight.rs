//! `guidebook preflight FILE.pdf`: the prepress check of any PDF, as a table.

use guidebook::diagnostics::{Diagnostic, Error, Result};
use guidebook::output::pdf::preflight::{self, Rules, Service};

use super::say;
use crate::cli::{PreflightArgs, PrintService, PrintTarget};

pub fn run(args: &PreflightArgs) -> Result<Vec<Diagnostic>> {
    let bytes = std::fs::read(&args.file)
        .map_err(|e| Error::msg(format!("cannot read {}: {e}", args.file.display())))?;
    let rules = match (args.target, args.service) {
        (PrintTarget::Offset, _) => Rules::offset(),
        (PrintTarget::Pod, None) => Rules::pod(),
        (PrintTarget::Pod, Some(service)) => Rules::for_service(match service {
            PrintService::Kdp => Service::Kdp,
            PrintService::Ingramspark => Service::IngramSpark,
            PrintService::Lulu => Service::Lulu,
        }),
    };
    let rules = if args.cover { rules.cover() } else { rules };
    let report = preflight::check(&bytes, &rules)
        .map_err(|e| Error::msg(format!("{}: {e}", args.file.display())))?;
    say(report.table());
    if args.details {
        say(report.details());
    }
    if report.passed() {
        Ok(vec![])
    } else {
        Err(Error::msg(format!(
            "{} fails the {} rules (see the table above)",
            args.file.display(),
            rules.describe()
        )))
    }
}
