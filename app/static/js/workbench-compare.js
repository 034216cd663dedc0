/* Two versions of a process compared on their diagrams (templates/workbench_compare.html): each in a
   NavigatedViewer, bpmn-js-differ (static/build/diff.js) over the two definitions; removed elements
   are marked on the older diagram, added ones on the newer, changed ones (names, conditions, a
   rerouted flow's source or target, extensions) and moved or rerouted ones on both, and every change
   is listed with its attributes' old and new values. */
(function () {
  'use strict'
  const { pickLanguage } = window.Workspace
  const configNode = document.getElementById('workbench-compare-config')
  if (!configNode) return
  const config = JSON.parse(configNode.textContent)
  const S = config.strings
  const $ = (id) => document.getElementById(id)

  async function viewer (container, url, moddle) {
    const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    if (!response.ok) throw new Error(`source: HTTP ${response.status}`)
    const source = await response.json()
    const shown = new window.BpmnJS({ container, moddleExtensions: { spiffworkflow: moddle }, ...window.DiagramLabels.options })
    await shown.importXML(source.xml)
    shown.get('canvas').zoom('fit-viewport')
    return shown
  }

  function text (value) {
    if (value === undefined || value === null) return '—'
    if (typeof value === 'string') return value.replace(/^#ref:/, '') // a reference, by the id it names
    if (typeof value !== 'object') return String(value)
    if (value.id) return value.id
    if (value.body !== undefined) return value.body
    return value.$type || JSON.stringify(value)
  }

  function mark (shown, id, marker) {
    const element = shown.get('elementRegistry').get(id)
    if (element) shown.get('canvas').addMarker(element, marker)
  }

  function row (kind, id, model, detail) {
    const tr = document.createElement('tr')
    tr.className = `wb-change-${kind}`
    tr.dataset.elementId = id
    const name = model && model.name ? ` ${pickLanguage(model.name, config.language)}` : ''
    for (const value of [S[kind], `${id}${name}`, (model && model.$type) || '', detail]) {
      const td = document.createElement('td')
      td.textContent = value
      tr.append(td)
    }
    return tr
  }

  async function show () {
    const response = await fetch(config.moddleUrl, { credentials: 'same-origin' })
    const moddle = await response.json()
    const before = await viewer($('wb-compare-before'), config.before, moddle)
    const after = await viewer($('wb-compare-after'), config.after, moddle)
    const changes = window.WorkbenchDiff.diff(before.getDefinitions(), after.getDefinitions())
    const body = $('wb-changes').querySelector('tbody')
    const rows = []
    for (const [id, model] of Object.entries(changes._removed)) {
      mark(before, id, 'wb-removed')
      rows.push(row('removed', id, model, ''))
    }
    for (const [id, model] of Object.entries(changes._added)) {
      mark(after, id, 'wb-added')
      rows.push(row('added', id, model, ''))
    }
    for (const [id, change] of Object.entries(changes._changed)) {
      mark(before, id, 'wb-changed')
      mark(after, id, 'wb-changed')
      // bpmn-js-differ 3.2.0 hands jsondiffpatch's [old, new] to ChangeHandler.changed(model, key,
      // newValue, oldValue), so its attrs' names are swapped: "newValue" holds the older version's value.
      const detail = Object.entries(change.attrs).map(([attr, values]) => `${attr}: ${text(values.newValue)} → ${text(values.oldValue)}`)
      rows.push(row('changed', id, change.model, detail.join('; ')))
    }
    for (const [id, model] of Object.entries(changes._layoutChanged)) {
      if (changes._changed[id]) continue
      mark(before, id, 'wb-layout')
      mark(after, id, 'wb-layout')
      rows.push(row('layout', id, model, ''))
    }
    body.replaceChildren(...rows)
    $('wb-compare-count').textContent = `(${rows.length})`
    $('wb-compare-none').hidden = rows.length > 0
    window.WorkbenchCompare = { before, after, changes }
    $('wb-compare').dataset.ready = 'true'
  }

  show().catch((error) => {
    console.error(error)
    $('wb-load-error').hidden = false
  })
})()
