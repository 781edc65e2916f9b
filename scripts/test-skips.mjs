// A node:test reporter that writes one JSON line per skipped test (name and
// reason). scripts/run-tests.mjs runs it beside the usual reporter and lists
// every skipped test at the end of the run.
export default async function* skippedTests(source) {
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.skip !== undefined && event.data.skip !== false) {
      const reason = typeof event.data.skip === 'string' ? event.data.skip : 'skipped (no reason given)';
      yield `${JSON.stringify({ name: event.data.name, reason })}\n`;
    }
  }
}
