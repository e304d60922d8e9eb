// Prints the one summary line CI reads, `N passed, N failed[, N skipped]`, counted from the
// vitest JSON report. A test file that failed to load counts as one failure, so a broken import
// can never look like success.

import { readFileSync } from 'node:fs'

interface Report {
  success: boolean
  numPassedTests: number
  numFailedTests: number
  numPendingTests: number
  numTodoTests: number
  testResults: { status: string; assertionResults: unknown[]; name: string; message?: string }[]
}

const file = process.argv[2]
let report: Report
try {
  report = JSON.parse(readFileSync(file ?? '', 'utf8')) as Report
} catch {
  console.log(`no test report at ${file}: the test run did not finish`)
  console.log('0 passed, 1 failed')
  process.exit(0)
}
const brokenFiles = report.testResults.filter((r) => r.status === 'failed' && r.assertionResults.length === 0)
for (const f of brokenFiles)
  console.log(`test file failed to run: ${f.name}${f.message ? `\n  ${f.message.split('\n')[0]}` : ''}`)
const passed = report.numPassedTests
let failed = report.numFailedTests + brokenFiles.length
if (!report.success && failed === 0) {
  // Every test passed but the run did not: unhandled errors or rejections outside the tests.
  console.log('the test run reported errors outside the tests (unhandled errors); see the log above')
  failed = 1
}
const skipped = report.numPendingTests + report.numTodoTests
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`)
