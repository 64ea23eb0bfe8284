import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryCollection } from "../src/index.js";
import { createMockServer, type MockServer } from "../src/node/index.js";

// The REPL's .connect, driven through the built binary against a server that wants a token: each
// filter then runs on the server (its count and first page) instead of the loaded data.
const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "dist", "cli.js");
const users = JSON.parse(readFileSync(join(root, "examples", "users.json"), "utf8")) as Array<Record<string, unknown>>;
const live = users.slice(0, 300);
let server: MockServer;

beforeAll(async () => {
  server = await createMockServer({ collections: { "managed/alpha_user": live }, basePath: "/openidm", auth: { tokens: ["t0ken-for-tests"] } });
});
afterAll(() => server.close());

function repl(lines: readonly string[], env: Record<string, string> = {}): Promise<string> {
  const child = spawn(process.execPath, [cli, "repl"], { env: { ...process.env, NO_COLOR: "1", CREST_QUERY_HISTORY: "", CREST_TOKEN: "", ...env }, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (out += c.toString()));
  child.stdin.end(`${lines.join("\n")}\n`);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", () => resolve(out));
  });
}

describe("REPL .connect", () => {
  it("runs each filter against the live collection, with the token from CREST_TOKEN, until .disconnect", async () => {
    const url = `${server.url}/managed/alpha_user`;
    const filter = '/accountStatus eq "active" and /sn sw "a"';
    const out = await repl([`.connect ${url}`, filter, ".disconnect", filter, ".exit"], { CREST_TOKEN: "Bearer t0ken-for-tests" });
    expect(out, out).toContain(`connected to ${url} (300 resources)`);
    const remote = queryCollection(live, { queryFilter: filter, totalPagedResultsPolicy: "EXACT" }).totalPagedResults;
    const local = queryCollection(users, { queryFilter: filter, totalPagedResultsPolicy: "EXACT" }).totalPagedResults;
    expect(remote).not.toBe(local);
    expect(out).toMatch(new RegExp(`matches +${remote} at ${url.replace(/[.]/g, "\\.")}`));
    expect(out).toContain("disconnected from");
    expect(out).toMatch(new RegExp(`matches +${local} of ${users.length}`));
    expect(out).not.toContain("t0ken-for-tests");
  }, 60_000);

  it("says what went wrong and stays on the loaded data when the server refuses the token", async () => {
    const url = `${server.url}/managed/alpha_user`;
    const out = await repl([`.connect ${url} wrong-token`, "/sn pr", ".exit"]);
    expect(out, out).toMatch(/error: cannot connect to .* \(401 Unauthorized\); the token was refused/);
    expect(out).not.toContain("connected to");
    expect(out).not.toContain("wrong-token");
    expect(out).toContain(`of ${users.length}`);
  }, 60_000);

  it("refuses what is not a collection URL", async () => {
    const out = await repl([".connect nothing", `.connect ${server.url}/managed/alpha_user?_queryFilter=true`, ".exit"]);
    expect(out).toContain('"nothing" is not a URL');
    expect(out).toContain("without parameters");
  }, 60_000);
});
