import { defineConfig } from 'vitest/config'

// One run over every package's project, so CI gets a single summary. When PARAFIT_TEST_JSON
// names a file, the JSON reporter writes the real per-test results there for .ci/run to count.
const jsonFile = process.env.PARAFIT_TEST_JSON

// The packages' `exports` serve src/*.ts under the "parafit-source" condition (dist/*.js
// otherwise). scripts/with-node.sh sets it; this covers a bare `npx vitest` too, and reaches the
// worker threads, child processes and mpirun ranks the tests start, which inherit NODE_OPTIONS.
if (!(process.env.NODE_OPTIONS ?? '').includes('--conditions=parafit-source')) {
  process.env.NODE_OPTIONS = `--conditions=parafit-source ${process.env.NODE_OPTIONS ?? ''}`.trim()
}

export default defineConfig({
  test: {
    projects: ['packages/*', 'test'],
    reporters: jsonFile ? ['default', ['json', { outputFile: jsonFile }]] : ['default'],
  },
})
