//! Sizes of results in bytes of compact JSON, measured without building the JSON: the
//! counting pass every answer gets, and the one walk per cutting pass that both sizes a result
//! and finds the container to cut.

use serde::Serialize;
use serde_json::Value;

use super::MIN_MAP_KEYS;

/// A sink for serde_json that keeps no byte: it counts them, and checks them against
/// `expected` (a text already serialised) as they come.
struct Measure<'a> {
    written: usize,
    expected: Option<&'a [u8]>,
}

impl std::io::Write for Measure<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let end = self.written + bytes.len();
        if let Some(expected) = self.expected {
            if expected.get(self.written..end) != Some(bytes) {
                self.expected = None;
            }
        }
        self.written = end;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The compact JSON size of `value`, and whether that JSON is `expected` byte for byte; one
/// serialisation that builds nothing.
pub(super) fn measure_against<T: Serialize + ?Sized>(
    value: &T,
    expected: Option<&[u8]>,
) -> (usize, bool) {
    let mut sink = Measure {
        written: 0,
        expected,
    };
    match serde_json::to_writer(&mut sink, value) {
        Ok(()) => {
            let same = sink.expected.is_some_and(|e| e.len() == sink.written);
            (sink.written, same)
        }
        Err(_) => (usize::MAX, false),
    }
}

pub(super) fn json_len<T: Serialize + ?Sized>(value: &T) -> usize {
    measure_against(value, None).0
}

/// A container that may lose entries: its size and its path.
pub(super) type Found = Option<(usize, Vec<String>)>;

/// The path of the container holding the most bytes that may lose entries (a non-empty list,
/// or a map of data), and its size. A path is a list of segments (keys, and list indexes as
/// text), never a joined string: keys may hold dots (`"s3.paths"`).
///
/// One walk: each value's serialised size is added up from its children's, so no subtree is
/// serialised twice; the first item is the whole value's size.
pub(super) fn largest_container(value: &Value) -> (usize, Found) {
    /// The subtree's size and its largest container.
    fn walk(value: &Value, path: &mut Vec<String>) -> (usize, Found) {
        let mut children: Vec<Found> = Vec::new();
        let (size, own) = match value {
            Value::Array(items) => {
                let mut size = 2 + items.len().saturating_sub(1);
                for (i, item) in items.iter().enumerate() {
                    path.push(i.to_string());
                    let (child, found) = walk(item, path);
                    path.pop();
                    size += child;
                    children.push(found);
                }
                (size, !items.is_empty())
            }
            Value::Object(fields) => {
                let mut size = 2 + fields.len().saturating_sub(1);
                for (key, field) in fields {
                    path.push(key.clone());
                    let (child, found) = walk(field, path);
                    path.pop();
                    size += json_len(key.as_str()) + 1 + child;
                    children.push(found);
                }
                (size, fields.len() > MIN_MAP_KEYS)
            }
            other => return (json_len(other), None),
        };
        let mut best = own.then(|| (size, path.clone()));
        for found in children.into_iter().flatten() {
            // The deeper container wins a tie, and a child as large as its parent is the one
            // to cut (a list inside a one-field wrapper).
            if best.as_ref().is_none_or(|(largest, _)| found.0 >= *largest) {
                best = Some(found);
            }
        }
        (size, best)
    }
    walk(value, &mut Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sizes_add_up_to_the_serialised_length() {
        let value = json!({"a.b": [1, "two", {"c": null}], "d": {"e\"": 3.5}, "f": []});
        let (total, largest) = largest_container(&value);
        assert_eq!(total, json_len(&value));
        let (size, path) = largest.unwrap();
        assert_eq!(size, json_len(&value["a.b"]));
        assert_eq!(path, ["a.b"]);
    }

    #[test]
    fn measuring_agrees_with_serialising() {
        let value = json!({"k\u{e9}y": ["\"q\"", 1.5, null, {"x": []}], "n": -3});
        let text = value.to_string();
        assert_eq!(
            measure_against(&value, Some(text.as_bytes())),
            (text.len(), true)
        );
        assert_eq!(
            measure_against(&value, Some(&text.as_bytes()[1..])),
            (text.len(), false)
        );
        assert_eq!(measure_against(&value, None), (text.len(), false));
    }
}
