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
// Long.parseLong reads any BMP character that Character.digit knows as a decimal digit.
const DECIMAL_DIGIT = /\p{Nd}/u;
// Longer integers than this (after leading zeros) cannot fit a Long; they are refused without
// converting them, so that a megabyte of digits costs a scan and no more.
const LONG_DIGITS = 19;
// Beyond these binary exponents every double is infinite or zero: scaling stops there.
const MAX_SCALE = 2200;

/**
 * Read a word in value position as a number, or say why it is not one. Every path is one pass
 * over the word (no backtracking regular expressions), so any word is read in linear time.
 */
export function readNumber(word: string): NumberReading | NumberProblem {
  return word.includes(".") ? readDecimal(word) : readInteger(word);
}

const isAsciiDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isHexDigit = (c: number): boolean => isAsciiDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);

function readInteger(word: string): NumberReading | NumberProblem {
  const signed = word.charCodeAt(0) === 0x2b || word.charCodeAt(0) === 0x2d;
  const first = signed ? 1 : 0;
  if (word.length === first) return notANumber(word);
  let ascii = true;
  for (let i = first; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (isAsciiDigit(c)) continue;
    // Surrogates are never digits to Long.parseLong, which reads UTF-16 units one by one.
    if (c < 0x80 || (c >= 0xd800 && c <= 0xdfff) || !DECIMAL_DIGIT.test(word[i] as string)) return notANumber(word);
    ascii = false;
  }
  const digits = ascii ? word : asciiDigits(word);
  let significant = first;
  while (significant < digits.length - 1 && digits.charCodeAt(significant) === 0x30) significant++;
  const value = digits.length - significant > LONG_DIGITS ? undefined : BigInt(digits);
  if (value === undefined || value < LONG_MIN || value > LONG_MAX) {
    return {
      code: "number-out-of-range",
      problem: `Integer ${shortWord(word)} does not fit a signed 64-bit integer (the server's Long)`,
      hint: "integers must lie between -9223372036854775808 and 9223372036854775807; write a decimal such as 1.0e20 if an approximate value will do",
    };
  }
  if (ascii) return { value };
  return { value, note: `the server reads ${describeWord(word)} as ${digits.replace(/^\+/, "")}; write it with ASCII digits` };
}

/** The parts of a decimal in Java's syntax, found in one pass; undefined when it is not one. */
interface DecimalShape {
  readonly start: number;
  readonly end: number;
  readonly hex: boolean;
  /** Only `[+-]digits.digits` with an optional exponent: the form this language documents. */
  readonly plain: boolean;
}

// Java's Double.parseDouble grammar (minus NaN and Infinity, which hold no `.`), after its trim of
// characters up to U+0020: [+-]? (digits . digits? exp? | . digits exp? | 0x hex (. hex?)? p exp) [fFdD]?
function decimalShape(word: string): DecimalShape | undefined {
  let start = 0;
  let end = word.length;
  while (start < end && word.charCodeAt(start) <= 0x20) start++;
  while (end > start && word.charCodeAt(end - 1) <= 0x20) end--;
  let i = start;
  if (word.charCodeAt(i) === 0x2b || word.charCodeAt(i) === 0x2d) i++;
  let plain = true;
  let hex = false;
  if (word.charCodeAt(i) === 0x30 && (word.charCodeAt(i + 1) | 0x20) === 0x78) {
    hex = true;
    plain = false;
    i += 2;
    const whole = i;
    while (i < end && isHexDigit(word.charCodeAt(i))) i++;
    let digits = i - whole;
    if (word.charCodeAt(i) === 0x2e) {
      i++;
      const fraction = i;
      while (i < end && isHexDigit(word.charCodeAt(i))) i++;
      digits += i - fraction;
    }
    if (digits === 0 || i >= end || (word.charCodeAt(i) | 0x20) !== 0x70) return undefined;
    i++;
    if (!exponentDigits()) return undefined;
  } else {
    const whole = i;
    while (i < end && isAsciiDigit(word.charCodeAt(i))) i++;
    let digits = i - whole;
    if (word.charCodeAt(i) === 0x2e) {
      i++;
      const fraction = i;
      while (i < end && isAsciiDigit(word.charCodeAt(i))) i++;
      digits += i - fraction;
    } else {
      plain = false;
    }
    if (digits === 0) return undefined;
    if (i < end && (word.charCodeAt(i) | 0x20) === 0x65) {
      i++;
      if (!exponentDigits()) return undefined;
    }
  }
  if (i < end && "fFdD".includes(word[i] as string)) {
    i++;
    plain = false;
  }
  if (i !== end) return undefined;
  return { start, end, hex, plain: plain && start === 0 && end === word.length };

  function exponentDigits(): boolean {
    if (word.charCodeAt(i) === 0x2b || word.charCodeAt(i) === 0x2d) i++;
    const from = i;
    while (i < end && isAsciiDigit(word.charCodeAt(i))) i++;
    return i > from;
  }
}

