import { styleText } from "node:util";

/** Where the command line reads and writes; tests pass their own. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** A usage or input problem: printed as one line, with exit code 2 (usage) or 1 (bad input). */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

type Style = Parameters<typeof styleText>[0];

/** Whether to colour what goes to a stream: only a terminal, and never when NO_COLOR is set. */
export function colorEnabled(stream: { readonly isTTY?: boolean }, env: CliIo["env"]): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === "") && env.TERM !== "dumb";
}

/** A function that styles text, or leaves it alone when colour is off. */
export function colorizer(enabled: boolean): (style: Style, text: string) => string {
  // We decide about colour (colorEnabled); styleText must not second-guess it by looking at
  // process.stdout, which is not the stream being written to in tests and the REPL.
  return enabled ? (style, text) => styleText(style, text, { validateStream: false }) : (_style, text) => text;
}

/** Colour text only for a terminal, and never when NO_COLOR is set. */
export function painter(stream: { readonly isTTY?: boolean }, env: CliIo["env"]): (style: Style, text: string) => string {
  return colorizer(colorEnabled(stream, env));
}

// C0 controls but the line feed, DEL, C1 controls, and the bidirectional overrides and isolates that
// can make a line read differently from what it holds.
export const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Make text safe to print on a terminal: every control character (but the line feed) and every
 * bidirectional control becomes a visible `\u001b`-style escape, so text from a server or a data
 * file cannot clear the screen, retitle the window, move the cursor or fake output. The escapes are
 * JSON's own, so JSON text stays valid JSON with the same value.
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Escape a message on one line: line feeds too (for errors that must stay one line). */
export function escapeLine(text: string): string {
  return escapeControls(text).replace(/\n/g, "\\n");
}

/** Read all of standard input as text, never more than `maxBytes`; a byte-order mark is skipped. */
export async function readAll(stream: NodeJS.ReadableStream, maxBytes = 16 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    total += buffer.length;
    if (total > maxBytes) throw new CliError(`standard input is larger than ${maxBytes} bytes`, 1);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks, total).toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A URL given on the command line, which must be http or https: a one-line error otherwise. */
export function httpUrl(given: string): URL {
  if (!/^https?:\/\//i.test(given)) throw new CliError(`"${given}" is not an http(s) URL`);
  try {
    return new URL(given);
  } catch {
    throw new CliError(`"${given}" is not a valid URL`);
  }
}
