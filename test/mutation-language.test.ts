import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fitsLong, formatDecimal, readNumber, type NumberProblem, type NumberReading } from "../src/language/numbers.js";

// Tests written to kill mutants Stryker found alive in src/language/numbers.ts (see
// docs/mutation-testing.md). The oracle is Java itself: the expected values in JAVA below were
// produced once by OpenJDK 17's Long.parseLong (a word without a `.`) and Double.parseDouble (a word
// with one) and pasted here as data, so these tests run without Java. The properties use plain models:
// BigInt arithmetic, JavaScript's Number() where Java agrees with it (correctly rounded decimals), and
// exact hexadecimal midpoints between neighbouring doubles.

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const bitsOf = (x: number): bigint => ((f64[0] = x), u64[0] as bigint);
const fromBits = (b: bigint): number => ((u64[0] = b), f64[0] as number);
const hex16 = (b: bigint): string => b.toString(16).padStart(16, "0");

/** What readNumber made of a word, in the oracle's terms: L<long>, D<double bits>, R out of range, I invalid. */
function outcome(word: string): string {
  const r = readNumber(word);
  if ("code" in r) return r.code === "invalid-number" ? "I" : "R";
  return typeof r.value === "bigint" ? `L${r.value}` : `D${hex16(bitsOf(r.value))}`;
}

