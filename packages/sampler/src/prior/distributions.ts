// The one-dimensional distributions of a prior: their factories (small frozen plain objects, so
// a prior spec is data), the checks of their numbers, their quantile functions (the map from
// a coordinate of the unit cube to a value) and their descriptions for checkpoints.
//
// The factories do not check their numbers: the Prior does, when it knows under which key the
// distribution sits, so that an error can name it.

import { checkOptionKeys, closestName, givenValue, ValidationError } from '@parafit/core'
import { normalQuantile } from './normal-quantile.ts'
import { truncatedStandardNormalQuantile } from './truncated-normal.ts'

/** Uniform on [low, high]; low and high finite, low < high. */
export interface UniformDistribution {
  readonly kind: 'uniform'
  readonly low: number
  readonly high: number
}

/** Log-uniform on [low, high]: log x is uniform on [log low, log high]; 0 < low < high, finite. */
export interface LogUniformDistribution {
  readonly kind: 'logUniform'
  readonly low: number
  readonly high: number
}

/** Normal with mean and standard deviation sd > 0. */
export interface NormalDistribution {
  readonly kind: 'normal'
  readonly mean: number
  readonly sd: number
}

/** Normal(mean, sd) restricted to [low, high]; either bound may be infinite, low < high. */
export interface TruncatedNormalDistribution {
  readonly kind: 'truncatedNormal'
  readonly mean: number
  readonly sd: number
  readonly low: number
  readonly high: number
}

/** Any distribution given by its inverse CDF, a function from u in (0, 1) to a finite number. */
export interface CustomDistribution {
  readonly kind: 'custom'
  readonly inverseCdf: (u: number) => number
  /** Names the distribution in descriptions and errors (a checkpoint compares descriptions). */
  readonly name: string | undefined
}

export type Distribution =
  | UniformDistribution
  | LogUniformDistribution
  | NormalDistribution
  | TruncatedNormalDistribution
  | CustomDistribution

/** Options of custom(). */
export interface CustomOptions {
  /** What describe() and error messages call the distribution; 'custom' when not given. */
  readonly name?: string
}

/**
 * A distribution as plain JSON data. An infinite bound of a truncated normal is null (none), as
 * in core's bounds.
 */
export type DistributionDescription =
  | { kind: 'uniform'; low: number; high: number }
  | { kind: 'logUniform'; low: number; high: number }
  | { kind: 'normal'; mean: number; sd: number }
  | { kind: 'truncatedNormal'; mean: number; sd: number; low: number | null; high: number | null }
  | { kind: 'custom'; name: string }

/** Uniform on [low, high]: low + u·(high - low). Both finite, low < high. */
export function uniform(low: number, high: number): UniformDistribution {
  return Object.freeze({ kind: 'uniform', low, high })
}

/** Log-uniform on [low, high] (0 < low < high): the value's log is uniform, exp of a uniform. */
export function logUniform(low: number, high: number): LogUniformDistribution {
  return Object.freeze({ kind: 'logUniform', low, high })
}

/** Normal with the given mean and standard deviation (sd > 0). */
export function normal(mean: number, sd: number): NormalDistribution {
  return Object.freeze({ kind: 'normal', mean, sd })
}

/**
 * Normal(mean, sd) truncated to [low, high]. Either bound may be -Infinity / Infinity; the
 * interval may lie far in a tail (e.g. 8σ to 9σ, or -40σ to -39σ) and still transforms exactly.
 */
export function truncatedNormal(
  mean: number,
  sd: number,
  low: number,
  high: number,
): TruncatedNormalDistribution {
  return Object.freeze({ kind: 'truncatedNormal', mean, sd, low, high })
}

/**
 * A distribution given by its inverse CDF (quantile function): a function from u in (0, 1) to
 * a finite number, non-decreasing in u. What it returns is checked at each transform, and a
 * value that is not a finite number fails naming the key. Give `name` so that a checkpoint can
 * tell two custom priors apart.
 */
export function custom(inverseCdf: (u: number) => number, options: CustomOptions = {}): CustomDistribution {
  checkOptionKeys(options, CUSTOM_OPTION_KEYS, 'custom() options')
  return Object.freeze({ kind: 'custom', inverseCdf, name: options.name })
}

const CUSTOM_OPTION_KEYS = ['name'] as const satisfies readonly (keyof CustomOptions)[]

