// "Parameter importance" for the chosen metric: each config key's importance (a random forest on
// the viewer, GET /api/research/importance) and its correlation with the metric, most important
// first; correlation only, with how to install the model's library, when the viewer lacks it.
// A key's name opens the scatter of that key against the metric.
import type { ImportanceAnswer, ParameterRow } from "../lib/importance";
import { shortName } from "../lib/columns";
import { useApp } from "../app";

const MAX_ROWS = 30;

function Bar(props: { value: number; signed?: boolean }) {
  const width = Math.min(1, Math.abs(props.value)) * 100;
  const color = props.signed ? (props.value < 0 ? "var(--importance-neg, #dc2626)" : "var(--importance-pos, #16a34a)") : "var(--accent, #6366f1)";
  return (
    <span class="importance-bar">
      <span style={{ width: `${width}%`, background: color }} />
    </span>
  );
}

export function ImportancePanel(props: { answer: ImportanceAnswer | null; error: string | null; onPick?: (p: ParameterRow) => void }) {
  const { t } = useApp();
  const a = props.answer;
  return (
    <div class="card" data-testid="importance-panel" data-model={a?.model ?? ""} data-metric={a?.metric ?? ""}>
      <h3 class="importance-title">
        {t("research.importance")}
        {a && (
          <span class="muted small">
            {" "}
            · {shortName(a.metric)} · {a.used} {t("research.runsUsed")}
          </span>
        )}
      </h3>
      {props.error && <p class="error small">{props.error}</p>}
      {!a && !props.error && <p class="muted small">{t("loading")}</p>}
      {a && a.install && (
        <p class="warn small" data-testid="importance-install">
          {t("research.importanceMissing")} <code>{a.install}</code>
        </p>
      )}
      {a && a.parameters.length === 0 && <p class="muted small">{t("research.noParameters")}</p>}
      {a && a.parameters.length > 0 && (
        <table class="runs importance" data-testid="importance-table">
          <thead>
            <tr>
              <th>{t("research.parameter")}</th>
              <th class="num">{t("research.importanceCol")}</th>
              <th class="num">{t("research.correlation")}</th>
            </tr>
          </thead>
          <tbody>
            {a.parameters.slice(0, MAX_ROWS).map((p) => (
              <tr
                data-testid="importance-row"
                data-key={p.name}
                data-importance={p.importance ?? ""}
                data-correlation={p.correlation ?? ""}
              >
                <td class="mono small" title={p.name}>
                  <a href="#" data-testid="importance-key" onClick={(e) => (e.preventDefault(), props.onPick?.(p))}>
                    {shortName(p.name)}
                  </a>
                  {p.log && <span class="muted"> (log)</span>}
                </td>
                <td class="num mono small" data-testid="importance-value">
                  {p.importance === null ? "–" : p.importance.toFixed(3)}
                  {p.importance !== null && <Bar value={p.importance} />}
                </td>
                <td class="num mono small" data-testid="correlation-value">
                  {p.correlation === null ? "–" : (p.correlation > 0 ? "+" : "") + p.correlation.toFixed(2)}
                  {p.correlation !== null && <Bar value={p.correlation} signed />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="muted small">{t("research.importanceHow")}</p>
    </div>
  );
}
