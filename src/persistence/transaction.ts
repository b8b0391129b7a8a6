import type { Prisma } from '../generated/prisma/client.js';

/**
 * A database transaction, handed from a service to repositories as an opaque
 * value: services decide what happens in one transaction, repositories say how.
 */
export type DbTransaction = Prisma.TransactionClient;
