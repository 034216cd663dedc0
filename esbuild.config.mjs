// The front end's one build step (`npm run build`, run by `make setup`): esbuild bundles the workbench's
// lint (app/static/js/src/lint-entry.js) into app/static/build/lint.js and its version comparison
// (bpmn-js-differ, app/static/js/src/diff-entry.js) into app/static/build/diff.js, and the auto-layout of
// imported diagrams without layout (bpmn-auto-layout, src/layout-entry.js) into app/static/build/layout.js. Everything else on the pages is
// served from node_modules' prebuilt dist files (app/handlers/vendor.py).
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'

import { build } from 'esbuild'

const require = createRequire(import.meta.url)
// bpmnlint's own config packing (what its rollup/webpack plugins use): the rules enabled in a
// .bpmnlintrc become imports, so the bundle carries exactly those rules and the config.
const compileConfig = require('bpmnlint/lib/support/compile-config')

const bpmnlintConfig = {
  name: 'bpmnlint-config',
  setup (builder) {
    builder.onResolve({ filter: /\.bpmnlintrc$/ }, (args) => ({
      path: path.resolve(args.resolveDir, args.path),
      namespace: 'bpmnlint-config'
    }))
    builder.onLoad({ filter: /.*/, namespace: 'bpmnlint-config' }, async (args) => ({
      contents: await compileConfig(JSON.parse(await readFile(args.path, 'utf8'))),
      resolveDir: path.dirname(args.path),
      loader: 'js',
      watchFiles: [args.path]
    }))
  }
}

const bundles = [
  ['app/static/js/src/lint-entry.js', 'app/static/build/lint.js'],
  ['app/static/js/src/diff-entry.js', 'app/static/build/diff.js'],
  ['app/static/js/src/layout-entry.js', 'app/static/build/layout.js']
]

for (const [entry, outfile] of bundles) await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: 'iife',
  minify: true,
  sourcemap: 'linked',
  target: ['es2020'],
  legalComments: 'linked',
  plugins: [bpmnlintConfig],
  logLevel: 'info'
})
