// The CREST client end to end against the mock server with auth on: the server's token endpoint
// verifies the service account's JWT (signature, iss, sub, aud, exp, jti), not the client's code.
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { createCrestClient, CrestError, patch, serviceAccount, type CrestClientOptions, type TokenProvider } from "../src/index.js";
import { createMockServer, type Fault, type MockServer, type RecordedRequest } from "../src/node/index.js";

const ACCOUNT = "449d7e27-7889-47af-a736-83b6bbf97ec5";
const servers: MockServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

interface User {
  userName: string;
  mail?: string;
  accountStatus: string;
  loginCount: number;
  roles?: string[];
}

async function keys(): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const pair = await generateKeyPair("RS256", { extractable: true });
  return { privateJwk: await exportJWK(pair.privateKey), publicJwk: await exportJWK(pair.publicKey) };
}

function users(n: number): User[] {
  return Array.from({ length: n }, (_, i) => ({ _id: `u${String(i).padStart(5, "0")}`, userName: `user${i}`, accountStatus: i % 2 === 0 ? "active" : "inactive", loginCount: i })) as User[];
}

async function server(options: { resources?: unknown[]; publicJwk?: JWK; now?: () => number; faults?: Fault[] | ((r: RecordedRequest) => Fault | undefined); tokens?: string[] } = {}): Promise<MockServer> {
  const started = await createMockServer({
    collections: { "managed/alpha_user": options.resources ?? users(10) },
    basePath: "/openidm",
    auth: {
      ...(options.publicJwk === undefined ? {} : { serviceAccounts: { [ACCOUNT]: { publicJwk: options.publicJwk as Record<string, unknown>, scopes: ["fr:idm:*", "fr:am:*"] } } }),
      ...(options.tokens === undefined ? {} : { tokens: options.tokens }),
    },
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.faults === undefined ? {} : { faults: options.faults }),
  });
  servers.push(started);
  return started;
}

const base = (s: MockServer) => new URL("/openidm", s.url).href;
const tokenRequests = (s: MockServer) => s.requests.filter((r) => r.url === "/am/oauth2/access_token").length;

/** Every text a thrown value shows: message, cause chain, JSON. */
function shown(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    parts.push(String(e), JSON.stringify(e) ?? "", (e as Error).stack ?? "");
    if (typeof e === "object" && "body" in e) parts.push(JSON.stringify((e as { body: unknown }).body) ?? "");
    e = (e as Error).cause;
  }
  return parts.join("\n");
}

