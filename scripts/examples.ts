// Writes examples/users.json: 1,000 sample users, seeded, so it can be regenerated exactly.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { generateUsers } from "./users.js";

const target = fileURLToPath(new URL("../examples/users.json", import.meta.url));
writeFileSync(target, `${JSON.stringify(generateUsers(1000, 42), null, 2)}\n`);
console.log(`wrote ${target}`);
