/* The import page of a master-data table: the chosen file's columns mapped to fields, the dry run's
   report, and the apply step read as a stream of progress lines ({"done", "total"}, then
   {"result"} or {"error"}) from /api/v1/master/<table>/import. Everything the file or the server
   says is put on the page as text (textContent), never as HTML. */
(function () {
  'use strict'

  const config = JSON.parse(document.getElementById('import-config').textContent)
  const base = '/api/v1/master/' + encodeURIComponent(config.table) + '/import'
  const labels = Object.fromEntries(config.fields.map((f) => [f.name, f.label]))
  const $ = (id) => document.getElementById(id)
  const CHANGE_ROWS = 10
  let file = null
  let headers = []

  function format (template, values) {
    return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''))
  }

  function cell (row, text, tag) {
    const td = document.createElement(tag || 'td')
    td.textContent = text
    row.appendChild(td)
    return td
  }

  function csrfHeaders (accept) {
    const token = document.querySelector('meta[name="csrf-token"]').content
    return { Accept: accept, 'X-CSRF-Token': token }
  }

  function body (extra) {
    const form = new FormData()
    form.append('file', file)
    for (const [name, value] of Object.entries(extra || {})) form.append(name, value)
    return form
  }

  /* An error body of the API as lines: its message, then each field's or line's reasons. */
  function problems (error) {
    const lines = [error.message || String(error.code || '')]
    for (const [where, reasons] of Object.entries(error.fields || (Array.isArray(error.errors) ? {} : error.errors) || {})) {
      lines.push((labels[where] || where) + ': ' + [].concat(reasons).join('; '))
    }
    return lines.join('\n')
  }

  function fail (error) {
    window.Workspace.flash(typeof error === 'string' ? error : problems(error))
  }

  function clearFlash () {
    const box = $('flash')
    if (box) box.remove()
  }

  async function readColumns (event) {
    event.preventDefault()
    clearFlash()
    file = $('import-file-input').files[0]
    if (!file) return
    const response = await fetch(base + '/columns', {
      method: 'POST', credentials: 'same-origin', headers: csrfHeaders('application/json'), body: body()
    })
    const data = await response.json().catch(() => ({ message: response.statusText }))
    if (!response.ok) return fail(data)
    headers = data.headers
    showMapping(data)
  }

  function showMapping (data) {
    $('import-row-count').textContent = format(config.strings.rows, { count: data.rows })
    const tbody = document.querySelector('.import-mapping tbody')
    tbody.replaceChildren()
    data.headers.forEach((header, index) => {
      const row = document.createElement('tr')
      cell(row, header, 'th')
      const select = document.createElement('select')
      select.dataset.column = header
      select.setAttribute('aria-label', header)
      select.add(new Option(config.strings.ignore, ''))
      for (const f of config.fields) {
        select.add(new Option(f.label + (f.required ? ' *' : ''), f.name, false, data.mapping[header] === f.name))
      }
      row.appendChild(document.createElement('td')).appendChild(select)
      cell(row, data.sample.map((values) => values[index] ?? '').filter(Boolean).slice(0, 3).join(' · '))
      tbody.appendChild(row)
    })
    $('import-mapping-step').hidden = false
    $('import-report-step').hidden = true
    $('import-progress-step').hidden = true
  }

  function mapping () {
    const chosen = {}
    for (const select of document.querySelectorAll('.import-mapping select')) {
      chosen[select.dataset.column] = select.value || null
    }
    return JSON.stringify(chosen)
  }

  /* POST the file with the mapping; the answer as a stream of lines, each handed to onLine. */
  async function streamed (dryRun, onLine) {
    const response = await fetch(base, {
      method: 'POST',
      credentials: 'same-origin',
      headers: csrfHeaders('application/x-ndjson'),
      body: body({ mapping: mapping(), dry_run: dryRun ? 'true' : 'false' })
    })
    if (!(response.headers.get('Content-Type') || '').startsWith('application/x-ndjson')) {
      const data = await response.json().catch(() => ({ message: response.statusText }))
      return onLine({ error: data })
    }
    const reader = response.body.getReader()
    const decoder = new TextDecoder()
    let buffer = ''
    for (;;) {
      const { value, done } = await reader.read()
      buffer += decoder.decode(value || new Uint8Array(), { stream: !done })
      const lines = buffer.split('\n')
      buffer = lines.pop()
      for (const line of lines) if (line.trim()) onLine(JSON.parse(line))
      if (done) break
    }
  }

  function showProgress (line) {
    const bar = $('import-progress')
    bar.max = Math.max(line.total, 1)
    bar.value = line.done
    $('import-progress-text').textContent = format(config.strings.progress, line)
  }

  async function dryRun () {
    clearFlash()
    const button = $('import-dry-run')
    button.disabled = true
    $('import-progress-step').hidden = false
    $('import-done').hidden = true
    $('import-progress-text').textContent = config.strings.checking
    try {
      await streamed(true, (line) => {
        if ('done' in line) showProgress(line)
        else if (line.error) fail(line.error)
        else showReport(line.result)
      })
    } finally {
      button.disabled = false
      $('import-progress-step').hidden = true
    }
  }

  function showReport (plan) {
    const counts = $('import-counts')
    counts.replaceChildren()
    for (const action of ['create', 'update', 'unchanged', 'refused']) {
      const item = document.createElement('li')
      item.dataset.action = action
      item.className = 'count-' + action
      const number = document.createElement('strong')
      number.textContent = plan.counts[action]
      item.append(number, ' ' + config.strings[action])
      counts.appendChild(item)
    }
    const refused = plan.rows.filter((r) => r.action === 'refused')
    const refusedBody = document.querySelector('.import-refused tbody')
    refusedBody.replaceChildren()
    for (const r of refused) {
      const row = document.createElement('tr')
      cell(row, r.line)
      cell(row, r.key || '—')
      cell(row, Object.entries(r.problems).map(([f, why]) => (labels[f] || f) + ': ' + why).join('; '))
      refusedBody.appendChild(row)
    }
    $('import-refused').hidden = refused.length === 0
    const changing = plan.rows.filter((r) => r.action === 'create' || r.action === 'update').slice(0, CHANGE_ROWS)
    const changesBody = document.querySelector('.import-changes tbody')
    changesBody.replaceChildren()
    for (const r of changing) {
      const row = document.createElement('tr')
      cell(row, r.line)
      cell(row, config.strings[r.action])
      cell(row, r.key || '—')
      const changes = Object.entries(r.changes).map(([f, [before, after]]) =>
        (labels[f] || f) + ': ' + (r.action === 'update' ? (before || '—') + ' → ' : '') + (after || '—'))
      cell(row, changes.join('; '))
      changesBody.appendChild(row)
    }
    $('import-changes').hidden = changing.length === 0
    const changes = plan.counts.create + plan.counts.update
    $('import-apply').disabled = refused.length > 0 || changes === 0
    if (!refused.length && !changes) window.Workspace.flash(config.strings.noChanges, 'ok')
    $('import-report-step').hidden = false
  }

  async function apply () {
    clearFlash()
    $('import-apply').disabled = true
    $('import-dry-run').disabled = true
    $('import-progress-step').hidden = false
    $('import-done').hidden = true
    $('import-result').textContent = ''
    showProgress({ done: 0, total: 1 })
    await streamed(false, (line) => {
      if ('done' in line) showProgress(line)
      else if (line.error) fail(Object.assign({}, line.error, { message: config.strings.failed + ' ' + line.error.message }))
      else {
        const rows = line.result.rows.length
        showProgress({ done: rows, total: rows })
        $('import-result').textContent = format(config.strings.done, line.result.counts)
        $('import-progress-step').dataset.finished = 'true'
      }
    })
    $('import-dry-run').disabled = false
    $('import-done').hidden = false
  }

  $('import-file').addEventListener('submit', readColumns)
  $('import-file-input').addEventListener('change', () => { $('import-mapping-step').hidden = true; $('import-report-step').hidden = true })
  $('import-dry-run').addEventListener('click', dryRun)
  $('import-apply').addEventListener('click', apply)
})()
