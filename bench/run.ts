// npm run bench [-- suite...] [-- --write] [-- --time ms]
// Runs the benchmark suites, prints a table per suite, and with --write records the run in
// docs/benchmarks.md together with the machine, the Node version and the command.
// With more than one suite, each runs in a process of its own, so what one suite leaves on the heap
// (200,000 users, a server's caches) cannot slow down the next one's measurements.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
  options: {
    write: { type: "boolean", default: false },
    time: { type: "string", default: "300" },
    // Internal: where a child process writes its section of docs/benchmarks.md.
    "section-file": { type: "string" },
  },
});
const timeMs = Number(values.time);
const chosen = positionals.length === 0 ? suites : suites.filter((s) => positionals.includes(s.name));
if (chosen.length === 0) {
  console.error(`unknown suite; choose from: ${suites.map((s) => s.name).join(", ")}`);
  process.exit(2);
}

const sections: string[] = [];
const started = Date.now();
if (chosen.length > 1) {
  const dir = mkdtempSync(join(tmpdir(), "crest-bench-"));
  try {
    for (const suite of chosen) {
      const file = join(dir, `${suite.name}.md`);
      const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1] ?? "", suite.name, "--time", String(timeMs), "--section-file", file], { stdio: "inherit" });
      if (child.status !== 0) {
        console.error(`bench: suite ${suite.name} failed (exit ${child.status ?? child.signal})`);
        process.exit(1);
      }
      sections.push(readFileSync(file, "utf8"));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else for (const suite of chosen) {
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
  const section = `## ${suite.title}\n\n${suite.notes}\n\n${rendered}\n${summary === "" ? "" : `\n${summary}\n`}`;
  sections.push(section);
  if (values["section-file"] !== undefined) writeFileSync(values["section-file"], section);
}
if (values["section-file"] !== undefined) process.exit(0);
const seconds = ((Date.now() - started) / 1000).toFixed(0);
console.log(`\nbench: ${chosen.length} suites in ${seconds} s`);

if (values.write) {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const header = `---
title: Benchmarks
---

# Benchmarks

Recorded by \`npm run bench -- --write\` on ${new Date().toISOString().slice(0, 10)}: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${type()}, Node ${process.version}, ${timeMs} ms per task. Each section ran in a fresh Node.js process; within a section every implementation runs in the same process, so the ratios compare like with like. Numbers are operations per second (mean of the samples; ± is the relative margin of error); "crest-query is" says how many times faster crest-query's task is than the row's. The whole run took ${seconds} s.

Regenerate with \`npm run bench -- --write\`; run one suite with \`npm run bench -- ${suites[0]?.name ?? "parse"}\`.
`;
  writeFileSync(new URL("../docs/benchmarks.md", import.meta.url), `${header}\n${sections.join("\n")}`);
  console.log("wrote docs/benchmarks.md");
}
