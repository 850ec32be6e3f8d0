//! Text shortened for a reader with a budget: long strings keep their start and their end (a
//! traceback's end is the exception).

/// `text` cut to about `max_chars`, keeping its start and its end; the marker says how much was
/// cut.
pub fn cap_text(text: &str, max_chars: usize) -> String {
    let total = text.chars().count();
    if total <= max_chars {
        return text.to_string();
    }
    let head = max_chars / 2;
    let tail = max_chars - head;
    let omitted = total - head - tail;
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(total - tail).collect();
    format!("{start}\n…(truncated: {omitted} of {total} chars omitted)…\n{end}")
}
