// Times and durations as people read them in Prefect's UI.

/** A date from an RFC 3339 string, or null for a missing or unreadable one. */
export function date(value: unknown): Date | null {
  if (typeof value !== "string") return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "2026-12-03 18:15:12" in the viewer's zone, or "—". */
export function when(value: unknown): string {
  const d = date(value);
  if (!d) return "—";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "HH:MM" for chart axes. */
export function clock(d: Date): string {
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

/** "3 min ago", "in 2 h". */
export function relative(value: unknown, now = Date.now()): string {
  const d = date(value);
  if (!d) return "—";
  const seconds = (d.getTime() - now) / 1000;
  const text = duration(Math.abs(seconds));
  return seconds < 0 ? `${text} ago` : `in ${text}`;
}

/** "850 ms", "12 s", "4 min 5 s", "3 h 20 min", "2 d 1 h". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "—";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${Math.round(seconds * 10) / 10} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min${seconds % 60 >= 1 ? ` ${Math.floor(seconds % 60)} s` : ""}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ""}`;
  return `${Math.floor(hours / 24)} d${hours % 24 ? ` ${hours % 24} h` : ""}`;
}

/** A text field, or null when absent or empty. */
export function str(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}

/** An array field, or an empty one (also when a result lacks a field its schema promises). */
export function list<T>(value: readonly T[] | null | undefined): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/** A number field, or null. */
export function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** An absolute file path (Unix, or Windows with a drive letter) of at least one directory, not
 *  inside a URL, a relative path or a word. */
const ABSOLUTE_PATH = /(?<![\w.:/\\~-])(?:\/|[A-Za-z]:\\)(?:[\w.@+~-]+[/\\])+[\w.@+~-]*/g;
/** Everything up to an installed package's own directory. */
const UP_TO_PACKAGES = /^.*[/\\](?:site|dist)-packages[/\\]/;
/** What is kept of any other absolute path: enough to name the file and where it sits. */
const KEPT_SEGMENTS = 2;

/** Text with its file paths shortened, for display only: an installed package's path starts at
 *  the package (`…/prefect/task_engine.py`), another absolute path keeps its last segments
 *  (`…/flows/etl.py`). Tracebacks read better, and a page shows no machine's directories. */
export function shortPaths(text: string): string {
  return text.replace(ABSOLUTE_PATH, (path) => {
    const separator = path.includes("\\") ? "\\" : "/";
    const inPackage = path.replace(UP_TO_PACKAGES, `…${separator}`);
    if (inPackage !== path) return inPackage;
    const segments = path.split(/[/\\]/).filter(Boolean);
    if (segments.length <= KEPT_SEGMENTS) return path;
    const trailing = /[/\\]$/.test(path) ? separator : "";
    return `…${separator}${segments.slice(-KEPT_SEGMENTS).join(separator)}${trailing}`;
  });
}
