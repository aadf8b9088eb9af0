//! The one diesel schema, shared by SQLite and PostgreSQL (migrations/sqlite, migrations/postgres).

diesel::table! {
    regions (code) {
        code -> Text,
        name -> Text,
        level -> Integer,
        parent_code -> Nullable<Text>,
        valid_from -> Date,
        valid_to -> Nullable<Date>,
    }
}

diesel::table! {
    region_changes (id) {
        id -> BigInt,
        old_code -> Text,
        new_code -> Nullable<Text>,
        kind -> Text,
        old_name -> Nullable<Text>,
        new_name -> Nullable<Text>,
        effective -> Date,
        recorded_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(regions, region_changes);
