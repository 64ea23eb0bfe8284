// Percent-encoding and -decoding of UTF-8, the one implementation behind field pointers and
// `_queryFilter` values.

// What encodeURIComponent leaves as it is but RFC 3986 reserves: these are encoded too, so that
// only the unreserved characters A-Z a-z 0-9 - . _ ~ stay as they are.
const SUB_DELIMS = ["!", "'", "(", ")", "*"] as const;
const SUB_DELIM_CODES: readonly string[] = Object.assign([], { 0x21: "%21", 0x27: "%27", 0x28: "%28", 0x29: "%29", 0x2a: "%2A" });
// Where the next of each sub-delimiter is, reused between calls.
const next = [0, 0, 0, 0, 0];

/**
 * Percent-encode text for a URL query component: UTF-8, with every byte except the unreserved
 * `A-Z a-z 0-9 - . _ ~` written as `%XX` (upper-case hex). A space is `%20` and `+` is `%2B`,
 * because servers read a `+` in a query as a space. This is `encodeURIComponent` with
 * `! ' ( ) *` encoded as well.
 *
 * @throws TypeError on a lone surrogate, which UTF-8 cannot carry.
 *
 * @example
 * ```ts
 * import { encodeQueryComponent } from "crest-query";
 * encodeQueryComponent("a+b c"); // "a%2Bb%20c"
 * encodeQueryComponent("(x)!");  // "%28x%29%21"
 * ```
 */
export function encodeQueryComponent(text: string): string {
  let encoded: string;
  try {
    // encodeURIComponent leaves exactly A-Z a-z 0-9 - _ . ! ~ * ' ( ) as they are.
    encoded = encodeURIComponent(text);
  } catch {
    throw new TypeError(`Cannot encode a lone surrogate at offset ${loneSurrogateOffset(text)}`);
  }
  // They are rare: a scan of the char codes (or, on long text, five native searches) says
  // whether there are any; then the searches lead from one to the next, which beats a regular expression with a replacement
  // function several times over.
  let any = false;
  if (text.length <= 64) {
    if (!hasSubDelim(text)) return encoded;
    for (let k = 0; k < 5; k++) next[k] = encoded.indexOf(SUB_DELIMS[k] as string);
  } else {
    // On long text the native searches are faster than a loop over the char codes.
    for (let k = 0; k < 5; k++) {
      const at = encoded.indexOf(SUB_DELIMS[k] as string);
      next[k] = at;
      if (at !== -1) any = true;
    }
    if (!any) return encoded;
  }
  let out = "";
  let plain = 0;
  for (;;) {
    let which = -1;
    let at = encoded.length;
    for (let k = 0; k < 5; k++) {
      const p = next[k] as number;
      if (p !== -1 && p < at) {
        at = p;
        which = k;
      }
    }
    if (which === -1) return out + encoded.slice(plain);
    out += encoded.slice(plain, at) + (SUB_DELIM_CODES[encoded.charCodeAt(at)] as string);
    plain = at + 1;
    next[which] = encoded.indexOf(SUB_DELIMS[which] as string, plain);
  }
}

const SUB_DELIM = /[!'()*]/;
function hasSubDelim(text: string): boolean {
  return SUB_DELIM.test(text);
}

function loneSurrogateOffset(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    else if (c >= 0xd800 && c <= 0xdfff) return i;
  }
  return -1;
}

/**
 * Decode `%XX` sequences as UTF-8, and `+` as a space when `plusIsSpace`. Each run of escapes is
 * decoded the way Java's UTF-8 decoder does with replacement (what the servers use): U+FEFF is an
 * ordinary character, kept wherever it stands, and invalid UTF-8 becomes U+FFFD with Java's
 * counting (see decodeUtf8). A `%` without two hex digits goes to `onBadEscape` with its offset.
 */
