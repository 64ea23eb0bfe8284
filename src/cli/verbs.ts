import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { stringify as stringifyJson } from "lossless-json";
import { serviceAccount, type TokenProvider } from "../client/auth.js";
import { createCrestClient, type CrestResource } from "../client/crest-client.js";
import { checkFilter } from "../language/lint.js";
import type { PatchOperation } from "../query/patch.js";
import { parseJsonExact } from "./data.js";
import { CliError, httpUrl, readAll, type CliIo } from "./io.js";

/** A command of the command line (the shape run.ts registers). */
export interface VerbCommand {
  readonly summary: string;
  readonly usage: string;
  readonly help: string;
  run(args: string[], io: CliIo): Promise<number>;
}

const LOGIN_OPTIONS = {
  token: { type: "string" },
  "service-account-id": { type: "string" },
  "jwk-file": { type: "string" },
  tenant: { type: "string" },
  "token-url": { type: "string" },
  scope: { type: "string" },
  header: { type: "string", multiple: true },
  timeout: { type: "string" },
  retries: { type: "string" },
} as const;

const LOGIN_HELP = `Login: --token (or CREST_TOKEN) sends a bearer token. A service account logs in with
--service-account-id, --jwk-file (its private key.jwk) and --scope (default fr:idm:*), or the
variables CREST_SERVICE_ACCOUNT_ID, CREST_JWK_FILE and CREST_SCOPE; the token endpoint is
https://<tenant>/am/oauth2/access_token with --tenant (CREST_TENANT), --token-url (CREST_TOKEN_URL),
or else the collection URL's origin. Keys and tokens are never printed.`;

const BODY_HELP = "The JSON body is the argument, --body-file FILE, or standard input (no argument, or -).";

type Values = { readonly [key: string]: string | boolean | string[] | undefined };

