import { Bench } from "tinybench";

/** One measured function. The first task of a case is ours; the others are compared with it. */
export interface BenchTask {
  readonly name: string;
  readonly fn: () => unknown;
}

/** Tasks that do the same work on equivalent inputs. */
export interface BenchCase {
  readonly label: string;
  readonly tasks: readonly BenchTask[];
  /** What one operation is, for the table (e.g. "parse", "1 page walk"). */
  readonly unit?: string;
}

export interface BenchSuite {
  readonly name: string;
  readonly title: string;
  readonly notes: string;
  readonly cases: () => Promise<readonly BenchCase[]> | readonly BenchCase[];
  readonly teardown?: () => Promise<void>;
  /** A sentence or two computed from the measurements, printed under the table. */
  readonly summary?: (rows: readonly Measured[]) => string;
}

export interface Measured {
  readonly label: string;
  readonly task: string;
  readonly hz: number;
  readonly rme: number;
  readonly samples: number;
}

/** Run every task of a case; async tasks are awaited. */
export async function measure(benchCase: BenchCase, timeMs: number): Promise<Measured[]> {
  // Slow operations (a pass over 200,000 records, a walk over HTTP) would spend minutes on the
  // default minimum of runs; ten runs after two warm-ups are plenty for them.
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(100, timeMs / 4), iterations: 10, warmupIterations: 2, throws: true });
  for (const task of benchCase.tasks) bench.add(task.name, task.fn);
  await bench.run();
  return bench.tasks.map((task) => {
    const result = task.result;
    if (result.state !== "completed") throw new Error(`${benchCase.label} / ${task.name}: ${result.state}`);
    return {
      label: benchCase.label,
      task: task.name,
      hz: result.throughput.mean,
      rme: result.latency.rme,
      samples: result.latency.samples?.length ?? 0,
    };
  });
}

export function formatHz(hz: number): string {
  if (hz >= 1e6) return `${(hz / 1e6).toFixed(2)} M/s`;
  if (hz >= 1e3) return `${(hz / 1e3).toFixed(1)} k/s`;
  return `${hz.toFixed(hz >= 100 ? 0 : 2)} /s`;
}

/** A markdown table: ops/s, ± error, and how many times faster the first task is. */
export function table(rows: readonly Measured[]): string {
  const lines = ["| case | implementation | ops/s | ± | crest-query is |", "| --- | --- | ---: | ---: | ---: |"];
  const ours = new Map<string, number>();
  for (const row of rows) if (!ours.has(row.label)) ours.set(row.label, row.hz);
  for (const row of rows) {
    const mine = ours.get(row.label) ?? row.hz;
    const ratio = row.hz === mine ? "—" : `${(mine / row.hz).toFixed(2)}×`;
    lines.push(`| ${row.label} | ${row.task} | ${formatHz(row.hz)} | ${row.rme.toFixed(1)}% | ${ratio} |`);
  }
  return lines.join("\n");
}
