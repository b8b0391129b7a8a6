import { useState } from 'react';
import type { PanelProps } from './panel-props.js';
import { useTranslation } from 'react-i18next';

export function TutorControls({ room, actions, act }: PanelProps) {
  const { t } = useTranslation();
  const [answerPending, setAnswerPending] = useState(true);
  const paused = room.session.agent.paused;
  const working = room.agent.status === 'thinking' || room.agent.status === 'streaming';
  return (
    <section aria-labelledby="tutor-controls">
      <h3 id="tutor-controls">{t('tutor.title')}</h3>
      <div className="row-actions">
        {working && (
          <button
            type="button"
            onClick={() => void act(t('tutor.stopped'), () => actions.moderate({ action: 'cancel_agent' }))}
          >
            {t('tutor.stop')}
          </button>
        )}
        {paused ? (
          <button
            type="button"
            onClick={() =>
              void act(t('tutor.resumed'), () =>
                actions.moderate({ action: 'resume_agent', answer_pending: answerPending }),
              )
            }
          >
            {t('tutor.resume')}
          </button>
        ) : (
          <>
            <button
              type="button"
              onClick={() =>
                void act(working ? t('tutor.pausedAfter') : t('tutor.paused'), () =>
                  actions.moderate({ action: 'pause_agent' }),
                )
              }
            >
              {t('tutor.pause')}
            </button>
            {working && (
              <button
                type="button"
                onClick={() =>
                  void act(t('tutor.pausedStopped'), () => actions.moderate({ action: 'pause_agent', stop_now: true }))
                }
              >
                {t('tutor.pauseStop')}
              </button>
            )}
          </>
        )}
      </div>
      {!paused && working && <p className="muted">{t('tutor.pauseHint')}</p>}
      {paused && (
        <label className="inline">
          <input type="checkbox" checked={answerPending} onChange={(e) => setAnswerPending(e.target.checked)} />{' '}
          {t('tutor.answerPending')}
        </label>
      )}
    </section>
  );
}
