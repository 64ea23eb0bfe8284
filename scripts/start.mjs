// `npm start`: open the REPL on the bundled sample users. Rebuilds the CLI bundle only when a source
// file is newer than it (the CLI alone, no type declarations), so an unchanged tree starts at once.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bundle = join(root, "dist", "cli.js");

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

let built = 0;
try {
  built = statSync(bundle).mtimeMs;
} catch {
  // not built yet
}
if (built < Math.max(newest(join(root, "src")), statSync(join(root, "package.json")).mtimeMs)) {
  const tsup = join(root, "node_modules", "tsup", "dist", "cli-default.js");
  const result = spawnSync(process.execPath, [tsup, "--silent"], { cwd: root, stdio: "inherit", env: { ...process.env, CREST_BUILD: "cli" } });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
const repl = spawnSync(process.execPath, [bundle, "repl", ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
process.exit(repl.status ?? 0);
