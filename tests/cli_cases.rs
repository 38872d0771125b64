//! The command line as data: each `tests/cmd/*.toml` pins a command's arguments, working
//! directory, exit status, stdout and stderr, all four checked (trycmd). `TRYCMD=overwrite`
//! rewrites them after an intended change; review the diff like code.

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .register_bin("fleetc", std::path::Path::new(env!("CARGO_BIN_EXE_fleetc")))
        .env("NO_COLOR", "1")
        .case("tests/cmd/*.toml");
}
