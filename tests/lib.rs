//! The one integration-test binary (one link step on a 2-core machine).

mod common;

mod cli;
mod cli_cases;
mod conformance;
mod coverage;
mod daily;
mod edges;
mod example;
mod fixtures;
mod fleet_semantics;
mod gitlab;
mod hostile;
mod import;
mod lsp;
mod messages;
mod output;
mod pictures;
mod roundtrip;
mod schema_file;
mod secrets;
mod vendored;
mod verify;
