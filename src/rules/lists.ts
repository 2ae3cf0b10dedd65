import { domainToASCII } from 'node:url';
import { emailDomain } from '../engine/emailDomain.js';
import { NetworkSet, parseNetwork } from './networks.js';

export type ListKind = 'values' | 'domains' | 'networks';

/**
 * A named list, held in a Set so a lookup costs the same for 10 entries or 200,000
 * (a `domains` lookup costs one Set probe per label of the value). Text entries compare
 * case-insensitively. A `domains` list also matches sub-domains (x.mailinator.com matches
 * mailinator.com), accepts an email address as the value and compares international
 * names in punycode, as `emailDomain` gives them. A `networks` list holds CIDR ranges and
 * matches IP addresses inside them (a binary search over merged ranges, see networks.ts).
 * Lists named in `except` are allow-list overrides: a value any of them contains never matches
 * this list.
 */
export class NamedList {
  readonly size: number;
  /** The length of the longest text entry: no longer name can be one. */
  private readonly longest: number;

  private constructor(
    readonly name: string,
    readonly kind: ListKind,
    private readonly entries: ReadonlySet<string | number>,
    readonly source: string,
    readonly except: readonly NamedList[],
    /** Told which override excused a value (rule-test coverage); unset in the service. */
    private readonly onExcused?: (except: string) => void,
    /** A `networks` list's ranges when already built (list files build them in chunks); else built here. */
    networks?: NetworkSet,
  ) {
    this.size = entries.size;
    this.networks = kind === 'networks' ? (networks ?? NetworkSet.of(entries)) : undefined;
    this.longest = longestText(entries);
  }

  /** The entries as ranges, for a `networks` list: built once, shared like the entries. */
  private readonly networks: NetworkSet | undefined;

  static of(name: string, kind: ListKind, values: Iterable<string | number>, source: string): NamedList {
    const entries = new Set<string | number>();
    for (const value of values) addEntry(entries, kind, value);
    return new NamedList(name, kind, entries, source, []);
  }

  /**
   * A list of entries already normalised with `addEntry` (list files build theirs in chunks, see
   * listSources.ts), with, for a `networks` list, the ranges built from them alongside.
   */
  static fromEntries(name: string, kind: ListKind, entries: ReadonlySet<string | number>, source: string, networks?: NetworkSet): NamedList {
    return new NamedList(name, kind, entries, source, [], undefined, networks);
  }

  /** The same entries (shared, not copied) with allow-list overrides. */
  excluding(except: readonly NamedList[]): NamedList {
    return new NamedList(this.name, this.kind, this.entries, this.source, except, undefined, this.networks);
  }

  /** The same list, telling `onExcused` each time one of its overrides excuses a value. */
  observed(onExcused: (except: string) => void): NamedList {
    return new NamedList(this.name, this.kind, this.entries, this.source, this.except, onExcused, this.networks);
  }

  /** The entries as lookups compare them: `hook-rules diff` counts what two versions add and remove. */
  entryValues(): ReadonlySet<string | number> {
    return this.entries;
  }

  has(value: unknown): boolean {
    if (!this.contains(value)) return false;
    // An override list's own `except` is not consulted: overrides do not chain (and cannot loop).
    const excusedBy = this.except.find((allowed) => allowed.contains(value));
    if (excusedBy && this.onExcused) this.onExcused(excusedBy.name);
    return excusedBy === undefined;
  }

  /** Membership without overrides. */
  contains(value: unknown): boolean {
    if (this.networks) return this.networks.has(value);
    if (this.kind === 'domains') {
      const domain = typeof value === 'string' && value.includes('@') ? emailDomain(value) : normalise('domains', value);
      if (typeof domain !== 'string') return false;
      // Walk up the labels: a.b.example.com, b.example.com, example.com, com. Only names
      // as short as the longest entry are looked up, so a value of thousands of labels costs
      // one pass over it, not one hash of each of its tails.
      let from = 0;
      while (domain.length - from > this.longest) {
        const dot = domain.indexOf('.', from);
        if (dot < 0) return false;
        from = dot + 1;
      }
      let candidate = from === 0 ? domain : domain.slice(from);
      for (;;) {
        if (this.entries.has(candidate)) return true;
        const dot = candidate.indexOf('.');
        if (dot < 0) return false;
        candidate = candidate.slice(dot + 1);
      }
    }
    const key = normalise('values', value);
    return key !== null && this.entries.has(key);
  }
}

const longestCache = new WeakMap<ReadonlySet<string | number>, number>();

/** Lists made with `excluding` or `observed` share their entries, so the length is found once. */
function longestText(entries: ReadonlySet<string | number>): number {
  let longest = longestCache.get(entries);
  if (longest === undefined) {
    longest = 0;
    for (const entry of entries) if (typeof entry === 'string' && entry.length > longest) longest = entry.length;
    longestCache.set(entries, longest);
  }
  return longest;
}

/** Adds a value to a list's entries as lookups compare it (nothing for empty text). */
export function addEntry(entries: Set<string | number>, kind: ListKind, value: unknown): void {
  const key = normalise(kind, value);
  if (key !== null) entries.add(key);
}

function normalise(kind: ListKind, value: unknown): string | number | null {
  if (kind === 'networks') {
    const parsed = typeof value === 'string' ? parseNetwork(value) : undefined;
    return parsed && 'network' in parsed ? parsed.network.canonical : null;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  let text = value.trim().toLowerCase();
  if (kind === 'domains') {
    if (text.endsWith('.')) text = text.slice(0, -1);
    if (/[^\x00-\x7f]/.test(text)) text = domainToASCII(text) || text;
  }
  return text === '' ? null : text;
}

/** Why an entry cannot be in a list of this kind, or null when it can. */
export function listEntryProblem(kind: ListKind, entry: string | number): string | null {
  if (kind === 'domains') return domainEntryProblem(String(entry).trim());
  if (kind === 'networks') {
    if (typeof entry === 'number') return 'is a number, not a network';
    const parsed = parseNetwork(entry);
    return 'problem' in parsed ? parsed.problem : null;
  }
  return null;
}

/** Why a `domains` entry cannot be a domain, or null when it can. */
export function domainEntryProblem(entry: string): string | null {
  if (/\s/.test(entry)) return 'contains a space';
  if (entry.includes('@')) return 'is an email address, not a domain';
  if (/[/:*]/.test(entry)) return 'is not a plain domain name (no URLs, ports or wildcards: sub-domains match anyway)';
  return null;
}
