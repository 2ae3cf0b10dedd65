import { Composer, LineCounter, Lexer, Parser, YAMLParseError, isMap, isNode, parseDocument, visit, type Document, type Node } from 'yaml';
import { YAML_CHUNK, yieldToLoop } from './cooperative.js';
import type { RuleError } from '../language/RuleError.js';
import type { PathSegment, Positions } from '../language/position.js';

/** A parsed YAML file that still knows where each value came from. */
export interface ParsedYaml extends Positions {
  file: string;
  text: string;
  value: unknown;
}

export type ParseResult = { ok: true; parsed: ParsedYaml } | { ok: false; errors: RuleError[] };

const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: true } as const;

export function parseYamlFile(file: string, text: string): ParseResult {
  const lineCounter = new LineCounter();
  return toResult(file, text, parseDocument(text, { lineCounter, ...PARSE_OPTIONS }), lineCounter);
}

/**
 * The same result as parseYamlFile, with a turn of the event loop every YAML_CHUNK tokens
 * while lexing and parsing (most of the time a big file takes), so a reload does not stall
 * the requests being served. The steps are yaml's own `parseDocument`, driven by hand.
 */
export async function parseYamlFileCooperatively(file: string, text: string): Promise<ParseResult> {
  const lineCounter = new LineCounter();
  lineCounter.addNewLine(0); // Parser.parse does this itself; Parser.next does not
  const parser = new Parser(lineCounter.addNewLine);
  const tokens = [];
  let count = 0;
  for (const lexeme of new Lexer().lex(text, false)) {
    for (const token of parser.next(lexeme)) tokens.push(token);
    if (++count % YAML_CHUNK === 0) await yieldToLoop();
  }
  for (const token of parser.end()) tokens.push(token);
  let doc: Document.Parsed | undefined;
  for (const next of new Composer(PARSE_OPTIONS).compose(tokens, true, text.length)) {
    if (!doc) doc = next;
    else {
      doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'));
      break;
    }
  }
  return toResult(file, text, doc!, lineCounter);
}

function toResult(file: string, text: string, doc: Document.Parsed, lineCounter: LineCounter): ParseResult {
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((error) => {
        const pos = lineCounter.linePos(error.pos[0]);
        return { file, line: pos.line, column: pos.col, message: `YAML: ${firstLine(error.message)}` };
      }),
    };
  }
  const tags = tagErrors(doc, text);
  if (tags.length > 0) {
    return { ok: false, errors: tags.map(({ offset, message }) => ({ file, ...position(lineCounter, offset), message })) };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // toJS throws (not reports) on an alias bomb ("billion laughs"): point at the first alias.
    const pos = lineCounter.linePos(firstAliasOffset(doc));
    return { ok: false, errors: [{ file, line: pos.line, column: pos.col, message: `YAML: ${firstLine((error as Error).message)}` }] };
  }
  return {
    ok: true,
    parsed: {
      file,
      text,
      value,
      positionOf: (path, key) => {
        const offset = offsetOf(doc, path, key);
        const pos = lineCounter.linePos(offset);
        return { file, line: pos.line, column: pos.col };
      },
    },
  };
}

function position(lineCounter: LineCounter, offset: number): { line: number; column: number } {
  const pos = lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** The tags plain YAML data may carry; the rule format uses no others. */
const PLAIN_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'seq', 'map'].map((name) => `tag:yaml.org,2002:${name}`));

/**
 * Every explicit tag other than the plain-data ones is refused. The usual one is an unquoted
 * operator key: YAML reads `!=: [a, b]` as the tag "!=" on the list [a, b], which then stands
 * where the operation should be (a non-empty list is true: the rule matches every request).
 * yaml only warns about such tags.
 */
function tagErrors(doc: Document.Parsed, text: string): Array<{ offset: number; message: string }> {
  const out: Array<{ offset: number; message: string }> = [];
  const seen = new Set<number>();
  for (const warning of doc.warnings) {
    if (warning.code !== 'TAG_RESOLVE_FAILED') continue;
    seen.add(warning.pos[0]);
    out.push({ offset: warning.pos[0], message: tagMessage(text.slice(warning.pos[0], warning.pos[1])) });
  }
  visit(doc, {
    Node(_key, node) {
      if (!node.tag || PLAIN_TAGS.has(node.tag) || !node.range) return;
      const offset = tagStart(text, node.range[0]);
      if (seen.has(offset)) return;
      seen.add(offset);
      out.push({ offset, message: tagMessage(node.tag.replace(/^tag:yaml\.org,2002:/, '!!')) });
    },
  });
  return out.sort((a, b) => a.offset - b.offset);
}

/** Where the tag written before the node at `offset` starts (the node's own offset if none is found). */
function tagStart(text: string, offset: number): number {
  let end = offset;
  while (end > 0 && /\s/.test(text[end - 1]!)) end--;
  let start = end;
  while (start > 0 && !/[\s{[,]/.test(text[start - 1]!)) start--;
  return text[start] === '!' ? start : offset;
}

function tagMessage(tag: string): string {
  const written = tag.replace(/:$/, '');
  if (/^![!=]*$/.test(written)) {
    return `YAML read "${written}" as a tag, not as the operator "${written}": the value after it would stand where the operation should be; quote the key: "${written}":`;
  }
  return `YAML tag "${written}" is not part of the rule format (it uses none); quote the value if "${written}" is text`;
}

function firstAliasOffset(doc: Document): number {
  let offset = 0;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/**
 * The offset of the deepest node on `path` that exists; with `key`, the offset of that key
 * inside the map at `path` (for "unknown property" errors, which should point at the key).
 */
function offsetOf(doc: Document, path: readonly PathSegment[], key?: string): number {
  let node: unknown = doc.contents;
  let offset = isNode(node) ? (node.range?.[0] ?? 0) : 0;
  const steps = key === undefined ? path : [...path, key];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (!isNode(node)) break;
    const collection = node as Node & { items?: unknown[] };
    if (isMap(node)) {
      const pair = node.items.find((item) => isNode(item.key) && String((item.key as Node & { value?: unknown }).value) === String(step));
      if (!pair) break;
      const isLast = i === steps.length - 1;
      // For the final key of an "unknown property" error, point at the key itself.
      if (isLast && key !== undefined && isNode(pair.key)) return pair.key.range?.[0] ?? offset;
      node = pair.value ?? pair.key;
    } else if (Array.isArray(collection.items) && typeof step === 'number') {
      node = collection.items[step];
    } else {
      break;
    }
    if (isNode(node) && node.range) offset = node.range[0];
  }
  return offset;
}