describe("createCrestClient: every verb, with a service account", () => {
  it("logs in, queries, meets a stale revision (412), re-reads, patches and deletes", async () => {
    const { privateJwk, publicJwk } = await keys();
    const s = await server({ publicJwk });
    const client = createCrestClient({ baseUrl: base(s), auth: serviceAccount({ tokenUrl: s.tokenEndpoint as string, serviceAccountId: ACCOUNT, jwk: privateJwk as Record<string, unknown>, scope: "fr:idm:*" }) });
    const alpha = client.resource<User>("managed/alpha_user");

    const active: string[] = [];
    for await (const user of alpha.query('/accountStatus eq "active"', { pageSize: 2 })) active.push(user._id);
    expect(active).toEqual(["u00000", "u00002", "u00004", "u00006", "u00008"]);

    const stale = (await alpha.read("u00002"))._rev;
    await alpha.patch("u00002", patch<User>().increment("/loginCount", 1), { rev: stale });
    const conflict = await alpha.patch("u00002", patch<User>().replace("/mail", "x@example.com"), { rev: stale }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(CrestError);
    expect((conflict as CrestError).code).toBe(412);
    expect((conflict as CrestError).body).toMatchObject({ code: 412, reason: "Precondition Failed" });
    expect((await alpha.read("u00002")).mail).toBeUndefined();

    const fresh = await alpha.read("u00002");
    const patched = await alpha.patch("u00002", patch<User>().replace("/mail", "x@example.com"), { rev: fresh._rev });
    expect(patched).toMatchObject({ _id: "u00002", mail: "x@example.com", loginCount: 3 });
    const deleted = await alpha.delete("u00002", { rev: patched._rev });
    expect(deleted._id).toBe("u00002");
    await expect(alpha.read("u00002")).rejects.toMatchObject({ code: 404 });

    // One exchange for the whole session, and every CREST request carried its token.
    expect(tokenRequests(s)).toBe(1);
    const crest = s.requests.filter((r) => r.url.startsWith("/openidm/"));
    expect(crest.every((r) => typeof r.headers.authorization === "string" && /^Bearer \S+$/.test(r.headers.authorization as string))).toBe(true);
  });

  it("creates (server id, chosen id, 412 when it exists), updates with If-Match, encodes ids, runs actions and counts", async () => {
    const s = await server({ tokens: ["t0ken-static"] });
    const client = createCrestClient({ baseUrl: base(s), token: "t0ken-static" });
    const alpha = client.resource<User>("managed/alpha_user");
    const made = await alpha.create({ userName: "new", accountStatus: "active", loginCount: 0 });
    expect(typeof made._id).toBe("string");
    const odd = "a/b c+d?é";
    const chosen = await alpha.create({ userName: "odd", accountStatus: "active", loginCount: 0 }, { id: odd });
    expect(chosen._id).toBe(odd);
    expect(s.requests.some((r) => r.method === "PUT" && r.url === "/openidm/managed/alpha_user/a%2Fb%20c%2Bd%3F%C3%A9" && r.headers["if-none-match"] === "*")).toBe(true);
    await expect(alpha.create({ userName: "again" }, { id: odd })).rejects.toMatchObject({ code: 412 });
    expect((await alpha.read(odd, { fields: ["userName"] })).userName).toBe("odd");

    const updated = await alpha.update(odd, { userName: "odder", accountStatus: "inactive", loginCount: 1 }, { rev: chosen._rev });
    expect(updated.userName).toBe("odder");
    await expect(alpha.update(odd, { userName: "lost" }, { rev: chosen._rev })).rejects.toMatchObject({ code: 412 });
    // Without a revision, an update never creates: If-Match: *.
    await expect(alpha.update("missing", { userName: "ghost" })).rejects.toMatchObject({ code: 404 });

    expect(await alpha.count('/accountStatus eq "active"')).toBe(6);
    expect(s.requests.some((r) => r.url.includes("_countOnly=true") && r.headers["accept-api-version"] === "protocol=2.2")).toBe(true);
    await expect(alpha.action("nope")).rejects.toMatchObject({ code: 501 });
    expect(await alpha.action("clear")).toEqual({ cleared: 12 });
    expect(await alpha.count()).toBe(0);
  });

  it("counts with the EXACT policy when the server refuses _countOnly", async () => {
    const s = await server({ tokens: ["t0ken-static"], faults: (r) => (r.url.includes("_countOnly") ? { status: 400 } : undefined) });
    const alpha = createCrestClient({ baseUrl: base(s), token: "t0ken-static" }).resource("managed/alpha_user");
    expect(await alpha.count('/accountStatus eq "inactive"')).toBe(5);
    expect(s.requests.some((r) => r.url.includes("_totalPagedResultsPolicy=EXACT"))).toBe(true);
  });

  it("checks a patch as the server does before sending it", async () => {
    const s = await server({ tokens: ["t0ken-static"] });
    const alpha = createCrestClient({ baseUrl: base(s), token: "t0ken-static" }).resource("managed/alpha_user");
    const before = s.requests.length;
    await expect(alpha.patch("u00001", [{ operation: "add", field: "/mail" }])).rejects.toThrow(/add needs a value/);
    await expect(alpha.patch("u00001", [{ operation: "copy", field: "/a", value: 1 } as never])).rejects.toMatchObject({ code: 400 });
    expect(s.requests.length).toBe(before);
  });
});

describe("service-account login: the server verifies the JWT", () => {
  it("reports invalid_grant (a key the account does not have) and invalid_scope plainly, without key or assertion", async () => {
    const { publicJwk } = await keys();
    const other = await keys();
    const s = await server({ publicJwk });
    const wrongKey = serviceAccount({ tokenUrl: s.tokenEndpoint as string, serviceAccountId: ACCOUNT, jwk: other.privateJwk as Record<string, unknown>, scope: "fr:idm:*" });
    const error = await wrongKey().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 400, reason: "invalid_grant" });
    expect((error as Error).message).toMatch(/invalid_grant.*signature/);
    const text = shown(error);
    for (const member of ["d", "p", "q", "dp", "dq", "qi", "n"] as const) expect(text).not.toContain(String(other.privateJwk[member]));
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/); // no JWT

    const { privateJwk: key2, publicJwk: pub2 } = await keys();
    const s2 = await server({ publicJwk: pub2 });
    const scoped = serviceAccount({ tokenUrl: s2.tokenEndpoint as string, serviceAccountId: ACCOUNT, jwk: JSON.stringify(key2), scope: ["fr:idm:*", "fr:esv:*"] });
    await expect(scoped()).rejects.toMatchObject({ reason: "invalid_scope", message: expect.stringMatching(/invalid_scope/) });
  });

  it("sends the claims and form of the flow (checked by the server: a wrong audience is refused)", async () => {
    const { privateJwk, publicJwk } = await keys();
    const s = await server({ publicJwk });
    const wrongAud = serviceAccount({ tokenUrl: s.tokenEndpoint as string, audience: "https://elsewhere.example.com/am/oauth2/access_token", serviceAccountId: ACCOUNT, jwk: privateJwk as Record<string, unknown>, scope: "fr:idm:*" });
    await expect(wrongAud()).rejects.toMatchObject({ reason: "invalid_grant", message: expect.stringMatching(/aud/) });
    const good = serviceAccount({ tokenUrl: s.tokenEndpoint as string, serviceAccountId: ACCOUNT, jwk: privateJwk as Record<string, unknown>, scope: "fr:idm:*" });
    const token = await good();
    expect(token.length).toBeGreaterThan(20);
    // Cached: a second caller, and ten at once, share it.
    expect(await Promise.all(Array.from({ length: 10 }, () => good()))).toEqual(Array(10).fill(token));
    expect(tokenRequests(s)).toBe(2);
  });

  it("refuses a public key or a key that is not JSON, without quoting it", async () => {
    const { privateJwk, publicJwk } = await keys();
    const s = await server({ publicJwk });
    const pub = serviceAccount({ tokenUrl: s.tokenEndpoint as string, serviceAccountId: ACCOUNT, jwk: publicJwk as Record<string, unknown>, scope: "fr:idm:*" });
    await expect(pub()).rejects.toThrow(/no private key/);
    const garbled = JSON.stringify(privateJwk).slice(0, -3);
    const bad = serviceAccount({ tokenUrl: s.tokenEndpoint as string, serviceAccountId: ACCOUNT, jwk: garbled, scope: "fr:idm:*" });
    const error = await bad().catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/not valid JSON/);
    expect(shown(error)).not.toContain(String(privateJwk.d).slice(0, 20));
  });
});

