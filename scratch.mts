import { parseFilter } from "./src/index.ts";
for (const n of [100, 150, 200, 250, 300, 400]) {
  try { parseFilter("(".repeat(n) + "a pr" + ")".repeat(n), { maxNesting: n }); console.log(n, "ok"); } catch (e: any) { console.log(n, e.name, e.message.slice(0, 60)); }
  try { parseFilter("! (".repeat(n) + "a pr" + ")".repeat(n), { maxNesting: n }); console.log(n, "ok!"); } catch (e: any) { console.log(n, e.name, e.message.slice(0, 60)); }
}
