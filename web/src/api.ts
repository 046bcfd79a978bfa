// The viewer's API, the only layer that knows its URLs (see docs/api.md): one module per resource
// under api/ (runs, metrics, media, logs, sweeps, artifacts, jobs, the viewer, remote, imports)
// over one fetch layer (api/http.ts), gathered here so that pages import from "../api" alone.
import { logsApi } from "./api/logs";
import { mediaApi } from "./api/media";
import { metricsApi } from "./api/metrics";
import { runsApi } from "./api/runs";
import { sweepsApi } from "./api/sweeps";
import { jobsApi } from "./api/jobs";
import { viewerApi } from "./api/viewer";

export { ApiError, HintedError } from "./api/http";
export * from "./api/artifacts";
export * from "./api/imports";
export * from "./api/jobs";
export * from "./api/logs";
export * from "./api/media";
export * from "./api/metrics";
export * from "./api/remote";
export * from "./api/runs";
export * from "./api/sweeps";
export * from "./api/viewer";

/** The calls the pages make about runs, their series, media, logs, sweeps and jobs. */
export const api = { ...runsApi, ...metricsApi, ...mediaApi, ...logsApi, ...sweepsApi, ...viewerApi, ...jobsApi };
