// Safe markdown for messages: fenced code blocks, inline code, bold, italics,
// strikethrough, quotes and links (http and https only). The parser returns
// a small tree; the renderer builds elements from it with text nodes only,
// so no HTML in a message is ever interpreted.

import { h } from './dom.js';

/**
 * @typedef {{ type: 'text', text: string }
 *   | { type: 'code', text: string }
 *   | { type: 'strong' | 'em' | 'del', children: Inline[] }
 *   | { type: 'link', href: string, children: Inline[] }} Inline
 * @typedef {{ type: 'paragraph', children: Inline[] }
 *   | { type: 'codeblock', lang: string, text: string }
 *   | { type: 'quote', children: Inline[] }} Block
 */

const MAX_DEPTH = 4;

/** Delimiters of emphasis, longest first. */
const EMPHASIS = /** @type {const} */ ([
  ['**', 'strong'],
  ['__', 'strong'],
  ['~~', 'del'],
  ['*', 'em'],
  ['_', 'em'],
]);

/** @param {string | undefined} ch */
const isWord = (ch) => !!ch && /[\p{L}\p{N}]/u.test(ch);
/** @param {string | undefined} ch */
const isSpace = (ch) => !ch || /\s/.test(ch);

/**
 * Where the emphasis opened at `from` closes, or -1.
 * @param {string} text
 * @param {number} from index just after the opening delimiter
 * @param {string} delim
 */
function closingIndex(text, from, delim) {
  if (isSpace(text[from])) return -1;
  let at = text.indexOf(delim, from);
  while (at !== -1) {
    // In a run like "***" the double delimiter closes last: "**a *b***".
    if (delim.length === 2) while (text[at + 2] === delim[0]) at += 1;
    const inner = text.slice(from, at);
    const okEnd = inner.length > 0 && !isSpace(text[at - 1]);
    // "*" must not be half of "**"; "_" must end a word (snake_case stays as is).
    const single = delim.length === 1;
    const doubled = single && (text[at + 1] === delim || text[at - 1] === delim);
    const wordAfter = delim[0] === '_' && isWord(text[at + delim.length]);
    if (okEnd && !doubled && !wordAfter && !inner.includes('\n\n')) return at;
    at = text.indexOf(delim, at + 1);
  }
  return -1;
}

/**
 * @param {string} url
 * Trailing punctuation usually ends the sentence, not the link.
 */
function trimUrl(url) {
  let out = url.replace(/[.,;:!?]+$/, '');
  // Keep a closing parenthesis only when the link opened one.
  while (out.endsWith(')') && (out.match(/\(/g) ?? []).length < (out.match(/\)/g) ?? []).length) out = out.slice(0, -1);
  return out;
}

/**
 * @param {string} text
 * @param {number} [depth]
 * @returns {Inline[]}
 */
