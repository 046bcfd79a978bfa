// Numbers, times and sizes as the UI shows them.

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "–";
  const s = Math.round(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${sec}s`;
  return `${sec}s`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

export function formatTime(unix: number | null | undefined): string {
  if (!unix) return "–";
  const d = new Date(unix * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** ISO 8601 (local time, no zone): `2026-11-23T10:15:00`, the form of a time axis and of a hover. */
export function formatIsoTime(unix: number | null | undefined): string {
  return formatTime(unix).replace(" ", "T");
}

/**
 * The labels of a time axis's ticks (Unix seconds): the time of day, the date above it on the
 * first tick and wherever the day changes, seconds only where the ticks are under a minute apart.
 */
export function isoTimeTicks(ticks: readonly number[]): string[] {
  const seconds = ticks.length > 1 && Math.abs(ticks[1] - ticks[0]) < 60;
  let lastDay = "";
  return ticks.map((t) => {
    const [day, time] = formatTime(t).split(" ");
    if (!time) return "–";
    const clock = seconds ? time : time.slice(0, 5);
    const label = day !== lastDay ? `${day}\n${clock}` : clock;
    lastDay = day;
    return label;
  });
}

const GROUPED = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/**
 * A number as every page shows it: five significant digits (trailing zeros dropped), an exponent
 * below 0.001 and from a million on (`1.234e-5`, `2.5e+7`); whole numbers exact, with thousands
 * separators from 10,000 (`12,345`), an exponent only from 10^15.
 */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e15) return a >= 1e4 ? GROUPED.format(v) : String(v);
  const rounded = Number(v.toPrecision(5));
  if (a !== 0 && (a < 1e-3 || Math.abs(rounded) >= 1e6)) {
    const [mantissa, exp] = v.toExponential(3).split("e");
    return `${String(Number(mantissa))}e${exp}`;
  }
  return String(rounded);
}

export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return "–";
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

/** Whether a key names a size in bytes (`bytes`, `model_bytes`, `disk.read_bytes`, `size_bytes`). */
export function isBytesKey(key: string): boolean {
  return /(^|[^a-z])bytes$/i.test(key) || /(^|[._/-])bytes([._/-]|$)/i.test(key);
}

/** A value under its key: a size in bytes human-readable (`1.5 GiB`), any other as formatValue. */
export function formatKeyValue(key: string, v: unknown): string {
  return typeof v === "number" && isBytesKey(key) ? formatBytes(v) : formatValue(v);
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u ? v.toFixed(1) : v} ${units[u]}`;
}

/** The characters of a run id that tell runs apart (as the viewer's labels end: `mlp #ab12cd`). */
const ID_TAIL_CHARS = 6;

/**
 * How a run is named beside another (a chart legend, the overlay picker): its label as the viewer
 * gives it (its name and the config keys that differ among the runs listed with it: `mlp lr=0.01
 * bs=32`), else its name and the end of its id; with its project in front when that is another.
 */
export function runLabel(
  run: { id: string; project: string; name: string; label?: string },
  beside: { project: string; name: string } | null,
): string {
  const own = run.label ?? `${run.name} #${run.id.slice(-ID_TAIL_CHARS)}`;
  return beside && run.project === beside.project ? own : `${run.project}/${own}`;
}

/** How one table column writes its numbers: formatValue, except that a column where formatValue
 *  would write some numbers with an exponent and others without (learning rates around 1e-3)
 *  writes every one with an exponent (`1e-3`, `1.47e-3`, `7.59e-4`), so that the column reads
 *  one way instead of `0.001` beside `7.59e-4`. */
export function columnFormatter(values: readonly unknown[]): (v: unknown) => string {
  const written = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v) && v !== 0).map(formatNumber);
  const exponents = written.filter((w) => w.includes("e")).length;
  if (exponents === 0 || exponents === written.length) return formatValue;
  return (v) => {
    if (typeof v !== "number" || !Number.isFinite(v) || v === 0) return formatValue(v);
    const [mantissa, exp] = v.toExponential(2).split("e");
    return `${String(Number(mantissa))}e${Number(exp)}`;
  };
}