// Java's answers. L: Long.parseLong's value; D: the raw bits of Double.parseDouble's value; R: an
// integer of digits outside the Long range (NumberFormatException) or a decimal Java reads as
// infinite; I: NumberFormatException for any other reason.
const JAVA: ReadonlyArray<readonly [string, string]> = [
  ["0", "L0"],
  ["-0", "L0"],
  ["+0", "L0"],
  ["1", "L1"],
  ["-1", "L-1"],
  ["+1", "L1"],
  ["007", "L7"],
  ["-007", "L-7"],
  ["+007", "L7"],
  ["", "I"],
  ["+", "I"],
  ["-", "I"],
  ["+-1", "I"],
  ["-+1", "I"],
  ["1-", "I"],
  ["1+", "I"],
  ["--1", "I"],
  ["++1", "I"],
  [" 1", "I"],
  ["1 ", "I"],
  ["\t1", "I"],
  ["1a", "I"],
  ["a1", "I"],
  ["1\u00e9", "I"],
  ["1\u00a0", "I"],
  ["1/", "I"],
  ["1:", "I"],
  ["\u0080", "I"],
  ["1\u0080", "I"],
  ["\u0661\u0662\u0663", "L123"],
  ["-\u0661\u0662", "L-12"],
  ["+\u0661\u0662", "L12"],
  ["\u0660", "L0"],
  ["-\u0660", "L0"],
  ["+\u0669", "L9"],
  ["\uff10\uff11\uff12\uff13", "L123"],
  ["-\uff10\uff19", "L-9"],
  ["\u096f", "L9"],
  ["1\u06623", "L123"],
  ["\u065f1", "I"],
  ["1\u066a", "I"],
  ["\uff19", "L9"],
  ["1\uff1a", "I"],
  ["1\uff0f", "I"],
  ["\u09e6\u09ef", "L9"],
  ["\u1040\u1049", "L9"],
  ["\u1090\u1099", "L9"],
  ["\u1a80\u1a89\u1a90\u1a99", "L909"],
  ["\uabf0\uabf9", "L9"],
  ["\ua9f0\ua9f9", "L9"],
  ["\ud835\udfce", "I"],
  ["1\ud835\udfcf", "I"],
  ["\ud800", "I"],
  ["1\udfff", "I"],
  ["1\udc00", "I"],
  ["1\ud7ff", "I"],
  ["1\ue000", "I"],
  ["9223372036854775807", "L9223372036854775807"],
  ["9223372036854775808", "R"],
  ["-9223372036854775808", "L-9223372036854775808"],
  ["-9223372036854775809", "R"],
  ["+9223372036854775807", "L9223372036854775807"],
  ["+9223372036854775808", "R"],
  ["0009223372036854775807", "L9223372036854775807"],
  ["-0009223372036854775808", "L-9223372036854775808"],
  ["-0009223372036854775809", "R"],
  ["+0009223372036854775808", "R"],
  ["00000000000000000000001", "L1"],
  ["0000000000000000001", "L1"],
  ["-0000000000000000001", "L-1"],
  ["1000000000000000000", "L1000000000000000000"],
  ["10000000000000000000", "R"],
  ["-10000000000000000000", "R"],
  ["99999999999999999999", "R"],
  ["-00000000000000000000", "L0"],
  ["000000000000000000000000000000", "L0"],
  ["1111111111111111111111111111111111111111", "R"],
  ["11111111111111111111111111111111111111111", "R"],
  ["1".repeat(1000), "R"],
  ["\uff19\uff12\uff12\uff13\uff13\uff17\uff12\uff10\uff13\uff16\uff18\uff15\uff14\uff17\uff17\uff15\uff18\uff10\uff17", "L9223372036854775807"],
  ["\uff19\uff12\uff12\uff13\uff13\uff17\uff12\uff10\uff13\uff16\uff18\uff15\uff14\uff17\uff17\uff15\uff18\uff10\uff18", "R"],
  ["-\u0669\u0662\u0662\u0663\u0663\u0667\u0662\u0660\u0663\u0666\u0668\u0665\u0664\u0667\u0667\u0665\u0668\u0660\u0668", "L-9223372036854775808"],
  ["-\u0669\u0662\u0662\u0663\u0663\u0667\u0662\u0660\u0663\u0666\u0668\u0665\u0664\u0667\u0667\u0665\u0668\u0660\u0669", "R"],
  ["\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0667", "L7"],
  ["1e5", "I"],
  ["1E5", "I"],
  ["+1e-5", "I"],
  ["-1E+5", "I"],
  ["null", "I"],
  ["NULL", "I"],
  ["Null", "I"],
  ["NaN", "I"],
  ["-Infinity", "I"],
  ["+nan", "I"],
  ["infinity", "I"],
  ["0x10", "I"],
  ["-0X1f", "I"],
  ["0x1p1", "I"],
  ["true", "I"],
  ["1.5", "D3ff8000000000000"],
  ["-1.5", "Dbff8000000000000"],
  ["+1.5", "D3ff8000000000000"],
  [".5", "D3fe0000000000000"],
  ["-.5", "Dbfe0000000000000"],
  ["+.5", "D3fe0000000000000"],
  ["1.", "D3ff0000000000000"],
  ["-1.", "Dbff0000000000000"],
  ["-0.0", "D8000000000000000"],
  ["0.0", "D0000000000000000"],
  ["+0.0", "D0000000000000000"],
  ["-.0", "D8000000000000000"],
  ["-0.", "D8000000000000000"],
  [".", "I"],
  ["+.", "I"],
  ["-.", "I"],
  ["..", "I"],
  ["1..5", "I"],
  ["1.5.", "I"],
  [".e5", "I"],
  ["1.e5", "D40f86a0000000000"],
  [".5e-3", "D3f40624dd2f1a9fc"],
  ["1.5e", "I"],
  ["1.5e+", "I"],
  ["1.5e-", "I"],
  ["1.5E+3", "D4097700000000000"],
  ["1.5e3d", "D4097700000000000"],
  ["1.5f", "D3ff8000000000000"],
  ["1.5F", "D3ff8000000000000"],
  ["1.5D", "D3ff8000000000000"],
  ["1.5d", "D3ff8000000000000"],
  ["1.5dd", "I"],
  ["1.5fd", "I"],
  ["1.5x", "I"],
  ["1.5e3.0", "I"],
  ["1.5e03", "D4097700000000000"],
  ["e.5", "I"],
  ["1.5e3f", "D4097700000000000"],
  [".5E-3D", "D3f40624dd2f1a9fc"],
  ["1_0.5", "I"],
  ["1.5e1_0", "I"],
  ["1.7976931348623157e308", "D7fefffffffffffff"],
  ["1.7976931348623158e308", "D7fefffffffffffff"],
  ["1.7976931348623159e308", "R"],
  ["1.8e308", "R"],
  ["-1.8e308", "R"],
  ["179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791.9", "D7fefffffffffffff"],
  ["4.9e-324", "D0000000000000001"],
  ["-4.9e-324", "D8000000000000001"],
  ["2.4703282292062327e-324", "D0000000000000000"],
  ["2.4703282292062328e-324", "D0000000000000001"],
  ["1.0e-400", "D0000000000000000"],
  ["-1.0e-400", "D8000000000000000"],
  ["1.0e99999999999", "R"],
  ["1.0e-99999999999", "D0000000000000000"],
  ["0.1", "D3fb999999999999a"],
  ["123456789012345678901234567890.5", "D45f8ee90ff6c373e"],
  ["9007199254740993.0", "D4340000000000000"],
  ["2.2250738585072011e-308", "D000fffffffffffff"],
  ["2.2250738585072012e-308", "D0010000000000000"],
  ["2.2250738585072014e-308", "D0010000000000000"],
  ["2.225073858507201e-308", "D000fffffffffffff"],
  ["\t1.5", "D3ff8000000000000"],
  ["1.5\t", "D3ff8000000000000"],
  ["\n1.5\n", "D3ff8000000000000"],
  [" 1.5", "D3ff8000000000000"],
  ["1.5 ", "D3ff8000000000000"],
  ["\u00001.5", "D3ff8000000000000"],
  ["1.5\u0000", "D3ff8000000000000"],
  ["\u00011.5", "D3ff8000000000000"],
  ["1.5\u001f", "D3ff8000000000000"],
  ["\u00a01.5", "I"],
  ["\u20281.5", "I"],
  ["1.5\u3000", "I"],
  ["\t0x1.8p1", "D4008000000000000"],
  ["\t-0x1.8p1", "Dc008000000000000"],
  ["\t-1.5\t", "Dbff8000000000000"],
  ["\t.\t", "I"],
  ["1.5!", "I"],
  ["\r\n.5e1d\r\n", "D4014000000000000"],
  ["0x1.8p1", "D4008000000000000"],
  ["0X1.8P1", "D4008000000000000"],
  ["-0x1.8p1", "Dc008000000000000"],
  ["+0x1.8p1", "D4008000000000000"],
  ["0x1.p1", "D4000000000000000"],
  ["0x.8p1", "D3ff0000000000000"],
  ["0x.p1", "I"],
  ["0x1.8", "I"],
  ["0x1.8p", "I"],
  ["0x1.8p+", "I"],
  ["0x1.8p-", "I"],
  ["0x1.8q1", "I"],
  ["0x1.8p1f", "D4008000000000000"],
  ["0x1.8p1D", "D4008000000000000"],
  ["0x1.8e1", "I"],
  ["0x1.8p1.5", "I"],
  ["0xa.p0", "D4024000000000000"],
  ["0xA.p0", "D4024000000000000"],
  ["0xf.p0", "D402e000000000000"],
  ["0xF.P0", "D402e000000000000"],
  ["0x9.p0", "D4022000000000000"],
  ["0x0.9p4", "D4022000000000000"],
  ["0xg.p0", "I"],
  ["0x@.p0", "I"],
  ["0x1.@p0", "I"],
  ["0x`.p0", "I"],
  ["0x/.p0", "I"],
  ["0x:.p0", "I"],
  ["0x1.0p+1", "D4000000000000000"],
  ["0x1.0p-1", "D3fe0000000000000"],
  ["0x1.0p10", "D4090000000000000"],
  ["0x1.0p1023", "D7fe0000000000000"],
  ["0x1.0p1024", "R"],
  ["-0x1.0p1024", "R"],
  ["0x1.fffffffffffffp1023", "D7fefffffffffffff"],
  ["0x1.fffffffffffff8p1023", "R"],
  ["0x1.fffffffffffff7ffp1023", "D7fefffffffffffff"],
  ["0x1234567.0p8", "D41f2345670000000"],
  ["0xffffffffffffffff.p0", "D43f0000000000000"],
  ["0xfffffffffffffc00.p0", "D43f0000000000000"],
  ["0xfffffffffffffc01.p0", "D43f0000000000000"],
  ["0x1.0p-1022", "D0010000000000000"],
  ["0x1.0p-1074", "D0000000000000001"],
  ["0x1.0p-1075", "D0000000000000000"],
  ["0x1.8p-1075", "D0000000000000001"],
  ["0x1.0000000000001p-1075", "D0000000000000001"],
  ["0x1.0p-1076", "D0000000000000000"],
  ["-0x1.0p-1076", "D8000000000000000"],
  ["0x0.0000000000001p-1022", "D0000000000000001"],
  ["0x.0000000000001p-1022", "D0000000000000001"],
  ["0x0.fffffffffffff8p-1022", "D0010000000000000"],
  ["0x1.fffffffffffff8p-1023", "D0010000000000000"],
  ["0x1.5fb0ce3f8bf696p-1023", "D000afd8671fc5fb5"],
  ["0x1.68bc30f0708228cp-1023", "D000b45e187838411"],
  ["0x1.1108f0300335f9p-1028", "D000044423c0c00cd"],
  ["0x1.0000000000000800p0", "D3ff0000000000000"],
  ["0x1.0000000000000801p0", "D3ff0000000000001"],
  ["0x1.00000000000008p0", "D3ff0000000000000"],
  ["0x1.00000000000018p0", "D3ff0000000000002"],
  ["0x1.000000000000080000000000000000000001p0", "D3ff0000000000001"],
  ["0x000000000000000000001.8p0", "D3ff8000000000000"],
  ["0x0.000000000000000000001p80", "D3fb0000000000000"],
  ["0x1000000000000000000000000000000.0p-120", "D3ff0000000000000"],
  ["0x1.0p999999999999", "R"],
  ["0x1.0p-999999999999", "D0000000000000000"],
  ["-0x0.0p0", "D8000000000000000"],
  ["0x0.0p99999", "D0000000000000000"],
  ["0x0.0p-0", "D0000000000000000"],
  ["0x0000000000000000000000000000000000000000.p5", "D0000000000000000"],
  ["0x1.0p999999999999999999999999999999", "R"],
  ["-0x1.0p-999999999999999999999999999999", "D8000000000000000"],
  ["0x1.0p0.", "I"],
  ["0x1..0p0", "I"],
  ["00x1.0p0", "I"],
  ["0xx1.0p0", "I"],
  ["0x-1.0p0", "I"],
  ["0x1.0p0 ", "D3ff0000000000000"],
  ["0x.0000000000000000000001p100", "D40b0000000000000"],
  ["0x123456789abcdef0123.p0", "D44723456789abcdf"],
  ["0x1.23456789abcdef0123p-1060", "D00000000000048d1"],
  ["0x1.0p2200", "R"],
  ["0x1.0p-2200", "D0000000000000000"],
  ["0x0.000001p2220", "R"],
  ["0x100000.p-2220", "D0000000000000000"],

];

