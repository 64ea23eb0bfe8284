import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { stringify as stringifyJson } from "lossless-json";
import { buildQueryUrl, queryPages, type QueryClientOptions } from "../client/client.js";
import { CrestError } from "../query/crest-error.js";
import { collectionStores, openPglite, openPostgres, type DatabaseConnection } from "../node/database.js";
import { createMockServer } from "../node/mock-server.js";
import { queryCollection } from "../query/query-engine.js";
import { parseFieldList, parseSortKeys, type TotalPagedResultsPolicy } from "../query/query-params.js";
import { collectionName, DEFAULT_MAX_INPUT_BYTES, loadResources, parseJsonExact, parseResources, parseSize, readCapped, readStreamCapped, sampleDataPath } from "./data.js";
import { explainFilter } from "./explain.js";
import { syntaxHints } from "./hints.js";
import { recognisePasted } from "./pasted.js";
import { runRepl } from "./repl.js";
import { verbCommands } from "./verbs.js";
import { FilterSyntaxError } from "../language/errors.js";
import { decodeQueryFilter, encodeQueryFilter } from "../language/encoding.js";
import { filterToJson } from "../language/json.js";
import { checkFilter, type FilterWarning } from "../language/lint.js";
import { formatFilter } from "../language/writer.js";
import { CliError, colorEnabled, escapeControls, escapeLine, httpUrl, painter, readAll, type CliIo } from "./io.js";

/** The version printed by `--version`; kept in step with package.json by a test. */
export const VERSION = "0.1.0";

interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly help: string;
  run(args: string[], io: CliIo): Promise<number>;
}

const FILTER_ARG_HELP = "The filter is the first argument; without one, or with -, it is read from standard input.";

/** Standard output for data: on a terminal, control characters are shown escaped, never obeyed. */
function out(io: CliIo, text: string): void {
  io.stdout.write(io.stdout.isTTY === true ? escapeControls(text) : text);
}

/** JSON text of a value, integers beyond 2^53 (read as bigints) printed exactly. */
function json(value: unknown, indent?: number): string {
  return stringifyJson(value, undefined, indent) ?? "null";
}

async function filterText(args: string[], io: CliIo, what = "filter"): Promise<string> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
  if (positionals.length > 1) throw new CliError(`expected one ${what}, got ${positionals.length} arguments (quote the ${what})`);
  const given = positionals[0];
  if (given !== undefined && given !== "-") return given;
  if (io.stdin.isTTY === true) throw new CliError(`missing ${what}: pass it as an argument or on standard input`);
  return (await readAll(io.stdin)).replace(/\r?\n$/, "");
}

function printWarnings(warnings: readonly FilterWarning[], io: CliIo, where = ""): void {
  const paint = painter(io.stderr, io.env);
  for (const w of warnings) io.stderr.write(`${where}${paint("yellow", "warning")}: ${escapeLine(w.message)} (line ${w.line}, column ${w.column})\n`);
}

/** Parse a filter or exit with its caret error. */
async function parsed(args: string[], io: CliIo) {
  const text = await filterText(args, io);
  const result = checkFilter(text);
  if (!result.ok) throw result.error;
  printWarnings(result.warnings, io);
  return result.filter;
}

// parseArgs refuses `--sort -sn` and `--page-size -3` (a value that starts with a dash). A
// descending sort key is the natural thing to type there, and a negative number deserves its own
// message: values of options that take one are attached (`--sort=-sn`).
function attachDashValues(args: readonly string[], names: readonly string[]): string[] {
  const result: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = args[i + 1];
    if (names.includes(arg) && next !== undefined && /^-[^-]/.test(next)) {
      result.push(`${arg}=${next}`);
      i++;
    } else {
      result.push(arg);
    }
  }
  return result;
}

type OptionSpec = Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string; default?: string | boolean }>;

function parseOptions<T extends OptionSpec>(args: readonly string[], options: T) {
  const valued = Object.entries(options).filter(([, o]) => o.type === "string").map(([name]) => `--${name}`);
  return parseArgs({ args: attachDashValues(args, valued), allowPositionals: true, strict: true, options });
}

function count(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isSafeInteger(n) || n < min) throw new CliError(`--${name} takes a whole number${min > 0 ? ` of at least ${min}` : ""}, not "${value}"`);
  return n;
}

function policy(value: string | undefined): TotalPagedResultsPolicy | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if (upper !== "NONE" && upper !== "EXACT" && upper !== "ESTIMATE") throw new CliError(`--total takes NONE, EXACT or ESTIMATE, not "${value}"`);
  return upper;
}

