import type { Pointer } from "./ast.js";
import { FilterSyntaxError, describeText } from "./errors.js";
import { encodeQueryComponent, percentDecode } from "./percent.js";

// Characters a URI fragment may not hold, which make the server reject a field (SPEC §1):
// ASCII controls, DEL and C1 controls (Cc), Unicode space separators (Z*), and a few ASCII marks.
const FORBIDDEN = /[\p{Cc}\p{Z}"#<>\\^`{|}]/u;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Options of {@link parsePointer}.
 *
 * @example
 * ```ts
 * import { parsePointer } from "crest-query";
 * parsePointer("/a%zz", { source: { input: "x pr and /a%zz pr", offset: 9 } }); // throws, offset 11
 * ```
 */
export interface ParsePointerOptions {
  /**
   * Where the pointer sits in a larger text, for error positions: the whole text and the offset
   * the pointer starts at. Without it, positions are within the pointer itself.
   */
  readonly source?: { readonly input: string; readonly offset: number };
}

/**
 * Read a field pointer the way a CREST server does: split at `/` (a leading `/` is optional, an
 * empty first or last segment is dropped, empty middle segments stay), then percent-decode each
 * segment as UTF-8. `~0` and `~1` are plain text: this dialect has no RFC 6901 escapes.
 *
 * @throws {@link FilterSyntaxError} for characters a URI fragment may not hold (spaces, controls,
 * `"`, `#`, `<`, `>`, `\`, `^`, `` ` ``, `{`, `|`, `}`), a `%` without two hex digits, and lone
 * surrogates.
 *
 * @example
 * ```ts
 * import { parsePointer } from "crest-query";
 * parsePointer("/roles/0/_refResourceId"); // ["roles", "0", "_refResourceId"]
 * parsePointer("a%2Fb");                   // ["a/b"]
 * parsePointer("/");                       // []
 * ```
 */
export function parsePointer(text: string, options: ParsePointerOptions = {}): Pointer {
  return readPointer(text, options.source?.input, options.source?.offset ?? 0);
}

/**
 * {@link parsePointer} for the parser (internal): where the pointer sits is given as two
 * arguments, so that reading a field allocates nothing but its segments.
 */
export function readPointer(text: string, input: string | undefined, offset: number): Pointer {
  // One pass over printable ASCII that needs no decoding (most fields); anything else takes the
  // careful path, which validates and percent-decodes.
  return plainPointer(text, 0, text.length) ?? parseSpecialPointer(text, input ?? text, offset);
}

/**
 * The field written in text[from, to), when it is printable ASCII that needs no decoding (most
 * fields); undefined for anything else, which {@link readPointer} reads the careful way.
 */
export function plainPointer(text: string, from: number, to: number): Pointer | undefined {
  const segments: string[] = [];
  let start = from;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2f /* / */) {
      if (i > from) segments.push(text.slice(start, i));
      start = i + 1;
    } else if (c <= 0x20 || c >= 0x7f || PLAIN_EXCLUDED[c] === 1) {
      return undefined;
    }
  }
  if (start < to) segments.push(text.slice(start, to));
  return segments;
}

const PLAIN_EXCLUDED = new Uint8Array(128);
for (const ch of '"#%<>\\^`{|}') PLAIN_EXCLUDED[ch.charCodeAt(0)] = 1;

