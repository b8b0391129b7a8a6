import { useState } from 'react';
import type { PanelProps } from './panel-props.js';

export function TutorControls({ room, actions, act }: PanelProps) {
  const [answerPending, setAnswerPending] = useState(true);
  const paused = room.session.agent.paused;
  const working = room.agent.status === 'thinking' || room.agent.status === 'streaming';
  return (
    <section aria-labelledby="tutor-controls">
      <h3 id="tutor-controls">Tutor</h3>
      <div className="row-actions">
        {working && (
          <button
            type="button"
            onClick={() => void act('Stopped the answer', () => actions.moderate({ action: 'cancel_agent' }))}
          >
            Stop this answer
          </button>
        )}
        {paused ? (
          <button
            type="button"
            onClick={() =>
              void act('Tutor resumed', () =>
                actions.moderate({ action: 'resume_agent', answer_pending: answerPending }),
              )
            }
          >
            Resume tutor
          </button>
        ) : (
          <>
            <button
              type="button"
              onClick={() =>
                void act(working ? 'Tutor paused after this answer' : 'Tutor paused', () =>
                  actions.moderate({ action: 'pause_agent' }),
                )
              }
            >
              Pause tutor (answer yourself)
            </button>
            {working && (
              <button
                type="button"
                onClick={() =>
                  void act('Tutor paused and stopped', () =>
                    actions.moderate({ action: 'pause_agent', stop_now: true }),
                  )
                }
              >
                Pause and stop now
              </button>
            )}
          </>
        )}
      </div>
      {!paused && working && <p className="muted">Pausing lets the answer being written finish; the next one waits.</p>}
      {paused && (
        <label className="inline">
          <input type="checkbox" checked={answerPending} onChange={(e) => setAnswerPending(e.target.checked)} /> On
          resume, answer what arrived while paused
        </label>
      )}
    </section>
  );
}
