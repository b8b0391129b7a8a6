/**
 * remark-math reads `$…$` and `$$…$$`; people and models also write LaTeX's
 * `\(…\)` and `\[…\]`. This rewrites those to dollars, outside code (fenced
 * blocks and inline code keep every character as typed).
 */
export function normalizeMath(text: string): string {
  const parts = text.split(/(```[\s\S]*?(?:```|$)|~~~[\s\S]*?(?:~~~|$)|`[^`\n]*`)/);
  return parts
    .map((part, i) => {
      if (i % 2 === 1) return part; // code, as typed
      return part
        .replace(/\\\[([\s\S]+?)\\\]/g, (_, math: string) => `\n$$\n${math.trim()}\n$$\n`)
        .replace(/\\\(([\s\S]+?)\\\)/g, (_, math: string) => `$${math.trim()}$`);
    })
    .join('');
}
