// EvaluateContext: the per-evaluation record an objective reads and writes. What the objective
// writes (loss, quantities, meta) comes back to the caller from whichever worker ran it: the
// worker receives the input state and returns the result state, which the caller applies to
// its own context object in place.

import type { ParamTree } from './params.ts'
import { cloneState } from './transport.ts'

export type ChildConfigurator = (
  index: number,
  child: EvaluateContext,
  count: number,
  parent: EvaluateContext,
) => void

/** `{ parameters, loss, quantities, meta }`; `meta.children` holds the children's, in term order. */
export interface MetaData {
  parameters: ParamTree | undefined
  loss: number | undefined
  quantities: Record<string, unknown> | undefined
  meta: Record<string, unknown>
}

/** What travels to a worker. */
export interface ContextInputState {
  parameters: ParamTree | undefined
  config: Record<string, unknown>
  shared: Record<string, unknown>
  meta: Record<string, unknown>
}

/** What travels back from a worker; `residuals` only for least-squares objectives. */
export interface ContextResultState {
  parameters: ParamTree | undefined
  loss: number | undefined
  quantities: Record<string, unknown> | undefined
  meta: Record<string, unknown>
  residuals: Float64Array | undefined
}

/** The config or shared record of a context that never had one, as its input state shows it. */
const NOTHING: Record<string, unknown> = Object.freeze({})
const NO_CHILDREN: readonly EvaluateContext[] = Object.freeze([])

export class EvaluateContext {
  parameters: ParamTree | undefined = undefined
  loss: number | undefined = undefined
  quantities: Record<string, unknown> | undefined = undefined
  /** What the objective reports; comes back from workers. */
  meta: Record<string, unknown> = {}
  /** Residual vector of a least-squares objective (loss = sum of squares); comes back too. */
  residuals: Float64Array | undefined = undefined
  // config, shared, temp and the children are made on first use: a context is made for every
  // evaluation, on the caller's side and the worker's, and most never use them.
  #config: Record<string, unknown> | undefined
  #shared: Record<string, unknown> | undefined
  #temp: Record<PropertyKey, unknown> | undefined
  #children: EvaluateContext[] | undefined

  constructor(init?: { config?: Record<string, unknown>; shared?: Record<string, unknown> }) {
    this.#config = init?.config
    this.#shared = init?.shared
  }

  /** Settings for this evaluation; each child gets its own deep copy. */
  get config(): Record<string, unknown> {
    this.#config ??= {}
    return this.#config
  }
  set config(value: Record<string, unknown>) {
    this.#config = value
  }

  /** One object for a parent and all its children; sent to workers, never sent back. */
  get shared(): Record<string, unknown> {
    this.#shared ??= {}
    return this.#shared
  }
  set shared(value: Record<string, unknown>) {
    this.#shared = value
  }

  /** Scratch space (hooks keep timers here, failures land in `temp.error`); never serialized. */
  get temp(): Record<PropertyKey, unknown> {
    this.#temp ??= {}
    return this.#temp
  }
  set temp(value: Record<PropertyKey, unknown>) {
    this.#temp = value
  }

  get children(): readonly EvaluateContext[] {
    return this.#children ?? NO_CHILDREN
  }

  /**
   * Replaces the children with `count` new contexts (deep-copied `config`, the same `shared`),
   * then calls `configure(index, child, count, parent)` for each, in index order.
   */
  spawnChildren(count: number, configure?: ChildConfigurator): EvaluateContext[] {
    const children: EvaluateContext[] = []
    // A deep copy of no config is a child that makes its own on first use: a combined objective
    // of 16 terms would otherwise pay 16 structured clones of {} per evaluation.
    const config = this.#config
    const copyConfig = config !== undefined && Object.keys(config).length > 0
    for (let i = 0; i < count; i++) {
      children.push(
        copyConfig
          ? new EvaluateContext({ config: cloneState(config, 'config'), shared: this.shared })
          : new EvaluateContext({ shared: this.shared }),
      )
    }
    this.#children = children
    if (configure !== undefined) {
      for (let i = 0; i < count; i++) configure(i, children[i]!, count, this)
    }
    return children
  }

  /** Sets `meta.children` to the children's metadata, always in index (term) order. */
  collectChildMeta(): void {
    if (this.#children === undefined || this.#children.length === 0) return
    this.meta.children = this.#children.map((child) => child.toMetaData())
  }

  toMetaData(): MetaData {
    return { parameters: this.parameters, loss: this.loss, quantities: this.quantities, meta: this.meta }
  }

  toInputState(): ContextInputState {
    return {
      parameters: this.parameters,
      config: this.#config ?? NOTHING,
      shared: this.#shared ?? NOTHING,
      meta: this.meta,
    }
  }

  toResultState(): ContextResultState {
    return {
      parameters: this.parameters,
      loss: this.loss,
      quantities: this.quantities,
      meta: this.meta,
      residuals: this.residuals,
    }
  }

  /** Overwrites parameters, loss, quantities, meta and residuals with a worker's result. */
  applyResultState(state: ContextResultState): void {
    this.parameters = state.parameters
    this.loss = state.loss
    this.quantities = state.quantities
    this.meta = state.meta
    this.residuals = state.residuals
  }

  static fromInputState(state: ContextInputState): EvaluateContext {
    const ctx = new EvaluateContext({
      ...(state.config === NOTHING ? {} : { config: state.config }),
      ...(state.shared === NOTHING ? {} : { shared: state.shared }),
    })
    ctx.parameters = state.parameters
    ctx.meta = state.meta
    return ctx
  }
}
