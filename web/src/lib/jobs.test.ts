import { describe, expect, it } from "vitest";
import { commandText, groupByProject, jobActions } from "./jobs";

describe("jobs", () => {
  it("offers cancel before a job ends and resume after", () => {
    expect(jobActions("pending")).toEqual({ cancel: true, resume: false });
    expect(jobActions("running")).toEqual({ cancel: true, resume: false });
    expect(jobActions("failed")).toEqual({ cancel: false, resume: true });
    expect(jobActions("cancelled")).toEqual({ cancel: false, resume: true });
    expect(jobActions("lost")).toEqual({ cancel: false, resume: false });
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
});
