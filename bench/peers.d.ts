// Minimal types for benchmark peers that ship none.
declare module "ldap-filter" {
  interface LdapFilter {
    toString(): string;
    matches(target: Record<string, unknown>): boolean;
  }
  const ldap: { parse(text: string): LdapFilter };
  export default ldap;
}
