import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'parallel',
    include: ['test/**/*.test.ts'],
  },
})
