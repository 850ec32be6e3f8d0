//! Log lines nobody else can write: every event is exactly one line, whatever the values in it.
//!
//! Tool names, session ids, token headers, Prefect names and arguments reach the log; any of
//! them may hold a newline (which would start a forged line in the text format), `key=value`
//! text (a forged field), terminal escapes, or 200 KB. Two guards, so that no call site can
//! forget one:
//! - [`SafeFields`] (text format) writes a field value bare only when it is plainly one word;
//!   anything else is quoted and escaped, so `tool="x outcome=ok"` stays one field.
//! - [`SafeLines`] (both formats) gets each event as the single write the formatter makes,
//!   escapes every control character but the final newline, and caps the line; a JSON line cut
//!   short is replaced by a valid JSON line saying so.

use std::fmt;
use std::io::{self, Write};

use tracing::field::{Field, Visit};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FormatFields, MakeWriter};

/// The longest line written, in bytes; longer ones are cut.
pub const MAX_LINE_BYTES: usize = 16 * 1024;
/// The longest field value written in the text format, in characters.
const MAX_VALUE_CHARS: usize = 2048;

/// Field values in the text format: bare when plainly one word, else quoted and escaped.
pub struct SafeFields;

impl<'writer> FormatFields<'writer> for SafeFields {
    fn format_fields<R: RecordFields>(&self, writer: Writer<'writer>, fields: R) -> fmt::Result {
        let mut visitor = SafeVisitor {
            writer,
            first: true,
            result: Ok(()),
        };
        fields.record(&mut visitor);
        visitor.result
    }
}

struct SafeVisitor<'writer> {
    writer: Writer<'writer>,
    first: bool,
    result: fmt::Result,
}

impl SafeVisitor<'_> {
    fn write(&mut self, field: &Field, value: String, quote_always: bool) {
        if self.result.is_err() {
            return;
        }
        let separator = if self.first { "" } else { " " };
        self.first = false;
        let value = capped(&value);
        self.result = if field.name() == "message" {
            write!(self.writer, "{separator}{value}")
        } else if !quote_always && is_one_word(&value) {
            write!(self.writer, "{separator}{}={value}", field.name())
        } else {
            write!(self.writer, "{separator}{}={value:?}", field.name())
        };
    }
}

impl Visit for SafeVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        // As tracing's own text format does: strings are quoted.
        self.write(field, value.to_string(), true);
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.write(field, format!("{value:?}"), false);
    }
}

fn is_one_word(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.:/@+,".contains(c))
}

fn capped(value: &str) -> String {
    if value.chars().count() <= MAX_VALUE_CHARS {
        return value.to_string();
    }
    let head: String = value.chars().take(MAX_VALUE_CHARS).collect();
    format!("{head}…(cut)")
}

/// stderr, one escaped and capped line per event.
#[derive(Clone, Copy)]
pub struct SafeLines {
    pub json: bool,
}

impl<'a> MakeWriter<'a> for SafeLines {
    type Writer = SafeLine;

    fn make_writer(&'a self) -> SafeLine {
        SafeLine { json: self.json }
    }
}

pub struct SafeLine {
    json: bool,
}

impl Write for SafeLine {
    fn write(&mut self, event: &[u8]) -> io::Result<usize> {
        io::stderr().lock().write_all(&one_line(event, self.json))?;
        Ok(event.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

/// The event as one line: control characters (but the final newline) escaped as `\u00XX`,
/// which reads the same in text and stays valid inside a JSON string; capped to
/// [`MAX_LINE_BYTES`].
pub fn one_line(event: &[u8], json: bool) -> Vec<u8> {
    let text = String::from_utf8_lossy(event);
    let body = text.strip_suffix('\n').unwrap_or(&text);
    let mut line = String::with_capacity(body.len() + 1);
    for c in body.chars() {
        if c.is_control() || is_invisible_control(c) {
            line.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            line.push(c);
        }
    }
    if line.len() > MAX_LINE_BYTES {
        line = cut(&line, json);
    }
    line.push('\n');
    line.into_bytes()
}

fn is_invisible_control(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

fn cut(line: &str, json: bool) -> String {
    let mut end = MAX_LINE_BYTES / 2;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    let head = &line[..end];
    let cut_bytes = line.len() - end;
    if json {
        serde_json::json!({
            "level": "WARN",
            "fields": {"message": "log line cut", "cut_bytes": cut_bytes, "head": head},
        })
        .to_string()
    } else {
        format!("{head} …(log line cut: {cut_bytes} more bytes)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newline_in_a_value_never_starts_a_line() {
        let event = b"INFO tool_call{tool=x\nINFO forged caller=admin}: done\n";
        let line = one_line(event, false);
        assert_eq!(line.iter().filter(|b| **b == b'\n').count(), 1);
        assert!(String::from_utf8(line)
            .unwrap()
            .contains("x\\u000aINFO forged"));
        let escape = one_line(b"a\x1b[31mred\r\n", false);
        assert_eq!(escape, b"a\\u001b[31mred\\u000d\n");
    }

    #[test]
    fn long_lines_are_cut_and_json_stays_json() {
        let big = format!("{{\"fields\":{{\"alg\":\"{}\"}}}}\n", "A".repeat(200_000));
        let text = one_line(big.as_bytes(), false);
        assert!(text.len() < MAX_LINE_BYTES + 100);
        let json = one_line(big.as_bytes(), true);
        assert!(json.len() < MAX_LINE_BYTES + 200);
        let parsed: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(parsed["fields"]["message"], "log line cut");
    }

    #[test]
    fn a_value_that_is_not_one_word_is_quoted() {
        assert!(is_one_word("cancel_flow_run"));
        assert!(is_one_word("4f1c-1"));
        assert!(!is_one_word("x outcome=ok"));
        assert!(!is_one_word("a\"b"));
        assert!(!is_one_word(""));
    }
}
