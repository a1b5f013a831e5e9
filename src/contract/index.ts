/** The vocabulary the browser and the backend kit share: no I/O, no DOM. */
export * from './vocabulary.js';
export type * from './bodies.js';
export * from './errors.js';
export * from './http.js';
