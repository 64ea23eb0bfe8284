import stringWidth from "string-width";
import type { Pointer } from "../language/ast.js";
import { formatPointer } from "../language/pointer.js";
import { valuesAt } from "../eval/walk.js";
import { CONTROL_CHARACTERS } from "./io.js";

function cell(value: unknown): string {
  if (value === undefined) return "";
  if (value === null) return "null";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(cell).filter((v) => v !== "").join(",");
  if (typeof value === "object") return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  return String(value);
}

/**
 * How many terminal columns a text takes: grapheme clusters, East Asian wide and fullwidth
 * characters and emoji take two, combining marks and zero-width characters none.
 */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });

// Control characters would move the cursor: they show as spaces in a cell (tabs and line feeds too).
function clean(text: string): string {
  return text.replace(CONTROL_CHARACTERS, " ").replace(/[\t\n]/g, " ");
}

/** Cut a text to a display width, whole grapheme clusters only, ending with … when cut; then pad. */
export function fitCell(text: string, size: number): string {
  const safe = clean(text);
  const width = displayWidth(safe);
  if (width <= size) return safe + " ".repeat(size - width);
  let out = "";
  let used = 0;
  for (const { segment } of segmenter.segment(safe)) {
    const w = displayWidth(segment);
    if (used + w > size - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…${" ".repeat(Math.max(0, size - 1 - used))}`;
}

/**
 * A compact text table of the chosen fields: columns as wide as their content (each at most
 * `maxWidth`), and the whole at most `totalWidth` columns (the widest columns give way first, cut
 * with an ellipsis).
 */
export function renderTable(resources: readonly unknown[], fields: readonly Pointer[], maxWidth = 32, totalWidth = Number.POSITIVE_INFINITY): string {
  const headers = fields.map((f) => formatPointer(f).slice(1) || "/");
  const rows = resources.map((r) => fields.map((f) => clean(cell(valuesAt(r, f)))));
  const widths = headers.map((h, i) => Math.max(1, Math.min(maxWidth, Math.max(displayWidth(h), ...rows.map((row) => displayWidth(row[i] ?? ""))))));
  const gaps = 2 * Math.max(0, widths.length - 1);
  // Narrow the widest column, one column at a time, until the table fits (never below 4 columns).
  for (let total = widths.reduce((a, b) => a + b, 0) + gaps; total > totalWidth; total--) {
    let widest = 0;
    for (let i = 1; i < widths.length; i++) if ((widths[i] ?? 0) > (widths[widest] ?? 0)) widest = i;
    if ((widths[widest] ?? 0) <= 4) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
  const line = (cells: readonly string[]) => cells.map((c, i) => fitCell(c, widths[i] ?? 1)).join("  ").trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}