export function parseInline(text, depth = 0) {
  /** @type {Inline[]} */
  const out = [];
  let buf = '';
  const flush = () => {
    if (buf) out.push({ type: 'text', text: buf });
    buf = '';
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    const rest = text.slice(i);
    let m;
    if (ch === '\\' && /[\\`*_~[\]()>#-]/.test(text[i + 1] ?? '')) {
      buf += text[i + 1];
      i += 2;
      continue;
    }
    if (ch === '`' && (m = /^(`+)([^`][\s\S]*?)\1(?!`)/.exec(rest)) && !m[2].includes('\n\n')) {
      flush();
      out.push({ type: 'code', text: m[2] });
      i += m[0].length;
      continue;
    }
    if (ch === '[' && (m = /^\[([^\]\n]+)\]\((https?:\/\/[^\s()<>]+(?:\([^\s()<>]*\))?[^\s()<>]*)\)/i.exec(rest))) {
      flush();
      out.push({ type: 'link', href: m[2], children: depth < MAX_DEPTH ? parseInline(m[1], depth + 1) : [{ type: 'text', text: m[1] }] });
      i += m[0].length;
      continue;
    }
    if ((ch === 'h' || ch === 'H') && !isWord(text[i - 1]) && (m = /^https?:\/\/[^\s<>"']+/i.exec(rest))) {
      const url = trimUrl(m[0]);
      if (url.length > 'https://'.length - 1) {
        flush();
        out.push({ type: 'link', href: url, children: [{ type: 'text', text: url }] });
        i += url.length;
        continue;
      }
    }
    let matched = false;
    if (depth < MAX_DEPTH && (ch === '*' || ch === '_' || ch === '~')) {
      for (const [delim, type] of EMPHASIS) {
        if (!rest.startsWith(delim)) continue;
        // Underscores open only at the start of a word: "a.__b" and "a_b" stay text.
        if (delim[0] === '_' && !(i === 0 || /[\s([{"']/.test(text[i - 1]))) continue;
        const start = i + delim.length;
        const end = closingIndex(text, start, delim);
        if (end === -1) continue;
        flush();
        out.push({ type, children: parseInline(text.slice(start, end), depth + 1) });
        i = end + delim.length;
        matched = true;
        break;
      }
    }
    if (matched) continue;
    buf += ch;
    i += 1;
  }
  flush();
  return out;
}

/**
 * @param {string} text
 * @returns {Block[]}
 */
export function parseMarkdown(text) {
  const lines = text.split('\n');
  /** @type {Block[]} */
  const blocks = [];
  /** @type {string[]} */
  let para = [];
  /** @type {string[]} */
  let quote = [];
  const flushPara = () => {
    if (para.length) blocks.push({ type: 'paragraph', children: parseInline(para.join('\n')) });
    para = [];
  };
  const flushQuote = () => {
    if (quote.length) blocks.push({ type: 'quote', children: parseInline(quote.join('\n')) });
    quote = [];
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    const fence = /^\s*```([\w+#.-]*)\s*(.*)$/.exec(line);
    if (fence) {
      // A fence closes on a later line of its own; unclosed fences stay text.
      const close = lines.findIndex((l, j) => j > i && /^\s*```\s*$/.test(l));
      const sameLine = /^(.*)```\s*$/.exec(fence[2]);
      if (sameLine && !fence[1]) {
        // ```code``` on one line
        flushQuote();
        flushPara();
        blocks.push({ type: 'codeblock', lang: '', text: sameLine[1] });
        continue;
      }
      if (close !== -1) {
        flushQuote();
        flushPara();
        const first = fence[2] ? [fence[2]] : [];
        blocks.push({ type: 'codeblock', lang: fence[1], text: [...first, ...lines.slice(i + 1, close)].join('\n') });
        i = close;
        continue;
      }
    }
    const quoted = /^> ?(.*)$/.exec(line);
    if (quoted) {
      flushPara();
      quote.push(quoted[1]);
      continue;
    }
    flushQuote();
    para.push(line);
  }
  flushQuote();
  flushPara();
  return blocks;
}

/**
 * @param {Inline[]} nodes
 * @returns {(Node | string)[]}
 */
export function renderInline(nodes) {
  return nodes.map((node) => {
    switch (node.type) {
      case 'text':
        return node.text;
      case 'code':
        return h('code', { class: 'md-code' }, node.text);
      case 'strong':
        return h('strong', null, renderInline(node.children));
      case 'em':
        return h('em', null, renderInline(node.children));
      case 'del':
        return h('del', null, renderInline(node.children));
      case 'link':
        return h('a', { href: node.href, target: '_blank', rel: 'noopener noreferrer nofollow' }, renderInline(node.children));
      default:
        return '';
    }
  });
}

/**
 * Message text as elements. Paragraph breaks stay newlines (the body keeps
 * white space), so plain text looks exactly as it was typed.
 * @param {string} text
 * @returns {(Node | string)[]}
 */
export function renderMarkdown(text) {
  /** @type {(Node | string)[]} */
  const out = [];
  const blocks = parseMarkdown(text);
  blocks.forEach((block, index) => {
    if (block.type === 'codeblock') out.push(h('pre', { class: 'md-pre', dataset: { lang: block.lang || null } }, h('code', null, block.text)));
    else if (block.type === 'quote') out.push(h('blockquote', { class: 'md-quote' }, renderInline(block.children)));
    else {
      out.push(...renderInline(block.children));
      const next = blocks[index + 1];
      if (next && next.type === 'paragraph') out.push('\n');
    }
  });
  return out;
}
