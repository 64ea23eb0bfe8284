import { describe, expect, it } from "vitest";
import { readBodyText } from "../src/client/body.js";
import { ClientGate } from "../src/client/gate.js";
import { CrestError, queryPage, type QueryClientOptions, type RetryInfo } from "../src/index.js";
import { readCappedBytes } from "../src/query/stream.js";
import { caught, caughtAsync } from "./helpers/errors.js";

// Tests written to kill the mutants Stryker found alive in src/client (and the shared byte reader).

/** A stream of the given chunks that records whether it was cancelled. */
function chunked(chunks: readonly Uint8Array[]): { stream: ReadableStream<Uint8Array>; cancelled: () => boolean; pulled: () => number } {
  let cancelled = false;
  let at = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at < chunks.length) controller.enqueue(chunks[at++] as Uint8Array);
      else controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, cancelled: () => cancelled, pulled: () => at };
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("reading capped bodies", () => {
  it("joins chunks in order, up to and including the cap, and stops just past it", async () => {
    const parts = ["ab", "", "cdé", "f"].map(bytes);
    const total = parts.reduce((n, p) => n + p.byteLength, 0);
    expect(new TextDecoder().decode(await readCappedBytes(chunked(parts).stream, total))).toBe("abcdéf");
    const over = chunked(parts);
    expect(await readCappedBytes(over.stream, total - 1)).toBeUndefined();
    expect(over.cancelled()).toBe(true);
    expect(await readCappedBytes(null, 0)).toEqual(new Uint8Array(0));
    const one = bytes("xyz");
    expect(await readCappedBytes(chunked([one]).stream, 3)).toEqual(one);
    // An endless stream stops at the cap.
    let served = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        served++;
        controller.enqueue(new Uint8Array(1000));
      },
    });
    expect(await readCappedBytes(endless, 10_000)).toBeUndefined();
    expect(served).toBeLessThan(20);
  });

  it("splits no character across chunks, and says too large past the cap", async () => {
    const euro = bytes("€");
    const parts = [euro.slice(0, 1), euro.slice(1), bytes("!")];
    expect(await readBodyText(new Response(chunked(parts).stream), 4)).toEqual({ text: "€!" });
    expect(await readBodyText(new Response(chunked(parts).stream), 3)).toEqual({ tooLarge: true });
    expect(await readBodyText(new Response(null), 0)).toEqual({ text: "" });
  });

  it("trusts a declared length only when nothing decodes the body", async () => {
    const declared = chunked([bytes("12345")]);
    expect(await readBodyText(new Response(declared.stream, { headers: { "content-length": "5" } }), 4)).toEqual({ tooLarge: true });
    expect(declared.pulled()).toBe(0);
    expect(declared.cancelled()).toBe(true);
    expect(await readBodyText(new Response(chunked([bytes("12345")]).stream, { headers: { "content-length": "5" } }), 5)).toEqual({ text: "12345" });
    // Encoded: the declared length is of the encoded bytes; what counts is what was handed over.
    expect(await readBodyText(new Response(chunked([bytes("123")]).stream, { headers: { "content-length": "500", "content-encoding": "gzip" } }), 4)).toEqual({ text: "123" });
    // A declared length that lies low does not lift the cap.
    expect(await readBodyText(new Response(chunked([bytes("123456")]).stream, { headers: { "content-length": "2" } }), 4)).toEqual({ tooLarge: true });
  });
});

