// The objective module behind a leaf spec, for tests that evaluate spec trees on workers:
// objectiveModule(specLeafModule, { init: leafSpec }).

import { defineObjective } from '../objective.ts'
import { type LeafSpec, specLeaf } from './spec.ts'

export default defineObjective((spec: LeafSpec) => specLeaf(spec))
