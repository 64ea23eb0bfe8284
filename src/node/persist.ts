import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import { CrestError } from "../query/crest-error.js";

/**
 * The collections saved in a persistence file (`{ "collections": { "managed/user": [...] } }`), or
 * `undefined` when the file does not exist yet.
 *
 * @throws TypeError naming the file when it cannot be read or has another shape.
 */
export function readPersistFile(path: string): Record<string, unknown[]> | undefined {
  if (!existsSync(path)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new TypeError(`cannot read the persistence file ${path}: ${(error as Error).message}`);
  }
  const collections = (data as { collections?: unknown } | null)?.collections;
  if (typeof collections !== "object" || collections === null || Array.isArray(collections)) {
    throw new TypeError(`the persistence file ${path} holds no { "collections": { name: [...] } }`);
  }
  const out: Record<string, unknown[]> = {};
  for (const [name, resources] of Object.entries(collections)) {
    if (!Array.isArray(resources)) throw new TypeError(`the persistence file ${path}: collection '${name}' is not an array`);
    Object.defineProperty(out, name, { value: resources, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Writes a snapshot to a file after changes, atomically: the text goes to a temporary file in the
 * same folder, is flushed to disk, then renamed over the file, so a crash leaves the old or the new
 * file, never a torn one. Writes are serialized; changes made while one runs are saved by the next.
 */
export class Persister {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private counter = 0;

  constructor(
    private readonly path: string,
    private readonly snapshot: () => string,
  ) {}

  /** Save the current state; resolves once a write that started after this call has finished. */
  save(): Promise<void> {
    if (this.queued !== undefined) return this.queued;
    if (this.running === undefined) {
      this.running = this.write().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.queued = this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.save();
      });
    return this.queued;
  }

  private async write(): Promise<void> {
    const text = this.snapshot();
    const temp = `${this.path}.${process.pid}.${++this.counter}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      const file = await open(temp, "wx");
      try {
        await file.writeFile(text, "utf8");
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, this.path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw new CrestError(500, `The change was made but could not be saved: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
}
