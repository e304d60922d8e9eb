#!/usr/bin/env node
// The `parafit` command's launcher. Plain JavaScript that any Node can parse, so that an older
// Node gets a message saying what to do instead of a syntax or module error from the real
// command, which needs Node 22.19 (effect 4, type stripping for model files written in .ts).
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    `parafit: needs Node.js 22.19 or newer; this is Node ${process.versions.node} (${process.execPath}).\n` +
      'Install Node 22 (nodejs.org, your package manager, nvm install 22), or run this once with\n' +
      'the Node 22 package from the npm registry:  npx -y -p node@22 -- parafit ...\n' +
      'Inside the parafit repository, npm run parafit -- ... brings its own Node 22.\n',
  )
  process.exit(1)
}
// The package imports itself by name: its `exports` map the CLI to the built JavaScript when
// installed, and to the TypeScript sources inside the parafit repository.
await import('@parafit/cli')
