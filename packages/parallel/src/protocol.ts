// Messages between a pool and its workers (threads and child processes alike). Objectives are
// defined once per worker (`define` carries the ObjectiveRef and its init); tasks then carry
// only parameters and context input state.

import type {
  ContextInputState,
  ContextResultState,
  ObjectiveRef,
  ParamTree,
  SerializedError,
} from '@parafit/core'

export interface TaskMessage {
  readonly refId: number
  readonly params: ParamTree
  readonly input: ContextInputState
}

export type ToWorker =
  | { readonly type: 'define'; readonly refId: number; readonly ref: ObjectiveRef }
  | { readonly type: 'run'; readonly chunkId: number; readonly tasks: readonly TaskMessage[] }

/** One task's outcome as it crosses back; `state` is the context's result state. */
export type TaskResult =
  | { readonly ok: true; readonly value: number; readonly state: ContextResultState }
  | { readonly ok: false; readonly error: SerializedError; readonly state: ContextResultState | undefined }

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'defined'; readonly refId: number; readonly error?: SerializedError }
  | {
      readonly type: 'done'
      readonly chunkId: number
      readonly results: readonly TaskResult[]
      readonly seconds: number
    }
