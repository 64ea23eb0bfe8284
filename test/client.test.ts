import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  buildQueryUrl,
  CrestError,
  field,
  parseQueryParams,
  queryAll,
  queryPage,
  queryPages,
  type QueryClientOptions,
} from "../src/index.js";
import { createMockServer, type Fault, type MockServer } from "../src/node/index.js";
import { caughtAsync } from "./helpers/errors.js";

const resources = Array.from({ length: 10_000 }, (_, i) => ({ _id: `id${String(i).padStart(5, "0")}`, n: (i * 7919) % 10_000, group: i % 3 }));
const servers: MockServer[] = [];
async function serve(faults?: Fault[], extra: Record<string, unknown[]> = {}): Promise<MockServer> {
  const server = await createMockServer({ collections: { users: resources, ...extra }, ...(faults === undefined ? {} : { faults }) });
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

// Retries wait through this instead of a timer: the test sees the delays and never sleeps.
function clock() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const failure = (run: () => Promise<unknown>): Promise<CrestError> => caughtAsync(CrestError, run);

describe("walking pages over HTTP", () => {
  it.each([100, 7])("returns 10,000 resources paged by %i, each once, in sort order", async (pageSize) => {
    const server = await serve();
    const got = await collect(queryAll<{ _id: string; n: number }>(`${server.url}/users`, { pageSize, sortKeys: ["-n"] }));
    expect(got).toHaveLength(10_000);
    expect(new Set(got.map((r) => r._id)).size).toBe(10_000);
    const ns = got.map((r) => r.n);
    expect(ns).toEqual([...ns].sort((a, b) => b - a));
    expect(server.requests).toHaveLength(Math.ceil(10_000 / pageSize));
  });

  it("sends filters, fields and sort keys intact, whatever characters they hold", async () => {
    const tricky = `a+b&c=d%25e "q" 'r' é😀 #x`;
    const server = await serve(undefined, {
      odd: [
        { _id: "1", ["we+ird,&field"]: tricky, x: 1 },
        { _id: "2", ["we+ird,&field"]: "other", x: 2 },
      ],
    });
    const options: QueryClientOptions = {
      filter: field(["we+ird,&field"]).eq(tricky),
      fields: [["we+ird,&field"]],
      sortKeys: [{ field: ["we+ird,&field"], descending: true }, "x"],
      params: { "custom&param": "v+1" },
    };
    const got = await collect(queryAll(`${server.url}/odd`, options));
    expect(got).toEqual([{ _id: "1", _rev: "0", ["we+ird,&field"]: tricky }]);
    const seen = parseQueryParams(server.requests[0]?.url ?? "");
    expect(seen.queryFilter).toEqual(field(["we+ird,&field"]).eq(tricky));
    expect(seen.fields).toEqual([["we+ird,&field"]]);
    expect(seen.sortKeys).toEqual([
      { field: ["we+ird,&field"], descending: true },
      { field: ["x"], descending: false },
    ]);
    expect(seen.extra).toEqual({ "custom&param": "v+1" });
  });

  it("yields whole pages with counts and stops at maxPages and maxResults", async () => {
    const server = await serve();
    const pages = await collect(queryPages(`${server.url}/users`, { pageSize: 1000, totalPagedResultsPolicy: "EXACT", maxPages: 3 }));
    expect(pages.map((p) => [p.pageNumber, p.resultCount, p.remainingPagedResults])).toEqual([
      [1, 1000, 9000],
      [2, 1000, 8000],
      [3, 1000, 7000],
    ]);
    const few = await collect(queryAll(`${server.url}/users`, { pageSize: 300, maxResults: 450 }));
    expect(few).toHaveLength(450);
    expect(server.requests.length).toBeLessThanOrEqual(3 + 2);
  });

  it("keeps the collection URL's own parameters and builds the documented URL", () => {
    const url = buildQueryUrl("https://user:pw@idm.example.com/openidm/managed/user?realm=alpha", { filter: field("sn").eq("O'Brien"), pageSize: 2 }, "c+1");
    expect(url.search).toBe("?realm=alpha&_queryFilter=%2Fsn%20eq%20%22O%27Brien%22&_pageSize=2&_pagedResultsCookie=c%2B1");
  });

  it("sends the token, and reports progress", async () => {
    const server = await serve();
    const seen: number[] = [];
    await collect(queryPages(`${server.url}/users`, { pageSize: 5000, token: "abc", headers: { "x-trace": "t1" }, onPage: (p) => seen.push(p.pageNumber) }));
    expect(seen).toEqual([1, 2]);
    expect(server.requests[0]?.headers.authorization).toBe("Bearer abc");
    expect(server.requests[0]?.headers["x-trace"]).toBe("t1");
  });
});

describe("retries", () => {
  it("honours Retry-After in seconds", async () => {
    const server = await serve([{ on: 1, status: 429, retryAfter: 2 }]);
    const { delays, sleep } = clock();
    const retries: number[] = [];
    const page = await queryPage(`${server.url}/users`, { pageSize: 10, sleep, onRetry: (r) => retries.push(r.status) });
    expect(page.resultCount).toBe(10);
    expect(delays).toEqual([2000]);
    expect(retries).toEqual([429]);
    expect(server.requests).toHaveLength(2);
  });

  it("honours Retry-After as an HTTP date", async () => {
    const now = Date.UTC(2026, 10, 22, 12, 0, 0);
    const server = await serve([{ on: 1, status: 503, retryAfter: new Date(now + 3000) }]);
    const { delays, sleep } = clock();
    await queryPage(`${server.url}/users`, { pageSize: 1, sleep, now: () => now });
    expect(delays).toEqual([3000]);
  });

  it("waits a Retry-After beyond maxDelayMs in full, up to maxRetryAfterMs", async () => {
    const server = await serve([{ on: 1, status: 429, retryAfter: 90 }]);
    const { delays, sleep } = clock();
    await queryPage(`${server.url}/users`, { pageSize: 1, sleep, retry: { maxDelayMs: 5000 } });
    expect(delays).toEqual([90_000]);
  });

  it("backs off exponentially with jitter on 503, 502, 504", async () => {
    const server = await serve([
      { on: 1, status: 503 },
      { on: 2, status: 502 },
      { on: 3, status: 504 },
    ]);
    const { delays, sleep } = clock();
    const page = await queryPage(`${server.url}/users`, { pageSize: 1, sleep, random: () => 0.5, retry: { minDelayMs: 100 } });
    expect(page.resultCount).toBe(1);
    expect(delays).toEqual([75, 150, 300]);
    expect(server.requests).toHaveLength(4);
  });

  it("backs off without jitter when jitter is false, whatever the random numbers", async () => {
    const server = await serve([{ on: (r) => r.index <= 3, status: 503 }]);
    const { delays, sleep } = clock();
    const page = await queryPage(`${server.url}/users`, { pageSize: 1, sleep, random: () => 0, retry: { minDelayMs: 100, jitter: false } });
    expect(page.resultCount).toBe(1);
    expect(delays).toEqual([100, 200, 400]);
    // The same faults with jitter: the random number 0 halves each delay.
    const jittered = await serve([{ on: (r) => r.index <= 3, status: 503 }]);
    const other = clock();
    await queryPage(`${jittered.url}/users`, { pageSize: 1, sleep: other.sleep, random: () => 0, retry: { minDelayMs: 100 } });
    expect(other.delays).toEqual([50, 100, 200]);
  });

  it("caps backoff at maxDelayMs", async () => {
    const server = await serve([{ on: (r) => r.index <= 4, status: 502 }]);
    const { delays, sleep } = clock();
    await queryPage(`${server.url}/users`, { pageSize: 1, sleep, retry: { retries: 4, minDelayMs: 1000, maxDelayMs: 3000, jitter: false } });
    expect(delays).toEqual([1000, 2000, 3000, 3000]);
  });

  it("gives up when retries are exhausted, with the status and CREST body", async () => {
    const server = await serve([{ status: 503 }]);
    const { delays, sleep } = clock();
    const e = await failure(() => queryPage(`${server.url}/users`, { sleep, retry: { retries: 2 } }));
    expect(e.code).toBe(503);
    expect(e.reason).toBe("Unavailable");
    expect(e.message).toMatch(/\(after 3 attempts\): Injected failure/);
    expect(delays).toHaveLength(2);
    expect(server.requests).toHaveLength(3);
  });

  it.each([400, 403, 404, 409, 412, 500, 501])("does not retry %i", async (status) => {
    const server = await serve([{ status }]);
    const { delays, sleep } = clock();
    const e = await failure(() => queryPage(`${server.url}/users`, { sleep }));
    expect(e.code).toBe(status);
    expect(delays).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it("reports the server's 400 body for a bad filter", async () => {
    const server = await serve();
    const e = await failure(() => queryPage(`${server.url}/users`, { filter: "/n eq" }));
    expect(e.code).toBe(400);
    expect(e.message).toMatch(/_queryFilter/);
    expect(e.message).not.toMatch(/more than once/);
    expect(e.url).toContain("/users?_queryFilter=%2Fn%20eq&");
    expect(server.requests).toHaveLength(1);
  });

  it("drops a #fragment: it is neither sent nor shown", async () => {
    const server = await serve();
    const sent: string[] = [];
    const recording: typeof fetch = (input, init) => (sent.push(String(input)), fetch(input, init));
    const page = await queryPage(`${server.url}/users#section`, { pageSize: 1, fetch: recording });
    expect(sent).toHaveLength(1);
    expect(sent[0]).not.toContain("#");
    expect(sent[0]).toContain("/users?_queryFilter=true&_pageSize=1");
    expect(page.url).not.toContain("#");
    expect(buildQueryUrl(`${server.url}/users#section`, { pageSize: 1 }).hash).toBe("");
  });

  it("never shows a user name and password from the URL in errors and retry reports", async () => {
    const server = await serve([{ status: 503 }]);
    const { sleep } = clock();
    const urls: string[] = [];
    const withCredentials = server.url.replace("http://", "http://someone:hunter22@");
    const e = await failure(() => queryPage(`${withCredentials}/users`, { sleep, retry: { retries: 1 }, onRetry: (info) => urls.push(info.url) }));
    expect(e.code).toBe(503);
    expect(urls).toEqual([`${server.url}/users?_queryFilter=true&_pageSize=100`]);
    for (const text of [e.message, e.url, e.stack]) {
      expect(text).not.toContain("hunter22");
      expect(text).not.toContain("someone");
    }
    expect(e.url).toBe(`${server.url}/users?_queryFilter=true&_pageSize=100`);
  });

  it("retries dropped connections and truncated bodies, then says what happened", async () => {
    const dropped = await serve([{ on: 1, drop: true }]);
    const { sleep } = clock();
    expect((await queryPage(`${dropped.url}/users`, { pageSize: 2, sleep })).resultCount).toBe(2);
    const alwaysDropped = await serve([{ drop: true }]);
    const e1 = await failure(() => queryPage(`${alwaysDropped.url}/users`, { sleep, retry: { retries: 1 } }));
    expect(e1.code).toBe(0);
    expect(e1.reason).toBe("Network Error");
    const truncated = await serve([{ truncate: true }]);
    const e2 = await failure(() => queryPage(`${truncated.url}/users`, { pageSize: 50, sleep, retry: { retries: 0 } }));
    expect(e2.message).toMatch(/closed before the whole response arrived/);
  });
});

describe("tokens", () => {
  it("refreshes the token once after a 401", async () => {
    const server = await serve([{ on: 1, status: 401 }]);
    const calls: boolean[] = [];
    const page = await queryPage(`${server.url}/users`, {
      pageSize: 1,
      getToken: ({ refresh }) => (calls.push(refresh), refresh ? "fresh" : "stale"),
    });
    expect(page.resultCount).toBe(1);
    expect(calls).toEqual([false, true]);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(["Bearer stale", "Bearer fresh"]);
  });

  it("fails on a second 401", async () => {
    const server = await serve([{ status: 401 }]);
    let calls = 0;
    const e = await failure(() => queryPage(`${server.url}/users`, { getToken: async () => `t${++calls}` }));
    expect(e.code).toBe(401);
    expect(calls).toBe(2);
    expect(server.requests).toHaveLength(2);
  });
});

describe("stopping", () => {
  it("aborts during a page: rejects at once and sends nothing more", async () => {
    const server = await serve([{ on: 1, delayMs: 60_000 }]);
    const controller = new AbortController();
    const walk = collect(queryAll(`${server.url}/users`, { signal: controller.signal }));
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await expect(walk).rejects.toMatchObject({ name: "AbortError" });
    expect(server.requests).toHaveLength(1);
  });

  it("aborts between pages: no request starts after the abort", async () => {
    const server = await serve();
    const controller = new AbortController();
    const startedAfterAbort: boolean[] = [];
    const countingFetch: typeof fetch = (input, init) => {
      startedAfterAbort.push(controller.signal.aborted);
      return fetch(input, init);
    };
    const pages: number[] = [];
    const walk = (async () => {
      for await (const page of queryPages(`${server.url}/users`, { pageSize: 100, signal: controller.signal, fetch: countingFetch })) {
        pages.push(page.pageNumber);
        if (page.pageNumber === 2) controller.abort();
      }
    })();
    await expect(walk).rejects.toMatchObject({ name: "AbortError" });
    expect(pages).toEqual([1, 2]);
    // Pages 1 and 2, and page 3 fetched ahead while page 2 was read; nothing after the abort.
    expect(startedAfterAbort).toEqual([false, false, false]);
  });

  it("breaking out of for await cancels the request in flight", async () => {
    const server = await serve([{ on: 2, delayMs: 60_000 }]);
    const signals: AbortSignal[] = [];
    const watchingFetch: typeof fetch = (input, init) => {
      if (init?.signal) signals.push(init.signal);
      return fetch(input, init);
    };
    for await (const page of queryPages(`${server.url}/users`, { pageSize: 10, fetch: watchingFetch })) {
      expect(page.pageNumber).toBe(1);
      break;
    }
    // The second page was being fetched ahead (the server holds it); leaving the loop aborted it.
    expect(signals).toHaveLength(2);
    expect(signals[1]?.aborted).toBe(true);
    expect(server.requests.length).toBeLessThanOrEqual(2);
  });

  it("times out a request that takes too long", async () => {
    const server = await serve([{ delayMs: 60_000 }]);
    const e = await failure(() => queryPage(`${server.url}/users`, { timeoutMs: 50, retry: { retries: 0 } }));
    expect(e.code).toBe(0);
    expect(e.reason).toBe("Timeout");
    expect(e.message).toMatch(/no answer within 50 ms/);
  });

  it("stops with an error when the server repeats a cookie", async () => {
    const stuck = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ result: [], resultCount: 0, pagedResultsCookie: "same" }));
    });
    await new Promise<void>((resolve) => stuck.listen(0, "127.0.0.1", () => resolve()));
    try {
      const { port } = stuck.address() as AddressInfo;
      const e = await failure(() => collect(queryPages(`http://127.0.0.1:${port}/users`, { pageSize: 10 })));
      expect(e.reason).toBe("Paging Loop");
      expect(e.message).toMatch(/an empty page and the cookie it was sent/);
    } finally {
      stuck.closeAllConnections();
      await new Promise<void>((resolve) => stuck.close(() => resolve()));
    }
  });

  it("refuses a response that is not a query response", async () => {
    // A resource where a query response belongs (what a misconfigured proxy or a wrong path can give).
    const resource = async () => new Response(JSON.stringify({ _id: "id00001", _rev: "0" }), { status: 200, headers: { "content-type": "application/json" } });
    const e = await failure(() => queryPage("http://127.0.0.1:1/openidm/managed/users", { fetch: resource }));
    expect(e.message).toMatch(/not a CREST query response/);
  });
});

