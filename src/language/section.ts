import type { CompiledLogic } from '../engine/logic.js';
import type { RequestType } from '../okta/types.js';
import type { LogicProblem } from './checkLogic.js';
import type { PathSegment, Positions } from './position.js';
import type { RuleError } from './RuleError.js';

/** Where a compile's problems go: errors refuse the ruleset; warnings load (errors under `validate --strict`). */
export interface Report {
  readonly errors: RuleError[];
  readonly warnings: RuleError[];
}

/**
 * One rule file as a section compiler sees it: where things are written, and how an expression
 * written in it is checked and compiled, so that every section treats JSON-Logic the same way
 * (operators, paths, patterns, the lists it names).
 */
export interface SectionFile extends Positions {
  /**
   * The problems of an expression written at `path`, for the section to report in its own
   * words. The lists it names are checked against the ruleset's once every file is read.
   */
  check(logic: unknown, path: PathSegment[]): LogicProblem[];
  /** A checked expression, compiled with the ruleset's patterns and lists. */
  compile(logic: unknown): CompiledLogic;
}

/** An expression of a rule and where it is written. */
export type Expression = readonly [logic: unknown, path: PathSegment[]];

/**
 * A section whose entries rules read as `NAMESPACE.NAME` (facts, counters). The rule compiler
 * gives it each file's entries and each rule's expressions; once every file is read, `finish`
 * reports the reads of names no file defines and the names no rule reads, and builds what the
 * ruleset holds.
 */
export interface NamespaceSection<Built> {
  /** The section's key in a rule file, and the namespace rules read it by. */
  readonly namespace: 'facts' | 'counters';
  /** One file's entries (already schema-checked). */
  define(file: SectionFile, entries: Readonly<Record<string, unknown>>): void;
  /** Records where a rule's expressions read the namespace; the names read, each once, in order. */
  read(file: SectionFile, expressions: readonly Expression[]): string[];
  /**
   * @param partial some files could not be read: a read name may be defined in one of them.
   * @param readBy the names the enabled rules of a request type read, in evaluation order.
   */
  finish(partial: boolean, readBy: (type: RequestType) => readonly string[]): Built;
}
