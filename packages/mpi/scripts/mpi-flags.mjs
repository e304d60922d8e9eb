// Prints the compile or link flags of the system's MPI for binding.gyp, asking the MPI compiler
// wrapper (`$MPICC`, else `mpicc`). Open MPI answers --showme:compile/--showme:link; MPICH and
// Intel MPI answer -compile_info/-link_info, whose first word is the compiler itself.
import { execFileSync } from 'node:child_process'

const which = process.argv[2]
if (which !== 'compile' && which !== 'link') {
  console.error('usage: node mpi-flags.mjs compile|link')
  process.exit(2)
}
const mpicc = process.env.MPICC || 'mpicc'
const ask = (args) =>
  execFileSync(mpicc, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()

let flags
try {
  flags = ask([which === 'compile' ? '--showme:compile' : '--showme:link']).split(/\s+/)
} catch {
  flags = ask([which === 'compile' ? '-compile_info' : '-link_info'])
    .split(/\s+/)
    .slice(1)
}
// Keep what matters to an addon: include paths, defines, library paths, libraries, rpaths.
const keep = flags.filter((f) => /^-(I|D|L|l|Wl,|pthread)/.test(f))
console.log(keep.join(' '))
