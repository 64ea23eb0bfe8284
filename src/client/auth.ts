import { importJWK, importPKCS8, SignJWT, type CryptoKey, type JWK } from "jose";
import { CrestError } from "../query/crest-error.js";
import { createRequestSender, requestTarget, type CrestRequestOptions, type RequestSender, type RequestTarget } from "./request.js";

/**
 * Gives a bearer token. `createCrestClient` takes any such function; it passes `{ refresh: true }`
 * after a 401 (a provider that caches should then get a new token).
 *
 * @example
 * ```ts
 * import type { TokenProvider } from "crest-query";
 * const fromEnvironment: TokenProvider = async () => process.env.CREST_TOKEN ?? "";
 * ```
 */
export type TokenProvider = (context?: { readonly refresh?: boolean }) => Promise<string>;

/**
 * What the token providers of this module share: how they reach the token endpoint and when they
 * refresh. `now` and `sleep` make time injectable in tests.
 *
 * @example
 * ```ts
 * import type { TokenExchangeOptions } from "crest-query";
 * const options: TokenExchangeOptions = { refreshAheadMs: 120_000, timeoutMs: 10_000 };
 * ```
 */
export interface TokenExchangeOptions extends Pick<CrestRequestOptions, "fetch" | "retry" | "timeoutMs" | "sleep" | "random" | "onRetry"> {
  /** Get a new token this long before the current one expires (default 60 s). */
  readonly refreshAheadMs?: number;
  /** How long the signed assertion is valid (default 300 s; at most 900). */
  readonly assertionLifetimeSeconds?: number;
  /** The clock in ms since 1970 (default `Date.now`): token expiry and the assertion's `iat`/`exp`. */
  readonly now?: () => number;
}

/**
 * A Ping Advanced Identity Cloud service account: its id, its private JSON Web Key (the `key.jwk`
 * file the tenant gave, as an object or its JSON text), the scopes to ask for, and where the token
 * endpoint is (the tenant's host, or the endpoint's URL).
 *
 * @example
 * ```ts
 * import type { ServiceAccountOptions } from "crest-query";
 * const options: ServiceAccountOptions = {
 *   tenant: "openam-example.forgeblocks.com",
 *   serviceAccountId: "449d7e27-7889-47af-a736-83b6bbf97ec5",
 *   jwk: process.env.CREST_JWK ?? "{}",
 *   scope: ["fr:idm:*"],
 * };
 * ```
 */
export interface ServiceAccountOptions extends TokenExchangeOptions {
  /** The tenant's host name (`openam-example.forgeblocks.com`) or origin: the token endpoint is `https://<tenant>/am/oauth2/access_token`. */
  readonly tenant?: string;
  /** The token endpoint's URL, instead of `tenant`. */
  readonly tokenUrl?: string;
  readonly serviceAccountId: string;
  /** The private key: a JWK object or its JSON text. */
  readonly jwk: Readonly<Record<string, unknown>> | string;
  /** The scopes, as a list or space-separated (`"fr:idm:*"`). */
  readonly scope: string | readonly string[];
  /** The assertion's `aud` (default the token endpoint's URL). */
  readonly audience?: string;
}

/**
 * The JWT exchange of Adobe IMS-style endpoints: a JWT signed with the technical account's private
 * key, posted with `client_id`, `client_secret` and `jwt_token`, answered with
 * `{ access_token, expires_in }`.
 *
 * @example
 * ```ts
 * import type { JwtExchangeOptions } from "crest-query";
 * const options: JwtExchangeOptions = {
 *   tokenUrl: "https://ims-na1.adobelogin.com/ims/exchange/jwt",
 *   clientId: "my-api-key",
 *   clientSecret: process.env.CLIENT_SECRET ?? "",
 *   privateKey: process.env.PRIVATE_KEY_PEM ?? "",
 *   claims: { iss: "org@AdobeOrg", sub: "tech@techacct.adobe.com", aud: "https://ims-na1.adobelogin.com/c/my-api-key" },
 *   expiresIn: "milliseconds",
 * };
 * ```
 */
export interface JwtExchangeOptions extends TokenExchangeOptions {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The private key: a JWK (object or JSON text) or a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). */
  readonly privateKey: Readonly<Record<string, unknown>> | string;
  /** The JWT's claims (`iss`, `sub`, `aud`, metascopes); `exp` and `iat` are added. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** The signing algorithm (default RS256, or the JWK's `alg`). */
  readonly algorithm?: string;
  /** The unit of `expires_in` in the answer (default seconds; Adobe IMS answers in milliseconds). */
  readonly expiresIn?: "seconds" | "milliseconds";
}

