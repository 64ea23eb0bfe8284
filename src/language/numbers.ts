// Number literals as the server reads them: a word holding a `.` goes to Java's
// Double.parseDouble, any other word to Long.parseLong. Both accept a little more than the
// documented grammar (Java float syntax, Unicode decimal digits); we accept what they accept and
// report the surprising forms as lint notes.

/** A number literal that was read, with notes on forms that work but probably surprise. */
export interface NumberReading {
  readonly value: bigint | number;
  readonly note?: string;
}

/** Why a word is not a number literal. */
export interface NumberProblem {
  readonly code: "invalid-number" | "number-out-of-range";
  readonly problem: string;
  readonly hint?: string;
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const ASCII_INTEGER = /^[+-]?[0-9]+$/;
// Long.parseLong reads any BMP character that Character.digit knows as a decimal digit.
const UNICODE_INTEGER = /^[+-]?[\p{Nd}]+$/u;
const DECIMAL_DIGIT = /\p{Nd}/u;
// Java's grammar for Double.parseDouble, minus NaN/Infinity (which hold no `.`).
const JAVA_DECIMAL = /^[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|0[xX](?:[0-9a-fA-F]+\.?|[0-9a-fA-F]*\.[0-9a-fA-F]+)[pP][+-]?[0-9]+)[fFdD]?$/;
const PLAIN_DECIMAL = /^[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/**
 * Read a word in value position as a number, or say why it is not one.
 */
export function readNumber(word: string): NumberReading | NumberProblem {
  return word.includes(".") ? readDecimal(word) : readInteger(word);
}

function readInteger(word: string): NumberReading | NumberProblem {
  let digits = word;
  let note: string | undefined;
  if (!ASCII_INTEGER.test(word)) {
    if (UNICODE_INTEGER.test(word) && !/[\ud800-\udfff]/.test(word)) {
      digits = asciiDigits(word);
      note = `the server reads ${JSON.stringify(word)} as ${digits.replace(/^\+/, "")}; write it with ASCII digits`;
    } else {
      return notANumber(word);
    }
  }
  const value = BigInt(digits);
  if (value < LONG_MIN || value > LONG_MAX) {
    return {
      code: "number-out-of-range",
      problem: `Integer ${word} does not fit a signed 64-bit integer (the server's Long)`,
      hint: "integers must lie between -9223372036854775808 and 9223372036854775807; write a decimal such as 1.0e20 if an approximate value will do",
    };
  }
  return note === undefined ? { value } : { value, note };
}

function readDecimal(word: string): NumberReading | NumberProblem {
  // Java trims characters up to U+0020 around the number; words hold no spaces, but may hold tabs.
  const trimmed = word.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "");
  if (!JAVA_DECIMAL.test(trimmed)) return notANumber(word);
  const value = /^[+-]?0[xX]/.test(trimmed) ? hexDecimal(trimmed) : Number(trimmed.replace(/[fFdD]$/, ""));
  if (!Number.isFinite(value)) {
    return {
      code: "number-out-of-range",
      problem: `Decimal ${word} is too large for a double`,
      hint: "decimals must be finite: at most about 1.7976931348623157e308",
    };
  }
  const note = trimmed !== word
    ? "a tab or other control character around this number is ignored by the server; a space was probably meant"
    : PLAIN_DECIMAL.test(word)
      ? undefined
      : `the server reads Java number syntax ${JSON.stringify(word)} as ${formatDecimal(value)}; write that instead`;
  return note === undefined ? { value } : { value, note };
}

function notANumber(word: string): NumberProblem {
  const lower = word.toLowerCase();
  let hint: string;
  if (lower === "null") hint = "CREST filters have no null literal; test absence with !(/field pr)";
  else if (/^[+-]?[0-9]+[eE][+-]?[0-9]+$/.test(word)) hint = `an exponent needs a decimal point: write ${word.replace(/[eE]/, ".0e")}`;
  else if (/^[+-]?(nan|infinity)$/.test(lower)) hint = "only finite numbers can be compared";
  else if (/^[+-]?0x/i.test(word)) hint = "write integers in decimal digits";
  else hint = `quote it if it is text: "${word.replace(/["\\]/g, "\\$&")}"`;
  return { code: "invalid-number", problem: `Value ${JSON.stringify(word)} is not a string, a number, true or false`, hint };
}

function asciiDigits(word: string): string {
  let out = "";
  for (let i = 0; i < word.length; i++) {
    const ch = word[i] as string;
    if (ch === "+" || ch === "-") {
      out += ch;
      continue;
    }
    // Unicode encodes each decimal digit set as a run of ten code points from 0 to 9, and runs
    // may sit side by side: the digit is the distance from the start of the run, modulo ten.
    const code = word.charCodeAt(i);
    let start = code;
    while (start > 0 && DECIMAL_DIGIT.test(String.fromCharCode(start - 1))) start--;
    out += String((code - start) % 10);
  }
  return out;
}

function hexDecimal(text: string): number {
  const negative = text.startsWith("-");
  const body = text.replace(/^[+-]?0[xX]/, "").replace(/[fFdD]$/, "");
  const [mantissa = "", exponent = "0"] = body.split(/[pP]/);
  const [whole = "", fraction = ""] = mantissa.split(".");
  const digits = `${whole}${fraction}` || "0";
  let bits = BigInt(`0x${digits}`);
  let scale = Number(exponent) - 4 * fraction.length;
  // Keep the integer within double range before scaling; the dropped bits only round.
  const extra = bits.toString(2).length - 64;
  if (extra > 0) {
    bits >>= BigInt(extra);
    scale += extra;
  }
  let value = Number(bits);
  while (scale > 0) {
    const step = Math.min(scale, 1000);
    value *= 2 ** step;
    scale -= step;
  }
  while (scale < 0) {
    const step = Math.max(scale, -1000);
    value *= 2 ** step;
    scale -= step;
  }
  return negative ? -value : value;
}

/**
 * Write a finite double so the server reads it back as a decimal: always with a `.`
 * (`1.0`, `1.0e+21`, `-0.0`), never in a form such as `1e+21` that the server rejects.
 */
export function formatDecimal(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`Decimal values must be finite, got ${value}`);
  if (Object.is(value, -0)) return "-0.0";
  const text = String(value);
  if (text.includes(".")) return text;
  const e = text.indexOf("e");
  return e === -1 ? `${text}.0` : `${text.slice(0, e)}.0${text.slice(e)}`;
}

/** Whether a bigint fits the server's signed 64-bit integer. */
export function fitsLong(value: bigint): boolean {
  return value >= LONG_MIN && value <= LONG_MAX;
}