describe("readNumber against Java (Long.parseLong / Double.parseDouble)", () => {
  it("gives Java's answer for every word of the table", () => {
    const wrong = JAVA.filter(([word, java]) => outcome(word) !== java).map(([word, java]) => ({ word, java, got: outcome(word) }));
    expect(wrong).toEqual([]);
    expect(JAVA.length).toBeGreaterThan(250);
  });

  it("reads ASCII integers exactly, with no note", () => {
    expect(readNumber("42")).toStrictEqual({ value: 42n });
    expect(readNumber("-007")).toStrictEqual({ value: -7n });
    expect(readNumber("+0")).toStrictEqual({ value: 0n });
    expect(readNumber("9223372036854775807")).toStrictEqual({ value: LONG_MAX });
    expect(readNumber("-9223372036854775808")).toStrictEqual({ value: LONG_MIN });
    // Leading zeros do not count towards the 19 digits a Long can hold.
    expect(readNumber("0".repeat(30) + "9223372036854775807")).toStrictEqual({ value: LONG_MAX });
    expect(readNumber("-" + "0".repeat(30) + "9223372036854775808")).toStrictEqual({ value: LONG_MIN });
    expect(readNumber("0".repeat(18) + "1")).toStrictEqual({ value: 1n });
    expect(readNumber("0".repeat(40))).toStrictEqual({ value: 0n });
    expect(readNumber("-" + "0".repeat(40))).toStrictEqual({ value: 0n });
  });

  it("reads Unicode decimal digits as Long.parseLong does, with a note", () => {
    expect(readNumber("\u0661\u0662")).toStrictEqual({ value: 12n, note: 'the server reads "\u0661\u0662" as 12; write it with ASCII digits' });
    expect(readNumber("+\u0661\u0662")).toStrictEqual({ value: 12n, note: 'the server reads "+\u0661\u0662" as 12; write it with ASCII digits' });
    expect(readNumber("-\u0661\u0662")).toStrictEqual({ value: -12n, note: 'the server reads "-\u0661\u0662" as -12; write it with ASCII digits' });
    expect(readNumber("\uff10\uff10\uff17")).toStrictEqual({ value: 7n, note: 'the server reads "\uff10\uff10\uff17" as 007; write it with ASCII digits' });
    expect(readNumber("1\u0969")).toStrictEqual({ value: 13n, note: 'the server reads "1\u0969" as 13; write it with ASCII digits' });
    expect(readNumber("-\uff19\uff12\uff12\uff13\uff13\uff17\uff12\uff10\uff13\uff16\uff18\uff15\uff14\uff17\uff17\uff15\uff18\uff10\uff18")).toStrictEqual({
      value: LONG_MIN,
      note: 'the server reads "-\uff19\uff12\uff12\uff13\uff13\uff17\uff12\uff10\uff13\uff16\uff18\uff15\uff14\uff17\uff17\uff15\uff18\uff10\uff18" as -9223372036854775808; write it with ASCII digits',
    });
    // Not digits: other non-ASCII characters, and supplementary digits (two UTF-16 units, each no digit).
    for (const word of ["1\u00e9", "\u00e91", "1\u0080", "1\u066a", "1\uff1a", "\ud835\udfce", "1\ud800", "1\udfff", "1\ud7ff", "1\ue000"]) {
      expect(readNumber(word)).toMatchObject({ code: "invalid-number" });
    }
  });

  it("refuses integers outside the Long range, with the word cut at 40 characters", () => {
    const hint = "integers must lie between -9223372036854775808 and 9223372036854775807; write a decimal such as 1.0e20 if an approximate value will do";
    const range = (shown: string): NumberProblem => ({ code: "number-out-of-range", problem: `Integer ${shown} does not fit a signed 64-bit integer (the server's Long)`, hint });
    expect(readNumber("9223372036854775808")).toStrictEqual(range("9223372036854775808"));
    expect(readNumber("-9223372036854775809")).toStrictEqual(range("-9223372036854775809"));
    expect(readNumber("+9223372036854775808")).toStrictEqual(range("+9223372036854775808"));
    expect(readNumber("000" + "9223372036854775808")).toStrictEqual(range("0009223372036854775808"));
    expect(readNumber("1" + "0".repeat(19))).toStrictEqual(range("1" + "0".repeat(19)));
    const forty = "1".repeat(40);
    expect(readNumber(forty)).toStrictEqual(range(forty));
    expect(readNumber(forty + "2")).toStrictEqual(range(forty + "\u2026"));
    expect(readNumber("9".repeat(100_000))).toStrictEqual(range("9".repeat(40) + "\u2026"));
    expect(readNumber("\u0669".repeat(20))).toStrictEqual(range("\u0669".repeat(20)));
  });

  it("reads the documented decimals with no note", () => {
    for (const [word, value] of [["1.5", 1.5], ["-1.5", -1.5], ["+1.5", 1.5], [".5", 0.5], ["-.5", -0.5], ["1.", 1], ["0.0", 0], ["1.5e3", 1500], ["2.5E+2", 250], ["1.5e-3", 0.0015], ["1.0e21", 1e21]] as const) {
      expect(readNumber(word)).toStrictEqual({ value });
    }
    const negativeZero = readNumber("-0.0") as NumberReading;
    expect(Object.is(negativeZero.value, -0)).toBe(true);
    expect(negativeZero).toStrictEqual({ value: -0 });
  });

  it("reads Java's other decimal syntax with a note giving the plain form", () => {
    const java = (word: string, value: number, shown: string): NumberReading => ({ value, note: `the server reads Java number syntax ${JSON.stringify(word)} as ${shown}; write that instead` });
    expect(readNumber("1.5f")).toStrictEqual(java("1.5f", 1.5, "1.5"));
    expect(readNumber("1.5D")).toStrictEqual(java("1.5D", 1.5, "1.5"));
    expect(readNumber("1.e5d")).toStrictEqual(java("1.e5d", 100000, "100000.0"));
    expect(readNumber("0x1.8p1")).toStrictEqual(java("0x1.8p1", 3, "3.0"));
    expect(readNumber("0X1.8P1")).toStrictEqual(java("0X1.8P1", 3, "3.0"));
    expect(readNumber("-0x1.8p1")).toStrictEqual(java("-0x1.8p1", -3, "-3.0"));
    expect(readNumber("-0x0.0p0")).toStrictEqual(java("-0x0.0p0", -0, "-0.0"));
    expect(readNumber("0x1.0p70")).toStrictEqual(java("0x1.0p70", 2 ** 70, "1.1805916207174113e+21"));
    expect(readNumber("0x1.0p-1074")).toStrictEqual(java("0x1.0p-1074", 5e-324, "5.0e-324"));
    const long = `0x1.${"0".repeat(60)}p0`;
    expect(readNumber(long)).toStrictEqual({ value: 1, note: `the server reads Java number syntax "${long.slice(0, 40)}\u2026" as 1.0; write that instead` });
  });

  it("notes control characters around a decimal, which the server trims", () => {
    const note = "a tab or other control character around this number is ignored by the server; a space was probably meant";
    for (const word of ["\t1.5", "1.5\t", "\t1.5\t", " 1.5", "1.5 ", "\u00001.5", "\u001f1.5", "1.5\n", "\t1.5f", "\r\n1.5\r\n"]) {
      expect(readNumber(word), JSON.stringify(word)).toStrictEqual({ value: 1.5, note });
    }
    expect(readNumber("\u00011.5")).toStrictEqual({ value: 1.5, note });
    expect(readNumber("\t-0x1.8p1")).toStrictEqual({ value: -3, note });
    expect(readNumber(" -0x1.8p1 ")).toStrictEqual({ value: -3, note });
    // Only characters up to U+0020 are trimmed.
    for (const word of ["\u00a01.5", "1.5\u00a0", "\u20281.5", "!1.5", "1.5!"]) expect(readNumber(word)).toMatchObject({ code: "invalid-number" });
  });

  it("refuses a decimal that is infinite as a double", () => {
    const range = (shown: string): NumberProblem => ({ code: "number-out-of-range", problem: `Decimal ${shown} is too large for a double`, hint: "decimals must be finite: at most about 1.7976931348623157e308" });
    expect(readNumber("1.8e308")).toStrictEqual(range("1.8e308"));
    expect(readNumber("-1.8e308")).toStrictEqual(range("-1.8e308"));
    expect(readNumber("0x1.0p1024")).toStrictEqual(range("0x1.0p1024"));
    expect(readNumber("0x1.0p99999999999999999999")).toStrictEqual(range("0x1.0p99999999999999999999"));
    expect(readNumber(`1.0e${"9".repeat(50)}`)).toStrictEqual(range(`1.0e${"9".repeat(36)}\u2026`));
    expect(readNumber("1.7976931348623157e308")).toStrictEqual({ value: 1.7976931348623157e308 });
  });
});

