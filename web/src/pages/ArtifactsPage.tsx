// Artifacts: every name in the store with its versions, and one version's files, metadata and runs.
import { useEffect, useState } from "preact/hooks";
import { artifactsApi, type ArtifactDetail, type ArtifactRunRef, type ArtifactSummary } from "../api";
import { Link, useApp } from "../app";
import { formatBytes, formatTime, formatValue } from "../lib/format";
import { artifactHref, runHref } from "../lib/route";

function RunLinks({ runs, testid }: { runs: ArtifactRunRef[]; testid: string }) {
  if (!runs.length) return <span class="muted">–</span>;
  return (
    <span data-testid={testid}>
      {runs.map((r, i) => (
        <>
          {i > 0 && ", "}
          <Link href={runHref(r.key)} testid="artifact-run-link">
            {r.project}/{r.name} <span class="mono muted small">{r.id}</span>
          </Link>
        </>
      ))}
    </span>
  );
}

function Aliases({ aliases }: { aliases: string[] }) {
  return (
    <span data-testid="artifact-aliases">
      {aliases.map((a) => (
        <span class="tag">{a}</span>
      ))}
    </span>
  );
}

export function ArtifactsPage() {
  const { t } = useApp();
  const [list, setList] = useState<ArtifactSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    artifactsApi.list().then(
      (a) => setList(a.artifacts),
      (e) => setError(String(e.message ?? e)),
    );
  }, []);
  return (
    <section>
      <div class="page-head">
        <h1 data-testid="page-title">{t("artifacts.title")}</h1>
      </div>
      {error && <div class="error">{error}</div>}
      {list && list.length === 0 && (
        <div class="card empty" data-testid="artifacts-empty">
          {t("artifacts.empty")}
        </div>
      )}
      {list && list.length > 0 && (
        <div class="card table-wrap">
          <table class="runs" data-testid="artifacts-table">
            <thead>
              <tr>
                <th>{t("artifacts.name")}</th>
                <th>{t("artifacts.type")}</th>
                <th>{t("artifacts.version")}</th>
                <th>{t("artifacts.aliases")}</th>
                <th>{t("artifacts.size")}</th>
                <th>{t("artifacts.loggedBy")}</th>
                <th>{t("artifacts.usedBy")}</th>
              </tr>
            </thead>
            <tbody>
              {list.flatMap((a) =>
                a.versions.map((v, i) => (
                  <tr data-testid="artifact-row" data-name={a.name} data-version={v.version}>
                    <td>{i === 0 ? <strong>{a.name}</strong> : ""}</td>
                    <td>{i === 0 ? a.type : ""}</td>
                    <td>
                      <Link href={artifactHref(a.name, v.version)} testid="artifact-version-link">
                        {v.version}
                      </Link>
                    </td>
                    <td>
                      <Aliases aliases={v.aliases} />
                    </td>
                    <td class="mono">{formatBytes(v.size_bytes)}</td>
                    <td>
                      <RunLinks runs={v.logged_by} testid="artifact-logged-by" />
                    </td>
                    <td>
                      <RunLinks runs={v.used_by} testid="artifact-used-by" />
                    </td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function ArtifactVersionPage({ name, version }: { name: string; version: string }) {
  const { t } = useApp();
  const [detail, setDetail] = useState<ArtifactDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setDetail(null);
    artifactsApi.version(name, version).then(setDetail, (e) => setError(String(e.message ?? e)));
  }, [name, version]);
  if (error) return <div class="error" data-testid="error">{error}</div>;
  if (!detail) return <p class="muted">{t("loading")}</p>;
  return (
    <section>
      <div class="page-head">
        <div>
          <div class="crumbs muted">
            <Link href="/artifacts">{t("nav.artifacts")}</Link> / {detail.type}
          </div>
          <h1 data-testid="artifact-title">
            {detail.name}:{detail.version} <Aliases aliases={detail.aliases} />
          </h1>
        </div>
      </div>
      {detail.description && <p data-testid="artifact-description">{detail.description}</p>}
      <div class="card">
        <table class="kv">
          <tbody>
            <tr>
              <th>{t("artifacts.digest")}</th>
              <td class="mono small">{detail.digest}</td>
            </tr>
            <tr>
              <th>{t("artifacts.created")}</th>
              <td>{formatTime(detail.created_at)}</td>
            </tr>
            <tr>
              <th>{t("artifacts.loggedBy")}</th>
              <td>
                <RunLinks runs={detail.logged_by} testid="artifact-logged-by" />
              </td>
            </tr>
            <tr>
              <th>{t("artifacts.usedBy")}</th>
              <td>
                <RunLinks runs={detail.used_by} testid="artifact-used-by" />
              </td>
            </tr>
            {Object.entries(detail.metadata).map(([k, v]) => (
              <tr data-testid="artifact-metadata-row">
                <th>{k}</th>
                <td class="mono">{formatValue(v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>
        {t("artifacts.files")} ({detail.file_count} · {formatBytes(detail.size_bytes)})
      </h3>
      <div class="card table-wrap">
        <table class="runs" data-testid="artifact-files">
          <tbody>
            {detail.files.map((f) => (
              <tr data-testid="artifact-file" data-path={f.path}>
                <td class="mono">{f.path}</td>
                <td class="mono">{f.size === null ? "–" : formatBytes(f.size)}</td>
                <td class="muted small">{f.ref ? `${t("artifacts.reference")}: ${f.ref}` : (f.sha256 ?? "").slice(0, 12)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
