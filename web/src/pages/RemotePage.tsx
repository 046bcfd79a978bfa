// Remote: connect to an SSH server, browse its folders and mirror runs from it (docs/remote.md).
import { useEffect, useState } from "preact/hooks";
import { HintedError, sshApi, type RemoteListing, type SshConnectBody } from "../api";
import { useApp } from "../app";
import { DataTable, PageHead, type Header } from "../components/ListCard";
import { useApi } from "../components/useApi";
import { formatBytes, formatTime } from "../lib/format";
import { crumbs, joinPath, looksLikeRunFolder } from "../lib/remotePath";

const POLL_MS = 2000;

const MIRROR_HEADERS: Header[] = [
  "remote.source",
  "remote.alive",
  { key: "remote.runs", class: "num" },
  { key: "remote.files", class: "num" },
  { key: "remote.bytes", class: "num" },
  "remote.lastSync",
  "remote.lastError",
  "",
];

type Auth = "agent" | "key_path" | "key_text" | "password";

interface Failure {
  message: string;
  hint: string | null;
}

function failure(e: unknown): Failure {
  const err = e as HintedError;
  return { message: String(err?.message ?? e), hint: err?.hint ?? null };
}

function ErrorBox({ error, testid }: { error: Failure | null; testid: string }) {
  const { t } = useApp();
  if (!error) return null;
  return (
    <div class="error" data-testid={testid}>
      {error.message}
      {error.hint && (
        <div class="small">
          {t("remote.hint")}: {error.hint}
        </div>
      )}
    </div>
  );
}

