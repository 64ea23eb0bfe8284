import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, relative, resolve } from "node:path";
import { stringify as stringifyJson } from "lossless-json";
import { createInterface, type Completer } from "node:readline";
import type { Pointer } from "../language/ast.js";
import { CrestError } from "../query/crest-error.js";
import { encodeQueryFilter } from "../language/encoding.js";
import { checkFilter } from "../language/lint.js";
import { queryCollection } from "../query/query-engine.js";
import { parseFieldList, parseSortKeys, type SortKey } from "../query/query-params.js";
import { formatFilter } from "../language/writer.js";
import { DEFAULT_MAX_INPUT_BYTES, fieldPaths, loadResources } from "./data.js";
import { explainFilter } from "./explain.js";
import { dataHints, syntaxHints } from "./hints.js";
import { CliError, colorizer, escapeControls, escapeLine } from "./io.js";
import { describePasted, recognisePasted } from "./pasted.js";
import { valuesAt } from "../eval/walk.js";
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
  /** The most bytes `.load` reads from a file. */
  readonly maxInputBytes?: number;
  /** The width of the terminal; tables are cut to fit it. */
  readonly columns?: number;
}

const COMMANDS = [".load", ".fields", ".sort", ".limit", ".case", ".json", ".ast", ".help", ".exit"];
const OPERATORS = ["eq", "co", "sw", "lt", "le", "gt", "ge", "pr"];
const PREFERRED_COLUMNS = ["userName", "givenName", "sn", "mail", "accountStatus", "name", "_id"];
const HISTORY_SIZE = 1000;

const HELP = `Type a filter to run it against the data, for example:
  /accountStatus eq "active" and /loginCount gt 100
  /roles/_refResourceId eq "helpdesk" or !(/mail pr)
  /sn sw "O'" and /postalAddress/city co "kra"
Operators: eq co sw lt le gt ge, pr (present), and, or, !(...), true, false.
Strings go in quotes; a backslash makes the next character literal.

Commands:
  .load <file>    load resources from a file: a JSON array, { "result": [...] } or NDJSON
                  (~ is your home folder; quote a name with spaces)
  .fields a,b     the columns to show (pointers such as postalAddress/city); .fields * shows
                  whole resources, .fields none only the counts, .fields default the usual columns
  .sort -a,b      sort keys (- for descending); .sort alone clears them
  .limit n        how many matches to show
  .case on|off    compare strings with their case (on) or ignoring it (off, the default)
  .json on|off    show matches as JSON instead of a table (alone: switch)
  .ast <filter>   draw a filter as a tree in words (alone: the last filter)
  .help           this text
  .exit           leave (or Ctrl-D; Ctrl-C clears the line)
A filter pasted as a URL, a _queryFilter=... parameter or percent-encoded is decoded first.
Tab completes fields, then operators after a field, then values seen in the data.`;