function readDecimal(word: string): NumberReading | NumberProblem {
  const shape = decimalShape(word);
  if (shape === undefined) return notANumber(word);
  let text = word.slice(shape.start, shape.end);
  if ("fFdD".includes(text[text.length - 1] as string)) text = text.slice(0, -1);
  const value = shape.hex ? hexDecimal(text) : Number(text);
  if (!Number.isFinite(value)) {
    return {
      code: "number-out-of-range",
      problem: `Decimal ${shortWord(word)} is too large for a double`,
      hint: "decimals must be finite: at most about 1.7976931348623157e308",
    };
  }
  const note = shape.start !== 0 || shape.end !== word.length
    ? "a tab or other control character around this number is ignored by the server; a space was probably meant"
    : shape.plain
      ? undefined
      : `the server reads Java number syntax ${describeWord(word)} as ${formatDecimal(value)}; write that instead`;
  return note === undefined ? { value } : { value, note };
}

function notANumber(word: string): NumberProblem {
  const lower = word.length > 12 ? "" : word.toLowerCase();
  let hint: string;
  if (lower === "null") hint = "CREST filters have no null literal; test absence with !(/field pr)";
  else if (word.length <= 60 && /^[+-]?[0-9]+[eE][+-]?[0-9]+$/.test(word)) hint = `an exponent needs a decimal point: write ${word.replace(/[eE]/, ".0e")}`;
  else if (/^[+-]?(nan|infinity)$/.test(lower)) hint = "only finite numbers can be compared";
  else if (/^[+-]?0x/i.test(word)) hint = "write integers in decimal digits";
  else hint = `quote it if it is text: "${describeWord(word).slice(1, -1)}"`;
  return { code: "invalid-number", problem: `Value ${describeWord(word)} is not a string, a number, true or false`, hint };
}

// A word for a message, cut short so that a megabyte of input is not echoed: as it is, or quoted.
function shortWord(word: string): string {
  return word.length > 40 ? `${word.slice(0, 40)}…` : word;
}
function describeWord(word: string): string {
  return JSON.stringify(shortWord(word));
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
    // Runs are short (at most a few sets), so this walk back is bounded.
    const code = word.charCodeAt(i);
    let start = code;
    while (start > 0 && code - start < 100 && DECIMAL_DIGIT.test(String.fromCharCode(start - 1))) start--;
    out += String((code - start) % 10);
  }
  return out;
}

// Java's hexadecimal floating point: 0x<hex>[.<hex>]p<exp>. At most 16 significant hex digits are
// kept (64 bits, more than a double's 53), with any further non-zero digit folded into the lowest
// bit so that the conversion to double still rounds correctly; the exponent is clamped where the
// result is already infinite or zero. So the cost is linear in the length, whatever the digits.
function hexDecimal(text: string): number {
  const negative = text.charCodeAt(0) === 0x2d;
  let i = text.indexOf("x") + 1 || text.indexOf("X") + 1;
  let mantissa = 0n;
  let kept = 0;
  let sticky = false;
  let scale = 0;
  let inFraction = false;
  for (; ; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      inFraction = true;
      continue;
    }
    if (!isHexDigit(c)) break;
    const digit = c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
    if (inFraction) scale -= 4;
    if (kept === 0 && digit === 0) continue;
    if (kept < 16) {
      mantissa = mantissa * 16n + BigInt(digit);
      kept++;
    } else {
      scale += 4;
      if (digit !== 0) sticky = true;
    }
  }
  // i is at the `p`.
  i++;
  let exponentSign = 1;
  if (text.charCodeAt(i) === 0x2b || text.charCodeAt(i) === 0x2d) {
    if (text.charCodeAt(i) === 0x2d) exponentSign = -1;
    i++;
  }
  let exponent = 0;
  for (; i < text.length; i++) {
    exponent = exponent * 10 + (text.charCodeAt(i) - 0x30);
    if (exponent > 1e9) exponent = 1e9; // far beyond any double; keeps the sum finite
  }
  if (mantissa === 0n) return negative ? -0 : 0;
  scale += exponentSign * exponent;
  if (sticky) mantissa |= 1n;
  // Below the normal range a double keeps fewer than 53 bits. Number(mantissa) would round to 53
  // bits and the scaling below round again (0x1.5fb0ce3f8bf696p-1023 came out one unit low), so
  // round once here, half to even, at the bit the result keeps; what is left converts and scales
  // exactly. (Far below, the result is zero anyway: no shift by a billion bits.)
  if (scale >= -MAX_SCALE) {
    const bits = mantissa.toString(2).length;
    const keep = bits + scale + 1074;
    if (keep < 53 && keep < bits) {
      const drop = BigInt(bits - keep);
      const rest = mantissa & ((1n << drop) - 1n);
      const half = 1n << (drop - 1n);
      mantissa >>= drop;
      if (rest > half || (rest === half && (mantissa & 1n) === 1n)) mantissa++;
      scale += bits - keep;
    }
  }
  let value = Number(mantissa);
  if (scale > MAX_SCALE) value = Infinity;
  else if (scale < -MAX_SCALE) value = 0;
  else {
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
