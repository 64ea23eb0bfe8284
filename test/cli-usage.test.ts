import { spawn, spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, CLI_ENV, ROOT, runCli, runCliAsync } from "./helpers/cli.js";
import { createMockServer } from "../src/node/index.js";

// Every test here drives the built command line (dist/cli.js) as a user does.
const root = ROOT;
const cli = CLI;
const dir = mkdtempSync(join(tmpdir(), "crest-cli-usage-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = CLI_ENV;

const run = (args: string[], input = "", extraEnv: Record<string, string> = {}) => runCli(args, { input, env: extraEnv });
const runAsync = (args: string[], extraEnv: Record<string, string> = {}) => runCliAsync(args, { env: extraEnv });

/** Run in a pseudo-terminal (script(1)) with keys typed one group at a time. */
function inTerminal(args: string, keys: readonly string[], columns = 80) {
  const typed = keys.map((k) => `printf '%s' ${shellQuote(k)}; sleep 0.4;`).join(" ");
  const command = `stty cols ${columns} 2>/dev/null; ${process.execPath} ${cli} ${args}; echo "[exit $?]"`;
  const result = spawnSync("bash", ["-c", `(sleep 1.2; ${typed} sleep 1) | script -qec ${shellQuote(command)} /dev/null`], {
    cwd: root,
    encoding: "utf8",
    env: { ...env, TERM: "xterm", NO_COLOR: "1" },
    timeout: 30_000,
  });
  return result.stdout;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

const people = join(dir, "people.json");
writeFileSync(people, JSON.stringify([{ _id: "1", sn: "Jensen", n: 3, city: "Zoë" }, { _id: "2", sn: "O'Brien", n: 1 }]));

describe("input: size cap, formats, standard input, exact integers", () => {
  it("stops reading an endless file at the limit with a clear error", () => {
    const out = run(["eval", "true", "--data", "/dev/zero", "--max-input", "1M"]);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe("error: /dev/zero is larger than 1 MiB; raise the limit with --max-input if you mean it\n");
    const stdin = run(["eval", "true", "--data", "-", "--max-input", "10"], "[{\"_id\":\"1\",\"long\":\"xxxxxxxxx\"}]");
    expect(stdin.stderr).toBe("error: standard input is larger than 10 bytes; raise the limit with --max-input if you mean it\n");
    expect(run(["eval", "true", "--max-input", "lots"]).stderr).toBe('error: --max-input takes a size such as 1000, 64k, 256M or 1G, not "lots"\n');
  });

  it("reads NDJSON, a {result} response and standard input, skips a BOM, keeps big integers exact", () => {
    const ndjson = '{"_id":"a","big":12345678901234567890,"n":1}\n\n{"_id":"b","big":-9223372036854775808,"n":2.5}\n';
    const out = run(["eval", "big pr", "--data", "-", "--ndjson"], `\ufeff${ndjson}`);
    expect(out).toEqual({ code: 0, stdout: '{"_id":"a","big":12345678901234567890,"n":1}\n{"_id":"b","big":-9223372036854775808,"n":2.5}\n', stderr: "" });
    expect(run(["eval", "big pr", "--data", "-", "--ndjson", "--sort", "-big", "--fields", "big"], ndjson).stdout).toBe('{"_id":"a","big":12345678901234567890}\n{"_id":"b","big":-9223372036854775808}\n');
    expect(run(["repl", "--data", "-"]).stderr).toBe("error: the REPL reads its commands from standard input; give --data a file\n");
    const file = join(dir, "response.json");
    writeFileSync(file, `\ufeff${JSON.stringify({ result: [{ _id: "x" }], resultCount: 1 })}`);
    expect(run(["eval", "true", "--data", file, "--ndjson"]).stdout).toBe('{"_id":"x"}\n');
    // What query and eval --ndjson print loads back.
    const again = join(dir, "again.ndjson");
    writeFileSync(again, run(["eval", "n pr", "--data", people, "--ndjson"]).stdout);
    expect(JSON.parse(run(["eval", "n gt 2", "--data", again]).stdout).result).toEqual([{ _id: "1", sn: "Jensen", n: 3, city: "Zoë" }]);
    const broken = join(dir, "broken.ndjson");
    writeFileSync(broken, '{"_id":"1"}\n{"_id":\n');
    expect(run(["eval", "true", "--data", broken]).stderr).toMatch(/^error: \S+broken\.ndjson line 2 is not valid JSON/);
  });
});

describe("output: integers beyond 2^53 from a server", () => {
  it("prints them exactly from query and read", async () => {
    const body = '{"_id":"1","big":12345678901234567890,"neg":-9223372036854775808,"small":42,"d":1.5}';
    const server: Server = createServer((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(req.url?.includes("_queryFilter") === true ? `{"result":[${body}],"resultCount":1,"pagedResultsCookie":null,"totalPagedResultsPolicy":"NONE","totalPagedResults":-1,"remainingPagedResults":-1}` : body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/c`;
      const query = await runAsync(["query", base, "--retries", "0"]);
      expect(query.code).toBe(0);
      expect(query.stdout).toBe(`${body}\n`);
      const read = await runAsync(["read", base, "1", "--retries", "0"]);
      expect(read.code).toBe(0);
      expect(read.stdout).toContain('"big": 12345678901234567890');
      expect(read.stdout).toContain('"neg": -9223372036854775808');
      expect(read.stdout).toContain('"d": 1.5');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("output: control characters never reach the terminal", () => {
  it("escapes a server's message", async () => {
    const server: Server = createServer((_req, res) => {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: 400, reason: "Bad Request", message: "bad\u001b[2J\u001b]0;pwned\u0007\u009b31m\r\nfake: ok\u202e" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const out = await runAsync(["query", `http://127.0.0.1:${(server.address() as AddressInfo).port}/c`, "--retries", "0"]);
      expect(out.code).toBe(1);
      expect(out.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
      expect(out.stderr).toContain("bad\\u001b[2J\\u001b]0;pwned\\u0007\\u009b31m\\u000d\\nfake: ok\\u202e");
      expect(out.stderr.trim().split("\n")).toHaveLength(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("escapes data in the REPL table and in JSON, keeping JSON valid", () => {
    const file = join(dir, "evil.json");
    writeFileSync(file, JSON.stringify([{ _id: "1", userName: "a\u001b[31mred\u009b" }]));
    const out = run(["repl", "--data", file], "true\n.json on\ntrue\n");
    expect(out.stdout).not.toMatch(/[\u001b\u009b]/);
    expect(out.stdout).toContain("\\u009b");
  });
});

describe("pipes", () => {
  it("ends quietly when the reader goes away", () => {
    const result = spawnSync("bash", ["-c", `set -o pipefail; ${process.execPath} ${cli} eval true --page-size 1000 --ndjson | head -2`], { cwd: root, encoding: "utf8", env, timeout: 20_000 });
    expect(result.stdout.trim().split("\n")).toHaveLength(2);
    expect(result.stderr).not.toMatch(/EPIPE|at /);
    expect(result.status).toBe(0);
  });
});

describe("pasted filters, decode and explain", () => {
  it("decode prints a URL's or a query string's _queryFilter value alone", () => {
    expect(run(["decode", "https://idm.example.com/openidm/managed/user?_pageSize=5&_queryFilter=%2Fsn+eq+%22O%27Brien%22#x"]).stdout).toBe('/sn eq "O\'Brien"\n');
    expect(run(["decode", "_queryFilter=%2Fa%20pr&_fields=sn"]).stdout).toBe("/a pr\n");
    expect(run(["decode", "https://idm.example.com/x?_pageSize=5"])).toMatchObject({ code: 1, stderr: "error: the URL or query string holds no _queryFilter parameter\n" });
  });

  it("the REPL decodes pasted filters and says so", () => {
    const out = run(["repl", "--data", people], "%2Fsn%20eq%20%22jensen%22\n_queryFilter=n+gt+1&_pageSize=2\nhttp://h/openidm/managed/user?_queryFilter=%2Fn%20eq%201\n");
    expect(out.stdout).toContain('decoded    /sn eq "jensen"  (from the percent-encoded value)\ncanonical  /sn eq "jensen"');
    expect(out.stdout).toContain("decoded    n gt 1  (from the _queryFilter parameter)\ncanonical  /n gt 1");
    expect(out.stdout).toContain("decoded    /n eq 1  (from the _queryFilter parameter of the URL)\ncanonical  /n eq 1\nencoded    _queryFilter=%2Fn%20eq%201\nmatches    1 of 2");
  });

  it("explain and .ast draw the grouping", () => {
    const tree = ["any of (or)", "├─ /a pr (is present and not null)", "└─ all of (and)", "   ├─ /b eq 1 (equals)", "   └─ not", '      └─ /c co "x" (contains)'].join("\n");
    expect(run(["explain", "a pr or b eq 1 and !(c co 'x')"]).stdout).toBe(`${tree}\n`);
    expect(run(["repl", "--data", people], ".ast a pr or b eq 1 and !(c co 'x')\n").stdout).toContain(tree);
    expect(run(["repl", "--data", people], "a pr or b eq 1 and !(c co 'x')\n.ast\n").stdout).toContain(tree);
  });
});

describe("errors are one line in the user's words", () => {
  it("numbers, flags, help and version", () => {
    expect(run(["eval", "true", "--page-size", "-3"])).toMatchObject({ code: 2, stderr: 'error: --page-size takes a whole number of at least 1, not "-3"\n' });
    expect(run(["eval", "true", "--bogus"]).stderr).toBe("error: unknown option --bogus; --help lists the options\n");
    expect(run(["eval", "true", "--sort", "a,-"])).toMatchObject({ code: 2, stderr: "error: --sort: '-' names no field\n" });
    expect(run(["eval", "true", "--data", people, "--cookie", "forged"]).stderr).toMatch(/^error: --cookie: [^\n]*\n$/);
    expect(run(["help", "format"]).stdout).toMatch(/^Usage: crest-query format/);
    expect(run(["-V"])).toMatchObject({ code: 0, stdout: "0.1.0\n" });
  });

  it("filter mistakes come with a hint", () => {
    expect(run(["check", "/status eq \u201cactive\u201d"]).stderr).toContain("hint: the filter holds curly quotes");
    expect(run(["check", "/sn eq 'O'Brien'"]).stderr).toContain("hint: a quote inside a single-quoted string ends it ('O'B…): put the text in double quotes");
  });

  it("checks one filter per line from standard input, with line numbers", () => {
    const out = run(["check"], "/a pr\n/b eq\n\n/c eq 'x'\n");
    expect(out.code).toBe(1);
    expect(out.stdout).toBe("line 1: ok\nline 4: ok\n");
    expect(out.stderr).toMatch(/^line 2: error: Missing value after operator "eq"[^\n]*\n\/b eq\n {5}\^\n1 filter of 3 failed\n$/);
    expect(run(["check"], "/a eq 1 and /b eq 2\n")).toMatchObject({ code: 0, stdout: "ok\n" });
  });

  it("a number field compared with a quoted number, and a different Unicode form", () => {
    const out = run(["repl", "--data", people], `n gt "1"\ncity eq "Zo\u0065\u0308"\n`);
    expect(out.stdout).toContain('hint: /n holds numbers in the data, but "1" is a string');
    const inOr = run(["repl", "--data", people], `n gt "1" or sn pr\nsn eq "Jensen"\n`);
    expect(inOr.stdout).toMatch(/matches {4}2 of 2\nhint: \/n holds numbers in the data, but "1" is a string/);
    expect(inOr.stdout).not.toMatch(/sn eq "Jensen"\n[^\n]*\n[^\n]*\nhint/);
    expect(out.stdout).toContain("typed decomposed (NFD or mixed), while the data writes \"Zoë\"");
  });
});

describe("query", () => {
  it("reads the URL's parameters, takes the filter as an argument, --param, --max-results, --print-url, --curl", async () => {
    const server = await createMockServer({ collections: { user: "examples/users.json" } });
    try {
      const base = `${server.url}/user`;
      const printed = run(["query", `${base}?_queryFilter=%2FaccountStatus%20eq%20%22locked%22&_fields=userName&_queryId=x`, "--print-url"]);
      expect(printed.stdout).toBe(`${base}?_queryFilter=%2FaccountStatus%20eq%20%22locked%22&_fields=%2FuserName&_pageSize=100&_queryId=x\n`);
      expect(run(["query", `${base}?_queryFilter=true`, "a pr"]).stderr).toBe("error: the URL already holds _queryFilter; give the filter there or as an argument, not both\n");
      const curl = run(["query", base, "sn pr", "--param", "_countOnly=true", "--max-results", "1", "--curl"], "", { CREST_TOKEN: "Bearer s3cret" });
      expect(curl.stdout).toBe(`curl --silent --show-error --fail-with-body -H 'Accept: application/json' -H "Authorization: Bearer $CREST_TOKEN" '${base}?_queryFilter=%2Fsn%20pr&_pageSize=1&_countOnly=true'\n`);
      expect(curl.stderr).not.toContain("s3cret");
      const one = await runAsync(["query", base, "/accountStatus eq 'locked'", "--max-results", "1", "--timeout", "0"], { CREST_TOKEN: "Bearer tok" });
      expect(one.code).toBe(0);
      expect(one.stdout.trim().split("\n")).toHaveLength(1);
      expect(server.requests.at(-1)?.url).toContain("_pageSize=1");
      expect(server.requests.at(-1)?.headers.authorization).toBe("Bearer tok");
      expect(one.stderr).toBe('warning: CREST_TOKEN starts with "Bearer "; the scheme is added for you, so it was removed\npage 1: 1 resource\ndone: 1 resource in 1 page\n');
    } finally {
      await server.close();
    }
  });

  it("says no token was given on a 401, and reads TLS failures in words", async () => {
    const server: Server = createServer((_req, res) => {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: 401, reason: "Unauthorized", message: "Access Denied" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      expect((await runAsync(["query", `http://127.0.0.1:${port}/c`])).stderr).toBe("error: the server refused the request (401 Unauthorized) and no token was given: pass --token or set CREST_TOKEN\n");
      const tls = await runAsync(["query", `https://127.0.0.1:${port}/c`, "--retries", "0"]);
      expect(tls.code).toBe(1);
      expect(tls.stderr).toMatch(/^error: cannot reach 127\.0\.0\.1:\d+: the server does not speak TLS on that port \(is the URL http:\/\/\?\) \(ERR_SSL_\w+\)\n$/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("REPL commands", () => {
  it(".json on/off, .case ON, .fields * / none / default, .load ~ and quotes, .json with .fields, the sort shown", () => {
    const spaced = join(dir, "with space.json");
    writeFileSync(spaced, JSON.stringify([{ _id: "9", sn: "Z" }]));
    const out = run(
      ["repl", "--data", people],
      [".json on", ".json on", ".fields sn", "n eq 3", ".json off", ".case ON", ".fields *", "n eq 1", ".fields none", "n eq 1", ".fields default", ".sort -n", "n pr", `.load "${spaced}"`, ".load ~/definitely-not-here.json", ""].join("\n"),
    );
    expect(out.stdout).toContain("json: on\njson: on\n");
    expect(out.stdout).toContain('[\n  {\n    "_id": "1",\n    "sn": "Jensen"\n  }\n]');
    expect(out.stdout).toContain("case: on");
    expect(out.stdout).toMatch(/fields: \* \(whole resources\)\ncanonical {2}\/n eq 1\n[^\n]*\n[^\n]*\n\[\n {2}\{\n {4}"_id": "2",\n {4}"sn": "O'Brien",\n {4}"n": 1\n/);
    expect(out.stdout).toMatch(/fields: none \(counts only\)\ncanonical {2}\/n eq 1\nencoded[^\n]*\nmatches {4}1 of 2\n(?!sn)/);
    expect(out.stdout).toContain("fields: sn,_id\n");
    expect(out.stdout).toContain("matches    2 of 2, sorted by -n");
    expect(out.stdout).toContain("loaded 1 resource from");
    expect(out.stdout).toContain(`error: cannot read ${join(process.env.HOME ?? "", "definitely-not-here.json")}: no such file`);
  });
});

describe("terminal", () => {
  it("Ctrl-C clears the line, a second Ctrl-C on an empty line leaves, on a new line", () => {
    const out = inTerminal(`repl --data ${people}`, ["sn eq 'nothing", "\u0003", "n eq 3\r", "\u0003", "\u0003"]);
    expect(out).toContain("canonical  /n eq 3");
    expect(out).not.toContain("nothingn eq 3");
    expect(out).toContain("(to leave, press Ctrl-C again, Ctrl-D, or type .exit)");
    expect(out).toMatch(/crest> (\u001b\[\d+G)?\r?\n\[exit 0\]/);
  }, 30_000);

  it("Ctrl-D on an empty line leaves on a new line", () => {
    const out = inTerminal(`repl --data ${people}`, ["\u0004"]);
    expect(out).toMatch(/crest> (\u001b\[\d+G)?\r?\n\[exit 0\]/);
  }, 30_000);

  it("keeps query progress on lines of its own when the resources go to the same terminal", async () => {
    const server = await createMockServer({ collections: { user: "examples/users.json" } });
    try {
      const command = `${process.execPath} ${cli} query ${server.url}/user "/accountStatus eq 'locked'" --fields userName --page-size 1 --max-results 2`;
      const child = spawn("script", ["-qec", command, "/dev/null"], { cwd: root, env: { ...env, TERM: "xterm" }, stdio: ["pipe", "pipe", "pipe"] });
      let printed = "";
      child.stdout.on("data", (c: Buffer) => (printed += c.toString()));
      await new Promise((resolve) => child.on("close", resolve));
      const lines = printed.split(/\r?\n/).filter((l) => l !== "");
      expect(lines.filter((l) => l.startsWith("{"))).toHaveLength(2);
      for (const l of lines.filter((x) => x.startsWith("{"))) expect(() => JSON.parse(l) as unknown).not.toThrow();
      expect(lines).toContain("page 1: 1 resource");
      expect(lines).toContain("page 2: 2 resources");
      expect(lines).toContain("done: 2 resources in 2 pages");
    } finally {
      await server.close();
    }
  }, 30_000);

  it("fits the table to the terminal, measuring wide characters", () => {
    const file = join(dir, "wide.json");
    writeFileSync(file, JSON.stringify([{ _id: "1", userName: "山田太郎山田太郎山田太郎山田太郎", givenName: "😀😀😀", sn: "x".repeat(30), mail: "m".repeat(30) }]));
    const out = inTerminal(`repl --data ${file}`, [".fields userName,givenName,sn,mail\r", "true\r", ".exit\r"], 60);
    const rows = out.split(/\r?\n/).filter((l) => l.startsWith("userName") || l.startsWith("山田"));
    expect(rows).toHaveLength(2);
    // 山田… takes two columns a character; the row ends within 60 columns, cut with an ellipsis.
    const widthOf = (text: string) => [...text].reduce((w, c) => w + (/[\u3000-\u9fff]|\p{Extended_Pictographic}/u.test(c) ? 2 : 1), 0);
    for (const row of rows) expect(widthOf(row)).toBeLessThanOrEqual(60);
    expect(rows[1]).toContain("…");
    expect(rows[1]).toContain("😀😀😀");
  }, 30_000);
});
