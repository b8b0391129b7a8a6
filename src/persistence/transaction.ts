import { Prisma } from '../generated/prisma/client.js';

/**
 * A database transaction, handed from a service to repositories as an opaque
 * value: services decide what happens in one transaction, repositories say how.
 */
export type DbTransaction = Prisma.TransactionClient;

/**
 * One data-modifying statement of a one-statement write (it runs inside a WITH), built by a
 * repository and carried opaquely by services. Given the subquery of the session ids the write
 * took, it writes only for those: nothing when the write was refused.
 */
export type StatementPart = (onlySessions: Prisma.Sql) => Prisma.Sql;

/**
 * A subquery of these UUIDs, from one JSON parameter: `id IN ${uuidList(ids)}` has the same text
 * for any number of ids (no per-length statement). Each must be a UUID, or the statement fails.
 */
export const uuidList = (ids: readonly string[]): Prisma.Sql =>
  Prisma.sql`(SELECT value::uuid FROM jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`;
