import { CrestError } from "../query/crest-error.js";
import { parseQueryParams, type QueryRequest } from "../query/query-params.js";

/** Reserved parameters by lower-case name; CREST matches them ignoring case. */
const RESERVED = new Map(
  [
    "_action",
    "_api",
    "_countOnly",
    "_crestapi",
    "_fields",
    "_mimeType",
    "_pageSize",
    "_pagedResultsCookie",
    "_pagedResultsOffset",
    "_prettyPrint",
    "_queryExpression",
    "_queryFilter",
    "_queryId",
    "_sortKeys",
    "_totalPagedResultsPolicy",
  ].map((name) => [name.toLowerCase(), name]),
);
/** Parameters that only a query takes. */
export const QUERY_ONLY: ReadonlySet<string> = new Set([
  "_queryFilter",
  "_queryId",
  "_queryExpression",
  "_sortKeys",
  "_pageSize",
  "_pagedResultsCookie",
  "_pagedResultsOffset",
  "_totalPagedResultsPolicy",
  "_countOnly",
]);
const LISTS = new Set(["_fields", "_sortKeys"]);
const MAX_PARAMETERS = 200;

/** The parameters of one request, checked once. */
export interface RequestParams {
  /** The query parameters, typed (also `_fields` and `_prettyPrint` for every verb). */
  readonly query: QueryRequest;
  /** The reserved parameters present, by canonical name. */
  readonly reserved: ReadonlySet<string>;
  readonly action: string | undefined;
  readonly countOnly: boolean;
  /** Parameters that are not reserved, for actions and named queries. */
  readonly extra: Readonly<Record<string, string>>;
  readonly pretty: boolean;
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    throw CrestError.badRequest(`Invalid percent-encoding in the parameter name '${raw.slice(0, 40)}'`);
  }
}

/**
 * Read and check every parameter of a request target's query (`url.search`): reserved names known,
 * none but `_fields` and `_sortKeys` given twice, values valid. One 400 shape for all.
 */
export function readParams(search: string): RequestParams {
  const parts = search.replace(/^\?/, "").split("&").filter((part) => part !== "");
  if (parts.length > MAX_PARAMETERS) throw CrestError.badRequest(`The request has ${parts.length} parameters; at most ${MAX_PARAMETERS} are accepted`);
  const seen = new Set<string>();
  const reserved = new Set<string>();
  for (const part of parts) {
    const equals = part.indexOf("=");
    const name = decodeName(equals === -1 ? part : part.slice(0, equals));
    const canonical = name.startsWith("_") ? RESERVED.get(name.toLowerCase()) : name;
    if (canonical === undefined) throw CrestError.badRequest(`Unknown parameter ${name}: parameters starting with _ are reserved`, { parameter: name });
    if (seen.has(canonical) && !LISTS.has(canonical)) throw CrestError.badRequest(`Parameter ${canonical} is given more than once`, { parameter: canonical });
    seen.add(canonical);
    if (canonical.startsWith("_")) reserved.add(canonical);
  }
  const parsed = parseQueryParams(search);
  const extra: Record<string, string> = {};
  let action: string | undefined;
  let countOnly = false;
  for (const [name, value] of Object.entries(parsed.extra ?? {})) {
    const canonical = name.startsWith("_") ? RESERVED.get(name.toLowerCase()) : name;
    if (canonical === "_action") {
      if (value === "") throw CrestError.badRequest("Invalid _action: it is empty", { parameter: "_action" });
      action = value;
    } else if (canonical === "_countOnly") {
      const flag = value.trim().toLowerCase();
      if (flag !== "true" && flag !== "false") throw CrestError.badRequest(`Invalid _countOnly: '${value}' is not true or false`, { parameter: "_countOnly" });
      countOnly = flag === "true";
    } else if (canonical !== undefined && !canonical.startsWith("_")) {
      Object.defineProperty(extra, canonical, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  const { extra: _ignored, ...query } = parsed;
  return { query, reserved, action, countOnly, extra, pretty: parsed.prettyPrint === true };
}

/** The entity tags of an `If-Match` / `If-None-Match` header: `*`, or revisions without quotes and `W/`. */
export function entityTags(header: string | null, name: string): "*" | string[] | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  if (value === "*") return "*";
  const tags: string[] = [];
  for (const item of value.split(",")) {
    const tag = item.trim().replace(/^W\//, "");
    const quoted = /^"([^"]*)"$/.exec(tag);
    const rev = quoted === null ? tag : (quoted[1] as string);
    if (rev === "" || rev.includes('"')) throw CrestError.badRequest(`Invalid ${name}: '${value.slice(0, 80)}' is not * or a revision`, { header: name });
    tags.push(rev);
  }
  return tags;
}

/** The protocol version of `Accept-API-Version` (`protocol=2.1,resource=1.0`), as [major, minor]. */
export function protocolVersion(header: string | null): [number, number] | undefined {
  if (header === null) return undefined;
  const match = /(?:^|,)\s*protocol\s*=\s*([0-9]+)(?:\.([0-9]+))?\s*(?:,|$)/i.exec(header);
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2] ?? "0")];
}
