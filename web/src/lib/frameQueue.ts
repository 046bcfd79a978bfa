// Work spread over animation frames: at most `perFrame` jobs run in one frame, in the order they
// were queued. A page drawing many charts at once (opening, scrolling fast) shows the first ones
// in the next frame and keeps every frame short instead of freezing for all of them.

export type Scheduler = (tick: () => void) => void;

export class FrameQueue {
  private waiting = new Set<() => void>();
  private scheduled = false;

  constructor(
    private readonly perFrame: number,
    private readonly schedule: Scheduler,
  ) {}

  get length(): number {
    return this.waiting.size;
  }

  /** Queues `job`; the returned function takes it back if it has not run yet. */
  enqueue(job: () => void): () => void {
    const entry = () => job();
    this.waiting.add(entry);
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(this.tick);
    }
    return () => this.waiting.delete(entry);
  }

  private tick = (): void => {
    this.scheduled = false;
    let n = 0;
    for (const entry of this.waiting) {
      if (n++ >= this.perFrame) break;
      this.waiting.delete(entry);
      entry();
    }
    if (this.waiting.size > 0 && !this.scheduled) {
      this.scheduled = true;
      this.schedule(this.tick);
    }
  };
}