/** The grant type of the service-account flow. */
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const TOKEN_PATH = "/am/oauth2/access_token";
/** A refresh asked for within this long of getting a token returns that token: concurrent 401s share one exchange. */
const MIN_REFRESH_INTERVAL_MS = 1000;
const ALGORITHM_OF_KEY: Readonly<Record<string, string>> = { RSA: "RS256", EC: "ES256", OKP: "EdDSA" };
const EC_ALGORITHMS: Readonly<Record<string, string>> = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" };

/** Providers that cache: the client asks them before every request (they refresh ahead of expiry). */
const caching = new WeakSet<TokenProvider>();

/** Whether a token provider caches its token (one made here): then it is asked before every request. */
export function isCachingProvider(provider: TokenProvider): boolean {
  return caching.has(provider);
}

function usage(message: string): CrestError {
  return new CrestError(0, message, { reason: "Invalid Request" });
}

interface Grant {
  readonly token: string;
  /** When it expires, by the provider's clock; Infinity when the answer said nothing. */
  readonly expiresAt: number;
}

/**
 * Tokens from an exchange, cached: asked again `refreshAheadMs` before expiry, one exchange at a time
 * however many callers ask, and a refresh right after an exchange answered by that exchange's token.
 */
function cachedProvider(exchange: () => Promise<Grant>, now: () => number, refreshAheadMs: number): TokenProvider {
  let current: (Grant & { readonly obtainedAt: number }) | undefined;
  let pending: Promise<string> | undefined;
  const provider: TokenProvider = (context) => {
    if (pending !== undefined) return pending;
    const at = now();
    if (current !== undefined) {
      const fresh = at < current.expiresAt - refreshAheadMs;
      const justObtained = at - current.obtainedAt < MIN_REFRESH_INTERVAL_MS;
      if (context?.refresh === true ? justObtained : fresh) return Promise.resolve(current.token);
    }
    pending = exchange().then(
      (grant) => {
        current = { ...grant, obtainedAt: now() };
        pending = undefined;
        return grant.token;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
  caching.add(provider);
  return provider;
}

function positive(name: string, value: number | undefined, fallback: number, max = Number.POSITIVE_INFINITY): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > max) throw usage(`${name} must be a positive number of at most ${max}, not ${String(value)}`);
  return value;
}

function parseJson(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Never the parser's message: it quotes the text, which is a key.
    throw usage(`${what} is not valid JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw usage(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

function algorithmOf(jwk: Readonly<Record<string, unknown>>, given: string | undefined): string {
  if (given !== undefined) return given;
  if (typeof jwk.alg === "string") return jwk.alg;
  if (jwk.kty === "EC" && typeof jwk.crv === "string") return EC_ALGORITHMS[jwk.crv] ?? "ES256";
  return ALGORITHM_OF_KEY[String(jwk.kty)] ?? "RS256";
}

async function privateKey(source: Readonly<Record<string, unknown>> | string, what: string, given?: string): Promise<{ key: CryptoKey | Uint8Array; alg: string }> {
  if (typeof source === "string" && /^\s*-----BEGIN /.test(source)) {
    if (!/^\s*-----BEGIN PRIVATE KEY-----/.test(source)) throw usage(`${what} must be a PKCS#8 PEM (BEGIN PRIVATE KEY); convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem`);
    const alg = given ?? "RS256";
    try {
      return { key: await importPKCS8(source, alg), alg };
    } catch {
      throw usage(`${what} is not a PKCS#8 private key usable with ${alg}`);
    }
  }
  const jwk = typeof source === "string" ? parseJson(source, what) : source;
  if (typeof jwk.kty !== "string") throw usage(`${what} is not a JSON Web Key (no kty)`);
  if (jwk.d === undefined) throw usage(`${what} holds no private key (no "d" member): use the private key file, not the public key`);
  const alg = algorithmOf(jwk, given);
  try {
    return { key: await importJWK(jwk as JWK, alg), alg };
  } catch {
    // jose's message is generic, but a key's members are never worth the risk of quoting.
    throw usage(`${what} (kty ${jwk.kty}) cannot be used to sign with ${alg}`);
  }
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Remove every secret from a text that a server wrote (it may quote what it was sent). */
function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join("[redacted]");
  return out;
}

/** Post a form to a token endpoint through the one request core; OAuth errors reported plainly. */
async function postForm(sender: RequestSender, target: RequestTarget, form: Record<string, string>, secrets: readonly string[], who: string): Promise<Record<string, unknown>> {
  const body = new URLSearchParams(form).toString();
  let reply;
  try {
    reply = await sender.send("POST", target, undefined, body, { "content-type": "application/x-www-form-urlencoded", "cache-control": "no-cache" });
  } catch (error) {
    if (!(error instanceof CrestError)) throw error;
    const answer = error.body ?? {};
    const code = typeof answer.error === "string" ? redact(answer.error, secrets).slice(0, 100) : undefined;
    const description = typeof answer.error_description === "string" ? redact(answer.error_description, secrets).slice(0, 500) : undefined;
    if (code === undefined) throw new CrestError(error.code, redact(`${who}: ${error.message}`, secrets), { reason: error.reason, ...(error.url === undefined ? {} : { url: error.url }) });
    const hint = code === "invalid_scope" ? " (ask only for scopes the account was given)" : code === "invalid_grant" ? " (check the account id, its key, the token URL and the clock)" : "";
    throw new CrestError(error.code, `${who} was refused by ${target.href}: ${code}${description === undefined ? "" : `: ${description}`}${hint}`, {
      reason: code,
      url: target.href,
      body: { error: code, ...(description === undefined ? {} : { error_description: description }) },
    });
  }
  const answer = reply.body;
  if (typeof answer !== "object" || answer === null || typeof (answer as { access_token?: unknown }).access_token !== "string" || (answer as { access_token: string }).access_token === "") {
    throw new CrestError(0, `${who}: the token endpoint ${target.href} answered without an access_token`, { reason: "Invalid response", url: target.href });
  }
  return answer as Record<string, unknown>;
}

function expiry(answer: Record<string, unknown>, at: number, unit: "seconds" | "milliseconds"): number {
  const expiresIn = answer.expires_in;
  const n = typeof expiresIn === "number" ? expiresIn : typeof expiresIn === "string" && /^\d+$/.test(expiresIn) ? Number(expiresIn) : undefined;
  if (n === undefined) return Number.POSITIVE_INFINITY;
  return at + (unit === "seconds" ? n * 1000 : n);
}

function senderFor(options: TokenExchangeOptions): RequestSender {
  const { refreshAheadMs: _a, assertionLifetimeSeconds: _b, ...rest } = options;
  return createRequestSender(rest);
}

function tokenTarget(url: string, what: string): RequestTarget {
  try {
    return requestTarget(url);
  } catch {
    throw usage(`${what} is not a URL`);
  }
}

/**
 * A token provider for a Ping Advanced Identity Cloud service account: signs a JWT (`iss` and `sub`
 * the account id, `aud` the token endpoint, `exp` a few minutes ahead, a random `jti`; RS256 for an
 * RSA key) and posts it to `/am/oauth2/access_token` with `client_id=service-account` and the
 * JWT-bearer grant. The token (899 seconds on a tenant) is cached and refreshed a minute before it
 * expires; callers at the same time share one exchange. A refusal is a {@link CrestError} whose
 * `reason` is the OAuth error (`invalid_grant`, `invalid_scope`); no key, assertion or token ever
 * appears in an error.
 *
 * @example
 * ```ts
 * import { createCrestClient, serviceAccount } from "crest-query";
 * const client = createCrestClient({
 *   baseUrl: "https://openam-example.forgeblocks.com/openidm",
 *   auth: serviceAccount({
 *     tenant: "openam-example.forgeblocks.com",
 *     serviceAccountId: "449d7e27-7889-47af-a736-83b6bbf97ec5",
 *     jwk: process.env.CREST_JWK ?? "{}",
 *     scope: "fr:idm:*",
 *   }),
 * });
 * ```
 */
export function serviceAccount(options: ServiceAccountOptions): TokenProvider {
  const { tenant, tokenUrl, serviceAccountId } = options;
  if (typeof serviceAccountId !== "string" || serviceAccountId === "") throw usage("serviceAccount: serviceAccountId is required");
  if ((tenant === undefined) === (tokenUrl === undefined)) throw usage("serviceAccount: give either tenant or tokenUrl");
  let url: string;
  if (tokenUrl !== undefined) url = tokenTarget(tokenUrl, "serviceAccount: tokenUrl").href;
  else {
    const origin = /^https?:\/\//i.test(tenant as string) ? tenant as string : `https://${tenant as string}`;
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw usage("serviceAccount: tenant is not a host name");
    }
    url = `${parsed.origin}${TOKEN_PATH}`;
  }
  const scopes = (typeof options.scope === "string" ? options.scope.split(" ") : [...options.scope]).filter((s) => s !== "");
  if (scopes.length === 0) throw usage("serviceAccount: scope is required (for example fr:idm:*)");
  const lifetime = positive("serviceAccount: assertionLifetimeSeconds", options.assertionLifetimeSeconds, 300, 900);
  const refreshAheadMs = positive("serviceAccount: refreshAheadMs", options.refreshAheadMs, 60_000);
  const audience = options.audience ?? url;
  const now = options.now ?? Date.now;
  const target = tokenTarget(url, "serviceAccount: the token URL");
  const sender = senderFor(options);
  let key: Promise<{ key: CryptoKey | Uint8Array; alg: string }> | undefined;
  const who = `The service account ${serviceAccountId}`;
  return cachedProvider(
    async () => {
      key ??= privateKey(options.jwk, "serviceAccount: jwk");
      key.catch(() => (key = undefined));
      const signing = await key;
      const at = Math.floor(now() / 1000);
      const assertion = await new SignJWT({})
        .setProtectedHeader({ alg: signing.alg, typ: "JWT" })
        .setIssuer(serviceAccountId)
        .setSubject(serviceAccountId)
        .setAudience(audience)
        .setIssuedAt(at)
        .setExpirationTime(at + Math.floor(lifetime))
        .setJti(randomId())
        .sign(signing.key);
      const sent = now();
      const answer = await postForm(sender, target, { client_id: "service-account", grant_type: JWT_BEARER, assertion, scope: scopes.join(" ") }, [assertion], who);
      return { token: answer.access_token as string, expiresAt: expiry(answer, sent, "seconds") };
    },
    now,
    refreshAheadMs,
  );
}

