// The editor-independent half of the CodeMirror support: what each token of a filter is, the
// diagnostics, and what may be typed at a position. Plain functions over text, so they run (and are
// tested) without a browser; ./extension.ts wires them into CodeMirror.
import type { IToken } from "chevrotain";
import { CORE_OPERATORS } from "../language/ast.js";
import { checkFilter } from "../language/lint.js";
import { tokenize } from "../language/lexer.js";

/**
 * What a piece of filter text is, by where it stands: the same word is a field in one place and a
 * keyword in another (`and eq 1` compares a field named `and`).
 *
 * @example
 * ```ts
 * import { highlightFilter, type FilterTokenKind } from "crest-query/codemirror";
 * const kinds: FilterTokenKind[] = highlightFilter("/a pr").map((t) => t.kind); // ["field", "operator"]
 * ```
 */
export type FilterTokenKind =
  | "field"
  | "operator"
  | "logic"
  | "bool"
  | "string"
  | "number"
  | "paren"
  | "invalid";

/**
 * One token of a filter and its kind, with UTF-16 offsets (`to` is exclusive).
 *
 * @example
 * ```ts
 * import { highlightFilter, type FilterToken } from "crest-query/codemirror";
 * const [first]: FilterToken[] = highlightFilter("/mail co 'x'"); // { from: 0, to: 5, kind: "field" }
 * ```
 */
export interface FilterToken {
  readonly from: number;
  readonly to: number;
  readonly kind: FilterTokenKind;
}

/**
 * A problem in the text, shaped like a CodeMirror lint diagnostic.
 *
 * @example
 * ```ts
 * import { filterDiagnostics, type FilterDiagnostic } from "crest-query/codemirror";
 * const [d]: FilterDiagnostic[] = filterDiagnostics("/a eq"); // severity "error", at the end
 * ```
 */
export interface FilterDiagnostic {
  readonly from: number;
  readonly to: number;
  readonly severity: "error" | "warning";
  /** What is wrong, and the hint when there is one. */
  readonly message: string;
  /** The error or warning code (`unexpected-end`, `suspicious-operator`...). */
  readonly source: string;
}

/**
 * One thing that can be typed at a position, shaped like a CodeMirror completion.
 *
 * @example
 * ```ts
 * import { filterCompletions, type FilterCompletion } from "crest-query/codemirror";
 * const options: readonly FilterCompletion[] = filterCompletions("/a ", 3)?.options ?? []; // eq, co, ... pr
 * ```
 */
export interface FilterCompletion {
  readonly label: string;
  /** `property` (a field), `keyword` (an operator, `and`, `or`...), `constant` or `text` (a value). */
  readonly type: "property" | "keyword" | "constant" | "text";
  readonly detail?: string;
}

/**
 * What can be typed at a position: the options and where the typed word being completed starts.
 *
 * @example
 * ```ts
 * import { filterCompletions, type FilterCompletions } from "crest-query/codemirror";
 * const result: FilterCompletions | null = filterCompletions("/mail c", 7); // from 6: eq, co, ...
 * ```
 */
export interface FilterCompletions {
  readonly from: number;
  readonly to: number;
  readonly options: readonly FilterCompletion[];
}

/**
 * Where fields and values for completion come from.
 *
 * @example
 * ```ts
 * import type { CompletionSource } from "crest-query/codemirror";
 * const source: CompletionSource = { fields: ["/mail", "/sn"], values: { "/sn": ["Jensen"] } };
 * ```
 */
export interface CompletionSource {
  /** Field pointers to offer where a field stands (`/mail`, `/roles/_refResourceId`). */
  readonly fields?: readonly string[];
  /** Values to offer after an operator, by field pointer. */
  readonly values?: Readonly<Record<string, readonly (string | number | boolean)[]>>;
}

/** What the next token may be, by the grammar. */
type Expect = "test" | "operator" | "value" | "connective";

const OPERATOR_DETAILS: Readonly<Record<string, string>> = {
  eq: "equals",
  co: "contains",
  sw: "starts with",
  lt: "less than",
  le: "less than or equal",
  gt: "greater than",
  ge: "greater than or equal",
  pr: "present (not null)",
};

const MAX_TEXT = 100_000;

interface Walk {
  readonly tokens: FilterToken[];
  /** What the grammar expects after each token (index i: after tokens[i]). */
  readonly after: Expect[];
  readonly depths: number[];
  /** The field of the test that each token belongs to, where there is one. */
  readonly fields: (string | undefined)[];
}

