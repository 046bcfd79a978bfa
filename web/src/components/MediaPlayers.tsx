// Audio, video and HTML logged with log_audio / log_video / log_html. HTML is shown in a sandboxed
// frame: its scripts do not run and it cannot reach the viewer (the server sandboxes it too).
import { api, type MediaAnswer, type MediaFile } from "../api";
import { useApp } from "../app";

function Item({ runKey, kind, file }: { runKey: string; kind: "audio" | "video" | "html"; file: MediaFile }) {
  const { t } = useApp();
  const src = api.mediaUrl(runKey, file.path);
  let body;
  if (kind === "audio") body = <audio controls preload="auto" src={src} data-testid={`audio-${file.key}`} />;
  else if (kind === "html")
    body = <iframe sandbox="" src={src} title={file.key} class="media-html" data-testid={`html-${file.key}`} />;
  else if (file.path.toLowerCase().endsWith(".gif"))
    body = <img src={src} alt={file.caption ?? file.key} data-testid={`video-${file.key}`} />;
  else body = <video controls preload="auto" src={src} data-testid={`video-${file.key}`} />;
  return (
    <div class="card media-key">
      <div class="chart-head">
        <span class="chart-title">{file.key}</span>
        <span class="muted small">
          {t("run.step")} {file.step ?? 0}
        </span>
      </div>
      <figure class="media-player">
        {body}
        {file.caption && <figcaption>{file.caption}</figcaption>}
      </figure>
    </div>
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
      {kinds.map(([kind, files]) => files.map((file) => <Item runKey={runKey} kind={kind} file={file} />))}
    </>
  );
}
