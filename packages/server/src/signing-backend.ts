import { useLibsodium } from '@cohort/core';
import type { Logger } from '@cohort/core/log';

/**
 * A node signs every reply and registry record it sends (and, in signed
 * mode, verifies every request): libsodium does both in about half the CPU of
 * OpenSSL's Ed25519. Switch to it at start, and say so when it is not there.
 */
export function useFastSigning(log: Logger, env: NodeJS.ProcessEnv = process.env): void {
  const choice = useLibsodium(env);
  if (choice.backend === 'libsodium') log.debug('Ed25519 signatures by libsodium (sodium-native)');
  else log.info(`Ed25519 signatures by OpenSSL (${choice.reason}): signing and verifying take about twice the CPU`);
}
