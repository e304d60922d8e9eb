// The examples run: each exits 0 and prints its own serial-equals-parallel checks as `check: ...`.
// chemfit starts mpirun of itself when MPI is there, and says so in one line when it is not.

import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const requireMpi = process.env.PARAFIT_REQUIRE_MPI === '1'

function runExample(name: string, args: string[] = []): Promise<{ code: number | null; output: string }> {
  const script = fileURLToPath(new URL(`../examples/${name}/main.ts`, import.meta.url))
  const child = spawn(process.execPath, [script, ...args], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += chunk
  })
  child.stderr.on('data', (chunk) => {
    output += chunk
  })
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
  })
}

test('examples/chemfit runs and its parallel results equal the serial ones', {
  timeout: 120_000,
}, async () => {
  const { code, output } = await runExample('chemfit')
  expect(code, output).toBe(0)
  const lines = output.split('\n')
  const expected = [
    'check: mapWithContext values equal serial values: yes',
    'check: every evaluation ran on a worker thread: yes',
    'check: pool value equals serial value: yes',
    'check: pool metadata tree equals serial tree (timings and ranOn aside): yes',
  ]
  if (lines.some((line) => line.startsWith('3. MPI part skipped: '))) {
    if (requireMpi) expect.fail(`PARAFIT_REQUIRE_MPI=1 but ${output}`)
    console.warn(lines.find((line) => line.startsWith('3. MPI part skipped: ')))
  } else {
    expected.push(
      'check: MPI value equals serial value: yes',
      'check: MPI metadata tree equals serial tree (timings and ranOn aside): yes',
      "check: MPI value (from mpirun) equals this process's serial value: yes",
    )
    expect(
      lines.some((line) => /^check: terms ran on worker ranks only \(ranks [\d, ]+\): yes$/.test(line)),
    ).toBe(true)
  }
  for (const line of expected) expect(lines, output).toContain(line)
  expect(
    lines.filter((line) => line.startsWith('check: ') && !line.endsWith(': yes')),
    output,
  ).toEqual([])
})

/** The lines saying whether a configuration's chain is serial's; MPI's unless MPI is missing here. */
function chainChecks(output: string, label: RegExp): string[] {
  const lines = output.split('\n')
  const skipped = lines.some((line) => line.startsWith('MPI skipped: '))
  if (skipped && requireMpi) expect.fail(`PARAFIT_REQUIRE_MPI=1 but ${output}`)
  return lines.filter((line) => label.test(line) && /same chain as serial: /.test(line))
}

test('examples/emcee-parallel gives the serial chain on threads, processes and MPI ranks', {
  timeout: 120_000,
}, async () => {
  const { code, output } = await runExample('emcee-parallel', ['--steps', '2'])
  expect(code, output).toBe(0)
  const checks = chainChecks(output, /^(threads|processes|MPI) /)
  expect(checks.length, output).toBe(output.includes('MPI skipped: ') ? 2 : 3)
  for (const line of checks) expect(line, output).toMatch(/same chain as serial: yes$/)
})

test('examples/large-data gives the same chain with the data on every pool', {
  timeout: 120_000,
}, async () => {
  const { code, output } = await runExample('large-data', ['--steps', '2'])
  expect(code, output).toBe(0)
  const checks = chainChecks(output, /^(serial|threads|processes)/)
  expect(checks, output).toHaveLength(6)
  for (const line of checks) expect(line, output).toMatch(/same chain as serial: yes$/)
})

test('examples/nautilus: nested sampling gives log Z and the posterior; 4 workers and MPI ranks give the serial run', {
  timeout: 240_000,
}, async () => {
  const { code, output } = await runExample('nautilus', [
    '--n-eff',
    '200',
    '--n-live',
    '200',
    '--sleep-ms',
    '1',
  ])
  expect(code, output).toBe(0)
  const serial = output.split('\n').find((l) => l.startsWith('numWorkers: 1 '))
  expect(serial, output).toMatch(/log Z = -\d\.\d+ ± 0\.\d+ {2}calls \d+ {2}a = 0\.\d+ ± 0\.\d+ {2}b = /)
  // Within four of its reported errors of the exact value (the Gaussian's mass in the unit cube).
  const [, logZ, error] = /log Z = (-[\d.]+) ± ([\d.]+)/.exec(serial!)!
  const exact = 3 * Math.log(0.1 * Math.sqrt(2 * Math.PI) * 0.9999994266968562)
  expect(Math.abs(Number(logZ) - exact), serial).toBeLessThan(4 * Number(error))
  expect(output).toContain('same run with 4 workers: yes')
  if (output.includes('MPI skipped: ')) {
    if (requireMpi) expect.fail(`PARAFIT_REQUIRE_MPI=1 but ${output}`)
    return
  }
  expect(output).toContain("every rank has the serial run's log Z and posterior: yes")
})

for (const method of ['nested', 'ensemble']) {
  test(`examples/socca --method ${method}: numWorkers with pool is refused; under mpirun the same file uses the ranks`, {
    timeout: 120_000,
  }, async () => {
    const { code, output } = await runExample('socca', ['--method', method])
    expect(code, output).toBe(0)
    expect(output).toContain('numWorkers and pool together: ValidationError (PARAFIT_VALIDATION)')
    expect(output).toMatch(
      new RegExp(`method: '${method}', numWorkers: 'auto' evaluated on: thread \\d+ of pid \\d+`),
    )
    if (method === 'nested') expect(output).toMatch(/log Z = -3\.\d+ ± 0\.\d+ \(exact -3\.460\)/)
    if (output.includes('MPI skipped: ')) {
      if (requireMpi) expect.fail(`PARAFIT_REQUIRE_MPI=1 but ${output}`)
      return
    }
    expect(output).toMatch(/evaluated on: MPI rank 1 \(pid \d+\), MPI rank 2 \(pid \d+\)/)
    expect(output).toContain('same samples with and without mpirun: yes')
  })
}

test('examples/plots writes the corner plot as SVG (and PNG when resvg is installed)', {
  timeout: 60_000,
}, async () => {
  const out = mkdtempSync(join(tmpdir(), 'parafit-plots-'))
  try {
    const { code, output } = await runExample('plots', ['--out', out, '--n', '5000'])
    expect(code, output).toBe(0)
    const svg = readFileSync(join(out, 'corner.svg'), 'utf8')
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), output).toBe(true)
    expect(svg.match(/class="panel /g), output).toHaveLength(6)
    const png = output.includes('no PNG: ') ? undefined : readFileSync(join(out, 'corner.png'))
    if (png !== undefined)
      expect([...png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]) // "PNG"
    else if (process.env.PARAFIT_REQUIRE_PNG === '1') expect.fail(`PARAFIT_REQUIRE_PNG=1 but ${output}`)
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
})
