/* The process workbench (templates/workbench.html): bpmn-js' Modeler (read-only: the NavigatedViewer)
   with a version's or the user's draft's diagram. The spiffworkflow extensions are typed through our
   moddle descriptor (static/js/spiffworkflow-moddle.json), so they round-trip unchanged. The side
   panel edits the selected element's properties (id, name, clause, timer kind and expression, form
   file, instructions) with bpmn-js' modeling commands, so undo and redo cover them; the JSON Schema of
   the selected user task's form, keyed by its formJsonSchemaFilename property, with a preview rendered
   as on the task page (form-render.js); bpmnlint's issues show on the elements (static/build/lint.js).
   Save draft, Validate and Deploy go through /api/v1/workbench. An unchanged diagram is sent as it was
   loaded, so deploying it again creates no new version. */
(function () {
  'use strict'
  const { api, flash, pickLanguage } = window.Workspace
  const configNode = document.getElementById('workbench-config')
  if (!configNode) return
  const config = JSON.parse(configNode.textContent)
  const S = config.strings
  const FORM_PROPERTY = 'formJsonSchemaFilename'
  const TIMER_TYPES = ['timeDuration', 'timeDate', 'timeCycle']
  const ID_PATTERN = /^[A-Za-z_][\w.-]*$/
  const SNAKE_CASE = /^[a-z][a-z0-9_]*$/
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
    marked: [],
    tab: 'schema',
    preview: null, // the json-editor of the preview tab
    propsElement: null // the element the properties panel shows
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

  function is (element, type) {
    return Boolean(element) && typeof element.$instanceOf === 'function' && element.$instanceOf(type)
  }

  /* ---- the spiffworkflow extensions of a business object (typed by spiffworkflow-moddle.json) ---- */
  function extensions (bo) {
    return (bo.extensionElements && bo.extensionElements.get('values')) || []
  }

  function propertiesOf (bo) {
    return extensions(bo).find((value) => is(value, 'spiffworkflow:Properties'))
  }

  function propertyOf (bo, name) {
    const group = propertiesOf(bo)
    return group ? group.get('values').find((property) => property.name === name) : undefined
  }

  function propertyValue (bo, name) {
    const property = propertyOf(bo, name)
    return (property && property.value) || ''
  }

  function instructionsOf (bo) {
    return extensions(bo).find((value) => is(value, 'spiffworkflow:InstructionsForEndUser'))
  }

  function timerOf (bo) {
    return (bo.eventDefinitions || []).find((definition) => is(definition, 'bpmn:TimerEventDefinition'))
  }

  function timerExpression (timer) {
    const type = TIMER_TYPES.find((name) => timer[name]) || 'timeDuration'
    return { type, body: (timer[type] && timer[type].body) || '' }
  }

  /* undefined: not a user task; null: a user task without a form property; else the form's path. */
  function formPathOf (element) {
    const bo = element && element.businessObject
    if (!is(bo, 'bpmn:UserTask')) return undefined
    return propertyValue(bo, FORM_PROPERTY) || null
  }

  /* ---- changes, each one modeling command (one undo step) on the element ---- */
  function modeling () {
    return state.modeler.get('modeling')
  }

  function create (type, attrs, parent) {
    const created = state.modeler.get('moddle').create(type, attrs)
    created.$parent = parent
    return created
  }

  function addExtension (element, item) {
    const bo = element.businessObject
    if (!bo.extensionElements) {
      const container = create('bpmn:ExtensionElements', { values: [item] }, bo)
      item.$parent = container
      modeling().updateProperties(element, { extensionElements: container })
      return
    }
    item.$parent = bo.extensionElements
    modeling().updateModdleProperties(element, bo.extensionElements, { values: [...extensions(bo), item] })
  }

  function removeExtension (element, item) {
    const container = element.businessObject.extensionElements
    modeling().updateModdleProperties(element, container, { values: extensions(element.businessObject).filter((v) => v !== item) })
  }

  /* Set a spiffworkflow:property (an empty value removes it, and an emptied properties group). */
  function setProperty (element, name, value) {
    const bo = element.businessObject
    const group = propertiesOf(bo)
    const existing = propertyOf(bo, name)
    if (existing) {
      if (value) return modeling().updateModdleProperties(element, existing, { value })
      const rest = group.get('values').filter((property) => property !== existing)
      if (rest.length) return modeling().updateModdleProperties(element, group, { values: rest })
      return removeExtension(element, group)
    }
    if (!value) return
    if (group) {
      const property = create('spiffworkflow:Property', { name, value }, group)
      return modeling().updateModdleProperties(element, group, { values: [...group.get('values'), property] })
    }
    const added = create('spiffworkflow:Properties', {}, null)
    added.get('values').push(create('spiffworkflow:Property', { name, value }, added))
    addExtension(element, added)
  }

  function setInstructions (element, text) {
    const existing = instructionsOf(element.businessObject)
    if (existing) {
      if (text) return modeling().updateModdleProperties(element, existing, { value: text })
      return removeExtension(element, existing)
    }
    if (text) addExtension(element, create('spiffworkflow:InstructionsForEndUser', { value: text }, null))
  }

  function setTimer (element, type, body) {
    const timer = timerOf(element.businessObject)
    if (timer[type] && timerExpression(timer).type === type) {
      return modeling().updateModdleProperties(element, timer[type], { body })
    }
    const changes = Object.fromEntries(TIMER_TYPES.map((name) => [name, undefined]))
    changes[type] = create('bpmn:FormalExpression', { body }, timer)
    modeling().updateModdleProperties(element, timer, changes)
  }

  function addFormProperty (element, path) {
    setProperty(element, FORM_PROPERTY, path)
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
    renderPreview()
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

  /* ---- the form preview: the schema rendered as on the task page (form-render.js) ---- */
  function previewMessage (text) {
    const out = $('wb-preview-error')
    out.textContent = text || ''
    out.hidden = !text
  }

  function renderPreview () {
    if (state.preview) state.preview.destroy()
    state.preview = null
    const box = $('wb-form-preview')
    box.replaceChildren()
    delete box.dataset.ready
    if (state.tab !== 'preview') return
    const path = formPathOf(state.selected)
    if (!hasForm(path)) return previewMessage(S.previewNone)
    let schema
    try {
      schema = JSON.parse(state.forms[path])
    } catch (error) {
      return previewMessage(format(S.previewInvalid, { error: error.message }))
    }
    if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return previewMessage(S.previewNotObject)
    previewMessage('')
    try {
      const editor = window.TaskForm.render(box, schema, { language: config.language, strings: S.form })
      editor.on('ready', () => { box.dataset.ready = 'true' })
      state.preview = editor
    } catch (error) {
      previewMessage(format(S.previewFailed, { error: error.message }))
    }
  }

  function showTab (tab) {
    state.tab = tab
    for (const [name, pane] of [['schema', 'wb-form-schema'], ['preview', 'wb-form-preview-pane']]) {
      $(`wb-tab-${name}`).setAttribute('aria-selected', String(name === tab))
      $(pane).hidden = name !== tab
    }
    renderPreview()
  }

  /* ---- the properties panel of the selected element ---- */
  function splitName (name) {
    const parts = (name || '').split(' / ')
    return parts.length === 2 ? parts : [name || '', '']
  }

  function joinName (chinese, english) {
    chinese = chinese.trim()
    english = english.trim()
    return chinese && english ? `${chinese} / ${english}` : chinese || english
  }

  /* A field shows the model's value, except while the user is typing in it. */
  function setField (id, value) {
    const node = $(id)
    if (node === document.activeElement && node.dataset.elementId === state.propsElement.id) return
    if (node.tagName === 'SELECT' && value && ![...node.options].some((option) => option.value === value)) {
      node.append(new Option(value, value))
    }
    node.value = value
    node.dataset.elementId = state.propsElement.id
  }

  function idProblem (text) {
    const out = $('wb-prop-id-error')
    out.textContent = text || ''
    out.hidden = !text
  }

  function showProps (selected) {
    const element = selected && (selected.labelTarget || selected)
    const bo = element && element.businessObject
    state.propsElement = bo ? element : null
    $('wb-props-hint').hidden = Boolean(bo)
    $('wb-props').hidden = !bo
    if (!bo) return
    $('wb-props-type').textContent = bo.$type
    setField('wb-prop-id', bo.id)
    const [chinese, english] = splitName(bo.name)
    setField('wb-prop-name-zh', chinese)
    setField('wb-prop-name-en', english)
    setField('wb-prop-clause', propertyValue(bo, 'clause'))
    const timer = timerOf(bo)
    $('wb-props-timer').hidden = !timer
    if (timer) {
      const { type, body } = timerExpression(timer)
      setField('wb-prop-timer-kind', propertyValue(bo, 'timer_kind'))
      setField('wb-prop-timer-type', type)
      setField('wb-prop-timer-expr', body)
    }
    const userTask = is(bo, 'bpmn:UserTask')
    $('wb-props-task').hidden = !userTask
    if (userTask) {
      const instructions = instructionsOf(bo)
      setField('wb-prop-form', propertyValue(bo, FORM_PROPERTY))
      setField('wb-prop-instructions', (instructions && instructions.value) || '')
    }
  }

  function changeId (element, id) {
    id = id.trim()
    if (id === element.businessObject.id) return idProblem('')
    if (!ID_PATTERN.test(id)) return idProblem(S.idInvalid)
    if (state.modeler.get('elementRegistry').get(id) || state.modeler.get('moddle').ids.assigned(id)) {
      return idProblem(format(S.idTaken, { id }))
    }
    idProblem(SNAKE_CASE.test(id) ? '' : S.idNotSnake)
    modeling().updateProperties(element, { id })
  }

  function changeForm (element, path) {
    const before = formPathOf(element)
    path = path.trim()
    // The form moves with its path, unless a form is already there.
    if (before && path && hasForm(before) && !hasForm(path)) state.forms[path] = state.forms[before]
    setProperty(element, FORM_PROPERTY, path)
  }

  function wireProps () {
    const changes = {
      'wb-prop-id': (element, value) => changeId(element, value),
      'wb-prop-name-zh': (element, value) => modeling().updateLabel(element, joinName(value, $('wb-prop-name-en').value)),
      'wb-prop-name-en': (element, value) => modeling().updateLabel(element, joinName($('wb-prop-name-zh').value, value)),
      'wb-prop-clause': (element, value) => setProperty(element, 'clause', value.trim()),
      'wb-prop-timer-kind': (element, value) => setProperty(element, 'timer_kind', value),
      'wb-prop-timer-type': (element, value) => setTimer(element, value, $('wb-prop-timer-expr').value.trim()),
      'wb-prop-timer-expr': (element, value) => setTimer(element, $('wb-prop-timer-type').value, value.trim()),
      'wb-prop-form': (element, value) => changeForm(element, value),
      'wb-prop-instructions': (element, value) => setInstructions(element, value.trim())
    }
    for (const [id, change] of Object.entries(changes)) {
      $(id).addEventListener('change', (event) => {
        const element = state.propsElement
        if (!element || event.target.dataset.elementId !== element.id) return
        change(element, event.target.value)
      })
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

  function showProblems (problems, warnings = []) {
    const registry = state.modeler.get('elementRegistry')
    const canvas = state.modeler.get('canvas')
    const list = $('wb-problems')
    clearProblemMarkers()
    list.replaceChildren()
    $('wb-problems-panel').hidden = false
    $('wb-problems-none').hidden = problems.length > 0
    const advice = warnings.map((w) => ({ ...w, severity: 'warning' }))
    for (const problem of [...problems, ...advice]) {
      const item = document.createElement('li')
      if (problem.severity === 'warning') {
        item.classList.add('wb-warning')
        const label = document.createElement('strong')
        label.textContent = S.warning
        item.append(label, ' ')
      }
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
    showProblems(problems, response.data.warnings || [])
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
    if (config.liveUrl) {
      const live = document.createElement('a')
      live.className = 'wb-live'
      live.href = format(config.liveUrl, { version })
      live.textContent = S.liveCounts
      item.append(' · ', live)
    }
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
      if (response.data.warnings && response.data.warnings.length) showProblems([], response.data.warnings)
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
      showProblems(
        response.data.errors.filter((e) => e.severity !== 'warning'),
        response.data.errors.filter((e) => e.severity === 'warning')
      )
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
      const registry = modeler.get('elementRegistry')
      if (state.selected && registry.get(state.selected.id)) showForm(state.selected)
      showProps(state.propsElement && registry.get(state.propsElement.id) ? state.propsElement : null)
    })
    wireProps()
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

  /* The spiffworkflow moddle descriptor, and in the modeler bpmnlint (static/build/lint.js, when built). */
  /* bpmn-js' translate service with the page's table (the server's catalogue): the lint badge and
     its overlays in the user's language; a text the table lacks stays as bpmn-js has it. */
  const translateModule = {
    translate: ['value', (template, replacements = {}) => (S.modeler[template] || template)
      .replace(/{([^}]+)}/g, (whole, key) => (replacements[key] !== undefined ? replacements[key] : whole))]
  }

  async function modelerOptions () {
    const response = await fetch(config.moddleUrl, { credentials: 'same-origin' })
    if (!response.ok) throw new Error(`moddle descriptor: HTTP ${response.status}`)
    const options = { moddleExtensions: { spiffworkflow: await response.json() }, additionalModules: [translateModule] }
    const lint = window.WorkbenchLint
    if (config.editable && lint) {
      options.additionalModules = [translateModule, lint.module]
      options.linting = { bpmnlint: lint.config, active: true }
    } else if (config.editable) {
      console.warn('static/build/lint.js is missing (make setup): the modeler runs without bpmnlint')
    }
    return options
  }

  async function start () {
    const response = await fetch(config.sourceUrl, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    if (!response.ok) throw new Error(`source: HTTP ${response.status}`)
    const source = await response.json()
    for (const [path, schema] of Object.entries(source.forms || {})) {
      state.forms[path] = typeof schema === 'string' ? schema : JSON.stringify(schema, null, 2)
    }
    state.originalXml = source.xml
    const modeler = new window.BpmnJS({ container: $('wb-canvas'), ...(await modelerOptions()) })
    const { warnings } = await modeler.importXML(source.xml)
    window.Workspace.nameDiagram($('wb-canvas'), { editable: true })
    if (warnings.length) console.warn('diagram import warnings', warnings)
    state.modeler = modeler
    window.Workbench = { modeler }
    showReadable(modeler.get('canvas'))
    modeler.on('selection.changed', (event) => {
      const single = event.newSelection.length === 1 ? event.newSelection[0] : null
      showForm(single)
      showProps(single)
    })
    $('wb-tab-schema').addEventListener('click', () => showTab('schema'))
    $('wb-tab-preview').addEventListener('click', () => showTab('preview'))
    if (config.editable) wireEditing()
    $('workbench').dataset.ready = 'true'
  }

  start().catch((error) => {
    console.error(error)
    $('wb-load-error').hidden = false
  })
})()
