/* The workbench's lint (built by esbuild.config.mjs into app/static/build/lint.js, `make setup`):
   bpmn-js-bpmnlint's module for the prebuilt bpmn-js Modeler, and the project's rules from
   .bpmnlintrc at the repository root, compiled with their code into this bundle. workbench.js
   adds them to the modeler when this script is on the page. */
import lintModule from 'bpmn-js-bpmnlint'
import lintConfig from '../../../../.bpmnlintrc'

window.WorkbenchLint = { module: lintModule, config: lintConfig }
