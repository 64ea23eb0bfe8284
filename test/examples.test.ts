import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateUsers, type SampleUser } from "../scripts/users.js";

const committed = JSON.parse(readFileSync(new URL("../examples/users.json", import.meta.url), "utf8")) as SampleUser[];

describe("examples/users.json", () => {
  it("is what the seeded generator makes (npm run examples)", () => {
    expect(committed).toEqual(generateUsers(1000, 42));
  });

  it("looks like managed users, with the awkward cases a filter must handle", () => {
    expect(committed).toHaveLength(1000);
    const names = new Set(committed.flatMap((u) => [u.givenName, u.sn]));
    for (const name of ["Zoë", "Łukasz", "O'Brien"]) expect(names).toContain(name);
    expect(committed.some((u) => u.mail === null)).toBe(true);
    expect(committed.some((u) => !("telephoneNumber" in u))).toBe(true);
    expect(committed.some((u) => u.telephoneNumber === null)).toBe(true);
    expect(committed.some((u) => u.postalAddress === undefined)).toBe(true);
    expect(committed.every((u) => Array.isArray(u.roles) && Array.isArray(u.effectiveRoles))).toBe(true);
    expect(committed.some((u) => u.roles.some((r) => r._ref.startsWith("managed/role/") && r._refResourceId !== ""))).toBe(true);
    expect(committed.every((u) => !Number.isNaN(Date.parse(u.createDate)))).toBe(true);
    expect(new Set(committed.map((u) => u._id)).size).toBe(1000);
  });
});
