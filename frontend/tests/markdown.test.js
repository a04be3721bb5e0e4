// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown, renderMarkdown } from '../app/src/markdown.js';

/** @param {string} text */
function html(text) {
  const div = document.createElement('div');
  div.append(...renderMarkdown(text));
  return div;
}

describe('markdown in messages', () => {
  it('leaves plain text exactly as typed', () => {
    const text = 'line one\nline two\n\n  indented  & <b>not bold</b> 2 * 3 * 4 snake_case_name';
    const el = html(text);
    expect(el.textContent).toBe(text);
    expect(el.children).toHaveLength(0);
  });

  it('renders emphasis, strikethrough and inline code', () => {
    const el = html('**bold** *it* _also_ ~~gone~~ `a <b> c` __strong__');
    expect(el.querySelector('strong')?.textContent).toBe('bold');
    expect([...el.querySelectorAll('em')].map((e) => e.textContent)).toEqual(['it', 'also']);
    expect(el.querySelector('del')?.textContent).toBe('gone');
    expect(el.querySelector('code')?.textContent).toBe('a <b> c');
    expect(el.querySelectorAll('strong')).toHaveLength(2);
  });

  it('nests emphasis and keeps code literal', () => {
    const el = html('**bold *and italic***');
    expect(el.querySelector('strong em')?.textContent).toBe('and italic');
    expect(html('`**not bold**`').querySelector('strong')).toBeNull();
  });

  it('renders fenced code blocks without interpreting them', () => {
    const el = html('before\n```js\nconst a = "<script>";\n**x**\n```\nafter');
    const pre = el.querySelector('pre');
    expect(pre?.dataset.lang).toBe('js');
    expect(pre?.textContent).toBe('const a = "<script>";\n**x**');
    expect(el.querySelector('script, strong')).toBeNull();
    expect(el.textContent).toBe('beforeconst a = "<script>";\n**x**after');
  });

  it('keeps an unclosed fence as text', () => {
    expect(html('```\nno end').querySelector('pre')).toBeNull();
  });

  it('links http and https only, opening safely', () => {
    const el = html('see https://example.org/a_b_c. and [docs](https://example.org/d) but [x](javascript:alert(1))');
    const links = [...el.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://example.org/a_b_c', 'https://example.org/d']);
    expect(links.every((a) => a.rel.includes('noopener') && a.target === '_blank')).toBe(true);
    expect(links[1].textContent).toBe('docs');
    expect(el.textContent).toContain('[x](javascript:alert(1))');
  });

  it('keeps a parenthesis that belongs to the link', () => {
    const el = html('(see https://en.wikipedia.org/wiki/Rust_(language))');
    expect(el.querySelector('a')?.getAttribute('href')).toBe('https://en.wikipedia.org/wiki/Rust_(language)');
  });

  it('quotes lines that start with >', () => {
    const blocks = parseMarkdown('> quoted *words*\nreply');
    expect(blocks.map((b) => b.type)).toEqual(['quote', 'paragraph']);
    expect(html('> quoted').querySelector('blockquote')?.textContent).toBe('quoted');
  });

  it('honours backslash escapes and ignores lone delimiters', () => {
    expect(parseInline('\\*not em\\*')).toEqual([{ type: 'text', text: '*not em*' }]);
    expect(parseInline('a * b * c')).toEqual([{ type: 'text', text: 'a * b * c' }]);
    expect(parseInline('**')).toEqual([{ type: 'text', text: '**' }]);
  });

  it('leaves identifiers with underscores alone', () => {
    const text = 'window.__pwned=1 and x.__y__ or a__b__c and snake_case_x';
    expect(html(text).textContent).toBe(text);
    expect(html(text).querySelector('strong, em')).toBeNull();
  });

  it('never creates elements from HTML in the text', () => {
    const el = html('<img src=x onerror=alert(1)><script>alert(2)</script> **<i>x</i>**');
    expect(el.querySelector('img, script, i')).toBeNull();
    expect(el.querySelector('strong')?.textContent).toBe('<i>x</i>');
  });
});
