// The one checked reader of an optimizer's saved state. Every optimizer's saveState() starts with
// the same header (kind, version, n), and its restore() reads the rest through SavedState, so a
// state from another method, another version, another problem size or a damaged file fails with
// an OptimizerStateError that names the field, never with a TypeError deep inside the algorithm.

import { Random } from '@parafit/core'
import { OptimizerStateError } from '../errors.ts'
import type { OptimizerState, OptimizerStop } from './optimizer.ts'

/** How many numbers a Random's state is (xoroshiro128+: four 32-bit words). */
const RANDOM_STATE_WORDS = Random.fromSeed(1).state().length

const STOP_KINDS: readonly OptimizerStop['kind'][] = ['converged', 'stalled', 'failed']

/** The header of a saved state: which optimizer wrote it, in which format, for how many parameters. */
export function stateHeader(kind: string, version: number, n: number): OptimizerState {
  return { kind, version, n }
}

/** A stop as plain data, for saveState (null while running). */
export function savedStop(stop: OptimizerStop | undefined): OptimizerState | null {
  return stop === undefined ? null : { kind: stop.kind, reason: stop.reason }
}

export class SavedState {
  readonly #record: Record<string, unknown>
  readonly #label: string
  readonly #at: string

  private constructor(record: Record<string, unknown>, label: string, at: string) {
    this.#record = record
    this.#label = label
    this.#at = at
  }

  /**
   * Opens `state` as a saved state of `label` (e.g. 'CMA-ES'): its kind, version and number of
   * parameters must be those given.
   */
  static open(
    state: unknown,
    header: { kind: string; version: number; n: number; label: string },
  ): SavedState {
    const { kind, version, n, label } = header
    if (!isRecord(state))
      throw new OptimizerStateError(`a saved ${label} state must be a record, got ${describe(state)}`)
    if (state['kind'] !== kind)
      throw new OptimizerStateError(
        `not a saved ${label} state: its kind is ${JSON.stringify(state['kind'])}, expected '${kind}'`,
      )
    if (state['version'] !== version)
      throw new OptimizerStateError(
        `saved ${label} state of version ${JSON.stringify(state['version'])}; this parafit reads version ${version}. ` +
          'Start the run afresh',
      )
    if (state['n'] !== n)
      throw new OptimizerStateError(
        `the saved ${label} state is for ${JSON.stringify(state['n'])} parameters, this problem has ${n}`,
      )
    return new SavedState(state, label, '')
  }

  /** Throws the error for a field that is there but wrong: `what` says how. */
  invalid(key: string, what: string): never {
    throw new OptimizerStateError(`saved ${this.#label} state: '${this.#at}${key}' ${what}`)
  }

