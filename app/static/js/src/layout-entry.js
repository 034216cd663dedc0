/* The workbench's auto-layout of an imported diagram without layout (built by esbuild.config.mjs into
   app/static/build/layout.js, `make setup`): bpmn-auto-layout (MIT) draws the first process of a
   .bpmn file that has no BPMNDiagram (no DI), so the canvas can show it; pools and lanes are not
   drawn by it (the lanes stay in the process, so the roles still hold). */
import { layoutProcess } from 'bpmn-auto-layout'

const BPMNDI = 'http://www.omg.org/spec/BPMN/20100524/DI'

/* Whether a diagram has nothing to draw it with: no BPMNDiagram with a shape in it. */
function needsLayout (xml) {
  const doc = new DOMParser().parseFromString(xml, 'application/xml')
  if (doc.getElementsByTagName('parsererror').length) return false
  return doc.getElementsByTagNameNS(BPMNDI, 'BPMNShape').length === 0
}

window.WorkbenchLayout = { needsLayout, layout: layoutProcess }
