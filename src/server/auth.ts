import { decodeJwt, decodeProtectedHeader, errors as joseErrors, importJWK, jwtVerify, type CryptoKey, type JWK } from "jose";
import { CrestError } from "../query/crest-error.js";
import { readBodyText } from "./body.js";

/** Where the token endpoint answers, on the server's origin. */
export const TOKEN_ENDPOINT_PATH = "/am/oauth2/access_token";
/** The grant type of the service-account flow. */
export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/**
 * A service account the token endpoint knows: its public key (a JWK; private members such as `d`
 * are dropped, so the key file a tenant hands out works as it is) and the scopes it may ask for.
 *
 * @example
 * ```ts
 * import type { ServiceAccount } from "crest-query";
 * const account: ServiceAccount = { publicJwk: { kty: "RSA", n: "...", e: "AQAB" }, scopes: ["fr:idm:*"] };
 * ```
 */
export interface ServiceAccount {
  readonly publicJwk: Readonly<Record<string, unknown>>;
  readonly scopes: readonly string[];
}

/**
 * Authentication of the CREST handler: bearer tokens given up front (they hold every scope and never
 * expire) and service accounts that get tokens from the token endpoint
 * (`POST /am/oauth2/access_token`, JWT-bearer grant).
 *
 * @example
 * ```ts
 * import type { CrestAuthOptions } from "crest-query";
 * const auth: CrestAuthOptions = { tokens: ["test-token"], requiredScopes: ["fr:idm:*"] };
 * ```
 */
export interface CrestAuthOptions {
  /** Tokens accepted as they are. */
  readonly tokens?: readonly string[];
  /** Service accounts by id. */
  readonly serviceAccounts?: Readonly<Record<string, ServiceAccount>>;
  /** Scopes an issued token must hold to use the collections (default `["fr:idm:*"]`); missing: 403. */
  readonly requiredScopes?: readonly string[];
  /**
   * The `aud` an assertion must name. Default: the token endpoint's URL on the request's origin
   * (`http://127.0.0.1:PORT/am/oauth2/access_token`); an explicit default port (`:443`) is the same URL.
   */
  readonly audience?: string;
}

const TOKEN_LIFETIME_SECONDS = 899;
/** An assertion may expire at most this far ahead (15 minutes and a minute of clock skew). */
const MAX_ASSERTION_SECONDS = 960;
const MAX_LIVE_TOKENS = 10_000;
const MAX_FORM_BYTES = 64 * 1024;
const PRIVATE_MEMBERS = new Set(["d", "p", "q", "dp", "dq", "qi", "oth", "k"]);
const ALGORITHMS: Readonly<Record<string, readonly string[]>> = {
  RSA: ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"],
  EC: ["ES256", "ES384", "ES512"],
  OKP: ["EdDSA", "Ed25519"],
};

interface IssuedToken {
  readonly scopes: ReadonlySet<string>;
  readonly expires: number;
}

function oauthError(status: number, error: string, description: string): Response {
  return new Response(JSON.stringify({ error, error_description: description }), {
    status,
    headers: { "content-type": "application/json; charset=UTF-8", "cache-control": "no-store" },
  });
}

function normalizeUrl(text: string): string | undefined {
  try {
    return new URL(text).href;
  } catch {
    return undefined;
  }
}

/**
 * Tokens and service accounts of one handler: checks bearer tokens, answers the token endpoint.
 * Tokens are random, held in a bounded map, and never written into a message.
 */
export class Authenticator {
  private readonly staticTokens: ReadonlySet<string>;
  private readonly issued = new Map<string, IssuedToken>();
  private readonly usedAssertions = new Map<string, number>();
  private readonly keys = new Map<string, Promise<CryptoKey | Uint8Array>>();
  private readonly accounts: ReadonlyMap<string, ServiceAccount>;
  private readonly requiredScopes: readonly string[];

