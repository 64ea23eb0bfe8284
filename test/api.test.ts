import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const entry = fileURLToPath(new URL("../src/index.ts", import.meta.url));
const program = ts.createProgram([entry], { strict: true, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022 });
const checker = program.getTypeChecker();
const source = program.getSourceFile(entry);
const moduleSymbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
const exported = moduleSymbol === undefined ? [] : checker.getExportsOfModule(moduleSymbol);

function resolve(symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

describe("public API", () => {
  it("has exports and no default export", () => {
    expect(exported.length).toBeGreaterThan(20);
    expect(exported.map((s) => s.getName())).not.toContain("default");
  });

  it.each(exported.map((s) => [s.getName(), s] as const))("%s has TSDoc with an example", (_name, symbol) => {
    const target = resolve(symbol);
    const docs = ts.displayPartsToString(target.getDocumentationComment(checker)).trim();
    const examples = target.getJsDocTags(checker).filter((tag) => tag.name === "example");
    expect(docs.length).toBeGreaterThan(10);
    expect(examples.length).toBeGreaterThan(0);
  });

  it("uses no `any` in exported signatures", () => {
    const offenders: string[] = [];
    for (const symbol of exported) {
      const target = resolve(symbol);
      for (const declaration of target.getDeclarations() ?? []) {
        declaration.forEachChild(function visit(node: ts.Node): void {
          if (node.kind === ts.SyntaxKind.AnyKeyword) offenders.push(`${symbol.getName()}: ${node.parent.getText()}`);
          // Function bodies are implementation, not signature.
          if (ts.isBlock(node)) return;
          node.forEachChild(visit);
        });
      }
    }
    expect(offenders).toEqual([]);
  });
});
