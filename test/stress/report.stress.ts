import { printFigures } from './support/figures.js';

// A root hook: runs once after every stress and hostile test, and prints what was measured.
after(() => printFigures());
