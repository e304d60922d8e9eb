// The start-up check of every session: each worker rank sends rank 0 the fingerprint of what it
// loaded; rank 0 compares them with its own and answers every rank with one verdict, so a
// mismatch fails on every rank with the same MpiMismatchError rather than as a hang or as
// garbage results.

import { deserializeError, serializeError } from '@parafit/core'
import { MpiMismatchError } from './errors.ts'
import type { Fingerprint } from './messages.ts'
import { type MpiRuntime, startupTimeoutMs } from './runtime.ts'

/** Checks that every rank loaded the same thing; on rank 0, resolves to each rank's host name. */
export async function handshake(runtime: MpiRuntime, session: number, mine: Fingerprint): Promise<string[]> {
  const { transport, rank, size } = runtime
  const hosts = [runtime.info.host]
  if (size === 1) return hosts
  const release = transport.hold()
  try {
    if (rank !== 0) {
      const verdict = new Promise<Error | undefined>((resolve) => {
        const timeoutMs = startupTimeoutMs()
        // Rank 0 may run other code and never start this session: bounded like rank 0's wait.
        const timer = setTimeout(() => {
          transport.close(session)
          runtime.markUnfinishable(`rank 0 never reached ${mine.kind}`)
          resolve(
            new MpiMismatchError(
              `rank 0 did not start ${mine.kind} (session ${session}) within ${timeoutMs / 1000} s, so this ` +
                `rank (${rank}) cannot serve it. Every rank must run the same script and make the same runMpi / ` +
                'mpiPool / mpiCombined calls in the same order (PARAFIT_MPI_STARTUP_TIMEOUT_MS sets the wait).',
            ),
          )
        }, timeoutMs)
        transport.open(session, (envelope) => {
          if (envelope.t !== 'verdict') return false
          clearTimeout(timer)
          // Close now: what rank 0 sends next belongs to the pool, not to the handshake.
          transport.close(session)
          resolve(envelope.error === undefined ? undefined : deserializeError(envelope.error))
          return true
        })
      })
      transport.send(0, { t: 'hello', session, fingerprint: mine, host: runtime.info.host })
      const error = await verdict
      if (error !== undefined) throw error
      return hosts
    }
    const error = await collect(runtime, session, mine, hosts)
    for (let peer = 1; peer < size; peer++) {
      transport.send(peer, {
        t: 'verdict',
        session,
        error: error === undefined ? undefined : serializeError(error),
      })
    }
    await transport.flush()
    if (error !== undefined) throw error
    return hosts
  } finally {
    transport.close(session)
    release()
  }
}

/** Rank 0: waits for every rank's fingerprint; the mismatch error, if any. */
function collect(
  runtime: MpiRuntime,
  session: number,
  mine: Fingerprint,
  hosts: string[],
): Promise<Error | undefined> {
  const { transport, size } = runtime
  return new Promise((resolve) => {
    const heard = new Map<number, { fingerprint: Fingerprint; host: string }>()
    let stopDied = () => {}
    const finish = (error: Error | undefined) => {
      clearTimeout(timer)
      stopDied()
      resolve(error)
    }
    const timeoutMs = startupTimeoutMs()
    const timer = setTimeout(() => {
      const missing = []
      for (let peer = 1; peer < size; peer++) if (!heard.has(peer)) missing.push(peer)
      runtime.markUnfinishable(`rank(s) ${missing.join(', ')} never reached ${mine.kind}`)
      finish(
        new MpiMismatchError(
          `rank(s) ${missing.join(', ')} did not start ${mine.kind} (session ${session}) within ` +
            `${timeoutMs / 1000} s. Every rank must run the same script and make the same runMpi / ` +
            'mpiPool / mpiCombined calls in the same order (PARAFIT_MPI_STARTUP_TIMEOUT_MS sets the wait).',
        ),
      )
    }, timeoutMs)
    stopDied = runtime.onDied((_peer, reason) => {
      runtime.markUnfinishable(reason)
      finish(new MpiMismatchError(`before ${mine.kind} could start, ${reason}`))
    })
    transport.open(session, (envelope, source) => {
      if (envelope.t !== 'hello') return false
      heard.set(source, { fingerprint: envelope.fingerprint, host: envelope.host })
      hosts[source] = envelope.host
      if (heard.size < size - 1) return true
      const differing = [...heard].filter(
        ([, h]) => h.fingerprint.hash !== mine.hash || h.fingerprint.kind !== mine.kind,
      )
      if (differing.length === 0) {
        finish(undefined)
        return true
      }
      const lines = differing.map(
        ([peer, h]) => `  rank ${peer} (${h.host}): ${h.fingerprint.kind}: ${h.fingerprint.summary}`,
      )
      finish(
        new MpiMismatchError(
          `the ranks of this MPI job did not load the same thing for ${mine.kind}:\n` +
            `  rank 0 (${runtime.info.host}): ${mine.kind}: ${mine.summary}\n${lines.join('\n')}\n` +
            'Every rank must run the same script with the same objective tree and the same files ' +
            '(on a cluster, check that every node sees the same checkout).',
        ),
      )
      return true
    })
  })
}