describe("token expiry during a 10,000-resource walk", () => {
  const walk = async (auth: (sa: TokenProvider) => TokenProvider) => {
    const { privateJwk, publicJwk } = await keys();
    let clock = Date.UTC(2030, 0, 1);
    const now = () => clock;
    const s = await server({ publicJwk, now, resources: users(10_000) });
    let unauthorized = 0;
    const tracking: typeof fetch = async (input, init) => {
      const crest = String(input).includes("/openidm/");
      // Every page takes 30 s of the server's time: 100 pages are 50 minutes, over three tokens' lives.
      if (crest) clock += 30_000;
      const response = await fetch(input, init);
      if (crest && response.status === 401) unauthorized++;
      return response;
    };
    const sa = serviceAccount({ tokenUrl: s.tokenEndpoint as string, serviceAccountId: ACCOUNT, jwk: privateJwk as Record<string, unknown>, scope: "fr:idm:*", now, fetch: tracking });
    const client = createCrestClient({ baseUrl: base(s), auth: auth(sa), fetch: tracking, now, requestsPerSecond: 1000, concurrency: 4, sleep: async () => undefined });
    const seen = new Set<string>();
    for await (const user of client.resource<User>("managed/alpha_user").query("true", { pageSize: 100 })) seen.add(user._id);
    return { seen: seen.size, exchanges: tokenRequests(s), unauthorized };
  };

  it("refreshes ahead of expiry: several tokens, no 401", async () => {
    const result = await walk((sa) => sa);
    expect(result.seen).toBe(10_000);
    expect(result.exchanges).toBeGreaterThanOrEqual(3);
    expect(result.unauthorized).toBe(0);
  });

  it("a provider that does not cache is asked again after each 401, once per expiry", async () => {
    const result = await walk((sa) => (context) => sa(context));
    expect(result.seen).toBe(10_000);
    expect(result.exchanges).toBeGreaterThanOrEqual(3);
    expect(result.unauthorized).toBe(result.exchanges - 1);
  });

  it("two 401s in a row with a fresh token end the call with the 401 (bounded)", async () => {
    const s = await server({ tokens: ["good-token"] });
    let asked = 0;
    const client = createCrestClient({ baseUrl: base(s), auth: async () => `rejected-token-${++asked}` });
    await expect(client.resource("managed/alpha_user").read("u00001")).rejects.toMatchObject({ code: 401, message: expect.stringMatching(/just issued was refused/) });
    expect(asked).toBe(2);
    const error = await client.resource("managed/alpha_user").read("u00001").catch((e: unknown) => e);
    expect(shown(error)).not.toMatch(/rejected-token-\d/);
  });
});

