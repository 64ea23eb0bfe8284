import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { queryPages } from "../client/client.js";
import { CrestError } from "../query/crest-error.js";
import { createMockServer } from "../node/mock-server.js";
import { queryCollection } from "../query/query-engine.js";
import { parseFieldList, parseSortKeys, type TotalPagedResultsPolicy } from "../query/query-params.js";
import { collectionName, loadResources, sampleDataPath } from "./data.js";
import { runRepl } from "./repl.js";
import { FilterSyntaxError } from "../language/errors.js";
import { decodeQueryFilter, encodeQueryFilter } from "../language/encoding.js";
import { filterToJson } from "../language/json.js";
import { checkFilter, type FilterWarning } from "../language/lint.js";
import { formatFilter } from "../language/writer.js";
import { CliError, colorEnabled, painter, readAll, type CliIo } from "./io.js";

/** The version printed by `--version`; kept in step with package.json by a test. */
export const VERSION = "0.1.0";

interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly help: string;
  run(args: string[], io: CliIo): Promise<number>;
}

const FILTER_ARG_HELP = "The filter is the first argument; without one, or with -, it is read from standard input.";

async function filterText(args: string[], io: CliIo, what = "filter"): Promise<string> {
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
  if (positionals.length > 1) throw new CliError(`expected one ${what}, got ${positionals.length} arguments (quote the ${what})`);
  const given = positionals[0];
  if (given !== undefined && given !== "-") return given;
  if (io.stdin.isTTY === true) throw new CliError(`missing ${what}: pass it as an argument or on standard input`);
  return (await readAll(io.stdin)).replace(/\r?\n$/, "");
}

function printWarnings(warnings: readonly FilterWarning[], io: CliIo): void {
  const paint = painter(io.stderr, io.env);
  for (const w of warnings) io.stderr.write(`${paint("yellow", "warning")}: ${w.message} (line ${w.line}, column ${w.column})\n`);
}

/** Parse a filter or exit with its caret error. */
async function parsed(args: string[], io: CliIo) {
  const text = await filterText(args, io);
  const result = checkFilter(text);
  if (!result.ok) throw result.error;
  printWarnings(result.warnings, io);
  return result.filter;
}

// parseArgs refuses `--sort -sn` (a value that starts with a dash); a descending sort key is the
// natural thing to type there, so such values are attached: `--sort=-sn`.
function attachDashValues(args: readonly string[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const next = args[i + 1];
    if (names.includes(arg) && next !== undefined && /^-[^-]/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}


function count(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new CliError(`--${name} takes a whole number, not "${value}"`);
  return n;
}

function policy(value: string | undefined): TotalPagedResultsPolicy | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if (upper !== "NONE" && upper !== "EXACT" && upper !== "ESTIMATE") throw new CliError(`--total takes NONE, EXACT or ESTIMATE, not "${value}"`);
  return upper;
}

function historyFile(io: CliIo): string | undefined {
  const configured = io.env.CREST_QUERY_HISTORY;
  if (configured === "") return undefined;
  return configured ?? join(homedir(), ".crest_query_history");
}

async function repl(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { data: { type: "string" } } });
  const terminal = io.stdin.isTTY === true && io.stdout.isTTY === true;
  const color = colorEnabled(io.stdout, io.env);
  await runRepl({
    input: io.stdin,
    output: io.stdout as NodeJS.WritableStream,
    terminal,
    color,
    dataFile: values.data === undefined ? sampleDataPath() : resolve(io.cwd, values.data),
    ...(terminal ? { historyFile: historyFile(io) } : {}),
  });
  return 0;
}

