import { describe, expect, it } from "vitest";
import { readBodyText } from "../src/client/body.js";
import { ClientGate } from "../src/client/gate.js";
import { CrestError } from "../src/index.js";
import { readCappedBytes } from "../src/query/stream.js";
import { caught } from "./helpers/errors.js";

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
