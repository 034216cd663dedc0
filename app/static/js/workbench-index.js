/* The workbench's list of procedures (templates/workbench_index.html): New procedure (a key, the
   names in both languages, a blank pool with the lanes ticked or a copy of a deployed procedure) and
   Import of a .bpmn file or of a version's .zip (diagram and forms); both create the user's draft through /api/v1/workbench and open it.
   A .bpmn file without layout (no BPMNDiagram) is laid out first by bpmn-auto-layout (static/build/layout.js), and the page says so. */
(function () {
  'use strict'
  const { api } = window.Workspace
  const configNode = document.getElementById('workbench-index-config')
  if (!configNode) return
  const config = JSON.parse(configNode.textContent)
  const S = config.strings
  const $ = (id) => document.getElementById(id)

  function editorUrl (key) {
    return config.editorUrl.replace('KEY', encodeURIComponent(key))
  }

  function toggle (id) {
    for (const other of ['wb-new', 'wb-import']) $(other).hidden = other !== id || !$(other).hidden
    const first = $(id).querySelector('input')
    if (!$(id).hidden && first) first.focus()
  }

  function message (response) {
    const data = response.data || {}
    const fields = data.fields || data.errors
    const details = fields && !Array.isArray(fields)
      ? Object.entries(fields).map(([name, list]) => `${name}: ${[].concat(list).join(', ')}`).join('; ')
      : ''
    return [data.message || `${S.failed} (HTTP ${response.status})`, details].filter(Boolean).join(' — ')
  }

  function startFrom () {
    return document.querySelector('input[name="start"]:checked').value
  }

  function syncStart () {
    const copy = startFrom() === 'copy'
    $('wb-new-copy').disabled = !copy
    for (const box of $('wb-new-lanes').querySelectorAll('input')) box.disabled = copy
  }

  async function create (event) {
    event.preventDefault()
    const error = $('wb-new-error')
    error.hidden = true
    const body = {
      key: $('wb-new-key').value.trim(),
      name_zh: $('wb-new-name-zh').value.trim(),
      name_en: $('wb-new-name-en').value.trim()
    }
    if (startFrom() === 'copy') {
      body.copy_of = $('wb-new-copy').value
    } else {
      body.lanes = [...$('wb-new-lanes').querySelectorAll('input:checked')].map((box) => box.value)
      if (!body.lanes.length) {
        error.textContent = S.noLanes
        error.hidden = false
        return
      }
    }
    $('wb-new-create').disabled = true
    const response = await api('POST', '/workbench/procedures', body)
    $('wb-new-create').disabled = false
    if (response.ok) return window.location.assign(editorUrl(response.data.process_key))
    error.textContent = message(response)
    error.hidden = false
  }

  /* A file as the multipart field "file" (api() sends JSON); the answer as api() gives it. */
  async function upload (path, file) {
    const meta = document.querySelector('meta[name="csrf-token"]')
    const body = new FormData()
    body.append('file', file)
    const response = await fetch('/api/v1' + path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'X-CSRF-Token': meta ? meta.content : '' },
      body
    })
    let data = null
    try { data = await response.json() } catch (error) { data = null }
    return { ok: response.ok, status: response.status, data }
  }

  function problemItem (problem, warning) {
    return window.Workspace.problemItem(problem, warning ? S.warning : null)
  }

  async function importFile (event) {
    event.preventDefault()
    const file = $('wb-import-file').files[0]
    if (!file) return
    const list = $('wb-import-problems')
    list.replaceChildren()
    $('wb-import-open-draft').hidden = true
    $('wb-import-send').disabled = true
    let laidOut = false
    let response
    if (file.name.toLowerCase().endsWith('.zip')) {
      response = await upload('/workbench/import-archive', file)
    } else {
      let xml = await file.text()
      const layout = window.WorkbenchLayout // static/build/layout.js (bpmn-auto-layout)
      if (layout && layout.needsLayout(xml)) {
        try {
          xml = await layout.layout(xml)
          laidOut = true
        } catch (error) {
          console.warn('auto-layout failed; the file is imported as it is', error)
        }
      }
      response = await api('POST', '/workbench/import', { filename: file.name, xml })
    }
    $('wb-import-send').disabled = false
    if (response.ok) {
      const { process_key: key, warnings } = response.data
      const done = document.createElement('li')
      done.className = 'wb-ok'
      done.textContent = S.imported.replace('{key}', key)
      list.append(done)
      if (laidOut) {
        const note = document.createElement('li')
        note.className = 'wb-ok'
        note.id = 'wb-import-laid-out'
        note.textContent = S.laidOut
        list.append(note)
      }
      list.append(...warnings.map((w) => problemItem(w, true)))
      $('wb-import-link').href = editorUrl(key)
      $('wb-import-open-draft').hidden = false
      return
    }
    const refused = document.createElement('li')
    refused.textContent = response.status === 422 && Array.isArray(response.data && response.data.errors)
      ? S.refused
      : message(response)
    list.append(refused)
    if (response.status === 422 && Array.isArray(response.data.errors)) {
      list.append(...response.data.errors.map((p) => problemItem(p, p.severity === 'warning')))
    }
  }

  $('wb-new-open').addEventListener('click', () => toggle('wb-new'))
  $('wb-import-open').addEventListener('click', () => toggle('wb-import'))
  for (const radio of document.querySelectorAll('input[name="start"]')) radio.addEventListener('change', syncStart)
  $('wb-new-form').addEventListener('submit', create)
  $('wb-import-form').addEventListener('submit', importFile)
  syncStart()
  document.body.dataset.ready = 'true'
})()
