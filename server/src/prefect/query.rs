//! Request bodies shared by the areas: pages and state filters.

use prefect_api::types;
use uuid::Uuid;

/// Prefect's page size limit: `limit` above this gets a 422 from the server.
pub const MAX_LIMIT: i64 = 200;
pub const DEFAULT_LIMIT: i64 = 20;

/// A filter request body for one page: `limit`, `offset` and `sort` set, the rest default.
/// The generated body types differ, so this is a macro.
macro_rules! page_body {
    ($body:ident, $sort:ident($order:expr), $limit:expr, $offset:expr $(, $field:ident: $value:expr)* $(,)?) => {{
        let mut body = prefect_api::types::$body::default();
        body.limit = Some($limit);
        body.offset = $offset;
        body.sort = Some(prefect_api::types::$sort($order.into()));
        $(body.$field = $value;)*
        body
    }};
}
pub(crate) use page_body;

/// A state filter on state types and/or names (given both, both must match); `None` when
/// neither is given. The flow run and task run filters are different generated types.
macro_rules! state_filter {
    ($state:ident, $type_filter:ident, $name_filter:ident, $types:expr, $names:expr) => {{
        let types: Option<Vec<String>> = $types;
        let names: Option<Vec<String>> = $names;
        (types.is_some() || names.is_some()).then(|| {
            let mut state = prefect_api::types::$state::default();
            state.type_ = types.map(|types| {
                let mut filter = prefect_api::types::$type_filter::default();
                filter.any = Some(
                    types
                        .into_iter()
                        .map(prefect_api::types::StateType)
                        .collect(),
                );
                filter
            });
            state.name = names.map(|names| {
                let mut filter = prefect_api::types::$name_filter::default();
                filter.any = Some(names);
                filter
            });
            state.operator = Some(prefect_api::types::Operator("and_".into()));
            state
        })
    }};
}

/// A flow filter on the one flow with this id.
pub(crate) fn flow_with_id(id: Uuid) -> types::FlowFilter {
    types::FlowFilter {
        id: Some(types::FlowFilterId {
            any: Some(vec![id]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Which states a filter selects: any of `types` and/or any of `names` (both: both must match).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct States {
    pub types: Option<Vec<String>>,
    pub names: Option<Vec<String>>,
}

impl States {
    pub fn of_types(types: &[&str]) -> Self {
        States {
            types: Some(types.iter().map(|t| t.to_string()).collect()),
            names: None,
        }
    }

    pub fn named(name: &str) -> Self {
        States {
            types: None,
            names: Some(vec![name.to_string()]),
        }
    }

    pub fn flow_run_filter(self) -> Option<types::FlowRunFilterState> {
        state_filter!(
            FlowRunFilterState,
            FlowRunFilterStateType,
            FlowRunFilterStateName,
            self.types,
            self.names
        )
    }

    pub fn task_run_filter(self) -> Option<types::TaskRunFilterState> {
        state_filter!(
            TaskRunFilterState,
            TaskRunFilterStateType,
            TaskRunFilterStateName,
            self.types,
            self.names
        )
    }
}
