import { PassThrough } from "node:stream";
import { runRepl } from "./src/cli/repl.ts";
const stdin = new PassThrough(); const stdout = new PassThrough(); let out = "";
stdout.on("data", (c: Buffer) => (out += c.toString()));
const done = runRepl({ input: stdin, output: stdout, terminal: true, color: false, dataFile: "/tmp/small.json" });
for (const chunk of ["address/ci", "\t", " pr\r", "loginCount g", "\t", "\t", "t 6\r", ".ex", "\t", "\r"]) { stdin.write(chunk); await new Promise((r) => setTimeout(r, 5)); }
stdin.end(); await done; console.log(JSON.stringify(out));
