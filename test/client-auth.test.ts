// jwtExchange against an IMS-style endpoint written here with jose's verifier (not the client's code).
import { exportJWK, exportPKCS8, generateKeyPair, jwtVerify, type CryptoKey } from "jose";
import { describe, expect, it } from "vitest";
import { jwtExchange, type JwtExchangeOptions } from "../src/index.js";

const URL_ = "https://ims.example.com/ims/exchange/jwt";
const SECRET = "p8e-client-secret-value";

async function setup(answer?: (form: URLSearchParams) => Response | undefined) {
  const pair = await generateKeyPair("RS256", { extractable: true });
  let clock = Date.UTC(2030, 0, 1);
  const exchanges: Array<Record<string, unknown>> = [];
  let issued = 0;
  const ims = (publicKey: CryptoKey): typeof fetch => async (input, init) => {
    expect(String(input)).toBe(URL_);
    expect(new Headers(init?.headers).get("content-type")).toBe("application/x-www-form-urlencoded");
    const form = new URLSearchParams(String(init?.body));
    const special = answer?.(form);
    if (special !== undefined) return special;
    if (form.get("client_id") !== "api-key" || form.get("client_secret") !== SECRET) return Response.json({ error: "invalid_client", error_description: `bad client ${form.get("client_secret")}` }, { status: 400 });
    const { payload } = await jwtVerify(form.get("jwt_token") ?? "", publicKey, { issuer: "org@AdobeOrg", subject: "tech@techacct.adobe.com", audience: "https://ims.example.com/c/api-key", currentDate: new Date(clock) });
    exchanges.push(payload);
    await new Promise((r) => setTimeout(r, 5));
    return Response.json({ token_type: "bearer", access_token: `access-${++issued}-xxxxxxxx`, expires_in: 86_399_000 });
  };
  const options: JwtExchangeOptions = {
    tokenUrl: URL_,
    clientId: "api-key",
    clientSecret: SECRET,
    privateKey: await exportPKCS8(pair.privateKey),
    claims: { iss: "org@AdobeOrg", sub: "tech@techacct.adobe.com", aud: "https://ims.example.com/c/api-key", "https://ims.example.com/s/ent_user_sdk": true },
    expiresIn: "milliseconds",
    now: () => clock,
    fetch: ims(pair.publicKey),
  };
  return { options, exchanges, advance: (ms: number) => (clock += ms), jwk: await exportJWK(pair.privateKey) };
}

describe("jwtExchange", () => {
  it("signs the claims with exp, posts client_id, client_secret and jwt_token, and shares one exchange", async () => {
    const { options, exchanges, advance } = await setup();
    const auth = jwtExchange(options);
    const tokens = await Promise.all(Array.from({ length: 20 }, () => auth()));
    expect(new Set(tokens)).toEqual(new Set(["access-1-xxxxxxxx"]));
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]).toMatchObject({ "https://ims.example.com/s/ent_user_sdk": true });
    expect((exchanges[0]!.exp as number) - (exchanges[0]!.iat as number)).toBe(300);
    // expires_in in milliseconds: still good a minute before the day is over, renewed after that.
    advance(86_399_000 - 61_000);
    expect(await auth()).toBe("access-1-xxxxxxxx");
    advance(2_000);
    expect(await auth()).toBe("access-2-xxxxxxxx");
    // A refresh just after an exchange gets that exchange's token; later, a new one.
    expect(await auth({ refresh: true })).toBe("access-2-xxxxxxxx");
    advance(5_000);
    expect(await auth({ refresh: true })).toBe("access-3-xxxxxxxx");
  });

  it("reports an OAuth error plainly, without the secret, the JWT or the key", async () => {
    const { options, jwk } = await setup();
    const error = await jwtExchange({ ...options, clientId: "other" })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 400, reason: "invalid_client" });
    const text = `${String(error)}\n${JSON.stringify(error)}\n${JSON.stringify((error as { body?: unknown }).body)}\n${(error as Error).stack}`;
    expect(text).toContain("invalid_client");
    expect(text).not.toContain(SECRET);
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    expect(text).not.toContain(String(jwk.d).slice(0, 16));
  });

  it("does not cache a failure: the next call tries again", async () => {
    let fail = true;
    const { options } = await setup(() => (fail ? Response.json({ error: "temporarily_unavailable" }, { status: 400 }) : undefined));
    const auth = jwtExchange(options);
    await expect(auth()).rejects.toMatchObject({ reason: "temporarily_unavailable" });
    fail = false;
    expect(await auth()).toBe("access-1-xxxxxxxx");
  });

  it("refuses a PKCS#1 key with the command that converts it, and a missing secret", async () => {
    const { options } = await setup();
    expect(() => jwtExchange({ ...options, clientSecret: "" })).toThrow(/clientSecret is required/);
    await expect(jwtExchange({ ...options, privateKey: "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----" })()).rejects.toThrow(/openssl pkcs8/);
  });
});
