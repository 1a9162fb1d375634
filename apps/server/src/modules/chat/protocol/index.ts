/**
 * The Matrix protocol core of the chat module: pure functions over JSON values, no I/O. See README.md for
 * what each room version gets and where in the specification each rule comes from.
 */
export * from './canonical-json.ts';
export * from './identifiers.ts';
export * from './room-versions.ts';
export * from './redaction.ts';
export * from './event-format.ts';
export * from './auth-rules.ts';
export * from './push-rules.ts';
