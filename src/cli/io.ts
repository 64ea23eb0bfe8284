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

/** Read all of standard input as text. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
