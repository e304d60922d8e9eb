// The nested sampler's checkpoint: the whole state (shells, bounds with their cached draws and
// counters, the transfer pool, batches in flight, counters), written atomically with Node's
// structured serialisation (node:v8, which keeps typed arrays and blobs exactly; state-bytes.ts), or, for a path
// ending .h5, inside an HDF5 file that h5py reads (checkpoint-hdf5.ts). A resumed run continues
// exactly where the stopped one was, and a file from another problem is refused.

import { readFile } from 'node:fs/promises'
import { writeFileAtomic } from '@parafit/core'
import { NestedCheckpointError } from '../errors.ts'
import type { BatchPlan } from './batch-plan.ts'
import { type BoundData, CubeBound, type SamplingBound } from './bound.ts'
import {
  isHdf5Path,
  type ReadableExtras,
  readNestedCheckpointHdf5,
  writeNestedCheckpointHdf5,
} from './checkpoint-hdf5.ts'
import { restoreNautilusBound } from './nautilus-bound.ts'
import { type AlgorithmSettings, NestedState } from './nested-state.ts'
import type { ShellRecord } from './shells.ts'
import { decodeState, encodeState } from './state-bytes.ts'

/** The settings of the networks that shape the bounds: a checkpoint resumes only with the same. */
export interface NetworkSettings {
  readonly nNetworks: number
  readonly maxTrainingPoints: number
}

const FORMAT = 'parafit-nested-checkpoint'
const VERSION = 1

export interface NestedCheckpoint {
  readonly format: typeof FORMAT
  readonly version: number
  readonly settings: AlgorithmSettings
  readonly prior: unknown
  readonly networks: NetworkSettings
  readonly seconds: number
  readonly shells: ShellRecord[]
  readonly bounds: BoundData[]
  readonly transferPool: NestedState['transferPool']
  readonly pending: BatchPlan[]
  readonly counters: {
    nextBatch: number
    nLike: number
    explored: boolean
    nUpdateIter: number
    nLikeIter: number
    boundAttempts: number
    discard: boolean
  }
}

export function snapshot(
  state: NestedState,
  about: { prior: unknown; networks: NetworkSettings; seconds: number },
): NestedCheckpoint {
  return {
    format: FORMAT,
    version: VERSION,
    settings: state.settings,
    prior: about.prior,
    networks: about.networks,
    seconds: about.seconds,
    shells: state.shells,
    bounds: state.bounds.map((b) => b.toData()),
    transferPool: state.transferPool,
    pending: state.pending,
    counters: {
      nextBatch: state.nextBatch,
      nLike: state.nLike,
      explored: state.explored,
      nUpdateIter: state.nUpdateIter,
      nLikeIter: state.nLikeIter,
      boundAttempts: state.boundAttempts,
      discard: state.discard,
    },
  }
}

