import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FilterSyntaxError, parseFilter } from "../src/index.js";
import { normaliseExpected, toReference, type ConformanceCase } from "./helpers/reference.js";

function load(name: string): ConformanceCase[] {
  const text = readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
  return text.split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line) as ConformanceCase);
}

const files = ["parse-cases.jsonl", "parse-random.jsonl"] as const;

describe.each(files)("conformance corpus %s", (file) => {
  const cases = load(file);

  it("has the documented number of cases", () => {
    expect(cases.length).toBe(file === "parse-cases.jsonl" ? 300 : 500);
  });

  it.each(cases.map((c, i) => [i + 1, c] as const))("line %i", (_line, c) => {
    let outcome: { filter: unknown } | { error: FilterSyntaxError };
    try {
      outcome = { filter: toReference(parseFilter(c.input)) };
    } catch (error) {
      // Anything but our one error class is a crash, and a failure.
      expect(error).toBeInstanceOf(FilterSyntaxError);
      outcome = { error: error as FilterSyntaxError };
    }
    if ("error" in c.expect) {
      expect("error" in outcome, `expected a syntax error, got ${JSON.stringify((outcome as { filter: unknown }).filter)}`).toBe(true);
      return;
    }
    if ("error" in outcome) {
      expect(c.allow ?? [], `rejected a filter the server accepts: ${outcome.error.message}`).toContain("error");
      return;
    }
    expect(outcome.filter).toEqual(normaliseExpected(c.expect));
  });
});
