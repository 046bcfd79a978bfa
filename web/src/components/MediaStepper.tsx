// One media key over steps: its name, the shown step, a slider over the steps it was logged at
// (the last step first), and what it holds at that step; and the full-size view of an image.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { useApp } from "../app";

/** The key's card; `children(step)` draws what was logged at the step the slider shows. */
export function MediaStepper(props: { name: string; testid: string; steps: number[]; children: (step: number) => ComponentChildren }) {
  const { t } = useApp();
  const { steps } = props;
  const [pos, setPos] = useState(steps.length - 1);
  const step = steps[Math.min(pos, steps.length - 1)];
  return (
    <div class="card media-key" data-testid={props.testid} data-step={step}>
      <div class="chart-head">
        <span class="chart-title">{props.name}</span>
        <span class="muted small" data-testid="media-step-label">
          {t("run.step")} {step}
          {steps.length > 1 ? ` (${Math.min(pos, steps.length - 1) + 1}/${steps.length})` : ""}
        </span>
      </div>
      {steps.length > 1 && (
        <input
          type="range"
          min={0}
          max={steps.length - 1}
          value={Math.min(pos, steps.length - 1)}
          aria-label={t("run.step")}
          data-testid="media-step"
          onInput={(e) => setPos(Number((e.target as HTMLInputElement).value))}
        />
      )}
      {props.children(step)}
    </div>
  );
}

/** An image as a thumbnail; a click shows it full size over the page (a click or Escape closes it). */
export function ZoomableImage({
  src,
  alt,
  caption,
  overlay,
}: {
  src: string;
  alt: string;
  caption: string | null;
  /** Drawn over the thumbnail once the image's size (in its own pixels) is known. */
  overlay?: (width: number, height: number) => ComponentChildren;
}) {
  const { t } = useApp();
  const [open, setOpen] = useState(false);
  const [size, setSize] = useState<[number, number] | null>(null);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [open]);
  return (
    <figure>
      <span class="media-frame" data-testid="media-frame">
        <img
          src={src}
          alt={alt}
          loading="lazy"
          title={t("media.fullSize")}
          class="zoomable"
          data-testid="media-image"
          onClick={() => setOpen(true)}
          onLoad={(e) => {
            const img = e.currentTarget as HTMLImageElement;
            setSize([img.naturalWidth, img.naturalHeight]);
          }}
        />
        {overlay && size && overlay(size[0], size[1])}
      </span>
      {caption && <figcaption>{caption}</figcaption>}
      {open && (
        <div class="lightbox" role="dialog" aria-label={alt} data-testid="media-full" onClick={() => setOpen(false)}>
          <img src={src} alt={alt} data-testid="media-full-image" />
          <div class="lightbox-caption">{caption ?? alt} · {t("media.close")}</div>
        </div>
      )}
    </figure>
  );
}
