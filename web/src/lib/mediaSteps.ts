// Media logged over steps (images, audio, video): the steps a key has, what it holds at one step,
// and the keys several runs share, for the step sliders of the run page and of Compare.

export interface StepItem {
  key: string;
  step: number | null;
}

/** The distinct steps of some media, in order (a file with no step counts as step 0). */
export function mediaSteps(items: readonly StepItem[]): number[] {
  return [...new Set(items.map((i) => i.step ?? 0))].sort((a, b) => a - b);
}

/** The items logged at `step`. */
export function atStep<T extends StepItem>(items: readonly T[], step: number): T[] {
  return items.filter((i) => (i.step ?? 0) === step);
}

/** Items grouped by key, keys in the order first logged. */
export function byKey<T extends StepItem>(items: readonly T[]): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const item of items) {
    const list = m.get(item.key);
    if (list) list.push(item);
    else m.set(item.key, [item]);
  }
  return [...m.entries()];
}

/** The keys found in at least two of the runs' lists (every key when there is one run), the most shared first. */
export function sharedKeys(perRun: readonly (readonly StepItem[])[]): string[] {
  const count = new Map<string, number>();
  for (const items of perRun) for (const key of new Set(items.map((i) => i.key))) count.set(key, (count.get(key) ?? 0) + 1);
  const least = perRun.length > 1 ? 2 : 1;
  return [...count.entries()].filter(([, n]) => n >= least).sort((a, b) => b[1] - a[1]).map(([k]) => k);
}
