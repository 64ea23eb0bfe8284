import type { Filter, FilterValue, Pointer } from "../language/ast.js";
import { assertFilter } from "../language/ast.js";
import { hasFilterTag, isFieldRef, toFilterValue } from "./builder.js";
import type { SlotKind } from "../language/lexer.js";
import { parseTemplateText } from "../language/parser.js";
import { formatPointer } from "../language/pointer.js";
import { formatFilter } from "../language/writer.js";

/**
 * What the `filter` tag accepts in `${...}`: a filter (from the builder or the parser) where a filter
 * stands, a field (from `field()`) or a pointer array where a field stands, and a value anywhere a
 * value stands.
 *
 * @example
 * ```ts
 * import { field, filter, type Interpolation } from "crest-query";
 * const parts: Interpolation[] = [field("/mail"), "bjensen@example.com"];
 * filter`${parts[0]} eq ${parts[1]}`;
 * ```
 */
export type Interpolation = Filter | { readonly pointer: Pointer } | readonly string[] | string | number | bigint | boolean | { readonly value: number };

/**
 * Write filters as text with values interpolated safely. An interpolation in value position becomes
 * a literal of its type, whatever it holds (a string is quoted and escaped for you); in field
 * position only a `field()` or a pointer array is accepted; an interpolated filter stands where a
 * filter can, as a group. Anything else, anywhere else, throws at once with the position. The text
 * is read by the same parser as {@link parseFilter}.
 *
 * @throws {@link FilterSyntaxError} for text that does not parse (positions refer to the template
 * with `${0}`, `${1}`... in place of the interpolations), TypeError for values no filter can hold.
 *
 * @example
 * ```ts
 * import { field, filter } from "crest-query";
 * const email = "o'brien@example.com";
 * const f = filter`/mail eq ${email} and ${field("/age")} gt ${30}`;
 * String(f); // '/mail eq "o\'brien@example.com" and /age gt 30'
 * ```
 */
export function filter(strings: TemplateStringsArray, ...values: readonly Interpolation[]): Filter {
  const kinds: SlotKind[] = [];
  const converted: (Filter | Pointer | FilterValue)[] = [];
  let text = "";
  for (let i = 0; i < strings.length; i++) {
    const part = strings[i];
    if (part === undefined) throw new TypeError("filter`...`: the template holds an invalid escape sequence");
    if (part.includes("${")) throw new TypeError("filter`...`: the template text may not contain a literal ${");
    text += part;
    if (i < values.length) {
      const value = values[i];
      text += `\${${i}}`;
      if (hasFilterTag(value)) {
        assertFilter(value, `filter\`...\`: interpolation \${${i}}`);
        kinds.push("filter");
        converted.push(value);
      } else if (isFieldRef(value)) {
        kinds.push("field");
        converted.push(value.pointer);
      } else if (Array.isArray(value)) {
        if (!value.every((s) => typeof s === "string")) throw new TypeError(`filter\`...\`: interpolation \${${i}} is an array that is not a pointer (strings only)`);
        formatPointer(value);
        kinds.push("field");
        converted.push([...value]);
      } else {
        kinds.push("value");
        converted.push(toFilterValue(value, `filter\`...\`: interpolation \${${i}}`));
      }
    }
  }
  const parsed = parseTemplateText(text, kinds, converted);
  // The root may be an interpolated filter or a shared frozen literal: the caller's objects are
  // never changed, so the result is a fresh root (its operands are shared, never modified).
  const result: Filter = { ...parsed };
  Object.defineProperty(result, "toString", { value: () => formatFilter(result), enumerable: false });
  return result;
}
