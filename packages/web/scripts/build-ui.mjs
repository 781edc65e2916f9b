// Bundles the browser page (ui/) into dist/ui/ (owned by the page; see ui/).
import { existsSync } from 'node:fs';
if (!existsSync(new URL('../ui/src', import.meta.url))) process.exit(0);