describe("readNumber: why a word is not a number", () => {
  const problem = (word: string, hint: string): NumberProblem => ({
    code: "invalid-number",
    problem: `Value ${JSON.stringify(word.length > 40 ? `${word.slice(0, 40)}\u2026` : word)} is not a string, a number, true or false`,
    hint,
  });
  const quote = (word: string): string => `quote it if it is text: ${JSON.stringify(word.length > 40 ? `${word.slice(0, 40)}\u2026` : word)}`;

  it("says there is no null", () => {
    for (const word of ["null", "NULL", "nUlL"]) expect(readNumber(word)).toStrictEqual(problem(word, "CREST filters have no null literal; test absence with !(/field pr)"));
    expect(readNumber("nulls")).toStrictEqual(problem("nulls", quote("nulls")));
  });

  it("says an exponent needs a decimal point", () => {
    const hint = (fixed: string) => `an exponent needs a decimal point: write ${fixed}`;
    expect(readNumber("1e5")).toStrictEqual(problem("1e5", hint("1.0e5")));
    expect(readNumber("+12E-5")).toStrictEqual(problem("+12E-5", hint("+12.0e-5")));
    expect(readNumber("-1e+55")).toStrictEqual(problem("-1e+55", hint("-1.0e+55")));
    const sixty = `${"1".repeat(56)}e100`;
    expect(sixty).toHaveLength(60);
    expect(readNumber(sixty)).toStrictEqual(problem(sixty, hint(`${"1".repeat(56)}.0e100`)));
    const sixtyOne = `1${sixty}`;
    expect(readNumber(sixtyOne)).toStrictEqual(problem(sixtyOne, quote(sixtyOne)));
    for (const word of ["a1e5", "1e5a", "1e", "e5", "1e5e5", "1e++5", "1f5"]) expect(readNumber(word)).toStrictEqual(problem(word, quote(word)));
  });

  it("says only finite numbers can be compared", () => {
    for (const word of ["NaN", "nan", "+NaN", "-nan", "Infinity", "-Infinity", "+INFINITY"]) {
      expect(readNumber(word)).toStrictEqual(problem(word, "only finite numbers can be compared"));
    }
    for (const word of ["xnan", "nanx", "+-nan", "infinity1", "-infinityy"]) expect(readNumber(word)).toStrictEqual(problem(word, quote(word)));
  });

  it("says integers are written in decimal digits", () => {
    for (const word of ["0x10", "0X1F", "-0x1", "+0xff", "0x", "0x1.8", "0x1.8q1"]) expect(readNumber(word)).toStrictEqual(problem(word, "write integers in decimal digits"));
    for (const word of ["a0x1", "00x1", "x0x1", "+-0x1"]) expect(readNumber(word)).toStrictEqual(problem(word, quote(word)));
  });

  it("suggests quotes for anything else, escaped as a JSON string", () => {
    expect(readNumber("abc")).toStrictEqual(problem("abc", 'quote it if it is text: "abc"'));
    expect(readNumber('a"b')).toStrictEqual(problem('a"b', 'quote it if it is text: "a\\"b"'));
    expect(readNumber("\t1")).toStrictEqual(problem("\t1", 'quote it if it is text: "\\t1"'));
    expect(readNumber("")).toStrictEqual(problem("", 'quote it if it is text: ""'));
    expect(readNumber("-")).toStrictEqual(problem("-", 'quote it if it is text: "-"'));
    const forty = "x".repeat(40);
    expect(readNumber(forty)).toStrictEqual(problem(forty, `quote it if it is text: "${forty}"`));
    expect(readNumber(`${forty}y`)).toStrictEqual(problem(`${forty}y`, `quote it if it is text: "${forty}\u2026"`));
    expect(readNumber(`${forty}y`)).toMatchObject({ problem: `Value "${forty}\u2026" is not a string, a number, true or false` });
  });

  it("keeps the classes apart: a long word is never taken for null or NaN", () => {
    for (const word of [`null${" ".repeat(9)}`, `NaN${"x".repeat(10)}`]) expect(readNumber(word)).toStrictEqual(problem(word, quote(word)));
  });
});

