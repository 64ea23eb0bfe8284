import type { Pointer } from "../language/ast.js";
import { formatPointer } from "../language/pointer.js";
import { valuesAt } from "../eval/walk.js";

function cell(value: unknown): string {
  if (value === undefined) return "";
  if (value === null) return "null";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(cell).filter((v) => v !== "").join(",");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function width(text: string): number {
  return Array.from(text).length;
}

function fit(text: string, size: number): string {
  const chars = Array.from(text.replace(/[\u0000-\u001f]/g, " "));
  return chars.length > size ? `${chars.slice(0, size - 1).join("")}…` : text + " ".repeat(size - chars.length);
}

/** A compact text table of the chosen fields, columns as wide as their content (capped). */
export function renderTable(resources: readonly unknown[], fields: readonly Pointer[], maxWidth = 32): string {
  const headers = fields.map((f) => formatPointer(f).slice(1) || "/");
  const rows = resources.map((r) => fields.map((f) => cell(valuesAt(r, f))));
  const widths = headers.map((h, i) => Math.min(maxWidth, Math.max(width(h), ...rows.map((row) => width(row[i] ?? "")))));
  const line = (cells: readonly string[]) => cells.map((c, i) => fit(c, widths[i] ?? 1)).join("  ").trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}
