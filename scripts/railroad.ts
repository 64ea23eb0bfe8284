// A small railroad-diagram renderer: turns Chevrotain's serialized grammar into inline SVG, so the
// diagrams page needs no script and no network. Each piece knows its width and how far it reaches
// above (`up`) and below (`down`) the line that runs through it; `draw` places it with that line at y.
import type { ISerializedGast } from "chevrotain";

const R = 10; // radius of every bend
const GAP = 16; // line between two pieces of a sequence
const ROW = 10; // vertical space between stacked branches
const CHAR = 7.8; // width of one character of the 13px monospace font
const HALF = 12; // half the height of a box

interface Piece {
  readonly w: number;
  readonly up: number;
  readonly down: number;
  draw(x: number, y: number): string;
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const line = (x1: number, y: number, x2: number): string => (x2 > x1 ? `<path d="M${x1} ${y}H${x2}"/>` : "");

/** A box: a keyword (rounded), a kind of token (rounded, italic) or a rule (square, a link). */
function box(text: string, kind: "keyword" | "token" | "rule"): Piece {
  const w = Math.ceil(text.length * CHAR) + 24;
  return {
    w,
    up: HALF,
    down: HALF,
    draw(x, y) {
      const rx = kind === "rule" ? 2 : HALF;
      const shape = `<rect x="${x}" y="${y - HALF}" width="${w}" height="${2 * HALF}" rx="${rx}"/>` +
        `<text x="${x + w / 2}" y="${y + 4}">${escapeXml(text)}</text>`;
      const group = `<g class="${kind}">${shape}</g>`;
      return kind === "rule" ? `<a href="#rule-${escapeXml(text)}">${group}</a>` : group;
    },
  };
}

const skip: Piece = { w: 0, up: 0, down: 0, draw: () => "" };

function sequence(items: readonly Piece[]): Piece {
  if (items.length === 0) return skip;
  if (items.length === 1) return items[0] as Piece;
  return {
    w: items.reduce((sum, p) => sum + p.w, 0) + GAP * (items.length - 1),
    up: Math.max(...items.map((p) => p.up)),
    down: Math.max(...items.map((p) => p.down)),
    draw(x, y) {
      let out = "";
      let at = x;
      items.forEach((p, i) => {
        if (i > 0) {
          out += line(at, y, at + GAP);
          at += GAP;
        }
        out += p.draw(at, y);
        at += p.w;
      });
      return out;
    },
  };
}

/** One of several: the first on the line, the others stacked below it. */
function choice(items: readonly Piece[]): Piece {
  if (items.length === 1) return items[0] as Piece;
  const inner = Math.max(...items.map((p) => p.w));
  const rows: number[] = [0];
  for (let i = 1; i < items.length; i++) {
    const above = items[i - 1] as Piece;
    rows.push(Math.max((rows[i - 1] as number) + above.down + ROW + (items[i] as Piece).up, (rows[i - 1] as number) + 2 * R));
  }
  const last = items[items.length - 1] as Piece;
  const w = inner + 4 * R;
  return {
    w,
    up: (items[0] as Piece).up,
    down: (rows[rows.length - 1] as number) + last.down,
    draw(x, y) {
      let out = "";
      items.forEach((p, i) => {
        const row = y + (rows[i] as number);
        if (i === 0) out += line(x, y, x + 2 * R);
        else {
          out += `<path d="M${x} ${y}a${R} ${R} 0 0 1 ${R} ${R}V${row - R}a${R} ${R} 0 0 0 ${R} ${R}"/>`;
          out += `<path d="M${x + w - 2 * R} ${row}a${R} ${R} 0 0 0 ${R} ${-R}V${y + R}a${R} ${R} 0 0 1 ${R} ${-R}"/>`;
        }
        out += p.draw(x + 2 * R, row);
        out += line(x + 2 * R + p.w, row, i === 0 ? x + w : x + w - 2 * R);
      });
      return out;
    },
  };
}

/** Zero or one: the piece on the line, a bypass above it. */
function optional(item: Piece): Piece {
  const rise = Math.max(item.up + ROW, 2 * R);
  const w = item.w + 4 * R;
  return {
    w,
    up: rise,
    down: item.down,
    draw(x, y) {
      const top = y - rise;
      return (
        `<path d="M${x} ${y}a${R} ${R} 0 0 0 ${R} ${-R}V${top + R}a${R} ${R} 0 0 1 ${R} ${-R}H${x + w - 2 * R}` +
        `a${R} ${R} 0 0 1 ${R} ${R}V${y - R}a${R} ${R} 0 0 0 ${R} ${R}"/>` +
        line(x, y, x + 2 * R) +
        item.draw(x + 2 * R, y) +
        line(x + 2 * R + item.w, y, x + w)
      );
    },
  };
}

/** One or more: the piece on the line, a loop back below it (through the separator, if any). */
function oneOrMore(item: Piece, separator?: Piece): Piece {
  const back = separator ?? skip;
  const inner = Math.max(item.w, back.w);
  const drop = Math.max(item.down + ROW + back.up, 2 * R);
  const w = inner + 4 * R;
  return {
    w,
    up: item.up,
    down: drop + back.down,
    draw(x, y) {
      const low = y + drop;
      const mid = x + w / 2;
      return (
        line(x, y, x + 2 * R) +
        item.draw(x + 2 * R, y) +
        line(x + 2 * R + item.w, y, x + w) +
        `<path d="M${x + w - 2 * R} ${y}a${R} ${R} 0 0 1 ${R} ${R}V${low - R}a${R} ${R} 0 0 1 ${-R} ${R}` +
        `H${x + 2 * R}a${R} ${R} 0 0 1 ${-R} ${-R}V${y + R}a${R} ${R} 0 0 1 ${R} ${-R}"/>` +
        (separator === undefined
          ? `<path class="arrow" d="M${mid + 4} ${low - 4}L${mid - 4} ${low}L${mid + 4} ${low + 4}z"/>`
          : `<rect class="mask" x="${mid - back.w / 2}" y="${low - back.up}" width="${back.w}" height="${back.up + back.down}"/>` +
            back.draw(mid - back.w / 2, low))
      );
    },
  };
}

/** Terminals that exist only while the template tag reads a template: not the server's language. */
const TEMPLATE_ONLY = new Set(["FilterSlot", "FieldSlot", "ValueSlot"]);

function terminalPiece(node: ISerializedGast & { name?: string; label?: string }): Piece {
  const label = node.label ?? node.name ?? "?";
  const keyword = /^'(.*)'$/.exec(label);
  return keyword === null ? box(label, "token") : box(keyword[1] as string, "keyword");
}

/** Whether a part of the grammar refers to a template-only token (and so is left out). */
function templateOnly(node: ISerializedGast): boolean {
  const named = node as ISerializedGast & { name?: string; definition?: ISerializedGast[] };
  if (node.type === "Terminal" && TEMPLATE_ONLY.has(named.name ?? "")) return true;
  return node.type === "Alternative" && (named.definition ?? []).some(templateOnly);
}

function piece(node: ISerializedGast): Piece {
  const n = node as ISerializedGast & { name?: string; definition?: ISerializedGast[]; separator?: ISerializedGast };
  const body = (): Piece => sequence((n.definition ?? []).filter((d) => !templateOnly(d)).map(piece));
  switch (node.type) {
    case "Terminal":
      return terminalPiece(n);
    case "NonTerminal":
      return box(n.name ?? "?", "rule");
    case "Alternative":
      return body();
    case "Alternation":
      return choice((n.definition ?? []).filter((d) => !templateOnly(d)).map(piece));
    case "Option":
      return optional(body());
    case "Repetition":
      return optional(oneOrMore(body()));
    case "RepetitionMandatory":
      return oneOrMore(body());
    case "RepetitionWithSeparator":
      return optional(oneOrMore(body(), n.separator === undefined ? undefined : piece(n.separator)));
    case "RepetitionMandatoryWithSeparator":
      return oneOrMore(body(), n.separator === undefined ? undefined : piece(n.separator));
    default:
      throw new Error(`railroad: no drawing for grammar node ${node.type}`);
  }
}

/** The SVG railroad diagram of one rule: a start bar, the rule's body, an end bar. */
export function ruleSvg(rule: ISerializedGast): string {
  const body = piece({ ...rule, type: "Alternative" } as ISerializedGast);
  const pad = 12;
  const w = body.w + 2 * GAP + 2 * pad;
  const h = body.up + body.down + 2 * pad;
  const y = pad + body.up;
  const x0 = pad;
  const x1 = pad + GAP + body.w + GAP;
  return (
    `<svg class="railroad" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img">` +
    `<path d="M${x0} ${y - 8}v16M${x0 + 4} ${y - 8}v16M${x1} ${y - 8}v16M${x1 - 4} ${y - 8}v16"/>` +
    line(x0, y, x0 + GAP) +
    body.draw(x0 + GAP, y) +
    line(x0 + GAP + body.w, y, x1) +
    `</svg>`
  );
}

/** Whether a grammar node (or anything inside it) names a token that only templates have. */
export function mentionsTemplateTokens(node: ISerializedGast): boolean {
  const n = node as ISerializedGast & { definition?: ISerializedGast[] };
  return templateOnly(node) || (n.definition ?? []).some(mentionsTemplateTokens);
}
