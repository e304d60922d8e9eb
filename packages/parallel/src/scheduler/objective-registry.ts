// The objectives a pool has seen, by number (refIdentity): their refs, their loading in the
// workers (prepare() waits for it, bounded by timeoutMs), why one cannot be loaded, and how
// often workers died loading it. Refs are held weakly, least recently used first: a ref the
// caller dropped is forgotten when it is collected, and of those no batch uses at most
// MAX_IDLE_OBJECTIVES are kept; the pool then unloads the forgotten ones from its workers. A
// long-lived pool fed a new ref per call kept them all, each with its `init` (fault probe F9:
// 3,000 refs of 100 kB, 300 MB).

import { isObjectiveRef, ObjectiveLoadError, type ObjectiveRef, ValidationError } from '@parafit/core'
import { abortError } from '../abort.ts'
import { loadTimeoutError } from '../load-timeout.ts'
import type { LeafObjective } from '../pool.ts'
import { refIdentity } from '../ref-registry.ts'
import type { WorkerExit } from '../worker-handle.ts'
import type { WorkerSlot } from './slot.ts'

/**
 * How many objectives no batch is using a worker keeps loaded, at most; the least recently used
 * go first. Each holds its `init` and whatever its factory built.
 */
export const MAX_IDLE_OBJECTIVES = 32
/** Workers that may die while loading one module before it is an ObjectiveLoadError. */
const MAX_LOAD_DEATHS = 3

export interface RegistryEvents {
  /** The objectives the batches in flight use: never evicted. */
  inUse(): Iterable<number>
  /** These objectives are forgotten here: unload them from the workers, drop their costs. */
  forgotten(refIds: readonly number[]): void
  /** Objective `refId` cannot be loaded: the batches that use it fail with `error`. */
  unloadable(refId: number, error: Error): void
}

interface Waiter {
  resolve(): void
  reject(error: Error): void
}