function kindOf(token: IToken): string {
  return token.tokenType.name;
}

/** Walk the tokens with the grammar's expectations, giving each its kind by where it stands. */
function walk(text: string): Walk {
  const tokens: FilterToken[] = [];
  const after: Expect[] = [];
  const depths: number[] = [];
  const fields: (string | undefined)[] = [];
  if (text.length > MAX_TEXT) return { tokens, after, depths, fields };
  const lexed = tokenize(text);
  const items: Array<{ from: number; to: number; type: string }> = lexed.tokens.map((t) => ({
    from: t.startOffset,
    to: t.startOffset + t.image.length,
    type: kindOf(t),
  }));
  if (lexed.unterminatedAt !== -1) items.push({ from: lexed.unterminatedAt, to: text.length, type: "LexError" });
  items.sort((a, b) => a.from - b.from);
  // A quote that opens no complete string runs to the end: what follows is inside it.
  const open = items.findIndex((i) => i.type === "LexError" && (text[i.from] === '"' || text[i.from] === "'"));
  if (open >= 0) items.splice(open, items.length - open, { from: (items[open] as { from: number }).from, to: text.length, type: "LexError" });

  let expect: Expect = "test";
  let depth = 0;
  let field: string | undefined;
  for (const item of items) {
    const word = text.slice(item.from, item.to);
    const quoted = item.type === "DoubleQuoted" || item.type === "SingleQuoted";
    let kind: FilterTokenKind = "invalid";
    if (item.type === "LexError") kind = "invalid";
    else if (expect === "test") {
      field = undefined;
      if (item.type === "LParen") {
        kind = "paren";
        depth++;
      } else if (item.type === "Not") kind = "logic";
      else if (item.type === "True" || item.type === "False") {
        kind = "bool";
        expect = "connective";
      } else if (!quoted && item.type !== "RParen") {
        kind = "field";
        field = word;
        expect = "operator";
      }
    } else if (expect === "operator") {
      if (item.type === "Pr") {
        kind = "operator";
        expect = "connective";
      } else if (!quoted && item.type !== "LParen" && item.type !== "RParen") {
        kind = "operator";
        expect = "value";
      }
    } else if (expect === "value") {
      if (quoted) kind = "string";
      else if (item.type === "True" || item.type === "False") kind = "bool";
      else if (item.type !== "LParen" && item.type !== "RParen") kind = "number";
      if (kind !== "invalid") expect = "connective";
    } else {
      if (item.type === "And" || item.type === "Or") {
        kind = "logic";
        expect = "test";
      } else if (item.type === "RParen" && depth > 0) {
        kind = "paren";
        depth--;
      }
    }
    tokens.push({ from: item.from, to: item.to, kind });
    after.push(expect);
    depths.push(depth);
    fields.push(field);
  }
  return { tokens, after, depths, fields };
}

/**
 * The tokens of a filter with their kinds, for highlighting. Kinds come from the position in the
 * grammar, as the server reads it; a token that cannot stand where it is has the kind `invalid`.
 *
 * @example
 * ```ts
 * import { highlightFilter } from "crest-query/codemirror";
 * highlightFilter("and eq 1 and true").map((t) => t.kind);
 * // ["field", "operator", "number", "logic", "bool"]
 * ```
 */
export function highlightFilter(text: string): FilterToken[] {
  return walk(text).tokens;
}

/**
 * The diagnostics of a filter: the syntax error (when it does not parse) or the lint warnings.
 * An empty or blank text gives none: an empty editor is not an error worth underlining.
 *
 * @example
 * ```ts
 * import { filterDiagnostics } from "crest-query/codemirror";
 * filterDiagnostics("/mail ne 'x'")[0]?.severity; // "warning" (ne is not an operator: did you mean !(... eq ...)?)
 * filterDiagnostics("/mail eq")[0]?.severity;     // "error"
 * ```
 */
export function filterDiagnostics(text: string, options: { readonly maxNesting?: number } = {}): FilterDiagnostic[] {
  if (text.trim() === "") return [];
  const result = checkFilter(text, options);
  if (!result.ok) {
    const e = result.error;
    const from = Math.min(e.offset, text.length);
    const to = Math.min(text.length, from + Math.max(1, e.length));
    const message = e.hint === undefined ? e.problem : `${e.problem}. ${e.hint}`;
    return [{ from, to, severity: "error", message, source: e.code }];
  }
  return result.warnings.map((w) => ({
    from: w.offset,
    to: Math.min(text.length, w.offset + Math.max(1, w.length)),
    severity: "warning" as const,
    message: w.message,
    source: w.code,
  }));
}

