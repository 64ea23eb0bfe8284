// Driving the built command line (dist/cli.js) as a user does, for every CLI test file: one way to
// run it to the end, and one way to start `crest-query serve` and wait until it is ready.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The project's root folder. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The built command line. */
export const CLI = join(ROOT, "dist", "cli.js");
/** An environment with no colours, no REPL history file and no token taken from the caller's shell. */
export const CLI_ENV: Readonly<Record<string, string>> = { ...(process.env as Record<string, string>), NO_COLOR: "", CREST_QUERY_HISTORY: "", CREST_TOKEN: "" };

export interface RunOptions {
  /** Standard input (default: empty). */
  readonly input?: string;
  /** Variables added to {@link CLI_ENV}. */
  readonly env?: Readonly<Record<string, string>>;
  /** Working folder (default: the project's root). */
  readonly cwd?: string;
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the command line to its end, blocking; killed after 20 s. */
export function runCli(args: readonly string[], options: RunOptions = {}): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, input: options.input ?? "", encoding: "utf8", env: { ...CLI_ENV, ...options.env }, timeout: 20_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Run the command line to its end without blocking the event loop (for tests that serve HTTP in-process). */
export async function runCliAsync(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: { ...CLI_ENV, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(options.input ?? "");
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stdout, stderr };
}

export interface Served {
  readonly child: ChildProcessWithoutNullStreams;
  /** The collection URLs `serve` printed, one per line of standard output. */
  readonly urls: readonly string[];
  /** Everything written to standard error so far. */
  readonly stderr: () => string;
}

/**
 * Start `crest-query serve --port 0 ...args` and resolve once it printed `urls` collection URLs and
 * its "Ctrl-C stops" banner; reject if it exits first.
 */
export function serveCli(args: readonly string[], options: { readonly cwd: string; readonly env?: Readonly<Record<string, string>>; readonly urls?: number }): Promise<Served> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", ...args], { cwd: options.cwd, env: { ...CLI_ENV, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
  const wanted = options.urls ?? 1;
  let stdout = "";
  let stderr = "";
  return new Promise((resolve, reject) => {
    const check = () => {
      const urls = stdout.split("\n").slice(0, -1);
      if (urls.length >= wanted && stderr.includes("Ctrl-C stops")) resolve({ child, urls, stderr: () => stderr });
    };
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
      check();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
      check();
    });
    child.on("error", reject);
    child.on("close", (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}

/** Stop a served process with SIGTERM and give its exit code. */
export async function stopServe(served: Served): Promise<number | null> {
  const closed = new Promise<number | null>((resolve) => served.child.on("close", resolve));
  served.child.kill("SIGTERM");
  return closed;
}