/** A clock that only moves when someone sleeps: each sleeper wakes at its own time, time never goes back. */
function virtualTime() {
  let t = 0;
  return {
    now: () => t,
    sleep: (ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        const wake = t + ms;
        setImmediate(() => {
          if (signal?.aborted === true) return reject(signal.reason);
          t = Math.max(t, wake);
          resolve();
        });
      }),
  };
}

describe("shared limits: concurrency, requests per second, 429 storms", () => {
  it("never starts more than the budget in any second, never more than the concurrency at once, and a 429 holds every request", async () => {
    const s = await server({ tokens: ["t0ken-static"], resources: users(300), faults: (r) => (r.index >= 20 && r.index <= 24 ? { status: 429, retryAfter: 2 } : undefined) });
    const time = virtualTime();
    const log: Array<{ kind: "start" | "retry"; t: number; delayMs?: number }> = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const counting: typeof fetch = async (input, init) => {
      log.push({ kind: "start", t: time.now() });
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        return await fetch(input, init);
      } finally {
        inFlight--;
      }
    };
    const options: CrestClientOptions = {
      baseUrl: base(s),
      token: "t0ken-static",
      fetch: counting,
      now: time.now,
      sleep: time.sleep,
      retry: { retries: 8 },
      onRetry: (info) => log.push({ kind: "retry", t: time.now(), delayMs: info.delayMs }),
    };
    const client = createCrestClient(options);
    const alpha = client.resource<User>("managed/alpha_user");
    const reads = Array.from({ length: 40 }, (_, i) => alpha.read(`u${String(i).padStart(5, "0")}`));
    const walked: string[] = [];
    const walk = (async () => {
      for await (const user of alpha.query("true", { pageSize: 50 })) walked.push(user._id);
    })();
    const got = await Promise.all(reads);
    await walk;
    expect(got.map((u) => u.userName)).toEqual(Array.from({ length: 40 }, (_, i) => `user${i}`));
    expect(walked.length).toBe(300);

    const starts = log.filter((e) => e.kind === "start").map((e) => e.t);
    expect(starts.length).toBe(51); // 40 reads, 6 pages, and the retries of the 5 429s
    expect(log.filter((e) => e.kind === "retry").length).toBe(5);
    // Sliding window: the 11th start after any start is at least a second later.
    for (let i = 0; i + 10 < starts.length; i++) expect(starts[i + 10]! - starts[i]!).toBeGreaterThanOrEqual(1000);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    // After a 429 with Retry-After: 2, no request of the client starts within those two seconds.
    log.forEach((event, i) => {
      if (event.kind !== "retry") return;
      expect(event.delayMs).toBe(2000);
      for (const later of log.slice(i + 1)) if (later.kind === "start") expect(later.t).toBeGreaterThanOrEqual(event.t + 2000);
    });
  });

  it("refuses limits that are not whole numbers", () => {
    expect(() => createCrestClient({ baseUrl: "http://127.0.0.1:1/openidm", concurrency: 0 })).toThrow(/concurrency must be a whole number/);
    expect(() => createCrestClient({ baseUrl: "http://127.0.0.1:1/openidm", requestsPerSecond: 2.5 })).toThrow(/requestsPerSecond/);
  });
});

