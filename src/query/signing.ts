import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { randomBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { CrestError } from "./crest-error.js";

// Cookie signing must run synchronously in every runtime (browsers, Deno, Bun, edge workers), so it
// uses @noble/hashes (audited, dependency-free, synchronous) instead of node:crypto or the
// asynchronous WebCrypto API.

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A fresh random secret (32 bytes from the platform's secure random source). */
export function randomSecret(): Uint8Array {
  return randomBytes(32);
}

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Base64url text (no padding) of some bytes. */
export function bytesToBase64url(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += BASE64URL[n >> 18]! + BASE64URL[(n >> 12) & 63]! + BASE64URL[(n >> 6) & 63]! + BASE64URL[n & 63]!;
  }
  if (i + 1 === bytes.length) {
    const n = bytes[i]! << 16;
    out += BASE64URL[n >> 18]! + BASE64URL[(n >> 12) & 63]!;
  } else if (i + 2 === bytes.length) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += BASE64URL[n >> 18]! + BASE64URL[(n >> 12) & 63]! + BASE64URL[(n >> 6) & 63]!;
  }
  return out;
}

/** The UTF-8 text held base64url-encoded in `text`; `undefined` if it is not valid base64url UTF-8. */
export function base64urlToText(text: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Base64url of the UTF-8 bytes of `text`. */
export function textToBase64url(text: string): string {
  return bytesToBase64url(utf8(text));
}

// Cookies and their payloads are short ASCII: their bytes are copied into one reused buffer
// (valid until the next call) instead of going through TextEncoder.
const asciiBuffer = new Uint8Array(1024);

function utf8(text: string): Uint8Array {
  if (text.length > asciiBuffer.length) return utf8ToBytes(text);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return utf8ToBytes(text);
    asciiBuffer[i] = c;
  }
  return asciiBuffer.subarray(0, text.length);
}

// Digests of recent texts: every page of a walk digests the same query text.
const digests = new Map<string, string>();
const DIGESTS_KEPT = 64;
const DIGEST_MEMO_MAX_TEXT = 4096;

/** SHA-256 of `text`, base64url, cut to `length` characters. */
export function digestText(text: string, length: number): string {
  let full = digests.get(text);
  if (full === undefined) {
    full = bytesToBase64url(sha256(utf8(text)));
    if (text.length <= DIGEST_MEMO_MAX_TEXT) {
      if (digests.size >= DIGESTS_KEPT) digests.delete(digests.keys().next().value as string);
      digests.set(text, full);
    }
  }
  return full.slice(0, length);
}

/** The part of @noble/hashes' HMAC used here. */
interface Mac {
  _cloneInto(to?: Mac): Mac;
  update(bytes: Uint8Array): unknown;
  digestInto(out: Uint8Array): void;
}

function createMac(key: Uint8Array): Mac {
  return hmac.create(sha256, key) as unknown as Mac;
}

/** An HMAC keyed once (its inner and outer pads hashed), copied for every message. */
interface KeyedMac {
  readonly key: Uint8Array;
  readonly base: Mac;
  scratch: Mac | undefined;
  /** Cookies recently sealed under this key, with their JSON: see {@link openCookie}. */
  readonly issued: Map<string, string>;
}

// How many sealed cookies each key remembers. A walk opens the cookie of the page before, so a
// few per walk in progress are enough; the oldest is forgotten first.
const ISSUED_KEPT = 256;
/** Longer cookies (a keyset holding long values) are not remembered, so the memory stays small. */
const ISSUED_MAX_LENGTH = 512;

// Keyed HMACs of the secrets in use: byte secrets by identity (checked against a copy, in case the
// caller changed the bytes), text secrets by value, a few at most.
const byBytes = new WeakMap<Uint8Array, KeyedMac>();
const byText = new Map<string, KeyedMac>();
const TEXT_SECRETS_KEPT = 8;
const mac32 = new Uint8Array(32);

