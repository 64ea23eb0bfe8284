import type { Filter, Pointer } from "../language/ast.js";
import { formatPointer } from "../language/pointer.js";
import { forEachTest } from "../build/transform.js";
import { valuesAt as walk } from "../eval/walk.js";

/** Hints for the usual mistakes in a filter that does not parse. */
export function syntaxHints(text: string): string[] {
  const hints: string[] = [];
  if (/[\u201c\u201d\u2018\u2019\u201e\u201a\u00ab\u00bb]/.test(text)) {
    hints.push("the filter holds curly quotes (“ ” ‘ ’), which an editor or chat app put there: type straight quotes \" or ' instead");
  }
  const inner = /'[^'\s]*'[\p{L}\p{N}]/u.exec(text);
  if (inner !== null) {
    hints.push(`a quote inside a single-quoted string ends it (${inner[0]}…): put the text in double quotes ("O'Brien") or write the quote as \\'`);
  }
  return hints;
}

function comparisons(filter: Filter): Array<Extract<Filter, { type: "comparison" }>> {
  const found: Array<Extract<Filter, { type: "comparison" }>> = [];
  forEachTest(filter, (test) => {
    if (test.type === "comparison") found.push(test);
  });
  return found;
}

function valuesAt(resources: readonly unknown[], field: Pointer, limit = 2000): unknown[] {
  const values: unknown[] = [];
  for (const resource of resources.slice(0, limit)) {
    for (const v of walk(resource, field)) {
      if (Array.isArray(v)) for (const e of v.slice(0, 50)) values.push(e);
      else if (v !== undefined && v !== null) values.push(v);
    }
  }
  return values;
}

/**
 * Hints from the data for a filter that parsed: a number field compared with a quoted number, and
 * text that differs from the data's only by Unicode normalisation (é typed as e + accent).
 */
export function dataHints(filter: Filter, resources: readonly unknown[]): string[] {
  const hints: string[] = [];
  for (const c of comparisons(filter).slice(0, 20)) {
    const value = c.value;
    if (typeof value !== "string") continue;
    const values = valuesAt(resources, c.field);
    const name = formatPointer(c.field);
    if (/^-?[0-9]+(\.[0-9]+)?$/.test(value.trim()) && values.length > 0 && values.every((v) => typeof v === "number" || typeof v === "bigint")) {
      hints.push(`${name} holds numbers in the data, but "${value}" is a string and never equals or orders with a number: write ${name} ${c.operator} ${value.trim()} without quotes`);
    }
    const nfc = value.normalize("NFC");
    const nfd = value.normalize("NFD");
    if (nfc === value && nfd === value) continue;
    const strings = values.filter((v): v is string => typeof v === "string");
    const lower = (s: string) => s.toLowerCase();
    const sameWhenNormalised = strings.find((s) => s !== value && lower(s.normalize("NFC")).includes(lower(nfc)) && !lower(s).includes(lower(value)));
    if (sameWhenNormalised !== undefined) {
      const form = value === nfc ? "composed (NFC)" : "decomposed (NFD or mixed)";
      hints.push(`"${value}" is typed ${form}, while the data writes "${sameWhenNormalised}" in another Unicode form: they look alike but do not compare equal; retype it or copy it from the data`);
    }
  }
  return hints;
}
