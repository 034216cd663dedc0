/* Labels that fit their shapes in every bpmn-js diagram of the workspace (case, live, QA, the
   workbench and its comparison): bpmn-js' textRenderer with a smaller font and line height, and each
   task's name drawn again after bpmn-js draws the task, in the largest font from 11 px down to 8 px
   at which its text box (measured off-screen) fits between the type icon (user, script, service) and
   the bottom or the loop / sub-process marker, lowered just below the icon. bpmn-js centres a name
   on the whole shape at 12 px: the seeds' bilingual names in the workbench ("首次联系客户，确定服务方式
   / First contact: …") ran over the icon in five lines, and long English ones in the viewers too.

   Use: new BpmnJS({ container, ...window.DiagramLabels.options }) (with additionalModules merged). */
(function () {
  'use strict'
  const LINE_HEIGHT = 1.15
  const SIZES = [11, 10, 9, 8]
  // A task's label stays below its type icon (user, script, service: it ends 24 px below the top),
  // above its loop or sub-process marker (4 px above the bottom and higher), inside its sides.
  const ICON_BOTTOM = 25
  // measured: a text box off-screen and in the canvas differ by less than a pixel
  const MARGIN = { bottom: 5, marker: 20, side: 3, measured: 1 }
  const SVG = 'http://www.w3.org/2000/svg'
  let helper = null

  /* The box of an SVG text laid out by bpmn-js, relative to its shape (measured off-screen). */
  function measure (text) {
    if (!helper) {
      helper = document.createElementNS(SVG, 'svg')
      helper.setAttribute('aria-hidden', 'true')
      helper.style.cssText = 'position: absolute; left: -10000px; top: 0; width: 10px; height: 10px'
      document.body.append(helper)
    }
    helper.append(text)
    const box = text.getBBox()
    text.remove()
    return box
  }

  /* Whether an activity draws a marker at its bottom (a loop, multi-instance, a collapsed
     sub-process's +, compensation): its label then stays above the marker. */
  function hasMarker (semantic) {
    return Boolean(semantic.loopCharacteristics || semantic.isForCompensation || semantic.$instanceOf('bpmn:SubProcess'))
  }

  function named (element) {
    const semantic = element.businessObject
    if (!semantic || !semantic.name || element.labelTarget) return null
    const task = semantic.$instanceOf('bpmn:Task') || semantic.$instanceOf('bpmn:CallActivity')
    return task || (semantic.$instanceOf('bpmn:SubProcess') && element.collapsed) ? semantic : null
  }

  /* The task's name drawn again (bpmn-js drew it at 12 px over the icon): the largest font whose
     text box fits between the icon and the bottom (or its marker), lowered just below the icon. */
  function fit (textRenderer, parentGfx, element, semantic) {
    const drawn = parentGfx.querySelector(':scope > text.djs-label')
    if (!drawn) return
    const top = ICON_BOTTOM + MARGIN.measured
    const bottom = hasMarker(semantic) ? MARGIN.marker : MARGIN.bottom
    const band = element.height - bottom - top
    const box = { width: element.width, height: element.height }
    let shown = null
    for (const fontSize of SIZES) {
      const style = { fill: drawn.style.fill || drawn.getAttribute('fill') || undefined, fontSize, lineHeight: LINE_HEIGHT }
      shown = textRenderer.createText(semantic.name, { box, align: 'center-middle', padding: { left: 6, right: 6 }, style })
      const laid = measure(shown)
      const inside = laid.x >= MARGIN.side + MARGIN.measured &&
        laid.x + laid.width <= box.width - MARGIN.side - MARGIN.measured
      if (laid.height <= band && inside) {
        // lowered below the icon, as little as needed, or raised above the marker
        const down = Math.max(0, top - laid.y) || Math.min(0, box.height - bottom - (laid.y + laid.height))
        for (const line of shown.querySelectorAll('tspan')) {
          line.setAttribute('y', String(Number(line.getAttribute('y')) + down))
        }
        break
      }
    }
    shown.classList.add('djs-label')
    drawn.replaceWith(shown)
  }

  function FittedTaskLabels (bpmnRenderer, textRenderer) {
    const draw = bpmnRenderer.drawShape.bind(bpmnRenderer)
    bpmnRenderer.drawShape = function (parentGfx, element, attrs) {
      const visual = draw(parentGfx, element, attrs)
      const semantic = named(element)
      if (semantic) fit(textRenderer, parentGfx, element, semantic)
      return visual
    }
  }
  FittedTaskLabels.$inject = ['bpmnRenderer', 'textRenderer']

  const module = { __init__: ['fittedTaskLabels'], fittedTaskLabels: ['type', FittedTaskLabels] }

  window.DiagramLabels = {
    module,
    options: {
      additionalModules: [module],
      textRenderer: {
        defaultStyle: { fontSize: 11, lineHeight: LINE_HEIGHT },
        externalStyle: { fontSize: 10, lineHeight: LINE_HEIGHT }
      }
    }
  }
})()
