import { expect } from 'chai';
import { memberRules, MEMBERS_SEED } from '../facts/support.js';
import { runCli } from '../helpers/runCli.js';
import { tempRulesDir } from '../helpers/tempRules.js';

// The member fact casts the typed date of birth ($2::date): "14/02/1980" makes PostgreSQL refuse
// the query (SQLSTATE 22008), so the fact fails as query_error and members-only denies.
const SUITE = `tests:
  - name: a member who types the date the European way is let in
    request: { profile: { email: ann@example.com, memberNumber: "1001", birthDate: "14/02/1980" } }
    expect: { decision: allow }
  - name: a given failure is shown as given
    request: { profile: { email: ann@example.com, memberNumber: "1001", birthDate: "1990-04-01" } }
    facts: { member: { error: timeout } }
    expect: { decision: allow }
`;

describe('hook-rules test: a failing case shows its facts', function () {
  this.timeout(120_000);

  it('names each fact the case read, with the failure kind and the SQLSTATE, without --explain', async () => {
    const rules = await tempRulesDir({ 'members.yaml': memberRules(), 'members.test.yaml': SUITE });
    try {
      const result = await runCli(['test', rules.dir, '--live'], { env: { MEMBERS_DB: `pglite:memory?seed=${MEMBERS_SEED}` } });
      expect(result.code, result.stderr).to.equal(4);
      const report = result.stdout;
      expect(report).to.include('decided by error:members-only');
      expect(report).to.match(/^ {6}fact member \(sql:MEMBERS_DB\): FAILED query_error: .*22008.*; onError deny$/m);
      // A failure the case gives stays the case's own (a live source cannot fail on cue).
      expect(report).to.match(/^ {6}fact member \(given\): FAILED timeout: given by the test; onError deny$/m);
    } finally {
      await rules.remove();
    }
  });
});
