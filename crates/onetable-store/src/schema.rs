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

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        display_name -> Text,
        role -> Text,
        region_code -> Nullable<Text>,
        department -> Nullable<Text>,
        password_hash -> Text,
        disabled -> Bool,
        failed_logins -> Integer,
        locked_until -> Nullable<Timestamp>,
        password_changed_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        session_generation -> Integer,
        must_change_password -> Bool,
        phone -> Nullable<Text>,
    }
}

diesel::table! {
    deadlines (region_code, applies_to) {
        region_code -> Text,
        applies_to -> Text,
        days_after -> Nullable<Integer>,
        due_date -> Nullable<Date>,
        set_by -> Text,
        set_at -> Timestamp,
    }
}

diesel::table! {
    reminders (id) {
        id -> BigInt,
        region_code -> Text,
        period -> Text,
        message -> Text,
        sent_by -> Text,
        sent_at -> Timestamp,
        read_by -> Nullable<Text>,
        read_at -> Nullable<Timestamp>,
        delivery -> Nullable<Text>,
    }
}

diesel::table! {
    reminder_hooks (region_code) {
        region_code -> Text,
        kind -> Text,
        url -> Text,
        set_by -> Text,
        set_at -> Timestamp,
        secret -> Nullable<Text>,
    }
}

diesel::table! {
    password_history (id) {
        id -> BigInt,
        user_id -> BigInt,
        password_hash -> Text,
        replaced_at -> Timestamp,
    }
}

