import { request as httpRequest } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CrestError, queryCollection } from "../src/index.js";
import { createMockServer, type MockServer, type MockServerOptions } from "../src/node/index.js";

// The CREST protocol over raw HTTP (fetch and node:http, not our client): every routing row,
// preconditions, patch, actions, named queries, counts, parameters and error bodies.

const servers: MockServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const users = () => [
  { _id: "bjensen", _rev: "0", sn: "Jensen", givenName: "Barbara", mail: "bjensen@example.com", roles: ["user"], loginCount: 3, owner: "alice" },
  { _id: "scarter", sn: "Carter", givenName: "Sam", roles: ["user", "admin"], loginCount: 0, owner: "bob" },
  { _id: "Bjensen", sn: "Other", owner: "alice" },
];

async function start(extra: Partial<MockServerOptions> = {}): Promise<MockServer> {
  const server = await createMockServer({
    collections: { "managed/user": users(), "managed/alpha_user": [{ _id: "a1", sn: "Alpha" }], managed: [{ _id: "m1" }], "system/ldap/account": [{ _id: "uid=x,ou=people", cn: "x" }], "internal/role": [] },
    basePath: "/openidm",
    ...extra,
  });
  servers.push(server);
  return server;
}

let server: MockServer;
beforeEach(async () => {
  server = await start({
    query: { queries: { "by-owner": (resources, request) => resources.filter((r) => (r as { owner?: string }).owner === request.extra?.owner) } },
    actions: {
      "managed/user": {
        collection: {
          echo: ({ body, params, collection, id }) => ({ body: body ?? null, params, collection, id: id ?? null }),
          fail: ({ params }) => {
            throw new CrestError(Number(params.status), `failing with ${params.status}`);
          },
          crash: () => {
            throw new Error("secret internals");
          },
        },
        resource: {
          touch: async ({ id, store }) => {
            const current = await store.read(id ?? "");
            if (current !== undefined) await store.update(current._id, { ...current, touched: true });
          },
        },
      },
    },
  });
});

const url = (path: string) => `${server.url}/${path}`;
const JSON_HEADERS = { "content-type": "application/json" };

