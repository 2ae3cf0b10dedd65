import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { CONFIG_ENV_NAMES, loadConfig } from '../../src/config.js';
import { ROOT, ServeProcess } from './childProcess.js';

// Parsed YAML, read loosely: the assertions are the type check.
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function manifests(): Obj[] {
  const out: Obj[] = [];
  for (const name of readdirSync(path.join(ROOT, 'deploy')).filter((n) => n.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(path.join(ROOT, 'deploy', name), 'utf8'))) {
      expect(doc.errors, name).to.deep.equal([]);
      out.push({ ...(doc.toJS() as Obj), __file: name });
    }
  }
  return out;
}
const byKind = (kind: string) => manifests().filter((m) => m.kind === kind);

describe('Dockerfile', () => {
  const text = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const stages = text.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1)!;

  it('is multi-stage, installs production dependencies only, and runs as a non-root user', () => {
    expect(stages.length).to.be.at.least(2);
    expect(text).to.match(/npm ci --omit=dev/);
    expect(runtime).not.to.match(/npm (ci|install)/); // the runtime stage copies, never installs
    const user = /^USER (\S+)/m.exec(runtime)?.[1];
    expect(user).to.be.a('string').and.not.match(/^(root|0)$/);
  });

  it('starts the built CLI, and every file it copies from the context exists', () => {
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(runtime)![1]!) as string[];
    expect(cmd).to.deep.equal(['node', 'dist/cli/main.js', 'serve']);
    expect(existsSync(path.join(ROOT, cmd[1]!)), 'npm run build makes dist/cli/main.js').to.equal(true);
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const [, sources] of text.matchAll(/^COPY (?!--from)(?:--\S+ )*(.+) \S+$/gm)) {
      for (const source of sources!.split(' ')) {
        expect(existsSync(path.join(ROOT, source)), source).to.equal(true);
        expect(ignored, `${source} is copied but .dockerignore leaves it out`).not.to.include(source);
      }
    }
    // What the runtime needs at run time: schemas are read from the package root, rules by default.
    expect(runtime).to.match(/COPY .*schemas \.\/schemas/);
    expect(runtime).to.match(/RULES_DIR=\/app\/rules/);
  });
});

