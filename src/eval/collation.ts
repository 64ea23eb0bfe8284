// How values compare: strings ignoring case as the servers do, numbers as IEEE doubles.

// ---------------------------------------------------------------------------------------------
// Case folding for `eq lt le gt ge` and sorting: code point by code point, each folded with the
// simple one-to-one mappings, lower(upper(cp)), as Java's `compareToIgnoreCase`. JavaScript only
// offers the full mappings (`"ß".toUpperCase()` is "SS"); where a full mapping is not one code
// point the simple mapping keeps the code point, except U+0130 (İ), whose simple lower case is "i".

const FOLD = new Int32Array(65536);
for (let c = 0; c < 65536; c++) FOLD[c] = c >= 65 && c <= 90 ? c + 32 : c < 128 ? c : -1;
const ASTRAL = new Map<number, number>();

function oneCodePoint(text: string): number {
  const cp = text.codePointAt(0) as number;
  return text.length === (cp > 0xffff ? 2 : 1) ? cp : -1;
}

function computeFold(cp: number): number {
  // Lone surrogates have no case.
  if (cp >= 0xd800 && cp <= 0xdfff) return cp;
  const upper = oneCodePoint(String.fromCodePoint(cp).toUpperCase());
  const u = upper < 0 ? cp : upper;
  if (u === 0x130) return 0x69;
  const lower = oneCodePoint(String.fromCodePoint(u).toLowerCase());
  return lower < 0 ? u : lower;
}

/** A code point folded for case-insensitive ordering: `lower(upper(cp))` with simple mappings. */
export function foldCodePoint(cp: number): number {
  if (cp < 65536) {
    const known = FOLD[cp] as number;
    if (known >= 0) return known;
    const folded = computeFold(cp);
    FOLD[cp] = folded;
    return folded;
  }
  let folded = ASTRAL.get(cp);
  if (folded === undefined) {
    folded = computeFold(cp);
    if (ASTRAL.size < 65536) ASTRAL.set(cp, folded);
  }
  return folded;
}

/** The code points of a string, each folded: the prepared form of a filter's string value. */
export function foldString(text: string): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    out.push(foldCodePoint(cp));
  }
  return Int32Array.from(out);
}

/**
 * Compare a string with a prepared ({@link foldString}) one ignoring case: negative, zero or
 * positive. Allocates nothing.
 */
