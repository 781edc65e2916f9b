import { CohortError } from '../errors.js';

/**
 * An expression (check rule, detector `apply_if`, output template) that does
 * not parse or cannot be evaluated. The message names the expression and the
 * 0-based position of the offending token.
 */
export class ExpressionError extends CohortError {
  readonly expression: string;
  readonly position: number;
  constructor(reason: string, expression: string, position: number) {
    super('EXPRESSION', `${reason} at position ${position} in expression '${expression.length > 200 ? `${expression.slice(0, 200)}...` : expression}'`);
    this.expression = expression;
    this.position = position;
  }

  /** The expression with a caret under the offending position, for terminals. */
  pointer(): string {
    return `${this.expression}\n${' '.repeat(this.position)}^`;
  }
}
