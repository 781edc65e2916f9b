// Durations typed by operators are parsed by core, beside the client spec that checks them.
export { parseDuration } from '@cohort/core';
