import { emailDomain } from '../engine/emailDomain.js';

export type ListKind = 'values' | 'domains';

/**
 * A named list, held in a Set so a lookup costs the same for 10 entries or 200,000.
 * Text entries compare case-insensitively. A `domains` list also matches sub-domains
 * (x.mailinator.com matches mailinator.com) and accepts an email address as the value.
 */
export class NamedList {
  readonly size: number;
  private readonly entries: Set<string | number>;

  constructor(
    readonly name: string,
    readonly kind: ListKind,
    values: Iterable<string | number>,
    readonly source: string,
  ) {
    this.entries = new Set();
    for (const value of values) {
      const key = this.normalise(value);
      if (key !== null) this.entries.add(key);
    }
    this.size = this.entries.size;
  }

  has(value: unknown): boolean {
    if (this.kind === 'domains') {
      const domain = typeof value === 'string' && value.includes('@') ? emailDomain(value) : this.normalise(value);
      if (typeof domain !== 'string') return false;
      // Walk up the labels: a.b.example.com, b.example.com, example.com, com.
      let candidate = domain;
      for (;;) {
        if (this.entries.has(candidate)) return true;
        const dot = candidate.indexOf('.');
        if (dot < 0) return false;
        candidate = candidate.slice(dot + 1);
      }
    }
    const key = this.normalise(value);
    return key !== null && this.entries.has(key);
  }

  private normalise(value: unknown): string | number | null {
    if (typeof value === 'number') return Number.isFinite(value) ? value : null;
    if (typeof value !== 'string') return null;
    let text = value.trim().toLowerCase();
    if (this.kind === 'domains' && text.endsWith('.')) text = text.slice(0, -1);
    return text === '' ? null : text;
  }
}
