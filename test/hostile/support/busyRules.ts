/**
 * A ruleset that puts every custom operator and the riskier standard ones (in, substr, cat,
 * merge, map, reduce…) on values the caller controls, so random requests reach them all.
 * Some of these throw on odd input (an object where an attribute value goes): that must still
 * end in a valid Okta answer, decided by ON_RULE_ERROR.
 */
export const BUSY_RULES = `
lists:
  blocked: { kind: domains, values: [evil.org, mailinator.com] }
  vip: [ceo@example.com, cfo@example.com]
rules:
  - id: deny-blocked-domains
    description: domains list against the submitted email
    appliesTo: [self.service.registration, progressive.profile]
    when: { in_list: [{ var: emailDomain }, blocked] }
    then: { deny: { message: Blocked domain. } }
  - id: deny-catastrophic-pattern
    description: a pattern that backtracking engines take exponential time on
    appliesTo: [self.service.registration, progressive.profile]
    when: { matches: [{ var: email }, "^(a+)+$"] }
    then: { deny: { message: No. } }
  - id: deny-nested-quantifiers
    description: another exponential pattern for backtracking engines, case-insensitive
    appliesTo: [self.service.registration]
    when: { matches: [{ var: submitted.firstName }, "^(\\\\w+\\\\s?)*$", "i"] }
    then: { update: { nickName: { cat: [{ upper: { var: submitted.firstName } }, "!"] } } }
  - id: note-vip
    description: case-insensitive comparisons and lists on raw input
    appliesTo: [self.service.registration, progressive.profile]
    when:
      or:
        - { in_list: [{ lower: { trim: { var: email } } }, vip] }
        - { iequals: [{ var: submitted.login }, { var: submitted.email }] }
        - { "==": [{ email_domain: [{ var: submitted.secondEmail }] }, example.org] }
    then: { update: { title: { substr: [{ cat: [{ var: submitted.lastName }, "-", { var: submitted.firstName }] }, 0, 20] } } }
  - id: count-things
    description: collection operators over whatever arrives
    appliesTo: [self.service.registration, progressive.profile]
    when:
      some: [{ merge: [{ var: submitted.tags }, { var: submitted.groups }] }, { in: ["admin", { var: "" }] }]
    then: { deny: { message: No admins. } }
  - id: arithmetic
    description: numbers from the request, with map and reduce
    appliesTo: [progressive.profile]
    when:
      ">": [{ reduce: [{ map: [{ merge: [{ var: submitted.scores }] }, { "*": [{ var: "" }, 2] }] }, { "+": [{ var: current }, { var: accumulator }] }, 0] }, 100]
    then: { deny: { message: Too high. } }
  - id: throws-on-objects
    description: an attribute set from raw input throws when the input is an object
    appliesTo: [self.service.registration]
    when: { "!!": [{ var: submitted.nickName }] }
    then: { allow: true, update: { displayName: { var: submitted.nickName } } }
  - id: echo-submitted
    description: echo what was submitted (updateFrom on raw input)
    appliesTo: [progressive.profile]
    when: true
    then: { allow: true, updateFrom: { var: submitted } }
`;
