//! Any bytes as a spec: compiling and rendering the diagnostics must never panic, hang or
//! exhaust memory.
#![no_main]

use std::path::Path;

use fleetc::diagnostic::{RenderOptions, Source, render_all};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = Source {
        name: "fleetc.yaml".to_owned(),
        text: text.to_owned(),
    };
    // A root that does not exist: the compiler only ever reads below it.
    match fleetc::compile(&source, Path::new("/nonexistent/fleetc-fuzz")) {
        Ok(compiled) => {
            let _ = render_all(&compiled.warnings, &source, RenderOptions::PLAIN);
        }
        Err(diags) => {
            assert!(!diags.is_empty(), "a failed compile reports why");
            let _ = render_all(&diags, &source, RenderOptions::PLAIN);
        }
    }
});