diesel::table! {
    clients (id) {
        id -> BigInt,
        client_id -> Text,
        secret_hash -> Text,
        department -> Text,
        region_code -> Text,
        disabled -> Bool,
        created_at -> Timestamp,
        session_generation -> Integer,
        rotation_requested_by -> Nullable<Text>,
        rotation_requested_at -> Nullable<Timestamp>,
        rotation_approved_by -> Nullable<Text>,
        rotation_approved_at -> Nullable<Timestamp>,
        secret_rotated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        private_key -> Text,
        public_key -> Text,
        created_at -> Timestamp,
        retired_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    revoked_tokens (jti) {
        jti -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        actor -> Nullable<Text>,
        role -> Nullable<Text>,
        action -> Text,
        target -> Nullable<Text>,
        outcome -> Text,
        request_id -> Nullable<Text>,
        client_addr -> Nullable<Text>,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    indicators (code, version) {
        code -> Text,
        version -> Integer,
        name -> Text,
        normalized_name -> Text,
        description -> Text,
        unit -> Text,
        value_type -> Text,
        min_value -> Nullable<Double>,
        max_value -> Nullable<Double>,
        required -> Bool,
        category -> Text,
        frequency -> Text,
        aggregation -> Text,
        sensitivity -> Text,
        owner_department -> Text,
        legal_basis -> Text,
        formula -> Nullable<Text>,
        status -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        change_note -> Nullable<Text>,
        sort_order -> Integer,
        aliases -> Text,
        register_aggregate -> Nullable<Text>,
    }
}

diesel::table! {
    registers (code, version) {
        code -> Text,
        version -> Integer,
        name -> Text,
        normalized_name -> Text,
        unit -> Text,
        definition -> Text,
        status -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        change_note -> Nullable<Text>,
    }
}

diesel::table! {
    register_records (id) {
        id -> BigInt,
        register_code -> Text,
        region_code -> Text,
        group_name -> Nullable<Text>,
        key_hash -> Text,
        person_hash -> Nullable<Text>,
        plain -> Text,
        sealed -> Text,
        opened_on -> Nullable<Date>,
        closed_on -> Nullable<Date>,
        close_reason -> Nullable<Text>,
        revision -> BigInt,
        created_by -> Text,
        created_at -> Timestamp,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    register_record_events (id) {
        id -> BigInt,
        record_id -> BigInt,
        revision -> BigInt,
        action -> Text,
        actor -> Text,
        reason -> Nullable<Text>,
        changes -> Text,
        occurred_at -> Timestamp,
    }
}

diesel::table! {
    rules (code) {
        code -> Text,
        name -> Text,
        expression -> Text,
        severity -> Text,
        message -> Text,
        tolerance -> Double,
        missing_as_zero -> Bool,
        active -> Bool,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    data_values (region_code, indicator_code, period) {
        region_code -> Text,
        indicator_code -> Text,
        period -> Text,
        value -> Text,
        source -> Text,
        revision -> BigInt,
        entered_by -> Text,
        entered_at -> Timestamp,
    }
}

diesel::table! {
    entries (region_code, period) {
        region_code -> Text,
        period -> Text,
        status -> Text,
        revision -> BigInt,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    value_audit (id) {
        id -> BigInt,
        region_code -> Text,
        period -> Text,
        revision -> BigInt,
        source -> Text,
        actor -> Text,
        reason -> Nullable<Text>,
        changed_at -> Timestamp,
        changes -> Text,
    }
}

diesel::table! {
    entry_events (id) {
        id -> BigInt,
        region_code -> Text,
        period -> Text,
        action -> Text,
        actor -> Text,
        comment -> Nullable<Text>,
        revision -> BigInt,
        occurred_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (actor, key) {
        key -> Text,
        actor -> Text,
        request_hash -> Text,
        state -> Text,
        response_status -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        created_at -> Timestamp,
        holder -> Nullable<Integer>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    regions,
    region_changes,
    users,
    clients,
    data_values,
    entries,
    data_requests,
    access_log
);

diesel::table! {
    data_requests (id) {
        id -> BigInt,
        title -> Text,
        purpose -> Text,
        legal_basis -> Text,
        department -> Text,
        requested_by -> Text,
        region_code -> Text,
        indicators -> Text,
        periods -> Nullable<Text>,
        frequency -> Nullable<Text>,
        start_period -> Nullable<Text>,
        expires_at -> Timestamp,
        status -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_reason -> Nullable<Text>,
        created_at -> Timestamp,
        registers -> Nullable<Text>,
        full_values_asked -> Bool,
        full_values -> Bool,
    }
}

diesel::table! {
    access_log (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        request_id -> BigInt,
        department -> Text,
        caller -> Text,
        region_code -> Text,
        level -> Text,
        period -> Text,
        indicators -> Text,
        row_count -> BigInt,
        format -> Text,
    }
}

diesel::table! {
    dashboards (id) {
        id -> BigInt,
        name -> Text,
        region_code -> Text,
        items -> Text,
        shared -> Bool,
        created_by -> Text,
        created_at -> Timestamp,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    indicator_proposals (id) {
        id -> BigInt,
        name -> Text,
        unit -> Text,
        header -> Text,
        form_title -> Text,
        department -> Text,
        proposed_by -> Text,
        proposed_at -> Timestamp,
        status -> Text,
        indicator_code -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    report_templates (id) {
        id -> BigInt,
        department -> Text,
        name -> Text,
        definition -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    form_cleanups (id) {
        id -> BigInt,
        run_by -> Text,
        department -> Nullable<Text>,
        run_at -> Timestamp,
        forms -> BigInt,
        columns_total -> BigInt,
        distinct_needs -> BigInt,
        in_registry -> BigInt,
        new_needs -> BigInt,
    }
}

diesel::table! {
    audit_archives (month) {
        month -> Text,
        events -> BigInt,
        first_id -> Nullable<BigInt>,
        last_id -> Nullable<BigInt>,
        file_sha256 -> Text,
        head -> Text,
        archived_at -> Timestamp,
    }
}

diesel::table! {
    supplies (id) {
        id -> BigInt,
        department -> Text,
        requested_by -> Text,
        region_code -> Text,
        indicators -> Text,
        purpose -> Text,
        source_system -> Text,
        refresh -> Text,
        status -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_reason -> Nullable<Text>,
        created_at -> Timestamp,
        registers -> Nullable<Text>,
    }
}

diesel::table! {
    supplied_values (region_code, indicator_code, period) {
        region_code -> Text,
        indicator_code -> Text,
        period -> Text,
        supply_id -> BigInt,
        value -> Text,
        as_of -> Date,
        received_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(supplies, supplied_values, supply_discrepancies);

diesel::table! {
    supply_discrepancies (id) {
        id -> BigInt,
        supply_id -> BigInt,
        region_code -> Text,
        indicator_code -> Text,
        period -> Text,
        supplied -> Text,
        corrected -> Text,
        reason -> Nullable<Text>,
        corrected_by -> Text,
        corrected_at -> Timestamp,
        status -> Text,
        answer -> Nullable<Text>,
        answered_by -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
    }
}
diesel::allow_tables_to_appear_in_same_query!(data_values, supplied_values);
diesel::allow_tables_to_appear_in_same_query!(data_values, supplies);

diesel::table! {
    subscriptions (id) {
        id -> BigInt,
        data_request_id -> BigInt,
        department -> Text,
        url -> Text,
        secret -> Text,
        status -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        cancelled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_events (id) {
        id -> BigInt,
        event_id -> Text,
        subscription_id -> BigInt,
        event_type -> Text,
        region_code -> Text,
        period -> Text,
        indicators -> Text,
        revision -> BigInt,
        occurred_at -> Timestamp,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        leased_until -> Nullable<Timestamp>,
        last_attempt_at -> Nullable<Timestamp>,
        last_outcome -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
    }
}
diesel::allow_tables_to_appear_in_same_query!(subscriptions, webhook_events, data_requests);

diesel::table! {
    follow_ups (id) {
        id -> BigInt,
        region_code -> Text,
        period -> Text,
        indicator_code -> Text,
        value -> Nullable<Text>,
        note -> Text,
        status -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        resolved_by -> Nullable<Text>,
        resolved_at -> Nullable<Timestamp>,
        resolution -> Nullable<Text>,
    }
}
