//! Message text, parsed into plain data that components render as elements. Nothing here makes
//! HTML: user text only ever becomes text nodes, so the subset below is all the markup a sender
//! can get, and anything else (tags, images, scripts) shows as the characters that were typed.
//!
//! - linkify: http(s) URLs in plain text become links.
//! - markdown: headings, quotes, fenced code, **bold**, *italic*, `code`, [links](https://…).
//! - highlight: a small tokenizer (keywords, strings, comments, numbers) for common languages.

export type Inline =
  | { k: 'text'; text: string }
  | { k: 'link'; href: string; children: Inline[] }
  | { k: 'bold'; children: Inline[] }
  | { k: 'italic'; children: Inline[] }
  | { k: 'code'; text: string };

export type Block =
  | { k: 'p'; lines: Inline[][] }
  | { k: 'h'; level: number; children: Inline[] }
  | { k: 'quote'; blocks: Block[] }
  | { k: 'pre'; lang: string; text: string };

/** The href for a link, or null: only absolute http, https and mailto URLs are followed. */
export function safeUrl(raw: string): string | null {
  try {
    const u = new URL(raw.trim());
    return u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'mailto:' ? u.href : null;
  } catch {
    return null;
  }
}

const URL_RE = /https?:\/\/[^\s<>"'\u3000-\u303f\uff01-\uff5e]+/gi;
/** Punctuation that usually ends a sentence rather than the URL. */
const TRAILING = /[.,;:!?)\]}'"]+$/;

/** Plain text with its URLs as links. */
export function linkify(text: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    let url = m[0];
    const trail = TRAILING.exec(url)?.[0] ?? '';
    url = url.slice(0, url.length - trail.length);
    const href = safeUrl(url);
    const start = m.index ?? 0;
    if (!href || !url) continue;
    if (start > last) out.push({ k: 'text', text: text.slice(last, start) });
    out.push({ k: 'link', href, children: [{ k: 'text', text: url }] });
    last = start + url.length;
  }
  if (last < text.length) out.push({ k: 'text', text: text.slice(last) });
  return out;
}

const isWord = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);

