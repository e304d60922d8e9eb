// How a nested run ended, as data (`kind`, what a caller branches on) and in words (`reason`,
// what a user reads). The kinds that mean what the Fitter's mean have its names ('converged',
// 'budget', 'aborted', 'failed'); 'timeout' is the run's own time limit. The words depend only
// on the run, never on the clock or the pool, so a seed gives the same summary everywhere.

import type { Targets } from './nested-state.ts'

/**
 * 'converged': the targets are met; 'budget': nLikeMax (calls over all runs) left no room for
 * another batch; 'timeout': this call's timeoutMs; 'aborted': the signal; 'failed' only in the
 * summary a NestedCheckpointError carries (writing the checkpoint failed, and the run stopped).
 */
export type NestedStopKind = 'converged' | 'budget' | 'timeout' | 'aborted' | 'failed'

export interface NestedStop {
  readonly kind: NestedStopKind
  readonly reason: string
}

export function converged(targets: Targets, nEff: number): NestedStop {
  const shells = targets.nShell > 1 ? `, every shell has ${targets.nShell} points` : ''
  return {
    kind: 'converged',
    reason:
      `converged: N_eff ${Math.floor(nEff)} (target ${targets.nEff})${shells}; exploration ended with ` +
      `≤ ${targets.fLive} of the evidence in the live points`,
  }
}

export function budgetUsed(nLikeMax: number): NestedStop {
  return {
    kind: 'budget',
    reason: `stopped: the budget of ${nLikeMax} likelihood calls (nLikeMax, over all runs) is used up`,
  }
}

export function timedOut(timeoutMs: number): NestedStop {
  return {
    kind: 'timeout',
    reason: `stopped: this run's time limit of ${timeoutMs} ms (timeoutMs) is reached`,
  }
}

export const aborted: NestedStop = { kind: 'aborted', reason: 'aborted by the signal' }

export function checkpointFailed(error: Error): NestedStop {
  return { kind: 'failed', reason: `failed: ${error.message}` }
}
