import { lazy, Suspense, useEffect, useRef, useState } from 'react';

// Markdown, KaTeX and the highlighter load after the room is on screen: the first paint waits for none of them.
const RichText = lazy(() => import('./rich-text.js'));

/** A message's text as rich text; plain text until the renderer has loaded. */
export function Rich({ text }: { text: string }) {
  return (
    <Suspense fallback={<p className="plain">{text}</p>}>
      <RichText text={text} />
    </Suspense>
  );
}

/**
 * A growing text (a streaming answer), at most one new value per `ms`: the
 * answer is re-rendered a few times a second, not once per delta, so
 * rendering a long answer stays linear in practice rather than quadratic.
 */
export function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    const wait = last.current + ms - Date.now();
    if (wait <= 0) {
      last.current = Date.now();
      setShown(value);
      return;
    }
    const timer = setTimeout(() => {
      last.current = Date.now();
      setShown(value);
    }, wait);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return shown;
}
