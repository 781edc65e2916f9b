export interface LauncherOptions {
  name: string;
  program: string;
  installedBy: string;
  node?: string;
  shebangFlags?: boolean;
  env?: Record<string, string>;
}
export function shellWord(text: string): string;
export function launcher(options: LauncherOptions): string;
export const workspaceLaunchers: Record<string, Omit<LauncherOptions, 'installedBy'>>;
export function workspaceLauncher(path: string): string;
