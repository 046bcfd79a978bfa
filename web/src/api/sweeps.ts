// Sweeps: their trials and best metric (docs/api.md#sweeps).
import { enc, getJson } from "./http";

export interface SweepSummary {
  id: string;
  name: string | null;
  project: string;
  method: string;
  metric: { name: string; goal: "minimize" | "maximize" } | null;
  created_at: number | null;
  trial_count: number;
  trials_by_status: Record<string, number>;
  best_metric: number | null;
  best_trial: number | null;
}

export interface SweepTrial {
  index: number;
  params: Record<string, number | string | boolean | null>;
  status: string;
  metric: number | null;
  run_id: string | null;
  run_key: string | null;
  started_at: number | null;
  ended_at: number | null;
}

export interface SweepDetail extends SweepSummary {
  config: Record<string, unknown>;
  parameters: { name: string; distribution: string; values: unknown[] | null }[];
  trials: SweepTrial[];
}

export const sweepsApi = {
  sweeps: () => getJson<{ sweeps: SweepSummary[] }>("/api/sweeps"),
  sweep: (id: string) => getJson<SweepDetail>(`/api/sweeps/${enc(id)}`),
};
