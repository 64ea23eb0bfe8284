import { CompletionContext, type CompletionResult, type CompletionSource as CmSource } from "@codemirror/autocomplete";
import { EditorState } from "@codemirror/state";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  completionSourceOf,
  crestQuery,
  filterCompletions,
  filterDiagnostics,
  highlightFilter,
  type FilterTokenKind,
} from "../src/codemirror/index.js";
import { formatFilter, parsePointer, type Filter } from "../src/index.js";
import { filter as anyFilter } from "./helpers/arbitraries.js";

const kinds = (text: string): FilterTokenKind[] => highlightFilter(text).map((t) => t.kind);
const images = (text: string, kind: FilterTokenKind): string[] =>
  highlightFilter(text).filter((t) => t.kind === kind).map((t) => text.slice(t.from, t.to));
const labels = (text: string, pos = text.length, fields?: readonly string[]): string[] =>
  filterCompletions(text, pos, { fields: fields ?? [] })?.options.map((o) => o.label) ?? [];

// The model: fields and operators of a filter in reading order, from the tree.
function testsOf(filter: Filter): Array<{ field: readonly string[]; operator: string }> {
  switch (filter.type) {
    case "and":
    case "or":
      return filter.filters.flatMap(testsOf);
    case "not":
      return testsOf(filter.filter);
    case "literal":
      return [];
    case "presence":
      return [{ field: filter.field, operator: "pr" }];
    case "comparison":
      return [{ field: filter.field, operator: filter.operator }];
  }
}

