import { CrestError } from "../query/crest-error.js";
import type { RequestGate } from "./request.js";

/**
 * How much of a tenant one client may use: requests at once, requests per second, and how the
 * client slows down when the server says it is overloaded.
 *
 * @example
 * ```ts
 * import type { RateLimitOptions } from "crest-query";
 * const limits: RateLimitOptions = { concurrency: 8, requestsPerSecond: 25 };
 * ```
 */
export interface RateLimitOptions {
  /** Requests in flight at once, across every call of the client (default 4). */
  readonly concurrency?: number;
  /**
   * Requests started in any one-second window, across every call of the client, retries included
   * (default 10). A 429 or 503 halves it for a while; it climbs back one step per answer that is
   * not one.
   */
  readonly requestsPerSecond?: number;
}

/** The defaults: what a shared tenant tolerates from one script. */
export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_REQUESTS_PER_SECOND = 10;
const WINDOW_MS = 1000;

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

function whole(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new CrestError(0, `${name} must be a whole number of at least 1, not ${String(value)}`, { reason: "Invalid Request" });
  return value;
}

/**
 * The gate of one client: first come, first served; at most `concurrency` attempts in flight; at
 * most `rate` attempts started in any window of one second (a sliding window over the start times,
 * so that no second, wherever it begins, holds more); and after a 429 or 503 nobody starts before
 * the server's wait is over.
 */
export class ClientGate implements RequestGate {
  readonly concurrency: number;
  readonly requestsPerSecond: number;
  /** The rate allowed now: `requestsPerSecond`, or less after the server asked to slow down. */
  private rate: number;
  private active = 0;
  /** Start times, oldest first; only the latest `requestsPerSecond` matter. */
  private readonly starts: number[] = [];
  private readonly queue: Waiter[] = [];
  private pausedUntil = Number.NEGATIVE_INFINITY;
  private answeredInARow = 0;
  private pumping = false;
  /** Cancels the pump's wait when nobody is left to wait for. */
  private idle: AbortController | undefined;

  constructor(
    options: RateLimitOptions,
    private readonly now: () => number,
    private readonly sleep: Sleep,
  ) {
    this.concurrency = whole("concurrency", options.concurrency, DEFAULT_CONCURRENCY);
    this.requestsPerSecond = whole("requestsPerSecond", options.requestsPerSecond, DEFAULT_REQUESTS_PER_SECOND);
    this.rate = this.requestsPerSecond;
  }

  /** The rate allowed now (for progress reports and tests). */
  get currentRate(): number {
    return this.rate;
  }

  enter(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = this.queue.indexOf(waiter);
          if (at >= 0) this.queue.splice(at, 1);
          if (this.queue.length === 0) this.idle?.abort();
          reject(signal?.reason);
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.queue.push(waiter);
      void this.pump();
    });
  }

  leave(): void {
    this.active--;
    void this.pump();
  }

  slowDown(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + Math.max(0, ms));
    this.rate = Math.max(1, Math.floor(this.rate / 2));
    this.answeredInARow = 0;
  }

  answered(): void {
    if (this.rate >= this.requestsPerSecond) return;
    // Climb back slowly: one more request per second after a window's worth of good answers.
    if (++this.answeredInARow >= this.rate) {
      this.rate++;
      this.answeredInARow = 0;
    }
  }

  /** How long the next start must wait (0: it may start now). */
  private waitMs(now: number): number {
    let until = this.pausedUntil;
    if (this.starts.length >= this.rate) until = Math.max(until, (this.starts[this.starts.length - this.rate] as number) + WINDOW_MS);
    return Math.max(0, until - now);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && this.active < this.concurrency) {
        const wait = this.waitMs(this.now());
        if (wait > 0) {
          this.idle = new AbortController();
          try {
            await this.sleep(wait, this.idle.signal);
          } catch {
            // Woken early: everyone left; the loop looks again.
          } finally {
            this.idle = undefined;
          }
          continue;
        }
        const waiter = this.queue.shift() as Waiter;
        waiter.signal?.removeEventListener("abort", waiter.onAbort);
        this.active++;
        this.starts.push(this.now());
        if (this.starts.length > 2 * this.requestsPerSecond) this.starts.splice(0, this.starts.length - this.requestsPerSecond);
        waiter.resolve();
      }
    } finally {
      this.pumping = false;
    }
  }
}
