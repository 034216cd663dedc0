/* The task form: json-editor renders the task's JSON Schema (form-render.js, in the user's language); the
   server validates on completion and its 422 field errors are shown on the fields; what the
   user typed is kept in the browser and as a server-side draft while the form is unsent. */
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

  /* ---- server-side field errors, shown on their fields until the field changes; the fields
     are marked aria-invalid and described by their message, the summary above the form lists
     them as links, and focus moves to the first refused field (WCAG 3.3.1, 4.1.2) ---- */
  const shown = []
  const formErrors = document.getElementById('form-errors')
  formErrors.setAttribute('tabindex', '-1')
  let generalErrors = false /* errors the server gave for no field of the form */

  function unmark (target) {
    const input = window.TaskForm.fieldInput(target)
    if (input) {
      input.removeAttribute('aria-invalid')
      input.removeAttribute('aria-describedby')
    }
    target.container.classList.remove('has-error')
  }

  function clearErrors () {
    shown.splice(0).forEach((e) => {
      e.node.remove()
      unmark(e.target)
    })
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

  function fieldTitle (target, field) {
    return (target.label && target.label.firstChild && target.label.firstChild.textContent.trim()) || field
  }

  function showErrors (errors) {
    clearErrors()
    const general = []
    const listed = []
    for (const [field, messages] of Object.entries(errors || {})) {
      const target = field && field !== '_schema' ? editor.getEditor('root.' + field) : null
      if (!target) {
        general.push(`${field}: ${messages.map(inLanguage).join('; ')}`)
        continue
      }
      const node = document.createElement('div')
      node.className = 'field-error'
      node.id = `error-${field.replace(/[^\w-]/g, '-')}`
      node.dataset.field = field
      node.textContent = messages.map(inLanguage).join('; ')
      target.container.classList.add('has-error')
      target.container.appendChild(node)
      const input = window.TaskForm.fieldInput(target)
      if (input) {
        input.setAttribute('aria-invalid', 'true')
        input.setAttribute('aria-describedby', node.id)
      }
      shown.push({ node, target, input, value: JSON.stringify(target.getValue()) })
      listed.push({ title: fieldTitle(target, field), text: node.textContent, input })
    }
    generalErrors = general.length > 0
    const summary = document.createElement('p')
    summary.textContent = [S.fieldErrors, ...general].join(' ')
    formErrors.replaceChildren(summary)
    if (listed.length) {
      const list = document.createElement('ul')
      for (const item of listed) {
        const li = document.createElement('li')
        const link = document.createElement('a')
        link.href = '#'
        link.textContent = `${item.title}: ${item.text}`
        link.addEventListener('click', (e) => {
          e.preventDefault()
          if (item.input) item.input.focus()
        })
        li.appendChild(link)
        list.appendChild(li)
      }
      formErrors.appendChild(list)
    }
    formErrors.hidden = false
    const first = shown.find((e) => e.input)
    if (first) {
      first.input.focus({ preventScroll: true })
      first.input.scrollIntoView({ block: 'center' })
    } else {
      formErrors.focus({ preventScroll: true })
      formErrors.scrollIntoView({ block: 'center' })
    }
  }

  function dropChangedErrors () {
    for (let i = shown.length - 1; i >= 0; i--) {
      const error = shown[i]
      if (JSON.stringify(error.target.getValue()) !== error.value) {
        error.node.remove()
        unmark(error.target)
        shown.splice(i, 1)
      }
    }
    if (!shown.length && !generalErrors) formErrors.hidden = true
  }

  /* ---- drafts: each change is kept at once in this browser (localStorage, per user and task), then
     sent to the server as its draft; without a connection the browser's copy waits and is sent when
     the browser is back online (or the page is next opened), so a form survives a lost network ---- */
  const draftStatus = document.getElementById('draft-status')
  const discardButton = document.getElementById('discard-draft')
  const user = (document.querySelector('meta[name="username"]') || {}).content || ''
  const LOCAL_KEY = `aftersales.draft.${user}.${config.taskId}`
  let baseline = null
  let timer = null

  const local = {
    read () {
      try { return JSON.parse(window.localStorage.getItem(LOCAL_KEY)) } catch (e) { return null }
    },
    keep (value) {
      try { window.localStorage.setItem(LOCAL_KEY, JSON.stringify(value)) } catch (e) { /* full or disabled */ }
    },
    drop () {
      try { window.localStorage.removeItem(LOCAL_KEY) } catch (e) { /* disabled */ }
    }
  }

  /* fetch rejects without a connection: {ok: false, offline: true} then, never a thrown error. */
  async function send (method, path, body) {
    try {
      return await api(method, path, body)
    } catch (e) {
      return { ok: false, offline: true, status: 0, data: null }
    }
  }

  async function saveDraft () {
    window.clearTimeout(timer)
    const value = editor.getValue()
    local.keep(value)
    const result = await send('PUT', `/drafts/${config.taskId}`, value)
    if (result.ok) {
      local.drop()
      baseline = JSON.stringify(value)
      draftStatus.textContent = `${S.saved} ${new Date().toLocaleTimeString()}`
      discardButton.hidden = false
    } else if (result.offline) {
      draftStatus.textContent = S.form.offline
    } else {
      draftStatus.textContent = `${S.failed}: ${(result.data && result.data.message) || result.status}`
    }
    return result
  }

  async function discardDraft () {
    local.drop()
    await send('DELETE', `/drafts/${config.taskId}`)
    window.location.reload()
  }

  async function submit (button) {
    window.clearTimeout(timer)
    button.disabled = true
    draftStatus.textContent = S.sending
    if (claim) await claim /* the claim of the last edit goes first: the task is then the sender's */
    const body = mapDateTimes(config.schema, editor.getValue(), toServer)
    const onBehalf = config.onBehalf ? '?on_behalf=true' : '' /* a customer's step sent by staff */
    const result = await send('POST', `/tasks/${config.taskId}/complete${onBehalf}`, body)
    button.disabled = false
    draftStatus.textContent = ''
    if (result.ok) {
      local.drop()
      await send('DELETE', `/drafts/${config.taskId}`)
      flashNext(S.completed)
      window.location.assign(config.nextUrl)
    } else if (result.offline) {
      local.keep(editor.getValue())
      draftStatus.textContent = S.form.offline
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
    claim = send('POST', `/tasks/${config.taskId}/claim`).then((result) => {
      if (result.offline) { /* no connection: try again with the next edit; the typing is kept */
        claim = null
        return false
      }
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

  /* Back online: the copy kept in the browser goes to the server. */
  async function sendKept () {
    if (!local.read()) return
    const result = await saveDraft()
    if (result.ok) draftStatus.textContent = S.form.resent
  }

  editor.on('ready', () => {
    /* As an initial value, so optional fields left out stay on the form (empty). */
    editor.root.setValue(mapDateTimes(config.schema, config.startValues, toLocal), true)
    baseline = JSON.stringify(editor.getValue())
    if (!config.workable) {
      editor.disable()
      return
    }
    const kept = local.read()
    if (kept) { /* typed here while the server could not be reached: newer than the server's draft */
      editor.root.setValue(kept, true)
      draftStatus.textContent = S.form.restored
      discardButton.hidden = false
      if (navigator.onLine) sendKept()
    }
    window.addEventListener('online', sendKept)
    editor.on('change', () => {
      dropChangedErrors()
      const value = editor.getValue()
      if (JSON.stringify(value) === baseline) return
      local.keep(value)
      claimOnFirstEdit()
      window.clearTimeout(timer)
      timer = window.setTimeout(saveDraft, AUTOSAVE_MS)
    })
    document.getElementById('submit-form').addEventListener('click', (e) => submit(e.currentTarget))
    document.getElementById('save-draft').addEventListener('click', saveDraft)
    discardButton.addEventListener('click', discardDraft)
    document.getElementById('task-form').dataset.ready = 'true'
  })
})()
