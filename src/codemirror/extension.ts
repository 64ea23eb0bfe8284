import { autocompletion, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { HighlightStyle, highlightingFor, syntaxHighlighting } from "@codemirror/language";
import { linter, type Diagnostic } from "@codemirror/lint";
import { EditorState, RangeSetBuilder, type Extension } from "@codemirror/state";
import { Decoration, EditorView, ViewPlugin, type DecorationSet, type ViewUpdate } from "@codemirror/view";
import { tags, type Tag } from "@lezer/highlight";
import {
  completionSourceOf,
  filterCompletions,
  filterDiagnostics,
  highlightFilter,
  type CompletionSource,
  type FilterTokenKind,
} from "./analysis.js";

/**
 * Options of {@link crestQuery}.
 *
 * @example
 * ```ts
 * import type { CrestQueryOptions } from "crest-query/codemirror";
 * const options: CrestQueryOptions = { fields: ["/mail", "/sn"], lintDelay: 150 };
 * ```
 */
export interface CrestQueryOptions extends CompletionSource {
  /** Resources to take field pointers and values from (read once, bounded; merged with `fields`). */
  readonly sampleData?: readonly unknown[];
  /** Underline syntax errors and lint warnings (default `true`). */
  readonly lint?: boolean;
  /** Milliseconds of quiet before diagnostics are refreshed (default 250). */
  readonly lintDelay?: number;
  /** Offer completions (default `true`). */
  readonly completion?: boolean;
  /** Passed to the parser: the most parenthesised groups that may nest (default 63, like the server). */
  readonly parseOptions?: { readonly maxNesting?: number };
}

/** The highlighting tag of each kind of token; themes style these. */
const TAGS: Readonly<Record<FilterTokenKind, Tag>> = {
  field: tags.propertyName,
  operator: tags.operatorKeyword,
  logic: tags.keyword,
  bool: tags.bool,
  string: tags.string,
  number: tags.number,
  paren: tags.paren,
  invalid: tags.invalid,
};

/**
 * A highlight style for filters, for editors without a theme of their own: fields, operators,
 * `and`/`or`/`!`, literals, strings and numbers each in their colour.
 *
 * @example
 * ```ts
 * import { syntaxHighlighting } from "@codemirror/language";
 * import { crestQueryHighlightStyle } from "crest-query/codemirror";
 * const extension = syntaxHighlighting(crestQueryHighlightStyle);
 * ```
 */
export const crestQueryHighlightStyle: HighlightStyle = HighlightStyle.define([
  { tag: tags.propertyName, color: "#1d5fa8" },
  { tag: tags.operatorKeyword, color: "#8a3ab9", fontWeight: "600" },
  { tag: tags.keyword, color: "#b4235a", fontWeight: "600" },
  { tag: tags.bool, color: "#0f766e" },
  { tag: tags.string, color: "#a0440c" },
  { tag: tags.number, color: "#0f766e" },
  { tag: tags.paren, color: "#6b7280" },
  { tag: tags.invalid, color: "#d00", textDecoration: "underline wavy" },
]);

function decorations(view: EditorView): DecorationSet {
  const builder = new RangeSetBuilder<Decoration>();
  const text = view.state.doc.toString();
  for (const token of highlightFilter(text)) {
    if (token.to <= token.from) continue;
    const themed = highlightingFor(view.state, [TAGS[token.kind]]);
    const cls = themed === null ? `cm-crest-${token.kind}` : `cm-crest-${token.kind} ${themed}`;
    builder.add(token.from, token.to, Decoration.mark({ class: cls }));
  }
  return builder.finish();
}

const highlighter = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = decorations(view);
    }
    update(update: ViewUpdate): void {
      if (update.docChanged || update.transactions.some((t) => t.reconfigured)) this.decorations = decorations(update.view);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

function mergeSources(options: CrestQueryOptions): CompletionSource {
  const sampled = options.sampleData === undefined ? undefined : completionSourceOf(options.sampleData);
  const fields = [...new Set([...(options.fields ?? []), ...(sampled?.fields ?? [])])];
  return { fields, values: { ...(sampled?.values ?? {}), ...(options.values ?? {}) } };
}

/**
 * The `_queryFilter` language for a CodeMirror 6 editor: highlighting by where each token
 * stands, diagnostics from the parser and the linter, and completion of fields, operators,
 * values and keywords. Fields come from `fields` and from `sampleData`.
 *
 * @example
 * ```ts
 * import { EditorState } from "@codemirror/state";
 * import { crestQuery } from "crest-query/codemirror";
 * const state = EditorState.create({ doc: "/mail co 'example'", extensions: [crestQuery({ fields: ["/mail"] })] });
 * state.doc.length; // 18
 * ```
 */
export function crestQuery(options: CrestQueryOptions = {}): Extension {
  const extensions: Extension[] = [highlighter, syntaxHighlighting(crestQueryHighlightStyle, { fallback: true })];
  if (options.lint !== false) {
    extensions.push(
      linter((view): Diagnostic[] => filterDiagnostics(view.state.doc.toString(), options.parseOptions).map((d) => ({ ...d })), {
        delay: options.lintDelay ?? 250,
      }),
    );
  }
  if (options.completion !== false) {
    const source = mergeSources(options);
    const complete = (context: CompletionContext): CompletionResult | null => {
      const text = context.state.doc.toString();
      const result = filterCompletions(text, context.pos, source);
      if (result === null) return null;
      if (result.from === context.pos && !context.explicit) {
        // Nothing typed yet: open by itself only after a space, where the next word is clear.
        if (context.pos === 0 || text[context.pos - 1] !== " ") return null;
      }
      return { from: result.from, to: result.to, options: result.options.map((o) => ({ ...o })), validFor: /^[^\s()"']*$/ };
    };
    extensions.push(EditorState.languageData.of(() => [{ autocomplete: complete }]), autocompletion());
  }
  return extensions;
}
