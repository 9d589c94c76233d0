// One printed benchmark figure.
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}