describe("readNumber: hexadecimal floating point", () => {
  // Java's Double.toHexString form of a finite double: exact, so it must read back to the same bits.
  function javaHex(x: number): string {
    const b = bitsOf(x);
    const sign = b >> 63n ? "-" : "";
    const exponent = Number((b >> 52n) & 0x7ffn);
    const fraction = (b & 0xfffffffffffffn).toString(16).padStart(13, "0");
    if (exponent === 0) return `${sign}0x0.${fraction}p-1022`;
    return `${sign}0x1.${fraction}p${exponent - 1023}`;
  }

  it("reads Double.toHexString's form of any finite double back exactly", () => {
    const doubles = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.bigInt({ min: 0n, max: 0x0020000000000000n }).map(fromBits),
      fc.constantFrom(0, -0, 5e-324, -5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, Number.MAX_VALUE, -Number.MAX_VALUE, 1, 0.1),
    );
    fc.assert(fc.property(doubles, fc.nat(30), fc.boolean(), (x, zeros, upper) => {
      let word = javaHex(x).replace("p", `${"0".repeat(zeros)}p`);
      if (upper) word = word.toUpperCase();
      const r = readNumber(word) as NumberReading;
      expect(bitsOf(r.value as number)).toBe(bitsOf(x));
      expect(r.note).toBe(`the server reads Java number syntax ${JSON.stringify(word.length > 40 ? `${word.slice(0, 40)}\u2026` : word)} as ${formatDecimal(x)}; write that instead`);
    }), { numRuns: 3000 });
  });

  it("rounds a subnormal result once (it was rounded to 53 bits, then again when scaled)", () => {
    // Java's answers; before the fix each of these came out one unit off.
    expect(hex16(bitsOf((readNumber("0x1.5fb0ce3f8bf696p-1023") as NumberReading).value as number))).toBe("000afd8671fc5fb5");
    expect(hex16(bitsOf((readNumber("0x1.68bc30f0708228cp-1023") as NumberReading).value as number))).toBe("000b45e187838411");
    expect(readNumber("0x1.00000000000001p-1075")).toMatchObject({ value: 5e-324 });
    expect(readNumber("-0x1.00000000000001p-1075")).toMatchObject({ value: -5e-324 });
  });

  it("rounds once, half to even, at the bit the double keeps (normal and subnormal)", () => {
    // Between the double with bits b (b >= 0) and the next one lies the exact midpoint
    // (2m + 1) * 2^(e - 1), where b's value is m * 2^e. Java rounds it to the even neighbour, a
    // hair above it to the upper one and a hair below to the lower one.
    const bits = fc.oneof(
      fc.bigInt({ min: 0n, max: 0x7fefffffffffffffn }),
      fc.bigInt({ min: 0n, max: 0x0030000000000000n }),
      fc.bigInt({ min: 0x7fe0000000000000n, max: 0x7fefffffffffffffn }),
      fc.constantFrom(0n, 1n, 2n, 0x000fffffffffffffn, 0x0010000000000000n, 0x7fefffffffffffffn),
    );
    const expectBits = (word: string, b: bigint) => {
      if (b === 0x7ff0000000000000n) expect(readNumber(word), word).toMatchObject({ code: "number-out-of-range" });
      else expect(hex16(bitsOf((readNumber(word) as NumberReading).value as number)), word).toBe(hex16(b));
    };
    fc.assert(fc.property(bits, fc.nat(24), fc.boolean(), (b, zeros, negative) => {
      const field = b >> 52n;
      const m = field === 0n ? b & 0xfffffffffffffn : (b & 0xfffffffffffffn) | (1n << 52n);
      const e = field === 0n ? -1074 : Number(field) - 1075;
      const sign = negative ? "-" : "";
      const even = (b & 1n) === 0n ? b : b + 1n;
      const signed = (x: bigint) => (negative ? x | (1n << 63n) : x);
      const mid = `${sign}0x${(2n * m + 1n).toString(16)}.p${e - 1}`;
      expectBits(mid, even === 0x7ff0000000000000n ? even : signed(even));
      const above = `${sign}0x${(2n * m + 1n).toString(16)}.${"0".repeat(zeros)}1p${e - 1}`;
      expectBits(above, b + 1n === 0x7ff0000000000000n ? b + 1n : signed(b + 1n));
      const below = `${sign}0x${(2n * m).toString(16)}.${"f".repeat(zeros + 1)}p${e - 1}`;
      expectBits(below, signed(b));
    }), { numRuns: 3000 });
  });

  it("scales by the exponent in steps, up and down, and saturates far out", () => {
    expect(readNumber("0x1.0p1023")).toMatchObject({ value: 2 ** 1023 });
    expect(readNumber("0x1.0p+1")).toMatchObject({ value: 2 });
    expect(readNumber("0x1.0p-1")).toMatchObject({ value: 0.5 });
    expect(readNumber("0x1234567.0p8")).toMatchObject({ value: 0x1234567 * 256 });
    expect(readNumber("0x.0000001p1050")).toMatchObject({ value: 2 ** 1022 });
    expect(readNumber(`0x1${"0".repeat(300)}.p-1200`)).toMatchObject({ value: 1 });
    expect(readNumber(`0x0.${"0".repeat(300)}1p1204`)).toMatchObject({ value: 1 });
    expect(readNumber("0x1.0p-1075")).toMatchObject({ value: 0 });
    expect(readNumber("0x1.0p2199")).toMatchObject({ code: "number-out-of-range" });
    expect(readNumber("0x1.0p-2199")).toMatchObject({ value: 0 });
    expect(Object.is((readNumber("-0x1.0p-9999999999999") as NumberReading).value, -0)).toBe(true);
    expect(readNumber("0x0.0p99999999999999")).toMatchObject({ value: 0 });
  });

  it("keeps 16 significant digits and folds the rest into a sticky bit", () => {
    expect(readNumber(`0x${"0".repeat(20)}1.8p0`)).toMatchObject({ value: 1.5 });
    expect(readNumber(`0x0.${"0".repeat(20)}18p84`)).toMatchObject({ value: 1.5 });
    // 1 + 2^-53 is halfway between 1 and the next double: even (1) unless a later digit is non-zero.
    expect(readNumber("0x1.00000000000008p0")).toMatchObject({ value: 1 });
    expect(readNumber("0x1.0000000000000800000p0")).toMatchObject({ value: 1 });
    expect(readNumber("0x1.0000000000000801p0")).toMatchObject({ value: 1 + 2 ** -52 });
    expect(readNumber(`0x1.00000000000008${"0".repeat(50)}1p0`)).toMatchObject({ value: 1 + 2 ** -52 });
    expect(readNumber("0x1.00000000000018p0")).toMatchObject({ value: 1 + 2 ** -51 });
    expect(readNumber("0x9.p0")).toMatchObject({ value: 9 });
    expect(readNumber("0xa.p0")).toMatchObject({ value: 10 });
    expect(readNumber("0xF.p0")).toMatchObject({ value: 15 });
  });

  it("takes only 0x or 0X as the start of a hexadecimal decimal (Java: NumberFormatException otherwise)", () => {
    for (const word of ["1x1.8p1", "-1x1.8p1", "9X1.p0", "ox1.8p1", "x1.8p1", ".x1p1", "00x1.8p1"]) expect(readNumber(word), word).toMatchObject({ code: "invalid-number" });
  });
});

