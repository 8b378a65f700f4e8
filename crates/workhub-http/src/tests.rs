//! Checks that need no server.

use std::collections::BTreeSet;

#[test]
fn every_route_is_documented() {
    let source = include_str!("api/mod.rs");
    // The first string after each `.route(`, however rustfmt wrapped the call.
    let routed: BTreeSet<String> = source
        .split(".route(")
        .skip(1)
        .filter_map(|rest| rest.split('"').nth(1))
        .map(|p| format!("/api/v1{p}"))
        .collect();
    let documented: BTreeSet<String> = crate::api::openapi::OPERATIONS
        .iter()
        .map(|o| o.1.to_string())
        .collect();
    assert_eq!(routed, documented);
}