export function compareFolded(value: string, folded: Int32Array): number {
  const n = value.length;
  const m = folded.length;
  let i = 0;
  let k = 0;
  while (i < n && k < m) {
    let cp = value.charCodeAt(i++);
    if (cp >= 0xd800 && cp <= 0xdbff && i < n) {
      const low = value.charCodeAt(i);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    const f = cp < 128 ? (FOLD[cp] as number) : foldCodePoint(cp);
    const d = f - (folded[k++] as number);
    if (d !== 0) return d;
  }
  return i < n ? 1 : k < m ? -1 : 0;
}

/** Whether a string equals a prepared ({@link foldString}) one ignoring case. Allocates nothing. */
export function equalsFolded(value: string, folded: Int32Array): boolean {
  // A code point is one or two UTF-16 units.
  if (value.length < folded.length || value.length > 2 * folded.length) return false;
  return compareFolded(value, folded) === 0;
}

/**
 * Compare two strings ignoring case as Java's `compareToIgnoreCase` does: code point by code point
 * (not UTF-16 unit), each folded to `lower(upper(cp))` with the simple one-to-one case mappings.
 * Negative, zero or positive.
 *
 * @example
 * ```ts
 * import { compareIgnoringCase } from "crest-query";
 * compareIgnoringCase("alice", "ALICE"); // 0
 * compareIgnoringCase("alice", "Bob") < 0; // true
 * compareIgnoringCase("İ", "i"); // 0
 * compareIgnoringCase("😀", "ﬀ") > 0; // true: U+1F600 comes after U+FB00
 * ```
 */
export function compareIgnoringCase(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    let x = a.charCodeAt(i++);
    let y = b.charCodeAt(j++);
    if (x >= 0xd800 && x <= 0xdbff && i < n) {
      const low = a.charCodeAt(i);
      if (low >= 0xdc00 && low <= 0xdfff) {
        x = 0x10000 + ((x - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (y >= 0xd800 && y <= 0xdbff && j < m) {
      const low = b.charCodeAt(j);
      if (low >= 0xdc00 && low <= 0xdfff) {
        y = 0x10000 + ((y - 0xd800) << 10) + (low - 0xdc00);
        j++;
      }
    }
    if (x !== y) {
      const d = foldCodePoint(x) - foldCodePoint(y);
      if (d !== 0) return d;
    }
  }
  return i < n ? 1 : j < m ? -1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Numbers compare as the servers compare them: as IEEE doubles with Java's `Double.compare` (-0.0
// before 0.0, NaN after everything and equal to itself). A bigint held by a resource compares
// exactly; an integer literal of the filter is rounded to the nearest double before it meets a
// number.

/** Java's `Double.compare`: negative, zero or positive. */
export function compareDoubles(x: number, y: number): number {
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) {
    if (x !== 0) return 0;
    const a = Object.is(x, -0);
    return a === Object.is(y, -0) ? 0 : a ? -1 : 1;
  }
  const xNaN = Number.isNaN(x);
  return xNaN === Number.isNaN(y) ? 0 : xNaN ? 1 : -1;
}

/**
 * Compare a resource's number with a filter's number: doubles by `Double.compare` (a bigint
 * literal is first rounded to the nearest double), a bigint in the resource exactly.
 */
export function compareNumbers(value: number | bigint, assertion: number | bigint): number {
  if (typeof value === "number") return compareDoubles(value, typeof assertion === "bigint" ? Number(assertion) : assertion);
  if (typeof assertion === "bigint") return value < assertion ? -1 : value > assertion ? 1 : 0;
  return compareBigintWithDouble(value, assertion);
}

/** A bigint against a double, exactly; 0n counts as +0.0 and NaN is after everything. */
export function compareBigintWithDouble(value: bigint, double: number): number {
  if (Number.isNaN(double)) return -1;
  if (value < double) return -1;
  if (value > double) return 1;
  return Object.is(double, -0) ? 1 : 0;
}

/** Order two numbers of a resource (sorting): doubles by `Double.compare`, bigints exactly. */
export function compareNumberValues(a: number | bigint, b: number | bigint): number {
  if (typeof a === "number") {
    if (typeof b === "number") return compareDoubles(a, b);
    return -compareBigintWithDouble(b, a);
  }
  if (typeof b === "bigint") return a < b ? -1 : a > b ? 1 : 0;
  return compareBigintWithDouble(a, b);
}

// ---------------------------------------------------------------------------------------------
// `co` and `sw` ignoring case: `value.toLowerCase()` contains / starts with the lower-cased needle.
// For an ASCII needle the answer can mostly be found without building the lower-cased copy:
// lower-casing changes an ASCII character only A-Z to a-z, whatever surrounds it, and maps just two
// characters outside ASCII to ASCII (U+0130 İ to "i̇", U+212A Kelvin to "k"). Anything else hands
// over to `toLowerCase` (which knows the rules that need context or change the length).

// Longer `co` needles take `toLowerCase().includes()`, so the search stays linear in the value.
const SCAN_LIMIT = 32;

/** A `co`/`sw` needle prepared once: lower-cased, and whether that is all ASCII. */
export interface LowerCasedNeedle {
  readonly text: string;
  readonly ascii: boolean;
  /** For a short ASCII needle: the needle as a case-insensitive regular expression (see below). */
  readonly pattern: RegExp | undefined;
  /** The same, or one of the two characters that lower-case into ASCII letters (U+0130, U+212A). */
  readonly screen: RegExp | undefined;
}

/** Prepare a filter's `co`/`sw` value for {@link includesLowerCased} and {@link startsWithLowerCased}. */
export function lowerCasedNeedle(assertion: string): LowerCasedNeedle {
  const text = assertion.toLowerCase();
  let ascii = true;
  for (let i = 0; i < text.length && ascii; i++) ascii = text.charCodeAt(i) < 128;
  const escaped = ascii && text.length > 0 && text.length <= SCAN_LIMIT ? text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&") : undefined;
  const pattern = escaped === undefined ? undefined : new RegExp(escaped, "i");
  const screen = escaped === undefined ? undefined : new RegExp(`${escaped}|[\u0130\u212A]`, "i");
  return { text, ascii, pattern, screen };
}

/** Whether `value.toLowerCase()` contains the needle. Allocates nothing while the value is ASCII. */
export function includesLowerCased(value: string, needle: LowerCasedNeedle): boolean {
  const pattern = needle.pattern;
  if (pattern !== undefined && needle.screen !== undefined) {
    // Without the `u` flag, `i` matches an ASCII letter only with its other case (it never maps a
    // character outside ASCII to one inside), so a match is a match of the lower-cased value.
    // Lower-casing maps only two characters outside ASCII to ASCII letters: U+0130 (İ, to "i̇")
    // and U+212A (the Kelvin sign, to "k"); without them, no match means none. One pass of the
    // screen answers the common case (neither the needle nor those two): no.
    if (!needle.screen.test(value)) return false;
    if (pattern.test(value)) return true;
  }
  return value.toLowerCase().includes(needle.text);
}

/** Whether `value.toLowerCase()` starts with the needle. Allocates nothing while the value is ASCII. */
export function startsWithLowerCased(value: string, needle: LowerCasedNeedle): boolean {
  if (needle.ascii) {
    const answer = scanStartsWith(value, needle.text);
    if (answer >= 0) return answer === 1;
  }
  return value.toLowerCase().startsWith(needle.text);
}

// 1 starts with it, 0 does not, -1 the value is not ASCII (the caller lower-cases it).
function scanStartsWith(value: string, needle: string): number {
  const n = value.length;
  const m = needle.length;
  for (let k = 0; k < m; k++) {
    // Shorter than the needle, and ASCII so far (lower-casing ASCII keeps the length).
    if (k === n) return 0;
    let c = value.charCodeAt(k);
    if (c >= 128) return -1;
    if (c >= 65 && c <= 90) c += 32;
    if (c !== needle.charCodeAt(k)) return 0;
  }
  return 1;
}
