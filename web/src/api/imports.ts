// Importing run archives into the storage root (docs/archives.md).
import { HintedError } from "./http";

export interface ImportResult {
  archive: string;
  outcome: "imported" | "skipped" | "renamed";
  run_id: string;
  new_id: string;
  project: string;
  name: string;
  files: number;
  bytes: number;
}

export interface ImportAnswer {
  archive: string;
  results: ImportResult[];
}

/** Uploads one archive to POST /api/import; reports upload progress as a fraction 0..1. */
export function uploadArchive(file: File, onProgress: (fraction: number) => void): Promise<ImportAnswer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/import");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (ev) => {
      if (ev.lengthComputable && ev.total > 0) onProgress(ev.loaded / ev.total);
    };
    xhr.onload = () => {
      let data: any = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300 && data) {
        onProgress(1);
        resolve(data as ImportAnswer);
        return;
      }
      const message = data && typeof data.error === "string" ? data.error : `${xhr.status} ${xhr.statusText}`;
      reject(new HintedError(message, xhr.status, data && typeof data.hint === "string" ? data.hint : null));
    };
    xhr.onerror = () => reject(new HintedError("the upload failed: the viewer could not be reached", 0, null));
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}
