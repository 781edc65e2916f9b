import { definitionFunction, errorMessage, matchFilter, mineDefinitionProblem, mineDefinitionsBucket, MineKind, type MineDefinition, type MineFunction } from '@cohort/core';
import { FleetDefinitions, type DefinitionKind, type FleetDefinitionsOptions } from '../bus-definitions.js';

export type BusDefinitionsOptions = FleetDefinitionsOptions<MineFunction>;

const mineDefinitions: DefinitionKind<MineDefinition, MineFunction> = {
  area: 'mine',
  label: 'mine definition',
  local: 'functions',
  bucket: mineDefinitionsBucket,
  signedKind: MineKind.Definition,
  problem: mineDefinitionProblem,
  auditFields: (value) => {
    const def = value as Partial<MineDefinition> | undefined;
    return {
      agent: typeof def?.agent === 'string' ? def.agent : 'unknown',
      action: typeof def?.action === 'string' ? def.action : 'unknown',
      data: typeof def?.inputs === 'object' && def.inputs !== null ? def.inputs : {},
    };
  },
  applies: (def, view) => {
    try {
      return matchFilter(def.filter, view) ? undefined : 'this node does not match its filter';
    } catch (err) {
      return `its filter cannot be evaluated: ${errorMessage(err)}`;
    }
  },
  policy: ({ agent, action }) => ({ agent, action }),
  decide: (def, author) => {
    const fn = definitionFunction(def, author);
    return typeof fn === 'string' ? fn : { ...fn, definedBy: author };
  },
  warnEveryRefusal: false,
};

/**
 * Fleet-wide mine definitions (`cohort mine define`): watches each
 * collective's definitions bucket and turns definitions into functions of
 * this node when (1) the signature verifies against a trusted caller key,
 * (2) the node matches the definition's filter and (3) actionpolicy allows
 * the author the action here, exactly as if they had sent the request.
 * Accepted and refused definitions are audited (once per change); a
 * definition never carries a command. Re-evaluated when facts change (the
 * machinery is FleetDefinitions, shared with fleet-wide checks).
 */
export class BusDefinitions extends FleetDefinitions<MineDefinition, MineFunction> {
  constructor(options: BusDefinitionsOptions) {
    super(mineDefinitions, options);
  }

  /** The accepted definitions as functions. */
  functions(): MineFunction[] {
    return this.items();
  }
}