async function call(method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) {
  const response = await fetch(url(path), {
    method,
    headers: { ...(init.body === undefined ? {} : JSON_HEADERS), ...init.headers },
    ...(init.body === undefined ? {} : { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

async function read(id: string, collection = "managed/user") {
  return (await call("GET", `${collection}/${encodeURIComponent(id)}`)).body;
}

function expectCrestError(reply: { status: number; body: Record<string, unknown> | undefined }, status: number, message?: RegExp) {
  expect(reply.status).toBe(status);
  expect(reply.body?.code).toBe(status);
  expect(typeof reply.body?.reason).toBe("string");
  expect(typeof reply.body?.message).toBe("string");
  if (message !== undefined) expect(reply.body?.message).toMatch(message);
}

describe("routing: GET", () => {
  it("queries with _queryFilter and _queryId, on multi-segment collection names", async () => {
    const q = await call("GET", "managed/user?_queryFilter=sn+eq+%22jensen%22&_totalPagedResultsPolicy=EXACT");
    expect(q.status).toBe(200);
    expect((q.body?.result as { _id: string }[]).map((r) => r._id)).toEqual(["bjensen"]);
    expect(q.body?.totalPagedResults).toBe(1);
    const all = await call("GET", "managed/user?_queryId=query-all-ids");
    expect(all.body?.result).toEqual([
      { _id: "bjensen", _rev: "0" },
      { _id: "scarter", _rev: "0" },
      { _id: "Bjensen", _rev: "0" },
    ]);
    expect(((await call("GET", "managed/alpha_user?_queryFilter=true")).body?.result as unknown[]).length).toBe(1);
    expect((await call("GET", "system/ldap/account?_queryFilter=true")).body?.resultCount).toBe(1);
  });

  it("_queryExpression is 501; two query kinds together are 400", async () => {
    expectCrestError(await call("GET", "managed/user?_queryExpression=select"), 501);
    expectCrestError(await call("GET", "managed/user?_queryFilter=true&_queryId=query-all"), 400, /_queryFilter and _queryId/);
    expectCrestError(await call("GET", "managed/user?_queryFilter=true&_queryExpression=x"), 400);
  });

  it("reads a resource by its case-sensitive, percent-decoded id, with an ETag", async () => {
    const r = await call("GET", "managed/user/bjensen");
    expect(r.status).toBe(200);
    expect(r.headers.get("etag")).toBe('"0"');
    expect(r.headers.get("content-type")).toMatch(/^application\/json/);
    expect(r.body?.sn).toBe("Jensen");
    expect((await call("GET", "managed/user/Bjensen")).body?.sn).toBe("Other");
    expect((await call("GET", "system/ldap/account/uid%3Dx%2Cou%3Dpeople")).body?.cn).toBe("x");
  });

  it("routes by the longest configured collection name", async () => {
    // "managed" is a collection too: managed/m1 is its resource, managed/user/x is managed/user's.
    expect((await call("GET", "managed/m1")).body?._id).toBe("m1");
    expectCrestError(await call("GET", "managed/user/nobody"), 404, /Resource 'managed\/user\/nobody' not found/);
    expectCrestError(await call("GET", "managed/user/bjensen/extra"), 404);
    expectCrestError(await call("GET", "nowhere/x"), 404);
    const outside = await fetch(`${server.url.replace(/\/openidm$/, "")}/other/managed/user/bjensen`);
    expect(outside.status).toBe(404);
  });

  it("a GET on a collection without a query is a 400 naming the parameters", async () => {
    expectCrestError(await call("GET", "managed/user"), 400, /_queryFilter or _queryId/);
    expectCrestError(await call("GET", "managed/user/bjensen?_queryFilter=true"), 400, /applies to a collection/);
  });
});

describe("routing: create", () => {
  it("POST ?_action=create picks a UUID, answers 201 with Location and ETag", async () => {
    const r = await call("POST", "managed/user?_action=create", { body: { sn: "New" } });
    expect(r.status).toBe(201);
    const id = r.body?._id as string;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(r.body?._rev).toBe("0");
    expect(r.headers.get("location")).toBe(`${server.url}/managed/user/${id}`);
    expect(r.headers.get("etag")).toBe('"0"');
    const back = await fetch(r.headers.get("location") as string);
    expect(((await back.json()) as { sn: string }).sn).toBe("New");
  });

  it("POST without _action creates; the body's _id is used; a taken id is 412", async () => {
    const r = await call("POST", "managed/user", { body: { _id: "new one", sn: "X" } });
    expect(r.status).toBe(201);
    expect(r.headers.get("location")).toBe(`${server.url}/managed/user/new%20one`);
    expect((await read("new one"))?.sn).toBe("X");
    expectCrestError(await call("POST", "managed/user", { body: { _id: "bjensen", sn: "Y" } }), 412);
    expect((await read("bjensen"))?.sn).toBe("Jensen");
    expectCrestError(await call("POST", "managed/user", { body: { _id: 7 } }), 400, /_id/);
    expectCrestError(await call("POST", "managed/user", { body: [1] }), 400, /JSON object/);
    expectCrestError(await call("POST", "managed/user", { body: "{oops" }), 400, /not valid JSON/);
    expectCrestError(await call("POST", "managed/user"), 400, /JSON body/);
  });

  it("PUT with If-None-Match: * creates with the path's id, 412 if it exists", async () => {
    const r = await call("PUT", "managed/user/fresh", { body: { sn: "Fresh", _id: "ignored" }, headers: { "if-none-match": "*" } });
    expect(r.status).toBe(201);
    expect(r.body?._id).toBe("fresh");
    expect(r.headers.get("location")).toBe(`${server.url}/managed/user/fresh`);
    expectCrestError(await call("PUT", "managed/user/fresh", { body: { sn: "Again" }, headers: { "if-none-match": "*" } }), 412);
    expect((await read("fresh"))?.sn).toBe("Fresh");
  });

  it("PUT with If-None-Match of another value is 400", async () => {
    expectCrestError(await call("PUT", "managed/user/bjensen", { body: { sn: "Z" }, headers: { "if-none-match": '"0"' } }), 400, /If-None-Match/);
    expect((await read("bjensen"))?.sn).toBe("Jensen");
  });
});

describe("routing: update, patch, delete", () => {
  it("PUT with If-Match: REV updates; a stale REV is 412 and changes nothing; a missing resource is 404", async () => {
    const r = await call("PUT", "managed/user/bjensen", { body: { sn: "Jensen-Smith" }, headers: { "if-match": '"0"' } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ _id: "bjensen", _rev: "1", sn: "Jensen-Smith" });
    expect(r.headers.get("etag")).toBe('"1"');
    const stale = await call("PUT", "managed/user/bjensen", { body: { sn: "Lost" }, headers: { "if-match": '"0"' } });
    expectCrestError(stale, 412);
    expect(await read("bjensen")).toEqual({ _id: "bjensen", _rev: "1", sn: "Jensen-Smith" });
    expectCrestError(await call("PUT", "managed/user/nobody", { body: { sn: "N" }, headers: { "if-match": "*" } }), 404);
    expect((await call("PUT", "managed/user/bjensen", { body: { sn: "Any" }, headers: { "if-match": "*" } })).body?._rev).toBe("2");
  });

  it("PUT with neither header upserts: 201 when missing, 200 when present", async () => {
    const created = await call("PUT", "managed/user/upsert", { body: { sn: "One" } });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe(`${server.url}/managed/user/upsert`);
    const updated = await call("PUT", "managed/user/upsert", { body: { sn: "Two" } });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ _id: "upsert", _rev: "1", sn: "Two" });
  });

  it("PUT with both headers is 412", async () => {
    expectCrestError(await call("PUT", "managed/user/bjensen", { body: { sn: "B" }, headers: { "if-match": "*", "if-none-match": "*" } }), 412);
    expect((await read("bjensen"))?.sn).toBe("Jensen");
  });

  it("PATCH applies operations with or without If-Match; a stale If-Match is 412", async () => {
    const ops = [{ operation: "replace", field: "/sn", value: "Patched" }];
    const r = await call("PATCH", "managed/user/bjensen", { body: ops });
    expect(r.status).toBe(200);
    expect(r.body?.sn).toBe("Patched");
    expect(r.headers.get("etag")).toBe('"1"');
    expectCrestError(await call("PATCH", "managed/user/bjensen", { body: ops, headers: { "if-match": '"0"' } }), 412);
    expect((await call("PATCH", "managed/user/bjensen", { body: ops, headers: { "if-match": '"1"' } })).body?._rev).toBe("2");
    expectCrestError(await call("PATCH", "managed/user/nobody", { body: ops }), 404);
  });

  it("DELETE answers 200 with the deleted resource; a stale If-Match is 412", async () => {
    expectCrestError(await call("DELETE", "managed/user/bjensen", { headers: { "if-match": '"5"' } }), 412);
    const r = await call("DELETE", "managed/user/bjensen", { headers: { "if-match": '"0"' } });
    expect(r.status).toBe(200);
    expect(r.body?.sn).toBe("Jensen");
    expect(r.headers.get("etag")).toBe('"0"');
    expectCrestError(await call("GET", "managed/user/bjensen"), 404);
    expectCrestError(await call("DELETE", "managed/user/bjensen"), 404);
    expect((await call("DELETE", "managed/user/scarter")).status).toBe(200);
  });

  it("POST with X-HTTP-Method-Override acts as PUT, PATCH or DELETE", async () => {
    const put = await call("POST", "managed/user/bjensen", { body: { sn: "Put" }, headers: { "x-http-method-override": "PUT", "if-match": '"0"' } });
    expect(put.body).toEqual({ _id: "bjensen", _rev: "1", sn: "Put" });
    const patch = await call("POST", "managed/user/bjensen", { body: [{ operation: "add", field: "/mail", value: "m" }], headers: { "x-http-method-override": "patch" } });
    expect(patch.body?.mail).toBe("m");
    const del = await call("POST", "managed/user/bjensen", { headers: { "x-http-method-override": "DELETE" } });
    expect(del.status).toBe(200);
    expectCrestError(await call("GET", "managed/user/bjensen"), 404);
    expectCrestError(await call("POST", "managed/user/scarter", { headers: { "x-http-method-override": "GET" } }), 400, /X-HTTP-Method-Override/);
    expectCrestError(await call("PUT", "managed/user/scarter", { body: {}, headers: { "x-http-method-override": "DELETE" } }), 400, /POST only/);
  });

  it("a method a path cannot take is 405; an unknown method is 501", async () => {
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      const r = await call(method, "managed/user", method === "DELETE" ? {} : { body: {} });
      expectCrestError(r, 405);
      expect(r.headers.get("allow")).toBe("GET, POST");
    }
    // Node's HTTP parser refuses methods it does not know; the handler test sends made-up ones.
    expectCrestError(await call("PROPFIND", "managed/user/bjensen"), 501, /PROPFIND/);
    expectCrestError(await call("OPTIONS", "managed/user"), 501);
  });
});

describe("revisions and preconditions on reads", () => {
  it("If-None-Match with the current revision is 304 without a body; another revision reads", async () => {
    const r = await fetch(url("managed/user/bjensen"), { headers: { "if-none-match": '"0"' } });
    expect(r.status).toBe(304);
    expect(await r.text()).toBe("");
    expect(r.headers.get("etag")).toBe('"0"');
    const other = await call("GET", "managed/user/bjensen", { headers: { "if-none-match": '"7"' } });
    expect(other.status).toBe(200);
    await call("PATCH", "managed/user/bjensen", { body: [{ operation: "increment", field: "/loginCount", value: 1 }] });
    expect((await fetch(url("managed/user/bjensen"), { headers: { "if-none-match": '"0"' } })).status).toBe(200);
    expect((await fetch(url("managed/user/bjensen"), { headers: { "if-none-match": 'W/"1"' } })).status).toBe(304);
  });

  it("If-Match on a read is 412", async () => {
    expectCrestError(await call("GET", "managed/user/bjensen", { headers: { "if-match": '"0"' } }), 412);
  });

  it("requireRevision makes writes without If-Match 428", async () => {
    const strict = await start({ requireRevision: true });
    const r = await fetch(`${strict.url}/managed/user/bjensen`, { method: "PATCH", headers: JSON_HEADERS, body: "[]" });
    expect(r.status).toBe(428);
    expect(((await r.json()) as { code: number }).code).toBe(428);
    expect((await fetch(`${strict.url}/managed/user/bjensen`, { method: "DELETE" })).status).toBe(428);
    expect((await fetch(`${strict.url}/managed/user/bjensen`, { method: "DELETE", headers: { "if-match": '"0"' } })).status).toBe(200);
  });
});

describe("patch operations", () => {
  const patch = (ops: unknown, headers: Record<string, string> = {}) => call("PATCH", "managed/user/bjensen", { body: ops, headers });

  it("add: creates parents, replaces single values, appends with -, inserts at N, appends arrays", async () => {
    const r = await patch([
      { operation: "add", field: "/address/city", value: "Oslo" },
      { operation: "add", field: "/sn", value: "Added" },
      { operation: "add", field: "/roles/-", value: "z" },
      { operation: "add", field: "/roles/0", value: "first" },
      { operation: "add", field: "/roles", value: ["user", "y"] },
    ]);
    expect(r.body?.address).toEqual({ city: "Oslo" });
    expect(r.body?.sn).toBe("Added");
    expect(r.body?.roles).toEqual(["first", "user", "z", "user", "y"]);
  });

  it("remove: a field, an element, a value from a single field if equal, every equal element", async () => {
    await patch([{ operation: "add", field: "/roles", value: ["admin", "user", "x"] }]);
    const r = await patch([
      { operation: "remove", field: "/mail" },
      { operation: "remove", field: "/roles", value: "user" },
      { operation: "remove", field: "/roles/0" },
      { operation: "remove", field: "/sn", value: "Other" },
      { operation: "remove", field: "/givenName", value: "Barbara" },
      { operation: "remove", field: "/nothing" },
    ]);
    expect(r.body?.mail).toBeUndefined();
    // ["user", "admin", "user", "x"] less every "user", less element 0
    expect(r.body?.roles).toEqual(["x"]);
    expect(r.body?.sn).toBe("Jensen");
    expect(r.body?.givenName).toBeUndefined();
  });

  it("replace: a field, one element", async () => {
    const r = await patch([
      { operation: "replace", field: "/sn", value: "R" },
      { operation: "replace", field: "/roles/0", value: "member" },
      { operation: "replace", field: "/new/deep", value: 1 },
    ]);
    expect(r.body).toMatchObject({ sn: "R", roles: ["member"], new: { deep: 1 } });
    expectCrestError(await patch([{ operation: "replace", field: "/roles/5", value: "x" }]), 400, /roles|5/);
  });

  it("increment: numbers and arrays of numbers; missing or non-number fields are 400 naming the field", async () => {
    await patch([{ operation: "add", field: "/scores", value: [1, 2] }]);
    const r = await patch([
      { operation: "increment", field: "/loginCount", value: 2 },
      { operation: "increment", field: "/loginCount", value: -1 },
      { operation: "increment", field: "/scores", value: 10 },
    ]);
    expect(r.body?.loginCount).toBe(4);
    expect(r.body?.scores).toEqual([11, 12]);
    expectCrestError(await patch([{ operation: "increment", field: "/missing", value: 1 }]), 400, /\/missing/);
    expectCrestError(await patch([{ operation: "increment", field: "/sn", value: 1 }]), 400, /\/sn/);
  });

  it("copy and move; a missing from is a no-op", async () => {
    const r = await patch([
      { operation: "copy", field: "/backup/sn", from: "/sn" },
      { operation: "move", field: "/email", from: "/mail" },
      { operation: "move", field: "/x", from: "/absent" },
    ]);
    expect(r.body?.backup).toEqual({ sn: "Jensen" });
    expect(r.body?.email).toBe("bjensen@example.com");
    expect(r.body?.mail).toBeUndefined();
    expect(r.body?.x).toBeUndefined();
  });

  it("transform is 501 without a transform function, and runs with one", async () => {
    expectCrestError(await patch([{ operation: "transform", field: "/sn", value: "upper" }]), 501);
    const withTransform = await start({ transform: (current, how) => (how === "upper" && typeof current === "string" ? current.toUpperCase() : current) });
    const r = await fetch(`${withTransform.url}/managed/user/bjensen`, { method: "PATCH", headers: JSON_HEADERS, body: JSON.stringify([{ operation: "transform", field: "/sn", value: "upper" }]) });
    expect(((await r.json()) as { sn: string }).sn).toBe("JENSEN");
  });

  it("validation failures are 400 and name the operation", async () => {
    const bad: Array<[unknown, RegExp]> = [
      [[{ operation: "frob", field: "/a", value: 1 }], /unknown operation/],
      [[{ operation: "add", field: "/a" }], /needs a value/],
      [[{ operation: "replace", field: "/a", value: 1, from: "/b" }], /takes no from/],
      [[{ operation: "increment", field: "/a" }], /needs a value/],
      [[{ operation: "transform", field: "/a", from: "/b", value: 1 }], /takes no from/],
      [[{ operation: "copy", field: "/a" }], /needs a from/],
      [[{ operation: "move", field: "/a", from: "/b", value: 1 }], /takes no value/],
      [[{ operation: "remove", field: "/a", from: "/b" }], /takes no from/],
      [[{ operation: "add", path: "/a", value: 1 }], /unknown member 'path'|field/],
      [{ operation: "add", field: "/a", value: 1 }, /JSON array/],
      [[{ operation: "add", field: "/_id", value: "x" }], /_id/],
    ];
    for (const [ops, message] of bad) {
      const r = await patch(ops);
      expectCrestError(r, 400, message);
    }
    expect(await read("bjensen")).toMatchObject({ _rev: "0", sn: "Jensen" });
  });

  it("is all or nothing: a failing operation leaves the resource and its revision unchanged", async () => {
    const before = await read("bjensen");
    const r = await patch([
      { operation: "replace", field: "/sn", value: "Changed" },
      { operation: "add", field: "/roles/-", value: "x" },
      { operation: "increment", field: "/sn", value: 1 },
    ]);
    expectCrestError(r, 400, /Patch operation 2 \(increment \/sn\)/);
    expect(await read("bjensen")).toEqual(before);
  });

  it("415 for a body that is not JSON", async () => {
    const r = await fetch(url("managed/user/bjensen"), { method: "PATCH", headers: { "content-type": "text/plain" }, body: "[]" });
    expect(r.status).toBe(415);
    expect(((await r.json()) as { code: number }).code).toBe(415);
    const put = await fetch(url("managed/user/bjensen"), { method: "PUT", body: JSON.stringify({ sn: "plain" }) });
    expect(put.status).toBe(415);
    expect((await read("bjensen"))?.sn).toBe("Jensen");
  });
});

describe("actions", () => {
  it("clear removes every resource and answers { cleared: n }", async () => {
    const r = await call("POST", "managed/user?_action=clear");
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ cleared: 3 });
    expect((await call("GET", "managed/user?_queryFilter=true")).body?.resultCount).toBe(0);
    expect((await call("GET", "managed/alpha_user?_queryFilter=true")).body?.resultCount).toBe(1);
  });

  it("registered collection actions get the body and the other parameters", async () => {
    const r = await call("POST", "managed/user?_action=echo&owner=alice&x=1", { body: { a: 1 } });
    expect(r.body).toEqual({ body: { a: 1 }, params: { owner: "alice", x: "1" }, collection: "managed/user", id: null });
  });

  it("a resource action returning nothing answers 204; on a missing resource 404", async () => {
    const r = await fetch(url("managed/user/bjensen?_action=touch"), { method: "POST" });
    expect(r.status).toBe(204);
    expect(await r.text()).toBe("");
    expect((await read("bjensen"))?.touched).toBe(true);
    expectCrestError(await call("POST", "managed/user/nobody?_action=touch"), 404);
  });

  it("an unknown action is 501; POST on a resource needs an _action", async () => {
    expectCrestError(await call("POST", "managed/user?_action=frobnicate"), 501, /frobnicate/);
    expectCrestError(await call("POST", "managed/user/bjensen?_action=clear"), 501);
    expectCrestError(await call("POST", "managed/alpha_user?_action=echo"), 501);
    expectCrestError(await call("POST", "managed/user/bjensen", { body: {} }), 400, /_action/);
  });

  it("errors thrown by actions keep their status; other failures are a 500 that leaks nothing", async () => {
    for (const status of [400, 401, 403, 404, 405, 409, 412, 415, 428, 500, 501, 503]) {
      const r = await call("POST", `managed/user?_action=fail&status=${status}`);
      expectCrestError(r, status, new RegExp(`failing with ${status}`));
    }
    const crash = await call("POST", "managed/user?_action=crash");
    expectCrestError(crash, 500);
    expect(crash.text).not.toMatch(/secret/);
  });
});

