import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { normalizeMath } from './math-delimiters.js';
import { MAX_RICH_LENGTH, RichText } from './rich-text.js';

const render = (text: string) => renderToStaticMarkup(createElement(RichText, { text }));

describe('rich text', () => {
  it('renders CommonMark and GFM: emphasis, lists, tables, code', () => {
    const html = render(
      '**bold** and *it*\n\n- one\n- two\n\n| x | x² |\n|---|---|\n| 3 | 9 |\n\n```python\nprint("hi")\n```',
    );
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<em>it</em>');
    expect(html).toMatch(/<ul>\s*<li>one<\/li>\s*<li>two<\/li>\s*<\/ul>/);
    expect(html).toMatch(/<table>[\s\S]*<th>x²<\/th>[\s\S]*<td>9<\/td>/);
    expect(html).toMatch(/<code class="hljs language-python">[\s\S]*<span class="hljs-built_in">print<\/span>/);
  });

  it('renders maths with KaTeX in every delimiter people write', () => {
    for (const text of ['$x = \\pm 3$', '\\(x = \\pm 3\\)', '$$x = \\pm 3$$', '\\[x = \\pm 3\\]']) {
      const html = render(text);
      expect([text, html.includes('class="katex"')]).toEqual([text, true]);
      expect(html).toContain('±');
    }
    // Inside code, dollars and backslashes stay as typed.
    expect(normalizeMath('`\\(a\\)` and \\(b\\)')).toBe('`\\(a\\)` and $b$');
    expect(render('`$x$`')).toContain('<code>$x$</code>');
  });

  it('never renders raw HTML: scripts, handlers and iframes stay text', () => {
    const html = render(
      '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\nhi <iframe src="https://evil.example"></iframe>',
    );
    expect(html).not.toMatch(/<script|<img|<iframe/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('onerror=&quot;alert(2)&quot;');
  });

  it('keeps links safe: no javascript: or data:, and new tabs learn nothing about the page', () => {
    const html = render(
      '[a](javascript:alert(1)) [b](data:text/html,<b>x</b>) [c](https://example.org/x) [d](vbscript:msgbox)',
    );
    expect(html).not.toMatch(/javascript:|data:text|vbscript:/i);
    expect(html).toContain('href="https://example.org/x"');
    expect(html).toContain('rel="noopener noreferrer nofollow"');
    expect(html).toContain('target="_blank"');
    expect(html).toContain('<span class="dropped-link">a</span>');
    // KaTeX's own links are off: \\href cannot smuggle a javascript: URL either.
    expect(render('$\\href{javascript:alert(1)}{x}$')).not.toMatch(/href="javascript/);
  });

  it('survives hostile input: deep nesting, huge lists, broken TeX', () => {
    const nested = Array.from({ length: 200 }, (_, i) => `${'  '.repeat(i)}- level ${i}`).join('\n');
    expect(render(nested)).toContain('level 199');
    const huge = Array.from({ length: 2000 }, (_, i) => `- item ${i}`).join('\n');
    expect(render(huge)).toContain('item 1999');
    expect(render('$\\frac{1}{$')).toBeTruthy(); // shown, not thrown
    expect(render('>'.repeat(500) + ' deep quote')).toContain('deep quote');
  });

  it('renders a very long message as plain text, without the Markdown work', () => {
    const long = '**x** '.repeat(MAX_RICH_LENGTH / 5);
    const html = render(long);
    expect(html).not.toContain('<strong>');
    expect(html).toContain('**x**');
  });

  it('renders a streaming answer as it grows: each prefix is valid output, the last the whole answer', () => {
    const answer = 'Step 1: **factor**.\n\n$$\nx^2 - 9 = (x-3)(x+3)\n$$\n\n| x | value |\n|---|---|\n| 3 | 0 |';
    for (let n = 1; n <= answer.length; n += 7) expect(typeof render(answer.slice(0, n))).toBe('string');
    const last = render(answer);
    expect(last).toContain('<strong>factor</strong>');
    expect(last).toContain('class="katex-display"');
    expect(last).toContain('<table>');
  });
});
