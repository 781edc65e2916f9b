export const nodejsDepends: string;
export function debianVersionOf(version: string): string;
export interface ControlFields {
  package: string;
  version: string;
  summary: string;
  description?: string;
  depends?: string[];
  installedSize: number;
  section?: string;
  priority?: string;
  maintainer?: string;
  homepage?: string;
}
export function controlFile(fields: ControlFields): string;
export function conffilesFile(paths: string[]): string;
