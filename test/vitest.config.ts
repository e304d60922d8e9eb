import { defineProject } from 'vitest/config'
import { sourceResolve } from '../vitest.shared.ts'

export default defineProject({
  ...sourceResolve,
  test: {
    name: 'cross-package',
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
  },
})
