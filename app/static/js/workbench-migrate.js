/* The migration page (templates/workbench_migrate.html): the dry run of moving every running case of
   one version to another (GET /processes/{key}/migration-check), again whenever the mapping of
   renamed or removed elements changes; then, with a reason, the selected cases or all that fit move
   (POST /processes/{key}/migrate) and the page says which moved and which stayed, and why. */
(function () {
  'use strict'
  const configNode = document.getElementById('workbench-migrate-config')
  if (!configNode) return
  const config = JSON.parse(configNode.textContent)
  const S = config.strings
  const { api } = window.Workspace
  const $ = (id) => document.getElementById(id)
  const root = $('wb-dry-run')
  if (!root) return // the same version on both sides: nothing to move

  function fill (template, values) {
    return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole))
  }

  function named (elementId) {
    const name = config.names[elementId]
    return name ? `${name} (${elementId})` : elementId
  }

  function mapping () {
    const pairs = {}
    for (const select of document.querySelectorAll('select.wb-map')) {
      if (select.value) pairs[select.dataset.source] = select.value
    }
    return pairs
  }

  function reasons (row) {
    const why = row.missing.map((element) => fill(S.missing, { element: named(element) }))
    for (const problem of row.problems) {
      const element = problem.element_id ? named(problem.element_id) : ''
      if (problem.kind === 'inserted' && row.missing.includes(problem.element_id)) continue // said above
      if (problem.kind === 'inserted') why.push(fill(S.inserted, { element }))
      else if (problem.kind === 'missing') why.push(fill(S.expected, { element }))
      else why.push(fill(S.error, { detail: problem.detail }))
    }
    return why
  }

  function cell (tr, content) {
    const td = document.createElement('td')
    if (content instanceof Node) td.append(content)
    else td.textContent = content
    tr.append(td)
    return td
  }

  function caseRow (row) {
    const tr = document.createElement('tr')
    tr.dataset.caseId = row.case_id
    tr.className = row.can_move ? 'wb-moves' : 'wb-stays'
    const box = document.createElement('input')
    box.type = 'checkbox'
    box.value = row.case_id
    box.disabled = !row.can_move
    box.checked = row.can_move
    box.setAttribute('aria-label', fill(S.select, { case: row.case_no }))
    cell(tr, box)
    const link = document.createElement('a')
    link.href = config.caseUrl.replace(/0$/, String(row.case_id))
    link.textContent = row.case_no
    cell(tr, link)
    cell(tr, row.here.map(named).join(', ') || '—')
    const there = row.ready_there.length ? fill(S.waitsAt, { where: row.ready_there.map(named).join(', ') }) : S.nowhere
    cell(tr, row.can_move ? `${S.moves}: ${there}` : S.stays)
    const why = reasons(row)
    const list = document.createElement('ul')
    for (const reason of why) {
      const item = document.createElement('li')
      item.textContent = reason
      list.append(item)
    }
    cell(tr, why.length ? list : '—')
    return tr
  }

  function failure (response) {
    const detail = (response.data && (response.data.detail || response.data.message)) || `HTTP ${response.status}`
    return fill(S.failed, { detail })
  }

  async function dryRun () {
    root.dataset.ready = 'false'
    const query = new URLSearchParams({ from: config.from, to: config.to })
    for (const [source, target] of Object.entries(mapping())) query.append('map', `${source}:${target}`)
    const response = await api('GET', `/processes/${encodeURIComponent(config.key)}/migration-check?${query}`)
    const body = root.querySelector('tbody')
    body.replaceChildren()
    if (!response.ok) {
      $('wb-migrate-count').textContent = failure(response)
      root.dataset.ready = 'true'
      return
    }
    for (const row of response.data) body.append(caseRow(row))
    const fit = response.data.filter((row) => row.can_move).length
    $('wb-migrate-count').textContent = fill(S.count, { moves: fit, all: response.data.length })
    $('wb-migrate-none').hidden = response.data.length > 0
    root.dataset.ready = 'true'
  }

  function report (rows) {
    const list = $('wb-migrate-result')
    list.replaceChildren()
    for (const row of rows) {
      const item = document.createElement('li')
      item.className = row.moved ? 'wb-moved' : 'wb-not-moved'
      item.textContent = row.moved
        ? fill(S.moved, { case: row.case_no })
        : fill(S.notMoved, { case: row.case_no, why: row.why_not.join('; ') })
      list.append(item)
    }
  }

  async function move (event) {
    event.preventDefault()
    const scope = event.submitter ? event.submitter.dataset.scope : 'selected'
    const reason = $('wb-migrate-reason')
    const missingReason = !reason.value.trim()
    $('wb-migrate-reason-error').hidden = !missingReason
    reason.setAttribute('aria-invalid', missingReason ? 'true' : 'false')
    if (missingReason) {
      reason.focus()
      return
    }
    const body = { from: config.from, to: config.to, mapping: mapping(), reason: reason.value.trim() }
    if (scope === 'selected') {
      body.cases = [...root.querySelectorAll('tbody input:checked')].map((box) => Number(box.value))
      if (!body.cases.length) {
        report([])
        $('wb-migrate-result').textContent = S.noneSelected
        return
      }
    }
    const response = await api('POST', `/processes/${encodeURIComponent(config.key)}/migrate`, body)
    if (!response.ok) {
      $('wb-migrate-result').textContent = failure(response)
      return
    }
    report(response.data)
    await dryRun()
  }

  for (const select of document.querySelectorAll('select.wb-map')) select.addEventListener('change', dryRun)
  $('wb-migrate-form').addEventListener('submit', move)
  $('wb-migrate-reason').addEventListener('input', () => {
    if ($('wb-migrate-reason').value.trim()) {
      $('wb-migrate-reason-error').hidden = true
      $('wb-migrate-reason').setAttribute('aria-invalid', 'false')
    }
  })
  dryRun()
})()
