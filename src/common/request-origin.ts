import type { Request } from 'express';

/**
 * The origin a request came to (behind a proxy, as TRUST_PROXY allows): the base of the URLs the
 * server hands out for identity providers and LMS platforms to call back, when PUBLIC_URL is unset.
 */
export const requestOrigin = (req: Request): string => `${req.protocol}://${req.get('host') ?? 'localhost'}`;