const FIELDS: Record<Distribution['kind'], readonly string[]> = {
  uniform: ['kind', 'low', 'high'],
  logUniform: ['kind', 'low', 'high'],
  normal: ['kind', 'mean', 'sd'],
  truncatedNormal: ['kind', 'mean', 'sd', 'low', 'high'],
  custom: ['kind', 'inverseCdf', 'name'],
}
const KINDS = Object.keys(FIELDS)
const FACTORIES = 'uniform(), logUniform(), normal(), truncatedNormal() or custom()'

/** The nearest double to 0 and to 1 inside (0, 1): where u = 0 and u = 1 go for unbounded distributions. */
const ABOVE_ZERO = Number.MIN_VALUE
const BELOW_ONE = 1 - Number.EPSILON / 2
/** The farthest a normal quantile reaches (Φ⁻¹ of the smallest double is -38.47). */
const MAX_SIGMAS = 40

function openInterval(u: number): number {
  return u === 0 ? ABOVE_ZERO : u === 1 ? BELOW_ONE : u
}

/**
 * What a value given for a number or a spec is, for messages: core's givenValue, with a string
 * said to be one (a number meant, usually: "the string '0'").
 */
export function describeInput(value: unknown): string {
  return typeof value === 'string' ? `the string ${givenValue(value)}` : givenValue(value)
}

/** Whether `value` is meant as a distribution: a plain object with a string `kind`. */
export function looksLikeDistribution(value: object): boolean {
  return typeof (value as { kind?: unknown }).kind === 'string'
}

/** Checks a distribution's fields and numbers; keyPath names where it sits in the prior. */
export function checkDistribution(value: object, keyPath: string): Distribution {
  const kind = (value as { kind: string }).kind
  if (!Object.hasOwn(FIELDS, kind)) {
    const near = closestName(kind, KINDS)
    const hint = near === undefined ? '.' : `; did you mean '${near}'?`
    throw new ValidationError(
      `unknown distribution kind '${kind}'${hint} Make distributions with ${FACTORIES}`,
      keyPath,
    )
  }
  const d = value as Distribution
  const fields = FIELDS[d.kind]
  for (const field of Object.keys(d)) {
    if (!fields.includes(field)) {
      throw new ValidationError(
        `a ${d.kind} distribution has no field '${field}' (its fields: ${fields.join(', ')}); make it with ${d.kind}()`,
        keyPath,
      )
    }
  }
  const finite = (name: string, x: unknown): number => {
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new ValidationError(
        `${d.kind}'s ${name} is ${describeInput(x)}; it must be a finite number`,
        keyPath,
      )
    }
    return x
  }
  const positiveSd = (sd: unknown, mean: number): void => {
    if (finite('sd', sd) <= 0) {
      throw new ValidationError(
        `${d.kind}'s sd is ${sd}; a standard deviation must be greater than 0`,
        keyPath,
      )
    }
    if (!Number.isFinite(Math.abs(mean) + MAX_SIGMAS * (sd as number))) {
      throw new ValidationError(
        `${d.kind}(${mean}, ${sd}) reaches beyond the largest double within ${MAX_SIGMAS} sd of its mean; rescale the parameter`,
        keyPath,
      )
    }
  }
  const ordered = (low: number, high: number): void => {
    if (!(low < high)) {
      throw new ValidationError(
        `${d.kind}'s low (${low}) must be less than its high (${high}); swap them, or fix the parameter with a number instead`,
        keyPath,
      )
    }
  }
  switch (d.kind) {
    case 'uniform':
      ordered(finite('low', d.low), finite('high', d.high))
      break
    case 'logUniform':
      ordered(finite('low', d.low), finite('high', d.high))
      if (d.low <= 0) {
        throw new ValidationError(
          `logUniform's low is ${d.low}, but a log-uniform distribution needs 0 < low < high; give a positive low (such as 1e-3)`,
          keyPath,
        )
      }
      break
    case 'normal':
      positiveSd(d.sd, finite('mean', d.mean))
      break
    case 'truncatedNormal': {
      positiveSd(d.sd, finite('mean', d.mean))
      for (const [name, bound] of [
        ['low', d.low],
        ['high', d.high],
      ] as const) {
        if (typeof bound !== 'number' || Number.isNaN(bound)) {
          throw new ValidationError(
            `truncatedNormal's ${name} is ${describeInput(bound)}; give a number (-Infinity or Infinity for no bound)`,
            keyPath,
          )
        }
      }
      ordered(d.low, d.high)
      const [alpha, beta] = standardBounds(d)
      for (const [name, z] of [
        ['low', alpha],
        ['high', beta],
      ] as const) {
        if (Math.abs(z) > 1e300 && Number.isFinite(d[name])) {
          throw new ValidationError(
            `truncatedNormal's ${name} is ${Math.abs(z)} standard deviations from the mean, too far to represent; move it or widen sd`,
            keyPath,
          )
        }
      }
      if (!(alpha < beta)) {
        throw new ValidationError(
          `truncatedNormal's interval [${d.low}, ${d.high}] is narrower than the rounding of its mean ${d.mean} ` +
            `in units of sd ${d.sd}; widen it, or fix the parameter with a number`,
          keyPath,
        )
      }
      break
    }
    case 'custom':
      if (typeof d.inverseCdf !== 'function') {
        throw new ValidationError(
          `custom() takes the inverse CDF, a function from u in (0, 1) to a value; got ${describeInput(d.inverseCdf)}`,
          keyPath,
        )
      }
      if (d.name !== undefined && typeof d.name !== 'string') {
        throw new ValidationError(`custom()'s name must be a string, got ${describeInput(d.name)}`, keyPath)
      }
      break
  }
  return d
}