function defaultColumns(resources: readonly unknown[]): Pointer[] {
  const first = resources.find((r) => r !== null && typeof r === "object" && !Array.isArray(r)) as Record<string, unknown> | undefined;
  if (first === undefined) return [["_id"]];
  const keys = Object.keys(first);
  const preferred = PREFERRED_COLUMNS.filter((k) => keys.includes(k)).slice(0, 5);
  // The usual names when the data has them; otherwise the first plain fields (an _id alone says little).
  const chosen = preferred.filter((k) => k !== "_id").length > 0 ? preferred : keys.filter((k) => first[k] === null || typeof first[k] !== "object").slice(0, 5);
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
  const maxBytes = options.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
  let resources: unknown[] = loadResources(options.dataFile, maxBytes);
  // Paths below the working directory read better relative to it.
  const shortPath = (path: string) => {
    const inside = relative(process.cwd(), path);
    return inside !== "" && !inside.startsWith("..") && !isAbsolute(inside) ? inside : path;
  };
  let dataName = shortPath(options.dataFile);
  let completions = fieldPaths(resources);
  // Columns: the defaults, chosen pointers, or "*" (whole resources) or "none" (counts only).
  let columns: Pointer[] | "*" | "none" = defaultColumns(resources);
  let sortKeys: SortKey[] = [];
  let limit = 10;
  let caseSensitive = false;
  let json = false;
  let lastFilter: ReturnType<typeof checkFilter> | undefined;

  // What can follow the text before the cursor: a field (start, after and/or/!/( ), an operator
  // (after a field), a value seen in the data (after an operator), and/or (after a value).
  const completer: Completer = (line: string) => {
    if (line.startsWith(".") && !line.includes(" ")) return [COMMANDS.filter((c) => c.startsWith(line)), line];
    const word = /[^ ()!]*$/.exec(line)?.[0] ?? "";
    const before = line.slice(0, line.length - word.length).trimEnd();
    const tokens = before.match(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[()!]|[^\s()!]+/g) ?? [];
    const previous = tokens.at(-1);
    const beforeThat = tokens.at(-2);
    const lower = word.toLowerCase();
    const isKeyword = (t: string | undefined) => t !== undefined && ["and", "or", "(", "!"].includes(t.toLowerCase());
    const fieldWords = () => completions.flatMap((p) => (word.startsWith("/") ? [p] : [p.slice(1)])).filter((p) => p.startsWith(word));
    if (previous === undefined || isKeyword(previous)) {
      const literals = word === "" ? [] : ["true", "false"].filter((k) => k.startsWith(lower));
      return [[...literals, ...fieldWords()], word];
    }
    if (previous !== undefined && OPERATORS.includes(previous.toLowerCase()) && previous.toLowerCase() !== "pr" && beforeThat !== undefined && !isKeyword(beforeThat)) {
      // A value: the distinct values at that field, as filter literals.
      const field = beforeThat.replace(/^\//, "").split("/");
      const seen = new Set<string>();
      for (const resource of resources.slice(0, 2000)) {
        for (const item of valuesAt(resource, field).flat()) {
          if (typeof item === "string") seen.add(JSON.stringify(item));
          else if (typeof item === "number" || typeof item === "bigint" || typeof item === "boolean") seen.add(String(item));
          if (seen.size >= 200) break;
        }
      }
      return [[...seen].filter((v) => v.toLowerCase().startsWith(lower)).sort(), word];
    }
    if (OPERATORS.includes((previous ?? "").toLowerCase()) || /^["']|^[0-9-]|^(true|false)$/i.test(previous ?? "")) {
      return [["and", "or"].filter((k) => k.startsWith(lower)), word];
    }
    // After a field: an operator.
    return [OPERATORS.filter((k) => k.startsWith(lower)).sort(), word];
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

  const describeData = () => `${resources.length} resource${resources.length === 1 ? "" : "s"} from ${dataName}`;
  const describeColumns = () => (columns === "*" ? "* (whole resources)" : columns === "none" ? "none (counts only)" : columns.map((c) => c.join("/")).join(","));
  const describeSort = () => sortKeys.map((k) => `${k.descending ? "-" : ""}${k.field.join("/")}`).join(",");
  const onOff = (name: string, arg: string | undefined, current: boolean): boolean => {
    const word = arg?.toLowerCase();
    if (word === undefined || word === "toggle") return !current;
    if (word === "on" || word === "true" || word === "yes" || word === "1") return true;
    if (word === "off" || word === "false" || word === "no" || word === "0") return false;
    throw new CliError(`${name} takes on or off (or nothing, to switch), not "${arg ?? ""}"`);
  };
  // A file name as typed: quotes removed, ~ for the home folder, relative to the working folder.
  const fileArgument = (text: string): string => {
    let name = text.trim();
    if (/^(["']).*\1$/.test(name) && name.length >= 2) name = name.slice(1, -1);
    if (name === "~" || name.startsWith("~/")) name = join(homedir(), name.slice(1));
    return resolve(process.cwd(), name);
  };

  const command = (line: string): boolean => {
    const [name = "", ...args] = line.trim().split(/\s+/);
    const rest = line.trim().slice(name.length).trim();
    switch (name.toLowerCase()) {
      case ".exit":
      case ".quit":
        return false;
      case ".help":
        write(HELP);
        break;
      case ".load": {
        if (rest === "") throw new CliError("usage: .load <file>");
        const file = fileArgument(rest);
        resources = loadResources(file, maxBytes);
        dataName = shortPath(file);
        completions = fieldPaths(resources);
        columns = defaultColumns(resources);
        write(`loaded ${escapeControls(describeData())}`);
        break;
      }
      case ".fields": {
        if (rest === "*" || rest.toLowerCase() === "all") columns = "*";
        else if (rest.toLowerCase() === "none") columns = "none";
        else if (rest.toLowerCase() === "default" || rest === "-") columns = defaultColumns(resources);
        else if (rest !== "") columns = parseFieldList(rest, ".fields");
        write(`fields: ${escapeControls(describeColumns())}`);
        break;
      }
      case ".sort":
        sortKeys = parseSortKeys(rest);
        write(sortKeys.length === 0 ? "sort: none" : `sort: ${escapeControls(describeSort())}`);
        break;
      case ".limit": {
        const n = Number(args[0]);
        if (args[0] === undefined || !Number.isSafeInteger(n) || n < 0) throw new CliError(`.limit takes a whole number, not "${args[0] ?? ""}"`);
        limit = n;
        write(`limit: ${limit}`);
        break;
      }
      case ".case":
        caseSensitive = onOff(".case", args[0], caseSensitive);
        write(`case: ${caseSensitive ? "on (strings compare with their case)" : "off (strings ignore case)"}`);
        break;
      case ".json":
        json = onOff(".json", args[0], json);
        write(`json: ${json ? "on" : "off"}`);
        break;
      case ".ast": {
        const result = rest === "" ? lastFilter : checkFilter(recognisePasted(rest).filter);
        if (result === undefined) throw new CliError(".ast takes a filter (or shows the last one)");
        if (!result.ok) {
          showError(result.error);
          break;
        }
        write(escapeControls(explainFilter(result.filter)));
        break;
      }
      default:
        throw new CliError(`unknown command ${name}; .help lists them`);
    }
    return true;
  };

  const showError = (error: { readonly message: string; readonly caret: string; readonly input: string }) => {
    write(`${paint("red", "error")}: ${escapeLine(error.message)}`);
    write(paint("red", escapeControls(error.caret)));
    for (const hint of syntaxHints(error.input)) write(`${paint("cyan", "hint")}: ${escapeLine(hint)}`);
  };

  const evaluate = (line: string): void => {
    const pasted = recognisePasted(line);
    if (pasted.source !== undefined) write(`${paint("dim", "decoded  ")}  ${escapeLine(pasted.filter)}  ${paint("dim", `(from ${describePasted(pasted.source)})`)}`);
    const result = checkFilter(pasted.filter);
    lastFilter = result;
    if (!result.ok) {
      showError(result.error);
      return;
    }
    for (const w of result.warnings) write(`${paint("yellow", "warning")}: ${escapeLine(w.message)} (column ${w.column})`);
    const filter = result.filter;
    write(`${paint("dim", "canonical")}  ${escapeLine(formatFilter(filter))}`);
    write(`${paint("dim", "encoded  ")}  _queryFilter=${encodeQueryFilter(filter)}`);
    const chosen = columns;
    const fields = chosen === "*" || chosen === "none" ? [] : chosen;
    const response = queryCollection(resources, { queryFilter: filter, sortKeys, pageSize: Math.max(limit, 1), totalPagedResultsPolicy: "EXACT", ...(json ? { fields } : {}) }, { caseSensitive, cache: false });
    const total = response.totalPagedResults;
    const sorted = sortKeys.length === 0 ? "" : paint("dim", `, sorted by ${escapeControls(describeSort())}`);
    write(`${paint("dim", "matches  ")}  ${paint("bold", String(total))} of ${resources.length}${sorted}`);
    // Even with matches: in an `or`, the part that cannot match goes unnoticed otherwise.
    for (const hint of dataHints(filter, resources)) write(`${paint("cyan", "hint")}: ${escapeLine(hint)}`);
    const shown = limit === 0 || chosen === "none" ? [] : response.result;
    if (shown.length === 0) return;
    if (json || chosen === "*") write(escapeControls(stringifyJson(shown, undefined, 2) ?? "[]"));
    // Read the width each time: the terminal may have been resized.
    else write(renderTable(shown, fields, 32, options.output.columns ?? options.columns ?? Number.POSITIVE_INFINITY));
    if (total > shown.length) write(paint("dim", `(first ${shown.length} of ${total}; .limit to see more)`));
  };

  write(`crest-query REPL: ${escapeControls(describeData())}. Type a filter, or .help`);
  // Keys as in node, python and psql: Ctrl-C clears the line; on an empty line it says how to leave,
  // and a second Ctrl-C leaves. Ctrl-D on an empty line leaves too.
  let interrupted = false;
  rl.on("SIGINT", () => {
    const empty = rl.line === "";
    if (empty && interrupted) {
      rl.close();
      return;
    }
    interrupted = empty;
    options.output.write("^C\n");
    // Forget what was typed: Ctrl-E then Ctrl-U, as the line editor understands them.
    rl.write(null, { ctrl: true, name: "e" });
    rl.write(null, { ctrl: true, name: "u" });
    if (empty) write(paint("dim", "(to leave, press Ctrl-C again, Ctrl-D, or type .exit)"));
    rl.prompt();
  });
  rl.prompt();
  let exitedByCommand = false;
  for await (const line of rl) {
    interrupted = false;
    remember(line);
    const text = line.trim();
    try {
      if (text.startsWith(".")) {
        if (!command(text)) {
          exitedByCommand = true;
          break;
        }
      } else if (text === "") {
        // nothing to do
      } else if (/^\{/.test(text)) {
        write(`${paint("red", "error")}: that looks like JSON; type a filter such as /mail pr`);
      } else {
        evaluate(line);
      }
    } catch (error) {
      const message = error instanceof CliError || error instanceof CrestError || error instanceof Error ? error.message : String(error);
      write(`${paint("red", "error")}: ${escapeLine(message)}`);
    }
    rl.prompt();
  }
  rl.close();
  // Ctrl-D or a second Ctrl-C leaves the cursor after the prompt: the shell's prompt needs a line of its own.
  if (options.terminal && !exitedByCommand) options.output.write("\n");
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
