/* The customer's step through a case link (/c/<token>): the step's JSON-Schema form rendered as on the
   staff's task page (form-render.js, signature and rating fields included), sent to the link's own
   completion address; the server's 422 field errors are shown on their fields. */
(function () {
  'use strict'
  const config = JSON.parse(document.getElementById('customer-task-config').textContent)
  const S = config.strings
  const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/
  const status = document.getElementById('form-status')
  const formErrors = document.getElementById('form-errors')
  formErrors.setAttribute('tabindex', '-1')

  function csrfToken () {
    const meta = document.querySelector('meta[name="csrf-token"]')
    return meta ? meta.content : ''
  }

  function toServer (schema, value) {
    if (!schema || value === undefined || value === null) return value
    if (schema.format === 'date-time' && typeof value === 'string' && LOCAL_TIME.test(value)) {
      return (value.length === 16 ? value + ':00' : value) + config.utcOffset
    }
    if (schema.properties && typeof value === 'object' && !Array.isArray(value)) {
      const out = { ...value }
      for (const [k, sub] of Object.entries(schema.properties)) if (k in out) out[k] = toServer(sub, out[k])
      return out
    }
    if (schema.items && Array.isArray(value)) return value.map((v) => toServer(schema.items, v))
    return value
  }

  /* The server's refusals come as "English / 中文": the customer's half. */
  function inLanguage (message) {
    const at = message.lastIndexOf(' / ')
    if (at < 0 || !/[\u3400-\u9fff]/.test(message.slice(at + 3))) return message
    return config.language.startsWith('zh') ? message.slice(at + 3) : message.slice(0, at)
  }

  const editor = window.TaskForm.render(document.getElementById('task-form'), config.schema, {
    language: config.language,
    strings: S.form
  })
  const shown = []

  function clearErrors () {
    shown.splice(0).forEach((node) => node.remove())
    document.querySelectorAll('#task-form .has-error').forEach((n) => n.classList.remove('has-error'))
    document.querySelectorAll('#task-form [aria-invalid]').forEach((n) => n.removeAttribute('aria-invalid'))
    formErrors.hidden = true
    formErrors.textContent = ''
  }

  function showErrors (fields, message) {
    clearErrors()
    const general = []
    let first = null
    for (const [field, messages] of Object.entries(fields || {})) {
      const target = field && field !== '_schema' ? editor.getEditor('root.' + field) : null
      const text = messages.map(inLanguage).join('; ')
      if (!target) {
        general.push(`${field}: ${text}`)
        continue
      }
      const node = document.createElement('div')
      node.className = 'field-error'
      node.id = `error-${field.replace(/[^\w-]/g, '-')}`
      node.textContent = text
      target.container.classList.add('has-error')
      target.container.appendChild(node)
      shown.push(node)
      const input = window.TaskForm.fieldInput(target)
      if (input) {
        input.setAttribute('aria-invalid', 'true')
        input.setAttribute('aria-describedby', node.id)
        first = first || input
      }
    }
    formErrors.textContent = [message || S.fieldErrors, ...general].join(' ')
    formErrors.hidden = false
    if (first) {
      first.focus({ preventScroll: true })
      first.scrollIntoView({ block: 'center' })
    } else {
      formErrors.focus()
    }
  }

  async function submit (button) {
    button.disabled = true
    status.textContent = S.sending
    let response = null
    let data = null
    try {
      response = await fetch(config.completeUrl, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken() },
        body: JSON.stringify(toServer(config.schema, editor.getValue()))
      })
      data = await response.json().catch(() => null)
    } catch (e) {
      response = null
    }
    button.disabled = false
    status.textContent = ''
    if (response && response.ok && data && data.next) {
      window.location.assign(data.next)
    } else if (response && response.status === 422) {
      showErrors(data && data.fields, null)
    } else if (response && (response.status === 403 || response.status === 410)) {
      window.location.reload() /* the link is spent or withdrawn: its page says so */
    } else {
      showErrors({}, `${S.failed}: ${(data && data.message) || (response ? response.status : '')}`)
    }
  }

  editor.on('ready', () => {
    editor.root.setValue(config.startValues, true)
    editor.on('change', () => { if (shown.length) clearErrors() }) /* a correction takes the old refusals away */
    document.getElementById('submit-form').addEventListener('click', (e) => submit(e.currentTarget))
    document.getElementById('task-form').dataset.ready = 'true'
  })
})()
