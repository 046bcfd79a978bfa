// The same media key of several runs side by side at one step (Aim's image explorer): a key picker
// (the keys at least two of the runs logged), one step slider over every run's steps of that key,
// and per run what it logged at that step, images clickable to full size.
import { useMemo } from "preact/hooks";
import { api, type MediaAnswer, type MediaFile, type RunDetail } from "../api";
import { useApp } from "../app";
import { atStep, mediaSteps, sharedKeys } from "../lib/mediaSteps";
import { MediaPlayer } from "./MediaPlayers";
import { MediaStepper, ZoomableImage } from "./MediaStepper";
import { useApi } from "./useApi";

type Kind = "image" | "audio" | "video";
type Item = MediaFile & { kind: Kind };

function itemsOf(media: MediaAnswer | null): Item[] {
  if (!media) return [];
  return [
    ...media.images.map((m) => ({ ...m, kind: "image" as const })),
    ...(media.audio ?? []).map((m) => ({ ...m, kind: "audio" as const })),
    ...(media.video ?? []).map((m) => ({ ...m, kind: "video" as const })),
  ];
}

export function CompareMedia(props: { runs: RunDetail[]; label: (r: RunDetail) => string; mediaKey?: string; onKey: (key: string) => void }) {
  const { t } = useApp();
  const withMedia = props.runs.filter((r) => r.media_count > 0);
  const loaded = useApi(
    withMedia.length ? () => Promise.all(props.runs.map((r) => (r.media_count > 0 ? api.media(r.key).catch(() => null) : null))) : null,
    [props.runs.map((r) => r.key).join(",")],
  );
  const perRun = useMemo(() => (loaded.data ?? []).map(itemsOf), [loaded.data]);
  const keys = useMemo(() => sharedKeys(perRun), [perRun]);
  if (keys.length === 0) return null;
  const key = props.mediaKey && keys.includes(props.mediaKey) ? props.mediaKey : keys[0];
  const ofKey = perRun.map((items) => items.filter((i) => i.key === key));
  return (
    <div class="compare-media" data-testid="compare-media">
      <div class="compare-head">
        <h3 class="group-title">{t("compare.media")}</h3>
        <label class="check">
          {t("compare.mediaKey")}{" "}
          <select data-testid="compare-media-key" value={key} onChange={(e) => props.onKey((e.target as HTMLSelectElement).value)}>
            {keys.map((k) => (
              <option value={k}>{k}</option>
            ))}
          </select>
        </label>
      </div>
      <MediaStepper key={key} name={key} testid="compare-media-key-card" steps={mediaSteps(ofKey.flat())}>
        {(step) => (
          <div class="media-row">
            {props.runs.map((r, i) => {
              const items = atStep(ofKey[i] ?? [], step);
              return (
                <div class="compare-media-run" data-testid="compare-media-run" data-run={r.key} data-count={items.length}>
                  <div class="small mono">{props.label(r)}</div>
                  {items.length === 0 && <p class="muted small">{t("compare.noMediaAtStep")}</p>}
                  {items.map((item) =>
                    item.kind === "image" ? (
                      <ZoomableImage src={api.mediaUrl(r.key, item.path)} alt={item.caption ?? `${key} · ${props.label(r)}`} caption={item.caption} />
                    ) : (
                      <MediaPlayer runKey={r.key} kind={item.kind} file={item} />
                    ),
                  )}
                </div>
              );
            })}
          </div>
        )}
      </MediaStepper>
    </div>
  );
}
