// The room feature's public face: what the app and the console may import from it.
export { Composer } from './composer.js';
export { Conversation } from './conversation.js';
export { PresentPage } from './present-page.js';
export { Sidebar } from './sidebar.js';
export { agentActivity, isMuted, nameOf, type FlagItem, type RoomState } from './state/room-state.js';
export { useRoom, type RoomActions } from './state/use-room.js';
