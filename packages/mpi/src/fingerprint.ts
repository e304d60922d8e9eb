// Fingerprints of what a rank loaded, so that ranks can check at start-up that they run the same
// thing: the same objective tree (structure, weights, reductions, each leaf's module file and
// init, each in-process leaf's source), or the same main function for runMpi.

import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { serialize } from 'node:v8'
import { CombinedObjective, isObjectiveRef, objectiveSourceText, type Term } from '@parafit/core'
import type { Fingerprint, SessionKind } from './messages.ts'

export function sha256(...parts: readonly (string | Uint8Array)[]): string {
  const hash = createHash('sha256')
  for (const part of parts) hash.update(part)
  return hash.digest('hex')
}

const fileHashes = new Map<string, string>()

/** sha256 of a module's file as this rank sees it ('missing' when it cannot be read). */
export function moduleHash(moduleUrl: string): string {
  let hash = fileHashes.get(moduleUrl)
  if (hash === undefined) {
    try {
      hash = moduleUrl.startsWith('file:')
        ? sha256(readFileSync(fileURLToPath(moduleUrl)))
        : sha256(moduleUrl)
    } catch {
      hash = 'missing'
    }
    fileHashes.set(moduleUrl, hash)
  }
  return hash
}

function initHash(init: unknown): string {
  try {
    return sha256(serialize(init))
  } catch {
    return 'uncloneable'
  }
}

/** One line per node of the tree, in a fixed order; hashed for the fingerprint. */
function describeTree(term: Term, path: string, lines: string[]): void {
  if (term instanceof CombinedObjective) {
    lines.push(
      `${path} combined terms=${term.terms.length} weights=${term.weights.join(',')} ` +
        `settings=${sha256(String(term.configureChild ?? ''), JSON.stringify([term.reduction, term.onError]))}`,
    )
    term.terms.forEach((child, i) => {
      describeTree(child, `${path}.${i}`, lines)
    })
  } else if (isObjectiveRef(term)) {
    lines.push(
      `${path} module ${term.module}#${term.export ?? '(not named)'} file=${moduleHash(term.module).slice(0, 16)} ` +
        `init=${initHash(term.init).slice(0, 16)}`,
    )
  } else {
    const source = objectiveSourceText(term) ?? `${term.constructor.name}:${String(term.evaluate)}`
    lines.push(`${path} function source=${sha256(source).slice(0, 16)}`)
  }
}

export function treeFingerprint(term: Term): Fingerprint {
  const lines: string[] = []
  describeTree(term, 'root', lines)
  return { kind: 'mpiCombined', hash: sha256(lines.join('\n')), summary: lines.join('; ') }
}

export function functionFingerprint(
  kind: SessionKind,
  fn: ((...args: never[]) => unknown) | undefined,
): Fingerprint {
  const source = fn === undefined ? '' : String(fn)
  return {
    kind,
    hash: sha256(kind, source),
    summary:
      fn === undefined
        ? kind
        : `${kind}(main: ${source.length} characters, sha256 ${sha256(source).slice(0, 16)})`,
  }
}