// A gate on a fake clock: sleeping moves the clock, and each wait is recorded.
function fakeGate(options: { concurrency?: number; requestsPerSecond?: number }) {
  let now = 0;
  const sleeps: number[] = [];
  const sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    sleeps.push(ms);
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    // The clock moves on a later task, after whatever was let in has run.
    return new Promise((resolve) =>
      setTimeout(() => {
        now += ms;
        resolve();
      }, 0),
    );
  };
  const gate = new ClientGate(options, () => now, sleep);
  return { gate, sleeps, time: () => now, advance: (ms: number) => (now += ms) };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe("the client gate", () => {
  it("refuses limits that are not whole numbers of at least 1, as a usage error naming them", () => {
    for (const [name, value] of [
      ["concurrency", 0],
      ["concurrency", 1.5],
      ["requestsPerSecond", Number.NaN],
      ["requestsPerSecond", -1],
    ] as const) {
      const e = caught(CrestError, () => new ClientGate({ [name]: value }, () => 0, async () => undefined));
      expect(e.code).toBe(0);
      expect(e.reason).toBe("Invalid Request");
      expect(e.message).toBe(`${name} must be a whole number of at least 1, not ${String(value)}`);
    }
    const gate = new ClientGate({}, () => 0, async () => undefined);
    expect([gate.concurrency, gate.requestsPerSecond, gate.currentRate]).toEqual([4, 10, 10]);
    expect(new ClientGate({ concurrency: 1, requestsPerSecond: 1 }, () => 0, async () => undefined).concurrency).toBe(1);
  });

  it("starts no more than the rate in any second: start i waits for start i - rate plus one second", async () => {
    for (const rate of [1, 2, 3, 5]) {
      const { gate, time } = fakeGate({ concurrency: 100, requestsPerSecond: rate });
      const starts: number[] = [];
      const all = Array.from({ length: 4 * rate + 1 }, () => gate.enter().then(() => starts.push(time())));
      await Promise.all(all);
      const model: number[] = [];
      for (let i = 0; i < all.length; i++) model.push(i < rate ? 0 : (model[i - rate] as number) + 1000);
      expect(starts).toEqual(model);
    }
  });

  it("lets at most `concurrency` in at once, first come first served", async () => {
    const { gate } = fakeGate({ concurrency: 2, requestsPerSecond: 100 });
    const order: number[] = [];
    const entered = [0, 1, 2, 3].map((i) => gate.enter().then(() => order.push(i)));
    await flush();
    expect(order).toEqual([0, 1]);
    gate.leave();
    await flush();
    expect(order).toEqual([0, 1, 2]);
    gate.leave();
    gate.leave();
    await Promise.all(entered);
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it("after slowDown, nobody starts before the wait is over, the rate halves (not below 1) and climbs back one per rate answers", async () => {
    const { gate, time, sleeps } = fakeGate({ concurrency: 10, requestsPerSecond: 8 });
    await gate.enter();
    gate.leave();
    gate.slowDown(1500);
    expect(gate.currentRate).toBe(4);
    await gate.enter();
    expect(time()).toBe(1500);
    expect(sleeps).toEqual([1500]);
    gate.leave();
    gate.slowDown(-50); // a negative wait is no wait
    expect(gate.currentRate).toBe(2);
    gate.slowDown(0);
    expect(gate.currentRate).toBe(1);
    gate.slowDown(0);
    expect(gate.currentRate).toBe(1);
    // Climb back: one step after `rate` answers in a row, up to requestsPerSecond.
    const rates: number[] = [];
    for (let i = 0; i < 40; i++) {
      gate.answered();
      rates.push(gate.currentRate);
    }
    const model: number[] = [];
    let rate = 1;
    let inARow = 0;
    for (let i = 0; i < 40; i++) {
      if (rate < 8 && ++inARow >= rate) {
        rate++;
        inARow = 0;
      }
      model.push(rate);
    }
    expect(rates).toEqual(model);
    // A slow-down resets the run of answers.
    gate.slowDown(0); // 8 -> 4
    gate.answered();
    gate.answered();
    gate.answered();
    gate.slowDown(0); // 4 -> 2
    gate.answered();
    expect(gate.currentRate).toBe(2);
    gate.answered();
    expect(gate.currentRate).toBe(3);
  });

  it("a pause from slowDown never shortens: the later end wins", async () => {
    const { gate, time } = fakeGate({ concurrency: 10, requestsPerSecond: 100 });
    gate.slowDown(3000);
    gate.slowDown(1000);
    await gate.enter();
    expect(time()).toBe(3000);
    const odd = fakeGate({ requestsPerSecond: 5 }).gate;
    odd.slowDown(0);
    expect(odd.currentRate).toBe(2);
    odd.slowDown(0);
    expect(odd.currentRate).toBe(1);
  });

  it("rejects with the signal's reason, before or while waiting, and forgets the waiter", async () => {
    const { gate } = fakeGate({ concurrency: 1, requestsPerSecond: 100 });
    const aborted = AbortSignal.abort("gone");
    await expect(gate.enter(aborted)).rejects.toBe("gone");
    await gate.enter();
    const controller = new AbortController();
    const waiting = gate.enter(controller.signal);
    const after: string[] = [];
    const next = gate.enter().then(() => after.push("next"));
    controller.abort("stop");
    await expect(waiting).rejects.toBe("stop");
    gate.leave();
    await next;
    expect(after).toEqual(["next"]);
    // The aborted waiter took no place: one more may still enter after `next` leaves.
    gate.leave();
    await gate.enter();
  });

  it("wakes its pump when the last waiter leaves, so a later request is not held up", async () => {
    let now = 0;
    const pending: Array<{ ms: number; signal?: AbortSignal }> = [];
    const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
      new Promise((resolve, reject) => {
        pending.push({ ms, signal });
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
        void resolve;
      });
    const gate = new ClientGate({ concurrency: 5, requestsPerSecond: 1 }, () => now, sleep);
    await gate.enter();
    const controller = new AbortController();
    const waiting = gate.enter(controller.signal);
    await flush();
    expect(pending.map((p) => p.ms)).toEqual([1000]);
    controller.abort("bye");
    await expect(waiting).rejects.toBe("bye");
    expect(pending[0]?.signal?.aborted).toBe(true);
    // The window has passed: the next request starts without sleeping.
    now = 1000;
    await gate.enter();
    expect(pending).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Requests, through queryPage with a scripted fetch: retries and their delays, Retry-After,
// redirects, bodies, credentials and the messages of failures.

// A fresh Response per call (a cloned one would wait for its twin when cancelled).
type Reply = Error | (() => Response);
const PAGE = { result: [], resultCount: 0, pagedResultsCookie: null, totalPagedResultsPolicy: "NONE", totalPagedResults: -1, remainingPagedResults: -1 };
const json = (status: number, body: unknown, headers: Record<string, string> = {}): (() => Response) => () =>
  new Response(body === undefined ? null : typeof body === "string" ? body : JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

function scripted(replies: readonly Reply[]) {
  const calls: Array<{ url: string; method: string; headers: Record<string, string> }> = [];
  let i = 0;
  const fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = String(input);
    calls.push({ url, method: init.method ?? "GET", headers: { ...(init.headers as Record<string, string>) } });
    const reply = replies[Math.min(i++, replies.length - 1)] as Reply;
    if (reply instanceof Error) throw reply;
    return reply();
  }) as typeof globalThis.fetch;
  const delays: number[] = [];
  const sleep = async (ms: number) => void delays.push(ms);
  return { fetch, calls, delays, sleep };
}

const BASE = "https://idm.example.com/openidm/managed/user";
const pageFailure = (url: string, options: QueryClientOptions & { cookie?: string }): Promise<CrestError> => caughtAsync(CrestError, () => queryPage(url, options));

describe("request options are checked", () => {
  it.each<[QueryClientOptions, string]>([
    [{ retry: { retries: -1 } }, "retry.retries must be a number of at least 0, not -1"],
    [{ retry: { minDelayMs: Number.NaN } }, "retry.minDelayMs must be a number of at least 0, not NaN"],
    [{ retry: { maxDelayMs: -5 } }, "retry.maxDelayMs must be a number of at least 0, not -5"],
    [{ retry: { maxRetryAfterMs: -1 } }, "retry.maxRetryAfterMs must be a number of at least 0, not -1"],
    [{ timeoutMs: 0 }, "timeoutMs must be a number of at least 1, not 0"],
    [{ maxRedirects: -1 }, "maxRedirects must be a number of at least 0, not -1"],
    [{ maxBodyBytes: 0 }, "maxBodyBytes must be a number of at least 1, not 0"],
    [{ maxErrorBodyBytes: 0.5 }, "maxErrorBodyBytes must be a number of at least 1, not 0.5"],
    [{ redirects: "sometimes" as "follow" }, 'redirects must be "same-origin", "follow" or "error", not "sometimes"'],
    [{ headers: { "X-A": "1", "x-a": "2" } }, "the header X-A is given twice (as X-A and x-a); header names are case-insensitive"],
    [{ headers: { "X-A": 1 as unknown as string } }, "the header X-A has a value that is not a string"],
    [{ token: "" }, "the token is empty or not a string"],
  ])("refuses %j", async (options, message) => {
    const { fetch, calls } = scripted([json(200, PAGE)]);
    const e = await pageFailure(BASE, { ...options, fetch });
    expect([e.code, e.reason, e.message]).toEqual([0, "Invalid Request", message]);
    expect(calls).toHaveLength(0);
  });

  it("accepts the smallest allowed values", async () => {
    const { fetch, calls } = scripted([json(200, PAGE)]);
    await queryPage(BASE, { fetch, retry: { retries: 0, minDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 0 }, timeoutMs: 1000, maxRedirects: 0, maxBodyBytes: 1000, maxErrorBodyBytes: 1 });
    expect(calls).toHaveLength(1);
  });
});

describe("retries", () => {
  it("back off exponentially up to maxDelayMs, without jitter exactly, with jitter between half and all", async () => {
    const plain = scripted([json(503, {})]);
    const e = await pageFailure(BASE, { fetch: plain.fetch, sleep: plain.sleep, retry: { retries: 4, minDelayMs: 100, maxDelayMs: 500, jitter: false } });
    expect(plain.delays).toEqual([100, 200, 400, 500]);
    expect(plain.calls).toHaveLength(5);
    expect(e.code).toBe(503);
    expect(e.message).toMatch(/^GET https:\/\/idm\.example\.com\/openidm\/managed\/user\?\S* failed \(after 5 attempts\): 503$/);
    for (const [r, expected] of [
      [0, [50, 100, 200, 250]],
      [0.5, [75, 150, 300, 375]],
    ] as const) {
      const jittered = scripted([json(503, {})]);
      await pageFailure(BASE, { fetch: jittered.fetch, sleep: jittered.sleep, random: () => r, retry: { retries: 4, minDelayMs: 100, maxDelayMs: 500 } });
      expect(jittered.delays).toEqual(expected);
    }
    const defaults = scripted([json(502, {})]);
    await pageFailure(BASE, { fetch: defaults.fetch, sleep: defaults.sleep, retry: { jitter: false } });
    expect(defaults.delays).toEqual([250, 500, 1000]);
  });

  it("retry 429, 502, 503, 504 and network errors only; tell onRetry why", async () => {
    for (const status of [429, 502, 503, 504]) {
      const s = scripted([json(status, {}), json(200, PAGE)]);
      await queryPage(BASE, { fetch: s.fetch, sleep: s.sleep });
      expect(s.calls).toHaveLength(2);
    }
    for (const status of [400, 401, 404, 500, 501]) {
      const s = scripted([json(status, { code: status, reason: "R", message: `m${status}` }), json(200, PAGE)]);
      const e = await pageFailure(BASE, { fetch: s.fetch, sleep: s.sleep });
      expect(s.calls).toHaveLength(1);
      expect(e.code).toBe(status);
      expect(e.reason).toBe("R");
      expect(e.message).toMatch(new RegExp(`^GET \\S+ failed: m${status}$`));
    }
    const infos: RetryInfo[] = [];
    const s = scripted([new TypeError("fetch failed", { cause: new Error("ECONNREFUSED") }), json(503, {}, { "retry-after": "1" }), json(200, PAGE)]);
    await queryPage(`${BASE}#frag`, { fetch: s.fetch, sleep: s.sleep, onRetry: (info) => infos.push(info), retry: { jitter: false } });
    expect(infos.map(({ attempt, delayMs, status, reason }) => ({ attempt, delayMs, status, reason }))).toEqual([
      { attempt: 1, delayMs: 250, status: 0, reason: "fetch failed: ECONNREFUSED" },
      { attempt: 2, delayMs: 1000, status: 503, reason: "503" },
    ]);
    expect(infos[0]?.url).not.toContain("#");
  });

  it("say what a network failure was, or 'network error' when nothing says", async () => {
    const s = scripted([new Error("")]);
    const e = await pageFailure(BASE, { fetch: s.fetch, sleep: s.sleep, retry: { retries: 1 } });
    expect(e.code).toBe(0);
    expect(e.reason).toBe("Network Error");
    expect(e.message).toMatch(/ failed \(after 2 attempts\): network error$/);
    const once = scripted([new Error("boom")]);
    const single = await pageFailure(BASE, { fetch: once.fetch, retry: { retries: 0 } });
    expect(single.message).toMatch(/^GET \S+ failed: boom$/);
  });

  it("honour Retry-After in seconds or as a date, and refuse to wait longer than maxRetryAfterMs", async () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    for (const [value, expected] of [
      ["3", 3000],
      [" 2 ", 2000],
      ["Thu, 01 Jan 2026 00:00:05 GMT", 5000],
      ["Wed, 31 Dec 2025 23:59:00 GMT", 0],
      ["soon", 250],
    ] as const) {
      const s = scripted([json(429, {}, { "retry-after": value }), json(200, PAGE)]);
      await queryPage(BASE, { fetch: s.fetch, sleep: s.sleep, now: () => now, retry: { jitter: false, maxDelayMs: 1000 } });
      expect(s.delays).toEqual([expected]);
    }
    const s = scripted([json(503, {}, { "retry-after": "121" })]);
    const e = await pageFailure(BASE, { fetch: s.fetch, sleep: s.sleep });
    expect(s.calls).toHaveLength(1);
    expect(e.message).toMatch(/ failed: 503; the server asks to wait 121 s \(Retry-After: 121\), longer than retry\.maxRetryAfterMs \(120000 ms\); not retrying$/);
    const exactly = scripted([json(503, {}, { "retry-after": "120" }), json(200, PAGE)]);
    await queryPage(BASE, { fetch: exactly.fetch, sleep: exactly.sleep });
    expect(exactly.delays).toEqual([120_000]);
  });
});

describe("redirects", () => {
  const to = (location: string, status = 302) => () => new Response(null, { status, headers: { location } });

  it("follow the same origin, refuse others by default, all under 'error', and count hops", async () => {
    const same = scripted([to("/openidm/managed/user2?_queryFilter=true"), json(200, PAGE)]);
    const page = await queryPage(BASE, { fetch: same.fetch });
    expect(same.calls.map((c) => c.url)).toEqual([expect.stringMatching(/^https:\/\/idm\.example\.com\/openidm\/managed\/user\?/), "https://idm.example.com/openidm/managed/user2?_queryFilter=true"]);
    expect(page).toMatchObject({ resultCount: 0 });

    const other = scripted([to("https://evil.example.net/x")]);
    const e = await pageFailure(BASE, { fetch: other.fetch });
    expect([e.code, e.reason]).toEqual([0, "Redirect Refused"]);
    expect(e.message).toMatch(/: redirected to another origin \(https:\/\/evil\.example\.net\), which is not followed unless redirects is "follow" \(credentials are never sent there\)$/);
    expect(other.calls).toHaveLength(1);

    const none = scripted([to("/y")]);
    expect((await pageFailure(BASE, { fetch: none.fetch, redirects: "error" })).message).toMatch(/: redirected to https:\/\/idm\.example\.com\/y; redirects are not followed \(redirects: "error"\)$/);
    const scheme = scripted([to("ftp://idm.example.com/x")]);
    expect((await pageFailure(BASE, { fetch: scheme.fetch })).message).toMatch(/: redirected to a ftp: URL, which is not followed$/);
    const broken = scripted([to("http://[::1")]);
    expect((await pageFailure(BASE, { fetch: broken.fetch })).message).toMatch(/: redirected to a location that is not a URL$/);

    const loop = scripted([to("/a")]);
    const tooMany = await pageFailure(BASE, { fetch: loop.fetch, maxRedirects: 2 });
    expect(tooMany.message).toMatch(/: more than 2 redirects \(maxRedirects\)$/);
    expect(loop.calls).toHaveLength(3);
    const zero = scripted([to("/a"), json(200, PAGE)]);
    await pageFailure(BASE, { fetch: zero.fetch, maxRedirects: 0 });
    expect(zero.calls).toHaveLength(1);
  });

  it("under 'follow', go to another origin without any credential, and drop the fragment and user info of the location", async () => {
    const s = scripted([to("https://u:p@other.example.org/z#f", 307), json(200, PAGE)]);
    await queryPage("https://me:secret@idm.example.com/c", { fetch: s.fetch, redirects: "follow", headers: { "X-OpenIDM-Password": "pw12", "X-Trace": "t", "X-My-Key": "k" }, secretHeaders: ["X-My-Key"] });
    const [first, second] = s.calls;
    expect(first?.headers).toMatchObject({ authorization: `Basic ${btoa("me:secret")}`, "x-openidm-password": "pw12", "x-trace": "t", "x-my-key": "k" });
    expect(second?.url).toBe("https://other.example.org/z");
    expect(second?.headers).toEqual({ accept: "application/json", "x-trace": "t" });
  });

  it("ignore a 3xx without Location and other statuses with one", async () => {
    const s = scripted([() => new Response(JSON.stringify({ message: "moved" }), { status: 301 })]);
    const e = await pageFailure(BASE, { fetch: s.fetch });
    expect(e.code).toBe(301);
    const notRedirect = scripted([() => new Response(JSON.stringify(PAGE), { status: 200, headers: { location: "/elsewhere" } })]);
    await queryPage(BASE, { fetch: notRedirect.fetch });
    expect(notRedirect.calls).toHaveLength(1);
  });
});

describe("bodies and credentials in failures", () => {
  it("refuse a successful body that is not JSON or too long, without retrying", async () => {
    const s = scripted([json(200, "{nope")]);
    const e = await pageFailure(BASE, { fetch: s.fetch, sleep: s.sleep });
    expect([e.code, e.reason]).toEqual([0, "Invalid response"]);
    expect(e.message).toMatch(/: the response body is not valid JSON \(.+\)$/);
    expect(s.calls).toHaveLength(1);
    const big = scripted([json(200, PAGE)]);
    const tooBig = await pageFailure(BASE, { fetch: big.fetch, sleep: big.sleep, maxBodyBytes: 10 });
    expect([tooBig.code, tooBig.reason]).toEqual([0, "Response Too Large"]);
    expect(tooBig.message).toMatch(/: the response body is larger than maxBodyBytes \(10 bytes\); stopped reading it$/);
    expect(big.calls).toHaveLength(1);
  });

  it("keep an error's status when its body is not JSON, empty or too long", async () => {
    const text = scripted([() => new Response("<html>oops</html>", { status: 404, statusText: "Not Found" })]);
    const e = await pageFailure(BASE, { fetch: text.fetch });
    expect([e.code, e.message.endsWith("failed: 404 Not Found")]).toEqual([404, true]);
    const long = scripted([json(400, { message: "x".repeat(100) })]);
    const dropped = await pageFailure(BASE, { fetch: long.fetch, maxErrorBodyBytes: 50 });
    expect(dropped.message).toMatch(/failed: 400 \(the error body, longer than 50 bytes, was not read\)$/);
    const empty = scripted([() => new Response(null, { status: 409 })]);
    expect((await pageFailure(BASE, { fetch: empty.fetch })).message).toMatch(/failed: 409$/);
  });

  it("give the server's detail and body, with every credential the caller gave redacted", async () => {
    const token = "tok-123456";
    const s = scripted([json(403, { code: 403, reason: `no ${token}`, message: `token ${token} refused`, detail: { t: token } })]);
    const e = await pageFailure("https://idm.example.com/c", { fetch: s.fetch, token, headers: { "X-Api-Key": "abc" } });
    expect(e.message).toBe("GET https://idm.example.com/c?_queryFilter=true&_pageSize=100 failed: token [redacted] refused");
    expect(e.reason).toBe("no [redacted]");
    expect(JSON.stringify(e.toJSON())).not.toContain(token);
    expect(e.detail).toEqual({ t: "[redacted]" });
    expect(s.calls[0]?.headers.authorization).toBe(`Bearer ${token}`);
    // Secrets shorter than four characters are not searched for (they would mangle every message).
    const short = scripted([json(400, { message: "abc def" })]);
    const e2 = await pageFailure("https://idm.example.com/c", { fetch: short.fetch, headers: { "X-Api-Key": "abc" } });
    expect(e2.message).toMatch(/failed: abc def$/);
  });

  it("send a URL's user name and password as Basic credentials, decoded, never as part of a URL", async () => {
    const s = scripted([json(500, { message: "down" })]);
    const e = await pageFailure("https://us%20er:p%C3%A4ss@idm.example.com/c#x", { fetch: s.fetch });
    expect(s.calls[0]?.url).toBe("https://idm.example.com/c?_queryFilter=true&_pageSize=100");
    const expected = btoa(String.fromCharCode(...new TextEncoder().encode("us er:päss")));
    expect(s.calls[0]?.headers.authorization).toBe(`Basic ${expected}`);
    expect(e.message).not.toContain("päss");
    // A caller's own Authorization header wins over the URL's credentials.
    const own = scripted([json(200, PAGE)]);
    await queryPage("https://u:p@idm.example.com/c", { fetch: own.fetch, headers: { Authorization: "Custom x" } });
    expect(own.calls[0]?.headers.authorization).toBe("Custom x");
  });
});
