/** Where something is in a rule file: 1-based line and column. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

/** One step into a parsed file: a key of a map or an index of a list. */
export type PathSegment = string | number;

/** A parsed file that can say where each value in it was written. */
export interface Positions {
  positionOf(path: readonly PathSegment[], key?: string): SourcePosition;
}
