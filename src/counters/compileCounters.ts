import type { CompiledLogic } from '../engine/logic.js';
import { REQUEST_TYPES, type RequestType } from '../okta/types.js';
import type { ParsedYaml, PathSegment } from '../rules/parseYamlFile.js';
import type { RuleError } from '../rules/RuleError.js';
import type { SourcePosition } from '../rules/types.js';
import { counterReads } from './counterReads.js';
import { durationMs } from '../core/duration.js';
import type { CompiledCounter, CounterSpec, CounterUse } from './types.js';

const MAX_WINDOW_MS = 31 * 86_400_000;

/**
 * The counters of a ruleset, gathered across its files while compileRules walks them:
 * definitions (`add`), the counters each rule reads (`readsOf`), then the checks that need
 * every file (`finish`): a read of an unknown counter, a counter no rule reads.
 */
export class CounterCompiler {
  private readonly counters = new Map<string, CompiledCounter>();
  /** Every name defined, compiled or not: a read of one with errors is not "unknown" too. */
  private readonly defined = new Map<string, SourcePosition>();
  private readonly reads: Array<{ name: string | undefined; at: SourcePosition; appliesTo: readonly RequestType[] }> = [];

  constructor(private readonly errors: RuleError[]) {}

  /** `check` is compileRules' own: it reports the expression's problems and compiles it. */
  add(parsed: ParsedYaml, specs: Record<string, CounterSpec> | undefined, check: (logic: unknown, path: PathSegment[]) => CompiledLogic): void {
    for (const [name, spec] of Object.entries(specs ?? {})) {
      const base: PathSegment[] = ['counters', name];
      const source = parsed.positionOf(['counters'], name);
      const fail = (path: PathSegment[], message: string, key?: string) => this.errors.push({ ...parsed.positionOf(path, key), message });
      const earlier = this.defined.get(name);
      if (earlier) {
        fail(['counters'], `counter "${name}" is already defined at ${earlier.file}:${earlier.line}:${earlier.column}`, name);
        continue;
      }
      this.defined.set(name, source);
      const before = this.errors.length;
      const key = check(spec.key, [...base, 'key']);
      for (const read of counterReads(spec.key, [...base, 'key'])) fail(read.path, 'a counter\'s key cannot read counters');
      const windowMs = durationMs(spec.window);
      if (windowMs === null || windowMs < 1_000 || windowMs > MAX_WINDOW_MS) fail([...base, 'window'], `window "${spec.window}": from 1s to 31d`);
      if (this.errors.length > before) continue;
      this.counters.set(name, {
        name,
        key,
        window: spec.window,
        windowMs: windowMs!,
        appliesTo: new Set(spec.appliesTo ?? REQUEST_TYPES),
        count: spec.count ?? 'attempts',
        onError: spec.onError ?? 'deny',
        source,
      });
    }
  }

  /** The counters a rule's expressions read, in order, each once; positions kept for finish(). */
  readsOf(parsed: ParsedYaml, appliesTo: readonly RequestType[], expressions: Array<[logic: unknown, path: PathSegment[]]>): string[] {
    const names: string[] = [];
    for (const [logic, path] of expressions) {
      for (const read of counterReads(logic, path)) {
        this.reads.push({ name: read.name, at: parsed.positionOf(read.path), appliesTo });
        if (read.name !== undefined && !names.includes(read.name)) names.push(read.name);
      }
    }
    return names;
  }

  /** Checks reads against definitions; returns the counters and, per request type, the ones it needs. */
  finish(partial: boolean): { counters: ReadonlyMap<string, CompiledCounter>; countersFor: Record<RequestType, readonly CounterUse[]> } {
    const used = new Set<string>();
    const readFor = new Map<RequestType, Set<string>>(REQUEST_TYPES.map((type) => [type, new Set()]));
    for (const read of this.reads) {
      if (read.name === undefined) {
        this.errors.push({ ...read.at, message: 'read a counter by its name: counters.NAME' });
      } else if (this.defined.has(read.name)) {
        used.add(read.name);
        for (const type of read.appliesTo) readFor.get(type)!.add(read.name);
      } else if (!partial) {
        const known = [...this.defined.keys()];
        this.errors.push({ ...read.at, message: `unknown counter "${read.name}"${known.length ? ` (known: ${known.join(', ')})` : ' (no counters are defined)'}` });
      }
    }
    if (!partial) {
      for (const counter of this.counters.values()) {
        if (!used.has(counter.name)) this.errors.push({ ...counter.source, message: `counter "${counter.name}" is read by no rule (read it as {var: counters.${counter.name}}, or remove it)` });
      }
    }
    const countersFor = Object.fromEntries(
      REQUEST_TYPES.map((type) => [
        type,
        [...this.counters.values()]
          .filter((counter) => counter.appliesTo.has(type) || readFor.get(type)!.has(counter.name))
          .map((counter): CounterUse => ({ counter, counted: counter.appliesTo.has(type) })),
      ]),
    ) as Record<RequestType, CounterUse[]>;
    return { counters: this.counters, countersFor };
  }
}