describe("readNumber: decimals against JavaScript's Number (which Java agrees with)", () => {
  const digits = (max: number) => fc.array(fc.constantFrom(..."0123456789"), { maxLength: max }).map((d) => d.join(""));
  const word = fc.record({
    sign: fc.constantFrom("", "+", "-"),
    whole: digits(25),
    fraction: digits(25),
    exponent: fc.option(fc.tuple(fc.constantFrom("e", "E"), fc.constantFrom("", "+", "-"), fc.nat(400)), { nil: undefined }),
    suffix: fc.constantFrom("", "", "", "f", "F", "d", "D"),
  });

  it("reads [+-]digits.digits[e[+-]digits][fFdD] as Number() reads it without the suffix", () => {
    fc.assert(fc.property(word, ({ sign, whole, fraction, exponent, suffix }) => {
      const plain = `${sign}${whole}.${fraction}${exponent ? exponent.join("") : ""}`;
      const text = plain + suffix;
      const r = readNumber(text);
      if (whole === "" && fraction === "") {
        expect(r).toMatchObject({ code: "invalid-number" });
        return;
      }
      const value = Number(plain);
      if (!Number.isFinite(value)) {
        expect(r).toMatchObject({ code: "number-out-of-range" });
        return;
      }
      if (suffix === "") expect(r).toStrictEqual({ value });
      else expect(r).toStrictEqual({ value, note: `the server reads Java number syntax ${JSON.stringify(text)} as ${formatDecimal(value)}; write that instead` });
      expect(Object.is((r as NumberReading).value, value)).toBe(true);
    }), { numRuns: 3000 });
  });
});

