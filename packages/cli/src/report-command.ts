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

/** Reads a `--out` document, or fails saying what the file is not. */
export async function readFitDocument(path: string): Promise<FitDocument> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new ValidationError(`cannot read ${path}: ${(error as Error).message}`)
  }
  let doc: Record<string, unknown>
  try {
    doc = JSON.parse(text, revive) as Record<string, unknown>
  } catch {
    throw new ValidationError(
      `${path} is not a parafit result: it is not JSON. parafit report reads the file written by parafit fit --out`,
    )
  }
  // Files from before the format field have the same shape; recognise them by their fields.
  const known =
    typeof doc === 'object' &&
    doc !== null &&
    (doc.format === FIT_RESULT_FORMAT || (doc.format === undefined && 'keys' in doc))
  if (!known) {
    throw new ValidationError(
      `${path} is not a parafit fit result (no format "${FIT_RESULT_FORMAT}"). ` +
        'parafit report reads the file written by parafit fit --out',
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
  const nested = await readNestedDocument(path)
  if (nested !== undefined) {
    io.stdout.write(`${nestedReport(nested, path)}\n`)
    return 0
  }
  const doc = await readFitDocument(path)
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

interface NestedDocument extends NestedRunSummary {
  readonly module: string
  readonly names: string[]
  readonly points: ParamTree[]
  readonly logWeights: number[]
}

/** Nested sampling's --out document, or undefined when the file is something else. */
async function readNestedDocument(path: string): Promise<NestedDocument | undefined> {
  let doc: unknown
  try {
    doc = JSON.parse(await readFile(path, 'utf8'), revive)
  } catch {
    return undefined // readFitDocument says what is wrong with it
  }
  const d = doc as { format?: unknown } | null
  return typeof d === 'object' && d !== null && d.format === NESTED_RESULT_FORMAT
    ? (doc as NestedDocument)
    : undefined
}

function nestedReport(doc: NestedDocument, path: string): string {
  const columns = doc.names.map((name) =>
    Float64Array.from(doc.points, (p) => flattenParams(p)[name] ?? Number.NaN),
  )
  return formatNestedReport({
    ...doc,
    command: 'parafit report',
    module: `${path} (${doc.module})`,
    leastSquares: false,
    pool: 'the pool it ran on',
    columns,
    weights: Float64Array.from(doc.logWeights, (w) => Math.exp(w)),
  })
}
