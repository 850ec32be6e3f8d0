//! Property tests: argument parsing and filter normalisation never panic, whatever JSON or text
//! a client sends, and accept exactly what they document.

use proptest::prelude::*;
use serde_json::{Map, Value};

use super::args;
use super::filter::to_body_for_tests;
use crate::prefect::raw_filters::decode_for_tests;

/// Any JSON value, nested a few levels, with keys drawn from real filter vocabulary half the
/// time so that the decoder goes deep instead of failing at the first unknown key.
fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("flows".to_string()),
        Just("flow_runs".to_string()),
        Just("deployments".to_string()),
        Just("name".to_string()),
        Just("tags".to_string()),
        Just("state".to_string()),
        Just("type".to_string()),
        Just("any_".to_string()),
        Just("all_".to_string()),
        Just("like_".to_string()),
        Just("eq_".to_string()),
        Just("limit".to_string()),
        Just("offset".to_string()),
        Just("sort".to_string()),
        Just("paused".to_string()),
        "[a-z_]{1,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,16}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn json_object() -> impl Strategy<Value = Map<String, Value>> {
    json_value().prop_map(|v| match v {
        Value::Object(map) => map,
        other => Map::from_iter([("name".to_string(), other)]),
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn filter_normalisation_never_panics(criteria in json_object()) {
        for entity in ["flows", "flow_runs", "deployments"] {
            if let Ok(body) = to_body_for_tests(criteria.clone(), entity) {
                // The limit is always there and always valid once accepted.
                let limit = body["limit"].as_i64().unwrap_or_default();
                prop_assert!((1..=args::MAX_LIMIT).contains(&limit));
                let _ = decode_for_tests(body, entity);
            }
        }
    }

    #[test]
    fn limits_are_accepted_exactly_in_range(limit in any::<i64>()) {
        prop_assert_eq!(args::limit(limit).is_ok(), (1..=200).contains(&limit));
    }

    #[test]
    fn offsets_are_accepted_exactly_when_not_negative(offset in any::<i64>()) {
        prop_assert_eq!(args::offset(offset).is_ok(), offset >= 0);
    }

    #[test]
    fn deployment_names_split_into_two_clean_parts_or_fail(text in "\\PC{0,24}") {
        if let Ok((flow, deployment)) = args::deployment_full_name(&text) {
            prop_assert!(!flow.is_empty() && !deployment.is_empty());
            prop_assert!(!flow.contains('/') && !deployment.contains('/'));
        }
    }

    #[test]
    fn state_types_are_accepted_only_when_known(text in "\\PC{0,12}") {
        if let Ok(kind) = args::state_type(&text) {
            prop_assert!(args::STATE_TYPES.contains(&kind.as_str()));
        }
    }

    /// Drawn from the real types (random text almost never is one): any case and padding is
    /// accepted as the type, and a type with a letter changed is refused with the valid ones.
    #[test]
    fn real_state_types_are_accepted_in_any_case_and_near_misses_refused(
        index in 0..args::STATE_TYPES.len(),
        lower in proptest::collection::vec(any::<bool>(), 12),
        pad in "[ \\t]{0,2}",
        at in 0usize..12,
    ) {
        let real = args::STATE_TYPES[index];
        let cased: String = real
            .chars()
            .zip(lower.iter().cycle())
            .map(|(c, lower)| if *lower { c.to_ascii_lowercase() } else { c })
            .collect();
        let given = format!("{pad}{cased}{pad}");
        prop_assert_eq!(args::state_type(&given).unwrap(), real);
        let at = at % real.len();
        let mut typo: Vec<char> = real.chars().collect();
        typo[at] = if typo[at] == 'X' { 'Y' } else { 'X' };
        let typo: String = typo.into_iter().collect();
        if !args::STATE_TYPES.contains(&typo.as_str()) {
            let error = args::state_type(&typo).unwrap_err().message();
            prop_assert!(error.contains("SCHEDULED, PENDING"), "{}", error);
        }
    }

    #[test]
    fn uuids_are_accepted_exactly_when_they_parse_and_errors_name_the_argument(
        text in "\\PC{0,40}"
    ) {
        match args::uuid("flow_run_id", &text, "") {
            Ok(id) => prop_assert_eq!(Some(id), uuid::Uuid::parse_str(text.trim()).ok()),
            Err(error) => {
                prop_assert!(uuid::Uuid::parse_str(text.trim()).is_err());
                prop_assert!(error.message().contains("flow_run_id must be a UUID"));
            }
        }
    }

    #[test]
    fn unknown_arguments_are_refused_by_name(key in "[a-z_]{1,16}", value in json_value()) {
        prop_assume!(!["name", "tags", "limit"].contains(&key.as_str()));
        let mut arguments = Map::new();
        arguments.insert(key.clone(), value);
        let error = serde_path_to_error::deserialize::<_, crate::mcp::tools::flows::SearchFlowsArgs>(
            Value::Object(arguments),
        )
        .expect_err("an unknown argument is refused");
        prop_assert!(error.to_string().contains(&format!("unknown field `{key}`")), "{}", error);
    }
}