describe("readNumber: integers against BigInt", () => {
  const ZEROS = [0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10];
  // Every BMP character with Character.digit(c, 10) >= 0 in Java 17: these 37 runs of ten.
  const javaDigit = (c: number): number => {
    const zero = ZEROS.find((z) => c >= z && c < z + 10);
    return zero === undefined ? -1 : c - zero;
  };
  const bigints = fc.oneof(
    fc.bigInt({ min: -(2n ** 66n), max: 2n ** 66n }),
    fc.bigInt({ min: LONG_MAX - 1000n, max: LONG_MAX + 1000n }),
    fc.bigInt({ min: LONG_MIN - 1000n, max: LONG_MIN + 1000n }),
    fc.bigInt({ min: -1000n, max: 1000n }),
  );

  it("reads [+-]digits exactly when it fits a Long, and refuses it otherwise", () => {
    fc.assert(fc.property(bigints, fc.nat(25), fc.boolean(), (n, zeros, plus) => {
      const text = `${n < 0n ? "-" : plus ? "+" : ""}${"0".repeat(zeros)}${n < 0n ? -n : n}`;
      const r = readNumber(text);
      if (n >= LONG_MIN && n <= LONG_MAX) expect(r).toStrictEqual({ value: n });
      else expect(r).toMatchObject({ code: "number-out-of-range", problem: `Integer ${text.length > 40 ? `${text.slice(0, 40)}\u2026` : text} does not fit a signed 64-bit integer (the server's Long)` });
      expect(fitsLong(n)).toBe(n >= LONG_MIN && n <= LONG_MAX);
    }), { numRuns: 3000 });
  });

  it("reads any mix of Unicode decimal digits as the ASCII digits they stand for", () => {
    const digit = fc.tuple(fc.constantFrom(...ZEROS), fc.integer({ min: 0, max: 9 })).map(([zero, d]) => String.fromCharCode(zero + d));
    fc.assert(fc.property(fc.constantFrom("", "+", "-"), fc.array(digit, { minLength: 1, maxLength: 22 }), (sign, chars) => {
      const text = sign + chars.join("");
      const ascii = chars.map((c) => String(javaDigit(c.charCodeAt(0)))).join("");
      const n = BigInt(sign + ascii);
      const r = readNumber(text);
      if (n < LONG_MIN || n > LONG_MAX) expect(r).toMatchObject({ code: "number-out-of-range" });
      else if (/^[0-9]*$/.test(chars.join(""))) expect(r).toStrictEqual({ value: n });
      else expect(r).toStrictEqual({ value: n, note: `the server reads ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}\u2026` : text)} as ${(sign === "-" ? "-" : "") + ascii}; write it with ASCII digits` });
    }), { numRuns: 3000 });
  });

  it("refuses a word with any UTF-16 unit that is not a Java digit", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffff }), fc.nat(2), (c, at) => {
      if (c === 0x2e) return; // a `.` makes the word a decimal
      const unit = String.fromCharCode(c);
      const word = at === 0 ? `${unit}12` : at === 1 ? `1${unit}2` : `12${unit}`;
      const r = readNumber(word);
      const signAtStart = at === 0 && (c === 0x2b || c === 0x2d);
      if (javaDigit(c) >= 0 || signAtStart) expect(r).toHaveProperty("value");
      else expect(r).toMatchObject({ code: "invalid-number" });
    }), { numRuns: 5000 });
    // Every BMP unit just before and after each run, and at the surrogate edges.
    for (const zero of ZEROS) {
      for (const c of [zero - 1, zero + 10]) expect(readNumber(`1${String.fromCharCode(c)}`), c.toString(16)).toMatchObject({ code: "invalid-number" });
      expect(readNumber(`1${String.fromCharCode(zero + 9)}`)).toHaveProperty("value", 19n);
    }
  });
});

describe("formatDecimal and fitsLong", () => {
  it("writes a finite double with a point, as the server reads it back", () => {
    const cases: Array<[number, string]> = [[1, "1.0"], [-1, "-1.0"], [0, "0.0"], [-0, "-0.0"], [1.5, "1.5"], [-2.25, "-2.25"], [1e21, "1.0e+21"], [-1e21, "-1.0e+21"], [1.5e21, "1.5e+21"], [1e20, "100000000000000000000.0"], [1e-7, "1.0e-7"], [1.5e-7, "1.5e-7"], [1e-6, "0.000001"], [5e-324, "5.0e-324"], [Number.MAX_VALUE, "1.7976931348623157e+308"], [123456789, "123456789.0"]];
    for (const [x, text] of cases) expect(formatDecimal(x), String(x)).toBe(text);
    for (const x of [Number.NaN, Infinity, -Infinity]) expect(() => formatDecimal(x)).toThrow(new TypeError(`Decimal values must be finite, got ${x}`));
  });

  it("round-trips every finite double through readNumber with no note", () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
      const text = formatDecimal(x);
      expect(text).toContain(".");
      const r = readNumber(text) as NumberReading;
      expect(r).toStrictEqual({ value: x });
      expect(Object.is(r.value, x)).toBe(true);
    }), { numRuns: 3000 });
  });

  it("fitsLong is the signed 64-bit range", () => {
    expect(fitsLong(LONG_MAX)).toBe(true);
    expect(fitsLong(LONG_MIN)).toBe(true);
    expect(fitsLong(0n)).toBe(true);
    expect(fitsLong(LONG_MAX + 1n)).toBe(false);
    expect(fitsLong(LONG_MIN - 1n)).toBe(false);
    expect(fitsLong(2n ** 200n)).toBe(false);
    expect(fitsLong(-(2n ** 200n))).toBe(false);
  });
});
