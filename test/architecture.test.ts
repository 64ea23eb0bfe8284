import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The source tree is layered: each folder may import only from folders below it (see
// docs/architecture.md). This test reads every import in src/ and checks the direction, the absence
// of cycles, and that the main entry reaches no Node built-in and no package outside a short list.
const src = fileURLToPath(new URL("../src", import.meta.url));

/** Lower rank = lower layer. A folder may import its own files and folders of a lower rank. */
export const LAYERS: Readonly<Record<string, number>> = {
  language: 0,
  build: 1,
  eval: 2,
  query: 3,
  pushdown: 4,
  client: 4,
  codemirror: 4,
  store: 5,
  server: 6,
  "": 7, // src/index.ts, the platform-neutral main entry
  node: 8,
  cli: 9,
};

/** Packages the platform-neutral main entry may reach. */
const NEUTRAL_PACKAGES = new Set(["chevrotain", "@noble/hashes", "jose"]);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

const IMPORT = /(?:^|[;\s])(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']|(?:^|[;\s])import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
}

const all = files(src);
const graph = new Map<string, string[]>();
const external = new Map<string, string[]>();
for (const file of all) {
  const local: string[] = [];
  const other: string[] = [];
  for (const spec of importsOf(file)) {
    if (spec.startsWith(".")) local.push(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
    else other.push(spec);
  }
  graph.set(file, local);
  external.set(file, other);
}

const folderOf = (file: string) => relative(src, file).split("/").slice(0, -1)[0] ?? "";
const name = (file: string) => relative(src, file);

describe("architecture", () => {
  it("knows every folder of src/", () => {
    for (const file of all) expect(LAYERS, `folder of ${name(file)}`).toHaveProperty([folderOf(file)]);
  });

  it("imports point down the layers only", () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const from = folderOf(file);
      for (const target of targets) {
        const to = folderOf(target);
        if (to !== from && !((LAYERS[to] ?? 99) < (LAYERS[from] ?? -1))) wrong.push(`${name(file)} -> ${name(target)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("every relative import names an existing file", () => {
    for (const [file, targets] of graph) for (const target of targets) expect(all, `${name(file)} imports ${name(target)}`).toContain(target);
  });

  it("has no import cycles", () => {
    // Tarjan's strongly connected components, iteratively.
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const cycles: string[][] = [];
    let counter = 0;
    for (const start of graph.keys()) {
      if (index.has(start)) continue;
      const work: Array<[string, number]> = [[start, 0]];
      while (work.length > 0) {
        const frame = work[work.length - 1]!;
        const [node, i] = frame;
        if (i === 0) {
          index.set(node, counter);
          low.set(node, counter++);
          stack.push(node);
          onStack.add(node);
        }
        const next = graph.get(node) ?? [];
        if (i < next.length) {
          frame[1] = i + 1;
          const target = next[i]!;
          if (!index.has(target)) work.push([target, 0]);
          else if (onStack.has(target)) low.set(node, Math.min(low.get(node)!, index.get(target)!));
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent !== undefined) low.set(parent[0], Math.min(low.get(parent[0])!, low.get(node)!));
        if (low.get(node) === index.get(node)) {
          const component: string[] = [];
          let member: string;
          do {
            member = stack.pop()!;
            onStack.delete(member);
            component.push(name(member));
          } while (member !== node);
          if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component);
        }
      }
    }
    expect(cycles).toEqual([]);
  });

  it("the main entry reaches no Node built-in and only platform-neutral packages", () => {
    const seen = new Set<string>();
    const queue = [join(src, "index.ts")];
    const offending: string[] = [];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const spec of external.get(file) ?? []) {
        const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
        if (!NEUTRAL_PACKAGES.has(pkg)) offending.push(`${name(file)} imports ${spec}`);
      }
      queue.push(...(graph.get(file) ?? []));
    }
    expect(seen.size).toBeGreaterThan(10);
    expect(offending).toEqual([]);
  });
});