function valueLabel(value: string | number | boolean): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/**
 * What can be typed at `pos`: fields, `(`, `!`, `true` and `false` where a test starts; operators
 * after a field; values after an operator; `and`, `or` and `)` after a test. `null` inside a
 * string or where nothing fits.
 *
 * @example
 * ```ts
 * import { filterCompletions } from "crest-query/codemirror";
 * filterCompletions("/sn eq 'x' ", 11)?.options.map((o) => o.label); // ["and", "or"]
 * filterCompletions("/m", 2, { fields: ["/mail", "/sn"] })?.from;   // 0
 * ```
 */
export function filterCompletions(text: string, pos: number, source: CompletionSource = {}): FilterCompletions | null {
  const { tokens, after, depths, fields } = walk(text.slice(0, pos));
  let from = pos;
  let index = tokens.length - 1;
  const last = tokens[index];
  // A word that touches the cursor is the one being completed.
  if (last !== undefined && last.to === pos) {
    const image = text.slice(last.from, last.to);
    if (last.kind === "string" || image.startsWith('"') || image.startsWith("'")) return null;
    if (image !== "(" && image !== ")") {
      from = last.from;
      index--;
    }
  }
  const expect: Expect = index < 0 ? "test" : (after[index] as Expect);
  const depth = index < 0 ? 0 : (depths[index] as number);
  const options: FilterCompletion[] = [];
  switch (expect) {
    case "test":
      for (const f of source.fields ?? []) options.push({ label: f, type: "property", detail: "field" });
      options.push({ label: "(", type: "keyword", detail: "group" }, { label: "!", type: "keyword", detail: "not (before a group)" });
      options.push({ label: "true", type: "constant", detail: "every resource" }, { label: "false", type: "constant", detail: "no resource" });
      break;
    case "operator":
      for (const op of [...CORE_OPERATORS, "pr"]) options.push({ label: op, type: "keyword", detail: OPERATOR_DETAILS[op] as string });
      break;
    case "value": {
      const field = index < 0 ? undefined : fields[index];
      const known = field === undefined ? undefined : source.values?.[field.startsWith("/") ? field : `/${field}`];
      for (const v of known ?? []) options.push({ label: valueLabel(v), type: typeof v === "string" ? "text" : "constant" });
      if (!options.some((o) => o.label === "true")) options.push({ label: "true", type: "constant" }, { label: "false", type: "constant" });
      break;
    }
    case "connective":
      options.push({ label: "and", type: "keyword", detail: "both" }, { label: "or", type: "keyword", detail: "either" });
      if (depth > 0) options.push({ label: ")", type: "keyword", detail: "close the group" });
      break;
  }
  return { from, to: pos, options };
}

/**
 * Field pointers and some of their values found in sample resources, for completion. Reads at
 * most `limit` resources, 5 levels deep, 20 elements of each array, and keeps up to 30 values of
 * each field (strings, numbers and booleans).
 *
 * @example
 * ```ts
 * import { completionSourceOf } from "crest-query/codemirror";
 * const source = completionSourceOf([{ sn: "Jensen", address: { city: "Oslo" } }]);
 * source.fields; // ["/address", "/address/city", "/sn"]
 * ```
 */
export function completionSourceOf(resources: readonly unknown[], limit = 200): Required<CompletionSource> {
  const values = new Map<string, Set<string | number | boolean>>();
  const visit = (value: unknown, path: string, depth: number): void => {
    if (depth > 6 || value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const element of value.slice(0, 20)) visit(element, path, depth + 1);
      return;
    }
    if (typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) {
        const child = `${path}/${key.replace(/%/g, "%25").replace(/\//g, "%2F")}`;
        if (!values.has(child)) values.set(child, new Set());
        visit(inner, child, depth + 1);
      }
      return;
    }
    const seen = values.get(path);
    if (seen !== undefined && seen.size < 30 && (typeof value === "string" || typeof value === "number" || typeof value === "boolean")) {
      seen.add(value);
    }
  };
  for (const resource of resources.slice(0, limit)) visit(resource, "", 0);
  const fields = [...values.keys()].sort();
  const byField: Record<string, readonly (string | number | boolean)[]> = {};
  for (const f of fields) {
    const seen = values.get(f);
    if (seen !== undefined && seen.size > 0) byField[f] = [...seen].sort((a, b) => String(a).localeCompare(String(b)));
  }
  return { fields, values: byField };
}
