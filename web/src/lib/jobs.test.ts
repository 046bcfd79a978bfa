import { describe, expect, it } from "vitest";
import { agentTokenKey, commandText, groupByProject, jobActions, keepAgentToken, loadAgentToken, newestFirst } from "./jobs";

describe("jobs", () => {
  it("offers cancel before a job ends and resume after, only with a checkpoint", () => {
    expect(jobActions("pending", 2)).toEqual({ cancel: true, resume: false });
    expect(jobActions("running")).toEqual({ cancel: true, resume: false });
    expect(jobActions("failed", 1)).toEqual({ cancel: false, resume: true });
    expect(jobActions("cancelled", 3)).toEqual({ cancel: false, resume: true });
    expect(jobActions("failed", 0)).toEqual({ cancel: false, resume: false });
    expect(jobActions("succeeded")).toEqual({ cancel: false, resume: false });
    expect(jobActions("lost", 1)).toEqual({ cancel: false, resume: false });
  });

  it("lists checkpoints newest first, by time, then by record order", () => {
    const list = [
      { path: "a", ts: 1 },
      { path: "b", ts: 3 },
      { path: "c", ts: null },
      { path: "d", ts: 3 },
    ];
    expect(newestFirst(list).map((c) => c.path)).toEqual(["d", "b", "a", "c"]);
  });

  it("groups jobs by project in name order, keeping their order inside", () => {
    const jobs = [
      { project: "b", id: "3" },
      { project: "a", id: "2" },
      { project: "b", id: "1" },
    ];
    expect(groupByProject(jobs).map(([p, js]) => [p, js.map((j) => j.id)])).toEqual([
      ["a", ["2"]],
      ["b", ["3", "1"]],
    ]);
  });

  it("shows an argv list as one line, quoting arguments with spaces", () => {
    expect(commandText(["python", "train.py", "--name", "a b"])).toBe('python train.py --name "a b"');
    expect(commandText("echo hi && ls")).toBe("echo hi && ls");
    expect(commandText(null)).toBe("");
  });

  it("keeps one agent token per agent URL, and forgets it when told", () => {
    const map = new Map<string, string>();
    const store = {
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => void map.set(k, v),
      removeItem: (k: string) => void map.delete(k),
    };
    expect(agentTokenKey("http://127.0.0.1:8100/")).toBe(agentTokenKey("http://127.0.0.1:8100"));
    expect(agentTokenKey("http://127.0.0.1:8100")).not.toBe(agentTokenKey("http://127.0.0.1:8101"));
    expect(loadAgentToken(store, "http://127.0.0.1:8100")).toBeNull();
    keepAgentToken(store, "http://127.0.0.1:8100", "  tok-a\n");
    keepAgentToken(store, "http://127.0.0.1:8101", "tok-b");
    expect(loadAgentToken(store, "http://127.0.0.1:8100/")).toBe("tok-a");
    expect(loadAgentToken(store, "http://127.0.0.1:8101")).toBe("tok-b");
    keepAgentToken(store, "http://127.0.0.1:8100", null);
    expect(loadAgentToken(store, "http://127.0.0.1:8100")).toBeNull();
    expect(loadAgentToken(store, "http://127.0.0.1:8101")).toBe("tok-b");
  });

  it("asks again when the browser refuses storage", () => {
    const refusing = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("denied");
      },
      removeItem: () => {
        throw new Error("denied");
      },
    };
    keepAgentToken(refusing, "http://127.0.0.1:8100", "tok");
    expect(loadAgentToken(refusing, "http://127.0.0.1:8100")).toBeNull();
  });
});
