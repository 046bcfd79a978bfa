// Artifacts: every name in the store with its versions, and one version's files, metadata and runs.
import type { ComponentChildren } from "preact";
import { artifactsApi, type ArtifactRunRef } from "../api";
import { Link, useApp } from "../app";
import { ListCard, PageHead, Waiting } from "../components/ListCard";
import { useApi } from "../components/useApi";
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

function KvRow({ label, class: cls, children }: { label: string; class?: string; children: ComponentChildren }) {
  return (
    <tr>
      <th>{label}</th>
      <td class={cls}>{children}</td>
    </tr>
  );
}

export function ArtifactsPage() {
  const { t } = useApp();
  const { data: list, error } = useApi(() => artifactsApi.list().then((a) => a.artifacts), []);
  return (
    <section>
      <PageHead title={t("artifacts.title")} />
      <ListCard
        items={list}
        error={error}
        empty={t("artifacts.empty")}
        emptyTestid="artifacts-empty"
        testid="artifacts-table"
        headers={["artifacts.name", "artifacts.type", "artifacts.version", "artifacts.aliases", "artifacts.size", "artifacts.loggedBy", "artifacts.usedBy"]}
        rows={(artifacts) =>
          artifacts.flatMap((a) =>
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
          )
        }
      />
    </section>
  );
}

export function ArtifactVersionPage({ name, version }: { name: string; version: string }) {
  const { t } = useApp();
  const { data: detail, error } = useApi(() => artifactsApi.version(name, version), [name, version], { reset: true });
  if (error || !detail) return <Waiting error={error} testid="error" />;
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
            <KvRow label={t("artifacts.digest")} class="mono small">
              {detail.digest}
            </KvRow>
            <KvRow label={t("artifacts.created")}>{formatTime(detail.created_at)}</KvRow>
            <KvRow label={t("artifacts.loggedBy")}>
              <RunLinks runs={detail.logged_by} testid="artifact-logged-by" />
            </KvRow>
            <KvRow label={t("artifacts.usedBy")}>
              <RunLinks runs={detail.used_by} testid="artifact-used-by" />
            </KvRow>
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
