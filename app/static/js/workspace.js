/* Shared by the workspace pages: calls to the JSON API with the session's CSRF token,
   short messages to the user, and the user's half of bilingual "中文 / English" names. */
(function () {
  'use strict'

  const CJK = /[\u3400-\u9fff\uf900-\ufaff]/

  function csrfToken () {
    const meta = document.querySelector('meta[name="csrf-token"]')
    return meta ? meta.content : ''
  }

  /* Resolves to {ok, status, data}; never throws for an HTTP error status. */
  async function api (method, path, body) {
    const options = {
      method,
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'X-CSRF-Token': csrfToken() }
    }
    if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json'
      options.body = JSON.stringify(body)
    }
    const response = await fetch('/api/v1' + path, options)
    let data = null
    if (response.status !== 204) {
      try { data = await response.json() } catch (e) { data = null }
    }
    return { ok: response.ok, status: response.status, data }
  }

  function flash (message, kind) {
    let box = document.getElementById('flash')
    if (!box) {
      box = document.createElement('div')
      box.id = 'flash'
      box.setAttribute('role', kind === 'success' ? 'status' : 'alert')
      document.querySelector('main').prepend(box)
    }
    box.className = 'flash ' + (kind || 'error')
    box.textContent = message
  }

  /* A message for the page the browser goes to next (after a reload or a redirect): what just happened. */
  const NEXT_FLASH = 'workspace.flash'
  function flashNext (message) {
    try { window.sessionStorage.setItem(NEXT_FLASH, message) } catch (e) { /* storage off: no message */ }
  }
  function showCarriedFlash () {
    let message = null
    try {
      message = window.sessionStorage.getItem(NEXT_FLASH)
      window.sessionStorage.removeItem(NEXT_FLASH)
    } catch (e) { return }
    if (message) flash(message, 'success')
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', showCarriedFlash)
  else showCarriedFlash()

  function pickLanguage (text, language) {
    if (typeof text !== 'string') return text
    const parts = text.split(' / ')
    if (parts.length !== 2) return text
    let [chinese, english] = parts
    if (!CJK.test(chinese) && CJK.test(english)) [chinese, english] = [english, chinese]
    return language.startsWith('zh') ? chinese : english
  }

  /* Logging out forgets the task drafts this browser kept for the user (task-form.js): a shared
     phone shows nobody else's typing. */
  const logout = document.querySelector('form[action="/logout"]')
  if (logout) {
    logout.addEventListener('submit', () => {
      try {
        Object.keys(window.localStorage).filter((k) => k.startsWith('aftersales.draft.')).forEach((k) => window.localStorage.removeItem(k))
      } catch (e) { /* storage disabled */ }
    })
  }

  /* A bpmn-js diagram's <svg> is named for screen readers by its container's data-label (WCAG 1.1.1):
     a viewer's as an image (its labels are drawing, the page's tables say the same), the modeler's
     as the named drawing area it is. */
  function nameDiagram (container, { editable = false } = {}) {
    const svg = container && container.querySelector('svg')
    if (!svg) return
    if (!editable) svg.setAttribute('role', 'img')
    svg.setAttribute('aria-label', container.dataset.label || container.getAttribute('aria-label') || '')
  }

  /* A diagram's XML with every "中文 / English" name reduced to the user's half (the viewers' labels). */
  function localiseDiagram (xml, language) {
    const doc = new DOMParser().parseFromString(xml, 'application/xml')
    doc.querySelectorAll('[name]').forEach((node) => {
      node.setAttribute('name', pickLanguage(node.getAttribute('name'), language))
    })
    return new XMLSerializer().serializeToString(doc)
  }

  /* One problem of a diagram (a deploy's refusal or advice) as a list item: "warning" first for advice,
     the element's id, the reason in the user's language (the server renders it). */
  function problemItem (problem, warningText) {
    const item = document.createElement('li')
    if (warningText) {
      item.classList.add('wb-warning')
      const label = document.createElement('strong')
      label.textContent = warningText
      item.append(label, ' ')
    }
    if (problem.element_id) {
      const code = document.createElement('code')
      code.textContent = problem.element_id
      item.append(code, ' ')
    }
    item.append(problem.message || problem.reason || '')
    return item
  }

  window.Workspace = { api, flash, flashNext, pickLanguage, nameDiagram, localiseDiagram, problemItem }
})()
