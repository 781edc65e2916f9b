import { checkDefinitionsBucket, checkDefinitionSpecProblem, CheckKind, checkOfSpec, type CheckDefinition, type CheckDefinitionSpec } from '@cohort/core';
import { FleetDefinitions, type DefinitionKind, type FleetDefinitionsOptions } from '../bus-definitions.js';

/** The agent and action actionpolicy is asked about for a fleet-wide check definition. */
export const definePolicy = { agent: 'checks', action: 'define' } as const;

export type BusCheckDefinitionsOptions = FleetDefinitionsOptions<CheckDefinition>;

const checkDefinitions: DefinitionKind<CheckDefinitionSpec, CheckDefinition> = {
  area: 'checks',
  label: 'check definition',
  local: 'checks',
  bucket: checkDefinitionsBucket,
  signedKind: CheckKind.Definition,
  problem: checkDefinitionSpecProblem,
  auditFields: (spec) => ({ ...definePolicy, data: typeof spec === 'object' && spec !== null && !Array.isArray(spec) ? (spec as Record<string, unknown>) : {} }),
  policy: () => definePolicy,
  decide: (spec, author) => checkOfSpec(spec, author),
  warnEveryRefusal: true,
};

/**
 * Fleet-wide check definitions: watches each collective's
 * checkDefinitionsBucket and accepts a definition when (1) its signature
 * verifies against a trusted caller key, (2) actionpolicy allows its author
 * `checks#define` on this node (as if they had sent that request) and (3)
 * its settings parse (a bus definition never carries a plugin command, only
 * `nrpe:` names of the node's own NRPE config, expressions or Graphite
 * targets). Whether the node runs it is then up to its `apply_on`. Accepted
 * and refused definitions are audited once per change, as the mine's (the
 * machinery is FleetDefinitions, shared with it).
 */
export class BusCheckDefinitions extends FleetDefinitions<CheckDefinitionSpec, CheckDefinition> {
  constructor(options: BusCheckDefinitionsOptions) {
    super(checkDefinitions, options);
  }

  checks(): CheckDefinition[] {
    return this.items();
  }
}
