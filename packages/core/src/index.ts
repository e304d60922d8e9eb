// @parafit/core: contexts, objectives, combined objectives, parameter trees and typed errors.

export { removeStaleTemporaries, replaceFile, temporaryPathFor, writeFileAtomic } from './atomic-file.ts'
export {
  finiteNumber,
  givenValue,
  integer,
  type NumberBounds,
  type NumberRule,
  nonEmptyText,
  numberIn,
  oneOf,
  positiveMs,
  trueOrFalse,
  wholeNumber,
} from './checks.ts'
export {
  CombinedObjective,
  type CombineOptions,
  combine,
  isCombined,
  type Term,
  type TermInput,
  type TermOutcome,
} from './combined.ts'
export {
  type ChildConfigurator,
  type ContextInputState,
  type ContextResultState,
  EvaluateContext,
  type MetaData,
} from './context.ts'
export {
  AbortError,
  ContextTransportError,
  type CoreErrorCode,
  EvaluationTimeoutError,
  HookError,
  isObjectiveValueError,
  MpiUnavailableError,
  ObjectiveError,
  ObjectiveLoadError,
  ObjectiveValueError,
  ParafitError,
  PoolClosedError,
  RemoteError,
  ValidationError,
  WorkerCrashedError,
  WorkersDisagreeError,
} from './errors/classes.ts'
export {
  deserializeError,
  type ErrorParts,
  type ErrorReviver,
  isSerializedError,
  type ParafitErrorClass,
  registerErrorClass,
  type SerializedError,
  serializeError,
} from './errors/serialize.ts'
export { hooks } from './hooks.ts'
export type { Hook } from './lifecycle.ts'
export {
  displayName as moduleDisplayName,
  importObjectiveModule,
  loadObjective,
  loadObjectiveCached,
} from './loader.ts'
export { type ExportRule, resolveExport } from './module-exports.ts'
export { detectMpi, type MpiLaunch } from './mpi-launch.ts'
export {
  defineObjective,
  isObjective,
  isObjectiveDefinition,
  type Objective,
  type ObjectiveDefinition,
  type ObjectiveFn,
  type ObjectiveValue,
  objective,
  objectiveSourceText,
} from './objective.ts'
export {
  checkOptionKeys,
  closestName,
  messageWithoutKeyPath,
  optionKeys,
  underKeyPath,
} from './option-keys.ts'
export {
  type Bound,
  type BoundsTree,
  flattenParams,
  joinFlatKey,
  ParamSpace,
  type ParamTree,
  splitFlatKey,
  unflattenParams,
  validateParams,
} from './params.ts'
export { Random } from './random.ts'
export type { OnError, Reduction } from './reduction.ts'
export { isObjectiveRef, type ObjectiveRef, objectiveModule } from './ref.ts'
export { formatFrame, type SourceLocation, type StackFrame, userFrames } from './source-location.ts'
export {
  assertCloneable,
  assertNoClassInstance,
  classInstanceError,
  cloneState,
  findClassInstance,
  findUncloneable,
} from './transport.ts'
