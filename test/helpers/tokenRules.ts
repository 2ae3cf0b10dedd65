/**
 * Two of the token hook issue's example rules (lifetime by network, retired clients), shared by
 * the HTTP, CLI and load tests; each test adds the lists, defaults and other rules it needs.
 */
export const NETWORK_AND_RETIRED_RULES = `  - id: short-lived-outside-office
    description: Tokens minted outside the office network live 15 minutes.
    appliesTo: [token]
    when: { "!": { in_list: [{ var: ipAddress }, officeNetworks] } }
    then:
      access: { lifetime: 15m }
      identity: { remove: [preferred_username] }
  - id: no-tokens-for-retired-apps
    description: Applications we retired get no token at all.
    appliesTo: [token]
    when: { in_list: [{ var: client.id }, retiredClients] }
    then:
      deny: { message: This application has been retired. }
`;
