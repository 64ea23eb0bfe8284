import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { format } from "node:util";
import ts from "typescript";
import { afterAll, describe, expect, it, vi } from "vitest";

// Every TypeScript example in README.md and docs/*.md is type-checked and run; where the page
// shows output (a ```text block right after the example), the printed output must match it.
const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "test", ".docs");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Example {
  readonly page: string;
  readonly line: number;
  readonly file: string;
  readonly expected: string | undefined;
}

const pages = ["README.md", ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const fence = /^```(\w*)\n([\s\S]*?)^```\n/gm;

function blocks(page: string): Array<{ lang: string; body: string; line: number; end: number }> {
  const text = readFileSync(join(root, page), "utf8");
  return [...text.matchAll(fence)].map((m) => ({
    lang: m[1] ?? "",
    body: m[2] ?? "",
    line: text.slice(0, m.index).split("\n").length,
    end: (m.index ?? 0) + m[0].length,
  }));
}

const examples: Example[] = [];
for (const page of pages) {
  const text = readFileSync(join(root, page), "utf8");
  const found = blocks(page);
  found.forEach((block, i) => {
    if (block.lang !== "ts") return;
    const next = found[i + 1];
    const between = next === undefined ? "x" : text.slice(block.end, text.indexOf("```", block.end));
    const expected = next?.lang === "text" && between.trim() === "" ? next.body : undefined;
    const file = join(out, `${page.replace(/[/.]/g, "_")}_${block.line}.ts`);
    const entry = (sub: string) => relative(out, join(root, "src", sub)).replace(/\\/g, "/");
    const source = block.body
      .replace(/from "crest-query\/codemirror"/g, `from "${entry("codemirror/index.js")}"`)
      .replace(/from "crest-query\/node"/g, `from "${entry("node/index.js")}"`)
      .replace(/from "crest-query"/g, `from "${entry("index.js")}"`);
    writeFileSync(file, `${source}\nexport {};\n`);
    examples.push({ page, line: block.line, file, expected });
  });
}

describe("documentation examples", () => {
  it("there are examples on every guide", () => {
    const covered = new Set(examples.map((e) => e.page));
    for (const page of ["README.md", "docs/language.md", "docs/builder.md", "docs/evaluation.md", "docs/paged-queries.md"]) expect(covered).toContain(page);
    expect(examples.filter((e) => e.expected !== undefined).length).toBeGreaterThan(15);
  });

  it("type-check", () => {
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ["lib.es2023.d.ts"],
      types: ["node"],
      strict: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      skipLibCheck: true,
      allowImportingTsExtensions: false,
    };
    const program = ts.createProgram(examples.map((e) => e.file), options);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || d.file.fileName.startsWith(out))
      .map((d) => {
        const where = d.file === undefined ? "" : `${relative(out, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: `;
        return `${where}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
      });
    expect(problems).toEqual([]);
  }, 60_000);

  it.each(examples.map((e) => [`${e.page}:${e.line}`, e] as const))("%s runs and prints what the page shows", async (_where, example) => {
    const printed: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void printed.push(format(...args)));
    try {
      await import(pathToFileURL(example.file).href);
    } finally {
      spy.mockRestore();
    }
    if (example.expected !== undefined) expect(`${printed.join("\n")}\n`).toBe(example.expected);
  });
});

describe("command-line transcripts in docs/cli.md", () => {
  const cli = join(root, "dist", "cli.js");
  const transcripts = blocks("docs/cli.md").filter((b) => b.lang === "console");
  const steps: Array<{ command: string; input: string; expected: string }> = [];
  for (const block of transcripts) {
    const lines = block.body.replace(/\n$/, "").split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      if (!line.startsWith("$ ")) continue;
      const output: string[] = [];
      const input: string[] = [];
      for (i++; i < lines.length && !(lines[i] as string).startsWith("$ "); i++) {
        const l = lines[i] as string;
        if (l.startsWith("crest> ")) input.push(l.slice("crest> ".length));
        else output.push(l);
      }
      i--;
      // Background jobs and redirections need a shell and a live port: those are shown, not run.
      if (/[&>|]\s*\S*$/.test(line) || line.includes(" > ")) continue;
      steps.push({ command: line.slice(2), input: input.map((l) => `${l}\n`).join(""), expected: output.join("\n") });
    }
  }

  it("has transcripts to check", () => {
    expect(steps.length).toBeGreaterThanOrEqual(5);
  });

  it.each(steps.map((s) => [s.command, s] as const))("$ %s", (_command, step) => {
    const args = [...step.command.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : (m[2] ?? m[3] ?? "")));
    expect(args[0]).toBe("crest-query");
    const result = spawnSync(process.execPath, [cli, ...args.slice(1)], {
      cwd: root,
      input: step.input,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", CREST_QUERY_HISTORY: "" },
    });
    const printed = `${result.stdout}${result.stderr}`.replace(/^next cookie: .*$/m, "next cookie: …").replace(/\n$/, "");
    expect(printed).toBe(step.expected);
  });
});