describe("queries and parameters", () => {
  it("named queries get every other request parameter", async () => {
    const r = await call("GET", "managed/user?_queryId=by-owner&owner=alice&_sortKeys=sn");
    expect((r.body?.result as { _id: string }[]).map((x) => x._id)).toEqual(["bjensen", "Bjensen"]);
    const bob = await call("GET", "managed/user?_queryId=by-owner&owner=bob");
    expect((bob.body?.result as { _id: string }[]).map((x) => x._id)).toEqual(["scarter"]);
    expectCrestError(await call("GET", "managed/user?_queryId=nope"), 400, /nope/);
  });

  it("a repeated query sees every change made between its runs", async () => {
    const path = "managed/user?_queryFilter=true&_pageSize=2&_pagedResultsOffset=1&_totalPagedResultsPolicy=EXACT";
    const ids = async () => ((await call("GET", path)).body?.result as { _id: string }[]).map((r) => r._id);
    expect(await ids()).toEqual(["scarter", "Bjensen"]);
    expect(await ids()).toEqual(["scarter", "Bjensen"]);
    await call("DELETE", "managed/user/scarter");
    expect(await ids()).toEqual(["Bjensen"]);
    await call("PUT", "managed/user/zed", { body: { sn: "Z" } });
    expect(await ids()).toEqual(["Bjensen", "zed"]);
    await call("PATCH", "managed/user/zed", { body: [{ operation: "add", field: "/sn", value: "Y" }] });
    expect(((await call("GET", path)).body?.result as { sn: string }[])[1]?.sn).toBe("Y");
  });

  it("_countOnly with protocol 2.2 counts without resources", async () => {
    const r = await call("GET", "managed/user?_queryFilter=owner+eq+%22alice%22&_countOnly=true", { headers: { "accept-api-version": "protocol=2.2,resource=1.0" } });
    expect(r.body).toEqual({ result: [], resultCount: 0, pagedResultsCookie: null, totalPagedResultsPolicy: "EXACT", totalPagedResults: 2, remainingPagedResults: -1 });
    expectCrestError(await call("GET", "managed/user?_queryFilter=true&_countOnly=true", { headers: { "accept-api-version": "protocol=2.1" } }), 400, /_countOnly/);
    expectCrestError(await call("GET", "managed/user?_queryFilter=true&_countOnly=maybe"), 400, /_countOnly/);
    expect((await call("GET", "managed/user?_queryFilter=true&_countOnly=false")).body?.resultCount).toBe(3);
  });

  it("_fields applies to every verb that returns a resource", async () => {
    const fields = "_fields=sn";
    expect((await call("GET", `managed/user/bjensen?${fields}`)).body).toEqual({ _id: "bjensen", _rev: "0", sn: "Jensen" });
    expect((await call("GET", `managed/user?_queryFilter=true&_pageSize=1&${fields}`)).body?.result).toEqual([{ _id: "bjensen", _rev: "0", sn: "Jensen" }]);
    expect((await call("POST", `managed/user?${fields}`, { body: { _id: "f", sn: "F", mail: "m" } })).body).toEqual({ _id: "f", _rev: "0", sn: "F" });
    expect((await call("PUT", `managed/user/f?${fields}`, { body: { sn: "G", mail: "m" } })).body).toEqual({ _id: "f", _rev: "1", sn: "G" });
    expect((await call("PATCH", `managed/user/f?${fields}`, { body: [{ operation: "add", field: "/x", value: 1 }] })).body).toEqual({ _id: "f", _rev: "2", sn: "G" });
    expect((await call("DELETE", `managed/user/f?${fields}`)).body).toEqual({ _id: "f", _rev: "2", sn: "G" });
  });

  it("_prettyPrint indents successes and errors", async () => {
    expect((await call("GET", "managed/user/bjensen?_prettyPrint=true")).text).toMatch(/^\{\n {2}"_id": "bjensen",\n/);
    expect((await call("GET", "managed/user/nobody?_prettyPrint=true")).text).toMatch(/^\{\n {2}"code": 404,/);
    expect((await call("GET", "managed/user/bjensen")).text).not.toMatch(/\n/);
  });

  it("a single-valued parameter given twice is a 400 naming it; unknown reserved names and misplaced ones too", async () => {
    for (const query of ["_pageSize=1&_pageSize=2", "_prettyPrint=true&_PRETTYPRINT=false", "_countOnly=true&_countOnly=true", "owner=a&owner=b"]) {
      const name = query.split("=")[0] as string;
      const r = await call("GET", `managed/user?_queryFilter=true&${query}`);
      expectCrestError(r, 400, new RegExp(`${name.replace("_PRETTYPRINT", "_prettyPrint")} is given more than once`));
    }
    expectCrestError(await call("POST", "managed/user?_action=clear&_action=clear"), 400, /_action is given more than once/);
    expect((await read("bjensen"))?._id).toBe("bjensen");
    expectCrestError(await call("GET", "managed/user?_queryFilter=true&_frob=1"), 400, /_frob/);
    expectCrestError(await call("GET", "managed/user/bjensen?_pageSize=1"), 400, /_pageSize applies to queries only/);
    expectCrestError(await call("GET", "managed/user/bjensen?_action=x"), 400, /_action/);
    // _fields and _sortKeys are lists: repeating them adds entries.
    const r = await call("GET", "managed/user/bjensen?_fields=sn&_fields=mail");
    expect(r.body).toEqual({ _id: "bjensen", _rev: "0", sn: "Jensen", mail: "bjensen@example.com" });
  });

  it("reads the request target as WHATWG URL parsing does (raw ? and # in the query)", async () => {
    const targets = [
      "/openidm/managed/user?_queryFilter=false#&_queryFilter=true",
      "/openidm/managed/user?_queryFilter=/sn%20eq%20%22Jensen%22&_fields=sn?x#frag",
      "/openidm/managed/user?_queryFilter=true?&_pageSize=1",
      "/openidm/managed/user?_queryFilter=true&_sortKeys=sn#?_queryFilter=false",
    ];
    for (const target of targets) {
      const expected = new URL(target, "http://127.0.0.1");
      const raw = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port: server.port, path: target, method: "GET" }, (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (body += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject);
        req.end();
      });
      let oracle: unknown;
      try {
        oracle = queryCollection(
          users().map((u) => ({ _rev: "0", ...u })),
          expected.search,
        );
      } catch (error) {
        oracle = (error as CrestError).code;
      }
      if (typeof oracle === "number") expect(raw.status).toBe(oracle);
      else expect(JSON.parse(raw.body)).toEqual(JSON.parse(JSON.stringify(oracle)));
    }
  });
});