function keyedMac(secret: string | Uint8Array): KeyedMac {
  if (typeof secret === "string") {
    let keyed = byText.get(secret);
    if (keyed === undefined) {
      const key = utf8ToBytes(secret);
      keyed = { key, base: createMac(key), scratch: undefined, issued: new Map() };
      if (byText.size >= TEXT_SECRETS_KEPT) byText.delete(byText.keys().next().value as string);
      byText.set(secret, keyed);
    }
    return keyed;
  }
  let keyed = byBytes.get(secret);
  if (keyed === undefined || !sameBytes(keyed.key, secret)) {
    const key = secret.slice();
    keyed = { key, base: createMac(key), scratch: undefined, issued: new Map() };
    byBytes.set(secret, keyed);
  }
  return keyed;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** HMAC-SHA-256 of `payload` under `secret`, base64url, cut to `length` characters. */
export function signText(secret: string | Uint8Array, payload: string, length: number): string {
  return sign(keyedMac(secret), payload, length);
}

function sign(keyed: KeyedMac, payload: string, length: number): string {
  const mac = keyed.base._cloneInto(keyed.scratch);
  keyed.scratch = mac;
  mac.update(utf8(payload));
  mac.digestInto(mac32);
  return bytesToBase64url(mac32).slice(0, length);
}

/** Compare two strings in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Length of a paging cookie's signature (base64url characters of HMAC-SHA-256: 132 bits). */
const COOKIE_MAC_LENGTH = 22;

/** A paging cookie holding `data`: its JSON, base64url, then `.` and its signature under `secret`. */
export function sealCookie(secret: string | Uint8Array, data: Readonly<Record<string, unknown>>): string {
  const json = JSON.stringify(data);
  const payload = textToBase64url(json);
  const keyed = keyedMac(secret);
  const cookie = `${payload}.${sign(keyed, payload, COOKIE_MAC_LENGTH)}`;
  const { issued } = keyed;
  if (cookie.length > ISSUED_MAX_LENGTH) return cookie;
  if (issued.size >= ISSUED_KEPT) issued.delete(issued.keys().next().value as string);
  issued.set(cookie, json);
  return cookie;
}

/** For tests: how many cookies sealed under `secret` are remembered. */
export function rememberedCookies(secret: string | Uint8Array): number {
  return keyedMac(secret).issued.size;
}

/** The 400 for a paging cookie that cannot be used, saying why. */
export function invalidCookie(why: string): CrestError {
  return CrestError.badRequest(`Invalid _pagedResultsCookie: ${why}`);
}

/**
 * The data of a cookie that {@link sealCookie} made under `secret`, checked against its signature
 * in constant time before it is read. What the data must hold is the caller's to check.
 *
 * @throws CrestError (400) when the cookie was not made here, was altered, or cannot be read.
 */
export function openCookie(secret: string | Uint8Array, cookie: string): Readonly<Record<string, unknown>> {
  // A cookie equal to one sealed here under this key is authentic: its JSON is read without
  // checking the signature again. (The lookup hashes the whole text the caller sent, so its time
  // tells nothing about how much of a forged signature is right.)
  const keyed = keyedMac(secret);
  let text = keyed.issued.get(cookie);
  if (text === undefined) {
    const dot = cookie.indexOf(".");
    const payload = dot === -1 ? "" : cookie.slice(0, dot);
    const mac = dot === -1 ? "" : cookie.slice(dot + 1);
    if (payload === "" || mac.length !== COOKIE_MAC_LENGTH || mac.includes(".")) throw invalidCookie("it is not a cookie this server made");
    if (!constantTimeEqual(mac, sign(keyed, payload, COOKIE_MAC_LENGTH))) throw invalidCookie("it is not a cookie this server made, or it was altered");
    text = base64urlToText(payload);
  }
  let data: unknown;
  try {
    data = text === undefined ? undefined : JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw invalidCookie("it cannot be read");
  return data as Readonly<Record<string, unknown>>;
}
