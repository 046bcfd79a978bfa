// Artifacts: their versions, files and the runs that logged or used them (docs/api.md#artifacts).
import { enc, getJson } from "./http";

export interface ArtifactRunRef {
  key: string;
  id: string;
  project: string;
  name: string;
  status: string;
}

export interface ArtifactVersionRow {
  version: string;
  digest: string;
  aliases: string[];
  created_at: number | null;
  file_count: number;
  size_bytes: number;
  logged_by: ArtifactRunRef[];
  used_by: ArtifactRunRef[];
}

export interface ArtifactSummary {
  name: string;
  type: string;
  versions: ArtifactVersionRow[];
}

export interface ArtifactDetail extends ArtifactVersionRow {
  name: string;
  type: string;
  description: string | null;
  metadata: Record<string, unknown>;
  created_by: string | null;
  files: { path: string; size: number | null; sha256: string | null; ref: string | null }[];
}

export interface ArtifactLink {
  name: string;
  version: string;
  digest: string;
  type: string;
  aliases: string[];
  at: number;
}

export const artifactsApi = {
  list: () => getJson<{ artifacts: ArtifactSummary[] }>("/api/artifacts"),
  version: (name: string, version: string) => getJson<ArtifactDetail>(`/api/artifacts/${enc(name)}/${enc(version)}`),
  ofRun: (key: string) => getJson<{ logged: ArtifactLink[]; used: ArtifactLink[] }>(`/api/runs/${enc(key)}/artifacts`),
};
