// The hello plugin's implementation: its greeting comes from plugin.yaml's config.
import { readFileSync } from 'node:fs';

const meta = readFileSync(new URL('./plugin.yaml', import.meta.url), 'utf8');
const version = /^version:\s*(\S+)/m.exec(meta)?.[1] ?? 'unknown';
const greeting = /^\s+greeting:\s*(.+)$/m.exec(meta)?.[1]?.trim() ?? 'hello';

export default {
  name: 'hello',
  actions: {
    greet({ name }) {
      return { greeting: `${greeting} ${name}`, version };
    },
  },
};
