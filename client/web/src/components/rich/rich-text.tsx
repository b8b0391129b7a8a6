import { memo, type AnchorHTMLAttributes } from 'react';
import Markdown, { defaultUrlTransform } from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import rehypeKatex from 'rehype-katex';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import { normalizeMath } from './math-delimiters.js';

/** Longer than this, a message renders as plain text: Markdown and KaTeX work grows with the text. */
export const MAX_RICH_LENGTH = 20_000;

/** Links open in a new tab and tell the target nothing about this page. */
function SafeLink({ href, children, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { node?: unknown }) {
  const { node: _node, ...props } = rest;
  if (!href) return <span className="dropped-link">{children}</span>; // a link whose address was not safe: its text only
  return (
    <a {...props} href={href} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  );
}

/** Only http(s), mailto and in-page links survive; anything else (javascript:, data:, vbscript:) is dropped. */
export function safeUrl(url: string): string {
  const kept = defaultUrlTransform(url);
  return /^(https?:|mailto:|#|\/(?!\/))/i.test(kept) ? kept : '';
}

const remarkPlugins = [remarkGfm, remarkMath];
// KaTeX never trusts \href, \htmlClass and the like (trust: false); bad TeX shows as red text, not an error.
const rehypePlugins = [
  [rehypeKatex, { trust: false, strict: 'ignore', throwOnError: false, maxSize: 20, maxExpand: 200 }],
  [rehypeHighlight, { detect: false }],
] as never;

/**
 * A message as Markdown (CommonMark and GFM: tables, lists, task lists,
 * strikethrough), maths through KaTeX and code highlighted. Raw HTML is never
 * rendered: it shows as the text it is. Memoised on its text.
 */
export const RichText = memo(function RichText({ text }: { text: string }) {
  if (text.length > MAX_RICH_LENGTH) return <p className="plain">{text}</p>;
  return (
    <div className="rich">
      <Markdown
        remarkPlugins={remarkPlugins}
        rehypePlugins={rehypePlugins}
        urlTransform={safeUrl}
        skipHtml={false}
        components={{ a: SafeLink }}
      >
        {normalizeMath(text)}
      </Markdown>
    </div>
  );
});

export default RichText;
