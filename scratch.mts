import { compileFilter, parseFilter } from "./src/index.ts";
import { generateUsers } from "./scripts/users.ts";
const users = generateUsers(200000, 7);
const crestText = '/accountStatus eq "active" and /loginCount gt 100 and (/roles/_refResourceId eq "admin" or /preferences/updates eq true)';
const p = compileFilter(parseFilter(crestText), { caseSensitive: true });
let n = 0; const s = Date.now();
for (let i = 0; i < 40; i++) n += users.filter(p).length;
console.log((Date.now() - s) / 40, "ms per pass", n);
