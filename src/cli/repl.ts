import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import { createInterface, type Completer } from "node:readline";
import type { Pointer } from "../language/ast.js";
import { CrestError } from "../query/crest-error.js";
import { encodeQueryFilter } from "../language/encoding.js";
import { checkFilter } from "../language/lint.js";
import { queryCollection } from "../query/query-engine.js";
import { parseFieldList, parseSortKeys, type SortKey } from "../query/query-params.js";
import { formatFilter } from "../language/writer.js";
import { fieldPaths, loadResources } from "./data.js";
import { CliError, colorizer } from "./io.js";
import { renderTable } from "./table.js";

/** Where the REPL reads and writes, and what it starts with. */
export interface ReplOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };
  /** Line editing, history keys and completion (a terminal). */
  readonly terminal: boolean;
  /** Colour the output. */
  readonly color: boolean;
  /** Where history is kept across runs; none when undefined. */
  readonly historyFile?: string;
  readonly dataFile: string;
}

const KEYWORDS = ["and", "or", "pr", "eq", "co", "sw", "lt", "le", "gt", "ge", "true", "false"];
const COMMANDS = [".load", ".fields", ".sort", ".limit", ".case", ".json", ".help", ".exit"];
const PREFERRED_COLUMNS = ["userName", "givenName", "sn", "mail", "accountStatus", "name", "_id"];
const HISTORY_SIZE = 1000;

const HELP = `Type a filter to run it against the data, for example:
  /accountStatus eq "active" and /loginCount gt 100
  /roles/_refResourceId eq "helpdesk" or !(/mail pr)
  /sn sw "O'" and /postalAddress/city co "kra"
Operators: eq co sw lt le gt ge, pr (present), and, or, !(...), true, false.
Strings go in quotes; a backslash makes the next character literal.

Commands:
  .load <file>    load resources from a JSON file (an array or { "result": [...] })
  .fields a,b     the columns to show (pointers such as postalAddress/city)
  .sort -a,b      sort keys (- for descending); .sort alone clears them
  .limit n        how many matches to show
  .case on|off    compare strings with their case (on) or ignoring it (off, the default)
  .json           show matches as JSON instead of a table (again to switch back)
  .help           this text
  .exit           leave (or Ctrl-D)
Tab completes keywords, operators and the fields of the data.`;

function defaultColumns(resources: readonly unknown[]): Pointer[] {
  const first = resources.find((r) => r !== null && typeof r === "object" && !Array.isArray(r)) as Record<string, unknown> | undefined;
  if (first === undefined) return [["_id"]];
  const keys = Object.keys(first);
  const preferred = PREFERRED_COLUMNS.filter((k) => keys.includes(k)).slice(0, 5);
  const chosen = preferred.length > 0 ? preferred : keys.filter((k) => first[k] === null || typeof first[k] !== "object").slice(0, 4);
  return chosen.map((k) => [k]);
}

function readHistory(file: string | undefined): string[] {
  if (file === undefined) return [];
  try {
    return readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "").slice(-HISTORY_SIZE).reverse();
  } catch {
    return [];
  }
}

/**
 * Run the REPL until `.exit` or the end of input. Each line is a filter, answered with its canonical
 * form, the encoded `_queryFilter` parameter, the number of matches and the first of them; or the
 * error with a caret under the input.
 */
