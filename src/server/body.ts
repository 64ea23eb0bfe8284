import { CrestError } from "../query/crest-error.js";
import { readCappedBytes } from "../query/stream.js";

/**
 * Read a request's body as UTF-8 text, at most `maxBytes` bytes.
 *
 * @throws {@link CrestError} 413 for a longer body (announced or sent), 400 for bytes that are not UTF-8.
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^[0-9]+$/.test(declared) && Number(declared) > maxBytes) {
    throw new CrestError(413, `The request body is ${declared} bytes; at most ${maxBytes} are accepted`);
  }
  const bytes = await readCappedBytes(request.body, maxBytes);
  if (bytes === undefined) throw new CrestError(413, `The request body is longer than ${maxBytes} bytes`);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw CrestError.badRequest("The request body is not valid UTF-8");
  }
}
