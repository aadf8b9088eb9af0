use onetable_store::{Backend, Db};
use onetable_tests::{postgres_admin_url, TestDatabase};

fn migrated_columns(backend: Backend) -> std::collections::BTreeMap<String, Vec<String>> {
    let database = TestDatabase::create(backend);
    let db = Db::connect(&database.url, 1).unwrap();
    db.migrate().unwrap();
    db.table_columns().unwrap()
}

#[test]
fn migrations_are_idempotent_and_create_the_region_tables() {
    let database = TestDatabase::create(Backend::Sqlite);
    let db = Db::connect(&database.url, 1).unwrap();
    assert!(db.migrate().unwrap() > 0);
    assert_eq!(db.migrate().unwrap(), 0, "a second run applies nothing");
    let tables = db.table_columns().unwrap();
    assert_eq!(tables["regions"], ["code", "level", "name", "parent_code", "valid_from", "valid_to"]);
    assert!(tables.contains_key("region_changes"));
}

/// The two migration folders must end in the same tables and columns.
#[test]
fn both_backends_have_the_same_tables_and_columns() {
    if postgres_admin_url().is_none() {
        eprintln!("ONETABLE_TEST_PG is not set: comparing against PostgreSQL is left to CI");
        return;
    }
    assert_eq!(migrated_columns(Backend::Sqlite), migrated_columns(Backend::Postgres));
}
