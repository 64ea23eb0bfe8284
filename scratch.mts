import { createMockServer, queryAll, queryPages } from "./dist/index.js";
const server = await createMockServer({ collections: { users: Array.from({ length: 10000 }, (_, i) => ({ _id: `u${i}`, userName: `user${i}`, n: i })) } });
const c = `${server.url}/users`;
async function hand(pageSize: number) { let cookie: string | null = null; let n = 0; do { const r = await fetch(`${c}?_queryFilter=true&_pageSize=${pageSize}${cookie === null ? "" : `&_pagedResultsCookie=${encodeURIComponent(cookie)}`}`); const p = (await r.json()) as any; n += p.result.length; cookie = p.pagedResultsCookie; } while (cookie !== null); return n; }
async function pages(pageSize: number) { let n = 0; for await (const p of queryPages(c, { pageSize })) n += p.resultCount; return n; }
async function all(pageSize: number) { let n = 0; for await (const _ of queryAll(c, { pageSize })) n++; return n; }
async function time(name: string, fn: () => Promise<number>) { for (let i = 0; i < 3; i++) await fn(); const s = performance.now(); for (let i = 0; i < 10; i++) await fn(); console.log(name.padEnd(12), ((performance.now() - s) / 10).toFixed(1), "ms"); }
for (const ps of [100, 1000, 100]) { await time(`all ${ps}`, () => all(ps)); await time(`pages ${ps}`, () => pages(ps)); await time(`hand ${ps}`, () => hand(ps)); }
await server.close();
