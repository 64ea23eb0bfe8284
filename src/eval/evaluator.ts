import { assertFilter, type Filter } from "../language/ast.js";
import { compileNode, TRUE } from "./closures.js";
import { generatePredicate } from "./generated.js";
import type { EvaluateOptions, ResourcePredicate } from "./options.js";

export { compareIgnoringCase } from "./collation.js";
export { readInList } from "./closures.js";
export type { EvaluateOptions, ExtendedOperator, ResourcePredicate } from "./options.js";

/**
 * Compile a filter once into a predicate to run over many resources, answering as the deployed
 * CREST servers do (see the evaluation guide, docs/evaluation.md): pointers follow own properties
 * only (never the prototype), numeric segments index arrays and other segments apply to every
 * element; a test matches when any value at the field matches; `eq lt le gt ge` compare only
 * strings with strings, numbers with numbers (as doubles; a bigint in the resource exactly),
 * booleans with booleans; strings ignore case unless `caseSensitive` (`eq` and ordering fold code
 * point by code point as Java's `compareToIgnoreCase`, `co`/`sw` lower-case both strings);
 * `co`/`sw` act as `eq` on numbers and booleans; `pr` means present and not null; `in` takes a JSON
 * array of values; extended operators use `extendedOperators` (own properties only), and are
 * unknown otherwise, with three-valued (Kleene) logic.
 *
 * @throws TypeError for a malformed filter tree or an `in` value that is not a JSON array of
 * values, RangeError for a tree deeper than `MAX_FILTER_DEPTH`.
 *
 * @example
 * ```ts
 * import { compileFilter, parseFilter } from "crest-query";
 * const helpdesk = compileFilter(parseFilter("/roles/_refResourceId eq 'helpdesk' and /loginCount gt 2"));
 * helpdesk({ roles: [{ _refResourceId: "helpdesk" }], loginCount: 5 }); // true
 * ```
 */
export function compileFilter(filter: Filter, options: EvaluateOptions = {}): ResourcePredicate {
  assertFilter(filter, "compileFilter");
  const generated = generatePredicate(filter, options);
  if (generated !== undefined) return generated;
  return compileClosures(filter, options);
}

function compileClosures(filter: Filter, options: EvaluateOptions): ResourcePredicate {
  const root = compileNode(filter, options, 0);
  return (resource) => root(resource) === TRUE;
}

/**
 * Whether one resource matches a filter. To test many resources, {@link compileFilter} once.
 *
 * @example
 * ```ts
 * import { matchesFilter, parseFilter } from "crest-query";
 * matchesFilter(parseFilter("/mail co 'EXAMPLE.com'"), { mail: "bjensen@example.com" }); // true
 * ```
 */
export function matchesFilter(filter: Filter, resource: unknown, options: EvaluateOptions = {}): boolean {
  assertFilter(filter, "matchesFilter");
  // One resource: closures cost less to build than a generated function.
  return compileClosures(filter, options)(resource);
}

