//! Clean operation ids, which become the generated client's method names.

use serde_json::{json, Value};
use std::collections::BTreeMap;

use super::HTTP_METHODS;

/// FastAPI's operationId for a route: its name, then the path with every non-word character
/// replaced by `_`, then `_` and the method (`read_flow_by_name_flows_name__name__get`).
fn fastapi_suffix(path: &str, method: &str) -> String {
    let path: String = path
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{path}_{method}")
}

/// Give operations clean method names: the route name without FastAPI's path-and-method suffix.
///
/// Collision rule: where several operations share a clean name, the one with the fewest path
/// segments keeps it and each other one gets `_in_<first path segment>`
/// (`create_work_queue` for `POST /work_queues/`, `create_work_queue_in_work_pools` for
/// `POST /work_pools/{name}/queues`). With a tie for fewest, all of them get the suffix.
pub fn clean_operation_ids(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    // clean name -> [(path, method)]
    let mut by_name: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (path, item) in paths.iter() {
        for method in HTTP_METHODS {
            let Some(id) = item
                .pointer(&format!("/{method}/operationId"))
                .and_then(Value::as_str)
            else {
                continue;
            };
            let clean = id
                .strip_suffix(&fastapi_suffix(path, method))
                .filter(|c| !c.is_empty())
                .unwrap_or(id);
            by_name
                .entry(clean.to_string())
                .or_default()
                .push((path.clone(), method.to_string()));
        }
    }
    let segments = |path: &str| path.split('/').filter(|s| !s.is_empty()).count();
    for (clean, ops) in by_name {
        let fewest = ops.iter().map(|(p, _)| segments(p)).min().unwrap_or(0);
        let keepers = ops.iter().filter(|(p, _)| segments(p) == fewest).count();
        for (path, method) in &ops {
            let name = if ops.len() == 1 || (keepers == 1 && segments(path) == fewest) {
                clean.clone()
            } else {
                let first = path.split('/').find(|s| !s.is_empty()).unwrap_or("root");
                format!("{clean}_in_{first}")
            };
            if let Some(op) = paths.get_mut(path).and_then(|i| i.get_mut(method)) {
                op["operationId"] = json!(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_lose_fastapi_suffix_and_collisions_follow_the_rule() {
        let mut doc = json!({"paths": {
            "/flows/name/{name}": {"get": {"operationId": "read_flow_by_name_flows_name__name__get"}},
            "/work_queues/": {"post": {"operationId": "create_work_queue_work_queues__post"}},
            "/work_pools/{work_pool_name}/queues": {"post": {"operationId": "create_work_queue_work_pools__work_pool_name__queues_post"}}
        }});
        clean_operation_ids(&mut doc);
        assert_eq!(
            doc["paths"]["/flows/name/{name}"]["get"]["operationId"],
            "read_flow_by_name"
        );
        assert_eq!(
            doc["paths"]["/work_queues/"]["post"]["operationId"],
            "create_work_queue"
        );
        assert_eq!(
            doc["paths"]["/work_pools/{work_pool_name}/queues"]["post"]["operationId"],
            "create_work_queue_in_work_pools"
        );
    }
}
