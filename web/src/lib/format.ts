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

export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return "–";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return String(v);
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : String(Number(v.toPrecision(5)));
  }
  if (typeof v === "string") return v;
  return JSON.stringify(v);
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
