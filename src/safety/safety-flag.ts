import type { FlagResolution, SafetyFinding, SafetySeverity } from '../contract/protocol.js';

/** A flag as this module hands it out: no Prisma row leaves it. */
export interface SafetyFlagRecord {
  id: string;
  sessionId: string;
  messageId: string;
  authorId: string | null;
  source: 'message' | 'answer';
  categories: SafetyFinding[];
  severity: SafetySeverity | null;
  action: 'flagged' | 'held' | 'not_checked';
  classifier: string;
  status: 'open' | FlagResolution;
  resolvedBy: string | null;
  resolvedAt: Date | null;
  note: string | null;
  createdAt: Date;
}
