// `parafit report <file>`: prints again the report of a saved run, from the file alone (no model,
// no workers), so a result kept for months can be read as it was printed: a fit's `--out` JSON,
// nested sampling's `--out` JSON, or an ensemble's chain file (HDF5, emcee's layout), whose τ and
// summary are computed from the chain.

import { readFile } from 'node:fs/promises'
import { flattenParams, type ParamTree, ValidationError } from '@parafit/core'
import { type NestedRunSummary, readChainFile } from '@parafit/sampler'
import { formatReport, type ReportedFit } from './report.ts'
import { formatNestedReport, summariseEnsemble } from './sample-report.ts'

/** The `format` field of `parafit fit`'s and nested sampling's `--out` documents. */
export const FIT_RESULT_FORMAT = 'parafit-fit-result'
export const NESTED_RESULT_FORMAT = 'parafit-nested-result'

/** --out writes non-finite numbers as strings ("Infinity", "NaN"); read them back as numbers. */
function revive(_key: string, value: unknown): unknown {
  if (value === 'Infinity') return Number.POSITIVE_INFINITY
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY
  if (value === 'NaN') return Number.NaN
  return value
}

interface FitDocument extends ReportedFit {
  readonly module: string
  readonly pool?: string
  readonly params: ParamTree
}

const WHAT_IT_READS =
  'parafit report reads the JSON that parafit fit --out or parafit sample --out wrote, or a chain file (.h5)'

/** A saved JSON document, read and parsed once, or an error saying what the file is not. */
async function readJsonDocument(path: string): Promise<Record<string, unknown>> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new ValidationError(`cannot read ${path}: ${(error as Error).message}`)
  }
  let doc: unknown
  try {
    doc = JSON.parse(text, revive)
  } catch {
    throw new ValidationError(`${path} is not a parafit result: it is not JSON. ${WHAT_IT_READS}`)
  }
  if (typeof doc !== 'object' || doc === null) {
    throw new ValidationError(`${path} is not a parafit result. ${WHAT_IT_READS}`)
  }
  return doc as Record<string, unknown>
}

/** A fit's `--out` document, checked. */
function fitDocument(doc: Record<string, unknown>, path: string): FitDocument {
  // Files from before the format field have the same shape; recognise them by their fields.
  if (!(doc.format === FIT_RESULT_FORMAT || (doc.format === undefined && 'keys' in doc))) {
    throw new ValidationError(
      `${path} is not a parafit fit result (no format "${FIT_RESULT_FORMAT}"), nor a nested one. ${WHAT_IT_READS}`,
    )
  }
  const missing = ['method', 'params', 'keys', 'loss', 'nEvals'].filter((k) => !(k in doc))
  if (missing.length > 0) {
    throw new ValidationError(
      `${path} is a parafit fit result without ${missing.join(', ')}: was it cut short? Run the fit again with --out`,
    )
  }
  return {
    ...(doc as unknown as FitDocument),
    atBound: (doc.atBound as string[] | undefined) ?? [],
    steps: (doc.steps as number | undefined) ?? 0,
    nFailed: (doc.nFailed as number | undefined) ?? 0,
    seconds: (doc.seconds as number | undefined) ?? 0,
  }
}

/** Runs the command; resolves to the exit code. */
export async function runReportCommand(path: string, io: { stdout: NodeJS.WritableStream }): Promise<number> {
  if (/\.(h5|hdf5)$/i.test(path)) {
    io.stdout.write(`${await chainFileReport(path)}\n`)
    return 0
  }
  const json = await readJsonDocument(path)
  if (json.format === NESTED_RESULT_FORMAT) {
    io.stdout.write(`${nestedReport(json as unknown as NestedDocument, path)}\n`)
    return 0
  }
  const doc = fitDocument(json, path)
  const text = formatReport(doc, {
    module: doc.module,
    pool: doc.pool ?? 'the pool it ran on',
    flat: flattenParams(doc.params),
  })
  io.stdout.write(`${text}\n`)
  return 0
}

/** An ensemble chain file (emcee's layout, written by parafit): τ, acceptance and arviz's table. */
async function chainFileReport(path: string): Promise<string> {
  const contents = await readChainFile(path, 'mcmc')
  const { nWalkers, nDim, parameterNames } = contents.problem
  const chain = contents.chain.map((flat) =>
    Array.from({ length: nWalkers }, (_, k) => flat.subarray(k * nDim, (k + 1) * nDim)),
  )
  const names = parameterNames ?? Array.from({ length: nDim }, (_, d) => `θ${d}`)
  return summariseEnsemble({
    command: 'parafit report',
    module: path,
    leastSquares: false,
    pool: 'the pool it ran on',
    chain,
    names,
    acceptance: Float64Array.from(contents.acceptedTotals, (a) => a / contents.iteration),
    discard: undefined,
    seconds: undefined,
  }).report
}

interface NestedDocument extends Omit<NestedRunSummary, 'stop'> {
  /** Files written before the summary carried `stop` have `stopReason`, a kind without words. */
  readonly stop?: NestedRunSummary['stop']
  readonly stopReason?: string
  readonly module: string
  readonly names: string[]
  readonly points: ParamTree[]
  readonly logWeights: number[]
}

function nestedReport(doc: NestedDocument, path: string): string {
  // Each point flattened once, its values then taken by name.
  const flat = doc.points.map((p) => flattenParams(p))
  const columns = doc.names.map((name) => Float64Array.from(flat, (p) => p[name] ?? Number.NaN))
  return formatNestedReport({
    ...doc,
    stop: doc.stop ?? { reason: doc.stopReason ?? 'not recorded' },
    command: 'parafit report',
    module: `${path} (${doc.module})`,
    leastSquares: false,
    pool: 'the pool it ran on',
    columns,
    weights: Float64Array.from(doc.logWeights, (w) => Math.exp(w)),
  })
}
