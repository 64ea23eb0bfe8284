/**
 * Read a byte stream to its end, keeping at most `limit` bytes: the bytes, or `undefined` when the
 * stream holds more (it is then cancelled, which frees the connection behind it). Memory never
 * exceeds the cap, however long or endless the stream. Shared by the client (response bodies) and
 * the server (request bodies).
 */
export async function readCappedBytes(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array | undefined> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const all = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return all;
}
