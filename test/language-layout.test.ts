import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The modules of src/language and what each imports (type-only imports count too: a cycle of
// types still ties the modules together).
const dir = new URL("../src/language/", import.meta.url);
const modules = readdirSync(dir).filter((f) => f.endsWith(".ts"));
const source = (file: string) => readFileSync(new URL(file, dir), "utf8");
const imports = new Map(
  modules.map((file) => [
    file,
    [...source(file).matchAll(/^(?:import|export)\b[^;]*?from\s+"\.\/([\w-]+)\.js"/gms)].map((m) => `${m[1]}.ts`),
  ]),
);

describe("src/language layout", () => {
  it("reads the imports it checks", () => {
    expect(imports.get("lint.ts")).toContain("parser.ts");
    expect(imports.get("parser.ts")).toContain("lexer.ts");
  });

  it("has no import cycles", () => {
    const state = new Map<string, "open" | "done">();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        cycles.push([...path.slice(path.indexOf(file)), file].join(" -> "));
        return;
      }
      state.set(file, "open");
      for (const next of imports.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, "done");
    };
    for (const file of modules) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it("keeps the grammar apart from lint rules and error wording", () => {
    expect(imports.get("parser.ts")).not.toContain("lint.ts");
    const parser = source("parser.ts");
    expect(parser).not.toMatch(/new FilterSyntaxError/);
    expect(parser).not.toMatch(/FilterWarning/);
  });

  it("percent-encodes in one place, and decodes UTF-8 with its own Java-compatible decoder", () => {
    const encoders = modules.filter((f) => /encodeURIComponent\(|`%\$\{/.test(source(f).replace(/^\s*(\/\/|\*).*$/gm, "")));
    expect(encoders).toEqual(["percent.ts"]);
    expect(modules.filter((f) => /new TextDecoder/.test(source(f)))).toEqual([]);
  });
});
