/**
 * Make `instanceof` recognise instances made by any copy of a class that this library defines, so
 * that an error thrown by the CommonJS build is an instance of the class imported from the ESM build
 * (and the other way round) when both are loaded in one process. Each instance carries a
 * process-wide symbol (`Symbol.for`); subclasses keep the ordinary prototype check.
 */
export function brandClass(cls: abstract new (...args: never[]) => object, name: string): void {
  const brand = Symbol.for(`crest-query.${name}`);
  Object.defineProperty(cls.prototype, brand, { value: true });
  Object.defineProperty(cls, Symbol.hasInstance, {
    value(this: unknown, value: unknown): boolean {
      if (this !== cls) return Function.prototype[Symbol.hasInstance].call(this, value);
      return (typeof value === "object" || typeof value === "function") && value !== null && (value as Record<symbol, unknown>)[brand] === true;
    },
  });
}