function parseSpecialPointer(text: string, input: string, base: number): Pointer {
  const fail = (at: number, length: number, problem: string, hint?: string): never => {
    throw new FilterSyntaxError({
      input,
      offset: base + at,
      length,
      code: "invalid-field",
      problem,
      found: describeText(text.slice(at, at + length)),
      expected: ["a JSON pointer such as /name or /roles/0/_refResourceId"],
      ...(hint === undefined ? {} : { hint }),
    });
  };
  const bad = FORBIDDEN.exec(text);
  if (bad !== null) {
    const ch = bad[0];
    const code = ch.codePointAt(0) ?? 0;
    const name = code < 0x20 || (code >= 0x7f && code <= 0x9f) || /\p{Z}/u.test(ch)
      ? `U+${code.toString(16).toUpperCase().padStart(4, "0")}`
      : `"${ch}"`;
    const hint = code === 0x09 || code === 0x0a || code === 0x0d
      ? "only the space character separates words in a filter; a tab or newline becomes part of the field"
      : `write it percent-encoded (${encodeQueryComponent(ch)}) if it really is part of the field name`;
    fail(bad.index, ch.length, `Field ${describeText(text)} contains ${name}, which a field may not hold`, hint);
  }
  const lone = loneSurrogateAt(text);
  if (lone !== -1) fail(lone, 1, `Field ${describeText(text)} contains a lone surrogate (not valid Unicode)`);

  const parts = text.split("/");
  const segments: string[] = [];
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const dropped = part.length === 0 && (i === 0 || i === parts.length - 1);
    if (!dropped) {
      const start = at;
      segments.push(
        part.includes("%")
          ? percentDecode(part, false, (j) =>
              fail(start + j, Math.min(3, part.length - j), `"%" must be followed by two hex digits in field segment ${describeText(part)}`, "write a literal % as %25"),
            )
          : part,
      );
    }
    at += part.length + 1;
  }
  return segments;
}

// In a segment: what delimits words or segments, what a field may not hold, and `%` itself.
const NEEDS_ENCODING = /[\p{Cc}\p{Z}"#<>\\^`{|}%/()]/u;
const NEEDS_ENCODING_GLOBAL = /[\p{Cc}\p{Z}"#<>\\^`{|}%/()]/gu;

/**
 * Write pointer segments as the field of a filter: `/`-prefixed, with `/`, `%`, spaces,
 * parentheses and every character a field may not hold percent-encoded, so that
 * `parsePointer(formatPointer(p))` gives `p` back for any segments. An empty last segment gets a
 * trailing `/` so that it survives.
 *
 * @throws TypeError when a segment holds a lone surrogate (it cannot be sent as UTF-8).
 *
 * @example
 * ```ts
 * import { formatPointer } from "crest-query";
 * formatPointer(["roles", "0"]);  // "/roles/0"
 * formatPointer(["a/b", "c d"]);  // "/a%2Fb/c%20d"
 * formatPointer([]);              // "/"
 * ```
 */
export function formatPointer(segments: Pointer): string {
  const count = segments.length;
  if (count === 0) return "/";
  let out = "";
  for (let i = 0; i < count; i++) {
    const segment = segments[i];
    if (typeof segment !== "string") throw new TypeError(`Pointer segments must be strings, got ${typeof segment}`);
    out += "/" + (isPlainSegment(segment) ? segment : encodeSegment(segment));
  }
  return segments[count - 1] === "" ? `${out}/` : out;
}

// Printable ASCII that needs no encoding in a segment: most fields. Checked by char codes, which
// is much faster than the Unicode-aware expression the other characters need.
const SEGMENT_EXCLUDED = new Uint8Array(128);
for (const ch of '"#%<>\\^`{|}/()') SEGMENT_EXCLUDED[ch.charCodeAt(0)] = 1;
function isPlainSegment(segment: string): boolean {
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || SEGMENT_EXCLUDED[c] === 1) return false;
  }
  return true;
}

function encodeSegment(segment: string): string {
  if (LONE_SURROGATE.test(segment)) {
    throw new TypeError(`Pointer segment ${describeText(segment)} holds a lone surrogate, which cannot be sent as UTF-8`);
  }
  return NEEDS_ENCODING.test(segment) ? segment.replace(NEEDS_ENCODING_GLOBAL, encodeQueryComponent) : segment;
}

/** Where a string holds an unpaired surrogate (which UTF-8 cannot carry), or -1. */
export function loneSurrogateAt(text: string): number {
  return LONE_SURROGATE.exec(text)?.index ?? -1;
}

/** Whether a string holds an unpaired surrogate. */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}
