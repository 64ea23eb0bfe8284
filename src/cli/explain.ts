import type { Filter } from "../language/ast.js";
import { formatPointer } from "../language/pointer.js";
import { formatValue } from "../language/writer.js";

const OPERATOR_WORDS: Readonly<Record<string, string>> = {
  eq: "equals",
  co: "contains",
  sw: "starts with",
  lt: "is less than",
  le: "is at most",
  gt: "is greater than",
  ge: "is at least",
};

function describeNode(node: Filter): string {
  switch (node.type) {
    case "and":
      return "all of (and)";
    case "or":
      return "any of (or)";
    case "not":
      return "not";
    case "literal":
      return node.value ? "true (matches everything)" : "false (matches nothing)";
    case "presence":
      return `${formatPointer(node.field)} pr (is present and not null)`;
    case "comparison": {
      const words = OPERATOR_WORDS[node.operator];
      const text = `${formatPointer(node.field)} ${node.operator} ${formatValue(node.value)}`;
      return words === undefined ? `${text} (extended operator "${node.operator}", known only to servers that define it)` : `${text} (${words})`;
    }
  }
}

/**
 * Draw a filter as an indented tree in words, one node a line, so that precedence and grouping show:
 * `and` nodes list their operands below them.
 */
export function explainFilter(filter: Filter): string {
  const lines: string[] = [];
  // An explicit stack: the tree may be as deep as the parser allows.
  const stack: Array<{ node: Filter; prefix: string; branch: string }> = [{ node: filter, prefix: "", branch: "" }];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const { node, prefix, branch } = entry;
    lines.push(`${prefix}${branch}${describeNode(node)}`);
    const childPrefix = prefix + (branch === "" ? "" : branch === "├─ " ? "│  " : "   ");
    const children = node.type === "and" || node.type === "or" ? node.filters : node.type === "not" ? [node.filter] : [];
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i] as Filter, prefix: childPrefix, branch: i === children.length - 1 ? "└─ " : "├─ " });
  }
  return lines.join("\n");
}