describe("bulk helpers", () => {
  const fast = { sleep: async () => undefined, requestsPerSecond: 10_000 } as const;

  it("patchAll reports exactly which ids failed, and the others are patched", async () => {
    const failing = new Set(["u00003", "u00017", "u00031", "u00044"]);
    const s = await server({
      tokens: ["t0ken-static"],
      resources: users(50),
      faults: (r) => (r.method === "PATCH" && failing.has(decodeURIComponent(r.url.split("/").pop()!.split("?")[0]!)) ? { status: 409 } : undefined),
    });
    const alpha = createCrestClient({ baseUrl: base(s), token: "t0ken-static", ...fast }).resource<User>("managed/alpha_user");
    const report = await alpha.patchAll("true", patch<User>().replace("/accountStatus", "archived"), { pageSize: 7 });
    expect(report.complete).toBe(true);
    expect(report.total).toBe(50);
    expect(report.failed.map((f) => f.id).sort()).toEqual([...failing].sort());
    for (const f of report.failed) expect(f.error).toMatchObject({ code: 409 });
    expect(report.succeeded.length).toBe(46);
    for await (const user of alpha.query("true")) expect(user.accountStatus === "archived").toBe(!failing.has(user._id));
  });

  it("deleteAll deletes every match although deleting shifts the server's pages", async () => {
    const s = await server({ tokens: ["t0ken-static"], resources: users(250) });
    const alpha = createCrestClient({ baseUrl: base(s), token: "t0ken-static", ...fast }).resource<User>("managed/alpha_user");
    const report = await alpha.deleteAll('/accountStatus eq "active"', { pageSize: 20 });
    expect(report).toMatchObject({ complete: true, total: 125 });
    expect(report.succeeded.length).toBe(125);
    expect(await alpha.count('/accountStatus eq "active"')).toBe(0);
    expect(await alpha.count()).toBe(125);
  });

  it("stops on an error every request would meet (403), says where, and resumes from that position", async () => {
    let forbid = true;
    const s = await server({ tokens: ["t0ken-static"], resources: users(30), faults: (r) => (forbid && r.method === "DELETE" && r.url.includes("u00012") ? { status: 403 } : undefined) });
    const alpha = createCrestClient({ baseUrl: base(s), token: "t0ken-static", concurrency: 1, ...fast }).resource<User>("managed/alpha_user");
    const first = await alpha.deleteAll("true");
    expect(first.complete).toBe(false);
    expect(first.stoppedBy).toMatchObject({ code: 403 });
    expect(first.succeeded).toEqual(users(12).map((u) => (u as unknown as { _id: string })._id));
    expect(first.position?.remaining).toEqual(users(30).slice(12).map((u) => (u as unknown as { _id: string })._id));
    forbid = false;
    const second = await alpha.deleteAll("true", { resume: JSON.parse(JSON.stringify(first.position)) });
    expect(second).toMatchObject({ complete: true, total: 18 });
    expect(await alpha.count()).toBe(0);
    await expect(alpha.deleteAll("false", { resume: first.position! })).rejects.toThrow(/position is of the filter/);
  });

  it("forEach hands every resource to the function and records what it threw; a signal stops it with a position", async () => {
    const s = await server({ tokens: ["t0ken-static"], resources: users(20) });
    const alpha = createCrestClient({ baseUrl: base(s), token: "t0ken-static", concurrency: 2, ...fast }).resource<User>("managed/alpha_user");
    const names: string[] = [];
    const report = await alpha.forEach("true", (user) => {
      if (user.loginCount === 7) throw new Error("seven");
      names.push(user.userName);
    });
    expect(report.failed).toEqual([{ id: "u00007", error: new Error("seven") }]);
    expect(names.length).toBe(19);

    const stop = new AbortController();
    let n = 0;
    const stopped = await alpha.forEach("true", () => {
      if (++n === 5) stop.abort(new Error("enough"));
    }, { signal: stop.signal });
    expect(stopped.complete).toBe(false);
    expect(stopped.stoppedBy?.message).toBe("enough");
    expect(stopped.succeeded.length + (stopped.position?.remaining.length ?? 0)).toBe(20);
  });

  it("refuses a filter that matches more than maxResources before changing anything", async () => {
    const s = await server({ tokens: ["t0ken-static"], resources: users(30) });
    const alpha = createCrestClient({ baseUrl: base(s), token: "t0ken-static", ...fast }).resource<User>("managed/alpha_user");
    await expect(alpha.deleteAll("true", { maxResources: 10 })).rejects.toThrow(/more than 10 resources.*nothing was changed/);
    expect(await alpha.count()).toBe(30);
  });
});
