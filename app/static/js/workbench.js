/* The process workbench (templates/workbench.html): bpmn-js' Modeler (read-only: the NavigatedViewer)
   with a version's or the user's draft's diagram; the side panel edits the JSON Schema of the selected
   user task's form, keyed by its formJsonSchemaFilename property; Save draft, Validate and Deploy go
   through /api/v1/workbench. An unchanged diagram is sent as it was loaded, so deploying it again
   creates no new version. */
(function () {
  'use strict'
  const { api, flash, pickLanguage } = window.Workspace
  const configNode = document.getElementById('workbench-config')
  if (!configNode) return
  const config = JSON.parse(configNode.textContent)
  const S = config.strings
  const SPIFF = 'http://spiffworkflow.org/bpmn/schema/1.0/core'
  const FORM_PROPERTY = 'formJsonSchemaFilename'
  const READABLE_ZOOM = 0.75
  const PALETTE_WIDTH = 120 // px, the modeler's tool palette at the left
  const MARGIN = 20
  const $ = (id) => document.getElementById(id)

  const state = {
    modeler: null,
    originalXml: '',
    diagramChanged: false,
    unsaved: false,
    forms: {}, // form path -> the JSON text shown in the editor
    baseVersion: config.baseVersion,
    selected: null,
    marked: []
  }

  function format (template, values) {
    return template.replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match))
  }

  function setStatus (text, kind) {
    const node = $('wb-status')
    if (!node) return
    node.textContent = text
    node.className = kind || 'muted'
  }

  function changed () {
    state.unsaved = true
    setStatus(S.unsaved, 'dirty')
  }

  function localName (type) {
    return (type || '').split(':').pop()
  }

  /* undefined: not a user task; null: a user task without a form property; else the form's path. */
  function formPathOf (element) {
    const bo = element && element.businessObject
    if (!bo || bo.$type !== 'bpmn:UserTask') return undefined
    const values = (bo.extensionElements && bo.extensionElements.values) || []
    for (const group of values) {
      if (localName(group.$type) !== 'properties') continue
      for (const property of group.$children || []) {
        if (localName(property.$type) === 'property' && property.name === FORM_PROPERTY) return property.value || null
      }
    }
    return null
  }

  function addFormProperty (element, path) {
    const moddle = state.modeler.get('moddle')
    const bo = element.businessObject
    const extensions = bo.extensionElements || moddle.create('bpmn:ExtensionElements', { values: [] })
    const values = extensions.get('values')
    let group = values.find((value) => localName(value.$type) === 'properties')
    if (!group) {
      group = moddle.createAny('spiffworkflow:properties', SPIFF, { $children: [] })
      values.push(group)
    }
    group.$children = group.$children || []
    group.$children.push(moddle.createAny('spiffworkflow:property', SPIFF, { name: FORM_PROPERTY, value: path }))
    state.modeler.get('modeling').updateProperties(element, { extensionElements: extensions })
  }

  function hasForm (path) {
    return Boolean(path) && Object.prototype.hasOwnProperty.call(state.forms, path)
  }

  function showForm (element) {
    state.selected = element
    const path = formPathOf(element)
    $('wb-form-hint').hidden = path !== undefined
    $('wb-form-editor').hidden = path === undefined
    if (path === undefined) return
    const known = hasForm(path)
    $('wb-form-task').textContent = pickLanguage(element.businessObject.name || '', config.language)
    $('wb-form-task-id').textContent = element.id
    $('wb-form-path').textContent = path || ''
    const missing = $('wb-form-missing')
    missing.hidden = known
    missing.textContent = path ? format(S.formMissing, { path }) : S.noForm
    const create = $('wb-form-create')
    if (create) create.hidden = known
    const text = $('wb-form-text')
    text.hidden = !known
    text.value = known ? state.forms[path] : ''
    checkJson()
  }

  function checkJson () {
    const text = $('wb-form-text')
    const out = $('wb-form-check')
    if (text.hidden) {
      out.textContent = ''
      return
    }
    try {
      JSON.parse(text.value)
      text.classList.remove('invalid')
      out.textContent = S.jsonOk
      out.className = 'ok'
    } catch (error) {
      text.classList.add('invalid')
      out.textContent = format(S.jsonError, { error: error.message })
      out.className = 'bad'
    }
  }

  function createForm () {
    const element = state.selected
    let path = formPathOf(element)
    if (!path) {
      path = `forms/${config.key}/${element.id}.json`
      addFormProperty(element, path)
    }
    if (!hasForm(path)) {
      const title = element.businessObject.name || element.id
      const starter = {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        title,
        type: 'object',
        properties: {},
        required: []
      }
      state.forms[path] = JSON.stringify(starter, null, 2)
    }
    changed()
    showForm(element)
    $('wb-form-text').focus()
  }

  async function currentXml () {
    if (!state.diagramChanged) return state.originalXml
    const { xml } = await state.modeler.saveXML({ format: true })
    return xml
  }

  /* Each form as JSON, or as the text typed when it does not parse (the server names the task). */
  function formsPayload () {
    const forms = {}
    for (const [path, text] of Object.entries(state.forms)) {
      try {
        forms[path] = JSON.parse(text)
      } catch (error) {
        forms[path] = text
      }
    }
    return forms
  }

  async function payload () {
    return { filename: config.filename, xml: await currentXml(), forms: formsPayload() }
  }

  function selectElement (id) {
    const element = state.modeler.get('elementRegistry').get(id)
    if (!element) return
    state.modeler.get('selection').select(element)
    state.modeler.get('canvas').scrollToElement(element)
  }

  function clearProblemMarkers () {
    const canvas = state.modeler.get('canvas')
    for (const id of state.marked) canvas.removeMarker(id, 'wb-problem')
    state.marked = []
  }

  function showProblems (problems) {
    const registry = state.modeler.get('elementRegistry')
    const canvas = state.modeler.get('canvas')
    const list = $('wb-problems')
    clearProblemMarkers()
    list.replaceChildren()
    $('wb-problems-panel').hidden = false
    $('wb-problems-none').hidden = problems.length > 0
    for (const problem of problems) {
      const item = document.createElement('li')
      if (problem.element_id) {
        const code = document.createElement('code')
        code.textContent = problem.element_id
        item.append(code, ' ')
      }
      item.append(problem.reason || problem.message || '')
      if (problem.line) item.title = `${problem.file}:${problem.line}`
      if (problem.element_id && registry.get(problem.element_id)) {
        item.classList.add('selectable')
        item.tabIndex = 0
        item.dataset.elementId = problem.element_id
        item.addEventListener('click', () => selectElement(problem.element_id))
        item.addEventListener('keydown', (event) => {
          if (event.key === 'Enter') selectElement(problem.element_id)
        })
        if (!state.marked.includes(problem.element_id)) {
          canvas.addMarker(problem.element_id, 'wb-problem')
          state.marked.push(problem.element_id)
        }
      }
      list.append(item)
    }
  }

  function failed (response) {
    const message = response.data && response.data.message ? response.data.message : `HTTP ${response.status}`
    flash(`${S.failed}: ${message}`)
    setStatus(S.failed, 'bad')
  }

  function busy (on) {
    for (const id of ['wb-save-draft', 'wb-validate', 'wb-deploy', 'wb-discard-draft']) {
      const button = $(id)
      if (button) button.disabled = on
    }
  }

  async function withBusy (work) {
    busy(true)
    try {
      await work()
    } finally {
      busy(false)
    }
  }

  function clock () {
    return new Date().toLocaleTimeString(config.language.startsWith('zh') ? 'zh-CN' : 'en-GB', {
      hour: '2-digit',
      minute: '2-digit'
    })
  }

  async function saveDraft () {
    const body = await payload()
    body.base_version = state.baseVersion
    const response = await api('PUT', `/workbench/drafts/${encodeURIComponent(config.key)}`, body)
    if (!response.ok) return failed(response)
    state.unsaved = false
    $('wb-discard-draft').hidden = false
    setStatus(`${S.draftSaved} ${clock()}`, 'saved')
  }

  async function discardDraft () {
    if (!window.confirm(S.confirmDiscard)) return
    const response = await api('DELETE', `/workbench/drafts/${encodeURIComponent(config.key)}`)
    if (!response.ok) return failed(response)
    state.unsaved = false
    window.location.assign(config.editorUrl)
  }

  async function validate () {
    setStatus(S.validating)
    const response = await api('POST', '/workbench/validate', await payload())
    if (!response.ok) return failed(response)
    const problems = response.data.problems
    showProblems(problems)
    if (problems.length) setStatus(format(S.problemCount, { n: problems.length }), 'bad')
    else setStatus(state.unsaved ? S.unsaved : '', state.unsaved ? 'dirty' : 'done')
  }

  function addVersion (version) {
    const list = $('wb-versions')
    for (const badge of list.querySelectorAll('.badge')) badge.remove()
    const item = document.createElement('li')
    item.dataset.version = version
    item.className = 'new'
    const link = document.createElement('a')
    link.href = `${config.editorUrl}?version=${version}`
    link.textContent = `v${version}`
    const badge = document.createElement('span')
    badge.className = 'badge badge-draft'
    badge.textContent = S.latest
    const when = document.createElement('span')
    when.className = 'muted'
    when.textContent = S.justNow
    item.append(link, ' ', badge, ' ', when)
    list.prepend(item)
  }

  async function deploy (overwrite) {
    if (!overwrite && !window.confirm(S.confirmDeploy)) return
    setStatus(S.deploying)
    const body = await payload()
    body.base_version = overwrite ? null : state.baseVersion
    const response = await api('POST', '/workbench/deploy', body)
    if (response.ok) {
      const { version, created } = response.data
      state.originalXml = body.xml
      state.diagramChanged = false
      state.unsaved = false
      state.baseVersion = version
      clearProblemMarkers()
      $('wb-problems-panel').hidden = true
      $('wb-discard-draft').hidden = true
      const notice = $('wb-draft-notice')
      if (notice) notice.hidden = true
      if (created) addVersion(version)
      setStatus(format(created ? S.deployed : S.unchanged, { version }), 'done')
      return
    }
    if (response.status === 409 && window.confirm(format(S.confirmOverwrite, { message: response.data.message }))) {
      return deploy(true)
    }
    if (response.status === 422 && Array.isArray(response.data && response.data.errors)) {
      showProblems(response.data.errors)
      setStatus(S.refused, 'bad')
      return
    }
    failed(response)
  }

  function wireEditing () {
    const modeler = state.modeler
    modeler.on('commandStack.changed', () => {
      state.diagramChanged = true
      changed()
      if (state.selected && modeler.get('elementRegistry').get(state.selected.id)) showForm(state.selected)
    })
    $('wb-form-text').addEventListener('input', (event) => {
      const path = formPathOf(state.selected)
      if (!path) return
      state.forms[path] = event.target.value
      changed()
      checkJson()
    })
    $('wb-form-create').addEventListener('click', createForm)
    $('wb-save-draft').addEventListener('click', () => withBusy(saveDraft))
    $('wb-discard-draft').addEventListener('click', () => withBusy(discardDraft))
    $('wb-validate').addEventListener('click', () => withBusy(validate))
    $('wb-deploy').addEventListener('click', () => withBusy(() => deploy(false)))
    window.addEventListener('beforeunload', (event) => {
      if (state.unsaved) {
        event.preventDefault()
        event.returnValue = S.leave
      }
    })
    busy(false)
  }

  /* Fit the diagram; if that makes it too small to read, show its start at a readable zoom instead. */
  function showReadable (canvas) {
    canvas.zoom('fit-viewport')
    if (canvas.zoom() >= READABLE_ZOOM) return
    const { inner, outer } = canvas.viewbox()
    const left = config.editable ? PALETTE_WIDTH : MARGIN
    canvas.viewbox({
      x: inner.x - left / READABLE_ZOOM,
      y: inner.y - MARGIN / READABLE_ZOOM,
      width: outer.width / READABLE_ZOOM,
      height: outer.height / READABLE_ZOOM
    })
  }

  async function start () {
    const response = await fetch(config.sourceUrl, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    if (!response.ok) throw new Error(`source: HTTP ${response.status}`)
    const source = await response.json()
    for (const [path, schema] of Object.entries(source.forms || {})) {
      state.forms[path] = typeof schema === 'string' ? schema : JSON.stringify(schema, null, 2)
    }
    state.originalXml = source.xml
    const modeler = new window.BpmnJS({ container: $('wb-canvas') })
    const { warnings } = await modeler.importXML(source.xml)
    if (warnings.length) console.warn('diagram import warnings', warnings)
    state.modeler = modeler
    window.Workbench = { modeler }
    showReadable(modeler.get('canvas'))
    modeler.on('selection.changed', (event) => {
      showForm(event.newSelection.length === 1 ? event.newSelection[0] : null)
    })
    if (config.editable) wireEditing()
    $('workbench').dataset.ready = 'true'
  }

  start().catch((error) => {
    console.error(error)
    $('wb-load-error').hidden = false
  })
})()
