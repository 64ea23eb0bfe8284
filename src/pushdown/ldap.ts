import type { Filter, FilterValue, Pointer } from "../language/ast.js";
import { describeText } from "../language/errors.js";
import { formatPointer } from "../language/pointer.js";
import { MAX_FILTER_DEPTH } from "../language/writer.js";
import { NotTranslatableError } from "./postgres.js";

/**
 * Options of {@link toLdapFilter}.
 *
 * @example
 * ```ts
 * import type { ToLdapFilterOptions } from "crest-query";
 * const options: ToLdapFilterOptions = { attributes: { userName: "uid", "name/family": "sn" } };
 * ```
 */
export interface ToLdapFilterOptions {
  /** LDAP attribute names by field (pointer text without the leading `/`). Unlisted one-segment fields keep their name. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** What `true` becomes; default `(objectClass=*)` (every entry has an object class). */
  readonly trueFilter?: string;
}

const ATTRIBUTE = /^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)*)(?:;[A-Za-z0-9-]+)*$/;

/**
 * Translate a filter into an LDAP search filter (RFC 4515 text, every value escaped): `eq` is
 * `=`, `co`/`sw` are substring filters, `ge`/`le` are `>=`/`<=`, `gt`/`lt` add `!(=)`, `pr` is `=*`.
 * Matching then follows each attribute's LDAP matching rule (usually case-insensitive), which is
 * what the directory does; the pushdown guide (docs/pushdown.md) lists what does not translate.
 *
 * @throws NotTranslatableError for an extended operator, a field with no attribute, or an attribute
 * name LDAP does not allow.
 *
 * @example
 * ```ts
 * import { parseFilter, toLdapFilter } from "crest-query";
 * toLdapFilter(parseFilter("/userName sw 'bj' and /mail co '(x)'"), { attributes: { userName: "uid" } });
 * // "(&(uid=bj*)(mail=*\\28x\\29*))"
 * ```
 */
export function toLdapFilter(filter: Filter, options: ToLdapFilterOptions = {}): string {
  return translate(filter, options, 0);
}

function translate(filter: Filter, options: ToLdapFilterOptions, depth: number): string {
  if (depth > MAX_FILTER_DEPTH) throw new RangeError(`Filter nests deeper than ${MAX_FILTER_DEPTH} levels`);
  const always = options.trueFilter ?? "(objectClass=*)";
  switch (filter.type) {
    case "literal":
      return filter.value ? always : `(!${always})`;
    case "not":
      return `(!${translate(filter.filter, options, depth + 1)})`;
    case "and":
    case "or":
      if (filter.filters.length === 0) return filter.type === "and" ? always : `(!${always})`;
      return `(${filter.type === "and" ? "&" : "|"}${filter.filters.map((f) => translate(f, options, depth + 1)).join("")})`;
    case "presence":
      return `(${attribute(filter.field, options)}=*)`;
    case "comparison": {
      const name = attribute(filter.field, options);
      const value = escapeValue(filter.value);
      switch (filter.operator) {
        case "eq":
          return `(${name}=${value})`;
        case "co":
          return typeof filter.value === "string" ? `(${name}=*${value}*)` : `(${name}=${value})`;
        case "sw":
          return typeof filter.value === "string" ? `(${name}=${value}*)` : `(${name}=${value})`;
        case "ge":
          return `(${name}>=${value})`;
        case "le":
          return `(${name}<=${value})`;
        case "gt":
          return `(&(${name}>=${value})(!(${name}=${value})))`;
        case "lt":
          return `(&(${name}<=${value})(!(${name}=${value})))`;
        default:
          throw new NotTranslatableError(`Extended operator '${describeText(filter.operator)}' has no LDAP translation`);
      }
    }
    default:
      throw new TypeError(`Not a filter node: ${describeText(String((filter as { type?: unknown }).type))}`);
  }
}

function attribute(pointer: Pointer, options: ToLdapFilterOptions): string {
  const key = pointer.join("/");
  const mapped = options.attributes !== undefined && Object.prototype.hasOwnProperty.call(options.attributes, key) ? options.attributes[key] : undefined;
  const name = mapped ?? (pointer.length === 1 ? pointer[0] : undefined);
  if (name === undefined) throw new NotTranslatableError(`Field ${formatPointer(pointer)} has no LDAP attribute (give one in 'attributes')`);
  if (!ATTRIBUTE.test(name)) throw new NotTranslatableError(`${describeText(name)} is not an LDAP attribute name`);
  return name;
}

// RFC 4515: `*`, `(`, `)`, `\` and NUL as \XX; LDAP booleans are TRUE and FALSE.
function escapeValue(value: FilterValue): string {
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  const text = typeof value === "string" ? value : String(value);
  return text.replace(/[*()\\\u0000]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
