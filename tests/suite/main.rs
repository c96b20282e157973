//! The integration suite: one test binary (the crate and Typst are linked once), with the
//! shipped book built once per run and shared, and small fixture books in temp folders.

mod back_matter;
mod bad_inputs;
mod common;
mod consistency;
mod content;
mod cross_references;
mod editions;
mod epub;
mod figures;
mod hostile;
mod index;
mod injection;
mod pages;
mod phone;
mod pipeline;
mod preflight;
mod print;
mod serve;
mod serve_browser;
mod snapshots;
mod watch;
