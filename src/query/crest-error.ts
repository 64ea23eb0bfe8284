import { brandClass } from "../language/brand.js";
const REASONS: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Request Entity Too Large",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Supported",
  502: "Bad Gateway",
  503: "Unavailable",
  504: "Gateway Timeout",
};

/**
 * The JSON body of a CREST error response.
 *
 * @example
 * ```ts
 * import type { CrestErrorBody } from "crest-query";
 * const body: CrestErrorBody = { code: 404, reason: "Not Found", message: "Resource 'x' not found" };
 * ```
 */
export interface CrestErrorBody {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
  readonly detail?: unknown;
}

/**
 * Options of {@link CrestError}.
 *
 * @example
 * ```ts
 * import { CrestError } from "crest-query";
 * new CrestError(503, "Try later", { detail: { retryAfter: 2 }, url: "https://idm.example.com/openidm/managed/user" });
 * ```
 */
export interface CrestErrorOptions {
  /** The reason phrase; defaults to the standard one for the code. */
  readonly reason?: string;
  /** Extra information, sent as `detail` in the body. */
  readonly detail?: unknown;
  /** The URL of the request that failed (without credentials). */
  readonly url?: string;
  readonly cause?: unknown;
  /** The error body the server answered with, when it sent a JSON object (credentials redacted). */
  readonly body?: Readonly<Record<string, unknown>>;
}

/**
 * A CREST error: an HTTP status `code`, its `reason`, a `message` and an optional `detail`. The query
 * engine and the mock server throw it for bad requests (400 naming the parameter); the request
 * helper throws it for failed responses, with the server's body. `toJSON()` gives the CREST error
 * body.
 *
 * @example
 * ```ts
 * import { CrestError } from "crest-query";
 * const error = CrestError.badRequest("Invalid _pageSize: '-1' is not a non-negative integer");
 * JSON.stringify(error); // '{"code":400,"reason":"Bad Request","message":"Invalid _pageSize: ..."}'
 * ```
 */
export class CrestError extends Error {
  override readonly name = "CrestError";
  /** The HTTP status code. */
  readonly code: number;
  readonly reason: string;
  readonly detail: unknown;
  readonly url: string | undefined;
  /**
   * The server's error body as it answered (`{ code, reason, message, detail }` from a CREST
   * server), when the error came from a response with a JSON object body; credentials are redacted.
   */
  readonly body: Readonly<Record<string, unknown>> | undefined;

  constructor(code: number, message: string, options: CrestErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.reason = options.reason ?? REASONS[code] ?? (code >= 500 ? "Internal Server Error" : "Bad Request");
    this.detail = options.detail;
    this.url = options.url;
    this.body = options.body;
  }

  /** The HTTP status: the same as `code`. */
  get status(): number {
    return this.code;
  }

  /** A 400 Bad Request. */
  static badRequest(message: string, detail?: unknown): CrestError {
    return new CrestError(400, message, detail === undefined ? {} : { detail });
  }

  /** A 404 Not Found. */
  static notFound(message: string): CrestError {
    return new CrestError(404, message);
  }

  /** The CREST error body. */
  toJSON(): CrestErrorBody {
    const body: { code: number; reason: string; message: string; detail?: unknown } = { code: this.code, reason: this.reason, message: this.message };
    if (this.detail !== undefined) body.detail = this.detail;
    return body;
  }
}

/** The standard reason phrase of an HTTP status, as CREST writes it. */
export function reasonPhrase(code: number): string {
  return REASONS[code] ?? (code >= 500 ? "Internal Server Error" : "Error");
}

brandClass(CrestError, "CrestError");
