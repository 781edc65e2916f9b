// The test harness (test/harness/*.ts: private nats-server, cohortd fleets,
// registry waits) for the plain-JavaScript scripts (demo, bench, soak,
// e2e-puppet): registers tsx's loader in this process, then loads the
// TypeScript harness. One implementation, typed, shared by tests and scripts.
import { register } from 'tsx/esm/api';

register();

export const {
  startNatsServer,
  startNatsCluster,
  findNatsServer,
  freePort,
  subscribedSubjects,
  startFleet,
  loadNodeDescriptors,
  syntheticNodes,
  waitForSubscriptions,
  waitForRegistry,
  repoRoot,
  cohortBin,
  cohortdBin,
  cohortLauncher,
  cohortdLauncher,
  examplePluginDir,
  exampleClientConfig,
} = await import('../test/harness/index.ts');
