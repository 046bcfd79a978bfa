// Compare: several runs, their shared metric keys, one chart per key; click a legend entry to hide a run.
import { useEffect, useState } from "preact/hooks";
import { api, type RunDetail } from "../api";
import { Link, useApp } from "../app";
import { ChartControls } from "../components/ChartControls";
import { MetricCharts, type RunSeries } from "../components/MetricCharts";
import { runHref } from "../lib/route";

export function ComparePage({ ids }: { ids: string[] }) {
  const { t } = useApp();
  const [x, setX] = useState<"step" | "time">("step");
  const [smoothing, setSmoothing] = useState(0);
  const [details, setDetails] = useState<RunDetail[]>([]);
  const [missing, setMissing] = useState<string[]>([]);
  const [keys, setKeys] = useState<string[]>([]);
  const [runs, setRuns] = useState<RunSeries[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (ids.length === 0) return;
    let alive = true;
    (async () => {
      const found = await Promise.all(ids.map((id) => api.run(id).catch(() => null)));
      const ok = found.filter((r): r is RunDetail => r !== null);
      const shared = ok.length
        ? ok.map((r) => r.metric_keys).reduce((a, b) => a.filter((k) => b.includes(k)))
        : [];
      if (!alive) return;
      setDetails(ok);
      setMissing(ids.filter((_, i) => found[i] === null));
      setKeys(shared);
      if (shared.length === 0 || ok.length === 0) return setRuns([]);
      const ans = await api.compare(ok.map((r) => r.key), shared, x);
      if (!alive) return;
      setRuns(
        ok.map((r) => {
          const series: RunSeries["series"] = {};
          for (const [k, list] of Object.entries(ans.metrics)) {
            const s = list.find((e) => e.run === r.key);
            if (s) series[k] = { x: s.x, y: s.y };
          }
          return { label: `${r.name} · ${r.id}`, series };
        }),
      );
    })().catch((e) => alive && setError(String(e.message ?? e)));
    return () => {
      alive = false;
    };
  }, [ids.join(","), x]);

  return (
    <section>
      <div class="page-head">
        <h1 data-testid="page-title">{t("compare.title")}</h1>
      </div>
      {ids.length === 0 && <p class="empty" data-testid="compare-none">{t("compare.none")}</p>}
      {error && <div class="error">{error}</div>}
      {missing.length > 0 && (
        <div class="warn">
          {t("compare.missing")}: {missing.join(", ")}
        </div>
      )}
      {details.length > 0 && (
        <div class="compare-runs">
          {details.map((r) => (
            <Link href={runHref(r.key)} class="tag">
              {r.project}/{r.name} · {r.id}
            </Link>
          ))}
        </div>
      )}
      {ids.length > 0 && (
        <div class="toolbar card">
          <ChartControls x={x} setX={setX} smoothing={smoothing} setSmoothing={setSmoothing} />
        </div>
      )}
      {details.length > 0 && keys.length === 0 && <p class="empty">{t("compare.noShared")}</p>}
      {runs.length > 0 && (
        <MetricCharts keys={keys} runs={runs} xLabel={x} smoothing={smoothing} logScale={false} testidPrefix="compare-chart" />
      )}
    </section>
  );
}