/** Inline markdown: code spans first (nothing inside them is markup), then emphasis and links. */
export function parseInline(s: string): Inline[] {
  const out: Inline[] = [];
  let buf = '';
  const flush = () => {
    if (buf) out.push(...linkify(buf));
    buf = '';
  };
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    if (ch === '\\' && i + 1 < s.length && /[\\`*_[\]()#>~]/.test(s[i + 1]!)) {
      buf += s[i + 1];
      i += 2;
      continue;
    }
    if (ch === '`') {
      const end = s.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        out.push({ k: 'code', text: s.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if ((ch === '*' || ch === '_') && s[i + 1] === ch) {
      const end = s.indexOf(ch + ch, i + 2);
      if (end > i + 2) {
        flush();
        out.push({ k: 'bold', children: parseInline(s.slice(i + 2, end)) });
        i = end + 2;
        continue;
      }
    }
    // `_` inside a word (snake_case) is not emphasis; `*` must not be followed by a space.
    if ((ch === '*' || ch === '_') && s[i + 1] !== ' ' && !(ch === '_' && isWord(s[i - 1]))) {
      const end = s.indexOf(ch, i + 1);
      if (end > i + 1 && s[end - 1] !== ' ' && !(ch === '_' && isWord(s[end + 1]))) {
        flush();
        out.push({ k: 'italic', children: parseInline(s.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    }
    if (ch === '[') {
      const m = /^\[([^\]]+)\]\(([^)\s]+)\)/.exec(s.slice(i));
      const href = m ? safeUrl(m[2]!) : null;
      if (m && href) {
        flush();
        out.push({ k: 'link', href, children: parseInline(m[1]!) });
        i += m[0].length;
        continue;
      }
    }
    buf += ch;
    i++;
  }
  flush();
  return out;
}

/** Block markdown: fenced code, headings, quotes (nested), paragraphs with their line breaks. */
export function parseMarkdown(src: string): Block[] {
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let para: Inline[][] = [];
  const endPara = () => {
    if (para.length) blocks.push({ k: 'p', lines: para });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^\s*```\s*([\w+#.-]*)\s*$/.exec(line);
    if (fence) {
      endPara();
      const body: string[] = [];
      i++;
      while (i < lines.length && !/^\s*```\s*$/.test(lines[i]!)) body.push(lines[i++]!);
      blocks.push({ k: 'pre', lang: fence[1] ?? '', text: body.join('\n') });
      continue;
    }
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (h) {
      endPara();
      blocks.push({ k: 'h', level: h[1]!.length, children: parseInline(h[2]!.replace(/\s+#+\s*$/, '')) });
      continue;
    }
    if (/^\s*>/.test(line)) {
      endPara();
      const quoted: string[] = [];
      while (i < lines.length && /^\s*>/.test(lines[i]!)) quoted.push(lines[i++]!.replace(/^\s*>\s?/, ''));
      i--;
      blocks.push({ k: 'quote', blocks: parseMarkdown(quoted.join('\n')) });
      continue;
    }
    if (line.trim() === '') {
      endPara();
      continue;
    }
    para.push(parseInline(line));
  }
  endPara();
  return blocks;
}

// ---- Code highlighting ----

export type TokenKind = 'plain' | 'kw' | 'str' | 'com' | 'num';
export interface Token {
  kind: TokenKind;
  text: string;
}

interface Lang {
  keywords: Set<string>;
  line?: string[];
  block?: boolean;
  quotes: string;
  caseless?: boolean;
}

const words = (s: string) => new Set(s.split(' '));
const C_LIKE = { line: ['//'], block: true, quotes: '"\'' };

const LANGS: Record<string, Lang> = {
  rust: {
    ...C_LIKE,
    keywords: words(
      'as async await break const continue crate dyn else enum extern false fn for if impl in let loop match mod move mut pub ref return self Self static struct super trait true type unsafe use where while Some None Ok Err',
    ),
  },
  js: {
    ...C_LIKE,
    quotes: '"\'`',
    keywords: words(
      'async await break case catch class const continue default delete do else enum export extends false finally for from function if implements import in instanceof interface let new null of private public readonly return static super switch this throw true try type typeof undefined var void while yield',
    ),
  },
  python: {
    line: ['#'],
    quotes: '"\'',
    keywords: words(
      'and as assert async await break class continue def del elif else except False finally for from global if import in is lambda None nonlocal not or pass raise return self True try while with yield',
    ),
  },
  go: {
    ...C_LIKE,
    quotes: '"\'`',
    keywords: words(
      'break case chan const continue default defer else fallthrough false for func go goto if import interface map nil package range return select struct switch true type var',
    ),
  },
  java: {
    ...C_LIKE,
    keywords: words(
      'abstract auto bool boolean break case catch char class const continue default do double else enum extends false final finally float for fun if implements import int interface long namespace new null override package private protected public return short static struct super switch this throw throws true try val var void volatile while',
    ),
  },
  sql: {
    line: ['--'],
    block: true,
    quotes: '\'"',
    caseless: true,
    keywords: words(
      'add alter and as asc between by case create delete desc distinct drop else end exists from group having in index inner insert into is join key left like limit not null on or order outer primary references right select set table then union update values when where with',
    ),
  },
  shell: {
    line: ['#'],
    quotes: '"\'',
    keywords: words('case do done echo elif else esac exit export fi for function if in local read return set then unset until while'),
  },
  json: { quotes: '"', keywords: words('true false null') },
};

const ALIASES: Record<string, string> = {
  rs: 'rust',
  javascript: 'js',
  jsx: 'js',
  ts: 'js',
  typescript: 'js',
  tsx: 'js',
  py: 'python',
  golang: 'go',
  kotlin: 'java',
  kt: 'java',
  c: 'java',
  cpp: 'java',
  'c++': 'java',
  cs: 'java',
  csharp: 'java',
  swift: 'java',
  sh: 'shell',
  bash: 'shell',
  zsh: 'shell',
  mysql: 'sql',
  postgresql: 'sql',
  sqlite: 'sql',
};

/** The language's rules, or null (shown unhighlighted). */
function langOf(name: string): Lang | null {
  const key = name.trim().toLowerCase();
  return LANGS[ALIASES[key] ?? key] ?? null;
}

const IDENT = /[A-Za-z_$][\w$]*/y;
const NUMBER = /\d[\w.]*/y;

/** Tokens of `code`; an unknown language is one plain token. Concatenated, they are `code`. */
export function highlight(code: string, language: string): Token[] {
  const lang = langOf(language);
  if (!lang) return [{ kind: 'plain', text: code }];
  const out: Token[] = [];
  const push = (kind: TokenKind, text: string) => {
    const prev = out[out.length - 1];
    if (prev && prev.kind === kind) prev.text += text;
    else out.push({ kind, text });
  };
  const rest = (mark: string, at: number) => code.startsWith(mark, at);
  let i = 0;
  while (i < code.length) {
    const lineMark = lang.line?.find((m) => rest(m, i));
    if (lineMark) {
      const end = code.indexOf('\n', i);
      const stop = end < 0 ? code.length : end;
      push('com', code.slice(i, stop));
      i = stop;
      continue;
    }
    if (lang.block && rest('/*', i)) {
      const end = code.indexOf('*/', i + 2);
      const stop = end < 0 ? code.length : end + 2;
      push('com', code.slice(i, stop));
      i = stop;
      continue;
    }
    const ch = code[i]!;
    if (lang.quotes.includes(ch)) {
      let j = i + 1;
      while (j < code.length && code[j] !== ch && !(code[j] === '\n' && ch !== '`')) j += code[j] === '\\' ? 2 : 1;
      const stop = Math.min(code.length, j + 1);
      push('str', code.slice(i, stop));
      i = stop;
      continue;
    }
    const prevWord = i > 0 && /[\w$]/.test(code[i - 1]!);
    if (!prevWord && /\d/.test(ch)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(code)!;
      push('num', m[0]);
      i += m[0].length;
      continue;
    }
    if (!prevWord && /[A-Za-z_$]/.test(ch)) {
      IDENT.lastIndex = i;
      const w = IDENT.exec(code)![0];
      push(lang.keywords.has(lang.caseless ? w.toLowerCase() : w) ? 'kw' : 'plain', w);
      i += w.length;
      continue;
    }
    push('plain', ch);
    i++;
  }
  return out;
}
