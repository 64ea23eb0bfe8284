import { Agent, createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createMockServer, type MockServer } from "../dist/node.js";
import type { BenchSuite, Measured } from "./harness.js";

// The mock CREST server against a bare node:http server that answers with the same bytes, both on
// 127.0.0.1 in this process, driven by the same keep-alive client. The ratio of requests per second
// is what the server's own work costs: routing, parameters, the store, the web Request/Response.

const COUNT = 2_000;
const BATCH = 200;
const CONCURRENCY = 8;
const GOALS: Readonly<Record<string, number>> = { "cached query page": 0.6, "read by id": 0.8 };

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
let crest: MockServer | undefined;
let bare: Server | undefined;

function get(port: number, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${path}: ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end();
  });
}

async function batch(port: number, path: string): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next++ < BATCH) await get(port, path);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

function rss(): number {
  return process.memoryUsage().rss / (1024 * 1024);
}

export const serverSuite: BenchSuite = {
  name: "server",
  title: "The CREST server against bare node:http",
  notes: `One operation is ${BATCH} GET requests, ${CONCURRENCY} at a time over keep-alive connections, to a collection of ${COUNT.toLocaleString("en")} users. "bare node:http" answers every request with the bytes the CREST server sent for it, computed once. The cached query page is the second page of a paged query (its matches are kept between pages); the read is one resource by id.`,
  async cases() {
    const users = Array.from({ length: COUNT }, (_, i) => ({ _id: `u${String(i).padStart(5, "0")}`, userName: `user${i}`, sn: `Sn${i % 97}`, mail: `user${i}@example.com`, active: i % 3 !== 0 }));
    crest = await createMockServer({ collections: { "managed/user": users }, basePath: "/openidm", recordRequests: 0 });
    const crestPort = crest.port;
    const paths = {
      "cached query page": "/openidm/managed/user?_queryFilter=active%20eq%20true&_sortKeys=sn&_pageSize=50&_pagedResultsOffset=50",
      "read by id": "/openidm/managed/user/u01234",
    };
    const bodies = new Map<string, Buffer>();
    for (const path of Object.values(paths)) bodies.set(path, await get(crestPort, path));
    bare = createServer((req, res) => {
      const body = bodies.get(req.url ?? "") ?? Buffer.from("{}");
      res.writeHead(200, { "content-type": "application/json; charset=UTF-8", "content-length": body.byteLength });
      res.end(body);
    });
    await new Promise<void>((resolve) => bare?.listen(0, "127.0.0.1", resolve));
    const barePort = (bare.address() as AddressInfo).port;
    return Object.entries(paths).map(([label, path]) => ({
      label,
      unit: `${BATCH} requests`,
      tasks: [
        { name: "crest-query server", fn: () => batch(crestPort, path) },
        { name: "bare node:http", fn: () => batch(barePort, path) },
      ],
    }));
  },
  async teardown() {
    // RSS over many requests after the measured runs: it should stay flat (the request log is off,
    // caches are bounded).
    if (crest !== undefined) {
      const before = rss();
      for (let i = 0; i < 25; i++) await batch(crest.port, "/openidm/managed/user?_queryFilter=true&_pageSize=20&_pagedResultsOffset=20");
      const after = rss();
      console.log(`RSS over ${(25 * BATCH).toLocaleString("en")} more query requests: ${before.toFixed(0)} MB -> ${after.toFixed(0)} MB`);
    }
    await crest?.close();
    await new Promise<void>((resolve) => (bare === undefined ? resolve() : bare.close(() => resolve())));
    agent.destroy();
  },
  summary(rows: readonly Measured[]) {
    const parts: string[] = [];
    for (const [label, goal] of Object.entries(GOALS)) {
      const ours = rows.find((r) => r.label === label && r.task === "crest-query server")?.hz ?? 0;
      const base = rows.find((r) => r.label === label && r.task === "bare node:http")?.hz ?? 1;
      const ratio = ours / base;
      parts.push(`${label}: ${ratio.toFixed(2)}x bare node:http (goal ${goal}x${ratio >= goal ? ", met" : ", NOT met"})`);
    }
    return `${parts.join("; ")}.`;
  },
};
