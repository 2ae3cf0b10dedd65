import { isIPv4, isIPv6 } from 'node:net';

/** An address as a number: IPv4 in 32 bits, IPv6 in 128 (IPv4-mapped IPv6 is taken as IPv4). */
export type Address = { version: 4; value: number } | { version: 6; value: bigint };

const MAPPED_PREFIX = 0xffff00000000n; // ::ffff:0:0/96
const V4_BITS = 32;
const V6_BITS = 128;

/** A CIDR range and its canonical text (what a list stores): IPv4 in numbers, IPv6 in bigints. */
export type Network = ({ version: 4; start: number; end: number } | { version: 6; start: bigint; end: bigint }) & { canonical: string };

/**
 * Reads an IPv4 or IPv6 address (a zone such as %eth0 is ignored), or returns null. node:net
 * decides what is an address, so the project accepts exactly what Node does (no leading zeros,
 * no short IPv4 forms); the conversion to a number is the only thing done here.
 */
export function parseAddress(text: string): Address | null {
  const zone = text.indexOf('%');
  const bare = zone >= 0 ? text.slice(0, zone) : text;
  if (isIPv4(bare)) return { version: 4, value: ipv4Number(bare) };
  if (!isIPv6(text)) return null;
  const value = ipv6Number(bare);
  if (value >> 32n === 0xffffn) return { version: 4, value: Number(value & 0xffffffffn) };
  return { version: 6, value };
}

/** A list entry as a network: `10.0.0.0/8`, `2001:db8::/32`, or a bare address (a /32 or /128); or why it is not one. */
export function parseNetwork(entry: string): { network: Network } | { problem: string } {
  const text = entry.trim();
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  if (addressText.includes('%')) return { problem: 'has a zone (%…): a list names networks, not interfaces' };
  if (isIPv4(addressText)) return v4Network(ipv4Number(addressText), V4_BITS, prefixText, 0);
  if (!isIPv6(addressText)) return { problem: 'is not an IP address or CIDR range (such as 10.0.0.0/8 or 2001:db8::/32)' };
  const value = ipv6Number(addressText);
  // An IPv4-mapped range (::ffff:10.0.0.0/104) is the IPv4 range it maps; one wider than the
  // mapped block stays IPv6 and still covers IPv4 addresses (see NetworkSet.has).
  if (value >> 32n === 0xffffn && (prefixText === undefined || Number(prefixText) >= 96)) {
    return v4Network(Number(value & 0xffffffffn), V6_BITS, prefixText, 96);
  }
  const prefix = prefixOf(prefixText, V6_BITS);
  if (prefix === null) return { problem: prefixProblem(V6_BITS) };
  const hostBits = BigInt(V6_BITS - prefix);
  const start = (value >> hostBits) << hostBits;
  const canonical = `${formatV6(start)}/${prefix}`;
  if (start !== value) return { problem: hostBitsProblem(prefixText!, canonical) };
  return { network: { version: 6, start, end: start + (1n << hostBits) - 1n, canonical } };
}

/** `offset`: 96 when the range was written as IPv4-mapped IPv6, whose prefix counts the 96 mapped bits. */
function v4Network(address: number, bits: number, prefixText: string | undefined, offset: number): { network: Network } | { problem: string } {
  const written = prefixOf(prefixText, bits);
  if (written === null) return { problem: prefixProblem(bits) };
  const prefix = written - offset;
  const size = 2 ** (V4_BITS - prefix);
  const start = address - (address % size);
  const canonical = `${formatV4(start)}/${prefix}`;
  if (start !== address) return { problem: hostBitsProblem(prefixText!, canonical) };
  return { network: { version: 4, start, end: start + size - 1, canonical } };
}

function prefixOf(text: string | undefined, bits: number): number | null {
  if (text === undefined) return bits;
  return /^(0|[1-9][0-9]{0,2})$/.test(text) && Number(text) <= bits ? Number(text) : null;
}

function prefixProblem(bits: number): string {
  return `has a prefix length that is not a whole number from 0 to ${bits}`;
}

function hostBitsProblem(prefixText: string, canonical: string): string {
  return `has bits set after its /${prefixText} prefix: the range is ${canonical}`;
}

