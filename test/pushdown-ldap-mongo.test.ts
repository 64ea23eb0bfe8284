import fc from "fast-check";
import ldapFilter from "ldap-filter";
import { Query } from "mingo";
import { describe, expect, it } from "vitest";
import { compileFilter, NotTranslatableError, parseFilter, toLdapFilter, toMongoQuery, type Filter } from "../src/index.js";

// Third-party matchers judge our translations: the same random filters on the same random data,
// through ldap-filter (an RFC 4515 parser and matcher) and mingo (a MongoDB query engine), must
// select what our evaluator selects.
const attrs = fc.constantFrom("cn", "sn", "mail");
const word = fc.array(fc.constantFrom("a", "b", "B", "c", "*", "(", ")", "\\", "é", "."), { minLength: 1, maxLength: 3 }).map((a) => a.join(""));

const leaf = (value: fc.Arbitrary<string | number | bigint | boolean>) =>
  fc.oneof(
    attrs.map((a): Filter => ({ type: "presence", field: [a] })),
    fc.record({ operator: fc.constantFrom("eq", "co", "sw", "le", "ge"), field: attrs.map((a) => [a]), value }).map((c): Filter => ({ type: "comparison", ...c })),
    // gt and lt translate as ">= and not =", exact on single-valued attributes only (cn, mail here).
    fc.record({ operator: fc.constantFrom("lt", "gt"), field: fc.constantFrom(["cn"], ["mail"]), value }).map((c): Filter => ({ type: "comparison", ...c })),
    fc.boolean().map((v): Filter => ({ type: "literal", value: v })),
  );
const tree = (value: fc.Arbitrary<string | number | bigint | boolean>) =>
  fc.letrec<{ f: Filter }>((tie) => ({
    f: fc.oneof(
      { depthSize: "small" },
      leaf(value),
      tie("f").map((filter): Filter => ({ type: "not", filter })),
      fc.array(tie("f"), { minLength: 2, maxLength: 3 }).map((filters): Filter => ({ type: "and", filters })),
      fc.array(tie("f"), { minLength: 2, maxLength: 3 }).map((filters): Filter => ({ type: "or", filters })),
    ),
  })).f;

describe("toLdapFilter", () => {
  it("selects what the evaluator selects, judged by ldap-filter (strings, multi-valued attributes)", () => {
    const entry = fc.record({ objectClass: fc.constant("top"), cn: fc.option(word, { nil: undefined }), sn: fc.option(fc.array(word, { minLength: 1, maxLength: 2 }), { nil: undefined }), mail: fc.option(word, { nil: undefined }) }, { requiredKeys: ["objectClass"] });
    fc.assert(
      fc.property(tree(word), fc.array(entry, { minLength: 1, maxLength: 6 }), (filter, entries) => {
        const ours = compileFilter(filter, { caseSensitive: true });
        const theirs = ldapFilter.parse(toLdapFilter(filter));
        // An LDAP attribute has one value or more, or is absent.
        const ldapEntries = entries.map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)));
        expect(ldapEntries.map((e) => theirs.matches(e))).toEqual(entries.map((e) => ours(e)));
      }),
      { numRuns: 1500 },
    );
  });

  it("escapes RFC 4515 specials and refuses what LDAP cannot say", () => {
    expect(toLdapFilter(parseFilter("/cn eq 'a*(b)\\\\c'"))).toBe("(cn=a\\2a\\28b\\29\\5cc)");
    expect(toLdapFilter({ type: "comparison", operator: "eq", field: ["cn"], value: "\u0000" })).toBe("(cn=\\00)");
    expect(toLdapFilter(parseFilter("/name/family eq 'x'"), { attributes: { "name/family": "sn" } })).toBe("(sn=x)");
    expect(() => toLdapFilter(parseFilter("/name/family eq 'x'"))).toThrow(NotTranslatableError);
    expect(() => toLdapFilter(parseFilter("/a regex 'x'"))).toThrow(/regex/);
    expect(() => toLdapFilter({ type: "presence", field: ["cn)(uid=*"] })).toThrow(/not an LDAP attribute/);
  });
});

describe("toMongoQuery", () => {
  const scalar = fc.oneof(word, fc.constantFrom(-1, 0, 0.5, 2), fc.boolean());
  const doc = fc.record(
    { cn: scalar, sn: fc.oneof(scalar, fc.array(scalar, { maxLength: 3 })), mail: fc.oneof(scalar, fc.constant(null)) },
    { requiredKeys: [] },
  );
  const value = fc.oneof(word, fc.constantFrom(-1n, 0n, 2n, 0.5), fc.boolean());

  it("selects what the evaluator selects, judged by mingo", () => {
    fc.assert(
      fc.property(tree(value), fc.array(doc, { minLength: 1, maxLength: 6 }), fc.boolean(), (filter, docs, caseSensitive) => {
        const ours = compileFilter(filter, { caseSensitive });
        const ordersText = JSON.stringify(filter, (_k, v: unknown) => (typeof v === "bigint" ? 0 : v)).match(/"operator":"(lt|le|gt|ge)","field":\["\w+"\],"value":"/);
        if (!caseSensitive && ordersText !== null) {
          expect(() => toMongoQuery(filter, { caseSensitive })).toThrow(NotTranslatableError);
          return;
        }
        const theirs = new Query(toMongoQuery(filter, { caseSensitive }) as Record<string, unknown>);
        expect(docs.map((d) => theirs.test(d))).toEqual(docs.map((d) => ours(d)));
      }),
      { numRuns: 1500 },
    );
  });

  it("escapes regular expressions and refuses paths MongoDB cannot name", () => {
    expect(toMongoQuery(parseFilter("/cn co 'a.b*'"))).toEqual({ cn: { $regex: "a\\.b\\*", $options: "i" } });
    expect(toMongoQuery(parseFilter("/n eq 9007199254740993"), { caseSensitive: true })).toEqual({ n: { $eq: 9007199254740992 } });
    expect(() => toMongoQuery({ type: "presence", field: ["a.b"] })).toThrow(NotTranslatableError);
    expect(() => toMongoQuery({ type: "presence", field: ["$where"] })).toThrow(/MongoDB path/);
    expect(() => toMongoQuery(parseFilter("/a regex 'x'"))).toThrow(/regex/);
  });
});
