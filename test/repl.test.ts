import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { sampleDataPath } from "../src/cli/data.js";
import { runRepl } from "../src/cli/repl.js";

const dir = mkdtempSync(join(tmpdir(), "crest-repl-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const small = join(dir, "small.json");
writeFileSync(
  small,
  JSON.stringify({
    result: [
      { _id: "1", userName: "bjensen", sn: "Jensen", loginCount: 5, address: { city: "Oslo" } },
      { _id: "2", userName: "zoe", sn: "O'Brien", loginCount: 12, address: { city: "Kraków" } },
      { _id: "3", userName: "lukasz", sn: "Nowak", loginCount: 7 },
    ],
  }),
);

async function session(input: string | readonly string[], options: { terminal?: boolean; color?: boolean; historyFile?: string; dataFile?: string } = {}): Promise<string> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  const done = runRepl({
    input: stdin,
    output: stdout,
    terminal: options.terminal ?? false,
    color: options.color ?? false,
    dataFile: options.dataFile ?? small,
    ...(options.historyFile === undefined ? {} : { historyFile: options.historyFile }),
  });
  // Chunks arrive one at a time, as keys do from a terminal (one big chunk would read as a paste).
  for (const chunk of typeof input === "string" ? [input] : input) {
    stdin.write(chunk);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  stdin.end();
  await done;
  return out;
}

describe("REPL session", () => {
  it("answers good lines with the canonical form, the encoding, the count and a table", async () => {
    const out = await session("LOGINCOUNT GT 6\n");
    expect(out).toContain("crest-query REPL: 3 resources from");
    expect(out).toContain("canonical  /LOGINCOUNT gt 6");
    expect(out).toContain("encoded    _queryFilter=%2FLOGINCOUNT%20gt%206");
    expect(out).toContain("matches    0 of 3");
    const out2 = await session("loginCount gt 6\n");
    expect(out2).toContain("matches    2 of 3");
    expect(out2).toMatch(/userName\s+sn[^\n]*\n.*zoe\s+O'Brien[^\n]*\n.*lukasz\s+Nowak/);
  });

  it("answers bad lines with the error and a caret, and shows warnings", async () => {
    const out = await session("sn eq\nsn ne 'x'\n{\"a\":1}\n");
    expect(out).toContain('error: Missing value after operator "eq" at line 1, column 6.');
    expect(out).toContain("sn eq\n     ^");
    expect(out).toContain('warning: "ne" is read as an extended operator');
    expect(out).toContain("that looks like JSON");
  });

  it("runs every dot-command", async () => {
    const out = await session(
      [
        ".help",
        ".fields userName,address/city",
        ".sort -loginCount",
        ".limit 1",
        "true",
        ".case on",
        "sn eq 'jensen'",
        ".case off",
        "sn eq 'jensen'",
        ".json",
        "_id eq '2'",
        ".json",
        `.load ${sampleDataPath()}`,
        ".limit 0",
        "accountStatus eq 'active'",
        ".limit x",
        ".nope",
        ".exit",
        "this line is never read",
      ].join("\n"),
    );
    expect(out).toContain(".load <file>    load resources from a file: a JSON array");
    expect(out).toContain("fields: userName,address/city");
    expect(out).toContain("sort: -loginCount");
    expect(out).toContain("limit: 1");
    expect(out).toMatch(/userName\s+address\/city\n.*zoe\s+Kraków\n.*\(first 1 of 3; \.limit to see more\)/);
    expect(out).toContain("case: on (strings compare with their case)");
    expect(out).toMatch(/sn eq "jensen"\n.*\n.*matches {4}0 of 3/);
    expect(out).toMatch(/case: off[^\n]*\n[\s\S]*?matches {4}1 of 3/);
    expect(out).toContain('"userName": "zoe"');
    expect(out).toContain("json: off");
    expect(out).toContain("loaded 1000 resources from");
    expect(out).toContain("matches    782 of 1000");
    expect(out).toContain('error: .limit takes a whole number, not "x"');
    expect(out).toContain("error: unknown command .nope; .help lists them");
    expect(out).not.toContain("this line is never read");
  });

  it("completes keywords, operators and fields on Tab", async () => {
    const out = await session(["address/ci", "\t", " pr\r", "loginCount g", "\t", "\t", "t 6\r", ".ex", "\t", "\r"], { terminal: true });
    expect(out).toContain("canonical  /address/city pr");
    expect(out).toContain("matches    2 of 3");
    // Two operators start with g: the completer lists them both.
    expect(out).toMatch(/ge\s+gt/);
  });

  it("completes by position: operators after a field, values seen in the data after an operator, and/or after a value", async () => {
    const afterField = await session(["sn ", "\t", "\t", "\r"], { terminal: true });
    expect(afterField).toMatch(/co\s+eq\s+ge\s+gt\s+le\s+lt\s+pr\s+sw/);
    expect(afterField).not.toMatch(/loginCount\s+sn/);
    const value = await session(["sn eq ", "\t", "\t", "\r"], { terminal: true });
    expect(value).toMatch(/"Jensen"\s+"Nowak"\s+"O'Brien"/);
    const one = await session(["address/city eq \"K", "\t", "\r"], { terminal: true });
    expect(one).toContain('canonical  /address/city eq "Kraków"');
    const joiner = await session(["sn eq 'x' a", "\t", " sn pr\r"], { terminal: true });
    expect(joiner).toContain('canonical  /sn eq "x" and /sn pr');
  });

  it("keeps history across runs", async () => {
    const historyFile = join(dir, "history");
    await session("sn pr\n", { historyFile });
    await session("loginCount gt 1\n", { historyFile });
    expect(readFileSync(historyFile, "utf8")).toBe("sn pr\nloginCount gt 1\n");
    // Up-arrow in a terminal recalls the previous run's line.
    const out = await session(["\u001b[A", "\r", ".exit\r"], { terminal: true, historyFile });
    expect(out).toContain("canonical  /loginCount gt 1");
  });

  it("colours only when asked", async () => {
    expect(await session("sn eq\n", { color: true })).toContain("\u001b[31merror\u001b[39m");
    expect(await session("sn eq\n")).not.toContain("\u001b[");
  });
});
