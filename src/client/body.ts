import { readCappedBytes } from "../query/stream.js";

/** What reading a body gave: its text, or the news that it is longer than the cap. */
export type BodyText = { readonly text: string; readonly tooLarge?: undefined } | { readonly text?: undefined; readonly tooLarge: true };

const decoder = new TextDecoder();
const TOO_LARGE: BodyText = { tooLarge: true };

/**
 * Read a response body as UTF-8 text, at most `limit` bytes of it. The bytes counted are the ones
 * `fetch` hands over, after it undid any `Content-Encoding`: a small gzip body that inflates past
 * the cap stops at the cap. Past the cap the stream is cancelled, which closes the connection.
 */
export async function readBodyText(response: Response, limit: number): Promise<BodyText> {
  const declared = response.headers.get("content-length");
  // A declared length is of the encoded body; it can only prove a body too long when nothing decodes it.
  if (declared !== null && Number(declared) > limit && response.headers.get("content-encoding") === null) {
    await cancel(response.body);
    return TOO_LARGE;
  }
  const bytes = await readCappedBytes(response.body, limit);
  return bytes === undefined ? TOO_LARGE : { text: decoder.decode(bytes) };
}

/** Throw away a body nobody will read, so that the connection is freed. */
export async function cancel(body: ReadableStream<Uint8Array> | null): Promise<void> {
  await body?.cancel().catch(() => undefined);
}
