import { defineConfig } from 'vitest/config'

// One run over every package's project, so CI gets a single summary. When PARAFIT_TEST_JSON
// names a file, the JSON reporter writes the real per-test results there for .ci/run to count.
const jsonFile = process.env.PARAFIT_TEST_JSON

export default defineConfig({
  test: {
    projects: ['packages/*', 'test'],
    reporters: jsonFile ? ['default', ['json', { outputFile: jsonFile }]] : ['default'],
  },
})
