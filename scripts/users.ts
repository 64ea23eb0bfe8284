// Seeded generator of identity-like users shaped like managed users of an identity platform.
// `npm run examples` writes examples/users.json with it; the benchmarks make larger sets.

/** A managed user as the sample data holds it. */
export interface SampleUser {
  _id: string;
  _rev: string;
  userName: string;
  givenName: string;
  sn: string;
  mail: string | null;
  accountStatus: "active" | "inactive" | "locked";
  telephoneNumber?: string | null;
  postalAddress?: { street: string; city: string; postalCode: string; country: string };
  roles: { _ref: string; _refResourceId: string }[];
  effectiveRoles: { _ref: string; _refResourceId: string }[];
  preferences: { updates: boolean; marketing: boolean; language?: string };
  loginCount: number;
  lastLogin: string | null;
  createDate: string;
  mfaEnabled: boolean;
  manager?: { _ref: string; _refResourceId: string } | null;
}

// mulberry32: small, fast and good enough for sample data.
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GIVEN = ["Babs", "Zoë", "Łukasz", "Siobhán", "José", "Anna", "Mohammed", "Yuki", "Olu", "Priya", "Kai", "Ingrid", "Mateo", "Chloé", "Noah", "Aïsha", "Björn", "Li", "Sam", "Émile"];
const FAMILY = ["Jensen", "O'Brien", "Nowak", "García", "Smith", "Müller", "Tanaka", "Okafor", "Patel", "Kowalski", "Dubois", "Andersson", "Rossi", "Nguyen", "Carter", "Ó Súilleabháin", "Brown", "Żak", "Lee", "Martin"];
const CITIES = ["Oslo", "Bristol", "Kraków", "Sevilla", "Zürich", "Lagos", "Tokyo", "Pune", "Montréal", "Austin"];
const COUNTRIES = ["NO", "GB", "PL", "ES", "CH", "NG", "JP", "IN", "CA", "US"];
const ROLES = ["employee", "contractor", "helpdesk", "admin", "auditor", "developer", "manager", "sales"];
const LANGUAGES = ["en", "de", "fr", "pl", "ja", "es"];

function ascii(text: string): string {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[Łł]/g, "l").replace(/[^A-Za-z]/g, "").toLowerCase();
}

/**
 * `count` users from `seed`: the same arguments always give the same users.
 */
export function generateUsers(count: number, seed = 42): SampleUser[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const users: SampleUser[] = [];
  const base = Date.UTC(2020, 0, 1);
  for (let i = 0; i < count; i++) {
    const givenName = pick(GIVEN);
    const sn = pick(FAMILY);
    const id = `${(0x10000000 + Math.floor(next() * 0xefffffff)).toString(16)}-${i.toString(16).padStart(4, "0")}`;
    const userName = `${ascii(givenName)}.${ascii(sn)}${i}`;
    const roleCount = Math.floor(next() * 3);
    const roles = Array.from(new Set(Array.from({ length: roleCount }, () => pick(ROLES)))).map((r) => ({ _ref: `managed/role/${r}`, _refResourceId: r }));
    const effective = [{ _ref: "managed/role/employee", _refResourceId: "employee" }, ...roles.filter((r) => r._refResourceId !== "employee")];
    const created = base + Math.floor(next() * 5 * 365 * 86_400_000);
    const cityIndex = Math.floor(next() * CITIES.length);
    const user: SampleUser = {
      _id: id,
      _rev: String(1 + Math.floor(next() * 9)),
      userName,
      givenName,
      sn,
      mail: next() < 0.03 ? null : `${userName}@example.com`,
      accountStatus: next() < 0.8 ? "active" : next() < 0.6 ? "inactive" : "locked",
      roles,
      effectiveRoles: effective,
      preferences: { updates: next() < 0.5, marketing: next() < 0.2 },
      loginCount: Math.floor(next() * 500),
      lastLogin: next() < 0.1 ? null : new Date(created + Math.floor(next() * 300 * 86_400_000)).toISOString(),
      createDate: new Date(created).toISOString(),
      mfaEnabled: next() < 0.4,
    };
    if (next() < 0.7) user.telephoneNumber = next() < 0.1 ? null : `+${1 + Math.floor(next() * 98)} ${Math.floor(1e6 + next() * 8.9e6)}`;
    if (next() < 0.85) {
      user.postalAddress = {
        street: `${1 + Math.floor(next() * 200)} ${pick(["High St", "Main Rd", "Rue Haute", "ul. Długa", "Calle Mayor"])}`,
        city: CITIES[cityIndex] as string,
        postalCode: String(Math.floor(1000 + next() * 89000)),
        country: COUNTRIES[cityIndex] as string,
      };
    }
    if (next() < 0.3) user.preferences.language = pick(LANGUAGES);
    if (i > 0 && next() < 0.5) {
      const manager = users[Math.floor(next() * users.length)] as SampleUser;
      user.manager = { _ref: `managed/user/${manager._id}`, _refResourceId: manager._id };
    }
    users.push(user);
  }
  return users;
}
