import { AbortError } from '@parafit/core'

export function abortError(signal: AbortSignal): AbortError {
  const reason = signal.reason
  if (reason instanceof AbortError) return reason
  const detail = reason instanceof Error ? `: ${reason.message}` : ''
  return new AbortError(`the evaluation was aborted${detail}`, { cause: reason })
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal)
}
