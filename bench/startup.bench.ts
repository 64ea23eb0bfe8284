import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BenchSuite, Measured } from "./harness.js";

const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const run = (args: string[]) => () => execFileSync(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });

export const startupSuite: BenchSuite = {
  name: "startup",
  title: "Command-line start-up",
  notes: "One operation starts a new Node.js process: the built command line (`dist/cli.js`, one bundled file) printing its version, or formatting a filter, against `node -e 0`, a process that does nothing. The difference is what the command line itself adds to every call from a shell script.",
  cases: () => [
    { label: "--version", tasks: [{ name: "crest-query --version", fn: run([cli, "--version"]) }, { name: "node -e 0", fn: run(["-e", "0"]) }] },
    { label: "format", tasks: [{ name: 'crest-query format "a pr"', fn: run([cli, "format", "a pr"]) }, { name: "node -e 0", fn: run(["-e", "0"]) }] },
  ],
  summary: (rows: readonly Measured[]) => {
    const ms = (task: string, label: string) => 1000 / (rows.find((r) => r.task === task && r.label === label)?.hz ?? NaN);
    const version = ms("crest-query --version", "--version");
    const format = ms('crest-query format "a pr"', "format");
    const bare = ms("node -e 0", "--version");
    return `Start-up: \`crest-query --version\` takes ${version.toFixed(0)} ms and \`crest-query format "a pr"\` ${format.toFixed(0)} ms, against ${bare.toFixed(0)} ms for \`node -e 0\` (target: well under 300 ms).`;
  },
};
