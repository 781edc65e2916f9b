import { errorMessage, InputError, Status, type DdlAction } from '@cohort/core';
import { Refusal } from './outcome.js';

/** The DDL input validator (validateInputs from @cohort/core). */
export type InputValidator = (action: DdlAction, data: Record<string, unknown>) => Record<string, unknown>;

/**
 * Stage 6: validate request data against the action's DDL inputs, returning
 * the inputs with defaults applied, or a Refusal with the InputError's status
 * (3 missing, 4 invalid) and message.
 */
export function validateStage(action: DdlAction, data: Record<string, unknown>, validate: InputValidator): Record<string, unknown> | Refusal {
  try {
    return validate(action, data);
  } catch (err) {
    if (err instanceof InputError) return new Refusal(err.status, err.message);
    return new Refusal(Status.InvalidData, `input validation failed: ${errorMessage(err)}`);
  }
}
