//! The scenario-file parser of msrp-conform: any text. No panic; a file that parses has
//! scenarios with clause, title and steps, step lines within the file, and sends within
//! the size limit, whose bytes expand (with every variable given) to their fixed length.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use msrp_conform::script::{self, Action, MAX_SEND_BYTES};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(suite) = script::parse(text) else {
        return;
    };
    let lines = text.lines().count();
    for sc in &suite.scenarios {
        assert!(!sc.clause.is_empty() && !sc.title.is_empty() && !sc.steps.is_empty());
        for step in &sc.steps {
            assert!(step.line >= 1 && step.line <= lines, "step line {} of {lines}", step.line);
            if let Action::Send { template, .. } = &step.action {
                let fixed = template.fixed_len();
                assert!(fixed <= MAX_SEND_BYTES);
                if fixed <= 1 << 20 {
                    let vars: HashMap<String, String> =
                        template.variables().map(|v| (v.to_owned(), String::new())).collect();
                    let bytes = template.expand(&vars).expect("every variable is given");
                    assert_eq!(bytes.len(), fixed);
                }
            }
        }
    }
});