export function percentDecode(text: string, plusIsSpace: boolean, onBadEscape: (offset: number) => never): string {
  let out = "";
  let i = 0;
  let plain = 0;
  const bytes: number[] = [];
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x25 /* % */) {
      out += text.slice(plain, i);
      bytes.length = 0;
      while (text.charCodeAt(i) === 0x25) {
        const byte = hexByte(text, i + 1);
        if (byte < 0) onBadEscape(i);
        bytes.push(byte);
        i += 3;
      }
      out += decodeUtf8(bytes);
      plain = i;
    } else if (plusIsSpace && c === 0x2b /* + */) {
      out += `${text.slice(plain, i)} `;
      plain = ++i;
    } else {
      i++;
    }
  }
  return out + text.slice(plain);
}

const REPLACEMENT = "\ufffd";
const isContinuation = (b: number): boolean => (b & 0xc0) === 0x80;

/**
 * Decode UTF-8 bytes as Java's decoder does with REPLACE, which differs from the WHATWG decoder
 * (TextDecoder) in two ways: a surrogate encoded in three bytes (ED A0 80) is one U+FFFD, not
 * three, and a sequence cut short by the end of the bytes is one U+FFFD for all that is left.
 * Otherwise each malformed sequence is replaced as Java counts it: a byte that cannot start a
 * sequence (80-C1, F5-FF) is one; a lead followed by a wrong byte is one, or two when the first
 * follow-up byte was right (E1 80 41 is U+FFFD then A).
 */
export function decodeUtf8(bytes: readonly number[]): string {
  let out = "";
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b1 = bytes[i] as number;
    const left = n - i;
    if (b1 < 0x80) {
      out += String.fromCharCode(b1);
      i++;
    } else if (b1 >= 0xc2 && b1 <= 0xdf) {
      if (left < 2) return out + REPLACEMENT;
      const b2 = bytes[i + 1] as number;
      if (!isContinuation(b2)) {
        out += REPLACEMENT;
        i++;
      } else {
        out += String.fromCharCode(((b1 & 0x1f) << 6) | (b2 & 0x3f));
        i += 2;
      }
    } else if (b1 >= 0xe0 && b1 <= 0xef) {
      const b2 = bytes[i + 1] as number;
      // E0 needs A0-BF next (anything lower is an overlong form).
      const badSecond = !isContinuation(b2) || (b1 === 0xe0 && b2 < 0xa0);
      if (left < 3) {
        if (left > 1 && badSecond) {
          out += REPLACEMENT;
          i++;
          continue;
        }
        return out + REPLACEMENT;
      }
      const b3 = bytes[i + 2] as number;
      if (badSecond || !isContinuation(b3)) {
        out += REPLACEMENT;
        i += badSecond ? 1 : 2;
        continue;
      }
      const c = ((b1 & 0x0f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
      out += c >= 0xd800 && c <= 0xdfff ? REPLACEMENT : String.fromCharCode(c);
      i += 3;
    } else if (b1 >= 0xf0 && b1 <= 0xf7) {
      const b2 = bytes[i + 1] as number;
      // F0 needs 90-BF next, F4 needs 80-8F; F5-F7 start nothing valid.
      const badSecond = b1 > 0xf4 || !isContinuation(b2) || (b1 === 0xf0 && b2 < 0x90) || (b1 === 0xf4 && b2 > 0x8f);
      if (left < 4) {
        if (b1 > 0xf4 || (left > 1 && badSecond)) {
          out += REPLACEMENT;
          i++;
          continue;
        }
        if (left > 2 && !isContinuation(bytes[i + 2] as number)) {
          out += REPLACEMENT;
          i += 2;
          continue;
        }
        return out + REPLACEMENT;
      }
      const b3 = bytes[i + 2] as number;
      const b4 = bytes[i + 3] as number;
      if (badSecond || !isContinuation(b3) || !isContinuation(b4)) {
        out += REPLACEMENT;
        i += badSecond ? 1 : !isContinuation(b3) ? 2 : 3;
        continue;
      }
      out += String.fromCodePoint(((b1 & 0x07) << 18) | ((b2 & 0x3f) << 12) | ((b3 & 0x3f) << 6) | (b4 & 0x3f));
      i += 4;
    } else {
      out += REPLACEMENT;
      i++;
    }
  }
  return out;
}

function hexByte(text: string, at: number): number {
  const hi = hexDigit(text.charCodeAt(at));
  const lo = hexDigit(text.charCodeAt(at + 1));
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}
