/** Order statistics over timing samples. */

export interface Summary {
  median: number;
  min: number;
  max: number;
}

/** The median (mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError("median of no samples");
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function summarize(xs: readonly number[]): Summary {
  if (xs.length === 0) throw new RangeError("summary of no samples");
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** Rounds to a few significant decimals for the result file (timings are ±20 % anyway). */
export function round(x: number, decimals = 3): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}
