/**
 * crest-query/codemirror: the `_queryFilter` language for CodeMirror 6 editors (highlighting,
 * diagnostics, completion), and the editor-independent functions behind it.
 *
 * CodeMirror is an optional peer dependency: install `@codemirror/state`, `@codemirror/view`,
 * `@codemirror/language`, `@codemirror/autocomplete`, `@codemirror/lint` and `@lezer/highlight`
 * to use {@link crestQuery}.
 *
 * @example
 * ```ts
 * import { filterDiagnostics } from "crest-query/codemirror";
 * filterDiagnostics("/mail eq").map((d) => d.severity); // ["error"]
 * ```
 *
 * @module crest-query/codemirror
 */
export {
  completionSourceOf,
  filterCompletions,
  filterDiagnostics,
  highlightFilter,
  type CompletionSource,
  type FilterCompletion,
  type FilterCompletions,
  type FilterDiagnostic,
  type FilterToken,
  type FilterTokenKind,
} from "./analysis.js";
export { crestQuery, crestQueryHighlightStyle, type CrestQueryOptions } from "./extension.js";
