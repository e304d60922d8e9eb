// @parafit/core/testing: fast-check arbitraries and objective-tree specs for property tests,
// ours and our users'. Needs fast-check installed.

import { extname } from 'node:path'

export {
  boundedParams,
  cloneableValue,
  evaluateContext,
  objectiveSpec,
  objectiveTree,
  paramKey,
  paramTree,
  type SpecOptions,
  specParams,
  type TreeOptions,
} from './arbitraries.ts'
export { dataDifference } from './same-data.ts'
export {
  buildObjective,
  type FailureSpec,
  type LeafFailure,
  type LeafSpec,
  leavesOf,
  type NodeFailure,
  type NodeSpec,
  type ObjectiveSpec,
  type SpecOnError,
  type SpecReduction,
  specLeaf,
} from './spec.ts'
export { assertUnknownOption, rejectedValidationError, validationErrorOf } from './validation-error.ts'

/** URL of the module that turns a LeafSpec (as `init`) into its objective, for worker tests. */
export const specLeafModule: URL = new URL(
  `./spec-leaf.objective${extname(import.meta.url)}`,
  import.meta.url,
)
