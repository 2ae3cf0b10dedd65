import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A real temporary folder of rule files; `cleanup` removes it. */
export async function tempRules(files: Record<string, string> = {}): Promise<{ dir: string; write(name: string, text: string): Promise<string>; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hook-rules-'));
  const write = async (name: string, text: string) => {
    const full = path.join(dir, name);
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, text);
    return full;
  };
  for (const [name, text] of Object.entries(files)) await write(name, text);
  return { dir, write, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A minimal rule file denying one domain, so tests can tell versions apart by behaviour. */
export function denyDomainRules(domain: string, id = 'deny-domain'): string {
  return `rules:
  - id: ${id}
    description: deny ${domain}
    appliesTo: [self.service.registration]
    when: { "==": [{ var: emailDomain }, ${domain}] }
    then: { deny: { message: "${domain} may not register" } }
`;
}