  constructor(
    private readonly options: CrestAuthOptions,
    private readonly now: () => number,
  ) {
    for (const token of options.tokens ?? []) {
      if (typeof token !== "string" || token === "" || /[\s\u0000-\u001f\u007f]/.test(token)) throw new TypeError("auth.tokens: every token must be a non-empty string without spaces or control characters");
    }
    this.staticTokens = new Set(options.tokens ?? []);
    const accounts = new Map<string, ServiceAccount>();
    for (const [id, account] of Object.entries(options.serviceAccounts ?? {})) {
      const kty = account?.publicJwk?.kty;
      if (typeof kty !== "string" || ALGORITHMS[kty] === undefined) throw new TypeError(`auth.serviceAccounts['${id}']: publicJwk must be an RSA, EC or OKP JSON Web Key`);
      if (!Array.isArray(account.scopes) || account.scopes.some((s) => typeof s !== "string")) throw new TypeError(`auth.serviceAccounts['${id}']: scopes must be a list of strings`);
      accounts.set(id, account);
    }
    this.accounts = accounts;
    this.requiredScopes = options.requiredScopes ?? ["fr:idm:*"];
  }

  /** Whether the token endpoint answers (some service account is registered). */
  get issuesTokens(): boolean {
    return this.accounts.size > 0;
  }

  /**
   * Check a request's bearer token.
   * @throws {@link CrestError} 401 without a valid, unexpired token; 403 for one lacking a required scope.
   */
  check(request: { readonly headers: { get(name: string): string | null } }): void {
    const header = request.headers.get("authorization");
    const match = header === null ? null : /^Bearer +([^\s]+) *$/i.exec(header);
    if (match === null) throw new CrestError(401, header === null ? "Authentication required: send Authorization: Bearer <token>" : "The Authorization header is not a bearer token");
    const token = match[1] as string;
    if (this.staticTokens.has(token)) return;
    const issued = this.issued.get(token);
    if (issued === undefined) throw new CrestError(401, "The access token is not valid");
    if (this.now() >= issued.expires) {
      this.issued.delete(token);
      throw new CrestError(401, "The access token has expired");
    }
    const missing = this.requiredScopes.filter((scope) => !issued.scopes.has(scope));
    if (missing.length > 0) throw new CrestError(403, `The access token lacks the scope ${missing.join(" ")}`);
  }

