// Images logged with log_image, grouped by key, with a step slider per key (a click shows one full
// size); then audio, video and HTML, each key with its own step slider.
import { useMemo } from "preact/hooks";
import { api } from "../api";
import { useApp } from "../app";
import { atStep, byKey, mediaSteps } from "../lib/mediaSteps";
import { Waiting } from "./ListCard";
import { MediaStepper, ZoomableImage } from "./MediaStepper";
import { useApi } from "./useApi";
import { MediaPlayers } from "./MediaPlayers";
import { ImageBoxes } from "./ImageBoxes";
import { boxTablesFor, maskImagesFor } from "../lib/imageBoxes";

const POLL_MS = 5000;

/** `live`: fetched again every 5 s while the run may still log media. */
export function MediaGallery({ runKey, live = false }: { runKey: string; live?: boolean }) {
  const { t } = useApp();
  const { data: media, error } = useApi(() => api.media(runKey), [runKey, live], { everyMs: live ? POLL_MS : undefined });
  const images = media?.images ?? null;
  const keys = useMemo(() => byKey(images ?? []), [images]);
  const hasBoxes = (images ?? []).length > 0;
  const { data: tables } = useApi(() => (hasBoxes ? api.tables(runKey).then((r) => r.tables) : Promise.resolve([])), [runKey, hasBoxes, media]);
  if (error || !media || !images) return <Waiting error={error} />;
  const others = (media.audio?.length ?? 0) + (media.video?.length ?? 0) + (media.html?.length ?? 0);
  if (images.length === 0 && others === 0) return <p class="empty">{t("run.noMedia")}</p>;
  return (
    <div class="media-grid">
      {keys.map(([name, list]) => (
        <MediaStepper name={name} testid={`media-${name}`} steps={mediaSteps(list)}>
          {(step) => (
            <div class="media-row">
              {atStep(list, step).map((img, i) => {
                const boxes = boxTablesFor(tables ?? [], name, step, i);
                const masks = maskImagesFor(images, name, step, i);
                const overlay = (w: number, h: number) => (
                  <>
                    {masks.map((m) => (
                      <img class="media-mask" data-testid="media-mask" src={api.mediaUrl(runKey, m.path)} alt="" />
                    ))}
                    {boxes.length > 0 && <ImageBoxes runKey={runKey} tables={boxes} width={w} height={h} />}
                  </>
                );
                return (
                  <ZoomableImage
                    src={api.mediaUrl(runKey, img.path)}
                    alt={img.caption ?? name}
                    caption={img.caption}
                    overlay={boxes.length || masks.length ? overlay : undefined}
                  />
                );
              })}
            </div>
          )}
        </MediaStepper>
      ))}
      <MediaPlayers runKey={runKey} media={media} />
    </div>
  );
}