export async function writeNestedCheckpoint(
  path: string,
  data: NestedCheckpoint,
  readable?: ReadableExtras,
): Promise<void> {
  if (isHdf5Path(path)) return writeNestedCheckpointHdf5(path, data, readable)
  try {
    await writeFileAtomic(path, encodeState(data))
  } catch (error) {
    throw new NestedCheckpointError(
      path,
      `cannot write the checkpoint ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    )
  }
}

/** The checkpoint at path, or undefined when there is no file. */
export async function readNestedCheckpoint(path: string): Promise<NestedCheckpoint | undefined> {
  const data = isHdf5Path(path) ? await readNestedCheckpointHdf5(path) : await readV8Checkpoint(path)
  if (data === undefined) return undefined
  checkFormat(data, path)
  const wrong = invalidField(data)
  if (wrong !== undefined) throw notValid(path, wrong)
  return data
}

function notValid(path: string, what: string, cause?: unknown): NestedCheckpointError {
  return new NestedCheckpointError(
    path,
    `${path} is not a valid nested sampler checkpoint: ${what}. It was damaged or not written by parafit; ` +
      'remove it or choose another checkpoint.path',
    cause === undefined ? undefined : { cause },
  )
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const isList = (v: unknown, item: (x: unknown) => boolean): boolean => Array.isArray(v) && v.every(item)

/** What is wrong with a decoded checkpoint's fields, in words, or undefined when nothing is. */
function invalidField(data: NestedCheckpoint): string | undefined {
  const { settings, networks, counters } = data as unknown as Record<string, unknown>
  if (!isRecord(settings)) return 'its settings are missing'
  for (const key of ['dimensions', 'nLive', 'nBatch', 'nUpdate', 'nLikeNewBound'] as const) {
    if (!(isCount(settings[key]) && settings[key] > 0))
      return `settings.${key} is not a positive whole number`
  }
  if (!Number.isFinite(settings.seed)) return 'settings.seed is not a number'
  if (
    !(isRecord(networks) && isCount(networks.nNetworks) && typeof networks.maxTrainingPoints === 'number')
  ) {
    return 'its network settings are missing'
  }
  if (!(typeof data.seconds === 'number' && data.seconds >= 0)) return 'seconds is not a duration'
  const d = settings.dimensions as number
  const isPoint = (x: unknown) => x instanceof Float64Array && x.length === d
  const isShell = (r: unknown) =>
    isRecord(r) &&
    isList(r.points, isPoint) &&
    isList(r.logL, (v) => typeof v === 'number') &&
    Array.isArray(r.blobs) &&
    (r.logL as unknown[]).length === (r.points as unknown[]).length &&
    (r.blobs as unknown[]).length === (r.points as unknown[]).length &&
    typeof r.logLMin === 'number' &&
    [r.nSample, r.endExploration, r.nSampleExploration].every(isCount)
  if (!isList(data.shells, isShell)) return `shells is not a list of shells of ${d}-dimensional points`
  if (!isList(data.bounds, (b) => isRecord(b) && (b.kind === 'cube' || b.kind === 'nautilus'))) {
    return 'bounds is not a list of bounds'
  }
  const isTransferred = (t: unknown) => isRecord(t) && isPoint(t.point) && typeof t.logL === 'number'
  if (!isList(data.transferPool, (t) => isTransferred(t) && isCount((t as { shell: unknown }).shell))) {
    return 'transferPool is not a list of points'
  }
  const isPlan = (p: unknown) =>
    isRecord(p) &&
    [p.index, p.shell, p.boundCount, p.nBound].every(isCount) &&
    isList(p.points, isPoint) &&
    isList(p.transferred, isTransferred) &&
    typeof p.exploring === 'boolean'
  if (!isList(data.pending, isPlan)) return 'pending is not a list of batches'
  if (
    !(
      isRecord(counters) &&
      [
        counters.nextBatch,
        counters.nLike,
        counters.nUpdateIter,
        counters.nLikeIter,
        counters.boundAttempts,
      ].every(isCount) &&
      typeof counters.explored === 'boolean' &&
      typeof counters.discard === 'boolean'
    )
  ) {
    return 'its counters are missing'
  }
  return undefined
}

async function readV8Checkpoint(path: string): Promise<NestedCheckpoint | undefined> {
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new NestedCheckpointError(path, `cannot read the checkpoint ${path}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  let data: NestedCheckpoint
  try {
    data = decodeState(bytes)
  } catch (error) {
    throw new NestedCheckpointError(
      path,
      `${path} is not a nested sampler checkpoint (it cannot be read: ${(error as Error).message}); remove it or choose another checkpoint.path`,
      { cause: error },
    )
  }
  return data
}

function checkFormat(data: NestedCheckpoint, path: string): void {
  if (data?.format !== FORMAT) {
    throw new NestedCheckpointError(
      path,
      `${path} is not a nested sampler checkpoint; remove it or choose another checkpoint.path`,
    )
  }
  if (data.version !== VERSION) {
    throw new NestedCheckpointError(
      path,
      `${path} has checkpoint version ${data.version}; this parafit reads version ${VERSION}`,
    )
  }
}

/** The state in a checkpoint, after checking that it belongs to this problem and these settings. */
export function restoreState(
  data: NestedCheckpoint,
  path: string,
  expected: { settings: AlgorithmSettings; prior: unknown; networks: NetworkSettings } | undefined,
): NestedState {
  if (expected !== undefined) assertSameProblem(data, path, expected)
  const state = new NestedState(data.settings)
  state.shells = data.shells
  try {
    state.bounds = data.bounds.map(
      (b): SamplingBound =>
        b.kind === 'cube'
          ? new CubeBound(b.dimensions, data.settings.seed, b)
          : restoreNautilusBound(b, data.settings.seed),
    )
  } catch (error) {
    // The fields were checked on reading; a bound's own data is checked by rebuilding it.
    throw notValid(path, `its bounds cannot be rebuilt (${(error as Error).message})`, error)
  }
  state.transferPool = data.transferPool
  state.pending = data.pending
  Object.assign(state, data.counters)
  return state
}

function assertSameProblem(
  data: NestedCheckpoint,
  path: string,
  expected: { settings: AlgorithmSettings; prior: unknown; networks: NetworkSettings },
): void {
  const differences: string[] = []
  if (JSON.stringify(data.prior) !== JSON.stringify(expected.prior)) differences.push('the prior')
  for (const key of Object.keys(expected.settings) as (keyof AlgorithmSettings)[]) {
    if (key !== 'seed' && data.settings[key] !== expected.settings[key])
      differences.push(`${key} (${data.settings[key]} in the file, ${expected.settings[key]} now)`)
  }
  for (const key of Object.keys(expected.networks) as (keyof NetworkSettings)[]) {
    if (data.networks[key] !== expected.networks[key])
      differences.push(`${key} (${data.networks[key]} in the file, ${expected.networks[key]} now)`)
  }
  if (differences.length > 0) {
    throw new NestedCheckpointError(
      path,
      `the checkpoint ${path} is from another problem or other settings: ${differences.join(', ')} differ. ` +
        'Resume with the same prior and options, or choose another checkpoint.path to start afresh',
    )
  }
  // A resumed run continues the saved one, random stream included (as nautilus's does): a
  // different seed asked for explicitly is a mistake, not a wish to be honoured silently.
  const [was, now] = [data.settings.seed, expected.settings.seed]
  if (was !== now) {
    throw new NestedCheckpointError(
      path,
      `the checkpoint ${path} was written by a run with seed ${was}, but this sampler has seed ${now}. A resumed ` +
        `run continues the saved one with its own seed: pass seed ${was} (or none) to continue it, or choose ` +
        `another checkpoint.path to start afresh with seed ${now}`,
    )
  }
}