/** Run a parser of a query parameter, so that its error names the flag the user typed. */
function asFlag<T>(flag: string, parameter: string, read: () => T, exitCode = 2): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof CrestError || error instanceof TypeError || error instanceof FilterSyntaxError) {
      const message = error.message.split(parameter).join(flag).replace(/ at line 1, column \d+\.?$/, "");
      throw new CliError(message.startsWith(`Invalid ${flag}: `) ? `${flag}: ${message.slice(`Invalid ${flag}: `.length)}` : `${flag}: ${message}`, exitCode);
    }
    throw error;
  }
}

function maxInput(value: string | undefined): number {
  return value === undefined ? DEFAULT_MAX_INPUT_BYTES : parseSize("--max-input", value);
}

/** Resources from --data: a file, - for standard input, or the sample users. */
async function readData(data: string | undefined, io: CliIo, maxBytes: number): Promise<{ resources: unknown[]; bytes: Buffer | undefined; file: string }> {
  if (data === "-") {
    const bytes = await readStreamCapped(io.stdin, maxBytes);
    return { resources: parseResources(bytes.toString("utf8"), "standard input"), bytes, file: "standard input" };
  }
  const file = data === undefined ? sampleDataPath() : resolve(io.cwd, data);
  const bytes = readCapped(file, maxBytes);
  return { resources: parseResources(bytes.toString("utf8"), file), bytes, file };
}

function historyFile(io: CliIo): string | undefined {
  const configured = io.env.CREST_QUERY_HISTORY;
  if (configured === "") return undefined;
  return configured ?? join(homedir(), ".crest_query_history");
}

async function repl(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, { data: { type: "string" }, "max-input": { type: "string" } });
  if (positionals.length > 0) throw new CliError(`repl takes no arguments but options; got "${positionals[0] ?? ""}"`);
  if (values.data === "-") throw new CliError("the REPL reads its commands from standard input; give --data a file");
  const terminal = io.stdin.isTTY === true && io.stdout.isTTY === true;
  const color = colorEnabled(io.stdout, io.env);
  const columns = (io.stdout as { columns?: number }).columns;
  const token = bearerToken(io.env.CREST_TOKEN, "CREST_TOKEN", io);
  await runRepl({
    input: io.stdin,
    output: io.stdout as NodeJS.WritableStream,
    terminal,
    color,
    dataFile: values.data === undefined ? sampleDataPath() : resolve(io.cwd, values.data),
    maxInputBytes: maxInput(values["max-input"]),
    ...(columns === undefined ? {} : { columns }),
    ...(terminal ? { historyFile: historyFile(io) } : {}),
    ...(token === undefined ? {} : { token }),
  });
  return 0;
}

/** A token as given: a pasted "Bearer " scheme is dropped (once, with a warning). */
function bearerToken(given: string | undefined, from: string, io: CliIo): string | undefined {
  if (given === undefined) return undefined;
  let token = given.trim();
  if (token === "") return undefined;
  if (/[\r\n\u0000]/.test(token)) throw new CliError(`${from} holds a line break or NUL, which no header may hold`);
  const scheme = /^bearer\s+/i.exec(token);
  if (scheme !== null) {
    token = token.slice(scheme[0].length).trim();
    io.stderr.write(`${painter(io.stderr, io.env)("yellow", "warning")}: ${from} starts with "Bearer "; the scheme is added for you, so it was removed\n`);
  }
  return token;
}

