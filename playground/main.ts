// The playground page: an editor for a filter and, live, everything the library says about it.
import { closeBrackets } from "@codemirror/autocomplete";
import { defaultKeymap, history as editHistory, historyKeymap, isolateHistory } from "@codemirror/commands";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, placeholder } from "@codemirror/view";
import users from "../examples/users.json";
import { crestQuery } from "../src/codemirror/index.js";
import {
  checkFilter,
  encodeQueryFilter,
  formatFilter,
  formatPointer,
  formatValue,
  type Filter,
  type FilterSyntaxError,
  type FilterWarning,
} from "../src/index.js";
import {
  builderCode,
  PAGE_SIZES,
  queryMatches,
  readInput,
  stateFromHash,
  stateToHash,
  valueAt,
  type PlaygroundState,
  type ReadInput,
} from "./model.js";

const resources: readonly unknown[] = users;

const EXAMPLES: ReadonlyArray<readonly [string, string]> = [
  ["Active and busy", '/accountStatus eq "active" and /loginCount gt 100'],
  ["Role or no mail", '/roles/_refResourceId eq "helpdesk" or !(/mail pr)'],
  ["Nested field", '/postalAddress/city co "kyo" and /preferences/language eq "de"'],
  ["A typo (warning)", '/mail ne "x"'],
  ["Missing value (error)", "/givenName eq"],
];

type Attrs = Record<string, string | boolean | undefined>;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === "class") element.className = String(value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children);
  return element;
}

let state: PlaygroundState = stateFromHash(location.hash);

// ---------- copying ----------

async function copyText(text: string, button: HTMLButtonElement): Promise<void> {
  let done = false;
  try {
    await navigator.clipboard.writeText(text);
    done = true;
  } catch {
    const area = h("textarea", { class: "offscreen", "aria-hidden": "true" });
    area.value = text;
    document.body.append(area);
    area.select();
    done = document.execCommand("copy");
    area.remove();
  }
  const label = button.textContent;
  button.textContent = done ? "Copied" : "Copy failed";
  setTimeout(() => (button.textContent = label), 1200);
}

function copyButton(source: () => string, what: string): HTMLButtonElement {
  const button = h("button", { type: "button", class: "copy", "aria-label": `Copy ${what}` }, "Copy");
  button.addEventListener("click", () => void copyText(source(), button));
  return button;
}

// ---------- page skeleton ----------

const editorHost = h("div", { class: "editor" });
const note = h("div", { class: "note", "data-testid": "input-note", role: "status", hidden: true });
const errorBox = h("div", { class: "error", "data-testid": "error", role: "alert", hidden: true });
const warningList = h("ul", { class: "warnings", "data-testid": "warnings", hidden: true });
const canonical = h("code", { "data-testid": "canonical" });
const encoded = h("code", { "data-testid": "encoded" });
const builder = h("pre", { class: "code", "data-testid": "builder-code" });
const ast = h("div", { class: "ast", "data-testid": "ast" });
const matchCount = h("strong", { "data-testid": "match-count" });
const table = h("table", { class: "matches", "data-testid": "matches" });
const pager = h("nav", { class: "pager", "aria-label": "Pages" });
const sortInput = h("input", { type: "text", id: "sort", placeholder: "-loginCount,sn", spellcheck: "false", autocomplete: "off" });
const fieldsInput = h("input", { type: "text", id: "fields", placeholder: "userName,mail", spellcheck: "false", autocomplete: "off" });
const sizeSelect = h("select", { id: "size" }, ...PAGE_SIZES.map((n) => h("option", { value: String(n) }, String(n))));
const caseBox = h("input", { type: "checkbox", id: "case" });
const sortProblem = h("p", { class: "field-problem", "data-testid": "sort-problem", hidden: true });
const fieldsProblem = h("p", { class: "field-problem", "data-testid": "fields-problem", hidden: true });

const examples = h(
  "div",
  { class: "examples", role: "group", "aria-label": "Examples" },
  h("span", { class: "muted" }, "Try:"),
  ...EXAMPLES.map(([label, text]) => {
    const button = h("button", { type: "button", class: "chip", title: text }, label);
    button.addEventListener("click", () => {
      setDoc(text);
      view.focus();
    });
    return button;
  }),
);

