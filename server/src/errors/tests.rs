//! The wording of each kind of failure.

use super::*;

#[test]
fn unknown_state_name_says_where_the_names_came_from_and_suggests() {
    let known = vec!["Completed".to_string(), "Late".to_string()];
    let observed = ToolError::UnknownStateName {
        name: "late".into(),
        suggestions: vec!["Late".into()],
        known: known.clone(),
        names_from: StateNameSource::Observed,
    }
    .message();
    assert!(observed.contains("No flow or task run has been in a state named \"late\""));
    assert!(observed.contains("Did you mean \"Late\"?"), "{observed}");
    assert!(
        observed.contains("occurred are: \"Completed\", \"Late\"."),
        "{observed}"
    );
    let standard = ToolError::UnknownStateName {
        name: "Faild".into(),
        suggestions: vec!["Failed".into(), "Cancelled".into()],
        known,
        names_from: StateNameSource::Standard,
    }
    .message();
    assert!(standard.contains("standard names"), "{standard}");
    assert!(
        standard.contains("Did you mean \"Failed\" or \"Cancelled\"?"),
        "{standard}"
    );
}

#[test]
fn unreachable_names_url_and_fix() {
    let err = ToolError::Prefect {
        action: "listing flows".into(),
        source: PrefectError::Unreachable {
            url: "http://127.0.0.1:9/api/flows/filter".into(),
            message: "Connection refused".into(),
        },
    };
    let text = err.message();
    assert!(text.contains("http://127.0.0.1:9/api"), "{text}");
    assert!(text.contains("PREFECT_API_URL"), "{text}");
    assert_eq!(err.to_string(), text, "Display and message() agree");
}

#[test]
fn unauthorized_points_at_credentials() {
    let err = ToolError::Prefect {
        action: "listing flows".into(),
        source: PrefectError::Unauthorized {
            status: 401,
            message: "Unauthorized".into(),
        },
    };
    assert!(err.message().contains("PREFECT_API_KEY"));
    assert_eq!(err.kind(), "prefect_unauthorized");
}

#[test]
fn argument_errors_survive_the_trip_through_rmcp() {
    let data = decode_error("limit".into(), "invalid type: string \"5\"".into());
    let error = ToolError::from_argument_error(&data).expect("ours");
    assert_eq!(
        error.message(),
        "Invalid arguments: limit: invalid type: string \"5\""
    );
    let foreign = rmcp::ErrorData::invalid_params("tool not found", None);
    assert!(ToolError::from_argument_error(&foreign).is_none());
}

#[test]
fn not_found_means_none_only_for_404() {
    let none: Result<Option<()>, _> = Err::<(), _>(PrefectError::NotFound {
        message: "gone".into(),
    })
    .doing_or_none("reading");
    assert!(matches!(none, Ok(None)));
    let failed = Err::<(), _>(PrefectError::Server {
        status: 500,
        message: "boom".into(),
    })
    .doing_or_none("reading");
    assert!(failed.is_err());
}
