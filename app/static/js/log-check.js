/* The QA page's log check: a legacy event log (CSV or XES) is uploaded to POST /api/v1/qa/log-check,
   replayed on the chosen diagram version, and each case's fitness and deviations are listed (least
   fitting first). The downloads send the same file again with format=xlsx|csv: nothing is stored.
   Labels from the log are shown with textContent only. */
(function () {
  'use strict'
  const { pickLanguage } = window.Workspace
  const box = document.getElementById('log-check')
  if (!box) return
  const form = document.getElementById('log-check-form')
  const result = document.getElementById('log-check-result')
  const error = document.getElementById('log-check-error')
  const text = JSON.parse(box.dataset.i18n || '{}')
  const language = box.dataset.language || 'zh'
  const MAX_ROWS = 200
  const percent = new Intl.NumberFormat(language.startsWith('zh') ? 'zh-CN' : 'en', {
    style: 'percent',
    maximumFractionDigits: 1
  })

  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || ''
  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (all, key) => (key in values ? values[key] : all))
  const show = (value) => (value === null || value === undefined ? '—' : percent.format(value))

  function fail (message) {
    error.textContent = message || text.failed
    error.hidden = false
  }

  function send (format) {
    const params = new URLSearchParams({
      process: form.elements.process.value,
      format,
      complete: form.elements.complete.checked ? 'true' : 'false'
    })
    if (form.elements.version.value) params.set('version', form.elements.version.value)
    const body = new FormData()
    body.append('file', form.elements.file.files[0])
    return fetch('/api/v1/qa/log-check?' + params, {
      method: 'POST',
      body,
      credentials: 'same-origin',
      headers: { 'X-CSRF-Token': csrf(), Accept: format === 'json' ? 'application/json' : '*/*' }
    })
  }

  async function problem (response) {
    try {
      const data = await response.json()
      return data.message
    } catch (e) {
      return `HTTP ${response.status}`
    }
  }

  function deviationItem (deviation, events) {
    const item = document.createElement('li')
    const where = deviation.position >= events ? text.atEnd : fill(text.position, { n: deviation.position + 1 })
    const name = pickLanguage(deviation.name || deviation.activity, language)
    item.textContent = `${text[deviation.kind] || deviation.kind}: ${name} (${where})`
    item.title = deviation.detail || ''
    item.dataset.kind = deviation.kind
    return item
  }

  function render (report) {
    const s = report.summary
    document.getElementById('log-check-summary').textContent = fill(text.summary, {
      cases: s.cases,
      events: s.events,
      fitting: s.fitting_cases,
      average: show(s.average_fitness),
      log: show(s.log_fitness)
    })
    const cases = [...report.cases].sort((a, b) => a.fitness - b.fitness)
    const body = result.querySelector('tbody')
    body.replaceChildren()
    for (const c of cases.slice(0, MAX_ROWS)) {
      const row = body.insertRow()
      row.className = c.fitting ? 'fit' : 'unfit'
      row.dataset.case = c.case_id
      row.insertCell().textContent = c.case_id
      row.insertCell().textContent = c.events
      row.insertCell().textContent = show(c.fitness)
      const cell = row.insertCell()
      if (c.deviations.length) {
        const list = document.createElement('ul')
        c.deviations.forEach((d) => list.appendChild(deviationItem(d, c.events)))
        cell.appendChild(list)
      } else {
        cell.textContent = text.none
        cell.className = 'muted'
      }
    }
    const shown = document.getElementById('log-check-shown')
    shown.hidden = cases.length <= MAX_ROWS
    shown.textContent = fill(text.shown, { shown: MAX_ROWS, cases: cases.length })
    result.hidden = false
    box.dataset.ready = 'true'
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    error.hidden = true
    result.hidden = true
    if (!form.elements.file.files.length) return fail(text.pick)
    const button = form.querySelector('button[type=submit]')
    button.disabled = true
    try {
      const response = await send('json')
      if (!response.ok) return fail(await problem(response))
      render(await response.json())
    } catch (e) {
      console.error(e)
      fail()
    } finally {
      button.disabled = false
    }
  })

  result.querySelectorAll('button[data-format]').forEach((button) => {
    button.addEventListener('click', async () => {
      error.hidden = true
      const response = await send(button.dataset.format)
      if (!response.ok) return fail(await problem(response))
      const named = /filename="([^"]+)"/.exec(response.headers.get('Content-Disposition') || '')
      const link = document.createElement('a')
      link.href = URL.createObjectURL(await response.blob())
      link.download = named ? named[1] : `log-check.${button.dataset.format}`
      document.body.appendChild(link)
      link.click()
      link.remove()
      setTimeout(() => URL.revokeObjectURL(link.href), 1000)
    })
  })
})()
