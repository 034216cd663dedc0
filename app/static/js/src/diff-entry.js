/* The workbench's version comparison (built by esbuild.config.mjs into app/static/build/diff.js,
   `make setup`): bpmn-js-differ's semantic diff of two diagrams' moddle definitions (added, removed,
   changed elements with their changed attributes — a rerouted flow's sourceRef/targetRef — and
   elements whose layout changed). workbench-compare.js calls it on the two viewers' definitions. */
import { diff } from 'bpmn-js-differ'

window.WorkbenchDiff = { diff }
