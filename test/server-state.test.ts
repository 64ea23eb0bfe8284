import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createMockServer, type MockServer } from "../src/node/index.js";

// Concurrency and persistence over raw HTTP.

const servers: MockServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof createMockServer>[0]): Promise<MockServer> {
  const server = await createMockServer(options);
  servers.push(server);
  return server;
}

const JSON_HEADERS = { "content-type": "application/json" };
const increment = JSON.stringify([{ operation: "increment", field: "/n", value: 1 }]);

describe("concurrent writers", () => {
  it("50 concurrent increments with If-Match and retry on 412 end exactly at 50", async () => {
    const server = await start({ collections: { counter: [{ _id: "c", n: 0 }] } });
    const target = `${server.url}/counter/c`;
    let conflicts = 0;
    const writer = async () => {
      for (;;) {
        const current = (await (await fetch(target)).json()) as { _rev: string };
        const r = await fetch(target, { method: "PATCH", headers: { ...JSON_HEADERS, "if-match": `"${current._rev}"` }, body: increment });
        await r.arrayBuffer();
        if (r.status === 200) return;
        expect(r.status).toBe(412);
        conflicts++;
      }
    };
    await Promise.all(Array.from({ length: 50 }, writer));
    const final = (await (await fetch(target)).json()) as { n: number; _rev: string };
    expect(final.n).toBe(50);
    expect(final._rev).toBe("50");
    // Every lost race cost one 412 and one retry: 50 winners, and as many retries as conflicts.
    expect(server.requests.filter((r) => r.method === "PATCH")).toHaveLength(50 + conflicts);
  });

  it("of N writers holding the same revision exactly one wins; the others get 412 and change nothing", async () => {
    const server = await start({ collections: { counter: [{ _id: "c", n: 0 }] } });
    const target = `${server.url}/counter/c`;
    for (const method of ["PATCH", "PUT", "DELETE"] as const) {
      const rev = ((await (await fetch(target)).json()) as { _rev: string })._rev;
      const statuses = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const body = method === "PATCH" ? increment : method === "PUT" ? JSON.stringify({ n: 100 + i }) : undefined;
          const r = await fetch(target, { method, headers: { ...JSON_HEADERS, "if-match": `"${rev}"` }, ...(body === undefined ? {} : { body }) });
          await r.arrayBuffer();
          return r.status;
        }),
      );
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      // The losers of a DELETE find the resource gone (404); the others find a newer revision.
      expect(statuses.filter((s) => s === (method === "DELETE" ? 404 : 412))).toHaveLength(19);
      if (method !== "DELETE") expect(((await (await fetch(target)).json()) as { _rev: string })._rev).toBe(String(Number(rev) + 1));
    }
    expect((await fetch(target)).status).toBe(404);
  });

  it("without If-Match no write is lost: 50 concurrent increments end at 50", async () => {
    const server = await start({ collections: { counter: [{ _id: "c", n: 0 }] } });
    const target = `${server.url}/counter/c`;
    const statuses = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const r = await fetch(target, { method: "PATCH", headers: JSON_HEADERS, body: increment });
        await r.arrayBuffer();
        return r.status;
      }),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(((await (await fetch(target)).json()) as { n: number }).n).toBe(50);
  });

  it("concurrent creates of one id: exactly one 201", async () => {
    const server = await start({ collections: { things: [] } });
    const statuses = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const r = await fetch(`${server.url}/things/x`, { method: "PUT", headers: { ...JSON_HEADERS, "if-none-match": "*" }, body: JSON.stringify({ i }) });
        await r.arrayBuffer();
        return r.status;
      }),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(19);
  });
});

describe("persistence", () => {
  function tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "crest-persist-"));
    dirs.push(dir);
    return dir;
  }

  it("saves every change before answering and reads it back after a restart", async () => {
    const dir = tempDir();
    const file = join(dir, "data.json");
    const options = { collections: { "managed/user": [{ _id: "a", sn: "A" }], "internal/role": [] }, basePath: "/openidm", persist: file };
    const first = await start(options);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ collections: { "managed/user": [{ _id: "a", _rev: "0", sn: "A" }], "internal/role": [] } });
    const created = await fetch(`${first.url}/managed/user`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ _id: "b", sn: "B" }) });
    expect(created.status).toBe(201);
    // Saved by the time the response arrived.
    expect(JSON.parse(readFileSync(file, "utf8")).collections["managed/user"]).toHaveLength(2);
    await fetch(`${first.url}/managed/user/a`, { method: "PATCH", headers: JSON_HEADERS, body: JSON.stringify([{ operation: "replace", field: "/sn", value: "A2" }]) });
    await fetch(`${first.url}/internal/role`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ _id: "admin" }) });
    await first.close();

    // The initial data given again is ignored: the file wins.
    const second = await start(options);
    expect(await (await fetch(`${second.url}/managed/user/a`)).json()).toEqual({ _id: "a", _rev: "1", sn: "A2" });
    expect(((await (await fetch(`${second.url}/managed/user?_queryFilter=true`)).json()) as { resultCount: number }).resultCount).toBe(2);
    expect((await fetch(`${second.url}/internal/role/admin`)).status).toBe(200);
    await fetch(`${second.url}/managed/user/b`, { method: "DELETE" });
    await fetch(`${second.url}/managed/user?_action=clear`, { method: "POST" });
    expect(JSON.parse(readFileSync(file, "utf8")).collections["managed/user"]).toEqual([]);
    // No temporary files are left behind.
    expect(readdirSync(dir)).toEqual(["data.json"]);
  });

  it("many concurrent writes leave a whole file holding every one of them", async () => {
    const dir = tempDir();
    const file = join(dir, "data.json");
    const server = await start({ collections: { things: [] }, persist: file });
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const r = await fetch(`${server.url}/things`, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ _id: `t${i}`, i }) });
        await r.arrayBuffer();
      }),
    );
    const saved = JSON.parse(readFileSync(file, "utf8")) as { collections: { things: { _id: string }[] } };
    expect(saved.collections.things.map((t) => t._id).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `t${i}`).sort());
    expect(readdirSync(dir)).toEqual(["data.json"]);
  });

  it("keeps collections the file holds but the server does not serve; refuses a broken file", async () => {
    const dir = tempDir();
    const file = join(dir, "data.json");
    writeFileSync(file, JSON.stringify({ collections: { other: [{ _id: "o" }], things: [{ _id: "kept", _rev: "4" }] } }));
    const server = await start({ collections: { things: [{ _id: "ignored" }] }, persist: file });
    expect(((await (await fetch(`${server.url}/things/kept`)).json()) as { _rev: string })._rev).toBe("4");
    await fetch(`${server.url}/things/kept`, { method: "DELETE" });
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ collections: { things: [], other: [{ _id: "o" }] } });
    writeFileSync(file, "{ torn");
    await expect(createMockServer({ collections: { things: [] }, persist: file })).rejects.toThrow(/persistence file/);
  });
});
