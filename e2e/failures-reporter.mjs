// A node:test reporter that writes one line per failed test (its file, its
// name and the first line of its error) and nothing else, so that the end of
// a test run's output can name what failed even when the run printed far
// more than anyone keeps (`cargo xtask test` prints these lines last).

export default async function* failures(source) {
  for await (const event of source) {
    if (event.type !== 'test:fail') continue;
    const { name, file, details, nesting } = event.data;
    // A failed test's suite fails with it: name the test, not the suite too.
    if (details?.type === 'suite') continue;
    const error = details?.error?.cause ?? details?.error;
    const firstLine = String(error?.message ?? error ?? 'failed').split('\n')[0];
    const where = file ? file.split('/').slice(-1)[0] : 'e2e';
    yield `${where}: ${'  '.repeat(nesting)}${name}: ${firstLine.slice(0, 300)}\n`;
  }
}