export class ObjectiveRegistry {
  readonly #events: RegistryEvents
  /** Least recently used first; batches and prepare() calls hold the refs they use. */
  readonly #refs = new Map<number, WeakRef<ObjectiveRef>>()
  readonly #released = new FinalizationRegistry<number>((refId) => {
    if (!this.#closed) this.#forget([refId])
  })
  readonly #loadErrors = new Map<number, Error>()
  readonly #loadDeaths = new Map<number, number>()
  /** prepare() calls waiting for slot `s` to load objective `r`, by `${s}:${r}`. */
  readonly #waiters = new Map<string, Waiter>()
  #closed = false

  constructor(events: RegistryEvents) {
    this.#events = events
  }

  /** The number of `objective`, now the most recently used. */
  idOf(objective: LeafObjective): number {
    if (!isObjectiveRef(objective)) {
      throw new ValidationError(
        'a worker pool can only run objectives from modules: export your objective from a file with ' +
          "defineObjective((init) => (params, ctx) => loss) and pass objectiveModule(new URL('./file.ts', import.meta.url), { init }) " +
          '(in-process objectives run on serialPool())',
      )
    }
    const id = refIdentity(objective)
    const known = this.#refs.get(id)
    if (known === undefined) this.#released.register(objective, id, objective)
    else this.#refs.delete(id)
    this.#refs.set(id, known ?? new WeakRef(objective))
    return id
  }

  /** The ref numbered `refId`, which whoever asks (a batch, a prepare() call) holds. */
  ref(refId: number): ObjectiveRef {
    const ref = this.#refs.get(refId)?.deref()
    if (ref === undefined) throw new Error(`internal: objective ${refId} is no longer known`)
    return ref
  }

  /**
   * Forgets the least recently used objectives beyond MAX_IDLE_OBJECTIVES that no batch uses;
   * `current` are the ones the call at hand is about to use.
   */
  evictIdle(current: ReadonlySet<number>): void {
    if (this.#refs.size <= MAX_IDLE_OBJECTIVES + current.size) return
    const inUse = new Set(current)
    for (const refId of this.#events.inUse()) inUse.add(refId)
    const idle = [...this.#refs.keys()].filter((refId) => !inUse.has(refId))
    const evicted = idle.slice(0, Math.max(0, idle.length - MAX_IDLE_OBJECTIVES))
    for (const refId of evicted) {
      const ref = this.#refs.get(refId)?.deref()
      if (ref !== undefined) this.#released.unregister(ref)
    }
    this.#forget(evicted)
  }

  /** Asks `slot`'s worker to load objective `refId` (see WorkerSlot.define). */
  define(slot: WorkerSlot, refId: number, timeoutMs?: number): void {
    slot.define(refId, this.ref(refId), timeoutMs)
  }

  /**
   * Loads objectives `refIds` in every worker of `slots` that can answer, and settles when all
   * have; within `timeoutMs` of each worker being up, if given. An abort of `signal` ends the
   * wait at once.
   */
  async loadEverywhere(
    refIds: Iterable<number>,
    slots: readonly WorkerSlot[],
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const waits: Promise<void>[] = []
    const loads: [WorkerSlot, number][] = []
    for (const refId of refIds) {
      const known = this.#loadErrors.get(refId)
      if (known !== undefined) throw known
      for (const slot of slots) {
        // A lost worker (a retired MPI rank) never answers, and one being stopped (after a
        // timeout or an abort) may not for a long time: their replacements load the objective
        // with their first task. Waiting on them hung every new module (fault probe F5).
        if (slot.defined.has(refId) || !slot.available) continue
        waits.push(this.#waitForLoad(slot.id, refId))
        this.define(slot, refId, timeoutMs)
        loads.push([slot, refId])
      }
    }
    // Everything loaded already (every call after the first): nothing to wait for or to abort.
    if (waits.length === 0) return
    if (signal === undefined) {
      await Promise.all(waits)
      return
    }
    let onAbort = () => {}
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        // A worker still loading may be stuck there: stop it, as an aborted batch's workers are.
        for (const [slot, refId] of loads) {
          if (!slot.loading.has(refId) || slot.killReason !== undefined) continue
          void slot.kill('abort')
        }
        reject(abortError(signal))
      }
      signal.addEventListener('abort', onAbort, { once: true })
    })
    try {
      await Promise.race([Promise.all(waits), aborted])
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }

  /** Why objective `refId` cannot be loaded, if it cannot. */
  loadError(refId: number): Error | undefined {
    return this.#loadErrors.get(refId)
  }

  /** Objective `refId` cannot be loaded: remembered, and every batch and prepare() using it fails. */
  setLoadError(refId: number, error: Error): void {
    this.#loadErrors.set(refId, error)
    for (const [key, waiter] of this.#waiters) {
      if (!key.endsWith(`:${refId}`)) continue
      this.#waiters.delete(key)
      waiter.reject(error)
    }
    this.#events.unloadable(refId, error)
  }

  /** Settles when slot `slotId`'s worker has loaded objective `refId`, or cannot. */
  #waitForLoad(slotId: number, refId: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiters.set(`${slotId}:${refId}`, { resolve, reject })
    })
  }

  /** Slot `slotId`'s worker loaded objective `refId`. */
  loaded(slotId: number, refId: number): void {
    // It loads: deaths while loading it before were not its fault (only deaths in a row count).
    this.#loadDeaths.delete(refId)
    const key = `${slotId}:${refId}`
    this.#waiters.get(key)?.resolve()
    this.#waiters.delete(key)
  }

  /**
   * The objectives `slot`'s worker was loading when it exited (`replaced`: a new worker took its
   * place): a load it overran fails, and deaths while loading may make a module unloadable.
   */
  workerLost(slot: WorkerSlot, exit: WorkerExit, replaced: boolean): void {
    // A chunk's timer may stop a worker that waits for a load too: that is the chunk's timeout.
    const overran = slot.killReason === 'timeout' ? slot.overran : undefined
    for (const [refId, { module }] of slot.loading) {
      if (refId === overran?.refId) {
        // Only the call that gave this time fails: another may give more, and a batch already
        // running has its module loaded elsewhere.
        const what = replaced ? 'the worker was stopped and replaced' : exit.reason
        const key = `${slot.id}:${refId}`
        this.#waiters.get(key)?.reject(loadTimeoutError(module, overran.timeoutMs, what))
        this.#waiters.delete(key)
      } else if (slot.killReason === undefined) {
        // A module that kills its worker while loading would otherwise cost a respawn per task;
        // one that kills a worker that cannot be replaced (an MPI rank) fails at once, named.
        const deaths = (this.#loadDeaths.get(refId) ?? 0) + 1
        this.#loadDeaths.set(refId, deaths)
        if (deaths < MAX_LOAD_DEATHS && replaced) continue
        const who = replaced ? 'workers' : slot.handle.label
        this.setLoadError(
          refId,
          new ObjectiveLoadError(module, `${who} died while loading it (${exit.reason})`),
        )
      }
    }
  }

  /** Slot `slotId`'s worker is gone: its waits end, and its replacement loads on demand. */
  releaseWaiters(slotId: number): void {
    for (const [key, waiter] of this.#waiters) {
      if (!key.startsWith(`${slotId}:`)) continue
      this.#waiters.delete(key)
      waiter.resolve()
    }
  }

  /** The pool closes: every wait fails with `error`, and objectives are no longer forgotten. */
  close(error: Error): void {
    this.#closed = true
    for (const waiter of this.#waiters.values()) waiter.reject(error)
    this.#waiters.clear()
  }

  /** The pool's workers are gone: a closed pool keeps nothing of what it ran (fault probe F9). */
  clear(): void {
    this.#refs.clear()
    this.#loadErrors.clear()
    this.#loadDeaths.clear()
  }

  /** Forgets objectives here, then has the pool forget them everywhere; a later use loads again. */
  #forget(refIds: readonly number[]): void {
    if (refIds.length === 0) return
    for (const refId of refIds) {
      this.#refs.delete(refId)
      this.#loadErrors.delete(refId)
      this.#loadDeaths.delete(refId)
    }
    this.#events.forgotten(refIds)
  }
}
