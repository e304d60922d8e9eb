// npm run example -- <name> [args...]: runs examples/<name>/main.ts with the args, exit code passed
// on. Without a name it lists the examples (each examples/*/main.ts, with its first comment line).

import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const examples = new URL('../examples/', import.meta.url)
const main = (name: string) => fileURLToPath(new URL(`${name}/main.ts`, examples))
const names = readdirSync(examples, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(main(entry.name)))
  .map((entry) => entry.name)
  .sort()

const [name, ...args] = process.argv.slice(2)
if (name !== undefined && names.includes(name)) {
  const run = spawnSync(process.execPath, [main(name), ...args], { stdio: 'inherit' })
  process.exit(run.status ?? 1)
}

if (name !== undefined) console.error(`unknown example '${name}'\n`)
console.log('usage: npm run example -- <name> [args...]\n\nexamples:')
for (const example of names) {
  const comment = readFileSync(main(example), 'utf8')
    .split('\n')
    .find((line) => line.startsWith('//'))
  console.log(`  ${example.padEnd(16)} ${comment?.replace(/^\/\/\s*/, '') ?? ''}`)
}
process.exit(name === undefined ? 0 : 1)