document.body.append(
  h(
    "header",
    { class: "top" },
    h("h1", {}, h("span", { class: "brand" }, "crest-query"), " playground"),
    h("p", { class: "muted" }, "Write a ", h("code", {}, "_queryFilter"), ", or paste a URL or an encoded value. Everything runs in this page, against 1,000 sample users."),
    h("nav", { class: "links" }, h("a", { href: "../../grammar/diagrams.html" }, "Grammar"), h("a", { href: "../language.md" }, "Language guide")),
  ),
  h(
    "main",
    { class: "layout" },
    h(
      "section",
      { class: "panel input-panel", "aria-labelledby": "filter-label" },
      h("label", { id: "filter-label", class: "label" }, "Filter"),
      editorHost,
      note,
      errorBox,
      warningList,
      examples,
    ),
    h(
      "section",
      { class: "panel outputs", "aria-label": "Canonical form and encoding" },
      h("div", { class: "output" }, h("div", { class: "output-head" }, h("span", { class: "label" }, "Canonical"), copyButton(() => canonical.textContent ?? "", "the canonical filter")), canonical),
      h(
        "div",
        { class: "output" },
        h("div", { class: "output-head" }, h("span", { class: "label" }, "Encoded ", h("code", {}, "_queryFilter")), copyButton(() => encoded.textContent ?? "", "the encoded parameter")),
        encoded,
      ),
    ),
    h(
      "section",
      { class: "panel results", "aria-labelledby": "matches-title" },
      h("div", { class: "results-head" }, h("h2", { id: "matches-title" }, "Matches"), h("span", { class: "count" }, matchCount, ` of ${resources.length.toLocaleString("en")} users`)),
      h(
        "div",
        { class: "controls" },
        h("div", { class: "control" }, h("label", { for: "sort" }, h("code", {}, "_sortKeys")), sortInput, sortProblem),
        h("div", { class: "control" }, h("label", { for: "fields" }, h("code", {}, "_fields")), fieldsInput, fieldsProblem),
        h("div", { class: "control small" }, h("label", { for: "size" }, h("code", {}, "_pageSize")), sizeSelect),
        h("div", { class: "control check" }, caseBox, h("label", { for: "case" }, "Case-sensitive")),
      ),
      h("div", { class: "table-wrap" }, table),
      pager,
    ),
    h(
      "section",
      { class: "panel builder", "aria-labelledby": "builder-title" },
      h("div", { class: "output-head" }, h("h2", { id: "builder-title" }, "Builder code"), copyButton(() => builder.textContent ?? "", "the builder code")),
      builder,
    ),
    h("section", { class: "panel tree", "aria-labelledby": "ast-title" }, h("h2", { id: "ast-title" }, "Syntax tree"), ast),
  ),
);

// ---------- rendering ----------

function showError(error: FilterSyntaxError, source: string): void {
  errorBox.hidden = false;
  errorBox.replaceChildren(
    h("p", { class: "problem" }, h("strong", {}, "Syntax error: "), `${error.problem} `, h("span", { class: "muted" }, `(line ${error.line}, column ${error.column})`)),
    h("pre", { class: "caret", "data-testid": "error-caret" }, error.caret),
    ...(error.hint === undefined ? [] : [h("p", { class: "hint" }, h("strong", {}, "Hint: "), error.hint)]),
    ...(source === "filter" ? [] : [h("p", { class: "muted" }, "In the decoded filter.")]),
  );
}

function showWarnings(warnings: readonly FilterWarning[]): void {
  warningList.hidden = warnings.length === 0;
  warningList.replaceChildren(
    ...warnings.map((w) => h("li", {}, h("span", { class: "tag" }, w.code), ` ${w.message} `, h("span", { class: "muted" }, `(column ${w.column})`))),
  );
}

function valueKind(value: unknown): string {
  switch (typeof value) {
    case "bigint":
      return "integer";
    case "number":
      return "decimal";
    default:
      return typeof value;
  }
}

function astNode(filter: Filter): HTMLElement {
  switch (filter.type) {
    case "and":
    case "or":
    case "not": {
      const children = filter.type === "not" ? [filter.filter] : filter.filters;
      const summary = h("summary", {}, h("span", { class: "node-op" }, filter.type), filter.type === "not" ? "" : h("span", { class: "muted" }, ` ${children.length} operands`));
      return h("li", {}, h("details", { open: true }, summary, h("ul", {}, ...children.map(astNode))));
    }
    case "literal":
      return h("li", {}, h("span", { class: "node-lit" }, String(filter.value)), h("span", { class: "muted" }, filter.value ? " every resource" : " no resource"));
    case "presence":
      return h("li", {}, h("span", { class: "node-field", title: JSON.stringify(filter.field) }, formatPointer(filter.field)), " ", h("span", { class: "node-op" }, "pr"));
    case "comparison":
      return h(
        "li",
        {},
        h("span", { class: "node-field", title: `segments ${JSON.stringify(filter.field)}` }, formatPointer(filter.field)),
        " ",
        h("span", { class: "node-op" }, filter.operator),
        " ",
        h("span", { class: "node-value" }, formatValue(filter.value)),
        " ",
        h("span", { class: "tag" }, valueKind(filter.value)),
      );
  }
}