const RESERVED_PARAMS: Readonly<Record<string, string>> = {
  _queryFilter: "a filter argument or --filter",
  _fields: "--fields",
  _sortKeys: "--sort",
  _pageSize: "--page-size",
  _totalPagedResultsPolicy: "--total",
  _pagedResultsCookie: "(set by the walk)",
  _pagedResultsOffset: "(set by the walk)",
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Quote a word for a POSIX shell. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

const SECRET_HEADER = /auth|password|secret|token|key|cookie|session/i;

const commands: Record<string, Command> = {
  repl: {
    summary: "try filters interactively against sample or your own data",
    usage: "crest-query repl [--data file.json] [--max-input size]",
    help: `Starts the REPL: each line is a filter, answered with its canonical form, the encoded
_queryFilter parameter, the number of matches and the first of them. Without --data it loads the
bundled sample of 1,000 users. Type .help inside for the commands. History is kept in
~/.crest_query_history (CREST_QUERY_HISTORY sets another file; empty turns it off).`,
    run: repl,
  },
  check: {
    summary: "check a filter; exit 1 with the error if it is invalid",
    usage: "crest-query check <filter>",
    help: `Checks a filter. Prints "ok" and exits 0 when it is valid (warnings go to standard error);
prints the error with a caret under the input and exits 1 when it is not. ${FILTER_ARG_HELP}
Standard input may hold one filter per line: each line is checked on its own and reported with its
line number (unless the whole input is one filter written over several lines).`,
    async run(args, io) {
      const text = await filterText(args, io);
      const whole = checkFilter(text);
      const lines = text.split(/\r?\n/);
      const filled = lines.filter((l) => l.trim() !== "").length;
      if (whole.ok || filled <= 1 || (args.length > 0 && args[0] !== "-")) {
        if (!whole.ok) throw whole.error;
        printWarnings(whole.warnings, io);
        out(io, "ok\n");
        return 0;
      }
      // Several filters, one per line.
      const paint = painter(io.stderr, io.env);
      let failed = 0;
      for (const [i, line] of lines.entries()) {
        if (line.trim() === "") continue;
        const result = checkFilter(line);
        if (result.ok) {
          printWarnings(result.warnings, io, `line ${i + 1}: `);
          out(io, `line ${i + 1}: ok\n`);
        } else {
          failed++;
          io.stderr.write(`line ${i + 1}: ${paint("red", "error")}: ${escapeLine(result.error.message)}\n${escapeControls(result.error.caret)}\n`);
          for (const hint of syntaxHints(line)) io.stderr.write(`${paint("cyan", "hint")}: ${escapeLine(hint)}\n`);
        }
      }
      if (failed > 0) io.stderr.write(`${plural(failed, "filter")} of ${filled} failed\n`);
      return failed > 0 ? 1 : 0;
    },
  },
  format: {
    summary: "print the canonical form of a filter",
    usage: "crest-query format <filter>",
    help: `Prints the canonical form: lower-case keywords, single spaces, /-prefixed fields, double-quoted strings. ${FILTER_ARG_HELP}`,
    async run(args, io) {
      out(io, `${formatFilter(await parsed(args, io))}\n`);
      return 0;
    },
  },
  encode: {
    summary: "print the URL-encoded _queryFilter value of a filter",
    usage: "crest-query encode <filter>",
    help: `Checks the filter and prints it percent-encoded for a URL, as given (not reformatted). ${FILTER_ARG_HELP}`,
    async run(args, io) {
      const text = await filterText(args, io);
      const result = checkFilter(text);
      if (!result.ok) throw result.error;
      printWarnings(result.warnings, io);
      out(io, `${encodeQueryFilter(text, { validate: false })}\n`);
      return 0;
    },
  },
  decode: {
    summary: "decode a URL-encoded _queryFilter value",
    usage: "crest-query decode <value>",
    help: `Decodes a _queryFilter value as a server does (+ is a space). Given a whole URL or a query
string (_queryFilter=...&_pageSize=10), prints the decoded _queryFilter parameter alone. The value is
the first argument or standard input.`,
    async run(args, io) {
      const text = (await filterText(args, io, "value")).trim();
      const pasted = recognisePasted(text);
      const isUrl = /^https?:\/\//i.test(text);
      const isQueryString = /^[?&]?[^\s=&]+=[^\s]*&/.test(text);
      if (pasted.source === "url" || pasted.source === "parameter") out(io, `${pasted.filter}\n`);
      else if (isUrl || isQueryString) throw new CliError("the URL or query string holds no _queryFilter parameter", 1);
      else out(io, `${decodeQueryFilter(text)}\n`);
      return 0;
    },
  },
  explain: {
    summary: "draw a filter as a tree in words, to see its grouping",
    usage: "crest-query explain <filter>",
    help: `Prints the filter as an indented tree, one test or group a line, with each operator in words:
"and" binds tighter than "or", and the tree shows how the filter is grouped. ${FILTER_ARG_HELP}`,
    async run(args, io) {
      out(io, `${explainFilter(await parsed(args, io))}\n`);
      return 0;
    },
  },
  eval: {
    summary: "run a filter over a JSON file and print the matches",
    usage: "crest-query eval <filter> [--data file.json|-] [--sort -a,b] [--fields a,b] [--page-size n] [--cookie c] [--offset n] [--total EXACT] [--case-sensitive] [--ndjson] [--max-input size]",
    help: `Runs a query over resources (a JSON array, { "result": [...] } or one JSON resource per line;
--data - reads standard input; default: the bundled sample users) with the in-memory query engine,
and prints the CREST query response as JSON, or with --ndjson one matching resource per line (the
next cookie then goes to standard error). Integers beyond 2^53 are kept exact. Input is limited to
--max-input bytes (default 256M). Cookies stay valid between runs while the data is unchanged.`,
    async run(args, io) {
      const { values, positionals } = parseOptions(args, {
        data: { type: "string" },
        sort: { type: "string" },
        fields: { type: "string" },
        "page-size": { type: "string" },
        cookie: { type: "string" },
        offset: { type: "string" },
        total: { type: "string" },
        "case-sensitive": { type: "boolean", default: false },
        ndjson: { type: "boolean", default: false },
        "max-input": { type: "string" },
      });
      if (positionals.length !== 1) throw new CliError("eval takes one filter (quote it), then options");
      const result = checkFilter(positionals[0] as string);
      if (!result.ok) throw result.error;
      printWarnings(result.warnings, io);
      const pageSize = count("page-size", values["page-size"], 1);
      const offset = count("offset", values.offset);
      const total = policy(values.total);
      const sortKeys = asFlag("--sort", "_sortKeys", () => parseSortKeys(values.sort ?? ""));
      const fields = asFlag("--fields", "_fields", () => parseFieldList(values.fields ?? "", "--fields"));
      const { resources, bytes } = await readData(values.data, io, maxInput(values["max-input"]));
      const response = asFlag("--cookie", "_pagedResultsCookie", () =>
        queryCollection(
          resources,
          {
            queryFilter: result.filter,
            sortKeys,
            fields,
            ...(pageSize === undefined ? {} : { pageSize }),
            ...(offset === undefined ? {} : { pagedResultsOffset: offset }),
            ...(values.cookie === undefined ? {} : { pagedResultsCookie: values.cookie }),
            ...(total === undefined ? {} : { totalPagedResultsPolicy: total }),
          },
          { caseSensitive: values["case-sensitive"], cookieSecret: createHash("sha256").update(bytes ?? "").digest(), cache: false },
        ),
        1,
      );
      if (values.ndjson) {
        for (const resource of response.result) out(io, `${json(resource)}\n`);
        if (response.pagedResultsCookie !== null) io.stderr.write(`next cookie: ${escapeLine(response.pagedResultsCookie)}\n`);
      } else {
        out(io, `${json(response, 2)}\n`);
      }
      return 0;
    },
  },
  serve: {
    summary: "serve JSON files as a mock CREST server",
    usage:
      "crest-query serve [--data file.json] [--collection name=file.json]... [--port n] [--host addr] [--base-path /openidm/managed] [--persist state.json | --postgres url | --pglite dir] [--token t]... [--service-account id=key.jwk]... [--log n]",
    help: `Starts the mock CREST server (every CREST verb: queries, read, create, update, patch, delete,
actions) and prints the URL of each collection, one a line. Collections come from JSON files:
--collection managed/alpha_user=users.json (repeatable; names may hold slashes); --data file.json
serves one file under its file name (or the name --collection gives without =). Without either, the
bundled sample users are served. --persist saves every change to a JSON file and reads it back on
the next start. --postgres postgres://user@host/db keeps each collection in a table of a PostgreSQL
server (filters, sorting and paging run in the database; needs the pg package), --pglite DIR in an
embedded PostgreSQL kept in DIR (needs @electric-sql/pglite); a table that is empty is filled from
the collection's file. --token (repeatable) and --service-account ID=JWKFILE (repeatable; the key file a
tenant hands out works, only its public part is used; scopes fr:idm:* fr:am:* fr:idc:esv:*) turn
on bearer-token auth; the token endpoint is then printed on standard error. It listens on 127.0.0.1
unless --host says otherwise, keeps the last --log requests (default none), until interrupted.`,
    async run(args, io) {
      const { values } = parseArgs({
        args,
        strict: true,
        options: {
          data: { type: "string" },
          port: { type: "string" },
          host: { type: "string" },
          collection: { type: "string", multiple: true },
          "base-path": { type: "string" },
          persist: { type: "string" },
          postgres: { type: "string" },
          pglite: { type: "string" },
          token: { type: "string", multiple: true },
          "service-account": { type: "string", multiple: true },
          log: { type: "string" },
        },
      });
      const collections: Record<string, unknown[]> = {};
      const files: string[] = [];
      const add = (name: string, file: string) => {
        const trimmed = name.replace(/^\/+|\/+$/g, "");
        if (trimmed === "" || trimmed.split("/").some((segment) => segment === "")) throw new CliError(`--collection: '${name}' is not a collection name (segments separated by /)`);
        if (Object.prototype.hasOwnProperty.call(collections, trimmed)) throw new CliError(`--collection: '${trimmed}' is given twice`);
        const path = resolve(io.cwd, file);
        Object.defineProperty(collections, trimmed, { value: loadResources(path, DEFAULT_MAX_INPUT_BYTES, { exactIntegers: false }), enumerable: true, writable: true, configurable: true });
        files.push(path);
      };
      const named = (values.collection ?? []).filter((c) => c.includes("="));
      const plain = (values.collection ?? []).filter((c) => !c.includes("="));
      if (plain.length > 1) throw new CliError("--collection without =FILE names the --data collection and can be given once");
      for (const entry of named) {
        const at = entry.indexOf("=");
        add(entry.slice(0, at), entry.slice(at + 1));
      }
      if (values.data !== undefined || named.length === 0) {
        const file = values.data === undefined ? sampleDataPath() : resolve(io.cwd, values.data);
        add(plain[0] ?? collectionName(file), file);
      }
      const tokens = values.token ?? [];
      const serviceAccounts: Record<string, { publicJwk: Record<string, unknown>; scopes: string[] }> = {};
      for (const entry of values["service-account"] ?? []) {
        const at = entry.indexOf("=");
        if (at <= 0 || at === entry.length - 1) throw new CliError(`--service-account takes ID=JWKFILE, not '${entry}'`);
        const id = entry.slice(0, at);
        const file = resolve(io.cwd, entry.slice(at + 1));
        let jwk: unknown;
        try {
          jwk = JSON.parse(readFileSync(file, "utf8"));
        } catch (error) {
          // Only the file's name and the kind of problem: the file holds a key.
          throw new CliError(`--service-account ${id}: cannot read a JSON Web Key from ${file} (${(error as NodeJS.ErrnoException).code ?? "not JSON"})`);
        }
        if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) throw new CliError(`--service-account ${id}: ${file} holds no JSON Web Key object`);
        serviceAccounts[id] = { publicJwk: jwk as Record<string, unknown>, scopes: ["fr:idm:*", "fr:am:*", "fr:idc:esv:*"] };
      }
      const authOn = tokens.length > 0 || Object.keys(serviceAccounts).length > 0;
      const port = count("port", values.port);
      const log = count("log", values.log) ?? 0;
      const databases = [values.persist, values.postgres, values.pglite].filter((v) => v !== undefined).length;
      if (databases > 1) throw new CliError("--persist, --postgres and --pglite each say where the data lives: give one of them");
      let database: DatabaseConnection | undefined;
      let served: Record<string, unknown[] | Awaited<ReturnType<typeof collectionStores>>[string]> = collections;
      if (values.postgres !== undefined || values.pglite !== undefined) {
        try {
          database = values.postgres !== undefined ? await openPostgres(values.postgres) : await openPglite(resolve(io.cwd, values.pglite ?? ""));
          served = await collectionStores(database, collections);
        } catch (error) {
          await database?.close().catch(() => undefined);
          throw new CliError(`${values.postgres !== undefined ? "--postgres" : "--pglite"}: ${(error as Error).message}`, 1);
        }
      }
      let server;
      try {
        server = await createMockServer({
          collections: served,
          recordRequests: log,
          ...(values["base-path"] === undefined ? {} : { basePath: values["base-path"] }),
          ...(port === undefined ? {} : { port }),
          ...(values.host === undefined ? {} : { host: values.host }),
          ...(values.persist === undefined ? {} : { persist: resolve(io.cwd, values.persist) }),
          ...(authOn ? { auth: { tokens, serviceAccounts } } : {}),
        });
      } catch (error) {
        await database?.close().catch(() => undefined);
        if (error instanceof TypeError) throw new CliError(error.message, 1);
        throw new CliError(`cannot listen on ${values.host ?? "127.0.0.1"} port ${port ?? 0}: ${(error as Error).message}`, 1);
      }
      for (const name of Object.keys(collections)) io.stdout.write(`${server.url}/${name.split("/").map(encodeURIComponent).join("/")}\n`);
      const total = Object.values(collections).reduce((n, resources) => n + resources.length, 0);
      const where = database !== undefined ? `, kept in PostgreSQL (${database.description}; files fill empty tables only)` : values.persist === undefined ? "" : `, saved to ${values.persist}`;
      io.stderr.write(`serving ${database === undefined ? `${total} resources` : "collections"} from ${files.join(", ")}${where}; Ctrl-C stops\n`);
      if (authOn) io.stderr.write(`auth on: send Authorization: Bearer <token>${server.tokenEndpoint === undefined ? "" : `; token endpoint ${server.tokenEndpoint}`}\n`);
      await new Promise<void>((done) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          void server.close().then(() => database?.close()).then(done, done);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      return 0;
    },
  },
  query: {
    summary: "run a paged query against a CREST server and print the resources as NDJSON",
    usage: "crest-query query <collection-url> [filter] [--filter f] [--fields a,b] [--sort -a,b] [--page-size n] [--max-results n] [--param name=value] [--token t] [--header name:value] [--timeout ms] [--retries n] [--total EXACT] [--print-url] [--curl]",
    help: `Walks every page of a query with the request helper (cookies, retries with backoff,
Retry-After) and prints each resource as one JSON line. The filter is the argument after the URL or
--filter (default true). A URL that already holds _queryFilter, _fields, _sortKeys, _pageSize or
other parameters is read: they apply unless an option says otherwise. --param name=value adds any
other parameter (_queryId, _countOnly, ...). --max-results n stops after n resources and asks for no
more than n. --timeout 0 means no time limit. --print-url prints the first request's URL and --curl
a curl command for it, without sending anything. Progress (pages, resources, the total when known)
goes to standard error. The bearer token comes from --token or the CREST_TOKEN variable.`,
    async run(args, io) {
      const { values, positionals } = parseOptions(args, {
        filter: { type: "string" },
        fields: { type: "string" },
        sort: { type: "string" },
        "page-size": { type: "string" },
        "max-results": { type: "string" },
        param: { type: "string", multiple: true },
        token: { type: "string" },
        header: { type: "string", multiple: true },
        timeout: { type: "string" },
        retries: { type: "string" },
        total: { type: "string" },
        "print-url": { type: "boolean", default: false },
        curl: { type: "boolean", default: false },
      });
      if (positionals.length === 0) throw new CliError("query takes a collection URL, such as https://idm.example.com/openidm/managed/user, then a filter");
      if (positionals.length > 2) throw new CliError(`query takes a URL and one filter (quote the filter), got ${positionals.length} arguments`);
      const given = positionals[0] as string;
      const url = httpUrl(given);
      // Parameters already in the URL are read, so that no parameter is sent twice.
      const fromUrl = new Map<string, string>();
      for (const [name, value] of url.searchParams) {
        if (fromUrl.has(name)) throw new CliError(`the URL gives ${name} more than once`);
        fromUrl.set(name, value);
      }
      url.search = "";
      url.hash = "";
      const filterGiven = [positionals[1], values.filter].filter((f): f is string => f !== undefined);
      if (filterGiven.length > 1) throw new CliError("give the filter once: as the argument after the URL or with --filter");
      if (filterGiven.length === 1 && fromUrl.has("_queryFilter")) throw new CliError("the URL already holds _queryFilter; give the filter there or as an argument, not both");
      const filterText = filterGiven[0] ?? fromUrl.get("_queryFilter") ?? "true";
      fromUrl.delete("_queryFilter");
      const checked = checkFilter(filterText);
      if (!checked.ok) throw checked.error;
      printWarnings(checked.warnings, io);
      const take = (name: string, flag: string | undefined): string | undefined => {
        const inUrl = fromUrl.get(name);
        fromUrl.delete(name);
        return flag ?? inUrl;
      };
      const fieldsText = take("_fields", values.fields);
      const sortText = take("_sortKeys", values.sort);
      const pageSizeText = take("_pageSize", values["page-size"]);
      const totalText = take("_totalPagedResultsPolicy", values.total);
      for (const name of ["_pagedResultsCookie", "_pagedResultsOffset"]) {
        if (fromUrl.has(name)) throw new CliError(`the URL holds ${name}, which the walk sets itself; remove it`);
      }
      const params: Record<string, string> = {};
      const setParam = (name: string, value: string) => Object.defineProperty(params, name, { value, enumerable: true, writable: true, configurable: true });
      for (const [name, value] of fromUrl) setParam(name, value);
      for (const p of values.param ?? []) {
        const eq = p.indexOf("=");
        if (eq <= 0) throw new CliError(`--param takes name=value, not "${p}"`);
        const name = p.slice(0, eq);
        const reserved = RESERVED_PARAMS[name];
        if (reserved !== undefined && Object.prototype.hasOwnProperty.call(RESERVED_PARAMS, name)) throw new CliError(`--param ${name}: use ${reserved} for ${name}`);
        setParam(name, p.slice(eq + 1));
      }
      const headers: Record<string, string> = {};
      for (const h of values.header ?? []) {
        const colon = h.indexOf(":");
        if (colon <= 0) throw new CliError(`--header takes name:value, not "${h}"`);
        const name = h.slice(0, colon).trim();
        const value = h.slice(colon + 1).trim();
        if (!/^[!#$%&'*+.^_\x60|~0-9A-Za-z-]+$/.test(name)) throw new CliError(`--header: "${name}" is not a header name`);
        if (/[\r\n\u0000]/.test(value)) throw new CliError(`--header ${name}: the value holds a line break or NUL`);
        // A header named like an Object.prototype member must stay a plain own property.
        Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
      }
      const token = bearerToken(values.token, "--token", io) ?? bearerToken(values.token === undefined ? io.env.CREST_TOKEN : undefined, "CREST_TOKEN", io);
      const requestedPageSize = count("page-size", pageSizeText, 1);
      const maxResults = count("max-results", values["max-results"], 1);
      // Asking for more than will be kept only costs the server work.
      const pageSize = maxResults === undefined ? requestedPageSize : Math.min(requestedPageSize ?? 100, maxResults);
      const timeoutMs = count("timeout", values.timeout);
      const retries = count("retries", values.retries);
      const total = policy(totalText);
      const options: QueryClientOptions = {
        filter: checked.filter,
        fields: asFlag("--fields", "_fields", () => parseFieldList(fieldsText ?? "", "--fields")),
        sortKeys: asFlag("--sort", "_sortKeys", () => parseSortKeys(sortText ?? "")),
        headers,
        params,
        ...(token === undefined ? {} : { token }),
        ...(pageSize === undefined ? {} : { pageSize }),
        ...(maxResults === undefined ? {} : { maxResults }),
        ...(timeoutMs === undefined || timeoutMs === 0 ? {} : { timeoutMs }),
        ...(retries === undefined ? {} : { retry: { retries } }),
        ...(total === undefined ? {} : { totalPagedResultsPolicy: total }),
      };
      if (values["print-url"] || values.curl) {
        const request = buildQueryUrl(url, options).href;
        if (values["print-url"]) out(io, `${request}\n`);
        if (values.curl) {
          const words = ["curl", "--silent", "--show-error", "--fail-with-body", "-H", shellQuote("Accept: application/json")];
          if (token !== undefined) words.push("-H", `"Authorization: Bearer $CREST_TOKEN"`);
          for (const [name, value] of Object.entries(headers)) words.push("-H", SECRET_HEADER.test(name) ? `"${name}: $${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}"` : shellQuote(`${name}: ${value}`));
          words.push(shellQuote(request));
          out(io, `${words.join(" ")}\n`);
          if (token !== undefined || Object.keys(headers).some((n) => SECRET_HEADER.test(n))) io.stderr.write("note: secrets are not printed; the command reads them from the shell variables it names\n");
        }
        return 0;
      }
      // On a terminal that shows only the progress, it is rewritten in place; when the resources
      // go to the same terminal, each progress report is a line of its own.
      const live = io.stderr.isTTY === true && io.stdout.isTTY !== true;
      const progress = live ? (text: string) => io.stderr.write(`\r\u001b[K${escapeLine(text)}`) : (text: string) => io.stderr.write(`${escapeLine(text)}\n`);
      let resources = 0;
      let pages = 0;
      let known = -1;
      try {
        for await (const page of queryPages(url, { ...options, parseJson: parseJsonExact, onRetry: (info) => progress(`retrying in ${info.delayMs} ms after ${info.reason}`) })) {
          pages++;
          resources += page.resultCount;
          if (page.totalPagedResults >= 0) known = page.totalPagedResults;
          for (const resource of page.result) out(io, `${json(resource)}\n`);
          progress(`page ${pages}: ${known >= 0 ? `${resources} of ${plural(known, "resource")}` : plural(resources, "resource")}`);
        }
      } catch (error) {
        if (live && pages > 0) io.stderr.write("\n");
        if (error instanceof CrestError && error.code === 401 && token === undefined) {
          throw new CliError(`the server refused the request (401 ${error.reason}) and no token was given: pass --token or set CREST_TOKEN`, 1);
        }
        throw error;
      }
      if (live) io.stderr.write("\n");
      io.stderr.write(`done: ${plural(resources, "resource")} in ${plural(pages, "page")}\n`);
      return 0;
    },
  },
  parse: {
    summary: "print the syntax tree of a filter as JSON",
    usage: "crest-query parse <filter>",
    help: `Prints the syntax tree as JSON. Integers are {"integer": "digits"} and decimals {"decimal": "1.0"}. ${FILTER_ARG_HELP}`,
    async run(args, io) {
      out(io, `${JSON.stringify(filterToJson(await parsed(args, io)), null, 2)}\n`);
      return 0;
    },
  },
  ...verbCommands,
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `crest-query: the CREST _queryFilter language on the command line

Usage: crest-query <command> [options]

Commands:
${lines.join("\n")}

Run "crest-query <command> --help" or "crest-query help <command>" for a command's options.
`;
}

const TLS_PROBLEMS: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's certificate is self-signed and not trusted",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's certificate chain ends in a certificate authority that is not trusted",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's certificate cannot be verified (is an intermediate certificate missing?)",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the authority that issued the server's certificate is not trusted",
  UNABLE_TO_GET_ISSUER_CERT: "the authority that issued the server's certificate is not trusted",
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  CERT_NOT_YET_VALID: "the server's certificate is not valid yet",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate is for another host name",
  ERR_SSL_WRONG_VERSION_NUMBER: "the server does not speak TLS on that port (is the URL http://?)",
  ERR_SSL_PACKET_LENGTH_TOO_LONG: "the server does not speak TLS on that port (is the URL http://?)",
  ECONNREFUSED: "connection refused (is the server running, on that port?)",
  ENOTFOUND: "no such host",
  ECONNRESET: "the server closed the connection",
  EAI_AGAIN: "the host name could not be looked up (no network?)",
};

/** Why a request failed, in words, from the error codes of its causes (never OpenSSL's text). */
function networkProblem(error: CrestError): string | undefined {
  let cause: unknown = error.cause;
  for (let depth = 0; depth < 8 && cause !== undefined && cause !== null; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string") {
      const known = Object.prototype.hasOwnProperty.call(TLS_PROBLEMS, code) ? TLS_PROBLEMS[code] : undefined;
      if (known !== undefined) return `${known} (${code})`;
      if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_") || code.includes("CERT")) return `the secure (TLS) connection failed (${code})`;
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

/** One line for a command-line option mistake that parseArgs reported. */
function argsProblem(error: Error): string {
  const first = error.message.split("\n")[0] ?? error.message;
  const unknown = /^Unknown option '([^']+)'/.exec(first);
  if (unknown !== null) return `unknown option ${unknown[1]}; --help lists the options`;
  const missing = /^Option '([^ ']+)[^']*' argument missing/.exec(first);
  if (missing !== null) return `${missing[1]} needs a value`;
  const unexpected = /^Unexpected argument '([^']+)'/.exec(first);
  if (unexpected !== null) return `unexpected argument "${unexpected[1]}"; --help shows the usage`;
  return first.replace(/\. To specify.*$/, "");
}

