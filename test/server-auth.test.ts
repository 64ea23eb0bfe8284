import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockServer, type MockServer } from "../src/node/index.js";

// Bearer tokens and the service-account token endpoint, over raw HTTP, with an injected clock.

const GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
let clock = Date.parse("2030-01-01T00:00:00Z");
let server: MockServer;
let privateKey: CryptoKey;
let otherKey: CryptoKey;
let publicJwk: JWK;

beforeAll(async () => {
  const pair = await generateKeyPair("RS256", { extractable: true });
  privateKey = pair.privateKey;
  publicJwk = await exportJWK(pair.publicKey);
  otherKey = (await generateKeyPair("RS256")).privateKey;
  // The key file a tenant hands out is the private JWK; the server keeps only its public part.
  const privateJwk = await exportJWK(pair.privateKey);
  server = await createMockServer({
    collections: { "managed/alpha_user": [{ _id: "u1", sn: "One" }] },
    basePath: "/openidm",
    now: () => clock,
    auth: {
      tokens: ["static-token"],
      serviceAccounts: {
        "sa-1": { publicJwk: privateJwk, scopes: ["fr:idm:*", "fr:am:*"] },
        "sa-am": { publicJwk, scopes: ["fr:am:*"] },
      },
    },
  });
});
afterAll(async () => {
  await server.close();
});

interface Claims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  jti?: string;
}

let jtiCounter = 0;
function claims(account = "sa-1"): Claims {
  return { iss: account, sub: account, aud: server.tokenEndpoint ?? "", exp: Math.floor(clock / 1000) + 899, jti: `jti-${++jtiCounter}` };
}

async function assertion(payload: Claims, key: CryptoKey = privateKey): Promise<string> {
  return new SignJWT({ ...payload }).setProtectedHeader({ alg: "RS256" }).sign(key);
}

async function exchange(jwt: string, scope = "fr:idm:*", extra: Record<string, string> = {}) {
  const body = new URLSearchParams({ client_id: "service-account", grant_type: GRANT, assertion: jwt, scope, ...extra });
  const r = await fetch(server.tokenEndpoint ?? "", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
  return { status: r.status, headers: r.headers, body: (await r.json()) as Record<string, unknown> };
}

const resource = () => `${server.url}/managed/alpha_user/u1`;
const get = (token?: string) => fetch(resource(), token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

describe("bearer tokens", () => {
  it("401 without a token or with an unknown one, with a CREST body and WWW-Authenticate", async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer nope" }, { authorization: "Basic dXNlcjpwdw==" }];
    for (const headers of attempts) {
      const r = await fetch(resource(), { headers });
      expect(r.status).toBe(401);
      expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
      const body = (await r.json()) as { code: number; message: string };
      expect(body.code).toBe(401);
      expect(body.message).not.toMatch(/nope|dXNlcjpwdw/);
    }
    // Every route is behind auth, including queries and writes, and missing paths (no leaking what exists).
    expect((await fetch(`${server.url}/managed/alpha_user?_queryFilter=true`)).status).toBe(401);
    expect((await fetch(`${server.url}/nothing/here`)).status).toBe(401);
  });

  it("a given token works", async () => {
    const r = await get("static-token");
    expect(r.status).toBe(200);
    expect(((await r.json()) as { sn: string }).sn).toBe("One");
  });
});

describe("the token endpoint", () => {
  it("exchanges a good assertion for an 899-second token that opens the collections, then expires", async () => {
    const r = await exchange(await assertion(claims()), "fr:idm:*");
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toBe("no-store");
    expect(r.body).toMatchObject({ token_type: "Bearer", expires_in: 899, scope: "fr:idm:*" });
    const token = r.body.access_token as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect((await get(token)).status).toBe(200);
    clock += 898_000;
    expect((await get(token)).status).toBe(200);
    clock += 1_000;
    const expired = await get(token);
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { message: string }).message).toMatch(/expired/);
  });

  it("accepts the audience with an explicit default port, as tenants write it", async () => {
    const aud = (server.tokenEndpoint ?? "").replace("http://127.0.0.1:", "HTTP://127.0.0.1:");
    expect((await exchange(await assertion({ ...claims(), aud }))).status).toBe(200);
    expect((await exchange(await assertion({ ...claims(), aud: ["https://elsewhere.example.com/", server.tokenEndpoint ?? ""] }))).status).toBe(200);
  });

  it("a token lacking the required scope is 403", async () => {
    const r = await exchange(await assertion(claims("sa-am")), "fr:am:*");
    expect(r.status).toBe(200);
    const denied = await get(r.body.access_token as string);
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { code: number; message: string }).message).toMatch(/fr:idm:\*/);
  });

  it("refuses a bad signature, an expired assertion, a wrong audience, missing claims and a replay with invalid_grant", async () => {
    const cases: Array<[string, string]> = [
      ["bad signature", await assertion(claims(), otherKey)],
      ["expired", await assertion({ ...claims(), exp: Math.floor(clock / 1000) - 1 })],
      ["wrong audience", await assertion({ ...claims(), aud: "https://tenant.example.com/am/oauth2/access_token" })],
      ["iss is not sub", await assertion({ ...claims(), sub: "someone-else" })],
      ["no jti", await assertion({ ...claims(), jti: undefined })],
      ["no exp", await assertion({ ...claims(), exp: undefined })],
      ["exp too far ahead", await assertion({ ...claims(), exp: Math.floor(clock / 1000) + 3600 })],
      ["unknown account", await assertion(claims("sa-unknown"))],
      ["not a JWT", "not.a.jwt"],
    ];
    for (const [what, jwt] of cases) {
      const r = await exchange(jwt);
      expect({ what, status: r.status, error: r.body.error }).toEqual({ what, status: 400, error: "invalid_grant" });
      expect(typeof r.body.error_description).toBe("string");
      expect(r.body.error_description).not.toContain(jwt.slice(-20));
    }
    const once = await assertion(claims());
    expect((await exchange(once)).status).toBe(200);
    const replay = await exchange(once);
    expect(replay.body).toMatchObject({ error: "invalid_grant" });
    expect(replay.body.error_description).toMatch(/used before/);
  });

  it("refuses a scope the account was not given with invalid_scope", async () => {
    const r = await exchange(await assertion(claims("sa-am")), "fr:am:* fr:idm:*");
    expect(r.status).toBe(400);
    expect(r.body.error).toBe("invalid_scope");
    expect((await exchange(await assertion(claims()), "")).body.error).toBe("invalid_scope");
  });

  it("speaks OAuth's error format for a malformed request", async () => {
    const wrongGrant = await exchange(await assertion(claims()), "fr:idm:*", { grant_type: "client_credentials" });
    expect(wrongGrant).toMatchObject({ status: 400, body: { error: "unsupported_grant_type" } });
    const wrongClient = await exchange(await assertion(claims()), "fr:idm:*", { client_id: "other" });
    expect(wrongClient).toMatchObject({ status: 400, body: { error: "invalid_client" } });
    const json = await fetch(server.tokenEndpoint ?? "", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: string }).error).toBe("invalid_request");
    const twice = await fetch(server.tokenEndpoint ?? "", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=${encodeURIComponent(GRANT)}&client_id=service-account&scope=a&scope=b&assertion=x`,
    });
    expect(((await twice.json()) as { error: string }).error).toBe("invalid_request");
    expect((await fetch(server.tokenEndpoint ?? "")).status).toBe(405);
  });
});
