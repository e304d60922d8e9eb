// Checks of option values, one style for every package (docs/decisions/0010-option-checks.md).
// Each returns the value unchanged when it keeps the rule; otherwise it throws a ValidationError
// whose message says the key, the rule and the value given, and whose keyPath is the key:
// `retries must be a whole number from 0 to 100, got 1.5 (at 'retries')`.

import { ValidationError } from './errors/classes.ts'
import { closestName } from './option-keys.ts'
import { describeValue } from './params.ts'

/** The bounds of a number. `min`/`max` are inclusive, `above`/`below` exclusive. */
export interface NumberBounds {
  readonly min?: number
  readonly max?: number
  readonly above?: number
  readonly below?: number
}

export interface NumberRule extends NumberBounds {
  /** Refuse ±Infinity too (NaN is always refused). Default false. */
  readonly finite?: boolean
  /** The unit, said in the rule: 'a finite number of milliseconds > 0'. */
  readonly unit?: string
  /** Another form the option accepts, said in the rule: `'auto'`. Checking it is the caller's. */
  readonly or?: string
  /** Why the rule, said after the value. */
  readonly why?: string
}

/**
 * What was given, as a check's message shows it: a number, boolean or string as itself (strings
 * quoted), anything else as params.ts's describeValue says it ('an array', 'an object of class Date').
 */
export function givenValue(value: unknown): string {
  if (typeof value === 'string') return /^[^'\\\p{Cc}]*$/u.test(value) ? `'${value}'` : JSON.stringify(value)
  if (typeof value === 'boolean' || typeof value === 'symbol') return String(value)
  if (typeof value === 'bigint') return `${value}n`
  return describeValue(value)
}

function rangeText({ min, max, above, below }: NumberBounds): string {
  const low = min ?? above
  const high = max ?? below
  if (low !== undefined && high !== undefined) {
    if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`
    return ` in ${min === undefined ? '(' : '['}${low}, ${high}${max === undefined ? ')' : ']'}`
  }
  if (min !== undefined) return ` ≥ ${min}`
  if (above !== undefined) return ` > ${above}`
  if (max !== undefined) return ` ≤ ${max}`
  if (below !== undefined) return ` < ${below}`
  return ''
}

function within(value: number, { min, max, above, below }: NumberBounds): boolean {
  return (
    (min === undefined || value >= min) &&
    (max === undefined || value <= max) &&
    (above === undefined || value > above) &&
    (below === undefined || value < below)
  )
}

function refuse(key: string, rule: string, value: unknown, after?: string): never {
  throw new ValidationError(
    `${key} must be ${rule}, got ${givenValue(value)}${after === undefined ? '' : after}`,
    key,
  )
}

function numberRuleText(kind: string, rule: NumberRule): string {
  const unit = rule.unit === undefined ? '' : ` of ${rule.unit}`
  const text = `${kind}${unit}${rangeText(rule)}`
  return rule.or === undefined ? text : `${text} or ${rule.or}`
}

/** A number (not NaN) within `rule`'s bounds; ±Infinity passes unless `finite` or a bound refuses it. */
export function numberIn(value: unknown, key: string, rule: NumberRule = {}): number {
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (rule.finite !== true || Number.isFinite(value)) &&
    within(value, rule)
  if (!ok) {
    const kind = rule.finite === true ? 'a finite number' : 'a number'
    refuse(key, numberRuleText(kind, rule), value, rule.why === undefined ? undefined : `: ${rule.why}`)
  }
  return value
}

/** A finite number within `rule`'s bounds. */
export function finiteNumber(value: unknown, key: string, rule: Omit<NumberRule, 'finite'> = {}): number {
  return numberIn(value, key, { ...rule, finite: true })
}

/** A time in milliseconds: finite and > 0. */
export function positiveMs(value: unknown, key: string): number {
  return numberIn(value, key, { above: 0, finite: true, unit: 'milliseconds' })
}

/** An integer from `min` (default 0) to `max` (default none). */
export function wholeNumber(
  value: unknown,
  key: string,
  rule: Pick<NumberRule, 'min' | 'max' | 'or' | 'why'> = {},
): number {
  const bounds = { min: rule.min ?? 0, ...(rule.max === undefined ? {} : { max: rule.max }) }
  if (!(typeof value === 'number' && Number.isInteger(value) && within(value, bounds))) {
    const text = numberRuleText('a whole number', { ...rule, ...bounds })
    refuse(key, text, value, rule.why === undefined ? undefined : `: ${rule.why}`)
  }
  return value
}

/** An integer of either sign (a seed). */
export function integer(value: unknown, key: string): number {
  if (!(typeof value === 'number' && Number.isInteger(value))) refuse(key, 'an integer', value)
  return value
}

/** true or false. */
export function trueOrFalse(value: unknown, key: string): boolean {
  if (typeof value !== 'boolean') refuse(key, 'true or false', value)
  return value
}

/** A string that is not empty (a path, a name); `what` says what it is for. */
export function nonEmptyText(value: unknown, key: string, what = 'a non-empty string'): string {
  if (typeof value !== 'string' || value === '') refuse(key, what, value)
  return value
}

/** The list of choices as a rule says it: `'a', 'b' or 'c'`. */
function choicesText(choices: readonly string[], or: string | undefined): string {
  const items = [...choices.map((c) => `'${c}'`), ...(or === undefined ? [] : [or])]
  return items.length === 1 ? items[0]! : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`
}

/**
 * One of `choices`. A string that is not one is refused with the closest choice when one is
 * close enough (`did you mean 'central'?`, as checkOptionKeys does for keys). `or` names
 * another form the option accepts, which the caller checks first (`'a function'`).
 */
export function oneOf<const T extends string>(
  value: unknown,
  key: string,
  choices: readonly T[],
  or?: string,
): T {
  if (choices.includes(value as T)) return value as T
  const suggestion = typeof value === 'string' ? closestName(value, choices) : undefined
  refuse(
    key,
    choicesText(choices, or),
    value,
    suggestion === undefined ? undefined : `; did you mean '${suggestion}'?`,
  )
}
