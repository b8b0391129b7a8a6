// The moderator console's public face: the console and the hook that reports its actions.
export { ModeratorConsole } from './moderator-console.js';
export { useModeratorActions } from './use-moderator-actions.js';
