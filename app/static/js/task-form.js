/* The task form: json-editor renders the task's JSON Schema (form-render.js, in the user's language); the
   server validates on completion and its 422 field errors are shown on the fields; what the
   user typed is kept as a server-side draft while the form is unsent. */
(function () {
  'use strict'
  const { api, flash, flashNext } = window.Workspace
  const config = JSON.parse(document.getElementById('task-config').textContent)
  const S = config.strings
  const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/
  const AUTOSAVE_MS = 1500

  /* Walk a value along the (server's) schema and convert its date-time strings. */
  function mapDateTimes (schema, value, convert) {
    if (!schema || value === undefined || value === null) return value
    if (schema.format === 'date-time' && typeof value === 'string') return convert(value)
    if (schema.properties && typeof value === 'object' && !Array.isArray(value)) {
      const out = { ...value }
      for (const [k, sub] of Object.entries(schema.properties)) if (k in out) out[k] = mapDateTimes(sub, out[k], convert)
      return out
    }
    if (schema.items && Array.isArray(value)) return value.map((v) => mapDateTimes(schema.items, v, convert))
    return value
  }

  /* "2026-03-02T14:00" typed in the service's time zone -> "2026-03-02T14:00:00+08:00". */
  function toServer (value) {
    if (!LOCAL_TIME.test(value)) return value
    return (value.length === 16 ? value + ':00' : value) + config.utcOffset
  }

  /* Any ISO time with an offset -> the service's local time for a datetime-local input. */
  function toLocal (value) {
    if (LOCAL_TIME.test(value)) return value
    const at = Date.parse(value)
    if (Number.isNaN(at)) return value
    const sign = config.utcOffset.startsWith('-') ? -1 : 1
    const [hours, minutes] = config.utcOffset.slice(1).split(':').map(Number)
    return new Date(at + sign * (hours * 60 + minutes) * 60000).toISOString().slice(0, 16)
  }

  /* Rendered as in the workbench's preview (form-render.js). */
  const editor = window.TaskForm.render(document.getElementById('task-form'), config.schema, {
    language: config.language,
    strings: S.form
  })

  /* ---- server-side field errors, shown on their fields until the field changes ---- */
  const shown = []
  const formErrors = document.getElementById('form-errors')
  let generalErrors = false /* errors the server gave for no field of the form */

  function clearErrors () {
    shown.splice(0).forEach((e) => e.node.remove())
    document.querySelectorAll('.has-error').forEach((n) => n.classList.remove('has-error'))
    formErrors.hidden = true
    formErrors.textContent = ''
  }

  /* The server's refusals come as "English / 中文" (the Chinese half last, the English may quote what was
     typed): show the user's half. */
  function inLanguage (message) {
    const at = message.lastIndexOf(' / ')
    if (at < 0 || !/[\u3400-\u9fff]/.test(message.slice(at + 3))) return message
    return config.language.startsWith('zh') ? message.slice(at + 3) : message.slice(0, at)
  }

  function showErrors (errors) {
    clearErrors()
    const general = []
    for (const [field, messages] of Object.entries(errors || {})) {
      const target = field && field !== '_schema' ? editor.getEditor('root.' + field) : null
      if (!target) {
        general.push(`${field}: ${messages.map(inLanguage).join('; ')}`)
        continue
      }
      const node = document.createElement('div')
      node.className = 'field-error'
      node.setAttribute('role', 'alert')
      node.dataset.field = field
      node.textContent = messages.map(inLanguage).join('; ')
      target.container.classList.add('has-error')
      target.container.appendChild(node)
      shown.push({ node, target, value: JSON.stringify(target.getValue()) })
    }
    generalErrors = general.length > 0
    formErrors.textContent = [S.fieldErrors, ...general].join(' ')
    formErrors.hidden = false
    const first = document.querySelector('.field-error') || formErrors
    first.scrollIntoView({ block: 'center' })
  }

  function dropChangedErrors () {
    for (let i = shown.length - 1; i >= 0; i--) {
      const error = shown[i]
      if (JSON.stringify(error.target.getValue()) !== error.value) {
        error.node.remove()
        error.target.container.classList.remove('has-error')
        shown.splice(i, 1)
      }
    }
    if (!shown.length && !generalErrors) formErrors.hidden = true
  }

  /* ---- drafts ---- */
  const draftStatus = document.getElementById('draft-status')
  const discardButton = document.getElementById('discard-draft')
  let baseline = null
  let timer = null

  async function saveDraft () {
    window.clearTimeout(timer)
    const value = editor.getValue()
    const result = await api('PUT', `/drafts/${config.taskId}`, value)
    if (result.ok) {
      baseline = JSON.stringify(value)
      draftStatus.textContent = `${S.saved} ${new Date().toLocaleTimeString()}`
      discardButton.hidden = false
    } else {
      draftStatus.textContent = `${S.failed}: ${(result.data && result.data.message) || result.status}`
    }
  }

  async function discardDraft () {
    await api('DELETE', `/drafts/${config.taskId}`)
    window.location.reload()
  }

  async function submit (button) {
    window.clearTimeout(timer)
    button.disabled = true
    draftStatus.textContent = S.sending
    const body = mapDateTimes(config.schema, editor.getValue(), toServer)
    const result = await api('POST', `/tasks/${config.taskId}/complete`, body)
    button.disabled = false
    draftStatus.textContent = ''
    if (result.ok) {
      await api('DELETE', `/drafts/${config.taskId}`)
      flashNext(S.completed)
      window.location.assign(config.nextUrl)
    } else if (result.status === 422) {
      showErrors(result.data && result.data.fields) /* field -> messages (the problem's errors, by field) */
      saveDraft()
    } else {
      const message = (result.data && result.data.message) || `HTTP ${result.status}`
      flash(`${result.status === 409 ? S.conflict : S.failed}: ${message}`)
    }
  }

  /* ---- opening a form does not take the task; the first edit does (colleagues then see who is on it) ---- */
  let claim = config.claimOnEdit ? null : Promise.resolve(true)

  function claimOnFirstEdit () {
    if (claim) return claim
    claim = api('POST', `/tasks/${config.taskId}/claim`).then((result) => {
      if (result.ok) {
        const assignee = document.getElementById('task-assignee')
        if (assignee) assignee.textContent = config.userName
        document.querySelectorAll('.page-head [data-action="claim"]').forEach((b) => { b.hidden = true })
        flash(S.claimed, 'success')
        return true
      }
      flash(`${S.notClaimed}: ${(result.data && result.data.message) || result.status}`)
      editor.disable()
      document.querySelectorAll('.form-actions button').forEach((b) => { b.disabled = true })
      return false
    })
    return claim
  }

  /* ---- look-ups: a field marked "x-lookup" suggests records as the user types; picking one
     fills the fields its "x-fills" names (form field -> record field) ---- */
  const LOOKUPS = {
    customer: { url: (q) => `/lookups/customers?q=${encodeURIComponent(q)}`, key: 'name',
      label: (r) => `${r.name} · ${r.phone} · ${r.code}` },
    unit: { url: (q) => `/lookups/units?serial=${encodeURIComponent(q)}`, key: 'serial_no',
      label: (r) => `${r.serial_no} · ${r.model} · ${r.customer_name}` }
  }
  const LOOKUP_DELAY_MS = 250

  function attachLookups () {
    for (const [field, prop] of Object.entries(config.schema.properties || {})) {
      const lookup = LOOKUPS[prop['x-lookup']]
      const input = lookup && editor.getEditor('root.' + field) && editor.getEditor('root.' + field).input
      if (!input) continue
      const list = document.createElement('datalist')
      list.id = `lookup-${field}`
      input.setAttribute('list', list.id)
      input.setAttribute('autocomplete', 'off')
      input.after(list)
      let found = []
      let pending = null
      input.addEventListener('input', () => {
        window.clearTimeout(pending)
        pending = window.setTimeout(async () => {
          const result = await api('GET', lookup.url(input.value))
          found = result.ok ? result.data : []
          list.replaceChildren(...found.map((record) => {
            const option = document.createElement('option')
            option.value = record[lookup.key]
            option.label = lookup.label(record)
            return option
          }))
        }, LOOKUP_DELAY_MS)
      })
      input.addEventListener('change', () => {
        const record = found.find((r) => r[lookup.key] === input.value)
        if (!record) return
        for (const [formField, recordField] of Object.entries(prop['x-fills'] || {})) {
          const other = editor.getEditor('root.' + formField)
          if (other && record[recordField] !== undefined) other.setValue(record[recordField])
        }
      })
    }
  }

  editor.on('ready', () => {
    /* As an initial value, so optional fields left out stay on the form (empty). */
    editor.root.setValue(mapDateTimes(config.schema, config.startValues, toLocal), true)
    baseline = JSON.stringify(editor.getValue())
    if (!config.workable) {
      editor.disable()
      return
    }
    editor.on('change', () => {
      dropChangedErrors()
      if (JSON.stringify(editor.getValue()) === baseline) return
      claimOnFirstEdit()
      window.clearTimeout(timer)
      timer = window.setTimeout(saveDraft, AUTOSAVE_MS)
    })
    attachLookups()
    document.getElementById('submit-form').addEventListener('click', (e) => submit(e.currentTarget))
    document.getElementById('save-draft').addEventListener('click', saveDraft)
    discardButton.addEventListener('click', discardDraft)
    document.getElementById('task-form').dataset.ready = 'true'
  })
})()