const commands: Record<string, Command> = {
  repl: {
    summary: "try filters interactively against sample or your own data",
    usage: "crest-query repl [--data file.json]",
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
prints the error with a caret under the input and exits 1 when it is not. ${FILTER_ARG_HELP}`,
    async run(args, io) {
      await parsed(args, io);
      io.stdout.write("ok\n");
      return 0;
    },
  },
  format: {
    summary: "print the canonical form of a filter",
    usage: "crest-query format <filter>",
    help: `Prints the canonical form: lower-case keywords, single spaces, /-prefixed fields, double-quoted strings. ${FILTER_ARG_HELP}`,
    async run(args, io) {
      io.stdout.write(`${formatFilter(await parsed(args, io))}\n`);
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
      io.stdout.write(`${encodeQueryFilter(text, { validate: false })}\n`);
      return 0;
    },
  },
  decode: {
    summary: "decode a URL-encoded _queryFilter value",
    usage: "crest-query decode <value>",
    help: `Decodes a _queryFilter value as a server does (+ is a space). The value is the first argument or standard input.`,
    async run(args, io) {
      io.stdout.write(`${decodeQueryFilter(await filterText(args, io, "value"))}\n`);
      return 0;
    },
  },
  eval: {
    summary: "run a filter over a JSON file and print the matches",
    usage: "crest-query eval <filter> [--data file.json] [--sort -a,b] [--fields a,b] [--page-size n] [--cookie c] [--offset n] [--total EXACT] [--case-sensitive] [--ndjson]",
    help: `Runs a query over the resources of a JSON file (an array or { "result": [...] }; default: the
bundled sample users) with the in-memory query engine, and prints the CREST query response as JSON,
or with --ndjson one matching resource per line (the next cookie then goes to standard error).
Cookies stay valid between runs while the data file is unchanged.`,
    async run(args, io) {
      const { values, positionals } = parseArgs({
        args: attachDashValues(args, ["--sort"]),
        allowPositionals: true,
        strict: true,
        options: {
          data: { type: "string" },
          sort: { type: "string" },
          fields: { type: "string" },
          "page-size": { type: "string" },
          cookie: { type: "string" },
          offset: { type: "string" },
          total: { type: "string" },
          "case-sensitive": { type: "boolean", default: false },
          ndjson: { type: "boolean", default: false },
        },
      });
      if (positionals.length !== 1) throw new CliError("eval takes one filter (quote it), then options");
      const result = checkFilter(positionals[0] as string);
      if (!result.ok) throw result.error;
      printWarnings(result.warnings, io);
      const file = values.data === undefined ? sampleDataPath() : resolve(io.cwd, values.data);
      const resources = loadResources(file);
      const pageSize = count("page-size", values["page-size"]);
      const offset = count("offset", values.offset);
      const total = policy(values.total);
      const response = queryCollection(
        resources,
        {
          queryFilter: result.filter,
          sortKeys: parseSortKeys(values.sort ?? ""),
          fields: parseFieldList(values.fields ?? "", "--fields"),
          ...(pageSize === undefined ? {} : { pageSize }),
          ...(offset === undefined ? {} : { pagedResultsOffset: offset }),
          ...(values.cookie === undefined ? {} : { pagedResultsCookie: values.cookie }),
          ...(total === undefined ? {} : { totalPagedResultsPolicy: total }),
        },
        { caseSensitive: values["case-sensitive"], cookieSecret: createHash("sha256").update(readFileSync(file)).digest(), cache: false },
      );
      if (values.ndjson) {
        for (const resource of response.result) io.stdout.write(`${JSON.stringify(resource)}\n`);
        if (response.pagedResultsCookie !== null) io.stderr.write(`next cookie: ${response.pagedResultsCookie}\n`);
      } else {
        io.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
      }
      return 0;
    },
  },
  serve: {
    summary: "serve JSON files as a mock CREST server",
    usage:
      "crest-query serve [--data file.json] [--collection name=file.json]... [--port n] [--host addr] [--base-path /openidm/managed] [--persist state.json] [--token t]... [--service-account id=key.jwk]... [--log n]",
    help: `Starts the mock CREST server (every CREST verb: queries, read, create, update, patch, delete,
actions) and prints the URL of each collection, one a line. Collections come from JSON files:
--collection managed/alpha_user=users.json (repeatable; names may hold slashes); --data file.json
serves one file under its file name (or the name --collection gives without =). Without either, the
bundled sample users are served. --persist saves every change to a JSON file and reads it back on
the next start. --token (repeatable) and --service-account ID=JWKFILE (repeatable; the key file a
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
        Object.defineProperty(collections, trimmed, { value: loadResources(path), enumerable: true, writable: true, configurable: true });
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
      let server;
      try {
        server = await createMockServer({
          collections,
          recordRequests: log,
          ...(values["base-path"] === undefined ? {} : { basePath: values["base-path"] }),
          ...(port === undefined ? {} : { port }),
          ...(values.host === undefined ? {} : { host: values.host }),
          ...(values.persist === undefined ? {} : { persist: resolve(io.cwd, values.persist) }),
          ...(authOn ? { auth: { tokens, serviceAccounts } } : {}),
        });
      } catch (error) {
        if (error instanceof TypeError) throw new CliError(error.message, 1);
        throw new CliError(`cannot listen on ${values.host ?? "127.0.0.1"} port ${port ?? 0}: ${(error as Error).message}`, 1);
      }
      for (const name of Object.keys(collections)) io.stdout.write(`${server.url}/${name.split("/").map(encodeURIComponent).join("/")}\n`);
      const total = Object.values(collections).reduce((n, resources) => n + resources.length, 0);
      io.stderr.write(`serving ${total} resources from ${files.join(", ")}${values.persist === undefined ? "" : `, saved to ${values.persist}`}; Ctrl-C stops\n`);
      if (authOn) io.stderr.write(`auth on: send Authorization: Bearer <token>${server.tokenEndpoint === undefined ? "" : `; token endpoint ${server.tokenEndpoint}`}\n`);
      await new Promise<void>((done) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          void server.close().then(done);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      return 0;
    },
  },
  query: {
    summary: "run a paged query against a CREST server and print the resources as NDJSON",
    usage: "crest-query query <collection-url> [--filter f] [--fields a,b] [--sort -a,b] [--page-size n] [--max-results n] [--token t] [--header name:value] [--timeout ms] [--retries n] [--total EXACT]",
    help: `Walks every page of a query with the request helper (cookies, retries with backoff,
Retry-After) and prints each resource as one JSON line. Progress (pages, resources, the total when
known) goes to standard error. The bearer token comes from --token or the CREST_TOKEN variable.`,
    async run(args, io) {
      const { values, positionals } = parseArgs({
        args: attachDashValues(args, ["--sort"]),
        allowPositionals: true,
        strict: true,
        options: {
          filter: { type: "string", default: "true" },
          fields: { type: "string" },
          sort: { type: "string" },
          "page-size": { type: "string" },
          "max-results": { type: "string" },
          token: { type: "string" },
          header: { type: "string", multiple: true },
          timeout: { type: "string" },
          retries: { type: "string" },
          total: { type: "string" },
        },
      });
      if (positionals.length !== 1) throw new CliError("query takes one collection URL, such as https://idm.example.com/openidm/managed/user");
      const url = positionals[0] as string;
      if (!/^https?:\/\//.test(url)) throw new CliError(`"${url}" is not an http(s) URL`);
      const checked = checkFilter(values.filter);
      if (!checked.ok) throw checked.error;
      printWarnings(checked.warnings, io);
      const headers: Record<string, string> = {};
      for (const h of values.header ?? []) {
        const colon = h.indexOf(":");
        if (colon <= 0) throw new CliError(`--header takes name:value, not "${h}"`);
        // A header named like an Object.prototype member must stay a plain own property.
        Object.defineProperty(headers, h.slice(0, colon).trim(), { value: h.slice(colon + 1).trim(), enumerable: true, writable: true, configurable: true });
      }
      const token = values.token ?? io.env.CREST_TOKEN;
      const pageSize = count("page-size", values["page-size"]);
      const maxResults = count("max-results", values["max-results"]);
      const timeoutMs = count("timeout", values.timeout);
      const retries = count("retries", values.retries);
      const total = policy(values.total);
      const progress = io.stderr.isTTY === true ? (text: string) => io.stderr.write(`\r\u001b[K${text}`) : (text: string) => io.stderr.write(`${text}\n`);
      let resources = 0;
      let pages = 0;
      let known = -1;
      for await (const page of queryPages(url, {
        filter: checked.filter,
        fields: parseFieldList(values.fields ?? "", "--fields"),
        sortKeys: parseSortKeys(values.sort ?? ""),
        headers,
        ...(token === undefined || token === "" ? {} : { token }),
        ...(pageSize === undefined ? {} : { pageSize }),
        ...(maxResults === undefined ? {} : { maxResults }),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        ...(retries === undefined ? {} : { retry: { retries } }),
        ...(total === undefined ? {} : { totalPagedResultsPolicy: total }),
        onRetry: (info) => progress(`retrying in ${info.delayMs} ms after ${info.reason}`),
      })) {
        pages++;
        resources += page.resultCount;
        if (page.totalPagedResults >= 0) known = page.totalPagedResults;
        for (const resource of page.result) io.stdout.write(`${JSON.stringify(resource)}\n`);
        progress(`page ${pages}: ${resources}${known >= 0 ? ` of ${known}` : ""} resources`);
      }
      if (io.stderr.isTTY === true) io.stderr.write("\n");
      io.stderr.write(`done: ${resources} resources in ${pages} page${pages === 1 ? "" : "s"}\n`);
      return 0;
    },
  },
  parse: {
    summary: "print the syntax tree of a filter as JSON",
    usage: "crest-query parse <filter>",
    help: `Prints the syntax tree as JSON. Integers are {"integer": "digits"} and decimals {"decimal": "1.0"}. ${FILTER_ARG_HELP}`,
    async run(args, io) {
      io.stdout.write(`${JSON.stringify(filterToJson(await parsed(args, io)), null, 2)}\n`);
      return 0;
    },
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `crest-query: the CREST _queryFilter language on the command line

Usage: crest-query <command> [options]

Commands:
${lines.join("\n")}

Run "crest-query <command> --help" for a command's options.
`;
}

/**
 * Run the command line with the given arguments and streams; resolves to the exit code. Errors are
 * printed as one clear line (a syntax error with its caret), never as a stack trace.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const paint = painter(io.stderr, io.env);
  try {
    if (name === undefined && io.stdin.isTTY === true && io.stdout.isTTY === true) return await repl([], io);
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      io.stdout.write(usage());
      return name === undefined ? 2 : 0;
    }
    if (name === "--version" || name === "-v") {
      io.stdout.write(`${VERSION}\n`);
      return 0;
    }
    const command = Object.prototype.hasOwnProperty.call(commands, name) ? commands[name] : undefined;
    if (command === undefined) throw new CliError(`unknown command "${name}"; run crest-query --help for the list`);
    if (rest.includes("--help") || rest.includes("-h")) {
      io.stdout.write(`Usage: ${command.usage}\n\n${command.help}\n`);
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof FilterSyntaxError) {
      io.stderr.write(`${paint("red", "error")}: ${error.message}\n${error.caret}\n`);
      return 1;
    }
    if (error instanceof CrestError) {
      io.stderr.write(`${paint("red", "error")}: ${error.message}\n`);
      return 1;
    }
    if (error instanceof CliError) {
      io.stderr.write(`${paint("red", "error")}: ${error.message}\n`);
      return error.exitCode;
    }
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
      io.stderr.write(`${paint("red", "error")}: ${(error as Error).message}\n`);
      return 2;
    }
    io.stderr.write(`${paint("red", "error")}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