/** The bounds in standard deviations from the mean. */
function standardBounds(d: TruncatedNormalDistribution): [alpha: number, beta: number] {
  return [(d.low - d.mean) / d.sd, (d.high - d.mean) / d.sd]
}

/**
 * The quantile function u ↦ value of a checked distribution, for u in [0, 1]. A finite bound is
 * reached exactly at u = 0 or 1; an unbounded side takes u = 0 as the smallest double above 0
 * and u = 1 as 1 - 2⁻⁵³, so a normal gives -38.5σ and +8.3σ there, not ±Infinity. A custom
 * inverse CDF is called with u in (0, 1) in the same way.
 */
export function quantileFunction(d: Distribution, keyPath: string): (u: number) => number {
  switch (d.kind) {
    case 'uniform': {
      const { low, high } = d
      const width = high - low
      // low + u·(high - low) is non-decreasing in u; when the width overflows, halve everything.
      if (Number.isFinite(width)) return (u) => (u === 1 ? high : Math.min(high, low + u * width))
      return (u) => (u === 1 ? high : Math.min(high, 2 * (low / 2 + u * (high / 2 - low / 2))))
    }
    case 'logUniform': {
      const { low, high } = d
      const logLow = Math.log(low)
      const logWidth = Math.log(high) - logLow
      return (u) =>
        u === 0 ? low : u === 1 ? high : Math.min(high, Math.max(low, Math.exp(logLow + u * logWidth)))
    }
    case 'normal': {
      const { mean, sd } = d
      return (u) => mean + sd * normalQuantile(openInterval(u))
    }
    case 'truncatedNormal': {
      const { mean, sd, low, high } = d
      const [alpha, beta] = standardBounds(d)
      const z = truncatedStandardNormalQuantile(alpha, beta)
      const lowFinite = Number.isFinite(low)
      const highFinite = Number.isFinite(high)
      return (u) => {
        if (u === 0 && lowFinite) return low
        if (u === 1 && highFinite) return high
        return Math.min(high, Math.max(low, mean + sd * z(openInterval(u))))
      }
    }
    case 'custom': {
      const { inverseCdf } = d
      const name = d.name === undefined ? 'custom distribution' : `custom distribution '${d.name}'`
      return (u) => {
        const open = openInterval(u)
        const x = inverseCdf(open)
        if (typeof x !== 'number' || !Number.isFinite(x)) {
          throw new ValidationError(
            `the inverse CDF of the ${name} returned ${describeInput(x)} for u = ${open}; it must return a finite number for every u in (0, 1)`,
            keyPath,
          )
        }
        return x
      }
    }
  }
}

/** A checked distribution as plain JSON data. */
export function describeDistribution(d: Distribution): DistributionDescription {
  switch (d.kind) {
    case 'uniform':
    case 'logUniform':
      return { kind: d.kind, low: d.low, high: d.high }
    case 'normal':
      return { kind: 'normal', mean: d.mean, sd: d.sd }
    case 'truncatedNormal':
      return {
        kind: 'truncatedNormal',
        mean: d.mean,
        sd: d.sd,
        low: Number.isFinite(d.low) ? d.low : null,
        high: Number.isFinite(d.high) ? d.high : null,
      }
    case 'custom':
      return { kind: 'custom', name: d.name ?? 'custom' }
  }
}
