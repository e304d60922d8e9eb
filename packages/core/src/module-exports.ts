// Which export of a module is its objective. One rule everywhere (objectiveModule without
// `export`, the CLI without --export, the sampler's log-probability modules): the default export
// if it is one; else the export with the conventional name ('objective', 'logProb'); else the
// only one the module has. Anything else fails with a listing of what the module does export.

import { ObjectiveLoadError } from './errors/classes.ts'
import { isObjectiveDefinition } from './objective.ts'

export interface ExportRule {
  /** Names tried in order when none is given, after 'default': ['objective']. */
  readonly names: readonly string[]
  /** Whether an export is what the rule looks for (checked by tag, never instanceof). */
  readonly accepts: (value: unknown) => boolean
  /** What such an export is called: 'objective', 'log-probability'. */
  readonly what: string
  /** How to make one: 'defineObjective()'. */
  readonly maker: string
  /** The kind shown for other values in the listing, when the rule knows better (else generic). */
  readonly kindOf?: (value: unknown) => string | undefined
}

/** Objective modules: default, else `objective`, else the only objective definition. */
export const objectiveExportRule: ExportRule = {
  names: ['objective'],
  accepts: isObjectiveDefinition,
  what: 'objective',
  maker: 'defineObjective()',
}

/** What a module export is, in a word or two: objective, function, class, object, number, ... */
export function exportKind(value: unknown, rule: ExportRule = objectiveExportRule): string {
  if (rule.accepts(value)) return rule.what
  const known = rule.kindOf?.(value)
  if (known !== undefined) return known
  if (isObjectiveDefinition(value)) return 'objective'
  if (value === null) return 'null'
  if (typeof value === 'function') {
    return /^class\b/.test(Function.prototype.toString.call(value)) ? 'class' : 'function'
  }
  if (Array.isArray(value)) return 'array'
  if (ArrayBuffer.isView(value)) return value.constructor.name
  return typeof value
}

// In the order of a module namespace (by name), which loaders that are not Node's may not keep.
function exportNames(namespace: Record<string, unknown>): string[] {
  return Object.keys(namespace).sort()
}

/** `fit (function), initial (object), objectiveA (objective)`, or `nothing`. */
export function describeExports(namespace: Record<string, unknown>, rule = objectiveExportRule): string {
  const names = exportNames(namespace)
  if (names.length === 0) return 'nothing'
  return names.map((name) => `${name} (${exportKind(namespace[name], rule)})`).join(', ')
}

function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`
}

function nameOne(name: string): string {
  return `{ export: '${name}' }`
}

/** Why `namespace[name]` is not what the rule accepts, with the fix. */
function notAccepted(name: string, value: unknown, rule: ExportRule): string {
  const kind = exportKind(value, rule)
  if (kind === 'function') {
    return (
      `export '${name}' is a plain function, not ${withArticle(rule.what)}; ` +
      `export ${rule.maker.replace('()', '((init) => yourFunction)')} instead`
    )
  }
  return `export '${name}' is ${withArticle(kind)}, not ${withArticle(rule.what)}; make it with ${rule.maker}`
}

/**
 * The name of the export to load: `requested` when given (and it is what the rule accepts), else
 * the rule's choice. Throws ObjectiveLoadError naming `module` and listing its exports otherwise.
 */
export function resolveExport(
  namespace: Record<string, unknown>,
  requested: string | undefined,
  module: string,
  rule: ExportRule = objectiveExportRule,
): string {
  const candidates = exportNames(namespace).filter((name) => rule.accepts(namespace[name]))
  const listing = `its exports: ${describeExports(namespace, rule)}`
  const suggestion = candidates.length === 0 ? '' : `; name one with ${nameOne(candidates[0]!)}`
  if (requested !== undefined) {
    if (!Object.hasOwn(namespace, requested)) {
      throw new ObjectiveLoadError(module, `it has no export named '${requested}' (${listing})${suggestion}`)
    }
    if (!rule.accepts(namespace[requested])) {
      const others = candidates.length === 0 ? '' : ` (${listing})${suggestion}`
      throw new ObjectiveLoadError(module, `${notAccepted(requested, namespace[requested], rule)}${others}`)
    }
    return requested
  }
  for (const name of ['default', ...rule.names]) {
    if (Object.hasOwn(namespace, name) && rule.accepts(namespace[name])) return name
  }
  if (candidates.length === 1) return candidates[0]!
  const conventional = ['the default export', ...rule.names.map((n) => `'${n}'`)].join(' or ')
  if (candidates.length > 1) {
    throw new ObjectiveLoadError(
      module,
      `it exports ${candidates.length} ${rule.what}s (${candidates.join(', ')}) and none is ${conventional}, ` +
        `so which one to load is not clear (${listing}); name one with ${nameOne(candidates[0]!)}`,
    )
  }
  // Nothing qualifies: a conventional name holding something else is most likely the intended one.
  const intended = ['default', ...rule.names].find((name) => Object.hasOwn(namespace, name))
  const why = intended === undefined ? '' : `: ${notAccepted(intended, namespace[intended], rule)}`
  throw new ObjectiveLoadError(
    module,
    `it exports no ${rule.what} made with ${rule.maker} (${listing})${why}` +
      (intended === undefined ? `; export one as ${conventional}` : ''),
  )
}