export function RemotePage() {
  const { t } = useApp();
  const [form, setForm] = useState({ host: "", port: "22", user: "", key_path: "", key_text: "", passphrase: "", password: "" });
  const [auth, setAuth] = useState<Auth>("agent");
  const [busy, setBusy] = useState(false);
  const [unknownHost, setUnknownHost] = useState<string | null>(null);
  const [connectError, setConnectError] = useState<Failure | null>(null);
  const [session, setSession] = useState<string | null>(null);
  const [connectedTo, setConnectedTo] = useState("");
  const [listing, setListing] = useState<RemoteListing | null>(null);
  const [goPath, setGoPath] = useState("");
  const [browseError, setBrowseError] = useState<Failure | null>(null);
  const listed = useApi(() => sshApi.mirrors(), [], { everyMs: POLL_MS });
  const mirrors = listed.data?.mirrors ?? [];
  // a stop that failed shows until the list next loads
  const [stopError, setStopError] = useState<Failure | null>(null);
  useEffect(() => setStopError(null), [listed.data]);
  const mirrorError = stopError ?? (listed.error === null ? null : failure(listed.cause));

  const field = (name: keyof typeof form) => ({
    value: form[name],
    onInput: (e: Event) => setForm({ ...form, [name]: (e.currentTarget as HTMLInputElement).value }),
  });

  const browse = async (sid: string, path?: string) => {
    try {
      setListing(await sshApi.listdir(sid, path));
      setBrowseError(null);
    } catch (e) {
      setBrowseError(failure(e));
    }
  };

  const connect = async (trustFingerprint?: string) => {
    const body: SshConnectBody = { host: form.host.trim(), port: Number(form.port) || 22, user: form.user.trim() };
    if (auth === "key_path") body.key_path = form.key_path.trim();
    if (auth === "key_text") body.key_text = form.key_text;
    if ((auth === "key_path" || auth === "key_text") && form.passphrase) body.passphrase = form.passphrase;
    if (auth === "password") body.password = form.password;
    if (trustFingerprint) Object.assign(body, { trust: true, fingerprint: trustFingerprint });
    setBusy(true);
    setConnectError(null);
    try {
      const answer = await sshApi.connect(body);
      if (answer.session) {
        setUnknownHost(null);
        setSession(answer.session);
        setConnectedTo(`${body.user}@${body.host}:${body.port}`);
        // the viewer keeps the secrets for its mirrors; the page need not
        setForm((f) => ({ ...f, key_text: "", passphrase: "", password: "" }));
        await browse(answer.session);
      } else {
        setUnknownHost(answer.fingerprint ?? "");
      }
    } catch (e) {
      setUnknownHost(null);
      setSession(null);
      setListing(null);
      setConnectError(failure(e));
    } finally {
      setBusy(false);
    }
  };

  const startMirror = async () => {
    if (!session || !listing) return;
    try {
      await sshApi.startMirror(session, listing.path);
      setBrowseError(null);
      listed.reload();
    } catch (e) {
      setBrowseError(failure(e));
    }
  };

  const stopMirror = async (id: string) => {
    try {
      await sshApi.stopMirror(id);
      listed.reload();
    } catch (e) {
      setStopError(failure(e));
    }
  };

  return (
    <section>
      <PageHead title={t("remote.title")}>
        {session && (
          <span class="badge badge-finished" data-testid="remote-connected">
            {t("remote.connected")} · {connectedTo}
          </span>
        )}
      </PageHead>
      <form
        class="card remote-form"
        data-testid="remote-form"
        onSubmit={(e) => {
          e.preventDefault();
          void connect();
        }}
      >
        <label>
          {t("remote.host")} <input data-testid="remote-host" required {...field("host")} />
        </label>
        <label>
          {t("remote.port")} <input data-testid="remote-port" inputMode="numeric" size={6} {...field("port")} />
        </label>
        <label>
          {t("remote.user")} <input data-testid="remote-user" required {...field("user")} />
        </label>
        <label>
          {t("remote.auth")}{" "}
          <select data-testid="remote-auth" value={auth} onChange={(e) => setAuth(e.currentTarget.value as Auth)}>
            <option value="agent">{t("remote.authAgent")}</option>
            <option value="key_path">{t("remote.authKeyPath")}</option>
            <option value="key_text">{t("remote.authKeyText")}</option>
            <option value="password">{t("remote.authPassword")}</option>
          </select>
        </label>
        {auth === "key_path" && (
          <label class="wide">
            {t("remote.keyPath")} <input data-testid="remote-key-path" placeholder="~/.ssh/id_ed25519" {...field("key_path")} />
          </label>
        )}
        {auth === "key_text" && (
          <label class="wide">
            {t("remote.keyText")}
            <textarea data-testid="remote-key-text" rows={4} spellcheck={false} {...field("key_text")} />
          </label>
        )}
        {(auth === "key_path" || auth === "key_text") && (
          <label>
            {t("remote.passphrase")} <input type="password" data-testid="remote-passphrase" {...field("passphrase")} />
          </label>
        )}
        {auth === "password" && (
          <label>
            {t("remote.password")} <input type="password" data-testid="remote-password" {...field("password")} />
          </label>
        )}
        <button class="primary" type="submit" data-testid="remote-connect" disabled={busy}>
          {busy ? t("remote.connecting") : t("remote.connect")}
        </button>
      </form>
      {unknownHost !== null && (
        <div class="warn" data-testid="remote-unknown-host">
          <div>{t("remote.unknownHost")}</div>
          <div class="mono strong" data-testid="remote-fingerprint">
            {unknownHost}
          </div>
          <div class="remote-actions">
            <button class="primary" data-testid="remote-trust" disabled={busy} onClick={() => void connect(unknownHost)}>
              {t("remote.trust")}
            </button>
            <button data-testid="remote-trust-cancel" onClick={() => setUnknownHost(null)}>
              {t("remote.cancel")}
            </button>
          </div>
        </div>
      )}
      <ErrorBox error={connectError} testid="remote-connect-error" />
      {session && listing && (
        <div class="card remote-browser" data-testid="remote-browser">
          <div class="remote-browser-head">
            <span class="crumbs" data-testid="remote-breadcrumbs">
              {crumbs(listing.path).map((c, i) => (
                <>
                  {i > 1 && <span class="muted"> / </span>}
                  <a
                    href="#"
                    data-testid="remote-crumb"
                    onClick={(e) => {
                      e.preventDefault();
                      void browse(session, c.path);
                    }}
                  >
                    {c.label}
                  </a>
                </>
              ))}
            </span>
            {listing.is_run && <span class="badge badge-running">{t("remote.runFolder")}</span>}
            <span class="spacer" />
            <form
              class="remote-go"
              onSubmit={(e) => {
                e.preventDefault();
                if (goPath.trim()) void browse(session, goPath.trim());
              }}
            >
              <input
                data-testid="remote-path-input"
                placeholder={t("remote.goPlaceholder")}
                value={goPath}
                onInput={(e) => setGoPath(e.currentTarget.value)}
              />
              <button type="submit" data-testid="remote-path-go">
                {t("remote.go")}
              </button>
            </form>
            <button class="primary" data-testid="remote-mirror" onClick={() => void startMirror()}>
              {t("remote.mirror")}
            </button>
          </div>
          <ErrorBox error={browseError} testid="remote-browse-error" />
          {listing.entries.length === 0 && <p class="muted">{t("remote.emptyDir")}</p>}
          <ul class="remote-entries" data-testid="remote-entries">
            {listing.entries
              .filter((e) => e.dir)
              .map((e) => (
                <li>
                  <a
                    href="#"
                    data-testid="remote-entry"
                    data-name={e.name}
                    onClick={(ev) => {
                      ev.preventDefault();
                      void browse(session, joinPath(listing.path, e.name));
                    }}
                  >
                    {e.name}/
                  </a>
                  {looksLikeRunFolder(e.name) && (
                    <span class="badge badge-running" data-testid="remote-run-mark">
                      {t("remote.runFolder")}
                    </span>
                  )}
                </li>
              ))}
            {listing.entries
              .filter((e) => !e.dir)
              .map((e) => (
                <li class="muted" data-testid="remote-file">
                  {e.name} <span class="small">{formatBytes(e.size)}</span>
                </li>
              ))}
          </ul>
        </div>
      )}
      {session && !listing && <ErrorBox error={browseError} testid="remote-browse-error" />}
      <h3 class="remote-mirrors-title">{t("remote.mirrors")}</h3>
      <ErrorBox error={mirrorError} testid="remote-mirrors-error" />
      {mirrors.length === 0 ? (
        <p class="muted" data-testid="remote-no-mirrors">
          {t("remote.noMirrors")}
        </p>
      ) : (
        <div class="card table-wrap">
          <DataTable
            testid="remote-mirrors"
            headers={MIRROR_HEADERS}
          >
              {mirrors.map((m) => (
                <tr data-testid="remote-mirror-row" data-id={m.id}>
                  <td class="mono remote-source">
                    {m.user}@{m.host}:{m.port}
                    {m.remote_path}
                  </td>
                  <td data-testid="remote-mirror-alive">{m.alive ? t("remote.yes") : t("remote.no")}</td>
                  <td class="num" data-testid="remote-mirror-runs">
                    {m.runs}
                  </td>
                  <td class="num">{m.files}</td>
                  <td class="num">{formatBytes(m.bytes)}</td>
                  <td>{m.last_sync ? formatTime(m.last_sync) : "–"}</td>
                  <td class="remote-error-cell">
                    {m.waiting_for_credentials && <div class="small">{t("remote.waiting")}</div>}
                    {m.last_error && <span class="small">{m.last_error}</span>}
                    {m.refused_count > 0 && (
                      <details class="small" data-testid="remote-mirror-refused">
                        <summary>
                          {t("remote.refused")}: {m.refused_count}
                        </summary>
                        <ul>
                          {m.refused.map((line) => (
                            <li class="mono">{line}</li>
                          ))}
                        </ul>
                      </details>
                    )}
                  </td>
                  <td>
                    <button class="mini" data-testid="remote-mirror-stop" onClick={() => void stopMirror(m.id)}>
                      {t("remote.stop")}
                    </button>
                  </td>
                </tr>
              ))}
          </DataTable>
        </div>
      )}
    </section>
  );
}
