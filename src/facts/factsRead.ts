import type { PathSegment } from '../language/position.js';
import { namespaceReads, type NamespaceRead } from '../language/namespaceReads.js';

/** One place an expression reads a fact: `{var: facts.member.plan}` reads "member" ('' for `facts` alone). */
export type FactRead = NamespaceRead;

/** Every fact an expression reads, with where it is written. */
export function factsRead(logic: unknown, at: PathSegment[]): FactRead[] {
  return namespaceReads('facts', logic, at);
}
