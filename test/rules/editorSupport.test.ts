import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { listFiles } from '../../src/rules/loadRuleset.js';
import { PACKAGE_ROOT, readSchema } from '../../src/paths.js';

type Schema = Record<string, unknown>;

/** Every property of every object in the schema, with its path, that has no description. */
function undescribed(schema: Schema): string[] {
  const missing: string[] = [];
  const walk = (node: unknown, at: string) => {
    if (!node || typeof node !== 'object') return;
    const n = node as Schema;
    for (const [name, sub] of Object.entries((n.properties ?? {}) as Record<string, Schema>)) {
      if (!('description' in sub) && !('$ref' in sub)) missing.push(`${at}.${name}`);
      walk(sub, `${at}.${name}`);
    }
    for (const [name, sub] of Object.entries((n.definitions ?? {}) as Record<string, Schema>)) {
      if (!('description' in sub)) missing.push(`definitions.${name}`);
      walk(sub, `definitions.${name}`);
    }
    for (const key of ['items', 'additionalProperties']) walk(n[key], `${at}.${key}`);
    for (const key of ['oneOf', 'anyOf']) ((n[key] ?? []) as unknown[]).forEach((sub, i) => walk(sub, `${at}.${key}[${i}]`));
  };
  walk(schema, '');
  return missing;
}

describe('editor support (YAML language server)', () => {
  it('every field of the rule and test schemas has a description', () => {
    expect(undescribed(readSchema('rules.schema.json'))).to.deep.equal([]);
    expect(undescribed(readSchema('rules-test.schema.json'))).to.deep.equal([]);
  });

  it('every shipped rule and test file names its schema, by a path that exists', async () => {
    const folders = ['rules', ...readdirSync(path.join(PACKAGE_ROOT, 'examples')).map((name) => path.join('examples', name))];
    let checked = 0;
    for (const folder of folders) {
      for (const file of (await listFiles(path.join(PACKAGE_ROOT, folder))).filter((f) => /\.ya?ml$/.test(f))) {
        const first = readFileSync(file, 'utf8').split('\n')[0]!;
        const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
        expect(match, file).to.not.equal(null);
        const schema = path.resolve(path.dirname(file), match![1]!);
        expect(path.basename(schema), file).to.equal(/\.test\.ya?ml$/.test(file) ? 'rules-test.schema.json' : 'rules.schema.json');
        expect(() => readFileSync(schema), file).to.not.throw();
        checked++;
      }
    }
    expect(checked).to.be.greaterThan(8);
  });
});
