//! `fleetc lsp`: the language server on stdin and stdout (the protocol), logging to stderr.

use super::CliError;

pub(super) fn run() -> Result<(), CliError> {
    let (conn, io) = crate::lsp::stdio();
    let served = crate::lsp::serve(&conn);
    // The writer thread ends once every sender is gone.
    drop(conn);
    io.join().map_err(|e| CliError::Io(format!("lsp: {e}")))?;
    match served.map_err(|e| CliError::Io(format!("lsp: {e}")))? {
        crate::lsp::End::Clean => Ok(()),
        crate::lsp::End::ExitWithoutShutdown => Err(CliError::Failed(
            "lsp: the client sent `exit` without `shutdown`".to_owned(),
        )),
    }
}
