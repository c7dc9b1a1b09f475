/** Small pure helpers for summarising repeated measurements. */

/** Median of the finite numbers in `values`; undefined when there are none. */
export function median(values: readonly (number | null | undefined)[]): number | undefined {
  const xs = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (xs.length === 0) return undefined;
  xs.sort((a, b) => a - b);
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 === 1 ? xs[mid] : ((xs[mid - 1] ?? 0) + (xs[mid] ?? 0)) / 2;
}

/** Smallest and largest finite value, to show how far repeats spread. */
export function range(values: readonly (number | null | undefined)[]): [number, number] | undefined {
  const xs = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (xs.length === 0) return undefined;
  return [Math.min(...xs), Math.max(...xs)];
}

/** a / b, or undefined when either is missing or b is zero. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || b === 0) return undefined;
  return a / b;
}

/** (max − min) / median: 0 for identical repeats; above ~0.2 the repeats disagree noticeably. */
export function spread(values: readonly (number | null | undefined)[]): number | undefined {
  const r = range(values);
  const m = median(values);
  if (r === undefined || m === undefined || m === 0) return undefined;
  return (r[1] - r[0]) / m;
}