/**
 * A token provider for the JWT exchange of Adobe IMS-style endpoints: signs a JWT with the given
 * claims and an `exp`, posts `client_id`, `client_secret` and `jwt_token`, and caches the
 * `access_token` until shortly before `expires_in` runs out (shared by concurrent callers). Errors
 * never hold the secret, the key, the JWT or a token.
 *
 * @example
 * ```ts
 * import { jwtExchange } from "crest-query";
 * const auth = jwtExchange({
 *   tokenUrl: "https://ims-na1.adobelogin.com/ims/exchange/jwt",
 *   clientId: "my-api-key",
 *   clientSecret: process.env.CLIENT_SECRET ?? "",
 *   privateKey: process.env.PRIVATE_KEY_PEM ?? "",
 *   claims: { iss: "org@AdobeOrg", sub: "tech@techacct.adobe.com", aud: "https://ims-na1.adobelogin.com/c/my-api-key", "https://ims-na1.adobelogin.com/s/ent_user_sdk": true },
 *   expiresIn: "milliseconds",
 * });
 * ```
 */
export function jwtExchange(options: JwtExchangeOptions): TokenProvider {
  for (const name of ["clientId", "clientSecret"] as const) if (typeof options[name] !== "string" || options[name] === "") throw usage(`jwtExchange: ${name} is required`);
  const target = tokenTarget(options.tokenUrl, "jwtExchange: tokenUrl");
  const lifetime = positive("jwtExchange: assertionLifetimeSeconds", options.assertionLifetimeSeconds, 300, 86_400);
  const refreshAheadMs = positive("jwtExchange: refreshAheadMs", options.refreshAheadMs, 60_000);
  const unit = options.expiresIn ?? "seconds";
  if (unit !== "seconds" && unit !== "milliseconds") throw usage(`jwtExchange: expiresIn must be "seconds" or "milliseconds"`);
  const now = options.now ?? Date.now;
  const sender = senderFor(options);
  let key: Promise<{ key: CryptoKey | Uint8Array; alg: string }> | undefined;
  return cachedProvider(
    async () => {
      key ??= privateKey(options.privateKey, "jwtExchange: privateKey", options.algorithm);
      key.catch(() => (key = undefined));
      const signing = await key;
      const at = Math.floor(now() / 1000);
      const jwt = await new SignJWT({ ...options.claims })
        .setProtectedHeader({ alg: signing.alg, typ: "JWT" })
        .setIssuedAt(at)
        .setExpirationTime(at + Math.floor(lifetime))
        .sign(signing.key);
      const sent = now();
      const answer = await postForm(sender, target, { client_id: options.clientId, client_secret: options.clientSecret, jwt_token: jwt }, [jwt, options.clientSecret], "The JWT exchange");
      return { token: answer.access_token as string, expiresAt: expiry(answer, sent, unit) };
    },
    now,
    refreshAheadMs,
  );
}
