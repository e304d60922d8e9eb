// Builds the MPI binding at install time when an MPI compiler wrapper is found. Without MPI the
// package still installs (so a user without MPI can install everything), and using it later
// fails with MpiUnavailableError saying what to install. Run again after installing MPI:
//   npm run build:addon -w @parafit/mpi
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const mpicc = process.env.MPICC || 'mpicc'
const say = (message) => console.error(`@parafit/mpi: ${message}`)

try {
  execFileSync(mpicc, ['--version'], { stdio: 'ignore' })
} catch {
  say(
    `no MPI compiler wrapper (${mpicc}) found, so the MPI binding was not built. The rest of ` +
      'parafit works without it. To use MPI, install Open MPI (Debian/Ubuntu: apt-get install ' +
      'openmpi-bin libopenmpi-dev) or MPICH (apt-get install mpich libmpich-dev), then run ' +
      '`npm run build:addon -w @parafit/mpi`.',
  )
  process.exit(0)
}

// Build against the headers of the Node that will load the addon: an explicit nodedir, else the
// running Node's own install (the Node 22 npm package carries include/node), else node-gyp's.
const ownHeaders = resolve(dirname(process.execPath), '..')
const nodedir =
  process.env.npm_config_nodedir ||
  (existsSync(join(ownHeaders, 'include', 'node', 'node_api.h')) ? ownHeaders : undefined)
const require = createRequire(import.meta.url)
const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js')
const args = [nodeGyp, 'rebuild', ...(nodedir ? [`--nodedir=${nodedir}`] : [])]
say(`building the MPI binding with ${mpicc}${nodedir ? ` against ${nodedir}` : ''}`)
const result = spawnSync(process.execPath, args, { cwd: here, stdio: ['ignore', 'inherit', 'inherit'] })
if (result.status !== 0) {
  say(
    'building the MPI binding failed (see above); parafit works without it, but MPI pools will ' +
      'report MpiUnavailableError. Fix the MPI development files, then run `npm run build:addon -w @parafit/mpi`.',
  )
  // Strict mode for CI, where MPI is expected: fail the install instead of degrading.
  process.exit(process.env.PARAFIT_REQUIRE_MPI === '1' ? 1 : 0)
}
