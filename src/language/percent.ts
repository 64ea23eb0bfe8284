// Percent-encoding of UTF-8 bytes, shared by field pointers and `_queryFilter` values.

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8");

/** Percent-encode every UTF-8 byte of a string, with upper-case hex. */
export function percentEncode(text: string): string {
  let out = "";
  for (const byte of utf8.encode(text)) out += `%${byte < 16 ? "0" : ""}${byte.toString(16).toUpperCase()}`;
  return out;
}

/**
 * Decode `%XX` sequences as UTF-8 (invalid UTF-8 becomes U+FFFD, as servers decode it), and `+` as
 * a space when `plusIsSpace`. A `%` without two hex digits goes to `onBadEscape` with its offset.
 */
export function percentDecode(text: string, plusIsSpace: boolean, onBadEscape: (offset: number) => never): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x25 /* % */) {
      const bytes: number[] = [];
      while (text.charCodeAt(i) === 0x25) {
        const byte = hexByte(text, i + 1);
        if (byte < 0) onBadEscape(i);
        bytes.push(byte);
        i += 3;
      }
      out += utf8Decoder.decode(new Uint8Array(bytes));
    } else {
      out += plusIsSpace && c === 0x2b /* + */ ? " " : text[i];
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
