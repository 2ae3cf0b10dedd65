export { decide, type Decided } from './decide.js';
export { givenProblems } from './given.js';
export type { DecideMode, Given, Sources } from './mode.js';
