//! The search highlight as data. The server sends HTML-escaped text with matched words in
//! `<b>…</b>`; it is never given to innerHTML: only `<b>` / `</b>` are markup, every other tag
//! stays literal text, and the few entities an escaper writes are decoded so the text reads
//! as typed (the renderer escapes it again as a text node).

export interface HighlightPart {
  text: string;
  bold: boolean;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#x27': "'", '#x2F': '/', '#47': '/' };

function decode(s: string): string {
  return s.replace(/&(#?\w+);/g, (whole, name: string) => ENTITIES[name] ?? whole);
}

export function highlightParts(html: string): HighlightPart[] {
  const out: HighlightPart[] = [];
  let bold = false;
  for (const piece of html.split(/(<\/?b>)/i)) {
    const tag = piece.toLowerCase();
    if (tag === '<b>') bold = true;
    else if (tag === '</b>') bold = false;
    else if (piece) {
      const text = decode(piece);
      const last = out[out.length - 1];
      if (last && last.bold === bold) last.text += text;
      else out.push({ text, bold });
    }
  }
  return out;
}
