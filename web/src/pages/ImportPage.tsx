// Import: upload .zip / .tar.gz archives to POST /api/import and show what happened to each run.
import { useRef, useState } from "preact/hooks";
import { HintedError, uploadArchive, type ImportResult } from "../api";
import { Link, useApp } from "../app";
import { DataTable, PageHead } from "../components/ListCard";
import { formatBytes } from "../lib/format";
import { runHref } from "../lib/route";

interface Upload {
  file: string;
  size: number;
  progress: number;
  state: "uploading" | "importing" | "done" | "failed";
  results: ImportResult[];
  error: string | null;
  hint: string | null;
}

const ARCHIVE_RE = /\.(zip|tar\.gz|tgz)$/i;

export function ImportPage() {
  const { t } = useApp();
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const added = useRef(0); // uploads listed so far: the index the next one gets

  const update = (index: number, patch: Partial<Upload>) =>
    setUploads((list) => list.map((u, i) => (i === index ? { ...u, ...patch } : u)));

  const start = async (files: File[]) => {
    const base = added.current;
    added.current += files.length;
    setUploads((list) => [
      ...list,
      ...files.map((f): Upload => {
        const ok = ARCHIVE_RE.test(f.name);
        return {
          file: f.name,
          size: f.size,
          progress: 0,
          state: ok ? "uploading" : "failed",
          results: [],
          error: ok ? null : t("import.onlyArchives"),
          hint: null,
        };
      }),
    ]);
    // one upload at a time: the viewer imports each archive as it arrives
    for (const [offset, file] of files.entries()) {
      if (!ARCHIVE_RE.test(file.name)) continue;
      const index = base + offset;
      try {
        const answer = await uploadArchive(file, (fraction) =>
          update(index, { progress: fraction, state: fraction >= 1 ? "importing" : "uploading" }),
        );
        update(index, { state: "done", progress: 1, results: answer.results });
      } catch (e) {
        const err = e as HintedError;
        update(index, { state: "failed", error: String(err.message ?? e), hint: err.hint ?? null });
      }
    }
  };

  return (
    <section>
      <PageHead title={t("import.title")} />
      <div
        class={`card dropzone${dragging ? " dragging" : ""}`}
        data-testid="import-dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          const files = Array.from(e.dataTransfer?.files ?? []);
          if (files.length) void start(files);
        }}
      >
        <span>{t("import.drop")}</span>{" "}
        <button class="primary" data-testid="import-pick" onClick={() => input.current?.click()}>
          {t("import.pick")}
        </button>
        <input
          ref={input}
          type="file"
          multiple
          accept=".zip,.tar.gz,.tgz,application/zip,application/gzip"
          data-testid="import-file-input"
          style={{ display: "none" }}
          onChange={(e) => {
            const el = e.currentTarget;
            const files = Array.from(el.files ?? []);
            el.value = "";
            if (files.length) void start(files);
          }}
        />
      </div>
      {uploads.map((u) => (
        <div class="card upload" data-testid="import-upload" data-state={u.state}>
          <div class="upload-head">
            <strong class="mono">{u.file}</strong>
            <span class="muted small">{formatBytes(u.size)}</span>
            <span class="spacer" />
            <span class="small" data-testid="import-state">
              {u.state === "uploading" && `${t("import.uploading")} ${Math.round(u.progress * 100)}%`}
              {u.state === "importing" && t("import.importing")}
              {u.state === "done" && t("import.done")}
            </span>
          </div>
          {(u.state === "uploading" || u.state === "importing") && (
            <div class="meter-bar">
              <div class="meter-fill ok" data-testid="import-progress" style={{ width: `${u.progress * 100}%` }} />
            </div>
          )}
          {u.error && (
            <div class="error" data-testid="import-error">
              {u.error}
              {u.hint && (
                <div class="small" data-testid="import-error-hint">
                  {t("remote.hint")}: {u.hint}
                </div>
              )}
            </div>
          )}
          {u.state === "done" && u.results.length === 0 && <p class="muted">{t("import.empty")}</p>}
          {u.results.length > 0 && (
            <div class="table-wrap">
              <DataTable
                testid="import-results"
                headers={["import.outcome", "runs.id", "import.newId", "runs.project", "runs.name", { key: "import.files", class: "num" }]}
              >
                  {u.results.map((r) => (
                    <tr data-testid="import-result-row" data-outcome={r.outcome}>
                      <td>
                        <span class={`badge outcome-${r.outcome}`}>{t(`import.outcome.${r.outcome}` as any)}</span>
                      </td>
                      <td class="mono">{r.run_id}</td>
                      <td class="mono">
                        <Link href={runHref(r.new_id)} testid="import-run-link">
                          {r.new_id}
                        </Link>
                      </td>
                      <td>{r.project}</td>
                      <td>{r.name}</td>
                      <td class="num">{r.files}</td>
                    </tr>
                  ))}
              </DataTable>
            </div>
          )}
        </div>
      ))}
    </section>
  );
}
