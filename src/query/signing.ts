import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { randomBytes, utf8ToBytes } from "@noble/hashes/utils.js";

// Cookie signing must run synchronously in every runtime (browsers, Deno, Bun, edge workers), so it
// uses @noble/hashes (audited, dependency-free, synchronous) instead of node:crypto or the
// asynchronous WebCrypto API.

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A fresh random secret (32 bytes from the platform's secure random source). */
export function randomSecret(): Uint8Array {
  return randomBytes(32);
}

/** Base64url text (no padding) of some bytes. */
export function bytesToBase64url(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
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
  return bytesToBase64url(utf8ToBytes(text));
}

/** SHA-256 of `text`, base64url, cut to `length` characters. */
export function digestText(text: string, length: number): string {
  return bytesToBase64url(sha256(utf8ToBytes(text))).slice(0, length);
}

/** HMAC-SHA-256 of `payload` under `secret`, base64url, cut to `length` characters. */
export function signText(secret: string | Uint8Array, payload: string, length: number): string {
  const key = typeof secret === "string" ? utf8ToBytes(secret) : secret;
  return bytesToBase64url(hmac(sha256, key, utf8ToBytes(payload))).slice(0, length);
}

/** Compare two strings in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
