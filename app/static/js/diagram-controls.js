/* Zoom in, zoom out, fit and full screen for a bpmn-js viewer (the case, live and QA diagrams): a
   small toolbar of real buttons over the diagram's top right corner, reachable with Tab, labelled in
   the user's language (templates/_diagram_controls.html). The diagram also takes + / - / 0 while it
   has the focus. Zooming uses diagram-js' canvas.zoom around the viewport's centre. */
(function () {
  'use strict'
  const STEP = 1.25
  const MIN_ZOOM = 0.2
  const MAX_ZOOM = 4

  function labels () {
    const node = document.getElementById('diagram-controls-i18n')
    return node ? JSON.parse(node.textContent) : {}
  }

  // 24×24 stroked icons (fonts lack a full-screen glyph): +, −, arrows onto a frame, corners.
  const ICONS = {
    'zoom-in': 'M12 5v14M5 12h14',
    'zoom-out': 'M5 12h14',
    fit: 'M4 4l5 5M20 4l-5 5M4 20l5-5M20 20l-5-5M9 9h6v6H9z',
    fullscreen: 'M3 9V3h6M15 3h6v6M21 15v6h-6M9 21H3v-6',
    exit: 'M9 3v6H3M21 9h-6V3M15 21v-6h6M3 15h6v6'
  }
  const SVG = 'http://www.w3.org/2000/svg'

  function icon (name) {
    const svg = document.createElementNS(SVG, 'svg')
    svg.setAttribute('viewBox', '0 0 24 24')
    svg.setAttribute('aria-hidden', 'true')
    svg.setAttribute('focusable', 'false')
    const path = document.createElementNS(SVG, 'path')
    path.setAttribute('d', ICONS[name])
    svg.append(path)
    return svg
  }

  function button (action, text) {
    const node = document.createElement('button')
    node.type = 'button'
    node.className = 'diagram-control'
    node.dataset.action = action
    node.title = text
    node.setAttribute('aria-label', text)
    node.append(icon(action))
    return node
  }

  /* Put the toolbar on ``container`` (the viewer's container) and wire it to ``viewer``'s canvas. */
  function attach (viewer, container) {
    const text = labels()
    const canvas = viewer.get('canvas')
    const toolbar = document.createElement('div')
    toolbar.className = 'diagram-toolbar'
    toolbar.setAttribute('role', 'toolbar')
    toolbar.setAttribute('aria-label', text.toolbar || 'Diagram')
    const full = button('fullscreen', text.fullscreen)
    full.setAttribute('aria-pressed', 'false')
    toolbar.append(button('zoom-in', text.zoomIn), button('zoom-out', text.zoomOut), button('fit', text.fit), full)
    container.append(toolbar)

    const zoomBy = (factor) => {
      const next = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, canvas.zoom() * factor))
      canvas.zoom(next, 'auto')
    }
    const actions = {
      'zoom-in': () => zoomBy(STEP),
      'zoom-out': () => zoomBy(1 / STEP),
      fit: () => canvas.zoom('fit-viewport', 'auto'),
      fullscreen: () => (document.fullscreenElement === container
        ? document.exitFullscreen()
        : container.requestFullscreen())
    }
    toolbar.addEventListener('click', (event) => {
      const target = event.target.closest('button[data-action]')
      if (target) actions[target.dataset.action]()
    })
    document.addEventListener('fullscreenchange', () => {
      const on = document.fullscreenElement === container
      container.classList.toggle('diagram-fullscreen', on)
      const label = on ? text.exitFullscreen : text.fullscreen
      full.title = label
      full.setAttribute('aria-label', label)
      full.setAttribute('aria-pressed', String(on))
      full.replaceChildren(icon(on ? 'exit' : 'fullscreen'))
      canvas.resized()
      canvas.zoom('fit-viewport', 'auto')
    })
    // The diagram itself takes the keys while focused (it is a named, focusable region).
    if (!container.hasAttribute('tabindex')) container.tabIndex = 0
    if (!container.hasAttribute('role')) container.setAttribute('role', 'region')
    if (!container.hasAttribute('aria-label') && text.diagram) container.setAttribute('aria-label', text.diagram)
    container.addEventListener('keydown', (event) => {
      if (event.target !== container || event.ctrlKey || event.metaKey || event.altKey) return
      const key = { '+': 'zoom-in', '=': 'zoom-in', '-': 'zoom-out', 0: 'fit' }[event.key]
      if (!key) return
      event.preventDefault()
      actions[key]()
    })
    container.dataset.controls = 'ready'
    return toolbar
  }

  window.DiagramControls = { attach }
})()
