// Audio, video and HTML logged with log_audio / log_video / log_html, one card per key with a step
// slider. HTML is shown in a sandboxed frame: its scripts do not run and it cannot reach the
// viewer (the server sandboxes it too).
import { api, type MediaAnswer, type MediaFile } from "../api";
import { atStep, byKey, mediaSteps } from "../lib/mediaSteps";
import { MediaStepper } from "./MediaStepper";

type Kind = "audio" | "video" | "html";

export function MediaPlayer({ runKey, kind, file }: { runKey: string; kind: Kind; file: MediaFile }) {
  const src = api.mediaUrl(runKey, file.path);
  let body;
  if (kind === "audio") body = <audio controls preload="auto" src={src} data-testid={`audio-${file.key}`} />;
  else if (kind === "html")
    body = <iframe sandbox="" src={src} title={file.key} class="media-html" data-testid={`html-${file.key}`} />;
  else if (file.path.toLowerCase().endsWith(".gif"))
    body = <img src={src} alt={file.caption ?? file.key} data-testid={`video-${file.key}`} />;
  else body = <video controls preload="auto" src={src} data-testid={`video-${file.key}`} />;
  return (
    <figure class="media-player">
      {body}
      {file.caption && <figcaption>{file.caption}</figcaption>}
    </figure>
  );
}

export function MediaPlayers({ runKey, media }: { runKey: string; media: MediaAnswer }) {
  const kinds = [
    ["audio", media.audio ?? []],
    ["video", media.video ?? []],
    ["html", media.html ?? []],
  ] as const;
  return (
    <>
      {kinds.map(([kind, files]) =>
        byKey(files).map(([key, list]) => (
          <MediaStepper name={key} testid={`media-${kind}-${key}`} steps={mediaSteps(list)}>
            {(step) => atStep(list, step).map((file) => <MediaPlayer runKey={runKey} kind={kind} file={file} />)}
          </MediaStepper>
        )),
      )}
    </>
  );
}
