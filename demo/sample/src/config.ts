/** The article's requirement: 50+ simultaneous users per document. */
export const MAX_USERS_PER_DOCUMENT = 64;

/** Keystroke to remote render, the latency budget every component shares. */
export const LATENCY_BUDGET_MS = 100;