describe("highlightFilter", () => {
  it("gives a word its kind by where it stands, as the server reads it", () => {
    expect(kinds("and eq 1 and true")).toEqual(["field", "operator", "number", "logic", "bool"]);
    expect(kinds("or pr or pr pr")).toEqual(["field", "operator", "logic", "field", "operator"]);
    expect(kinds("!(/a eq true) or /b regex 'x'")).toEqual(["logic", "paren", "field", "operator", "bool", "paren", "logic", "field", "operator", "string"]);
    expect(kinds('/a co "x"')).toEqual(["field", "operator", "string"]);
  });

  it("marks what cannot stand where it is", () => {
    expect(kinds("/a eq 1 /b")).toEqual(["field", "operator", "number", "invalid"]);
    expect(kinds("/a eq 'open")).toEqual(["field", "operator", "invalid"]);
    expect(kinds(")")).toEqual(["invalid"]);
    expect(kinds("'x' eq 1")[0]).toBe("invalid");
  });

  it("agrees with the tree for every printable filter: fields and operators in order, nothing invalid", () => {
    fc.assert(
      fc.property(anyFilter, (filter) => {
        let text: string;
        try {
          text = formatFilter(filter);
        } catch {
          return; // not printable (lone surrogates): nothing to highlight
        }
        expect(kinds(text)).not.toContain("invalid");
        const tests = testsOf(filter);
        expect(images(text, "field").map((f) => parsePointer(f))).toEqual(tests.map((t) => t.field));
        expect(images(text, "operator").map((o) => (o.toLowerCase() === "pr" || /^(eq|co|sw|lt|le|gt|ge)$/i.test(o) ? o.toLowerCase() : o))).toEqual(
          tests.map((t) => t.operator),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("tokens cover the text in order, without overlapping", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        let at = 0;
        for (const t of highlightFilter(text)) {
          expect(t.from).toBeGreaterThanOrEqual(at);
          expect(t.to).toBeGreaterThan(t.from);
          expect(t.to).toBeLessThanOrEqual(text.length);
          at = t.to;
        }
      }),
    );
  });
});

describe("filterDiagnostics", () => {
  it("reports the syntax error where the parser found it, with the hint", () => {
    const [missing] = filterDiagnostics("/mail eq");
    expect(missing).toMatchObject({ from: 8, to: 8, severity: "error", source: "unexpected-end" });
    const [open] = filterDiagnostics("/a eq 'x");
    expect(open).toMatchObject({ from: 6, severity: "error", source: "unterminated-string" });
    const [bad] = filterDiagnostics("/a eq 1 /b pr");
    expect(bad?.from).toBe(8);
    expect(bad?.to).toBeGreaterThan(8);
    expect(bad?.message).not.toMatch(/line 1, column/);
    const hinted = filterDiagnostics("/a eq 'x' && /b pr");
    expect(hinted).toHaveLength(1);
  });

  it("reports lint warnings over the suspicious text", () => {
    const text = "/mail ne 'x' and /b eq 'a\\nb'";
    const found = filterDiagnostics(text);
    expect(found.map((d) => [d.severity, d.source, text.slice(d.from, d.to)])).toEqual([
      ["warning", "suspicious-operator", "ne"],
      ["warning", "json-escape", expect.stringContaining("\\n")],
    ]);
  });

  it("says nothing about an empty editor or a valid filter", () => {
    expect(filterDiagnostics("")).toEqual([]);
    expect(filterDiagnostics("   ")).toEqual([]);
    expect(filterDiagnostics("/mail co 'x' and /n ge 1")).toEqual([]);
  });

  it("passes parser options through", () => {
    const deep = `${"(".repeat(5)}a pr${")".repeat(5)}`;
    expect(filterDiagnostics(deep)).toEqual([]);
    expect(filterDiagnostics(deep, { maxNesting: 3 })[0]?.source).toBe("nesting-too-deep");
  });
});

describe("filterCompletions", () => {
  const fields = ["/mail", "/sn"];

  it("offers fields, groups and literals where a test starts", () => {
    expect(labels("", 0, fields)).toEqual(["/mail", "/sn", "(", "!", "true", "false"]);
    expect(labels("/mail pr and ", undefined, fields)).toContain("/sn");
    expect(labels("(", 1, fields)).toContain("/mail");
    const typing = filterCompletions("/mail pr or /m", 14, { fields });
    expect(typing?.from).toBe(12);
    expect(typing?.options.map((o) => o.label)).toContain("/mail");
  });

  it("offers operators after a field, and keeps the typed word as the prefix", () => {
    expect(labels("/mail ")).toEqual(["eq", "co", "sw", "lt", "le", "gt", "ge", "pr"]);
    expect(filterCompletions("/mail c", 7)?.from).toBe(6);
    expect(labels("and ")).toContain("eq"); // "and" in field position is a field
  });

  it("offers values of the field after an operator", () => {
    const source = { values: { "/accountStatus": ["active", "inactive"] } };
    const result = filterCompletions("/accountStatus eq ", 18, source);
    expect(result?.options.map((o) => o.label)).toEqual(['"active"', '"inactive"', "true", "false"]);
    expect(filterCompletions("accountStatus eq ", 17, source)?.options[0]?.label).toBe('"active"');
  });

  it("offers and, or, and ) only inside a group", () => {
    expect(labels("/a pr ")).toEqual(["and", "or"]);
    expect(labels("(/a pr ")).toEqual(["and", "or", ")"]);
    expect(labels("(/a pr) ")).toEqual(["and", "or"]);
  });

  it("offers nothing inside a string", () => {
    expect(filterCompletions("/a eq 'ab", 9)).toBeNull();
    expect(filterCompletions("/a eq 'ab'", 10)).toBeNull();
  });
});

describe("completionSourceOf", () => {
  it("finds nested fields and their values, with / and % escaped in segments", () => {
    const source = completionSourceOf([
      { sn: "Jensen", roles: [{ name: "admin" }, { name: "user" }], "a/b": 1, n: null },
      { sn: "Anders", active: true },
    ]);
    expect(source.fields).toEqual(["/a%2Fb", "/active", "/n", "/roles", "/roles/name", "/sn"]);
    expect(source.values["/sn"]).toEqual(["Anders", "Jensen"]);
    expect(source.values["/roles/name"]).toEqual(["admin", "user"]);
    expect(source.values["/n"]).toBeUndefined();
  });

  it("stays bounded on large and deep data", () => {
    let deep: unknown = "bottom";
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    const many = Array.from({ length: 5000 }, (_, i) => ({ [`k${i}`]: i, status: `s${i}` }));
    const source = completionSourceOf([deep, ...many], 100);
    expect(source.fields.length).toBeLessThanOrEqual(110);
    expect(source.fields.every((f) => f.split("/").length <= 9)).toBe(true);
    expect(source.values["/status"]?.length).toBe(30);
  });
});

describe("crestQuery extension", () => {
  function complete(doc: string, options: Parameters<typeof crestQuery>[0], explicit = false): CompletionResult | null {
    const state = EditorState.create({ doc, extensions: [crestQuery(options)] });
    const sources = state.languageDataAt<CmSource>("autocomplete", doc.length);
    expect(sources).toHaveLength(1);
    return (sources[0] as CmSource)(new CompletionContext(state, doc.length, explicit)) as CompletionResult | null;
  }

  it("completes fields from sample data and a list, merged", () => {
    const result = complete("/p", { fields: ["/extra"], sampleData: [{ preferences: { updates: true } }] });
    expect(result?.from).toBe(0);
    expect(result?.options.map((o) => o.label)).toEqual(expect.arrayContaining(["/extra", "/preferences", "/preferences/updates"]));
  });

  it("opens by itself after a space, not in the middle of nowhere", () => {
    expect(complete("/mail ", {})?.options.map((o) => o.label)).toContain("co");
    expect(complete("", {})).toBeNull();
    expect(complete("", {}, true)?.options.map((o) => o.label)).toContain("(");
  });

  it("can leave out completion", () => {
    const state = EditorState.create({ doc: "", extensions: [crestQuery({ completion: false })] });
    expect(state.languageDataAt("autocomplete", 0)).toEqual([]);
  });
});
