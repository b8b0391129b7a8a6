/** A bad environment: the message lists every bad key. */
export class ConfigError extends Error {}
