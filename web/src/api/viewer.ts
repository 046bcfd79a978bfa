// The viewer itself: its configuration and the GPUs of its machine (docs/api.md#meta and #gpu).
import { getJson } from "./http";

export interface GpuInfo {
  index: number;
  name: string;
  util_percent: number | null;
  mem_used_bytes: number | null;
  mem_total_bytes: number | null;
  temp_c: number | null;
  power_w: number | null;
}

/** GET /api/config: the parts the UI uses. `agent_url`: where the Jobs buttons go (null: none). */
export interface ViewerConfig {
  version: string;
  read_only: boolean;
  agent_url: string | null;
}

export const viewerApi = {
  gpu: () => getJson<{ available: boolean; reason?: string; gpus: GpuInfo[] }>("/api/gpu"),
  config: () => getJson<ViewerConfig>("/api/config"),
};
