// npm run bench [-- suite...] [-- --write] [-- --time ms]
// Runs the benchmark suites, prints a table per suite, and with --write records the run in
// docs/benchmarks.md together with the machine, the Node version and the command.
import { writeFileSync } from "node:fs";
import { cpus, totalmem, type } from "node:os";
import { parseArgs } from "node:util";
import { measure, table, type BenchSuite, type Measured } from "./harness.js";
import { clientSuite } from "./client.bench.js";
import { evaluateSuite } from "./evaluate.bench.js";
import { pagingSuite } from "./paging.bench.js";
import { parseSuite } from "./parse.bench.js";
import { pushdownSuite } from "./pushdown.bench.js";
import { serverSuite } from "./server.bench.js";
import { startupSuite } from "./startup.bench.js";

const suites: BenchSuite[] = [parseSuite, evaluateSuite, pagingSuite, pushdownSuite, clientSuite, serverSuite, startupSuite];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { write: { type: "boolean", default: false }, time: { type: "string", default: "300" } },
});
const timeMs = Number(values.time);
const chosen = positionals.length === 0 ? suites : suites.filter((s) => positionals.includes(s.name));
if (chosen.length === 0) {
  console.error(`unknown suite; choose from: ${suites.map((s) => s.name).join(", ")}`);
  process.exit(2);
}

const sections: string[] = [];
const started = Date.now();
for (const suite of chosen) {
  console.log(`\n## ${suite.title}\n`);
  const rows: Measured[] = [];
  for (const benchCase of await suite.cases()) {
    const measured = await measure(benchCase, timeMs);
    rows.push(...measured);
    for (const m of measured) console.log(`  ${m.label.padEnd(28)} ${m.task.padEnd(44)} ${m.hz.toFixed(0).padStart(12)} ops/s ±${m.rme.toFixed(1)}%`);
  }
  await suite.teardown?.();
  const rendered = table(rows);
  const summary = suite.summary?.(rows) ?? "";
  console.log(`\n${rendered}\n\n${summary}`);
  sections.push(`## ${suite.title}\n\n${suite.notes}\n\n${rendered}\n${summary === "" ? "" : `\n${summary}\n`}`);
}
const seconds = ((Date.now() - started) / 1000).toFixed(0);
console.log(`\nbench: ${chosen.length} suites in ${seconds} s`);

if (values.write) {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const header = `---
title: Benchmarks
---

# Benchmarks

Recorded by \`npm run bench -- --write\` on ${new Date().toISOString().slice(0, 10)}: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${type()}, Node ${process.version}, ${timeMs} ms per task. Numbers are operations per second (mean of the samples; ± is the relative margin of error); "crest-query is" says how many times faster crest-query's task is than the row's. The whole run took ${seconds} s.

Regenerate with \`npm run bench -- --write\`; run one suite with \`npm run bench -- ${suites[0]?.name ?? "parse"}\`.
`;
  writeFileSync(new URL("../docs/benchmarks.md", import.meta.url), `${header}\n${sections.join("\n")}`);
  console.log("wrote docs/benchmarks.md");
}