function cellText(value: unknown): string {
  if (value === undefined) return "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function sortState(pointer: string): "ascending" | "descending" | "none" {
  const first = state.sort.split(",")[0]?.trim() ?? "";
  if (first === pointer || first === `+${pointer}` || first === pointer.slice(1)) return "ascending";
  if (first === `-${pointer}` || first === `-${pointer.slice(1)}`) return "descending";
  return "none";
}

function renderMatches(filter: Filter): void {
  const view = queryMatches(resources, filter, state);
  matchCount.textContent = String(view.total);
  sortProblem.hidden = view.sortProblem === undefined;
  sortProblem.textContent = view.sortProblem ?? "";
  fieldsProblem.hidden = view.fieldsProblem === undefined;
  fieldsProblem.textContent = view.fieldsProblem ?? "";
  const head = h(
    "tr",
    {},
    h("th", { scope: "col", class: "num" }, "#"),
    ...view.columns.map((column) => {
      const name = formatPointer(column);
      const sorted = sortState(name);
      const button = h("button", { type: "button", class: "sort", title: `Sort by ${name}` }, name, h("span", { class: "arrow", "aria-hidden": "true" }, sorted === "ascending" ? " ▲" : sorted === "descending" ? " ▼" : ""));
      button.addEventListener("click", () => {
        update({ sort: sorted === "ascending" ? `-${name}` : name, page: 1 });
        sortInput.value = state.sort;
      });
      return h("th", { scope: "col", "aria-sort": sorted }, button);
    }),
  );
  const rows = view.rows.map((row, i) =>
    h("tr", {}, h("td", { class: "num" }, String(view.firstIndex + i + 1)), ...view.columns.map((column) => h("td", {}, cellText(valueAt(row, column))))),
  );
  if (rows.length === 0) rows.push(h("tr", {}, h("td", { colspan: String(view.columns.length + 1), class: "empty" }, view.total === 0 ? "No user matches." : "No users on this page.")));
  table.replaceChildren(h("thead", {}, head), h("tbody", {}, ...rows));

  const pages = Math.max(1, Math.ceil(view.total / state.pageSize));
  const prev = h("button", { type: "button", disabled: state.page <= 1, "aria-label": "Previous page" }, "‹ Prev");
  const next = h("button", { type: "button", disabled: state.page >= pages, "aria-label": "Next page" }, "Next ›");
  prev.addEventListener("click", () => update({ page: state.page - 1 }));
  next.addEventListener("click", () => update({ page: state.page + 1 }));
  const last = Math.min(view.total, view.firstIndex + view.rows.length);
  pager.replaceChildren(prev, h("span", { class: "muted", "data-testid": "page-info" }, view.total === 0 ? "0 matches" : `${view.firstIndex + 1}–${last} of ${view.total} · page ${state.page} of ${pages}`), next);
}

function clearOutputs(message: string): void {
  canonical.textContent = "—";
  encoded.textContent = "—";
  builder.textContent = message;
  ast.replaceChildren(h("p", { class: "muted" }, message));
  matchCount.textContent = "—";
  table.replaceChildren(h("tbody", {}, h("tr", {}, h("td", { class: "empty" }, message))));
  pager.replaceChildren();
}

function describeInput(read: ReadInput): void {
  if (read.kind === "filter") {
    note.hidden = true;
    return;
  }
  note.hidden = false;
  const what = read.kind === "url" ? "a URL: its _queryFilter parameter was decoded" : "an encoded _queryFilter value: it was decoded";
  const children: Array<Node | string> = [h("strong", {}, "Read as "), what, "."];
  if (read.problem === undefined) {
    const use = h("button", { type: "button", class: "link" }, "Edit the decoded filter");
    use.addEventListener("click", () => applyRead(read));
    children.push(" ", use);
  } else children.push(" ", h("span", { class: "bad" }, read.problem));
  note.replaceChildren(...children);
}

