import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, CLI_ENV, ROOT, runCli, runCliAsync } from "./helpers/cli.js";
import { createMockServer } from "../src/node/index.js";

const root = ROOT;
const cli = CLI;
const dir = mkdtempSync(join(tmpdir(), "crest-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = CLI_ENV;

const run = (args: string[], input = "", extraEnv: Record<string, string> = {}) => runCli(args, { input, env: extraEnv });
const runAsync = (args: string[], extraEnv: Record<string, string> = {}) => runCliAsync(args, { env: extraEnv });

const data = join(dir, "people.json");
writeFileSync(
  data,
  JSON.stringify([
    { _id: "1", sn: "Jensen", n: 3 },
    { _id: "2", sn: "O'Brien", n: 1 },
    { _id: "3", sn: "Nowak", n: 2 },
    { _id: "4", sn: "Żak" },
  ]),
);

describe("filter commands", () => {
  it("check: ok and exit 0, or the caret error and exit 1, warnings on stderr", () => {
    expect(run(["check", "/sn eq 'x'"])).toEqual({ code: 0, stdout: "ok\n", stderr: "" });
    const bad = run(["check", "/sn eq"]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toBe('error: Missing value after operator "eq" at line 1, column 7.\n/sn eq\n      ^\n');
    const warned = run(["check", "/sn ne 'x'"]);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toMatch(/^warning: "ne" is read as an extended operator/);
  });

  it("format, encode, decode and parse", () => {
    expect(run(["format", "SN EQ 'x' AND n PR"]).stdout).toBe('/SN eq "x" and /n pr\n');
    expect(run(["encode", "/mail eq 'a+b'"]).stdout).toBe("%2Fmail%20eq%20%27a%2Bb%27\n");
    expect(run(["decode", "%2Fmail+eq+%27a%2Bb%27"]).stdout).toBe("/mail eq 'a+b'\n");
    expect(JSON.parse(run(["parse", "/n gt 1.0"]).stdout)).toEqual({ type: "comparison", operator: "gt", field: ["n"], value: { decimal: "1.0" } });
  });

  it("reads the filter from standard input", () => {
    expect(run(["format", "-"], "a pr or b pr\n").stdout).toBe("/a pr or /b pr\n");
    expect(run(["format"], "x eq 1").stdout).toBe("/x eq 1\n");
  });
});

describe("eval", () => {
  it("prints the query response, pages with a cookie that works in the next run", () => {
    const first = run(["eval", "n pr", "--data", data, "--sort", "-n", "--fields", "sn", "--page-size", "2", "--total", "exact"]);
    expect(first.code).toBe(0);
    const response = JSON.parse(first.stdout) as { result: unknown[]; pagedResultsCookie: string; totalPagedResults: number };
    expect(response.result).toEqual([
      { _id: "1", sn: "Jensen" },
      { _id: "3", sn: "Nowak" },
    ]);
    expect(response.totalPagedResults).toBe(3);
    const second = run(["eval", "n pr", "--data", data, "--sort", "-n", "--fields", "sn", "--page-size", "2", "--cookie", response.pagedResultsCookie, "--ndjson"]);
    expect(second).toEqual({ code: 0, stdout: '{"_id":"2","sn":"O\'Brien"}\n', stderr: "" });
  });

  it("prints NDJSON and says where the next cookie is", () => {
    const out = run(["eval", "true", "--data", data, "--page-size", "3", "--ndjson"]);
    expect(out.stdout.trim().split("\n")).toHaveLength(3);
    expect(out.stderr).toMatch(/^next cookie: \S+\n$/);
  });

  it("uses the bundled sample data by default, and reports bad input in one line", () => {
    expect(JSON.parse(run(["eval", "/givenName eq 'zoë'", "--page-size", "1", "--total", "EXACT"]).stdout).totalPagedResults).toBe(61);
    const missing = run(["eval", "true", "--data", join(dir, "nope.json")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`error: cannot read ${join(dir, "nope.json")}: no such file\n`);
    const cookie = run(["eval", "true", "--data", data, "--cookie", "forged"]);
    expect(cookie.code).toBe(1);
    expect(cookie.stderr).toMatch(/^error: --cookie: it is not a cookie/);
    expect(cookie.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("serve and query", () => {
  it("serve answers a real request until stopped", async () => {
    const child = spawn(process.execPath, [cli, "serve", "--data", data, "--port", "0"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (c: Buffer) => resolve(c.toString().trim()));
        child.on("error", reject);
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/openidm\/managed\/people$/);
      const response = await fetch(`${url}?_queryFilter=${encodeURIComponent("/sn sw 'o'")}`);
      expect(((await response.json()) as { result: Array<{ _id: string }> }).result.map((r) => r._id)).toEqual(["2"]);
    } finally {
      child.kill("SIGTERM");
    }
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
  });

  it("query prints NDJSON and progress against a mock server", async () => {
    const server = await createMockServer({ collections: { user: "examples/users.json" } });
    try {
      const out = await runAsync(["query", `${server.url}/user`, "--filter", "/accountStatus eq 'active'", "--fields", "userName", "--page-size", "300", "--total", "EXACT", "--token", "t0k", "--header", "x-trace: abc"]);
      expect(out.code).toBe(0);
      const lines = out.stdout.trim().split("\n").map((l) => JSON.parse(l) as { userName: string });
      expect(lines).toHaveLength(782);
      expect(Object.keys(lines[0] ?? {})).toEqual(["_id", "_rev", "userName"]);
      expect(out.stderr).toBe("page 1: 300 of 782 resources\npage 2: 600 of 782 resources\npage 3: 782 of 782 resources\ndone: 782 resources in 3 pages\n");
      expect(server.requests[0]?.headers.authorization).toBe("Bearer t0k");
      expect(server.requests[0]?.headers["x-trace"]).toBe("abc");
      const viaEnv = await runAsync(["query", `${server.url}/user`, "--max-results", "5"], { CREST_TOKEN: "from-env" });
      expect(viaEnv.stdout.trim().split("\n")).toHaveLength(5);
      expect(server.requests.at(-1)?.headers.authorization).toBe("Bearer from-env");
      const failed = await runAsync(["query", `${server.url}/nothing`]);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/^error: GET http:\/\/127\.0\.0\.1:\d+\/openidm\/managed\/nothing\?_queryFilter=true&_pageSize=100 failed: Resource '\/openidm\/managed\/nothing' not found\n$/);
    } finally {
      await server.close();
    }
  });
});

describe("help and usage errors", () => {
  it.each(["repl", "check", "format", "encode", "decode", "explain", "eval", "serve", "query", "parse"])("%s --help", (command) => {
    const out = run([command, "--help"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(new RegExp(`^Usage: crest-query ${command}`));
  });

  it("lists the commands, and rejects unknown ones and bad options in one line", () => {
    expect(run(["--help"]).stdout).toMatch(/Commands:\n {2}repl/);
    expect(run(["--version"]).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const unknown = run(["frobnicate"]);
    expect(unknown).toMatchObject({ code: 2, stderr: 'error: unknown command "frobnicate"; run crest-query --help for the list\n' });
    const option = run(["eval", "true", "--bogus"]);
    expect(option.code).toBe(2);
    expect(option.stderr.trim().split("\n")).toHaveLength(1);
    expect(run(["query", "not-a-url"]).stderr).toBe('error: "not-a-url" is not an http(s) URL\n');
    expect(run([]).code).toBe(2);
  });
});

describe("terminal behaviour", () => {
  it("runs the REPL in a pipe without colours or line editing", () => {
    const out = run(["repl", "--data", data], "sn eq 'nowak'\n.exit\n");
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("matches    1 of 4");
    expect(out.stdout).not.toContain("\u001b[");
    expect(out.stdout).not.toContain("crest> ");
  });

  it("shows a coloured prompt in a real pseudo-terminal, and none with NO_COLOR", () => {
    const viaScript = (extra: Record<string, string>) =>
      spawnSync("script", ["-qec", `${process.execPath} ${cli}`, "/dev/null"], {
        cwd: root,
        input: "sn eq\n.exit\n",
        encoding: "utf8",
        env: { ...env, TERM: "xterm-256color", ...extra },
        timeout: 20_000,
      }).stdout;
    const coloured = viaScript({});
    expect(coloured).toContain("\u001b[36mcrest> \u001b[39m");
    expect(coloured).toContain("\u001b[31merror\u001b[39m");
    const plain = viaScript({ NO_COLOR: "1" });
    expect(plain).toContain("crest> ");
    expect(plain).not.toContain("\u001b[36m");
    expect(plain).not.toContain("\u001b[31m");
  });
});
