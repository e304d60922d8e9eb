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
// Keep what matters to an addon: include paths and defines to compile; library paths,
// libraries and rpaths to link. MPICH's -compile_info prints its whole command line, linker
// flags included, so each mode keeps only its own kind.
const wanted = which === 'compile' ? /^-(I|D|pthread)/ : /^-(L|l|Wl,|pthread)/
const keep = flags.filter((f) => wanted.test(f))
console.log(keep.join(' '))
