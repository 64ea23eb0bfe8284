import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeControls } from "../src/cli/io.js";
import { recognisePasted } from "../src/cli/pasted.js";
import { fitCell, renderTable } from "../src/cli/table.js";
import { encodeQueryFilter } from "../src/index.js";

// A model of terminal width for the characters drawn below: ASCII 1, CJK and emoji 2, a combining
// accent 0 (it joins the character before it).
const pieces = [
  { text: "a", width: 1 },
  { text: "Z", width: 1 },
  { text: " ", width: 1 },
  { text: "é", width: 1 },
  { text: "e\u0301", width: 1 },
  { text: "山", width: 2 },
  { text: "ｱ", width: 1 },
  { text: "Ａ", width: 2 },
  { text: "😀", width: 2 },
  { text: "👍🏽", width: 2 },
] as const;
const drawn = fc.array(fc.constantFrom(...pieces), { maxLength: 30 });
const modelWidth = (text: string) => {
  let width = 0;
  let rest = text;
  while (rest.length > 0) {
    const piece = [...pieces].sort((a, b) => b.text.length - a.text.length).find((p) => rest.startsWith(p.text));
    if (piece === undefined) {
      width += 1; // the ellipsis
      rest = rest.slice(1);
      continue;
    }
    width += piece.width;
    rest = rest.slice(piece.text.length);
  }
  return width;
};

describe("table cells", () => {
  it("take exactly the width asked for, cutting whole characters and ending with … when cut", () => {
    fc.assert(
      fc.property(drawn, fc.integer({ min: 2, max: 40 }), (parts, size) => {
        const text = parts.map((p) => p.text).join("");
        const total = parts.reduce((w, p) => w + p.width, 0);
        const cell = fitCell(text, size);
        expect(modelWidth(cell)).toBe(size);
        if (total <= size) {
          expect(cell.trimEnd()).toBe(text.trimEnd());
        } else {
          // The longest run of whole characters that leaves a column for the ellipsis.
          let prefix = "";
          let used = 0;
          for (const p of parts) {
            if (used + p.width > size - 1) break;
            prefix += p.text;
            used += p.width;
          }
          expect(cell).toBe(`${prefix}…${" ".repeat(size - 1 - used)}`);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("fit a table into the width given", () => {
    const rows = [{ a: "山".repeat(20), b: "x".repeat(40), c: "😀" }];
    const table = renderTable(rows, [["a"], ["b"], ["c"]], 32, 40);
    for (const line of table.split("\n")) expect(modelWidth(line)).toBeLessThanOrEqual(40);
    expect(table).toContain("…");
  });
});

describe("escapeControls", () => {
  it("leaves no control character but the line feed, and JSON stays the same JSON", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        const escaped = escapeControls(JSON.stringify(s));
        expect(escaped).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
        expect(JSON.parse(escaped)).toBe(s);
      }),
      { numRuns: 1000 },
    );
    expect(escapeControls("a\u001b[2Jb\nc\u009b\u202e")).toBe("a\\u001b[2Jb\nc\\u009b\\u202e");
  });
});

describe("pasted filters", () => {
  it("recognises any filter encoded, as a parameter and in a URL", () => {
    fc.assert(
      fc.property(fc.constantFrom('/sn eq "O\'Brien"', "/a pr", "/x gt 1 and /y co 'é 100%'", "true"), (filter) => {
        const encoded = encodeQueryFilter(filter, { validate: false });
        expect(recognisePasted(`_queryFilter=${encoded}&_pageSize=3`)).toEqual({ filter, source: "parameter" });
        expect(recognisePasted(`https://h.example/openidm/managed/user?_fields=a&_queryFilter=${encoded}#top`)).toEqual({ filter, source: "url" });
        if (encoded !== filter) expect(recognisePasted(encoded)).toEqual({ filter, source: "encoded" });
        expect(recognisePasted(filter)).toEqual({ filter, source: undefined });
      }),
    );
  });
});
