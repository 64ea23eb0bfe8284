import { closeSync, openSync, readSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseLossless } from "lossless-json";
import { CliError } from "./io.js";

/** The most bytes read from a data file or standard input unless --max-input says otherwise. */
export const DEFAULT_MAX_INPUT_BYTES = 256 * 1024 * 1024;

/** The bundled sample users: examples/users.json next to the package's dist/. */
export function sampleDataPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/cli.js (built) and src/cli/data.ts (tests) are one and two levels below the package.
  return here.endsWith(join("src", "cli")) ? join(here, "..", "..", "examples", "users.json") : join(here, "..", "examples", "users.json");
}

/** A size such as `1000`, `64k`, `256M` or `1G` (binary multiples) in bytes. */
export function parseSize(name: string, text: string): number {
  const match = /^([0-9]+)\s*([kmg]i?b?|b)?$/i.exec(text.trim());
  const unit = (match?.[2] ?? "b").charAt(0).toLowerCase();
  const n = match === null ? Number.NaN : Number(match[1]) * (unit === "k" ? 1024 : unit === "m" ? 1024 ** 2 : unit === "g" ? 1024 ** 3 : 1);
  if (!Number.isSafeInteger(n) || n <= 0) throw new CliError(`${name} takes a size such as 1000, 64k, 256M or 1G, not "${text}"`);
  return n;
}

function tooBig(what: string, maxBytes: number): CliError {
  return new CliError(`${what} is larger than ${formatSize(maxBytes)}; raise the limit with --max-input if you mean it`, 1);
}

function formatSize(bytes: number): string {
  for (const [unit, size] of [["GiB", 1024 ** 3], ["MiB", 1024 ** 2], ["KiB", 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}

/**
 * Read a file (or a device or pipe such as /dev/stdin) in chunks, never more than `maxBytes`:
 * `/dev/zero` stops at the limit with a clear error instead of filling memory.
 */
export function readCapped(path: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read ${path}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : code === "EACCES" ? "permission denied" : (error as Error).message}`, 1);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, maxBytes - total + 1));
      let read: number;
      try {
        read = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") continue;
        throw new CliError(`cannot read ${path}: ${code === "EISDIR" ? "it is a directory" : (error as Error).message}`, 1);
      }
      if (read === 0) break;
      total += read;
      if (total > maxBytes) throw tooBig(path, maxBytes);
      chunks.push(chunk.subarray(0, read));
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** Read a whole stream (standard input), never more than `maxBytes`. */
export async function readStreamCapped(stream: NodeJS.ReadableStream, maxBytes: number, what = "standard input"): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    total += buffer.length;
    if (total > maxBytes) {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      throw tooBig(what, maxBytes);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, total);
}

/** How numbers in data are read: integers beyond 2^53 as exact bigints, or all as JS numbers. */
export interface ReadDataOptions {
  /** Keep integers that a JS number cannot hold exactly as bigints (default true). */
  readonly exactIntegers?: boolean;
}

const UNSAFE_INTEGER = /[0-9]{16}/;

function parseNumber(text: string): number | bigint {
  if (/^-?[0-9]+$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  return Number(text);
}

/** JSON text read with integers beyond 2^53 kept exact (as bigints); for the client's `parseJson`. */
export function parseJsonExact(text: string): unknown {
  return parseJson(text, true);
}

function parseJson(text: string, exactIntegers: boolean): unknown {
  // JSON.parse is fast and iterative; the lossless reader is needed only when some integer may be
  // beyond 2^53 (16 digits or more in a row, wherever they are).
  if (!exactIntegers || !UNSAFE_INTEGER.test(text)) return JSON.parse(text);
  try {
    return parseLossless(text, undefined, parseNumber);
  } catch (error) {
    if (error instanceof RangeError) throw new SyntaxError("the data nests too deeply");
    throw error;
  }
}

/**
 * The resources in a text: a JSON array, a saved query response `{ "result": [...] }`, or NDJSON
 * (one resource per line, as `query` and `eval --ndjson` print). A UTF-8 byte-order mark is skipped.
 */
export function parseResources(text: string, where: string, options: ReadDataOptions = {}): unknown[] {
  const exact = options.exactIntegers ?? true;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const start = body.trimStart();
  if (start === "") throw new CliError(`${where} is empty; expected a JSON array, { "result": [...] } or one JSON resource per line`, 1);
  let whole: unknown;
  let wholeError: unknown;
  try {
    whole = parseJson(body, exact);
  } catch (error) {
    wholeError = error;
  }
  if (wholeError === undefined) {
    if (Array.isArray(whole)) return whole;
    const result = (whole as { result?: unknown } | null)?.result;
    if (whole !== null && typeof whole === "object" && Array.isArray(result)) return result;
    // One resource on one line is NDJSON of one; an object over several lines is something else.
    if (whole !== null && typeof whole === "object" && !start.trimEnd().includes("\n")) return [whole];
    throw new CliError(`${where} holds neither an array of resources, { "result": [...] } nor one resource per line`, 1);
  }
  if (start.startsWith("[") || !start.startsWith("{")) throw new CliError(`${where} is not valid JSON: ${(wholeError as Error).message}`, 1);
  // NDJSON: one JSON object per line; blank lines are skipped.
  const resources: unknown[] = [];
  let lineNumber = 0;
  for (const line of body.split("\n")) {
    lineNumber++;
    if (line.trim() === "") continue;
    try {
      resources.push(parseJson(line, exact));
    } catch (error) {
      throw new CliError(`${where} line ${lineNumber} is not valid JSON: ${(error as Error).message}`, 1);
    }
  }
  return resources;
}

/**
 * Load a collection from a file holding a JSON array, `{ "result": [...] }` or NDJSON, read with a
 * size cap; problems exit 1.
 */
export function loadResources(path: string, maxBytes = DEFAULT_MAX_INPUT_BYTES, options: ReadDataOptions = {}): unknown[] {
  return parseResources(readCapped(path, maxBytes).toString("utf8"), path, options);
}

/** A collection name from a file name: users.json is "users". */
export function collectionName(path: string): string {
  return basename(path, extname(path)) || "resources";
}

/** Every field path in the data (first resources only), for completion: /a, /a/b, /roles/_ref. */
export function fieldPaths(resources: readonly unknown[], limit = 200): string[] {
  const paths = new Set<string>();
  const visit = (value: unknown, prefix: string, depth: number): void => {
    if (depth > 5 || value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      for (const element of value.slice(0, 20)) visit(element, prefix, depth + 1);
      return;
    }
    for (const [key, inner] of Object.entries(value)) {
      const path = `${prefix}/${key.replace(/%/g, "%25").replace(/\//g, "%2F")}`;
      paths.add(path);
      visit(inner, path, depth + 1);
    }
  };
  for (const resource of resources.slice(0, limit)) visit(resource, "", 0);
  return [...paths].sort();
}
