// A run's console log: read once, page by page, for a run that has ended, or followed over a
// WebSocket while it runs (docs/api.md#logs).
import { enc, getJson } from "./http";

export interface LogBatch {
  lines: string[];
  start: number;
  offset: number;
  restarted: boolean;
}

const LOG_PAGE_LINES = 20_000;

/** The whole log of a run that has ended, page by page; returns the function that stops it. */
function readLogOnce(key: string, onBatch: (batch: LogBatch) => void, onError: (message: string) => void): () => void {
  let stopped = false;
  const read = async (offset: number) => {
    const page = await getJson<LogBatch & { more: boolean }>(`/api/runs/${enc(key)}/logs`, { offset, limit: LOG_PAGE_LINES });
    if (stopped) return;
    onBatch(page);
    if (page.more && page.offset > offset) await read(page.offset);
  };
  read(0).catch((e: Error) => stopped || onError(String(e.message ?? e)));
  return () => {
    stopped = true;
  };
}

export const logsApi = {
  /**
   * Streams the run's log; returns a function that closes the socket. With `follow` false (a run
   * that has ended) the log is read once, page by page (GET /logs), and nothing stays open.
   */
  logStream(
    key: string,
    onBatch: (batch: LogBatch) => void,
    onError: (message: string) => void,
    follow = true,
  ): () => void {
    if (!follow) return readLogOnce(key, onBatch, onError);
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    let closed = false;
    let socket: WebSocket | null = null;
    let offset = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      socket = new WebSocket(`${proto}//${location.host}/api/runs/${enc(key)}/logs/ws?offset=${offset}`);
      socket.onmessage = (ev) => {
        const msg = JSON.parse(ev.data);
        if (typeof msg.error === "string") {
          onError(msg.error);
          closed = true;
          return;
        }
        offset = msg.offset;
        onBatch(msg as LogBatch);
      };
      socket.onclose = () => {
        if (!closed) retry = setTimeout(connect, 2000);
      };
    };
    connect();
    return () => {
      closed = true;
      clearTimeout(retry);
      socket?.close();
    };
  },
};
