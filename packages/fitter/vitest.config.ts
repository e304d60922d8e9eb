import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'fitter',
    include: ['test/**/*.test.ts'],
  },
})
