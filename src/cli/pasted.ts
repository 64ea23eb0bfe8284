import { decodeQueryFilter } from "../language/encoding.js";

/** A filter found in pasted text, and what it was found in (undefined: the text was a filter). */
export interface Pasted {
  readonly filter: string;
  readonly source: "url" | "parameter" | "encoded" | undefined;
}

function queryFilterParam(query: string): string | undefined {
  for (const pair of query.replace(/^[?&]/, "").split("&")) {
    const eq = pair.indexOf("=");
    const name = eq === -1 ? pair : pair.slice(0, eq);
    if (name === "_queryFilter") return decodeQueryFilter(eq === -1 ? "" : pair.slice(eq + 1));
  }
  return undefined;
}

/**
 * Recognise a filter pasted as a URL (`https://…?_queryFilter=…`), as a query string or parameter
 * (`_queryFilter=…&_pageSize=10`) or percent-encoded (`%2Fsn%20eq%20%22x%22`), and decode it as a
 * server does. Anything else is returned as it is.
 */
export function recognisePasted(text: string): Pasted {
  const trimmed = text.trim();
  if (/^https?:\/\//i.test(trimmed)) {
    let url: URL | undefined;
    try {
      url = new URL(trimmed);
    } catch {
      url = undefined;
    }
    const fromUrl = url === undefined ? undefined : queryFilterParam(url.search);
    if (fromUrl !== undefined) return { filter: fromUrl, source: "url" };
  }
  if (/^[?&]?[^\s=&]+=[^\s]*$/.test(trimmed) && /(^|[?&])_queryFilter=/.test(trimmed)) {
    const fromQuery = queryFilterParam(trimmed);
    if (fromQuery !== undefined) return { filter: fromQuery, source: "parameter" };
  }
  // An encoded value: no spaces, at least one %XX, and decoding changes it.
  if (!/\s/.test(trimmed) && /%[0-9A-Fa-f]{2}/.test(trimmed)) {
    try {
      const decoded = decodeQueryFilter(trimmed);
      if (decoded !== trimmed) return { filter: decoded, source: "encoded" };
    } catch {
      // Not a valid encoding: read the text as a filter, whose error says what is wrong.
    }
  }
  return { filter: text, source: undefined };
}

/** The words for where a pasted filter came from. */
export function describePasted(source: NonNullable<Pasted["source"]>): string {
  return source === "url" ? "the _queryFilter parameter of the URL" : source === "parameter" ? "the _queryFilter parameter" : "the percent-encoded value";
}
