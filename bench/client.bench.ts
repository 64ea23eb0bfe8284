import { queryAll, queryPages } from "../src/index.js";
import { createMockServer, type MockServer } from "../src/node/index.js";
import type { BenchSuite } from "./harness.js";

const COUNT = 10_000;
const LATENCY_MS = 2;
const WORK_MS = 2;
let server: MockServer | undefined;
let slowServer: MockServer | undefined;

// Work the caller does with each page (writing it somewhere): asynchronous, as I/O is.
const work = () => new Promise<void>((resolve) => setTimeout(resolve, WORK_MS));

// What people write by hand today: a sequential loop over fetch, following the cookie.
async function handWritten(collection: string, pageSize: number, perPage?: () => Promise<void>): Promise<number> {
  let cookie: string | null = null;
  let count = 0;
  do {
    const params = `_queryFilter=true&_pageSize=${pageSize}${cookie === null ? "" : `&_pagedResultsCookie=${encodeURIComponent(cookie)}`}`;
    const response = await fetch(`${collection}?${params}`);
    const page = (await response.json()) as { result: unknown[]; pagedResultsCookie: string | null };
    count += page.result.length;
    cookie = page.pagedResultsCookie;
    await perPage?.();
  } while (cookie !== null);
  return count;
}

async function walkPages(collection: string, pageSize: number, perPage: () => Promise<void>): Promise<number> {
  let count = 0;
  for await (const page of queryPages(collection, { pageSize })) {
    count += page.resultCount;
    await perPage();
  }
  return count;
}

async function walk(collection: string, pageSize: number): Promise<number> {
  let count = 0;
  for await (const _resource of queryAll(collection, { pageSize })) count++;
  return count;
}

export const clientSuite: BenchSuite = {
  name: "client",
  title: "Request helper: walking 10,000 resources from the mock server",
  notes: `One operation walks all ${COUNT.toLocaleString("en")} resources of a collection served by the mock server on 127.0.0.1 (same process), following pagedResultsCookie. The hand-written loop is the sequential fetch loop people write today, without retries, cancellation, encoding care or a loop guard. On loopback, where the server answers in microseconds, that bookkeeping is what separates the two: the AbortSignal each request carries so that it can be cancelled, and one asynchronous step per resource in queryAll (queryPages avoids the latter). The last case adds what real walks have: ${LATENCY_MS} ms of server latency and ${WORK_MS} ms of asynchronous work on each page; there crest-query fetches the next page while the caller works on the current one.`,
  cases: async () => {
    server = await createMockServer({ collections: { users: Array.from({ length: COUNT }, (_, i) => ({ _id: `u${i}`, userName: `user${i}`, n: i })) } });
    const collection = `${server.url}/users`;
    for (const check of [await walk(collection, 100), await handWritten(collection, 100)]) {
      if (check !== COUNT) throw new Error(`walked ${check} resources`);
    }
    const resources = Array.from({ length: COUNT }, (_, i) => ({ _id: `u${i}`, userName: `user${i}`, n: i }));
    slowServer = await createMockServer({ collections: { users: resources }, faults: [{ delayMs: LATENCY_MS }] });
    const slow = `${slowServer.url}/users`;
    return [
      ...[100, 1000].map((pageSize) => ({
        label: `pages of ${pageSize}`,
        tasks: [
          { name: "crest-query queryAll", fn: () => walk(collection, pageSize) },
          { name: "hand-written fetch loop", fn: () => handWritten(collection, pageSize) },
        ],
      })),
      {
        label: `pages of 100, ${LATENCY_MS} ms latency, ${WORK_MS} ms work a page`,
        tasks: [
          { name: "crest-query queryPages", fn: () => walkPages(slow, 100, work) },
          { name: "hand-written fetch loop", fn: () => handWritten(slow, 100, work) },
        ],
      },
    ];
  },
  teardown: async () => {
    await server?.close();
    await slowServer?.close();
  },
  summary: (rows) =>
    rows
      .filter((r) => r.task.startsWith("crest-query"))
      .map((r) => `${r.label}: ${Math.round((r.hz * COUNT) / 1000)}k resources a second.`)
      .join(" "),
};