function printFilterError(error: FilterSyntaxError, io: CliIo): void {
  const paint = painter(io.stderr, io.env);
  io.stderr.write(`${paint("red", "error")}: ${escapeLine(error.message)}\n${escapeControls(error.caret)}\n`);
  for (const hint of syntaxHints(error.input)) io.stderr.write(`${paint("cyan", "hint")}: ${escapeLine(hint)}\n`);
}

/**
 * Run the command line with the given arguments and streams; resolves to the exit code. Errors are
 * printed as one clear line (a syntax error with its caret), never as a stack trace.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const paint = painter(io.stderr, io.env);
  const fail = (message: string, code: number) => {
    io.stderr.write(`${paint("red", "error")}: ${escapeLine(message)}\n`);
    return code;
  };
  try {
    if (name === undefined && io.stdin.isTTY === true && io.stdout.isTTY === true) return await repl([], io);
    if (name === "help" && rest.length > 0) return await runCli([rest[0] as string, "--help"], io);
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      out(io, usage());
      return name === undefined ? 2 : 0;
    }
    if (name === "--version" || name === "-v" || name === "-V" || name === "version") {
      out(io, `${VERSION}\n`);
      return 0;
    }
    const command = Object.prototype.hasOwnProperty.call(commands, name) ? commands[name] : undefined;
    if (command === undefined) throw new CliError(`unknown command "${name}"; run crest-query --help for the list`);
    if (rest.includes("--help") || rest.includes("-h")) {
      out(io, `Usage: ${command.usage}\n\n${command.help}\n`);
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof FilterSyntaxError) {
      printFilterError(error, io);
      return 1;
    }
    if (error instanceof CrestError) {
      const network = error.code === 0 ? networkProblem(error) : undefined;
      if (network !== undefined) {
        const host = error.url === undefined ? "the server" : new URL(error.url).host;
        return fail(`cannot reach ${host}: ${network}`, 1);
      }
      return fail(error.message, 1);
    }
    if (error instanceof CliError) return fail(error.message, error.exitCode);
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) return fail(argsProblem(error as Error), 2);
    return fail(error instanceof Error ? error.message : String(error), 1);
  }
}