describe('deploy/ manifests', () => {
  const deployment = byKind('Deployment')[0]!;
  const pod = deployment?.spec.template.spec;
  const container = pod?.containers[0];
  const env = Object.fromEntries((container?.env ?? []).map((e: Obj) => [e.name, e.value])) as Record<string, string>;
  const mountOf = (volume: string) => container.volumeMounts.find((m: Obj) => m.name === volume);

  it('parse, and kustomization lists files that exist', () => {
    const kustomization = manifests().find((m) => m.__file === 'kustomization.yaml')!;
    for (const file of kustomization.resources as string[]) expect(existsSync(path.join(ROOT, 'deploy', file)), file).to.equal(true);
  });

  it('run at least two replicas with readiness and liveness probes on the service port', () => {
    expect(deployment.spec.replicas).to.be.at.least(2);
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).to.equal(0);
    const port = container.ports.find((p: Obj) => p.name === 'http');
    expect(String(port.containerPort)).to.equal(env.PORT);
    expect(container.readinessProbe.httpGet).to.deep.equal({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).to.deep.equal({ path: '/healthz', port: 'http' });
    expect(pod.securityContext.runAsNonRoot).to.equal(true);
    const bound = (Number(env.SHUTDOWN_DELAY_MS) + Number(env.SHUTDOWN_TIMEOUT_MS)) / 1000;
    expect(pod.terminationGracePeriodSeconds).to.be.greaterThan(bound);
  });

  it('mount the rules ConfigMap as a folder at RULES_DIR and the secret through a *_FILE setting', () => {
    const rulesVolume = pod.volumes.find((v: Obj) => v.configMap);
    expect(mountOf(rulesVolume.name)).to.include({ mountPath: env.RULES_DIR });
    expect(mountOf(rulesVolume.name)).not.to.have.property('subPath'); // a subPath mount never sees updates
    const secretVolume = pod.volumes.find((v: Obj) => v.secret);
    const secretFile = env.OKTA_HOOK_AUTH_SECRETS_FILE!;
    expect(path.dirname(secretFile)).to.equal(mountOf(secretVolume.name).mountPath);
    const example = byKind('Secret')[0]!;
    expect(example.metadata.name).to.equal(secretVolume.secret.secretName);
    expect(example.stringData).to.have.property(path.basename(secretFile));
    expect(byKind('ConfigMap')[0]!.metadata.name).to.equal(rulesVolume.configMap.name);
  });

  it('set only settings the config module knows, and values it accepts', () => {
    for (const name of Object.keys(env)) expect(CONFIG_ENV_NAMES as readonly string[], name).to.include(name);
    const dir = mkdtempSync(path.join(tmpdir(), 'hook-deploy-'));
    writeFileSync(path.join(dir, 'secrets'), 'Basic one\nBasic two\n');
    const config = loadConfig({ ...env, OKTA_HOOK_AUTH_SECRETS_FILE: path.join(dir, 'secrets') }, false);
    expect(config).to.include({ nodeEnv: 'production', workers: 1, logPii: false, logFormat: 'json' });
    expect(config.authSecrets).to.deep.equal(['Basic one', 'Basic two']);
  });

  it('select the pods from the Service and the PodDisruptionBudget', () => {
    const labels = deployment.spec.template.metadata.labels;
    expect(deployment.spec.selector.matchLabels).to.deep.equal(labels);
    const [service] = byKind('Service');
    expect(service!.spec.selector).to.deep.equal(labels);
    expect(service!.spec.ports[0].targetPort).to.equal('http');
    expect(byKind('PodDisruptionBudget')[0]!.spec.selector.matchLabels).to.deep.equal(labels);
    const ingress = byKind('Ingress')[0]!;
    const paths = ingress.spec.rules[0].http.paths;
    // The token hook's path is the one the deployment's settings serve it on (TOKEN_HOOK_PATH).
    const dir = mkdtempSync(path.join(tmpdir(), 'hook-deploy-'));
    writeFileSync(path.join(dir, 'secrets'), 'Basic one\n');
    const { tokenHookPath } = loadConfig({ ...env, OKTA_HOOK_AUTH_SECRETS_FILE: path.join(dir, 'secrets') }, false);
    expect(paths.map((p: Obj) => p.path)).to.deep.equal(['/registrationHook', tokenHookPath]); // /metrics stays internal
    for (const p of paths) {
      expect(p.pathType).to.equal('Exact');
      expect(p.backend.service.name).to.equal(service!.metadata.name);
    }
  });

  it('the example ConfigMap, laid out as the kubelet mounts it, is served as a ruleset', async () => {
    // The kubelet writes the keys into a timestamped folder, points ..data at it, and links each key through ..data.
    const dir = mkdtempSync(path.join(tmpdir(), 'hook-configmap-'));
    const data = byKind('ConfigMap')[0]!.data as Record<string, string>;
    mkdirSync(path.join(dir, '..2026_01_01_00_00_00.000000001'));
    for (const [key, value] of Object.entries(data)) writeFileSync(path.join(dir, '..2026_01_01_00_00_00.000000001', key), value);
    symlinkSync('..2026_01_01_00_00_00.000000001', path.join(dir, '..data'));
    for (const key of Object.keys(data)) symlinkSync(path.join('..data', key), path.join(dir, key));

    const serve = new ServeProcess({ RULES_DIR: dir, OKTA_HOOK_AUTH_SECRET: 'configmap-test' });
    try {
      const base = await serve.url();
      const ready = (await (await fetch(`${base}/readyz`)).json()) as { status: string; rules: number };
      expect(ready).to.include({ status: 'ready', rules: 1 }); // each rule once, not again through ..data
    } finally {
      serve.kill('SIGKILL');
    }
  });
});

describe('README configuration table', () => {
  it('lists exactly the settings the config module reads', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'));
    const table = section.slice(0, section.indexOf('\n## ', 5) > 0 ? section.indexOf('\n## ', 5) : undefined);
    const names = [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect([...names].sort()).to.deep.equal([...CONFIG_ENV_NAMES].sort());
  });
});
