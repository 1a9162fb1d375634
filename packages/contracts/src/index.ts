export * from './errors.ts';
export * from './instance.ts';
export * from './identity.ts';
export * from './notifications.ts';
export * from './search.ts';
export * from './assistant.ts';
export * from './docs.ts';
