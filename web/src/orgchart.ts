//! Org chart layout (no library): a top-down tidy tree. Leaves take consecutive slots from left
//! to right, each parent is centred over its first and last child, so sibling subtrees never
//! overlap. Lines are elbows from a parent's bottom edge to each child's top edge.

import { type Tree, type Counts } from './tree';

export const NODE_W = 168;
export const NODE_H = 60;
export const GAP_X = 20;
export const GAP_Y = 48;
export const MARGIN = 20;

export interface ChartNode {
  id: number;
  x: number; // left
  y: number; // top
  depth: number;
  label: string;
  count: number;
}

export interface ChartEdge {
  from: number;
  to: number;
  d: string; // SVG path
}

export interface ChartLayout {
  nodes: ChartNode[];
  edges: ChartEdge[];
  width: number;
  height: number;
}

/** Rough text width for a 14 px system font: CJK and full-width characters are square. */
export function textWidth(s: string, size = 14): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    w += c >= 0x2e80 || (c >= 0xff00 && c <= 0xffef) ? size : c >= 0x41 && c <= 0x5a ? size * 0.66 : size * 0.56;
  }
  return w;
}

/** Cuts `s` with an ellipsis so that it fits `max` pixels. */
export function fitText(s: string, max: number, size = 14): string {
  if (textWidth(s, size) <= max) return s;
  const chars = Array.from(s);
  while (chars.length > 0 && textWidth(`${chars.join('')}…`, size) > max) chars.pop();
  return `${chars.join('')}…`;
}

export function layoutOrgChart(tree: Tree, counts: Map<number, Counts>, label: (id: number) => string): ChartLayout {
  const nodes: ChartNode[] = [];
  const edges: ChartEdge[] = [];
  const centre = new Map<number, number>();
  let slot = 0;
  let maxDepth = 0;
  const seen = new Set<number>();

  const place = (id: number, depth: number): number => {
    seen.add(id);
    maxDepth = Math.max(maxDepth, depth);
    const kids = (tree.children.get(id) ?? []).filter((c) => !seen.has(c.id));
    let cx: number;
    if (kids.length === 0) {
      cx = MARGIN + slot * (NODE_W + GAP_X) + NODE_W / 2;
      slot += 1;
    } else {
      const xs = kids.map((k) => place(k.id, depth + 1));
      cx = ((xs[0] as number) + (xs[xs.length - 1] as number)) / 2;
    }
    centre.set(id, cx);
    nodes.push({
      id,
      x: cx - NODE_W / 2,
      y: MARGIN + depth * (NODE_H + GAP_Y),
      depth,
      label: label(id),
      count: counts.get(id)?.total ?? 0,
    });
    for (const k of kids) {
      const kx = centre.get(k.id) as number;
      const top = MARGIN + depth * (NODE_H + GAP_Y) + NODE_H;
      const mid = top + GAP_Y / 2;
      edges.push({ from: id, to: k.id, d: `M${cx} ${top}V${mid}H${kx}V${top + GAP_Y}` });
    }
    return cx;
  };
  for (const r of tree.roots) place(r.id, 0);

  // Parents are pushed after their children; draw top-down order for a readable file.
  nodes.sort((a, b) => a.depth - b.depth || a.x - b.x);
  return {
    nodes,
    edges,
    width: Math.max(1, slot) * (NODE_W + GAP_X) - GAP_X + 2 * MARGIN,
    height: (maxDepth + 1) * (NODE_H + GAP_Y) - GAP_Y + 2 * MARGIN,
  };
}
