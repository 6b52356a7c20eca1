export * from './uscc.js';
export * from './resident-id.js';
export * from './region.js';