export async function runRepl(options: ReplOptions): Promise<void> {
  const paint = colorizer(options.color);
  const write = (text: string) => options.output.write(`${text}\n`);
  let resources: unknown[] = loadResources(options.dataFile);
  // Paths below the working directory read better relative to it.
  const shortPath = (path: string) => {
    const inside = relative(process.cwd(), path);
    return inside !== "" && !inside.startsWith("..") && !isAbsolute(inside) ? inside : path;
  };
  let dataName = shortPath(options.dataFile);
  let completions = fieldPaths(resources);
  let columns = defaultColumns(resources);
  let sortKeys: SortKey[] = [];
  let limit = 10;
  let caseSensitive = false;
  let json = false;

  const completer: Completer = (line: string) => {
    const word = /[^ ()]*$/.exec(line)?.[0] ?? "";
    if (line.startsWith(".") && !line.includes(" ")) return [COMMANDS.filter((c) => c.startsWith(line)), line];
    const lower = word.toLowerCase();
    const fields = completions.flatMap((p) => (word.startsWith("/") ? [p] : [p.slice(1)])).filter((p) => p.startsWith(word));
    const keywords = word === "" ? [] : KEYWORDS.filter((k) => k.startsWith(lower));
    return [[...keywords.sort(), ...fields], word];
  };

  const history = readHistory(options.historyFile);
  const rl = createInterface({
    input: options.input,
    output: options.output,
    terminal: options.terminal,
    completer,
    history,
    historySize: HISTORY_SIZE,
    // In a pipe there is nobody to prompt: the output is just the answers.
    prompt: options.terminal ? paint("cyan", "crest> ") : "",
  });
  const remember = (line: string) => {
    if (options.historyFile === undefined || line.trim() === "") return;
    try {
      appendFileSync(options.historyFile, `${line.replace(/\n/g, " ")}\n`);
    } catch {
      // History is a convenience: an unwritable file must not stop the session.
    }
  };

  const describeData = () => `${resources.length} resources from ${dataName}`;

  const command = (line: string): boolean => {
    const [name = "", ...args] = line.trim().split(/\s+/);
    const rest = line.trim().slice(name.length).trim();
    switch (name) {
      case ".exit":
        return false;
      case ".help":
        write(HELP);
        break;
      case ".load": {
        if (rest === "") throw new CliError("usage: .load <file>");
        resources = loadResources(rest);
        dataName = shortPath(rest);
        completions = fieldPaths(resources);
        columns = defaultColumns(resources);
        write(`loaded ${describeData()}`);
        break;
      }
      case ".fields": {
        if (rest === "") {
          write(`fields: ${columns.map((c) => c.join("/")).join(",")}`);
          break;
        }
        columns = parseFieldList(rest, ".fields");
        write(`fields: ${columns.map((c) => c.join("/")).join(",")}`);
        break;
      }
      case ".sort":
        sortKeys = parseSortKeys(rest);
        write(sortKeys.length === 0 ? "sort: none" : `sort: ${sortKeys.map((k) => `${k.descending ? "-" : ""}${k.field.join("/")}`).join(",")}`);
        break;
      case ".limit": {
        const n = Number(args[0]);
        if (!Number.isSafeInteger(n) || n < 0) throw new CliError(`.limit takes a whole number, not "${args[0] ?? ""}"`);
        limit = n;
        write(`limit: ${limit}`);
        break;
      }
      case ".case":
        if (args[0] !== "on" && args[0] !== "off") throw new CliError(".case takes on or off");
        caseSensitive = args[0] === "on";
        write(`case: ${caseSensitive ? "on (strings compare with their case)" : "off (strings ignore case)"}`);
        break;
      case ".json":
        json = !json;
        write(`json: ${json ? "on" : "off"}`);
        break;
      default:
        throw new CliError(`unknown command ${name}; .help lists them`);
    }
    return true;
  };

  const evaluate = (line: string): void => {
    const result = checkFilter(line);
    if (!result.ok) {
      write(`${paint("red", "error")}: ${result.error.message}`);
      write(paint("red", result.error.caret));
      return;
    }
    for (const w of result.warnings) write(`${paint("yellow", "warning")}: ${w.message} (column ${w.column})`);
    const filter = result.filter;
    write(`${paint("dim", "canonical")}  ${formatFilter(filter)}`);
    write(`${paint("dim", "encoded  ")}  _queryFilter=${encodeQueryFilter(filter)}`);
    const response = queryCollection(resources, { queryFilter: filter, sortKeys, pageSize: Math.max(limit, 1), totalPagedResultsPolicy: "EXACT" }, { caseSensitive, cache: false });
    const total = response.totalPagedResults;
    write(`${paint("dim", "matches  ")}  ${paint("bold", String(total))} of ${resources.length}`);
    const shown = limit === 0 ? [] : response.result;
    if (shown.length === 0) return;
    if (json) write(JSON.stringify(shown, null, 2));
    else write(renderTable(shown, columns));
    if (total > shown.length) write(paint("dim", `(first ${shown.length} of ${total}; .limit to see more)`));
  };

  write(`crest-query REPL: ${describeData()}. Type a filter, or .help`);
  rl.prompt();
  for await (const line of rl) {
    remember(line);
    const text = line.trim();
    try {
      if (text.startsWith(".")) {
        if (!command(text)) break;
      } else if (text === "") {
        // nothing to do
      } else if (/^\{/.test(text)) {
        write(`${paint("red", "error")}: that looks like JSON; type a filter such as /mail pr`);
      } else {
        evaluate(line);
      }
    } catch (error) {
      const message = error instanceof CliError || error instanceof CrestError || error instanceof Error ? error.message : String(error);
      write(`${paint("red", "error")}: ${message}`);
    }
    rl.prompt();
  }
  rl.close();
  if (options.historyFile !== undefined) trimHistory(options.historyFile);
}

function trimHistory(file: string): void {
  try {
    const lines = readFileSync(file, "utf8").split("\n").filter((l) => l !== "");
    if (lines.length > HISTORY_SIZE) writeFileSync(file, `${lines.slice(-HISTORY_SIZE).join("\n")}\n`);
  } catch {
    // See remember(): history never stops the session.
  }
}
