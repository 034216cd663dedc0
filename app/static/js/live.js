/* The live viewer of one deployed version (templates/live.html): the diagram in bpmn-js'
   NavigatedViewer with a badge per element where open cases wait — cases at a ready task (blue),
   timers waiting on a timer event (amber) — from /api/v1/processes/<key>/versions/<n>/live,
   refreshed every 15 s. The badges are diagram-overlays.js', like the QA page's heatmap; each is a
   button that lists the cases waiting there (/api/v1/processes/<key>/versions/<n>/live/<element id>),
   longest waiting first, each linked to its case page. */
(function () {
  'use strict'
  const { api, pickLanguage } = window.Workspace
  const { DiagramOverlays } = window
  const configNode = document.getElementById('live-config')
  if (!configNode) return
  const config = JSON.parse(configNode.textContent)
  const S = config.strings
  const container = document.getElementById('live')
  const MIN_READABLE_ZOOM = 0.5
  const READABLE_ZOOM = 0.7
  const TIMER_BADGE_OFFSET = 26 // px: an event is 36 px wide
  let viewer = null
  let focused = false

  function format (template, values) {
    return template.replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match))
  }

  /* "2026-03-03T09:00:00+08:00" (the service's time zone) -> "2026-03-03 09:00". */
  function wallTime (iso) {
    return iso ? iso.slice(0, 16).replace('T', ' ') : '—'
  }

  function badge (element) {
    const node = document.createElement('button')
    node.type = 'button'
    node.addEventListener('click', () => showCases(element.element_id).catch(fail))
    const isTimer = element.timers > 0 && element.tasks === 0
    node.className = `live-badge ${isTimer ? 'live-timer' : 'live-task'}`
    node.dataset.element = element.element_id
    if (isTimer) {
      const icon = document.createElement('span')
      icon.className = 'bpmn-icon-intermediate-event-catch-timer'
      icon.setAttribute('aria-hidden', 'true')
      node.append(icon, String(element.timers))
    } else {
      node.textContent = String(element.cases)
    }
    const due = wallTime(element.next_due_at)
    node.title = isTimer
      ? format(S.timers, { timers: element.timers, due })
      : format(S.tasks, { cases: element.cases, tasks: element.tasks, due })
    node.setAttribute('aria-label', `${node.title}. ${S.open}`)
    // A timer's badge at its lower right, off the task a boundary timer sits on.
    const position = isTimer ? { top: TIMER_BADGE_OFFSET, left: TIMER_BADGE_OFFSET } : undefined
    return { elementId: element.element_id, node, position, marker: isTimer ? 'marker-waiting' : 'marker-ready' }
  }

  /* The list behind a badge: the cases waiting at the element, each linked to its case page. */
  async function showCases (elementId) {
    const response = await api('GET', `${config.countsPath}/${encodeURIComponent(elementId)}`)
    if (!response.ok) throw new Error(`waiting cases: HTTP ${response.status}`)
    const data = response.data
    const panel = document.getElementById('live-cases')
    const list = document.getElementById('live-cases-list')
    const title = document.getElementById('live-cases-title')
    title.textContent = format(S.heading, { n: data.cases.length, name: pickLanguage(data.name, config.language) })
    list.replaceChildren(...data.cases.map((item) => {
      const entry = document.createElement('li')
      const link = document.createElement('a')
      link.href = `/cases/${item.instance_id}`
      link.textContent = item.case_no || `#${item.instance_id}`
      entry.append(link, ' · ', format(S.item, { since: wallTime(item.since), due: wallTime(item.due_at) }))
      return entry
    }))
    document.getElementById('live-cases-more').hidden = !data.more
    panel.dataset.element = elementId
    panel.hidden = false
    title.focus()
  }

  document.getElementById('live-cases-close').addEventListener('click', () => {
    const panel = document.getElementById('live-cases')
    panel.hidden = true
    const opener = container.querySelector(`.live-badge[data-element="${CSS.escape(panel.dataset.element || '')}"]`)
    if (opener) opener.focus()
  })

  async function refresh () {
    const response = await api('GET', config.countsPath)
    if (!response.ok) throw new Error(`live counts: HTTP ${response.status}`)
    const data = response.data
    const shown = DiagramOverlays.showBadges(viewer, 'live', data.elements.map(badge))
    if (!focused) {
      // The whole procedure may fit only at an unreadable size: then show the busiest element readably.
      const busiest = [...data.elements].sort((a, b) => b.cases - a.cases)[0]
      DiagramOverlays.focus(viewer, busiest && busiest.element_id, MIN_READABLE_ZOOM, READABLE_ZOOM)
      focused = true
    }
    document.getElementById('live-none').hidden = shown.length > 0
    document.getElementById('live-summary').textContent = format(S.summary, { n: data.open_cases, time: data.at.slice(11, 19) })
    document.getElementById('live-error').hidden = true
    container.dataset.refreshed = data.at
  }

  function fail (error) {
    console.error(error)
    document.getElementById('live-error').hidden = false
  }

  async function start () {
    viewer = await DiagramOverlays.open(container, config.diagramUrl, config.language)
    await refresh()
    container.dataset.ready = 'true'
    window.setInterval(() => refresh().catch(fail), config.refreshMs)
  }

  window.LiveView = { refresh: () => refresh().catch(fail) }
  start().catch(fail)
})()
