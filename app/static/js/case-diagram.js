/* The case's diagram in bpmn-js' NavigatedViewer: names in the user's language, ready tasks,
   waiting timers and completed elements marked with canvas.addMarker; zoom, fit and full screen from
   diagram-controls.js. */
(function () {
  'use strict'
  const { localiseDiagram: localise } = window.Workspace
  const container = document.getElementById('diagram')
  if (!container) return
  const MIN_READABLE_ZOOM = 0.7
  const READABLE_ZOOM = 0.9

  async function show () {
    const response = await fetch(container.dataset.xmlUrl, { credentials: 'same-origin' })
    if (!response.ok) throw new Error(`diagram: HTTP ${response.status}`)
    const xml = localise(await response.text(), container.dataset.language)
    const viewer = new window.BpmnJS({ container, ...window.DiagramLabels.options })
    await viewer.importXML(xml)
    window.Workspace.nameDiagram(container)
    const canvas = viewer.get('canvas')
    const registry = viewer.get('elementRegistry')
    canvas.zoom('fit-viewport')
    window.DiagramControls.attach(viewer, container)
    const ready = JSON.parse(container.dataset.ready || '[]').map((id) => registry.get(id)).filter(Boolean)
    if (ready.length && canvas.zoom() < MIN_READABLE_ZOOM) {
      canvas.zoom(READABLE_ZOOM)
      canvas.scrollToElement(ready[0])
    }
    const markers = [['done', 'marker-done'], ['waiting', 'marker-waiting'], ['ready', 'marker-ready']]
    for (const [key, marker] of markers) {
      for (const id of JSON.parse(container.dataset[key] || '[]')) {
        if (registry.get(id)) canvas.addMarker(id, marker)
      }
    }
    container.classList.add('diagram-ready')
  }

  show().catch((error) => {
    console.error(error)
    document.getElementById('diagram-error').hidden = false
  })
})()
