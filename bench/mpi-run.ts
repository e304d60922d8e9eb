// Runs one workload of bench/run.ts under mpirun: rank 0 times it on the MPI pool and prints
// `MEDIAN_SECONDS <s>` for bench/run.ts to read; the other ranks serve.
import { isRankZero, runMpi } from '@parafit/mpi'
import { timeRuns, workloads } from './run.ts'

const [scenario, reps] = process.argv.slice(2) as [keyof typeof workloads, string]
const workload = workloads[scenario]
if (workload === undefined)
  throw new Error(`no MPI workload '${scenario}'; known: ${Object.keys(workloads).join(', ')}`)
const seconds = await runMpi((pool) => timeRuns(pool, Number(reps), workload.warm, workload.run))
if (isRankZero()) console.log(`MEDIAN_SECONDS ${seconds}`)