/**
 * Networks merged into sorted, non-overlapping ranges, so a lookup is a binary search whose
 * steps grow with the logarithm of the list's size, not with the size.
 */
export class NetworkSet {
  private constructor(
    private readonly v4Starts: Float64Array,
    private readonly v4Ends: Float64Array,
    private readonly v6Starts: readonly bigint[],
    private readonly v6Ends: readonly bigint[],
  ) {}

  /** From a list's canonical entries (see parseNetwork); entries that are not networks are ignored. */
  static of(entries: Iterable<string | number>): NetworkSet {
    const builder = new NetworkSetBuilder();
    for (const entry of entries) {
      const parsed = typeof entry === 'string' ? parseNetwork(entry) : undefined;
      if (parsed && 'network' in parsed) builder.add(parsed.network);
    }
    return builder.build();
  }

  /** @internal NetworkSetBuilder's way in. */
  static fromMerged(v4: [number[], number[]], v6: [bigint[], bigint[]]): NetworkSet {
    return new NetworkSet(Float64Array.from(v4[0]), Float64Array.from(v4[1]), v6[0], v6[1]);
  }

  /** True when the value is an address inside one of the networks. */
  has(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    const address = parseAddress(value.trim());
    if (!address) return false;
    if (address.version === 6) return within(this.v6Starts, this.v6Ends, address.value);
    return within(this.v4Starts, this.v4Ends, address.value) || (this.v6Starts.length > 0 && within(this.v6Starts, this.v6Ends, MAPPED_PREFIX + BigInt(address.value)));
  }
}

/** Collects networks one at a time (a list file is read in chunks), then sorts and merges them once. */
export class NetworkSetBuilder {
  private readonly v4: Array<[number, number]> = [];
  private readonly v6: Array<[bigint, bigint]> = [];

  add(network: Network): void {
    if (network.version === 4) this.v4.push([network.start, network.end]);
    else this.v6.push([network.start, network.end]);
  }

  build(): NetworkSet {
    return NetworkSet.fromMerged(merge(this.v4, 1), merge(this.v6, 1n));
  }
}

/** Sorted by start, overlapping and adjacent ranges joined. */
function merge<T extends number | bigint>(ranges: Array<[T, T]>, one: T): [T[], T[]] {
  ranges.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const starts: T[] = [];
  const ends: T[] = [];
  for (const [start, end] of ranges) {
    const last = ends.length - 1;
    // `one` keeps the arithmetic in the ranges' own type (number or bigint).
    if (last >= 0 && start <= (ends[last]! as number) + (one as number)) {
      if (end > ends[last]!) ends[last] = end;
    } else {
      starts.push(start);
      ends.push(end);
    }
  }
  return [starts, ends];
}

/** Binary search: the last range starting at or before `value`, and whether it reaches it. */
function within<T extends number | bigint>(starts: ArrayLike<T>, ends: ArrayLike<T>, value: T): boolean {
  let low = 0;
  let high = starts.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    if (starts[middle]! <= value) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found >= 0 && value <= ends[found]!;
}

/** Dotted IPv4 already checked by isIPv4, read digit by digit (no split: lookups run per request). */
function ipv4Number(text: string): number {
  let value = 0;
  let part = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x2e) {
      value = value * 256 + part;
      part = 0;
    } else part = part * 10 + (code - 0x30);
  }
  return value * 256 + part;
}

function ipv6Number(text: string): bigint {
  const [head = '', tail] = text.split('::') as [string, string | undefined];
  const groups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (group.includes('.')) {
        const v4 = ipv4Number(group);
        out.push(v4 >>> 16, v4 & 0xffff);
      } else out.push(parseInt(group, 16));
    }
    return out;
  };
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  let value = 0n;
  for (const group of all) value = (value << 16n) | BigInt(group);
  return value;
}

function formatV4(value: number): string {
  return `${Math.floor(value / 0x1000000)}.${Math.floor(value / 0x10000) % 256}.${Math.floor(value / 0x100) % 256}.${value % 256}`;
}

/** As RFC 5952 recommends: lowercase, the longest run of two or more zero groups as ::. */
function formatV6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
