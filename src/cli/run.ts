import { parseArgs } from "node:util";
import { FilterSyntaxError } from "../errors.js";
import { decodeQueryFilter, encodeQueryFilter } from "../encoding.js";
import { filterToJson } from "../json.js";
import { checkFilter, type FilterWarning } from "../lint.js";
import { formatFilter } from "../writer.js";
import { CliError, painter, readAll, type CliIo } from "./io.js";

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

const commands: Record<string, Command> = {
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
