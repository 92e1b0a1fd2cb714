export * from './lunar';
export * from './holidays';
export * from './working-time';
