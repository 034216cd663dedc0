/* Badges on a diagram in bpmn-js' NavigatedViewer, shared by the QA page's heatmap (qa.js) and the
   live viewer of a version (live.js): the diagram in the user's language, one badge per element as
   a bpmn-js overlay (optionally with a marker class on the element), and a readable zoom on the
   element that matters most when the whole procedure only fits at an unreadable size. */
(function () {
  'use strict'
  const { localiseDiagram: localise } = window.Workspace

  /* A NavigatedViewer in ``container`` showing the diagram at ``url``, fitted to the viewport, with the
     zoom / fit / full-screen toolbar (diagram-controls.js) where the page loads it. */
  async function open (container, url, language) {
    const response = await fetch(url, { credentials: 'same-origin' })
    if (!response.ok) throw new Error(`diagram: HTTP ${response.status}`)
    const viewer = new window.BpmnJS({ container, ...window.DiagramLabels.options })
    await viewer.importXML(localise(await response.text(), language))
    window.Workspace.nameDiagram(container)
    viewer.get('canvas').zoom('fit-viewport')
    if (window.DiagramControls) window.DiagramControls.attach(viewer, container)
    return viewer
  }

  const markers = new WeakMap() // viewer -> overlay type -> [[element id, marker class]]

  /* Replace the overlays of ``type`` with one badge per item: {elementId, node, marker, position}. Items on
     elements the diagram does not have are skipped; returns the ones shown. */
  function showBadges (viewer, type, items, position) {
    const canvas = viewer.get('canvas')
    const registry = viewer.get('elementRegistry')
    const overlays = viewer.get('overlays')
    if (!markers.has(viewer)) markers.set(viewer, {})
    const marked = markers.get(viewer)
    for (const [elementId, marker] of marked[type] || []) canvas.removeMarker(elementId, marker)
    overlays.remove({ type })
    const shown = items.filter((item) => registry.get(item.elementId))
    marked[type] = shown.filter((item) => item.marker).map((item) => [item.elementId, item.marker])
    for (const item of shown) {
      if (item.marker) canvas.addMarker(item.elementId, item.marker)
      overlays.add(item.elementId, type, {
        position: item.position || position || { top: -16, left: -4 },
        scale: { min: 0.8 },
        html: item.node
      })
    }
    return shown
  }

  /* If the fitted diagram is smaller than ``minZoom``, zoom to ``zoom`` around the element, kept inside the diagram. */
  function focus (viewer, elementId, minZoom, zoom) {
    const canvas = viewer.get('canvas')
    const target = elementId && viewer.get('elementRegistry').get(elementId)
    if (!target || canvas.zoom() >= minZoom) return
    canvas.zoom(zoom, { x: target.x + target.width / 2, y: target.y + target.height / 2 })
    const { width, height, inner } = canvas.viewbox()
    const clamp = (centre, size, start, length) => Math.max(start - 20, Math.min(centre - size / 2, start + length + 20 - size))
    canvas.viewbox({
      x: clamp(target.x + target.width / 2, width, inner.x, inner.width),
      y: clamp(target.y + target.height / 2, height, inner.y, inner.height),
      width,
      height
    })
  }

  window.DiagramOverlays = { localise, open, showBadges, focus }
})()
