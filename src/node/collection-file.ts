import { readFileSync } from "node:fs";

/**
 * Read the resources of a JSON file holding an array or `{ "result": [...] }` (a saved query
 * response), for the mock server and the command line.
 *
 * @throws TypeError saying what is wrong with the file: missing, not JSON, or of another shape.
 */
export function readCollectionFile(path: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new TypeError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new TypeError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (Array.isArray(data)) return data;
  const result = (data as { result?: unknown } | null)?.result;
  if (Array.isArray(result)) return result;
  throw new TypeError(`${path} holds neither an array of resources nor { "result": [...] }`);
}
