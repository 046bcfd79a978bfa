// Remote: SSH sessions to a host, its folders, and the mirrors that copy runs from it (docs/remote.md).
import { getJson, sendJson } from "./http";

export interface SshConnectBody {
  host: string;
  port: number;
  user: string;
  password?: string;
  key_path?: string;
  key_text?: string;
  passphrase?: string;
  agent?: boolean;
  trust?: boolean;
  fingerprint?: string;
}

export interface SshConnectAnswer {
  session: string | null;
  host_key: "known" | "unknown" | string;
  fingerprint?: string;
  message?: string;
}

export interface RemoteEntry {
  name: string;
  dir: boolean;
  size: number;
  mtime: number;
}

export interface RemoteListing {
  path: string;
  is_run: boolean;
  entries: RemoteEntry[];
}

export interface MirrorInfo {
  id: string;
  user: string;
  host: string;
  port: number;
  remote_path: string;
  interval_s: number;
  auth: string;
  alive: boolean;
  kind: string;
  runs: number;
  active_runs: number;
  files: number;
  bytes: number;
  wire_bytes: number;
  last_sync: number | null;
  last_error: string | null;
  stopped: boolean;
  /** "remote path: why" for the first remote entries the mirror refused (unsafe names, links). */
  refused: string[];
  refused_count: number;
  waiting_for_credentials: boolean;
}

export const sshApi = {
  connect: (body: SshConnectBody) => sendJson<SshConnectAnswer>("POST", "/api/ssh/connect", body),
  listdir: (session: string, path?: string) =>
    getJson<RemoteListing>("/api/ssh/listdir", { session, path }),
  startMirror: (session: string, path: string) =>
    sendJson<{ id: string }>("POST", "/api/ssh/mirror/start", { session, path }),
  mirrors: () => getJson<{ mirrors: MirrorInfo[] }>("/api/ssh/mirror/list"),
  stopMirror: (id: string) => sendJson<{ stopped: string }>("POST", "/api/ssh/mirror/stop", { id }),
};
