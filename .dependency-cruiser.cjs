/**
 * The layers of src/, checked by `npm run lint:deps` (CI runs it). From the bottom up:
 *   engine/ (JSON-Logic), okta/ (wire types)
 *   language/ (the rule language's shared vocabulary: positions, errors, expression checks,
 *             the interface a section of a rule file plugs into the rule compiler with)
 *   facts/, counters/ (their sections, their stages)
 *   rules/ (loading and compiling rule files)
 *   decide/, server/, preview/, suites/, cli/ (the callers)
 * @type {import('dependency-cruiser').IConfiguration}
 */
const CALLERS = '^src/(decide|server|preview|suites|cli)/';

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'A module that reaches itself through its imports: the layers would not build one on the other.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-below-callers',
      comment: 'The engine, facts, counters and rules know nothing of who calls them (the hook, the preview, rule tests, the CLI).',
      severity: 'error',
      from: { path: '^src/(engine|facts|counters|rules)/' },
      to: { path: CALLERS },
    },
    {
      name: 'sections-below-rules',
      comment: 'Facts and counters plug their sections into the rule compiler through src/language/section.ts; they never import it.',
      severity: 'error',
      from: { path: '^src/(facts|counters)/' },
      to: { path: '^src/rules/' },
    },
    {
      name: 'language-at-the-bottom',
      comment: 'The shared vocabulary imports only the engine and the wire types.',
      severity: 'error',
      from: { path: '^src/language/' },
      to: { path: '^src/', pathNot: '^src/(language|engine|okta)/' },
    },
    {
      name: 'settings-passed-down',
      comment: 'Settings are read once, by src/config.ts, and passed down: the core never reads them itself.',
      severity: 'error',
      from: { path: '^src/(engine|facts|counters|rules|language|ruleset)/' },
      to: { path: '^src/config\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a cycle of types is still a cycle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.build.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
