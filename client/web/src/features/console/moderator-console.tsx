import type { Act, Feedback } from '../../lib/actions.js';
import type { RoomActions, RoomState } from '../room/index.js';
import { AwaitingApproval } from './panels/approvals.js';
import { Instructions } from './panels/instructions.js';
import { JoinCode } from './panels/join-code.js';
import { People } from './panels/people.js';
import { Participation, TranscriptDownload } from './panels/reports.js';
import { RoomSettings } from './panels/room-settings.js';
import { SafetyFlags, SafetySettingsForm } from './panels/safety.js';
import { TutorControls } from './panels/tutor-controls.js';
import { WaitingRoom } from './panels/waiting-room.js';
import { useTranslation } from 'react-i18next';

/** The teacher's console: the floor, people, the tutor and the room's settings; each action reports the server's ack. */
export function ModeratorConsole({
  room,
  actions,
  token,
  now,
  act,
  feedback,
  busy,
}: {
  room: RoomState;
  actions: RoomActions;
  token: string;
  now: number;
  act: Act;
  feedback: Feedback;
  busy: boolean;
}) {
  const { t } = useTranslation();
  const closed = room.session.status === 'closed';

  return (
    <aside className="console" aria-label={t('console.title')}>
      <h2>{t('console.title')}</h2>
      <p role="status" className={`feedback ${feedback?.ok === false ? 'error' : ''}`} data-testid="console-feedback">
        {feedback?.text}
        {feedback?.undo && !closed && (
          <button
            type="button"
            className="link-button"
            onClick={() => void act(feedback.undo!.label, feedback.undo!.run)}
          >
            {t('console.undo')}
          </button>
        )}
      </p>
      <fieldset disabled={closed || busy} className="console-body">
        <SafetyFlags room={room} actions={actions} act={act} />
        <AwaitingApproval room={room} actions={actions} act={act} token={token} />
        <TutorControls room={room} actions={actions} act={act} />
        <WaitingRoom room={room} actions={actions} act={act} />
        <People room={room} actions={actions} act={act} now={now} />
        <RoomSettings room={room} actions={actions} act={act} />
        <SafetySettingsForm room={room} actions={actions} act={act} />
        <Instructions room={room} actions={actions} act={act} />
        <JoinCode room={room} actions={actions} act={act} token={token} />
      </fieldset>
      {/* After class too: what happened, and the record of it. */}
      <Participation room={room} token={token} />
      <TranscriptDownload room={room} token={token} />
    </aside>
  );
}
