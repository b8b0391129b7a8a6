import { useEffect, useState } from 'react';
import { type RespondsTo } from '../../../../../sdk/roundtable-client.js';
import { LanguageSelect } from '../../../lib/forms.js';
import type { PanelProps } from './panel-props.js';
import { useTranslation } from 'react-i18next';

export function Instructions({ room, actions, act }: PanelProps) {
  const { t } = useTranslation();
  const [instructions, setInstructions] = useState(room.session.agent.instructions);
  const [respondsTo, setRespondsTo] = useState<RespondsTo>(room.session.agent.responds_to);
  const [maxTokens, setMaxTokens] = useState(room.session.agent.max_answer_tokens?.toString() ?? '');
  useEffect(
    () => setMaxTokens(room.session.agent.max_answer_tokens?.toString() ?? ''),
    [room.session.agent.max_answer_tokens],
  );
  const [language, setLanguage] = useState<string | null>(room.session.agent.language);
  useEffect(() => setLanguage(room.session.agent.language), [room.session.agent.language]);
  useEffect(() => setInstructions(room.session.agent.instructions), [room.session.agent.instructions]);
  useEffect(() => setRespondsTo(room.session.agent.responds_to), [room.session.agent.responds_to]);
  return (
    <section aria-labelledby="instructions-heading">
      <h3 id="instructions-heading">{t('create.instructions')}</h3>
      <form
        className="form compact"
        onSubmit={(event) => {
          event.preventDefault();
          void act(t('instructions.saved'), () =>
            actions.moderate({
              action: 'set_agent',
              instructions,
              responds_to: respondsTo,
              max_answer_tokens: maxTokens.trim() ? Number(maxTokens) : null,
              language,
            }),
          );
        }}
      >
        <label>
          <span className="sr-only">{t('create.instructions')}</span>
          <textarea rows={4} maxLength={4000} value={instructions} onChange={(e) => setInstructions(e.target.value)} />
        </label>
        <label>
          {t('instructions.respondsTo')}
          <select value={respondsTo} onChange={(e) => setRespondsTo(e.target.value as RespondsTo)}>
            <option value="all">{t('instructions.all')}</option>
            <option value="mentions">{t('instructions.mentions', { name: room.session.agent.name })}</option>
          </select>
        </label>
        <label>
          {t('instructions.maxTokens')}
          <input
            type="number"
            min={16}
            max={32000}
            step={1}
            value={maxTokens}
            onChange={(e) => setMaxTokens(e.target.value)}
          />
        </label>
        <LanguageSelect value={language} onChange={setLanguage} />
        <button type="submit">{t('instructions.save')}</button>
      </form>
    </section>
  );
}
