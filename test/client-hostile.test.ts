// The request helper against servers that misbehave on purpose: redirects to elsewhere, silent or
// endless answers, gzip bombs, cookie cycles, expiring tokens. Each server is a few lines of
// node:http on 127.0.0.1, port 0, closed after its test.
import { getEventListeners } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CrestError, queryAll, queryPage, queryPages } from "../src/index.js";
import { caughtAsync } from "./helpers/errors.js";

interface Hostile {
  readonly url: string;
  readonly origin: string;
  /** Every request the server received, with its headers. */
  readonly requests: IncomingMessage[];
  /** How many responses were closed before they were finished. */
  readonly cutOff: { count: number };
}

const open: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function hostile(handler: (req: IncomingMessage, res: ServerResponse, index: number) => void): Promise<Hostile> {
  const requests: IncomingMessage[] = [];
  const cutOff = { count: 0 };
  const server = createServer((req, res) => {
    requests.push(req);
    res.on("close", () => {
      if (!res.writableFinished) cutOff.count++;
    });
    handler(req, res, requests.length);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  open.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return { url: `http://127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}`, requests, cutOff };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const page = (result: unknown[], cookie: string | null) => ({ result, resultCount: result.length, pagedResultsCookie: cookie });
const cookieOf = (req: IncomingMessage) => new URL(req.url ?? "/", "http://x").searchParams.get("_pagedResultsCookie");
const failure = (run: () => Promise<unknown>): Promise<CrestError> => caughtAsync(CrestError, run);
const noSleep = async () => undefined;

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Streams `chunk` every `everyMs` until the client goes away. */
function endless(res: ServerResponse, status: number, first: string, chunk: string, everyMs: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.write(first);
  const timer = setInterval(() => res.write(chunk), everyMs);
  res.on("close", () => clearInterval(timer));
}

const CREDENTIALS = {
  "X-OpenIDM-Username": "openidm-admin",
  "X-OpenIDM-Password": "pa55word-secret",
  "X-Api-Key": "api-key-secret",
  "X-Tenant-Secret": "tenant-secret",
  Cookie: "session=cookie-secret",
};
const credentialNames = ["authorization", "x-openidm-username", "x-openidm-password", "x-api-key", "x-tenant-secret", "cookie"];

describe("redirects and credentials", () => {
  it("does not follow a redirect to another origin by default, and sends nothing there", async () => {
    const other = await hostile((_req, res) => json(res, 200, page([{ _id: "evil" }], null)));
    const server = await hostile((_req, res) => json(res, 302, {}, { location: `${other.url}/users` }));
    const e = await failure(() => queryPage(`${server.url}/users`, { headers: CREDENTIALS, token: "bearer-secret", sleep: noSleep }));
    expect(e.reason).toBe("Redirect Refused");
    expect(e.message).toContain(other.origin);
    expect(e.message).toMatch(/redirects is "follow"/);
    expect(other.requests).toHaveLength(0);
    // Not retried: asking again gets the same redirect.
    expect(server.requests).toHaveLength(1);
  });

  it("follows a cross-origin redirect when asked to, without any credential", async () => {
    const other = await hostile((req, res) => json(res, 200, page([{ _id: "there", path: req.url }], null)));
    const server = await hostile((_req, res) => json(res, 307, {}, { location: `${other.url}/elsewhere?x=1` }));
    const got = await queryPage(`${server.url}/users`, { headers: { ...CREDENTIALS, "X-Trace": "t1" }, secretHeaders: ["X-Tenant-Secret"], token: "bearer-secret", redirects: "follow" });
    expect(got.result).toEqual([{ _id: "there", path: "/elsewhere?x=1" }]);
    expect(got.url).toBe(`${other.url}/elsewhere?x=1`);
    const sent = other.requests[0]?.headers ?? {};
    for (const name of credentialNames) expect(sent[name], name).toBeUndefined();
    expect(sent["x-trace"]).toBe("t1");
    const original = server.requests[0]?.headers ?? {};
    expect(original.authorization).toBe("Bearer bearer-secret");
    expect(original["x-tenant-secret"]).toBe("tenant-secret");
  });

  it("follows a redirect within the origin with credentials, and stops a redirect loop", async () => {
    const server = await hostile((req, res) => {
      if (req.url?.startsWith("/old") === true) json(res, 301, {}, { location: `/new${req.url.slice(4)}` });
      else if (req.url?.startsWith("/loop") === true) json(res, 302, {}, { location: "/loop" });
      else json(res, 200, page([{ _id: "1" }], null));
    });
    const got = await queryPage(`${server.url}/old/users`, { headers: { "X-Api-Key": "api-key-secret" } });
    expect(got.result).toEqual([{ _id: "1" }]);
    expect(server.requests.map((r) => [r.url?.slice(0, 4), r.headers["x-api-key"]])).toEqual([
      ["/old", "api-key-secret"],
      ["/new", "api-key-secret"],
    ]);
    const e = await failure(() => queryPage(`${server.url}/loop`, { sleep: noSleep }));
    expect(e.reason).toBe("Redirect Refused");
    expect(e.message).toMatch(/more than 5 redirects/);
    expect(server.requests).toHaveLength(2 + 6);
  });

  it("refuses every redirect with redirects: error", async () => {
    const server = await hostile((req, res) => (req.url?.startsWith("/old") === true ? json(res, 308, {}, { location: "/new" }) : json(res, 200, page([], null))));
    const e = await failure(() => queryPage(`${server.url}/old`, { redirects: "error" }));
    expect(e.reason).toBe("Redirect Refused");
    expect(server.requests).toHaveLength(1);
  });

  it("sends a user name and password from the URL as Basic credentials, and never shows them", async () => {
    const server = await hostile((req, res) =>
      req.url?.includes("_pagedResultsCookie") === true ? json(res, 503, { code: 503, reason: "Unavailable", message: "later" }) : json(res, 200, page([{ _id: "1" }], "c1")),
    );
    const retries: string[] = [];
    const e = await failure(() => collect(queryPages(`http://alice:s3cret-pw@${server.url.slice(7)}/users`, { sleep: noSleep, onRetry: (info) => retries.push(info.url + info.reason) })));
    expect(server.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from("alice:s3cret-pw").toString("base64")}`);
    expect(e.code).toBe(503);
    for (const text of [e.message, e.url ?? "", ...retries]) {
      expect(text).not.toContain("s3cret");
      expect(text).not.toContain("alice");
    }
    expect(retries).toHaveLength(3);
  });
});

describe("time limits", () => {
  it("times out a silent server even when garbage is collected meanwhile", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const server = await hostile(() => undefined);
    const collecting = setInterval(gc, 20);
    try {
      const outcome = await Promise.race([
        failure(() => queryPage(`${server.url}/users`, { timeoutMs: 200, retry: { retries: 0 } })),
        new Promise<string>((resolve) => setTimeout(() => resolve("still waiting after 5 s"), 5000)),
      ]);
      expect(outcome).toBeInstanceOf(CrestError);
      expect((outcome as CrestError).reason).toBe("Timeout");
      expect((outcome as CrestError).message).toMatch(/no answer within 200 ms/);
    } finally {
      clearInterval(collecting);
    }
  }, 10_000);

  it("covers the body too: a server that stops half way times out", async () => {
    const server = await hostile((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"result":[');
    });
    const e = await failure(() => queryPage(`${server.url}/users`, { timeoutMs: 150, sleep: noSleep, retry: { retries: 1 } }));
    expect(e.reason).toBe("Timeout");
    expect(server.requests).toHaveLength(2);
  });

  it("leaves no timer behind", async () => {
    const server = await hostile((_req, res) => json(res, 200, page([{ _id: "1" }], null)));
    // Timers of the timeout's length that were set and neither cleared nor run.
    const pending = new Set<unknown>();
    const realSet = globalThis.setTimeout;
    const realClear = globalThis.clearTimeout;
    const setSpy = vi.spyOn(globalThis, "setTimeout").mockImplementation(((callback: () => void, ms?: number) => {
      const handle = realSet(() => {
        pending.delete(handle);
        callback();
      }, ms);
      if (ms !== undefined && ms >= 50_000) pending.add(handle);
      return handle;
    }) as typeof setTimeout);
    const clearSpy = vi.spyOn(globalThis, "clearTimeout").mockImplementation(((handle: ReturnType<typeof setTimeout>) => {
      pending.delete(handle);
      realClear(handle);
    }) as typeof clearTimeout);
    try {
      for (let i = 0; i < 20; i++) await queryPage(`${server.url}/users`, { timeoutMs: 60_000 });
      for await (const _ of queryPages(`${server.url}/users`, { timeoutMs: 60_000 }));
    } finally {
      setSpy.mockRestore();
      clearSpy.mockRestore();
    }
    expect(pending.size).toBe(0);
  });
});

describe("time limits beyond a timer's range", () => {
  it("accepts a timeout longer than a timer can hold without firing early or spinning", async () => {
    const server = await hostile((_req, res) => setTimeout(() => json(res, 200, page([{ _id: "1" }], null)), 50));
    const realSet = globalThis.setTimeout;
    const long: number[] = [];
    const setSpy = vi.spyOn(globalThis, "setTimeout").mockImplementation(((callback: () => void, ms?: number) => {
      if (ms !== undefined && ms > 1_000_000) long.push(ms);
      return realSet(callback, ms);
    }) as typeof setTimeout);
    try {
      const got = await queryPage(`${server.url}/users`, { timeoutMs: 2 ** 40, retry: { retries: 0 } });
      expect(got.result).toEqual([{ _id: "1" }]);
    } finally {
      setSpy.mockRestore();
    }
    expect(long).toEqual([2 ** 31 - 1]);
  });
});

describe("body size limits", () => {
  it("stops an endless body at maxBodyBytes, without retrying", async () => {
    const server = await hostile((_req, res) => endless(res, 200, '{"result":[', `${'{"_id":"x"},'.repeat(5000)}`, 2));
    const e = await failure(() => queryPage(`${server.url}/users`, { maxBodyBytes: 1024 * 1024, sleep: noSleep }));
    expect(e.reason).toBe("Response Too Large");
    expect(e.message).toMatch(/larger than maxBodyBytes \(1048576 bytes\)/);
    expect(server.requests).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.cutOff.count).toBe(1);
  }, 10_000);

  it("has a default cap of 64 MiB", async () => {
    const chunk = " ".repeat(1024 * 1024);
    const server = await hostile((_req, res) => endless(res, 200, '{"result":[', chunk, 1));
    const e = await failure(() => queryPage(`${server.url}/users`, { sleep: noSleep }));
    expect(e.reason).toBe("Response Too Large");
    expect(e.message).toContain(`(${64 * 1024 * 1024} bytes)`);
  }, 20_000);

  it("counts decompressed bytes: a gzip bomb stops at the cap", async () => {
    const inflated = Buffer.concat([Buffer.from('{"result":['), Buffer.alloc(16 * 1024 * 1024, " "), Buffer.from("]}")]);
    const bomb = gzipSync(inflated, { level: 9 });
    expect(bomb.length).toBeLessThan(64 * 1024);
    const server = await hostile((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": String(bomb.length) });
      res.end(bomb);
    });
    const e = await failure(() => queryPage(`${server.url}/users`, { maxBodyBytes: 1024 * 1024 }));
    expect(e.reason).toBe("Response Too Large");
  });

  it("reads little of an error body: an endless 503 is still retried as a 503", async () => {
    const server = await hostile((_req, res) => endless(res, 503, '{"code":503,"message":"', "x".repeat(16 * 1024), 2));
    const statuses: number[] = [];
    const e = await failure(() => queryPage(`${server.url}/users`, { sleep: noSleep, retry: { retries: 1 }, onRetry: (info) => statuses.push(info.status) }));
    expect(e.code).toBe(503);
    expect(e.message).toMatch(/longer than 65536 bytes, was not read/);
    expect(statuses).toEqual([503]);
    expect(server.requests).toHaveLength(2);
  }, 10_000);
});

describe("paging loops", () => {
  it("stops when a cookie comes back later in the walk (A, B, A)", async () => {
    const next: Record<string, string> = { "": "A", A: "B", B: "A" };
    const server = await hostile((req, res) => json(res, 200, page([{ _id: req.url }], next[cookieOf(req) ?? ""] ?? null)));
    const pages: number[] = [];
    const e = await failure(() => collect(queryPages(`${server.url}/users`, { maxPages: 1000, onPage: (p) => pages.push(p.pageNumber) })));
    expect(e.reason).toBe("Paging Loop");
    expect(e.message).toMatch(/a cookie it already returned on page 1/);
    expect(pages).toEqual([1, 2]);
    expect(server.requests).toHaveLength(3);
  });

  it("stops after maxEmptyPages empty pages in a row with ever-new cookies", async () => {
    const server = await hostile((_req, res, index) => json(res, 200, page([], `c${index}`)));
    const e = await failure(() => collect(queryPages(`${server.url}/users`, { maxPages: 1000 })));
    expect(e.reason).toBe("Paging Loop");
    expect(e.message).toMatch(/10 empty pages in a row/);
    expect(server.requests).toHaveLength(10);
    const few = await failure(() => collect(queryPages(`${server.url}/users`, { maxPages: 1000, maxEmptyPages: 3 })));
    expect(few.message).toMatch(/3 empty pages in a row/);
  });

  it("lets empty pages through when pages with resources come between them", async () => {
    // Five empty pages, then one resource, forty times over.
    const server = await hostile((_req, res, index) => json(res, 200, page(index % 6 === 0 ? [{ _id: `r${index}` }] : [], index === 240 ? null : `c${index}`)));
    const got = await collect(queryAll(`${server.url}/users`, { maxEmptyPages: 6 }));
    expect(got).toHaveLength(40);
  });
});

describe("abort listeners", () => {
  it("adds at most one listener to the caller's signal in a 5,000-page walk, and removes it", async () => {
    const server = await hostile((req, res) => {
      const n = Number(cookieOf(req) ?? "0") + 1;
      json(res, 200, page([{ _id: String(n) }], n === 5000 ? null : String(n)));
    });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on("warning", onWarning);
    const controller = new AbortController();
    let most = 0;
    const passed: number[] = [];
    const countingFetch: typeof fetch = (input, init) => {
      if (init?.signal) passed.push(getEventListeners(init.signal, "abort").length);
      return fetch(input, init);
    };
    try {
      let pages = 0;
      for await (const _ of queryPages(`${server.url}/users`, { signal: controller.signal, fetch: countingFetch, timeoutMs: 60_000 })) {
        pages++;
        most = Math.max(most, getEventListeners(controller.signal, "abort").length);
      }
      expect(pages).toBe(5000);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.filter((name) => name === "MaxListenersExceededWarning")).toEqual([]);
    expect(most).toBe(1);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    // The signal each request gets is its own: nothing piles up on it.
    expect(Math.max(...passed)).toBe(0);
  }, 30_000);

  it("removes its listeners after retries, errors and early exits", async () => {
    let flaky = 0;
    const server = await hostile((req, res, index) =>
      req.url?.startsWith("/fail") === true || ++flaky % 2 === 1 ? json(res, 503, {}) : json(res, 200, page([{ _id: String(index) }], `c${index}`)),
    );
    const controller = new AbortController();
    await queryPage(`${server.url}/users`, { signal: controller.signal, retry: { minDelayMs: 1 } });
    for await (const _ of queryPages(`${server.url}/users`, { signal: controller.signal, retry: { minDelayMs: 1 } })) break;
    await failure(() => queryPage(`${server.url}/fail`, { signal: controller.signal, retry: { retries: 0 } }));
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});

describe("tokens", () => {
  it("asks for a new token at every 401: a walk outlives many tokens", async () => {
    // Each token is good for three requests.
    const uses = new Map<string, number>();
    const server = await hostile((req, res) => {
      const token = req.headers.authorization ?? "";
      const used = (uses.get(token) ?? 0) + 1;
      uses.set(token, used);
      if (used > 3) return json(res, 401, { code: 401, reason: "Unauthorized", message: "Access Denied" });
      const n = Number(cookieOf(req) ?? "0") + 1;
      json(res, 200, page([{ _id: String(n) }], n === 20 ? null : String(n)));
    });
    const calls: boolean[] = [];
    const got = await collect(queryAll(`${server.url}/users`, { getToken: ({ refresh }) => (calls.push(refresh), `token-${calls.length}`) }));
    expect(got).toHaveLength(20);
    expect(calls).toEqual([false, ...Array.from({ length: 6 }, () => true)]);
  });

  it("fails when a freshly issued token is refused too", async () => {
    const server = await hostile((_req, res) => json(res, 401, { code: 401, reason: "Unauthorized", message: "Access Denied" }));
    const calls: boolean[] = [];
    const e = await failure(() => queryPage(`${server.url}/users`, { getToken: ({ refresh }) => (calls.push(refresh), `token-${calls.length}`) }));
    expect(e.code).toBe(401);
    expect(e.message).toMatch(/just issued was refused too/);
    expect(calls).toEqual([false, true]);
    expect(server.requests).toHaveLength(2);
  });

  it("sends one Authorization header: the token's, not merged with the caller's", async () => {
    const server = await hostile((_req, res) => json(res, 200, page([], null)));
    await queryPage(`${server.url}/users`, { headers: { Authorization: "Basic abc" }, token: "tok" });
    await queryPage(`${server.url}/users`, { headers: { authorization: "Basic abc" }, getToken: () => "tok2" });
    await queryPage(`${server.url}/users`, { headers: { Authorization: "Basic abc" } });
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(["Bearer tok", "Bearer tok2", "Basic abc"]);
  });

  it.each([
    ["a token", { token: "abc\ndef-secret-token" }],
    ["a token from the provider", { getToken: () => "abc\r\ndef-secret-token" }],
    ["a secret header", { headers: { "X-Api-Key": "def-secret-token\n" } }],
    ["any header", { headers: { "X-Custom": "def-secret-token\u0000" } }],
  ])("refuses %s holding a line break as a usage error, without retrying or showing it", async (_what, options) => {
    let sent = 0;
    const retries: string[] = [];
    const countingFetch: typeof fetch = (input, init) => (sent++, fetch(input, init));
    const e = await failure(() => queryPage("http://127.0.0.1:9/users", { ...options, fetch: countingFetch, sleep: noSleep, onRetry: (info) => retries.push(info.reason) }));
    expect(e.reason).toBe("Invalid Request");
    expect(e.message).toMatch(/line break, a NUL/);
    expect(e.message).not.toContain("secret");
    expect(String(e.cause ?? "")).not.toContain("secret");
    expect(sent).toBe(0);
    expect(retries).toEqual([]);
  });

  it("refuses header names HTTP does not allow, and a header given twice", async () => {
    const e1 = await failure(() => queryPage("http://127.0.0.1:9/users", { headers: { "Bad Name": "x" } }));
    expect(e1.message).toMatch(/"Bad Name" is not a valid header name/);
    const e2 = await failure(() => queryPage("http://127.0.0.1:9/users", { headers: { "X-Api-Key": "a", "x-api-key": "b" } }));
    expect(e2.message).toMatch(/X-Api-Key is given twice/);
  });

  it("never repeats a token a server echoes in its error", async () => {
    const server = await hostile((req, res) => json(res, 403, { code: 403, reason: "Forbidden", message: `token ${req.headers.authorization?.slice(7)} lacks a scope` }));
    const e = await failure(() => queryPage(`${server.url}/users`, { token: "very-secret-token" }));
    expect(e.code).toBe(403);
    expect(e.message).toContain("token [redacted] lacks a scope");
    expect(e.message).not.toContain("very-secret-token");
  });
});

describe("Retry-After beyond maxDelayMs", () => {
  it("waits all of it, up to maxRetryAfterMs", async () => {
    const server = await hostile((_req, res, index) => (index === 1 ? json(res, 429, {}, { "retry-after": "60" }) : json(res, 200, page([], null))));
    const delays: number[] = [];
    await queryPage(`${server.url}/users`, { sleep: async (ms) => void delays.push(ms), retry: { maxDelayMs: 5000 } });
    expect(delays).toEqual([60_000]);
  });

  it("fails at once, saying why, when the server asks for longer than maxRetryAfterMs", async () => {
    const server = await hostile((_req, res) => json(res, 429, { code: 429, reason: "Too Many Requests", message: "Slow down" }, { "retry-after": "3600" }));
    const delays: number[] = [];
    const e = await failure(() => queryPage(`${server.url}/users`, { sleep: async (ms) => void delays.push(ms), retry: { maxDelayMs: 5000 } }));
    expect(e.code).toBe(429);
    expect(e.message).toMatch(/Slow down; the server asks to wait 3600 s \(Retry-After: 3600\), longer than retry.maxRetryAfterMs \(120000 ms\); not retrying/);
    expect(delays).toEqual([]);
    expect(server.requests).toHaveLength(1);
    const e2 = await failure(() => queryPage(`${server.url}/users`, { sleep: async (ms) => void delays.push(ms), retry: { maxRetryAfterMs: 3_600_000, retries: 1 } }));
    expect(e2.message).toMatch(/after 2 attempts/);
    expect(delays).toEqual([3_600_000]);
  });
});