  private key(id: string, jwk: Readonly<Record<string, unknown>>, alg: string): Promise<CryptoKey | Uint8Array> {
    const cacheKey = `${id}\u0000${alg}`;
    let key = this.keys.get(cacheKey);
    if (key === undefined) {
      const publicJwk: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(jwk)) if (!PRIVATE_MEMBERS.has(name)) publicJwk[name] = value;
      key = importJWK(publicJwk as JWK, alg);
      key.catch(() => this.keys.delete(cacheKey));
      this.keys.set(cacheKey, key);
    }
    return key;
  }

  private remember(token: string, entry: IssuedToken, now: number): void {
    for (const [old, held] of this.issued) if (held.expires <= now) this.issued.delete(old);
    while (this.issued.size >= MAX_LIVE_TOKENS) {
      const oldest = this.issued.keys().next().value;
      if (oldest === undefined) break;
      this.issued.delete(oldest);
    }
    this.issued.set(token, entry);
  }

  /** Answer `POST /am/oauth2/access_token` (the JWT-bearer grant of service accounts). */
  async tokenEndpoint(request: Request, url: URL): Promise<Response> {
    if (request.method !== "POST") {
      return new Response(JSON.stringify(new CrestError(405, `Method ${request.method} is not allowed on the token endpoint: use POST`).toJSON()), {
        status: 405,
        headers: { "content-type": "application/json; charset=UTF-8", allow: "POST" },
      });
    }
    const type = request.headers.get("content-type") ?? "";
    if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) return oauthError(400, "invalid_request", "The request body must be application/x-www-form-urlencoded");
    let text: string;
    try {
      text = await readBodyText(request, MAX_FORM_BYTES);
    } catch (error) {
      return oauthError(400, "invalid_request", error instanceof CrestError ? error.message : "The request body cannot be read");
    }
    const form = new URLSearchParams(text);
    const field = (name: string): string | undefined | null => {
      const values = form.getAll(name);
      return values.length > 1 ? null : values[0];
    };
    for (const name of ["grant_type", "client_id", "assertion", "scope"]) {
      if (field(name) === null) return oauthError(400, "invalid_request", `The parameter ${name} is given more than once`);
    }
    const grantType = field("grant_type");
    if (grantType === undefined) return oauthError(400, "invalid_request", "The parameter grant_type is missing");
    if (grantType !== JWT_BEARER_GRANT) return oauthError(400, "unsupported_grant_type", `The grant type must be ${JWT_BEARER_GRANT}`);
    if (field("client_id") !== "service-account") return oauthError(400, "invalid_client", "The client_id must be service-account");
    const assertion = field("assertion");
    if (assertion === undefined || assertion === null || assertion === "") return oauthError(400, "invalid_request", "The parameter assertion is missing");
    const scopeText = field("scope");
    const scopes = (scopeText ?? "").split(" ").filter((s) => s !== "");
    if (scopes.length === 0) return oauthError(400, "invalid_scope", "The parameter scope is missing");

    let issuer: unknown;
    let alg: unknown;
    try {
      issuer = decodeJwt(assertion).iss;
      alg = decodeProtectedHeader(assertion).alg;
    } catch {
      return oauthError(400, "invalid_grant", "The assertion is not a signed JWT");
    }
    const account = typeof issuer === "string" ? this.accounts.get(issuer) : undefined;
    if (account === undefined || typeof issuer !== "string") return oauthError(400, "invalid_grant", "The assertion's iss names no registered service account");
    const kty = account.publicJwk.kty as string;
    if (typeof alg !== "string" || !(ALGORITHMS[kty] ?? []).includes(alg)) {
      return oauthError(400, "invalid_grant", `The assertion's algorithm ${JSON.stringify(alg)} does not fit the service account's ${kty} key`);
    }
    const now = this.now();
    let payload;
    try {
      const key = await this.key(issuer, account.publicJwk, alg);
      ({ payload } = await jwtVerify(assertion, key, {
        algorithms: [alg],
        issuer,
        subject: issuer,
        currentDate: new Date(now),
        requiredClaims: ["iss", "sub", "aud", "exp", "jti"],
      }));
    } catch (error) {
      return oauthError(400, "invalid_grant", describeJoseError(error));
    }
    const expected = normalizeUrl(this.options.audience ?? `${url.origin}${TOKEN_ENDPOINT_PATH}`);
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (!audiences.some((aud) => typeof aud === "string" && normalizeUrl(aud) === expected)) {
      return oauthError(400, "invalid_grant", `The assertion's aud must be the token endpoint URL ${expected ?? ""}`);
    }
    const exp = payload.exp as number;
    if (exp * 1000 > now + MAX_ASSERTION_SECONDS * 1000) return oauthError(400, "invalid_grant", "The assertion's exp is more than 15 minutes ahead");
    const jti = payload.jti;
    if (typeof jti !== "string" || jti === "") return oauthError(400, "invalid_grant", "The assertion has no jti");
    for (const [key, until] of this.usedAssertions) if (until <= now) this.usedAssertions.delete(key);
    const replayKey = `${issuer}\u0000${jti}`;
    if (this.usedAssertions.has(replayKey)) return oauthError(400, "invalid_grant", "The assertion was used before (same jti)");
    const allowed = new Set(account.scopes);
    const refused = scopes.filter((scope) => !allowed.has(scope));
    if (refused.length > 0) return oauthError(400, "invalid_scope", `The service account may not ask for the scope ${refused.join(" ")}`);

    if (this.usedAssertions.size >= MAX_LIVE_TOKENS) {
      const oldest = this.usedAssertions.keys().next().value;
      if (oldest !== undefined) this.usedAssertions.delete(oldest);
    }
    this.usedAssertions.set(replayKey, exp * 1000);
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    const token = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    this.remember(token, { scopes: new Set(scopes), expires: now + TOKEN_LIFETIME_SECONDS * 1000 }, now);
    return new Response(JSON.stringify({ access_token: token, scope: scopes.join(" "), token_type: "Bearer", expires_in: TOKEN_LIFETIME_SECONDS }), {
      status: 200,
      headers: { "content-type": "application/json; charset=UTF-8", "cache-control": "no-store", pragma: "no-cache" },
    });
  }
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "The assertion has expired";
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "The assertion's signature does not verify with the service account's key";
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `The assertion's ${error.claim} claim is missing or wrong (${error.reason})`;
  if (error instanceof joseErrors.JOSEError) return "The assertion cannot be verified";
  return "The assertion cannot be verified";
}
