// One printed benchmark figure.
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

/** The median of `xs` (the mean of the middle two for an even count): what the benches report of repeated rounds. */
export function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
