import { useCallback, useState } from 'react';
import type { Act, Feedback } from '../../lib/actions.js';
import { describeError } from '../../lib/ui.js';
import { t } from '../../lib/i18n.js';

/**
 * Runs one moderator action and reports the server's ack in words, in one
 * place (the console's status line), whichever panel the action came from.
 */
export function useModeratorActions() {
  const [feedback, setFeedback] = useState<Feedback>(null);
  const [busy, setBusy] = useState(false);
  const act: Act = useCallback(async (label, run, after) => {
    setBusy(true);
    try {
      const result = await run();
      setFeedback({ ok: true, text: t('console.done', { action: label }), ...after?.(result) });
    } catch (failure) {
      setFeedback({ ok: false, text: t('console.failed', { action: label, reason: describeError(failure) }) });
    } finally {
      setBusy(false);
    }
  }, []);
  return { feedback, busy, act };
}
