// Limits shared by the parser and the writer, and the checks of the options that set them.

/**
 * The nesting the server accepts: it rejects 64 or more nested parenthesised groups. The parser
 * and the writer both hold to it unless the caller passes another `maxNesting`.
 *
 * @example
 * ```ts
 * import { parseFilter, DEFAULT_MAX_NESTING } from "crest-query";
 * parseFilter("(".repeat(DEFAULT_MAX_NESTING) + "a pr" + ")".repeat(DEFAULT_MAX_NESTING)); // fine
 * ```
 */
export const DEFAULT_MAX_NESTING = 63;

/**
 * The highest `maxNesting` honoured: larger values are lowered to it. Each group costs the
 * recursive-descent parser a few stack frames; this keeps the worst case far from the stack
 * limit, also in worker threads, whose stacks are smaller.
 */
export const HARD_MAX_NESTING = 200;

/**
 * Check an options object: it must be a plain object (or undefined) holding only `known` names.
 * A misspelt option would otherwise be ignored without a word, and a limit silently lifted.
 */
export function checkOptions(options: unknown, caller: string, known: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(`${caller}: options must be an object, got ${options === null ? "null" : Array.isArray(options) ? "an array" : typeof options}`);
  }
  for (const name in options) {
    if (Object.hasOwn(options, name) && !known.includes(name)) {
      throw new TypeError(`${caller}: unknown option ${JSON.stringify(name)}; the options are ${known.join(", ")}`);
    }
  }
}

/**
 * The nesting limit an option asks for, checked: a whole number from 0 up (default
 * {@link DEFAULT_MAX_NESTING}), lowered to {@link HARD_MAX_NESTING}. `NaN`, fractions, negative
 * numbers, `Infinity` and non-numbers are refused, since each would otherwise disable or
 * distort the cap.
 */
export function maxNestingOption(value: unknown, caller: string): number {
  if (value === undefined) return DEFAULT_MAX_NESTING;
  if (typeof value !== "number") throw new TypeError(`${caller}: maxNesting must be a number, got ${value === null ? "null" : typeof value}`);
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${caller}: maxNesting must be a whole number of at least 0, got ${value}; values above ${HARD_MAX_NESTING} are lowered to ${HARD_MAX_NESTING}`);
  }
  return Math.min(value, HARD_MAX_NESTING);
}
