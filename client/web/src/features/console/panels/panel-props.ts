import type { Act } from '../../../lib/actions.js';
import type { RoomActions, RoomState } from '../../room/index.js';

/** What every console panel gets: the room as it stands, its actions, and the console's reporter. */
export interface PanelProps {
  room: RoomState;
  actions: RoomActions;
  act: Act;
}
