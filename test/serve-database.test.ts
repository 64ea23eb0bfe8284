import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, serveCli, stopServe } from "./helpers/cli.js";
import { queryCollection } from "../src/index.js";
import { openPostgres, tableForCollection } from "../src/node/index.js";

// `crest-query serve --pglite DIR` and `--postgres URL` as real processes: the collections live in
// PostgreSQL, answers equal the in-memory engine's, and changes survive a restart.

const cli = CLI;
const dir = mkdtempSync(join(tmpdir(), "crest-serve-db-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const serverUrl = process.env.CREST_TEST_POSTGRES_URL;
if (serverUrl === undefined) console.warn("serve --postgres: SKIPPING the PostgreSQL server run: CREST_TEST_POSTGRES_URL is not set; the --pglite run goes on.");

const users = Array.from({ length: 40 }, (_, i) => ({ _id: `u${i}`, sn: ["Jensen", "Carter", "Ölund", "anders"][i % 4], n: i, active: i % 3 !== 0 }));
writeFileSync(join(dir, "users.json"), JSON.stringify(users));

async function serve(args: string[]) {
  const served = await serveCli(["--collection", "managed/test_user=users.json", ...args], { cwd: dir });
  return { ...served, url: served.urls[0] as string };
}
const stop = stopServe;

const query = "_queryFilter=active eq true and n ge 5&_sortKeys=sn,-n&_pageSize=7&_totalPagedResultsPolicy=EXACT";

async function walk(url: string): Promise<unknown[]> {
  const seen: unknown[] = [];
  let cookie: string | null = null;
  do {
    const response = await fetch(`${url}?${encodeURI(query)}${cookie === null ? "" : `&_pagedResultsCookie=${encodeURIComponent(cookie)}`}`);
    expect(response.status).toBe(200);
    const page = (await response.json()) as { result: Array<{ _id: string }>; pagedResultsCookie: string | null; totalPagedResults: number };
    expect(page.totalPagedResults).toBe(queryCollection(users, query).totalPagedResults);
    seen.push(...page.result.map((r) => r._id));
    cookie = page.pagedResultsCookie;
  } while (cookie !== null);
  return seen;
}

const expectedIds = () => queryCollection(users, query.replace("&_pageSize=7", "")).result.map((r) => r._id);

describe.each([
  ["--pglite", () => join(dir, "pglite")],
  ...(serverUrl === undefined ? [] : [["--postgres", () => serverUrl] as const]),
] as Array<readonly [string, () => string]>)("crest-query serve %s", (flag, where) => {
  it("answers queries as the in-memory engine does, and keeps changes across a restart", async () => {
    if (flag === "--postgres") {
      const database = await openPostgres(where());
      await database.executor.query(`DROP TABLE IF EXISTS ${tableForCollection("managed/test_user")}`);
      await database.close();
    }
    const first = await serve([flag, where()]);
    expect(first.stderr()).toMatch(/kept in PostgreSQL/);
    expect(first.stderr()).not.toMatch(/:[^@/]*@/); // no password in the banner
    expect(await walk(first.url)).toEqual(expectedIds());
    const created = await fetch(first.url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ _id: "new", sn: "Zed", n: 99, active: true }) });
    expect(created.status).toBe(201);
    expect(await stop(first)).toBe(0);

    const second = await serve([flag, where()]);
    const read = await fetch(`${second.url}/new`);
    expect(read.status).toBe(200);
    expect(((await read.json()) as { sn: string }).sn).toBe("Zed");
    const count = await fetch(`${second.url}?_queryFilter=true&_totalPagedResultsPolicy=EXACT&_pageSize=1`);
    expect(((await count.json()) as { totalPagedResults: number }).totalPagedResults).toBe(users.length + 1); // the file did not fill the table twice
    expect(await stop(second)).toBe(0);
  }, 120_000);
});

describe("crest-query serve: database options", () => {
  it("refuses two places for the data, and says why a server cannot be reached, without its password", () => {
    const both = spawnSync(process.execPath, [cli, "serve", "--persist", "x.json", "--pglite", "db"], { cwd: dir, encoding: "utf8", timeout: 30_000 });
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/give one of them/);
    const unreachable = spawnSync(process.execPath, [cli, "serve", "--postgres", "postgres://me:s3cret-pass@127.0.0.1:1/nothing"], { cwd: dir, encoding: "utf8", timeout: 30_000 });
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toMatch(/--postgres: Cannot connect to PostgreSQL at 127\.0\.0\.1:1\/nothing/);
    expect(unreachable.stderr).not.toContain("s3cret-pass");
  }, 60_000);
});
