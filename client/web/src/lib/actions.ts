// How a moderator's action reports back: shared by the console and by the controls the room
// shows moderators inline (a message's delete button, a hand's "give the floor").

/** The console's status line: what the last action did, and an undo where one exists. */
export type Feedback = { ok: boolean; text: string; undo?: { label: string; run: () => Promise<unknown> } } | null;

/** Runs an action; `after` may add to the report (an undo, a count) from the server's answer. */
export type Act = (
  label: string,
  run: () => Promise<unknown>,
  after?: (result: unknown) => Partial<NonNullable<Feedback>>,
) => Promise<void>;
