import { basename, dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readCollectionFile } from "../node/collection-file.js";
import { CliError } from "./io.js";

/** The bundled sample users: examples/users.json next to the package's dist/. */
export function sampleDataPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/cli.js (built) and src/cli/data.ts (tests) are one and two levels below the package.
  return here.endsWith(join("src", "cli")) ? join(here, "..", "..", "examples", "users.json") : join(here, "..", "examples", "users.json");
}

/** Read a collection from a JSON file holding an array or `{ "result": [...] }`; problems exit 1. */
export function loadResources(path: string): unknown[] {
  try {
    return readCollectionFile(path);
  } catch (error) {
    throw new CliError((error as Error).message, 1);
  }
}

/** A collection name from a file name: users.json is "users". */
export function collectionName(path: string): string {
  return basename(path, extname(path)) || "resources";
}

/** Every field path in the data (first resources only), for completion: /a, /a/b, /roles/_ref. */
export function fieldPaths(resources: readonly unknown[], limit = 200): string[] {
  const paths = new Set<string>();
  const visit = (value: unknown, prefix: string, depth: number): void => {
    if (depth > 5 || value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      for (const element of value.slice(0, 20)) visit(element, prefix, depth + 1);
      return;
    }
    for (const [key, inner] of Object.entries(value)) {
      const path = `${prefix}/${key.replace(/%/g, "%25").replace(/\//g, "%2F")}`;
      paths.add(path);
      visit(inner, path, depth + 1);
    }
  };
  for (const resource of resources.slice(0, limit)) visit(resource, "", 0);
  return [...paths].sort();
}
