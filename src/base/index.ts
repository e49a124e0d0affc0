export * from '../util/errors.js';
export type { Logger } from './logger.js';
export { nullLogger } from './logger.js';