describe("mock server", () => {
  it("reads by id, 404s with a CREST body, pretty-prints, and loads JSON files", async () => {
    const server = await createMockServer({ collections: { user: "examples/users.json", users: resources } });
    servers.push(server);
    const ok = await fetch(`${server.url}/users/id00042?_fields=n`);
    expect(await ok.json()).toEqual({ _id: "id00042", _rev: "0", n: (42 * 7919) % 10_000 });
    const missing = await fetch(`${server.url}/users/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ code: 404, reason: "Not Found", message: "Resource 'users/nope' not found" });
    const pretty = await fetch(`${server.url}/user?_queryFilter=true&_pageSize=1&_prettyPrint=true`);
    expect(await pretty.text()).toMatch(/^\{\n {2}"result": \[/);
    const bad = await fetch(`${server.url}/user?_pageSize=1`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/_queryFilter or _queryId/);
    const remove = await fetch(`${server.url}/user`, { method: "DELETE" });
    expect(remove.status).toBe(405);
  });
});

describe("reading bodies with the caller's JSON reader", () => {
  const page = '{"result":[{"_id":"1","big":12345678901234567890}],"resultCount":1,"pagedResultsCookie":null,"totalPagedResultsPolicy":"NONE","totalPagedResults":-1,"remainingPagedResults":-1}';
  const fakeFetch = (text: string) => async () => new Response(text, { status: 200, headers: { "content-type": "application/json" } });

  it("gives every body to parseJson, and the pages hold what it returned", async () => {
    const texts: string[] = [];
    const exact = (text: string) => {
      texts.push(text);
      return JSON.parse(text.replace(/"big":(\d+)/, '"big":"$1"')) as unknown;
    };
    const pages = await collect(queryPages("http://h.test/c", { fetch: fakeFetch(page), parseJson: exact }));
    expect(texts).toEqual([page]);
    expect(pages[0]?.result).toEqual([{ _id: "1", big: "12345678901234567890" }]);
    // Without it, JSON.parse rounds the integer.
    const rounded = await collect(queryPages("http://h.test/c", { fetch: fakeFetch(page) }));
    expect((rounded[0]?.result[0] as { big: number }).big).toBe(12345678901234567000);
  });

  it("reports a reader's refusal as a body that is not JSON, whatever it throws", async () => {
    for (const thrown of [new SyntaxError("nope at 3"), "a string"]) {
      const reader = () => {
        throw thrown;
      };
      const error = await caughtAsync(Error, () => collect(queryPages("http://h.test/c", { fetch: fakeFetch(page), retry: { retries: 0 }, parseJson: reader })));
      expect(error.message).toMatch(thrown instanceof Error ? /not valid JSON \(nope at 3\)/ : /not valid JSON \(a string\)/);
    }
    await expect(collect(queryPages("http://h.test/c", { fetch: fakeFetch(page), parseJson: 5 as unknown as (t: string) => unknown }))).rejects.toThrow(/parseJson must be a function/);
  });
});