  #value(key: string): unknown {
    return this.#record[key]
  }

  /** Whether `key` holds something (not null, not missing). */
  present(key: string): boolean {
    const value = this.#value(key)
    return value !== null && value !== undefined
  }

  /** A finite number (integer: a whole number; min: at least this). */
  number(key: string, rule: { integer?: boolean; min?: number } = {}): number {
    const value = this.#value(key)
    if (typeof value !== 'number' || !Number.isFinite(value))
      this.invalid(key, `is ${describe(value)}, not a finite number`)
    if (rule.integer === true && !Number.isInteger(value))
      this.invalid(key, `is ${value}, not a whole number`)
    if (rule.min !== undefined && value < rule.min) this.invalid(key, `is ${value}, below ${rule.min}`)
    return value
  }

  /** A loss: a number, with null (or Infinity) for a failed evaluation, saved so because JSON has no Infinity. */
  loss(key: string): number {
    return this.#lossOf(this.#value(key), key)
  }

  #lossOf(value: unknown, key: string): number {
    if (value === null || value === Infinity) return Infinity
    if (typeof value !== 'number' || Number.isNaN(value))
      this.invalid(key, `holds ${describe(value)}, not a loss`)
    return value
  }

  /** true or false. */
  boolean(key: string): boolean {
    const value = this.#value(key)
    if (typeof value !== 'boolean') this.invalid(key, `is ${describe(value)}, not true or false`)
    return value
  }

  /** A string, or undefined where null was saved. */
  optionalText(key: string): string | undefined {
    const value = this.#value(key)
    if (value === null || value === undefined) return undefined
    if (typeof value !== 'string') this.invalid(key, `is ${describe(value)}, not a string`)
    return value
  }

  /** One of `allowed`. */
  choice<T extends string>(key: string, allowed: readonly T[]): T {
    const value = this.#value(key)
    if (!allowed.includes(value as T))
      this.invalid(key, `is ${describe(value)}, not one of ${allowed.map((a) => `'${a}'`).join(', ')}`)
    return value as T
  }

  /** A vector of finite numbers, of `length` when given. */
  vector(key: string, length?: number): Float64Array {
    return this.#vectorOf(this.#value(key), key, length)
  }

  /** A vector, or undefined where null was saved. */
  optionalVector(key: string, length?: number): Float64Array | undefined {
    const value = this.#value(key)
    return value === null || value === undefined ? undefined : this.#vectorOf(value, key, length)
  }

  #vectorOf(value: unknown, key: string, length: number | undefined): Float64Array {
    if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView)))
      this.invalid(key, `is ${describe(value)}, not an array of numbers`)
    const out = Float64Array.from(value as ArrayLike<unknown>, (v) =>
      typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN,
    )
    if (out.some(Number.isNaN)) this.invalid(key, 'holds something other than finite numbers')
    if (length !== undefined && out.length !== length)
      this.invalid(key, `has length ${out.length}, expected ${length}`)
    return out
  }

  /** Losses of several points, null standing for a failed evaluation. */
  losses(key: string, length?: number): Float64Array {
    const value = this.#value(key)
    if (!Array.isArray(value) && !ArrayBuffer.isView(value))
      this.invalid(key, `is ${describe(value)}, not an array of losses`)
    const out = Float64Array.from(value as ArrayLike<unknown>, (v) => this.#lossOf(v, key))
    if (length !== undefined && out.length !== length)
      this.invalid(key, `has length ${out.length}, expected ${length}`)
    return out
  }

  /** A list of vectors, each of `length`; `count` of them when given. */
  vectors(key: string, length: number, count?: number): Float64Array[] {
    const value = this.#value(key)
    if (!Array.isArray(value)) this.invalid(key, `is ${describe(value)}, not a list of vectors`)
    if (count !== undefined && value.length !== count)
      this.invalid(key, `holds ${value.length} vectors, expected ${count}`)
    return value.map((v, i) => this.#vectorOf(v, `${key}[${i}]`, length))
  }

  /** A list of nested records, each read with its own SavedState. */
  records(key: string): SavedState[] {
    const value = this.#value(key)
    if (!Array.isArray(value)) this.invalid(key, `is ${describe(value)}, not a list`)
    return value.map((v, i) => {
      if (!isRecord(v)) this.invalid(`${key}[${i}]`, `is ${describe(v)}, not a record`)
      return new SavedState(v, this.#label, `${this.#at}${key}[${i}].`)
    })
  }

  /** A nested record. */
  record(key: string): SavedState {
    const value = this.#value(key)
    if (!isRecord(value)) this.invalid(key, `is ${describe(value)}, not a record`)
    return new SavedState(value, this.#label, `${this.#at}${key}.`)
  }

  /** The state of a seeded Random. */
  random(key: string): Random {
    const words = this.vector(key, RANDOM_STATE_WORDS)
    if (words.some((w) => !Number.isInteger(w) || w < -(2 ** 31) || w >= 2 ** 32))
      this.invalid(key, 'is not the state of a random number generator')
    return Random.fromState(Array.from(words))
  }

  /** How the optimizer had stopped (undefined while it was running). */
  stop(key = 'stop'): OptimizerStop | undefined {
    const value = this.#value(key)
    if (value === null || value === undefined) return undefined
    if (
      !isRecord(value) ||
      typeof value['reason'] !== 'string' ||
      !STOP_KINDS.includes(value['kind'] as never)
    )
      this.invalid(key, `is ${describe(value)}, not a stop ({ kind, reason })`)
    return { kind: value['kind'] as OptimizerStop['kind'], reason: value['reason'] }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'a record'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  return String(value)
}
