export type Unit = Record<string, Record<string, string[]>>;
export function parseUnit(text: string): Unit;
export function unitValue(unit: Unit, section: string, key: string): string | undefined;
export function splitExec(value: string): string[];
export function unitEnvironment(unit: Unit, section?: string): Record<string, string>;
