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
  const SAME_PERFORMER = 'same_performer_as' // docs/diagram-conventions.md
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
    tab: 'builder',
    preview: null, // the json-editor of the preview tab
    propsElement: null, // the element the properties panel shows
    laneRoles: [], // [{role, lane_id, name, users}] for the lane role picker
    lastCode: null, // the code field a variable of the scope list is inserted into
    serverErrors: 0 // problems of the last server validate (shown beside bpmnlint's badge)
  }
  const CODE_FIELDS = ['wb-prop-condition', 'wb-prop-script', 'wb-prop-prescript', 'wb-prop-postscript', 'wb-prop-timer-expr']
  const ASSIGNED = /^\s*([A-Za-z]\w*)\s*=(?!=)/gm

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

  function extensionOf (bo, type) {
    return extensions(bo).find((value) => is(value, type))
  }

  function extensionValue (bo, type) {
    const found = extensionOf(bo, type)
    return (found && found.value) || ''
  }

  /* Set a spiffworkflow extension holding one text (instructions, pre-script, post-script); empty removes it. */
  function setExtensionValue (element, type, text) {
    const existing = extensionOf(element.businessObject, type)
    if (existing) {
      if (text) return modeling().updateModdleProperties(element, existing, { value: text })
      return removeExtension(element, existing)
    }
    if (text) addExtension(element, create(type, { value: text }, null))
  }

  function setInstructions (element, text) {
    setExtensionValue(element, 'spiffworkflow:InstructionsForEndUser', text)
  }

  function setCondition (element, body) {
    const expression = body ? create('bpmn:FormalExpression', { body }, element.businessObject) : undefined
    modeling().updateProperties(element, { conditionExpression: expression })
  }

  function isChoiceGateway (bo) {
    return is(bo, 'bpmn:ExclusiveGateway') || is(bo, 'bpmn:InclusiveGateway')
  }

  function setDefaultFlow (gateway, flow) {
    modeling().updateProperties(gateway, { default: flow ? flow.businessObject : undefined })
  }

  function setLaneRole (element, role) {
    const found = state.laneRoles.find((r) => r.role === role)
    if (!found || found.lane_id === element.id) return
    if (state.modeler.get('elementRegistry').get(found.lane_id)) return idProblem(format(S.idTaken, { id: found.lane_id }))
    idProblem('')
    modeling().updateProperties(element, { id: found.lane_id, name: found.name })
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
    renderBuilder()
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
    const panes = [['builder', 'wb-form-builder-pane'], ['schema', 'wb-form-schema'], ['preview', 'wb-form-preview-pane']]
    for (const [name, pane] of panes) {
      $(`wb-tab-${name}`).setAttribute('aria-selected', String(name === tab))
      $(pane).hidden = name !== tab
    }
    renderBuilder()
    renderPreview()
  }

  /* ---- the form builder (form-builder.js): edits the schema, which the JSON Schema tab shows ---- */
  function renderBuilder () {
    const box = $('wb-form-builder')
    const error = $('wb-builder-error')
    box.replaceChildren()
    error.hidden = true
    if (state.tab !== 'builder') return
    const path = formPathOf(state.selected)
    if (!hasForm(path)) return
    let schema
    try {
      schema = JSON.parse(state.forms[path])
    } catch (problem) {
      error.textContent = format(S.builder.invalid, { error: problem.message })
      error.hidden = false
      return
    }
    if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return
    window.FormBuilder.render(box, schema, {
      strings: S.builder,
      readOnly: !config.editable,
      changed: (edited) => {
        state.forms[path] = JSON.stringify(edited, null, 2)
        $('wb-form-text').value = state.forms[path]
        changed()
        checkJson()
      }
    })
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
    showCodeProps(element, bo)
    const userTask = is(bo, 'bpmn:UserTask')
    $('wb-props-task').hidden = !userTask
    if (userTask) {
      const instructions = instructionsOf(bo)
      setField('wb-prop-form', propertyValue(bo, FORM_PROPERTY))
      setField('wb-prop-instructions', (instructions && instructions.value) || '')
      const earlier = earlierUserTasks(bo).map((t) => [t.id, `${pickLanguage(t.name || '', config.language) || t.id} (${t.id})`])
      fillSelect($('wb-prop-same-performer'), earlier, propertyValue(bo, SAME_PERFORMER))
    }
  }

  /* The user tasks a case passes before reaching ``bo`` (back along the flows), nearest first. */
  function earlierUserTasks (bo) {
    const found = []
    const seen = new Set([bo.id])
    const queue = [...(bo.incoming || []).map((f) => f.sourceRef), bo.attachedToRef].filter(Boolean)
    while (queue.length) {
      const node = queue.shift()
      if (!node || seen.has(node.id)) continue
      seen.add(node.id)
      if (is(node, 'bpmn:UserTask')) found.push(node)
      for (const incoming of node.incoming || []) queue.push(incoming.sourceRef)
      if (node.attachedToRef) queue.push(node.attachedToRef)
    }
    return found
  }

  function fillSelect (node, options, value) {
    if (value && !options.some(([v]) => v === value)) options = [...options, [value, value]] // as the diagram says
    node.replaceChildren(new Option('—', ''), ...options.map(([v, text]) => new Option(text, v)))
    node.value = value
    node.dataset.elementId = state.propsElement.id
  }

  function flowLabel (flow) {
    const target = flow.targetRef
    const name = pickLanguage(flow.name || '', config.language)
    return `${name || flow.id} → ${pickLanguage((target && target.name) || (target && target.id) || '', config.language)}`
  }

  /* The lane role picker, the flow's condition and default, a gateway's default, scripts, and the scope. */
  function showCodeProps (element, bo) {
    const lane = is(bo, 'bpmn:Lane')
    $('wb-props-lane').hidden = !lane
    if (lane) {
      const options = state.laneRoles.map((r) => [r.role, `${pickLanguage(r.name, config.language)} (${format(S.usersOfRole, { n: r.users })})`])
      const current = state.laneRoles.find((r) => r.lane_id === bo.id)
      fillSelect($('wb-prop-lane-role'), options, current ? current.role : '')
    }
    const flow = is(bo, 'bpmn:SequenceFlow')
    $('wb-props-flow').hidden = !flow
    if (flow) {
      setField('wb-prop-condition', (bo.conditionExpression && bo.conditionExpression.body) || '')
      const box = $('wb-prop-default')
      box.disabled = !isChoiceGateway(bo.sourceRef)
      box.checked = !box.disabled && bo.sourceRef.default === bo
      box.dataset.elementId = element.id
    }
    const gateway = isChoiceGateway(bo)
    $('wb-props-gateway').hidden = !gateway
    if (gateway) {
      const options = (bo.outgoing || []).map((f) => [f.id, flowLabel(f)])
      fillSelect($('wb-prop-gateway-default'), options, bo.default ? bo.default.id : '')
    }
    const script = is(bo, 'bpmn:ScriptTask')
    $('wb-props-script').hidden = !script
    if (script) setField('wb-prop-script', bo.script || '')
    const task = is(bo, 'bpmn:Task')
    $('wb-props-prepost').hidden = !task
    if (task) {
      setField('wb-prop-prescript', extensionValue(bo, 'spiffworkflow:PreScript'))
      setField('wb-prop-postscript', extensionValue(bo, 'spiffworkflow:PostScript'))
    }
    const coded = CODE_FIELDS.filter((id) => !$(id).closest('fieldset[hidden]'))
    $('wb-scope').hidden = !coded.length
    if (coded.length) showScope(bo)
    if (config.editable) for (const id of coded) lintField(id, 0)
  }

  /* ---- the variables in scope of the selected element: what earlier steps' forms and scripts set, and the helpers ---- */
  function scopeOf (bo) {
    const names = new Map()
    const seen = new Set()
    const queue = is(bo, 'bpmn:SequenceFlow') ? [bo.sourceRef] : [bo]
    while (queue.length) {
      const node = queue.shift()
      if (!node || seen.has(node.id)) continue
      seen.add(node.id)
      const step = pickLanguage(node.name || node.id, config.language)
      const path = propertyValue(node, FORM_PROPERTY)
      if (hasForm(path)) {
        try {
          const schema = JSON.parse(state.forms[path])
          for (const field of Object.keys((schema && schema.properties) || {})) {
            if (!names.has(field)) names.set(field, format(S.scopeForm, { step }))
          }
        } catch (error) { /* not JSON yet: nothing to offer */ }
      }
      for (const code of [node.script, extensionValue(node, 'spiffworkflow:PreScript'), extensionValue(node, 'spiffworkflow:PostScript')]) {
        for (const match of (code || '').matchAll(ASSIGNED)) {
          if (!names.has(match[1])) names.set(match[1], format(S.scopeScript, { step }))
        }
      }
      for (const incoming of node.incoming || []) queue.push(incoming.sourceRef)
      if (node.attachedToRef) queue.push(node.attachedToRef)
    }
    return names
  }

  function showScope (bo) {
    const list = $('wb-scope-list')
    list.replaceChildren()
    const entries = [...scopeOf(bo)].map(([name, origin]) => [name, name, origin])
    entries.push(...config.helpers.map((name) => [`${name}()`, `${name}(`, S.scopeHelper]))
    for (const [label, insert, origin] of entries) {
      const item = document.createElement('li')
      const button = document.createElement('button')
      button.type = 'button'
      button.className = 'wb-scope-name'
      button.textContent = label
      button.dataset.insert = insert
      const where = document.createElement('span')
      where.className = 'muted'
      where.textContent = origin
      item.append(button, ' ', where)
      list.append(item)
    }
  }

  function insertName (text) {
    const node = state.lastCode && !state.lastCode.closest('fieldset[hidden]') ? state.lastCode : null
    if (!node || node.disabled) return
    const start = node.selectionStart ?? node.value.length
    const end = node.selectionEnd ?? node.value.length
    node.value = node.value.slice(0, start) + text + node.value.slice(end)
    node.focus()
    node.setSelectionRange(start + text.length, start + text.length)
    node.dispatchEvent(new Event('input'))
    node.dispatchEvent(new Event('change'))
  }

  /* ---- each code field checked as typed by the deploy's sandbox lint (POST /workbench/lint) ---- */
  const lintTimers = {}
  function lintField (id, delay = 300) {
    const node = $(id)
    const out = $(`${id}-lint`)
    clearTimeout(lintTimers[id])
    const code = node.value
    const show = (text, kind) => {
      out.textContent = text
      out.className = `wb-lint ${kind || ''}`
      node.classList.toggle('invalid', kind === 'bad')
    }
    if (!code.trim() && node.dataset.lint !== 'timer') return show('')
    lintTimers[id] = setTimeout(async () => {
      const response = await api('POST', '/workbench/lint', { code, kind: node.dataset.lint })
      if (node.value !== code) return
      if (!response.ok) return show(`${S.failed} (HTTP ${response.status})`, 'bad')
      const problems = response.data.problems
      show(problems.length ? problems.map((p) => p.message || p.reason).join('; ') : S.lintOk, problems.length ? 'bad' : 'ok')
    }, delay)
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
      'wb-prop-instructions': (element, value) => setInstructions(element, value.trim()),
      'wb-prop-same-performer': (element, value) => setProperty(element, SAME_PERFORMER, value),
      'wb-prop-lane-role': (element, value) => setLaneRole(element, value),
      'wb-prop-condition': (element, value) => setCondition(element, value.trim()),
      'wb-prop-gateway-default': (element, value) => setDefaultFlow(element, value ? state.modeler.get('elementRegistry').get(value) : null),
      'wb-prop-script': (element, value) => modeling().updateProperties(element, { scriptFormat: 'python', script: value }),
      'wb-prop-prescript': (element, value) => setExtensionValue(element, 'spiffworkflow:PreScript', value.trim()),
      'wb-prop-postscript': (element, value) => setExtensionValue(element, 'spiffworkflow:PostScript', value.trim())
    }
    $('wb-prop-default').addEventListener('change', (event) => {
      const element = state.propsElement
      if (!element || event.target.dataset.elementId !== element.id) return
      const gateway = element.source
      if (event.target.checked) setDefaultFlow(gateway, element)
      else if (gateway.businessObject.default === element.businessObject) setDefaultFlow(gateway, null)
    })
    for (const id of CODE_FIELDS) {
      $(id).addEventListener('input', () => lintField(id))
      $(id).addEventListener('focus', () => { state.lastCode = $(id) })
    }
    // Pressing a name must not take the focus from the code field: leaving it would apply it and
    // redraw the list under the pointer, and the click would be lost.
    $('wb-scope-list').addEventListener('mousedown', (event) => {
      if (event.target.closest('.wb-scope-name')) event.preventDefault()
    })
    $('wb-scope-list').addEventListener('click', (event) => {
      const button = event.target.closest('.wb-scope-name')
      if (button) insertName(button.dataset.insert)
    })
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

  /* The marked elements are kept as elements, not ids: an element renamed since (its id changed) or
     removed must not break the next validate. */
  function clearProblemMarkers () {
    const canvas = state.modeler.get('canvas')
    const registry = state.modeler.get('elementRegistry')
    for (const element of state.marked) {
      if (registry.get(element.id) === element) canvas.removeMarker(element, 'wb-problem')
    }
    state.marked = []
  }

  /* bpmnlint's badge counts the browser's lint only; the server's verdict of the last validate goes beside it. */
  function showServerVerdict () {
    const button = document.querySelector('#wb-canvas .bjsl-button')
    let badge = $('wb-server-verdict')
    if (!badge) {
      badge = document.createElement('span')
      badge.id = 'wb-server-verdict'
      badge.setAttribute('role', 'status')
      $('wb-canvas').append(badge)
    }
    badge.textContent = state.serverErrors ? format(S.serverRefuses, { n: state.serverErrors }) : ''
    badge.hidden = !state.serverErrors
    if (button) button.classList.toggle('wb-server-refuses', state.serverErrors > 0)
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
      const item = window.Workspace.problemItem(problem, problem.severity === 'warning' ? S.warning : null)
      if (problem.line) item.title = `${problem.file}:${problem.line}`
      if (problem.element_id && registry.get(problem.element_id)) {
        item.classList.add('selectable')
        item.tabIndex = 0
        item.dataset.elementId = problem.element_id
        item.addEventListener('click', () => selectElement(problem.element_id))
        item.addEventListener('keydown', (event) => {
          if (event.key === 'Enter') selectElement(problem.element_id)
        })
        const element = registry.get(problem.element_id)
        if (!state.marked.includes(element)) {
          canvas.addMarker(element, 'wb-problem')
          state.marked.push(element)
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
    } catch (error) {
      console.error(error)
      flash(`${S.failed}: ${error.message}`)
      setStatus(S.failed, 'bad')
    } finally {
      busy(false)
    }
  }

  /* A time of the server (the application's clock), shown in the service's zone. */
  function clock (iso) {
    return new Date(iso).toLocaleTimeString(config.language.startsWith('zh') ? 'zh-CN' : 'en-GB', {
      hour: '2-digit',
      minute: '2-digit',
      timeZone: config.timezone // as every other time of the pages, not the browser's zone
    })
  }

  async function saveDraft () {
    const body = await payload()
    body.base_version = state.baseVersion
    const response = await api('PUT', `/workbench/drafts/${encodeURIComponent(config.key)}`, body)
    if (!response.ok) return failed(response)
    state.unsaved = false
    $('wb-discard-draft').hidden = false
    setStatus(`${S.draftSaved} ${clock(response.data.updated_at)}`, 'saved')
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
    state.serverErrors = problems.length
    showServerVerdict()
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
    const none = $('wb-no-versions')
    if (none) none.remove()
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
      state.serverErrors = 0
      showServerVerdict()
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
      state.serverErrors = response.data.errors.filter((e) => e.severity !== 'warning').length
      showServerVerdict()
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

  /* Fit the diagram beside the tool palette (never under it); if that makes it too small to read, show
     its start at a readable zoom instead. */
  function showReadable (canvas) {
    canvas.zoom('fit-viewport')
    const { inner, outer } = canvas.viewbox()
    const left = config.editable ? PALETTE_WIDTH : MARGIN
    const fits = Math.min((outer.width - left - MARGIN) / inner.width, (outer.height - 2 * MARGIN) / inner.height, 1)
    const zoom = fits >= READABLE_ZOOM ? fits : READABLE_ZOOM
    canvas.viewbox({
      x: inner.x - left / zoom,
      y: inner.y - MARGIN / zoom,
      width: outer.width / zoom,
      height: outer.height / zoom
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
    const labels = window.DiagramLabels // labels that fit their shapes (diagram-labels.js)
    const options = {
      moddleExtensions: { spiffworkflow: await response.json() },
      textRenderer: labels.options.textRenderer,
      additionalModules: [translateModule, labels.module]
    }
    const lint = window.WorkbenchLint
    if (config.editable && lint) {
      options.additionalModules = [translateModule, labels.module, lint.module]
      options.linting = { bpmnlint: lint.config, active: true }
    } else if (config.editable) {
      console.warn('static/build/lint.js is missing (make setup): the modeler runs without bpmnlint')
    }
    return options
  }

  /* A diagram without layout (no BPMNDiagram: drawn by no modeler) laid out by bpmn-auto-layout
     (static/build/layout.js), else null: the canvas could not show it. */
  async function withLayout (xml) {
    const layout = window.WorkbenchLayout
    if (!layout || !layout.needsLayout(xml)) return null
    try {
      return await layout.layout(xml)
    } catch (error) {
      console.warn('auto-layout failed', error)
      return null
    }
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
    const laidOut = await withLayout(source.xml)
    const { warnings } = await modeler.importXML(laidOut || source.xml)
    window.Workspace.nameDiagram($('wb-canvas'), { editable: true })
    if (warnings.length) console.warn('diagram import warnings', warnings)
    state.modeler = modeler
    window.Workbench = { modeler }
    if (laidOut) {
      $('wb-layout-notice').hidden = false
      if (config.editable) {
        state.diagramChanged = true // saved and deployed with the layout drawn here
        changed()
      }
    }
    showReadable(modeler.get('canvas'))
    modeler.on('selection.changed', (event) => {
      const single = event.newSelection.length === 1 ? event.newSelection[0] : null
      showForm(single)
      showProps(single)
    })
    $('wb-tab-builder').addEventListener('click', () => showTab('builder'))
    $('wb-tab-schema').addEventListener('click', () => showTab('schema'))
    $('wb-tab-preview').addEventListener('click', () => showTab('preview'))
    if (config.editable) {
      const roles = await api('GET', '/workbench/lane-roles')
      if (roles.ok) state.laneRoles = roles.data
      wireEditing()
      modeler.on('linting.completed', () => setTimeout(showServerVerdict, 0))
    }
    $('workbench').dataset.ready = 'true'
  }

  start().catch((error) => {
    console.error(error)
    $('wb-load-error').hidden = false
  })
})()
