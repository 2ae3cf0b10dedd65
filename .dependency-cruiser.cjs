/**
 * The layers of src/, checked by `npm run lint:deps` (CI runs it). From the bottom up:
 *   core/ (durations, the stages' contract, the breaker)
 *   engine/ (JSON-Logic), okta/ (wire types)
 *   language/ (the rule language's shared vocabulary: positions, errors, expression checks,
 *             the interface a section of a rule file plugs into the rule compiler with)
 *   facts/, counters/ (their sections, their stages)
 *   rules/ (loading and compiling rule files)
 *   hooks/ (one module per hook type: its request, conveniences, outcomes and answer)
 *   decide/ (the one decision pipeline)
 *   storage/, server/, preview/, suites/, cli/, diff/ (the callers; storage/ keeps the rules on
 *             disk live: reloading, watching)
 * ruleset/ (the compiled ruleset's type and the store holding the live one) sits below them all.
 * @type {import('dependency-cruiser').IConfiguration}
 */
const CALLERS = '^src/(decide|storage|server|preview|suites|cli|diff)/';

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
      name: 'hook-types-above-the-stages',
      comment: 'A hook type is a module the pipeline is given: the engine, facts, counters and rules know no hook type, so a new one touches none of them.',
      severity: 'error',
      from: { path: '^src/(core|engine|okta|language|facts|counters|rules)/' },
      to: { path: '^src/hooks/' },
    },
    {
      name: 'hook-types-below-callers',
      comment: 'A hook type knows nothing of the pipeline that decides with it, nor of who calls that.',
      severity: 'error',
      from: { path: '^src/hooks/' },
      to: { path: CALLERS },
    },
    {
      name: 'decide-below-callers',
      comment: 'The pipeline knows nothing of HTTP, the preview, rule tests or the CLI: they call it.',
      severity: 'error',
      from: { path: '^src/decide/' },
      to: { path: '^src/(server|preview|suites|cli|diff)/' },
    },
    {
      name: 'core-at-the-bottom',
      comment: 'Durations, the stage contract and the breaker import nothing else of src/.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
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
      comment: 'The shared vocabulary imports only the engine, the wire types and core/.',
      severity: 'error',
      from: { path: '^src/language/' },
      to: { path: '^src/', pathNot: '^src/(language|engine|okta|core)/' },
    },
    {
      name: 'ruleset-below-callers',
      comment: 'The live ruleset and its type are read by every layer; they import none of the layers that load or use them.',
      severity: 'error',
      from: { path: '^src/ruleset/' },
      to: { path: '^src/(hooks|storage|server|preview|suites|cli|diff|decide)/' },
    },
    {
      name: 'settings-passed-down',
      comment: 'Settings are read once, by src/config.ts, and passed down: the core never reads them itself.',
      severity: 'error',
      from: { path: '^src/(core|engine|facts|counters|rules|language|ruleset|storage|hooks|decide)/' },
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
