//! `schema.graphql` is the SDL clients read; it must match the code.

#[test]
fn schema_graphql_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = parcours_api::schema_sdl();
    assert!(
        committed == generated,
        "schema.graphql is out of date; regenerate it with:\n\n    cargo run -q -p parcours-api -- schema > schema.graphql\n"
    );
}
