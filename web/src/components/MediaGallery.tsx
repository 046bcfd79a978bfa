// Images logged with log_image, grouped by key, with a step slider per key; then audio, video and HTML.
import { useMemo, useState } from "preact/hooks";
import { api, type MediaImage } from "../api";
import { useApp } from "../app";
import { Waiting } from "./ListCard";
import { useApi } from "./useApi";
import { MediaPlayers } from "./MediaPlayers";

function KeyGallery({ runKey, name, images }: { runKey: string; name: string; images: MediaImage[] }) {
  const { t } = useApp();
  const steps = useMemo(() => [...new Set(images.map((i) => i.step ?? 0))].sort((a, b) => a - b), [images]);
  const [pos, setPos] = useState(steps.length - 1);
  const step = steps[Math.min(pos, steps.length - 1)];
  const shown = images.filter((i) => (i.step ?? 0) === step);
  return (
    <div class="card media-key" data-testid={`media-${name}`}>
      <div class="chart-head">
        <span class="chart-title">{name}</span>
        <span class="muted small">
          {t("run.step")} {step}
        </span>
      </div>
      {steps.length > 1 && (
        <input
          type="range"
          min={0}
          max={steps.length - 1}
          value={pos}
          data-testid="media-step"
          onInput={(e) => setPos(Number((e.target as HTMLInputElement).value))}
        />
      )}
      <div class="media-row">
        {shown.map((img) => (
          <figure>
            <img src={api.mediaUrl(runKey, img.path)} alt={img.caption ?? name} loading="lazy" />
            {img.caption && <figcaption>{img.caption}</figcaption>}
          </figure>
        ))}
      </div>
    </div>
  );
}

export function MediaGallery({ runKey }: { runKey: string }) {
  const { t } = useApp();
  const { data: media, error } = useApi(() => api.media(runKey), [runKey]);
  const images = media?.images ?? null;
  const byKey = useMemo(() => {
    const m = new Map<string, MediaImage[]>();
    for (const img of images ?? []) m.set(img.key, [...(m.get(img.key) ?? []), img]);
    return [...m.entries()];
  }, [images]);
  if (error || !media || !images) return <Waiting error={error} />;
  const others = (media.audio?.length ?? 0) + (media.video?.length ?? 0) + (media.html?.length ?? 0);
  if (images.length === 0 && others === 0) return <p class="empty">{t("run.noMedia")}</p>;
  return (
    <div class="media-grid">
      {byKey.map(([name, list]) => (
        <KeyGallery runKey={runKey} name={name} images={list} />
      ))}
      <MediaPlayers runKey={runKey} media={media} />
    </div>
  );
}
