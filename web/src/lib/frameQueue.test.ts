import { describe, expect, it } from "vitest";
import { FrameQueue } from "./frameQueue";

function frames() {
  const ticks: (() => void)[] = [];
  return { schedule: (t: () => void) => ticks.push(t), next: () => ticks.shift()?.(), pending: () => ticks.length };
}

describe("FrameQueue", () => {
  it("runs at most perFrame jobs a frame, in order", () => {
    const f = frames();
    const q = new FrameQueue(2, f.schedule);
    const ran: number[] = [];
    for (let i = 0; i < 5; i++) q.enqueue(() => ran.push(i));
    expect(f.pending()).toBe(1);
    f.next();
    expect(ran).toEqual([0, 1]);
    f.next();
    expect(ran).toEqual([0, 1, 2, 3]);
    f.next();
    expect(ran).toEqual([0, 1, 2, 3, 4]);
    expect(f.pending()).toBe(0);
  });

  it("drops a job taken back before its frame", () => {
    const f = frames();
    const q = new FrameQueue(5, f.schedule);
    const ran: string[] = [];
    q.enqueue(() => ran.push("a"));
    const cancel = q.enqueue(() => ran.push("b"));
    cancel();
    f.next();
    expect(ran).toEqual(["a"]);
    expect(q.length).toBe(0);
  });

  it("schedules again for a job queued after the queue ran dry", () => {
    const f = frames();
    const q = new FrameQueue(1, f.schedule);
    const ran: string[] = [];
    q.enqueue(() => ran.push("a"));
    f.next();
    q.enqueue(() => ran.push("b"));
    expect(f.pending()).toBe(1);
    f.next();
    expect(ran).toEqual(["a", "b"]);
  });
});
