// The building blocks other parafit packages make objectives and pools from: the lifecycle a
// leaf objective follows (the sampler's log-probability and likelihood objectives run it), and
// evaluating without an extra await (the pools). Not a stable API for applications.

export { asObjectiveError, beginEvaluation, endEvaluation } from './lifecycle.ts'
export { evaluateWithoutWaiting, hookList } from './objective.ts'
// What a value is, for messages: 'undefined', 'an array', 'a string' (never "a undefined").
export { describeValue } from './params.ts'
