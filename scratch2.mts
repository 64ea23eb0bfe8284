import { createMockServer, queryPages } from "./dist/index.js";
const server = await createMockServer({ collections: { users: Array.from({ length: 10000 }, (_, i) => ({ _id: `u${i}`, userName: `user${i}`, n: i })) } });
const c = `${server.url}/users`;
async function hand(pageSize: number, signal?: AbortSignal) { let cookie: string | null = null; let n = 0; do { const r = await fetch(`${c}?_queryFilter=true&_pageSize=${pageSize}${cookie === null ? "" : `&_pagedResultsCookie=${encodeURIComponent(cookie)}`}`, signal ? { signal, headers: { accept: "application/json" } } : undefined); const p = JSON.parse(await r.text()) as any; n += p.result.length; cookie = p.pagedResultsCookie; } while (cookie !== null); return n; }
async function pages(pageSize: number, fetchImpl?: typeof fetch) { let n = 0; for await (const p of queryPages(c, { pageSize, ...(fetchImpl ? { fetch: fetchImpl } : {}) })) n += p.resultCount; return n; }
const nosignal: typeof fetch = (input, init) => fetch(input, { ...init, signal: undefined });
async function time(name: string, fn: () => Promise<number>) { for (let i = 0; i < 5; i++) await fn(); const s = performance.now(); for (let i = 0; i < 15; i++) await fn(); console.log(name.padEnd(16), ((performance.now() - s) / 15).toFixed(1), "ms"); }
for (let k = 0; k < 2; k++) {
await time("hand", () => hand(100));
await time("hand+signal", () => hand(100, new AbortController().signal));
await time("pages", () => pages(100));
await time("pages nosignal", () => pages(100, nosignal));
}
await server.close();
