export * from './errors.ts';
export * from './instance.ts';