describe("bodies over node:http", () => {
  it("caps the body (413), refuses bytes that are not UTF-8 (400), answers HEAD without a body", async () => {
    const small = await start({ maxBodyBytes: 64 });
    const big = await fetch(`${small.url}/managed/user/bjensen`, { method: "PUT", headers: JSON_HEADERS, body: JSON.stringify({ pad: "x".repeat(1000) }) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { code: number }).code).toBe(413);
    const latin1 = await fetch(`${small.url}/managed/user/bjensen`, { method: "PUT", headers: JSON_HEADERS, body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]) });
    expect(latin1.status).toBe(400);
    expect(((await latin1.json()) as { message: string }).message).toMatch(/UTF-8/);
    expect(((await (await fetch(`${small.url}/managed/user/bjensen`)).json()) as { sn: string }).sn).toBe("Jensen");
    const head = await fetch(`${small.url}/managed/user/bjensen`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("etag")).toBe('"0"');
    expect(await head.text()).toBe("");
  });
});

describe("the request log", () => {
  it("is a ring of the configured size that keeps counting", async () => {
    const small = await start({ recordRequests: 3 });
    for (let i = 0; i < 5; i++) await fetch(`${small.url}/managed/user/bjensen?i=${i}`);
    expect(small.requests.map((r) => r.index)).toEqual([3, 4, 5]);
    expect(small.requests.map((r) => r.url)).toEqual(["/openidm/managed/user/bjensen?i=2", "/openidm/managed/user/bjensen?i=3", "/openidm/managed/user/bjensen?i=4"]);
    const none = await start({ recordRequests: 0 });
    await fetch(`${none.url}/managed/user/bjensen`);
    expect(none.requests).toEqual([]);
    await expect(createMockServer({ collections: {}, recordRequests: -1 })).rejects.toThrow(/recordRequests/);
  });
});