function text(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

function parse(args: readonly string[], extra: Record<string, { type: "string" | "boolean"; multiple?: boolean }>): { values: Values; positionals: string[] } {
  return parseArgs({ args: [...args], allowPositionals: true, strict: true, options: { ...LOGIN_OPTIONS, ...extra } });
}

/** Split a collection URL into the client's base (the origin) and the collection's path. */
function collection(given: string | undefined, io: CliIo, values: Values): CrestResource {
  if (given === undefined) throw new CliError("give the collection URL first, such as https://idm.example.com/openidm/managed/user");
  const url = httpUrl(given);
  if (url.search !== "") throw new CliError("the collection URL must not hold parameters; use the options");
  let segments: string[];
  try {
    segments = url.pathname.split("/").filter((s) => s !== "").map((s) => decodeURIComponent(s));
  } catch {
    throw new CliError("the collection URL holds an invalid percent-encoding");
  }
  if (segments.length === 0) throw new CliError("the URL names no collection");
  const headers: Record<string, string> = {};
  for (const h of (values.header as string[] | undefined) ?? []) {
    const colon = h.indexOf(":");
    if (colon <= 0) throw new CliError(`--header takes name:value, not "${h}"`);
    Object.defineProperty(headers, h.slice(0, colon).trim(), { value: h.slice(colon + 1).trim(), enumerable: true, writable: true, configurable: true });
  }
  const number = (name: string): number | undefined => {
    const v = text(values, name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === "" || !Number.isSafeInteger(n) || n < 0) throw new CliError(`--${name} takes a whole number, not "${v}"`);
    return n;
  };
  const timeout = number("timeout");
  const retries = number("retries");
  const auth = login(values, io, url.origin);
  const client = createCrestClient({
    baseUrl: url.origin,
    headers,
    ...(typeof auth === "string" ? { token: auth } : auth === undefined ? {} : { auth }),
    ...(timeout === undefined || timeout === 0 ? {} : { timeoutMs: timeout }),
    ...(retries === undefined ? {} : { retry: { retries } }),
    parseJson: parseJsonExact,
  });
  return client.resource(segments.join("/"));
}

function login(values: Values, io: CliIo, origin: string): string | TokenProvider | undefined {
  const env = io.env;
  const token = text(values, "token") ?? env.CREST_TOKEN;
  const account = text(values, "service-account-id") ?? env.CREST_SERVICE_ACCOUNT_ID;
  if (text(values, "token") !== undefined && text(values, "service-account-id") !== undefined) throw new CliError("give --token or --service-account-id, not both");
  if (account !== undefined && account !== "" && text(values, "token") === undefined) {
    const jwkFile = text(values, "jwk-file") ?? env.CREST_JWK_FILE;
    if (jwkFile === undefined || jwkFile === "") throw new CliError("a service account needs --jwk-file (or CREST_JWK_FILE): its private key.jwk");
    let jwk: string;
    try {
      jwk = readFileSync(resolve(io.cwd, jwkFile), "utf8");
    } catch {
      throw new CliError(`cannot read the key file ${jwkFile}`);
    }
    const tenant = text(values, "tenant") ?? env.CREST_TENANT;
    const tokenUrl = text(values, "token-url") ?? env.CREST_TOKEN_URL;
    const where = tokenUrl !== undefined && tokenUrl !== "" ? { tokenUrl } : tenant !== undefined && tenant !== "" ? { tenant } : { tokenUrl: `${origin}/am/oauth2/access_token` };
    return serviceAccount({ ...where, serviceAccountId: account, jwk, scope: text(values, "scope") ?? env.CREST_SCOPE ?? "fr:idm:*" });
  }
  if (token === undefined || token.trim() === "") return undefined;
  const bare = token.trim().replace(/^bearer\s+/i, "");
  if (/[\r\n\u0000]/.test(bare)) throw new CliError("the token holds a line break or NUL");
  return bare;
}

/** The JSON body: the argument, --body-file, or standard input. */
async function body(given: string | undefined, values: Values, io: CliIo, required: boolean): Promise<unknown> {
  const file = text(values, "body-file");
  if (file !== undefined && given !== undefined && given !== "-") throw new CliError("give the body once: as an argument or with --body-file");
  let source: string | undefined;
  let where = "the body argument";
  if (file !== undefined) {
    where = file;
    try {
      source = readFileSync(resolve(io.cwd, file), "utf8");
    } catch {
      throw new CliError(`cannot read ${file}`);
    }
  } else if (given !== undefined && given !== "-") source = given;
  else if (given === "-" || io.stdin.isTTY !== true) {
    where = "standard input";
    source = await readAll(io.stdin);
    if (source.trim() === "" && given === undefined && !required) return undefined;
  }
  if (source === undefined) {
    if (required) throw new CliError("missing body: pass JSON as an argument, with --body-file, or on standard input");
    return undefined;
  }
  try {
    return JSON.parse(source) as unknown;
  } catch (error) {
    throw new CliError(`${where} is not valid JSON: ${(error as Error).message}`, 1);
  }
}

function print(io: CliIo, value: unknown): number {
  if (value !== undefined) io.stdout.write(`${stringifyJson(value, undefined, 2) ?? "null"}\n`);
  return 0;
}

function positionals(list: string[], min: number, max: number, usage: string): string[] {
  if (list.length < min || list.length > max) throw new CliError(`usage: ${usage}`);
  return list;
}

const fieldsOf = (values: Values) => {
  const f = text(values, "fields");
  return f === undefined ? {} : { fields: f.split(",").map((s) => s.trim()).filter((s) => s !== "") };
};
const revOf = (values: Values) => {
  const rev = text(values, "rev");
  return rev === undefined ? {} : { rev };
};

const U = "<collection-url>";

/** The resource verbs of the command line, beside `query`. */
export const verbCommands: Readonly<Record<string, VerbCommand>> = {
  read: {
    summary: "read one resource by id",
    usage: `crest-query read ${U} <id> [--fields a,b] [login options]`,
    help: `Reads one resource and prints it as JSON. ${LOGIN_HELP}`,
    async run(args, io) {
      const { values, positionals: p } = parse(args, { fields: { type: "string" } });
      const [url, id] = positionals(p, 2, 2, this.usage);
      return print(io, await collection(url, io, values).read(id as string, fieldsOf(values)));
    },
  },
  create: {
    summary: "create a resource (the server picks the id unless --id is given)",
    usage: `crest-query create ${U} [body] [--id id] [--body-file f] [--fields a,b] [login options]`,
    help: `Creates a resource: POST ?_action=create, or with --id a PUT with If-None-Match: * (fails with 412 if it exists). ${BODY_HELP} ${LOGIN_HELP}`,
    async run(args, io) {
      const { values, positionals: p } = parse(args, { id: { type: "string" }, "body-file": { type: "string" }, fields: { type: "string" } });
      const [url, given] = positionals(p, 1, 2, this.usage);
      const resource = collection(url, io, values);
      const id = text(values, "id");
      return print(io, await resource.create((await body(given, values, io, true)) as Record<string, unknown>, { ...fieldsOf(values), ...(id === undefined ? {} : { id }) }));
    },
  },
  update: {
    summary: "replace a resource (If-Match: --rev, else *)",
    usage: `crest-query update ${U} <id> [body] [--rev r] [--body-file f] [login options]`,
    help: `Replaces a resource with PUT. With --rev it must still have that revision (else 412); without, it must exist (404). ${BODY_HELP} ${LOGIN_HELP}`,
    async run(args, io) {
      const { values, positionals: p } = parse(args, { rev: { type: "string" }, "body-file": { type: "string" }, fields: { type: "string" } });
      const [url, id, given] = positionals(p, 2, 3, this.usage);
      const resource = collection(url, io, values);
      return print(io, await resource.update(id as string, (await body(given, values, io, true)) as Record<string, unknown>, { ...revOf(values), ...fieldsOf(values) }));
    },
  },
  patch: {
    summary: "patch a resource with CREST operations",
    usage: `crest-query patch ${U} <id> [operations] [--rev r] [--body-file f] [login options]`,
    help: `Patches a resource. The body is a JSON array of CREST operations ({"operation","field","value"|"from"}), checked before sending. ${BODY_HELP} ${LOGIN_HELP}`,
    async run(args, io) {
      const { values, positionals: p } = parse(args, { rev: { type: "string" }, "body-file": { type: "string" }, fields: { type: "string" } });
      const [url, id, given] = positionals(p, 2, 3, this.usage);
      const resource = collection(url, io, values);
      const operations = await body(given, values, io, true);
      if (!Array.isArray(operations)) throw new CliError("a patch is a JSON array of operations", 1);
      return print(io, await resource.patch(id as string, operations as PatchOperation[], { ...revOf(values), ...fieldsOf(values) }));
    },
  },
  delete: {
    summary: "delete a resource (If-Match with --rev)",
    usage: `crest-query delete ${U} <id> [--rev r] [login options]`,
    help: `Deletes a resource and prints what was deleted. ${LOGIN_HELP}`,
    async run(args, io) {
      const { values, positionals: p } = parse(args, { rev: { type: "string" }, fields: { type: "string" } });
      const [url, id] = positionals(p, 2, 2, this.usage);
      return print(io, await collection(url, io, values).delete(id as string, { ...revOf(values), ...fieldsOf(values) }));
    },
  },
  action: {
    summary: "run an action on a collection (or on a resource with --id)",
    usage: `crest-query action ${U} <name> [body] [--id id] [--param name=value] [--body-file f] [login options]`,
    help: `Runs POST ?_action=<name> and prints the answer (nothing for 204). The body is optional. ${BODY_HELP} ${LOGIN_HELP}`,
    async run(args, io) {
      const { values, positionals: p } = parse(args, { id: { type: "string" }, param: { type: "string", multiple: true }, "body-file": { type: "string" } });
      const [url, name, given] = positionals(p, 2, 3, this.usage);
      const resource = collection(url, io, values);
      const params: Record<string, string> = {};
      for (const item of (values.param as string[] | undefined) ?? []) {
        const eq = item.indexOf("=");
        if (eq <= 0) throw new CliError(`--param takes name=value, not "${item}"`);
        Object.defineProperty(params, item.slice(0, eq), { value: item.slice(eq + 1), enumerable: true, writable: true, configurable: true });
      }
      const id = text(values, "id");
      return print(io, await resource.action(name as string, await body(given, values, io, false), params, id === undefined ? {} : { id }));
    },
  },
  count: {
    summary: "count the resources a filter matches",
    usage: `crest-query count ${U} [filter] [login options]`,
    help: `Prints how many resources match (default: all), with _countOnly or the EXACT policy. ${LOGIN_HELP}`,
    async run(args, io) {
      const { values, positionals: p } = parse(args, {});
      const [url, filter] = positionals(p, 1, 2, this.usage);
      const checked = checkFilter(filter ?? "true");
      if (!checked.ok) throw checked.error;
      io.stdout.write(`${await collection(url, io, values).count(filter ?? "true")}\n`);
      return 0;
    },
  },
};