function render(): void {
  const text = view.state.doc.toString();
  const read = readInput(text);
  describeInput(read);
  if (read.problem !== undefined) {
    errorBox.hidden = true;
    showWarnings([]);
    clearOutputs("The input could not be decoded.");
    return;
  }
  if (read.filter.trim() === "") {
    errorBox.hidden = true;
    showWarnings([]);
    clearOutputs("Type a filter, for example /mail co \"example\".");
    return;
  }
  const result = checkFilter(read.filter);
  if (!result.ok) {
    showError(result.error, read.kind);
    showWarnings([]);
    clearOutputs("Fix the syntax error to see this.");
    return;
  }
  errorBox.hidden = true;
  showWarnings(result.warnings);
  canonical.textContent = formatFilter(result.filter);
  encoded.textContent = encodeQueryFilter(result.filter);
  builder.textContent = builderCode(result.filter);
  ast.replaceChildren(h("ul", { class: "tree-root" }, astNode(result.filter)));
  renderMatches(result.filter);
}

function writeHash(): void {
  const hash = stateToHash(state);
  if (location.hash !== hash) history.replaceState(null, "", hash);
}

function update(change: Partial<PlaygroundState>): void {
  state = { ...state, ...change };
  writeHash();
  render();
}

// ---------- the editor ----------

function setDoc(text: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text }, selection: { anchor: text.length }, annotations: isolateHistory.of("full") });
}

/** Put a decoded URL or value in the editor, and the URL's other parameters in the controls. */
function applyRead(read: ReadInput): void {
  const change: Partial<PlaygroundState> = {
    ...(read.sort === undefined ? {} : { sort: read.sort }),
    ...(read.fields === undefined ? {} : { fields: read.fields }),
    ...(read.pageSize === undefined ? {} : { pageSize: read.pageSize }),
    page: 1,
  };
  state = { ...state, ...change };
  syncControls();
  setDoc(read.filter);
  note.hidden = false;
  note.replaceChildren(h("strong", {}, "Decoded "), read.kind === "url" ? "the pasted URL's _queryFilter" : "the pasted _queryFilter value", read.kind === "url" ? " (and its _sortKeys, _fields, _pageSize)." : ".", " Undo (Ctrl+Z) brings the pasted text back.");
}

const view = new EditorView({
  parent: editorHost,
  state: EditorState.create({
    doc: state.filter,
    extensions: [
      editHistory(),
      closeBrackets(),
      keymap.of([...defaultKeymap, ...historyKeymap]),
      placeholder('/mail co "example"'),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ "data-testid": "filter-input", "aria-labelledby": "filter-label", spellcheck: "false", autocapitalize: "off", autocorrect: "off" }),
      crestQuery({ sampleData: resources, lintDelay: 150 }),
      EditorView.domEventHandlers({
        paste(event, editor) {
          const text = event.clipboardData?.getData("text/plain") ?? "";
          const read = readInput(text);
          if (read.kind === "filter" || read.problem !== undefined) return false;
          event.preventDefault();
          const whole = editor.state.doc.length === 0 || (editor.state.selection.main.from === 0 && editor.state.selection.main.to === editor.state.doc.length);
          if (!whole) return false;
          editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text }, userEvent: "input.paste" });
          applyRead(read);
          return true;
        },
      }),
      EditorView.updateListener.of((u) => {
        if (!u.docChanged) return;
        const filter = u.state.doc.toString();
        const reset = filter !== state.filter && state.page !== 1 ? { page: 1 } : {};
        update({ filter, ...reset });
      }),
    ],
  }),
});

// ---------- controls ----------

function syncControls(): void {
  sortInput.value = state.sort;
  fieldsInput.value = state.fields;
  sizeSelect.value = String(state.pageSize);
  caseBox.checked = state.caseSensitive;
}

sortInput.addEventListener("input", () => update({ sort: sortInput.value, page: 1 }));
fieldsInput.addEventListener("input", () => update({ fields: fieldsInput.value }));
sizeSelect.addEventListener("change", () => update({ pageSize: Number(sizeSelect.value), page: 1 }));
caseBox.addEventListener("change", () => update({ caseSensitive: caseBox.checked, page: 1 }));

window.addEventListener("hashchange", () => {
  const next = stateFromHash(location.hash);
  state = next;
  syncControls();
  if (view.state.doc.toString() !== next.filter) setDoc(next.filter);
  render();
});

syncControls();
writeHash();
render();
document.documentElement.dataset["ready"] = "true";
