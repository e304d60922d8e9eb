import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'mpi',
    include: ['test/**/*.test.ts'],
  },
})
