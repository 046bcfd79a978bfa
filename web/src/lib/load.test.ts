import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { errorMessage, startLoading, type Outcome } from "./load";

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("startLoading", () => {
  it("fetches once and hands over the value", async () => {
    const seen: Outcome<number>[] = [];
    startLoading(() => Promise.resolve(7), (o) => seen.push(o));
    await settle();
    expect(seen).toEqual([{ ok: true, value: 7 }]);
  });

  it("hands over what a failed fetch threw", async () => {
    const seen: Outcome<number>[] = [];
    const boom = new Error("boom");
    startLoading(() => Promise.reject(boom), (o) => seen.push(o));
    await settle();
    expect(seen).toEqual([{ ok: false, error: boom }]);
  });

  it("drops an answer that comes after it was stopped", async () => {
    let answer: (v: number) => void = () => undefined;
    const seen: Outcome<number>[] = [];
    const stop = startLoading(() => new Promise<number>((r) => (answer = r)), (o) => seen.push(o));
    stop();
    answer(1);
    await settle();
    expect(seen).toEqual([]);
  });

  describe("with an interval", () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it("fetches again every interval until stopped", async () => {
      let calls = 0;
      const stop = startLoading(() => Promise.resolve(++calls), () => undefined, 1000);
      expect(calls).toBe(1);
      await vi.advanceTimersByTimeAsync(2500);
      expect(calls).toBe(3);
      stop();
      await vi.advanceTimersByTimeAsync(5000);
      expect(calls).toBe(3);
    });

    it("stops fetching once an answer says nothing more will come", async () => {
      let calls = 0;
      const seen: number[] = [];
      startLoading(() => Promise.resolve(++calls), (o) => o.ok && seen.push(o.value), 1000, (n) => n >= 2);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(calls).toBe(2);
      expect(seen).toEqual([1, 2]);
    });
  });
});

describe("errorMessage", () => {
  it("is an error's message, or the thrown value as text", () => {
    expect(errorMessage(new Error("404 Not Found"))).toBe("404 Not Found");
    expect(errorMessage("offline")).toBe("offline");
    expect(errorMessage(null)).toBe("null");
  });
});
