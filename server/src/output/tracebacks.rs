//! Python tracebacks in log lines, folded to what explains a failure: the frames of installed
//! packages (paths under `site-packages`) become one "…(N library frames)…" line and the caret
//! lines under code (`^^^^`) go; the run's own frames and the exception stay whole. A failed
//! Prefect run logs its traceback twice, mostly engine frames with long virtualenv paths.

const TRACEBACK: &str = "Traceback (most recent call last):";

/// `message` with its library frames folded; a message without a traceback is unchanged.
pub fn fold_traceback(message: &str) -> String {
    if !message.contains(TRACEBACK) {
        return message.to_string();
    }
    let lines: Vec<&str> = message.lines().collect();
    let mut kept: Vec<String> = Vec::with_capacity(lines.len());
    let mut folded = 0;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if is_frame(line) && line.contains("site-packages") {
            folded += 1;
            i += 1;
            // The frame's code and caret lines, indented deeper than its "File" line.
            while i < lines.len() && lines[i].starts_with("    ") && !is_frame(lines[i]) {
                i += 1;
            }
            continue;
        }
        i += 1;
        if is_caret(line) {
            continue;
        }
        if folded > 0 {
            kept.push(folded_frames(folded));
            folded = 0;
        }
        kept.push(line.to_string());
    }
    if folded > 0 {
        kept.push(folded_frames(folded));
    }
    kept.join("\n")
}

/// The exception a traceback ends with ("ValueError: ..."), when `message` holds one.
fn exception_of(message: &str) -> Option<&str> {
    message
        .split_once(TRACEBACK)?
        .1
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty() && !line.starts_with(' '))
}

/// A log message in one line: its first, and the exception its traceback ends with when the
/// first line does not already say it.
pub fn headline(message: &str) -> String {
    let first = message.lines().next().unwrap_or_default();
    match exception_of(message) {
        Some(exception) if !first.contains(exception) => format!("{first} ({exception})"),
        _ => first.to_string(),
    }
}

/// Tracebacks that end in an exception an earlier message's traceback already showed (the
/// task's, then the flow's, then the engine's) keep only their first line and say so.
pub fn cut_repeated_tracebacks<'a>(messages: impl Iterator<Item = &'a mut String>) {
    let mut shown: Vec<String> = Vec::new();
    for message in messages {
        let Some(exception) = exception_of(message).map(str::to_string) else {
            continue;
        };
        if shown.contains(&exception) {
            let first = message.lines().next().unwrap_or_default().to_string();
            *message = format!("{first}\n  …(the traceback above, again)…");
        } else {
            shown.push(exception);
        }
    }
}

fn folded_frames(count: usize) -> String {
    let frames = if count == 1 { "frame" } else { "frames" };
    format!("  …({count} library {frames})…")
}

fn is_frame(line: &str) -> bool {
    line.trim_start().starts_with("File \"")
}

/// Python 3.11's markers under the failing expression: only `^`, `~` and spaces.
fn is_caret(line: &str) -> bool {
    let marks = line.trim();
    !marks.is_empty() && marks.chars().all(|c| matches!(c, '^' | '~' | ' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_frames_fold_and_the_runs_own_frame_and_exception_stay() {
        let message = [
            "Task run failed with exception: ValueError('missing')",
            "Traceback (most recent call last):",
            "  File \"/venv/lib/python3.11/site-packages/prefect/task_engine.py\", line 1058, in run",
            "    yield self",
            "  File \"/venv/lib/python3.11/site-packages/prefect/task_engine.py\", line 1075, in call",
            "    result = call_with_parameters(self.task.fn, parameters)",
            "             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
            "  File \"/work/flows/load.py\", line 38, in load_input",
            "    raise ValueError(\"missing\")",
            "ValueError: missing",
        ]
        .join("\n");
        let folded = [
            "Task run failed with exception: ValueError('missing')",
            "Traceback (most recent call last):",
            "  …(2 library frames)…",
            "  File \"/work/flows/load.py\", line 38, in load_input",
            "    raise ValueError(\"missing\")",
            "ValueError: missing",
        ]
        .join("\n");
        assert_eq!(fold_traceback(&message), folded);
        assert_eq!(fold_traceback("plain ^^^ line"), "plain ^^^ line");
        assert_eq!(
            headline(&folded),
            "Task run failed with exception: ValueError('missing') (ValueError: missing)"
        );
        let engine = format!("Engine exited\n{}", folded.split_once('\n').unwrap().1);
        let mut messages = [folded.clone(), "Finished".to_string(), engine];
        cut_repeated_tracebacks(messages.iter_mut());
        assert_eq!(messages[0], folded);
        assert_eq!(
            messages[2],
            "Engine exited\n  …(the traceback above, again)…"
        );
    }
}
