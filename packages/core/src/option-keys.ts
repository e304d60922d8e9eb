// Unknown option keys. Scripts run as .ts with the types stripped, so no type checker sees
// `{ workers: 4 }` for `{ numWorkers: 4 }`: every public options object is checked at run time
// against the keys its interface declares, and an unknown key fails with the closest known one.

import { ValidationError } from './errors/classes.ts'

/**
 * Optimal string alignment distance (Levenshtein plus swapping two adjacent characters),
 * ignoring case: `popsize` is 0 from `popSize`, `xtl` 1 from `xtol`, `budjet` 1 from `budget`.
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase()
  const t = b.toLowerCase()
  // Three rows of the dynamic programme: i - 2, i - 1 and i.
  let before = new Array<number>(t.length + 1).fill(0)
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j)
  for (let i = 1; i <= s.length; i++) {
    const current = new Array<number>(t.length + 1)
    current[0] = i
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        d = Math.min(d, before[j - 2]! + 1)
      current[j] = d
    }
    before = previous
    previous = current
  }
  return previous[t.length]!
}

/** One name contains the other, or they start alike: `workers` and `numWorkers`, `retry` and `retries`. */
function related(a: string, b: string): boolean {
  const s = a.toLowerCase()
  const t = b.toLowerCase()
  if (Math.min(s.length, t.length) >= 3 && (s.includes(t) || t.includes(s))) return true
  let prefix = 0
  while (prefix < s.length && s[prefix] === t[prefix]) prefix++
  return prefix >= 4
}

/**
 * The candidate closest to `name` by editDistance, when it is close enough to be what was meant:
 * at most 40% of the longer name's length apart (one edit always counts), or related (one name
 * inside the other, or the same first four letters). So `budjet` suggests `budget`, `workers`
 * `numWorkers`, `prefetch` `prefetchJacobian`, but `foo` nothing. Ties go to a related name,
 * then to the earlier candidate.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestScore = Number.POSITIVE_INFINITY
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate)
    const near = distance <= Math.max(1, Math.floor(0.4 * Math.max(name.length, candidate.length)))
    const isRelated = related(name, candidate)
    if (!(near || isRelated)) continue
    const score = distance * 2 + (isRelated ? 0 : 1)
    if (score < bestScore) {
      best = candidate
      bestScore = score
    }
  }
  return best
}

function join(keyPath: string | undefined, key: string): string {
  return keyPath === undefined || keyPath === '' ? key : `${keyPath}.${key}`
}

/**
 * Throws a ValidationError unless `value` is an object whose own keys are all in `known`. The
 * error names the first unknown key with its key path (`keyPath` is the path of `value` itself,
 * e.g. 'methodOptions.lm'), suggests the closest known key and lists them all. `where` names the
 * object in the message, e.g. 'fit() options'.
 */
export function checkOptionKeys(
  value: unknown,
  known: readonly string[],
  where: string,
  keyPath?: string,
): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value
    throw new ValidationError(`${where} must be an object, got ${got}`, keyPath || undefined)
  }
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue
    const suggestion = closestName(key, known)
    const hint = suggestion === undefined ? '.' : `; did you mean '${suggestion}'?`
    const list = known.length === 0 ? 'none' : known.map((k) => `'${k}'`).join(', ')
    throw new ValidationError(
      `unknown option '${key}' in ${where}${hint} Known options: ${list}`,
      join(keyPath, key),
    )
  }
}

/**
 * The list of an options interface's keys, checked both ways by the compiler: every entry must
 * be a key of T, and every key of T must be listed (a missing one is named in the type error).
 * `const FIT_KEYS = optionKeys<FitOptions>()(['method', 'budget', ...])`.
 */
export function optionKeys<T extends object>() {
  return <const K extends readonly (keyof T & string)[]>(
    keys: K &
      ([Exclude<keyof T, K[number]>] extends [never] ? unknown : { missing: Exclude<keyof T, K[number]> }),
  ): K => keys
}

/**
 * Runs `fn`; a ValidationError it throws with a key path comes out with `prefix` put in front of
 * that path, e.g. an optimizer's 'popSize' as 'methodOptions.cmaes.popSize'.
 */
export function underKeyPath<T>(prefix: string, fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if (!(error instanceof ValidationError) || error.keyPath === undefined) throw error
    throw new ValidationError(messageWithoutKeyPath(error), join(prefix, error.keyPath))
  }
}

/** A ValidationError's message without the ` (at 'key')` its constructor added, to wrap it anew. */
export function messageWithoutKeyPath(error: ValidationError): string {
  const suffix = ` (at '${error.keyPath}')`
  return error.keyPath !== undefined && error.message.endsWith(suffix)
    ? error.message.slice(0, -suffix.length)
    : error.message
}
