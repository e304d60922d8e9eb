// `parafit report <file>`: prints again the report of a result saved with `parafit fit --out`,
// from the file alone (no model, no workers), so a result kept for months can be read as it
// was printed.

import { readFile } from 'node:fs/promises'
import { flattenParams, type ParamTree, ValidationError } from '@parafit/core'
import { formatReport, type ReportedFit } from './report.ts'

/** The `format` field of the `--out` document. */
export const FIT_RESULT_FORMAT = 'parafit-fit-result'

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
  const doc = await readFitDocument(path)
  const text = formatReport(doc, {
    module: doc.module,
    pool: doc.pool ?? 'the pool it ran on',
    flat: flattenParams(doc.params),
  })
  io.stdout.write(`${text}\n`)
  return 0
}
