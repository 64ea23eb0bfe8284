import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// Tests that run the command line as a real process need dist/; build it once, unless it is
// newer than every source file already.
const root = fileURLToPath(new URL("..", import.meta.url));

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

export default function setup(): void {
  const built = join(root, "dist", "cli.js");
  const sources = Math.max(newest(join(root, "src")), statSync(join(root, "tsup.config.ts")).mtimeMs);
  if (existsSync(built) && statSync(built).mtimeMs >= sources && existsSync(join(root, "dist", "index.cjs"))) return;
  execFileSync(process.execPath, [join(root, "node_modules", "tsup", "dist", "cli-default.js"), "--silent"], { cwd: root, stdio: "inherit" });
}
